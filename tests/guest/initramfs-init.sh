#!/bin/busybox sh
# /init of the guest's initramfs, made on the host (initramfs.sh) of
# Debian's busybox-static, the kernel modules that reach an ext4 root on a
# virtio disk (/modules: in the order modprobe --show-depends gave on the
# host) and this script. Two boots use it:
#
# - lowmem.boot=second-stage: the first boot of a root debootstrap made with
#   --foreign, on a host that cannot run i386 code. The root disk
#   (/dev/vda) is mounted read-write and debootstrap's second stage runs
#   in it, in the environment make_root gives it in a linux32 chroot;
#   then the guest powers off. The host judges by the disk and by the
#   "lowmem-boot: second-stage exit" line on the console.
# - otherwise: the test. /dev/vda is mounted read-only and becomes the
#   root; init= (tests/guest/init.sh) runs there as PID 1.
#
# No `set -e`: whatever fails, the guest must power off (or panic, which
# with panic=1 and qemu's -no-reboot ends qemu too).
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

say() {
  echo "lowmem-boot: $(date +%s) $*"
}

off() {
  sync
  umount /root 2>/dev/null
  sync
  poweroff -f
  sleep 60
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

boot=test
init=/sbin/init
for arg in $(cat /proc/cmdline); do
  case $arg in
    lowmem.boot=*) boot=${arg#lowmem.boot=} ;;
    init=*) init=${arg#init=} ;;
  esac
done

# A module that does not load (crc32c-intel without SSE4.2) is not fatal:
# the mount below says whether enough did.
while read -r m; do
  insmod "/lib/modules/$m" 2>/dev/null || say "insmod $m failed"
done </modules
i=0
until [ -b /dev/vda ]; do
  i=$((i + 1))
  if [ $i -gt 300 ]; then
    say "error: no /dev/vda"
    off
  fi
  sleep 0.1
done
mkdir -p /root

if [ "$boot" = second-stage ]; then
  say "up: $(cat /proc/uptime) kernel $(uname -r) $(uname -m)"
  if ! mount -t ext4 -o rw /dev/vda /root; then
    say "error: cannot mount /dev/vda read-write"
    off
  fi
  say "second stage"
  # Keep in step with make_root's linux32 chroot (run.sh): both must make
  # the same root.
  chroot /root /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive INITRD=No \
    /debootstrap/debootstrap --second-stage
  rc=$?
  say "second-stage exit $rc"
  # debootstrap keeps its log in /debootstrap when it fails.
  [ $rc = 0 ] || tail -n 30 /root/debootstrap/debootstrap.log 2>/dev/null | sed 's/^/lowmem-boot:   /'
  umount /root/sys /root/proc 2>/dev/null
  off
fi

if ! mount -t ext4 -o ro /dev/vda /root; then
  say "error: cannot mount /dev/vda read-only"
  off
fi
# init.sh mounts what is not moved here.
for d in dev proc sys; do
  mount --move "/$d" "/root/$d" 2>/dev/null || umount "/$d"
done
exec switch_root /root "$init"
