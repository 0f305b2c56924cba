#!/bin/bash
# make check-guest: the incident, reproduced in an emulated 32-bit guest.
#
# Builds an i386 Debian root with debootstrap, builds lowmem from this
# tree's distribution files natively inside it (linux32 chroot), boots that
# root's HighMem kernel (686-pae) in qemu-system-i386 with 2 GB of RAM, and
# runs tests/guest/init.sh there as PID 1: collectd with lowmem watches while
# low memory fills with dentries no shrinker can free and forks then fail
# (order 1) until the OOM killer runs. Then it reads back what lowmem wrote
# in the guest (CSV, RRD, the log) and checks that it saw the incident.
#
# Needs root, debootstrap, qemu-system-i386, mkfs.ext4 and debugfs
# (e2fsprogs), rrdtool, jq, and a kernel that runs i386 binaries; skips
# (exit 77) without the tools. Software emulation (no KVM): about 2.5
# minutes on 2 cores with the i386 root cached, 3.5 without; every step is
# bounded by `timeout`. Ends with "N passed, M failed".
#
# Environment:
#   top_srcdir, top_builddir, MAKE  set by `make check-guest`; top_builddir
#                         must be a configured build tree (`make distdir`)
#   LOWMEM_GUEST_CACHE    where the i386 root is kept between runs, keyed
#                         by what it is made of (default
#                         $top_builddir/guest-cache; "none": not kept)
#   LOWMEM_GUEST_MIRROR   Debian mirror (default http://deb.debian.org/debian)
#   LOWMEM_GUEST_GRAPHS   a directory for lowmem-graph's PNGs of the run and
#                         guest-incident.png (the README's picture)
#   LOWMEM_TEST_KEEP=1    keep the work directory for a look afterwards
#   LOWMEM_GUEST_RESULTS  such a kept directory: check it again, no boot
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/lib.sh"

