# timeout: 900
# Balloon speed, 64 MiB down and 64 MiB back up, for domu and for the stock
# Linux PVH guest (its xen-balloon driver), each with memory = maxmem =
# 256 MiB. tools/dom0/memwatch sets the target as `xl mem-set` does (the
# same libxl call) and measures, polling every 1 ms, from the moment the
# new target appears in XenStore until the hypervisor's count of the
# domain's pages (tot_pages) is within 128 KiB of it. Both guests settle a
# few pages above their target (pages Xen counts beyond the guest's RAM):
# domu 48 KiB, Linux 64 KiB. Both guests run at once and the measurements
# alternate between them (domu down, Linux down, domu up, Linux up), five
# rounds, so that a busy host weighs on both alike; the median is reported.
. "$TESTHOST_FILES/bench-lib.sh"
MW=${DOM0_TOOLS:-}/memwatch
[ -x "$MW" ] || fail "memwatch missing (make builds it into build/dom0-tools)"
missing=$(ldd "$MW" | grep 'not found' || true)
[ -z "$missing" ] || fail "memwatch cannot run in Dom0: $missing"
ROUNDS=5
xl_mib() { xl list "$1" 2>/dev/null | awk 'NR == 2 { print $3 }'; }
settled() { # NAME MIB: waits (60 s at most) until xl list shows MIB
  local end=$(($(now_ms) + 60000))
  until [ "$(xl_mib "$1")" = "$2" ]; do
    [ "$(now_ms)" -lt "$end" ] || fail "$1: xl list shows $(xl_mib "$1") MiB, not $2"
    sleep 0.1
  done
}
# one NAME WHO DIR MIB: one measurement; appends its ms to the WHO_DIR array
declare -a domu_down=() domu_up=() linux_down=() linux_up=()
one() {
  local out ms
  out=$("$MW" -t 128 -w 120 "$(domid "$1")" $(($4 * 1024)) 2>&1) || fail "memwatch $1 $4 MiB: $out"
  ms=$(printf '%s\n' "$out" | sed -n 's/^ms=\([0-9.]*\) .*/\1/p')
  [ -n "$ms" ] || fail "memwatch $1: no figure in '$out'"
  note "$2 $3 to $4 MiB: $out"
  eval "$2_$3+=(\"\$ms\")"
  sleep 1 # let the guest finish whatever follows (and the host calm down)
}

domu_create d 'memory = 256' 'maxmem = 256'
wait_line d 'balloon: at [0-9]+ KiB' 60 >/dev/null || fail "domu's balloon did not settle"
settled d 256
linux_create l 'memory = 256' 'maxmem = 256'
wait_line l 'linux-guest: init running' 180 >/dev/null || fail "linux /init never ran"
sleep 5
settled l 256

for _ in $(seq "$ROUNDS"); do
  one d domu down 192
  one l linux down 192
  one d domu up 256
  one l linux up 256
done
settled d 256
settled l 256
note "domu down: ${domu_down[*]}; up: ${domu_up[*]}"
note "linux down: ${linux_down[*]}; up: ${linux_up[*]}"
bench balloon_down_ms domu "$(median "${domu_down[@]}")" ms
bench balloon_up_ms domu "$(median "${domu_up[@]}")" ms
bench balloon_down_ms linux "$(median "${linux_down[@]}")" ms
bench balloon_up_ms linux "$(median "${linux_up[@]}")" ms
