#!/bin/bash
# How lowmem meets a bad configuration in the real collectd 5.12.
#
# A complex-config callback that fails makes collectd stop at start
# ("Error: Parsing the config file failed!", exit status 1): lowmem's key
# checks run there, so each bad key must stop collectd within seconds with
# a "lowmem plugin: " line naming the key. That includes a SampleInterval
# longer than the plugin's Interval, which collectd already knows when it
# reads the <Plugin lowmem> block.
# A ProcPath without the files is no configuration error: collectd runs,
# lowmem warns once per source, and says so again when a file comes back.
#
# "At start" is what is checked, not how fast this machine starts a
# process: the bound on the exit is generous, and the later checks wait
# for the state they look at.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_setup memory

EXIT_S=30 # collectd refusing its configuration exits within this

# check_refused NAME KEY BODY: collectd must exit non-zero at start,
# logging a lowmem line that names KEY.
check_refused() {
  local name=$1 key=$2 body=$3
  echo "# $name: $(echo "$body" | tr -s ' ' | tr '\n' ' ')"
  lm_conf "$name" "$body" memory
  local t0=$SECONDS
  lm_start $((EXIT_S + 30))
  if ! lm_wait_exit "$EXIT_S"; then
    lm_not_ok "$name: collectd exits within $EXIT_S s (still running)"
    lm_stop
    return 0
  fi
  local took=$((SECONDS - t0))
  lm_check "$name: collectd exits non-zero ($LM_RC) within $EXIT_S s (${took}s)" \
    [ "$LM_RC" -ne 0 -a "$LM_RC" -ne 124 ]
  lm_check "$name: collectd says the configuration failed" \
    grep -q 'Parsing the config file failed' "$LM_RUN/stdout"
  local line
  line=$(grep -F 'lowmem plugin: ' "$LM_LOG" | grep -F -- "$key" | head -n 1 || true)
  lm_check "$name: log has a lowmem line naming $key: ${line#*lowmem plugin: }" [ -n "$line" ]
  lm_check "$name: no lowmem values written" [ ! -d "$(lm_csv_dir lowmem)" ]
}

check_refused unknown-key Bogus '  Bogus 1'
check_refused negative-interval SampleInterval '  SampleInterval -1'
check_refused order-too-big Orders '  Orders 99'
check_refused order-twice Orders '  Orders 1 1'
check_refused bad-check WatermarkCheck '  WatermarkCheck "sometimes"'
check_refused topn-string SlabTopN '  SlabTopN "x"'

check_refused slow-sampling SampleInterval '  SampleInterval 5'

# --- an empty ProcPath: one warning per source, then recovery -------------------------

echo "# empty-proc: ProcPath is an empty directory, files appear later"
empty=$LM_TMP/empty-proc
mkdir -p "$empty"
lm_conf empty-proc "  ProcPath \"$empty\"
  SampleInterval 0.1" memory
lm_start 180
lm_wait_values memory memory-used 60 || true
# Four seconds at least of lowmem failing to read its files, 40 samples.
sleep 4
lm_check "empty-proc: collectd keeps running" lm_running

sources="zoneinfo buddyinfo slabinfo meminfo vmstat pressure/memory pagetypeinfo"
for s in $sources; do
  n=$(grep -c -F "lowmem plugin: cannot use $empty/$s " "$LM_LOG" || true)
  lm_check "empty-proc: one warning about $s in 4 s at 10 Hz ($n)" [ "$n" = 1 ]
done
n=$(lm_log_count '\[warning\] lowmem plugin')
lm_check "empty-proc: 7 lowmem warnings in all, one per source ($n)" [ "$n" = 7 ]
lm_check "empty-proc: no lowmem values without files" [ ! -d "$(lm_csv_dir lowmem)" ]
# Three rows, one a second: waited for, a busy machine may be slower.
lm_wait_values memory memory-used 30 3 || true
rows=$(lm_csv_rows memory memory-used | wc -l)
lm_check "empty-proc: the memory plugin writes on ($rows CSV rows)" [ "$rows" -ge 3 ]
lm_check "empty-proc: the memory plugin's RRD exists" [ -f "$(lm_rrd_file memory memory-used)" ]

# The files come (renamed into place whole, so no tick reads half a file):
# lowmem says so once per source and its values start.
live=$top_srcdir/tests/fixtures/live-6.18-x86_64/proc
mkdir -p "$empty/pressure" "$empty/sys/kernel"
for s in $sources; do
  cp "$live/$s" "$empty/$s.tmp"
  mv "$empty/$s.tmp" "$empty/$s"
done
lm_wait_values lowmem system-free 60 || true
# Each source is read again at its own interval (pagetypeinfo every 10 s):
# wait for every notice, then a little for any second one.
all_read_again() {
  local s
  for s in $sources; do
    grep -q -F "lowmem plugin: $empty/$s can be read again" "$LM_LOG" || return 1
  done
}
lm_wait_for 60 all_read_again || true
sleep 2
lm_check "empty-proc: collectd still running" lm_running
lm_stop
for s in $sources; do
  n=$(grep -c -F "lowmem plugin: $empty/$s can be read again" "$LM_LOG" || true)
  lm_check "empty-proc: one notice that $s can be read again ($n)" [ "$n" = 1 ]
done
free_kb=$(awk '$1 == "MemFree:" { print $2 }' "$live/meminfo")
lm_csv_is lowmem system-free $((free_kb * 1024)) "values start once the files exist"
lm_check_log_clean

lm_done
