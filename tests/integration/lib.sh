# Shared by the integration tests: runs the real collectd daemon with the
# built lowmem plugin and the stock writers (csv, rrdtool, logfile) in a
# temporary directory, and counts assertions.
#
# Sourced by a bash script running under `set -euo pipefail`. The test
# driver exports top_srcdir, top_builddir, COLLECTD, RRDTOOL and SAN_CFLAGS
# (Makefile.am); run by hand, top_srcdir is found from the script's place
# and top_builddir defaults to the current directory.
#
# Exit codes, as automake's test driver reads them: 0 pass, 1 fail, 77 skip.
# LOWMEM_TEST_KEEP=1 keeps the temporary directory for a look afterwards.
#
# The machine may be busy (other daemons, builds, a CPU hog): a check that
# needs the world to stand still waits for that state with a bounded
# deadline, or measures it again a bounded number of times, and when the
# state never comes it is skipped with its reason (lm_skip_check), never
# failed. What decides is an oracle measured in the same stretch (ss, ps,
# /proc, the probe below), never lowmem's own values.

LM_PASS=0
LM_FAIL=0
LM_SKIPPED=0
LM_HOST=lowmem-test
LM_TYPESDB=/usr/share/collectd/types.db
LM_STOCK_PLUGINS=/usr/lib/collectd
LM_TPID=      # the `timeout` wrapping the running collectd
LM_CPID=      # collectd itself
LM_RUN=       # directory of the current run
LM_RC=0       # exit status of the last collectd, after lm_stop or lm_wait_exit
export LM_RC

lm_ok() {
  LM_PASS=$((LM_PASS + 1))
  echo "ok - $*"
}

lm_not_ok() {
  LM_FAIL=$((LM_FAIL + 1))
  echo "not ok - $*"
}

# lm_check DESCRIPTION COMMAND...: one assertion on a command's success.
lm_check() {
  local desc=$1
  shift
  if "$@"; then lm_ok "$desc"; else lm_not_ok "$desc"; fi
}

lm_skip() {
  echo "SKIP: $*"
  exit 77
}

# lm_skip_check REASON: one check left out because its precondition (the
# state of the machine an oracle measured) did not hold within its bound.
# Counted; neither a pass nor a failure.
lm_skip_check() {
  LM_SKIPPED=$((LM_SKIPPED + 1))
  echo "# SKIP: $*"
}

lm_done() {
  echo "$LM_PASS passed, $LM_FAIL failed, $LM_SKIPPED skipped checks"
  if [ "$LM_FAIL" -eq 0 ] && [ "$LM_PASS" -gt 0 ]; then exit 0; fi
  exit 1
}

# lm_wait_for SECONDS COMMAND...: polls COMMAND until it succeeds; false
# when SECONDS pass first. For a state a check needs, instead of a sleep
# that assumes an idle machine.
lm_wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

# Numbers as collectd writes them ("123.000000", "1.2e+09"): equal within
# half a unit, so bytes computed here and there compare exactly.
lm_num_eq() {
  awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(d < 0.5 && d > -0.5) }'
}

# Equal within half a unit or a billionth: rrdtool prints 11 digits.
lm_num_close() {
  awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d
                                   t = (b < 0 ? -b : b) * 1e-9; if (t < 0.5) t = 0.5
                                   exit !(d <= t) }'
}

# lm_memcg NAME LIMIT_BYTES: a memory cgroup with a hard limit and no swap
# for what a test runs that could exhaust memory: cgroup v1 where the
# memory controller is mounted there (/sys/fs/cgroup/memory), else v2.
# Sets LM_CG (its directory) and LM_CG_VERSION; removed at exit. Skips the
# test (77) where there is none.
LM_CG=
LM_CG_VERSION=
lm_memcg() {
  local dir limit=$2 root
  if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
    dir=/sys/fs/cgroup/memory/$1-$$
    mkdir "$dir"
    LM_CG=$dir LM_CG_VERSION=1
    echo "$limit" >"$dir/memory.limit_in_bytes"
    # No swap for the group (memory.memsw.* would move the limit's
    # failures from memory.failcnt to memory.memsw.failcnt).
    echo 0 >"$dir/memory.swappiness" 2>/dev/null || true
    echo "# cgroup v1 $dir, memory.limit_in_bytes $limit"
    return 0
  fi
  for root in /sys/fs/cgroup/unified /sys/fs/cgroup; do
    [ -f "$root/cgroup.controllers" ] && grep -qw memory "$root/cgroup.controllers" || continue
    grep -qw memory "$root/cgroup.subtree_control" ||
      echo +memory >"$root/cgroup.subtree_control" || continue
    dir=$root/$1-$$
    mkdir "$dir"
    LM_CG=$dir LM_CG_VERSION=2
    echo "$limit" >"$dir/memory.max"
    [ ! -f "$dir/memory.swap.max" ] || echo 0 >"$dir/memory.swap.max"
    echo "# cgroup v2 $dir, memory.max $limit"
    return 0
  done
  lm_skip "no memory cgroup (v1 or v2) to confine the test"
}

