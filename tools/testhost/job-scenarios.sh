#!/bin/bash
# Dom0 side of scenarios.sh (copied into the job directory as job.sh and
# run by Dom0's init with its output on the job console): runs each
# scenario of scenarios/order under its deadline, prints its output, the
# guest consoles it produced and a PASS/FAIL line, and keeps everything in
# out/results/NAME/ (result, output.log, console-*.log, xl-dmesg.log).
set -uo pipefail
J=/mnt/host
set -a # everything in job.env reaches the scenarios
# shellcheck source=/dev/null
. "$J/job.env"
set +a
stty raw -echo 2>/dev/null # the job console is a file: no CR before LF

echo "testhost: host up ($(cat "$J/out/host-up"))"
mkdir -p /run/testhost/work
# Kernels in Dom0's memory: the toolstack reads them from there.
cp "$J/kernel/domu" /run/testhost/domu
cp "$J/linux/vmlinuz" /run/testhost/linux-vmlinuz
cp "$J/linux/initrd.gz" /run/testhost/linux-initrd.gz
export DOMU_KERNEL=/run/testhost/domu
export LINUX_KERNEL=/run/testhost/linux-vmlinuz
export LINUX_INITRD=/run/testhost/linux-initrd.gz
[ -d "$J/files" ] && export TESTHOST_FILES=$J/files
if [ -d "$J/dom0-tools" ]; then
  mkdir -p /run/testhost/dom0-tools && cp "$J"/dom0-tools/* /run/testhost/dom0-tools/ && chmod +x /run/testhost/dom0-tools/*
  export DOM0_TOOLS=/run/testhost/dom0-tools
fi

max_lines=${DOMU_CONSOLE_LINES:-200}

while read -r name; do
  script=$J/scenarios/$name.sh
  res=$J/out/results/$name
  work=/run/testhost/work/$name
  mkdir -p "$res" "$work"
  # A scenario may set its own deadline with a line "# timeout: SECONDS".
  limit=$(grep -m 1 -oE '^# *timeout: *[0-9]+' "$script" | grep -oE '[0-9]+$' || true)
  limit=${limit:-$SCENARIO_TIMEOUT}
  # The emulated host now and then ends a guest vCPU in a triple fault
  # right after an instruction that traps to Xen (seen with domu and with
  # the Linux guest; see README, "The Xen test host"). A scenario that
  # fails while such a fault is in Xen's log runs once more, and says so.
  for attempt in 1 2; do
  mkdir -p "$work"
  rm -f "$res/reason"
  timeout 30 xl dmesg -c >/dev/null 2>&1 || true
  echo
  if [ "$attempt" = 1 ]; then
    echo "=== $name (deadline $limit s)"
  else
    echo "=== $name (deadline $limit s, second attempt)"
  fi
  t0=$(date +%s%N)
  # shellcheck disable=SC2016 # expanded by the inner bash
  TESTHOST_WORK=$work TESTHOST_REASON_FILE=$work/reason \
    timeout -k 10 "$limit" bash -c 'set -Eeuo pipefail; . "$1"; cd "$3"; . "$2"' \
    "$name" "$J/lib.sh" "$script" "$work" </dev/null 2>&1 |
    tee "$res/output.log" | sed -u 's/^/  /'
  rc=${PIPESTATUS[0]}
  [ -z "$(tail -c 1 "$res/output.log")" ] || echo # end a last line left open
  ms=$((($(date +%s%N) - t0) / 1000000))
  secs=$(printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)))

  # Nothing a scenario left behind may disturb the next one.
  for d in $(timeout 30 xl list 2>/dev/null | awk 'NR > 2 { print $1 }'); do
    echo "  (runner: destroying leftover domain $d)"
    timeout 60 xl destroy "$d" >/dev/null 2>&1 || echo "  (runner: xl destroy $d failed)"
  done

  # Its scratch files (disk images, save files) live in Dom0's memory:
  # gone, so that the scenarios after it have room.
  if [ -f "$work/reason" ]; then cp "$work/reason" "$res/reason"; fi
  rm -rf "$work"
  modprobe -r brd 2>/dev/null || true # a RAM disk one of them made

  # The consoles of the guests it ran: every log xenconsoled wrote since
  # the last scenario (moved away, so the next one starts with none).
  for log in /var/log/xen/console/guest-*.log; do
    [ -f "$log" ] || continue
    n=${log##*/guest-}
    n=${n%.log}
    tr -d '\r' <"$log" >"$res/console-$n.log"
    rm -f "$log"
    cp "/var/log/xen/xl-$n.log" "$res/xl-$n.log" 2>/dev/null || true
    total=$(wc -l <"$res/console-$n.log")
    if [ "$total" -gt "$max_lines" ]; then
      echo "--- console of $n (last $max_lines of $total lines; all in out/results/$name/console-$n.log)"
    else
      echo "--- console of $n ($total lines)"
    fi
    tail -n "$max_lines" "$res/console-$n.log" | awk '{ print "  | " $0 }'
  done

  if [ "$rc" = 0 ]; then
    result="PASS $name"
  else
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
      reason="timed out after $limit s"
      [ -s "$res/reason" ] && reason="$reason ($(head -n 1 "$res/reason"))"
    elif [ -s "$res/reason" ]; then
      reason=$(head -n 1 "$res/reason")
    else
      reason="exited with status $rc: $(tail -n 1 "$res/output.log")"
    fi
    result="FAIL $name: $reason"
    timeout 30 xl dmesg >"$res/xl-dmesg.log" 2>&1
    echo "--- xl dmesg (last 40 lines)"
    tail -n 40 "$res/xl-dmesg.log" | awk '{ print "  | " $0 }'
    triple=$(grep -oE 'd[0-9]+v[0-9]+ Triple fault' "$res/xl-dmesg.log" | head -n 1 || true)
    if [ "$attempt" = 1 ] && [ -n "$triple" ]; then
      echo "first attempt failed: $name: $reason ($secs s)"
      echo "  (runner: $triple during this attempt: the emulated host's artefact; running $name once more)"
      # The faulted guest was rebooting: stop xl's restart monitors, then
      # make sure nothing is left before the second attempt.
      pkill -f '^xl create' 2>/dev/null || true
      sleep 1
      for d in $(timeout 30 xl list 2>/dev/null | awk 'NR > 2 { print $1 }'); do
        timeout 60 xl destroy "$d" >/dev/null 2>&1 || echo "  (runner: xl destroy $d failed)"
      done
      echo "first attempt: $result; $triple" >"$res/retried"
      cp "$res/xl-dmesg.log" "$res/xl-dmesg-attempt1.log"
      continue
    fi
  fi
  break
  done
  echo "$result" >"$res/result"
  echo "seconds=$secs" >"$res/time"
  echo "$result ($secs s)"
done <"$J/scenarios/order"
echo
echo "testhost: all scenarios ran"
