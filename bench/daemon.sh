#!/bin/bash
# `make bench-daemon` (also run by `make bench`): what lowmem costs inside
# the real collectd daemon, against the stock plugins that read the same
# kernel state and against the kernel's own floor, in the same run.
#
#   bench/daemon.sh ./bench/lowmem-bench-daemon
#
# The parsers' benchmark (lowmem-bench) reads the files back to back, with
# the kernel's caches warm: it understates a sample taken every 0.1 s with
# pauses in between, and it leaves out what the daemon does with the values
# (dispatch, the writer plugins). Here the installed collectd runs, for
# BENCH_DAEMON_SECONDS each (default 20) after BENCH_DAEMON_WARMUP (3: the
# first dispatch creates the writer's files), these configurations:
#
#   idle       logfile and csv, no reader: the baseline subtracted
#   lm-0.1     lowmem with its defaults (SampleInterval 0.1, Interval 1), csv
#   lm-1       the same at SampleInterval 1
#   lm-1-nw    lowmem at 1 without a writer (the values stop after
#              collectd's cache, PostCacheChain): lowmem's own part, and the
#              writer's as the difference with lm-1 (the values dispatched
#              are the same at any SampleInterval, and at 1 s the kernel's
#              cost of the samples, which drifts with the slab state by more
#              than the writer's whole share, weighs ten times less)
#   stock-0.1  memory, vmem, buddyinfo, processes at Interval 0.1, csv
#   stock-1    the same at Interval 1
#   paced      lowmem-bench-daemon paced: a bare pread of lowmem's six
#              files at 10 Hz with real pauses, and of the five without
#              slabinfo (the kernel's floor, which no reader avoids)
#
# and with BENCH_DAEMON_EXTRA=1 also lm-0.1-nw (no writer at 0.1 s),
# lm-0.1-noslab (Slabinfo false) and lm-0.1-rrd (rrdtool instead of csv,
# with the plugin's defaults; rrdtool refuses sub-second steps, so the
# stock set has no such row). They run in BENCH_DAEMON_ROUNDS rounds
# (default 3), each round in the order of the previous one rotated by one,
# so that a busy neighbour weighs on each alike; a daemon's cost is its CPU
# time less the idle daemon's of the same round, and the medians of the
# rounds are printed with their smallest and largest.
#
# Below the table, lowmem's cost is split as fixed + samples a second x
# per sample, from the 0.1 s and 1 s rows of each round, and the per-sample
# part set against the paced floor. A read of slabinfo walks every cache's
# partial slabs: its cost, most of a sample's, follows how fragmented the
# slab caches are at the moment, which moves within minutes on a busy
# machine; the partial slabs at the start of each run are printed to show
# it. There, more and shorter rounds (BENCH_DAEMON_SECONDS=10
# BENCH_DAEMON_ROUNDS=6, 9 minutes instead of 8: each run has its
# warm-up) alternate finer.
#
# A daemon's CPU time is its process CPU clock (clock_getcpuclockid): in ns,
# and with the time of exited threads, which a sum of the live threads'
# /proc/PID/task/*/schedstat loses; that sum is read beside it as a check.
# /proc/PID/stat's utime + stime would keep exited threads too, but counts
# in 10 ms ticks.
#
# BENCH_DAEMON_RESULTS=FILE keeps the raw figures of every run there
# ("ROUND NAME CPU_NS WALL_NS SCHEDSTAT_NS THREADS_BEFORE THREADS_AFTER
# CSV_ROWS CSV_VALUES PARTIAL_SLABS"; the floor's "ROUND paced-SET SAMPLES
# READS_US TOTAL_US HEAP_CALLS PARTIAL_SLABS", per sample).
#
# Needs root (slabinfo is 0400), the installed collectd with its csv,
# logfile, memory, vmem, buddyinfo and processes plugins (and rrdtool for
# the extra row), and the built plugin (LOWMEM_SO, default
# ./.libs/lowmem.so); without them it says why and exits 0. collectd
# refuses symlinked plugins: they are copied into a temporary PluginDir.
# Every process runs under `timeout`; the temporary directory is removed
# at exit.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 PATH-TO-lowmem-bench-daemon" >&2
	exit 2
