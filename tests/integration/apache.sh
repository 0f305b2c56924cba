#!/bin/bash
# lowmem's web server values against ss and ps, on this machine's kernel.
#
# 1. Debian's apache2, with a configuration of its own (127.0.0.1 and ::1
#    on a free high port, mpm_event, keep-alive), started through a link
#    named lmhttpd<pid> so that its processes have a name of their own
#    (another Apache, or another run of this test, may be about); lowmem,
#    told that name, finds the port from the processes. A client (conn-hold)
#    opens keep-alive connections and makes requests that end in TIME_WAIT
#    on the server's side and in 503. Each state's count on the port, the
#    accept queue, the process count, threads and RSS must equal what ss and
#    ps print while the sockets and processes stay put; collectd's tail
#    plugin, with collectd.conf.d/lowmem-apache-5xx.conf, counts the 503s.
# 2. Listeners of conn-hold on four more ports (Port): a backlog that fills
#    (accept queue and limit against ss's Recv-Q and Send-Q), FIN_WAIT2,
#    CLOSE_WAIT, and 10,000 established connections, through
#    NETLINK_SOCK_DIAG and again through /proc/net/tcp (ConnectionsSource
#    "proc").
# 3. Wrong values of the web server's keys stop collectd at start.
#
# ss and ps are the oracle, and the comparison holds only over a stretch in
# which they did not move: on a busy machine something may (a TIME_WAIT
# ends, Apache starts a process), so a stretch that moved is measured
# again, a bounded number of times, and the comparison is skipped when none
# stood still. The states are made not to expire by themselves: the
# FIN_WAIT2 sockets belong to a process that keeps them (shut down, not
# closed: an orphaned FIN_WAIT2 ends after tcp_fin_timeout), keep-alive
# outlasts the test, and the TIME_WAIT count, which the kernel ends after
# 60 s whatever is done, is checked only in a stretch younger than that.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_setup tail
APACHE2=${APACHE2:-/usr/sbin/apache2}
MODULES=/usr/lib/apache2/modules
HOLD_BIN=$top_builddir/tests/integration/conn-hold
[ -x "$APACHE2" ] || lm_skip "no $APACHE2 (Debian package apache2)"
[ -f "$MODULES/mod_mpm_event.so" ] || lm_skip "no $MODULES/mod_mpm_event.so"
command -v ss >/dev/null || lm_skip "no ss (package iproute2)"
id www-data >/dev/null 2>&1 || lm_skip "no user www-data to run apache2's children"
[ -e /proc/net/tcp6 ] || lm_skip "no IPv6 on this kernel"
if [ ! -x "$HOLD_BIN" ]; then
  echo "not ok - $HOLD_BIN is built (make check builds it)"
  echo "0 passed, 1 failed"
  exit 1
fi

SCALE=${LOWMEM_TEST_SCALE:-10000} # established connections of part 2
NAME=lmhttpd$$                    # the comm of this Apache's processes
KEEPALIVE4=12 KEEPALIVE6=8        # keep-alive clients of Apache
CLOSED=5 FAILED=7                 # requests with Connection: close: 200, 503
STABLE=4                          # seconds the sockets stay put for the checks
ATTEMPTS=6                        # stretches of STABLE s tried, at most
TIME_WAIT_S=60                    # the kernel's TIME_WAIT (TCP_TIMEWAIT_LEN)

# --- helpers ----------------------------------------------------------------------

APACHE_DIR=$LM_TMP/apache
APACHE_PID=

lm_cleanup_hook() {
  local pid
  for pid in "${HOLDER_PID[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$APACHE_PID" ]; then
    kill -TERM "$APACHE_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$APACHE_PID" 2>/dev/null || break; sleep 0.1; done
  fi
}

# Six consecutive ports below the ephemeral range with no socket on them.
free_ports() {
  local base
  for _ in $(seq 50); do
    base=$((20000 + RANDOM % 10000))
    if [ -z "$(ss -Htan "( sport >= :$base and sport <= :$((base + 5)) )")" ]; then
      echo "$base"
      return 0
    fi
  done
  return 1
}

