#!/usr/bin/env bash
# make doccheck: the documentation against the sources, without the test host.
#   manual-lint      docs/domu.4 has no mandoc warnings or errors, and
#                    man -l renders it without a message
#   manual-cmdline   every word the kernel parses on its command line
#                    (cmdline_has/cmdline_get with a literal, in the kernel's
#                    sources) has its entry in KERNEL COMMAND LINE, and every
#                    entry there is such a word
#   manual-commands  every shell command (the struct shell_cmd tables) has an
#                    entry in SHELL COMMANDS, with each literal word of its
#                    usage in its entries, and every entry there is a command
#   bench-report     tools/bench/report.sh renders the saved bench log
#                    tests/doc/bench-sample.log: every chart, ratio and goal
# Prints "PASS name" or "FAIL name: reason" for each, then "N passed, N failed".
#   tools/doccheck.sh [MANUAL]   (another manual: to see the check fail)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
man=${1:-docs/domu.4}
passed=0
failed=0
problems=()
problem() { problems+=("$*"); }
result() { # NAME: PASS or FAIL with the problems gathered since the last one
  if [ ${#problems[@]} -eq 0 ]; then
    echo "PASS $1"
    passed=$((passed + 1))
  else
    printf '  %s\n' "${problems[@]}"
    echo "FAIL $1: ${problems[0]}$([ ${#problems[@]} -lt 2 ] || echo " (and $((${#problems[@]} - 1)) more)")"
    failed=$((failed + 1))
  fi
  problems=()
}

# The kernel's C sources (everything but the host-side tests and tools).
kernel_sources() {
  find . \( -path ./build -o -path ./tests -o -path ./tools -o -path './.*' \) -prune -o \
    -name '*.[ch]' -print | sort
}

# "has WORD FILE" / "get KEY FILE" for each literal the kernel looks up on
# its command line (a call may span lines).
cmdline_words() {
  local f
  while read -r f; do
    tr '\n' ' ' <"$f" |
      grep -oE 'cmdline_(has|get) *\( *[A-Za-z_][A-Za-z_0-9.>-]* *, *"[^"]+"' |
      sed -E 's/^cmdline_(has|get).*"([^"]+)"$/\1 \2/' | awk -v f="${f#./}" '{ print $0, f }'
    # The shared queue-count helper reads the word it is given (blk-queues, net-queues).
    tr '\n' ' ' <"$f" |
      grep -oE 'xenbus_dev_queues *\([^,]*,[^,]*, *"[^"]+"' |
      sed -E 's/.*"([^"]+)"$/get \1/' | awk -v f="${f#./}" '{ print $0, f }'
  done < <(kernel_sources)
}

# NAME, USAGE and FILE, split by \037 (a usage may hold any other), for each
# struct shell_cmd initializer: its first two strings (adjacent literals
# joined), or its .name and .usage.
shell_commands() {
  local f
  while read -r f; do
    grep -q 'struct shell_cmd' "$f" || continue
    awk -v file="${f#./}" '
      { text = text $0 "\n" }
      function tokens(s,   i, c, n, str, esc) { # into tok[], kind[]
        n = 0
        for (i = 1; i <= length(s); i++) {
          c = substr(s, i, 1)
          if (c == "\"") {
            str = ""; esc = 0
            for (i++; i <= length(s); i++) {
              c = substr(s, i, 1)
              if (esc) { str = str c; esc = 0 } else if (c == "\\") esc = 1
              else if (c == "\"") break
              else str = str c
            }
            if (n > 0 && kind[n] == "s") tok[n] = tok[n] str # "a" "b" is "ab"
            else { tok[++n] = str; kind[n] = "s" }
          } else if (c ~ /[{},=]/) { tok[++n] = c; kind[n] = "p" }
          else if (c ~ /[A-Za-z0-9_.]/) {
            str = c
            while (i < length(s) && substr(s, i + 1, 1) ~ /[A-Za-z0-9_.]/) str = str substr(s, ++i, 1)
            tok[++n] = str; kind[n] = "w"
          }
        }
        return n
      }
      END {
        gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, " ", text) # comments
        gsub(/\/\/[^\n]*/, " ", text)
        while (match(text, /struct shell_cmd [A-Za-z_0-9]+ *(\[[^]]*\])? *= *\{/)) {
          body = "{" substr(text, RSTART + RLENGTH)
          end = index(body, "};")
          text = substr(body, end + 2)
          n = tokens(substr(body, 1, end))
          for (i = 1; i <= n; i++) {
            name = ""; usage = ""
            if (tok[i] == "{" && kind[i + 1] == "s") { # positional
              name = tok[i + 1]
              if (tok[i + 2] == "," && kind[i + 3] == "s") usage = tok[i + 3]
            } else if (tok[i] == ".name" && tok[i + 1] == "=" && kind[i + 2] == "s") {
              name = tok[i + 2]
              for (j = i; j <= n && tok[j] != "}"; j++)
                if (tok[j] == ".usage" && kind[j + 2] == "s") usage = tok[j + 2]
            }
            if (name != "") printf "%s\037%s\037%s\n", name, usage, file
          }
        }
      }' "$f"
  done < <(kernel_sources)
}

# The mdoc source of section TITLE (.Sh TITLE up to the next .Sh).
section() { awk -v t=".Sh $1" '$0 == t { on = 1; next } /^\.Sh / { on = 0 } on' "$man"; }

# --- manual-lint
if [ ! -f "$man" ]; then
  problem "$man is missing"
elif ! command -v mandoc >/dev/null; then
  problem "mandoc is not installed (tools/deps.sh installs it)"
else
  lint=$(mandoc -T lint -W warning "$man" 2>&1)
  [ -z "$lint" ] || while IFS= read -r l; do problem "$l"; done <<<"$lint"
  if command -v man >/dev/null; then
    out=$(MANPAGER=cat MANWIDTH=80 man -l "$man" 2>&1 >/dev/null)
    [ -z "$out" ] || problem "man -l $man: $out"
  fi
fi
result manual-lint

# --- manual-cmdline
words=$(cmdline_words)
[ -n "$words" ] || problem "no cmdline_has/cmdline_get calls found in the sources (the extraction is broken)"
cl=$(section 'KERNEL COMMAND LINE')
[ -n "$cl" ] || problem "$man has no section KERNEL COMMAND LINE"
entries=$(grep -E '^\.It Cm ' <<<"$cl" | awk '{ print $3 }' | sort -u)
while read -r how w f; do
  [ -n "$how" ] || continue
  if [ "$how" = has ]; then
    grep -qxF -- "$w" <<<"$entries" || problem "the word '$w' ($f) has no '.It Cm $w' in KERNEL COMMAND LINE"
  else
    grep -qE -- "^\.It Cm $w( Ns )?=" <<<"$cl" ||
      problem "'$w=' ($f) has no '.It Cm $w Ns = Ns ...' in KERNEL COMMAND LINE"
  fi
done <<<"$words"
known=$(awk '{ print $2 }' <<<"$words" | sort -u)
while read -r e; do
  [ -n "$e" ] || continue
  grep -qxF -- "$e" <<<"$known" ||
    problem "KERNEL COMMAND LINE documents '$e', which the kernel does not parse"
done <<<"$entries"
result manual-cmdline

# --- manual-commands
cmds=$(shell_commands)
[ -n "$cmds" ] || problem "no struct shell_cmd tables found in the sources (the extraction is broken)"
sc=$(section 'SHELL COMMANDS')
[ -n "$sc" ] || problem "$man has no section SHELL COMMANDS"
while IFS=$'\037' read -r name usage f; do
  [ -n "$name" ] || continue
  its=$(grep -E -- "^\.It Ic $name( |$)" <<<"$sc")
  if [ -z "$its" ]; then
    problem "the command '$name' ($f) has no '.It Ic $name' in SHELL COMMANDS"
    continue
  fi
  # The literal (lower-case) words of its usage, e.g. "list", "seq", "on".
  for w in $(tr '|[]' '   ' <<<"$usage"); do
    [[ $w =~ ^[a-z][a-z0-9-]*$ ]] || continue
    grep -qwF -- "$w" <<<"$its" || problem "'$name $w' ($f, usage '$usage') is in no '.It Ic $name' entry"
  done
done <<<"$cmds"
names=$(cut -d $'\037' -f1 <<<"$cmds" | sort -u)
while read -r e; do
  [ -n "$e" ] || continue
  grep -qxF -- "$e" <<<"$names" || problem "SHELL COMMANDS documents '$e', which is no shell command"
done < <(grep -E '^\.It Ic ' <<<"$sc" | awk '{ print $3 }' | sort -u)
result manual-commands

# --- bench-report
sample=tests/doc/bench-sample.log
out=$(mktemp -d)
if ! tools/bench/report.sh "$sample" "$out/report.html" >"$out/log" 2>&1; then
  problem "tools/bench/report.sh $sample failed: $(tail -n 1 "$out/log")"
else
  html=$(cat "$out/report.html")
  # One chart per group, each with its figures, the ratio and the goal,
  # worked out here by hand from the sample's figures.
  for chart in boot-and-memory save-restore balloon evtchn blk net; do
    grep -qF "<svg id=\"chart-$chart\"" <<<"$html" || problem "no chart '$chart' in the report"
  done
  while IFS='|' read -r metric want; do
    [ -n "$metric" ] || continue
    # The panel of METRIC: from its <g id> to the next </g>.
    panel=$(awk -v id="<g id=\"m-$metric\"" 'index($0, id) { on = 1 } on { print } on && /<\/g>/ { exit }' <<<"$html")
    [ -n "$panel" ] || { problem "no panel for $metric in the report"; continue; }
    IFS=';' read -ra parts <<<"$want"
    for p in "${parts[@]}"; do
      grep -qF -- "$p" <<<"$panel" || problem "$metric's panel lacks '$p'"
    done
  done <<'EOF'
boot_wall_ms|4434 ms;18099 ms;4.08x;goal 20x: not met
boot_guest_ms|98 ms;10227 ms;104x
min_memory_mib|1 MiB;96 MiB;96x;goal 16x: met
saverestore_ms|3964 ms;4028 ms;1.02x;goal 5x: not met
downtime_ms|3557 ms;no Linux figure
balloon_down_ms|420 ms;1743 ms;4.15x;goal 2x: met
balloon_up_ms|194 ms;923 ms;4.76x;goal 2x: met
evtchn_rtt_us|592 us;4135 us;6.98x;goal 1x: met
blk_seqread64k_kibs|65927 KiB/s;17266 KiB/s;3.82x;goal 1.2x: met
blk_randread4k_qd32_iops|49436 IOPS;394 IOPS;125x;goal 1.2x: met
net_ping_rtt_us|3567 us;4943 us;1.39x;goal 1.2x: met
net_udp1472_kbs|890 KB/s;344 KB/s;2.59x;goal 1.2x: met
net_tcp_1m_ms|312 ms;305 ms;0.98x;goal 1x: not met
EOF
fi
rm -rf "$out"
result bench-report

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
