# timeout: 900
# The balloon: xl mem-set down and up, to a floor, past the maximum; a
# memory-checking workload in domu proves that no page in use is ever
# given away; 50 down/up cycles; the balloon state survives save/restore.
domu_create bal 'memory = 64' 'maxmem = 128'
console_wait bal 'domu: ready in' 30 >/dev/null
console_wait bal 'balloon: [0-9]+ KiB of the memory map were never populated' 20 >/dev/null
console_wait bal 'balloon: at [0-9]+ KiB' 20 >/dev/null

xl_mib() { xl list "$1" 2>/dev/null | awk 'NR == 2 { print $3 }'; }
xen_free_mib() { xl info | awk '/^free_memory/ { print $3 }'; }
# wait_size NAME MIB TIMEOUT_S: until xl list shows the size.
wait_size() {
  local t0 m
  t0=$(now_ms)
  while m=$(xl_mib "$1"); [ "$m" != "$2" ]; do
    [ "$(elapsed_ms "$t0")" -lt $(($3 * 1000)) ] || fail "$1: xl list shows ${m:-nothing} MiB, not $2, after $3 s"
    sleep 0.2
  done
  note "$1: xl list shows $2 MiB after $(_secs "$(elapsed_ms "$t0")") s"
}
balloon_field() { # NAME FIELD: a KiB figure from the balloon command
  shell_run "$1" balloon | grep -oE "$2 [0-9]+ KiB" | grep -oE '[0-9]+'
}
memtest_ok() {
  local out
  out=$(shell_run bal 'memtest check' 30)
  [[ $out =~ memtest:\ ([0-9]+)\ pages\ checked,\ 0\ bad ]] || fail "memtest after $1: $out"
  [ "${BASH_REMATCH[1]}" = 2048 ] || fail "memtest after $1 checked ${BASH_REMATCH[1]} pages, not 2048"
}

wait_size bal 64 30
shell_run bal 'memtest fill 8192' 30 | grep -q 'memtest: 2048 pages filled' || fail "memtest fill failed"

# Down to 32 MiB: Xen's free memory grows by the same amount.
free0=$(xen_free_mib)
xl mem-set bal 32
wait_size bal 32 60
free1=$(xen_free_mib)
note "Xen free memory ${free0} -> ${free1} MiB"
[ $((free1 - free0)) -ge 30 ] && [ $((free1 - free0)) -le 34 ] || fail "Xen's free memory moved by $((free1 - free0)) MiB for a 32 MiB balloon"
cur=$(balloon_field bal current)
[ "$cur" -le $((33 * 1024)) ] || fail "domu says it holds $cur KiB after mem-set 32"
memtest_ok "mem-set 32"

# Up to the maximum: allocations beyond the boot size succeed.
xl mem-set bal 128
wait_size bal 128 60
free2=$(xen_free_mib)
[ $((free1 - free2)) -ge 94 ] && [ $((free1 - free2)) -le 98 ] || fail "Xen's free memory moved by $((free1 - free2)) MiB growing 32 -> 128"
memtest_ok "mem-set 128"
shell_run bal 'memtest fill 100000' 60 | grep -q 'memtest: 25000 pages filled' || fail "100000 KiB could not be allocated after growing to 128 MiB"
shell_run bal 'memtest check' 60 | grep -q ', 0 bad' || fail "the 100000 KiB workload did not check out"
shell_run bal 'memtest fill 8192' 30 >/dev/null

# Below the floor: domu stays at what it can give and says why.
mark=$(console_mark bal)
xl mem-set bal 2
console_wait bal 'balloon: target 2048 KiB is below what domu can give back: staying at [0-9]+ KiB \(floor [0-9]+ KiB' 60 "$mark" >/dev/null
low=$(xl_mib bal)
[ "$low" -ge 9 ] && [ "$low" -le 16 ] || fail "at the floor xl list shows $low MiB (8 MiB of workload + kernel)"
memtest_ok "the floor"
shell_ok bal 'info' >/dev/null
expect_no_match "$(domain_state bal)" 'c|gone' "domu's state at the floor"

# Past the maximum: refused by xl, or domu stays at its maximum.
if xl mem-set bal 200 >"$TESTHOST_WORK/memset.log" 2>&1; then
  wait_size bal 128 60
  note "xl accepted mem-set 200 above maxmem 128; domu stopped at 128"
else
  note "xl refused mem-set 200 above maxmem 128: $(head -1 "$TESTHOST_WORK/memset.log")"
  xl mem-set bal 128
  wait_size bal 128 60
fi
memtest_ok "growing to the maximum"

# 50 cycles down and up, checking the workload after each.
for i in $(seq 1 50); do
  xl mem-set bal 24; wait_size bal 24 60
  xl mem-set bal 128; wait_size bal 128 60
  if [ $((i % 10)) = 0 ]; then memtest_ok "cycle $i"; fi
done
memtest_ok "50 cycles"

# Ballooned down across a save/restore: the same size and the same pages
# out afterwards, and it still grows.
xl mem-set bal 40; wait_size bal 40 60
out_before=$(shell_run bal balloon | grep -oE '[0-9]+ pages out')
save=$TESTHOST_WORK/bal.save
mark=$(console_mark bal)
timeout 120 xl save bal "$save" >/dev/null 2>&1 || fail "xl save failed"
timeout 120 xl restore "$save" >/dev/null 2>&1 || fail "xl restore failed"
console_wait bal 'domu: resumed \(new domain\)' 30 "$mark" >/dev/null
wait_size bal 40 30
out_after=$(shell_run bal balloon | grep -oE '[0-9]+ pages out')
expect_eq "$out_after" "$out_before" "pages out across save/restore"
memtest_ok "save/restore"
xl mem-set bal 128; wait_size bal 128 60
memtest_ok "growing after the restore"

# And across a live migration (to this host, a local stand-in for ssh).
xl mem-set bal 48; wait_size bal 48 60
out_before=$(shell_run bal balloon | grep -oE '[0-9]+ pages out')
xl_migrate_local bal
wait_size bal 48 30
out_after=$(shell_run bal balloon | grep -oE '[0-9]+ pages out')
expect_eq "$out_after" "$out_before" "pages out across the migration"
memtest_ok "the migration"
xl mem-set bal 128; wait_size bal 128 60
memtest_ok "growing after the migration"
