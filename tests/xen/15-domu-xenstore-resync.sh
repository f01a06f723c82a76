# The XenStore reader survives a bad message from the daemon: after a bad
# header and after corrupt ring indices (injected into its path by
# `xsinject`) it fails the request in hand, says so, resynchronises and
# registers the watches again; reads and watches work afterwards.
# A corrupt request ring (only the daemon moves its consumer index) is
# beyond a resync: the request fails, saying so, and the connection is
# reset through the ring reconnection protocol when the daemon offers it
# (oxenstored does; C xenstored of 4.17 does not: then a resync is all);
# a reset asked for directly works the same, and reads, writes and
# watches work after each.
domu_create domu 'memory = 64'
features=$(console_wait domu 'xenstore: ring at pfn .*; the daemon offers' 30)
console_wait domu '^domu> ' 30 >/dev/null
id=$(domid domu)
console_cmd domu 'watch data/resync' 'watch: .*data/resync fired \(1\)' >/dev/null
fired=1
for fault in header index; do
  mark=$(console_mark domu)
  console_cmd domu "xsinject $fault" 'xsinject: read of name during the fault: EIO; [1-9][0-9]* resyncs, [0-9]+ resets so far' >/dev/null
  console_wait domu 'xenstore: .*resynchronised' 10 "$mark" >/dev/null
  # Registered again, the watch fires once on its own.
  fired=$((fired + 1))
  console_wait domu "watch: .*data/resync fired \($fired\)" 10 "$mark" >/dev/null
  console_cmd domu 'xs read name' '^domu$' >/dev/null
  xenstore-write "/local/domain/$id/data/resync" "after-$fault"
  fired=$((fired + 1))
  console_wait domu "watch: .*data/resync fired \($fired\)" 10 "$mark" >/dev/null
  shell_run domu 'xs write data/probe ok' >/dev/null
  expect_eq "$(xs_read "/local/domain/$id/data/probe")" ok "data/probe after the $fault fault"
done
case $features in
  *"ring reconnection"*) reconnect=1 ;;
  *) reconnect=0 ;;
esac
note "the daemon's ring features: ${features#*offers}; reconnection: $reconnect"
resets=0
for fault in reqindex reset; do
  mark=$(console_mark domu)
  if [ "$fault" = reqindex ]; then
    console_cmd domu "xsinject $fault" 'xsinject: read of name during the fault: EIO;' >/dev/null
    console_wait domu "xenstore: name: the request ring's indices are corrupt; request failed" 5 "$mark" >/dev/null
  else
    line=$(console_cmd domu "xsinject $fault" 'xsinject: read of name during the fault: domu;' 30)
  fi
  if [ "$reconnect" = 1 ]; then
    resets=$((resets + 1))
    console_wait domu 'xenstore: .*; asking the daemon to reset the connection' 10 "$mark" >/dev/null
    console_wait domu 'xenstore: the daemon reset the connection in [0-9]+ ms' 15 "$mark" >/dev/null
  else
    console_wait domu 'xenstore: .*the daemon offers no ring reconnection.*resynchronising only' 10 "$mark" >/dev/null
  fi
  # Registered afresh, the watch fires on its own (a reset may deliver
  # one more event of the old registration: take the count it reached).
  got=$(console_wait domu "watch: .*data/resync fired \(([0-9]+)\)" 10 "$mark")
  fired=${got##*(}
  fired=${fired%)*}
  console_cmd domu 'xs read name' '^domu$' >/dev/null
  mark=$(console_mark domu)
  xenstore-write "/local/domain/$id/data/resync" "after-$fault"
  console_wait domu "watch: .*data/resync fired \(($((fired + 1))|$((fired + 2)))\)" 10 "$mark" >/dev/null
  shell_run domu "xs write data/probe $fault" >/dev/null
  expect_eq "$(xs_read "/local/domain/$id/data/probe")" "$fault" "data/probe after the $fault fault"
done
# The reset's own report (printed once the reset was done): every reset counted.
expect_match "$line" " $resets resets so far" "the resets counted after the direct reset"
console_cmd domu info "domain +$id" >/dev/null
