# timeout: 900
# Network, Dom0 <-> guest over the bridge xenbr0: ping round trip (median
# of 200), UDP echo round trips as fast as they come back (64 and 1472
# bytes: packets per second and bytes each way), domu's netfront + stack
# against the reference Linux guest's xen-netfront + Linux stack. Both
# guests run at once and are measured in alternating rounds (the order
# flipped every round), so that drift of the emulated host (seen at +-25%
# between runs minutes apart) falls on both alike. Linux's side: the
# xen-netfront module and udpcheck (serve mode, static) added to its
# initramfs here in Dom0. Also a 1 MB TCP transfer from each (wget).
. "$TESTHOST_FILES/bench-lib.sh"
[ -x "${DOM0_TOOLS:-}/udpcheck" ] || fail "udpcheck missing (make builds it into build/dom0-tools)"
ip link show xenbr0 >/dev/null 2>&1 || fail "Dom0 has no bridge xenbr0"
ROUNDS=10         # ping: ROUNDS x 20 pings each
FLOOD_ROUNDS=2    # UDP: FLOOD_ROUNDS x FLOOD_SECS each, per size
FLOOD_SECS=5
DOMU=10.0.0.41 LINUX=10.0.0.42

# ping_times ADDR COUNT: one round trip per line, in us
ping_times() {
  busybox ping -c "$2" -i 0.02 -W 2 "$1" 2>&1 | grep -oE 'time=[0-9.]+' | cut -d= -f2 |
    awk '{ printf "%d\n", $1 * 1000 }'
}

# flood ADDR SIZE: round trips per second and KB/s each way, one run
flood() {
  local out
  out=$("$DOM0_TOOLS/udpcheck" "$1" 7777 flood "$2" "$FLOOD_SECS") || fail "udpcheck flood $1 $2: $out"
  note "$1: $out"
  printf '%s %s\n' "$(grep -oE '[0-9]+ per s' <<<"$out" | grep -oE '[0-9]+')" \
    "$(grep -oE '[0-9.]+ MB/s' <<<"$out" | grep -oE '[0-9.]+' | awk '{ printf "%d", $1 * 1000 }')"
}

# in_turn ROUND FN ARGS...: FN domu ARGS, FN linux ARGS, domu first in even rounds
in_turn() {
  local r=$1 fn=$2
  shift 2
  if [ $((r % 2)) = 0 ]; then "$fn" domu "$@"; "$fn" linux "$@"; else "$fn" linux "$@"; "$fn" domu "$@"; fi
}
addr_of() { if [ "$1" = domu ]; then echo $DOMU; else echo $LINUX; fi; }

domu_create nd 'memory = 64' "vif = ['bridge=xenbr0,mac=00:16:3e:00:00:41,ip=$DOMU']"
console_wait nd "net: eth0: $DOMU/24" 30 >/dev/null
shell_run nd 'udp-echo 7777' | grep -q 'answering on port 7777' || fail "udp-echo"
busybox ping -c 3 -W 2 $DOMU >/dev/null || fail "domu does not answer pings"

# The reference guest's initramfs plus the module and the tool.
kver=$(uname -r)
x=$TESTHOST_WORK/extra
mkdir -p "$x/bin" "$x/lib/modules"
cp "/lib/modules/$kver/kernel/drivers/net/xen-netfront.ko" "$x/lib/modules/"
cp "$DOM0_TOOLS/udpcheck" "$x/bin/"
(cd "$x" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$TESTHOST_WORK/extra.gz"
cat "$LINUX_INITRD" "$TESTHOST_WORK/extra.gz" >"$TESTHOST_WORK/linux-net.gz"
LINUX_INITRD=$TESTHOST_WORK/linux-net.gz
linux_create ln "vif = ['bridge=xenbr0,mac=00:16:3e:00:00:42']"
wait_line ln 'linux-guest: shell on' 240 >/dev/null || fail "ln: no shell"
sleep 2
console_cmd ln "insmod /lib/modules/xen-netfront.ko; sleep 2; ip link set eth0 up && ip addr add $LINUX/24 dev eth0 && echo net-ready" '^net-ready' 60 >/dev/null
console_cmd ln "udpcheck serve 7777 600 &" 'answering on port 7777' 30 >/dev/null
for _ in $(seq 1 50); do busybox ping -c 1 -W 1 $LINUX >/dev/null 2>&1 && break; done
# A first exchange with each, so neither round starts with an ARP miss.
busybox ping -c 3 -W 2 $LINUX >/dev/null || fail "Linux does not answer pings"
busybox ping -c 3 -W 2 $DOMU >/dev/null || fail "domu does not answer pings"

declare -A times=()
ping_round() { times[$1]+="$(ping_times "$(addr_of "$1")" 20) "; }
for r in $(seq 1 $ROUNDS); do in_turn "$r" ping_round; done
for who in domu linux; do
  # shellcheck disable=SC2086 # one number per word
  [ "$(wc -w <<<"${times[$who]}")" -ge $((ROUNDS * 10)) ] || fail "$who: too few ping answers"
  # shellcheck disable=SC2086
  bench net_ping_rtt_us "$who" "$(median ${times[$who]})" us
done

# domu's own share of a round trip: from the event's upcall to the reply
# pushed (measured apart: the clock reads trap to Xen here).
shell_run nd 'net timing on' | grep -q 'timing on' || fail "net timing on"
ping_times $DOMU 100 >/dev/null
turn=$(shell_run nd 'net stats' | grep -oE 'event to transmit: [0-9]+ times, median [0-9]+ us, min [0-9]+ us')
shell_run nd 'net timing off' >/dev/null
note "domu, ping: $turn"

declare -A pps=() kbs=()
flood_round() {
  local r
  r=$(flood "$(addr_of "$1")" "$2")
  pps[$1]=$((${pps[$1]:-0} + ${r% *}))
  kbs[$1]=$((${kbs[$1]:-0} + ${r#* }))
}
for size in 64 1472; do
  pps=() kbs=()
  for r in $(seq 1 $FLOOD_ROUNDS); do in_turn "$r" flood_round "$size"; done
  for who in domu linux; do
    bench "net_udp${size}_pps" "$who" $((${pps[$who]} / FLOOD_ROUNDS)) pkt/s
    [ "$size" != 1472 ] || bench net_udp1472_kbs "$who" $((${kbs[$who]} / FLOOD_ROUNDS)) KB/s
  done
done

# TCP: domu's status server and busybox httpd in Linux, the same 1 MB.
console_cmd ln "mkdir -p /www && yes 'domu tcp test pattern 0123456789 abcdefghijklmnopqrstuvwxyz ABC' | head -c 1000000 >/www/big && httpd -p 80 -h /www && echo httpd-ready" '^httpd-ready' 30 >/dev/null
t0=$(now_ms)
timeout 60 busybox wget -q -O /dev/null http://$DOMU/bytes/1000000 || fail "wget from domu"
bench net_tcp_1m_ms domu $(($(now_ms) - t0)) ms
t0=$(now_ms)
timeout 60 busybox wget -q -O "$TESTHOST_WORK/linux-big" http://$LINUX/big || fail "wget from Linux"
bench net_tcp_1m_ms linux $(($(now_ms) - t0)) ms
[ "$(wc -c <"$TESTHOST_WORK/linux-big")" = 1000000 ] || fail "Linux served $(wc -c <"$TESTHOST_WORK/linux-big") bytes"
note "$(shell_run nd 'net stats' | sed -n 1,8p)"