fi
helper=$1
seconds=${BENCH_DAEMON_SECONDS:-20}
rounds=${BENCH_DAEMON_ROUNDS:-3}
warmup=${BENCH_DAEMON_WARMUP:-3}
extra=${BENCH_DAEMON_EXTRA:-0}
levers=${BENCH_DAEMON_LEVERS:-0}
lowmem_so=${LOWMEM_SO:-./.libs/lowmem.so}
collectd=${COLLECTD:-$(command -v collectd || echo /usr/sbin/collectd)}
stock=/usr/lib/collectd
typesdb=/usr/share/collectd/types.db
hz=10 # samples a second at 0.1 s, and the pace of the floor

echo
echo "lowmem in the collectd daemon (bench/daemon.sh)"
skip() {
	echo "skipped: $*"
	exit 0
}
for v in "$seconds" "$rounds" "$warmup"; do
	case $v in
	'' | *[!0-9]*) echo "BENCH_DAEMON_SECONDS, _ROUNDS and _WARMUP are whole numbers" >&2 && exit 2 ;;
	esac
done
if [ "$seconds" -lt 1 ] || [ "$rounds" -lt 1 ]; then
	echo "BENCH_DAEMON_SECONDS and BENCH_DAEMON_ROUNDS must be 1 or more" >&2
	exit 2
fi
[ "$(id -u)" -eq 0 ] || skip "needs root (/proc/slabinfo is 0400, as lowmem in collectd reads it)"
[ -z "${SAN_CFLAGS:-}" ] || skip "sanitizer build: collectd cannot load it"
[ -x "$collectd" ] || skip "no collectd ($collectd)"
[ -f "$typesdb" ] || skip "no $typesdb"
[ -f "$lowmem_so" ] || skip "no built plugin $lowmem_so (run make)"
plugins="logfile csv memory vmem buddyinfo processes"
[ "$extra" = 1 ] && plugins="$plugins rrdtool"
for p in $plugins; do
	[ -f "$stock/$p.so" ] || skip "no stock plugin $stock/$p.so"
done

tmp=$(mktemp -d /tmp/lowmem-bench-daemon.XXXXXX)
tpid= # the `timeout` wrapping the running collectd or floor
spid= # a pause under way
cleanup() {
	[ -z "$spid" ] || kill "$spid" 2>/dev/null || true
	if [ -n "$tpid" ]; then
		kill -TERM "$tpid" 2>/dev/null || true
		wait "$tpid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Pauses in the background: bash runs a trap only once the command in the
# foreground has ended, and `wait` ends at a signal.
pause() {
	sleep "$1" &
	spid=$!
	wait "$spid"
	spid=
}

mkdir "$tmp/plugins"
for p in $plugins; do cp "$stock/$p.so" "$tmp/plugins/"; done
cp "$lowmem_so" "$tmp/plugins/lowmem.so"

names=(idle lm-0.1 lm-1 lm-1-nw stock-0.1 stock-1)
[ "$extra" = 1 ] && names+=(lm-0.1-nw lm-0.1-noslab lm-0.1-rrd)
[ "$levers" = 1 ] && names+=(lm-0.1-slab0 lm-0.1-slab1)
names+=(paced)

# The plugin lines of a configuration, after logfile.
body() {
	local dir=$1
	case $2 in
	idle | lm-0.1 | lm-1 | lm-0.1-noslab | lm-0.1-slab* | stock-0.1 | stock-1)
		printf 'LoadPlugin csv\n<Plugin csv>\n  DataDir "%s/csv"\n  StoreRates false\n</Plugin>\n' "$dir"
		;;
	lm-0.1-rrd)
		printf 'LoadPlugin rrdtool\n<Plugin rrdtool>\n  DataDir "%s/rrd"\n</Plugin>\n' "$dir"
		;;
	esac
	case $2 in
	*-nw)
		# Without a writer collectd would log a line for every value it
		# cannot write ("Available write targets: [none]"), more than the
		# csv writer costs: the values stop after the cache instead.
		printf 'PostCacheChain "PostCache"\n<Chain "PostCache">\n  Target "stop"\n</Chain>\n'
		;;
	esac
	case $2 in
	lm-*)
		printf '<LoadPlugin lowmem>\n  Interval 1\n</LoadPlugin>\n<Plugin lowmem>\n'
		case $2 in
		lm-1*) echo "  SampleInterval 1" ;;
		lm-0.1-noslab) echo "  Slabinfo false" ;;
		lm-0.1-slab0) echo "  SlabinfoInterval 0" ;;
		lm-0.1-slab1) echo "  SlabinfoInterval 1" ;;
		esac
		echo "</Plugin>"
		;;
	stock-*)
		local i=${2#stock-} p
		for p in memory vmem buddyinfo processes; do
			printf '<LoadPlugin %s>\n  Interval %s\n</LoadPlugin>\n' "$p" "$i"
		done
		;;
	esac
}

