#!/bin/bash
# lowmem's own collectd types in the real collectd, with no TypesDB line
# for them: the plugin registers them, and the RRD files collectd's
# rrdtool plugin makes carry each type's data source as lowmem-types.db
# says it (name, minimum, maximum; read with rrdtool info). A thread's
# CPU above 100% is stored: a value of 150 put through collectd's unixsock
# under lowmem-writeback/thread_cpu reads back as 150 from its RRD, where
# under collectd's "percent" (0 to 100.1) it is stored as unknown.
# collection3, with contrib/collection3-lowmem.conf, draws a zone's values
# and its headroom as lines of one graph each; write_prometheus makes one
# family of each type, with one label shape. Then a TypesDB naming
# lowmem-types.db is taken silently, and one that defines a type otherwise
# is said.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_setup unixsock
command -v collectdctl >/dev/null ||
  lm_skip "collectdctl not found (collectd-utils; scripts/install-deps.sh installs it)"
DB=$top_srcdir/lowmem-types.db

# db_field TYPE FIELD: the data source's name, type, min or max (1 to 4)
# of TYPE in lowmem-types.db.
db_field() {
  awk -v t="$1" -v f="$2" '$1 == t { split($2, d, ":"); print d[f] }' "$DB"
}

# info FILE KEY: a value of rrdtool info, quotes removed.
info() {
  "$RRDTOOL" info "$1" | awk -F' = ' -v k="$2" '$1 == k { gsub(/"/, "", $2); print $2 }'
}

# rrd_bound VALUE: rrdtool's bound as lowmem-types.db writes it (NaN: U).
rrd_bound() {
  case $1 in
  nan | NaN | -nan) echo U ;;
  *) awk -v v="$1" 'BEGIN { printf "%g\n", v }' ;;
  esac
}

# write_prometheus, where its libraries and a text-format parser are here.
PROM_PORT=
if [ -f "$LM_STOCK_PLUGINS/write_prometheus.so" ] &&
  ! ldd "$LM_STOCK_PLUGINS/write_prometheus.so" | grep -q 'not found' &&
  /usr/bin/python3 -c 'import prometheus_client.parser' 2>/dev/null; then
  cp "$LM_STOCK_PLUGINS/write_prometheus.so" "$LM_TMP/plugins/"
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 20000))
    if ! ss -Hltn "sport = :$p" | grep -q .; then PROM_PORT=$p; break; fi
  done
fi

lm_conf types "  SampleInterval 0.1
  Orders 0 1" unixsock ${PROM_PORT:+write_prometheus}
cat >>"$LM_CONF" <<EOF
<Plugin unixsock>
  SocketFile "$LM_RUN/sock"
  SocketPerms "0600"
</Plugin>
EOF
[ -z "$PROM_PORT" ] || cat >>"$LM_CONF" <<EOF
<Plugin write_prometheus>
  Host "127.0.0.1"
  Port "$PROM_PORT"
</Plugin>
EOF

lm_start 120
lm_wait_values lowmem-node0-Normal headroom-order0 60 2 || true
lm_wait_values lowmem-writeback thread_cpu-kswapd0 60 2 || true

# --- every RRD of a lowmem type carries lowmem-types.db's data source --------

checked=0
bad=
for type in $(awk '!/^#/ && NF { print $1 }' "$DB"); do
  for f in "$LM_RRD/$LM_HOST"/lowmem*/"$type"-*.rrd "$LM_RRD/$LM_HOST"/lowmem*/"$type".rrd; do
    [ -f "$f" ] || continue
    ds=$(db_field "$type" 1)
    got="$(info "$f" "ds[$ds].type") $(rrd_bound "$(info "$f" "ds[$ds].min")") $(rrd_bound "$(info "$f" "ds[$ds].max")")"
    want="$(db_field "$type" 2) $(db_field "$type" 3) $(db_field "$type" 4)"
    checked=$((checked + 1))
    [ "$got" = "$want" ] || bad="$bad ${f#"$LM_RRD/$LM_HOST/"}: $got, not $want;"
  done
done
lm_check "RRD files of lowmem's types carry lowmem-types.db's data source ($checked files${bad:+;$bad})" \
  [ "$checked" -gt 20 -a -z "$bad" ]
for id in lowmem-node0-Normal/zone-free lowmem-node0-Normal/headroom-order1 lowmem/system-free \
  lowmem-writeback/thread_cpu-kswapd0; do
  lm_check "rrd: $id.rrd exists" [ -f "$LM_RRD/$LM_HOST/$id.rrd" ]
done
f=$LM_RRD/$LM_HOST/lowmem-node0-Normal/headroom-order0.rrd
lm_check "headroom: data source \"bytes\", no lower bound (rrdtool info: min $(info "$f" 'ds[bytes].min'))" \
  [ "$(rrd_bound "$(info "$f" 'ds[bytes].min')")" = U ]
