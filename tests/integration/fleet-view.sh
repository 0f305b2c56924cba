#!/bin/bash
# lowmem-graph --fleet over a central collectd's RRD tree of 55 hosts,
# written with rrdtool create/update as collectd's rrdtool plugin writes
# them (step 1, its default RRAs: 3600 rows of 1 s, 1200 rows of 72 s, 504 s,
# 2232 s and 26352 s, each AVERAGE, MIN and MAX, xff 0.1, heartbeat 2 s).
#
# Four hosts replay the incident: their Normal zone goes from a healthy
# state to the one of the incident's /proc files
# (tests/fixtures/incident-2.6.39-i686), their DMA and HighMem zones stay
# as those files have them, and their order-1 headroom is worked out here
# with awk by the kernel's own check of that era, not by lowmem. The other
# hosts are 64-bit machines: steady, trending to zero, better off in DMA32
# than in Normal, offline for half a minute, with a dip below zero. Then
# hosts that must not be ranked: a name carrying HTML, a symbolic link, a
# host without lowmem.
#
# Checked against what awk computes from the same data: the order of the
# hosts (fleet.tsv and the page), which are trending to zero, each one's
# lowest headroom, slope, OOM kills and stalls; the small graphs' size; the
# worst hosts' dashboards and links; the hostile name escaped on the page
# and the page well-formed (xmllint); the exit status on bad input.
#
# Needs no collectd: only lowmem-graph, rrdtool, awk and ImageMagick's
# identify.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
GRAPH=$top_srcdir/tools/lowmem-graph
FIX=$top_srcdir/tests/fixtures/incident-2.6.39-i686/proc
for t in rrdtool identify awk sort timeout; do
  command -v "$t" >/dev/null || lm_skip "$t is not installed"
done
XMLLINT=$(command -v xmllint || true)

LM_TMP=$(mktemp -d /tmp/lowmem-itest.XXXXXX)
trap lm_cleanup EXIT
trap 'exit 1' INT TERM

# The identifiers lowmem dispatches, as the central's rrdtool plugin names
# their files (one place, as in lowmem-graph).
HEADROOM=headroom-order1 HEADROOM_DS=bytes
OOM=lowmem/vmpage_action-oom_kill STALL=lowmem/vmpage_action-allocstall COUNTER_DS=value

L=600                                  # seconds of the period
T0=$(($(date +%s) / 60 * 60 - L - 60)) # the period is (T0, T0 + L]
TREE=$LM_TMP/rrd
OUT=$LM_TMP/out
mkdir -p "$TREE"

# --- the data -------------------------------------------------------------------
#
# One line per RRD file: its path under TREE, "gauge" or "derive", and its
# updates "time:value", one a second from T0 to T0 + L, but for the seconds
# a host was offline. Values are whole bytes (or counts), so rrdtool keeps
# them exactly.
awk -v T0="$T0" -v L="$L" -v HR="$HEADROOM" -v OOM="$OOM" -v STALL="$STALL" '
# The incident files: per zone its free pages, min mark, protection
# (lowmem_reserve per zone index) and free blocks per order.
FILENAME ~ /zoneinfo$/ && /^Node/ { z = $4; idx[z] = nz++ }
FILENAME ~ /zoneinfo$/ && $1 == "pages" && $2 == "free" { F[z] = $3 }
FILENAME ~ /zoneinfo$/ && $1 == "min" { M[z] = $2 }
FILENAME ~ /zoneinfo$/ && $1 == "protection:" {
  s = $0; sub(/.*\(/, "", s); sub(/\).*/, "", s); np = split(s, a, /, */)
  for (i = 1; i <= np; i++) P[z, i - 1] = a[i] }
FILENAME ~ /buddyinfo$/ { for (i = 5; i <= NF; i++) B[$4, i - 5] = $i }
# The order-1 check of 2.6.38 to 3.2 (__zone_watermark_ok): free less
# 2^1 + 1 against min + lowmem_reserve of the highest zone asked for; then
# less the free single pages, against half the mark. The smaller margin,
# in pages of 4 KiB.
function h1(free, min, reserve, n0,    fp, m0, m1) {
  fp = free - 3; m0 = fp - (min + reserve); m1 = fp - n0 - int(min / 2)
  return (m0 < m1 ? m0 : m1) * 4096 }
