#!/bin/sh
# The whole test suite, in stages: what the tests need, installed from
# Debian's archive (as root; LOWMEM_TEST_INSTALL=no leaves the machine
# alone); the unit tests (cmocka) and the
# integration tests with the real collectd, kernel and Apache; the incident
# reproduced in an emulated 32-bit guest (make check-guest); the quick
# start, run twice (tests/integration/quickstart.sh); the Debian package,
# linted and tried in a clean Debian 12 root (tests/package/run.sh); the unit tests
# again under ASan and UBSan; a static pass with cppcheck; make distcheck
# (the tarball builds and its unit tests pass); and, where configure found
# clang with libFuzzer, every fuzz target for LOWMEM_FUZZ_SECONDS (10)
# each. Run as root for the
# integration tests and the guest (they skip, not fail, otherwise). Build
# trees go to _build/. Each stage ends with a line saying how long it took;
# the last line is "lowmem: N passed, M failed, K skipped".
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)
logs=""      # automake test-suite.log files, for the counts
failed=0
guest=skip   # pass, fail or skip
fuzzing=skip # the same, for make fuzz
quickstart=skip # the same, for tests/integration/quickstart.sh
package=skip    # the same, for tests/package/run.sh
times=""     # "stage seconds status" lines

# stage NAME COMMAND...: runs COMMAND, and says how long it took.
stage() {
  name=$1
  shift
  echo "== $name =="
  start=$(date +%s)
  status=ok
  "$@" || status=FAILED
  secs=$(($(date +%s) - start))
  echo "-- $name: ${secs}s, $status"
  times="$times$name|$secs|$status
"
  [ "$status" = ok ] || failed=1
}

# build DIR CONFIGURE_OPTION...: configure and build in DIR.
build() {
  dir=$1
  shift
  mkdir -p "$dir"
  (cd "$dir" && "$top/configure" -q "$@" && make -s -j"$jobs")
}

# check DIR: make check in DIR; its test-suite.log counts.
check() {
  logs="$logs $1/test-suite.log"
  (cd "$1" && make -s check -j1)
}

guest_check() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: make check-guest needs root"
    return 0
  fi
  # The i386 root outlives the clone: keyed by what it is made of, kept
  # where root keeps caches (LOWMEM_GUEST_CACHE overrides, "none" drops it).
  if (cd _build/release &&
    LOWMEM_GUEST_CACHE=${LOWMEM_GUEST_CACHE-/var/cache/lowmem-tests/guest} \
      make -s check-guest); then
    guest=pass
  else
    guest=fail
    return 1
  fi
}

# fuzz: every target for a short, bounded time (tests/fuzz/README); the
# corpora stay in _build/release/fuzz-build for the next run.
fuzz() {
  cc=$(sed -n 's/^FUZZ_CC = //p' _build/release/Makefile)
  if [ -z "$cc" ]; then
    echo "SKIP: no clang with libFuzzer (configure found none)"
    return 0
  fi
  if (cd _build/release && make -s fuzz FUZZ_SECONDS="${LOWMEM_FUZZ_SECONDS:-10}" \
    FUZZ_JOBS="$jobs"); then
    fuzzing=pass
  else
    fuzzing=fail
    return 1
  fi
}

# script_test VAR SCRIPT: a test script with its own count line, run
# apart from make check (it installs packages or builds a root); VAR gets
# pass, fail or skip (its exit status 77).
script_test() {
  rc=0
  bash "$2" || rc=$?
  case $rc in
  0) eval "$1=pass" ;;
  77) eval "$1=skip" ;;
  *) eval "$1=fail"; return 1 ;;
  esac
}

distcheck() {
  (cd _build/release && make -s distcheck >distcheck.log 2>&1) || {
    tail -40 _build/release/distcheck.log
    return 1
  }
}

# What the tests need, from Debian's archive (apt does nothing for what is
# there already): as root on Debian, unless LOWMEM_TEST_INSTALL=no.
if [ "$(id -u)" -eq 0 ] && [ -f /etc/debian_version ] &&
  [ "${LOWMEM_TEST_INSTALL:-yes}" != no ]; then
  stage "install what the tests need (scripts/install-deps.sh --test)" \
    sh -c 'mkdir -p _build && sh scripts/install-deps.sh --test \
      >_build/install-deps.log 2>&1 || { tail -20 _build/install-deps.log; exit 1; }'
fi
stage "autogen" sh -c './autogen.sh >/dev/null 2>&1'
stage "build" build _build/release
stage "unit and integration tests (make check)" check _build/release
stage "the incident in an emulated i686 HighMem guest (make check-guest)" guest_check
stage "the quick start, twice, beside a collectd it did not start" \
  script_test quickstart tests/integration/quickstart.sh
stage "the Debian package: lintian, install, upgrade, purge in a clean root" \
  script_test package tests/package/run.sh
stage "ASan + UBSan build" build _build/sanitize --enable-sanitizers \
  --disable-integration-tests
stage "ASan + UBSan unit tests" check _build/sanitize
stage "cppcheck" cppcheck --quiet --std=c11 \
  --enable=warning,performance,portability --error-exitcode=1 \
  --inline-suppr -I src src
stage "fuzzing, ${LOWMEM_FUZZ_SECONDS:-10}s a target (make fuzz)" fuzz
stage "make distcheck (the tarball builds, its unit tests pass)" distcheck

# Where the time went, and one line for the whole run from automake's own
# counts (each skipped test with its reason).
echo "== summary =="
printf '%s' "$times" | awk -F'|' '{ printf "  %5ds  %-6s %s\n", $2, $3, $1; t += $2 }
                                  END { printf "  %5ds  total\n", t }'
pass=0 fail=0 skip=0
for log in $logs; do
  [ -f "$log" ] || { fail=$((fail + 1)); continue; }
  p=$(sed -n 's/^# PASS: *//p' "$log"); f=$(sed -n 's/^# FAIL: *//p' "$log")
  e=$(sed -n 's/^# ERROR: *//p' "$log"); s=$(sed -n 's/^# SKIP: *//p' "$log")
  pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0} + ${e:-0}))
  skip=$((skip + ${s:-0}))
  # Each skipped test, with the reason its own log gives.
  for trs in $(grep -l -r --include='*.trs' '^:test-result: SKIP' "$(dirname "$log")/tests" 2>/dev/null); do
    why=$(grep -m1 '^SKIP: ' "${trs%.trs}.log" 2>/dev/null | cut -c7-)
    echo "  skipped: ${trs%.trs}: ${why:-no reason given}"
  done
done
for state in $guest $fuzzing $quickstart $package; do
  case $state in
  pass) pass=$((pass + 1)) ;;
  fail) fail=$((fail + 1)) ;;
  *) skip=$((skip + 1)) ;;
  esac
done
[ "$guest" != skip ] || echo "  skipped: make check-guest (see its stage above)"
[ "$fuzzing" != skip ] || echo "  skipped: make fuzz (see its stage above)"
[ "$quickstart" != skip ] || echo "  skipped: the quick start (see its stage above)"
[ "$package" != skip ] || echo "  skipped: the Debian package (see its stage above)"
[ "$fail" -eq 0 ] || failed=1
echo "lowmem: $pass passed, $fail failed, $skip skipped"
exit $failed
