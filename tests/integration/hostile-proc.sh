#!/bin/bash
# lowmem in the real collectd, where ProcPath holds what no kernel writes,
# where the configuration is wrong, and at the edges of its windows.
#
# 1. A ProcPath tree whose zoneinfo and sys/kernel/osrelease are FIFOs
#    (opening one waits for a writer), buddyinfo a symlink to /dev/zero,
#    vmstat a 1 GiB file, pressure/memory a directory, and slabinfo lists
#    10,500 caches (21,000 series, past the 20,000 lowmem holds): collectd
#    starts, says once per file what it is and once that series were
#    refused, dispatches the other sources, and stops on SIGTERM within
#    seconds.
# 2. Each wrong value stops collectd at start with its "lowmem plugin: "
#    line; an empty block written for an option is the option (it cannot
#    be told apart; src/collectd/option.h).
# 3. `collectd -T` (one read of every plugin, then exit) writes lowmem's
#    values.
# 4. The window open at SIGTERM is dispatched: the CSV and the RRD file
#    have the second the last sample was taken in, stamped at its end.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_setup

live=$top_srcdir/tests/fixtures/live-6.18-x86_64/proc

# stop_within SECONDS: SIGTERM to collectd; true when it ended within
# SECONDS. Killed otherwise, so the test goes on.
stop_within() {
  local seconds=$1
  if lm_running; then kill -TERM "$LM_CPID" 2>/dev/null || true; fi
  if lm_wait_exit "$seconds"; then return 0; fi
  if lm_running; then kill -KILL "$LM_CPID" 2>/dev/null || true; fi
  lm_stop_quiet
  return 1
}

# wait_for SECONDS COMMAND...: true when COMMAND succeeds within SECONDS
# (tried every 0.1 s) while collectd runs.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  while [ $SECONDS -lt "$deadline" ]; do
    if "$@"; then return 0; fi
    lm_running || return 1
    sleep 0.1
  done
  return 1
}

meminfo_bytes() {
  awk -v k="$1:" '$1 == k { printf "%.0f", $2 * 1024 }' "$live/meminfo"
}

# --- 1. what is not a kernel file ----------------------------------------------------

echo "# hostile tree: FIFOs, a device, a huge file, a directory, 10,500 caches"
tree=$LM_TMP/hostile-proc
mkdir -p "$tree/sys/kernel"
ln -s "$live/meminfo" "$tree/meminfo" # a symlink to a kernel file is fine
awk 'BEGIN { print "slabinfo - version: 2.1"
             print "# name <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>"
             for (c = 0; c < 10500; c++)
               printf "cache%05d %d 64 64 64 1 : tunables 0 0 0 : slabdata 1 %d 0\n", c, c % 64, 1 + c % 7 }' \
  >"$tree/slabinfo"
mkfifo "$tree/zoneinfo" "$tree/sys/kernel/osrelease"
ln -s /dev/zero "$tree/buddyinfo"
truncate -s 1G "$tree/vmstat"
mkdir -p "$tree/pressure/memory"

lm_conf hostile "  ProcPath \"$tree\"
  SampleInterval 0.1
  SlabTopN 3
  Threads false
  Apache false"
t0=$SECONDS
lm_start 60
lm_check "hostile: lowmem starts within 10 s (the osrelease FIFO does not hold its init)" \
  wait_for 10 grep -q 'lowmem plugin: sampling' "$LM_LOG"
lm_check "hostile: meminfo values are written within 10 s" \
  wait_for 10 lm_csv_exists lowmem system-free
sleep 3
lm_check "hostile: collectd still runs" lm_running
t1=$SECONDS
if stop_within 5; then
  lm_ok "hostile: collectd stops on SIGTERM within 5 s ($((SECONDS - t1)) s, exit $LM_RC)"
else
  lm_not_ok "hostile: collectd stops on SIGTERM within 5 s (killed)"
fi
echo "# hostile: ran $((SECONDS - t0)) s"

