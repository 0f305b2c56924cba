# What lowmem recorded inside the guest, checked against what happened
# there. Sourced by run.sh (which has sourced tests/integration/lib.sh);
# reads $W (the work directory) and $out (the guest's output disk, read
# back).

MIB=1048576

# --- configuration ---------------------------------------------------------------

# Lines for <Plugin lowmem> when the events capability is built: the
# incident record on the output disk, and collectd OOM-protected by lowmem
# itself (init.sh also sets -1000 before collectd starts, for builds
# without it).
guest_conf_events() {
  [ "${GUEST_EVENTS:-0}" = 1 ] || return 0
  cat <<'EOF'
  KernelLog "/dev/kmsg"
  Record true
  RecordDir "/out/record"
  RecordAfterSeconds 5
  OOMScoreAdj -1000
EOF
}

# --- reading back ---------------------------------------------------------------------

# RRD files are not portable between architectures (rrdtool refuses an
# i386 file on x86_64): the guest dumped each to XML beside it (init.sh),
# this host's rrdtool restores them into $W/rrd/<host>/...; nothing i386
# runs here.
convert_rrds() {
  local src=$out/rrd dst=$W/rrd f
  rm -rf --one-file-system "$dst"
  mkdir -p "$dst"
  (cd "$src" && find . -name '*.rrd.xml' | sed 's|^\./||; s|\.xml$||' | sort) >"$W/rrd.list"
  # One rrdtool fed on stdin, rather than a process per file.
  while read -r f; do
    mkdir -p "$dst/$(dirname "$f")"
    echo "restore -f $src/$f.xml $dst/$f"
  done <"$W/rrd.list" | timeout -k 5 300 "$RRDTOOL" - >"$W/rrd-restore.log" 2>&1 || true
}

# --- helpers -------------------------------------------------------------------------------

# The time (epoch seconds) of the first pressure.log line of STEP, or "".
step_time() {
  awk -v s="$1" '$2 == s { print $1; exit }' "$out/pressure.log"
}

# csv_rows_between DIR TYPE_INSTANCE FROM TO: "epoch,value" rows with
# FROM < epoch <= TO (a row stamped t holds the samples of (t-1, t]).
csv_rows_between() {
  lm_csv_rows "$1" "$2" | awk -F, -v a="$3" -v b="$4" '$1 > a && $1 <= b'
}

# csv_stat DIR TYPE_INSTANCE FROM TO min|max|first|last: one number.
csv_stat() {
  csv_rows_between "$1" "$2" "$3" "$4" | awk -F, -v what="$5" '
    NR == 1 { min = max = first = $2 }
    { if ($2 < min) min = $2; if ($2 > max) max = $2; last = $2 }
    END { if (NR == 0) exit
          v = what == "min" ? min : what == "max" ? max : what == "first" ? first : last
          printf "%.0f\n", v }'
}

# jq_true JQ_ARGS...: jq -e, quietly.
jq_true() { jq -e "$@" >/dev/null; }

mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
kib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1024 }'; }

# meminfo_bytes FILE KEY / zone_field FILE ZONE KEY: the guest's own
# snapshots of /proc (bytes; pages), read with lib.sh's awk.
meminfo_bytes() { lm_awk_meminfo "$1" | awk -v k="$2" '$1 == k { print $2 }'; }
zone_field() { lm_awk_zoneinfo "$1" | awk -v z="$2" -v k="$3" '$1 == 0 && $2 == z && $3 == k { print $4 }'; }

# --- the foundation: zones, headroom, meminfo, counters -------------------------------------

