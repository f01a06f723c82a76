# An idle domu blocks its vCPU: over 10 s it uses under 2% of a CPU
# (xl list's CPU time, 0.1 s resolution).
domu_create domu 'memory = 64'
console_wait domu 'domu: ready in [0-9]+ ms' 30 >/dev/null
sleep 2
t0=$(domain_cpu_time domu)
s0=$(now_ms)
sleep 10
t1=$(domain_cpu_time domu)
wall=$(elapsed_ms "$s0")
used=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }')
note "idle domu: $used ms of CPU in $wall ms"
[ $((used * 100)) -lt $((2 * wall)) ] || fail "idle domu used $used ms of CPU in $wall ms (2% is $((wall / 50)) ms)"