said_once() {
  local what=$1 pattern=$2 n
  n=$(grep -c -E -- "$pattern" "$LM_LOG" || true)
  lm_check "hostile: said once that $what ($n)" [ "$n" = 1 ]
}
said_once "zoneinfo is a FIFO" "lowmem plugin: $tree/zoneinfo is a FIFO, not a kernel file: check ProcPath"
said_once "osrelease is a FIFO" "lowmem plugin: the kernel's release cannot be read from $tree/sys/kernel/osrelease \(it is a FIFO, not a kernel file\)"
said_once "buddyinfo is a device" "lowmem plugin: $tree/buddyinfo is a character device, not a kernel file: check ProcPath"
said_once "vmstat is too big" "lowmem plugin: $tree/vmstat holds 262144 bytes or more, more than the kernel writes there"
said_once "pressure/memory is a directory" "lowmem plugin: $tree/pressure/memory is a directory, not a kernel file"
n=$(grep -c 'too many series' "$LM_LOG" || true)
lm_check "hostile: 10,500 caches refuse no series (a pool of SlabTopN) ($n)" [ "$n" = 0 ]
n=$(grep -c 'lowmem plugin:' "$LM_LOG" || true)
lm_check "hostile: no more than a dozen lowmem lines in the log ($n)" [ "$n" -le 12 ]

lm_csv_is lowmem system-free "$(meminfo_bytes MemFree)" "meminfo read through a symlink"
n=$(lm_csv_instances lowmem-slab bytes | wc -l)
lm_check "hostile: the top 3 of the slab caches lowmem holds are dispatched ($n)" [ "$n" = 3 ]
lm_csv_absent lowmem-node0-Normal zone-free "zoneinfo is a FIFO"
lm_csv_absent lowmem-node0-Normal freepages-order0 "buddyinfo is a device"
lm_check "hostile: no vmstat counters (the file is refused)" \
  [ -z "$(lm_csv_instances lowmem vmpage_action)" ]
lm_check "hostile: the 1 GiB file was not kept in memory (no line about memory)" \
  [ "$(grep -c 'out of memory' "$LM_LOG" || true)" = 0 ]

# --- 2. wrong configuration values -----------------------------------------------------

# check_refused NAME PATTERN BODY: collectd exits non-zero within 10 s,
# with a lowmem line matching PATTERN (grep -E), and writes no lowmem
# value.
check_refused() {
  local name=$1 pattern=$2 body=$3
  lm_conf "$name" "$body"
  lm_start 30
  if ! lm_wait_exit 10; then
    lm_not_ok "$name: collectd exits within 10 s (still running)"
    stop_within 5 || true
    return 0
  fi
  lm_check "$name: collectd exits non-zero ($LM_RC)" [ "$LM_RC" -ne 0 -a "$LM_RC" -ne 124 ]
  local line
  line=$(grep -E -- "lowmem plugin: .*$pattern" "$LM_LOG" | head -n 1 || true)
  lm_check "$name: the log says ${line#*lowmem plugin: }" [ -n "$line" ]
  lm_check "$name: no lowmem values written" [ ! -d "$(lm_csv_dir lowmem)" ]
}

long=$(head -c 10000 /dev/zero | tr '\0' x)
check_refused proc-path-empty 'ProcPath is empty: .*e\.g\. ProcPath "/proc"' \
  '  ProcPath ""'
check_refused slab-cache-empty 'SlabCache is empty: .*e\.g\. SlabCache "dentry"' \
  '  SlabCache ""'
check_refused slab-cache-long 'SlabCache "x{40}\.\.\." is 10000 characters long; it takes at most 127' \
  "  SlabCache \"$long\""
check_refused slab-cache-blank 'SlabCache "dentry cache": slab cache names have no blanks' \
  '  SlabCache "dentry cache"'
check_refused orders-63 'Orders: each order is a whole number from 0 to [0-9]+ \(the kernel has none larger\)' \
  '  Orders 0 63'
check_refused block-with-option 'SampleInterval is an option, not a block' \
  '  <SampleInterval 0.5>
    Orders 1
  </SampleInterval>'
