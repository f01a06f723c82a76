#!/usr/bin/env bash
# The benchmark report: one chart per group of figures (boot and memory,
# save/restore, balloon, evtchn, blk, net, and any other prefix the log
# has), each figure's domu and Linux bars on one axis, with the ratio in
# domu's favour and the goal. A self-contained HTML page with inline SVG,
# written with awk from the "BENCH METRIC WHO VALUE UNIT" lines of a bench
# log; labels, units and goals come from the rows of bench.sh's table.
#   tools/bench/report.sh LOG OUT.html
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 2 ] || { echo "usage: $0 LOG OUT.html" >&2; exit 2; }
log=$1
out=$2
[ -f "$log" ] || { echo "report: no bench log $log" >&2; exit 1; }
grep -qE '^ *BENCH ' "$log" || { echo "report: no BENCH lines in $log" >&2; exit 1; }
mkdir -p "$(dirname "$out")"

# bench.sh's rows: row METRIC "LABEL" UNIT "GOAL" HIGHER-IS-BETTER
rows=$(awk -F'"' '/^row [a-z0-9_]+ "/ {
  split($1, a, " "); u = $3; h = $5; gsub(/ /, "", u); gsub(/ /, "", h)
  printf "%s\t%s\t%s\t%s\t%s\n", a[2], $2, u, $4, h }' "$here/bench.sh")
[ -n "$rows" ] || { echo "report: no rows found in $here/bench.sh" >&2; exit 1; }

