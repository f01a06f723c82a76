# timeout: 600
# domu's blkback re-serves a block device of its own: dd imports a 32 MiB
# file of Dom0 as xvda (blkfront) and exports it (`target=xvda`) to the
# Linux reference guest, beside a read-only RAM disk (`access=ro`). What
# Linux writes is in the file in Dom0 (checksums), what Dom0 writes to the
# file Linux reads; the read-only disk is read-only in Linux; a target
# that does not exist and a second read-write export of xvda are refused
# with the reason in XenStore and domu keeps serving; after the detaches
# domu's counts are back.
file=$TESTHOST_WORK/dd-disk.img
truncate -s 32M "$file"
domu_create dd 'memory = 128' "disk = ['$file,raw,xvda,rw']"
console_wait dd 'blkfront: xvda: connected' 30 >/dev/null
DD=$(domid dd)
# xvda's persistent-grant pool grows with use: fill it first, so that the
# counts after the detaches compare like with like.
expect_match "$(shell_run dd 'blk bench xvda seq write 65536 32 1' 60)" 'blk bench: xvda seq write' "warm-up of xvda"
before=$(domu_counts dd)

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
linux_create l "disk = ['backend=dd, vdev=xvdb, target=xvda', 'backend=dd, vdev=xvdc, target=ram:4M, access=ro']"
L=$(domid l)
console_wait l 'linux-guest: shell on' 240 >/dev/null
sleep 2
console_cmd l 'insmod /lib/modules/xen-blkfront.ko; sleep 3; echo "blk-ready"' '^blk-ready' 60 >/dev/null
console_wait dd "blkback: vbd $L/51728: connected: xvda, 65536 sectors" 30 "$mark" >/dev/null
console_wait dd "blkback: vbd $L/51744: connected: ram:4M read-only, 8192 sectors" 30 "$mark" >/dev/null
line=$(console_cmd l 'echo "disks $(cat /sys/block/xvdb/size) $(cat /sys/block/xvdb/ro) $(cat /sys/block/xvdc/size) $(cat /sys/block/xvdc/ro)"' '^disks [0-9]' 10)
expect_eq "$line" "disks 65536 0 8192 1" "sizes and modes Linux sees"

# Linux writes 4 MiB at 1 MiB; Dom0 finds it in the file.
line=$(console_cmd l 'mkdir -p /tmp; dd if=/dev/urandom of=/tmp/p bs=1M count=4 2>/dev/null; echo "sum-a $(md5sum </tmp/p)"' '^sum-a [0-9a-f]{32}' 60)
sum_a=${line#sum-a }
sum_a=${sum_a%% *}
console_cmd l 'dd if=/tmp/p of=/dev/xvdb bs=1M seek=1 2>/dev/null; sync; echo "wrote rc=$?"' '^wrote rc=0' 120 >/dev/null
shell_ok dd 'blk flush xvda' >/dev/null
got=$(dd if="$file" bs=1M skip=1 count=4 status=none | md5sum)
expect_eq "${got%% *}" "$sum_a" "the file in Dom0 holds what Linux wrote through domu"
# Dom0 writes at 16 MiB; Linux reads it through domu (past its cache).
dd if=/dev/urandom of="$TESTHOST_WORK/q" bs=1M count=2 status=none
dd if="$TESTHOST_WORK/q" of="$file" bs=1M seek=16 conv=notrunc,fsync status=none
sum_q=$(md5sum <"$TESTHOST_WORK/q")
line=$(console_cmd l 'echo 3 >/proc/sys/vm/drop_caches; echo "sum-q $(dd if=/dev/xvdb bs=1M skip=16 count=2 2>/dev/null | md5sum)"' '^sum-q [0-9a-f]{32}' 60)
sum_l=${line#sum-q }
expect_eq "${sum_l%% *}" "${sum_q%% *}" "what Linux reads through domu of Dom0's write"
# The read-only RAM disk reads as zeros and Linux will not write it.
line=$(console_cmd l 'echo "sum-z $(dd if=/dev/xvdc bs=4096 count=1024 2>/dev/null | md5sum)"' '^sum-z [0-9a-f]{32}' 60)
zero=$(head -c 4194304 /dev/zero | md5sum)
expect_eq "$(echo "${line#sum-z }" | cut -d' ' -f1)" "${zero%% *}" "the read-only RAM disk reads as zeros"

out=$(shell_ok dd blkback)
note "blkback: $(tr '\n' '|' <<<"$out")"
expect_match "$out" "^vbd $L/51728: target xvda mode w, 65536 sectors, state Connected" "the re-served xvda"
expect_match "$out" "^vbd $L/51744: target ram:4M mode r, 8192 sectors, state Connected" "the read-only RAM disk"
expect_match "$out" '^blkback: 2 exports' "two exports"

# Refused targets: the attach fails, the reason is in XenStore (while the
# device exists) or the log, and domu keeps serving the others.
mark=$(console_mark dd)
if timeout 60 xl block-attach l 'backend=dd, vdev=xvdd, target=xvdq' 2>"$TESTHOST_WORK/att1.err"; then
  fail "xl block-attach of a target that does not exist succeeded"
fi
console_wait dd "target 'xvdq': no such domu block device" 20 "$mark" >/dev/null
if timeout 60 xl block-attach l 'backend=dd, vdev=xvde, target=xvda' 2>"$TESTHOST_WORK/att2.err"; then
  fail "a second read-write export of xvda succeeded"
fi
console_wait dd "target 'xvda': the device is already exported read-write" 20 "$mark" >/dev/null
line=$(console_cmd l 'echo "sum-r $(dd if=/dev/xvdb bs=1M skip=1 count=4 2>/dev/null | md5sum)"' '^sum-r [0-9a-f]{32}' 60)
sum_r=${line#sum-r }
expect_eq "${sum_r%% *}" "$sum_a" "xvdb still served after the refused attaches"
domain_exists dd || fail "dd is gone"

for v in xvdb xvdc; do
  timeout 60 xl block-detach l "$v" || fail "xl block-detach $v failed"
done
t0=$(now_ms)
while ! [[ $(shell_ok dd blkback) =~ blkback:\ 0\ exports ]]; do
  [ "$(elapsed_ms "$t0")" -lt 30000 ] || fail "exports left after the detaches: $(shell_ok dd blkback | tr '\n' '|')"
  sleep 1
done
counts_back dd "$before" 30 "every export detached" 64
shell_ok dd 'blk read xvda 0 8' 30 >/dev/null # xvda itself still works in dd