analyse_foundation() {
  LM_CSV=$out/csv
  LM_RRD=$W/rrd
  LM_LOG=$out/collectd.log
  LM_PAGE=4096
  local normal=lowmem-node0-Normal highmem=lowmem-node0-HighMem

  t_pin=$(step_time pin-start)
  t_wall=$(step_time fork-wall)
  t_oom=$(step_time oom-kill)
  t_undone=$(step_time undone)
  t_end=${end:-$(date +%s)}
  echo "# pressure.log:"
  sed 's/^/#   /' "$out/pressure.log"
  lm_check "the scenario drove the guest to an OOM kill (pressure exit ${pressure_rc:-?})" \
    [ "${pressure_rc:-}" = 0 -a -n "$t_oom" ]
  lm_check "collectd ran through the incident and (started again after its SIGKILL, when there is a ring to read) stopped cleanly on SIGTERM (${collectd_rc:-?})" \
    [ "${collectd_rc:-}" = 0 ]
  lm_check_log_clean
  [ -n "$t_pin" ] && [ -n "$t_oom" ] || { lm_not_ok "pressure.log has pin-start and oom-kill"; return 0; }

  # The kernel's own account of the first kill, for the record and for
  # the scenario: the incident was an order-1 request that found no free
  # block of 8 kB or more in Normal.
  local header buddy
  header=$(grep -m1 'invoked oom-killer' "$out/dmesg.txt" | sed 's/^\[[^]]*\] //' || true)
  buddy=$(grep -m1 -E '\] Normal: ' "$out/dmesg.txt" | sed 's/^\[[^]]*\] //' || true)
  echo "# kernel: $header"
  echo "# kernel: $buddy"
  lm_check "the guest's first OOM kill came from an order-1 request in fork, as in the incident" \
    grep -q -E 'invoked oom-killer: .*order=1,' <<<"$header"

  # The guest is a 32-bit HighMem machine, and lowmem's byte counts are
  # exact there (unsigned long is 32 bits on i386): compare with the
  # guest's own /proc snapshots, read with awk.
  local key inst want zone
  for key in MemTotal LowTotal HighTotal; do
    inst=$(lm_meminfo_instance "$key")
    want=$(meminfo_bytes "$out/before/meminfo" "$key")
    if [ -n "$want" ]; then
      lm_csv_is lowmem "system-$inst" "$want" "$key of the guest's /proc/meminfo"
    else
      lm_not_ok "the guest's meminfo has $key (a HighMem kernel)"
    fi
  done
  for zone in Normal HighMem; do
    want=$(zone_field "$out/before/zoneinfo" "$zone" present)
    lm_csv_is "lowmem-node0-$zone" zone_size-present "$((want * 4096))" "present pages x 4096"
  done
  local min low high
  min=$(csv_stat "$normal" zone-min 0 "$t_end" last)
  low=$(csv_stat "$normal" zone-low 0 "$t_end" last)
  high=$(csv_stat "$normal" zone-high 0 "$t_end" last)
  lm_csv_is "$normal" zone-min "$(($(zone_field "$out/before/zoneinfo" Normal min) * 4096))" \
    "the min watermark of the guest's zoneinfo"

  # Sampled all along: a row every second from before the pressure to
  # after the recovery (collectd's read thread was stalled neither by
  # reclaim nor by the OOM killer).
  local gaps
  gaps=$(csv_rows_between "$normal" zone-free "$((${t_pin%.*} - 3))" "$((${t_undone%.*} + 3))" |
    awk -F, 'NR > 1 && $1 - prev > 1.5 { n++ } { prev = $1 } END { print n + 0 }')
  lm_check "a row per second all through the incident ($gaps gaps)" [ "$gaps" = 0 ]

  # Normal free fell to its watermarks while reclaimable slab grew and
  # HighMem stayed free: the incident's picture.
  local free_low slab0 slab_max high_low highfree_low
  free_low=$(csv_stat "$normal" zone-free "$t_pin" "$t_oom" min)
  lm_check "Normal free fell to its watermarks: lowest $(kib "$free_low") kB before the kill (min $(kib "$min"), low $(kib "$low"), high $(kib "$high"))" \
    [ -n "$free_low" -a "${free_low:-0}" -le "${high:-0}" ]
  slab0=$(csv_stat lowmem system-slab_reclaimable 0 "$t_pin" last)
  slab_max=$(csv_stat lowmem system-slab_reclaimable "$t_pin" "$((${t_oom%.*} + 1))" max)
  lm_check "slab reclaimable grew by $(mib $((slab_max - slab0))) MiB (>= $SLAB_GROWTH_MB): $(mib "$slab0") -> $(mib "$slab_max") MiB" \
    [ $((slab_max - slab0)) -ge $((SLAB_GROWTH_MB * MIB)) ]
  high_low=$(csv_stat "$highmem" zone-free 0 "$t_end" min)
  highfree_low=$(csv_stat lowmem system-high_free 0 "$t_end" min)
  lm_check "HighMem free stayed above $HIGH_FREE_MB MiB all along: zone $(mib "$high_low") MiB, HighFree $(mib "$highfree_low") MiB" \
    [ "$high_low" -gt $((HIGH_FREE_MB * MIB)) -a "$highfree_low" -gt $((HIGH_FREE_MB * MIB)) ]

  # The hold: what pressure itself saw while it held Normal at the wall
  # (no free block of 8 kB or more), polling buddyinfo every 2 ms. It is
  # the oracle for what lowmem's samples can show: a hold that did not hold
  # is the scenario's failure, reported as such, and the checks of what
  # lowmem saw at the wall are then not made.
  check_hold

  # Headroom: order 1 at zero or below before the kill, in a window that
  # ended before it, while order 0 still passed: forks refused with free
  # memory left, all of it single pages.
  local first0 first1 h0
  first1=$(csv_rows_between "$normal" headroom-order1 "$t_pin" "$t_oom" |
    awk -F, '$2 <= 0 { print $1; exit }')
  if [ -n "$first1" ]; then
    lm_ok "Normal headroom_order1 <= 0 from $(awk -v a="$first1" -v b="$t_oom" 'BEGIN { printf "%.1f", b - a + 1 }') s before the first OOM kill"
    h0=$(csv_rows_between "$normal" headroom-order0 "$((${first1%.*} - 1))" "$first1" | cut -d, -f2)
    lm_check "Normal headroom_order0 still positive then ($(kib "${h0%.*}") kB): only order 1 refused" \
      awk -v v="${h0:-0}" 'BEGIN { exit !(v > 0) }'
  elif [ "$hold_ok" = 1 ]; then
    lm_not_ok "Normal headroom_order1 <= 0 before the first OOM kill ($t_oom)"
  else
    echo "# not checked (the hold failed): Normal headroom_order1 <= 0 before the first OOM kill (never)"
  fi
  if [ "$hold_ok" = 1 ]; then
    # Second by second: each CSV row holds the lowest sample of (S-1, S].
    local seconds missed
    read -r seconds missed < <(awk -v a="$t_wall" -v b="$t_resume" '
      NR == FNR { split($0, r, ","); v[int(r[1] + 0.5)] = r[2]; next }
      $2 == "hold-second" && $3 - 1 >= a && $3 <= b && $5 >= 0.9 * $4 {
        n++; if (!(($3 in v) && v[$3] <= 0)) { m = m " " $3 "=" (($3 in v) ? v[$3] : "none") } }
      END { print n + 0, (m == "" ? "none" : m) }' \
      <(csv_rows_between "$normal" headroom-order1 "$t_wall" "$((${t_resume%.*} + 1))") "$out/pressure.log")
    lm_check "Normal headroom_order1 <= 0 in each of the $seconds whole seconds of the hold in which pressure saw the wall in 90% of its polls or more (missed: $missed)" \
      [ "$seconds" -ge 1 -a "$missed" = none ]
  fi
  first0=$(csv_rows_between "$normal" headroom-order0 0 "$t_end" |
    awk -F, '$2 <= 0 { print $1; exit }')
  echo "# Normal headroom_order0 first <= 0: ${first0:-never}"

  # The kill, counted: vmstat's oom_kill moved in the second of the kill.
  local kill_at
  kill_at=$(lm_csv_rows lowmem vmpage_action-oom_kill |
    awk -F, 'NR == 1 { first = $2 } $2 > first { print $1; exit }')
  lm_check "lowmem/vmpage_action-oom_kill counted the kill at ${kill_at:-never} (kill seen at $t_oom)" \
    awk -v k="${kill_at:-0}" -v t="$t_oom" 'BEGIN { exit !(k >= t - 1 && k <= t + 3) }'

  # And the recovery, once the pressure was undone.
  local h1_end
  h1_end=$(lm_csv_last "$normal" headroom-order1)
  lm_check "Normal headroom_order1 recovered after the pressure ($(mib "${h1_end%.*}") MiB)" \
    awk -v v="${h1_end:-0}" 'BEGIN { exit !(v > 100 * 1048576) }'

  # The RRD files hold the same worst-of-second values as the CSV files.
  convert_rrds
  local f rrd_min csv_min
  f=$(lm_rrd_file "$normal" zone-free)
  if [ -f "$f" ]; then
    # rrdtool fetch also returns the row after the end: keep the rows of
    # the CSV's seconds, (t_pin, t_oom + 1].
    rrd_min=$(lm_rrd_fetch "$f" "${t_pin%.*}" "$((${t_oom%.*} + 1))" |
      awk -v a="$t_pin" -v b="$((${t_oom%.*} + 1))" '$1 > a && $1 <= b' |
      awk 'NR == 1 || $2 < m { m = $2 } END { printf "%.0f", m }')
    csv_min=$(csv_stat "$normal" zone-free "$t_pin" "$((${t_oom%.*} + 1))" min)
    lm_check "the guest's RRD files (i386, restored here) hold the CSV's lowest Normal free ($rrd_min = $csv_min)" \
      lm_num_close "${rrd_min:-x}" "${csv_min:-y}"
  else
    lm_not_ok "the guest's $normal/zone-free.rrd converted ($(tail -n 2 "$W/rrd-restore.log" | tr '\n' ' '))"
  fi
}

# check_hold: the scenario's precondition, from pressure.log: the forker
# met the wall and held Normal there for HOLD_SECONDS, at the wall for at
# least 70% of that time by its own polls. That share is a low bound: the
# time from a poll that found an 8 kB block to the next poll counts as off
# the wall, though the fork in between takes the block early on (forks
# take 10 to 15 ms on a busy host, where the share was 82 to 93%). Sets
# hold_ok (1 or 0), t_wall and t_resume (the hold's ends).
check_hold() {
  local polls at_wall wall_s hold_s forks refused off_s why
  hold_ok=0
  t_resume=$(step_time fork-resume)
  read -r polls at_wall wall_s hold_s forks refused off_s why < <(
    awk '$2 == "fork-hold" { print $3, $4, $5, $6, $7, $8, $9, $10; exit }' "$out/pressure.log")
  if [ -z "$t_wall" ]; then
    lm_not_ok "precondition (the scenario, not lowmem): the forker met the wall (no free block >= 8 kB in Normal) before the OOM kill ($t_oom)"
  elif [ -z "$t_resume" ] || [ -z "$hold_s" ]; then
    lm_not_ok "precondition (the scenario, not lowmem): the forker held the wall from $t_wall to the end of its hold (the OOM kill came at $t_oom, during it)"
  else
    local pct
    pct=$(awk -v w="$wall_s" -v h="$hold_s" 'BEGIN { printf "%.0f", (h > 0 ? 100 * w / h : 0) }')
    echo "# the forker met the wall at $t_wall and held it $hold_s s ($why): at the wall ${wall_s} s (${pct}%), $at_wall of $polls polls; $forks forks took the 8 kB blocks reclaim made ($refused refused); longest off the wall ${off_s} s; the OOM kill came at $t_oom"
    if awk -v w="$wall_s" -v h="$hold_s" -v want="$HOLD_SECONDS" \
      'BEGIN { exit !(h >= want - 0.5 && w >= 0.7 * h) }'; then
      hold_ok=1
      lm_ok "the scenario held Normal at the wall for ${hold_s} s, ${pct}% of it by its own polls (pressure.log: the oracle for what lowmem must see)"
    else
      lm_not_ok "precondition (the scenario, not lowmem): pressure held Normal at the wall for 70% of ${HOLD_SECONDS} s or more (it held ${hold_s} s, ${pct}% at the wall); the checks of what lowmem saw at the wall are not made"
    fi
  fi
}

# --- events: notifications and the incident record ------------------------------------------

analyse_events() {
  if [ "${GUEST_EVENTS:-0}" != 1 ]; then
    echo "# SKIP events: this tree does not build lowmem-dump (the events capability): no notification or incident record checks"
    return 0
  fi
  [ -n "${t_oom:-}" ] || { lm_not_ok "events: an OOM kill to look for"; return 0; }
  local log=$out/collectd.log

  # What the kernel said, for comparison: the invoking command, order and
  # gfp mask of the first report, and its victim.
  local k_comm k_gfp k_order k_vpid k_vcomm
  k_comm=$(sed -n 's/^\[[^]]*\] \(.*\) invoked oom-killer: .*/\1/p' "$out/dmesg.txt" | head -n 1)
  k_gfp=$(sed -n 's/.*invoked oom-killer: gfp_mask=\(0x[0-9a-f]*\).*/\1/p' "$out/dmesg.txt" | head -n 1)
  k_order=$(sed -n 's/.*invoked oom-killer: .*order=\([0-9]*\).*/\1/p' "$out/dmesg.txt" | head -n 1)
  k_vpid=$(sed -n 's/.*Killed process \([0-9]*\) (\([^)]*\)).*/\1/p' "$out/dmesg.txt" | head -n 1)
  k_vcomm=$(sed -n 's/.*Killed process \([0-9]*\) (\([^)]*\)).*/\2/p' "$out/dmesg.txt" | head -n 1)
  echo "# kernel: $k_comm asked for order $k_order, gfp $k_gfp; victim $k_vcomm ($k_vpid)"

  # --- notifications, as the logfile plugin logged them
  local notes fail_line oom_line fail_at okay_line
  notes=$(grep -n 'Notification: severity = ' "$log" | grep 'plugin = lowmem' || true)
  echo "$notes" | cut -c1-400 | sed 's/^/#   /'
  fail_line=$(echo "$notes" | grep 'severity = FAILURE' |
    grep 'type_instance = order' | head -n 1)
  oom_line=$(echo "$notes" | grep 'type_instance = oom_kill' | head -n 1)
  if [ "${hold_ok:-0}" != 1 ]; then
    echo "# not checked (the hold failed): a headroom FAILURE notification before the first OOM notification${fail_line:+ (one was logged)}"
  elif [ -n "$fail_line" ] && [ -n "$oom_line" ]; then
    # The log's clock is whole seconds (the guest's UTC).
    fail_at=$(date -u -d "$(echo "$fail_line" | sed 's/^[0-9]*:\[\([^]]*\)\].*/\1/')" +%s)
    lm_check "a headroom FAILURE notification ($(echo "$fail_line" | sed 's/.*plugin_instance = \([^,]*\),.*type_instance = \([^,]*\),.*/\1 \2/'), logged at $fail_at) came before the first OOM notification and before the kill ($t_oom)" \
      [ "${fail_line%%:*}" -lt "${oom_line%%:*}" -a "$fail_at" -le "${t_oom%.*}" ]
  else
    lm_not_ok "a headroom FAILURE notification and an OOM notification were logged"
  fi
  lm_check "the OOM notification names the invoking command, order and gfp mask ($k_comm, order $k_order, $k_gfp)" \
    grep -q -F "$k_comm (pid " <<<"$oom_line"
  lm_check "... with the order and the gfp mask the kernel printed (order-$k_order, gfp $k_gfp)" \
    grep -q -F "asked for order-$k_order (gfp $k_gfp)" <<<"$oom_line"
  lm_check "... and the victim the kernel killed ($k_vcomm, pid $k_vpid)" \
    grep -q -F "killed $k_vcomm (pid $k_vpid," <<<"$oom_line"
  okay_line=$(echo "$notes" | grep 'severity = OKAY' | grep 'plugin_instance = node0-Normal' | tail -n 1)
  lm_check "an OKAY notification for node0-Normal after the recovery" \
    [ -n "$okay_line" -a "${okay_line%%:*}" -gt "${oom_line%%:*}" ]

  # --- the incident file collectd wrote, and the ring of the killed collectd
  local inc= f
  for f in "$out"/record/incident-*.json; do
    [ -f "$f" ] || continue
    if jq_true '[.events[] | select(.kind == "oom_kill")] | length > 0' "$f"; then inc=$f; break; fi
  done
  if [ -n "$inc" ]; then
    lm_ok "collectd wrote an incident file with the OOM kill: ${inc##*/}"
    check_record "$inc" "incident file"
    lm_check "the incident file's OOM event names $k_comm, order $k_order, gfp $k_gfp and the victim $k_vcomm ($k_vpid)" \
      jq_true --arg c "$k_comm" --arg g "$k_gfp" --argjson o "${k_order:-null}" --arg vc "$k_vcomm" --argjson vp "${k_vpid:-null}" \
      '[.events[] | select(.kind == "oom_kill") | .meta |
        select(.invoker_comm == $c and .gfp_mask == $g and .order == $o and
               .victim_comm == $vc and .victim_pid == $vp)] | length >= 1' "$inc"
    # The headroom FAILURE may be in a file of its own, written before the
    # kill opened a new incident.
    if [ "${hold_ok:-0}" = 1 ]; then
      lm_check "the incident files hold a headroom FAILURE event before the OOM event" \
        jq_true -s '([.[].events[] | select(.kind == "headroom" and .severity == "FAILURE") | .time] | min) as $f |
                    ([.[].events[] | select(.kind == "oom_kill") | .time] | min) as $o |
                    $f != null and $o != null and $f < $o' "$out"/record/incident-*.json
    else
      echo "# not checked (the hold failed): the incident files hold a headroom FAILURE event before the OOM event"
    fi
  else
    lm_not_ok "collectd wrote an incident file with the OOM kill in /out/record ($(ls "$out/record" | tr '\n' ' '))"
  fi

  lm_check "lowmem-dump read the ring of the SIGKILLed collectd (exit ${dump_rc:-?}): $(head -c 200 "$out/dump-killed.err")" \
    [ "${dump_rc:-}" = 0 ]
  if [ "${dump_rc:-}" = 0 ]; then
    lm_check "... a ring its writer did not close" \
      jq_true '.source == "lowmem-dump" and .ring.clean == false' "$out/dump-killed.json"
    check_record "$out/dump-killed.json" "dump of the dead collectd's ring"
  fi
  lm_check "collectd, started again, kept the dead run's ring and said so" \
    grep -q 'lowmem.ring.prev and it was not closed' "$log"
}

