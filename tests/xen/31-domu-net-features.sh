# timeout: 900
# netfront's negotiated features against the stock netback: multi-queue
# (one ring pair and event channel(s) per queue, the queue-N keys in
# XenStore), scatter-gather (with net-sg=chain every frame goes as header
# + payload slots, counted; by default a frame that fits a page takes one),
# traffic on every queue from several concurrent flows, the
# fallback to one queue and no scatter-gather (net-queues=1 net-sg=off:
# the flat keys, feature-sg 0) with everything still working, and
# save/restore, migration and hot attach/detach with several queues.
[ -x "${DOM0_TOOLS:-}/udpcheck" ] || fail "udpcheck missing (make builds it into build/dom0-tools)"
ip link show xenbr0 >/dev/null 2>&1 || fail "Dom0 has no bridge xenbr0"
domu_create mq "vif = ['bridge=xenbr0,mac=00:16:3e:00:00:41,ip=10.0.0.41']" 'extra = "net-sg=chain"'
domu_create sq "vif = ['bridge=xenbr0,mac=00:16:3e:00:00:42']" 'extra = "ip=10.0.0.42/24 net-queues=1 net-sg=off"'
console_wait mq 'net: eth0: 10.0.0.41/24' 30 >/dev/null
console_wait sq 'net: eth0: 10.0.0.42/24' 30 >/dev/null

# What netback offers, and what domu must then have chosen (at most 4).
be=/local/domain/0/backend/vif/$(domid mq)/0
offered=$(xs_read "$be/multi-queue-max-queues")
expect_eq "$(xs_read "$be/feature-sg")" 1 "netback offers feature-sg"
want=$(( offered < 4 ? offered : 4 ))
[ "$want" -ge 2 ] || fail "netback offers $offered queue(s): this scenario needs 2 or more"
note "netback offers $offered queues; domu should use $want"

# Multi-queue and scatter-gather as domu wrote them.
fe=/local/domain/$(domid mq)/device/vif/0
check_mq_keys() {
  local fe=$1 n=$2 q
  expect_eq "$(xs_read "$fe/multi-queue-num-queues")" "$n" "multi-queue-num-queues ($fe)"
  expect_eq "$(xs_read "$fe/feature-sg")" 1 "feature-sg ($fe)"
  expect_eq "$(xs_read "$fe/feature-no-csum-offload")" 1 "feature-no-csum-offload ($fe)"
  for ((q = 0; q < n; q++)); do
    xs_read "$fe/queue-$q/tx-ring-ref" | grep -qE '^[0-9]+$' || fail "$fe/queue-$q/tx-ring-ref"
    xs_read "$fe/queue-$q/rx-ring-ref" | grep -qE '^[0-9]+$' || fail "$fe/queue-$q/rx-ring-ref"
    xenstore-read "$fe/queue-$q/event-channel-tx" >/dev/null 2>&1 ||
      xenstore-read "$fe/queue-$q/event-channel" >/dev/null 2>&1 || fail "$fe/queue-$q has no event channel"
  done
  if xenstore-read "$fe/tx-ring-ref" >/dev/null 2>&1; then fail "flat tx-ring-ref written with $n queues"; fi
}
check_mq_keys "$fe" "$want"
# NAME: wait (30 s) until its vif 0 is Connected on both sides.
vif_wait_connected() {
  local d t0 fe_st be_st
  d=$(domid "$1")
  t0=$(now_ms)
  while :; do
    fe_st=$(xenstore-read "/local/domain/$d/device/vif/0/state" 2>/dev/null || echo none)
    be_st=$(xenstore-read "/local/domain/0/backend/vif/$d/0/state" 2>/dev/null || echo none)
    [ "$fe_st" = 4 ] && [ "$be_st" = 4 ] && return 0
    [ "$(elapsed_ms "$t0")" -lt 30000 ] || fail "vif 0 of $1 not connected after 30 s (front $fe_st, back $be_st)"
    sleep 0.5
  done
}
out=$(shell_run mq 'net stats')
expect_match "$out" "netfront connected: $want queues \(back-end offers $offered\), sg on" "net stats: queues and sg"
expect_match "$out" "queue $((want - 1)): tx" "net stats: a line per queue"

