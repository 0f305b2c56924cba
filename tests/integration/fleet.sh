#!/bin/bash
# A sender and a central collectd on loopback, set up as doc/fleet.md
# says: the sender runs lowmem over the incident's fixture tree and a
# kernel log file with the incident's OOM lines, and sends through the
# network plugin; the central, configured with the shipped
# collectd.conf.d/lowmem-central.conf, listens, knows lowmem's types from
# lowmem-types.db alone (it does not load lowmem), writes RRD files
# through rrdcached with one write thread, and CSV files. What must hold:
#   - every value the sender wrote to its own CSV files arrives at the
#     central, the same rows, and no "Value too old";
#   - the central's RRD files carry lowmem's types (rrdtool info through
#     the daemon);
#   - the central's NotificationExec gets lowmem's notifications with
#     their key figures as pairs in the message (meta data do not travel):
#     the headroom FAILURE of node0-Normal order 1 and the OOM kill of
#     rpc.statd for apache2's order-1 fork, with the fixture's numbers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_setup network exec rrdcached
command -v rrdcached >/dev/null ||
  lm_skip "rrdcached not found (scripts/install-deps.sh installs it)"
id nobody >/dev/null 2>&1 || lm_skip "no user nobody for NotificationExec"
command -v ss >/dev/null || lm_skip "ss not found (iproute2)"

TREE=$top_srcdir/tests/fixtures/incident-2.6.39-i686
KMSG=$top_srcdir/tests/fixtures/kmsg
DB=$top_srcdir/lowmem-types.db
PAGE=4096

RRDCACHED_PID=
EXEC_DIR=
lm_cleanup_hook() {
  if [ -n "${CENTRAL_TPID:-}" ]; then kill -TERM "$CENTRAL_TPID" 2>/dev/null || true; fi
  if [ -n "$RRDCACHED_PID" ]; then kill -TERM "$RRDCACHED_PID" 2>/dev/null || true; fi
  [ -z "$EXEC_DIR" ] || rm -rf "$EXEC_DIR"
}

# A UDP port of loopback nobody listens on.
port=
for _ in $(seq 50); do
  p=$((20000 + RANDOM % 20000))
  if ! ss -Hlun "sport = :$p" | grep -q .; then port=$p; break; fi
done
[ -n "$port" ] || lm_skip "no free UDP port on loopback"

# --- the central: rrdcached, network Listen, NotificationExec -------------------

C=$LM_TMP/central
mkdir -p "$C/rrd" "$C/csv" "$C/journal"
SOCK=$C/rrdcached.sock
timeout -s TERM -k 5 300 rrdcached -g -l "unix:$SOCK" -b "$C/rrd" -B \
  -j "$C/journal" -F -w 3600 >"$C/rrdcached.log" 2>&1 &
RRDCACHED_PID=$!

# NotificationExec runs its program as another user than root.
EXEC_DIR=$(mktemp -d /tmp/lowmem-fleet-exec.XXXXXX)
chmod 0755 "$EXEC_DIR"
mkdir "$EXEC_DIR/out"
chmod 0777 "$EXEC_DIR/out"
cat >"$EXEC_DIR/notified" <<'EOF'
#!/bin/sh
# One file per notification, as the exec plugin hands it over.
cat >"$(dirname "$0")/out/n.$$"
EOF
chmod 0755 "$EXEC_DIR/notified"

# The shipped central configuration, pointed at this run's port, rrdcached
# and types files.
SHIPPED=$top_srcdir/collectd.conf.d/lowmem-central.conf
sed -e "s|\"0.0.0.0\" \"25826\"|\"127.0.0.1\" \"$port\"|" \
  -e "s|unix:/var/run/rrdcached.sock|unix:$SOCK|" \
  -e "s|\"/var/lib/rrdcached/db/collectd\"|\"$C/rrd\"|" \
  -e "s|/usr/share/collectd/lowmem-types.db|$DB|" \
  -e "s|\"/usr/share/collectd/types.db\"|\"$LM_TYPESDB\"|" "$SHIPPED" >"$C/central.conf"
