# The model check's table: lowmem's headroom against the kernel's own
# verdicts, per sample interval (doc/model-check.md).
#
#   awk -f model.awk SAMPLES TRACE
#
# SAMPLES: model-sample's lines (T ZONE ORDER FREE MIN LOW RESERVE TYPES
# NEW_MIN NEW_LOW NEW_ATOMIC OLD_MIN OLD_LOW OLD_ATOMIC), in time order.
# TRACE: the kernel's trace (tracefs, trace_clock mono) of
# kmem:mm_page_alloc, compaction:mm_compaction_try_to_compact_pages and
# vmscan:mm_vmscan_direct_reclaim_begin.
#
# Sample i speaks for the interval [T_i, T_i+1): the requests made then are
# set against its headroom. A request of the lowmem zones (not __GFP_HIGHMEM,
# not GFP_DMA, not from kswapd, which may ignore the watermarks) is one of
#   nowait   may not reclaim, not atomic: checked at min, and refused when
#            the page allocator returns no page (trace: pfn 0);
#   reclaim  may reclaim: checked at min, and refused when it stalls for
#            it (a compaction or direct reclaim event of its order);
#            accepted when it got a page without one;
#   atomic   GFP_ATOMIC (__GFP_HIGH with __GFP_ATOMIC, no __GFP_NOMEMALLOC):
#            checked at the atomic mark, refused when it gets no page.
# An interval in which a class asked for order k is "refused" when at least
# one such request was refused, else "accepted"; intervals in which it did
# not ask say nothing. A model predicts a refusal when the headroom of the
# class (GFP_KERNEL at min for nowait and reclaim, GFP_ATOMIC for atomic)
# is at most 0 in every lowmem zone of the sample: the kernel refuses only
# when no zone of the request's list passes.
#
# With -v show=1, also each interval a model got wrong: its time and the
# headroom it had.
#
# Prints, per class and order, for the new and the old model: intervals
# with requests, TP FP FN TN, precision and recall; then the requests
# themselves (accepted and refused) per class and order, and what was left
# out.

function isflag(f, name) { return index("|" f "|", "|" name "|") > 0 }

# The class of a request from its gfp flags as the kernel prints them
# (include/trace/events/mmflags.h: combined names first), or "" when it is
# not one the model speaks for.
function class_of(f) {
  if (isflag(f, "__GFP_HIGHMEM") || isflag(f, "GFP_HIGHUSER") ||
      isflag(f, "GFP_HIGHUSER_MOVABLE") || isflag(f, "GFP_TRANSHUGE") ||
      isflag(f, "GFP_TRANSHUGE_LIGHT") || isflag(f, "GFP_DMA") ||
      isflag(f, "GFP_DMA32") || isflag(f, "__GFP_MEMALLOC"))
    return ""
  if (isflag(f, "GFP_KERNEL") || isflag(f, "GFP_KERNEL_ACCOUNT") ||
      isflag(f, "GFP_USER") || isflag(f, "GFP_NOFS") ||
      isflag(f, "GFP_NOIO") || isflag(f, "__GFP_RECLAIM") ||
      isflag(f, "__GFP_DIRECT_RECLAIM"))
    return "reclaim"
  if (isflag(f, "GFP_ATOMIC") ||
      (isflag(f, "__GFP_HIGH") && isflag(f, "__GFP_ATOMIC")))
    return isflag(f, "__GFP_NOMEMALLOC") ? "" : "atomic"
  if (isflag(f, "__GFP_HIGH") || isflag(f, "__GFP_ATOMIC"))
    return ""
  return "nowait"
}

# The index of the last sample at or before t, or 0 when none.
function sample_at(t,    lo, hi, mid) {
  if (ns == 0 || t < st[1] || t >= st[ns] + gap) return 0
  lo = 1; hi = ns
  while (lo < hi) {
    mid = int((lo + hi + 1) / 2)
    if (st[mid] <= t) lo = mid; else hi = mid - 1
  }
  return lo
}

