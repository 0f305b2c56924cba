#!/bin/bash
# make check-guest: the incident, reproduced in an emulated 32-bit guest.
#
# Builds an i386 Debian root with debootstrap, builds lowmem for i386 from
# this tree's distribution files with a cross compiler (i686-linux-gnu-gcc),
# boots that root's HighMem kernel (686-pae) in qemu-system-i386 with 2 GB
# of RAM, and runs tests/guest/init.sh there as PID 1: collectd with lowmem
# watches while low memory fills with dentries no shrinker can free and
# forks then fail (order 1) until the OOM killer runs. Then it reads back
# what lowmem wrote in the guest (CSV, RRD dumped to XML there, the log)
# and checks that it saw the incident.
#
# The root: debootstrap's first stage (--foreign: download and unpack)
# runs on this host; its second stage (install and configure every
# package) runs i386 code. On a host that runs i386 code (checked with
# `linux32 chroot ROOT /bin/true`) it runs in a linux32 chroot; on one
# that does not (a kernel with ia32 emulation off: "Exec format error"),
# in the emulated guest, booted once for it (tests/guest/initramfs.sh).
# Both give the same root, cached the same way. Nothing else runs i386
# code on the host: lowmem is cross-built, the guest's initramfs is packed
# here of the root's busybox-static and virtio and ext4 modules, and the
# RRD files are dumped to XML in the guest.
#
# Needs root, debootstrap, qemu-system-i386, mkfs.ext4 and debugfs
# (e2fsprogs), i686-linux-gnu-gcc, collectd-dev, cpio, kmod (depmod,
# modprobe), rrdtool and jq; to make the root without i386 on the host,
# also loop devices. Skips (exit 77) without the tools. Software emulation
# (no KVM): about 3 minutes on 2 cores with the i386 root cached; making
# the root adds about 1.5 minutes with a linux32 chroot, 8 in the guest.
# Every step is bounded by `timeout`. Ends with "N passed, M failed".
#
# Environment:
#   top_srcdir, top_builddir, MAKE  set by `make check-guest`; top_builddir
#                         must be a configured build tree (`make distdir`)
#   LOWMEM_GUEST_CACHE    where the i386 root is kept between runs, keyed
#                         by what it is made of (default
#                         $top_builddir/guest-cache; "none": not kept)
#   LOWMEM_GUEST_HOST_I386  how the root's second stage runs: "auto"
#                         (default: a linux32 chroot when this host runs
#                         i386 code, else the guest), "no" (the guest, as
#                         on a host without 32-bit execution), "yes" (the
#                         chroot, or fail); a cached root needs neither
#   LOWMEM_GUEST_MIRROR   Debian mirror (default http://deb.debian.org/debian)
#   LOWMEM_GUEST_GRAPHS   a directory for lowmem-graph's PNGs of the run and
#                         guest-incident.png (the README's picture)
#   LOWMEM_TEST_KEEP=1    keep the work directory for a look afterwards
#   LOWMEM_GUEST_RESULTS  such a kept directory: check it again, no boot
#   LOWMEM_GUEST_MODE     "incident" (default: make check-guest) or "model"
#                         (make check-model: the same scenario with the
#                         kernel's trace, lowmem's samples by both models
#                         and a ping load; tests/guest/model.sh, model.awk,
#                         doc/model-check.md)
#   LOWMEM_MODEL_MARGIN_KB  model mode: how far above Normal's min the
#                         pinning stops (default 4096)
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
# (HighMem) kernel to boot; libyajl-dev, the i386 library and headers
# lowmem is cross-built against; busybox-static, of which the guest's
# initramfs is made here (initramfs.sh). debootstrap --include adds what
# they depend on, not what they recommend.
GUEST_PACKAGES="collectd-core rrdtool linux-image-686-pae libyajl-dev busybox-static"
CROSS=i686-linux-gnu

# Bounds, in seconds.
T_DEBOOTSTRAP=300
T_STAGE2=1200
T_BUILD=300
T_QEMU=480

# The guest's scenario (tests/guest/init.sh reads these).
# Pinning stops with Normal's free between its low and high watermarks;
# the freed holes then lift it above low, so that kswapd sleeps through
# the hold (awake, it makes 8 kB blocks that the forker has to take).
PIN_MARGIN_KB=1792
HOLE_EVERY=768
HOLD_SECONDS=6
PIN_SECONDS=240
FORK_SECONDS=90