lm_check "the shipped central configuration, its four lines pointed at this run" \
  [ "$(diff "$SHIPPED" "$C/central.conf" | grep -c '^>')" = 4 -a \
  "$(grep -c -F -e "\"$port\"" -e "unix:$SOCK" -e "\"$C/rrd\"" -e "$DB" "$C/central.conf")" = 4 ]
cat >"$C/collectd.conf" <<EOF
Hostname "central"
FQDNLookup false
Interval 1
BaseDir "$C"
PIDFile "$C/collectd.pid"
PluginDir "$LM_TMP/plugins"

LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$C/collectd.log"
  Timestamp true
  PrintSeverity true
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir "$C/csv"
  StoreRates false
</Plugin>
LoadPlugin exec
<Plugin exec>
  NotificationExec "nobody" "$EXEC_DIR/notified"
</Plugin>
Include "$C/central.conf"
EOF
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
lm_check "rrdcached listens on $SOCK" [ -S "$SOCK" ]
timeout -s TERM -k 5 240 "$COLLECTD" -f -C "$C/collectd.conf" >"$C/stdout" 2>&1 &
CENTRAL_TPID=$!
for _ in $(seq 100); do
  ss -Hlun "sport = :$port" | grep -q . && break
  sleep 0.1
done
lm_check "the central listens on 127.0.0.1:$port" \
  sh -c 'ss -Hlun "sport = :$1" | grep -q .' sh "$port"

# --- the sender: lowmem over the incident, network Server ---------------------

lm_conf sender "  ProcPath \"$TREE/proc\"
  SampleInterval 0.1
  Orders 0 1
  KernelLog \"$LM_TMP/kern.log\"
  NotifyPersistence 0.5" network
# The shipped sender snippet, pointed at the central.
sed -e "s|\"central.example.org\" \"25826\"|\"127.0.0.1\" \"$port\"|" \
  "$top_srcdir/collectd.conf.d/lowmem-sender.conf" | grep -v '^LoadPlugin network' >>"$LM_CONF"
lm_check "the shipped sender snippet, pointed at the central" grep -q -F "Server \"127.0.0.1\" \"$port\"" "$LM_CONF"
: >"$LM_TMP/kern.log"
lm_start 120
lm_wait_values lowmem-node0-Normal headroom-order1 60 || true
cat "$KMSG/incident-2.6.39.log" >>"$LM_TMP/kern.log"

