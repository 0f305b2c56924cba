#!/bin/sh
# The guest's init (PID 1): runs collectd with lowmem, drives low memory
# into the incident with `pressure`, lets it recover, stops collectd and
# powers off. Everything lowmem wrote goes to the disk mounted at /out,
# which the host reads back afterwards; progress goes to the console.
#
# The root file system is read-only and holds /lowmem: collectd.conf,
# the plugins (lowmem.so beside copies of the stock ones), `pressure`,
# lowmem-dump when it was built, and settings.sh (the numbers below).
#
# No `set -e`: PID 1 must reach the power-off whatever fails, and the host
# judges by what is on /out.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH LC_ALL=C

# Defaults; settings.sh, written by the host, may change them.
PIN_MARGIN_KB=1792   # stop pinning this far above Normal's min watermark
HOLE_EVERY=768       # pinned links between two runs of hole links
HOLD_SECONDS=6       # the forker holds Normal with no 8 kB block this long
PIN_SECONDS=200      # at most, for the pinning
FORK_SECONDS=90      # at most, for the forking
BASELINE_SECONDS=5   # collectd running before the pressure
RECOVERY_SECONDS=15  # and after it (notifications, the incident file)
STOP_SECONDS=30      # for collectd to stop on SIGTERM
. /lowmem/settings.sh

say() {
  echo "guest: $(date +%s) $*"
}

finish() {
  say "done"
  sync
  umount /out 2>/dev/null || mount -o remount,ro /out 2>/dev/null
  sync
  echo o >/proc/sysrq-trigger
  sleep 60
}

# The initramfs moved /proc, /sys and /dev here already; mount what lacks.
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
hostname guest
if ! mount -t ext4 /dev/vdb /out; then
  say "error: cannot mount the output disk /dev/vdb"
  finish
fi
mkdir -p /out/before /out/after /out/csv /out/rrd /out/record
say "up: $(cat /proc/uptime) kernel $(uname -r) $(uname -m)"
grep -E '^(MemTotal|LowTotal|HighTotal|SwapTotal):' /proc/meminfo | tr -s ' ' | sed 's/^/guest: /'

# Like the incident's 2.6.39: no watermark boost (5.0+), which raises the
# watermarks for a while after a fragmenting allocation and so moves the
# wall the scenario drives to. (Transparent huge pages are off on the
# kernel's command line: with them on, the kernel raises min_free_kbytes
# tenfold here, which 2.6.39's 4 MB min did not have either.)
echo 0 >/proc/sys/vm/watermark_boost_factor
# And like the incident's DMA zone, which sat at its reserve (727 free
# pages against 22 + 702): no Normal allocation falls back to DMA. Here
# DMA has 12 MB above its default reserve, which forks would drain once
# Normal is at the wall, taking page tables from Normal's last single
# pages, for seconds before the kill. A ratio of 1 reserves all of it.
set -- $(cat /proc/sys/vm/lowmem_reserve_ratio)
shift
echo 1 "$@" >/proc/sys/vm/lowmem_reserve_ratio
say "vm: min_free_kbytes $(cat /proc/sys/vm/min_free_kbytes), watermark_boost_factor $(cat /proc/sys/vm/watermark_boost_factor), lowmem_reserve_ratio $(cat /proc/sys/vm/lowmem_reserve_ratio | tr -s ' \t' ' ')"

snapshot() {
  for f in zoneinfo buddyinfo meminfo vmstat slabinfo; do
    cat "/proc/$f" >"$1/$f"
  done
}
snapshot /out/before
# make check-model: the kernel's verdicts and lowmem's samples beside it.
if [ "${MODEL:-0}" = 1 ]; then
  . /lowmem/model.sh
  model_start
fi

# collectd, OOM-protected: it must see the whole incident.
start_collectd() {
  sh -c 'echo -1000 >/proc/self/oom_score_adj && exec collectd -f -C /lowmem/collectd.conf' \
    >>/out/collectd.stdout 2>&1 &
  collectd_pid=$!
  say "collectd started, pid $collectd_pid"
}
start_collectd
i=0
until ls /out/csv/guest/lowmem-node0-Normal/zone-free-* >/dev/null 2>&1; do
  i=$((i + 1))
  if [ $i -gt 600 ] || ! kill -0 "$collectd_pid" 2>/dev/null; then
    say "error: collectd wrote no CSV (see collectd.log)"
    cat /out/collectd.log /out/collectd.stdout 2>/dev/null | tail -n 20
    finish
  fi
  sleep 0.1
