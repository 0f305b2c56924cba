#!/bin/bash
# The incident record under attack, in the real collectd (as root, as it
# runs): lowmem writes as root into RecordDir, so RecordDir and what is in
# it are inputs, and so are the rings lowmem-dump reads.
#   - a RecordDir that is a symbolic link, writable by its group or by
#     everyone, or owned by another user: refused, with what to run;
#   - symbolic links planted as lowmem.ring.new and lowmem.lock, pointing
#     at files root owns: those files are not touched;
#   - a FIFO as lowmem.ring: collectd starts (the FIFO is not opened) and
#     says so once; random bytes there are not "a killed collectd"; a
#     directory as lowmem.ring.prev is said, and the ring kept elsewhere;
#   - the ring truncated, then removed, under a running collectd: it lives
#     on, says so, and records into a new ring;
#   - a full file system (a 1 MiB tmpfs): said, tried again every 60 s,
#     and said again when the ring can be made;
#   - RecordSeconds 3600 + RecordAfterSeconds 600 at SampleInterval 0.01:
#     the ring stays within 64 MiB, and the log says so;
#   - lowmem-dump on a FIFO, a directory, a 4 KB file claiming 1 GiB, a
#     sparse 1 GiB ring (bounded time and memory), -s 1e10, inf, nan, and
#     on the rings that broke it (a PSI avg10 of 1e61 and DBL_MAX, hostile
#     host and zone names): valid, strict UTF-8 JSON;
#   - bytes of a kernel log line that are not UTF-8 (overlong forms,
#     surrogates, above U+10FFFF), in KernelLog file mode: the incident
#     file stays strict UTF-8.
# Every wait is bounded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_setup
command -v jq >/dev/null || lm_skip "jq not found (scripts/install-deps.sh installs it)"
DUMP=$top_builddir/tools/lowmem-dump
if [ ! -x "$DUMP" ]; then
  lm_not_ok "$DUMP is built (make builds it)"
  lm_done
fi

MOUNTED=
lm_cleanup_hook() {
  if [ -n "$MOUNTED" ]; then umount "$MOUNTED" 2>/dev/null || true; fi
}

# wait_until SECONDS COMMAND...: until COMMAND succeeds, at most SECONDS.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.2
  done
}
logged() { grep -q -E -- "$1" "$LM_LOG" 2>/dev/null; }
count_logged() {
  local n
  n=$(grep -c -E -- "$1" "$LM_LOG" 2>/dev/null) || true
  echo "${n:-0}"
}
is_json() { jq -e . "$1" >/dev/null 2>&1; }
# Strict UTF-8 (no surrogates, nothing above U+10FFFF, no overlong form),
# as a strict JSON reader wants it: perl's Encode where it is installed,
# else iconv (which lets code points above U+10FFFF through).
strict_utf8() {
  if perl -MEncode -e 1 2>/dev/null; then
    perl -MEncode -e 'local $/; my $d = <STDIN>;
      eval { decode("UTF-8", $d, Encode::FB_CROAK); 1 } or exit 1' <"$1"
  else
    iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1
  fi
}
only_ascii() { [ -z "$(LC_ALL=C tr -d '\040-\176\n' <"$1" | head -c 1)" ]; }
# What a file holds and when it changed: a victim must keep both.
sum_of() { echo "$(sha256sum <"$1") $(stat -c '%s %Y %h' "$1")"; }

# run NAME BODY: a configuration with SampleInterval 0.1 and a small ring.
conf() {
  lm_conf "$1" "  SampleInterval 0.1
  RecordSeconds 5
  RecordAfterSeconds 1
$2"
}
# start: collectd, until lowmem has said what it does with the record
# (a line more than the log of this directory had).
SAID='lowmem plugin: (no incident record|recording the last)'
said_more() { [ "$(count_logged "$SAID")" -gt "$1" ]; }
start() {
  local before
  before=$(count_logged "$SAID")
  lm_start 120
  wait_until 30 said_more "$before" || true
}
# started_and_sampling: collectd runs and lowmem's values are dispatched.
sampling() { lm_running && lm_csv_exists lowmem system-free; }

