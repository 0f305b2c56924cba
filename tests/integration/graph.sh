#!/bin/bash
# lowmem-graph on RRD files written by a real collectd + lowmem run: on the
# live kernel, and on the incident's fixture tree (a HighMem machine). Each
# expected PNG exists, has the requested size and is not blank; every
# identifier the graphs need is one the plugin really wrote. Then the
# incident record that run wrote (its headroom FAILURE), drawn at full
# resolution with gnuplot.
#
# The record's sampling is judged where the probe (lib.sh) saw the machine
# give a plain process its wakeups, and skipped where it did not.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_setup
command -v identify >/dev/null || lm_skip "ImageMagick's identify is not installed"
GRAPH=$top_srcdir/tools/lowmem-graph
W=640 H=240
GAP_LATE_S=0.3 # the probe's latest wakeup that leaves a 0.1 s sampler gaps under 0.5 s

# render NAME: run lowmem-graph over the last run's RRD directory.
render() {
  local outdir=$LM_TMP/graphs-$1
  "$GRAPH" -d "$LM_RRD/$LM_HOST" -o "$outdir" -s end-60s -W $W -H $H >"$LM_TMP/graph-$1.out" 2>&1
  echo "$outdir"
}

# check_png DIR NAME: exists, W x H, more than a few colours.
check_png() {
  local f=$1/$2.png
  if [ ! -f "$f" ]; then
    lm_not_ok "$2.png was drawn"
    return 0
  fi
  local size colours
  size=$(identify -format '%w %h' "$f")
  colours=$(identify -format '%k' "$f")
  lm_check "$2.png is ${W}x$H ($size)" [ "$size" = "$W $H" ]
  lm_check "$2.png is not blank ($colours colours)" [ "$colours" -gt 8 ]
}

run() {
  local name=$1 body=$2
  lm_conf "$name" "$body"
  lm_start 180
  lm_wait_values lowmem system-free 60 || true
  sleep 12
  lm_stop
}

# A listener with a few connections, so the web server graph has a port.
HOLD=$top_builddir/tests/integration/conn-hold
port=
if [ -x "$HOLD" ]; then
  coproc HOLDER { "$HOLD" -t 240; }
  echo "listen 127.0.0.1 0 16 accept" >&"${HOLDER[1]}"
  read -r -t 60 answer <&"${HOLDER[0]}" || answer=
  port=$(echo "$answer" | awk '/^ok/ { print $NF }')
  echo "connect 127.0.0.1 $port 5 none" >&"${HOLDER[1]}"
  read -r -t 60 answer <&"${HOLDER[0]}" || true
fi
lm_probe_start

echo "# live: lowmem on /proc for 12 s${port:+, port $port}"
run live "  SampleInterval 0.1${port:+
  Port $port}"
out=$(render live)
lm_check "lowmem-graph drew the live dashboard: $(cat "$LM_TMP/graph-live.out")" [ -f "$out/index.html" ]
for z in $(cd "$LM_RRD/$LM_HOST" && ls -d lowmem-node*-* | sed 's/^lowmem-//'); do
  for g in zone headroom buddy; do check_png "$out" "$g-$z"; done
  [ ! -f "$LM_RRD/$LM_HOST/lowmem-$z/zone-free.rrd" ] || check_png "$out" "occupancy-$z"
done
for g in slab slab-caches dirty reclaim stalls; do check_png "$out" "$g"; done
[ ! -d "$LM_RRD/$LM_HOST/lowmem-pressure" ] || check_png "$out" pressure
[ ! -d "$LM_RRD/$LM_HOST/lowmem-writeback" ] || check_png "$out" threads
if [ -n "$port" ]; then
  check_png "$out" "apache-$port"
  echo quit >&"${HOLDER[1]}" || true
else
  lm_not_ok "conn-hold gave a listening port for the web server graph"
fi
lm_check "no HighMem graph on a machine without HighMem" [ ! -f "$out/lowhigh.png" ]
n_img=$(grep -c '<img ' "$out/index.html")
n_png=$(ls "$out"/*.png | wc -l)
lm_check "index.html shows every PNG ($n_img of $n_png)" [ "$n_img" = "$n_png" ]

# The graphs read identifiers the plugin writes: each one lowmem-graph
# needs on every machine must be in this run's RRD directory.
while read -r kind id; do
  [ "$kind" = required ] || continue
  lm_check "graphed identifier $id exists in the run's RRD files" [ -f "$LM_RRD/$LM_HOST/$id.rrd" ]
done < <("$GRAPH" --identifiers)

echo "# incident: the 2.6.39 HighMem fixture tree"
run incident "  ProcPath \"$top_srcdir/tests/fixtures/incident-2.6.39-i686/proc\"
  RecordAfterSeconds 1"
out=$(render incident)
check_png "$out" lowhigh
check_png "$out" headroom-node0-Normal
check_png "$out" zone-node0-HighMem
check_png "$out" occupancy-node0-Normal
lm_check "no pressure graph for a kernel without PSI" [ ! -f "$out/pressure.png" ]

echo "# the incident record of that run"
if command -v gnuplot >/dev/null && command -v jq >/dev/null; then
  rec=$(ls "$LM_RUN"/lowmem/incident-*.json 2>/dev/null | head -n 1 || true)
  if [ -z "$rec" ]; then
    lm_not_ok "the incident run wrote an incident record"
  else
    out=$LM_TMP/graphs-record
    "$GRAPH" --incident "$rec" -o "$out" -W $W -H $H >"$LM_TMP/graph-record.out" 2>&1 || true
    lm_check "lowmem-graph --incident: $(cat "$LM_TMP/graph-record.out")" [ -f "$out/incident.html" ]
    for z in node0-DMA node0-Normal node0-HighMem; do
      check_png "$out" "incident-zone-$z"
      check_png "$out" "incident-headroom-$z"
    done
    check_png "$out" incident-memory
    check_png "$out" incident-reclaim
    lm_check "incident.html lists the event" grep -q 'FAILURE node0-Normal order-1 headroom' "$out/incident.html"
    samples=$(jq '.samples | length' "$rec")
    gap=$(jq '[.samples | . as $s | range(1; length) | $s[.].time - $s[. - 1].time] | max' "$rec")
    worst=$(lm_probe_late "$(jq '.samples[0].time' "$rec")" "$(jq '.samples[-1].time' "$rec")" | cut -d' ' -f1)
    if awk -v w="$worst" -v m="$GAP_LATE_S" 'BEGIN { exit !(w <= m) }'; then
      lm_check "the record holds sub-second samples ($samples, the longest gap $gap s)" \
        awk -v n="$samples" -v g="$gap" 'BEGIN { exit !(n >= 10 && g < 0.5) }'
    else
      lm_skip_check "the record's sub-second samples ($samples, the longest gap $gap s): the probe woke ${worst}s late meanwhile (at most ${GAP_LATE_S}s)"
    fi
    around=$(jq '.events[0].time as $t | [.samples[] | select(.time < $t)] | length' "$rec")
    lm_check "... some of them before the event ($around)" [ "$around" -ge 1 ]
  fi
else
  lm_not_ok "gnuplot and jq are installed (scripts/install-deps.sh)"
fi

lm_done
