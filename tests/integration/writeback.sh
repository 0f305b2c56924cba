#!/bin/bash
# Writeback on the real kernel: while collectd runs lowmem (SampleInterval
# 0.1, Interval 1), dd writes 1.5 GiB with conv=fsync to a file on a real
# block-device filesystem, inside a memory cgroup with a 512 MiB hard
# limit (the page cache it dirties is charged there, and the cgroup's
# reclaim wakes the flusher). The windows of the write must show
# lowmem-writeback/thread_cpu-flush-<device> above zero and the writeback
# memory rising; the device is the one stat(1) gives for the file's
# directory (a partition's writeback is its disk's).
#
# The same burst is a cgroup reclaim: the kernel counts it neither as
# kswapd's nor as global direct reclaim (pgscan_kswapd, pgscan_direct and
# allocstall count global reclaim only), so kswapd's share stays at zero;
# since 5.8 pgscan_file/pgscan_anon count every reclaim, a cgroup's too.
#
# On a busy machine other writers and other reclaim go on meanwhile. The
# probe (lib.sh) logs Dirty and Writeback from /proc/meminfo through the
# run: lowmem must show the rise where /proc/meminfo clearly showed it, and
# the check is skipped where others kept those values as high before. That
# kswapd stays idle is checked only where no global reclaim ran: kswapd's
# own CPU ticks and the global reclaim counters of /proc/vmstat did not
# move over the windows of the write.
#
# LOWMEM_WRITEBACK_DIR chooses the directory (default /var/tmp).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_setup

SIZE_MB=1536
CG_MB=512
DD_TIMEOUT=120
BASE_S=4 # seconds of samples before the write, for the baseline
RISE_MB=64 # how much higher the probe must see a value during the write
DIR=${LOWMEM_WRITEBACK_DIR:-/var/tmp}

# --- the device ---------------------------------------------------------------

[ -d "$DIR" ] || lm_skip "$DIR does not exist"
devt=$(stat -c '%Hd:%Ld' "$DIR")
[ "${devt%%:*}" != 0 ] || lm_skip "$DIR is not on a block device ($devt: tmpfs, NFS, overlay...)"
[ -e "/sys/dev/block/$devt" ] || lm_skip "no /sys/dev/block/$devt"
disk=$devt
if [ -f "/sys/dev/block/$devt/partition" ]; then
  disk=$(cat "/sys/dev/block/$devt/../dev")
fi
dev=$(awk -F= '$1 == "DEVNAME" { gsub("/", "_", $2); print $2 }' "/sys/dev/block/$disk/uevent")
[ -n "$dev" ] || dev=$disk
avail_mb=$(df -Pm "$DIR" | awk 'NR == 2 { print $4 }')
[ "$avail_mb" -ge $((SIZE_MB * 2)) ] || lm_skip "$DIR has $avail_mb MB free: not enough for $SIZE_MB MB"
echo "# $DIR on $devt, writeback of disk $disk ($dev)"

# The kernel's names show the device from 4.18 on (and in the flush
# threads of 2.6.32 to 3.9); in between there is nothing to assert.
kver=$(uname -r | awk -F. '{ printf "%d%03d", $1, $2 }')
named=yes
if [ "$kver" -ge 3010 ] && [ "$kver" -lt 4018 ]; then named=no; fi

# --- debugfs, for the per-device state -------------------------------------------

MOUNTED_DEBUGFS=
if [ ! -d /sys/kernel/debug/bdi ]; then
  if mount -t debugfs none /sys/kernel/debug 2>/dev/null; then
    MOUNTED_DEBUGFS=yes
    echo "# mounted debugfs for the test"
  fi
fi

# --- the memory cgroup (as dip.sh) -------------------------------------------------

lm_memcg lowmem-writeback $((CG_MB << 20))
CG=$LM_CG
CG_V=$LM_CG_VERSION

