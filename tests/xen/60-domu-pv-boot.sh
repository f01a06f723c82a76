#!/usr/bin/env bash
# The same build/domu boots as a 64-bit PV guest (type = "pv"): its shell
# answers on the PV console, XenStore reads and writes meet Dom0's, the
# timer VIRQ drives one-shot timers and sleeping threads, and `xl
# shutdown` powers it off; a fault is reported through the PV trap table
# (cr2 from vcpu_info) and ends the domain as crashed. No disk or NIC: grants are not done on PV yet.
# Run inside Dom0 by tools/testhost/scenarios.sh, with tests/xen/lib.sh sourced.
# timeout: 180

DOMU_TYPE=pv
domu_create domu
line=$(console_wait domu 'domu: ready in [0-9]+ ms' 60)
note "ready line: $line"
console_wait domu 'pv: [0-9]+ pages, p2m at ' 5 >/dev/null
console_wait domu '^domu> ' 30 >/dev/null
id=$(domid domu)
expect_match "$(xl list -l domu | grep -m1 '"type"')" '"pv"' "the domain's type as xl sees it"

out=$(shell_ok domu info)
expect_match "$out" 'domu 0\.1 \(PV\) on Xen 4\.17' "info's banner"
expect_match "$out" "domain +$id 'domu'" "info's domain line"

# Event channels: the timer VIRQ, the console's and XenStore's ports bound.
out=$(shell_ok domu evtchn)
expect_match "$out" 'virq +0 +[0-9]+ .* timer' "evtchn: VIRQ_TIMER bound"
expect_match "$out" 'xenstore' "evtchn: the XenStore port"
expect_match "$out" 'console' "evtchn: the console port"

# XenStore both ways.
shell_ok domu 'xs write data/probe hello-from-pv' >/dev/null
expect_eq "$(xs_read "/local/domain/$id/data/probe")" hello-from-pv "data/probe as Dom0 reads it"
xenstore-write "/local/domain/$id/data/fromdom0" 4242
out=$(shell_ok domu 'xs read data/fromdom0')
expect_match "$out" '4242' "xs read of what Dom0 wrote"

# The timer: a one-shot fires no earlier than asked; a ticker thread
# sleeping 100 ms at a time counts while the vCPU blocks in between.
mark=$(console_mark domu)
shell_ok domu 'timer 700' >/dev/null
fired=$(console_wait domu 'timer: 700 ms timer fired after [0-9]+ ms' 15 "$mark")
after=$(sed -E 's/.*fired after ([0-9]+) ms.*/\1/' <<<"$fired")
[ "$after" -ge 700 ] || fail "the 700 ms timer fired after $after ms"
note "one-shot timer: asked 700 ms, fired after $after ms"
shell_ok domu 'ticker start 100' >/dev/null
sleep 2
t1=$(shell_ok domu ticker | sed -nE 's/^ticker: ([0-9]+) ticks.*/\1/p')
sleep 2
t2=$(shell_ok domu ticker | sed -nE 's/^ticker: ([0-9]+) ticks.*/\1/p')
[ -n "$t1" ] && [ -n "$t2" ] || fail "no ticker count ('$t1', '$t2')"
[ "$t2" -gt "$t1" ] || fail "the ticker did not advance ($t1 then $t2)"
note "ticker: $t1 then $t2 ticks 2 s apart"
# ... and those wake-ups came as VIRQ_TIMER events.
timer_events=$(shell_ok domu evtchn | awk '$2 == "virq" && $NF == "timer" { print $4 }')
[ -n "$timer_events" ] && [ "$timer_events" -gt 10 ] || fail "VIRQ_TIMER events: '$timer_events'"
note "VIRQ_TIMER events so far: $timer_events"

# Idle means blocked: a quiet domu uses little CPU.
c1=$(domain_cpu_time domu)
sleep 3
c2=$(domain_cpu_time domu)
note "CPU time over 3 s idle (with a 100 ms ticker): $c1 -> $c2 s"
awk -v a="$c1" -v b="$c2" 'BEGIN { exit !(b - a < 1.5) }' || fail "domu used $c1 -> $c2 s of CPU in 3 s"

# xl shutdown reaches the control driver: the domain powers off and is gone.
xl shutdown domu
domain_wait_gone domu 60
expect_eq "$(domain_shutdown_reason domu)" poweroff "domu's shutdown reason"

# A write to address 0: the page fault comes through set_trap_table, cr2
# from vcpu_info, registers and a backtrace, then SHUTDOWN_crash.
domu_create pvcrash 'extra = "crash-test"' 'on_crash = "preserve"'
console_wait pvcrash 'fatal exception 14 \(page fault\)' 30 >/dev/null
console_wait pvcrash 'page fault address \(cr2\) 0x0: page not present on write' 5 >/dev/null
console_wait pvcrash '  #1 0x[0-9a-f]+' 5 >/dev/null
console_wait pvcrash 'ending the domain \(SHUTDOWN_crash\)' 5 >/dev/null
for _ in $(seq 1 50); do
  case $(domain_state pvcrash) in *c*) break ;; esac
  sleep 0.2
done
expect_match "$(domain_state pvcrash)" 'c' "xl list state of the crashed PV domu"