# conn-hold processes, each reading commands from a FIFO: "holder NAME
# CMD..." sends one and sets $REPLY. Two of them hold the two ends of the
# scale test's connections: one process could not have descriptors enough
# where the hard limit is 20000 and cannot be raised (no CAP_SYS_RESOURCE).
declare -A HOLDER_IN HOLDER_OUT HOLDER_PID
holder_start() {
  local name=$1 fd_in fd_out
  mkfifo "$LM_TMP/$name.in" "$LM_TMP/$name.out"
  exec {fd_in}<>"$LM_TMP/$name.in" {fd_out}<>"$LM_TMP/$name.out"
  "$HOLD_BIN" -t 600 <"$LM_TMP/$name.in" >"$LM_TMP/$name.out" &
  HOLDER_PID[$name]=$!
  HOLDER_IN[$name]=$fd_in
  HOLDER_OUT[$name]=$fd_out
}
holder() {
  local name=$1
  shift
  echo "$*" >&"${HOLDER_IN[$name]}"
  REPLY=
  read -r -t 90 REPLY <&"${HOLDER_OUT[$name]}" || true
  case $REPLY in
  ok*) ;;
  *) lm_not_ok "conn-hold $*: ${REPLY:-no answer}" ;;
  esac
}
holder_stop() {
  local name=$1
  echo quit >&"${HOLDER_IN[$name]}" 2>/dev/null || true
  wait "${HOLDER_PID[$name]}" 2>/dev/null || true
  unset "HOLDER_PID[$name]"
  rm -f "$LM_TMP/$name.in" "$LM_TMP/$name.out"
}

# lowmem's state name -> ss's.
ss_state() {
  case $1 in
  ESTABLISHED) echo established ;; SYN_RECV) echo syn-recv ;;
  TIME_WAIT) echo time-wait ;; CLOSE_WAIT) echo close-wait ;;
  FIN_WAIT1) echo fin-wait-1 ;; FIN_WAIT2) echo fin-wait-2 ;;
  LAST_ACK) echo last-ack ;; CLOSING) echo closing ;;
  SYN_SENT) echo syn-sent ;; LISTEN) echo listening ;;
  esac
}
STATES="ESTABLISHED SYN_RECV TIME_WAIT CLOSE_WAIT FIN_WAIT1 FIN_WAIT2 LAST_ACK CLOSING SYN_SENT LISTEN"

# "PORT STATE COUNT" for every state of each port, from ss.
ss_counts() {
  local port state
  for port in "$@"; do
    for state in $STATES; do
      echo "$port $state $(ss -Htan state "$(ss_state "$state")" "( sport = :$port )" | wc -l)"
    done
  done
}

# "PORT QUEUE LIMIT" of each port's listener (its first, when there are two
# with the same queue): ss prints Recv-Q and Send-Q for listeners.
ss_queues() {
  local port
  for port in "$@"; do
    ss -Htanl "( sport = :$port )" |
      awk -v p="$port" '{ if (!n++ || $2 > q) { q = $2; l = $3 } } END { print p, q, l }'
  done
}

# "COUNT THREADS RSS_TOTAL RSS_MAX" of this Apache's processes, bytes.
ps_apache() {
  ps -C "$NAME" -o rss=,nlwp= |
    awk '{ n++; t += $2; r = $1 * 1024; s += r; if (r > m) m = r }
         END { printf "%d %d %.0f %.0f\n", n, t, s, m }'
}

# check_rows DIR TI A B WANT DESC [COL [SLACK]]: every row stamped from A to
# B (column COL, 2) is within SLACK (0) of WANT, and there is one at least.
check_rows() {
  local dir=$1 ti=$2 a=$3 b=$4 want=$5 desc=$6 col=${7:-2} slack=${8:-0}
  local vals bad within=
  [ "$slack" -eq 0 ] || within=" (within $slack)"
  vals=$(lm_csv_rows "$dir" "$ti" |
    awk -F, -v a="$a" -v b="$b" -v c="$col" '$1 >= a && $1 <= b { print $c }')
  if [ -z "$vals" ]; then
    lm_not_ok "$desc: no value of $dir/$ti stamped $a..$b"
    return 0
  fi
  bad=$(echo "$vals" | awk -v w="$want" -v s="$slack" \
    '{ d = $1 - w; if (d < 0) d = -d; if (d >= s + 0.5) { print $1; exit } }')
  if [ -z "$bad" ]; then
    lm_ok "$desc: $want$within, $(echo "$vals" | wc -l) value(s)"
  else
    lm_not_ok "$desc: lowmem has $bad, want $want$within"
  fi
}