# --- RecordDir ---------------------------------------------------------------------

conf dirlink "  RecordDir \"$LM_TMP/dirlink/link\""
mkdir -m 0750 "$LM_RUN/real"
ln -s "$LM_RUN/real" "$LM_RUN/link"
start
lm_check "RecordDir a symbolic link: refused, saying to set the directory itself" \
  logged "lowmem plugin: no incident record: RecordDir \"$LM_RUN/link\" is a symbolic link \\(to \"$LM_RUN/real\"\\).*RecordDir \"$LM_RUN/real\""
lm_check "  collectd goes on sampling" wait_until 20 sampling
lm_stop
lm_check "  nothing was made in the directory it points to" \
  [ -z "$(ls -A "$LM_RUN/real")" ]

conf dirmode "  RecordDir \"$LM_TMP/dirmode/rec\""
mkdir -m 0750 "$LM_RUN/rec"
chmod 0770 "$LM_RUN/rec"
start
lm_check "RecordDir writable by its group: refused, saying chmod go-w" \
  logged "lowmem plugin: no incident record: RecordDir \"$LM_RUN/rec\" can be written by its group \\(mode 0770\\).*chmod go-w '$LM_RUN/rec'"
lm_stop
chmod 1777 "$LM_RUN/rec"
start
lm_check "RecordDir writable by everyone (1777): refused" \
  logged "RecordDir \"$LM_RUN/rec\" can be written by every user \\(mode 1777\\)"
lm_stop
chmod 0750 "$LM_RUN/rec"
chown nobody "$LM_RUN/rec"
uid=$(id -u nobody)
start
lm_check "RecordDir owned by nobody: refused, saying chown" \
  logged "RecordDir \"$LM_RUN/rec\" is owned by uid $uid, not by collectd's user \\(uid 0\\).*chown 0 '$LM_RUN/rec'"
lm_check "  nothing was made in it" [ -z "$(ls -A "$LM_RUN/rec")" ]
lm_stop

# --- links planted in RecordDir ------------------------------------------------------

conf planted ""
REC=$LM_RUN/lowmem
mkdir -m 0750 "$REC"
printf 'root:secret\n' >"$LM_TMP/victim-ring"
printf 'root:secret\n' >"$LM_TMP/victim-lock"
ring_victim=$(sum_of "$LM_TMP/victim-ring")
lock_victim=$(sum_of "$LM_TMP/victim-lock")
ln -s "$LM_TMP/victim-lock" "$REC/lowmem.lock"
start
lm_check "lowmem.lock a symbolic link to a root file: refused, saying to remove it" \
  logged "lowmem plugin: no incident record: $REC/lowmem.lock is a symbolic link, not lowmem's lock file.*rm '$REC/lowmem.lock'"
lm_stop
lm_check "  the file it points to is untouched" [ "$(sum_of "$LM_TMP/victim-lock")" = "$lock_victim" ]
rm "$REC/lowmem.lock"
ln -s "$LM_TMP/victim-ring" "$REC/lowmem.ring.new"
start
lm_check "lowmem.ring.new a symbolic link: the ring is made all the same" \
  wait_until 20 logged "lowmem plugin: ring file $REC/lowmem.ring: [0-9]+ records of [0-9]+ bytes"
sleep 1
lm_stop
lm_check "  the file it pointed to is untouched" [ "$(sum_of "$LM_TMP/victim-ring")" = "$ring_victim" ]
lm_check "  lowmem.ring is a regular file of mode 0640, .new is gone" eval \
  '[ -f "$REC/lowmem.ring" ] && [ ! -L "$REC/lowmem.ring" ] &&
   [ "$(stat -c %a "$REC/lowmem.ring")" = 640 ] &&
   [ ! -e "$REC/lowmem.ring.new" ] && [ ! -L "$REC/lowmem.ring.new" ]'

# --- what is found as lowmem.ring ------------------------------------------------------

