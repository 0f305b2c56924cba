#!/bin/bash
# `make bench` rows of the web server part: what reading a port's TCP
# connections costs, lowmem against collectd's tcpconns plugin, in the same
# run, with 20 connections open on the port and then with 10,000.
#
#   bench/run-apache.sh ./bench/lowmem-bench-apache ./tests/integration/conn-hold
#
# Two measures:
# - lowmem-bench-apache times each way of reading in one process (CPU time
#   of the thread per read, the kernel's work included), lowmem's and a
#   replica of tcpconns' (see bench-apache.c);
# - the real daemons: collectd with tcpconns.so reading the port every
#   0.05 s (LocalPort), and collectd with lowmem.so reading it every 0.05 s
#   (Port, ConnectionsInterval 0.05, memory sources off), each for
#   BENCH_SECONDS; CPU time of the whole collectd from
#   /proc/PID/task/*/schedstat, less that of a collectd that does the same
#   without it (no tcpconns; lowmem with "Apache false"), divided by the
#   reads made (20 per second). It needs collectd, tcpconns.so and the built
#   lowmem.so (LOWMEM_SO, default ./.libs/lowmem.so); without them the rows
#   are skipped with a note.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 PATH-TO-lowmem-bench-apache PATH-TO-conn-hold" >&2
	exit 2
fi
bench=$1
hold_bin=$2
seconds=${BENCH_SECONDS:-8}
scale=${BENCH_SCALE:-10000}
lowmem_so=${LOWMEM_SO:-./.libs/lowmem.so}
collectd=$(command -v collectd || echo /usr/sbin/collectd)
stock=/usr/lib/collectd

tmp=$(mktemp -d /tmp/lowmem-bench-apache.XXXXXX)
declare -A holder_in holder_out holder_pid
cleanup() {
	local pid
	for pid in "${holder_pid[@]}"; do kill "$pid" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# conn-hold processes driven through FIFOs: the two ends of 10,000
# connections do not fit one process's descriptors where the hard limit is
# 20000.
holder_start() {
	local name=$1 fd_in fd_out
	mkfifo "$tmp/$name.in" "$tmp/$name.out"
	exec {fd_in}<>"$tmp/$name.in" {fd_out}<>"$tmp/$name.out"
	"$hold_bin" -t 600 <"$tmp/$name.in" >"$tmp/$name.out" &
	holder_pid[$name]=$!
	holder_in[$name]=$fd_in
	holder_out[$name]=$fd_out
}
holder() {
	local name=$1 reply
	shift
	echo "$*" >&"${holder_in[$name]}"
	read -r -t 120 reply <&"${holder_out[$name]}" || true
	case $reply in
	ok*) ;;
	*)
		echo "conn-hold $*: ${reply:-no answer}" >&2
		exit 1
		;;
	esac
}

free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 10000))
		[ -z "$(ss -Htan "( sport = :$p )" 2>/dev/null)" ] && echo "$p" && return 0
	done
	return 1
}

# Nanoseconds on CPU of every thread of a process.
cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# collectd_cpu NAME BODY: CPU ms per second of a collectd running BODY for
# $seconds (after 2 s to start and settle).
collectd_cpu() {
	local name=$1 body=$2 dir pid a b t0 t1
	dir=$tmp/$name
	mkdir -p "$dir"
	cat >"$dir/collectd.conf" <<EOF
Hostname "bench"
FQDNLookup false
Interval 1
BaseDir "$dir"
PIDFile "$dir/collectd.pid"
PluginDir "$tmp/plugins"
TypesDB "/usr/share/collectd/types.db"
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$dir/collectd.log"
</Plugin>
$body
EOF
	timeout -s TERM -k 5 $((seconds + 30)) "$collectd" -f -C "$dir/collectd.conf" >"$dir/stdout" 2>&1 &
	local tpid=$!
	for _ in $(seq 50); do
		pid=$(ps -o pid= --ppid "$tpid" 2>/dev/null | tr -d ' ' || true)
		[ -n "$pid" ] && break
		sleep 0.1
	done
	sleep 2
	a=$(cpu_ns "$pid")
	t0=$(date +%s.%N)
	sleep "$seconds"
	b=$(cpu_ns "$pid")
	t1=$(date +%s.%N)
	kill -TERM "$pid" 2>/dev/null || true
	wait "$tpid" 2>/dev/null || true
	awk -v a="$a" -v b="$b" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e6 / (t1 - t0) }'
}

