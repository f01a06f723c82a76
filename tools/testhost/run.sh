#!/usr/bin/env bash
# The job behind `make run`: boots the Xen test host and runs KERNEL in it
# as the PVH guest "domu", on its console.
#
#   tools/testhost/run.sh KERNEL
#
# stdin a terminal: interactive. Your keystrokes go to domu's console;
#   Ctrl-] leaves it (domu is destroyed). When the domain ends, the host
#   powers off and this returns.
# otherwise: prints domu's console until the domain ends (or the deadline
#   passes); the lines read from stdin are typed into the console, one at a
#   time, once a line matching DOMU_READY_REGEX has appeared:
#     printf 'info\npoweroff\n' | make run
#   Exit status 0 when domu powered off (or otherwise ended) in time.
#
# Environment:
#   DOMU_CMDLINE        domu's command line (xl "extra"), default empty
#   DOMU_MEMORY         domu's memory in MiB (64)
#   DOMU_DISK_MIB       size of the scratch disk xvda (a file in Dom0), 0 for none (64)
#   DOMU_NET            0: no NIC (default: one on Dom0's bridge, 10.0.0.2)
#   DOMU_RUN_DEADLINE   non-interactive: seconds from create to gone (120)
#   DOMU_READY_REGEX    when to start typing (default 'domu: ready')
#   DOMU_INPUT_DELAY    pause before each typed line, s (0.5)
#   DOMU_TESTHOST_TIMEOUT  hard limit for the whole boot, s
# The job directory (serial log, job console log) is build/testhost/run/.
set -euo pipefail
# shellcheck source=tools/testhost/common.sh
. "$(dirname "$0")/common.sh"

[ $# -eq 1 ] || th_die "usage: $0 KERNEL"
kernel=$1
[ -f "$kernel" ] || th_die "kernel $kernel not found"
deadline=${DOMU_RUN_DEADLINE:-120}
case $deadline in '' | *[!0-9]*) th_die "DOMU_RUN_DEADLINE must be a number of seconds" ;; esac
interactive=0
[ ! -t 0 ] || interactive=1

# What is about to happen, and roughly how long it takes, before it starts.
cached=$("$TESTHOST_DIR/build.sh" --dir)
th_log "make run: domu as a PVH guest on Xen 4.17 in QEMU (software emulation)"
if [ -f "$cached/complete" ]; then
  th_log "  1. the test host: already built ($cached)"
else
  th_log "  1. build the test host (first run only: about 2 minutes, more if packages"
  th_log "     must be downloaded; cached in $(dirname "$cached"))"
fi
th_log "  2. boot it: Xen, then Dom0 (about 20 s on an idle 2-core machine, more on a busy one)"
devs="${DOMU_MEMORY:-64} MiB"
[ "${DOMU_DISK_MIB:-64}" = 0 ] || devs="$devs, disk xvda of ${DOMU_DISK_MIB:-64} MiB"
[ "${DOMU_NET:-1}" = 0 ] || devs="$devs, NIC 10.0.0.2 on Dom0's bridge"
th_log "  3. xl create domu ($devs): ready a few seconds later"
if [ "$interactive" = 1 ]; then
  th_log "  then you are on domu's console; Ctrl-] leaves it and ends the run"
else
  th_log "  then domu's console until the domain ends (at most $deadline s)"
fi

host=$("$TESTHOST_DIR/build.sh")
[ -n "$host" ]
job=$(th_new_jobdir run)
mkdir -p "$job/kernel"
cp "$kernel" "$job/kernel/domu"
cp "$REPO_ROOT/tests/xen/lib.sh" "$job/lib.sh"
cp "$TESTHOST_DIR/job-run.sh" "$job/job.sh"
{
  th_env_line RUN_INTERACTIVE "$interactive"
  th_env_line DOMU_CMDLINE "${DOMU_CMDLINE:-}"
  th_env_line DOMU_MEMORY "${DOMU_MEMORY:-64}"
  th_env_line DOMU_DISK_MIB "${DOMU_DISK_MIB:-64}"
  th_env_line DOMU_NET "${DOMU_NET:-1}"
  th_env_line DOMU_RUN_DEADLINE "$deadline"
  th_env_line DOMU_READY_REGEX "${DOMU_READY_REGEX:-domu: ready}"
  th_env_line DOMU_INPUT_DELAY "${DOMU_INPUT_DELAY:-0.5}"
} >"$job/job.env"

boot_args=()
if [ "$interactive" = 1 ]; then
  boot_args+=(--interactive)
  export DOMU_TESTHOST_TIMEOUT=${DOMU_TESTHOST_TIMEOUT:-3600}
  th_log "booting the Xen test host; domu's console follows (Ctrl-] leaves it)"
else
  # The lines to type; a stdin that never ends is read for 10 s at most.
  timeout 10 cat >"$job/stdin" 2>/dev/null || true
  export DOMU_TESTHOST_TIMEOUT=${DOMU_TESTHOST_TIMEOUT:-$((deadline + 300))}
  th_log "booting the Xen test host (job dir $job)"
fi

boot_rc=0
"$TESTHOST_DIR/boot.sh" "${boot_args[@]}" "$job" || boot_rc=$?

if [ -f "$job/out/host-failed" ] || [ ! -f "$job/out/host-up" ]; then
  if [ -f "$job/out/host-failed" ]; then
    th_log "the test host did not come up: $(head -n 1 "$job/out/host-failed")"
  else
    th_log "the test host did not come up (status $boot_rc)"
  fi
  th_log "last lines of its serial console ($job/serial.log):"
  tail -n 40 "$job/serial.log" 2>/dev/null | tr -d '\r' | awk '{ print "  | " $0 }' >&2
  exit 1
fi
if [ ! -f "$job/out/run-rc" ]; then
  th_log "the test host stopped before domu ended (status $boot_rc); serial log: $job/serial.log"
  tail -n 20 "$job/serial.log" 2>/dev/null | tr -d '\r' | awk '{ print "  | " $0 }' >&2
  exit 1
fi
rc=$(cat "$job/out/run-rc")
[ "$rc" = 0 ] || th_log "run failed (status $rc); logs in $job"
exit "$rc"