awk -F'\t' -v logname="$(basename "$log")" '
function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
# The group a metric belongs to, by its name.
function group(m) {
  if (m ~ /^(boot_|min_memory)/) return "boot and memory"
  if (m ~ /^(saverestore|downtime)/) return "save/restore"
  if (m ~ /^balloon_/) return "balloon"
  if (m ~ /^evtchn_/) return "evtchn"
  if (m ~ /^blk_/) return "blk"
  if (m ~ /^net_/) return "net"
  return (m ~ /_/) ? substr(m, 1, index(m, "_") - 1) : m
}
function slug(g) { gsub(/[^a-z0-9]+/, "-", g); return g }
# The goal as a ratio in domu s favour, from bench.sh s goal text:
# "domu < 1/20 of linux", "domu >= 1.2x linux", "linux/domu >= 1.2",
# "domu <= linux", "domu faster"; "" when there is none.
function goal(t) {
  if (match(t, /1\/[0-9.]+/)) return substr(t, RSTART + 2, RLENGTH - 2)
  if (match(t, /[0-9.]+x/)) return substr(t, RSTART, RLENGTH - 1)
  if (match(t, />= *[0-9.]+/)) { s = substr(t, RSTART + 2, RLENGTH - 2); gsub(/ /, "", s); return s }
  if (t ~ /<= *linux|faster/) return "1"
  return ""
}
function fmt_ratio(r) { return (r >= 10) ? sprintf("%.0fx", r) : sprintf("%.2fx", r) }
FNR == NR { # the rows
  nrow++; rowm[nrow] = $1; label[$1] = $2; unit[$1] = $3; goalt[$1] = $4; higher[$1] = $5
  known[$1] = 1
  next
}
{ # the log
  split($0, f, " ")
  if (f[1] != "BENCH" || f[4] == "") next
  m = f[2]; who = f[3]
  val[m, who] = f[4]
  if (f[5] != "") lunit[m] = f[5]
  if (!(m in seen)) { seen[m] = 1; if (!(m in known)) extra[++nextra] = m }
}
END {
  # Metrics in order: bench.sh s rows, then the others as they came.
  n = 0
  for (i = 1; i <= nrow; i++) if (rowm[i] in seen) order[++n] = rowm[i]
  for (i = 1; i <= nextra; i++) order[++n] = extra[i]
  split("boot and memory|save/restore|balloon|evtchn|blk|net", fixed, "|")
  ng = 0
  for (i = 1; i in fixed; i++) { groups[++ng] = fixed[i]; isgroup[fixed[i]] = 1 }
  for (i = 1; i <= n; i++) {
    g = group(order[i])
    if (!(g in isgroup)) { groups[++ng] = g; isgroup[g] = 1 }
  }

  print "<!DOCTYPE html>"
  print "<html lang=\"en\"><head><meta charset=\"utf-8\"><title>domu benchmarks</title>"
  print "<style>body { font-family: sans-serif; max-width: 820px; margin: 2em auto; color: #222 }"
  print "svg text { font-family: sans-serif; font-size: 12px } .met { fill: #1a7f37 } .unmet { fill: #b42318 }</style>"
  print "</head><body>"
  print "<h1>domu against Linux</h1>"
  print "<p>Figures from <code>" esc(logname) "</code> (<code>make bench</code>): domu and the stock Debian Linux PVH guest on the same Xen test host and the same back-ends. Each figure has both guests on one axis. The ratio is in domu&#39;s favour: Linux/domu for times and sizes, domu/Linux for rates; the goal is the ratio the project aims at.</p>"
  W = 800; LX = 60; BX = 110; BW = 380; RX = 620
  for (gi = 1; gi <= ng; gi++) {
    g = groups[gi]; cnt = 0
    for (i = 1; i <= n; i++) if (group(order[i]) == g) cnt++
    if (!cnt) continue
    print "<h2>" esc(g) "</h2>"
    printf "<svg id=\"chart-%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n", slug(g), W, cnt * 70 + 10, W, cnt * 70 + 10
    y = 10
    for (i = 1; i <= n; i++) {
      m = order[i]
      if (group(m) != g) continue
      d = val[m, "domu"]; l = val[m, "linux"]
      u = (m in lunit) ? lunit[m] : unit[m]
      lab = (m in label) ? label[m] : m
      max = (d + 0 > l + 0) ? d + 0 : l + 0
      printf "<g id=\"m-%s\">\n", m
      printf "<text x=\"10\" y=\"%d\" font-weight=\"bold\">%s</text>\n", y + 12, esc(lab)
      wh[1] = "domu"; wh[2] = "linux"; nm[1] = "domu"; nm[2] = "Linux"; col[1] = "#2f6fdb"; col[2] = "#8a8f98"
      for (k = 1; k <= 2; k++) {
        v = val[m, wh[k]]; by = y + 18 + (k - 1) * 20
        printf "<text x=\"%d\" y=\"%d\">%s</text>\n", LX - 50, by + 12, nm[k]
        if (v == "") { printf "<text x=\"%d\" y=\"%d\" fill=\"#666\">no %s figure</text>\n", BX, by + 12, nm[k]; continue }
        w = (max > 0) ? int(BW * v / max + 0.5) : 0
        if (w < 1 && v + 0 > 0) w = 1
        printf "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"15\" fill=\"%s\"/>\n", BX, by, w, col[k]
        printf "<text x=\"%d\" y=\"%d\">%s %s</text>\n", BX + w + 6, by + 12, v, esc(u)
      }
      if (d + 0 > 0 && l + 0 > 0 && (m in higher)) {
        if (higher[m] == 1) { r = d / l; how = "domu/Linux" } else { r = l / d; how = "Linux/domu" }
        printf "<text x=\"%d\" y=\"%d\">%s = %s</text>\n", RX, y + 30, how, fmt_ratio(r)
        gl = goal(goalt[m])
        if (gl != "") {
          ok = (r + 1e-9 >= gl + 0)
          printf "<text x=\"%d\" y=\"%d\" class=\"%s\">goal %sx: %s</text>\n", RX, y + 50, ok ? "met" : "unmet", gl, ok ? "met" : "not met"
        }
      }
      print "</g>"
      y += 70
    }
    print "</svg>"
  }
  print "</body></html>"
}' <(printf '%s\n' "$rows") "$log" >"$out.tmp"
mv "$out.tmp" "$out"
echo "report: $out"
