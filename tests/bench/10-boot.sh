# timeout: 1500
# Boot time and the smallest domain, domu against the stock Debian Linux
# PVH guest (busybox initramfs) on the same host.
. "$TESTHOST_FILES/bench-lib.sh"

# domu: xl create -> "domu: ready in N ms", five times.
walls=() guests=()
for i in 1 2 3 4 5; do
  t0=$(now_ms)
  domu_create "d$i" 'memory = 64' 'extra = "poweroff"'
  line=$(wait_line "d$i" 'domu: ready in [0-9]+ ms' 60) || fail "domu run $i: no ready line"
  walls+=($(($(now_ms) - t0)))
  guests+=("$(grep -oE '[0-9]+ ms' <<<"$line" | grep -oE '[0-9]+')")
  domain_wait_gone "d$i" 30
done
bench boot_wall_ms domu "$(median "${walls[@]}")" ms
bench boot_guest_ms domu "$(median "${guests[@]}")" ms

# Linux: xl create -> its /init runs, three times; guest time is the
# kernel's timestamp of "Run /init as init process".
walls=() guests=()
for i in 1 2 3; do
  t0=$(now_ms)
  linux_create "l$i" 'extra = "console=hvc0 poweroff"'
  wait_line "l$i" 'linux-guest: init running' 180 >/dev/null || fail "linux run $i: /init never ran"
  walls+=($(($(now_ms) - t0)))
  ts=$(tr -d '\r' <"$(console_log "l$i")" | grep -m 1 'Run /init as init process' |
    grep -oE '^\[ *[0-9]+\.[0-9]+' | tr -d '[ ')
  [ -n "$ts" ] || fail "linux run $i: no 'Run /init' line with a timestamp"
  guests+=("$(awk -v t="$ts" 'BEGIN { printf "%d", t * 1000 }')")
  domain_wait_gone "l$i" 60
done
bench boot_wall_ms linux "$(median "${walls[@]}")" ms
bench boot_guest_ms linux "$(median "${guests[@]}")" ms

# The smallest memory= each boots in (to its ready line / its /init),
# both with maxmem = 256 (xl refuses PVH domains below about 18 MiB of
# maxmem; below maxmem the guest runs in populate-on-demand memory).
smallest() {
  local who=$1 re=$2 limit=$3 mem cfg
  shift 3
  for mem in "$@"; do
    cfg=$TESTHOST_WORK/$who-$mem.cfg
    if [ "$who" = domu ]; then
      printf 'name = "m%s"\ntype = "pvh"\nkernel = "%s"\nmemory = %d\nmaxmem = 256\nextra = "poweroff"\non_crash = "destroy"\n' \
        "$mem" "$DOMU_KERNEL" "$mem" >"$cfg"
    else
      printf 'name = "m%s"\ntype = "pvh"\nkernel = "%s"\nramdisk = "%s"\nmemory = %d\nmaxmem = 256\nextra = "console=hvc0 poweroff"\non_crash = "destroy"\n' \
        "$mem" "$LINUX_KERNEL" "$LINUX_INITRD" "$mem" >"$cfg"
    fi
    if try_create "m$mem" "$cfg" && wait_line "m$mem" "$re" "$limit" >/dev/null; then
      xl destroy "m$mem" >/dev/null 2>&1 || true
      echo "$mem"
      return 0
    fi
    note "$who does not boot in $mem MiB"
    xl destroy "m$mem" >/dev/null 2>&1 || true
  done
  echo 0
}
m=$(smallest domu 'domu: ready in' 30 1 2 3 4 6 8 12 16 18 20 24 32)
bench min_memory_mib domu "$m" MiB
m=$(smallest linux 'linux-guest: init running' 120 24 32 40 48 64 80 96 128 160 192 256)
bench min_memory_mib linux "$m" MiB
