# timeout: 1500
# Block I/O on the same back-end (a 256 MiB RAM disk in Dom0, phy:, the
# stock blkback) for domu's blkfront and for the Linux guest's
# xen-blkfront: sequential read and write with 64 KiB and 1 MiB requests
# (one at a time, like dd with O_DIRECT) and 4 KiB random reads at queue
# depth 1 and 32. Linux runs tools/dom0/blkbench (static, O_DIRECT,
# one thread per request in flight), added with the xen-blkfront module
# to the reference guest's initramfs here in Dom0.
. "$TESTHOST_FILES/bench-lib.sh"
[ -x "${DOM0_TOOLS:-}/blkbench" ] || fail "blkbench missing (make builds it into build/dom0-tools)"
SECS=5
modprobe brd rd_nr=1 rd_size=262144 || fail "no brd module"
dd if=/dev/zero of=/dev/ram0 bs=1M count=256 status=none # every page allocated up front
# name BENCH-LINE-REGEX -> KiB/s or IOPS
figure() { grep -oE "$2 [0-9]+ $3" <<<"$1" | grep -oE '[0-9]+' | head -1; }
runs() { # WHO CMD-PREFIX (a function that runs one bench and prints its line)
  local who=$1 fn=$2 l
  l=$($fn seq read 65536 1);   bench blk_seqread64k_kibs "$who" "$(figure "$l" '' 'KiB/s')" KiB/s
  l=$($fn seq write 65536 1);  bench blk_seqwrite64k_kibs "$who" "$(figure "$l" '' 'KiB/s')" KiB/s
  l=$($fn seq read 1048576 1); bench blk_seqread1m_kibs "$who" "$(figure "$l" '' 'KiB/s')" KiB/s
  l=$($fn seq write 1048576 1); bench blk_seqwrite1m_kibs "$who" "$(figure "$l" '' 'KiB/s')" KiB/s
  l=$($fn rand read 4096 1);   bench blk_randread4k_qd1_iops "$who" "$(figure "$l" '' 'IOPS')" IOPS
  l=$($fn rand read 4096 32);  bench blk_randread4k_qd32_iops "$who" "$(figure "$l" '' 'IOPS')" IOPS
}

domu_create d 'memory = 128' "disk = ['phy:/dev/ram0,xvdb,rw']"
console_wait d 'blkfront: xvdb: connected' 60 >/dev/null
domu_run() { shell_run d "blk bench xvdb $1 $2 $3 $4 $SECS" $((SECS + 60)) | grep 'blk bench:'; }
runs domu domu_run
xl destroy d
sleep 2

kver=$(uname -r)
x=$TESTHOST_WORK/extra
mkdir -p "$x/bin" "$x/lib/modules"
cp "/lib/modules/$kver/kernel/drivers/block/xen-blkfront.ko" "$x/lib/modules/"
cp "$DOM0_TOOLS/blkbench" "$x/bin/"
(cd "$x" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$TESTHOST_WORK/extra.gz"
cat "$LINUX_INITRD" "$TESTHOST_WORK/extra.gz" >"$TESTHOST_WORK/linux-blk.gz"
LINUX_INITRD=$TESTHOST_WORK/linux-blk.gz
linux_create l 'memory = 256' "disk = ['phy:/dev/ram0,xvdb,rw']"
wait_line l 'linux-guest: shell on' 240 >/dev/null || fail "linux: no shell"
sleep 2
console_cmd l 'insmod /lib/modules/xen-blkfront.ko; sleep 3; ls /dev/xvdb && echo blk-ready' '^blk-ready' 60 >/dev/null
linux_run() {
  local mark
  mark=$(console_mark l)
  console_send l "blkbench /dev/xvdb $1 $2 $3 $4 $SECS"
  console_wait l '^blkbench: ' $((SECS + 60)) "$mark"
}
runs linux linux_run