# lm_memcg_exec SECONDS CMD [ARG...]: runs CMD inside LM_CG, for at most
# SECONDS.
lm_memcg_exec() {
  local seconds=$1
  shift
  timeout "$seconds" sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$LM_CG" "$@"
}

lm_memcg_remove() {
  [ -n "$LM_CG" ] && [ -d "$LM_CG" ] || return 0
  for _ in $(seq 20); do
    rmdir "$LM_CG" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "# could not remove $LM_CG"
}

lm_cleanup() {
  local rc=$?
  lm_stop_quiet
  lm_probe_stop
  if declare -F lm_cleanup_hook >/dev/null; then lm_cleanup_hook || true; fi
  lm_memcg_remove
  if [ -n "${LM_TMP:-}" ] && [ -d "$LM_TMP" ]; then
    if [ "${LOWMEM_TEST_KEEP:-0}" = 1 ]; then
      echo "# kept $LM_TMP"
    else
      rm -rf "$LM_TMP"
    fi
  fi
  exit "$rc"
}

# lm_setup [STOCK_PLUGIN...]: checks what the test needs (skipping when it
# cannot run here) and builds a plugin directory: collectd refuses
# symlinked plugins, so the stock ones and lowmem.so are copied.
lm_setup() {
  top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
  top_builddir=${top_builddir:-$PWD}
  COLLECTD=${COLLECTD:-$(command -v collectd || echo /usr/sbin/collectd)}
  RRDTOOL=${RRDTOOL:-$(command -v rrdtool || true)}

  [ "$(id -u)" = 0 ] || lm_skip "collectd must run as root (slabinfo is root-only)"
  [ -z "${SAN_CFLAGS:-}" ] || lm_skip "sanitizer build: collectd cannot load it"
  [ -x "$COLLECTD" ] || lm_skip "collectd not found"
  [ -f "$LM_TYPESDB" ] || lm_skip "no $LM_TYPESDB"
  if [ -z "$RRDTOOL" ] || [ ! -x "$RRDTOOL" ]; then lm_skip "rrdtool not found"; fi
  local p
  for p in logfile csv rrdtool "$@"; do
    [ -f "$LM_STOCK_PLUGINS/$p.so" ] || lm_skip "no stock plugin $p.so"
  done
  LM_SO=$top_builddir/.libs/lowmem.so
  if [ ! -f "$LM_SO" ]; then
    echo "not ok - the built plugin $LM_SO exists (run make first)"
    echo "0 passed, 1 failed"
    exit 1
  fi

  LM_TMP=$(mktemp -d /tmp/lowmem-itest.XXXXXX)
  trap lm_cleanup EXIT
  trap 'exit 1' INT TERM
  mkdir "$LM_TMP/plugins"
  for p in logfile csv rrdtool "$@"; do
    cp "$LM_STOCK_PLUGINS/$p.so" "$LM_TMP/plugins/"
  done
  cp "$LM_SO" "$LM_TMP/plugins/lowmem.so"
  LM_PAGE=$(getconf PAGESIZE)
}

