#!/usr/bin/env bash
# The reference Linux PVH guest (Debian's kernel, a busybox initramfs)
# boots to its /init and powers itself off. This proves the test host
# end to end (xl, xenstored, xenconsoled, console logs) independently of
# domu: if this fails, no domu scenario result means anything.
# Run inside Dom0 by tools/testhost/scenarios.sh, with tests/xen/lib.sh sourced.
# timeout: 180

linux_create linux 'extra = "console=hvc0 quiet poweroff"'
console_wait linux 'linux-guest: init running' 120 >/dev/null
console_wait linux 'linux-guest: powering off' 30 >/dev/null
domain_wait_gone linux 60
expect_eq "$(domain_shutdown_reason linux)" poweroff "linux's shutdown reason"
