#!/bin/bash
# A real OOM kill, confined: oom-victim grows its memory inside a memory
# cgroup limited to 32 MiB (v1 at /sys/fs/cgroup/memory, else v2
# memory.max; no swap for it) until the cgroup's OOM killer ends it.
# collectd runs lowmem outside the cgroup, reading /dev/kmsg and vmstat,
# and must survive; what must come out of it:
#   - a notification in the log (logfile) naming the victim's pid and
#     command, the cgroup and its limit;
#   - the same notification through the exec plugin's NotificationExec,
#     with the details as meta data (victim_pid, victim_comm, memcg);
#   - an incident file that jq reads, holding the kill and samples from
#     before it and after it.
# How many samples a stretch holds, and how soon the notification comes,
# depend on the machine giving collectd its wakeups: those checks are made
# where the probe (lib.sh) saw it did, and skipped where it did not. The
# oom_kill count of the record is checked against /proc/vmstat's over the
# run: another OOM kill on the machine meanwhile is not lowmem's.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_setup exec
command -v jq >/dev/null || lm_skip "jq not found (scripts/install-deps.sh installs it)"
is_json() { jq -e . "$1" >/dev/null; }
[ -r /dev/kmsg ] || lm_skip "no readable /dev/kmsg"
id nobody >/dev/null 2>&1 || lm_skip "no user nobody for NotificationExec"

LIMIT_MB=32
MAX_MB=512      # oom-victim stops there if the limit does not hold
STEP_MS=20      # one MiB per step: about 0.7 s to the limit
BEFORE_S=3      # samples before the kill
RECORD_AFTER=3
LOST_S=1.0      # wakeups lost in a stretch that still leaves 20 samples of 30
TOLD_LATE_S=1.0 # the longest hold-up that leaves "within 2 s" room

VICTIM=$top_builddir/tests/integration/oom-victim
if [ ! -x "$VICTIM" ]; then
  lm_not_ok "$VICTIM is built (make check builds it)"
  lm_done
fi

# --- the memory cgroup ------------------------------------------------------------------

