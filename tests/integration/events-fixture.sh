#!/bin/bash
# Events in the real collectd, deterministically: lowmem reads the
# incident's fixture tree (ProcPath) and follows a kernel log file
# (KernelLog) to which the incident's own kern.log lines are appended,
# with the shipped thresholds (collectd.conf.d/lowmem-thresholds.conf)
# included. What must reach collectd's log (the logfile plugin logs every
# notification):
#   - the threshold plugin's FAILURE on lowmem-node0-Normal/headroom-
#     order1 (-469 pages on that tree) and on zone_share-slab;
#   - lowmem's own headroom notifications (Normal order 1 FAILURE, DMA
#     order 0 WARNING);
#   - one OOM notification per kill in the excerpt (portmap 2190, then
#     rpc.statd 2196 for apache2 31143's order-1 fork), none for the
#     malformed lines appended after them;
# and an incident file under RecordDir's default (lowmem, in collectd's
# BaseDir) that jq can read, with the kills and the fixture's samples.
# OOMScoreAdj sets collectd's own oom_score_adj. Then wrong values of the
# events' keys stop collectd at start.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_setup threshold
command -v jq >/dev/null || lm_skip "jq not found (scripts/install-deps.sh installs it)"
is_json() { jq -e . "$1" >/dev/null; }

TREE=$top_srcdir/tests/fixtures/incident-2.6.39-i686
KMSG=$top_srcdir/tests/fixtures/kmsg
THRESHOLDS=$top_srcdir/collectd.conf.d/lowmem-thresholds.conf
PAGE=4096

lm_conf events "  ProcPath \"$TREE/proc\"
  SampleInterval 0.1
  Orders 0 1
  KernelLog \"$LM_TMP/events-kern.log\"
  NotifyPersistence 0.5
  RecordSeconds 3
  RecordAfterSeconds 2
  OOMScoreAdj 300"
echo "Include \"$THRESHOLDS\"" >>"$LM_CONF"
: >"$LM_TMP/events-kern.log"

# notifications PATTERN: count of notification lines matching PATTERN.
notifications() {
  grep -F 'Notification: ' "$LM_LOG" 2>/dev/null | grep -c -E -- "$1" || true
}

# The fixture makes every event certain; only how soon it comes depends on
# the machine, so each is waited for with a generous bound (the wait ends
# as soon as it is there).
wait_for() { # wait_for SECONDS COMMAND...: until COMMAND succeeds
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ $SECONDS -lt "$deadline" ] || return 1
    lm_running || return 1
    sleep 0.2
  done
}

has_notification() { [ "$(notifications "$1")" -gt 0 ]; }

lm_start 400
wait_for 60 lm_csv_exists lowmem-node0-Normal headroom-order1 ||
  lm_not_ok "lowmem dispatches headroom within 60 s"

# Raised, not lowered: lowering takes CAP_SYS_RESOURCE, which a test
# machine's root may lack (this one's does).
lm_check "OOMScoreAdj 300: collectd's /proc/PID/oom_score_adj" \
  [ "$(cat "/proc/$LM_CPID/oom_score_adj" 2>/dev/null)" = 300 ]

# --- thresholds and headroom -------------------------------------------------------------

TH_NORMAL='severity = FAILURE.*plugin = lowmem, plugin_instance = node0-Normal, type = headroom, type_instance = order1, message = .*failure threshold'
lm_check "threshold plugin: FAILURE on lowmem-node0-Normal/headroom-order1" \
  wait_for 30 has_notification "$TH_NORMAL"
line=$(grep -E "$TH_NORMAL" "$LM_LOG" | head -n 1)
lm_check "  ... whose value is -469 pages = $((-469 * PAGE)) bytes" \
  grep -q -- "is currently $((-469 * PAGE))" <<<"$line"
lm_check "threshold plugin: FAILURE on lowmem/system_share-slab (Slab 677180 kB of LowTotal 714676 kB = 94.8%)" \
  wait_for 30 has_notification 'severity = FAILURE.*plugin = lowmem, type = system_share, type_instance = slab,'
lm_check "threshold plugin: FAILURE on lowmem-node0-Normal/zone_share-slab (169015 of 179830 pages)" \
  wait_for 30 has_notification 'severity = FAILURE.*plugin_instance = node0-Normal, type = zone_share, type_instance = slab,'
lm_check "threshold plugin: node0-Normal order 0 (+341 pages = 1.3 MiB) is a WARNING (under 4 MiB)" \
  wait_for 30 has_notification 'severity = WARNING.*plugin_instance = node0-Normal, type = headroom, type_instance = order0, message = .*warning threshold'

lm_check "lowmem: FAILURE for node0-Normal order 1, in its words" \
  wait_for 30 has_notification 'severity = FAILURE.*plugin = lowmem, plugin_instance = node0-Normal, type = headroom, type_instance = order1, message = node0-Normal order-1 headroom -1.8 MiB at the min watermark'
