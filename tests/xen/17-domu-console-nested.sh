# The console writer is serialised: a line printed from inside it (as an
# event handler's printk or a fault would) comes out whole, right after
# the writer's own line; the ring stays in use and the console answers.
domu_create domu 'memory = 64'
console_wait domu '^domu> ' 30 >/dev/null
mark=$(console_mark domu)
console_cmd domu consnest 'consnest: [1-9][0-9]* bytes written nested so far, 0 dropped, 0 ring errors' >/dev/null
console_wait domu '^consnest: outer line, first half, second half$' 5 "$mark" >/dev/null
next=$(tail -n +"$((mark + 1))" "$(console_log domu)" | tr -d '\r' |
  grep -A1 -E '^consnest: outer line' | sed -n 2p)
expect_eq "$next" "consnest: nested line" "the line after the writer's own"
for _ in 1 2 3 4 5; do
  console_cmd domu consnest "consnest: [0-9]+ bytes written nested so far, 0 dropped, 0 ring errors" >/dev/null
done
console_cmd domu info 'uptime +[0-9]+\.[0-9]+ s' >/dev/null