# tcp_opens: the connections this host opened and accepted so far, from
# the kernel's own counters (/proc/net/snmp, Tcp: ActiveOpens PassiveOpens).
tcp_opens() {
  awk '$1 == "Tcp:" && $2 ~ /^[0-9]/ { print $6 + $7 }' /proc/net/snmp
}

# ps_now ps|-: this Apache's processes from ps, or nothing where they do
# not matter.
ps_now() {
  if [ "$1" = ps ]; then ps_apache; fi
}

# sample_stable ps|- PORT...: samples ss (and ps) once a second over $STABLE
# s; the values must not have moved, then every lowmem window read in
# between must hold them. A stretch in which they moved is measured again,
# at most $ATTEMPTS times. Sets SS_STABLE (yes or no), SS_A, SS_B (epoch
# seconds) and SS_COUNTS, SS_QUEUES, PS_NOW.
sample_stable() {
  local with_ps=$1 attempt i c0 q0 p0 o0 c q p moved what=ss
  shift
  [ "$with_ps" != ps ] || what="ss and ps"
  SS_STABLE=no
  for attempt in $(seq "$ATTEMPTS"); do
    SS_A=$(date +%s)
    o0=$(tcp_opens)
    c0=$(ss_counts "$@"); q0=$(ss_queues "$@"); p0=$(ps_now "$with_ps")
    moved=
    for i in $(seq "$STABLE"); do
      sleep 1
      c=$(ss_counts "$@"); q=$(ss_queues "$@"); p=$(ps_now "$with_ps")
      if [ "$c" != "$c0" ] || [ "$q" != "$q0" ] || [ "$p" != "$p0" ]; then
        moved=$(diff <(echo "$c0"; echo "$q0"; echo "$p0") <(echo "$c"; echo "$q"; echo "$p") |
          grep '^[<>]' | head -n 4 | tr '\n' ' ' || true)
        moved="after ${i}s: $moved"
        break
      fi
    done
    SS_B=$(date +%s)
    if [ -z "$moved" ]; then
      SS_STABLE=yes SS_COUNTS=$c0 SS_QUEUES=$q0 PS_NOW=$p0
      # Neither /proc/net/tcp nor a sock_diag dump is a snapshot: both are
      # read a bucket at a time, and a connection another program opens or
      # closes meanwhile can make one socket be listed twice or not at all
      # (ss, read once a second, does not see it come and go). Each such
      # connection may move a count by one: opened, and as many closed.
      SS_CHURN=$((2 * ($(tcp_opens) - o0)))
      echo "# $what stood still over ${STABLE}s ($SS_A..$SS_B, stretch $attempt of at most $ATTEMPTS; $((SS_CHURN / 2)) connection(s) opened elsewhere meanwhile)"
      return 0
    fi
    echo "# stretch $attempt: $what moved, $moved"
  done
  SS_WHY="$what moved in each of $ATTEMPTS stretches of ${STABLE}s (last: $moved)"
}

# Windows stamped T were read at their start, in [T - 1, T): those read
# between the first and the last sample of the stretch are stamped
# SS_A + 2 .. SS_B.
check_against_ss() {
  local label=$1 port state n queue limit
  if [ "$SS_STABLE" != yes ]; then
    lm_skip_check "$label: lowmem against ss on ports $PORTS_NOW: $SS_WHY"
    return 0
  fi
  while read -r port state n; do
    check_rows "lowmem-apache-$port" "tcp_connections-$state" $((SS_A + 2)) "$SS_B" "$n" \
      "$label: port $port $state = ss's" 2 "$SS_CHURN"
  done <<<"$SS_COUNTS"
  while read -r port queue limit; do
    check_rows "lowmem-apache-$port" gauge-accept_queue $((SS_A + 2)) "$SS_B" "$queue" \
      "$label: port $port accept queue = ss's Recv-Q"
    if [ "$label" = proc ]; then
      lm_csv_absent "lowmem-apache-$port" gauge-accept_queue_limit "/proc/net/tcp has no backlog"
    else
      check_rows "lowmem-apache-$port" gauge-accept_queue_limit $((SS_A + 2)) "$SS_B" "$limit" \
        "$label: port $port accept queue limit = ss's Send-Q"
    fi
  done <<<"$SS_QUEUES"
}

wait_csv() {
  lm_wait_values "$1" "$2" 60
}

# --- 1. Apache ----------------------------------------------------------------------