# check_record JSON WHAT: an incident file's samples hold the kill at the
# sample rate, and agree with the worst-of-second values in the CSV.
check_record() {
  local f=$1 what=$2 rows
  # "time oom_kill normal_headroom_order1_pages" per sample, Normal by name.
  rows=$(jq -r '.samples[] | [.time, .vmstat.oom_kill,
           (.zones[] | select(.zone == "node0-Normal") | .headroom_min[1])] | @tsv' "$f")
  local before after first_after second_after spacing kill_at zero_before
  before=$(awk -v t="$t_oom" '$1 > t - 1 && $1 <= t { n++ } END { print n + 0 }' <<<"$rows")
  after=$(awk -v t="$t_oom" '$1 > t && $1 <= t + 2 { n++ } END { print n + 0 }' <<<"$rows")
  first_after=$(awk -v t="$t_oom" '$1 > t { print $1; exit }' <<<"$rows")
  # The sampling thread itself may wait in the kernel while the OOM killer
  # works (a read of 0.6 s was seen here): the first sample after the
  # kill may come up to 1.5 s later.
  lm_check "$what: sub-second samples across the kill ($before in the second before it; the next $(awk -v a="${first_after:-0}" -v t="$t_oom" 'BEGIN { printf "%.2f", a - t }') s after it, $after in the 2 s after)" \
    awk -v b="$before" -v n="$after" -v a="${first_after:-0}" -v t="$t_oom" \
      'BEGIN { exit !(b >= 5 && n >= 5 && a - t <= 1.5) }'
  spacing=$(awk -v t="$t_oom" '$1 > t - 10 && $1 <= t { if (p) { d[++n] = $1 - p } p = $1 }
    END { for (i = 2; i <= n; i++) { x = d[i]; for (j = i - 1; j >= 1 && d[j] > x; j--) d[j + 1] = d[j]; d[j + 1] = x }
          printf "%.3f", n ? d[int((n + 1) / 2)] : 99 }' <<<"$rows")
  lm_check "$what: samples $spacing s apart (median, 10 s before the kill)" \
    awk -v s="$spacing" 'BEGIN { exit !(s <= 0.15) }'
  kill_at=$(awk 'NR == 1 { k = $2 } $2 > k { print $1; exit }' <<<"$rows")
  # A sample is stamped when its read ended: the first one stamped after
  # the kill may have read vmstat before it (reads slow down at the kill);
  # the one after it was read after the kill.
  second_after=$(awk -v t="$t_oom" '$1 > t && ++n == 2 { print $1; exit }' <<<"$rows")
  lm_check "$what: oom_kill moves in the first sample read after the kill (${kill_at:-never}; kill seen at $t_oom, samples stamped ${first_after:-none} and ${second_after:-none} after it)" \
    awk -v k="${kill_at:-0}" -v a="${second_after:-0}" -v t="$t_oom" 'BEGIN { exit !(k > t - 0.1 && k <= a) }'
  zero_before=$(awk -v t="$t_oom" '$1 < t && $3 <= 0 { n++ } END { print n + 0 }' <<<"$rows")
  if [ "${hold_ok:-0}" = 1 ]; then
    lm_check "$what: $zero_before samples with Normal's order-1 headroom at zero or below before the kill" \
      [ "$zero_before" -ge 10 ]
  else
    echo "# not checked (the hold failed): $what: $zero_before samples with Normal's order-1 headroom at zero or below before the kill"
  fi
  # Each second's lowest sample is what reached the CSV (window (t-1, t]).
  # A sample is stamped when its read ended; its CSV window is chosen when
  # the read began, after the previous sample ended. A read that crossed a
  # second (reads slow down under the pressure) may so be in either
  # window: it counts for the one whose value it explains. Every other
  # sample is in one window only.
  local csv bad checked crossed
  csv=$(csv_rows_between lowmem-node0-Normal headroom-order1 "$((${t_oom%.*} - 20))" "$((${t_oom%.*} + 1))")
  read -r checked bad crossed < <(awk -F'[,\t]' -v page=4096 '
    function window(t) { return t == int(t) ? t : int(t) + 1 }
    NR == FNR { want[int($1 + 0.5)] = $2 + 0; next }
    { v = $3 * page; e = window($1); b = FNR == 1 ? e : int(prev) + 1; prev = $1
      if (b >= e) { if (!(e in low) || v < low[e]) low[e] = v }
      else for (s = b; s <= e; s++) maybe[s] = maybe[s] " " v }
    END { for (s in want) {
            if (!(s in low) && !(s in maybe)) continue
            n++
            if ((s in low) && low[s] == want[s]) continue
            ok = 0; k = split(maybe[s], m, " ")
            for (i = 1; i <= k; i++) if (m[i] + 0 == want[s] && (!(s in low) || m[i] + 0 <= low[s])) ok = 1
            if (ok) c++; else bad++ }
          print n + 0, bad + 0, c + 0 }' <(echo "$csv") <(echo "$rows"))
  lm_check "$what: its samples' lowest of each second equal the CSV's headroom_order1 ($checked seconds, $bad differ; $crossed by a sample whose read crossed into the next second)" \
    [ "$checked" -ge 15 -a "$bad" = 0 ]
}

# --- the dashboard ------------------------------------------------------------------------------

# lowmem-graph over the restored RRD files, from a little before the
# pressure to a little after the recovery. LOWMEM_GUEST_GRAPHS=DIR keeps
# those PNGs in DIR/run, the same graphs of the last seconds before the
# kill in DIR/wall, and (with ImageMagick) DIR/guest-incident.png: four of
# them side by side, the README's picture.
draw_graphs() {
  [ -n "${t_pin:-}" ] && [ -d "$W/rrd/guest" ] || return 0
  local g=$W/graphs until=${t_undone:-$t_end}
  local s=$((${t_pin%.*} - 10)) e=$((${until%.*} + 10))
  "$top_srcdir/tools/lowmem-graph" -d "$W/rrd/guest" -o "$g/run" -s "$s" -e "$e" \
    >"$W/graph.log" 2>&1 || true
  local name missing=
  for name in zone-node0-Normal headroom-node0-Normal buddy-node0-Normal lowhigh slab; do
    [ -s "$g/run/$name.png" ] || missing="$missing $name"
  done
  lm_check "lowmem-graph drew the incident from the guest's RRD files${missing:+ (missing:$missing)}" \
    [ -z "$missing" ]
  [ -n "${LOWMEM_GUEST_GRAPHS:-}" ] || return 0

  local wall=${t_wall:-$t_oom}
  "$top_srcdir/tools/lowmem-graph" -d "$W/rrd/guest" -o "$g/wall" -W 600 -H 240 \
    -s "$((${wall%.*} - 8))" -e "$((${t_oom%.*} + 1))" >>"$W/graph.log" 2>&1 || true
  "$top_srcdir/tools/lowmem-graph" -d "$W/rrd/guest" -o "$g/small" -W 600 -H 240 \
    -s "$s" -e "$e" >>"$W/graph.log" 2>&1 || true
  mkdir -p "$LOWMEM_GUEST_GRAPHS"
  cp -r "$g/run" "$g/wall" "$LOWMEM_GUEST_GRAPHS/"
  if command -v convert >/dev/null; then
    convert \( "$g/small/lowhigh.png" "$g/small/slab.png" +append \) \
      \( "$g/wall/buddy-node0-Normal.png" "$g/wall/headroom-node0-Normal.png" +append \) \
      -append "$LOWMEM_GUEST_GRAPHS/guest-incident.png" || true
  fi
  echo "# graphs in $LOWMEM_GUEST_GRAPHS"
}
