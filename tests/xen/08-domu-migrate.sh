# xl migrate to the same host, with a local command standing in for ssh
# (xl runs "CMD HOST xl migrate-receive"; ours drops HOST and runs the
# rest here). domu resumes in the new domain and carries on.
domu_create domu 'memory = 64'
console_wait domu 'domu: ready in' 30 >/dev/null
shell_run domu 'ticker start 100'
sleep 1
before=$(console_cmd domu ticker 'ticker: [0-9]+ ticks' | grep -oE '[0-9]+')
old=$(domid domu)
xl_migrate_local domu
new=$(domid domu)
[ "$new" != "$old" ] || fail "domu kept domain id $old across the migration"
after=$(console_cmd domu ticker 'ticker: [0-9]+ ticks' | grep -oE '[0-9]+')
[ "$after" -gt "$before" ] || fail "ticker read $before before and $after after the migration"
console_cmd domu 'xs read name' '^domu$' >/dev/null
console_cmd domu info "domain +$new 'domu'" >/dev/null
