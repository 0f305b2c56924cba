#!/bin/sh
# The manual pages: podchecker finds neither an error nor a warning in
# their POD sources; every key <Plugin lowmem> accepts (as the glue's
# source spells it) is an item of collectd-lowmem(5); and each built page
# renders with groff without a warning.
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$PWD}
man=$top_srcdir/doc/man
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
command -v podchecker >/dev/null || { echo "SKIP: podchecker not found (package perl)"; exit 77; }

for pod in "$man"/*.pod; do
	out=$(podchecker "$pod" 2>&1) && rc=0 || rc=$?
	check "podchecker: $(basename "$pod") has no error ($rc)" [ "$rc" = 0 ]
	warnings=$(printf '%s\n' "$out" | grep -c WARNING || true)
	check "podchecker: $(basename "$pod") has no warning ($warnings)" [ "$warnings" = 0 ]
	[ "$warnings" = 0 ] || printf '%s\n' "$out" | grep WARNING | head -5
done

# The keys: those the glue compares with strcasecmp, and the sources'
# switches (the third field of src/sample/sources.h's X lines).
keys=$( (grep -ho 'strcasecmp(ci->key, "[A-Za-z]*"' "$top_srcdir"/src/collectd/*.c |
	sed 's/.*"\(.*\)"/\1/'
	sed -n 's/^ *X([A-Z_]*, *[a-z_]*, *"\([A-Za-z]*\)".*/\1/p' "$top_srcdir/src/sample/sources.h") |
	sort -u)
check "the glue's source names keys ($(echo "$keys" | wc -w))" [ "$(echo "$keys" | wc -w)" -ge 20 ]
for key in $keys; do
	check "collectd-lowmem(5) has an item for $key" \
		grep -q "^=item .*C<$key>" "$man/collectd-lowmem.pod"
done

if command -v groff >/dev/null; then
	for page in "$top_builddir"/doc/man/*.[15]; do
		[ -f "$page" ] || continue
		err=$(groff -k -man -Tutf8 -ww -z "$page" 2>&1 || echo "groff failed")
		check "$(basename "$page") renders without a warning${err:+: $err}" [ -z "$err" ]
	done
else
	echo "# groff not found: the rendering is not checked"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
