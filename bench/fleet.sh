#!/bin/bash
# How many lowmem hosts one central collectd absorbs at 1 s, on loopback.
#
#   bench/fleet.sh              (root; from the build tree, or LOWMEM_SO=...)
#
# First the shape of a host: a real collectd with the built lowmem (its
# default configuration, Interval 1) sends to a capture for a few seconds
# through the network plugin; its fullest second is kept (identifiers, data
# source types, values). Then, for each number of hosts N of
# BENCH_FLEET_STEPS (default "10 25 50 100 200 400"), a fresh central: the
# stock collectd with the network plugin (Listen 127.0.0.1, ReportStats)
# writing through the rrdcached plugin to a fresh rrdcached, and
# bench/fleet-send.py replaying the shape as N hosts, each once a second,
# spread over the second: first for BENCH_FLEET_WARMUP seconds (default 20:
# the files are created then), then, after a 5 s pause for the central to
# catch up, for BENCH_FLEET_SECONDS (default 40), measured:
#
#   collectd, rrdcached   CPU, % of one core (sum of the threads'
#                         /proc/PID/task/*/schedstat), less the idle
#                         central's of the same run (N = 0, measured first)
#   lost                  values sent and not dispatched by the central
#                         (the network plugin's own total_values
#                         dispatch-accepted against the sender's count)
#   drops                 the kernel's drops on the central's socket
#                         (/proc/net/udp)
#   too_old               "Value too old" and "illegal attempt to update"
#                         lines in the central's log
#   write-backlog         (in the verdict) collectd's write queue passed
#                         WriteQueueLimitLow (150000 values: its writer is
#                         seconds behind; past WriteQueueLimitHigh it drops)
#   queue                 rrdcached's QueueLength (STATS), largest and last
#                         of a sample every 5 s
#   disk B/host/s         bytes rrdcached dirtied (/proc/PID/io
#                         write_bytes: the pages the kernel must write back)
#                         a host a second
#
# A step holds when nothing is lost, dropped or too old, collectd's write
# queue stays under its low-water mark and rrdcached's queue does not keep
# more than half of the files waiting; the first step
# that does not hold ends the run: where it breaks, and what broke first.
#
# The central's settings: WriteThreads BENCH_FLEET_WRITE_THREADS (default 1,
# which keeps each file's updates in order), WriteQueueLimitHigh 200000;
# rrdcached -w 30 -z 15 -t 4. The RRD files have one RRA per consolidation
# function, BENCH_FLEET_RRA_SECONDS (default 300) rows of 1 s, to bound the
# disk (the tree of 400 hosts holds ~0.5 GB): a write to an RRD touches a
# row of each RRA and its header whatever the rows, so the cost a second
# differs from collectd's default five RRAs per function; the row
# "N-default" (BENCH_FLEET_DEFAULT_HOSTS, default 10 hosts) measures the
# default RRAs for the ratio. The tree lives in a directory of
# BENCH_FLEET_DIR (default /var/tmp) of at most BENCH_FLEET_DISK_MiB
# (default 1024) and is deleted after each step. collectd and rrdcached run
# in a memory cgroup of BENCH_FLEET_MEM_MiB (default 1024), every process
# under a timeout; traffic is on 127.0.0.1 only.
#
# BENCH_FLEET_TYPESDB: the types.db files beside collectd's for both
# collectds (default: lowmem-types.db of the source tree).
# BENCH_FLEET_RESULTS=FILE keeps the table there, and the shape in
# FILE.shape; BENCH_FLEET_SHAPE=FILE replays that shape instead of
# capturing one (the same load on another day or machine).
#
# BENCH_FLEET_READER=1: a front-end reads the files during each measured
# window, as admins' graphs do: in a loop, every BENCH_FLEET_READER_PAUSE
# seconds (default 2), lowmem-graph --fleet over the whole tree, then the
# dashboard (lowmem-graph -d) of one host, the next one each time, both
# through rrdcached (--daemon). Each run's time and exit status are kept
# (the summary under the table); "could not lock" lines of the central, of
# rrdcached and of the reader are counted (column locks).
# BENCH_FLEET_WRITER=rrdtool: the central writes with the rrdtool plugin
# (CacheTimeout BENCH_FLEET_CACHE, default 20 s, CacheFlush six times that)
# instead of rrdcached; collectd's own CPU and disk bytes are measured, and
# the reader reads the files directly.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/.." && pwd)}
. "$top_srcdir/tests/integration/lib.sh"

