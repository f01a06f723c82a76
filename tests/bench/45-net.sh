# timeout: 900
# Network, Dom0 <-> guest over the bridge xenbr0: ping round trip (median
# of 200), UDP echo round trips as fast as they come back (64 and 1472
# bytes, 10 s each: packets per second and bytes each way), domu's
# netfront + stack against the reference Linux guest's xen-netfront +
# Linux stack. Linux's side: the xen-netfront module and udpcheck (serve
# mode, static) added to its initramfs here in Dom0. For domu, also a
# 1 MB TCP transfer from its status server (wget).
. "$TESTHOST_FILES/bench-lib.sh"
[ -x "${DOM0_TOOLS:-}/udpcheck" ] || fail "udpcheck missing (make builds it into build/dom0-tools)"
ip link show xenbr0 >/dev/null 2>&1 || fail "Dom0 has no bridge xenbr0"
SECS=10

# ping_median ADDR: median round trip of 200 pings, in us
ping_median() {
  local times
  times=$(busybox ping -c 200 -i 0.02 -W 2 "$1" 2>&1 | grep -oE 'time=[0-9.]+' | cut -d= -f2 |
    awk '{ printf "%d\n", $1 * 1000 }')
  [ -n "$times" ] || fail "no ping answers from $1"
  # shellcheck disable=SC2086 # one number per word
  median $times
}

# flood WHO ADDR SIZE METRIC...: round trips per second at SIZE bytes
flood() {
  local out pps kbs
  out=$("$DOM0_TOOLS/udpcheck" "$2" 7777 flood "$3" "$SECS") || fail "udpcheck flood $2 $3: $out"
  note "$1: $out"
  pps=$(grep -oE '[0-9]+ per s' <<<"$out" | grep -oE '[0-9]+')
  kbs=$(grep -oE '[0-9.]+ MB/s' <<<"$out" | grep -oE '[0-9.]+' | awk '{ printf "%d", $1 * 1000 }')
  bench "net_udp$3_pps" "$1" "$pps" pkt/s
  [ "$3" != 1472 ] || bench net_udp1472_kbs "$1" "$kbs" KB/s
}

domu_create nd 'memory = 64' "vif = ['bridge=xenbr0,mac=00:16:3e:00:00:41,ip=10.0.0.41']"
console_wait nd 'net: eth0: 10.0.0.41/24' 30 >/dev/null
shell_run nd 'udp-echo 7777' | grep -q 'answering on port 7777' || fail "udp-echo"
busybox ping -c 3 -W 2 10.0.0.41 >/dev/null || fail "domu does not answer pings"
bench net_ping_rtt_us domu "$(ping_median 10.0.0.41)" us
flood domu 10.0.0.41 64
flood domu 10.0.0.41 1472
t0=$(now_ms)
timeout 60 busybox wget -q -O /dev/null http://10.0.0.41/bytes/1000000 || fail "wget from domu"
bench net_tcp_1m_ms domu $(($(now_ms) - t0)) ms
note "$(shell_run nd 'net stats' | sed -n 1,3p)"
xl destroy nd

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
console_cmd ln 'insmod /lib/modules/xen-netfront.ko; sleep 2; ip link set eth0 up && ip addr add 10.0.0.42/24 dev eth0 && echo net-ready' '^net-ready' 60 >/dev/null
console_cmd ln "udpcheck serve 7777 120 &" 'answering on port 7777' 30 >/dev/null
for _ in $(seq 1 50); do busybox ping -c 1 -W 1 10.0.0.42 >/dev/null 2>&1 && break; done
bench net_ping_rtt_us linux "$(ping_median 10.0.0.42)" us
flood linux 10.0.0.42 64
flood linux 10.0.0.42 1472
# Linux's TCP: busybox httpd serving the same 1 MB from its initramfs.
console_cmd ln "mkdir -p /www && yes 'domu tcp test pattern 0123456789 abcdefghijklmnopqrstuvwxyz ABC' | head -c 1000000 >/www/big && httpd -p 80 -h /www && echo httpd-ready" '^httpd-ready' 30 >/dev/null
t0=$(now_ms)
timeout 60 busybox wget -q -O "$TESTHOST_WORK/linux-big" http://10.0.0.42/big || fail "wget from Linux"
bench net_tcp_1m_ms linux $(($(now_ms) - t0)) ms
[ "$(wc -c <"$TESTHOST_WORK/linux-big")" = 1000000 ] || fail "Linux served $(wc -c <"$TESTHOST_WORK/linux-big") bytes"
