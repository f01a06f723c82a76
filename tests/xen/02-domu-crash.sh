# crash-test faults on purpose (a write to address 0): domu prints the
# exception, the registers and a backtrace, and ends the domain as crashed.
domu_create domu 'memory = 64' 'extra = "crash-test"' 'on_crash = "preserve"'
console_wait domu 'fatal exception 14 \(page fault\)' 30 >/dev/null
console_wait domu 'page fault address \(cr2\) 0x0: page not present on write' 5 >/dev/null
console_wait domu 'rip [0-9a-f]{16}  rsp [0-9a-f]{16}' 5 >/dev/null
console_wait domu '  #1 0x[0-9a-f]+' 5 >/dev/null
console_wait domu 'ending the domain \(SHUTDOWN_crash\)' 5 >/dev/null
# on_crash = "preserve" keeps it, so xl can say how it ended.
for _ in $(seq 1 50); do
  case $(domain_state domu) in *c*) break ;; esac
  sleep 0.2
done
expect_match "$(domain_state domu)" 'c' "xl list state of the crashed domu"

# crash-test=stack faults with the stack pointer on an unmapped page: the
# page fault cannot be delivered, and the double fault, taken on a stack of
# its own (the TSS's interrupt stack table), is reported, not a triple fault.
domu_create dfault 'memory = 64' 'extra = "crash-test=stack"' 'on_crash = "preserve"'
console_wait dfault 'fatal exception 8 \(double fault\)' 30 >/dev/null
console_wait dfault 'rsp 0000000000001000' 5 >/dev/null
console_wait dfault 'ending the domain \(SHUTDOWN_crash\)' 5 >/dev/null
dmesg=$(xl dmesg) || fail "xl dmesg failed"
expect_match "$dmesg" '\(XEN\)' "xl dmesg output"
expect_no_match "$dmesg" "d$(domid dfault)v0 Triple fault" "Xen's log (a triple fault instead of a reported double fault)"
