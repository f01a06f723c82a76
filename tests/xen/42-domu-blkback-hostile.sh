# timeout: 600
# A hostile front-end against domu's blkback: tools/dom0/blkfront-evil
# (libxengntshr, libxenevtchn, libxenstore) plays xl and blkfront from
# Dom0, each time on a new device of the driver domain dd (target
# ram:1M). After a good write and read (checked byte for byte) it sends
# one bad request: out-of-range, a write to a mode=r export, a grant never
# made and an unknown operation are answered with an error and the device
# keeps serving; no segments, 12 segments, a segment past its page, one
# with first > last and a producer more than a ring ahead take that device
# down with the reason in XenStore. Every time the detach completes (the
# back-end's folder goes), dd keeps running, and at the end its grants,
# ports, pages, heap and threads are what they were.
[ -x "${DOM0_TOOLS:-}/blkfront-evil" ] || fail "blkfront-evil missing (make builds it into build/dom0-tools)"
modprobe xen_gntalloc 2>/dev/null || true
[ -e /dev/xen/gntalloc ] || fail "no /dev/xen/gntalloc in Dom0 (xen_gntalloc)"
domu_create dd 'memory = 64'
console_wait dd 'domu: ready in' 30 >/dev/null
DD=$(domid dd)
before=$(domu_counts dd)
evil() { # DEVID MODE CASE
  timeout 90 "$DOM0_TOOLS/blkfront-evil" "$DD" "$1" ram:1M "$2" "$3" 2>&1 | tee -a "$TESTHOST_WORK/evil.log"
}
dev=100
served() { # CASE MODE STATUS: answered with STATUS, still up after
  local out
  dev=$((dev + 1))
  out=$(evil "$dev" "$2" "$1")
  note "$1: $(tr '\n' '|' <<<"$out")"
  expect_match "$out" '^blkfront-evil: connected, 2048 sectors' "$1: connected"
  if [ "$2" = w ]; then
    expect_match "$out" '^blkfront-evil: good: write status 0, read status 0, data matches' "$1: the good write and read"
  else
    expect_match "$out" '^blkfront-evil: good: read status 0' "$1: the good read"
  fi
  [ "$1" = good ] || expect_match "$out" "^blkfront-evil: $1: status $3\$" "$1: the bad request's answer"
  expect_match "$out" '^blkfront-evil: after: up, read status 0' "$1: the device still serves"
  expect_match "$out" '^blkfront-evil: detached' "$1: detached"
}
down() { # CASE REASON: the device goes down with REASON in its error node
  local out
  dev=$((dev + 1))
  out=$(evil "$dev" w "$1")
  note "$1: $(tr '\n' '|' <<<"$out")"
  expect_match "$out" '^blkfront-evil: good: write status 0, read status 0, data matches' "$1: the good write and read"
  expect_match "$out" "^blkfront-evil: $1: down, state [56], error: .*$2" "$1: down with the reason"
  expect_match "$out" '^blkfront-evil: after: down' "$1: stays down"
  expect_match "$out" '^blkfront-evil: detached' "$1: detached"
  console_wait dd "blkback: vbd 0/$dev: .*$2" 5 >/dev/null
}
served good w
served range w -1
served write r -1
served gref w -1
served op w -2
down nseg0 'segment count not 1..11'
down nseg12 'segment count not 1..11'
down lastsect 'a segment ends beyond its page'
down order "a segment's first sector is after its last"
down prod 'request producer ran more than a ring ahead'
served good w
domain_exists dd || fail "dd is gone"
expect_match "$(shell_ok dd blkback)" '^blkback: 0 exports, foreign grants 0 mapped now' "blkback after every device went"
counts_back dd "$before" 30 "every hostile device gone"
