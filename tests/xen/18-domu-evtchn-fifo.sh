# timeout: 420
# FIFO event channels (`evtchn=fifo`, opt-in for now): domu asks for FIFO
# at boot (EVTCHNOP_init_control)
# and every port it binds goes through it; 5000 unbound ports at once
# (beyond the 2-level ABI's 4096) grow the event array and are closed
# again; the selftest's loopback and IPI events arrive; after a save and
# restore FIFO is set up again in the new domain and all of it works
# again. Then without the word domu keeps the 2-level ABI (the default),
# whose selftest passes and which cannot go past 4096 ports.
domu_create domu 'memory = 64' 'max_event_channels = 8192' 'extra = "evtchn=fifo"'
console_wait domu "evtchn: FIFO ABI: vCPU 0's control block at gfn" 30 >/dev/null
console_wait domu 'domu: ready in' 30 >/dev/null

# fifo_listing WHAT: the ABI line says fifo, and the boot's own
# ports (XenStore's, at least) had their events delivered through it.
fifo_listing() {
  local out xs
  out=$(shell_ok domu evtchn)
  expect_match "$out" 'event channel ABI: fifo, up to 131072 ports: 1 control block, event array [0-9]+ pages' "evtchn listing $1"
  xs=$(awk '$NF == "xenstore" { print $4 }' <<<"$out")
  [ -n "$xs" ] && [ "$xs" -gt 0 ] || fail "$1: no XenStore events counted on FIFO ('$xs')"
  printf '%s\n' "$out"
}

# many_ok WHAT: 5000 ports at once, then closed, the bound count back.
many_ok() {
  local before out highest pages
  before=$(shell_ok domu evtchn | grep -oE '^ *[0-9]+ ports bound' | grep -oE '[0-9]+')
  [ -n "$before" ] || fail "$1: no bound count"
  out=$(shell_ok domu 'evtchn many 5000' 120)
  expect_match "$out" "evtchn many: 5000/5000 ports allocated \(fifo ABI\), highest port [0-9]+, [0-9]+ ms, $((before + 5000)) bound then, 0 closes failed, $before bound now" "evtchn many $1"
  highest=$(grep -oE 'highest port [0-9]+' <<<"$out" | grep -oE '[0-9]+')
  [ "$highest" -ge 5000 ] || fail "$1: highest port $highest, not beyond the 2-level limit"
  pages=$(shell_ok domu evtchn | grep -oE 'event array [0-9]+ pages' | grep -oE '[0-9]+')
  [ "$pages" -ge $(((highest + 1023) / 1024)) ] || fail "$1: event array of $pages pages for port $highest"
  note "$1: 5000 ports, highest $highest, event array $pages pages"
}

# selftest_ok NAME WHAT
selftest_ok() {
  local out
  out=$(shell_ok "$1" 'evtchn selftest 200' 60)
  expect_match "$out" 'interdomain [0-9]+->[0-9]+ 200/200, [0-9]+->[0-9]+ 200/200, ipi [0-9]+ 200/200$' "selftest $2"
  expect_match "$out" 'evtchn selftest: ok' "selftest $2"
}

fifo_listing "at boot" >/dev/null
many_ok "at boot"
selftest_ok domu "at boot"

mark=$(console_mark domu)
timeout 120 xl save domu "$TESTHOST_WORK/fifo.save" >"$TESTHOST_WORK/save.log" 2>&1 || { tail -5 "$TESTHOST_WORK/save.log"; fail "xl save failed"; }
timeout 120 xl restore "$TESTHOST_WORK/fifo.save" >"$TESTHOST_WORK/restore.log" 2>&1 || { tail -5 "$TESTHOST_WORK/restore.log"; fail "xl restore failed"; }
console_wait domu 'evtchn: FIFO ABI again after the restore' 30 "$mark" >/dev/null
console_wait domu 'domu: resumed \(new domain\)' 30 "$mark" >/dev/null
console_cmd domu 'xs read name' '^domu$' >/dev/null
fifo_listing "after the restore" >/dev/null
selftest_ok domu "after the restore"
many_ok "after the restore"

xl destroy domu
domain_wait_gone domu 30

domu_create d2l 'memory = 64' 'max_event_channels = 8192'
console_wait d2l 'evtchn: 2-level ABI \(the default; evtchn=fifo on the command line for FIFO\)' 30 >/dev/null
console_wait d2l 'domu: ready in' 30 >/dev/null
out=$(shell_ok d2l evtchn)
expect_match "$out" 'event channel ABI: 2level \(the default; evtchn=fifo for FIFO\), up to 4096 ports' "evtchn listing on 2level"
before=$(grep -oE '^ *[0-9]+ ports bound' <<<"$out" | grep -oE '[0-9]+')
selftest_ok d2l "on 2level"
# Not in a subshell: its status is wanted ($_shell_rc).
_shell_exec d2l 'evtchn many 5000' 120
out=$_shell_out
[ "$_shell_rc" != 0 ] || fail "evtchn many 5000 succeeded on 2level: $out"
got=$(grep -oE 'evtchn many: [0-9]+/5000 ports allocated \(2level ABI\)' <<<"$out" | grep -oE '[0-9]+' | head -1)
[ -n "$got" ] && [ "$got" -gt 1000 ] && [ "$got" -lt 4096 ] || fail "2level: evtchn many got '$got' ports: $out"
expect_match "$out" "0 closes failed, $before bound now" "2level: every port closed again"
note "2level: $got ports before the ABI's limit"