FILE=
lm_cleanup_hook() {
  [ -z "$FILE" ] || rm -f "$FILE"
  # Lazily: another collectd running lowmem may hold a stats file open.
  [ -z "$MOUNTED_DEBUGFS" ] || umount /sys/kernel/debug 2>/dev/null ||
    umount -l /sys/kernel/debug 2>/dev/null || true
}

# --- the run ---------------------------------------------------------------------

# A counter, summed over its per-zone names where the kernel has them
# (allocstall_normal, ... on 4.8+; pgscan_direct_normal, ... before).
vmstat_of() {
  awk -v k="$1" '$1 == k || index($1, k "_") == 1 && $1 ~ /_(dma|dma32|normal|high|movable|device)$/ { s += $2 }
                 END { printf "%.0f\n", s }' /proc/vmstat
}

# kswapd's CPU ticks (utime + stime) over every node's: kswapd runs for
# global reclaim only.
kswapd_ticks() {
  local p t=0 n
  for p in $(pgrep -x 'kswapd[0-9]+' || true); do
    n=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo 0)
    t=$((t + n))
  done
  echo "$t"
}

lm_probe_start Dirty Writeback
lm_conf writeback "  SampleInterval 0.1
  ThreadDiscoveryInterval 5"
lm_start 300
lm_wait_values lowmem-writeback thread_cpu-kswapd0 60 || true
sleep "$BASE_S"

FILE=$(mktemp "$DIR/lowmem-writeback.XXXXXX")
kswapd0=$(vmstat_of pgscan_kswapd)
direct0=$(vmstat_of pgscan_direct)
stall0=$(vmstat_of allocstall)
file0=$(vmstat_of pgscan_file)
ticks0=$(kswapd_ticks)
# The write starts just after a whole second, so that its first window
# begins after the counters above were read.
sleep "$(awk -v t="$(date +%s.%N)" 'BEGIN { printf "%.3f", int(t) + 1.05 - t }')"
start=$(date +%s.%N)
dd_rc=0
lm_memcg_exec "$DD_TIMEOUT" dd if=/dev/zero of="$FILE" bs=1M count="$SIZE_MB" conv=fsync \
  >"$LM_RUN/dd.out" 2>&1 || dd_rc=$?
end=$(date +%s.%N)
file_d=$(($(vmstat_of pgscan_file) - file0))
if [ "$CG_V" = 1 ]; then
  cg_hits=$(cat "$CG/memory.failcnt")
else
  cg_hits=$(awk '$1 == "max" { print $2 }' "$CG/memory.events")
fi
rm -f "$FILE"
FILE=
# Past the last window of the write (int(end) + 2) before global reclaim
# is read again.
sleep 3
kswapd_d=$(($(vmstat_of pgscan_kswapd) - kswapd0))
direct_d=$(($(vmstat_of pgscan_direct) - direct0))
stall_d=$(($(vmstat_of allocstall) - stall0))
ticks_d=$(($(kswapd_ticks) - ticks0))
lm_stop

echo "# dd: $(tail -n 1 "$LM_RUN/dd.out")"
echo "# over the write's windows, /proc/vmstat: pgscan_kswapd +$kswapd_d, pgscan_direct +$direct_d, allocstall +$stall_d; kswapd CPU +$ticks_d ticks; during dd pgscan_file +$file_d; cgroup limit hit $cg_hits times"
if [ "$dd_rc" = 124 ]; then
  lm_skip_check "dd did not write $SIZE_MB MiB within ${DD_TIMEOUT}s: the disk is that busy; the write's checks stand on what it wrote"
else
  lm_check "dd wrote $SIZE_MB MiB with conv=fsync in the cgroup (exit $dd_rc)" [ "$dd_rc" = 0 ]
fi
lm_check "collectd stopped cleanly on SIGTERM (exit $LM_RC)" [ "$LM_RC" = 0 ]
lm_check_log_clean