function emit(path, kind, vals) { print path "\t" kind "\t" vals }
function mib(x) { return x * 1048576 }
# Deterministic noise of +-500 KiB.
function noise(t, k) { return ((t * 7919 + k * 104729) % 1001 - 500) * 1024 }
# A 64-bit host: DMA and DMA32 at constant headrooms, Normal from the
# function normal(); offline (no update) from off0 to off1.
function host64(h, k, kind, dma32, nooom,    t, v, d, d32, o, s, c) {
  d = ""; d32 = ""; v = ""; o = ""; s = ""
  for (t = T0; t <= T0 + L; t++) {
    if (t >= off0 && t <= off1) continue
    d = d " " t ":" mib(-50)
    d32 = d32 " " t ":" (dma32 > 0 ? dma32 + noise(t, k + 7) : dma32)
    v = v " " t ":" normal(kind, k, t - T0)
    c = int((t - T0) / 60) * (k % 3)
    s = s " " t ":" (100 + c)
    o = o " " t ":0"
  }
  emit(h "/lowmem-node0-DMA/" HR, "gauge", d)
  emit(h "/lowmem-node0-DMA32/" HR, "gauge", d32)
  emit(h "/lowmem-node0-Normal/" HR, "gauge", v)
  emit(h "/" STALL, "derive", s)
  if (!nooom) emit(h "/" OOM, "derive", o)
}
function normal(kind, k, x) {
  if (kind == "steady") return mib(200 + 17 * k) + noise(x, k)
  if (kind == "trend") return int(mib(300 + 5 * (k - 40)) - mib(240) * x / L) + noise(x, k)
  if (kind == "slow") return int(mib(600) - mib(100) * x / L) + noise(x, k)
  if (kind == "low") return mib(5) + noise(x, k)
  if (kind == "gap") return (x >= 300 && x <= 302) ? mib(20) : mib(250) + noise(x, k)
  if (kind == "dip") return (x >= 400 && x <= 402) ? mib(-2) : mib(400) + noise(x, k)
}
# An incident host: Normal loses its blocks of order 1 to 3 from the
# fraction s of the period to w, down to the incident files state, then
# stays there; DMA and HighMem stay as the files have them; allocation
# stalls climb, and from the wall on the OOM killer kills every 15 s, up
# to 9 times.
function incident(h, s, w,    t, x, f, nf, n0, d, n, hm, o, st, kills, stalls) {
  d = ""; n = ""; hm = ""; o = ""; st = ""
  for (t = T0; t <= T0 + L; t++) {
    x = t - T0
    f = (x - s * L) / ((w - s) * L); if (f < 0) f = 0; if (f > 1) f = 1
    nf = F["Normal"] + int((1 - f) * 2000 + 0.5) * 2 + int((1 - f) * 800 + 0.5) * 4 + int((1 - f) * 200 + 0.5) * 8
    n = n " " t ":" h1(nf, M["Normal"], P["Normal", idx["Normal"]], B["Normal", 0])
    d = d " " t ":" h1(F["DMA"], M["DMA"], P["DMA", idx["Normal"]], B["DMA", 0])
    hm = hm " " t ":" h1(F["HighMem"], M["HighMem"], P["HighMem", idx["HighMem"]], B["HighMem", 0])
    kills = (f < 1) ? 0 : 1 + int((x - w * L) / 15); if (kills > 9) kills = 9
    stalls = 3000 + 5 * int(f * (w - s) * L) + (f < 1 ? 0 : 20 * (x - int(w * L)))
    o = o " " t ":" kills; st = st " " t ":" stalls
  }
  emit(h "/lowmem-node0-DMA/" HR, "gauge", d)
  emit(h "/lowmem-node0-Normal/" HR, "gauge", n)
  emit(h "/lowmem-node0-HighMem/" HR, "gauge", hm)
  emit(h "/" OOM, "derive", o)
  emit(h "/" STALL, "derive", st)
}
END {
  off0 = off1 = -1
  for (k = 1; k <= 50; k++) {
    h = sprintf("web%02d", k); kind = "steady"; dma32 = mib(-10 - k)
    if (k >= 41 && k <= 46) kind = "trend"
    if (k == 47) kind = "slow"
    if (k == 48) { kind = "low"; dma32 = mib(150) }
    if (k == 49) { kind = "gap"; off0 = T0 + 200; off1 = T0 + 230 }
    if (k == 50) kind = "dip"
    host64(h, k, kind, dma32, k == 45 || k == 46)
    off0 = off1 = -1
  }
  host64("db:1", 60, "steady", mib(-20), 0)
  incident("incident-a", 0, 0.5)
  incident("incident-b", 0.2, 0.8)
  incident("incident-c", 0.5, 1.0)
  incident("incident-d", 0.97, 0.99)
}' "$FIX/zoneinfo" "$FIX/buddyinfo" /dev/null >"$LM_TMP/data"

