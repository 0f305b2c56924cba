#!/bin/bash
# lowmem-graph on hostile input. Every string of an incident record (zone
# names, host, kernel, event kinds, severities, messages) and every name in
# an RRD tree (host directory, zone, slab cache, device, port) is chosen by
# someone else: whoever wrote the file, named the cache or the device, or
# sent values over collectd's network plugin. Commands are planted in them,
# each leaving a marker file if it runs, and a fake `id` on PATH leaves one
# too. Checked: no command ran, the graphs are still drawn, the HTML shows
# the strings as text (parsed strictly with xmllint where it is installed),
# nothing gnuplot would interpret reached it (a fake gnuplot on PATH records
# its input), no symbolic link planted in OUTDIR was written through, and
# malformed or huge records fail with a message. As root, the incident
# record is also drawn as the unprivileged user nobody.
#
# Needs no collectd: only lowmem-graph, jq, gnuplot, rrdtool and
# ImageMagick's identify; lowmem-dump from the build tree for the ring part.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$PWD}
GRAPH=$top_srcdir/tools/lowmem-graph
DUMP=$top_builddir/tools/lowmem-dump
for t in jq gnuplot rrdtool identify timeout; do
  command -v "$t" >/dev/null || lm_skip "$t is not installed"
done
REAL_GNUPLOT=$(command -v gnuplot)
REAL_ID=$(command -v id)
XMLLINT=$(command -v xmllint || true)
[ -n "$XMLLINT" ] || echo "# xmllint (libxml2-utils) is not installed: the HTML is checked with grep only"

LM_TMP=$(mktemp -d /tmp/lowmem-itest.XXXXXX)
trap lm_cleanup EXIT
trap 'exit 1' INT TERM
chmod 711 "$LM_TMP" # nobody reaches its inputs, not its listing

# --- markers --------------------------------------------------------------------

# Every payload writes a file: under MARK (ours, writable by nobody too),
# or the paths of the regression record and ring under /tmp/hostile.
MARK=$LM_TMP/markers
mkdir -m 1777 "$MARK"
PUBLIC_MARKS="/tmp/hostile/PWNED-by-gnuplot /tmp/hostile/PWNED2"
made_hostile=0
if [ ! -e /tmp/hostile ]; then
  mkdir -m 1777 /tmp/hostile && made_hostile=1
fi
# /tmp/hostile, when the test made it, goes again with what payloads that
# ran left there.
lm_cleanup_hook() {
  if [ "$made_hostile" = 1 ]; then
    # shellcheck disable=SC2086
    rm -f $PUBLIC_MARKS
    rmdir /tmp/hostile 2>/dev/null || true
  fi
}
# What the public marker paths hold now: a payload that ran leaves a new
# file or a newer one.
public_state() {
  local p
  for p in $PUBLIC_MARKS; do stat -c '%n %i %.9Y' "$p" 2>/dev/null || echo "$p absent"; done
}
PUBLIC_BEFORE=$(public_state)