function value(key,    i) {
  for (i = 1; i <= NF; i++)
    if (index($i, key "=") == 1) return substr($i, length(key) + 2)
  return ""
}

FNR == 1 { file++ }

# --- the samples ---------------------------------------------------------
file == 1 {
  if ($2 ~ /-(HighMem|Movable|Device)$/) next
  if ($1 != last_t) { ns++; st[ns] = $1 + 0; last_t = $1 }
  k = $3
  orders[k] = 1
  # The best lowmem zone of the sample: the kernel tries each in turn.
  for (m = 0; m < 2; m++) {
    kmin = m ? $12 : $9; katom = m ? $14 : $11
    key = ns SUBSEP m SUBSEP k
    if (!(key in best_min) || kmin + 0 > best_min[key]) best_min[key] = kmin + 0
    if (!(key in best_atom) || katom + 0 > best_atom[key]) best_atom[key] = katom + 0
  }
  if ($8 == 1) typed[ns] = 1
  next
}

# --- the trace -----------------------------------------------------------
/^#/ { next }
{
  t = -1
  for (i = 1; i <= NF; i++)
    if ($i ~ /^[0-9]+\.[0-9]+:$/) { t = substr($i, 1, length($i) - 1) + 0; ev = $(i + 1); break }
  if (t < 0) { unparsed++; next }
  sub(/:$/, "", ev)
  if (gap == 0) gap = ns > 1 ? (st[ns] - st[1]) / (ns - 1) * 3 : 1
  comm = $1
  if (comm ~ /^kswapd/) { skipped["kswapd"]++; next }
  order = value("order") + 0
  if (ev == "mm_page_alloc") {
    c = class_of(value("gfp_flags"))
    refused = (value("pfn") == "0x0")
  } else if (ev == "mm_compaction_try_to_compact_pages") {
    c = class_of(value("gfp_mask")); refused = 1
    if (c != "") c = "reclaim"
  } else if (ev == "mm_vmscan_direct_reclaim_begin") {
    c = class_of(value("gfp_flags")); refused = 1
    if (c != "") c = "reclaim"
  } else { skipped["other events"]++; next }
  if (c == "") { skipped["other requests (HighMem, DMA, __GFP_HIGH alone)"]++; next }
  if (!(order in orders)) { skipped["orders not sampled"]++; next }
  i = sample_at(t)
  if (i == 0) { skipped["outside the samples"]++; next }
  classes[c] = 1
  key = c SUBSEP order
  if (ev == "mm_page_alloc") {
    req[key, refused]++
    # Each request on its own (not for reclaim: its stall and its page are
    # two events), against its sample.
    if (c != "reclaim")
      for (m = 0; m < 2; m++) {
        h = c == "atomic" ? best_atom[i, m, order] : best_min[i, m, order]
        one[key, m, (h <= 0) (refused ? 1 : 0)]++
      }
  } else stalls[key]++
  asked[key, i] = 1
  if (refused) bad[key, i] = 1
}

function pct(a, b) { return b > 0 ? sprintf("%.3f", a / b) : "-" }