RRA="RRA:AVERAGE:0.1:1:3600 RRA:MIN:0.1:1:3600 RRA:MAX:0.1:1:3600
RRA:AVERAGE:0.1:72:1200 RRA:MIN:0.1:72:1200 RRA:MAX:0.1:72:1200
RRA:AVERAGE:0.1:504:1200 RRA:MIN:0.1:504:1200 RRA:MAX:0.1:504:1200
RRA:AVERAGE:0.1:2232:1200 RRA:MIN:0.1:2232:1200 RRA:MAX:0.1:2232:1200
RRA:AVERAGE:0.1:26352:1200 RRA:MIN:0.1:26352:1200 RRA:MAX:0.1:26352:1200"
nfiles=0
while IFS=$'\t' read -r path kind vals; do
  f=$TREE/$path.rrd
  mkdir -p "${f%/*}"
  if [ "$kind" = gauge ]; then ds="DS:$HEADROOM_DS:GAUGE:2:U:U"; else ds="DS:$COUNTER_DS:DERIVE:2:0:U"; fi
  # shellcheck disable=SC2086
  rrdtool create "$f" --start $((T0 - 1)) --step 1 "$ds" $RRA
  # shellcheck disable=SC2086
  rrdtool update "$f" $vals
  nfiles=$((nfiles + 1))
done <"$LM_TMP/data"
echo "# $nfiles RRD files written for $(cut -f1 "$LM_TMP/data" | cut -d/ -f1 | sort -u | wc -l) hosts"

# Not to be ranked: a host named with HTML (its files valid, its headroom
# the lowest of all), one with a newline, a symbolic link to a host, a
# host without lowmem.
EVIL='x"><img src=x onerror=alert(1)>&amp;'
mkdir -p "$TREE/$EVIL/lowmem-node0-Normal" "$TREE/router/cpu-0"
cp "$TREE/web50/lowmem-node0-Normal/$HEADROOM.rrd" "$TREE/$EVIL/lowmem-node0-Normal/"
cp "$TREE/web01/$STALL.rrd" "$TREE/router/cpu-0/cpu-idle.rrd"
ln -s web50 "$TREE/link-host"
NL=$'nl\nhost'
mkdir -p "$TREE/$NL/lowmem-node0-Normal"
cp "$TREE/web50/lowmem-node0-Normal/$HEADROOM.rrd" "$TREE/$NL/lowmem-node0-Normal/"

# --- the oracle --------------------------------------------------------------
#
# Per host and second t of the period: a file's value is known when the
# host sent one at t and at t - 1 (a longer silence is past the heartbeat:
# unknown). The host's headroom is the largest known one of its GFP_KERNEL
# zones (the kernel takes the first zone that passes): DMA32 and Normal on
# 64-bit hosts, DMA and Normal where there is no DMA32. Then the lowest,
# the last, the least-squares slope and its value one period after the
# end; trending to zero: at or below zero at the end, or falling to it.
awk -F'\t' -v T0="$T0" -v L="$L" -v HR="$HEADROOM" -v OOM="$OOM" -v STALL="$STALL" '
{
  n = split($1, p, "/"); h = p[1]; file = substr($1, length(h) + 2)
  host[h] = 1
  zone = ""
  if (file ~ "^lowmem-node0-[A-Za-z0-9]+/" HR "$") { zone = file; sub(/^lowmem-node0-/, "", zone); sub(/\/.*/, "", zone) }
  if (zone == "DMA32") dma32[h] = 1
  nv = split($3, v, " ")
  for (i = 1; i <= nv; i++) {
    split(v[i], tv, ":"); seen[$1, tv[1]] = 1; val[$1, tv[1]] = tv[2]
  }
  if (zone != "") { zones[h] = zones[h] " " zone }
}
END {
  for (h in host) {
    nz = split(zones[h], zl, " ")
    n = 0; low = ""; kills = ""; stalls = ""
    for (t = T0 + 1; t <= T0 + L; t++) {
      best = ""
      for (i = 1; i <= nz; i++) {
        z = zl[i]
        if (z == "HighMem" || (z == "DMA" && dma32[h])) continue
        f = h "/lowmem-node0-" z "/" HR
        if (!seen[f, t] || !seen[f, t - 1]) continue
        if (best == "" || val[f, t] + 0 > best) best = val[f, t] + 0
      }
      if (best != "") { n++; x[n] = t; y[n] = best; if (low == "" || best < low) low = best; last = best }
    }
    split("", sum)
    for (c = 1; c <= 2; c++) {
      f = h "/" (c == 1 ? OOM : STALL)
      got = 0; s = 0
      for (t = T0 + 1; t <= T0 + L; t++)
        if (seen[f, t] && seen[f, t - 1]) { s += val[f, t] - val[f, t - 1]; got = 1 }
      sum[c] = got ? s : "-"
    }
    mx = my = 0
    for (i = 1; i <= n; i++) { mx += x[i]; my += y[i] }
    mx /= n; my /= n; sxy = sxx = 0
    for (i = 1; i <= n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ^ 2 }
    slope = sxy / sxx
    proj = my + slope * (T0 + 2 * L - mx)
    trend = (last <= 0 || (slope < 0 && proj <= 0)) ? "to_zero" : "steady"
    printf "%s\t%s\t%.0f\t%.0f\t%.9g\t%.0f\t%s\t%s\n", (trend == "to_zero" ? 0 : 1), h, low, last, slope, proj, sum[1], sum[2]
  }
}' "$LM_TMP/data" | LC_ALL=C sort -t $'\t' -k1,1n -k3,3g -k2,2 >"$LM_TMP/expected"
nexp=$(wc -l <"$LM_TMP/expected")
echo "# expected, from awk:"
sed 's/^/#   /' "$LM_TMP/expected" | head -n 16