# The fallback: one queue, no scatter-gather, flat keys.
fs=/local/domain/$(domid sq)/device/vif/0
xs_read "$fs/tx-ring-ref" | grep -qE '^[0-9]+$' || fail "flat tx-ring-ref with one queue"
if xenstore-read "$fs/multi-queue-num-queues" >/dev/null 2>&1; then fail "multi-queue-num-queues with one queue"; fi
if xenstore-read "$fs/queue-0/tx-ring-ref" >/dev/null 2>&1; then fail "queue-0 keys with one queue"; fi
expect_eq "$(xs_read "$fs/feature-sg")" 0 "feature-sg 0 with net-sg=off"
expect_match "$(shell_run sq 'net stats')" 'netfront connected: 1 queue \(back-end offers [0-9]+\), sg off' \
  "net stats of the fallback"

# Traffic from several flows at once: TCP transfers and UDP echo of the
# larger sizes (every size is scenario 30's) from Dom0 to both guests,
# each checked. Kept to what proves the queues: heavy traffic makes the
# emulated host's rare triple faults likely (one hit a guest here).
line='domu tcp test pattern 0123456789 abcdefghijklmnopqrstuvwxyz ABC'
{ yes "$line" || true; } | head -c 100000 >"$TESTHOST_WORK/ref"
shell_run mq 'udp-echo 7777' | grep -q 'answering on port 7777' || fail "udp-echo on mq"
shell_run sq 'udp-echo 7777' | grep -q 'answering on port 7777' || fail "udp-echo on sq"
pids=() what=()
for g in 41 42; do
  for i in 1 2 3 4; do
    timeout 120 busybox wget -q -O "$TESTHOST_WORK/t$g-$i" "http://10.0.0.$g/bytes/100000" \
      2>"$TESTHOST_WORK/t$g-$i.err" & pids+=($!) what+=("wget $i from 10.0.0.$g")
  done
  for i in 1 2; do
    timeout 150 "$DOM0_TOOLS/udpcheck" "10.0.0.$g" 7777 sizes 1000 1472 >"$TESTHOST_WORK/u$g-$i" 2>&1 &
    pids+=($!) what+=("udpcheck $i to 10.0.0.$g")
  done
done
t0=$(now_ms)
failed=""
for k in "${!pids[@]}"; do
  rc=0
  wait "${pids[$k]}" || rc=$?
  [ "$rc" = 0 ] || failed="$failed; ${what[$k]} exited $rc after $(elapsed_ms "$t0") ms"
done
if [ -n "$failed" ]; then
  cat "$TESTHOST_WORK"/t*.err "$TESTHOST_WORK"/u4* >&2 || true
  shell_run mq 'net stats' >&2 || true
  fail "concurrent transfers: ${failed#; }"
fi
note "concurrent transfers done in $(elapsed_ms "$t0") ms"
for g in 41 42; do
  for i in 1 2 3 4; do
    cmp "$TESTHOST_WORK/ref" "$TESTHOST_WORK/t$g-$i" || fail "TCP transfer $i from 10.0.0.$g differs"
  done
  for i in 1 2; do
    expect_match "$(cat "$TESTHOST_WORK/u$g-$i")" 'sizes 1000..1472: 473 ok, 0 lost, 0 errors' \
      "UDP echo of sizes 1000-1472 from 10.0.0.$g, flow $i"
  done
done
expect_match "$(busybox ping -c 20 -i 0.05 -W 2 10.0.0.41 2>&1 | tail -2)" '20 packets received' "Dom0 pings mq"
expect_match "$(shell_run sq 'ping 10.0.0.41 10' 60)" '10 sent, 10 received' "sq pings mq"