STEPS=${BENCH_FLEET_STEPS:-10 25 50 100 200 400}
WARMUP=${BENCH_FLEET_WARMUP:-20}
SECONDS_M=${BENCH_FLEET_SECONDS:-40}
WRITE_THREADS=${BENCH_FLEET_WRITE_THREADS:-1}
RRA_SECONDS=${BENCH_FLEET_RRA_SECONDS:-300}
DEFAULT_HOSTS=${BENCH_FLEET_DEFAULT_HOSTS:-10}
BASE=${BENCH_FLEET_DIR:-/var/tmp}
DISK_MIB=${BENCH_FLEET_DISK_MiB:-1024}
MEM_MIB=${BENCH_FLEET_MEM_MiB:-1024}
READER=${BENCH_FLEET_READER:-0}
READER_PAUSE=${BENCH_FLEET_READER_PAUSE:-2}
WRITER=${BENCH_FLEET_WRITER:-rrdcached}
CACHE=${BENCH_FLEET_CACHE:-20}
GRAPH=$top_srcdir/tools/lowmem-graph
MAX_HOSTS=2000
LOWMEM_SO=${LOWMEM_SO:-${top_builddir:-$PWD}/.libs/lowmem.so}
COLLECTD=${COLLECTD:-$(command -v collectd || echo /usr/sbin/collectd)}
RRDCACHED=$(command -v rrdcached || true)
PY=/usr/bin/python3
SEND=$here/fleet-send.py
TYPESDB="/usr/share/collectd/types.db ${BENCH_FLEET_TYPESDB-$top_srcdir/lowmem-types.db}"

[ "$(id -u)" = 0 ] || lm_skip "run as root: collectd reads slabinfo, rrdcached runs in a memory cgroup"
[ -x "$COLLECTD" ] || lm_skip "collectd is not installed"
case $WRITER in rrdcached | rrdtool) ;; *) lm_skip "BENCH_FLEET_WRITER: rrdcached or rrdtool, not $WRITER" ;; esac
[[ $CACHE =~ ^[0123456789]+$ && $READER_PAUSE =~ ^[0123456789]+$ ]] ||
  lm_skip "BENCH_FLEET_CACHE and BENCH_FLEET_READER_PAUSE: whole seconds"
[ "$READER" = 0 ] || [ -x "$GRAPH" ] || lm_skip "no lowmem-graph at $GRAPH"
[ -n "$RRDCACHED" ] || [ "$WRITER" = rrdtool ] || lm_skip "rrdcached is not installed (scripts/install-deps.sh)"
[ -x "$PY" ] || lm_skip "python3 is not installed"
command -v rrdtool >/dev/null || lm_skip "rrdtool is not installed"
[ -f "$LOWMEM_SO" ] || lm_skip "no built plugin at $LOWMEM_SO (run from the build tree after make, or set LOWMEM_SO)"
for p in network rrdcached rrdtool logfile; do
  [ -f "/usr/lib/collectd/$p.so" ] || lm_skip "no stock plugin $p.so"
done
for n in $STEPS $DEFAULT_HOSTS; do
  [[ $n =~ ^[0123456789]+$ ]] && [ "$n" -le $MAX_HOSTS ] ||
    lm_skip "BENCH_FLEET_STEPS: numbers of hosts up to $MAX_HOSTS, not $n"
done