# --- the run -----------------------------------------------------------------------

rc=0
timeout 300 "$GRAPH" --fleet "$TREE" -o "$OUT" -s "$T0" -e $((T0 + L)) --dashboards 3 \
  >"$LM_TMP/fleet.out" 2>"$LM_TMP/fleet.err" || rc=$?
sed 's/^/# /' "$LM_TMP/fleet.out" "$LM_TMP/fleet.err"
lm_check "lowmem-graph --fleet exits 0 (exit $rc)" [ "$rc" = 0 ]
lm_check "index.html written" [ -f "$OUT/index.html" ]
lm_check "fleet.tsv written" [ -f "$OUT/fleet.tsv" ]
[ -f "$OUT/fleet.tsv" ] && [ -f "$OUT/index.html" ] || lm_done
grep -v '^#' "$OUT/fleet.tsv" >"$LM_TMP/got"

lm_check "$nexp hosts ranked, as many as expected ($(wc -l <"$LM_TMP/got"))" \
  [ "$(wc -l <"$LM_TMP/got")" = "$nexp" ]
lm_check "at least 50 hosts ranked" [ "$nexp" -ge 50 ]
lm_check "the ranking is the order awk finds" \
  [ "$(cut -f1 "$LM_TMP/got" | tr '\n' ' ')" = "$(cut -f2 "$LM_TMP/expected" | tr '\n' ' ')" ]
lm_check "the hosts trending to zero are those awk finds ($(awk -F'\t' '$2 == "to_zero" { printf "%s ", $1 }' "$LM_TMP/got"))" \
  [ "$(awk -F'\t' '$2 == "to_zero" { print $1 }' "$LM_TMP/got" | sort | tr '\n' ' ')" = \
  "$(awk -F'\t' '$1 == 0 { print $2 }' "$LM_TMP/expected" | sort | tr '\n' ' ')" ]

# Per host: lowest and last exactly, kills and stalls exactly, the slope
# within a millionth.
bad=
while IFS=$'\t' read -r _ h low last slope _ kills stalls; do
  g=$(awk -F'\t' -v h="$h" '$1 == h' "$LM_TMP/got")
  IFS=$'\t' read -r _ _ glow glast gslope _ gkills gstalls _ <<<"$g"
  lm_num_close "$glow" "$low" && lm_num_close "$glast" "$last" || bad+=" $h(lowest $glow/$low, last $glast/$last)"
  [ "$gkills" = "$kills" ] && [ "$gstalls" = "$stalls" ] || bad+=" $h(kills $gkills/$kills, stalls $gstalls/$stalls)"
  awk -v a="$gslope" -v b="$slope" 'BEGIN { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b
                                          exit !(d <= m * 1e-6 + 1e-6) }' || bad+=" $h(slope $gslope/$slope)"
done <"$LM_TMP/expected"
lm_check "lowest, last, slope, OOM kills and stalls of every host as awk finds them${bad:+:$bad}" [ -z "$bad" ]

# What the incident files say, independently of the ranking: the replayed
# hosts end refused (DMA at 0 for order 1, Normal below), with kills.
for h in incident-a incident-b incident-c incident-d; do
  IFS=$'\t' read -r _ trend low _ _ _ kills _ <<<"$(awk -F'\t' -v h="$h" '$1 == h' "$LM_TMP/got")"
  lm_check "$h, replaying the incident, is trending to zero ($trend)" [ "$trend" = to_zero ]
  lm_check "$h is refused at its lowest ($low B)" [ "${low:-1}" -le 0 ]
  lm_check "$h has OOM kills ($kills)" [ "${kills:-0}" -gt 0 ]