# no_command_ran WHAT: no marker appeared since the last call.
no_command_ran() {
  local ran now
  ran=$(ls -A "$MARK" | tr '\n' ' ')
  lm_check "$1: no command ran (markers: ${ran:-none})" [ -z "$ran" ]
  now=$(public_state)
  lm_check "$1: nothing appeared at $PUBLIC_MARKS" [ "$now" = "$PUBLIC_BEFORE" ]
  # Each check on its own: a marker is reported once.
  rm -f "$MARK"/* "$MARK"/.[!.]* 2>/dev/null || true
  PUBLIC_BEFORE=$now
}

# --- fake id and gnuplot ------------------------------------------------------

FAKEBIN=$LM_TMP/bin
mkdir -m 755 "$FAKEBIN"
GPLOG=$LM_TMP/gnuplot.log
cat >"$FAKEBIN/id" <<EOF
#!/bin/sh
echo "id \$*" >>"$MARK/id-ran"
exec "$REAL_ID" "\$@"
EOF
# The wrapper logs its arguments, any script file given as one, and its
# standard input, then passes them on to the real gnuplot.
cat >"$FAKEBIN/gnuplot" <<EOF
#!/bin/sh
{ printf '### gnuplot'; printf ' [%s]' "\$@"; echo; } >>"$GPLOG"
for a in "\$@"; do [ -f "\$a" ] && cat -- "\$a" >>"$GPLOG"; done
tee -a "$GPLOG" | "$REAL_GNUPLOT" "\$@"
EOF
chmod 755 "$FAKEBIN/id" "$FAKEBIN/gnuplot"
: >"$GPLOG"
chmod 666 "$GPLOG"

# --- inputs ---------------------------------------------------------------------

IN=$LM_TMP/inputs
mkdir -m 755 "$IN"
TMPD=$LM_TMP/tmpdir # lowmem-graph's TMPDIR: empty again after each run
mkdir -m 1777 "$TMPD"

# The regression ring: zone "x'`id>/tmp/hostile/PWNED2`'", host
# "<script>alert(1)</script>" (gzip, base64).
base64 -d >"$IN/evil.ring.gz" <<'EOF'
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
gzip -d "$IN/evil.ring.gz"

# An incident record in lowmem's format whose strings are all payloads:
# backquotes closing single and double quotes, gnuplot's system() and
# string concatenation, a newline followed by gnuplot's shell escape `!`,
# a macro, HTML and its entities.
Z_SQ="x'\`touch\${IFS}/tmp/hostile/PWNED-by-gnuplot\`'" # verbatim from the regression record
Z_RING="x'\`id>/tmp/hostile/PWNED2\`'"                  # verbatim from the regression ring
Z_OWN="x'\`touch\${IFS}$MARK/zone-sq\`'"
Z_DQ="x\"\`touch\${IFS}$MARK/zone-dq\`\""
Z_SYS="a'.system('touch\${IFS}$MARK/zone-system').'"
Z_NL="node1-Normal
!touch $MARK/zone-bang"
Z_ID="node2-x'\`id\`'"
K_DQ="oom_kill\"\`touch\${IFS}$MARK/kind-dq\`\""
K_SYS="\".system(\"touch\${IFS}$MARK/kind-system\").\""
K_NL="headroom
!touch $MARK/kind-bang
set print '$MARK/kind-print'"
K_SQ="alloc_failure'.system('id').'"
HOST="<script>alert(1)</script><img src=x onerror=alert(document.domain)> & co"
KERNEL="2.6.39 & <b>bold</b> 'single' \"double\" &amp; @m"
SEV="<b>FAILURE</b>"
SEV2="WARNING\" onmouseover=\"alert(1)"
MSG="OOM kill: <script>alert(2)</script> & 'q' \"dq\" &amp; \$(id) \`id\`"

# record FILE [JQ-UPDATE [X]]: the hostile record, changed by JQ-UPDATE
# (which has the string X as $x).
record() {
  jq -n --arg host "$HOST" --arg kernel "$KERNEL" --arg kdq "$K_DQ" --arg ksys "$K_SYS" \
    --arg knl "$K_NL" --arg ksq "$K_SQ" --arg sev "$SEV" --arg sev2 "$SEV2" --arg msg "$MSG" \
    --arg mark "$MARK" --arg x "${3:-}" '
    ($ARGS.positional + ["node0-DMA32", "node0-Normal"]) as $zones | 1700000000 as $t0 |
    def zone($name; $i; $base):
      ($base + 300 * (($i % 20) - 10 | if . < 0 then -. else . end)) as $free |
      {zone: $name, free: $free, min: 1000, low: 1250, high: 1500,
       headroom_min: [$free - 1000, ($free - 1000) / 2 - 200 | floor],
       headroom_low: [$free - 1250, ($free - 1250) / 2 - 200 | floor],
       nr_free: [$free, 3, 2, 1]};
    {format: "lowmem-incident", version: 1, source: "lowmem", written: ($t0 + 7),
     host: $host, kernel: $kernel, page_size: 4096, sample_interval: 0.1,
     ring: {capacity: 100, records_written: 60, samples_here: 60, writer_pid: 1,
            clean: false, created: $t0},
     orders: [0, 1], zones: $zones,
     events: [
       {time: ($t0 + 2), kind: $kdq, severity: $sev, plugin_instance: "oom",
        type: "vmpage_action", type_instance: "oom_kill", message: $msg, meta: {}},
       {time: ($t0 + 3), kind: $ksys, severity: $sev2, message: "two", meta: {}},
       {time: ($t0 + 4), kind: $knl, severity: "OKAY", message: ("three\n" + $mark), meta: {}},
       {time: ($t0 + 4.5), kind: $ksq, severity: "FAILURE", message: "four", meta: {}}],
     samples: [range(0; 60) as $i | {time: ($t0 + $i / 10), seq: ($i + 1),
       meminfo: {MemTotal: 4294967296, MemFree: (1073741824 + 10485760 * ($i % 17)),
                 LowFree: (536870912 - 4194304 * $i), HighFree: 268435456,
                 SReclaimable: (104857600 + 1048576 * $i), SUnreclaim: 52428800,
                 Dirty: (1048576 * ($i % 9)), Writeback: 0},
       vmstat: {allocstall: ($i * ($i % 3)), pgscan_kswapd: (100 * $i * $i),
                pgscan_direct: (50 * $i), pgsteal_kswapd: (90 * $i * $i),
                pgsteal_direct: (40 * $i), compact_stall: $i, compact_fail: 0,
                oom_kill: ($i / 20 | floor)},
       pressure: {some_total_us: (20000 * $i + 500 * $i * $i), some_avg10: 1.5,
                  full_total_us: (8000 * $i), full_avg10: 0.5},
       zones: [$zones | to_entries[] | zone(.value; $i + .key; 2000 + 1500 * .key)]}]}
    '"${2:+| $2}" --args "$Z_SQ" "$Z_RING" "$Z_OWN" "$Z_DQ" "$Z_SYS" "$Z_NL" "$Z_ID" >"$1"
}
record "$IN/hostile.json"
chmod 644 "$IN"/*

# --- running it -------------------------------------------------------------------

# refused: the last run failed by itself, with a message, not killed by
# timeout.
refused() {
  [ "$RC" != 0 ] && [ "$RC" != 124 ] && [ "$RC" != 137 ] && [ -s "$1" ]
}

RUNAS=() # empty: as ourselves; setpriv ...: as nobody
# graph LOG ARG...: lowmem-graph with the fake id and gnuplot first on
# PATH and TMPDIR of its own, at most 120 s; its exit status in RC.
graph() {
  local log=$1
  shift
  RC=0
  "${RUNAS[@]}" timeout -k 5 120 env PATH="$FAKEBIN:$PATH" TMPDIR="$TMPD" \
    "$GRAPH" "$@" </dev/null >"$log" 2>&1 || RC=$?
}

# check_png FILE: a PNG of some content.
check_png() {
  local f=$1 n=${1##*/} colours
  if [ ! -s "$f" ] || [ -L "$f" ]; then
    lm_not_ok "$n was drawn"
    return 0
  fi
  colours=$(identify -format '%k' "$f" 2>/dev/null || echo 0)
  lm_check "$n was drawn ($colours colours)" [ "$colours" -gt 8 ]
}

