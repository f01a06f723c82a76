# A cancelled suspend (xl save -c checkpoints and lets the domain run on):
# the hypercall returns 1 and domu carries on in the same domain.
domu_create domu 'memory = 64'
console_wait domu 'domu: ready in' 30 >/dev/null
shell_run domu 'ticker start 100'
id=$(domid domu)
mark=$(console_mark domu)
timeout 120 xl save -c domu "$TESTHOST_WORK/checkpoint" >"$TESTHOST_WORK/save.log" 2>&1 ||
  { tail -5 "$TESTHOST_WORK/save.log"; fail "xl save -c failed"; }
console_wait domu 'domu: resumed \(suspend cancelled, same domain\)' 30 "$mark" >/dev/null
expect_eq "$(domid domu)" "$id" "domain id after the cancelled suspend"
t1=$(console_cmd domu ticker 'ticker: [0-9]+ ticks' | grep -oE '[0-9]+')
sleep 1
t2=$(console_cmd domu ticker 'ticker: [0-9]+ ticks' | grep -oE '[0-9]+')
[ "$t2" -gt "$t1" ] || fail "ticker stopped after the cancelled suspend ($t1, then $t2)"
console_cmd domu 'xs read name' '^domu$' >/dev/null
console_cmd domu info 'suspends 1 \(1 cancelled' >/dev/null