conf fifo ""
REC=$LM_RUN/lowmem
mkdir -m 0750 "$REC"
mkfifo "$REC/lowmem.ring"
start
lm_check "a FIFO as lowmem.ring: collectd starts and samples (init is not blocked)" \
  wait_until 20 sampling
lm_check "  it says it was a FIFO, once" \
  [ "$(count_logged "lowmem plugin: $REC/lowmem.ring was a FIFO, not a ring file")" = 1 ]
lm_check "  and makes the ring in its place" \
  wait_until 20 logged "lowmem plugin: ring file $REC/lowmem.ring: "
lm_stop
lm_check "  lowmem.ring is a regular file now" [ -f "$REC/lowmem.ring" ]

head -c 20000 /dev/urandom >"$REC/lowmem.ring"
start
lm_check "random bytes as lowmem.ring: said to be no ring, kept as lowmem.ring.prev" \
  logged "lowmem plugin: $REC/lowmem.ring was not a ring of this lowmem: it is not a lowmem ring file .*kept as $REC/lowmem.ring.prev"
lm_check "  not reported as a killed collectd" \
  [ "$(count_logged 'collectd was killed')" = 0 ]
wait_until 20 logged "ring file $REC/lowmem.ring: " || true
sleep 1
lm_stop

rm -f "$REC/lowmem.ring.prev"
mkdir "$REC/lowmem.ring.prev"
touch "$REC/lowmem.ring.prev/x"
start
lm_check "a directory as lowmem.ring.prev: said, with what to do" \
  logged "lowmem plugin: cannot keep the previous ring as $REC/lowmem.ring.prev \\(Is a directory\\): remove or rename that directory\\. The ring of the previous run is kept as $REC/lowmem.ring.prev-[0-9]{8}T[0-9]{6}Z"
kept=$(ls -d "$REC"/lowmem.ring.prev-* 2>/dev/null | head -n 1 || true)
lm_check "  the previous ring is there ($kept), and lowmem-dump reads it" eval \
  '[ -n "$kept" ] && "$DUMP" "$kept" >"$LM_RUN/kept.json" && is_json "$LM_RUN/kept.json"'
lm_stop

# --- the ring truncated and removed under a running collectd ------------------------------

conf truncate ""
REC=$LM_RUN/lowmem
start
lm_check "a ring is made" wait_until 20 logged "lowmem plugin: ring file $REC/lowmem.ring: "
size=$(stat -c %s "$REC/lowmem.ring")
sleep 1
pid=$LM_CPID
truncate -s 4096 "$REC/lowmem.ring"
lm_check "truncate -s 4096 lowmem.ring: said within 15 s" \
  wait_until 15 logged "lowmem plugin: the ring file $REC/lowmem.ring was cut short \\(truncated\\) under collectd: a new one is made"
sleep 2
lm_check "  collectd lives on (no SIGBUS)" lm_running
lm_check "  the new ring has its size again ($size bytes)" [ "$(stat -c %s "$REC/lowmem.ring")" = "$size" ]
n=$("$DUMP" "$REC/lowmem.ring" | jq '.samples | length' || echo 0)
lm_check "  and fills again ($n samples)" [ "$n" -ge 5 ]
rm "$REC/lowmem.ring"
lm_check "rm lowmem.ring: said within 15 s, a new ring made" \
  wait_until 15 logged "lowmem plugin: the ring file $REC/lowmem.ring was removed under collectd"
lm_check "  it is there again" wait_until 5 test -f "$REC/lowmem.ring"
lm_check "  collectd is still the same process" eval '[ "$LM_CPID" = "$pid" ] && lm_running'
lm_stop
lm_check "  and stops cleanly (exit $LM_RC)" [ "$LM_RC" = 0 ]

# --- the size of the ring -----------------------------------------------------------------

lm_conf big "  SampleInterval 0.01
  RecordSeconds 3600
  RecordAfterSeconds 600"