done
IFS=$'\t' read -r _ _ low _ <<<"$(awk -F'\t' '$1 == "web48"' "$LM_TMP/got")"
lm_check "web48 is ranked by its DMA32 zone, the better one (${low:-none} B > 100 MiB)" [ "${low:-0}" -gt 104857600 ]

# --- the page --------------------------------------------------------------------

page=$OUT/index.html
lm_check "the page ranks the hosts in the order of fleet.tsv" \
  [ "$(grep '^<tr class=' "$page" | sed 's/^<tr[^>]*><td>[0-9]*<\/td><td class="h">//; s/<\/td>.*//; s/<[^>]*>//g' |
    tr '\n' ' ')" = \
  "$(cut -f1 "$LM_TMP/got" | tr '\n' ' ')" ]
lm_check "the hostile host name is not ranked" [ "$(grep -c 'onerror' "$LM_TMP/got" || true)" = 0 ]
lm_check "the hostile host name is on the page, escaped" \
  grep -qF 'x&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;' "$page"
lm_check "no tag of the hostile name reached the page" [ "$(grep -c '<img src=x' "$page" || true)" = 0 ]
lm_check "the symbolic link is not ranked" [ "$(grep -c '^link-host' "$LM_TMP/got" || true)" = 0 ]
lm_check "the symbolic link is named as such" grep -q 'link-host: a symbolic link' "$page"
lm_check "the host without lowmem is named as such" grep -q 'router: no order-1 headroom' "$page"
lm_check "a name with a newline is named on one line" grep -q '^<li>nl?host: not a plain name</li>$' "$page"
if [ -n "$XMLLINT" ]; then
  lm_check "the page is well-formed (xmllint)" "$XMLLINT" --noout "$page"
fi

# Small graphs: one per ranked host, 200x36, not blank.
bad=
while IFS=$'\t' read -r h _; do
  f=$OUT/spark-$h.png
  if [ ! -f "$f" ]; then bad+=" $h(missing)"; continue; fi
  [ "$(identify -format '%w %h' "$f")" = "200 36" ] || bad+=" $h($(identify -format '%wx%h' "$f"))"
  [ "$(identify -format '%k' "$f")" -gt 2 ] || bad+=" $h(blank)"
done <"$LM_TMP/got"
lm_check "a 200x36 graph for every ranked host${bad:+:$bad}" [ -z "$bad" ]
url=$(head -n 1 "$LM_TMP/got" | cut -f1)
lm_check "the page shows the first host's graph" grep -qF "src=\"spark-$url.png\"" "$page"

# Dashboards: the three worst, linked.
for h in $(head -n 3 "$LM_TMP/got" | cut -f1); do
  lm_check "$h has its dashboard" [ -f "$OUT/$h/index.html" ]
  lm_check "$h's dashboard is linked from the page" grep -qF "<a href=\"$h/index.html\">$h</a>" "$page"
done
h=$(sed -n 4p "$LM_TMP/got" | cut -f1)
lm_check "the fourth, $h, has none (--dashboards 3)" [ ! -e "$OUT/$h" ]

# A name with ':' is a URL with %3A, not a scheme.
lm_check "db:1's graph is linked as spark-db%3A1.png" grep -qF 'src="spark-db%3A1.png"' "$page"

# --- exit status on bad input -----------------------------------------------------

st() {
  local rc=0
  timeout 60 "$GRAPH" "$@" -o "$LM_TMP/bad" >"$LM_TMP/bad.out" 2>&1 || rc=$?
  echo "$rc"
}
mkdir -p "$LM_TMP/empty/hostx/cpu-0"
rc=$(st --fleet "$LM_TMP/none")
lm_check "a missing directory: exit 1 ($rc)" [ "$rc" = 1 ]
lm_check "a missing directory: said so" grep -q 'is not a directory' "$LM_TMP/bad.out"
rc=$(st --fleet "$LM_TMP/empty")
lm_check "no lowmem host: exit 1 ($rc)" [ "$rc" = 1 ]
lm_check "no lowmem host: said so" grep -q 'no host' "$LM_TMP/bad.out"
rc=$(st --fleet "$TREE" --dashboards x)
lm_check "a bad --dashboards: exit 1 ($rc)" [ "$rc" = 1 ]
rc=$(st --fleet)
lm_check "--fleet without a directory: exit 2 ($rc)" [ "$rc" = 2 ]

lm_done