# lm_conf NAME LOWMEM_BODY [STOCK_PLUGIN...]: starts a new run directory
# $LM_RUN with its configuration: logfile first (so every message of the
# later plugins reaches the log), csv, rrdtool, the extra stock plugins,
# then lowmem with LOWMEM_BODY inside its <Plugin> block.
lm_conf() {
  local name=$1 body=$2
  shift 2
  LM_RUN=$LM_TMP/$name
  LM_LOG=$LM_RUN/collectd.log
  LM_CSV=$LM_RUN/csv
  LM_RRD=$LM_RUN/rrd
  LM_CONF=$LM_RUN/collectd.conf
  mkdir -p "$LM_RUN" "$LM_CSV" "$LM_RRD"
  {
    cat <<EOF
Hostname "$LM_HOST"
FQDNLookup false
Interval 1
BaseDir "$LM_RUN"
PIDFile "$LM_RUN/collectd.pid"
PluginDir "$LM_TMP/plugins"
TypesDB "$LM_TYPESDB"

LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$LM_LOG"
  Timestamp true
  PrintSeverity true
</Plugin>

LoadPlugin csv
<Plugin csv>
  DataDir "$LM_CSV"
  StoreRates false
</Plugin>

LoadPlugin rrdtool
<Plugin rrdtool>
  DataDir "$LM_RRD"
  CacheTimeout 0
</Plugin>

EOF
    local p
    for p in "$@"; do echo "LoadPlugin $p"; done
    cat <<EOF

LoadPlugin lowmem
<Plugin lowmem>
$body
</Plugin>
EOF
  } >"$LM_CONF"
}

# lm_start MAX_SECONDS: runs collectd in the foreground of a background
# job, killed by `timeout` after MAX_SECONDS whatever happens.
lm_start() {
  local max=$1
  timeout -s TERM -k 5 "$max" "$COLLECTD" -f -C "$LM_CONF" \
    >"$LM_RUN/stdout" 2>&1 &
  LM_TPID=$!
  LM_CPID=
  for _ in $(seq 300); do
    LM_CPID=$(ps -o pid= --ppid "$LM_TPID" 2>/dev/null | tr -d ' ' || true)
    [ -n "$LM_CPID" ] && break
    kill -0 "$LM_TPID" 2>/dev/null || break
    sleep 0.1
  done
}

lm_running() {
  [ -n "$LM_CPID" ] && kill -0 "$LM_CPID" 2>/dev/null
}

