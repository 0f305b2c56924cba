#!/bin/sh
# Quick start on Debian 12, as root: install what lowmem needs, build and
# install it, run it in collectd with Debian's configuration (which reads
# /etc/collectd/collectd.conf.d/lowmem.conf), and draw the dashboard of its
# first 30 seconds into ./lowmem-dashboard/. Safe to run again.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

sh scripts/install-deps.sh --with-collectd-conf
./autogen.sh >/dev/null 2>&1
mkdir -p _build/install
(cd _build/install && "$top/configure" -q && make -s -j"$(nproc)" &&
  make -s install >/dev/null)

# Restart collectd with the plugin in place (no init system is assumed).
if pidof collectd >/dev/null 2>&1; then
  kill "$(pidof collectd)" 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    pidof collectd >/dev/null 2>&1 || break
    sleep 1
  done
fi
collectd -C /etc/collectd/collectd.conf

echo "collectd started with lowmem; waiting 30 s for the first values..."
sleep 30
rrd=/var/lib/collectd/rrd
normal=$(find "$rrd" -path '*lowmem-node*-Normal/zone-free.rrd' 2>/dev/null | head -1)
if [ -z "$normal" ]; then
  echo "no lowmem RRD file under $rrd yet: see the log (syslog) for 'lowmem plugin:'" >&2
  exit 1
fi
echo "lowmem RRD files: $(dirname "$(dirname "$normal")")/lowmem*"
rrdtool info "$normal" | grep -E '^(step|last_update)'
lowmem-graph -d "$(dirname "$(dirname "$normal")")" -o "$top/lowmem-dashboard" -s end-1min
echo "open $top/lowmem-dashboard/index.html; draw it again any time with:"
echo "  lowmem-graph -d $(dirname "$(dirname "$normal")") -o $top/lowmem-dashboard"
