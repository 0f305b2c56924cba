#!/bin/sh
# Installs, from Debian's archive, what lowmem needs to build, test and run.
# Run as root on Debian 12 (bookworm).
set -e
packages="
  gcc make autoconf automake libtool pkg-config
  collectd-core collectd-dev libyajl-dev libcmocka-dev
  rrdtool librrd-dev cppcheck procps imagemagick jq gnuplot-nox libxml2-utils
  apache2 iproute2 rrdcached
  debootstrap qemu-system-x86 e2fsprogs util-linux
  gcc-i686-linux-gnu libc6-dev-i386-cross cpio kmod
  clang libclang-rt-14-dev
"
# (apache2 and iproute2's ss: the web server test; rrdcached: the central
# of bench/fleet.sh. The last two lines are
# for make check-guest: an i386 root, the emulated i686 guest, its disk
# images, linux32; lowmem cross-built for i386 (the cross C library is only
# recommended by the compiler); the guest's initramfs, made on the host:
# cpio, and kmod's depmod and modprobe to find the modules it needs.
# clang and its libFuzzer runtime: the test suite's short fuzzing run.)
# The quick start also wants Debian's collectd.conf (package collectd), and
# nothing of what that package recommends.
[ "${1:-}" = "--with-collectd-conf" ] && packages="$packages collectd"

export DEBIAN_FRONTEND=noninteractive
# Wait for another apt (unattended-upgrades on a fresh machine) to finish.
apt="apt-get -o DPkg::Lock::Timeout=600"
$apt update -q
# A package install that was interrupted (a killed apt, a reboot) leaves
# dpkg refusing every install until it is finished; finish it first.
# dpkg has no lock timeout of its own: wait up to 10 minutes here too.
i=0
until dpkg --configure -a; do
	i=$((i + 1))
	[ "$i" -lt 60 ] || exit 1
	sleep 10
done
# policy-rc.d: do not let package scripts start daemons; lowmem starts
# collectd itself once its plugin is installed.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
# shellcheck disable=SC2086
$apt install -y -q --no-install-recommends $packages
