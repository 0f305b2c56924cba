#!/bin/sh
# The whole test suite: unit tests (cmocka) and integration tests with the
# real collectd, the incident reproduced in an emulated 32-bit guest (make
# check-guest), an ASan+UBSan build of the unit tests, a static pass with
# cppcheck, and make distcheck. Run as root for the integration tests
# (they skip, not fail, otherwise). Build trees go to _build/.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)
summary=""
failed=0

./autogen.sh >/dev/null 2>&1

# $1: build dir, rest: configure options.
check_build() {
  dir=$1; shift
  mkdir -p "$dir"
  (cd "$dir" && "$top/configure" -q "$@" && make -s -j"$jobs" &&
    make -s check -j1) || failed=1
  [ -f "$dir/test-suite.log" ] && summary="$summary $dir/test-suite.log"
}

echo "== build and check (unit + integration) =="
check_build _build/release
echo "== the incident in an emulated i686 HighMem guest (make check-guest) =="
# The scenario races the guest kernel's own reclaim under software
# emulation: the state it drives to (no free 8 kB block in Normal) can last
# less than a sample. A run that misses it is tried once more; the i386
# root is cached by then, so it costs about 2.5 minutes.
guest=0
if [ "$(id -u)" -eq 0 ]; then
  guest=fail
  for attempt in 1 2; do
    if (cd _build/release && make -s check-guest); then
      guest=pass
      break
    fi
    echo "make check-guest: attempt $attempt failed"
  done
else
  echo "SKIP: make check-guest needs root"
fi

echo "== ASan + UBSan build, unit tests =="
check_build _build/sanitize --enable-sanitizers

echo "== cppcheck =="
cppcheck --quiet --std=c11 --enable=warning,performance,portability \
  --error-exitcode=1 --inline-suppr -I src src || failed=1

echo "== make distcheck =="
(cd _build/release && make -s distcheck >distcheck.log 2>&1) || {
  tail -40 _build/release/distcheck.log
  failed=1
}

# One line for the whole run, from automake's own counts.
pass=0 fail=0 skip=0
for log in $summary; do
  p=$(sed -n 's/^# PASS: *//p' "$log"); f=$(sed -n 's/^# FAIL: *//p' "$log")
  e=$(sed -n 's/^# ERROR: *//p' "$log"); s=$(sed -n 's/^# SKIP: *//p' "$log")
  pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0} + ${e:-0}))
  skip=$((skip + ${s:-0}))
done
case $guest in
pass) pass=$((pass + 1)) ;;
fail) fail=$((fail + 1)) ;;
*) skip=$((skip + 1)) ;;
esac
[ "$fail" -eq 0 ] || failed=1
echo "lowmem: $pass passed, $fail failed, $skip skipped"
exit $failed
