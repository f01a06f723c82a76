# timeout: 900
# netfront on Dom0's bridge xenbr0 (10.0.0.1/24) with the stock vif-bridge
# hot-plug script: Dom0 pings domu and domu pings Dom0 (100 each, no
# loss), two domu guests ping each other, UDP echo of every size up to
# the MTU with the data checked, and a save/restore during a ping stream
# loses only what was sent while domu was away.
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

# Dom0 -> domu, 100 pings.
out=$(busybox ping -c 100 -i 0.05 -W 2 10.0.0.21 2>&1 | tail -2)
expect_match "$out" '100 packets transmitted, 100 packets received' "Dom0 pings domu"
note "Dom0 -> domu: $(tail -1 <<<"$out")"

# domu <-> domu through the bridge.
expect_match "$(shell_run na 'ping 10.0.0.22 20' 60)" '20 sent, 20 received' "na pings nb"
expect_match "$(shell_run nb 'ping 10.0.0.21 20' 60)" '20 sent, 20 received' "nb pings na"

# UDP echo, every size up to the MTU (1472 bytes of data), checked.
shell_run na 'udp-echo 7777' | grep -q 'answering on port 7777' || fail "udp-echo"
out=$("$DOM0_TOOLS/udpcheck" 10.0.0.21 7777 sizes 1 1472) || fail "UDP echo: $out"
expect_match "$out" 'sizes 1..1472: 1472 ok, 0 lost, 0 errors' "UDP echo of every size"
expect_match "$(shell_run na 'ping 10.0.0.1 1 1472')" '1 received' "a full-size ping"
expect_match "$(shell_run na 'ping 10.0.0.1 1 1473')" 'usage' "a ping too large for the MTU"

# A save/restore during a ping stream from Dom0 (one every 100 ms).
busybox ping -c 150 -i 0.1 -W 1 10.0.0.21 >"$TESTHOST_WORK/stream.log" 2>&1 &
pid=$!
sleep 3
mark=$(console_mark na)
timeout 120 xl save na "$TESTHOST_WORK/na.save" >/dev/null 2>&1 || fail "xl save failed"
timeout 120 xl restore "$TESTHOST_WORK/na.save" >/dev/null 2>&1 || fail "xl restore failed"
line=$(console_wait na 'domu: resumed \(new domain\).* [0-9]+ ms away' 30 "$mark")
away=$(grep -oE '[0-9]+ ms away' <<<"$line" | grep -oE '[0-9]+')
console_wait na 'netfront: eth0: connected' 30 "$mark" >/dev/null
wait "$pid" || true
stats=$(tail -2 "$TESTHOST_WORK/stream.log" | head -1)
rx=$(grep -oE '[0-9]+ packets received' <<<"$stats" | grep -oE '[0-9]+')
lost=$((150 - rx))
allowed=$((away / 100 + 15))
note "ping stream across the save/restore: $stats; domu away $away ms; lost $lost (at most $allowed allowed)"
[ "$lost" -le "$allowed" ] || fail "lost $lost pings for $away ms away"
note "$(shell_run na "net stats" | tail -1)"
expect_match "$(shell_run na 'ping 10.0.0.1 10' 60)" '10 sent, 10 received' "ping after the restore"
expect_match "$(shell_run na ifconfig)" 'ether 00:16:3e:00:00:21 inet 10.0.0.21' "same MAC and address after the restore"