# Every queue carried frames both ways, and frames went out in several
# slots (header + payload) on mq but never on the fallback.
queue_counts() { # NAME: "tx rx multi" per queue, one line each
  shell_run "$1" 'net stats' | sed -nE 's/.*queue ([0-9]+): tx ([0-9]+) frames \(([0-9]+) multi-slot\), rx ([0-9]+) frames.*/\1 \2 \4 \3/p'
}
counts=$(queue_counts mq)
note "mq queues (queue tx rx tx-multi-slot):"$'\n'"$counts"
[ "$(wc -l <<<"$counts")" -eq "$want" ] || fail "net stats shows $(wc -l <<<"$counts") queues, not $want"
while read -r q tx rx multi; do
  [ "$tx" -gt 0 ] || fail "queue $q sent nothing"
  [ "$rx" -gt 0 ] || fail "queue $q received nothing"
done <<<"$counts"
multi_total=$(awk '{s += $4} END {print s}' <<<"$counts")
[ "$multi_total" -gt 100 ] || fail "only $multi_total multi-slot frames sent with sg on"
counts=$(queue_counts sq)
note "sq queue: $counts"
expect_match "$counts" '^0 [1-9][0-9]* [1-9][0-9]* 0$' "the fallback sent every frame in one slot"
out=$(shell_ok mq 'net stats')
expect_match "$out" '(^|[^0-9])0 protocol errors' "net stats' protocol error count"
expect_no_match "$out" '[1-9][0-9]* protocol errors' "no protocol errors"

# Hot-plug a second interface: it gets the same queues, and once it is
# detached every count is back to what it was before the attach.
before=$(domu_counts mq)
mark=$(console_mark mq)
timeout 60 xl network-attach mq bridge=xenbr0 mac=00:16:3e:00:00:51 ip=10.0.0.51 || fail "xl network-attach"
console_wait mq 'net: eth1: 10.0.0.51/24' 30 "$mark" >/dev/null
check_mq_keys "/local/domain/$(domid mq)/device/vif/1" "$want"
out=$(busybox ping -c 10 -i 0.1 -W 2 10.0.0.51 2>&1 | tail -2)
expect_match "$out" '10 packets transmitted, 10 packets received' "Dom0 pings the hot-plugged eth1"
timeout 60 xl network-detach mq 00:16:3e:00:00:51 || fail "xl network-detach"
console_wait mq 'netfront: eth1: closing' 30 "$mark" >/dev/null
out=$(shell_ok mq ifconfig)
expect_match "$out" '^eth0: UP' "ifconfig after the detach"
expect_no_match "$out" 'eth1' "eth1 gone after the detach"
console_wait mq 'netfront: eth1: closed, [0-9]+ KiB freed' 30 "$mark" >/dev/null
counts_back mq "$before" 30 "eth1 (with $want queues) hot-plugged and detached"

# Save/restore during a ping stream, then migration: the queues come back.
save_restore_pinged mq 10.0.0.41 100 "netfront: eth0: connected .*$want queues"
check_mq_keys "/local/domain/$(domid mq)/device/vif/0" "$want"
xl_migrate_local mq
vif_wait_connected mq
check_mq_keys "/local/domain/$(domid mq)/device/vif/0" "$want"
for i in 1 2 3 4; do
  timeout 90 busybox wget -q -O "$TESTHOST_WORK/m$i" "http://10.0.0.41/bytes/100000" &
done
wait
for i in 1 2 3 4; do
  cmp "$TESTHOST_WORK/ref" "$TESTHOST_WORK/m$i" || fail "TCP transfer $i after the migration differs"
done
expect_match "$(shell_run mq 'ping 10.0.0.1 10' 60)" '10 sent, 10 received' "ping after the migration"
note "$(shell_run mq 'net stats' | grep -E 'netfront|queue')"