# Notifications at the central, each a file of the exec plugin's form
# ("Severity: ...", "Host: ...", ..., an empty line, the message).
exec_files() { # exec_files PATTERN...: the files holding every PATTERN line
  local f p ok
  for f in "$EXEC_DIR"/out/n.*; do
    [ -f "$f" ] || continue
    ok=1
    for p in "$@"; do grep -q -x -F -- "$p" "$f" || { ok=0; break; }; done
    [ $ok = 1 ] && echo "$f"
  done
  return 0
}
message_of() { awk 'body { print } /^$/ { body = 1 }' "$1"; }
# pair KEY: the value of KEY among the message's pairs (stdin), decoded.
pair() {
  awk -v k="$1" '{
    n = split($0, parts, " \\| "); split(parts[n], kv, " ")
    for (i in kv) if (index(kv[i], k "=") == 1) {
      v = substr(kv[i], length(k) + 2)
      if (v ~ /^".*"$/) v = substr(v, 2, length(v) - 2)
      while (match(v, /\\x[0-9a-f][0-9a-f]/)) {
        h = substr(v, RSTART + 2, 2); c = index("0123456789abcdef", substr(h, 1, 1)) * 16 - 16 + index("0123456789abcdef", substr(h, 2, 1)) - 1
        v = substr(v, 1, RSTART - 1) sprintf("%c", c) substr(v, RSTART + 4)
      }
      print v
    }
  }'
}
wait_files() { # wait_files SECONDS PATTERN...
  local deadline=$((SECONDS + $1))
  shift
  until [ -n "$(exec_files "$@")" ]; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

HEAD=("Host: $LM_HOST" "Plugin: lowmem")
wait_files 60 "Severity: FAILURE" "${HEAD[@]}" "PluginInstance: node0-Normal" "Type: headroom" "TypeInstance: order1" || true
wait_files 60 "${HEAD[@]}" "PluginInstance: oom" "TypeInstance: oom_kill" || true
sleep 3
lm_stop
lm_check "the sender stopped cleanly on SIGTERM (exit $LM_RC)" [ "$LM_RC" = 0 ]
sleep 2
kill -TERM "$CENTRAL_TPID" 2>/dev/null || true
wait "$CENTRAL_TPID" || true
CENTRAL_TPID=

# --- notifications: their figures travel in the message ------------------------

# Normal of the fixture: free 1344, min 1001, low 1251 pages; its order-1
# headroom -469 pages at min and -594 at low (worked out in
# events-fixture.sh and the unit tests).
zone_pages() { awk -v k="$1" '/zone +Normal/ { z = 1 } /zone +HighMem/ { z = 0 }
  z && ($1 == k || ($1 == "pages" && $2 == k)) { print $NF; exit }' "$TREE/proc/zoneinfo"; }
f=$(exec_files "Severity: FAILURE" "${HEAD[@]}" "PluginInstance: node0-Normal" "Type: headroom" "TypeInstance: order1" | head -n 1)
lm_check "central: the headroom FAILURE of node0-Normal order 1 reached NotificationExec" [ -n "$f" ]
if [ -n "$f" ]; then
  msg=$(message_of "$f")
  echo "# $msg"
  for kv in order=1 headroom_min_bytes=$((-469 * PAGE)) headroom_low_bytes=$((-594 * PAGE)) \
    free_bytes=$(($(zone_pages free) * PAGE)) min_bytes=$(($(zone_pages min) * PAGE)) \
    low_bytes=$(($(zone_pages low) * PAGE)); do
    lm_check "  its message carries $kv" [ "$(pair "${kv%%=*}" <<<"$msg")" = "${kv#*=}" ]
  done
  lm_check "  its message fits collectd's 255 bytes (${#msg})" [ "${#msg}" -le 255 ]
  lm_check "  no meta data travelled (only the network plugin's own)" \
    sh -c '! grep -q -E "^(free_bytes|headroom_min_bytes): " "$1"' sh "$f"
fi

# The kern.log excerpt: "apache2 invoked oom-killer: gfp_mask=0xd0,
# order=1", "Pid: 31143, comm: apache2", "Killed process 2196 (rpc.statd)".
f=$(exec_files "${HEAD[@]}" "PluginInstance: oom" "TypeInstance: oom_kill" |
  xargs -r grep -l -F "victim_pid=2196 " | head -n 1)
lm_check "central: the OOM kill of rpc.statd reached NotificationExec" [ -n "$f" ]
if [ -n "$f" ]; then
  msg=$(message_of "$f")
  echo "# $msg"
  for kv in victim_pid=2196 victim_comm=rpc.statd invoker_pid=31143 invoker_comm=apache2 \
    order=1 gfp_mask=0xd0 zone=node0-Normal zone_headroom_bytes=$((-469 * PAGE)); do
    lm_check "  its message carries $kv" [ "$(pair "${kv%%=*}" <<<"$msg")" = "${kv#*=}" ]
  done
fi

# --- values: all of them, in order -----------------------------------------------

S_CSV=$LM_CSV/$LM_HOST
C_CSV=$C/csv/$LM_HOST
files=0 missing=0 differ=0
for s in "$S_CSV"/lowmem*/*; do
  [ -f "$s" ] || continue
  files=$((files + 1))
  c=$C_CSV/${s#"$S_CSV/"}
  if [ ! -f "$c" ]; then
    missing=$((missing + 1))
    continue
  fi
  if ! cmp -s <(grep -v '^epoch' "$s" | sort) <(grep -v '^epoch' "$c" | sort); then
    differ=$((differ + 1))
    [ $differ -le 3 ] && echo "# differs: ${s#"$S_CSV/"}: $(diff <(cut -d, -f1 "$s") <(cut -d, -f1 "$c") | grep -c '^[<>]') rows"
  fi
done
lm_check "central: the sender's $files CSV files of lowmem, every row ($missing missing, $differ differ)" \
  [ "$files" -gt 50 -a "$missing" = 0 -a "$differ" = 0 ]
too_old=$(grep -c 'Value too old' "$C/collectd.log" || true)
lm_check "central, one write thread: no \"Value too old\" ($too_old)" [ "$too_old" = 0 ]
lm_check "central: no type unknown to it" \
  sh -c '! grep -q -i -E "unknown type|dataset not found|not found in the types" "$1"' sh "$C/collectd.log"

# --- lowmem-graph on the central's tree, behind rrdcached -------------------------

# rrdcached holds the updates (-w 3600): the files have none until it is
# asked to flush them, and lowmem-graph asks only when told where it is.
GRAPH=$top_srcdir/tools/lowmem-graph
HOSTRRD=$C/rrd/$LM_HOST
graph() { # graph NAME [lowmem-graph argument...]: its exit status in RC
  local name=$1
  shift
  RC=0
  "$GRAPH" -d "$HOSTRRD" -o "$LM_TMP/graph-$name" -s end-120s -W 400 -H 150 "$@" \
    >"$LM_TMP/graph-$name.out" 2>&1 || RC=$?
}
unset RRDCACHED_ADDRESS
graph plain
lm_check "lowmem-graph, not told of rrdcached: exits 1, every graph empty (exit $RC: $(tail -n 1 "$LM_TMP/graph-plain.out"))" \
  [ "$RC" = 1 ]
lm_check "  and says to give rrdcached's address" \
  grep -q -F 'every graph is empty' "$LM_TMP/graph-plain.out"
graph daemon --daemon "unix:$SOCK"
lm_check "lowmem-graph --daemon unix:...: rrdcached flushes, the graphs are drawn (exit $RC: $(tail -n 1 "$LM_TMP/graph-daemon.out"))" \
  [ "$RC" = 0 ]
lm_check "  the zone and headroom graphs of node0-Normal among them" \
  [ -s "$LM_TMP/graph-daemon/zone-node0-Normal.png" -a -s "$LM_TMP/graph-daemon/headroom-node0-Normal.png" ]
RRDCACHED_ADDRESS=unix:$SOCK graph env
lm_check "lowmem-graph with RRDCACHED_ADDRESS of the daemon: drawn (exit $RC)" [ "$RC" = 0 ]
# The files are flushed now: only a daemon lowmem-graph is told of and
# cannot reach makes it fail.
RRDCACHED_ADDRESS=unix:$LM_TMP/nowhere.sock graph nowhere
lm_check "lowmem-graph with RRDCACHED_ADDRESS of no daemon: taken, nothing drawn (exit $RC)" [ "$RC" = 1 ]
lm_check "  it says it could not draw" grep -q -F 'could not draw' "$LM_TMP/graph-nowhere.out"

# --- RRD files through rrdcached ----------------------------------------------------

f=$C/rrd/$LM_HOST/lowmem-node0-Normal/headroom-order1.rrd
lm_check "central: $LM_HOST/lowmem-node0-Normal/headroom-order1.rrd made through rrdcached" [ -f "$f" ]
if [ -f "$f" ]; then
  min=$("$RRDTOOL" info --daemon "unix:$SOCK" "$f" | awk -F' = ' '$1 == "ds[bytes].min" { print $2 }')
  lm_check "  its data source is lowmem-types.db's (bytes, no lower bound: $min)" [ "$min" = NaN ]
  last=$("$RRDTOOL" fetch --daemon "unix:$SOCK" "$f" MIN -r 1 -s end-30s |
    awk -F': ' 'NF == 2 && $2 !~ /nan/ { v = $2 } END { printf "%.0f", v }')
  lm_check "  its last known value, flushed by rrdcached, is -469 pages ($last)" [ "$last" = $((-469 * PAGE)) ]
fi

lm_done