REC=$LM_RUN/lowmem
start
lm_check "RecordSeconds 3600 + 600 at 0.01 s: the log says the ring is cut to 64 MiB" \
  wait_until 20 logged "lowmem plugin: RecordSeconds 3600 and RecordAfterSeconds 600 at SampleInterval 0.01 ask for a ring of 924020 records \\([0-9]+ MB\\); a ring takes at most 64 MiB"
lm_check "  the ring file is at most 64 MiB ($(stat -c %s "$REC/lowmem.ring" 2>/dev/null) bytes)" \
  [ "$(stat -c %s "$REC/lowmem.ring")" -le $((64 << 20)) ]
lm_stop

# --- a full file system ---------------------------------------------------------------------

lm_conf full "  SampleInterval 0.1"
REC=$LM_RUN/lowmem
mkdir -m 0750 "$REC"
if mount -t tmpfs -o size=1m,mode=0750 tmpfs "$REC" 2>/dev/null; then
  MOUNTED=$REC
  start
  lm_check "a ring larger than the 1 MiB left: said, with when it is tried again" \
    wait_until 20 logged "lowmem plugin: cannot make the ring file $REC/lowmem.ring \\(No space left on device\\).*tried again every 60 s\\. Free space"
  lm_check "  collectd samples all the same" wait_until 20 sampling
  mount -o remount,size=16m "$REC"
  lm_check "room made: within 75 s the ring is made and it says so" \
    wait_until 75 logged "lowmem plugin: the ring file $REC/lowmem.ring is made: samples are recorded again"
  lm_check "  once" [ "$(count_logged 'cannot make the ring file')" = 1 ]
  lm_stop
  umount "$REC" && MOUNTED=
else
  echo "# SKIP the full file system: no tmpfs can be mounted here"
fi

# --- lowmem-dump on what is not a ring --------------------------------------------------------

D=$LM_TMP/dump
mkdir "$D"
dump_rc() { # dump_rc ARGS...: lowmem-dump's exit status, stderr in $D/err
  local rc=0
  timeout 20 "$DUMP" "$@" >"$D/out" 2>"$D/err" || rc=$?
  echo "$rc"
}
mkfifo "$D/fifo"
lm_check "lowmem-dump FIFO: exit 1 at once, saying it is no regular file" eval \
  '[ "$(dump_rc "$D/fifo")" = 1 ] && grep -q "is not a regular file" "$D/err"'
lm_check "lowmem-dump DIRECTORY: exit 1" eval \
  '[ "$(dump_rc "$D")" = 1 ] && grep -q "is a directory" "$D/err"'
lm_check "lowmem-dump /dev/zero: exit 1, not opened" [ "$(dump_rc /dev/zero)" = 1 ]
for s in 1e10 inf nan -1 0 60x; do
  lm_check "lowmem-dump -s $s: exit 2, saying what -s takes" eval \
    '[ "$(dump_rc -s "$s" "$REC/lowmem.ring")" = 2 ] && grep -q -- "-s takes seconds" "$D/err"'
done

# --- lowmem-dump on the rings that broke it ------------------------------------------------------

