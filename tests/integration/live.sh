#!/bin/bash
# lowmem in the real collectd on this machine's /proc for about 20 s: the
# RRD files hold one value per second on a one-second step, the values
# agree with what awk reads from /proc around the run, the dispatch grid
# has no shared or missing seconds, and collectd does not grow.
#
# A window has a value when lowmem sampled at least once in its second; a
# machine that holds collectd up for a second leaves a hole that is not
# lowmem's. The probe (lib.sh) says where the machine held a plain process
# up: the rate and the holes are judged over the other seconds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_setup

TOP_N=10
RUN_SECONDS=20
RSS_FIRST=2          # seconds after the first values: RSS baseline
RSS_SLACK_KB=1024
LATE_S=0.25          # a probe wakeup this late marks its seconds as held up

# collectd's anonymous RSS in kB (the heap, where a leak shows), or VmRSS
# before 4.5. Not VmRSS: librrd maps the RRD files, and every row written
# maps in file pages, so the file part grows with the run's length and the
# number of files (this machine's zones and caches), whatever lowmem does;
# so does lowmem's own ring as it fills.
rss_kb() {
  awk '$1 == "RssAnon:" { a = $2 } $1 == "VmRSS:" { r = $2 }
       END { print (a != "" ? a : (r != "" ? r : 0)) }' "/proc/$LM_CPID/status" 2>/dev/null || echo 0
}

# A cache named with SlabCache: the last one in /proc/slabinfo, so that it
# is only seen when the whole file is read (the kernel hands out
# /proc/slabinfo about a page per read, however large the buffer).
named=$(awk '!/^(slabinfo|#)/ { n = $1 } END { gsub("/", "_", n); print n }' /proc/slabinfo)

lm_conf live "  SampleInterval 0.1
  SlabTopN $TOP_N
  SlabCache \"$named\"
  Orders 0 1"

lm_probe_start
vmstat_before=$(cat /proc/vmstat)
lm_start 150
lm_wait_values lowmem system-free 60 || true
started=$SECONDS
sleep "$RSS_FIRST"
rss_first=$(rss_kb)
sleep $((RUN_SECONDS - RSS_FIRST))
rss_last=$(rss_kb)
grep -E '^(VmRSS|RssAnon|RssFile|RssShmem):' "/proc/$LM_CPID/status" 2>/dev/null | tr -s ' \t' ' ' |
  tr '\n' ' ' | sed 's/^/# collectd at the end: /; s/ $/\n/' || true
ran=$((SECONDS - started))
lm_stop
ended=$(date +%s)
vmstat_after=$(cat /proc/vmstat)
zoneinfo_after=$(lm_awk_zoneinfo /proc/zoneinfo)
slab_after=$(lm_awk_slab_top /proc/slabinfo)

lm_check "collectd ran ${ran}s and stopped cleanly on SIGTERM (exit $LM_RC)" [ "$LM_RC" = 0 ]

# --- zones: files, RRD step, rate -----------------------------------------------

populated=$(echo "$zoneinfo_after" | awk '$3 == "present" && $4 > 0 { print $1, $2, $4 }')
lm_check "/proc/zoneinfo has a node0 Normal zone" grep -q '^0 Normal ' <<<"$populated"

while read -r node zone present; do
  dir=lowmem-node$node-$zone
  lm_csv_is "$dir" zone_size-present $((present * LM_PAGE)) "awk over /proc/zoneinfo: $present pages"
  for ti in zone-free zone-min zone-low zone-high zone_size-present headroom-order0 \
    headroom-order1 freepages-order0; do
    f=$(lm_rrd_file "$dir" "$ti")
    if [ -f "$f" ]; then
      step=$(lm_rrd_step "$f")
      lm_check "rrd: $dir/$ti.rrd has step 1 ($step)" [ "$step" = 1 ]
    else
      lm_not_ok "rrd: $dir/$ti.rrd exists"
    fi
  done
done <<<"$populated"

