#!/usr/bin/env bash
# domu boots as a PVH guest, prints its ready line, and powers itself off
# when its command line says so; the domain is then gone.
# Run inside Dom0 by tools/testhost/scenarios.sh, with tests/xen/lib.sh sourced.
# timeout: 120

domu_create domu 'extra = "poweroff"'
line=$(console_wait domu 'domu: ready in [0-9]+ ms' 60)
note "ready line: $line"
domain_wait_gone domu 60
expect_eq "$(domain_shutdown_reason domu)" poweroff "domu's shutdown reason"
