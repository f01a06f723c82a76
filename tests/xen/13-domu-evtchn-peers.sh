# timeout: 600
# Event channels between domains through the evtchn user-port API: two
# domu guests rendezvous through XenStore (one offers a port and publishes
# it readable by the other, the other binds) and ping-pong; unbind and bind
# again; a port closed by the peer is noticed; a VIRQ bound from the shell;
# domu with Dom0 running libxenevtchn (tools/dom0/evtchn-peer) both ways;
# the bindings are made again after a save/restore.
[ -x "${DOM0_TOOLS:-}/evtchn-peer" ] || fail "the Dom0 tool evtchn-peer is missing (make builds it into build/dom0-tools)"
domu_create eva 'memory = 64' # xl restore needs >= 48 MiB for PVH
domu_create evb 'memory = 32'
console_wait eva 'domu: ready in' 30 >/dev/null
console_wait evb 'domu: ready in' 30 >/dev/null
A=$(domid eva)
B=$(domid evb)

out=$(shell_run eva "evtchn serve $B")
[[ $out =~ serving\ domain\ $B\ on\ port\ ([0-9]+),\ published\ at\ data/evtchn/$B$ ]] || fail "serve: $out"
PA=${BASH_REMATCH[1]}
expect_eq "$(xs_read "/local/domain/$A/data/evtchn/$B")" "$PA" "published port"
perms=$(xenstore-ls -p "/local/domain/$A/data/evtchn" | grep -E "^$B ")
expect_match "$perms" "\(n$A,r$B\)" "permissions of the published port"

out=$(shell_run evb "evtchn ping $A xs 1000" 120)
[[ $out =~ 1000/1000\ round\ trips\ to\ domain\ $A\ port\ $PA,\ median\ ([0-9]+)\ us ]] || fail "ping B->A: $out"
note "domu <-> domu round trip: median ${BASH_REMATCH[1]} us"
[[ $out =~ bound\ to\ domain\ $A\ port\ $PA\ as\ port\ ([0-9]+) ]] || fail "ping did not say which port it bound: $out"
PB=${BASH_REMATCH[1]}
shell_run eva evtchn | grep -qE "user port $PA: unbound domain $B, echo, received 1000, sent 1000" ||
  fail "A's counts: $(shell_run eva evtchn | grep 'user port')"
shell_run evb evtchn | grep -qE "user port $PB: interdomain domain $A port $PA, received 1000, sent 1000" ||
  fail "B's counts: $(shell_run evb evtchn | grep 'user port')"

# Unbind and bind again: the offered port is free for B again.
shell_run evb "evtchn unbind $PB" | grep -q "port $PB unbound" || fail "unbind failed"
out=$(shell_run evb "evtchn ping $A $PA 200" 60)
expect_match "$out" "200/200 round trips" "ping after unbind and re-bind"
shell_run eva evtchn | grep -qE "user port $PA: .*received 1200, sent 1200" || fail "A's counts after the re-bind"

# The peer closes: B notices instead of waiting for ever.
shell_ok eva "evtchn unbind $PA" >/dev/null
out=$(shell_run evb "evtchn ping $A $PA 5" 30)
expect_match "$out" "stopped after 0: the peer closed the port" "ping to a closed port"
shell_run evb evtchn | grep -qE "closed by the peer" || fail "B's list does not show the closed port"

# A VIRQ from the shell: VIRQ_DEBUG (1) fires on 'xl debug-keys q'.
out=$(shell_run eva "evtchn virq 1")
[[ $out =~ VIRQ\ 1\ bound\ to\ port\ ([0-9]+) ]] || fail "virq: $out"
xl debug-keys q
sleep 1
shell_run eva evtchn | grep -qE "user port [0-9]+: virq virq 1, received [1-9]" || fail "VIRQ_DEBUG did not arrive: $(shell_run eva evtchn | grep 'user port')"

# Dom0 offers, domu pings (libxenevtchn echo in Dom0).
echo_out=$TESTHOST_WORK/echo.out
"$DOM0_TOOLS/evtchn-peer" echo "$A" 300 30 >"$echo_out" 2>&1 &
echo_pid=$!
t0=$(now_ms)
until grep -q '^port ' "$echo_out"; do
  [ "$(elapsed_ms "$t0")" -lt 10000 ] || fail "evtchn-peer echo printed no port: $(cat "$echo_out")"
  sleep 0.1
done
P0=$(awk '/^port / { print $2 }' "$echo_out")
out=$(shell_run eva "evtchn ping 0 $P0 300" 60)
[[ $out =~ 300/300\ round\ trips\ to\ domain\ 0\ port\ $P0,\ median\ ([0-9]+)\ us ]] || fail "ping domu->Dom0: $out"
note "domu -> Dom0 round trip: median ${BASH_REMATCH[1]} us"
wait "$echo_pid" || fail "evtchn-peer echo: $(cat "$echo_out")"
expect_match "$(cat "$echo_out")" "answered 300 events" "Dom0's echo count"

# domu offers, Dom0 pings.
out=$(shell_run eva "evtchn serve 0")
[[ $out =~ serving\ domain\ 0\ on\ port\ ([0-9]+) ]] || fail "serve 0: $out"
PS=${BASH_REMATCH[1]}
out=$("$DOM0_TOOLS/evtchn-peer" ping "$A" "$PS" 300) || fail "evtchn-peer ping: $out"
expect_match "$out" "300/300 round trips" "Dom0 -> domu ping"
note "Dom0 -> domu round trip: $out"

# Save/restore: the VIRQ and the offered port are made again (the port
# is published anew), and both work in the new domain.
save=$TESTHOST_WORK/eva.save
mark=$(console_mark eva)
timeout 120 xl save eva "$save" >/dev/null 2>&1 || fail "xl save failed"
timeout 120 xl restore "$save" >/dev/null 2>&1 || fail "xl restore failed"
console_wait eva 'domu: resumed \(new domain\)' 30 "$mark" >/dev/null
A2=$(domid eva)
PS2=$(xs_read "/local/domain/$A2/data/evtchn/0")
[ -n "$PS2" ] || fail "the offered port was not published again after the restore"
out=$("$DOM0_TOOLS/evtchn-peer" ping "$A2" "$PS2" 100) || fail "evtchn-peer ping after restore: $out"
expect_match "$out" "100/100 round trips" "Dom0 -> domu ping after the restore"
before=$(shell_run eva evtchn | grep -oE "virq virq 1, received [0-9]+" | grep -oE '[0-9]+$')
xl debug-keys q
sleep 1
after=$(shell_run eva evtchn | grep -oE "virq virq 1, received [0-9]+" | grep -oE '[0-9]+$')
[ "$after" -gt "$before" ] || fail "VIRQ_DEBUG not delivered after the restore ($before -> $after)"