lm_check "lowmem: WARNING for node0-DMA order 0 (1 page above min, 4 below low)" \
  wait_for 30 has_notification 'severity = WARNING.*plugin_instance = node0-DMA, type = headroom, type_instance = order0, message = node0-DMA order-0 headroom -16.0 KiB at the low watermark'
lm_check "lowmem: nothing for HighMem's headroom (146 MB free)" \
  [ "$(notifications 'plugin = lowmem, plugin_instance = node0-HighMem, type = headroom')" = 0 ]

# --- the kernel log ----------------------------------------------------------------------

cat "$KMSG/incident-2.6.39.log" >>"$LM_TMP/events-kern.log"
OOM='plugin = lowmem, plugin_instance = oom, type = vmpage_action, type_instance = oom_kill'
lm_check "lowmem: OOM notification for rpc.statd, killed for apache2's order-1 fork" \
  wait_for 30 has_notification "severity = FAILURE.*$OOM, message = OOM kill: apache2 \\(pid 31143\\) asked for order-1 \\(gfp 0xd0\\); killed rpc.statd \\(pid 2196, rss 700 KiB\\); .* \\| victim_pid=2196 victim_comm=rpc.statd invoker_pid=31143 invoker_comm=apache2 order=1 gfp_mask=0xd0 zone=node0-Normal zone_headroom_bytes=-1921024\$"
lm_check "lowmem: OOM notification for portmap (pid 2190)" \
  wait_for 30 has_notification "$OOM, message = OOM kill: killed portmap \\(pid 2190, rss 460 KiB\\)"

cat "$KMSG/malformed.log" >>"$LM_TMP/events-kern.log"
lm_check "malformed lines: lowmem says once that one could not be read" \
  wait_for 30 grep -q 'lowmem plugin: a kernel log message about an OOM kill' "$LM_LOG"

# The incident file: the headroom events at start open it (and name it),
# the kills join it; it is written RecordAfterSeconds (2 s) after them.
incident() {
  local f
  for f in "$LM_RUN"/lowmem/incident-*.json; do
    [ -e "$f" ] || continue
    if jq -e '[.events[].kind] | index("oom_kill") != null' "$f" >/dev/null 2>&1; then
      echo "$f"
      return 0
    fi
  done
}
has_incident() { [ -n "$(incident)" ]; }
lm_check "an incident file is written in BaseDir/lowmem" wait_for 60 has_incident
sleep 1
lm_check "collectd is still running" lm_running
lm_stop
lm_check "collectd stopped cleanly (exit $LM_RC)" [ "$LM_RC" = 0 ]
lm_check "two OOM notifications in all: the malformed lines gave none" \
  [ "$(notifications "$OOM")" = 2 ]
lm_check "no error from lowmem in the log" \
  [ -z "$(grep -E '\[error\].*lowmem' "$LM_LOG" || true)" ]

f=$(incident)
if [ -n "$f" ]; then
  lm_check "incident file $f is JSON" is_json "$f"
  lm_check "  mode 0640" [ "$(stat -c %a "$f")" = 640 ]
  lm_check "  format lowmem-incident, version 1" \
    [ "$(jq -r '.format + " " + (.version|tostring)' "$f")" = "lowmem-incident 1" ]
  lm_check "  its events include rpc.statd's kill (victim_pid 2196)" \
    [ "$(jq '[.events[] | select(.kind == "oom_kill") | .meta.victim_pid] | index(2196) != null' "$f")" = true ]
  lm_check "  zones node0-DMA, node0-Normal, node0-HighMem" \
    [ "$(jq -c .zones "$f")" = '["node0-DMA","node0-Normal","node0-HighMem"]' ]
  n=$(jq '.samples | length' "$f")
  lm_check "  it holds samples ($n)" [ "$n" -gt 10 ]
  lm_check "  Normal in every sample: free 1344, headroom at min [341,-469] (fixture)" \
    [ "$(jq -c '[.samples[].zones[] | select(.zone == "node0-Normal") | [.free, .headroom_min]] | unique' "$f")" = '[[1344,[341,-469]]]' ]
fi

# --- wrong values stop collectd at start ----------------------------------------------------

refused() { # refused NAME KEY BODY
  lm_conf "$1" "  ProcPath \"$TREE/proc\"
$3"
  lm_start 60
  if ! lm_wait_exit 30; then
    lm_not_ok "$1: collectd exits at start"
    lm_stop
    return 0
  fi
  lm_check "$1: collectd exits non-zero ($LM_RC) with a lowmem line naming $2" \
    exited_naming "$2"
}
exited_naming() {
  [ "$LM_RC" -ne 0 ] && [ "$LM_RC" -ne 124 ] && grep -q "lowmem plugin: .*$1" "$LM_LOG"
}
refused kernel-log-number KernelLog '  KernelLog 3'
refused persistence-negative NotifyPersistence '  NotifyPersistence -1'
refused record-seconds-zero RecordSeconds '  RecordSeconds 0'
refused record-keep-fraction RecordKeep '  RecordKeep 2.5'
refused oom-score-adj-range OOMScoreAdj '  OOMScoreAdj 5000'
refused notify-zone-empty NotifyZone '  NotifyZone ""'

lm_done
