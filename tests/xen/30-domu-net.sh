# timeout: 900
# netfront on Dom0's bridge xenbr0 (10.0.0.1/24) with the stock vif-bridge
# hot-plug script: Dom0 pings domu and domu pings Dom0 (100 each, no
# loss), two domu guests ping each other, UDP echo of every size up to
# the MTU with the data checked, TCP (the status page, transfers checked
# byte for byte, a closed port refused), hot attach/detach of a second
# interface, and a save/restore during a ping stream loses only what was
# sent while domu was away.
[ -x "${DOM0_TOOLS:-}/udpcheck" ] || fail "udpcheck missing (make builds it into build/dom0-tools)"
ip link show xenbr0 >/dev/null 2>&1 || fail "Dom0 has no bridge xenbr0"
domu_create na "vif = ['bridge=xenbr0,mac=00:16:3e:00:00:21,ip=10.0.0.21']"
domu_create nb "vif = ['bridge=xenbr0,mac=00:16:3e:00:00:22']" 'extra = "ip=10.0.0.22/24"'
console_wait na 'netfront: eth0: connected' 30 >/dev/null
console_wait na 'net: eth0: 10.0.0.21/24' 10 >/dev/null
console_wait nb 'net: eth0: 10.0.0.22/24' 30 >/dev/null
out=$(shell_run na ifconfig)
expect_match "$out" 'eth0: UP mtu 1500 ether 00:16:3e:00:00:21 inet 10.0.0.21' "ifconfig"

# domu -> Dom0, 100 pings.
out=$(shell_run na 'ping 10.0.0.1 100' 120)
expect_match "$out" '100 sent, 100 received' "domu pings Dom0"
note "domu -> Dom0: $(grep -o 'rtt.*' <<<"$out")"
shell_run na arp | grep -q '^10.0.0.1 ' || fail "Dom0 not in domu's ARP cache"

# Dom0 -> domu, 100 pings, with domu timing its own share of each.
expect_match "$(shell_run na 'net timing on')" 'timing on' "net timing on"
out=$(busybox ping -c 100 -i 0.05 -W 2 10.0.0.21 2>&1 | tail -2)
expect_match "$out" '100 packets transmitted, 100 packets received' "Dom0 pings domu"
note "Dom0 -> domu: $(tail -1 <<<"$out")"
# Nearly every reply answered an event of its own (two requests handled in
# one poll count once).
turn=$(shell_run na 'net stats' | grep -oE 'event to transmit: [0-9]+ times, median [0-9]+ us')
note "domu's share: $turn"
n=$(grep -oE '[0-9]+ times' <<<"$turn" | grep -oE '[0-9]+')
med=$(grep -oE 'median [0-9]+' <<<"$turn" | grep -oE '[0-9]+')
[ "${n:-0}" -ge 90 ] && [ "${med:-0}" -gt 0 ] || fail "event-to-transmit not measured: '$turn'"
# Off again: no more samples.
shell_ok na 'net timing off' >/dev/null
busybox ping -c 5 -i 0.05 -W 2 10.0.0.21 >/dev/null 2>&1
expect_match "$(shell_run na 'net stats')" "event to transmit: $n times" "net timing off stops measuring"

# domu <-> domu through the bridge.
expect_match "$(shell_run na 'ping 10.0.0.22 20' 60)" '20 sent, 20 received' "na pings nb"
expect_match "$(shell_run nb 'ping 10.0.0.21 20' 60)" '20 sent, 20 received' "nb pings na"

# UDP echo, every size up to the MTU (1472 bytes of data), checked.
shell_run na 'udp-echo 7777' | grep -q 'answering on port 7777' || fail "udp-echo"
out=$("$DOM0_TOOLS/udpcheck" 10.0.0.21 7777 sizes 1 1472) || fail "UDP echo: $out"
expect_match "$out" 'sizes 1..1472: 1472 ok, 0 lost, 0 errors' "UDP echo of every size"
# domu's own UDP load: net bench at 100 datagrams/s to an echo server in Dom0.
"$DOM0_TOOLS/udpcheck" serve 7778 20 >"$TESTHOST_WORK/serve.log" 2>&1 &
sleep 1
out=$(shell_run na 'net bench 10.0.0.1 7778 512 100 3' 30)
note "$out"
sent=$(grep -oE '[0-9]+ sent' <<<"$out" | grep -oE '[0-9]+') || fail "net bench: $out"
echoed=$(grep -oE '[0-9]+ echoed' <<<"$out" | grep -oE '[0-9]+') || fail "net bench: $out"
[ "$sent" -ge 250 ] && [ "$sent" -le 310 ] || fail "net bench sent $sent datagrams at 100/s for 3 s"
[ $((echoed * 10)) -ge $((sent * 9)) ] || fail "net bench: only $echoed of $sent came back"
expect_match "$(shell_run na 'ping 10.0.0.1 1 1472')" '1 received' "a full-size ping"
expect_match "$(shell_run na 'ping 10.0.0.1 1 1473')" 'usage' "a ping too large for the MTU"

