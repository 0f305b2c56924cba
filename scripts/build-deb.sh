#!/bin/sh
# Builds lowmem's Debian package, collectd-lowmem_VERSION_ARCH.deb, into
# OUTDIR (default _build/deb), from a copy of this tree made there:
# dpkg-buildpackage writes beside the tree it builds, never into the
# source tree's parent. Needs what `sh scripts/install-deps.sh` installs.
# DEB_BUILD_OPTIONS is passed on (nocheck: without the unit tests).
# Prints the path of the .deb on its last line.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/_build/deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src=$out/lowmem-$version
rm -rf "$src"
mkdir -p "$src"
# The tracked files (with their changes) of a git clone, or the tree
# without its build directories.
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z | tar -cf - --no-recursion --null -T -) |
		tar -xf - -C "$src"
else
	(cd "$top" && tar -cf - --exclude=./_build --exclude=./.git .) |
		tar -xf - -C "$src"
fi
rm -f "$out"/collectd-lowmem_"$version"_*.deb
(cd "$src" && dpkg-buildpackage -us -uc -b -j"$(nproc)" >"$out/build.log" 2>&1) || {
	tail -40 "$out/build.log" >&2
	echo "build-deb.sh: dpkg-buildpackage failed; its log: $out/build.log" >&2
	exit 1
}
ls "$out"/collectd-lowmem_"$version"_*.deb
