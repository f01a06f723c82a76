# timeout: 300
# A SYN flood (issue 17, item 1): Dom0's synflood sends SYNs to domu's
# port 80 from made-up addresses whose SYN-ACKs nobody answers. First from
# one address, then from eight: domu keeps at most 2 half-open connections
# a peer and 4 in all and answers the rest with SYN cookies, so Dom0's
# wget of the status page succeeds at once during the flood (in the
# second phase through a cookie, every half-open slot being a flooder's)
# and right after it.
[ -x "${DOM0_TOOLS:-}/synflood" ] || fail "synflood missing (make builds it into build/dom0-tools)"
ip link show xenbr0 >/dev/null 2>&1 || fail "Dom0 has no bridge xenbr0"
MAC=00:16:3e:00:00:33
domu_create sf "vif = ['bridge=xenbr0,mac=$MAC,ip=10.0.0.33']"
console_wait sf 'net: eth0: 10.0.0.33/24' 30 >/dev/null

# wget_now WHAT: the status page within 3 s, or the scenario fails.
wget_now() {
  local t0 out
  t0=$(now_ms)
  out=$(timeout 3 busybox wget -q -O - http://10.0.0.33/ 2>&1) || fail "$1: wget failed: $out"
  expect_match "$out" "domain: [0-9]+ 'sf'" "$1: the status page"
  note "$1: status page in $(elapsed_ms "$t0") ms"
}

syn_stats() { shell_run sf 'net stats' | grep '^tcp syn:'; }
field() { grep -oE "$1 [0-9]+" <<<"$2" | grep -oE '[0-9]+$'; }

wget_now "before the flood"

# Phase 1: one address, 500 SYNs a second for 12 s.
"$DOM0_TOOLS/synflood" xenbr0 $MAC 10.0.0.33 80 10.0.0.66 1 500 12 >"$TESTHOST_WORK/flood1.log" 2>&1 &
fpid=$!
sleep 3
for i in 1 2 3; do wget_now "flood from one address, try $i"; sleep 1; done
st=$(syn_stats)
note "during the flood: $st"
[ "$(field 'tcp syn:' "$st")" -le 4 ] || fail "more than 4 half-open connections: $st"
[ "$(field 'cookies sent' "$st")" -ge 200 ] || fail "the flood drew no SYN cookies: $st"
wait "$fpid" || fail "synflood: $(cat "$TESTHOST_WORK/flood1.log")"
note "$(cat "$TESTHOST_WORK/flood1.log")"
wget_now "right after the flood from one address"

# Phase 2: eight addresses fill every half-open slot; the real client's
# SYN is answered with a cookie and its ACK opens the connection.
before=$(field 'accepted' "$(syn_stats)")
"$DOM0_TOOLS/synflood" xenbr0 $MAC 10.0.0.33 80 10.0.0.70 8 500 12 >"$TESTHOST_WORK/flood2.log" 2>&1 &
fpid=$!
sleep 3
st=$(syn_stats)
expect_match "$st" 'tcp syn: 4 half-open' "eight flooders fill the half-open slots"
for i in 1 2 3; do wget_now "flood from eight addresses, try $i"; sleep 1; done
st=$(syn_stats)
note "during the second flood: $st"
after=$(field 'accepted' "$st")
[ "$after" -ge $((before + 3)) ] || fail "the wgets were not served through cookies ($before -> $after): $st"
wait "$fpid" || fail "synflood: $(cat "$TESTHOST_WORK/flood2.log")"
note "$(cat "$TESTHOST_WORK/flood2.log")"
wget_now "right after the flood from eight addresses"
out=$(shell_run sf 'net stats')
expect_match "$out" 'tcp: [0-9]+ accepted' "net stats"
note "$(grep -E '^tcp' <<<"$out" | tr '\n' ';')"
# The flood's half-open connections give up by themselves (3 SYN-ACKs, 15 s).
sleep 16
st=$(syn_stats)
expect_match "$st" 'tcp syn: 0 half-open' "half-open connections expire"
[ "$(field 'expired' "$st")" -ge 4 ] || fail "no half-open connection expired: $st"