# What must be seen.
SLAB_GROWTH_MB=500   # at least this much more reclaimable slab
HIGH_FREE_MB=500     # HighMem free stays above this

LM_HOST=guest
MODE=${LOWMEM_GUEST_MODE:-incident}
# The model check needs a wall, not the incident: a larger vmalloc area
# leaves about 230 MB of low memory, pinned four times sooner, with more
# holes; no forks (no OOM kill): an unread socket takes Normal's 32 kB
# blocks and holds it there under the ping load (pressure.c, FORK_S 0).
# With so little low memory, a randomized kernel base fails one boot in
# three.
GUEST_APPEND=
if [ "$MODE" = model ]; then
  GUEST_APPEND=" vmalloc=768M nokaslr"
  PIN_MARGIN_KB=${LOWMEM_MODEL_MARGIN_KB:-4096}
  HOLE_EVERY=256
  HOLD_SECONDS=40
  FORK_SECONDS=0
fi
W=
ROOT=

# write_guest_conf FILE: collectd in the guest. Hostname and FQDNLookup
# matter: without them collectd exits at start there, having no network.
# RRATimespan 1200: each RRD file holds one archive per function, of
# 1200 rows of a second, which outlasts the guest (T_QEMU); the default
# five (up to a year) make each file's XML dump, done in the guest under
# emulation (init.sh), seven times longer.
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
  RRATimespan 1200
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
. "$here/initramfs.sh"
. "$here/model.sh"

# --- prerequisites --------------------------------------------------------------

[ "$(id -u)" = 0 ] || lm_skip "needs root (debootstrap, chroot)"
for tool in debootstrap qemu-system-i386 mkfs.ext4 debugfs timeout flock jq "$CROSS-gcc" \
  dpkg-deb cpio depmod modprobe; do
  command -v "$tool" >/dev/null || lm_skip "$tool not found (sh scripts/install-deps.sh)"
done
[ -f /usr/include/collectd/core/daemon/plugin.h ] || lm_skip "collectd's headers not found (collectd-dev)"
case ${LOWMEM_GUEST_HOST_I386:-auto} in
  auto | yes | no) ;;
  *) lm_skip "LOWMEM_GUEST_HOST_I386 is auto, yes or no, not ${LOWMEM_GUEST_HOST_I386}" ;;
esac
if [ -z "$RRDTOOL" ] || [ ! -x "$RRDTOOL" ]; then lm_skip "rrdtool not found"; fi
case $MODE in
  incident | model) ;;
  *) lm_skip "LOWMEM_GUEST_MODE is incident or model, not $MODE" ;;
esac
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

# host_runs_i386 DIR: whether this host runs the i386 binaries of the
# first-stage root DIR, for real, unless LOWMEM_GUEST_HOST_I386 says; says
# which way the second stage goes, and why.
host_runs_i386() {
  local dir=$1 why
  if [ "${LOWMEM_GUEST_HOST_I386:-auto}" = no ]; then
    root_made_by="the guest (LOWMEM_GUEST_HOST_I386=no)"
    return 1
  fi
  if ! command -v linux32 >/dev/null; then
    why="linux32 not found"
  elif timeout -k 5 60 linux32 chroot "$dir" /bin/true >"$W/i386-probe.log" 2>&1; then
    root_made_by="a linux32 chroot (this host runs i386 code)"
    return 0
  else
    why="linux32 chroot ROOT /bin/true: $(tr '\n' ' ' <"$W/i386-probe.log")"
  fi
  [ "${LOWMEM_GUEST_HOST_I386:-auto}" != yes ] ||
    fail_now "LOWMEM_GUEST_HOST_I386=yes, but this host does not run i386 code ($why)"
  root_made_by="the guest (this host does not run i386 code: $why)"
  return 1
}

