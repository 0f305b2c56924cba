#!/bin/bash
# A short allocation dip on the real kernel, inside a memory cgroup with a
# hard limit: alloc-dip takes 1 GiB for 300 ms, three times, 2.5 s apart,
# while collectd runs lowmem (SampleInterval 0.1, Interval 1) with the
# rrdtool and csv writers. A one-second sampler would mostly miss a dip
# this short; lowmem dispatches the smallest value of each second, so the
# RRD's one-second archive must show each dip.
#
# On a busy machine others take and give back memory by hundreds of MB a
# second (and a virtual machine's free page reporting holds freed blocks
# aside for a while), and may hold collectd up. The oracle is the kernel's
# own count, read by alloc-dip just before, at the start and at the end of
# the hold, and just after each dip. A dip is clean where that count fell
# at least DROP_MB below the lower of before and after, stood within
# STEADY_MB through the hold, and the probe (lib.sh) saw the machine let a
# 10 Hz sampler run through it; the RRD must then fall as deep as that
# count, within STEADY_MB. A dip that is not clean is made again, a
# bounded number of times; the choice rests on the oracle alone, never on
# what lowmem recorded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_setup

SIZE_MB=1024
HOLD_MS=300
REPEATS=3
GAP_MS=2500
DROP_MB=256          # least drop of MemFree in the hold for a dip to count:
                     # 8 x STEADY_MB, so a sampler that missed it fails
STEADY_MB=32         # how still the kernel's count must stand through the hold
CONTEXT_S=4          # seconds each side of the dips, for the record
LATE_S=0.15          # the probe's latest wakeup that leaves a sample in the hold
ROUNDS=4             # runs of alloc-dip, at most, to get REPEATS clean dips

ALLOC=$top_builddir/tests/integration/alloc-dip
if [ ! -x "$ALLOC" ]; then
  lm_not_ok "$ALLOC is built (make check builds it)"
  lm_done
fi

avail_kb=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo)
[ "$avail_kb" -ge $((4 * SIZE_MB * 1024)) ] ||
  lm_skip "MemAvailable $((avail_kb / 1024)) MB: not enough to take $SIZE_MB MB safely"

# node0 Normal's low watermark, from the kernel.
low=$(lm_awk_zoneinfo /proc/zoneinfo |
  awk -v p="$LM_PAGE" '$1 == 0 && $2 == "Normal" && $3 == "low" { printf "%.0f", $4 * p }')

# --- the memory cgroup ----------------------------------------------------------------

lm_memcg lowmem-dip $(((SIZE_MB + 256) << 20))

# --- the run --------------------------------------------------------------------------

mb() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }

# qualify LINE: "ok BASE HELD NBOUND NHELD NORMAL" for a clean dip, else
# "no REASON". BASE: MemFree just before or after, the lower; HELD: MemFree
# in the hold, the higher of its two counts; NHELD the same of node0
# Normal, NBOUND how far Normal must fall: to its low watermark + 128 MB,
# or by DROP_MB from the lower of its counts before and after (when Normal
# holds more free memory than the dip takes, all of it can come from
# there); NORMAL: "ok" where /proc/zoneinfo saw it fall that far and stand
# still, else why not.
qualify() {
  local s e f0 f1 f2 f3 n0 n1 n2 n3 worst
  read -r _ s e f0 f1 f2 f3 n0 n1 n2 n3 <<<"$1"
  worst=$(lm_probe_late "$(awk -v t="$s" 'BEGIN { printf "%.3f", t / 1000 }')" \
    "$(awk -v t="$e" 'BEGIN { printf "%.3f", t / 1000 }')" | cut -d' ' -f1)
  awk -v f0="$f0" -v f1="$f1" -v f2="$f2" -v f3="$f3" -v n0="$n0" -v n1="$n1" -v n2="$n2" \
    -v n3="$n3" -v low="${low:--1}" -v d="$DROP_MB" -v st="$STEADY_MB" -v w="$worst" -v late="$LATE_S" '
    function mb(x) { return sprintf("%.0f", x / 1048576) }
    function abs(x) { return x < 0 ? -x : x }
    BEGIN {
      M = 1048576
      base = f0 < f3 ? f0 : f3; held = f1 > f2 ? f1 : f2
      nbase = n0 < n3 ? n0 : n3; nheld = n1 > n2 ? n1 : n2
      bound = low + 128 * M; if (nbase - d * M > bound) bound = nbase - d * M
      seen = "MemFree went " mb(f0) " -> " mb(f1) ", " mb(f2) " -> " mb(f3) " MB"
      if (w > late) { print "no the probe woke " w "s late during it (at most " late "s)"; exit }
      if (held > base - d * M) { print "no " seen ": others gave back what it took"; exit }
      if (abs(f1 - f2) > st * M) { print "no " seen ": others moved it during the hold"; exit }
      normal = "ok"
      nseen = "node0 Normal went " mb(n0) " -> " mb(n1) ", " mb(n2) " -> " mb(n3) " MB by /proc/zoneinfo"
      if (low < 0 || n0 < 0 || nheld > bound)
        normal = nseen " (low " mb(low) "): the kernel took the pages elsewhere"
      else if (abs(n1 - n2) > st * M)
        normal = nseen ": others moved it during the hold"
      printf "ok %.0f %.0f %.0f %.0f %s\n", base, held, bound, nheld, normal
    }'
}