END {
  split("nowait reclaim atomic", cl, " ")
  split("new old", mn, " ")
  printf "samples %d (%.1f s), with the migrate types %d\n", ns,
    (ns > 1 ? st[ns] - st[1] : 0), length_typed()
  printf "%-8s %5s %-4s %9s %6s %6s %6s %6s %9s %6s\n", "class", "order",
    "model", "intervals", "TP", "FP", "FN", "TN", "precision", "recall"
  for (ci = 1; ci <= 3; ci++) {
    c = cl[ci]
    if (!(c in classes)) continue
    for (k = 0; k <= 10; k++) {
      if (!(k in orders)) continue
      key = c SUBSEP k
      for (m = 0; m < 2; m++) {
        tp = fp = fn = tn = n = 0
        for (i = 1; i <= ns; i++) {
          if (!((key, i) in asked)) continue
          n++
          h = c == "atomic" ? best_atom[i, m, k] : best_min[i, m, k]
          pred = h <= 0
          act = (key, i) in bad
          if (pred && act) tp++; else if (pred) fp++; else if (act) fn++; else tn++
          if (show && pred != act)
            misses = misses sprintf("%s %-7s order %d %s: %s at %.3f, headroom %d\n",
              "miss:", c, k, mn[m + 1], pred ? "FP" : "FN", st[i], h)
        }
        if (n == 0) continue
        printf "%-8s %5d %-4s %9d %6d %6d %6d %6d %9s %6s\n", c, k, mn[m + 1],
          n, tp, fp, fn, tn, pct(tp, tp + fp), pct(tp, tp + fn)
      }
    }
  }
  if (show) printf "%s", misses
  print ""
  print "intervals where the models disagree, and the kernel's verdict:"
  printf "%-8s %5s %-22s %9s %9s\n", "class", "order", "prediction", "refused",
    "accepted"
  for (ci = 1; ci <= 3; ci++) {
    c = cl[ci]
    for (k = 0; k <= 10; k++) {
      key = c SUBSEP k
      split("0 0 0 0", d, " ")
      for (i = 1; i <= ns; i++) {
        if (!((key, i) in asked)) continue
        hn = c == "atomic" ? best_atom[i, 0, k] : best_min[i, 0, k]
        ho = c == "atomic" ? best_atom[i, 1, k] : best_min[i, 1, k]
        if ((hn <= 0) == (ho <= 0)) continue
        d[(hn <= 0 ? 1 : 3) + ((key, i) in bad ? 0 : 1)]++
      }
      if (d[1] + d[2] > 0)
        printf "%-8s %5d %-22s %9d %9d\n", c, k, "new refused, old not", d[1], d[2]
      if (d[3] + d[4] > 0)
        printf "%-8s %5d %-22s %9d %9d\n", c, k, "old refused, new not", d[3], d[4]
    }
  }
  print ""
  print "each request against the sample before it (nowait and atomic):"
  printf "%-8s %5s %-4s %9s %6s %6s %6s %6s %9s %6s\n", "class", "order",
    "model", "requests", "TP", "FP", "FN", "TN", "precision", "recall"
  for (ci = 1; ci <= 3; ci++) {
    c = cl[ci]
    if (c == "reclaim") continue
    for (k = 0; k <= 10; k++) {
      key = c SUBSEP k
      for (m = 0; m < 2; m++) {
        tp = one[key, m, "11"] + 0; fp = one[key, m, "10"] + 0
        fn = one[key, m, "01"] + 0; tn = one[key, m, "00"] + 0
        if (tp + fp + fn + tn == 0) continue
        printf "%-8s %5d %-4s %9d %6d %6d %6d %6d %9s %6s\n", c, k, mn[m + 1],
          tp + fp + fn + tn, tp, fp, fn, tn, pct(tp, tp + fp), pct(tp, tp + fn)
      }
    }
  }
  print ""
  printf "%-8s %5s %9s %9s %9s\n", "class", "order", "accepted", "refused", "stalls"
  for (ci = 1; ci <= 3; ci++) {
    c = cl[ci]
    for (k = 0; k <= 10; k++) {
      key = c SUBSEP k
      if ((key, 0) in req || (key, 1) in req || key in stalls)
        printf "%-8s %5d %9d %9d %9d\n", c, k, req[key, 0], req[key, 1], stalls[key]
    }
  }
  for (s in skipped) printf "left out: %s: %d\n", s, skipped[s]
  if (unparsed) printf "left out: lines without a timestamp: %d\n", unparsed
}

function length_typed(    i, n) { n = 0; for (i in typed) n++; return n }
