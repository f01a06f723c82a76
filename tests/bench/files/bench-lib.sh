# Shared by the benchmark scenarios (sourced after tests/xen/lib.sh).

# wait_line NAME REGEX LIMIT_S: polls the console every 20 ms (finer than
# console_wait) and prints the matching line; returns 1 at the deadline.
wait_line() {
  local f end line
  f=$(console_log "$1")
  end=$(($(now_ms) + $3 * 1000))
  while [ "$(now_ms)" -lt "$end" ]; do
    if [ -f "$f" ] && line=$(tr -d '\r' <"$f" | grep -E -m 1 -- "$2"); then
      printf '%s\n' "$line"
      return 0
    fi
    sleep 0.02
  done
  return 1
}

# median of the arguments (integers)
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# bench METRIC WHO VALUE UNIT: one figure for tools/bench/bench.sh.
bench() { echo "BENCH $1 $2 $3 $4"; }

# try_create NAME CFGFILE: xl create without failing the scenario.
try_create() {
  rm -f "$(console_log "$1")"
  _created+=("$1")
  timeout 120 xl create "$2" >"$TESTHOST_WORK/$1.create.log" 2>&1
}
