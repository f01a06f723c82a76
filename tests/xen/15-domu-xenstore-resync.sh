# The XenStore reader survives a bad message from the daemon: after a bad
# header and after corrupt ring indices (injected into its path by
# `xsinject`) it fails the request in hand, says so, resynchronises and
# registers the watches again; reads and watches work afterwards.
domu_create domu 'memory = 64'
console_wait domu '^domu> ' 30 >/dev/null
id=$(domid domu)
console_cmd domu 'watch data/resync' 'watch: .*data/resync fired \(1\)' >/dev/null
fired=1
for fault in header index; do
  mark=$(console_mark domu)
  console_cmd domu "xsinject $fault" 'xsinject: read of name during the fault: EIO; [1-9][0-9]* resyncs so far' >/dev/null
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
console_cmd domu info "domain +$id" >/dev/null
