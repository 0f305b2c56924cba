#!/bin/bash
# Where "uc_update: Value too old" comes from at a central collectd: two
# senders on loopback, one running lowmem (hostname "lowmem", values
# stamped on its 1 s grid), one running collectd's stock plugins at
# Interval 1 (hostname "stock": cpu, memory, load, interface, vmem, disk),
# send to one central that writes RRD files with the rrdtool plugin (each
# update written at once, as a busy central's are); the central runs
# SECONDS seconds with WriteThreads 5 (collectd's default), then again
# with WriteThreads 1. Prints, per run and per sender, the values refused
# as "too old", and whether each sender's own CSV rows (one write thread)
# are in time order per identifier.
#
#   bench/fleet-order.sh [SECONDS]     (root; default 120; LOWMEM_SO)
set -euo pipefail

seconds=${1:-120}
so=${LOWMEM_SO:-.libs/lowmem.so}
top=$(cd "$(dirname "$0")/.." && pwd)
plugins=/usr/lib/collectd
[ "$(id -u)" = 0 ] || { echo "fleet-order: run as root" >&2; exit 77; }
[ -f "$so" ] || { echo "fleet-order: no $so (make first, or LOWMEM_SO)" >&2; exit 1; }
command -v ss >/dev/null || { echo "fleet-order: ss not found" >&2; exit 77; }

tmp=$(mktemp -d /tmp/lowmem-fleet-order.XXXXXX)
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
for p in logfile csv rrdtool network cpu memory load interface vmem disk; do
  cp "$plugins/$p.so" "$tmp/plugins/"
done
cp "$so" "$tmp/plugins/lowmem.so"

port=
for _ in $(seq 50); do
  p=$((20000 + RANDOM % 20000))
  if ! ss -Hlun "sport = :$p" | grep -q .; then port=$p; break; fi
done
[ -n "$port" ] || { echo "fleet-order: no free UDP port" >&2; exit 1; }

# conf DIR HOSTNAME BODY: a collectd.conf logging to DIR/collectd.log.
conf() {
  mkdir -p "$1"
  cat >"$1/collectd.conf" <<EOF
Hostname "$2"
FQDNLookup false
Interval 1
BaseDir "$1"
PIDFile "$1/collectd.pid"
PluginDir "$tmp/plugins"
TypesDB "/usr/share/collectd/types.db" "$top/lowmem-types.db"
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$1/collectd.log"
</Plugin>
$3
EOF
}
start() { # start DIR SECONDS
  timeout -s TERM -k 5 "$2" collectd -f -C "$1/collectd.conf" >"$1/stdout" 2>&1 &
  pids+=($!)
}

sender_body="LoadPlugin network
<Plugin network>
  Server \"127.0.0.1\" \"$port\"
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir \"DIR/csv\"
</Plugin>
WriteThreads 1"

printf '%-14s %-8s %8s %10s %s\n' run sender values too_old "sender's own rows in time order"
for threads in 5 1; do
  run=$tmp/threads$threads
  conf "$run/central" central "WriteThreads $threads
LoadPlugin network
<Plugin network>
  Listen \"127.0.0.1\" \"$port\"
</Plugin>
LoadPlugin rrdtool
<Plugin rrdtool>
  DataDir \"$run/central/rrd\"
  CacheTimeout 0
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir \"$run/central/csv\"
</Plugin>"
  conf "$run/lowmem" lowmem "${sender_body//DIR/$run/lowmem}
LoadPlugin lowmem
<Plugin lowmem>
  SampleInterval 0.1
</Plugin>"
  conf "$run/stock" stock "${sender_body//DIR/$run/stock}
LoadPlugin cpu
LoadPlugin memory
LoadPlugin load
LoadPlugin interface
LoadPlugin vmem
LoadPlugin disk"
  start "$run/central" $((seconds + 30))
  for _ in $(seq 100); do
    ss -Hlun "sport = :$port" | grep -q . && break
    sleep 0.1
  done
  start "$run/lowmem" $((seconds + 5))
  start "$run/stock" $((seconds + 5))
  sleep $((seconds + 12))
  for p in ${pids[@]+"${pids[@]}"}; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
  for s in lowmem stock; do
    values=$(cat "$run/central/csv/$s"/*/* 2>/dev/null | grep -vc '^epoch' || true)
    old=$(grep -c "Value too old: name = $s/" "$run/central/collectd.log" || true)
    # Each identifier's rows as its sender wrote them, one write thread:
    # the order the sender dispatched them in.
    unordered=0
    for f in "$run/$s/csv/$s"/*/*; do
      awk -F, 'NR > 1 && $1 <= p { bad = 1 } NR > 1 { p = $1 } END { exit bad }' "$f" ||
        unordered=$((unordered + 1))
    done
    printf '%-14s %-8s %8s %10s %s\n' "WriteThreads $threads" "$s" "$values" "$old" \
      "$([ "$unordered" = 0 ] && echo yes || echo "no ($unordered files)")"
  done
done
