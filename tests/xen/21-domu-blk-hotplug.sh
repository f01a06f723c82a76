# timeout: 900
# blkfront under change: a phy: back-end (a RAM disk in Dom0), hot attach
# and detach under running I/O and again idle (each time the grant, port,
# page, heap and thread counts come back to what they were before the
# attach), and a save/restore in the middle of a write stream followed by
# a full verify from both sides.
disk=$TESTHOST_WORK/main.img
truncate -s 192M "$disk"
modprobe brd rd_nr=1 rd_size=16384 || fail "no brd RAM disk module"
domu_create hp "disk = ['$disk,raw,xvda,rw', 'phy:/dev/ram0,xvdd,rw']"
console_wait hp 'domu: ready in' 30 >/dev/null
console_wait hp 'blkfront: xvdd: connected' 30 >/dev/null

# phy: the RAM disk.
shell_run hp 'blk fill xvdd 0 2048 4' 60 | grep -q '2048 sectors at 0 written' || fail "fill on phy: failed"
blk_pattern 4 0 2048 | cmp - <(dd if=/dev/ram0 bs=512 count=2048 status=none) || fail "/dev/ram0 does not hold what domu wrote"

# Hot attach, I/O, hot detach while the I/O runs.
third=$TESTHOST_WORK/third.img
truncate -s 32M "$third"
before=$(domu_counts hp)
note "before the attach: $before"
mark=$(console_mark hp)
xl block-attach hp "$third,raw,xvdc,rw" || fail "xl block-attach failed"
console_wait hp 'blkfront: xvdc: connected' 30 "$mark" >/dev/null
shell_run hp 'blk fill xvdc 0 512 6' 30 | grep -q '512 sectors' || fail "fill on the attached disk"
blk_pattern 6 0 512 | cmp - <(dd if="$third" bs=512 count=512 status=none) || fail "attached disk content"
mark=$(console_mark hp)
console_send hp 'blk bench xvdc seq write 65536 8 8'
sleep 3
t0=$(now_ms)
timeout 60 xl block-detach hp xvdc || fail "xl block-detach failed"
note "xl block-detach took $(elapsed_ms "$t0") ms under I/O"
line=$(console_wait hp 'blk bench: xvdc .* requests in' 30 "$mark")
note "the bench saw: $line"
console_wait hp 'blk: xvdc: gone' 10 "$mark" >/dev/null
# xvdc gone from both views (and the lists themselves still there).
out=$(shell_ok hp 'blk list')
expect_match "$out" '^xvda ' "blk list after the detach"
expect_no_match "$out" xvdc "blk list after the detach"
bl=$(xl block-list hp) || fail "xl block-list failed"
expect_match "$bl" '(^|[[:space:]])51712[[:space:]]' "xl block-list (xvda)"
expect_no_match "$bl" '(^|[[:space:]])51744[[:space:]]' "xl block-list after the detach (xvdc)"
counts_back hp "$before" 30 "xvdc detached under I/O"
shell_run hp 'blk fill xvda 0 64 8' | grep -q '64 sectors' || fail "xvda stopped working after xvdc went"

# Attach again under the same name: a fresh device. Counted from here
# (the fill on xvda above grew xvda's own persistent-grant pool).
before=$(domu_counts hp)
mark=$(console_mark hp)
xl block-attach hp "$third,raw,xvdc,rw" || fail "second xl block-attach failed"
console_wait hp 'blkfront: xvdc: connected' 30 "$mark" >/dev/null
blk_pattern 13 1000 64 | dd of="$third" bs=512 seek=1000 conv=notrunc status=none
shell_run hp 'blk verify xvdc 1000 64 13' 30 | grep -q '64 sectors at 1000, 0 bad' || fail "xvdc after re-attach"
# And detached idle: everything back again.
mark=$(console_mark hp)
timeout 60 xl block-detach hp xvdc || fail "second xl block-detach failed"
console_wait hp 'blk: xvdc: gone' 30 "$mark" >/dev/null
counts_back hp "$before" 30 "xvdc detached idle"

# A save/restore in the middle of a write stream.
mark=$(console_mark hp)
console_send hp 'blk fill xvda 0 380000 11'
sleep 0.5
timeout 120 xl save hp "$TESTHOST_WORK/hp.save" >/dev/null 2>&1 || fail "xl save failed"
timeout 120 xl restore "$TESTHOST_WORK/hp.save" >/dev/null 2>&1 || fail "xl restore failed"
console_wait hp 'domu: resumed \(new domain\)' 30 "$mark" >/dev/null
console_wait hp 'blkfront: xvda: reconnected after the restore, [0-9]+ requests re-issued' 30 "$mark"
line=$(console_wait hp 'blk fill: 380000 sectors at 0 written \(seed 11\)' 300 "$mark")
ms=$(grep -oE 'in [0-9]+ ms' <<<"$line" | grep -oE '[0-9]+')
[ "$ms" -gt 3000 ] || fail "the write stream ($ms ms) did not span the save/restore"
shell_run hp 'blk verify xvda 0 380000 11' 300 | grep -q '380000 sectors at 0, 0 bad' || fail "verify after the restore"
blk_pattern 11 0 380000 | cmp - <(dd if="$disk" bs=512 count=380000 status=none) || fail "the file differs from the stream after the restore"
shell_run hp 'blk verify xvdd 0 2048 4' 60 | grep -q '0 bad' || fail "the phy: disk after the restore"
