#!/bin/sh
# make fuzz: runs each fuzz target for a while, then says per target how
# many inputs it ran, how fast, how much code they reached and whether one
# of them crashed.
#
#   run.sh SRCDIR OUT TARGET...
#
# OUT/bin/TARGET are the targets (tests/fuzz/fuzz.mk). Everything a run
# writes is under OUT, never in SRCDIR:
#   OUT/corpus/TARGET   the corpus, kept from run to run
#   OUT/seeds/TARGET    seeds, made again each run from tests/fixtures
#                       (as tests/fuzz/fixtures lists them),
#                       tests/fuzz/seeds and tests/fuzz/regress
#   OUT/crashes/TARGET  inputs that crashed (crash-, leak-, timeout-, oom-)
#   OUT/logs/TARGET.log libFuzzer's output
# Environment: FUZZ_SECONDS per target (default 60), FUZZ_JOBS targets at
# a time (default 1), FUZZ_ARGS more libFuzzer options for every target.
# Exit status 1 when a target crashed.
set -eu

# --- one target -----------------------------------------------------------------

# The longest input of each target: long enough for a few records of the
# file it reads, short enough to run fast (the parsers trace every compare
# of every byte).
max_len() {
  case $1 in
  osrelease | statm | port_filter) echo 256 ;;
  pressure | children | taskstat | bdistats | kmsg_record | kmsg_line) echo 1024 ;;
  kernlog) echo 8192 ;;
  ring) echo 32768 ;;
  sampler) echo 16384 ;;
  *) echo 4096 ;;
  esac
}

# The fixture files that are inputs of a target (tests/fuzz/fixtures).
fixtures() {
  awk -v t="$1" '$1 == t { $1 = ""; print }' "$srcdir/tests/fuzz/fixtures"
}

# copy DIR FILE...: the files that exist, named after their path.
copy() {
  dir=$1
  shift
  for f in "$@"; do
    [ -f "$f" ] || continue
    name=$(printf '%s' "${f#"$srcdir"/}" | tr '/' '_')
    cp "$f" "$dir/$name"
  done
}

# records DIR FILE...: /dev/kmsg text split into records, one a file: a
# record is a line and the " KEY=VALUE" lines after it.
records() {
  dir=$1
  shift
  for f in "$@"; do
    [ -f "$f" ] || continue
    name=$(printf '%s' "${f#"$srcdir"/}" | tr '/' '_')
    awk -v out="$dir/$name" '
      !/^ / { n++ }
      { print > (out "-" n) }' "$f"
  done
}

# archives DIR: each fixture tree as an input of the sampler target (see
# fuzz_sampler.c), and one tree followed by another and a kernel log.
archive() {
  for m in zoneinfo buddyinfo pagetypeinfo slabinfo meminfo vmstat \
    pressure/memory sys/kernel/osrelease; do
    [ -f "$1/proc/$m" ] || continue
    printf '%%%%%% %s\n' "$m"
    cat "$1/proc/$m"
  done
}
archives() {
  fx=$srcdir/tests/fixtures
  for tree in "$fx"/*/; do
    [ -f "$tree/proc/zoneinfo" ] || continue
    archive "$tree" >"$1/$(basename "$tree")"
  done
  if [ -d "$fx/incident-2.6.39-i686" ] && [ -d "$fx/linux-4.4-x86_64" ]; then
    {
      archive "$fx/linux-4.4-x86_64"
      printf '%%%%%% tick\n'
      archive "$fx/incident-2.6.39-i686"
      printf '%%%%%% kmsg\n'
      cat "$fx/kmsg/incident-2.6.39.log"
    } >"$1/two-ticks-and-log"
  fi
}

# framed DIR: the kernel log fixtures as inputs of the kernlog target (see
# fuzz_kernlog.c): /dev/kmsg text as NUL-separated records after option
# byte 1, log files after option byte 0x30 (32 lines a sample).
framed() {
  for f in "$srcdir"/tests/fixtures/kmsg/*.kmsg "$srcdir"/tests/fixtures/kmsg/*/*.kmsg; do
    [ -f "$f" ] || continue
    {
      printf '\001'
      awk 'NR > 1 && !/^ / { printf "%c", 0 } { print }' "$f"
    } >"$1/$(basename "$f")"
  done
  for f in "$srcdir"/tests/fixtures/kmsg/*.log "$srcdir"/tests/fixtures/kmsg/*/*.log; do
    [ -f "$f" ] || continue
    {
      printf '0'
      cat "$f"
    } >"$1/$(basename "$f")"
  done
}

