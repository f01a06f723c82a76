# Event channels on real Xen beyond what boot uses: a loopback
# interdomain channel (alloc_unbound, then bind_interdomain to it) both
# ways, and an IPI, 200 events each, every one delivered; then every port
# is closed again.
domu_create domu 'memory = 64'
console_wait domu 'domu: ready in' 30 >/dev/null
before=$(console_cmd domu evtchn 'ports bound' | grep -oE '[0-9]+')
console_cmd domu 'evtchn selftest 200' \
  'interdomain [0-9]+->[0-9]+ 200/200, [0-9]+->[0-9]+ 200/200, ipi [0-9]+ 200/200$' 30 >/dev/null
console_wait domu "evtchn selftest: ok, $before ports bound now" 10 >/dev/null
