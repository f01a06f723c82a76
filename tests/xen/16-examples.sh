# timeout: 300
# The example configurations in examples/ boot as shipped: only the
# kernel path and the disk path are replaced (sed), nothing else. The
# appliance gets its disk and NIC (blk list, ifconfig, a ping from Dom0,
# the status page); the smallest boots in 1 MiB and takes more memory
# from xl mem-set.
ex=/mnt/host/examples
[ -d "$ex" ] || fail "examples/ was not copied into the job (scenarios.sh)"
ip link show xenbr0 >/dev/null 2>&1 || fail "Dom0 has no bridge xenbr0"

# example_create NAME: examples/NAME.cfg with the paths replaced, created.
example_create() {
  local name=$1 cfg=$TESTHOST_WORK/$1.cfg
  sed -e "s|^kernel *= *\"[^\"]*\"|kernel   = \"$DOMU_KERNEL\"|" \
    -e "s|'[^',]*\.img,|'$TESTHOST_WORK/$name.img,|" "$ex/$name.cfg" >"$cfg"
  # Only those two lines may differ from the shipped file.
  local changed
  changed=$(diff "$ex/$name.cfg" "$cfg" | grep -cE '^>' || true)
  [ "$changed" -le 2 ] || fail "$name.cfg: the substitution changed $changed lines"
  grep -qF "kernel   = \"$DOMU_KERNEL\"" "$cfg" || fail "$name.cfg: no kernel line replaced"
  rm -f "$(console_log "$name")"
  _created+=("$name")
  note "xl create examples/$name.cfg"
  timeout 120 xl create "$cfg" >"$TESTHOST_WORK/$name.create.log" 2>&1 ||
    { awk '{ print "  | " $0 }' "$TESTHOST_WORK/$name.create.log" >&2; fail "xl create examples/$name.cfg failed"; }
}

# 1. The appliance: a disk and a NIC.
truncate -s 64M "$TESTHOST_WORK/appliance.img"
example_create appliance
console_wait appliance 'domu: ready in' 60 >/dev/null
console_wait appliance 'blkfront: xvda: connected' 30 >/dev/null
console_wait appliance 'net: eth0: 10.0.0.2/24' 30 >/dev/null
expect_match "$(shell_run appliance 'blk list')" 'xvda +131072 sectors +64 MiB' "the appliance's disk"
shell_run appliance 'blk fill xvda 0 64 5' 30 | grep -q '64 sectors at 0 written' || fail "writing the appliance's disk"
expect_match "$(shell_run appliance 'blk verify xvda 0 64 5' 30)" '64 sectors at 0, 0 bad' "reading it back"
expect_match "$(shell_run appliance ifconfig)" 'eth0: UP .*ether 00:16:3e:00:00:10 inet 10.0.0.2' "the appliance's NIC"
out=$(busybox ping -c 5 -i 0.2 -W 2 10.0.0.2 2>&1 | tail -2)
expect_match "$out" '5 packets transmitted, 5 packets received' "Dom0 pings the appliance"
out=$(timeout 20 busybox wget -q -O - http://10.0.0.2/ 2>&1) || fail "wget of the status page: $out"
expect_match "$out" domu "the status page"
expect_match "$(shell_run appliance 'ping 10.0.0.1 3' 30)" '3 sent, 3 received' "the appliance pings its gateway"
timeout 60 xl shutdown -w appliance >/dev/null 2>&1 || fail "xl shutdown appliance"
domain_wait_gone appliance 30
expect_eq "$(domain_shutdown_reason appliance)" poweroff "the appliance's shutdown"

# 2. The smallest: 1 MiB, maxmem 20; xl mem-set gives it more.
example_create smallest
console_wait smallest 'domu: ready in' 60 >/dev/null
line=$(console_wait smallest "domain [0-9]+ 'smallest', [0-9]+ KiB RAM" 5)
note "smallest: $line"
mark=$(console_mark smallest)
timeout 60 xl mem-set smallest 16 || fail "xl mem-set smallest 16"
console_wait smallest 'balloon: at [0-9]+ KiB \(target 1[0-9]{4} KiB\)' 60 "$mark" >/dev/null
note "smallest after xl mem-set 16: $(shell_run smallest balloon | head -n 1)"
console_send smallest poweroff
domain_wait_gone smallest 30
expect_eq "$(domain_shutdown_reason smallest)" poweroff "the smallest's poweroff"