# The rings that broke it, gzip'ed in base64: PSI avg10 of 1e61 (a
# fuzzed ring) and DBL_MAX, where the JSON number writer wrote raw stack
# bytes; and a ring whose host is "<script>alert(1)</script>" and first
# zone "x'`id>/tmp/hostile/PWNED2`'".
base64 -d <<'EOF' | gzip -d >"$D/crash-gen_double.ring"
H4sIAAAAAAACA+2aX0hTURzHf3d3ynIzl2abSoMIRBzJslqFCFmSGW1U4FM9lDTWP7N6KF+MgooK
IuxlUCtWRE9iID1YEUiRRfTgk75UD2pED5FPFVi73XbOGW1cayqz6z3fLxx++33PvDt3+/zOOZtn
R2h3a7iluEghIrtqU8hN9N1GNKDnHr2petPTlBT6Q26Wf27k+esbDexBbTAZj3l83K6vC9at2Uiz
k6ZppyLtq2kOOtZ5IBJY1Rxq+mt/uPNkx/6j0/dvOxQ9GIp0EARBEATNXHa8BRAEQRAEmUBe8aC6
tEe9FfNM6V/4o9z6/d2f9gW6U8lkfFHGHw7f9qfi8XMsP1vF+gdjNakYeMr8wczXq3axePlRbyre
SxQajuu5g8Wrjpndzyj/sWIZz6t4XMHjt6xc+cf1fmhMUzxm93/U2xm9lfP9nY1fU8lxvCV6c+pt
UwHLP6ksjvPN4jvuX7jEbqzfyfI2/gL+pPG49vDY99O436dft3QO3IhxD/Twj5/7u/j7v3KazW6Q
P//BduP+yDUWX7Ya9w9tJer2ETWr7LNVZjnuCmFM9r4x5n6Dmbl3g3twnyktv8rtbakUxuMWh33h
lZX1lxMqQFnlYTkRXND5sS1W4R5LgDVZXZ7e+3ufYI7OaY6uBfcLn3vxL2ka6/86n9xr8ytshVBm
/7PM0lhdjIxqcSwv4F4O7tMw76QywrYK3EvCfZEwKm+GwT24l4V7pzAm1l0B9+BeFu5dwugbfgHu
Tca9HeTnj/xiYXQdURSQjxnfBNyjhlBDqCHzc79YGJsLG7O5z7dQV6grq9ZViTBcd7qwnoB7WbhP
HwAdaXgI7oX5zEuJdvAvAf9LhJEY+QL+Me/Lwn363g+f8NvAPbiXhPsyYax1RcG99bg3IXI4yIap
VsapFgfZwL2M3OMgG7iXkXscZAP3MnKPg2wm5l7Kg2yoVONxLxVG8v5d/PiDFUoW7suF8arpPbi3
EPc1JgW/3iTgC0Do+tsKFeBjws8z9+tNwr1HGHtPt4F7cG+Bjc6HnAb+C1Kmsh+HZAAA
EOF
base64 -d <<'EOF' | gzip -d >"$D/psi-huge.ring"
H4sIAAAAAAACA+3bT0gUURwH8Dczu2K65ram658SBJFIWlJrI8SDJUiggwbeAlFahMosL3qRvUiK
B7EusrVCefAUHSIs7VoY5UE6GIhILN5dL0uEuj33vd8gy+4KSYf4fb/wePO+b2cZxg/CDNrRefuW
3V5UYAghXJZpCK8Qv0whPsi1Xw5LDrlMxRBH4lXrRItef33erA4uBg+is/5qXTcGgoGm6+KvMxLq
bxAnyMOhu6HLl9o6W4/bb2rMsW8PDQ/2PRAIgiAIgiAIgiAI8p+mnA7qfE+tuVn/inzgT+rnfiu1
EYm5D6cZ67uae9fcub7wZUSd9qhHvS7wmv/0+pOp7ISdolhN1/SyTc/dWc4/2FPfsK/n9P1d3cez
7B8XQw8ry36hHsFvhepu16s+HFRzKMuLi7mI+nxUz+l5P636xenM+6YeLj279TH93KmPm7mvezHh
Sq0DZapfqtL3vSbzeZM/1ecn9Jye/Q3V721k3t+S1/NbDp8cw/LGfpKdLccFOXxyHL5qqpXDY+S+
7goq4q9X4R7uubivpGK5Pd8F93DPxH0VFeOxm3AP91zcn6PCHgvDPdxzcX/eecAt/wj3cM/FPf3d
hYi9TcA93HNxn0/Fk9CPZBTu4Z6H+1NUdIkSgd/3cM/EfQEVlS9suId7Lu6du7J9dQru4Z6Lew8V
b9Y+wz3cc3FfRMXofcOAe7hn4v40FTfyWuAe7rm4L6bC82oU7uGei3svFevN7+Ae7rm4P+N4Xd+B
e7jn4t5Hxb3H9Sbcwz0T9yVUXPEMwD3cc3F/1gGwMA/3cM/FfSkVX1q34B7uubgvo+LZZgX+vxbu
ubj3U3FnpAfu4Z6L+z/7snwHSFQAAA==
EOF
base64 -d <<'EOF' | gzip -d >"$D/evil.ring"
H4sIAAAAAAACA+3bS2gTQRwG8NndRGqb2phq04cKgthqMdFUI9IHRCNFsEsVihfBFrtoNDUxDZiL
9CIqHop6KdEU1IMn8SBSX1dFUQ/FQ4UiRYJ34yWItI3TzEyQsIniQZD/98EwO9/slu32R2FDe3jg
6CGzv75WY4w5DF1jbsa+64w95WsvHwYffFmMxn6JW6zzvXL99la3ONgeXM5MeTfJOuAL+rr2sb9O
z/jJRCSe7BuJWolkx65tPX5Z/OH1qfbhyGifPzkW95+OjScjUcs/eMw8GA4Mtxf3z8VGrZ07wgOh
roDt9WLfjCXGRqIMQRAEQRAEQRAEQf7TNKuDrZ4bxvSU9zV/4S/I936juJHOOlem68YHMZ+YdVb7
gnfS4rL4kPi4wK3/22+oQUx75TIs5yMVTl9eLBSzJOfy/W+yz1XY/100OYwK+3VyBN/ViafdKfqJ
oJitkP1102lxfkbO5XkyKfqZSft9XQ6HnJ3yWP3cVZ/Tq9/3TN5RXPuaRP+sTT73zfbXXf0szr8i
5/IszYt+cd5+f4Hfzw8+PHwk+IN9yTuTjw4+PHysfNS0hQ+XVv2+W1SRe/Ae7uGeivtWVTzvr3HA
PdwTcd+mikvZA3AP91Tcb1CFeXEC7uGeivuNpRfc5hdwD/dU3Ku/u2DZR3m4h3sq7mtUcdn6WMjA
PdzTcL9aFYOskeH3PdwTcV+ritbbJtzDPRX3pafyZc81uId7Ku5dqng4+wru4Z6K+3pVpM5qGtzD
PRH3a1Sxf1Uv3MM9FfcNqnDdTcE93FNx71bFXPdjuId7Ku7XlrzOfYV7uKfi3qOKM+c7dbiHeyLu
G1Wx23UK7uGeivt1JQD378E93FNxv14Vb0ILcA/3VNw3qeLmpxb8fy3cU3HvVcXxC0NwD/dU3P8E
DEYMUkhUAAA=
EOF
for r in crash-gen_double psi-huge evil; do
  lm_check "lowmem-dump $r.ring: exit 0" [ "$(dump_rc "$D/$r.ring")" = 0 ]
  cp "$D/out" "$D/$r.json"
  lm_check "  JSON, strict UTF-8, nothing but printable ASCII" eval \
    'is_json "$D/$r.json" && strict_utf8 "$D/$r.json" && only_ascii "$D/$r.json"'