f=$LM_RRD/$LM_HOST/lowmem-writeback/thread_cpu-kswapd0.rrd
lm_check "thread_cpu: data source \"percent\", no upper bound (rrdtool info: max $(info "$f" 'ds[percent].max'))" \
  [ "$(rrd_bound "$(info "$f" 'ds[percent].max')")" = U ]
lm_check "collectd's own types stay: lowmem/vmpage_action-allocstall.rrd" \
  [ -f "$LM_RRD/$LM_HOST/lowmem/vmpage_action-allocstall.rrd" ]

# --- collection3 draws them with contrib/collection3-lowmem.conf --------------

# collection3, as collectd-core ships it, its graph.cgi run as a CGI over
# this run's RRD files: rrdtool's arguments (debug=1), then the PNG.
C3=/usr/share/doc/collectd-core/examples/collection3
c3() { # c3 TYPE [PARAMS]: graph.cgi's output for node0-Normal's TYPE
  (cd "$LM_TMP/c3" && SCRIPT_FILENAME=$LM_TMP/c3/bin/graph.cgi REQUEST_METHOD=GET \
    QUERY_STRING="hostname=$LM_HOST;plugin=lowmem;plugin_instance=${3:-node0-Normal};type=$1;begin=-120${2:+;$2}" \
    timeout 60 perl bin/graph.cgi 2>>"$LM_TMP/c3.err")
}
if [ -f "$C3/bin/graph.cgi" ] && perl -MRRDs -MConfig::General -MHTML::Entities -MRegexp::Common -MCGI -e 1 2>/dev/null; then
  cp -r "$C3" "$LM_TMP/c3"
  { cat "$C3/etc/collection.conf"
    echo "DataDir \"$LM_RRD\""
    echo "Include \"$top_srcdir/contrib/collection3-lowmem.conf\""
  } >"$LM_TMP/c3/etc/collection.conf"
  c3 zone debug=1 >"$LM_TMP/c3-zone.args"
  c3 headroom debug=1 >"$LM_TMP/c3-headroom.args"
  # has FILE NEEDLE...: FILE holds every NEEDLE
  has() { local f=$1 n; shift; for n in "$@"; do grep -q -F -- "$n" "$f" || return 1; done; }
  lm_check "collection3, zone: one graph of free, min, low and high, data source bytes" \
    has "$LM_TMP/c3-zone.args" zone-free.rrd:bytes:AVERAGE zone-min.rrd:bytes:AVERAGE \
    zone-low.rrd:bytes:AVERAGE zone-high.rrd:bytes:AVERAGE
  lm_check "collection3, zone: lines, nothing stacked (no AREA)" \
    sh -c '! grep -q "^AREA" "$1"' sh "$LM_TMP/c3-zone.args"
  lm_check "collection3, headroom: order0 and order1 in one graph, data source bytes" \
    has "$LM_TMP/c3-headroom.args" headroom-order0.rrd:bytes:AVERAGE headroom-order1.rrd:bytes:AVERAGE
  lm_check "collection3, headroom: lines, nothing stacked (no AREA)" \
    sh -c '! grep -q "^AREA" "$1"' sh "$LM_TMP/c3-headroom.args"
  c3 zone >"$LM_TMP/c3-zone.out"
  lm_check "collection3 draws node0-Normal's zone graph: a PNG" \
    grep -q -a -F "$(printf '\211PNG')" "$LM_TMP/c3-zone.out"
else
  lm_skip_check "collection3: collectd-core's example or its Perl modules are not installed (scripts/install-deps.sh installs them)"
fi

# --- write_prometheus: one family per type, one label shape each -------------

# Parsed by the Prometheus project's own text-format parser
# (python3-prometheus-client): each lowmem family, its type and the label
# names of its samples.
if [ -n "$PROM_PORT" ]; then
  /usr/bin/python3 - "$PROM_PORT" >"$LM_TMP/prom.txt" 2>"$LM_TMP/prom.err" <<'PY' || true
import sys, urllib.request
from prometheus_client.parser import text_string_to_metric_families
text = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=30).read().decode()
for f in text_string_to_metric_families(text):
    if not f.name.startswith("collectd_lowmem_"):
        continue
    shapes = sorted({",".join(sorted(k for k in s.labels if k != "instance")) for s in f.samples})
    print(f.name, f.type, len(f.samples), "|".join(shapes))
