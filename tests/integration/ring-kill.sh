#!/bin/bash
# The ring outlives collectd: collectd runs lowmem on this machine at 10
# samples a second and is killed with SIGKILL in the middle of its run (no
# shutdown, nothing flushed). lowmem-dump must read the ring it left, and
# the newest sample there must be no older than two sample intervals
# before the kill. The next collectd keeps that ring aside as
# lowmem.ring.prev and says it was not closed; one stopped with SIGTERM
# leaves its ring marked clean.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_setup
command -v jq >/dev/null || lm_skip "jq not found (scripts/install-deps.sh installs it)"

DUMP=$top_builddir/tools/lowmem-dump
if [ ! -x "$DUMP" ]; then
  lm_not_ok "$DUMP is built (make builds it)"
  lm_done
fi
INTERVAL=0.1
RUN_S=4

lm_conf ring "  SampleInterval $INTERVAL
  RecordSeconds 30
  RecordAfterSeconds 5"
RING=$LM_RUN/lowmem/lowmem.ring

lm_start 60
for _ in $(seq 100); do
  lm_csv_exists lowmem memory-free && break
  lm_running || break
  sleep 0.1
done
sleep "$RUN_S"
lm_check "collectd is running before the kill" lm_running
pid=$LM_CPID
echo "# SIGKILL to collectd: the shell's \"Killed\" report below is expected"
killed_at=$(date +%s.%N)
kill -KILL "$pid"
lm_wait_exit 10 || true
echo "# collectd $pid killed at $killed_at (exit $LM_RC)"
lm_check "collectd is gone" [ ! -d "/proc/$pid" ]
lm_check "the ring file $RING exists" [ -f "$RING" ]

out=$LM_RUN/dump.json
rc=0
"$DUMP" "$RING" >"$out" 2>"$LM_RUN/dump.err" || rc=$?
lm_check "lowmem-dump reads it (exit $rc)" [ "$rc" = 0 ]
is_json() { jq -e . "$1" >/dev/null; }
lm_check "its output is JSON" is_json "$out"
newest=$(jq '.samples[-1].time' "$out")
n=$(jq '.samples | length' "$out")
age=$(awk -v k="$killed_at" -v t="$newest" 'BEGIN { printf "%.3f", k - t }')
echo "# $n samples; newest at $newest, $age s before the kill"
lm_check "the newest sample is at most 2 x $INTERVAL s before the kill ($age s)" \
  awk -v a="$age" -v i="$INTERVAL" 'BEGIN { exit !(a <= 2 * i && a > -1) }'
lm_check "it holds the run's samples ($n, about $RUN_S s at $INTERVAL s)" \
  [ "$n" -ge $((RUN_S * 8)) ]
lm_check "source lowmem-dump, ring not closed, writer pid $pid" \
  [ "$(jq -r '[.source, .ring.clean, .ring.writer_pid] | map(tostring) | join(" ")' "$out")" = "lowmem-dump false $pid" ]
lm_check "samples in order, with this machine's zones" \
  [ "$(jq '[.samples[].seq] == ([.samples[].seq] | sort) and ([.samples[-1].zones[].zone] | index("node0-Normal") != null)' "$out")" = true ]
# MemFree in the newest sample against /proc/meminfo now: same machine,
# same order of magnitude (the run allocated nothing).
memfree=$(jq '.samples[-1].meminfo.MemFree' "$out")
now_free=$(awk '$1 == "MemFree:" { print $2 * 1024 }' /proc/meminfo)
lm_check "MemFree in the ring ($memfree) is within 2x of now ($now_free)" \
  awk -v a="$memfree" -v b="$now_free" 'BEGIN { exit !(a > b / 2 && a < b * 2) }'

# The command line.
"$DUMP" -s 1 -o "$LM_RUN/last.json" "$RING"
n1=$(jq '.samples | length' "$LM_RUN/last.json")
lm_check "lowmem-dump -s 1 keeps the last second ($n1 samples)" [ "$n1" -ge 8 -a "$n1" -le 12 ]
lm_check "lowmem-dump -o writes mode 0640" [ "$(stat -c %a "$LM_RUN/last.json")" = 640 ]
rc=0
"$DUMP" /etc/hostname >/dev/null 2>&1 || rc=$?
lm_check "lowmem-dump of a file that is no ring: exit 1 ($rc)" [ "$rc" = 1 ]
rc=0
"$DUMP" >/dev/null 2>&1 || rc=$?
lm_check "lowmem-dump without a file: exit 2 ($rc)" [ "$rc" = 2 ]

# --- the next run ----------------------------------------------------------------------

lm_start 60
for _ in $(seq 50); do
  grep -q 'lowmem plugin: the ring of the previous run' "$LM_LOG" && break
  sleep 0.1
done
lm_check "the next collectd says the previous ring was not closed" \
  grep -q 'lowmem plugin: the ring of the previous run is kept as .*lowmem.ring.prev and it was not closed' "$LM_LOG"
lm_check "lowmem.ring.prev is the killed run's ring" \
  [ "$("$DUMP" "$RING.prev" | jq .ring.writer_pid)" = "$pid" ]
sleep 2
lm_stop
lm_check "collectd stopped cleanly (exit $LM_RC)" [ "$LM_RC" = 0 ]
lm_check "a ring stopped with SIGTERM is marked clean" \
  [ "$("$DUMP" "$RING" | jq .ring.clean)" = true ]

lm_done
