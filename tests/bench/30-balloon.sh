# timeout: 900
# Balloon speed: the time from `xl mem-set` until `xl list` shows the new
# size, 64 MiB down and 64 MiB back up, for domu and for the stock Linux
# PVH guest (its xen-balloon driver), each with memory = maxmem = 256 MiB.
. "$TESTHOST_FILES/bench-lib.sh"
xl_mib() { xl list "$1" 2>/dev/null | awk 'NR == 2 { print $3 }'; }
# memset_ms NAME MIB: ms until xl list shows MIB (120 s at most).
memset_ms() {
  local t0 m
  t0=$(now_ms)
  xl mem-set "$1" "$2"
  while m=$(xl_mib "$1"); [ "$m" != "$2" ]; do
    [ "$(elapsed_ms "$t0")" -lt 120000 ] || fail "$1: xl list shows ${m:-nothing} MiB, not $2, 120 s after mem-set"
    sleep 0.02
  done
  elapsed_ms "$t0"
}
measure() { # NAME WHO
  local downs=() ups=() i
  for i in 1 2 3; do
    downs+=("$(memset_ms "$1" 192)")
    ups+=("$(memset_ms "$1" 256)")
  done
  bench balloon_down_ms "$2" "$(median "${downs[@]}")" ms
  bench balloon_up_ms "$2" "$(median "${ups[@]}")" ms
}

domu_create d 'memory = 256' 'maxmem = 256'
wait_line d 'balloon: at [0-9]+ KiB' 60 >/dev/null || fail "domu's balloon did not settle"
until [ "$(xl_mib d)" = 256 ]; do sleep 0.1; done
measure d domu

xl destroy d

linux_create l 'memory = 256' 'maxmem = 256'
wait_line l 'linux-guest: init running' 180 >/dev/null || fail "linux /init never ran"
sleep 5
until [ "$(xl_mib l)" = 256 ]; do sleep 0.1; done
measure l linux