done
say "collectd writes; baseline ${BASELINE_SECONDS}s"
sleep "$BASELINE_SECONDS"

# The pressure. Its steps go to /out/pressure.log (stdout) and the console
# (stderr); while it runs this shell only waits: it could not fork.
mkdir -p /tmp/pin /tmp/holes
mount -t tmpfs -o nr_inodes=0,mode=700 pin /tmp/pin
mount -t tmpfs -o nr_inodes=0,mode=700 holes /tmp/holes
say "pressure: margin ${PIN_MARGIN_KB} kB, holes every ${HOLE_EVERY} links, hold ${HOLD_SECONDS}s"
/lowmem/pressure /tmp/pin /tmp/holes "$PIN_MARGIN_KB" "$HOLE_EVERY" "$HOLD_SECONDS" \
  "$PIN_SECONDS" "$FORK_SECONDS" >/out/pressure.log
pressure_rc=$?
say "pressure exited $pressure_rc"
umount -l /tmp/pin 2>/dev/null
umount -l /tmp/holes 2>/dev/null

sleep "$RECOVERY_SECONDS"
[ "${MODEL:-0}" != 1 ] || model_stop
snapshot /out/after
dmesg >/out/dmesg.txt

# stop_collectd SIGNAL: sends it and waits (STOP_SECONDS at most, then
# SIGKILL); stopped is its exit status then, or "killed" when it had to be
# killed.
stop_collectd() {
  kill "-$1" "$collectd_pid" 2>/dev/null
  i=0
  while kill -0 "$collectd_pid" 2>/dev/null && [ $i -lt $((STOP_SECONDS * 10)) ]; do
    sleep 0.1
    i=$((i + 1))
  done
  if kill -0 "$collectd_pid" 2>/dev/null; then
    kill -KILL "$collectd_pid"
    wait "$collectd_pid"
    stopped=killed
  else
    wait "$collectd_pid"
    stopped=$?
  fi
}

# The incident record must outlive collectd: kill it the way the OOM
# killer does, read its ring with lowmem-dump, then start it again (it
# keeps the dead run's ring aside) and stop it cleanly.
ring=/out/record/lowmem.ring
dump_rc=none
if [ -x /lowmem/lowmem-dump ] && [ -f "$ring" ]; then
  stop_collectd KILL
  say "collectd killed with SIGKILL: exit $stopped"
  /lowmem/lowmem-dump "$ring" >/out/dump-killed.json 2>/out/dump-killed.err
  dump_rc=$?
  say "lowmem-dump of the dead collectd's ring: exit $dump_rc"
  start_collectd
  sleep 3
fi
stop_collectd TERM
collectd_rc=$stopped
say "collectd stopped: $collectd_rc"
end=$(date +%s)

# RRD files are not portable between architectures (rrdtool refuses an
# i386 file on x86_64): the guest's own rrdtool dumps each to XML beside
# it, for the host's rrdtool to restore. Two rrdtool, one per CPU, each
# reading its half of the commands on stdin rather than a process per
# file: under emulation, about 6 s for the 160 files of the run (of one
# archive each: RRATimespan in run.sh).
rrd_start=$(date +%s.%N)
(cd /out/rrd && find . -name '*.rrd' | sed 's|^\./\(.*\)$|dump \1 \1.xml|') >/tmp/rrd-dump
rrd_files=$(wc -l </tmp/rrd-dump)
(cd /out/rrd && awk 'NR % 2 == 0' /tmp/rrd-dump | rrdtool - >/out/rrd-dump-0.log 2>&1) &
half=$!
(cd /out/rrd && awk 'NR % 2 == 1' /tmp/rrd-dump | rrdtool - >/out/rrd-dump-1.log 2>&1)
wait "$half"
say "rrdtool dump of $rrd_files RRD files: $(awk -v a="$rrd_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s, $(du -sm /out/rrd | cut -f1) MB"

{
  echo "pressure_rc=$pressure_rc"
  echo "collectd_rc=$collectd_rc"
  echo "dump_rc=$dump_rc"
  echo "end=$end"
} >/out/status
grep -E 'invoked oom-killer|Killed process|Out of memory' /out/dmesg.txt | sed 's/^/guest: /' | head -n 10
finish
