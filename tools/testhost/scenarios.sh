#!/usr/bin/env bash
# Boots the Xen test host once and runs scenarios inside it:
#
#   tools/testhost/scenarios.sh KERNEL SCENARIO.sh...
#
# Each scenario (tests/xen/NN-name.sh) runs in Dom0 as a bash script with
# tests/xen/lib.sh sourced, under a deadline. For each one this prints its
# output, the guest consoles it produced and "PASS name" or "FAIL name:
# reason"; then one line "N passed, N failed". Exits non-zero if any failed
# or the host did not come up (then every scenario counts as failed).
#
# Environment:
#   DOMU_SCENARIOS_FILTER  run only scenarios whose name matches this glob,
#                          or contains it (e.g. "linux", "0[01]-*")
#   SCENARIO_TIMEOUT       default deadline of one scenario, s (300); a
#                          scenario may say "# timeout: N" in a line of its own
#   DOMU_TESTHOST_TIMEOUT  hard limit for the whole boot (default: derived)
#   DOMU_CONSOLE_LINES     console lines shown per guest (200)
# The job directory (logs, results) is build/testhost/scenarios/.
set -euo pipefail
# shellcheck source=tools/testhost/common.sh
. "$(dirname "$0")/common.sh"

[ $# -ge 2 ] || th_die "usage: $0 KERNEL SCENARIO.sh..."
kernel=$1
shift
[ -f "$kernel" ] || th_die "kernel $kernel not found"
per=${SCENARIO_TIMEOUT:-300}
case $per in '' | *[!0-9]*) th_die "SCENARIO_TIMEOUT must be a number of seconds" ;; esac

filter=${DOMU_SCENARIOS_FILTER:-}
selected=()
total_limit=0
for s in "$@"; do
  [ -f "$s" ] || th_die "scenario $s not found"
  n=$(basename "$s" .sh)
  [ "$n" != lib ] || continue # the scenario API, not a scenario
  if [ -n "$filter" ]; then
    # shellcheck disable=SC2053 # a glob on purpose
    [[ $n == $filter || $n == *"$filter"* ]] || continue
  fi
  selected+=("$s")
  t=$(grep -m 1 -oE '^# *timeout: *[0-9]+' "$s" | grep -oE '[0-9]+$' || true)
  total_limit=$((total_limit + ${t:-$per} + 30))
done
if [ ${#selected[@]} -eq 0 ]; then
  echo "scenarios: no scenario matches DOMU_SCENARIOS_FILTER='$filter'"
  echo "0 passed, 0 failed"
  exit 1
fi

host=$("$TESTHOST_DIR/build.sh")
job=$(th_new_jobdir scenarios)
mkdir -p "$job/kernel" "$job/linux" "$job/scenarios"
cp "$kernel" "$job/kernel/domu"
cp "$host/vmlinuz" "$job/linux/vmlinuz"
cp "$host/linux-guest-initramfs.gz" "$job/linux/initrd.gz"
cp "$REPO_ROOT/tests/xen/lib.sh" "$job/lib.sh"
cp "$TESTHOST_DIR/job-scenarios.sh" "$job/job.sh"
# Dom0 tools built by make (build/dom0-tools), if any.
[ ! -d "$REPO_ROOT/build/dom0-tools" ] || cp -r "$REPO_ROOT/build/dom0-tools" "$job/dom0-tools"
# Helper files: a "files" folder beside the (first) scenario.
files=$(dirname "${selected[0]}")/files
[ ! -d "$files" ] || cp -r "$files" "$job/files"
# The example configurations, for the scenario that boots them as shipped.
[ ! -d "$REPO_ROOT/examples" ] || cp -r "$REPO_ROOT/examples" "$job/examples"
names=()
for s in "${selected[@]}"; do
  n=$(basename "$s" .sh)
  cp "$s" "$job/scenarios/$n.sh"
  echo "$n" >>"$job/scenarios/order"
  names+=("$n")
done
{
  th_env_line SCENARIO_TIMEOUT "$per"
  th_env_line DOMU_CONSOLE_LINES "${DOMU_CONSOLE_LINES:-200}"
  th_env_line DOMU_MEMORY "${DOMU_MEMORY:-64}"
} >"$job/job.env"

export DOMU_TESTHOST_TIMEOUT=${DOMU_TESTHOST_TIMEOUT:-$((300 + total_limit))}
th_log "booting the test host for ${#selected[@]} scenario(s): ${names[*]} (job dir $job)"
t0=$(th_now)
rc=0
"$TESTHOST_DIR/boot.sh" "$job" || rc=$?

# shellcheck source=/dev/null
. <(grep -E '^[a-z_]+=[0-9.]+$' "$job/boot-info" 2>/dev/null)
up_wall=${host_up_wall:-}
passed=0
failed=0
why=
if [ -f "$job/out/host-failed" ]; then
  why="the test host did not come up: $(head -n 1 "$job/out/host-failed")"
elif [ ! -f "$job/out/host-up" ]; then
  if [ "$rc" = 124 ]; then
    why="the test host did not come up within DOMU_TESTHOST_TIMEOUT=$DOMU_TESTHOST_TIMEOUT s"
  else
    why="the test host did not come up (QEMU status $rc)"
  fi
fi
if [ -n "$why" ]; then
  echo "--- $why; last lines of its serial console ($job/serial.log):"
  tail -n 40 "$job/serial.log" 2>/dev/null | tr -d '\r' | awk '{ print "  | " $0 }'
fi
for n in "${names[@]}"; do
  r=$job/out/results/$n/result
  if [ -f "$r" ]; then
    case $(head -n 1 "$r") in
    "PASS $n") passed=$((passed + 1)) ;;
    *) failed=$((failed + 1)) ;;
    esac
  else
    if [ -z "$why" ]; then
      if [ "$rc" = 124 ]; then
        why="the test host ran out of time (DOMU_TESTHOST_TIMEOUT=$DOMU_TESTHOST_TIMEOUT s)"
      else
        why="the test host stopped before this scenario finished (QEMU status $rc)"
      fi
      echo "--- $why; last lines of its serial console ($job/serial.log):"
      tail -n 40 "$job/serial.log" 2>/dev/null | tr -d '\r' | awk '{ print "  | " $0 }'
    fi
    echo "FAIL $n: $why"
    failed=$((failed + 1))
  fi
done
echo
th_log "boot to Dom0 ready: ${up_wall:-?} s; whole run: $(th_since "$t0") s; logs in $job"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