# lm_wait_values DIR TYPE_INSTANCE [SECONDS] [ROWS]: until the running
# collectd has written ROWS (default 1) CSV rows of an identifier, at most
# SECONDS (default 60); false when collectd ended or the time ran out.
lm_wait_values() {
  local dir=$1 ti=$2 deadline=$((SECONDS + ${3:-60})) rows=${4:-1}
  until [ "$(lm_csv_rows "$dir" "$ti" | wc -l)" -ge "$rows" ]; do
    lm_running || return 1
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

# lm_stop: SIGTERM to collectd, and waits for it. Sets LM_RC to its exit
# status (timeout's: 124 when it had to kill it).
lm_stop() {
  LM_RC=0
  [ -n "$LM_TPID" ] || return 0
  if lm_running; then kill -TERM "$LM_CPID" 2>/dev/null || true; fi
  wait "$LM_TPID" || LM_RC=$?
  LM_TPID=
  LM_CPID=
}

lm_stop_quiet() {
  if [ -n "${LM_TPID:-}" ]; then lm_stop || true; fi
}

# lm_wait_exit SECONDS: true when collectd ended within SECONDS; LM_RC is
# its exit status then.
lm_wait_exit() {
  local deadline=$((SECONDS + $1))
  while [ $SECONDS -lt "$deadline" ]; do
    if ! kill -0 "$LM_TPID" 2>/dev/null; then
      LM_RC=0
      wait "$LM_TPID" || LM_RC=$?
      LM_TPID=
      LM_CPID=
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# --- the probe: how late this machine wakes a plain process -----------------

# lm_probe_start [MEMINFO_KEY...]: runs, beside the test, a shell loop of
# normal priority that asks for a wakeup every 50 ms and logs when it came:
# "EPOCH_US LATE_US [BYTES...]", LATE_US being how much longer than 50 ms
# the wait took, BYTES the named /proc/meminfo values then. collectd's
# read threads get what the machine gives such a process: a probe that woke
# on time in a stretch says the machine let a 10 Hz sampler run there, a
# late one that it did not, whatever lowmem did. No process is forked per
# wakeup (bash's read -t and EPOCHREALTIME), so the probe costs little and
# measures scheduling, not fork. Ends by itself after 900 s; lm_cleanup
# stops it.
LM_PROBE_PID=
LM_PROBE_LOG=
lm_probe_start() {
  LM_PROBE_LOG=$LM_TMP/probe.log
  mkfifo "$LM_TMP/probe.fifo"
  (
    set +e
    trap - EXIT
    # Read and written by this loop alone: no line ever comes, each read
    # times out after 50 ms.
    exec 3<>"$LM_TMP/probe.fifo"
    # The lines of the wanted keys, found once: each wakeup then reads the
    # file with one builtin and cuts the values out without a fork.
    mapfile -t m </proc/meminfo
    idx=()
    for want in "$@"; do
      for i in "${!m[@]}"; do
        [ "${m[i]%%:*}" = "$want" ] && idx+=("$i")
      done
    done
    deadline=$((SECONDS + 900))
    prev=${EPOCHREALTIME//[!0-9]/}
    while [ $SECONDS -lt $deadline ]; do
      read -r -t 0.05 -u 3 _
      now=${EPOCHREALTIME//[!0-9]/}
      line="$now $((now - prev - 50000))"
      if [ ${#idx[@]} -gt 0 ]; then
        mapfile -t m </proc/meminfo
        for i in "${idx[@]}"; do
          v=${m[i]#*:}
          v=${v% kB}
          line+=" $((${v// /} * 1024))"
        done
      fi
      echo "$line"
      prev=$now
    done
  ) >"$LM_PROBE_LOG" 2>/dev/null &
  LM_PROBE_PID=$!
}

lm_probe_stop() {
  [ -n "${LM_PROBE_PID:-}" ] || return 0
  kill "$LM_PROBE_PID" 2>/dev/null || true
  wait "$LM_PROBE_PID" 2>/dev/null || true
  LM_PROBE_PID=
}

# lm_probe_covers T: the probe has logged a wakeup at T (epoch seconds) or
# after; waits up to 10 s for it (a probe held up logs late).
lm_probe_covers() {
  local t=$1
  [ -n "$LM_PROBE_LOG" ] || return 1
  lm_wait_for 10 awk -v t="$t" '$1 / 1e6 >= t { f = 1; exit } END { exit !f }' "$LM_PROBE_LOG"
}

# lm_probe_late FROM TO: "WORST LOST" over the stretch FROM..TO (epoch
# seconds): the latest wakeup, and the seconds lost to wakeups later than
# 0.1 s (each one's lateness summed), of the waits that overlap the stretch.
# "999 999" when the probe did not cover it.
lm_probe_late() {
  local from=$1 to=$2
  if ! lm_probe_covers "$to"; then
    echo "999 999"
    return 0
  fi
  awk -v a="$from" -v b="$to" '
    { t = $1 / 1e6; l = $2 / 1e6
      if (t <= a || t - 0.05 - l >= b) next
      n++; if (l > w) w = l; if (l > 0.1) lost += l }
    END { if (!n) print "999 999"; else printf "%.3f %.3f\n", w, lost }' "$LM_PROBE_LOG"
}

# lm_probe_max FROM TO N: the largest N-th logged /proc/meminfo value (1:
# the first key given to lm_probe_start) of the wakeups from FROM to TO;
# -1 when there is none.
lm_probe_max() {
  awk -v a="$1" -v b="$2" -v c=$((2 + $3)) '
    { t = $1 / 1e6 } t >= a && t <= b && NF >= c { if (m == "" || $c > m) m = $c }
    END { print (m == "" ? -1 : m) }' "$LM_PROBE_LOG"
}

# --- what collectd wrote ------------------------------------------------------

# Directory of a plugin instance ("lowmem-node0-Normal") in the CSV tree.
lm_csv_dir() {
  echo "$LM_CSV/$LM_HOST/$1"
}

# lm_csv_files DIR TYPE_INSTANCE: the CSV files of one identifier (one per
# day the run touched).
lm_csv_files() {
  local f
  for f in "$(lm_csv_dir "$1")/$2"-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]; do
    [ -e "$f" ] && echo "$f"
  done
  return 0
}

lm_csv_exists() {
  [ -n "$(lm_csv_files "$1" "$2")" ]
}

# lm_csv_rows DIR TYPE_INSTANCE: "epoch,value" rows in time order.
lm_csv_rows() {
  local files
  files=$(lm_csv_files "$1" "$2")
  [ -n "$files" ] || return 0
  # shellcheck disable=SC2086
  cat $files | grep -v '^epoch' | sort -t, -k1,1n
}

lm_csv_last() {
  lm_csv_rows "$1" "$2" | tail -n 1 | cut -d, -f2
}

# lm_csv_is DIR TYPE_INSTANCE EXPECTED [WHY]: every row holds EXPECTED.
lm_csv_is() {
  local dir=$1 ti=$2 want=$3 why=${4:-}
  local rows
  rows=$(lm_csv_rows "$dir" "$ti")
  local desc="$dir/$ti = $want${why:+ ($why)}"
  if [ -z "$rows" ]; then
    lm_not_ok "$desc: no CSV rows"
    return 0
  fi
  local bad
  bad=$(echo "$rows" | awk -F, -v w="$want" \
    '{ d = $2 - w; if (d >= 0.5 || d <= -0.5) { print $2; exit } }')
  if [ -z "$bad" ]; then
    lm_ok "$desc, $(echo "$rows" | wc -l) rows"
  else
    lm_not_ok "$desc: got $bad"
  fi
}

# lm_csv_absent DIR TYPE_INSTANCE [WHY]
lm_csv_absent() {
  if lm_csv_exists "$1" "$2"; then
    lm_not_ok "$1/$2 is not dispatched${3:+ ($3)}: it is"
  else
    lm_ok "$1/$2 is not dispatched${3:+ ($3)}"
  fi
}

# Type instances with a given type under a plugin instance ("bytes" ->
# "dentry", "kmalloc-64", ...), from the CSV file names.
lm_csv_instances() {
  local dir type f base
  dir=$(lm_csv_dir "$1")
  type=$2
  [ -d "$dir" ] || return 0
  for f in "$dir/$type"-*-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]; do
    [ -e "$f" ] || continue
    base=${f##*/}
    base=${base#"$type"-}
    echo "${base%-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]}"
  done | sort -u
}

lm_rrd_file() {
  echo "$LM_RRD/$LM_HOST/$1/$2.rrd"
}

lm_rrd_step() {
  "$RRDTOOL" info "$1" | awk -F' = ' '$1 == "step" { print $2 }'
}

lm_rrd_last_update() {
  "$RRDTOOL" info "$1" | awk -F' = ' '$1 == "last_update" { print $2 }'
}

# lm_rrd_fetch FILE START END: "epoch value" rows of the 1 s MIN archive,
# unknown values dropped.
lm_rrd_fetch() {
  "$RRDTOOL" fetch "$1" MIN -r 1 -s "$2" -e "$3" |
    awk -F': ' 'NF == 2 && $1 ~ /^[0-9]+$/ && $2 !~ /nan/ { printf "%s %.6f\n", $1, $2 }'
}

# --- the log -------------------------------------------------------------------

lm_log_count() {
  grep -c -E -- "$1" "$LM_LOG" 2>/dev/null || true
}

# Lines of the log about errors from lowmem, rrdtool or csv.
lm_log_errors() {
  # Notifications (logged by logfile) report the kernel's state, FAILURE
  # included: they are not errors of lowmem's.
  grep -i -E 'error|fail' "$LM_LOG" 2>/dev/null | grep -v -F 'Notification: ' |
    grep -i -E 'lowmem|rrd|csv' || true
}

lm_check_log_clean() {
  local errs
  errs=$(lm_log_errors)
  if [ -z "$errs" ]; then
    lm_ok "log: no error from lowmem, rrdtool or csv"
  else
    lm_not_ok "log: no error from lowmem, rrdtool or csv: $(echo "$errs" | head -n 3)"
  fi
}

# --- the kernel's files, read with awk ------------------------------------------

# "NODE ZONE KEY VALUE" per zone field: pages free, watermarks, sizes, the
# zone's own slab and CMA counters (not the node's "per-node stats"
# block printed under the first zone of a node on 4.8+), and "protection"
# with the list as VALUE (space-separated). Also "ordinal" (the zone's
# place among its node's printed zones).
lm_awk_zoneinfo() {
  awk '
    /^Node/ { node = $2; sub(",", "", node); zone = $4; inzone = 0
              ordinal[node]++; print node, zone, "ordinal", ordinal[node] - 1; next }
    /^ *pages free/ { inzone = 1; print node, zone, "free", $3; next }
    !inzone { next }
    NF == 2 && $1 ~ /^(min|low|high|spanned|present|managed)$/ { print node, zone, $1, $2 }
    NF == 2 && $1 ~ /^nr_(slab_reclaimable|slab_unreclaimable|free_cma)$/ { print node, zone, $1, $2 }
    $1 == "protection:" { s = $0; sub(/.*\(/, "", s); sub(/\).*/, "", s); gsub(/,/, " ", s)
                          print node, zone, "protection", s }
  ' "$1"
}

# "NODE ZONE ORDER COUNT" per buddy order.
lm_awk_buddyinfo() {
  awk '/^Node/ { node = $2; sub(",", "", node); zone = $4
                 for (i = 5; i <= NF; i++) print node, zone, i - 5, $i }' "$1"
}

# "KEY BYTES" per meminfo line (kB lines times 1024).
lm_awk_meminfo() {
  awk '$1 ~ /:$/ { k = $1; sub(":", "", k); v = $2; if ($3 == "kB") v *= 1024
                   printf "%s %.0f\n", k, v }' "$1"
}

# "NAME BYTES ACTIVE_OBJS" per slab cache, most bytes first; bytes =
# num_slabs x pagesperslab x page size (slabinfo 2.x columns: name
# active_objs num_objs objsize objperslab pagesperslab : tunables ... :
# slabdata active_slabs num_slabs sharedavail). Names with '/' as lowmem
# writes them ('_').
lm_awk_slab_top() {
  awk -v page="$LM_PAGE" '
    /^slabinfo/ || /^#/ { next }
    { for (i = 1; i <= NF; i++) if ($i == "slabdata") break
      if (i > NF) next
      name = $1; gsub("/", "_", name)
      printf "%s %.0f %s\n", name, $(i + 2) * $6 * page, $2 }
  ' "$1" | sort -k2,2nr -k1,1
}

# The lowmem type instance of a meminfo key (the names are the interface).
lm_meminfo_instance() {
  case $1 in
  MemTotal) echo total ;;
  MemFree) echo free ;;
  MemAvailable) echo available ;;
  HighTotal) echo high_total ;;
  HighFree) echo high_free ;;
  LowTotal) echo low_total ;;
  LowFree) echo low_free ;;
  Slab) echo slab ;;
  SReclaimable) echo slab_reclaimable ;;
  SUnreclaim) echo slab_unreclaimable ;;
  KernelStack) echo kernel_stack ;;
  PageTables) echo page_tables ;;
  Dirty) echo dirty ;;
  Writeback) echo writeback ;;
  Committed_AS) echo committed_as ;;
  CommitLimit) echo commit_limit ;;
  SwapTotal) echo swap_total ;;
  SwapFree) echo swap_free ;;
  esac
}