# check_outdir DIR: only names lowmem-graph makes, no temporary file left,
# none of them a symbolic link.
check_outdir() {
  local bad
  bad=$(cd "$1" && find . -mindepth 1 \( ! -type f -o -type l -o ! -name '*.png' ! -name '*.html' \
    -o -name '*[!A-Za-z0-9._-]*' -o -name '.*' \) -print | sed 's/^\.\///' | tr '\n' ' ')
  lm_check "$1 holds only PNGs and HTML of plain names (not: ${bad:-none})" [ -z "$bad" ]
  bad=$(ls -A "$TMPD")
  lm_check "no temporary file left behind (${bad:-none})" [ -z "$bad" ]
}

# xpath FILE EXPR: the value of EXPR in FILE parsed as XML.
xpath() {
  timeout 30 "$XMLLINT" --nonet --xpath "$2" "$1" 2>/dev/null || true
}

# check_html FILE TEXT...: well-formed, without script or event handler
# attributes, images only of PNGs beside it, and each TEXT shown as text.
check_html() {
  local f=$1 dir=${1%/*} name=${1##*/} ok=1 src t
  shift
  if [ ! -s "$f" ]; then
    lm_not_ok "$name was written"
    return 0
  fi
  lm_check "$name: no raw <script" sh -c '! grep -qi "<script" "$1"' sh "$f"
  lm_check "$name: no raw <img src=x, <b> or onmouseover=\" from the input" \
    sh -c '! grep -qi -e "<img src=x" -e "<b>" -e "onmouseover=\"" "$1"' sh "$f"
  lm_check "$name: the escaped forms appear (&lt;script&gt;)" grep -q '&lt;script&gt;' "$f"
  if [ -z "$XMLLINT" ]; then return 0; fi
  local err
  err=$(timeout 30 "$XMLLINT" --nonet --noout "$f" 2>&1 | head -n 3 || true)
  lm_check "$name is well-formed (xmllint: ${err:-no error})" [ -z "$err" ]
  err=$(timeout 30 "$XMLLINT" --nonet --html --noout "$f" 2>&1 | head -n 3 || true)
  lm_check "$name parses as HTML without an error (${err:-no error})" [ -z "$err" ]
  lm_check "$name: no script element" [ "$(xpath "$f" 'count(//script)')" = 0 ]
  lm_check "$name: no event handler attribute" \
    [ "$(xpath "$f" "count(//@*[starts-with(translate(name(), 'ON', 'on'), 'on')])")" = 0 ]
  lm_check "$name: no link, object, iframe, style or base element" \
    [ "$(xpath "$f" 'count(//a|//iframe|//object|//embed|//base|//link|//form|//style[position() > 1])')" = 0 ]
  while read -r src; do
    [ -n "$src" ] || continue
    if ! [[ $src =~ ^[A-Za-z0-9][A-Za-z0-9._-]*\.png$ ]] || [ ! -f "$dir/$src" ]; then
      ok=0
      lm_not_ok "$name: image $src is a PNG written beside it"
    fi
  done < <(xpath "$f" '//img/@src' | grep -o 'src="[^"]*"' | sed 's/^src="//; s/"$//')
  [ "$ok" = 0 ] || lm_ok "$name: every image is a PNG written beside it"
  local body
  body=$(xpath "$f" 'string(/html)')
  for t in "$@"; do
    lm_check "$name shows as text: $(printf '%s' "$t" | tr '\n' ' ' | cut -c1-60)" \
      grep -qF -- "$t" <<<"$body"
  done
}

# check_gnuplot_input WHAT: what reached gnuplot since the log was emptied.
check_gnuplot_input() {
  local input bad
  input=$(grep -v '^### gnuplot' "$GPLOG" || true)
  lm_check "$1: gnuplot was run through the wrapper" grep -q '^### gnuplot' "$GPLOG"
  bad=$(grep -n -i -e '`' -e 'system' -e "'<" -e '"<' -e '@' -e '\$' -e '\\' -e '^[[:space:]]*!' \
    -e '\bload\b' -e '\bcall\b' -e 'set print' -e '\bshell\b' -e 'pipe' -e '^[[:space:]]*\(cd\|exit\|eval\)\b' \
    <<<"$input" | head -n 3 || true)
  lm_check "$1: no backquote, system, '<' source, macro, shell escape, load/call/print reached gnuplot${bad:+: $bad}" \
    [ -z "$bad" ]
  : >"$GPLOG"
}

# The strings the incident page must show as text.
SHOWN=("$HOST" "$KERNEL" "$SEV" "$SEV2" "$MSG")

# incident WHAT OUTDIR RECORD [planted]: draws RECORD and checks the
# result (with "planted", OUTDIR holds links of the test's besides).
incident() {
  local what=$1 out=$2 rec=$3
  graph "$LM_TMP/$what.out" --incident "$rec" -o "$out" -W 640 -H 240
  lm_check "$what: lowmem-graph --incident succeeds (exit $RC: $(tail -n 1 "$LM_TMP/$what.out"))" [ "$RC" = 0 ]
  no_command_ran "$what"
  local z
  for z in node0-DMA32 node0-Normal; do
    check_png "$out/incident-zone-$z.png"
    check_png "$out/incident-headroom-$z.png"
  done
  check_png "$out/incident-memory.png"
  check_png "$out/incident-reclaim.png"
  [ "${4:-}" = planted ] || check_outdir "$out"
  check_gnuplot_input "$what"
}

echo "# the hostile incident record"
incident record "$LM_TMP/out-record" "$IN/hostile.json"
check_png "$LM_TMP/out-record/incident-pressure.png"
check_html "$LM_TMP/out-record/incident.html" "${SHOWN[@]}" "$Z_SQ" "$Z_RING" "$Z_DQ"
lm_check "incident.html: & is escaped too (&amp;amp; for the kernel's literal &amp;)" \
  grep -q '&amp;amp;' "$LM_TMP/out-record/incident.html"
lm_check "the record's own events are listed (4)" \
  [ "$(grep -c '<li>' "$LM_TMP/out-record/incident.html" || true)" -ge 4 ]

echo "# the regression ring, through lowmem-dump"
if [ -x "$DUMP" ]; then
  RC=0
  timeout 30 "$DUMP" -o "$IN/ring.json" "$IN/evil.ring" 2>"$LM_TMP/dump.err" || RC=$?
  chmod 644 "$IN/ring.json" 2>/dev/null || true
  if [ "$RC" != 0 ] || [ ! -s "$IN/ring.json" ]; then
    lm_not_ok "lowmem-dump turns the ring into JSON (exit $RC: $(head -n 1 "$LM_TMP/dump.err"))"
  else
    echo "# its zones: $(jq -c .zones "$IN/ring.json")"
    incident ring "$LM_TMP/out-ring" "$IN/ring.json"
    check_html "$LM_TMP/out-ring/incident.html" "$(jq -r .host "$IN/ring.json")"
  fi
else
  echo "# skipped: $DUMP is not built (make first)"
fi

echo "# symbolic links planted in OUTDIR"
O=$LM_TMP/out-planted
mkdir "$O"
echo precious >"$LM_TMP/victim"
for n in incident.html incident-memory.png incident-zone-node0-Normal.png .events.gp .zone0.tsv .mem.tsv; do
  ln -s "$LM_TMP/victim" "$O/$n"
done
ln -s "$LM_TMP/victim-new" "$O/incident-reclaim.png"
incident planted "$O" "$IN/hostile.json" planted
lm_check "no planted link was written through (the victim holds $(head -c 40 "$LM_TMP/victim"))" \
  [ "$(cat "$LM_TMP/victim")" = precious ]
lm_check "no file was made through a dangling link" [ ! -e "$LM_TMP/victim-new" ]
for n in incident.html incident-memory.png incident-zone-node0-Normal.png incident-reclaim.png; do
  lm_check "$n is a file of lowmem-graph's, not the planted link" test -f "$O/$n" -a ! -L "$O/$n"
done

if [ "$EUID" = 0 ] && command -v setpriv >/dev/null && getent passwd nobody >/dev/null; then
  echo "# root: an OUTDIR that is not root's"
  O=$LM_TMP/out-nobody
  mkdir -m 755 "$O"
  chown nobody "$O"
  graph "$LM_TMP/notmine.out" --incident "$IN/hostile.json" -o "$O"
  lm_check "refused, exit non-zero ($RC: $(head -n 1 "$LM_TMP/notmine.out"))" refused "$LM_TMP/notmine.out"
  lm_check "... and nothing written there" [ -z "$(ls -A "$O")" ]

  echo "# the same record drawn by nobody"
  nobody_gid=$(getent passwd nobody | cut -d: -f4)
  RUNAS=(setpriv --reuid=nobody --regid="$nobody_gid" --clear-groups env HOME=/nonexistent)
  mkdir -m 1777 "$LM_TMP/as-nobody"
  incident nobody "$LM_TMP/as-nobody/out" "$IN/hostile.json"
  check_html "$LM_TMP/as-nobody/out/incident.html" "${SHOWN[@]}"
  RUNAS=()
else
  echo "# not root: drawn as $(whoami) only"
fi

echo "# malformed and huge records"
# bad WHAT FILE: refused with a message, non-zero, promptly, nothing ran.
bad() {
  local what=$1 out=$LM_TMP/out-bad
  rm -rf "$out"
  graph "$LM_TMP/bad.out" --incident "$2" -o "$out"
  lm_check "$what: refused, exit non-zero within the time ($RC: $(head -n 1 "$LM_TMP/bad.out" | cut -c1-100))" \
    refused "$LM_TMP/bad.out"
  lm_check "$what: no incident.html" [ ! -e "$out/incident.html" ]
  no_command_ran "$what"
  local left
  left=$(ls -A "$TMPD")
  lm_check "$what: no temporary file left behind (${left:-none})" [ -z "$left" ]
}
head -c 5000 "$IN/hostile.json" >"$IN/cut.json"
bad "a record cut short" "$IN/cut.json"
printf 'not json at all `id`\n' >"$IN/text.json"
bad "text" "$IN/text.json"
truncate -s 300M "$IN/huge.json"
bad "a 300 MB file" "$IN/huge.json"
rm -f "$IN/huge.json"
{ printf '{"format": "lowmem-incident", "deep": '; head -c 200000 /dev/zero | tr '\0' '['; } >"$IN/deep.json"
bad "200000 nested arrays" "$IN/deep.json"
mkfifo "$IN/fifo.json"
bad "a FIFO" "$IN/fifo.json"
record "$IN/orders.json" '.orders = [$x, "*"]' "0'\`touch\${IFS}$MARK/order\`'"
bad "orders that are not numbers" "$IN/orders.json"
record "$IN/time.json" '.events[0].time = $x' "1; system('touch $MARK/time')"
bad "an event time that is not a number" "$IN/time.json"
record "$IN/samples.json" '.samples = {}'
bad "samples that are not a list" "$IN/samples.json"
record "$IN/page.json" '.page_size = $x' "4096\`id\`"
bad "a page size that is not a number" "$IN/page.json"
graph "$LM_TMP/size.out" --incident "$IN/hostile.json" -o "$LM_TMP/out-size" -W "640'\`id\`" -H 240
lm_check "a width that is not a number: refused ($RC)" refused "$LM_TMP/size.out"
no_command_ran "a hostile width"

echo "# the dashboard: an RRD tree whose names are payloads"
HOSTDIR=$LM_TMP/rrd/"h<b>&'\"x:y"
now=$(date +%s)
# rrd PATH: a gauge RRD file of the last 90 seconds, each second a value,
# its data source named as lowmem-types.db names it.
rrd() {
  local f=$HOSTDIR/$1.rrd i v args=() type=${1##*/} ds=value
  case ${type%%-*} in
  zone | zone_size | zone_slab | headroom | system | bdi | process_rss) ds=bytes ;;
  zone_share | system_share | thread_cpu) ds=percent ;;
  esac
  mkdir -p "${f%/*}"
  rrdtool create "$f" --step 1 --start $((now - 100)) "DS:$ds:GAUGE:2:U:U" \
    RRA:MIN:0.5:1:300 RRA:MAX:0.5:1:300 RRA:AVERAGE:0.5:1:300 RRA:LAST:0.5:1:300
  for i in $(seq 90 -1 1); do
    v=$(((i * 7919 + ${#1} * 104729) % 97 + 3))
    args+=("$((now - i)):$((v * ${2:-1}))")
  done
  rrdtool update "$f" "${args[@]}"
}
M=1048576
for f in free slab_reclaimable slab_unreclaimable dirty writeback dirty_threshold; do
  rrd "lowmem/system-$f" $M
done
for f in pgscan_kswapd pgscan_direct allocstall; do rrd "lowmem/vmpage_action-$f"; done
for f in dentry "x'\`id\`'" "a b *" '$(id)' 'x:y' 'ev\il' "kmalloc-64;id"; do
  rrd "lowmem-slab/bytes-$f" $M
done
Z=lowmem-node0-Normal
# An order taken from a file name reached bash's arithmetic, which
# expands an array subscript: "1+page[$(id)]+1.rrd".
for f in zone-free zone-min zone-low zone-high headroom-order0 headroom-order1 \
  'headroom-order1.rrd+page[$(id)]+1' freepages-order0 freepages-order1 \
  'freepages-order1.rrd+page[$(id)]+1'; do
  rrd "$Z/$f" $M
done
for f in zone-free zone-min; do
  rrd "lowmem-node0-x'\$(id)'/$f" $M
  rrd "lowmem-node1-a b/$f" $M
done
for f in flush-0:17 kswapd0 '$(id)' "\`id\`" 'x\ny' $'nl\nname'; do rrd "lowmem-writeback/thread_cpu-$f"; done
for f in ESTABLISHED TIME_WAIT '$(id)'; do rrd "lowmem-apache-80/tcp_connections-$f"; done
rrd 'lowmem-apache-$(id)/tcp_connections-ESTABLISHED'

out=$LM_TMP/out-dashboard
graph "$LM_TMP/dashboard.out" -d "$HOSTDIR" -o "$out" -s end-80s -W 640 -H 240
lm_check "the dashboard is drawn (exit $RC: $(tail -n 1 "$LM_TMP/dashboard.out"))" [ "$RC" = 0 ]
no_command_ran "dashboard"
for g in zone-node0-Normal headroom-node0-Normal buddy-node0-Normal slab slab-caches dirty threads \
  reclaim stalls apache-80; do
  check_png "$out/$g.png"
done
check_outdir "$out"
f=$out/index.html
if [ -s "$f" ]; then
  lm_check "index.html: no raw <b> or <script" sh -c '! grep -qi -e "<b>" -e "<script" "$1"' sh "$f"
  lm_check "index.html: the host's name escaped (h&lt;b&gt;&amp;&#39;&quot;x:y)" \
    grep -qF 'h&lt;b&gt;&amp;&#39;&quot;x:y' "$f"
  if [ -n "$XMLLINT" ]; then
    err=$(timeout 30 "$XMLLINT" --nonet --noout "$f" 2>&1 | head -n 3 || true)
    lm_check "index.html is well-formed (xmllint: ${err:-no error})" [ -z "$err" ]
    lm_check "index.html shows the host's name as text" \
      grep -qF "h<b>&'\"x:y" <<<"$(xpath "$f" 'string(//h1)')"
    n_img=$(xpath "$f" 'count(//img)')
    n_png=$(ls "$out"/*.png | wc -l)
    lm_check "index.html shows every PNG ($n_img of $n_png)" [ "$n_img" = "$n_png" ]
  fi
else
  lm_not_ok "index.html was written"
fi
lm_done
