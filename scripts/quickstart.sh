#!/bin/sh
# Quick start on Debian 12, as root: install what lowmem needs, build and
# install it, and run it in collectd with Debian's configuration (which
# reads /etc/collectd/collectd.conf.d/lowmem.conf). Prints where the RRD
# files are. Safe to run again.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

sh scripts/install-deps.sh --with-collectd-conf
./autogen.sh >/dev/null 2>&1
mkdir -p _build/install
(cd _build/install && "$top/configure" -q && make -s -j"$(nproc)" &&
  make -s install)

# Restart collectd with the plugin in place (no init system is assumed).
if pidof collectd >/dev/null 2>&1; then
  kill "$(pidof collectd)" 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    pidof collectd >/dev/null 2>&1 || break
    sleep 1
  done
fi
collectd -C /etc/collectd/collectd.conf

echo "collectd started with lowmem; waiting 15 s for the first values..."
sleep 15
rrd=/var/lib/collectd/rrd
normal=$(find "$rrd" -path '*lowmem-node*-Normal/memory-free.rrd' 2>/dev/null | head -1)
if [ -z "$normal" ]; then
  echo "no lowmem RRD file under $rrd yet: see the log (syslog) for 'lowmem plugin:'" >&2
  exit 1
fi
echo "lowmem RRD files: $(dirname "$(dirname "$normal")")/lowmem*"
rrdtool info "$normal" | grep -E '^(step|last_update)'
rrdtool lastupdate "$normal"
