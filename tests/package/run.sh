#!/bin/bash
# The Debian package, built and tried in a clean Debian 12 root.
#
# Builds collectd-lowmem_VERSION_ARCH.deb (scripts/build-deb.sh, without
# the unit tests, which make check runs) and checks it with lintian. Then,
# in a Debian 12 amd64 root made with debootstrap (minbase and man-db,
# kept under LOWMEM_PACKAGE_CACHE between runs; each run works on an
# overlay of it, so the cached root stays clean) with only Debian's
# archive:
#   - a previous version (the same package with a lower version number)
#     is installed with `apt-get install ./collectd-lowmem_*.deb collectd`,
#     which pulls what it needs; its lowmem.conf is then changed;
#   - the upgrade to this version keeps the changed conffile;
#   - collectd, started there with Debian's collectd.conf (and /proc
#     mounted), writes lowmem RRD files with step 1 (rrdtool info);
#     collectd -T with the check file of collectd-lowmem(5) prints lowmem's
#     values; `man collectd-lowmem` renders;
#   - remove keeps the conffile and RecordDir, purge leaves none of the
#     package's files, nor RecordDir; only collectd's own RRD files stay.
# Runs amd64 code only (no i386). Needs root, debootstrap, lintian,
# dpkg-buildpackage (scripts/install-deps.sh --test) and Debian's archive;
# skips (77) without them. Every step is bounded by `timeout`.
#
# Environment:
#   LOWMEM_PACKAGE_CACHE  where the root is kept (default
#                         /var/cache/lowmem-test; "none": made every run)
#   LOWMEM_GUEST_MIRROR   Debian mirror (default http://deb.debian.org/debian)
#   LOWMEM_TEST_KEEP=1    keep the work directory for a look afterwards
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/lib.sh"
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
MIRROR=${LOWMEM_GUEST_MIRROR:-http://deb.debian.org/debian}
CACHE=${LOWMEM_PACKAGE_CACHE-/var/cache/lowmem-test}
[ "$CACHE" != none ] || CACHE=
SUITE=bookworm
INCLUDE=man-db
T_DEBOOTSTRAP=600
T_APT=300
T_BUILD=600

[ "$(id -u)" = 0 ] || lm_skip "needs root (debootstrap, chroot, mount)"
for tool in debootstrap lintian dpkg-buildpackage dpkg-deb rrdtool timeout flock sha256sum; do
  command -v "$tool" >/dev/null || lm_skip "$tool not found (sh scripts/install-deps.sh --test)"
done
[ "$(dpkg --print-architecture)" = amd64 ] || lm_skip "the clean root is amd64, this host is $(dpkg --print-architecture)"
timeout 30 apt-get -o DPkg::Lock::Timeout=20 update -q >/dev/null 2>&1 ||
  lm_skip "Debian's archive is unreachable (apt-get update failed)"

W=$(mktemp -d /tmp/lowmem-package.XXXXXX)
R=$W/root
CPID=
MOUNTS=()
cleanup() {
  local rc=$?
  [ -z "$CPID" ] || { kill "$CPID" 2>/dev/null; wait "$CPID" 2>/dev/null; } || true
  local i
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
    umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}" 2>/dev/null || true
  done
  if [ "${LOWMEM_TEST_KEEP:-0}" = 1 ]; then echo "# kept $W"; else rm -rf "$W"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
step() { echo "# $(date +%T) $*"; }
in_root() { timeout "$T_APT" chroot "$R" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }

# --- the package ------------------------------------------------------------
step "building the package"
if ! deb=$(DEB_BUILD_OPTIONS=nocheck timeout "$T_BUILD" sh "$top_srcdir/scripts/build-deb.sh" "$W/deb" | tail -1); then
  lm_not_ok "the package builds (its log: $W/deb/build.log)"
  LOWMEM_TEST_KEEP=1
  lm_done
fi
lm_ok "dpkg-buildpackage builds $(basename "$deb")"
version=$(dpkg-deb -f "$deb" Version)
lint=$(lintian --pedantic -I -E "$deb" 2>&1) && rc=0 || rc=$?
echo "$lint" | sed 's/^/# lintian: /'
lm_check "lintian passes ($rc)" [ "$rc" = 0 ]
lm_check "lintian reports no error or warning" \
  [ "$(echo "$lint" | grep -c '^[EW]:' || true)" = 0 ]

# The previous version: the same files with a lower version number.
prev_version="$version~prev1"
dpkg-deb -R "$deb" "$W/prev"
sed -i "s/^Version: .*/Version: $prev_version/" "$W/prev/DEBIAN/control"
prev=$W/collectd-lowmem_${prev_version}_amd64.deb
dpkg-deb --root-owner-group -b "$W/prev" "$prev" >/dev/null
lm_check "a previous version ($prev_version) sorts lower" \
  dpkg --compare-versions "$prev_version" lt "$version"

# --- the clean root ---------------------------------------------------------------
# Its recipe is its cache key.
recipe="debootstrap --variant=minbase --include=$INCLUDE $SUITE $MIRROR"
key=$(echo "$recipe" | sha256sum | cut -c1-12)
if [ -n "$CACHE" ]; then
  base=$CACHE/package-root-$key
  mkdir -p "$CACHE"
  exec 9>"$CACHE/package-root.lock"
  flock -w 900 9 || { lm_not_ok "lock $CACHE/package-root.lock within 15 minutes"; lm_done; }
else
  base=$W/base
fi
if [ ! -f "$base.ok" ]; then
  step "making the root: $recipe"
  rm -rf "$base"
  if ! timeout "$T_DEBOOTSTRAP" debootstrap --variant=minbase --include="$INCLUDE" \
    "$SUITE" "$base" "$MIRROR" >"$W/debootstrap.log" 2>&1; then
    tail -5 "$W/debootstrap.log"
    rm -rf "$base"
    lm_skip "debootstrap failed (the archive?): $(tail -1 "$W/debootstrap.log")"
  fi
  rm -f "$base"/var/cache/apt/archives/*.deb
  echo "$recipe" >"$base.ok"
else
  step "the root from the cache: $base"
fi
[ -z "$CACHE" ] || flock -u 9

mkdir -p "$R" "$W/upper" "$W/work"
mount -t overlay overlay -o "lowerdir=$base,upperdir=$W/upper,workdir=$W/work" "$R"
MOUNTS+=("$R")
mount -t proc proc "$R/proc"
MOUNTS+=("$R/proc")
# The name service of this host, as a configured server has its own
# (collectd looks its host name up).
cp /etc/resolv.conf /etc/hosts "$R/etc/"
# Package scripts start no daemon in the root: the test starts collectd.
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"
cp "$deb" "$prev" "$R/tmp/"

step "apt-get update in the root"
in_root apt-get update -q >"$W/apt-update.log" 2>&1 ||
  lm_skip "apt-get update in the clean root failed: $(tail -1 "$W/apt-update.log")"

# --- install, upgrade ------------------------------------------------------------
step "installing $prev_version"
conf=/etc/collectd/collectd.conf.d/lowmem.conf
# collectd for Debian's collectd.conf, with what the plugins it loads need
# (processes: libmnl0, disk: libudev1) but none of its other recommends,
# as scripts/install-deps.sh installs it.
if in_root apt-get install -y -q --no-install-recommends "./tmp/$(basename "$prev")" \
  collectd libmnl0 libudev1 >"$W/install.log" 2>&1; then
  lm_ok "apt-get install ./collectd-lowmem_${prev_version}_amd64.deb collectd pulls what it needs"
else
  lm_not_ok "apt-get install of the previous version"
  tail -20 "$W/install.log"
  lm_done
fi
lm_check "its lowmem.conf is a conffile" \
  grep -qx "$conf" "$R/var/lib/dpkg/info/collectd-lowmem.conffiles"
echo "# a local change" >>"$R$conf"
changed=$(sha256sum <"$R$conf")

step "upgrading to $version"
if in_root apt-get install -y -q --no-install-recommends "./tmp/$(basename "$deb")" \
  >"$W/upgrade.log" 2>&1; then
  lm_ok "apt-get install ./$(basename "$deb") upgrades it"
else
  lm_not_ok "the upgrade to $version"
  tail -20 "$W/upgrade.log"
fi
lm_check "the installed version is $version" \
  [ "$(chroot "$R" dpkg-query -W -f='${Version}' collectd-lowmem)" = "$version" ]
lm_check "the upgrade keeps the changed conffile" [ "$(sha256sum <"$R$conf")" = "$changed" ]
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's/^\.//' | grep -v '/$' >"$W/files"
missing=0
while read -r f; do [ -e "$R$f" ] || missing=$((missing + 1)); done <"$W/files"
lm_check "every file of the package is installed ($(wc -l <"$W/files") files, $missing missing)" \
  [ "$missing" = 0 ]
lm_check "the plugin is in collectd's plugin directory" test -f "$R/usr/lib/collectd/lowmem.so"
lm_check "lowmem-graph and lowmem-dump are in /usr/bin" \
  test -x "$R/usr/bin/lowmem-graph" -a -x "$R/usr/bin/lowmem-dump"

# --- collectd runs it ------------------------------------------------------------
step "collectd with Debian's collectd.conf in the root"
timeout -k 5 120 chroot "$R" /usr/sbin/collectd -f -C /etc/collectd/collectd.conf \
  >"$W/collectd.log" 2>&1 &
CPID=$!
lowmem_rrd() {
  find "$R/var/lib/collectd/rrd" -path '*/lowmem/system-total.rrd' -print -quit 2>/dev/null
}
have_rrd() { [ -n "$(lowmem_rrd)" ]; }
if lm_wait_for 60 have_rrd; then
  rrd=$(lowmem_rrd)
  step=$(rrdtool info "$rrd" | awk -F' = ' '$1 == "step" { print $2 }')
  lm_check "collectd writes lowmem RRD files with step 1 (${rrd#"$R"}: $step)" [ "$step" = 1 ]
  zones=$(find "$(dirname "$(dirname "$rrd")")" -path '*/lowmem-node*/zone-free.rrd' | wc -l)
  lm_check "and the zones' free memory ($zones zones)" [ "$zones" -gt 0 ]
