#!/usr/bin/env bash
# make bench: figures for domu against the stock Debian Linux PVH guest on
# the same Xen test host, and their ratios. Not a test: it prints figures.
#   bench.sh KERNEL
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
kernel=$1
log=$top/build/bench.log
mkdir -p "$top/build"
set +e
"$top/tools/testhost/scenarios.sh" "$kernel" "$top"/tests/bench/[0-9]*.sh 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

val() { grep -E "^ *BENCH $1 $2 " "$log" | tail -1 | awk '{ print $4 }' || true; }
row() { # METRIC LABEL UNIT GOAL-TEXT HIGHER-IS-BETTER(0/1)
  local d l r
  d=$(val "$1" domu)
  l=$(val "$1" linux)
  if [ -n "$d" ] && [ -n "$l" ] && [ "$d" != 0 ] && [ "$l" != 0 ]; then
    if [ "$5" = 1 ]; then
      r=$(awk -v d="$d" -v l="$l" 'BEGIN { printf "domu/linux = %.2f", d / l }')
    else
      r=$(awk -v d="$d" -v l="$l" 'BEGIN { printf "linux/domu = %.1f", l / d }')
    fi
  else
    r="(missing)"
  fi
  printf '%-34s %10s %-4s %10s %-4s  %-20s %s\n' "$2" "${d:--}" "$3" "${l:--}" "$3" "$r" "$4"
}

echo
echo "== domu vs Linux (PVH, same Xen test host; software emulation)"
printf '%-34s %15s %15s  %-20s %s\n' "" "domu" "linux" "ratio" "goal"
row boot_wall_ms "boot: xl create -> ready (wall)" ms "domu < 1/20 of linux" 0
row boot_guest_ms "boot: kernel entry -> ready" ms "" 0
row min_memory_mib "smallest memory= that boots" MiB "domu < 1/16 of linux" 0
row saverestore_ms "xl save + xl restore (128 MiB)" ms "domu < 1/5 of linux" 0
row balloon_down_ms "balloon 64 MiB down (tot_pages)" ms "domu < 1/2 of linux" 0
row balloon_up_ms "balloon 64 MiB up (tot_pages)" ms "domu < 1/2 of linux" 0
row blk_seqread64k_kibs "blk seq read 64 KiB (KiB/s)" KiB/s "domu >= 1.2x linux" 1
row blk_seqwrite64k_kibs "blk seq write 64 KiB (KiB/s)" KiB/s "domu >= 1.2x linux" 1
row blk_seqread1m_kibs "blk seq read 1 MiB (KiB/s)" KiB/s "domu >= 1.2x linux" 1
row blk_seqwrite1m_kibs "blk seq write 1 MiB (KiB/s)" KiB/s "domu >= 1.2x linux" 1
row blk_randread4k_qd1_iops "blk 4 KiB random read QD1" IOPS "domu >= 1.2x linux" 1
row blk_randread4k_qd32_iops "blk 4 KiB random read QD32" IOPS "domu >= 1.2x linux" 1
row evtchn_rtt_us "evtchn round trip guest<->guest" us "domu <= linux" 0
row net_ping_rtt_us "net ping Dom0->guest (median)" us "linux/domu >= 1.2" 0
row net_udp64_pps "net UDP 64 B echo Dom0<->guest" pkt/s "domu >= 1.2x linux" 1
row net_udp1472_pps "net UDP 1472 B echo Dom0<->guest" pkt/s "domu >= 1.2x linux" 1
row net_udp1472_kbs "net UDP 1472 B each way (KB/s)" KB/s "domu >= 1.2x linux" 1
row net_tcp_1m_ms "net TCP 1 MB guest->Dom0 (wget)" ms "domu faster" 0
d=$(val downtime_ms domu)
printf '%-34s %10s %-4s\n' "domu downtime across save/restore" "${d:--}" ms

# The same figures as charts (tools/bench/report.sh).
echo
if "$top/tools/bench/report.sh" "$log" "$top/build/bench/report.html"; then
  echo "bench: open build/bench/report.html in a browser (xdg-open build/bench/report.html)"
else
  echo "bench: no report written (no figures in $log?)"
fi
exit "$rc"