LM_TMP=$(mktemp -d /tmp/lowmem-fleet.XXXXXX)
TREE_PARENT=$(mktemp -d "$BASE/lowmem-fleet-rrd.XXXXXX")
SENDER_PID=
cleanup_fleet() {
  stop_central
  if [ -n "$SENDER_PID" ]; then kill "$SENDER_PID" 2>/dev/null || true; fi
  rm -rf -- "$TREE_PARENT"
}
lm_cleanup_hook() { cleanup_fleet; }
trap lm_cleanup EXIT
trap 'exit 1' INT TERM
lm_memcg lowmem-fleet $((MEM_MIB << 20))

mkdir "$LM_TMP/plugins"
for p in network rrdcached rrdtool logfile; do cp "/usr/lib/collectd/$p.so" "$LM_TMP/plugins/"; done
cp "$LOWMEM_SO" "$LM_TMP/plugins/lowmem.so"
typesdb_lines() {
  local t
  for t in $TYPESDB; do
    [ -f "$t" ] || lm_skip "no types.db at $t"
    printf 'TypesDB "%s"\n' "$t"
  done
}

# free_port: a UDP port nobody listens on, from the kernel.
free_port() {
  "$PY" -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# cg_pid NAME: the process of that name in the benchmark's memory cgroup
# (lm_memcg_exec runs it under timeout, in a subshell).
cg_pid() {
  local p
  for p in $(cat "$LM_CG/cgroup.procs"); do
    if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ]; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# --- the shape of one host ------------------------------------------------------

port=$(free_port)
run=$LM_TMP/sender
mkdir "$run"
cat >"$run/collectd.conf" <<EOF
Hostname "shape"
FQDNLookup false
Interval 1
BaseDir "$run"
PIDFile "$run/collectd.pid"
PluginDir "$LM_TMP/plugins"
$(typesdb_lines)
LoadPlugin logfile
<Plugin logfile>
  File "$run/collectd.log"
  LogLevel info
</Plugin>
LoadPlugin network
<Plugin network>
  Server "127.0.0.1" "$port"
</Plugin>
<LoadPlugin lowmem>
  Interval 1
</LoadPlugin>
<Plugin lowmem>
</Plugin>
EOF
if [ -n "${BENCH_FLEET_SHAPE:-}" ]; then
  cp -- "$BENCH_FLEET_SHAPE" "$LM_TMP/shape"
else
  "$PY" "$SEND" capture "$port" 12 >"$LM_TMP/shape" &
  cap=$!
  sleep 0.5
  lm_memcg_exec 30 "$COLLECTD" -f -C "$run/collectd.conf" >"$run/stdout" 2>&1 &
  snd=$!
  wait "$cap" || { tail -n 20 "$run/collectd.log" >&2 || true; lm_skip "no shape captured from collectd + lowmem"; }
  p=$(cg_pid collectd) && kill -TERM "$p" 2>/dev/null || true
  wait "$snd" 2>/dev/null || true
fi
VALUES=$(wc -l <"$LM_TMP/shape")
FILES=$VALUES # one RRD file a value list
echo "# one host: $VALUES value lists a second, captured from collectd + lowmem ($(cut -f1 "$LM_TMP/shape" | sort | uniq -c | awk '{ printf "%s%s %s", sep, $2, $1; sep = ", " }'))"
[ "$VALUES" -gt 10 ] || lm_skip "the captured shape has only $VALUES value lists"

# The disk bound: files of one RRA per function (or collectd's default RRAs).
file_bytes() { # ROWS_1S DEFAULT(0/1)
  if [ "$2" = 1 ]; then echo $(((3600 + 4 * 1200) * 3 * 8 + 4096)); else echo $(($1 * 3 * 8 + 4096)); fi
}
for n in $STEPS "$DEFAULT_HOSTS-default"; do
  if [ "${n%-default}" != "$n" ]; then
    need=$((${n%-default} * FILES * $(file_bytes 0 1)))
  else
    need=$((n * FILES * $(file_bytes "$RRA_SECONDS" 0)))
  fi
  [ $need -le $((DISK_MIB << 20)) ] ||
    lm_skip "$n hosts need $((need >> 20)) MiB of RRD files, more than BENCH_FLEET_DISK_MiB=$DISK_MIB"
done
avail=$(df -P -k "$BASE" | awk 'NR == 2 { print $4 }')
[ $((avail << 10)) -gt $((DISK_MIB << 20)) ] || lm_skip "less than $DISK_MIB MiB free in $BASE"

# --- one central ------------------------------------------------------------------

CPID='' RPID='' CJOB='' RJOB='' SOCK='' TREE='' CLOG=''
stop_central() {
  local p
  for p in $CPID $RPID; do
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in $CPID $RPID; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  for p in $CJOB $RJOB; do wait "$p" 2>/dev/null || true; done
  CPID='' RPID='' CJOB='' RJOB=''
}


# start_central NAME DEFAULT_RRAS(0/1)
start_central() {
  local name=$1 rra
  run=$LM_TMP/$name
  mkdir -p "$run"
  TREE=$TREE_PARENT/$name
  mkdir -p "$TREE"
  SOCK=$run/rrdcached.sock
  CLOG=$run/collectd.log
  port=$(free_port)
  if [ "$2" = 1 ]; then rra=; else rra="  RRARows $RRA_SECONDS
  RRATimespan $RRA_SECONDS"; fi
  : >"$run/rrdcached.out"
  if [ "$WRITER" = rrdcached ]; then
    lm_memcg_exec $((WARMUP + SECONDS_M + 120)) "$RRDCACHED" -g -l "unix:$SOCK" -p "$run/rrdcached.pid" \
      -w 30 -z 15 -t 4 >"$run/rrdcached.out" 2>&1 &
    RJOB=$!
    lm_wait_for 10 test -S "$SOCK" || { cat "$run/rrdcached.out" >&2; lm_not_ok "rrdcached starts"; lm_done; }
    RPID=$(cg_pid rrdcached)
    writer="LoadPlugin rrdcached
<Plugin rrdcached>
  DaemonAddress \"unix:$SOCK\"
  DataDir \"$TREE\"
  CreateFiles true"
  else
    writer="LoadPlugin rrdtool
<Plugin rrdtool>
  DataDir \"$TREE\"
  CacheTimeout $CACHE
  CacheFlush $((CACHE * 6))"
  fi
  cat >"$run/collectd.conf" <<EOF
Hostname "central"
FQDNLookup false
Interval 1
WriteThreads $WRITE_THREADS
WriteQueueLimitHigh 200000
WriteQueueLimitLow 150000
BaseDir "$run"
PIDFile "$run/collectd.pid"
PluginDir "$LM_TMP/plugins"
$(typesdb_lines)
LoadPlugin logfile
<Plugin logfile>
  File "$CLOG"
  LogLevel info
</Plugin>
LoadPlugin network
<Plugin network>
  Listen "127.0.0.1" "$port"
  ReportStats true
</Plugin>
$writer
  StepSize 1
  HeartBeat 2
$rra
</Plugin>
EOF
  lm_memcg_exec $((WARMUP + SECONDS_M + 120)) "$COLLECTD" -f -C "$run/collectd.conf" >"$run/stdout" 2>&1 &
  CJOB=$!
  lm_wait_for 10 grep -q -s 'Initialization complete' "$CLOG" ||
    { cat "$run/stdout" "$CLOG" >&2; lm_not_ok "the central collectd starts"; lm_done; }
  CPID=$(cg_pid collectd)
}

cpu_ns() { [ -n "$1" ] || { echo 0; return; }; cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
io_write() { awk '$1 == "write_bytes:" { print $2 }' "/proc/$1/io"; }
rrd_stat() { [ "$WRITER" = rrdcached ] || return 0; "$PY" "$SEND" stats "$SOCK" | awk -v k="$1" '$1 == k { print $2 }'; }
# udp_drops PORT: the kernel's drops on the socket bound to 127.0.0.1:PORT.
udp_drops() {
  awk -v p="$(printf ':%04X' "$1")" '$2 ~ p "$" { print $NF; found = 1 } END { if (!found) print 0 }' /proc/net/udp
}
too_old() { grep -c -e 'too old' -e 'illegal attempt to update' "$CLOG" || true; }
# locks: "could not lock" lines of the central, rrdcached and the reader.
locks() { cat "$CLOG" "$run/rrdcached.out" "$LM_TMP/reader.err" 2>/dev/null | grep -c 'could not lock' || true; }
# queue_marks: collectd's "Low water mark reached. Dropping N% of metrics"
# lines: its write queue held more than WriteQueueLimitLow values (N > 0:
# past the high mark, values dropped).
queue_marks() { grep -c 'Low water mark reached' "$CLOG" || true; }
# accepted: the central's network plugin's count of values dispatched (its
# ReportStats counter, through rrdcached, flushed first).
accepted() {
  local via=(--daemon "unix:$SOCK")
  if [ "$WRITER" = rrdtool ]; then # SIGUSR1: collectd flushes its cache
    kill -USR1 "$CPID" 2>/dev/null || true
    sleep 2
    via=()
  fi
  rrdtool lastupdate "${via[@]}" "$TREE/central/network/total_values-dispatch-accepted.rrd" 2>/dev/null |
    awk -F': *' 'NF == 2 && $1 ~ /^[0-9]+$/ { v = $2 } END { print v + 0 }'
}

# --- the front-end -----------------------------------------------------------------

# reader NAME HOSTS END: until the epoch second END (and at most 10 000
# runs), the fleet view of the tree, then one host's dashboard, each under
# a timeout, in the benchmark's memory cgroup; a line a run in
# $LM_TMP/reader-NAME: what, exit status, milliseconds.
reader() {
  local name=$1 n=$2 end=$3 i=0 t0 rc host via=()
  local out=$LM_TMP/reader-out log=$LM_TMP/reader-$1
  [ "$WRITER" = rrdtool ] || via=(--daemon "unix:$SOCK")
  mkdir -p "$out"
  while [ "$(date +%s)" -lt "$end" ] && [ $i -lt 10000 ]; do
    t0=$(date +%s%N)
    rc=0
    lm_memcg_exec 120 "$GRAPH" --fleet "$TREE" "${via[@]}" --dashboards 0 -s end-10min \
      -o "$out/fleet" >/dev/null 2>>"$LM_TMP/reader.err" || rc=$?
    echo "fleet $rc $((($(date +%s%N) - t0) / 1000000))" >>"$log"
    host=$(printf 'h%sx%04d' "$n" $((i % n + 1)))
    t0=$(date +%s%N)
    rc=0
    lm_memcg_exec 120 "$GRAPH" -d "$TREE/$host" "${via[@]}" -s end-10min \
      -o "$out/host" >/dev/null 2>>"$LM_TMP/reader.err" || rc=$?
    echo "host $rc $((($(date +%s%N) - t0) / 1000000))" >>"$log"
    i=$((i + 1))
    sleep "$READER_PAUSE"
  done
}

# reader_summary NAME: runs, failures, median and largest time, per kind.
reader_summary() {
  local k
  for k in fleet host; do
    awk -v k="$k" '$1 == k { print $3, $2 }' "$LM_TMP/reader-$1" 2>/dev/null | sort -n |
      awk -v name="$1" -v k="$k" '{ t[NR] = $1; if ($2 != 0) bad++ }
        END { if (NR) printf "# %s: reader %s: %d runs, %d failed, median %d ms, largest %d ms\n",
                name, (k == "fleet" ? "lowmem-graph --fleet" : "lowmem-graph -d HOST"), NR, bad, t[int((NR + 1) / 2)], t[NR] }'
  done
}

# --- the steps --------------------------------------------------------------------

results=$LM_TMP/results
printf '%-12s %8s %9s %9s %9s %7s %7s %7s %5s %7s %11s %8s %5s  %s\n' hosts values/s collectd% rrdcached% sender% lost drops too_old locks queue diskB/h/s cores/100h load verdict >"$results"

# step NAME HOSTS DEFAULT_RRAS: one central, HOSTS senders; appends a row.
IDLE_C=0 IDLE_R=0
BROKE=
step() {
  local name=$1 n=$2 def=$3 c0 c1 r0 r1 w0 w1 t0 t1 o0 o1 q0 q1 a0 q qmax=0 qlast=0 d0 d1 wall sent=0 lost=0
  local l0 l1 rjob='' wpid
  local load first_drop='' stats=$LM_TMP/sender-$1.out
  start_central "$name" "$def"
  # Warm-up: the hosts' files are created; then a pause for the central to
  # catch up, so that the measure starts from a steady state.
  if [ "$n" -gt 0 ]; then
    timeout $((WARMUP + 30)) "$PY" "$SEND" send "$LM_TMP/shape" "$port" "$n" "$WARMUP" "h${n}x" >/dev/null 2>&1 || true
    sleep 5
  else
    sleep "$WARMUP"
  fi
  wpid=${RPID:-$CPID} # the process that writes the files
  a0=$(accepted)
  c0=$(cpu_ns "$CPID") r0=$(cpu_ns "$RPID") w0=$(io_write "$wpid") o0=$(too_old) d0=$(udp_drops "$port")
  q0=$(queue_marks) l0=$(locks)
  t0=$(date +%s%N)
  if [ "$n" -gt 0 ]; then
    timeout $((SECONDS_M + 30)) "$PY" "$SEND" send "$LM_TMP/shape" "$port" "$n" "$SECONDS_M" "h${n}x" >"$stats" 2>&1 &
    SENDER_PID=$!
  fi
  local m=$SECONDS_M # the idle central: a rate, 60 s are enough
  [ "$n" -gt 0 ] || [ "$m" -le 60 ] || m=60
  local end=$((SECONDS + m))
  if [ "$READER" != 0 ] && [ "$n" -gt 0 ]; then
    reader "$name" "$n" $(($(date +%s) + m)) &
    rjob=$!
  fi
  while [ $SECONDS -lt $end ]; do
    sleep 5
    q=$(rrd_stat QueueLength)
    q=${q:-0}
    [ "$q" -le "$qmax" ] || qmax=$q
    qlast=$q
    if [ -z "$first_drop" ] && [ "$(udp_drops "$port")" -gt "$d0" ]; then first_drop=$(date +%T); fi
  done
  if [ -n "$SENDER_PID" ]; then
    wait "$SENDER_PID" || true
    SENDER_PID=
  fi
  c1=$(cpu_ns "$CPID") r1=$(cpu_ns "$RPID") w1=$(io_write "$wpid") o1=$(too_old) d1=$(udp_drops "$port")
  t1=$(date +%s%N)
  if [ -n "$rjob" ]; then wait "$rjob" || true; fi
  load=$(cut -d' ' -f1 /proc/loadavg)
  sleep 3 # the central's next ReportStats
  if [ "$n" -gt 0 ]; then
    sent=$(awk '{ print $4 }' "$stats")
    lost=$((sent - ($(accepted) - a0)))
  fi
  q1=$(queue_marks) l1=$(locks)
  stop_central
  rm -rf -- "$TREE"
  wall=$((t1 - t0))
  awk -v name="$name" -v n="$n" -v v="$VALUES" -v c=$((c1 - c0)) -v r=$((r1 - r0)) -v w=$((w1 - w0)) \
    -v wall="$wall" -v ic="$IDLE_C" -v ir="$IDLE_R" -v lost="$lost" -v drops=$((d1 - d0)) \
    -v old=$((o1 - o0)) -v lk=$((l1 - l0)) -v qd=$((q1 - q0)) -v qmax="$qmax" -v qlast="$qlast" -v files=$((n * FILES)) \
    -v sender="$(awk '{ print $8 }' "$stats" 2>/dev/null || echo 0)" -v missed="$(awk '{ print $6 }' "$stats" 2>/dev/null || echo 0)" \
    -v load="$load" '
    BEGIN {
      cp = 100 * c / wall - ic; rp = 100 * r / wall - ir
      verdict = "holds"; why = ""
      if (lost > 0) why = why " lost"
      if (drops > 0) why = why " udp-drops"
      if (old > 0) why = why " too-old"
      if (lk > 0) why = why " could-not-lock"
      if (qd > 0) why = why " write-backlog"
      if (files > 0 && qlast > files / 2) why = why " rrdcached-queue"
      if (missed > 0) why = why " sender-behind"
      if (why != "") verdict = "BREAKS:" why
      printf "%-12s %8d %9.1f %9.1f %9.1f %7d %7d %7d %5d %7s %11.0f %8.2f %5s  %s\n", name, n * v,
        cp, rp, 100 * sender / (wall / 1e9), lost, drops, old, lk, qmax "/" qlast,
        (n > 0 ? w / (wall / 1e9) / n : 0), (n > 0 ? (cp + rp) / n : 0), load, verdict
    }' >>"$results"
  case $(tail -n 1 "$results") in
  *BREAKS*)
    {
      [ -z "$first_drop" ] || echo "# $name: the kernel's first drops on the central's socket seen at $first_drop"
      cat "$CLOG" "$run/rrdcached.out" "$LM_TMP/reader.err" 2>/dev/null |
        grep -e 'too old' -e 'illegal attempt' -e 'Low water mark' -e 'could not lock' | head -n 3 | sed "s/^/# $name: /"
    } >>"$LM_TMP/why" || true
    ;;
  esac
  tail -n 1 "$results"
  if [ -n "$rjob" ]; then reader_summary "$name" | tee -a "$LM_TMP/readers"; fi
  if [ "$n" = 0 ]; then
    IDLE_C=$(awk -v c=$((c1 - c0)) -v w="$wall" 'BEGIN { print 100 * c / w }')
    IDLE_R=$(awk -v r=$((r1 - r0)) -v w="$wall" 'BEGIN { print 100 * r / w }')
  fi
  case $(tail -n 1 "$results") in *BREAKS*) BROKE=$name ;; esac
}