else
  lm_not_ok "collectd writes lowmem RRD files within 60 s"
  tail -20 "$W/collectd.log"
fi
kill "$CPID" 2>/dev/null || true
wait "$CPID" 2>/dev/null || true
CPID=
lm_check "the plugin made RecordDir" test -d "$R/var/lib/collectd/lowmem"

step "collectd -T with the man page's check file"
mkdir -p "$R/tmp/lowmem-check"
cat >"$R/tmp/lowmem-check/check.conf" <<'EOF'
TypesDB "/usr/share/collectd/types.db"
BaseDir "/tmp/lowmem-check"
PIDFile "/tmp/lowmem-check/collectd.pid"
LoadPlugin csv
<Plugin csv>
  DataDir "stdout"
</Plugin>
Include "/etc/collectd/collectd.conf.d/lowmem.conf"
EOF
out=$(timeout -k 5 60 chroot "$R" /usr/sbin/collectd -T -C /tmp/lowmem-check/check.conf 2>"$W/check.err") ||
  sed 's/^/# collectd -T: /' "$W/check.err"
total=$(echo "$out" | awk '$1 == "PUTVAL" && $2 ~ /\/lowmem\/system-total$/ { split($NF, v, ":"); print v[2]; exit }')
expect=$(awk '$1 == "MemTotal:" { printf "%.0f", $2 * 1024 }' /proc/meminfo)
lm_check "collectd -T prints lowmem/system-total, MemTotal of /proc/meminfo (${total:-none}, $expect)" \
  lm_num_eq "${total:-x}" "$expect"