# TCP: the status page, an unknown path, a closed port, and 1 MB (and four
# 200 KB transfers at once) checked byte for byte.
out=$(timeout 20 busybox wget -q -O - http://10.0.0.21/ 2>&1) || fail "wget of the status page: $out"
expect_match "$out" "domain: [0-9]+ 'na'" "the status page"
expect_match "$out" 'eth0: up mac 00:16:3e:00:00:21 ip 10.0.0.21' "the status page's interfaces"
out=$(printf 'GET /nope HTTP/1.0\r\n\r\n' | timeout 10 busybox nc 10.0.0.21 80 2>&1) || true
expect_match "$out" '^HTTP/1.0 404' "an unknown path"
if out=$(timeout 10 busybox nc 10.0.0.21 81 </dev/null 2>&1); then fail "a closed port accepted"; fi
expect_match "$out" 'refused' "a closed port (RST)"
line='domu tcp test pattern 0123456789 abcdefghijklmnopqrstuvwxyz ABC'
{ yes "$line" || true; } | head -c 1000000 >"$TESTHOST_WORK/ref"
t0=$(date +%s%N)
timeout 60 busybox wget -q -O "$TESTHOST_WORK/big" http://10.0.0.21/bytes/1000000 || fail "wget of 1 MB"
t1=$(date +%s%N)
cmp "$TESTHOST_WORK/ref" "$TESTHOST_WORK/big" || fail "the 1 MB transfer differs"
note "TCP: 1 MB in $(( (t1 - t0) / 1000000 )) ms"
for i in 1 2 3 4; do
  timeout 60 busybox wget -q -O "$TESTHOST_WORK/part$i" http://10.0.0.21/bytes/200000 &
done
wait
for i in 1 2 3 4; do
  head -c 200000 "$TESTHOST_WORK/ref" | cmp - "$TESTHOST_WORK/part$i" || fail "concurrent transfer $i differs"
done

# Hot-plug a second interface while Dom0 pings the first: it comes up with
# the back-end's address and answers, goes away on detach, and the first
# interface loses nothing.
before=$(domu_counts na)
busybox ping -c 60 -i 0.1 -W 1 10.0.0.21 >"$TESTHOST_WORK/hotplug.log" 2>&1 &
pid=$!
mark=$(console_mark na)
timeout 60 xl network-attach na bridge=xenbr0 mac=00:16:3e:00:00:31 ip=10.0.0.31 || fail "xl network-attach"
console_wait na 'net: eth1: 10.0.0.31/24' 30 "$mark" >/dev/null
out=$(busybox ping -c 10 -i 0.1 -W 2 10.0.0.31 2>&1 | tail -2)
expect_match "$out" '10 packets transmitted, 10 packets received' "Dom0 pings the hot-plugged eth1"
timeout 60 xl network-detach na 00:16:3e:00:00:31 || fail "xl network-detach"
console_wait na 'netfront: eth1: closing' 30 "$mark" >/dev/null
out=$(shell_ok na ifconfig)
expect_match "$out" '^eth0: UP' "ifconfig after the detach"
expect_no_match "$out" 'eth1' "eth1 gone after the detach"
# Once the back-end let go, eth1's rings, buffers, grants and ports went
# back: every count is what it was before the attach.
freed=$(console_wait na 'netfront: eth1: closed, [0-9]+ KiB freed' 30 "$mark")
note "eth1: ${freed##*: }"
counts_back na "$before" 30 "eth1 hot-plugged and detached"
wait "$pid" || true
expect_match "$(tail -2 "$TESTHOST_WORK/hotplug.log")" '60 packets transmitted, 60 packets received' \
  "eth0 undisturbed by the hot-plug"

# A save/restore during a ping stream from Dom0 (one every 100 ms).
save_restore_pinged na 10.0.0.21 150 'netfront: eth0: connected'
note "$(shell_run na "net stats" | tail -1)"
expect_match "$(shell_run na 'ping 10.0.0.1 10' 60)" '10 sent, 10 received' "ping after the restore"
expect_match "$(shell_run na ifconfig)" 'ether 00:16:3e:00:00:21 inet 10.0.0.21' "same MAC and address after the restore"

# Lost events (issue 12, item 14): the 50 ms look at busy rings found
# frames no event had announced 0 times in 2291 polls before the ring
# ports became lateeoi with the unmask done by Xen, once in 2282 since (a
# look can race a notification on its way): at most 1 in 200 polls, on
# either guest, which a port left masked or a lost unmask would exceed.
for g in na nb; do
  out=$(shell_run "$g" 'net stats')
  note "$g: $(grep -oE '[0-9]+ polls, [0-9]+ found without an event' <<<"$out" || true); $(shell_run "$g" evtchn | grep -E 'upcalls| eth0' | tr '\n' ';' || true)"
  [[ $out =~ ([0-9]+)\ polls,\ ([0-9]+)\ found\ without\ an\ event ]] || fail "$g: no rescue count: $out"
  [ $((BASH_REMATCH[2] * 200)) -le "${BASH_REMATCH[1]}" ] ||
    fail "$g: the rescue poll found frames ${BASH_REMATCH[2]} times in ${BASH_REMATCH[1]} polls (more than 1 in 200)"
done