# Windows overlapping the write: [t-1, t) meets [start, end].
first=$(awk -v s="$start" 'BEGIN { printf "%d", int(s) + 1 }')
last=$(awk -v e="$end" 'BEGIN { printf "%d", int(e) + 2 }')
base_first=$((first - BASE_S))
during_max() { lm_csv_rows "$1" "$2" | awk -F, -v a="$first" -v b="$last" \
  '$1 >= a && $1 <= b { if (m == "" || $2 > m) m = $2 } END { print (m == "" ? -1 : m) }'; }
before_max() { lm_csv_rows "$1" "$2" | awk -F, -v a="$base_first" -v b="$((first - 1))" \
  '$1 >= a && $1 <= b { if (m == "" || $2 > m) m = $2 } END { print (m == "" ? -1 : m) }'; }
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }
echo "# windows of the write: $first..$last"

# --- who flushed, at what CPU ---------------------------------------------------

if [ "$named" = yes ]; then
  flush=$(during_max lowmem-writeback "thread_cpu-flush-$dev")
  lm_check "lowmem-writeback/thread_cpu-flush-$dev > 0 in the windows of the write (max $flush)" gt "$flush" 0
  # The flush is unbound workers' work: never more than all of theirs.
  over=$(join -t, <(lm_csv_rows lowmem-writeback "thread_cpu-flush-$dev") \
    <(lm_csv_rows lowmem-writeback thread_cpu-unbound_kworkers) |
    awk -F, '$2 > $3 + 1e-6 { print $1 ": " $2 " > " $3; exit }')
  lm_check "thread_cpu-flush-$dev <= thread_cpu-unbound_kworkers in every window${over:+ ($over)}" [ -z "$over" ]
else
  echo "# skip: thread_cpu-flush-$dev, kernel $(uname -r) does not name the device its workers flush"
fi
unbound=$(during_max lowmem-writeback thread_cpu-unbound_kworkers)
lm_check "lowmem-writeback/thread_cpu-unbound_kworkers is dispatched (max $unbound)" gt "$unbound" -1
for node in /sys/devices/system/node/node[0-9]*; do
  [ -d "$node" ] || continue
  n=${node##*node}
  lm_check "lowmem-writeback/thread_cpu-kswapd$n is dispatched" lm_csv_exists lowmem-writeback "thread_cpu-kswapd$n"
done

# --- writeback memory ---------------------------------------------------------------

# The same seconds in the probe's log: before the write [first - 1 -
# BASE_S, first - 1), during it [first - 1, last).
lm_probe_covers "$last" || true
rises() { # rises NAME N LOWMEM_ID: the rise of /proc/meminfo's value N, and lowmem's
  local name=$1 n=$2 id=$3 p0 p1 l0 l1
  p0=$(lm_probe_max $((base_first - 1)) $((first - 1)) "$n")
  p1=$(lm_probe_max $((first - 1)) "$last" "$n")
  l0=$(before_max lowmem "$id")
  l1=$(during_max lowmem "$id")
  if awk -v a="$p0" -v b="$p1" -v m="$RISE_MB" 'BEGIN { exit !(a >= 0 && b >= a + m * 1048576) }'; then
    lm_check "lowmem/$id rises during the write ($l0 -> $l1 bytes; /proc/meminfo $name $p0 -> $p1)" gt "$l1" "$l0"
  else
    lm_skip_check "lowmem/$id during the write ($l0 -> $l1 bytes): /proc/meminfo's $name went from $p0 to $p1, not ${RISE_MB} MiB higher (other writers)"
  fi
}
rises Dirty 1 system-dirty
rises Writeback 2 system-writeback

if [ -d /sys/kernel/debug/bdi ]; then
  bwb=$(during_max lowmem-writeback "bdi-writeback-$dev")
  brec=$(during_max lowmem-writeback "bdi-reclaimable-$dev")
  bth=$(during_max lowmem-writeback "bdi-dirty_threshold-$dev")
  lm_check "lowmem-writeback/bdi-writeback-$dev or -reclaimable-$dev > 0 during the write ($bwb, $brec)" \
    eval 'gt "$bwb" 0 || gt "$brec" 0'
  lm_check "lowmem-writeback/bdi-dirty_threshold-$dev is dispatched ($bth)" gt "$bth" 0
else
  echo "# skip: per-device state, debugfs could not be mounted"
fi

# --- cgroup reclaim is not kswapd's ------------------------------------------------------

lm_check "the write hit the cgroup's limit ($cg_hits times): cgroup reclaim ran" [ "${cg_hits:-0}" -gt 0 ]
if grep -q '^pgscan_file ' /proc/vmstat; then
  lm_check "pgscan_file (5.8+, counts every reclaim) rose (+$file_d)" [ "$file_d" -gt 0 ]
fi
# The cgroup's reclaim is neither kswapd's nor global direct reclaim: where
# nothing else reclaimed globally meanwhile (kswapd's ticks and the global
# counters still), lowmem must show kswapd idle through the write.
avail_kb=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo)
ks=$(during_max lowmem-writeback thread_cpu-kswapd0)
if [ "$avail_kb" -le $((4 << 20)) ]; then
  lm_skip_check "thread_cpu-kswapd0 during the write ($ks): MemAvailable $((avail_kb >> 10)) MB, global reclaim may run"