done
lm_check "psi-huge: the DBL_MAX avg10 is a number" \
  [ "$(jq '[.samples[].pressure.some_avg10] | max > 1e300' "$D/psi-huge.json")" = true ]
zone0="x'\`id>/tmp/hostile/PWNED2\`'"
lm_check "evil: host and zone come back as they were, and no '<' is left raw" eval \
  '[ "$(jq -r .host "$D/evil.json")" = "<script>alert(1)</script>" ] &&
   [ "$(jq -r ".zones[0]" "$D/evil.json")" = "$zone0" ] && ! grep -q "<" "$D/evil.json"'

# A ring, its header then claiming 1 GiB: on a 4 KB file (cut short), and
# on a sparse file of 1 GiB whose head is near 2^63.
RING=$D/psi-huge.ring
record_size=$(od -An -tu4 -j20 -N4 "$RING" | tr -d ' ')
capacity=$(((1 << 30) / record_size - 8))
le32() { printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"; }
head -c 4096 "$RING" >"$D/claims.ring"
le32 "$capacity" | dd of="$D/claims.ring" bs=1 seek=28 conv=notrunc status=none
lm_check "lowmem-dump of a 4 KB ring claiming 1 GiB: exit 1, cut short" eval \
  '[ "$(dump_rc "$D/claims.ring")" = 1 ] && grep -q "shorter than its header says" "$D/err"'
cp "$D/claims.ring" "$D/sparse.ring"
truncate -s 1G "$D/sparse.ring"
printf '\377\377\377\377\377\377\377\177' | dd of="$D/sparse.ring" bs=1 seek=88 conv=notrunc status=none
blocks=$(stat -c %b "$D/sparse.ring")
# Its time and its peak memory (GNU time), or its time alone.
took= kib=
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f '%e %M' -o "$D/time" timeout 20 "$DUMP" "$D/sparse.ring" \
    >"$D/sparse.json" 2>"$D/err" && rc=0 || rc=$?
  read -r took kib <"$D/time" || true
else
  t0=$(date +%s.%N)
  timeout 20 "$DUMP" "$D/sparse.ring" >"$D/sparse.json" 2>"$D/err" && rc=0 || rc=$?
  took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
fi
echo "# sparse 1 GiB ring: exit $rc, ${took:-?} s, ${kib:-?} KiB at most"
lm_check "lowmem-dump of a sparse 1 GiB ring: exit 0, JSON with no sample" eval \
  '[ "$rc" = 0 ] && [ "$(jq ".samples | length" "$D/sparse.json")" = 0 ]'
lm_check "  in less than 2 s (${took:-?} s)" awk -v t="${took:-99}" 'BEGIN { exit !(t < 2) }'
if [ -n "$kib" ]; then
  lm_check "  and 64 MiB (${kib} KiB)" awk -v k="$kib" 'BEGIN { exit !(k < 65536) }'
fi
lm_check "  and it fills none of its holes" [ "$(stat -c %b "$D/sparse.ring")" = "$blocks" ]

# --- kernel log bytes that are not UTF-8 ---------------------------------------------------------

# KernelLog file mode: an OOM kill whose victim's name is an overlong
# '/', a surrogate, a code point above U+10FFFF and 0xff. Whatever the
# events make of it, the incident file must stay strict UTF-8 (the JSON
# writer's own '?' for such bytes is in tests/unit/test_record_attacks).
conf rawbytes "  KernelLog \"$LM_TMP/rawbytes-kern.log\""
REC=$LM_RUN/lowmem
: >"$LM_TMP/rawbytes-kern.log"
start
wait_until 20 sampling || true
bad=$(printf '\355\240\200\340\200\257\364\220\200\200\377')
{
  printf 'Sep 10 01:07:31 web1 kernel: %s invoked oom-killer: gfp_mask=0xd0, order=1, oom_adj=0, oom_score_adj=0\n' "$bad"
  printf 'Sep 10 01:07:31 web1 kernel: Out of memory: Kill process 4242 (%s) score 1 or sacrifice child\n' "$bad"
  printf 'Sep 10 01:07:31 web1 kernel: Killed process 4242 (%s) total-vm:1820kB, anon-rss:100kB, file-rss:360kB\n' "$bad"
} >>"$LM_TMP/rawbytes-kern.log"
incident() { ls "$REC"/incident-*oom_kill*.json 2>/dev/null | head -n 1 || true; }
has_incident() { [ -n "$(incident)" ]; }
if wait_until 30 has_incident; then
  f=$(incident)
  lm_check "the incident file of that kill is strict UTF-8 JSON" eval \
    'is_json "$f" && strict_utf8 "$f"'
  jq -r '[.events[] | select(.kind == "oom_kill") | .meta.victim_comm] | first' "$f" >"$LM_RUN/victim"
  lm_check "  the victim's name holds none of those bytes ($(cat "$LM_RUN/victim"))" \
    only_ascii "$LM_RUN/victim"
else
  lm_not_ok "an incident file for the OOM kill in KernelLog within 30 s"
fi
lm_stop

lm_done