# check_root DIR: what the tests need is in the root, and dpkg finished
# every package (read with this host's dpkg-query: nothing i386 runs).
check_root() {
  local dir=$1 f bad
  for f in usr/sbin/collectd usr/bin/rrdtool usr/lib/collectd/rrdtool.so \
    usr/lib/i386-linux-gnu/libyajl.so.2 usr/include/yajl/yajl_gen.h bin/busybox; do
    [ -e "$dir/$f" ] || fail_now "the i386 root has /$f"
  done
  ls "$dir"/boot/vmlinuz-*-686-pae "$dir"/lib/modules/*-686-pae/modules.dep >/dev/null 2>&1 ||
    fail_now "the i386 root has a 686-pae kernel and its modules.dep"
  [ ! -e "$dir/debootstrap" ] || fail_now "debootstrap's second stage finished (/debootstrap is still there)"
  bad=$(dpkg-query --admindir="$dir/var/lib/dpkg" -W -f '${db:Status-Abbrev} ${Package}\n' |
    awk '$1 != "ii" { print $2 }' | tr '\n' ' ')
  [ -z "$bad" ] || fail_now "every package of the i386 root is installed (not: $bad)"
}

# make_root DIR: debootstrap's first stage here, its second stage in a
# linux32 chroot or in the guest (initramfs.sh), then what is not needed
# goes. Its own text is part of the cache key: change it and the cached
# root is made anew. Not so the second stage's two ways: they run the
# same second stage over the same first stage, in the same environment
# (initramfs-init.sh gives the guest's the same), and make the same root.
# INITRD=No: the kernel's package makes no initramfs (initramfs-tools'
# MODULES=most takes half an hour under emulation); the guest boots with
# one made here of the root's busybox and modules.
make_root() {
  local dir=$1
  timeout -k 10 "$T_DEBOOTSTRAP" debootstrap --foreign --arch=i386 --variant=minbase \
    --include="${GUEST_PACKAGES// /,}" "$SUITE" "$dir" "$MIRROR" >"$W/debootstrap.log" 2>&1 ||
    fail_now "debootstrap (first stage) of an i386 $SUITE root" "$W/debootstrap.log"
  # Package scripts must not start daemons in the root.
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
  chmod +x "$dir/usr/sbin/policy-rc.d"
  if host_runs_i386 "$dir"; then
    step "second stage in $root_made_by"
    timeout -k 10 "$T_STAGE2" linux32 chroot "$dir" /usr/bin/env -i \
      PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
      DEBIAN_FRONTEND=noninteractive INITRD=No /debootstrap/debootstrap --second-stage \
      >"$W/second-stage.log" 2>&1 ||
      fail_now "debootstrap's second stage in a linux32 chroot" "$W/second-stage.log"
    for m in $(mounts_under "$dir"); do umount "$m" 2>/dev/null || umount -l "$m" || true; done
  else
    echo "# second stage in $root_made_by"
    second_stage_in_guest "$dir"
  fi
  rm -f "$dir"/var/cache/apt/archives/*.deb
  rm -rf "$dir"/var/lib/apt/lists/*
  check_root "$dir"
}

if [ -n "$CACHE" ]; then
  mkdir -p "$CACHE"
  exec 9>"$CACHE/lock"
  flock -w 900 9 || fail_now "lock $CACHE/lock within 15 minutes"
  key=$( {
    echo "$SUITE $MIRROR $GUEST_PACKAGES"
    declare -f make_root check_root
  } | sha256sum | cut -c1-16)
  ROOT=$CACHE/root-$key
  if [ -f "$ROOT.ok" ] && [ -d "$ROOT" ]; then
    step "i386 root from the cache: $ROOT (made by $(cat "$ROOT.ok"))"
  else
    for old in "$CACHE"/root-*; do
      [ -d "$old" ] || continue
      rm -f "$old.ok"
      remove_tree "$old"
    done
    step "making the i386 root (debootstrap) in $ROOT"
    make_root "$ROOT"
    echo "$root_made_by" >"$ROOT.ok"
  fi
else
  ROOT=$W/root
  step "making the i386 root (debootstrap)"
  make_root "$ROOT"
fi
lm_ok "i386 $SUITE root with $(wc -w <<<"$GUEST_PACKAGES") packages"

# --- lowmem, cross-built for i386 ------------------------------------------------------

# build_lowmem: this tree's distribution files (make distdir), configured
# for i686-linux-gnu and built here with the cross compiler, against
# collectd's headers of this host (collectd-dev is the same on every
# architecture) and the root's i386 libyajl; only what the guest runs,
# with the guest's `pressure`. $bld is where.
build_lowmem() {
  step "building lowmem for i386 ($CROSS-gcc)"
  bld=$W/src
  "$MAKE" -s -C "$top_builddir" distdir distdir="$bld" >"$W/distdir.log" 2>&1 ||
    fail_now "make distdir" "$W/distdir.log"
  # A directory of their own: -I/usr/include would put this host's libc
  # headers before the cross compiler's.
  local sys=$W/i386-deps
  mkdir -p "$sys/include" "$sys/lib"
  cp -a /usr/include/collectd "$ROOT/usr/include/yajl" "$sys/include/"
  ln -s "$ROOT/usr/lib/i386-linux-gnu/libyajl.so.2" "$sys/lib/libyajl.so"
  # The libraries are given, so configure asks no pkg-config (this host's
  # would answer for x86_64); cmocka is only for make check, not built here.
  # -isystem: the headers are system headers, as in /usr/include (GCC then
  # ignores the -I of the same directories, and the warnings of
  # collectd's config.h about the macros our configure defines too).
  (cd "$bld" &&
    timeout -k 10 "$T_BUILD" ./configure -q --host="$CROSS" \
      --with-collectd-include="$sys/include" PKG_CONFIG=false \
      CPPFLAGS="-isystem $sys/include -isystem $sys/include/collectd" \
      YAJL_CFLAGS="-I$sys/include" YAJL_LIBS="-L$sys/lib -lyajl" \
      CMOCKA_CFLAGS="-I$sys/include" CMOCKA_LIBS="-lcmocka" &&
    timeout -k 10 "$T_BUILD" "$MAKE" -s -j2 lowmem.la &&
    if grep -q '^tools/lowmem-dump\$(EXEEXT):' Makefile; then
      timeout -k 10 "$T_BUILD" "$MAKE" -s -j2 tools/lowmem-dump
    fi &&
    if [ "$MODE" = model ]; then
      timeout -k 10 "$T_BUILD" "$MAKE" -s -j2 tests/guest/model-sample
    fi &&
    "$CROSS-gcc" -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wshadow \
      -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
      "$here/pressure.c" -o guest-pressure) >"$W/build.log" 2>&1 ||
    fail_now "lowmem builds for i386 with $CROSS-gcc" "$W/build.log"
  local class
  class=$(elf_class "$bld/.libs/lowmem.so")
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
  # Neither headers nor the kernel's modules (the initramfs loads virtio
  # and ext4): a smaller image is made faster.
  rm -rf --one-file-system "$stage"/usr/lib/modules "$stage"/usr/include "$stage"/usr/share/doc "$stage"/usr/share/man \
    "$stage"/usr/share/locale "$stage"/usr/share/info "$stage"/boot \
    "$stage"/var/cache/apt
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
HOLD_SECONDS=$HOLD_SECONDS
PIN_SECONDS=$PIN_SECONDS
FORK_SECONDS=$FORK_SECONDS
EOF
  if [ "$MODE" = model ]; then
    cp "$bld/tests/guest/model-sample" "$here/model.sh" "$stage/lowmem/"
    echo MODEL=1 >>"$stage/lowmem/settings.sh"
  fi
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
# machine's guests), console to console.log, with an initramfs made here
# of the root's busybox and modules (initramfs.sh), which mounts the root
# disk and runs init.sh. Transparent huge pages off and no CPU
# mitigations: see init.sh and README.
boot_guest() {
  local qemu_rc=0
  make_initramfs "$ROOT" "$W/initrd"
  step "booting the guest (qemu-system-i386, TCG, 2 GB)"
  timeout -k 10 "$T_QEMU" qemu-system-i386 \
    -accel tcg,thread=multi -cpu max,-arch-capabilities -smp 2 -m 2048 \
    -kernel "$boot_kernel" -initrd "$W/initrd" \
    -append "console=ttyS0 init=/lowmem/init panic=1 quiet mitigations=off transparent_hugepage=never$GUEST_APPEND" \
    -drive "file=$W/root.img,format=raw,if=virtio,readonly=on" \
    -drive "file=$W/out.img,format=raw,if=virtio" \
    -nodefaults -display none -serial "file:$W/console.log" -monitor none \
    -nic none -no-reboot >"$W/qemu.log" 2>&1 || qemu_rc=$?
  step "guest ended (qemu exit $qemu_rc)"
  grep -E '^(guest|lowmem-boot): ' "$W/console.log" | sed 's/^/#   /' || true
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

if [ "$MODE" = model ]; then
  analyse_model
else
  analyse_foundation
  analyse_events
  draw_graphs
fi
step "done"
lm_done