head -n 1 "$results"
step idle 0 0
for n in $STEPS; do
  step "$n" "$n" 0
  [ -z "$BROKE" ] || break
done
if [ "$DEFAULT_HOSTS" -gt 0 ]; then
  BROKE_SAVE=$BROKE
  step "$DEFAULT_HOSTS-default" "$DEFAULT_HOSTS" 1
  BROKE=$BROKE_SAVE
fi

echo
echo "# collectd%, rrdcached%: % of one core less the idle central's (first row); cores/100h: both, in cores"
echo "# per 100 hosts; lost: values sent less those the central dispatched; drops: the kernel's, on its socket;"
echo "# too_old: lines in the log; queue: rrdcached's QueueLength, largest/last; diskB/h/s: bytes"
echo "# rrdcached dirtied a host a second; load: the machine's 1-minute load average at the end of the step."
if [ "$WRITER" = rrdtool ]; then
  echo "# the rrdtool plugin writes (CacheTimeout $CACHE, CacheFlush $((CACHE * 6))): rrdcached% is 0, diskB/h/s is collectd's"
fi
if [ -f "$LM_TMP/readers" ]; then cat "$LM_TMP/readers"; fi
echo "# WriteThreads $WRITE_THREADS, RRAs of $RRA_SECONDS x 1 s (N-default: collectd's); $(nproc) CPUs."
if [ -n "$BROKE" ]; then echo "# first step that does not hold: $BROKE hosts"; else echo "# every step held"; fi
if [ -f "$LM_TMP/why" ]; then cat "$LM_TMP/why"; fi
if [ -n "${BENCH_FLEET_RESULTS:-}" ]; then
  cp "$results" "$BENCH_FLEET_RESULTS"
  cp "$LM_TMP/shape" "$BENCH_FLEET_RESULTS.shape"
fi