page=$(in_root man -P cat collectd-lowmem 2>/dev/null || true)
lm_check "man collectd-lowmem renders" \
  sh -c 'echo "$1" | grep -q "CHECKING A CONFIGURATION" && echo "$1" | grep -q "NotifyPersistence"' _ "$page"
lm_check "man lowmem-graph and man lowmem-dump render" \
  sh -c 'in1=$(chroot "$1" man -P cat lowmem-graph 2>/dev/null); in2=$(chroot "$1" man -P cat lowmem-dump 2>/dev/null)
         echo "$in1" | grep -q -- "--incident" && echo "$in2" | grep -q RINGFILE' _ "$R"

# --- remove, purge -------------------------------------------------------------------
step "remove, then purge"
in_root apt-get remove -y -q collectd-lowmem >"$W/remove.log" 2>&1 ||
  lm_not_ok "apt-get remove collectd-lowmem"
lm_check "remove keeps the conffile" test -f "$R$conf"
lm_check "remove keeps RecordDir" test -d "$R/var/lib/collectd/lowmem"
lm_check "remove takes the plugin" test ! -e "$R/usr/lib/collectd/lowmem.so"
in_root apt-get purge -y -q collectd-lowmem >"$W/purge.log" 2>&1 ||
  lm_not_ok "apt-get purge collectd-lowmem"
# Not the package's: collectd's RRD files (its data), and man-db's cache
# of the pages the test formatted (man-db's to clean).
left=$(cd "$R" && find . -xdev \( -path ./proc -o -path ./tmp \) -prune -o -name '*lowmem*' -print |
  grep -v -e '^\./var/lib/collectd/rrd/' -e '^\./var/cache/man/' || true)
lm_check "purge leaves no lowmem file but collectd's RRD files (${left:-none})" [ -z "$left" ]
lm_check "purge leaves dpkg no record of the package" \
  [ -z "$(chroot "$R" dpkg-query -W -f='${Status}' collectd-lowmem 2>/dev/null)" ]
lm_done