PY
  echo "# write_prometheus families: $(awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $1 }' "$LM_TMP/prom.txt")"
  lm_check "write_prometheus: parsed, lowmem's families there ($(wc -l <"$LM_TMP/prom.txt"); $(head -c 200 "$LM_TMP/prom.err"))" \
    [ "$(wc -l <"$LM_TMP/prom.txt")" -gt 5 ]
  family() { awk -v n="$1" '$1 == n' "$LM_TMP/prom.txt"; }
  lm_check "write_prometheus: collectd_lowmem_headroom_bytes, a gauge labelled by zone and order ($(family collectd_lowmem_headroom_bytes))" \
    [ "$(family collectd_lowmem_headroom_bytes | awk '{ print $2, $4 }')" = "gauge lowmem,type" ]
  lm_check "write_prometheus: collectd_lowmem_zone_bytes, collectd_lowmem_system_bytes, collectd_lowmem_thread_cpu_percent" \
    [ -n "$(family collectd_lowmem_zone_bytes)" -a -n "$(family collectd_lowmem_system_bytes)" -a \
    -n "$(family collectd_lowmem_thread_cpu_percent)" ]
  lm_check "write_prometheus: every lowmem family has one label shape" \
    sh -c '! awk "\$4 ~ /\\|/" "$1" | grep -q .' sh "$LM_TMP/prom.txt"
  lm_check "write_prometheus: no collectd_lowmem_memory or collectd_lowmem_gauge of lowmem's memory values" \
    [ -z "$(family collectd_lowmem_memory)$(family collectd_lowmem_gauge)" ]
else
  lm_skip_check "write_prometheus: its libraries (libprotobuf-c1, libmicrohttpd12) or python3-prometheus-client are not installed"
fi

# --- a thread at 150% is stored ------------------------------------------------

# Five seconds of 150, each at its own second, under the new type and,
# for contrast, under collectd's percent.
t0=$(date +%s)
put_failed=0
for i in 1 2 3 4 5; do
  while [ "$(date +%s)" -lt $((t0 + i)) ]; do sleep 0.1; done
  for id in thread_cpu-over_one_cpu percent-over_one_cpu; do
    collectdctl -s "$LM_RUN/sock" putval "$LM_HOST/lowmem-writeback/$id" \
      interval=1 "$((t0 + i)):150" >/dev/null 2>&1 || put_failed=$((put_failed + 1))
  done
done
lm_check "collectdctl putval: accepted ($put_failed refused)" [ "$put_failed" = 0 ]
new=$LM_RRD/$LM_HOST/lowmem-writeback/thread_cpu-over_one_cpu.rrd
old=$LM_RRD/$LM_HOST/lowmem-writeback/percent-over_one_cpu.rrd
deadline=$((SECONDS + 20))
until [ -f "$new" ] && [ "$(lm_rrd_last_update "$new")" -ge $((t0 + 5)) ] 2>/dev/null; do
  [ $SECONDS -lt $deadline ] || break
  sleep 0.2
done
lm_stop
lm_check "collectd stopped cleanly on SIGTERM (exit $LM_RC)" [ "$LM_RC" = 0 ]

stored=$(lm_rrd_fetch "$new" $((t0 + 1)) $((t0 + 5)) | awk '$2 == 150 { n++ } END { print n + 0 }')
lm_check "thread_cpu 150% stored: $stored of the seconds read back as 150 from the RRD" [ "$stored" -ge 3 ]
if [ -f "$old" ]; then
  known=$(lm_rrd_fetch "$old" $((t0 + 1)) $((t0 + 5)) | wc -l)
  lm_check "under collectd's percent (max 100.1) the same 150 is unknown: $known known seconds" [ "$known" = 0 ]
else
  lm_not_ok "rrd: the contrast file percent-over_one_cpu.rrd exists"
fi
lm_check "the log: no type lowmem dispatches is unknown to collectd" \
  sh -c '! grep -q -i -E "unknown type|dataset not found|not found in the types" "$1"' sh "$LM_LOG"
lm_check "the log: lowmem said nothing of TypesDB" sh -c '! grep -q "defines the type" "$1"' sh "$LM_LOG"

# --- TypesDB naming lowmem's types: taken; defining one otherwise: said -------

lm_conf typesdb "  SampleInterval 0.1"
sed -i "s|^TypesDB .*|TypesDB \"$LM_TYPESDB\" \"$DB\"|" "$LM_CONF"
lm_start 60
lm_wait_values lowmem-node0-Normal zone-free 60 || true
lm_stop
lm_check "TypesDB with lowmem-types.db: values written (zone-free)" lm_csv_exists lowmem-node0-Normal zone-free
lm_check "TypesDB with lowmem-types.db: lowmem says nothing of it" sh -c '! grep -q "defines the type" "$1"' sh "$LM_LOG"

printf 'thread_cpu value:GAUGE:0:100\n' >"$LM_TMP/old-types.db"
lm_conf othertypes "  SampleInterval 0.1"
sed -i "s|^TypesDB .*|TypesDB \"$LM_TYPESDB\" \"$LM_TMP/old-types.db\"|" "$LM_CONF"
lm_start 60
lm_wait_values lowmem-node0-Normal zone-free 60 || true
lm_stop
said=$(grep -c 'lowmem plugin: a TypesDB file defines the type "thread_cpu" otherwise' "$LM_LOG" || true)
lm_check "a TypesDB defining thread_cpu otherwise: said once ($said)" [ "$said" = 1 ]

lm_done
