# timeout: 900
# xl save / xl restore, 20 times in a row, with a disk and a NIC attached:
# each time domu resumes in a new domain and both devices reconnect; a
# counting thread keeps counting, a timer set before a save fires after
# the restore, a watch set before still fires, both devices still work,
# and the grant, event-channel, free-page, heap and thread counts are
# what they were before the first cycle.
disk=$TESTHOST_WORK/sr.img
truncate -s 16M "$disk"
ip link show xenbr0 >/dev/null 2>&1 || fail "Dom0 has no bridge xenbr0"
domu_create domu 'memory = 64' "disk = ['$disk,raw,xvda,rw']" \
  "vif = ['bridge=xenbr0,mac=00:16:3e:00:00:07,ip=10.0.0.7']"
console_wait domu 'domu: ready in' 30 >/dev/null
console_wait domu 'blkfront: xvda: connected' 30 >/dev/null
console_wait domu 'net: eth0: 10.0.0.7/24' 30 >/dev/null
shell_ok domu 'ticker start 100'
console_cmd domu 'watch data/watched' 'watch: .*data/watched fired \(1\)' >/dev/null
# The work done after the cycles is done once before counting too (the
# persistent grants granted, Dom0 in the ARP cache): only the cycles can
# make a difference.
shell_ok domu 'blk fill xvda 0 256 21' 30 | grep -q '256 sectors at 0 written' || fail "fill before the cycles"
devices_work() {
  shell_ok domu 'blk verify xvda 0 256 21' 30 | grep -q '256 sectors at 0, 0 bad' || fail "verify $1"
  expect_match "$(shell_ok domu 'ping 10.0.0.1 3' 30)" '3 sent, 3 received' "ping $1"
}
devices_work "before the cycles"

before=$(domu_counts domu)
note "before: $before"
save=$TESTHOST_WORK/domu.save
last_ticks=0
for i in $(seq 1 20); do
  if [ "$i" = 10 ]; then shell_ok domu "timer 4000"; fi
  mark=$(console_mark domu)
  timeout 120 xl save domu "$save" >"$TESTHOST_WORK/save.log" 2>&1 || { tail -5 "$TESTHOST_WORK/save.log"; fail "xl save #$i failed"; }
  domain_exists domu && fail "domu still exists after xl save #$i"
  timeout 120 xl restore "$save" >"$TESTHOST_WORK/restore.log" 2>&1 || { tail -5 "$TESTHOST_WORK/restore.log"; fail "xl restore #$i failed"; }
  console_wait domu 'domu: resumed \(new domain\), domain [0-9]+' 30 "$mark" >/dev/null
  console_wait domu 'blkfront: xvda: reconnected after the restore' 30 "$mark" >/dev/null
  console_wait domu 'netfront: eth0: connected' 30 "$mark" >/dev/null
  ticks=$(console_cmd domu ticker 'ticker: [0-9]+ ticks' | grep -oE '[0-9]+')
  [ "$ticks" -gt "$last_ticks" ] || fail "after restore #$i the ticker reads $ticks, it read $last_ticks before"
  last_ticks=$ticks
  # Which cycle changed what, when the end does not match.
  now=$(domu_counts domu)
  [ "$now" = "${last_counts:-$before}" ] || note "after cycle $i: $now"
  last_counts=$now
  if [ "$i" = 10 ]; then
    console_wait domu 'timer: 4000 ms timer fired after [0-9]+ ms' 20 "$mark" >/dev/null
  fi
done
id=$(domid domu)
mark=$(console_mark domu)
xenstore-write "/local/domain/$id/data/watched" after-20-restores
console_wait domu 'watch: .*data/watched fired' 10 "$mark" >/dev/null
devices_work "after 20 cycles"
# blkfront's persistent-grant pools (one per ring) keep their pages across
# a restore and grant them again as they are used, so which ring took the
# work after the cycles can move a page or two between "granted" and "held";
# a page lost per cycle would be 20.
counts_back domu "$before" 10 "20 save/restore cycles with a disk and a NIC" 4
console_cmd domu info 'suspends 20 \(0 cancelled' >/dev/null