BASE=$(free_ports) || lm_skip "no six free ports between 20000 and 30000"
PORT=$BASE
chmod 711 "$LM_TMP"
mkdir -p "$APACHE_DIR/htdocs" "$APACHE_DIR/logs" "$APACHE_DIR/run"
chmod 755 "$APACHE_DIR" "$APACHE_DIR/htdocs"
echo "lowmem test page" >"$APACHE_DIR/htdocs/index.html"
cat >"$APACHE_DIR/httpd.conf" <<EOF
ServerRoot "$APACHE_DIR"
ServerName localhost
Listen 127.0.0.1:$PORT
Listen [::1]:$PORT
LoadModule mpm_event_module $MODULES/mod_mpm_event.so
LoadModule authz_core_module $MODULES/mod_authz_core.so
LoadModule alias_module $MODULES/mod_alias.so
LoadModule mime_module $MODULES/mod_mime.so
TypesConfig /etc/mime.types
User www-data
Group www-data
PidFile run/httpd.pid
DefaultRuntimeDir run
Mutex file:run default
ErrorLog logs/error.log
LogFormat "%h %l %u %t \"%r\" %>s %b" common
CustomLog logs/access.log common
DocumentRoot "$APACHE_DIR/htdocs"
<Directory "$APACHE_DIR/htdocs">
  Require all granted
</Directory>
Redirect 503 /fail
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 900
StartServers 2
ServerLimit 4
ThreadsPerChild 25
MaxRequestWorkers 100
MinSpareThreads 25
MaxSpareThreads 75
EOF
: >"$APACHE_DIR/logs/access.log"
ln -s "$APACHE2" "$APACHE_DIR/$NAME"
timeout -s TERM -k 5 600 "$APACHE_DIR/$NAME" -f "$APACHE_DIR/httpd.conf" -DFOREGROUND \
  >"$APACHE_DIR/logs/stdout" 2>&1 &
for _ in $(seq 600); do
  APACHE_PID=$(cat "$APACHE_DIR/run/httpd.pid" 2>/dev/null || true)
  [ -n "$APACHE_PID" ] && [ "$(ss -Htanl "( sport = :$PORT )" | wc -l)" = 2 ] && break
  sleep 0.1
done
if [ "$(ss -Htanl "( sport = :$PORT )" | wc -l)" != 2 ]; then
  lm_not_ok "apache2 listens on 127.0.0.1:$PORT and [::1]:$PORT: $(tail -n 3 "$APACHE_DIR/logs/error.log" 2>/dev/null)"
  lm_done
fi
lm_ok "apache2 (pid $APACHE_PID) listens on 127.0.0.1:$PORT and [::1]:$PORT"

# The shipped tail file, on this Apache's access log.
sed "s|/var/log/apache2/access.log|$APACHE_DIR/logs/access.log|" \
  "$top_srcdir/collectd.conf.d/lowmem-apache-5xx.conf" >"$LM_TMP/tail-5xx.conf"

lm_conf apache "  SampleInterval 0.1
  ProcessName \"$NAME\""
echo "Include \"$LM_TMP/tail-5xx.conf\"" >>"$LM_CONF"
lm_start 300
lm_check "lowmem found the $NAME processes and port $PORT" \
  wait_csv "lowmem-apache-$PORT" tcp_connections-LISTEN

holder_start client
holder client connect 127.0.0.1 "$PORT" "$KEEPALIVE4" get:/index.html
holder client connect ::1 "$PORT" "$KEEPALIVE6" get:/index.html
tw_made=$(date +%s) # the server's TIME_WAITs begin after this, and end TIME_WAIT_S later
holder client connect 127.0.0.1 "$PORT" "$CLOSED" getclose:/index.html
holder client connect ::1 "$PORT" "$FAILED" getclose:/fail
sleep 2
PORTS_NOW=$PORT
sample_stable ps "$PORT"
read -r ps_n ps_threads ps_rss ps_max <<<"${PS_NOW:-0 0 0 0}"
sleep 1
lm_stop
lm_check "collectd stopped cleanly (exit $LM_RC)" [ "$LM_RC" = 0 ]