lm_probe_start
lm_conf dip "  SampleInterval 0.1
  Orders 0 1"
lm_start 300
lm_wait_values lowmem system-free 60 || true
sleep "$CONTEXT_S"

dips=$LM_RUN/dips
good=$LM_RUN/dips.ok # "START_MS END_MS BASE HELD NBOUND NHELD NORMAL..." of the clean dips
: >"$dips"
: >"$good"
why=
for round in $(seq "$ROUNDS"); do
  want=$((REPEATS - $(wc -l <"$good")))
  [ "$want" -gt 0 ] || break
  [ "$round" = 1 ] || sleep "$(awk -v g="$GAP_MS" 'BEGIN { print g / 1000 }')"
  alloc_rc=0
  lm_memcg_exec 60 "$ALLOC" "$SIZE_MB" "$HOLD_MS" "$want" "$GAP_MS" >"$dips.$round" || alloc_rc=$?
  made=$(grep -c '^dip ' "$dips.$round" || true)
  lm_check "alloc-dip (round $round) ran in the cgroup and exited 0 ($alloc_rc)" [ "$alloc_rc" = 0 ]
  lm_check "alloc-dip (round $round) made $want dips ($made)" [ "$made" = "$want" ]
  cat "$dips.$round" >>"$dips"
  lm_probe_covers "$(date +%s)" || true
  while read -r line; do
    q=$(qualify "$line")
    if [ "${q%% *}" = ok ]; then
      echo "$line" | awk -v q="$q" '{ n = split(q, a, " "); printf "%s %s", $2, $3
                                       for (i = 2; i <= n; i++) printf " %s", a[i]; print "" }' >>"$good"
    else
      why=${q#no }
      echo "# dip at $(echo "$line" | awk '{ print $2 }') ms left out: $why"
    fi
  done < <(grep '^dip ' "$dips.$round")
  [ "$alloc_rc" = 0 ] || break
done
sleep "$CONTEXT_S"
sleep 1
lm_stop

nr_good=$(wc -l <"$good")
lm_check "collectd stopped cleanly on SIGTERM (exit $LM_RC)" [ "$LM_RC" = 0 ]
lm_check_log_clean
for _ in $(seq $((REPEATS - nr_good))); do
  lm_skip_check "a dip of the $REPEATS: none was clean in $ROUNDS runs of alloc-dip (the last: $why)"
done
[ "$nr_good" -gt 0 ] || lm_done
head -n "$REPEATS" "$good" >"$good.used"

# analyse FILE: per clean dip "N MIN MEDIAN NBASE" from the RRD's 1 s MIN
# archive: MIN over the seconds whose window [t-1, t) overlaps the dip;
# MEDIAN of the seconds within CONTEXT_S of it that overlap no dip (of any
# round), for the record.
analyse() {
  local first_s last_e
  first_s=$(awk 'NR == 1 { print int($2 / 1000) }' "$dips")
  last_e=$(awk 'END { print int($3 / 1000) + 1 }' "$dips")
  lm_rrd_fetch "$1" $((first_s - CONTEXT_S - 2)) $((last_e + CONTEXT_S + 2)) >"$LM_RUN/fetch"
  awk -v ctx="$CONTEXT_S" '
    FILENAME == ARGV[1] { if ($1 == "dip") { na++; as[na] = $2 / 1000; ae[na] = $3 / 1000 } next }
    FILENAME == ARGV[2] { nd++; s[nd] = $1 / 1000; e[nd] = $2 / 1000; next }
    { n++; t[n] = $1; v[n] = $2 }
    END {
      for (d = 1; d <= nd; d++) {
        min = ""; nb = 0
        for (i = 1; i <= n; i++) {
          lo = t[i] - 1; hi = t[i]
          if (lo < e[d] && hi > s[d]) { if (min == "" || v[i] < min) min = v[i]; continue }
          if (hi < s[d] - ctx || lo > e[d] + ctx) continue
          other = 0
          for (k = 1; k <= na; k++) if (lo < ae[k] && hi > as[k]) other = 1
          if (other) continue
          b[++nb] = v[i]
        }
        for (i = 2; i <= nb; i++) { x = b[i]; for (j = i - 1; j >= 1 && b[j] > x; j--) b[j + 1] = b[j]; b[j + 1] = x }
        med = nb ? (nb % 2 ? b[(nb + 1) / 2] : (b[nb / 2] + b[nb / 2 + 1]) / 2) : -1
        printf "%d %s %.0f %d\n", d, (min == "" ? "-1" : sprintf("%.0f", min)), med, nb
      }
    }' "$dips" "$good.used" "$LM_RUN/fetch"
}

# --- system MemFree: asserted -------------------------------------------------------

f=$(lm_rrd_file lowmem system-free)
lm_check "rrd: lowmem/system-free.rrd has step 1" [ "$(lm_rrd_step "$f")" = 1 ]
while read -r d min med nb; do
  read -r base held <<<"$(awk -v d="$d" 'NR == d { print $3, $4 }' "$good.used")"
  want=$((held + (STEADY_MB << 20)))
  lm_check "dip $d: lowmem/system-free falls to $(mb "$min") MB, $(mb $((base - min))) MB below MemFree's $(mb "$base") MB just before or after it: as deep as MemFree's $(mb "$held") MB in the hold ($(mb $((base - held))) MB >= $DROP_MB below), within $STEADY_MB MB (median of $nb seconds around: $(mb "$med") MB)" \
    [ "$min" -ge 0 -a "$min" -le "$want" ]
done < <(analyse "$f")

# --- node0 Normal -----------------------------------------------------------------

# The allocation is served from Normal first, down to about its low
# watermark, then from DMA32 (measured here: Normal fell from ~950 MB to
# 60-80 MB, low watermark 29 MB). How far exactly depends on what Normal
# held free, so the bound is loose: Normal fell to within 128 MB of its low
# watermark, or by at least DROP_MB from /proc/zoneinfo's count just before
# or after (when Normal holds more free memory than the dip takes, all of
# it can come from there). Where /proc/zoneinfo's own count in the hold
# did not fall that far, the kernel took the pages elsewhere and there is
# nothing to check; where it did, the RRD must fall as deep, within
# STEADY_MB.
f=$(lm_rrd_file lowmem-node0-Normal zone-free)
if [ -f "$f" ] && [ -n "$low" ]; then
  while read -r d min med nb; do
    read -r bound nheld normal <<<"$(awk -v d="$d" 'NR == d { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }' "$good.used")"
    if [ "$normal" = ok ]; then
      lm_check "dip $d: node0 Normal free fell to $(mb "$min") MB (median around $(mb "$med") MB, low watermark $(mb "$low") MB): as deep as /proc/zoneinfo's $(mb "$nheld") MB in the hold (<= $(mb "$bound") MB), within $STEADY_MB MB" \
        [ "$min" -ge 0 -a "$min" -le $((nheld + (STEADY_MB << 20))) ]
    else
      lm_skip_check "dip $d: node0 Normal free fell to $(mb "$min") MB: $normal"
    fi
  done < <(analyse "$f")
else
  lm_not_ok "rrd: lowmem-node0-Normal/zone-free.rrd exists and /proc/zoneinfo has node0 Normal's low watermark"
fi

lm_done
