#!/bin/bash
# shellcheck disable=SC2317 # functions run from traps
# Dom0 side of run.sh (copied into the job directory as job.sh; Dom0's
# init runs it with its streams on the job console): creates the guest
# "domu" and connects its console to the job console.
#   RUN_INTERACTIVE=1  `xl console` on the job console (the user's terminal)
#   otherwise          prints domu's console log until the domain ends or
#                      DOMU_RUN_DEADLINE expires; types the lines of
#                      /mnt/host/stdin into the console once a line matching
#                      DOMU_READY_REGEX has appeared.
# Writes the run's exit status to out/run-rc.
set -uo pipefail
J=/mnt/host
set -a
# shellcheck source=/dev/null
. "$J/job.env"
set +a
export TESTHOST_QUIET=1 TESTHOST_WORK=/run/testhost/work
export TESTHOST_REASON_FILE=$TESTHOST_WORK/reason
mkdir -p "$TESTHOST_WORK"
cp "$J/kernel/domu" /run/testhost/domu
export DOMU_KERNEL=/run/testhost/domu
# shellcheck source=tests/xen/lib.sh
. "$J/lib.sh"
trap - ERR # lib.sh's reason-for-a-scenario trap: not wanted here

# Xen's log and Dom0's messages: what to look at when the run failed.
diagnostics() {
  echo "--- xl dmesg (last 60 lines)"
  timeout 30 xl dmesg 2>&1 | tail -n 60
  echo "--- Dom0 kernel messages (last 20 lines)"
  dmesg 2>&1 | tail -n 20
  echo "--- /var/log/xen/xl-domu.log (last 10 lines)"
  tail -n 10 /var/log/xen/xl-domu.log 2>&1
}

rc=1
finish() {
  if [ "$rc" != 0 ]; then
    [ ! -s "$TESTHOST_REASON_FILE" ] || echo "testhost: $(cat "$TESTHOST_REASON_FILE")"
    diagnostics
  fi
  _testhost_cleanup
  echo "$rc" >"$J/out/run-rc"
}
trap finish EXIT

esc=${DOMU_CMDLINE//\\/\\\\}
esc=${esc//\"/\\\"}
cfg=("extra = \"$esc\"" "memory = $DOMU_MEMORY" 'on_crash = "destroy"' 'on_poweroff = "destroy"')
# A scratch disk (a file in Dom0, blkback) so that `blk list` shows xvda.
if [ "${DOMU_DISK_MIB:-64}" != 0 ]; then
  mkdir -p /run/testhost/work
  truncate -s "${DOMU_DISK_MIB:-64}M" /run/testhost/work/scratch.img
  cfg+=("disk = ['/run/testhost/work/scratch.img,raw,xvda,rw']")
fi
# A NIC on Dom0's bridge (Dom0 is 10.0.0.1) with an address.
[ "${DOMU_NET:-1}" = 0 ] || cfg+=("vif = ['bridge=xenbr0,ip=10.0.0.2']")
up=$(sed 's/ jobtty=.*//; s/dom0_uptime=//' "$J/out/host-up")

if [ "${RUN_INTERACTIVE:-0}" = 1 ]; then
  stty sane -echo 2>/dev/null
  echo "testhost: host up (Dom0 up after $up s); domu's console follows. Ctrl-] leaves it."
  # Created paused, started once the console client is attached: the
  # client flushes what arrived before it, so nothing of the boot is lost.
  XL_CREATE_ARGS=-p domu_create domu "${cfg[@]}"
  (
    for _ in $(seq 100); do
      pgrep -x xenconsole >/dev/null && break
      sleep 0.1
    done
    sleep 0.5
    xl unpause domu
  ) &
  xl console domu
  wait
  if domain_exists domu; then
    echo
    echo "testhost: left domu's console; destroying domu"
  fi
  rc=0
  exit 0
fi

stty raw -echo 2>/dev/null # the job console is a file: no CR before LF
echo "testhost: host up (Dom0 up after $up s); domu's console follows"
log=$(console_log domu)
rm -f "$log"
sleep infinity &
sentinel=$!
# The whole console as it grows, until the sentinel is gone.
tail -n +1 -F --pid="$sentinel" "$log" 2>/dev/null | stdbuf -o0 tr -d '\r' &
printer=$!
domu_create domu "${cfg[@]}"

if [ -s "$J/stdin" ]; then
  (
    export TESTHOST_REASON_FILE=$TESTHOST_WORK/feeder-reason
    if ! console_wait domu "$DOMU_READY_REGEX" "$DOMU_RUN_DEADLINE" >/dev/null 2>&1; then
      echo "testhost: no console line matched /$DOMU_READY_REGEX/; the lines from stdin were not typed"
      exit 0
    fi
    while IFS= read -r line || [ -n "$line" ]; do
      sleep "$DOMU_INPUT_DELAY"
      domain_exists domu || break
      console_send domu "$line"
    done <"$J/stdin"
  ) &
fi

t0=$(now_ms)
while domain_exists domu; do
  if [ "$(elapsed_ms "$t0")" -ge $((DOMU_RUN_DEADLINE * 1000)) ]; then
    sleep 1
    kill "$sentinel"
    wait "$printer"
    echo
    echo "testhost: domu still running after DOMU_RUN_DEADLINE=$DOMU_RUN_DEADLINE s; destroying it"
    exit 1
  fi
  sleep 0.3
done
sleep 1
kill "$sentinel"
wait "$printer"
reason=$(domain_shutdown_reason domu)
case $reason in
crash)
  echo "testhost: domu crashed"
  exit 1
  ;;
poweroff) rc=0 ;;
*)
  echo "testhost: domu ended ($reason)"
  rc=0
  ;;
esac
exit "$rc"