lm_memcg lowmem-oom $((LIMIT_MB << 20))
CG=$LM_CG
CG_NAME=/${CG##*/}

EXEC_DIR=
lm_cleanup_hook() {
  [ -z "$EXEC_DIR" ] || rm -rf "$EXEC_DIR"
}

# NotificationExec runs its program as another user than root: a directory
# of its own that user can reach.
EXEC_DIR=$(mktemp -d /tmp/lowmem-oom-exec.XXXXXX)
chmod 0755 "$EXEC_DIR"
mkdir "$EXEC_DIR/out"
chmod 0777 "$EXEC_DIR/out"
cat >"$EXEC_DIR/notified" <<'EOF'
#!/bin/sh
# One file per notification, as the exec plugin hands it over, with the
# time it came.
{ echo "Received: $(date +%s.%N)"; cat; } >"$(dirname "$0")/out/n.$$"
EOF
chmod 0755 "$EXEC_DIR/notified"

# --- the run -----------------------------------------------------------------------------

lm_conf oom "  SampleInterval 0.1
  Orders 0 1
  RecordSeconds 10
  RecordAfterSeconds $RECORD_AFTER" exec
cat >>"$LM_CONF" <<EOF
<Plugin exec>
  NotificationExec "nobody" "$EXEC_DIR/notified"
</Plugin>
EOF

lm_probe_start
oom_kills0=$(awk '$1 == "oom_kill" { print $2 }' /proc/vmstat)
lm_start 300
lm_wait_values lowmem system-free 60 || true
sleep "$BEFORE_S"

victim_out=$LM_RUN/victim
victim_rc=0
# In a subshell of its own, whose report of the SIGKILL ("Killed") is
# expected and kept out of the test's output.
(lm_memcg_exec 60 "$VICTIM" "$MAX_MB" "$STEP_MS" >"$victim_out" 2>&1) 2>/dev/null ||
  victim_rc=$?
pid=$(awk '$1 == "pid" { print $2 }' "$victim_out")
echo "# oom-victim pid $pid exited $victim_rc"
lm_check "oom-victim (pid $pid) was killed by SIGKILL (status $victim_rc = 128 + 9)" \
  [ -n "$pid" -a "$victim_rc" = 137 ]

NOTE="Notification: severity = FAILURE, host = $LM_HOST, plugin = lowmem, plugin_instance = oom, type = vmpage_action, type_instance = oom_kill, message = OOM kill in cgroup $CG_NAME"
# The message's pairs (its prose may be cut to leave them room).
PAIRS="| victim_pid=$pid victim_comm=oom-victim invoker_pid=$pid invoker_comm=oom-victim order=0 "
noted() { grep -F -- "$NOTE" "$LM_LOG" | grep -q -F -- "$PAIRS"; }
deadline=$((SECONDS + 60))
until noted || [ $SECONDS -ge $deadline ]; do sleep 0.2; done
line=$(grep -F -- "$NOTE" "$LM_LOG" | head -n 1 || true)
echo "# ${line#*message = }"
lm_check "log: a FAILURE notification for the kill in $CG_NAME" [ -n "$line" ]
lm_check "  its pairs name the victim and who asked: $PAIRS" noted
lm_check "  ... and the cgroup: memcg=$CG_NAME" grep -q -F -- " memcg=$CG_NAME" <<<"$line"
lm_check "  it names the cgroup's limit ($LIMIT_MB MiB)" \
  grep -q -F "of $LIMIT_MB.0 MiB)" <<<"$line"
lm_check "  it names who asked (oom-victim, order-0)" \
  grep -q -F "oom-victim (pid $pid) asked for order-0" <<<"$line"

exec_file() { grep -l "^victim_pid: $pid\$" "$EXEC_DIR"/out/n.* 2>/dev/null | head -n 1; }
deadline=$((SECONDS + 60))
until [ -n "$(exec_file)" ] || [ $SECONDS -ge $deadline ]; do sleep 0.2; done
f=$(exec_file)
lm_check "NotificationExec: a notification with meta victim_pid: $pid" [ -n "$f" ]
if [ -n "$f" ]; then
  lines() { # lines FILE LINE...: FILE has every LINE
    local file=$1 l
    shift
    for l in "$@"; do grep -q -x -F -- "$l" "$file" || return 1; done
  }
  lm_check "  Severity: FAILURE, PluginInstance: oom" \
    lines "$f" 'Severity: FAILURE' 'PluginInstance: oom'
  lm_check "  victim_comm: oom-victim" lines "$f" 'victim_comm: oom-victim'
  lm_check "  memcg: $CG_NAME, scope: cgroup" \
    lines "$f" "memcg: $CG_NAME" 'scope: cgroup'
fi

# The incident file comes RecordAfterSeconds after the kill.
incident() {
  local g
  for g in "$LM_RUN"/lowmem/incident-*.json; do
    [ -e "$g" ] || continue
    if jq -e --argjson pid "$pid" \
      '[.events[] | select(.kind == "oom_kill") | .meta.victim_pid] | index($pid) != null' \
      "$g" >/dev/null 2>&1; then
      echo "$g"
      return 0
    fi
  done
}
deadline=$((SECONDS + RECORD_AFTER + 60))
until [ -n "$(incident)" ] || [ $SECONDS -ge $deadline ]; do sleep 0.5; done
f=$(incident)
lm_check "incident file with the kill of pid $pid: ${f:-none}" [ -n "$f" ]
lm_check "collectd survived the OOM kill" lm_running
oom_kills1=$(awk '$1 == "oom_kill" { print $2 }' /proc/vmstat)
lm_stop
lm_check "collectd stopped cleanly (exit $LM_RC)" [ "$LM_RC" = 0 ]

if [ -n "$f" ]; then
  lm_check "  it is JSON" is_json "$f"
  lm_check "  mode 0640" [ "$(stat -c %a "$f")" = 640 ]
  kill_t=$(jq --argjson pid "$pid" \
    '[.events[] | select(.kind == "oom_kill" and .meta.victim_pid == $pid) | .time][0]' "$f")
  before=$(jq --argjson t "$kill_t" '[.samples[] | select(.time < $t)] | length' "$f")
  after=$(jq --argjson t "$kill_t" '[.samples[] | select(.time > $t)] | length' "$f")
  echo "# kill at $kill_t: $before samples before, $after after"
  read -r worst lost <<<"$(lm_probe_late "$(awk -v t="$kill_t" -v s="$BEFORE_S" 'BEGIN { printf "%.3f", t - s }')" "$kill_t")"
  if awk -v l="$lost" -v m="$LOST_S" 'BEGIN { exit !(l < m) }'; then
    lm_check "  samples before the kill ($before, ${BEFORE_S} s at 0.1 s: >= 20)" [ "$before" -ge 20 ]
  else
    lm_skip_check "samples before the kill ($before): the probe lost ${lost}s of wakeups in the ${BEFORE_S}s before it (worst ${worst}s late)"
  fi
  read -r worst lost <<<"$(lm_probe_late "$kill_t" "$(awk -v t="$kill_t" -v s="$RECORD_AFTER" 'BEGIN { printf "%.3f", t + s }')")"
  if awk -v l="$lost" -v m="$LOST_S" 'BEGIN { exit !(l < m) }'; then
    lm_check "  samples after the kill ($after, ${RECORD_AFTER} s at 0.1 s: >= 20)" [ "$after" -ge 20 ]
  else
    lm_skip_check "samples after the kill ($after): the probe lost ${lost}s of wakeups in the ${RECORD_AFTER}s after it (worst ${worst}s late)"
  fi
  lm_check "  its samples hold this machine's zones (node0-Normal)" \
    [ "$(jq '[.samples[-1].zones[].zone] | index("node0-Normal") != null' "$f")" = true ]
  exec_f=$(exec_file)
  if [ -n "$exec_f" ]; then
    got=$(awk '$1 == "Received:" { print $2 }' "$exec_f")
    delay=$(awk -v g="$got" -v k="$kill_t" 'BEGIN { printf "%.3f", g - k }')
    echo "# the notification reached NotificationExec $delay s after the kill"
    worst=$(lm_probe_late "$kill_t" "$(awk -v t="$kill_t" 'BEGIN { printf "%.3f", t + 2 }')" | cut -d' ' -f1)
    if awk -v w="$worst" -v m="$TOLD_LATE_S" 'BEGIN { exit !(w < m) }'; then
      lm_check "  told within 2 s of the kill ($delay s)" \
        awk -v d="$delay" 'BEGIN { exit !(d >= -0.5 && d < 2) }'
    else
      lm_skip_check "told within 2 s of the kill ($delay s): the probe woke ${worst}s late in those 2 s"
    fi
  fi
  n_oom=$(jq '.samples[-1].vmstat.oom_kill - .samples[0].vmstat.oom_kill' "$f")
  if [ $((oom_kills1 - oom_kills0)) = 1 ]; then
    lm_check "  vmstat oom_kill rose by 1 over the record ($n_oom)" [ "$n_oom" = 1 ]
  else
    lm_skip_check "vmstat oom_kill over the record ($n_oom): /proc/vmstat counted $((oom_kills1 - oom_kills0)) OOM kills on this machine during the run, not 1"
  fi
fi

lm_done
