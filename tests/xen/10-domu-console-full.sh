# Nobody reads the console (xenconsoled stopped): domu's output fills the
# ring, waits at most once (200 ms), then drops and counts; the kernel
# keeps running and answers XenStore requests. When a reader is back,
# domu says how much was lost.
domu_create domu 'memory = 64'
console_wait domu 'domu: ready in' 30 >/dev/null
id=$(domid domu)
pkill -x xenconsoled || fail "no xenconsoled to stop"
for _ in $(seq 1 50); do pgrep -x xenconsoled >/dev/null || break; sleep 0.1; done
# Each sysrq t prints the thread list; 40 of them overflow the 2 KiB ring.
t0=$(now_ms)
for i in $(seq 1 40); do xl sysrq domu t; done
# domu took every request: control/sysrq is cleared each time.
for _ in $(seq 1 100); do
  [ -z "$(xenstore-read "/local/domain/$id/control/sysrq" 2>/dev/null)" ] && break
  sleep 0.1
done
expect_eq "$(xenstore-read "/local/domain/$id/control/sysrq")" "" "control/sysrq after 40 requests"
note "40 sysrq requests taken in $(elapsed_ms "$t0") ms with nobody reading the console"
expect_match "$(domain_state domu)" '^[rb-]+$' "domu's state while its console is full"
# A reader again: output resumes and the loss is reported once.
xenconsoled --log=guest --log-dir=/var/log/xen/console || fail "cannot restart xenconsoled"
sleep 1
mark=$(console_mark domu)
xl sysrq domu m
console_wait domu 'console: nobody read the console; [0-9]+ bytes dropped' 15 >/dev/null
console_wait domu "sysrq: 'm'" 15 "$mark" >/dev/null
xl shutdown -w domu >/dev/null
domain_wait_gone domu 15
