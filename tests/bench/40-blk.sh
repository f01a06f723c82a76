# timeout: 1800
# Block I/O on the same back-end (a 192 MiB RAM disk in Dom0 for each
# guest, phy:, the stock blkback) for domu's blkfront and for the Linux guest's
# xen-blkfront: sequential read and write with 64 KiB and 1 MiB requests
# (one at a time, like dd with O_DIRECT) and 4 KiB random reads at queue
# depth 1 and 32. Linux runs tools/dom0/blkbench (static, O_DIRECT,
# one thread per request in flight), added with the xen-blkfront module
# to the reference guest's initramfs here in Dom0.
. "$TESTHOST_FILES/bench-lib.sh"
[ -x "${DOM0_TOOLS:-}/blkbench" ] || fail "blkbench missing (make builds it into build/dom0-tools)"
SECS=5
ROUNDS=3 # every figure: ROUNDS runs each, domu and Linux in turn, the order flipped every round
# Two RAM disks, one per guest (xl refuses one writable disk in two guests),
# so both guests are up at once and measured in alternating rounds: drift of
# the emulated host (other work on its 2 cores) falls on both alike.
modprobe brd rd_nr=2 rd_size=196608 || fail "no brd module"
for d in /dev/ram0 /dev/ram1; do
  dd if=/dev/zero of=$d bs=1M count=192 status=none # every page allocated up front
done
# figure LINE UNIT -> the number before UNIT
figure() { grep -oE "[0-9]+ $2" <<<"$1" | grep -oE '[0-9]+' | head -1; }

domu_create d 'memory = 128' "disk = ['phy:/dev/ram0,xvdb,rw']"
console_wait d 'blkfront: xvdb: connected' 60 >/dev/null || fail "domu: xvdb not connected"

kver=$(uname -r)
x=$TESTHOST_WORK/extra
mkdir -p "$x/bin" "$x/lib/modules"
cp "/lib/modules/$kver/kernel/drivers/block/xen-blkfront.ko" "$x/lib/modules/"
cp "$DOM0_TOOLS/blkbench" "$x/bin/"
(cd "$x" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$TESTHOST_WORK/extra.gz"
cat "$LINUX_INITRD" "$TESTHOST_WORK/extra.gz" >"$TESTHOST_WORK/linux-blk.gz"
LINUX_INITRD=$TESTHOST_WORK/linux-blk.gz
linux_create l 'memory = 256' "disk = ['phy:/dev/ram1,xvdb,rw']"
wait_line l 'linux-guest: shell on' 240 >/dev/null || fail "linux: no shell"
sleep 2
console_cmd l 'insmod /lib/modules/xen-blkfront.ko; sleep 3; ls /dev/xvdb && echo blk-ready' '^blk-ready' 60 >/dev/null ||
  fail "linux: no xvdb"

# one_run WHO MODE OP SIZE DEPTH: one bench line of that guest
one_run() {
  local who=$1 mark
  shift
  if [ "$who" = domu ]; then
    shell_run d "blk bench xvdb $1 $2 $3 $4 $SECS" $((SECS + 60)) | grep 'blk bench:'
  else
    mark=$(console_mark l)
    console_send l "blkbench /dev/xvdb $1 $2 $3 $4 $SECS"
    console_wait l '^blkbench: ' $((SECS + 60)) "$mark"
  fi
}
declare -A vals=()
# measure METRIC UNIT MODE OP SIZE DEPTH: ROUNDS runs of each guest in turn, the median of each
measure() {
  local metric=$1 unit=$2 r who v order
  shift 2
  for r in $(seq 1 $ROUNDS); do
    if [ $((r % 2)) = 1 ]; then order="domu linux"; else order="linux domu"; fi
    for who in $order; do
      v=$(figure "$(one_run "$who" "$@")" "$unit")
      [ -n "$v" ] || fail "$who: no figure for $metric"
      vals[$metric.$who]+="$v "
    done
  done
  for who in domu linux; do
    note "$metric $who: ${vals[$metric.$who]}"
    # shellcheck disable=SC2086 # one number per word
    bench "$metric" "$who" "$(median ${vals[$metric.$who]})" "$unit"
  done
}
measure blk_seqread64k_kibs KiB/s seq read 65536 1
measure blk_seqwrite64k_kibs KiB/s seq write 65536 1
measure blk_seqread1m_kibs KiB/s seq read 1048576 1
measure blk_seqwrite1m_kibs KiB/s seq write 1048576 1
measure blk_randread4k_qd1_iops IOPS rand read 4096 1
measure blk_randread4k_qd32_iops IOPS rand read 4096 32
