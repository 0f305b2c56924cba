#!/bin/sh
# Runs lowmem-bench and prints the machine it ran on above its table.
#
#   bench/run.sh ./bench/lowmem-bench [-n SAMPLES] [-r ROUNDS] [--proc DIR]
#   make bench BENCH_ARGS='-r 40'
#
# /proc/slabinfo is readable by root only (0400): run as root to measure it;
# otherwise the benchmark reports it skipped and leaves it out of the total.
set -eu

if [ $# -lt 1 ]; then
	echo "usage: $0 PATH-TO-lowmem-bench [options]" >&2
	exit 2
fi
bench=$1
shift

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "lowmem benchmark"
echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "kernel:  $(uname -r) $(uname -m)"
echo "cpus:    $(nproc)${cpu:+ x $cpu}"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) (1, 5, 15 min, before the run)"
if [ "$(id -u)" -ne 0 ]; then
	echo "note:    not root: /proc/slabinfo is 0400, slabinfo is skipped and left out of the total"
fi
echo

# BENCH_ARGS is split on blanks on purpose: it holds options.
# shellcheck disable=SC2086
exec "$bench" ${BENCH_ARGS:-} "$@"