seeds() {
  t=$1
  dir=$out/seeds/$t
  rm -rf "$dir"
  mkdir -p "$dir"
  fx=$srcdir/tests/fixtures
  # shellcheck disable=SC2046 # the patterns are globbed on purpose
  copy "$dir" $(for p in $(fixtures "$t"); do echo "$fx"/$p; done)
  case $t in
  kmsg_record) records "$dir" "$fx"/kmsg/*.kmsg "$fx"/kmsg/*/*.kmsg ;;
  kernlog) framed "$dir" ;;
  sampler) archives "$dir" ;;
  esac
  copy "$dir" "$srcdir/tests/fuzz/seeds/$t"/* "$srcdir/tests/fuzz/regress/$t"/*
}

run_one() {
  t=$1
  mkdir -p "$out/corpus/$t" "$out/crashes/$t" "$out/logs"
  seeds "$t"
  dict=""
  [ -f "$srcdir/tests/fuzz/$t.dict" ] && dict="-dict=$srcdir/tests/fuzz/$t.dict"
  # Bounds: 2 GiB of memory, 512 MiB in one allocation, 10 s per input.
  # shellcheck disable=SC2086 # FUZZ_ARGS and dict are lists of options
  "$out/bin/$t" -max_total_time="$seconds" -max_len="$(max_len "$t")" \
    -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$out/crashes/$t/" \
    $dict ${FUZZ_ARGS:-} "$out/corpus/$t" "$out/seeds/$t" \
    >"$out/logs/$t.log" 2>&1 && rc=0 || rc=$?
  echo "$rc" >"$out/logs/$t.rc"
}

# --- all of them ------------------------------------------------------------------

if [ "${1:-}" = --one ]; then
  srcdir=$2 out=$3 seconds=$4
  run_one "$5"
  exit 0
fi

srcdir=$1
out=$2
shift 2
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
for t in "$@"; do
  if [ ! -x "$out/bin/$t" ]; then
    echo "run.sh: $out/bin/$t is missing (make fuzz builds it)" >&2
    exit 2
  fi
  rm -f "$out/logs/$t.rc"
done
echo "fuzzing $# targets, ${seconds}s each, $jobs at a time"
printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh "$0" --one "$srcdir" "$out" \
  "$seconds" {} || true

# libFuzzer's final stats, and its last coverage line.
final_stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }
crashed=0
printf '%-14s %12s %9s %6s %7s %8s\n' target executions exec/s cov ft crashes
for t in "$@"; do
  log=$out/logs/$t.log
  rc=$(cat "$out/logs/$t.rc" 2>/dev/null || echo 1)
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
  cov=$(printf '%s' "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(printf '%s' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  n=0
  [ "$rc" = 0 ] || n=1
  printf '%-14s %12s %9s %6s %7s %8s\n' "$t" "$(final_stat number_of_executed_units "$log")" \
    "$(final_stat average_exec_per_sec "$log")" "${cov:--}" "${ft:--}" "$n"
  [ "$rc" = 0 ] || crashed=1
done
if [ "$crashed" = 1 ]; then
  for t in "$@"; do
    rc=$(cat "$out/logs/$t.rc" 2>/dev/null || echo 1)
    [ "$rc" = 0 ] && continue
    log=$out/logs/$t.log
    input=$(sed -n "s/.*Test unit written to \(.*\)$/\1/p" "$log" | tail -1)
    echo
    echo "$t: FAILED (exit $rc), log $log"
    grep -E '^(SUMMARY|==[0-9]+==ERROR)|runtime error|check failed' "$log" | head -5 || true
    echo "  input: ${input:-none written}"
    echo "  again: $out/bin/$t ${input:-INPUT}"
  done
  exit 1
fi