elif [ "$ticks_d" != 0 ] || [ "$kswapd_d" != 0 ] || [ "$direct_d" != 0 ] || [ "$stall_d" != 0 ]; then
  lm_skip_check "thread_cpu-kswapd0 during the write ($ks): global reclaim ran meanwhile (kswapd +$ticks_d ticks, pgscan_kswapd +$kswapd_d, pgscan_direct +$direct_d, allocstall +$stall_d)"
else
  lm_check "lowmem-writeback/thread_cpu-kswapd0 stays 0 during the write, kswapd's ticks and global reclaim still ($ks)" lm_num_eq "$ks" 0
fi

# --- debugfs missing: said once, the rest goes on ---------------------------------

lm_conf nodebugfs "  SampleInterval 0.1
  SysPath \"$LM_TMP\""
lm_start 120
# Two windows written: lowmem has looked for debugfs by then.
lm_wait_values lowmem-writeback thread_cpu-kswapd0 60 2 || true
lm_stop
n=$(lm_log_count 'kernel/debug/bdi is not there.*mount -t debugfs none /sys/kernel/debug')
lm_check "no debugfs under SysPath: said once in the log ($n)" [ "$n" = 1 ]
lm_check "no debugfs under SysPath: thread_cpu-kswapd0 still dispatched" lm_csv_exists lowmem-writeback thread_cpu-kswapd0
lm_check_log_clean

# --- the keys: a wrong value stops collectd at start; Threads false -----------------

refused() {
  local name=$1 key=$2 body=$3
  lm_conf "$name" "$body"
  lm_start 60
  if ! lm_wait_exit 30; then
    lm_not_ok "$name: collectd stops at start (still running)"
    lm_stop
    return 0
  fi
  lm_check "$name: collectd exits non-zero ($LM_RC)" [ "$LM_RC" -ne 0 -a "$LM_RC" -ne 124 ]
  lm_check "$name: the log says what $key takes" grep -q "lowmem plugin: $key takes" "$LM_LOG"
}
refused discovery-zero ThreadDiscoveryInterval '  ThreadDiscoveryInterval 0'
refused bdi-interval-long BdiStatsInterval '  BdiStatsInterval 7200'
refused threads-string Threads '  Threads "yes"'
refused syspath-number SysPath '  SysPath 1'

lm_conf off "  SampleInterval 0.1
  Threads false"
lm_start 120
# Two windows written: the threads' values would be there by then.
lm_wait_values lowmem system-free 60 2 || true
lm_stop
lm_check "Threads false: nothing under lowmem-writeback" [ ! -d "$(lm_csv_dir lowmem-writeback)" ]
lm_check "Threads false: the rest is dispatched" lm_csv_exists lowmem system-free
lm_check_log_clean

lm_done