top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$PWD}
MAKE=${MAKE:-make}
RRDTOOL=${RRDTOOL:-$(command -v rrdtool || true)}
MIRROR=${LOWMEM_GUEST_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
CACHE=${LOWMEM_GUEST_CACHE-$top_builddir/guest-cache}
[ "$CACHE" != none ] || CACHE=

# What the guest root holds: collectd and rrdtool to run, the 686-pae
# (HighMem) kernel with an initramfs to boot, and what lowmem needs to build.
GUEST_PACKAGES="collectd-core rrdtool linux-image-686-pae initramfs-tools zstd"
GUEST_PACKAGES="$GUEST_PACKAGES gcc make libc6-dev pkg-config collectd-dev libyajl-dev libcmocka-dev"

# Bounds, in seconds.
T_DEBOOTSTRAP=300
T_APT=600
T_BUILD=300
T_QEMU=480

# The guest's scenario (tests/guest/init.sh reads these).
PIN_MARGIN_KB=2048
HOLE_EVERY=768
PAUSE_SECONDS=5
PIN_SECONDS=240
FORK_SECONDS=90

# What must be seen.
SLAB_GROWTH_MB=500   # at least this much more reclaimable slab
HIGH_FREE_MB=500     # HighMem free stays above this

LM_HOST=guest
W=
ROOT=

# write_guest_conf FILE: collectd in the guest. Hostname and FQDNLookup
# matter: without them collectd exits at start there, having no network.
write_guest_conf() {
  cat >"$1" <<'EOF'
Hostname "guest"
FQDNLookup false
Interval 1
BaseDir "/out"
PIDFile "/run/collectd.pid"
PluginDir "/lowmem/plugins"
TypesDB "/usr/share/collectd/types.db"

LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "/out/collectd.log"
  Timestamp true
  PrintSeverity true
</Plugin>

LoadPlugin csv
<Plugin csv>
  DataDir "/out/csv"
  StoreRates false
</Plugin>

LoadPlugin rrdtool
<Plugin rrdtool>
  DataDir "/out/rrd"
  CacheTimeout 0
</Plugin>

<LoadPlugin lowmem>
  Interval 1
</LoadPlugin>
<Plugin lowmem>
  SampleInterval 0.1
  Orders 0 1
  SlabTopN 5
  SlabCache "dentry"
EOF
  guest_conf_events >>"$1"
  echo "</Plugin>" >>"$1"
}

. "$here/check.sh"

# --- prerequisites --------------------------------------------------------------

[ "$(id -u)" = 0 ] || lm_skip "needs root (debootstrap, chroot)"
for tool in debootstrap qemu-system-i386 mkfs.ext4 debugfs linux32 timeout flock jq; do
  command -v "$tool" >/dev/null || lm_skip "$tool not found (sh scripts/install-deps.sh)"
done
if [ -z "$RRDTOOL" ] || [ ! -x "$RRDTOOL" ]; then lm_skip "rrdtool not found"; fi
{ mkfs.ext4 2>&1 || true; } | grep -q -- '-d ' || lm_skip "mkfs.ext4 cannot fill an image from a directory (-d)"
[ -f "$top_builddir/Makefile" ] || lm_skip "$top_builddir is not a configured build tree"

# --- housekeeping -------------------------------------------------------------------

# Mount points under DIR (deepest first), from the kernel's own table.
mounts_under() {
  awk -v d="$1" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r
}

# Removes DIR, a chroot among others: never while something is mounted in
# it, and never across file systems.
remove_tree() {
  local dir=$1 m
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  for m in $(mounts_under "$dir"); do umount "$m" 2>/dev/null || umount -l "$m" || true; done
  if [ -n "$(mounts_under "$dir")" ]; then
    echo "# not removing $dir: still mounted: $(mounts_under "$dir" | tr '\n' ' ')"
    return 1
  fi
  rm -rf --one-file-system "$dir"
}

cleanup() {
  local rc=$?
  if [ -n "$ROOT" ]; then
    for m in $(mounts_under "$ROOT"); do umount "$m" 2>/dev/null || umount -l "$m" || true; done
    rm -rf --one-file-system "$ROOT/tmp/lowmem-build" "$ROOT/tmp/lowmem-rrd"
  fi
  if [ -n "$W" ] && [ -d "$W" ]; then
    if [ "${LOWMEM_TEST_KEEP:-0}" = 1 ]; then echo "# kept $W"; else remove_tree "$W" || true; fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# step NAME: a line on the way, with the seconds since the start.
step() { echo "# [$SECONDS s] $*"; }

# fail_now WHAT LOG: an assertion that ends the run, with the log's tail.
fail_now() {
  lm_not_ok "$1"
  [ -z "${2:-}" ] || [ ! -f "$2" ] || tail -n 25 "$2" | sed 's/^/#   /'
  lm_done
}

W=$(mktemp -d "${TMPDIR:-/tmp}/lowmem-guest.XXXXXX")

# --- the i386 root -----------------------------------------------------------------

# in_root DIR SECONDS COMMAND...: runs COMMAND in the i386 root DIR, with
# /proc mounted for the time of it.
in_root() {
  local dir=$1 t=$2 rc=0
  shift 2
  mount -t proc proc "$dir/proc"
  timeout -k 10 "$t" linux32 chroot "$dir" /usr/bin/env -i \
    PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "$@" || rc=$?
  umount "$dir/proc" || umount -l "$dir/proc"
  return $rc
}

# make_root DIR: debootstrap, then the guest's packages. Its own text is
# part of the cache key: change it and the cached root is made anew.
make_root() {
  local dir=$1
  timeout -k 10 "$T_DEBOOTSTRAP" debootstrap --arch=i386 --variant=minbase \
    "$SUITE" "$dir" "$MIRROR" >"$W/debootstrap.log" 2>&1 ||
    fail_now "debootstrap of an i386 $SUITE root" "$W/debootstrap.log"
  # Package scripts must not start daemons in the chroot.
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
  chmod +x "$dir/usr/sbin/policy-rc.d"
  in_root "$dir" "$T_APT" sh -c "apt-get update -q &&
    apt-get install -y -q --no-install-recommends $GUEST_PACKAGES &&
    apt-get clean" >"$W/apt.log" 2>&1 ||
    fail_now "apt-get install in the i386 root: $GUEST_PACKAGES" "$W/apt.log"
  rm -rf "$dir"/var/lib/apt/lists/*
}

if [ -n "$CACHE" ]; then
  mkdir -p "$CACHE"
  exec 9>"$CACHE/lock"
  flock -w 900 9 || fail_now "lock $CACHE/lock within 15 minutes"
  key=$( {
    echo "$SUITE $MIRROR $GUEST_PACKAGES"
    declare -f make_root in_root
  } | sha256sum | cut -c1-16)
  ROOT=$CACHE/root-$key
  if [ -f "$ROOT.ok" ] && [ -d "$ROOT" ]; then
    step "i386 root from the cache: $ROOT"
  else
    for old in "$CACHE"/root-*; do
      [ -d "$old" ] || continue
      rm -f "$old.ok"
      remove_tree "$old"
    done
    step "making the i386 root (debootstrap, apt-get) in $ROOT"
    make_root "$ROOT"
    touch "$ROOT.ok"
  fi
else
  ROOT=$W/root
  step "making the i386 root (debootstrap, apt-get)"
  make_root "$ROOT"
fi
lm_ok "i386 $SUITE root with $(wc -w <<<"$GUEST_PACKAGES") packages"

# --- lowmem, built for i386 inside the root -----------------------------------------

# build_lowmem: this tree's distribution files (make distdir), configured
# and built inside the root, with the guest's `pressure`; $bld is where.
build_lowmem() {
  step "building lowmem for i386"
  "$MAKE" -s -C "$top_builddir" distdir distdir="$W/src" >"$W/distdir.log" 2>&1 ||
    fail_now "make distdir" "$W/distdir.log"
  bld=$ROOT/tmp/lowmem-build
  rm -rf --one-file-system "$bld"
  cp -a "$W/src" "$bld"
  cp "$here/pressure.c" "$bld/guest-pressure.c"
  in_root "$ROOT" "$T_BUILD" sh -c 'cd /tmp/lowmem-build &&
    ./configure -q && make -s -j2 &&
    gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wshadow \
      -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
      guest-pressure.c -o guest-pressure' >"$W/build.log" 2>&1 ||
    fail_now "lowmem builds for i386 in the root" "$W/build.log"
  local class
  class=$(od -An -tx1 -j4 -N1 "$bld/.libs/lowmem.so" | tr -d ' ')
  lm_check "lowmem.so is a 32-bit ELF (class $class)" [ "$class" = 01 ]
  GUEST_EVENTS=0
  [ ! -x "$bld/tools/lowmem-dump" ] || GUEST_EVENTS=1
  echo "GUEST_EVENTS=$GUEST_EVENTS" >"$W/guest.env"
}

# --- the guest's disks ------------------------------------------------------------------

# make_images: root.img, the root less what the guest does not need, with
# /lowmem (init, plugins, tools, configuration); out.img, empty, for what
# the guest writes.
make_images() {
  step "making the disk images"
  local stage=$W/stage p
  cp -al "$ROOT" "$stage"
  # Neither the compiler nor the kernel's modules (the initramfs loads
  # virtio and ext4): a smaller image is made faster.
  rm -rf --one-file-system "$stage"/usr/lib/modules "$stage"/usr/lib/gcc \
    "$stage"/usr/include "$stage"/usr/share/doc "$stage"/usr/share/man \
    "$stage"/usr/share/locale "$stage"/usr/share/info "$stage"/boot \
    "$stage"/var/cache/apt "$stage"/tmp/lowmem-build
  mkdir -p "$stage/lowmem/plugins" "$stage/out"
  for p in logfile csv rrdtool; do
    cp "$ROOT/usr/lib/collectd/$p.so" "$stage/lowmem/plugins/"
  done
  cp "$bld/.libs/lowmem.so" "$stage/lowmem/plugins/"
  cp "$bld/guest-pressure" "$stage/lowmem/pressure"
  [ "$GUEST_EVENTS" = 0 ] || cp "$bld/tools/lowmem-dump" "$stage/lowmem/"
  cp "$here/init.sh" "$stage/lowmem/init"
  chmod 755 "$stage/lowmem/init"
  cat >"$stage/lowmem/settings.sh" <<EOF
PIN_MARGIN_KB=$PIN_MARGIN_KB
HOLE_EVERY=$HOLE_EVERY
PAUSE_SECONDS=$PAUSE_SECONDS
PIN_SECONDS=$PIN_SECONDS
FORK_SECONDS=$FORK_SECONDS
EOF
  write_guest_conf "$stage/lowmem/collectd.conf"
  cp "$stage/lowmem/collectd.conf" "$W/collectd.conf"
  rm -rf --one-file-system "$bld"

  local root_mb=$(($(du -sm "$stage" | cut -f1) + 64))
  mkfs.ext4 -q -F -L lowmem-root -d "$stage" "$W/root.img" "${root_mb}M" >"$W/mkfs.log" 2>&1 ||
    fail_now "mkfs.ext4 of the root image" "$W/mkfs.log"
  remove_tree "$stage"
  mkfs.ext4 -q -F -L lowmem-out "$W/out.img" 512M >>"$W/mkfs.log" 2>&1 ||
    fail_now "mkfs.ext4 of the output image" "$W/mkfs.log"
}

# --- the run ------------------------------------------------------------------------------

# boot_guest: the root's own kernel, software-emulated (KVM aborts on this
# machine's guests), console to console.log. Transparent huge pages off
# and no CPU mitigations: see init.sh and README.
boot_guest() {
  local kernel initrd qemu_rc=0
  kernel=$(ls "$ROOT"/boot/vmlinuz-*-686-pae 2>/dev/null | tail -n 1)
  initrd=$(ls "$ROOT"/boot/initrd.img-*-686-pae 2>/dev/null | tail -n 1)
  [ -n "$kernel" ] && [ -n "$initrd" ] || fail_now "the root has a 686-pae kernel and initrd"
  step "booting the guest (qemu-system-i386, TCG, 2 GB)"
  timeout -k 10 "$T_QEMU" qemu-system-i386 \
    -accel tcg,thread=multi -cpu max,-arch-capabilities -smp 2 -m 2048 \
    -kernel "$kernel" -initrd "$initrd" \
    -append "console=ttyS0 root=/dev/vda ro rootfstype=ext4 init=/lowmem/init panic=1 quiet mitigations=off transparent_hugepage=never" \
    -drive "file=$W/root.img,format=raw,if=virtio,readonly=on" \
    -drive "file=$W/out.img,format=raw,if=virtio" \
    -nodefaults -display none -serial "file:$W/console.log" -monitor none \
    -nic none -no-reboot >"$W/qemu.log" 2>&1 || qemu_rc=$?
  step "guest ended (qemu exit $qemu_rc)"
  grep '^guest: ' "$W/console.log" | sed 's/^/#   /' || true
  lm_check "the guest powered off by itself within ${T_QEMU}s (qemu exit $qemu_rc)" [ "$qemu_rc" = 0 ]
  lm_check "the guest's scenario ran to its end" grep -q '^guest: [0-9]* done' "$W/console.log"

  mkdir -p "$W/out"
  debugfs -R "rdump / $W/out" "$W/out.img" >"$W/debugfs.log" 2>&1 ||
    fail_now "read the output disk back (debugfs rdump)" "$W/debugfs.log"
  rm -f "$W/root.img" "$W/out.img"
}

# LOWMEM_GUEST_RESULTS=DIR (a work directory kept with LOWMEM_TEST_KEEP=1):
# check what that run's guest wrote, without running it again.
if [ -n "${LOWMEM_GUEST_RESULTS:-}" ]; then
  . "$LOWMEM_GUEST_RESULTS/guest.env"
  out=$LOWMEM_GUEST_RESULTS/out
else
  build_lowmem
  make_images
  boot_guest
  out=$W/out
fi
[ -f "$out/status" ] || fail_now "the guest wrote its status" "$W/console.log"
. "$out/status"

analyse_foundation
analyse_events
draw_graphs
step "done"
lm_done