daemon_rows() {
	local port=$1 idle tc lm lm_off
	if [ ! -x "$collectd" ] || [ ! -f "$stock/tcpconns.so" ] || [ ! -f "$lowmem_so" ]; then
		echo "collectd rows skipped: needs $collectd, $stock/tcpconns.so and $lowmem_so"
		return 0
	fi
	local lowmem_body="<LoadPlugin lowmem>
  Interval 1
</LoadPlugin>
<Plugin lowmem>
  SampleInterval 0.05
  Zoneinfo false
  Buddyinfo false
  Slabinfo false
  Meminfo false
  Vmstat false
  Pressure false
  Port $port
  ConnectionsInterval 0.05
  APACHE_SWITCH
</Plugin>"
	idle=$(collectd_cpu idle "")
	tc=$(collectd_cpu tcpconns "<LoadPlugin tcpconns>
  Interval 0.05
</LoadPlugin>
<Plugin tcpconns>
  LocalPort \"$port\"
</Plugin>")
	lm=$(collectd_cpu lowmem "${lowmem_body/APACHE_SWITCH/Apache true}")
	lm_off=$(collectd_cpu lowmem-off "${lowmem_body/APACHE_SWITCH/Apache false}")
	if grep -q "Reading from netlink succeeded" "$tmp/tcpconns/collectd.log"; then
		tc_how="netlink"
	else
		tc_how="/proc/net/tcp"
	fi
	awk -v idle="$idle" -v tc="$tc" -v lm="$lm" -v off="$lm_off" -v how="$tc_how" 'BEGIN {
		t = (tc - idle) * 1000 / 20; l = (lm - off) * 1000 / 20
		printf "in collectd, 20 reads/s (CPU of the daemon less the same daemon without the reader):\n"
		printf "  %-38s %8.1f us/read  (%.2f ms/s; daemon %.2f, idle %.2f)\n", "tcpconns.so (" how ")", t, tc - idle, tc, idle
		printf "  %-38s %8.1f us/read  (%.2f ms/s; daemon %.2f, Apache false %.2f)\n", "lowmem.so (Port, sock_diag)", l, lm - off, lm, off
		if (t > 0) printf "  lowmem / tcpconns: %.2f\n", l / t
	}'
}

mkdir -p "$tmp/plugins"
for p in logfile tcpconns; do
	[ -f "$stock/$p.so" ] && cp "$stock/$p.so" "$tmp/plugins/"
done
[ -f "$lowmem_so" ] && cp "$lowmem_so" "$tmp/plugins/lowmem.so"

port=$(free_port) || {
	echo "no free port" >&2
	exit 1
}
echo
echo "web server connections (bench/run-apache.sh)"
echo "tcp_ehash_entries: $(sysctl -n net.ipv4.tcp_ehash_entries 2>/dev/null || echo unknown) (a dump walks them all)"
holder_start server
holder_start client
holder server listen 127.0.0.1 "$port" 4096 accept
holder server listen ::1 "$port" 4096 accept
holder client connect 127.0.0.1 "$port" 10 none
holder client connect ::1 "$port" 10 none
echo "TCP sockets on this machine: $(ss -Htan | wc -l) (both ends of each loopback connection)"
"$bench" --port "$port" --label "20 connections" -n 100 --process conn-hold
daemon_rows "$port"

rest=$((scale - 20))
holder client connect 127.0.0.1 "$port" $((rest / 2)) none
holder client connect ::1 "$port" $((rest - rest / 2)) none
echo
echo "TCP sockets on this machine: $(ss -Htan | wc -l)"
"$bench" --port "$port" --label "$scale connections" -n 10
daemon_rows "$port"
