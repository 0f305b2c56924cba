#!/bin/bash
# Screenshots of collection3 drawing lowmem's values with
# contrib/collection3-lowmem.conf.
#
#   contrib/collection3-screenshot.sh OUTDIR [SECONDS]   (root; from the build tree)
#
# A private collectd with the built lowmem.so (Orders 0 to 3, the rrdtool
# plugin) runs for SECONDS (default 180); its RRD files are copied into a
# temporary web root with collectd-core's collection3 and these
# definitions, served as CGI by a private apache2 (its own configuration,
# 127.0.0.1, a free high port, user www-data), and chromium --headless
# takes the pages of index.cgi: OUTDIR/collection3-headroom.png (every
# zone's headroom) and OUTDIR/collection3-zone.png (node0-Normal's free
# pages and watermarks). Also prints what collection3 asks rrdtool for
# (lines or areas) and each zone's lowest order-0 headroom read with
# rrdtool. collectd, apache2 and chromium run in a memory cgroup of
# 1 GiB, each under a timeout; everything is removed at the end.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/.." && pwd)}
top_builddir=${top_builddir:-$PWD}
. "$top_srcdir/tests/integration/lib.sh"

usage() { echo "usage: $0 OUTDIR [SECONDS]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
OUT=$1
RUN_SECONDS=${2:-180}
[[ $RUN_SECONDS =~ ^[0123456789]+$ ]] && [ "$RUN_SECONDS" -ge 30 ] && [ "$RUN_SECONDS" -le 3600 ] ||
  { echo "SECONDS: 30 to 3600, not $RUN_SECONDS" >&2; exit 2; }
C3=/usr/share/doc/collectd-core/examples/collection3
APACHE=/usr/sbin/apache2
MODS=/usr/lib/apache2/modules
CHROMIUM=$(command -v chromium || true)

[ -f "$C3/bin/index.cgi" ] || lm_skip "collection3 is not installed (collectd-core's examples)"
perl -MRRDs -MConfig::General -MHTML::Entities -MRegexp::Common -MCGI -e 1 2>/dev/null ||
  lm_skip "collection3's Perl modules are not installed"
[ -x "$APACHE" ] && [ -f "$MODS/mod_cgi.so" ] || lm_skip "apache2 is not installed"
[ -n "$CHROMIUM" ] || lm_skip "chromium is not installed"
id www-data >/dev/null 2>&1 || lm_skip "no user www-data for apache2"
mkdir -p -- "$OUT"
OUT=$(cd "$OUT" && pwd)

lm_setup
WWW=$(mktemp -d /tmp/lowmem-c3www.XXXXXX)
HTTPD=
lm_cleanup_hook() {
  local p
  if [ -n "$HTTPD" ]; then
    p=$(cat "$WWW/apache/httpd.pid" 2>/dev/null || true)
    [ -z "$p" ] || kill -TERM "$p" 2>/dev/null || true
    wait "$HTTPD" 2>/dev/null || true
  fi
  rm -rf -- "$WWW"
}
lm_memcg lowmem-c3shot $((1024 << 20))

# --- a real run ---------------------------------------------------------------

lm_conf shot "  Orders 0 1 2 3"
lm_start $((RUN_SECONDS + 60))
lm_running || { cat "$LM_RUN/stdout" >&2; echo "collectd did not start" >&2; exit 1; }
echo "$LM_CPID" >"$LM_CG/cgroup.procs"
end=$((SECONDS + RUN_SECONDS))
while [ $SECONDS -lt $end ] && lm_running; do sleep 1; done
lm_running || { tail -n 20 "$LM_LOG" >&2; echo "collectd ended early" >&2; exit 1; }
lm_stop

# --- collection3 under a private apache2 -------------------------------------

chmod 755 "$WWW"
cp -r "$C3" "$WWW/collection3"
cp -r "$LM_RRD" "$WWW/rrd"
cp "$top_srcdir/contrib/collection3-lowmem.conf" "$WWW/collection3/etc/lowmem.conf"
{
  cat "$C3/etc/collection.conf"
  echo "DataDir \"$WWW/rrd\""
  echo "Include \"$WWW/collection3/etc/lowmem.conf\""
} >"$WWW/collection3/etc/collection.conf"
chmod -R a+rX "$WWW"
mkdir "$WWW/apache"

port=
for _ in $(seq 50); do
  p=$((20000 + RANDOM % 20000))
  if ! ss -Hltn "sport = :$p" | grep -q .; then port=$p; break; fi
done
[ -n "$port" ] || { echo "no free port" >&2; exit 1; }
cat >"$WWW/apache/httpd.conf" <<EOF
ServerRoot "$WWW/apache"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$WWW/apache/httpd.pid"
ErrorLog "$WWW/apache/error.log"
LogLevel warn
LoadModule mpm_prefork_module $MODS/mod_mpm_prefork.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule mime_module $MODS/mod_mime.so
LoadModule dir_module $MODS/mod_dir.so
LoadModule cgi_module $MODS/mod_cgi.so
TypesConfig /dev/null
AddType text/css .css
AddType text/javascript .js
AddType image/png .png
User www-data
Group www-data
StartServers 2
MaxRequestWorkers 8
DocumentRoot "$WWW/collection3"
DirectoryIndex index.cgi
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory "$WWW/collection3">
  AllowOverride None
  Require all granted
</Directory>
<Directory "$WWW/collection3/bin">
  Options +ExecCGI
  AddHandler cgi-script .cgi
</Directory>
EOF
lm_memcg_exec 300 "$APACHE" -f "$WWW/apache/httpd.conf" -DFOREGROUND >"$WWW/apache/stdout" 2>&1 &
HTTPD=$!
lm_wait_for 20 sh -c 'ss -Hltn "sport = :$1" | grep -q .' sh "$port" ||
  { cat "$WWW/apache/stdout" "$WWW/apache/error.log" >&2 || true; echo "apache2 did not start" >&2; exit 1; }

base="http://127.0.0.1:$port/bin/index.cgi?action=show_selection;hostname=$LM_HOST;plugin=lowmem;timespan=$RUN_SECONDS"
shot() { # shot NAME QUERY WIDTH,HEIGHT
  timeout 120 sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$LM_CG" \
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$LM_TMP/chromium" --virtual-time-budget=20000 \
    --window-size="$3" --screenshot="$OUT/collection3-$1.png" "$base;$2" >>"$LM_TMP/chromium.log" 2>&1 ||
    { tail -n 20 "$LM_TMP/chromium.log" >&2; echo "chromium failed on $1" >&2; exit 1; }
  echo "# $OUT/collection3-$1.png: $base;$2"
}
shot headroom "type=headroom" 600,1140
shot zone "plugin_instance=node0-Normal;type=zone" 580,580

# What collection3 asked rrdtool for, through the server (debug=1).
graph="http://127.0.0.1:$port/bin/graph.cgi?hostname=$LM_HOST;plugin=lowmem;plugin_instance=node0-Normal;begin=-$RUN_SECONDS;debug=1"
for t in zone headroom; do
  curl -s --max-time 60 "$graph;type=$t" >"$LM_TMP/$t.args" || true
  echo "# collection3 $t: $(grep -c '^LINE' "$LM_TMP/$t.args" || true) LINE, $(grep -c '^AREA' "$LM_TMP/$t.args" || true) AREA; data sources: $(grep -o 'rrd:[a-z]*:AVERAGE' "$LM_TMP/$t.args" | sort -u | tr '\n' ' ')"
done
for f in "$WWW/rrd/$LM_HOST"/lowmem-*/headroom-order0.rrd; do
  [ -f "$f" ] || continue
  echo "# lowest headroom-order0 of ${f#"$WWW/rrd/$LM_HOST/"}: $(rrdtool fetch "$f" AVERAGE -s "-$RUN_SECONDS" |
    awk -F': ' 'NF == 2 && $2 !~ /nan/ { v = $2 + 0; if (!n++ || v < m) m = v } END { printf "%.0f bytes", m }')"
done