# The vmstat counters lowmem reports, by name prefix (collectd-lowmem(5), METRICS).
LM_VMSTAT_PREFIXES='^(pgscan|pgsteal|pgrefill|allocstall|compact_|oom_kill|slabs_scanned|kswapd_|pageoutrun|pginodesteal|drop_pagecache|drop_slab|nr_dirtied|nr_written|pgmajfault|workingset_refault)'

# "NAME VALUE [WHY]" of every reported vmstat counter, plus the sums lowmem
# adds under the plain name where the kernel prints only per-zone counters
# (allocstall_normal + allocstall_dma32 + ... -> allocstall); WHY says so.
lm_awk_vmstat_expected() {
  awk -v re="$LM_VMSTAT_PREFIXES" '
    { have[$1] = 1; value[$1] = $2; order[NR] = $1 }
    END {
      for (i = 1; i <= NR; i++) {
        n = order[i]
        if (n !~ re) continue
        printf "%s %.0f\n", n, value[n]
        base = n
        if (sub(/_(dma|dma32|normal|high|movable|device)$/, "", base) && !(base in have)) {
          if (!(base in sum)) { sum[base] = 0; bases[++nb] = base; parts[base] = n }
          else parts[base] = parts[base] "+" n
          sum[base] += value[n]
        }
      }
      for (i = 1; i <= nb; i++)
        printf "%s %.0f sum of %s\n", bases[i], sum[bases[i]], parts[bases[i]]
    }' "$1"
}