# Seconds T whose window [T - 1, T) the probe saw held up: a wakeup more
# than LATE_S late, from half a second before the window to half after.
HELD=$LM_RUN/held-seconds
lm_probe_covers "$ended" || true
awk -v m="$LATE_S" '$2 / 1e6 > m {
    e = $1 / 1e6; s = e - $2 / 1e6 - 0.05
    for (t = int(s) - 1; t <= int(e) + 2; t++) if (t - 1.5 < e && t + 0.5 > s) print t }' \
  "$LM_PROBE_LOG" | sort -u >"$HELD"
echo "# the probe saw $(wc -l <"$HELD") second(s) held up by more than ${LATE_S}s: $(head -n 10 "$HELD" | tr '\n' ' ')"

# About one value per second in the 1 s archive, from 2 s after the first
# value (the first update only starts the RRD) to the last, over the
# seconds the machine did not hold up.
check_rrd_rate() {
  local dir=$1 ti=$2
  local f first last n span held
  f=$(lm_rrd_file "$dir" "$ti")
  first=$(lm_csv_rows "$dir" "$ti" | awk 'NR == 1' | cut -d. -f1)
  last=$(lm_rrd_last_update "$f" 2>/dev/null || echo 0)
  if [ -z "$first" ] || [ "${last:-0}" -le $((first + 5)) ]; then
    lm_not_ok "rrd: $dir/$ti has values over the run"
    return 0
  fi
  held=$(awk -v a=$((first + 2)) -v b="$last" '$1 > a && $1 <= b' "$HELD" | wc -l)
  span=$((last - first - 2 - held))
  if [ $((span * 2)) -lt $((last - first - 2)) ]; then
    lm_skip_check "rrd: $dir/$ti's rate: the probe saw $held of $((last - first - 2)) seconds held up by more than ${LATE_S}s"
    return 0
  fi
  n=$(lm_rrd_fetch "$f" $((first + 2)) "$last" |
    awk -v a=$((first + 2)) -v b="$last" -v held="$HELD" '
      BEGIN { while ((getline t < held) > 0) h[t] = 1 }
      $1 > a && $1 <= b && !($1 in h) { n++ } END { print n + 0 }')
  lm_check "rrd: $dir/$ti has a value for $n of the $span seconds not held up ($held were) (>= 90%)" \
    [ $((n * 10)) -ge $((span * 9)) ]
}
check_rrd_rate lowmem-node0-Normal zone-free
check_rrd_rate lowmem system-free

# --- the dispatch grid ----------------------------------------------------------------

# Values are stamped at the end of their window on the 1 s grid: whole
# seconds, one per second. A noisy machine may delay one read past a
# whole window; more than one gap where the probe saw no hold-up is a
# fault. A gap that spans a second the machine held up is not lowmem's.
check_grid() {
  local dir=$1 ti=$2
  local rows
  rows=$(lm_csv_rows "$dir" "$ti")
  local report
  report=$(echo "$rows" | awk -F, -v held="$HELD" '
    BEGIN { while ((getline t < held) > 0) h[t] = 1 }
    NR == 1 { first = $1 }
    { if ($1 != int($1)) frac++
      if (NR > 1) { d = $1 - prev
        if (d <= 0) shared++
        else if (d != 1) { x = 0; for (t = prev + 1; t <= $1; t++) if (t in h) x = 1
                           if (x) excused++; else gaps++ } }
      prev = $1 }
    END { for (t in h) if (t + 0 > first && t + 0 <= prev) nh++
          printf "%d %d %d %d %d %d %d", NR, frac + 0, shared + 0, gaps + 0, excused + 0,
                 nh + 0, prev - first }')
  local n frac shared gaps excused held span
  read -r n frac shared gaps excused held span <<<"$report"
  lm_check "grid: $dir/$ti: $n timestamps, all whole seconds ($frac not)" [ "$frac" = 0 ]
  lm_check "grid: $dir/$ti: no two windows share a second ($shared)" [ "$shared" = 0 ]
  if [ $((held * 2)) -gt "$span" ]; then
    lm_skip_check "grid: $dir/$ti: consecutive rows ($gaps gaps, $excused where held up): the probe saw $held of $span seconds held up by more than ${LATE_S}s"
  else
    lm_check "grid: $dir/$ti: consecutive rows 1 s apart ($gaps gaps, 1 allowed; $excused more where the machine held collectd up)" [ "$gaps" -le 1 ]
  fi
}
check_grid lowmem system-free
check_grid lowmem-node0-Normal zone-free

# --- vmstat counters -----------------------------------------------------------------

check_counter() {
  local name=$1
  local before after rows
  before=$(echo "$vmstat_before" | awk -v k="$name" '$1 == k { print $2 }')
  after=$(echo "$vmstat_after" | awk -v k="$name" '$1 == k { print $2 }')
  if [ -z "$after" ]; then
    lm_csv_absent lowmem "vmpage_action-$name" "not in /proc/vmstat"
    return 0
  fi
  rows=$(lm_csv_rows lowmem "vmpage_action-$name")
  if [ -z "$rows" ]; then
    lm_not_ok "vmstat: $name is dispatched"
    return 0
  fi
  local down first last
  down=$(echo "$rows" | awk -F, 'NR > 1 && $2 < prev { n++ } { prev = $2 } END { print n + 0 }')
  first=$(echo "$rows" | awk 'NR == 1' | cut -d, -f2)
  last=$(echo "$rows" | tail -n 1 | cut -d, -f2)
  lm_check "vmstat: $name never decreases ($down decreases)" [ "$down" = 0 ]
  lm_check "vmstat: $name before the run $before <= first $first" \
    awk -v a="$before" -v b="$first" 'BEGIN { exit !(a <= b) }'
  lm_check "vmstat: $name last $last <= after the run $after" \
    awk -v a="$last" -v b="$after" 'BEGIN { exit !(a <= b) }'
}
for name in nr_dirtied nr_written pgmajfault pgscan_kswapd slabs_scanned; do
  check_counter "$name"
done

# --- slab -----------------------------------------------------------------------------

# The caches of the last window against the top N of /proc/slabinfo read
# after the run: caches come and go, so most, not all, must agree.
last_ts=0
for c in $(lm_csv_instances lowmem-slab bytes); do
  t=$(lm_csv_rows lowmem-slab "bytes-$c" | tail -n 1 | cut -d, -f1)
  last_ts=$(awk -v a="$last_ts" -v b="$t" 'BEGIN { print (b > a ? b : a) }')
done
last_window=$(for c in $(lm_csv_instances lowmem-slab bytes); do
  t=$(lm_csv_rows lowmem-slab "bytes-$c" | tail -n 1 | cut -d, -f1)
  if [ "$t" = "$last_ts" ]; then echo "$c"; fi
done | sort)
lm_check "slab: $named, named and last in /proc/slabinfo, is dispatched" \
  grep -qxF -- "$named" <<<"$last_window"
awk_top=$(echo "$slab_after" | awk -v n="$TOP_N" 'NR <= n { print $1 }' | sort)
if grep -qxF -- "$named" <<<"$awk_top"; then want=$TOP_N; else want=$((TOP_N + 1)); fi
nr_last=$(echo "$last_window" | grep -c . || true)
lm_check "slab: the last window dispatched $want caches, top $TOP_N and the named one ($nr_last)" \
  [ "$nr_last" = "$want" ]
common=$(comm -12 <(echo "$last_window") <(echo "$awk_top") | wc -l)
lm_check "slab: $common of the top $TOP_N agree with awk over /proc/slabinfo (>= $((TOP_N - 3)))" \
  [ "$common" -ge $((TOP_N - 3)) ]

# --- pressure, log, memory ------------------------------------------------------------

if [ -r /proc/pressure/memory ]; then
  lm_check "pressure: some_avg10 is dispatched" lm_csv_exists lowmem-pressure pressure-some_avg10
  lm_check "pressure: total_time_in_ms-some is dispatched" lm_csv_exists lowmem-pressure total_time_in_ms-some
fi

lm_check_log_clean
warnings=$(lm_log_count '\[warning\] lowmem plugin')
lm_check "log: no lowmem warning on this machine ($warnings)" [ "$warnings" = 0 ]

growth=$((rss_last - rss_first))
lm_check "collectd's anonymous RSS ${rss_first} kB at ${RSS_FIRST}s, ${rss_last} kB at the end: grows <= ${RSS_SLACK_KB} kB ($growth)" \
  [ "$rss_first" -gt 0 -a "$growth" -le "$RSS_SLACK_KB" ]

lm_done
