#!/bin/bash
# Checking a configuration before a restart, as collectd-lowmem(5) says:
# collectd 5.12's -t reads nothing, -T loads every plugin, reads once,
# dispatches at shutdown and exits. With the csv plugin writing to
# standard output, lowmem's block as shipped (collectd.conf.d/lowmem.conf)
# prints its values: they are compared with /proc read here by awk. A
# wrong value in the block makes -T fail with its "lowmem plugin:" line.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_setup

# The man page's check file, with the built plugin's directory.
check_conf() {
  cat <<EOF
TypesDB "$LM_TYPESDB"
PluginDir "$LM_TMP/plugins"
BaseDir "$LM_TMP/$1"
PIDFile "$LM_TMP/$1/collectd.pid"
LoadPlugin csv
<Plugin csv>
  DataDir "stdout"
</Plugin>
Include "$2"
EOF
}

mkdir -p "$LM_TMP/good"
check_conf good "$top_srcdir/collectd.conf.d/lowmem.conf" >"$LM_TMP/good.conf"
rc=0
timeout -k 5 60 "$COLLECTD" -T -C "$LM_TMP/good.conf" >"$LM_TMP/good.out" \
  2>"$LM_TMP/good.err" || rc=$?
lm_check "collectd -T with the shipped lowmem.conf exits 0 ($rc)" [ "$rc" = 0 ]

# putval IDENTIFIER: the value of the line "PUTVAL <host>/IDENTIFIER ...".
putval() {
  awk -v id="$1" '$1 == "PUTVAL" { n = split($2, p, "/")
                   if (p[2] "/" p[3] == id) { split($NF, v, ":"); print v[2]; exit } }' \
    "$LM_TMP/good.out"
}
total=$(putval lowmem/system-total)
expect=$(awk '$1 == "MemTotal:" { printf "%.0f", $2 * 1024 }' /proc/meminfo)
lm_check "it prints lowmem/system-total, /proc/meminfo's MemTotal ($total, $expect)" \
  lm_num_eq "${total:-x}" "$expect"

# Every zone the buddy allocator manages pages of, from /proc/zoneinfo.
zones=$(awk '$1 == "Node" { node = $2; sub(/,/, "", node); zone = $4 }
             $1 == "managed" && $2 > 0 { print "node" node "-" zone }' /proc/zoneinfo)
for zone in $zones; do
  free=$(putval "lowmem-$zone/zone-free")
  lm_check "it prints lowmem-$zone/zone-free (${free:-none})" test -n "$free"
done

# A wrong value: -T stops with lowmem's own line, and no value.
mkdir -p "$LM_TMP/bad"
sed 's/^#  Orders 0 1$/  Orders 0 99/' "$top_srcdir/collectd.conf.d/lowmem.conf" \
  >"$LM_TMP/bad-lowmem.conf"
lm_check "the bad block differs from the shipped one in Orders" \
  grep -q '^  Orders 0 99$' "$LM_TMP/bad-lowmem.conf"
check_conf bad "$LM_TMP/bad-lowmem.conf" >"$LM_TMP/bad.conf"
rc=0
timeout -k 5 60 "$COLLECTD" -T -C "$LM_TMP/bad.conf" >"$LM_TMP/bad.out" \
  2>"$LM_TMP/bad.err" || rc=$?
lm_check "collectd -T with Orders 99 fails ($rc)" [ "$rc" != 0 ]
lm_check "it says why, in a 'lowmem plugin:' line naming Orders" \
  grep -q 'lowmem plugin: .*Orders' "$LM_TMP/bad.err" "$LM_TMP/bad.out"
lm_check "it prints no lowmem value" \
  [ "$(grep -c '^PUTVAL [^/]*/lowmem' "$LM_TMP/bad.out" || true)" = 0 ]
lm_done
