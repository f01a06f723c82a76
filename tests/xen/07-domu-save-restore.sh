# xl save / xl restore, 20 times in a row: each time domu resumes in a new
# domain; a counting thread keeps counting, a timer set before a save
# fires after the restore, a watch set before still fires, and the grant,
# event-channel and heap counts do not grow.
domu_create domu 'memory = 64'
console_wait domu 'domu: ready in' 30 >/dev/null
shell_run domu 'ticker start 100'
console_cmd domu 'watch data/watched' 'watch: .*data/watched fired \(1\)' >/dev/null

counts() {
  local n=$1 g e h
  g=$(console_cmd "$n" gnttab 'grant table v1' | grep -oE '[0-9]+ in use')
  e=$(console_cmd "$n" evtchn 'ports bound' | grep -oE '^ *[0-9]+')
  h=$(console_cmd "$n" mem '^heap +[0-9]+ objects' | grep -oE '[0-9]+ objects, [0-9]+ bytes')
  echo "grants $g; ports ${e// /}; heap $h"
}
before=$(counts domu)
note "before: $before"
save=$TESTHOST_WORK/domu.save
last_ticks=0
for i in $(seq 1 20); do
  if [ "$i" = 10 ]; then shell_run domu "timer 4000"; fi
  mark=$(console_mark domu)
  timeout 120 xl save domu "$save" >"$TESTHOST_WORK/save.log" 2>&1 || { tail -5 "$TESTHOST_WORK/save.log"; fail "xl save #$i failed"; }
  domain_exists domu && fail "domu still exists after xl save #$i"
  timeout 120 xl restore "$save" >"$TESTHOST_WORK/restore.log" 2>&1 || { tail -5 "$TESTHOST_WORK/restore.log"; fail "xl restore #$i failed"; }
  console_wait domu 'domu: resumed \(new domain\), domain [0-9]+' 30 "$mark" >/dev/null
  ticks=$(console_cmd domu ticker 'ticker: [0-9]+ ticks' | grep -oE '[0-9]+')
  [ "$ticks" -gt "$last_ticks" ] || fail "after restore #$i the ticker reads $ticks, it read $last_ticks before"
  last_ticks=$ticks
  if [ "$i" = 10 ]; then
    console_wait domu 'timer: 4000 ms timer fired after [0-9]+ ms' 20 "$mark" >/dev/null
  fi
done
id=$(domid domu)
mark=$(console_mark domu)
xenstore-write "/local/domain/$id/data/watched" after-20-restores
console_wait domu 'watch: .*data/watched fired' 10 "$mark" >/dev/null
after=$(counts domu)
note "after 20 save/restore cycles: $after"
expect_eq "$after" "$before" "grant, event channel and heap use after 20 cycles"
console_cmd domu info 'suspends 20 \(0 cancelled' >/dev/null
