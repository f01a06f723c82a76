# The runner runs a scenario a second time when it failed while a guest
# triple-faulted (the emulated host's artefact, see README): this one
# makes such a fault on purpose in its first attempt (crash-test=triple:
# domu drops its IDT and traps; on_reboot restarts it, as after a real
# one, so the runner must stop that too) and fails; the second passes.
# A plain failure is not retried (checked by hand: it needs a failing run).
m=/run/testhost/runner-retry-attempted
if [ ! -e "$m" ]; then
  touch "$m"
  domu_create t 'extra = "crash-test=triple"' 'on_reboot = "restart"'
  for _ in $(seq 1 100); do
    xl dmesg | grep -q 'Triple fault' && break
    sleep 0.1
  done
  xl dmesg | grep -q 'Triple fault' || fail "crash-test=triple made no triple fault"
  fail "first attempt: failing on purpose after a triple fault"
fi
rm -f "$m"
note "second attempt after the triple fault"