if [ "$SS_STABLE" = yes ]; then
  n_est=$(echo "$SS_COUNTS" | awk '$2 == "ESTABLISHED" { print $3 }')
  n_tw=$(echo "$SS_COUNTS" | awk '$2 == "TIME_WAIT" { print $3 }')
  lm_check "ss counts the $((KEEPALIVE4 + KEEPALIVE6)) keep-alive connections on port $PORT ($n_est)" \
    [ "$n_est" = $((KEEPALIVE4 + KEEPALIVE6)) ]
  # Each TIME_WAIT ends TIME_WAIT_S after it began, however the test goes.
  if [ $((SS_B - tw_made)) -lt $((TIME_WAIT_S - 2)) ]; then
    lm_check "ss counts $((CLOSED + FAILED)) TIME_WAIT on the server's side of port $PORT ($n_tw)" \
      [ "$n_tw" = $((CLOSED + FAILED)) ]
  else
    lm_skip_check "ss's TIME_WAIT count on port $PORT ($n_tw): the stretch ended $((SS_B - tw_made)) s after the requests, when the kernel ends TIME_WAIT after $TIME_WAIT_S s"
  fi
else
  lm_skip_check "ss's counts of keep-alive and TIME_WAIT on port $PORT: $SS_WHY"
fi
check_against_ss apache
A=$((SS_A + 2)) B=$SS_B
if [ "$SS_STABLE" = yes ]; then
  check_rows lowmem-apache ps_count "$A" "$B" "$ps_n" "processes = ps -C $NAME ($ps_n)" 2
  check_rows lowmem-apache ps_count "$A" "$B" "$ps_threads" "threads = ps -C $NAME -o nlwp ($ps_threads)" 3
  check_rows lowmem-apache ps_rss "$A" "$B" "$ps_rss" "RSS total = ps -C $NAME -o rss"
  check_rows lowmem-apache process_rss-max "$A" "$B" "$ps_max" "RSS largest = ps's"
  avg=$(awk -v s="$ps_rss" -v n="$ps_n" 'BEGIN { printf "%.0f", s / n }')
  check_rows lowmem-apache process_rss-average "$A" "$B" "$avg" "RSS average = ps's"
else
  lm_skip_check "processes, threads and RSS against ps: $SS_WHY"
fi
# ps_count leaves from the web server's glue, the rest from lowmem's
# dispatch: the same windows, the same stamps.
stamps_count=$(lm_csv_rows lowmem-apache ps_count | cut -d, -f1 | tr '\n' ' ')
stamps_rss=$(lm_csv_rows lowmem-apache ps_rss | cut -d, -f1 | tr '\n' ' ')
lm_check "ps_count has the windows and stamps of ps_rss ($(echo "$stamps_count" | wc -w) rows)" \
  [ -n "$stamps_count" -a "$stamps_count" = "$stamps_rss" ]
forks=$(lm_csv_rows lowmem fork_rate | awk -F, 'NR > 1 && $2 < p { d++ } { p = $2 } END { print NR, d + 0 }')
lm_check "lowmem/fork_rate: values that never decrease ($forks: rows, decreases)" \
  [ "${forks%% *}" -gt 5 -a "${forks##* }" = 0 ]

lm_check "log: sock_diag chosen once" \
  [ "$(lm_log_count 'TCP connections are read with NETLINK_SOCK_DIAG')" = 1 ]
lm_check "log: port $PORT found from the processes" \
  grep -q "watching TCP port(s) $PORT, where processes named $NAME listen" "$LM_LOG"
lm_check_log_clean
lm_check "log: no lowmem warning" [ "$(lm_log_count '\[warning\] lowmem plugin')" = 0 ]

# HTTP 5xx with the shipped tail file: the 503s, and every request.
lines_5xx=$(grep -c '" 503 ' "$APACHE_DIR/logs/access.log" || true)
lines_all=$(grep -c 'HTTP/1.1" ' "$APACHE_DIR/logs/access.log" || true)
lm_check "access.log has $FAILED 503 lines ($lines_5xx) of $((KEEPALIVE4 + KEEPALIVE6 + CLOSED + FAILED)) ($lines_all)" \
  [ "$lines_5xx" = "$FAILED" -a "$lines_all" = $((KEEPALIVE4 + KEEPALIVE6 + CLOSED + FAILED)) ]
got=$(lm_csv_last tail-apache http_response_codes-5xx)
lm_check "tail: http_response_codes-5xx counted $lines_5xx (${got:-none})" lm_num_eq "${got:-0}" "$lines_5xx"
got=$(lm_csv_last tail-apache http_requests-all)
lm_check "tail: http_requests-all counted $lines_all (${got:-none})" lm_num_eq "${got:-0}" "$lines_all"
holder_stop client

# --- 2. states, the accept queue, and scale -------------------------------------------

