#!/bin/bash
# What writing one lowmem host's 1-second RRD files costs a central
# collectd: one sender on loopback (lowmem over this machine's /proc,
# SampleInterval 0.1) into a central that writes its values
#   none      - receives them and writes nothing (the baseline),
#   rrdtool   - with the rrdtool plugin, each update written at once
#               (CacheTimeout 0),
#   cached    - with the rrdtool plugin's cache (CacheTimeout CACHE,
#               CacheFlush 10 x CACHE),
#   rrdcached - through rrdcached (its own CPU counted too; -w CACHE).
# Each for SECONDS seconds after a warm-up; the CPU (user + system) of the
# central (and rrdcached) from /proc, as a share of one core and as a
# ratio to the baseline measured in the same run. SECONDS should be
# several times CACHE, so that the batched writes fall in the window (a
# longer CACHE in production makes the batches larger and cheaper per
# update). Rounds alternate the setups, so that the machine's other load
# falls on all of them.
#
#   bench/fleet-cost.sh [SECONDS] [ROUNDS] [CACHE]
#   (root; default 90 2 20; LOWMEM_SO)
set -euo pipefail

seconds=${1:-90}
rounds=${2:-2}
cache=${3:-20}
warmup=10
so=${LOWMEM_SO:-.libs/lowmem.so}
top=$(cd "$(dirname "$0")/.." && pwd)
plugins=/usr/lib/collectd
[ "$(id -u)" = 0 ] || { echo "fleet-cost: run as root" >&2; exit 77; }
[ -f "$so" ] || { echo "fleet-cost: no $so (make first, or LOWMEM_SO)" >&2; exit 1; }
command -v rrdcached >/dev/null || { echo "fleet-cost: rrdcached not found" >&2; exit 77; }

tmp=$(mktemp -d /tmp/lowmem-fleet-cost.XXXXXX)
pids=()
cleanup() {
  local p
  for p in ${pids[@]+"${pids[@]}"}; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir "$tmp/plugins"
for p in logfile rrdtool rrdcached network; do cp "$plugins/$p.so" "$tmp/plugins/"; done
cp "$so" "$tmp/plugins/lowmem.so"
hz=$(getconf CLK_TCK)

port=
for _ in $(seq 50); do
  p=$((20000 + RANDOM % 20000))
  if ! ss -Hlun "sport = :$p" | grep -q .; then port=$p; break; fi
done
[ -n "$port" ] || { echo "fleet-cost: no free UDP port" >&2; exit 1; }

conf() { # conf DIR HOSTNAME BODY
  mkdir -p "$1"
  cat >"$1/collectd.conf" <<EOF
Hostname "$2"
FQDNLookup false
Interval 1
BaseDir "$1"
PIDFile "$1/collectd.pid"
PluginDir "$tmp/plugins"
TypesDB "/usr/share/collectd/types.db" "$top/lowmem-types.db"
WriteThreads 1
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$1/collectd.log"
</Plugin>
$3
EOF
}
# ticks PID: user + system clock ticks of a process.
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
# child PID: the process `timeout` runs.
child() {
  local c=
  for _ in $(seq 100); do
    c=$(ps -o pid= --ppid "$1" | tr -d ' ')
    [ -n "$c" ] && break
    sleep 0.1
  done
  echo "$c"
}

sender=$tmp/sender
conf "$sender" sender "LoadPlugin network
<Plugin network>
  Server \"127.0.0.1\" \"$port\"
</Plugin>
LoadPlugin lowmem
<Plugin lowmem>
  SampleInterval 0.1
</Plugin>"

declare -A sum
setups="none rrdtool cached rrdcached"
for round in $(seq "$rounds"); do
  for setup in $setups; do
    run=$tmp/r$round-$setup
    mkdir -p "$run/rrd"
    writer=
    case $setup in
    rrdtool) writer="LoadPlugin rrdtool
<Plugin rrdtool>
  DataDir \"$run/rrd\"
  CacheTimeout 0
</Plugin>" ;;
    cached) writer="LoadPlugin rrdtool
<Plugin rrdtool>
  DataDir \"$run/rrd\"
  CacheTimeout $cache
  CacheFlush $((10 * cache))
</Plugin>" ;;
    rrdcached) writer="LoadPlugin rrdcached
<Plugin rrdcached>
  DaemonAddress \"unix:$run/rrdcached.sock\"
  DataDir \"$run/rrd\"
  CreateFiles true
</Plugin>" ;;
    esac
    conf "$run" central "LoadPlugin network
<Plugin network>
  Listen \"127.0.0.1\" \"$port\"
</Plugin>
$writer"
    rc_pid=
    if [ "$setup" = rrdcached ]; then
      timeout -s TERM -k 5 $((seconds + warmup + 60)) rrdcached -g -l "unix:$run/rrdcached.sock" \
        -b "$run/rrd" -B -w "$cache" >"$run/rrdcached.log" 2>&1 &
      pids+=($!)
      rc_pid=$(child $!)
      for _ in $(seq 100); do [ -S "$run/rrdcached.sock" ] && break; sleep 0.1; done
    fi
    timeout -s TERM -k 5 $((seconds + warmup + 30)) collectd -f -C "$run/collectd.conf" >/dev/null 2>&1 &
    pids+=($!)
    central=$(child $!)
    timeout -s TERM -k 5 $((seconds + warmup + 20)) collectd -f -C "$sender/collectd.conf" >/dev/null 2>&1 &
    pids+=($!)
    sleep "$warmup"
    t0=$(ticks "$central")
    r0=0
    [ -z "$rc_pid" ] || r0=$(ticks "$rc_pid")
    sleep "$seconds"
    t1=$(ticks "$central")
    r1=0
    [ -z "$rc_pid" ] || r1=$(ticks "$rc_pid")
    for p in ${pids[@]+"${pids[@]}"}; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    pids=()
    share=$(awk -v a=$((t1 - t0 + r1 - r0)) -v hz="$hz" -v s="$seconds" 'BEGIN { printf "%.4f", a / hz / s }')
    files=$(find "$run/rrd" -name '*.rrd' | wc -l)
    echo "# round $round $setup: $share of a core ($files RRD files)"
    sum[$setup]=$(awk -v a="${sum[$setup]:-0}" -v b="$share" 'BEGIN { print a + b }')
  done
done

printf '%-10s %14s %18s\n' setup "% of a core" "ratio to none"
base=${sum[none]}
for setup in $setups; do
  awk -v s="${sum[$setup]}" -v b="$base" -v r="$rounds" -v n="$setup" \
    'BEGIN { printf "%-10s %14.2f %18s\n", n, 100 * s / r, (b > 0 ? sprintf("%.2f", s / b) : "-") }'
done
