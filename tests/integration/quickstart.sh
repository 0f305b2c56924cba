#!/bin/bash
# The quick start (scripts/quickstart.sh), run twice on this machine while a
# collectd it did not start runs beside it: both runs succeed; that
# collectd is left alone; the host's collectd runs lowmem, once, restarted
# by the host's own mechanism; no package only the tests need is newly
# installed; /usr/sbin/policy-rc.d comes out byte for byte as it went in.
#
# It changes this machine as an administrator's first run would (Debian's
# collectd and collectd-lowmem installed), so it is not part of make check:
# scripts/test.sh runs it as a stage. The machine is put back as found: the
# host's collectd stopped and collectd-lowmem purged when they were not
# there before. Needs root and Debian's archive; skips otherwise.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}

[ "$(id -u)" = 0 ] || lm_skip "needs root (it installs packages)"
command -v apt-get >/dev/null || lm_skip "not a Debian system"
apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null 2>&1 ||
  lm_skip "Debian's archive is unreachable (apt-get update failed)"

policy=/usr/sbin/policy-rc.d
pidfile=/var/run/collectd.pid
T=$(mktemp -d /tmp/lowmem-quickstart.XXXXXX)
FOREIGN=
OUR_POLICY=
was_installed=$(dpkg-query -W -f='${Status}' collectd-lowmem 2>/dev/null | grep -c 'ok installed' || true)
host_pid() {
  local pid
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -d "/proc/$pid" ] && echo "$pid"
}
host_before=$(host_pid || true)

cleanup() {
  local rc=$?
  [ -z "$FOREIGN" ] || { kill "$FOREIGN" 2>/dev/null; wait "$FOREIGN" 2>/dev/null; } || true
  if [ -z "$host_before" ] && [ -x /etc/init.d/collectd ]; then
    /etc/init.d/collectd stop >/dev/null 2>&1 || true
  fi
  if [ "$was_installed" = 0 ]; then
    apt-get -o DPkg::Lock::Timeout=600 purge -y -q collectd-lowmem >/dev/null 2>&1 || true
  fi
  # Ours only: the same bytes we wrote.
  if [ -n "$OUR_POLICY" ] && cmp -s "$policy" "$T/policy-rc.d"; then rm -f "$policy"; fi
  rm -rf "$T"
  exit "$rc"
}
trap cleanup EXIT

# An existing policy-rc.d, the host's or (where there is none) one of ours
# that allows everything, as if an administrator had one.
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# an administrator'"'"'s policy (lowmem quickstart test)\nexit 0\n' >"$T/policy-rc.d"
  cp "$T/policy-rc.d" "$policy"
  chmod 755 "$policy"
  OUR_POLICY=1
fi
policy_sum=$(sha256sum <"$policy")
policy_mode=$(stat -c '%a %u %g' "$policy")

# A collectd the quick start did not start: its own configuration and pid
# file, nothing shared with the host's.
mkdir -p "$T/foreign"
cat >"$T/foreign/collectd.conf" <<EOF
Hostname "lowmem-quickstart-foreign"
FQDNLookup false
Interval 10
BaseDir "$T/foreign"
PIDFile "$T/foreign/collectd.pid"
TypesDB "/usr/share/collectd/types.db"
LoadPlugin load
LoadPlugin csv
<Plugin csv>
  DataDir "$T/foreign/csv"
</Plugin>
EOF
command -v collectd >/dev/null || [ -x /usr/sbin/collectd ] ||
  lm_skip "collectd is not installed (sh scripts/install-deps.sh)"
PATH=$PATH:/usr/sbin
collectd -f -C "$T/foreign/collectd.conf" >"$T/foreign/log" 2>&1 &
FOREIGN=$!
lm_wait_for 30 test -d "$T/foreign/csv" ||
  lm_skip "a collectd of the test's own did not start (its log: $(head -3 "$T/foreign/log"))"

dpkg-query -W -f='${Package} ${Status}\n' | awk '/ok installed/ { print $1 }' | sort >"$T/before"
sh "$top_srcdir/scripts/install-deps.sh" --list --test | sort >"$T/all"
sh "$top_srcdir/scripts/install-deps.sh" --list | sort >"$T/run"
comm -23 "$T/all" "$T/run" >"$T/test-only"

# host_collectds: processes named collectd running Debian's configuration.
host_collectds() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(cat "$p/comm" 2>/dev/null)" = collectd ] || continue
    # Debian's: -C names it, or no -C at all (systemd's unit).
    case " $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) " in
    *' -C /etc/collectd/collectd.conf '*) echo "${p#/proc/}" ;;
    *' -C '*) ;;
    *) echo "${p#/proc/}" ;;
    esac
  done
  return 0
}

dashboard=$top_srcdir/lowmem-dashboard/index.html
for run in 1 2; do
  before=$(host_pid || true)
  touch "$T/started"
  if (cd "$T" && sh "$top_srcdir/scripts/quickstart.sh") >"$T/run$run.log" 2>&1; then
    lm_ok "run $run: the quick start succeeds"
  else
    lm_not_ok "run $run: the quick start succeeds"
    tail -30 "$T/run$run.log"
  fi
  lm_check "run $run: the collectd it did not start still runs (pid $FOREIGN)" \
    test "$(cat "/proc/$FOREIGN/comm" 2>/dev/null)" = collectd
  after=$(host_pid || true)
  lm_check "run $run: the host's collectd runs under its init system's pid file" test -n "$after"
  if [ -n "$before" ]; then
    lm_check "run $run: the host's collectd was restarted ($before, now ${after:-none})" \
      test "$before" != "$after"
  fi
  pids=$(host_collectds)
  lm_check "run $run: one collectd runs Debian's configuration (${pids:-none})" \
    test "$(echo "$pids" | wc -w)" = 1
  loaded=0
  for pid in $pids; do
    grep -q ' /usr/lib/collectd/lowmem.so$' "/proc/$pid/maps" && loaded=1
  done
  lm_check "run $run: it has /usr/lib/collectd/lowmem.so loaded" test "$loaded" = 1
  lm_check "run $run: the dashboard is drawn anew ($dashboard)" \
    test -s "$dashboard" -a "$dashboard" -nt "$T/started"
done

rrd=$(find /var/lib/collectd/rrd -path '*/lowmem*/*.rrd' -print -quit 2>/dev/null || true)
if [ -n "$rrd" ]; then
  step=$(rrdtool info "$rrd" | awk -F' = ' '$1 == "step" { print $2 }')
  lm_check "an RRD file of lowmem's has step 1 ($rrd: $step)" test "$step" = 1
else
  lm_not_ok "the host's collectd wrote lowmem RRD files"
fi

dpkg-query -W -f='${Package} ${Status}\n' | awk '/ok installed/ { print $1 }' | sort >"$T/after"
comm -13 "$T/before" "$T/after" >"$T/new"
echo "# newly installed: $(tr '\n' ' ' <"$T/new")"
bad=$(comm -12 "$T/new" "$T/test-only" | tr '\n' ' ')
lm_check "no package only the tests need was installed (${bad:-none})" test -z "$bad"
lm_check "collectd-lowmem is installed" \
  sh -c "dpkg-query -W -f='\${Status}' collectd-lowmem | grep -q 'ok installed'"
lm_check "policy-rc.d is byte for byte as it was" \
  test "$(sha256sum <"$policy")" = "$policy_sum"
lm_check "policy-rc.d keeps its mode and owner" \
  test "$(stat -c '%a %u %g' "$policy")" = "$policy_mode"
lm_done