Q_BACKLOG=$((BASE + 1)) Q_FINWAIT=$((BASE + 2)) Q_CLOSEWAIT=$((BASE + 3)) Q_SCALE=$((BASE + 4))
holder_start client
holder_start server
holder client listen 127.0.0.1 "$Q_BACKLOG" 8 none
holder client connect 127.0.0.1 "$Q_BACKLOG" 5 none # 5 wait in a queue of 8
holder client listen ::1 "$Q_FINWAIT" 16 shutdown
holder client connect ::1 "$Q_FINWAIT" 4 none # the server shuts down first: FIN_WAIT2
holder client listen 127.0.0.1 "$Q_CLOSEWAIT" 16 accept
holder client connect 127.0.0.1 "$Q_CLOSEWAIT" 3 none
group=$(echo "$REPLY" | awk '{ print $3 }')
holder client close "$group" # the clients close first: CLOSE_WAIT on the server
holder server listen 127.0.0.1 "$Q_SCALE" 4096 accept
holder server listen ::1 "$Q_SCALE" 4096 accept
holder client connect 127.0.0.1 "$Q_SCALE" $((SCALE / 2)) none
holder client connect ::1 "$Q_SCALE" $((SCALE - SCALE / 2)) none
PORTS="$Q_BACKLOG $Q_FINWAIT $Q_CLOSEWAIT $Q_SCALE"

for source in netlink proc; do
  lm_conf "states-$source" "  SampleInterval 0.1
  Port $Q_BACKLOG $Q_FINWAIT
  Port $Q_CLOSEWAIT
  Port $Q_SCALE
  ConnectionsSource \"$source\"
  Slabinfo false"
  lm_start 240
  wait_csv "lowmem-apache-$Q_SCALE" tcp_connections-ESTABLISHED || true
  sleep 2
  PORTS_NOW=$PORTS
  # Apache plays no part here: its processes may do as they like.
  # shellcheck disable=SC2086
  sample_stable - $PORTS
  sleep 1
  lm_stop
  if [ "$SS_STABLE" = yes ]; then
    # ss sees the states made: the comparisons below are of something.
    n=$(echo "$SS_COUNTS" | awk -v p="$Q_SCALE" '$1 == p && $2 == "ESTABLISHED" { print $3 }')
    lm_check "$source: ss counts $SCALE established on port $Q_SCALE ($n)" [ "$n" = "$SCALE" ]
    n=$(echo "$SS_COUNTS" | awk -v p="$Q_FINWAIT" '$1 == p && $2 == "FIN_WAIT2" { print $3 }')
    lm_check "$source: ss counts 4 FIN_WAIT2 on port $Q_FINWAIT ($n)" [ "$n" = 4 ]
    n=$(echo "$SS_COUNTS" | awk -v p="$Q_CLOSEWAIT" '$1 == p && $2 == "CLOSE_WAIT" { print $3 }')
    lm_check "$source: ss counts 3 CLOSE_WAIT on port $Q_CLOSEWAIT ($n)" [ "$n" = 3 ]
    n=$(echo "$SS_QUEUES" | awk -v p="$Q_BACKLOG" '$1 == p { print $2 "/" $3 }')
    lm_check "$source: ss counts 5 waiting in port $Q_BACKLOG's queue of 8 ($n)" [ "$n" = 5/8 ]
  fi
  check_against_ss "$source"
  lm_check_log_clean
done
lm_check "proc: the log says /proc/net/tcp is read" \
  grep -q 'TCP connections are read from .*/net/tcp and tcp6 (ConnectionsSource "proc")' "$LM_LOG"
holder_stop client
holder_stop server

# --- 3. wrong values ----------------------------------------------------------------------

check_refused() {
  local name=$1 body=$2 pattern=$3
  lm_conf "$name" "$body"
  lm_start 20
  if lm_wait_exit 15; then
    lm_check "$name: collectd stops at start (exit $LM_RC)" [ "$LM_RC" != 0 ]
  else
    lm_stop
    lm_not_ok "$name: collectd stops at start"
  fi
  lm_check "$name: the log says $pattern" grep -q -- "$pattern" "$LM_LOG"
}
check_refused port-zero "  Port 0" "Port takes local TCP port numbers from 1 to 65535"
check_refused long-name "  ProcessName \"apache2-with-a-long-name\"" \
  "is longer than the kernel's process names"
check_refused bad-source "  ConnectionsSource \"ss\"" "ConnectionsSource takes"

lm_done
