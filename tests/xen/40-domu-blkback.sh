# timeout: 600
# domu as a storage driver domain under stock xl: the Linux reference
# guest's disk is `backend=dd, target=ram:64M`, served by domu's blkback
# (a RAM disk inside domu, grant copy). Linux writes 8 MiB of random data
# with dd, reads it back past its page cache and the checksums match;
# domu's `blkback` counts the requests and bytes; a sector beyond the end
# is refused without taking the disk down; xl block-detach ends it and
# domu's grants, ports, pages, heap and threads come back to what they
# were before the attach.
domu_create dd 'memory = 128'
console_wait dd 'domu: ready in' 30 >/dev/null
DD=$(domid dd)
before=$(domu_counts dd)
note "driver domain dd is domain $DD; before: $before"
expect_match "$(shell_ok dd blkback)" '^blkback: 0 exports, foreign grants 0 mapped now' "blkback with nothing exported"

# The reference guest with the xen-blkfront module in its initramfs.
kver=$(uname -r)
x=$TESTHOST_WORK/extra
mkdir -p "$x/lib/modules"
cp "/lib/modules/$kver/kernel/drivers/block/xen-blkfront.ko" "$x/lib/modules/" || fail "no xen-blkfront.ko in Dom0's modules"
# One gzip stream (two cpio archives in it): with two gzip members
# libxc reads the size of the last one only and its gunzip of the ramdisk
# can fail ("xc_dom_do_gunzip: inflate failed").
{ gzip -dc "$LINUX_INITRD"; (cd "$x" && find . | busybox cpio -o -H newc 2>/dev/null); } | gzip -1 >"$TESTHOST_WORK/linux-blk.gz"
LINUX_INITRD=$TESTHOST_WORK/linux-blk.gz
mark=$(console_mark dd)
linux_create l "disk = ['backend=dd, vdev=xvdb, target=ram:64M']"
L=$(domid l)
console_wait l 'linux-guest: shell on' 240 >/dev/null
sleep 2
console_cmd l 'insmod /lib/modules/xen-blkfront.ko; sleep 3; echo "blk-size $(cat /sys/block/xvdb/size)"' '^blk-size ' 60 >/dev/null
line=$(console_wait dd "blkback: vbd $L/51728: connected" 30 "$mark")
expect_match "$line" 'ram:64M, 131072 sectors' "domu's connect line"
line=$(console_cmd l 'echo "blk-size $(cat /sys/block/xvdb/size) ro $(cat /sys/block/xvdb/ro)"' '^blk-size [0-9]+ ro' 10)
expect_eq "$line" "blk-size 131072 ro 0" "the size and mode Linux sees"

# 8 MiB of random data, written, read back past the page cache.
line=$(console_cmd l 'mkdir -p /tmp; dd if=/dev/urandom of=/tmp/p bs=1M count=8 2>/dev/null; echo "sum-a $(md5sum </tmp/p)"' '^sum-a [0-9a-f]{32}' 60)
sum_a=${line#sum-a }
console_cmd l 'dd if=/tmp/p of=/dev/xvdb bs=1M 2>/dev/null; sync; echo "wrote rc=$?"' '^wrote rc=0' 120 >/dev/null
console_cmd l 'echo 3 >/proc/sys/vm/drop_caches; echo "dropped rc=$?"' '^dropped rc=0' 30 >/dev/null
line=$(console_cmd l 'echo "sum-b $(dd if=/dev/xvdb bs=1M count=8 2>/dev/null | md5sum)"' '^sum-b [0-9a-f]{32}' 120)
expect_eq "${line#sum-b }" "$sum_a" "checksum of what Linux read back from domu's RAM disk"
# Unaligned: 3 sectors at sector 131001 (the page cache reads and writes
# whole pages around them), then the last 4 KiB; read back after a drop.
line=$(console_cmd l 'dd if=/tmp/p of=/dev/xvdb bs=512 skip=77 seek=131001 count=3 conv=notrunc 2>/dev/null; sync; echo 3 >/proc/sys/vm/drop_caches; echo "sum-c $(dd if=/dev/xvdb bs=512 skip=131001 count=3 2>/dev/null | md5sum) $(dd if=/tmp/p bs=512 skip=77 count=3 2>/dev/null | md5sum)"' '^sum-c [0-9a-f]{32}' 60)
read -r _ c1 _ c2 _ <<<"$line"
[ -n "$c1" ] && [ "$c1" = "$c2" ] || fail "unaligned write at the end of the disk read back differently: $line"

out=$(shell_ok dd blkback)
note "blkback after the I/O: $(tr '\n' '|' <<<"$out")"
expect_match "$out" "^vbd $L/51728: target ram:64M mode w, 131072 sectors, state Connected" "blkback's export line"
[[ $out =~ requests:\ ([0-9]+)\ reads\ ([0-9]+)\ writes\ ([0-9]+)\ flushes ]] || fail "no requests line: $out"
reads=${BASH_REMATCH[1]} writes=${BASH_REMATCH[2]}
[ "$reads" -gt 0 ] && [ "$writes" -gt 0 ] || fail "blkback counted $reads reads and $writes writes"
[[ $out =~ bytes:\ ([0-9]+)\ read\ ([0-9]+)\ written ]] || fail "no bytes line: $out"
[ "${BASH_REMATCH[1]}" -ge 8388608 ] && [ "${BASH_REMATCH[2]}" -ge 8388608 ] ||
  fail "blkback moved ${BASH_REMATCH[1]} bytes read, ${BASH_REMATCH[2]} written (8 MiB each way expected)"
expect_match "$out" ' 0 errors ' "no errors yet"
expect_match "$out" 'foreign grants 1 mapped now' "only the ring is mapped (data by grant copy)"

# Detach: Linux lets go, domu unmaps, says Closed and removes its folder.
mark=$(console_mark dd)
t0=$(now_ms)
timeout 60 xl block-detach l xvdb || fail "xl block-detach failed"
note "xl block-detach took $(elapsed_ms "$t0") ms"
console_wait dd "blkback: vbd $L/51728: closed" 30 "$mark" >/dev/null
if xenstore-read "/local/domain/$DD/backend/vbd/$L/51728/state" >/dev/null 2>&1; then
  fail "domu's back-end folder is still there after the detach"
fi
expect_match "$(shell_ok dd blkback)" '^blkback: 0 exports, foreign grants 0 mapped now' "blkback after the detach"
counts_back dd "$before" 30 "the export detached"
line=$(console_cmd l 'echo "blocks: $(ls /sys/block | tr "\n" " ")end"' '^blocks: .*end$' 10)
expect_no_match "$line" 'xvdb' "Linux's block devices after the detach"