# Samples a second of a configuration: lowmem's reads, or passes of the
# stock set (each of its plugins read once).
rate() {
	case $1 in
	*-0.1*) echo "$hz" ;;
	*-1 | *-1-*) echo 1 ;;
	*) echo 0 ;;
	esac
}

# Partial slabs of all caches (SLUB's sysfs, aliases once): what a read
# of slabinfo walks, cache by cache under a spinlock with interrupts off,
# to count the free objects (up to 10,000 a node and cache since 6.10;
# all of them before). Its cost follows them: the state of the machine,
# not lowmem, moves the floor. "-" where SLUB's sysfs is missing.
partial_slabs() {
	local files
	files=$(find /sys/kernel/slab -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sed 's|$|/partial|')
	if [ -z "$files" ]; then
		echo -
		return
	fi
	# shellcheck disable=SC2086
	cat $files 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'
}

# run_daemon NAME ROUND: one measured collectd; appends
# "ROUND NAME CPU_NS WALL_NS SCHED_NS THREADS0 THREADS1 ROWS VALUES
# PARTIAL_SLABS" to $tmp/results.
run_daemon() {
	local name=$1 round=$2 dir pid a b partial lines counted
	local -a x y
	dir=$tmp/run/$name
	rm -rf "$dir"
	mkdir -p "$dir/csv" "$dir/rrd"
	{
		cat <<EOF
Hostname "bench"
FQDNLookup false
Interval 1
BaseDir "$dir"
PIDFile "$dir/collectd.pid"
PluginDir "$tmp/plugins"
TypesDB "$typesdb"
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$dir/collectd.log"
</Plugin>
EOF
		body "$dir" "$name"
	} >"$dir/collectd.conf"
	timeout -s TERM -k 5 $((warmup + seconds + 30)) "$collectd" -f -C "$dir/collectd.conf" >"$dir/stdout" 2>&1 &
	tpid=$!
	pid=
	for _ in $(seq 50); do
		pid=$(ps -o pid= --ppid "$tpid" 2>/dev/null | tr -d ' ' || true)
		[ -n "$pid" ] && break
		sleep 0.1
	done
	pause "$warmup"
	partial=$(partial_slabs)
	if [ -z "$pid" ] || ! a=$("$helper" cpu "$pid"); then
		echo "collectd ($name) did not start or stopped:" >&2
		tail -n 20 "$dir/stdout" "$dir/collectd.log" >&2 2>/dev/null || true
		exit 1
	fi
	pause "$seconds"
	if ! b=$("$helper" cpu "$pid"); then
		echo "collectd ($name) stopped while measured:" >&2
		tail -n 20 "$dir/collectd.log" >&2 2>/dev/null || true
		exit 1
	fi
	kill -TERM "$pid" 2>/dev/null || true
	wait "$tpid" 2>/dev/null || true
	tpid=
	if grep -i -E 'error|fail' "$dir/collectd.log" | grep -v -F 'Notification: ' | grep -q -i -E 'lowmem|csv|rrd'; then
		echo "note: $name logged errors:" >&2
		grep -i -E 'error|fail' "$dir/collectd.log" | grep -v -F 'Notification: ' | head -n 3 >&2
	fi
	lines=$(wc -l <"$dir/collectd.log")
	if [ "$lines" -gt 50 ]; then
		echo "note: $name logged $lines lines, in its measured cost:" >&2
		sed 's/^\[[^]]*\] //' "$dir/collectd.log" | sort | uniq -c | sort -rn | head -n 3 >&2
	fi
	# The helper's readings: MONO_NS REAL_S CPU_NS SCHEDSTAT_NS THREADS.
	read -r -a x <<<"$a"
	read -r -a y <<<"$b"
	# Values the writer got, by their time stamps within the measured
	# span (csv: a row per value list, a column per value).
	# shellcheck disable=SC2016 # awk's fields
	counted=$(find "$dir/csv" -type f -print0 | xargs -0 -r awk -F, -v t0="${x[1]}" -v t1="${y[1]}" '
		FNR > 1 && $1 >= t0 && $1 < t1 { rows++; values += NF - 1 }
		END { printf "%d %d\n", rows, values }')
	[ -n "$counted" ] || counted="0 0"
	echo "$round $name $((y[2] - x[2])) $((y[0] - x[0])) $((y[3] - x[3])) ${x[4]} ${y[4]} $counted $partial" >>"$tmp/results"
	rm -rf "$dir"
}

# run_paced ROUND: the floor; appends "ROUND paced-SET SAMPLES READS_US
# TOTAL_US HEAP PARTIAL_SLABS" per set.
run_paced() {
	local round=$1 set n reads total heap partial
	partial=$(partial_slabs)
	timeout -s TERM -k 5 $((seconds + 30)) "$helper" paced -s "$seconds" -w 1 >"$tmp/paced.out" &
	tpid=$!
	wait "$tpid" || {
		echo "lowmem-bench-daemon paced failed" >&2
		exit 1
	}
	tpid=
	while read -r _ set n reads total heap; do
		echo "$round paced-$set $n $reads $total $heap $partial"
	done <"$tmp/paced.out" >>"$tmp/results"
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
version=$("$collectd" -h 2>/dev/null | sed -n 's/^collectd \([0-9][^,]*\).*/\1/p' | head -n 1)
count=${#names[@]}
echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "kernel:  $(uname -r) $(uname -m); cpus: $(nproc)${cpu:+ x $cpu}"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min, before the run)"
echo "collectd ${version:-?} ($collectd); $(find /proc -maxdepth 1 -name '[0-9]*' | wc -l) processes, $(($(wc -l </proc/slabinfo) - 2)) slab caches"
echo "runs:    $count per round, $rounds rounds, ${seconds} s measured each (after ${warmup} s): about $((((count - 1) * (seconds + warmup) + seconds + 1) * rounds / 60 + 1)) min"
: >"$tmp/results"
start=$SECONDS
order=("${names[@]}")
for r in $(seq "$rounds"); do
	printf 'round %d:' "$r"
	for name in "${order[@]}"; do
		printf ' %s' "$name"
		case $name in
		paced) run_paced "$r" ;;
		*) run_daemon "$name" "$r" ;;
		esac
	done
	echo
	# The next round starts with the second of this one.
	order=("${order[@]:1}" "${order[0]}")
