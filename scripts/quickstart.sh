#!/bin/sh
# Quick start on Debian 12, as root: installs what building and running
# lowmem need (scripts/install-deps.sh, no test tool), builds its Debian
# package and installs it with apt, has collectd pick it up the way this
# host runs collectd, waits for the first RRD files and draws the
# dashboard of the last minute into ./lowmem-dashboard/. Safe to run again.
#
# collectd is restarted with systemctl where systemd runs the host, else
# with its init script (or service); where neither exists, collectd is
# started with Debian's configuration, and only if it is not running. A
# collectd this script did not start is never killed.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ "$(id -u)" = 0 ] || { echo "quickstart.sh: run it as root" >&2; exit 1; }

conf=/etc/collectd/collectd.conf
pidfile=/var/run/collectd.pid # Debian's, of the init script and collectd.conf
rrd=/var/lib/collectd/rrd
plugin=/usr/lib/collectd/lowmem.so

say() { echo "quickstart: $*"; }
die() { echo "quickstart: $*" >&2; exit 1; }

sh scripts/install-deps.sh
say "building the Debian package (its log: _build/deb/build.log)"
deb=$(DEB_BUILD_OPTIONS=nocheck sh scripts/build-deb.sh "$top/_build/deb" | tail -1)
# --reinstall: a package rebuilt from a changed tree keeps its version.
apt-get -o DPkg::Lock::Timeout=600 install -y -q --reinstall \
  --no-install-recommends "$deb"

# systemd_runs: systemd is this host's init, not merely installed.
systemd_runs() {
  [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1 || return 1
  case $(systemctl is-system-running 2>/dev/null || true) in
  running | degraded | starting | initializing | maintenance) return 0 ;;
  *) return 1 ;;
  esac
}

# pidfile_pid: the live process of Debian's pid file, if it is a collectd
# (or the collectdmon watching one).
pidfile_pid() {
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  case $pid in '' | *[!0-9]*) return 1 ;; esac
  case $(cat "/proc/$pid/comm" 2>/dev/null) in
  collectd | collectdmon) echo "$pid" ;;
  *) return 1 ;;
  esac
}

# host_collectd: the pids of the host's collectd (systemd's main process,
# or the pid file's) and of its children.
host_collectd() {
  if systemd_runs; then
    main=$(systemctl show -p MainPID --value collectd 2>/dev/null || true)
  else
    main=$(pidfile_pid || true)
  fi
  [ -n "$main" ] && [ "$main" != 0 ] || return 0
  echo "$main"
  # Children: field 4 of /proc/PID/stat, after the name's last ')'.
  for stat in /proc/[0-9]*/stat; do
    ppid=$(sed 's/.*) //' "$stat" 2>/dev/null | cut -d' ' -f2) || continue
    [ "$ppid" = "$main" ] && basename "$(dirname "$stat")"
  done
  return 0
}

# lowmem_loaded: the host's collectd has the plugin mapped.
lowmem_loaded() {
  for pid in $(host_collectd); do
    grep -q " $plugin\$" "/proc/$pid/maps" 2>/dev/null && return 0
  done
  return 1
}

[ -f "$conf" ] || die "$conf is missing: apt-get install collectd"
marker=$(mktemp)
trap 'rm -f "$marker"' EXIT
if systemd_runs; then
  say "systemctl restart collectd"
  systemctl restart collectd
elif [ -x /etc/init.d/collectd ]; then
  say "/etc/init.d/collectd restart"
  /etc/init.d/collectd restart
elif command -v service >/dev/null 2>&1; then
  say "service collectd restart"
  service collectd restart
elif pid=$(pidfile_pid); then
  die "collectd (pid $pid) runs without an init system to restart it: restart it yourself to load lowmem"
else
  say "no init system runs collectd here: starting collectd -C $conf"
  collectd -C "$conf" -P "$pidfile"
fi

say "waiting (at most 60 s) for collectd to load lowmem and write its first values"
i=0
until lowmem_loaded; do
  i=$((i + 1))
  [ "$i" -le 30 ] || die "the host's collectd has not loaded $plugin after 30 s: see its log (syslog) for 'lowmem plugin:'"
  sleep 1
done
# The first lowmem RRD file: new, or written since the restart.
first=
while [ "$i" -le 60 ]; do
  first=$(find "$rrd" -path "$rrd/*/lowmem*/*.rrd" -newer "$marker" 2>/dev/null | head -1)
  [ -z "$first" ] || break
  i=$((i + 1))
  sleep 1
done
[ -n "$first" ] || die "no lowmem RRD file under $rrd after 60 s: see collectd's log (syslog) for 'lowmem plugin:'"
# A new RRD file holds a value from its second update on: wait for one, so
# that the dashboard is not drawn empty (lowmem-graph refuses to).
has_value() {
  rrdtool fetch "$1" AVERAGE -s end-30s -e now 2>/dev/null |
    awk -F': ' 'NF == 2 && $2 !~ /nan/ { found = 1 } END { exit !found }'
}
j=0
until has_value "$first"; do
  j=$((j + 1))
  [ "$j" -le 30 ] || die "$first holds no value after 30 s: see collectd's log (syslog) for 'lowmem plugin:' or 'rrdtool'"
  sleep 1
done
host=$(dirname "$(dirname "$first")")
say "collectd runs lowmem; its RRD files: $host/lowmem*"
rrdtool info "$first" | grep -E '^(filename|step|last_update)'
lowmem-graph -d "$host" -o "$top/lowmem-dashboard" -s end-1min
say "open $top/lowmem-dashboard/index.html; draw it again any time with:"
echo "  lowmem-graph -d $host -o $top/lowmem-dashboard"
