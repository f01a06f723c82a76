# timeout: 400
# domu's blkfront against domu's blkback: the client domu's disk is
# `backend=dd, target=ram:16M`. A pattern written and verified across the
# whole disk and at unaligned places, a flush, a discard (the RAM disk
# gives whole pages back and they read as zeros), the figures of a short
# benchmark both ways; a hot detach and attach of a second export under
# stock xl, and at the end dd's counts are what they were before.
domu_create dd 'memory = 96'
console_wait dd 'domu: ready in' 30 >/dev/null
before=$(domu_counts dd)
mark=$(console_mark dd)
domu_create c "disk = ['backend=dd, vdev=xvdb, target=ram:16M']"
C=$(domid c)
console_wait c 'blkfront: xvdb: connected' 30 >/dev/null
console_wait dd "blkback: vbd $C/51728: connected: ram:16M, 32768 sectors" 10 "$mark" >/dev/null

expect_match "$(shell_ok c 'blk list')" '^xvdb .*32768' "the client sees 32768 sectors"
expect_match "$(shell_run c 'blk fill xvdb 0 32768 5' 120)" 'blk fill: 32768 sectors at 0 written' "fill of the whole disk"
expect_match "$(shell_run c 'blk verify xvdb 0 32768 5' 120)" 'blk verify: 32768 sectors at 0, 0 bad' "verify of the whole disk"
expect_match "$(shell_run c 'blk fill xvdb 1001 77 6' 30)" 'blk fill: 77 sectors at 1001 written' "unaligned fill"
expect_match "$(shell_run c 'blk verify xvdb 1001 77 6' 30)" '77 sectors at 1001, 0 bad' "unaligned verify"
expect_match "$(shell_run c 'blk verify xvdb 1078 100 5' 30)" '100 sectors at 1078, 0 bad' "the pattern after it untouched"
shell_ok c 'blk flush xvdb' >/dev/null
res_before=$(shell_ok dd blkback | grep -oE 'RAM [0-9]+ KiB resident' | grep -oE '[0-9]+')
shell_ok c 'blk discard xvdb 8192 8192' >/dev/null
res_after=$(shell_ok dd blkback | grep -oE 'RAM [0-9]+ KiB resident' | grep -oE '[0-9]+')
[ "$res_after" -eq $((res_before - 4096)) ] || fail "discard of 4 MiB: resident $res_before -> $res_after KiB"
out=$(shell_run c 'blk read xvdb 8192 8' 30)
zero=$(shell_run c 'blk read xvdb 8200 8' 30)
expect_match "$out" 'blk read: 8 sectors' "read of discarded sectors"
[ "$(grep -oE 'fnv1a [0-9a-f]+' <<<"$out")" = "$(grep -oE 'fnv1a [0-9a-f]+' <<<"$zero")" ] || fail "discarded sectors differ: $out / $zero"
expect_match "$(shell_run c 'blk verify xvdb 16384 100 5' 30)" '100 sectors at 16384, 0 bad' "sectors after the discard untouched"

for spec in 'seq read 65536 1' 'seq write 65536 1' 'rand read 4096 1' 'rand read 4096 32'; do
  line=$(shell_run c "blk bench xvdb $spec 3" 60 | grep 'blk bench:') || fail "bench $spec"
  note "domu on domu: $line"
done
out=$(shell_ok dd blkback)
note "blkback: $(tr '\n' '|' <<<"$out")"
expect_match "$out" ' 0 errors ' "no errors"
expect_match "$out" " [1-9][0-9]* discards," "the discard reached the back-end"

# Hot-plug a second export and take it away again; the first keeps going.
expect_match "$(shell_run c 'blk fill xvdb 0 1000 9' 60)" '1000 sectors at 0 written' "fill before the hot-plug"
mark=$(console_mark c)
xl block-attach c 'backend=dd, vdev=xvdc, target=ram:4M' || fail "xl block-attach failed"
console_wait c 'blkfront: xvdc: connected' 30 "$mark" >/dev/null
expect_match "$(shell_run c 'blk fill xvdc 0 8192 7' 60)" '8192 sectors at 0 written' "fill of the attached disk"
expect_match "$(shell_run c 'blk verify xvdc 0 8192 7' 60)" '8192 sectors at 0, 0 bad' "verify of the attached disk"
timeout 60 xl block-detach c xvdc || fail "xl block-detach xvdc failed"
console_wait c 'blk: xvdc: gone' 30 "$mark" >/dev/null
expect_match "$(shell_run c 'blk verify xvdb 0 1000 9' 60)" '1000 sectors at 0, 0 bad' "xvdb after xvdc went"

timeout 60 xl block-detach c xvdb || fail "xl block-detach xvdb failed"
t0=$(now_ms)
while ! [[ $(shell_ok dd blkback) =~ blkback:\ 0\ exports,\ foreign\ grants\ 0\ mapped ]]; do
  [ "$(elapsed_ms "$t0")" -lt 20000 ] || fail "blkback after the detaches: $(shell_ok dd blkback | tr '\n' '|')"
  sleep 1
done
counts_back dd "$before" 30 "every export detached"
