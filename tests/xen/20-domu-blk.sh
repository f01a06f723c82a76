# timeout: 600
# blkfront against Dom0's stock blkback: a file disk (read-write) and a
# second, read-only one. Data domu writes is read back byte-exact from the
# file in Dom0; data Dom0 writes is read exact by domu; read-only writes
# are refused before they reach the ring; flush and discard go through;
# out-of-range requests are refused.
disk=$TESTHOST_WORK/disk1.img
ro=$TESTHOST_WORK/disk2.img
truncate -s 64M "$disk"
truncate -s 16M "$ro"
# Indirect descriptors are off by default (see blkfront_xs.c): on here.
domu_create blk "disk = ['$disk,raw,xvda,rw', '$ro,raw,xvdb,ro']" 'extra = "blk-indirect"'
console_wait blk 'domu: ready in' 30 >/dev/null
console_wait blk 'blkfront: xvda: connected' 30 >/dev/null
console_wait blk 'blkfront: xvdb: connected' 30 >/dev/null
out=$(shell_run blk 'blk list')
expect_match "$out" 'xvda +131072 sectors +64 MiB +sector 512' "xvda's size"
expect_match "$out" 'xvdb +32768 sectors +16 MiB .*read-only' "xvdb read-only"
note "negotiated: $(grep -m1 'ring ' <<<"$out")"
expect_match "$out" '128 segments per request \(indirect\)' "indirect descriptors in use"

# domu writes, Dom0 reads the file.
shell_run blk 'blk fill xvda 100 300 7' 60 | grep -q 'blk fill: 300 sectors at 100 written' || fail "fill failed"
shell_run blk 'blk flush xvda' | grep -q 'blk:' && fail "flush failed"
blk_pattern 7 100 300 >"$TESTHOST_WORK/expect7"
dd if="$disk" bs=512 skip=100 count=300 status=none | cmp - "$TESTHOST_WORK/expect7" ||
  fail "the file in Dom0 does not hold what domu wrote"
shell_run blk 'blk verify xvda 100 300 7' 60 | grep -q '300 sectors at 100, 0 bad' || fail "domu's own verify failed"

# Dom0 writes the file, domu reads.
blk_pattern 9 5000 64 | dd of="$disk" bs=512 seek=5000 conv=notrunc status=none
sync
shell_run blk 'blk verify xvda 5000 64 9' 60 | grep -q '64 sectors at 5000, 0 bad' || fail "domu did not read what Dom0 wrote"

# Unaligned sizes: a request of 1 sector and one crossing many pages.
shell_run blk 'blk write xvda 7 hello 1' | grep -q 'blk write: 1 sectors at 7' || fail "1-sector write"
[ "$(dd if="$disk" bs=512 skip=7 count=1 status=none | head -c 10)" = hellohello ] || fail "1-sector write not in the file"
shell_run blk 'blk fill xvda 20001 777 3' 60 | grep -q '777 sectors' || fail "777-sector fill"
blk_pattern 3 20001 777 | cmp - <(dd if="$disk" bs=512 skip=20001 count=777 status=none) || fail "777-sector fill differs in Dom0"

# Read-only disk: refused before the ring; reads work.
out=$(shell_run blk 'blk write xvdb 0 nope 1')
expect_match "$out" 'write: EROFS' "write to the read-only disk"
shell_run blk 'blk read xvdb 0 8' | grep -q 'blk read: 8 sectors' || fail "read from the read-only disk"
[ "$(od -An -tx1 -N4 "$ro" | tr -d ' ')" = 00000000 ] || fail "the read-only disk changed"

# Out of range and discard.
expect_match "$(shell_run blk 'blk read xvda 131070 4')" 'read: ERANGE' "read past the end"
out=$(shell_run blk 'blk discard xvda 40000 2048')
if grep -q 'discard' <<<"$(shell_run blk 'blk list' | grep -m1 'ring ')"; then
  [ -z "$out" ] || fail "discard failed: $out"
  note "discard offered by blkback and done"
else
  expect_match "$out" 'EOPNOTSUPP' "discard when not offered"
  note "blkback offers no discard on this disk: refused before the ring"
fi
shell_run blk 'blk list' | grep -qE 'errors 0$' || note "device errors: $(shell_run blk 'blk list' | grep errors)"
