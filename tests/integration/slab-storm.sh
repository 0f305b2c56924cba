#!/bin/bash
# A dentry storm seen at once with slabinfo read rarely: lowmem reads
# /proc/slabinfo every SlabinfoInterval (60 s here, so that no periodic read
# can fall in the storm) and sooner when meminfo's slab totals, read at
# every sample, move by more than SlabinfoChange percent. A bounded loop
# inside a memory cgroup with a hard limit looks up STORM names that do
# not exist in a directory of its own: each leaves a negative dentry, as
# the incident's `rm` walking a tree left dentries and inodes.
#
# The oracle is /proc/slabinfo read here just before and just after the
# storm. The dentry cache's series (SlabCache "dentry") must show at least
# half of the growth in a value stamped at most two windows after the
# storm ended. Skipped, with the reason, when the kernel did not grow the
# cache by GROW_MB, when that growth is under the trigger's share of the
# slab, or when the probe (lib.sh) saw the machine hold a 10 Hz sampler up
# through the storm.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_setup

STORM=400000   # names looked up: about 75 MiB of dentries
GROW_MB=32     # least growth of the dentry cache for the check to mean much
CHANGE=1       # SlabinfoChange, percent
LATE_S=0.5     # the probe's latest wakeup that leaves lowmem time to react

command -v perl >/dev/null || lm_skip "no perl for the lookup loop"
avail_kb=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo)
[ "$avail_kb" -ge $((1024 * 1024)) ] ||
  lm_skip "MemAvailable $((avail_kb / 1024)) MB: under 1 GiB"

lm_memcg lowmem-storm $((512 << 20))
storm_dir=$LM_TMP/storm
mkdir "$storm_dir"
# The dentries go with their directory (lm_cleanup removes LM_TMP).
lm_cleanup_hook() { rm -rf "$storm_dir"; }

# dentry cache bytes, from the kernel (lib.sh's awk over slabinfo).
dentry_bytes() {
  lm_awk_slab_top /proc/slabinfo | awk '$1 == "dentry" { print $2 }'
}
slab_kb() {
  awk '$1 == "SReclaimable:" || $1 == "SUnreclaim:" { s += $2 } END { print s }' /proc/meminfo
}
[ -n "$(dentry_bytes)" ] || lm_skip "no dentry cache in /proc/slabinfo"

lm_conf storm "  SampleInterval 0.1
  SlabinfoInterval 60
  SlabinfoChange $CHANGE
  SlabCache \"dentry\"
  Threads false
  Apache false"
lm_probe_start
lm_start 120
lm_check "storm: dentry values are written within 30 s" \
  lm_wait_values lowmem-slab bytes-dentry 30
# Two windows more: the slabinfo read at start is behind us.
sleep 2

b0=$(dentry_bytes)
k0=$(slab_kb)
t0=$(date +%s.%N)
# shellcheck disable=SC2016 # perl's own variables
lm_memcg_exec 60 perl -e '
  my ($dir, $n) = @ARGV;
  for my $i (1 .. $n) { stat("$dir/missing-$i") }
' "$storm_dir" "$STORM"
t1=$(date +%s.%N)
b1=$(dentry_bytes)
k1=$(slab_kb)
grew=$((b1 - b0))
echo "# storm: $STORM lookups in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s; dentry $b0 -> $b1 bytes; slab $k0 -> $k1 kB"

# Two windows after the storm, and the probe's account of them.
until_t=$(awk -v t="$t1" 'BEGIN { printf "%.3f", t + 2 }')
stamped_after() {
  lm_csv_rows lowmem-slab bytes-dentry | awk -F, -v t="$until_t" '$1 >= t { f = 1 } END { exit !f }'
}
lm_wait_for 15 stamped_after || true
read -r worst _ <<<"$(lm_probe_late "$t0" "$until_t")"

if [ "$grew" -lt $((GROW_MB << 20)) ]; then
  lm_skip_check "storm: the dentry cache grew by $grew bytes, under $GROW_MB MiB"
elif ! awk -v d="$((k1 - k0))" -v k="$k0" -v c="$CHANGE" 'BEGIN { if (d < 0) d = -d; exit !(d > k * c / 100 && d > 1024) }'; then
  lm_skip_check "storm: slab moved $((k1 - k0)) kB of $k0 kB, under the ${CHANGE}% trigger"
elif awk -v w="$worst" -v l="$LATE_S" 'BEGIN { exit !(w > l) }'; then
  lm_skip_check "storm: the machine held a 10 Hz sampler up ${worst} s in the storm"
else
  want=$((b0 + grew / 2))
  seen=$(lm_csv_rows lowmem-slab bytes-dentry |
    awk -F, -v a="$t0" -v b="$until_t" '$1 > a && $1 <= b + 1 && $2 > m { m = $2 } END { printf "%.0f", m }')
  # Stamped at a window's end: b + 1 is the end of the second window after.
  lm_check "storm: dentry bytes reach $want (half the kernel's growth) within two windows of the storm's end, with slabinfo every 60 s (seen $seen)" \
    awk -v s="$seen" -v w="$want" 'BEGIN { exit !(s >= w) }'
fi
lm_stop
lm_check "storm: collectd exits cleanly ($LM_RC)" [ "$LM_RC" = 0 ]
lm_check_log_clean
lm_done
