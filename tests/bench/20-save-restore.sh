# timeout: 900
# xl save + xl restore round trip, domu against the stock Linux PVH guest
# with the same memory=, and domu's downtime as it measures it itself
# (wall-clock time between its suspend and its resume).
. "$TESTHOST_FILES/bench-lib.sh"
MEM=128
roundtrip() {
  local name=$1 t0
  t0=$(now_ms)
  timeout 300 xl save "$name" "$TESTHOST_WORK/$name.save" >"$TESTHOST_WORK/save.log" 2>&1 ||
    { tail -3 "$TESTHOST_WORK/save.log" >&2; fail "xl save $name failed"; }
  timeout 300 xl restore "$TESTHOST_WORK/$name.save" >"$TESTHOST_WORK/restore.log" 2>&1 ||
    { tail -3 "$TESTHOST_WORK/restore.log" >&2; fail "xl restore $name failed"; }
  echo $(($(now_ms) - t0))
}

domu_create d "memory = $MEM"
wait_line d 'domu: ready in' 60 >/dev/null || fail "domu not ready"
times=() downs=()
for i in 1 2 3; do
  mark=$(console_mark d)
  times+=("$(roundtrip d)")
  line=$(console_wait d 'domu: resumed \(new domain\).* [0-9]+ ms away' 30 "$mark")
  downs+=("$(grep -oE '[0-9]+ ms away' <<<"$line" | grep -oE '[0-9]+')")
done
bench saverestore_ms domu "$(median "${times[@]}")" ms
bench downtime_ms domu "$(median "${downs[@]}")" ms
xl destroy d

linux_create l "memory = $MEM"
wait_line l 'linux-guest: init running' 180 >/dev/null || fail "linux /init never ran"
sleep 3
times=()
for i in 1 2 3; do
  times+=("$(roundtrip l)")
done
bench saverestore_ms linux "$(median "${times[@]}")" ms