check_refused sys-path-empty 'SysPath is empty: .*e\.g\. SysPath "/sys"' \
  '  SysPath ""'
check_refused process-name-empty 'ProcessName takes process names in quotes' \
  '  ProcessName ""'
check_refused connections-interval 'ConnectionsInterval takes one number of seconds from 0.01 to 3600, e\.g\. ConnectionsInterval 1\.' \
  '  ConnectionsInterval 0'
check_refused discovery-interval 'ProcessDiscoveryInterval takes one number of seconds from 0.1 to 86400, e\.g\. ProcessDiscoveryInterval 10\.' \
  '  ProcessDiscoveryInterval "often"'

# An empty block written for an option reaches lowmem as the option: it
# is taken, with its value.
lm_conf empty-block "  ProcPath \"$live\"
  <SampleInterval 0.5>
  </SampleInterval>
  Threads false
  Apache false"
lm_start 30
lm_check "empty block: taken as SampleInterval 0.5" \
  wait_for 10 grep -q 'lowmem plugin: sampling .* every 0.500 s' "$LM_LOG"
stop_within 5 || true

# --- 3. collectd -T ---------------------------------------------------------------------

echo "# test mode: collectd -T, one read"
lm_conf test-mode "  ProcPath \"$live\"
  SampleInterval 0.1
  Threads false
  Apache false"
rc=0
timeout -k 5 30 "$COLLECTD" -T -C "$LM_CONF" >"$LM_RUN/stdout" 2>&1 || rc=$?
lm_check "test mode: collectd -T exits 0 ($rc)" [ "$rc" = 0 ]
lm_csv_is lowmem system-free "$(meminfo_bytes MemFree)" "collectd -T"
lm_check "test mode: zone values too" lm_csv_exists lowmem-node0-Normal headroom-order0
lm_check "test mode: collectd dropped no value list" \
  [ "$(cat "$LM_LOG" "$LM_RUN/stdout" | grep -c 'left after shutting down the write threads' || true)" = 0 ]

# --- 4. the last window ----------------------------------------------------------------

echo "# last window: SIGTERM in the middle of a second"
lm_conf last-window "  ProcPath \"$live\"
  SampleInterval 0.1
  Threads false
  Apache false"
lm_start 60
lm_check "last window: values written within 10 s" wait_for 10 lm_csv_exists lowmem system-free
sleep 2
# SIGTERM between .40 and .60 of a second, so that the last sample (at
# most 0.1 s before, a few ms after) is of that second.
for _ in $(seq 40); do
  frac=$(date +%N | cut -c1-2)
  [ "$((10#$frac))" -ge 40 ] && [ "$((10#$frac))" -lt 60 ] && break
  sleep 0.05
done
term_at=$(date +%s)
if stop_within 5; then
  lm_ok "last window: collectd stops within 5 s (exit $LM_RC)"
else
  lm_not_ok "last window: collectd stops within 5 s (killed)"
fi
last=$(lm_csv_rows lowmem system-free | tail -n 1 | cut -d, -f1)
last=${last%%.*}
lm_check "last window: the last CSV row is stamped $((term_at + 1)), the end of the second of SIGTERM ($last)" \
  [ "${last:-0}" = "$((term_at + 1))" ]
rrd=$(lm_rrd_file lowmem system-free)
lm_check "last window: the RRD file was updated at $((term_at + 1)) too" \
  [ "$(lm_rrd_last_update "$rrd")" = "$((term_at + 1))" ]
lm_check "last window: collectd dropped no value list" \
  [ "$(grep -c 'left after shutting down the write threads' "$LM_LOG" || true)" = 0 ]
stamps=$(lm_csv_rows lowmem system-free | cut -d, -f1 | cut -d. -f1)
lm_check "last window: stamps one second apart, none twice" \
  [ "$(echo "$stamps" | awk 'NR > 1 && $1 != p + 1 { bad = 1 } { p = $1 } END { print bad + 0 }')" = 0 ]
lm_check_log_clean

lm_done
