# control/: what xl asks through XenStore. domu advertises its features,
# acknowledges each request and acts: reboot, sysrq, halt, crash,
# shutdown; a bogus request is refused without harm; destroy needs nothing.
domu_create domu 'memory = 64' 'on_crash = "preserve"'
console_wait domu 'domu: ready in' 30 >/dev/null
id=$(domid domu)
for f in poweroff reboot suspend; do
  expect_eq "$(xs_read "/local/domain/$id/control/feature-$f")" 1 "control/feature-$f"
done

# A malformed request: logged, acknowledged, nothing else happens.
mark=$(console_mark domu)
xenstore-write "/local/domain/$id/control/shutdown" 'bogus%request'
console_wait domu "unknown shutdown request 'bogus%request' ignored" 10 "$mark" >/dev/null
expect_eq "$(xs_read "/local/domain/$id/control/shutdown")" "" "control/shutdown after the request was taken"
console_cmd domu info "domain +$id" >/dev/null

# sysrq: t dumps the threads.
mark=$(console_mark domu)
xl sysrq domu t
console_wait domu "sysrq: 't'" 10 "$mark" >/dev/null
console_wait domu 'xenstore +blocked' 10 "$mark" >/dev/null

# xl reboot: a new domain boots, with a new id and a fresh ready line.
mark=$(console_mark domu)
xl reboot domu
console_wait domu "shutdown request 'reboot'" 10 "$mark" >/dev/null
console_wait domu 'domu: ready in [0-9]+ ms' 60 "$mark" >/dev/null
id2=$(domid domu)
[ "$id2" != "$id" ] || fail "after xl reboot domu still has id $id"

# halt (as some toolstacks write it): powers off.
mark=$(console_mark domu)
xenstore-write "/local/domain/$id2/control/shutdown" halt
console_wait domu 'domu: shutting down \(poweroff\)' 10 "$mark" >/dev/null
domain_wait_gone domu 30
expect_eq "$(domain_shutdown_reason domu)" poweroff "shutdown reason after halt"

# crash request: ends as crashed (preserved, so xl list shows it).
domu_create crashme 'memory = 64' 'on_crash = "preserve"'
console_wait crashme 'domu: ready in' 30 >/dev/null
xenstore-write "/local/domain/$(domid crashme)/control/shutdown" crash
console_wait crashme 'domu: shutting down \(crash\)' 10 >/dev/null
for _ in $(seq 1 50); do
  case $(domain_state crashme) in *c*) break ;; esac
  sleep 0.2
done
expect_match "$(domain_state crashme)" c "xl list state after the crash request"
xl destroy crashme

# xl shutdown: clean power-off, the domain is gone.
domu_create shut 'memory = 64'
console_wait shut 'domu: ready in' 30 >/dev/null
xl shutdown -w shut >/dev/null
console_wait shut 'domu: shutting down \(poweroff\)' 5 >/dev/null
domain_wait_gone shut 10
expect_eq "$(domain_shutdown_reason shut)" poweroff "shutdown reason after xl shutdown"

# xl destroy needs nothing from the guest.
domu_create gone 'memory = 64'
console_wait gone 'domu: ready in' 30 >/dev/null
xl destroy gone
domain_wait_gone gone 5