done
echo "took $((SECONDS - start)) s"
# The raw figures of every run, for a closer look.
[ -z "${BENCH_DAEMON_RESULTS:-}" ] || cp "$tmp/results" "$BENCH_DAEMON_RESULTS"
echo

# The table, from the results of the rounds.
rates=""
for name in "${names[@]}"; do rates="$rates $name=$(rate "$name")"; done
awk -v rates="$rates" -v names="${names[*]}" -v hz="$hz" -v secs="$seconds" -v rounds="$rounds" '
function median(a, n,   i, j, t, b) {
	for (i = 1; i <= n; i++) b[i] = a[i]
	for (i = 2; i <= n; i++) for (j = i; j > 1 && b[j - 1] > b[j]; j--) { t = b[j]; b[j] = b[j - 1]; b[j - 1] = t }
	return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
}
function lo(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] < m) m = a[i]; return m }
function hi(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] > m) m = a[i]; return m }
# med(KEY): the median over the rounds of v[KEY, r]; also sets LO and HI.
function med(key,   r, a) {
	for (r = 1; r <= rounds; r++) a[r] = v[key, r]
	LO = lo(a, rounds); HI = hi(a, rounds)
	return median(a, rounds)
}
BEGIN {
	n = split(rates, rr, " ")
	for (i = 1; i <= n; i++) { split(rr[i], kv, "="); rate[kv[1]] = kv[2] }
	label["lm-0.1"] = "lowmem defaults, 0.1 s, csv"
	label["lm-1"] = "lowmem, SampleInterval 1, csv"
	label["lm-1-nw"] = "lowmem, SampleInterval 1, no writer"
	label["lm-0.1-nw"] = "lowmem, 0.1 s, no writer"
	label["lm-0.1-noslab"] = "lowmem, 0.1 s, Slabinfo false, csv"
	label["lm-0.1-rrd"] = "lowmem, 0.1 s, rrdtool"
	label["lm-0.1-slab0"] = "lowmem, 0.1 s, SlabinfoInterval 0, csv"
	label["lm-0.1-slab1"] = "lowmem, 0.1 s, SlabinfoInterval 1, csv"
	label["stock-0.1"] = "memory+vmem+buddyinfo+processes 0.1 s, csv"
	label["stock-1"] = "memory+vmem+buddyinfo+processes 1 s, csv"
	label["paced-all"] = "floor: pread of the six files at 10 Hz"
	label["paced-noslab"] = "floor: the five without slabinfo, 10 Hz"
	nrows = 0
	m = split(names, nm, " ")
	for (i = 1; i <= m; i++) {
		if (nm[i] == "idle") continue
		if (nm[i] == "paced") { rows[++nrows] = "paced-all"; rows[++nrows] = "paced-noslab"; continue }
		rows[++nrows] = nm[i]
	}
}
$NF != "-" && $2 != "paced-noslab" { np++; part[np] = $NF }
$2 ~ /^paced-/ {
	# Process CPU per sample (wake-ups and sleeps in), and of the reads.
	us[$2, $1] = $5 * hz; reads[$2, $1] = $4; per[$2, $1] = $5; heap += $6
	next
}
{
	cpu = $3 / $4 * 1e6 # us of CPU per second of the daemon
	if ($2 == "idle") idle[$1] = cpu
	else dae[$2, $1] = cpu
	rows_s[$2, $1] = $8 / secs; values_s[$2, $1] = $9 / secs
	d = $3 - $5; if (d < 0) d = -d
	if ($3 > 0 && d / $3 > maxdiff) maxdiff = d / $3
	if (mint == "" || $6 < mint) mint = $6
	if ($7 < mint) mint = $7
	if ($6 > maxt) maxt = $6
	if ($7 > maxt) maxt = $7
}
END {
	for (r = 1; r <= rounds; r++) {
		for (k in dae) { split(k, kk, SUBSEP); if (kk[2] == r) us[kk[1], r] = dae[k] - idle[r] }
		for (i = 1; i <= nrows; i++) {
			x = rows[i]
			v[x, r] = us[x, r] / 1e4
		}
		for (i = 1; i <= nrows; i++) ratio[rows[i], r] = us["lm-0.1", r] > 0 ? us[rows[i], r] / us["lm-0.1", r] : 0
		# lowmem = fixed + rate x per sample: the two rates give both.
		S[r] = (us["lm-0.1", r] - us["lm-1", r]) / (hz - 1)
		D[r] = us["lm-1", r] - S[r]
		W[r] = us["lm-1", r] - us["lm-1-nw", r]
		W01[r] = us["lm-0.1", r] - us["lm-0.1-nw", r]
		F[r] = per["paced-all", r]
		FR[r] = reads["paced-all", r]
		F5[r] = per["paced-noslab", r]
		F5R[r] = reads["paced-noslab", r]
		Q[r] = F[r] > 0 ? S[r] / F[r] : 0
		VPS[r] = values_s["lm-0.1", r]
		WPV[r] = VPS[r] > 0 ? W[r] / VPS[r] : 0
		SS[r] = us["stock-0.1", r] - us["stock-1", r]; SS[r] /= (hz - 1)
		idl[r] = idle[r] / 1e4
	}
	for (r = 1; r <= rounds; r++) a[r] = idl[r]
	printf "idle collectd (logfile, csv): %.3f%% of a core (the baseline subtracted below)\n\n", median(a, rounds)
	printf "%-44s %6s %15s %7s %9s %8s %6s\n", "CPU less idle, median of " rounds (rounds == 1 ? " round" : " rounds"), "% core", "(min - max)", "us/s", "us/sample", "values/s", "vs lm"
	for (i = 1; i <= nrows; i++) {
		x = rows[i]
		pct[i] = med(x); plo[i] = LO; phi[i] = HI
		sps = (x ~ /^paced-/) ? hz : rate[x]
		per_sample[i] = sps > 0 ? pct[i] * 1e4 / sps : 0
		for (r = 1; r <= rounds; r++) v[x "v", r] = values_s[x, r]
		vps = med(x "v")
		# No writer, no count; rrdtool files are not counted (lowmem
		# dispatches the same values as with csv).
		vs[i] = (x ~ /^paced-|-nw$|-rrd$/) ? "-" : sprintf("%.0f", vps)
		for (r = 1; r <= rounds; r++) v[x "r", r] = ratio[x, r]
		rt[i] = med(x "r")
		printf "%-44s %6.3f %15s %7.0f %9.1f %8s %6.2f\n", label[x], pct[i], sprintf("(%.3f - %.3f)", plo[i], phi[i]), pct[i] * 1e4, per_sample[i], vs[i], rt[i]
	}
	for (r = 1; r <= rounds; r++) {
		v["S", r] = S[r]; v["D", r] = D[r]; v["W", r] = W[r]; v["W01", r] = W01[r]
		v["F", r] = F[r]; v["FR", r] = FR[r]; v["F5", r] = F5[r]; v["F5R", r] = F5R[r]
		v["Q", r] = Q[r]; v["WPV", r] = WPV[r]; v["SS", r] = SS[r]; v["VPS", r] = VPS[r]
		v["OWN", r] = D[r] - W[r]
	}
	s = med("S"); slo = LO; shi = HI
	d = med("D"); dlo = LO; dhi = HI
	w = med("W"); wlo = LO; whi = HI
	own = med("OWN"); olo = LO; ohi = HI
	f = med("F"); flo = LO; fhi = HI
	fr = med("FR"); f5 = med("F5"); f5r = med("F5R")
	q = med("Q"); qlo = LO; qhi = HI
	wpv = med("WPV"); vps = med("VPS"); ss = med("SS")
	print ""
	print "lowmem = fixed + samples a second x per sample; from each round'"'"'s 0.1 s, 1 s and no-writer rows, medians (min - max):"
	printf "  per sample                 %7.1f us (%.1f - %.1f)\n", s, slo, shi
	printf "  paced floor per sample     %7.1f us (%.1f - %.1f), %.1f of it in pread; without slabinfo %.1f (%.1f)\n", f, flo, fhi, fr, f5, f5r
	printf "  per sample / floor         %7.2f (%.2f - %.2f): near 1 when the 0.1 s and 1 s rows agree with the floor\n", q, qlo, qhi
	printf "  fixed                      %7.1f us/s (%.1f - %.1f): %.0f values dispatched a second\n", d, dlo, dhi, vps
	printf "    the csv writer           %7.1f us/s (%.1f - %.1f), %.2f us per value\n", w, wlo, whi, wpv
	printf "    lowmem and collectd      %7.1f us/s (%.1f - %.1f): dispatch, once-a-second work\n", own, olo, ohi
	if (index(" " names " ", " lm-0.1-nw ")) {
		w01 = med("W01")
		printf "  the csv writer at 0.1 s    %7.1f us/s (%.1f - %.1f)\n", w01, LO, HI
	}
	printf "  stock set per pass         %7.1f us (from its 0.1 s and 1 s rows)\n", ss
	if (np) printf "slab state: %.0f partial slabs at the start of the runs (%.0f - %.0f); a read of slabinfo walks them\n", median(part, np), lo(part, np), hi(part, np)
	printf "check: threads %d to %d; process CPU clock against the live threads'"'"' schedstat sum, read a moment later: %.2f%% apart at most%s\n", mint, maxt, maxdiff * 100, heap ? sprintf("; floor heap calls %d", heap) : ""
	print ""
	print "summary (to paste; " rounds (rounds == 1 ? " round" : " rounds") " of " secs " s, CPU of the daemon less an idle collectd, medians (min - max)):"
	print ""
	printf "    %-44s %6s %15s %9s %8s %6s\n", "configuration", "% core", "(min - max)", "us/sample", "values/s", "vs lm"
	for (i = 1; i <= nrows; i++)
		printf "    %-44s %6.2f %15s %9.0f %8s %6.2f\n", label[rows[i]], pct[i], sprintf("(%.2f - %.2f)", plo[i], phi[i]), per_sample[i], vs[i], rt[i]
	printf "    lowmem: %.0f us per sample (floor %.0f: x%.2f) + %.0f us/s fixed (csv %.0f, the rest %.0f)\n", s, f, q, d, w, own
}' "$tmp/results"
