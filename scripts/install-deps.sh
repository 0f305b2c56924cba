#!/bin/sh
# Installs, from Debian's archive, what lowmem needs. Run as root on
# Debian 12 (bookworm).
#
#   sh scripts/install-deps.sh          building lowmem and its Debian
#                                       package, and running it in collectd
#                                       (what scripts/quickstart.sh uses)
#   sh scripts/install-deps.sh --test   that, and what the test suite
#                                       needs (what .ci/run uses)
#   sh scripts/install-deps.sh --list [--test]   the packages, one a line;
#                                       installs nothing
#
# Only what is named here is installed, none of what it recommends. No
# daemon that comes with a package is started by its installation (a
# policy-rc.d of our own, only where the host has none): the web server
# the tests need is started by the tests themselves, on loopback.
set -e

# Building: the compiler and autotools, collectd's headers, libyajl,
# cmocka (configure wants it for make check), pod2man (perl), and
# dpkg-buildpackage with debhelper. Running: collectd, with Debian's
# collectd.conf (package collectd, which includes collectd.conf.d), and
# what two plugins that file loads need and collectd only recommends
# (processes: libmnl0, disk: libudev1); rrdtool for lowmem-graph.
run_packages="
  gcc make autoconf automake libtool pkg-config perl
  collectd-core collectd-dev libyajl-dev libcmocka-dev
  dpkg-dev debhelper fakeroot
  collectd libmnl0 libudev1 rrdtool
"
# The tests: cppcheck; imagemagick, jq, gnuplot and xmllint for the graph
# and record tests; apache2 and iproute2's ss for the web server test;
# lintian, debootstrap and man-db for the package stage. The rest is for
# make check-guest: an i386 root, the emulated i686 guest, its disk
# images, linux32; lowmem cross-built for i386 (the cross C library is only
# recommended by the compiler); the guest's initramfs, made on the host:
# cpio, and kmod's depmod and modprobe to find the modules it needs.
# clang and its libFuzzer runtime: the short fuzzing run. The types and
# fleet tests: collectd-utils' collectdctl puts values into a running
# collectd; rrdcached is what a central collectd writes through; the Perl
# modules run collectd-core's collection3; write_prometheus links two
# libraries collectd-core does not depend on; Prometheus's text parser.
test_packages="
  librrd-dev cppcheck procps imagemagick jq gnuplot-nox libxml2-utils
  collectd-utils rrdcached
  librrds-perl libconfig-general-perl libhtml-parser-perl libregexp-common-perl
  libcgi-pm-perl libprotobuf-c1 libmicrohttpd12 python3-prometheus-client
  apache2 iproute2
  lintian man-db
  debootstrap qemu-system-x86 e2fsprogs util-linux
  gcc-i686-linux-gnu libc6-dev-i386-cross cpio kmod
  clang libclang-rt-14-dev
"

list=no
packages=$run_packages
for arg in "$@"; do
	case $arg in
	--test) packages="$run_packages $test_packages" ;;
	--list) list=yes ;;
	*)
		echo "install-deps.sh: unknown argument $arg (--test, --list)" >&2
		exit 2
		;;
	esac
done
if [ "$list" = yes ]; then
	# shellcheck disable=SC2086
	printf '%s\n' $packages
	exit 0
fi

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
# policy-rc.d: package scripts start no daemon while we install. The
# host's own policy-rc.d, if it has one, is its administrator's: it is
# neither replaced nor removed, and decides instead of ours.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ] && [ ! -L "$policy" ]; then
	ours=$(mktemp /usr/sbin/.policy-rc.d.XXXXXX)
	printf '#!/bin/sh\nexit 101\n' >"$ours"
	chmod 755 "$ours"
	# ln without -f: a policy-rc.d that appeared meanwhile is kept.
	if ln "$ours" "$policy" 2>/dev/null; then
		# Removed only while it is still ours (the same inode).
		trap '[ "$policy" -ef "$ours" ] && rm -f "$policy"; rm -f "$ours"' EXIT
		trap 'exit 1' HUP INT TERM
	else
		rm -f "$ours"
	fi
fi
# shellcheck disable=SC2086
$apt install -y -q --no-install-recommends $packages
