# timeout: 400
# Grants between two domu guests, the back-end direction included: A
# grants pages with its pattern; B maps them (a batch read-write and one
# read-only) into its window of never-populated frames, verifies A's
# pattern and writes its own, which A then sees; A cannot end a grant
# while B maps it (EBUSY), and can once B has unmapped; grant copy both
# ways; a bad ref, a wrong domain and an ended grant fail cleanly and B
# keeps running; afterwards B's free pages and its window are as before.
domu_create gnta 'memory = 32'
domu_create gntb 'memory = 32'
console_wait gnta 'domu: ready in' 30 >/dev/null
console_wait gntb 'domu: ready in' 30 >/dev/null
console_wait gntb 'gnttab: foreign grants map at [0-9a-f]+-[0-9a-f]+ \(4096 frames' 5 >/dev/null
A=$(domid gnta)
B=$(domid gntb)

out=$(shell_run gnta "gnttab grant $B 3")
[[ $out =~ granted\ domain\ $B\ refs\ ([0-9]+)\ ([0-9]+)\ ([0-9]+)$ ]] || fail "grant: $out"
R1=${BASH_REMATCH[1]} R2=${BASH_REMATCH[2]} R3=${BASH_REMATCH[3]}
note "A (domain $A) granted refs $R1 $R2 $R3 to B (domain $B)"
expect_match "$(shell_run gnta "gnttab check $R1 $A")" "ref $R1 holds domain $A's pattern" "A's own page"

# Failures first (they also warm B's heap, so the page counts below
# compare like with like): a ref A never granted, a domain that granted
# nothing, no such domain, copy of a bad ref.
out=$(shell_run gntb "gnttab map $A 60000")
expect_match "$out" "domain $A ref 60000 not mapped: E" "map of a ref never granted"
out=$(shell_run gntb "gnttab map 0 $R1")
expect_match "$out" "domain 0 ref $R1 not mapped: E" "map with the wrong domain"
out=$(shell_run gntb "gnttab map 31000 $R1")
expect_match "$out" "domain 31000 ref $R1 not mapped: E" "map of no such domain"
out=$(shell_run gntb "gnttab copy-from $A 60000 $A")
expect_match "$out" "copy from domain $A ref 60000 failed: E" "copy of a ref never granted"
console_cmd gntb info "domain +$B 'gntb'" >/dev/null
stats=$(shell_run gntb gnttab)
expect_match "$stats" "foreign grants: 0 mapped now, 0 maps, 0 unmaps, 3 failed maps" "B's counters after the failures"
expect_match "$stats" "map window: frames [0-9a-f]+\+4096, 4096 free" "B's window after the failures"
free_before=$(shell_run gntb mem | grep -oE '[0-9]+ free' | head -1)

# B maps R1 and R2 in one batch (read-write) and R3 read-only.
out=$(shell_run gntb "gnttab map $A $R1 $R2")
expect_match "$out" "mapped domain $A ref $R1 at [0-9a-f]+, handle" "map of R1"
expect_match "$out" "mapped domain $A ref $R2 at [0-9a-f]+, handle" "map of R2"
out=$(shell_run gntb "gnttab map $A $R3 ro")
expect_match "$out" "mapped domain $A ref $R3 at [0-9a-f]+ read-only" "read-only map of R3"
stats=$(shell_run gntb gnttab)
expect_match "$stats" "foreign grants: 3 mapped now, 3 maps" "B's counters with three mapped"
expect_match "$stats" "map window: frames [0-9a-f]+\+4096, 4093 free" "B's window with three mapped"
for r in "$R1" "$R2" "$R3"; do
  expect_match "$(shell_run gntb "gnttab verify $A $r $A")" "domain $A ref $r holds domain $A's pattern" "B reads A's page $r"
done

# B writes R1; A sees B's pattern. R3 is read-only: B refuses to write.
expect_match "$(shell_run gntb "gnttab write $A $R1")" "wrote domain $B's pattern" "B writes R1"
expect_match "$(shell_run gnta "gnttab check $R1 $B")" "ref $R1 holds domain $B's pattern" "A sees B's write"
expect_match "$(shell_run gnta "gnttab check $R2 $A")" "ref $R2 holds domain $A's pattern" "R2 untouched"
expect_match "$(shell_run gntb "gnttab write $A $R3")" "ref $R3 is mapped read-only" "write to a read-only map"

# While B maps them, A cannot end the grants.
expect_match "$(shell_run gnta "gnttab end $R1")" "ref $R1 is still mapped by domain $B: EBUSY" "end while mapped"
expect_match "$(shell_run gnta "gnttab end $R3")" "ref $R3 is still mapped by domain $B: EBUSY" "end while mapped read-only"

out=$(shell_run gntb "gnttab unmap $A $R1 $R2 $R3")
for r in "$R1" "$R2" "$R3"; do
  expect_match "$out" "domain $A ref $r unmapped" "unmap of $r"
done
expect_match "$(shell_run gnta "gnttab end $R1")" "ref $R1 ended" "end after the unmap"
expect_match "$(shell_run gnta "gnttab end $R3")" "ref $R3 ended" "end of the read-only one after the unmap"

# Grant copy, both directions, on R2 (4 ops of 1 KiB in one batch).
out=$(shell_run gntb "gnttab copy-from $A $R2 $A")
expect_match "$out" "copied 4096 bytes in 4 ops from domain $A ref $R2" "copy from A"
expect_match "$out" "the copy holds domain $A's pattern" "what the copy from A holds"
expect_match "$(shell_run gntb "gnttab copy-to $A $R2")" "copied 4096 bytes in 4 ops to domain $A ref $R2" "copy to A"
expect_match "$(shell_run gnta "gnttab check $R2 $B")" "ref $R2 holds domain $B's pattern" "A sees B's copy"

# An ended grant can be neither mapped nor copied; B still runs.
expect_match "$(shell_run gntb "gnttab map $A $R1")" "domain $A ref $R1 not mapped: E" "map of an ended grant"
expect_match "$(shell_run gntb "gnttab copy-from $A $R1 $A")" "failed: E" "copy of an ended grant"
console_cmd gntb info "domain +$B 'gntb'" >/dev/null

stats=$(shell_run gntb gnttab)
note "B: $(grep -E 'foreign|window|copies' <<<"$stats" | tr '\n' ';')"
expect_match "$stats" "foreign grants: 0 mapped now, 3 maps, 3 unmaps, 4 failed maps, 0 failed unmaps, 0 frames parked" "B's counters at the end"
expect_match "$stats" "map window: frames [0-9a-f]+\+4096, 4096 free" "B's window at the end"
expect_match "$stats" "grant copies: 8 ops, 8192 bytes, [1-9]" "B's copy counters"
free_after=$(shell_run gntb mem | grep -oE '[0-9]+ free' | head -1)
expect_eq "$free_after" "$free_before" "B's free pages after the unmaps"
expect_match "$(shell_run gnta "gnttab end $R2")" "ref $R2 ended" "A ends the last grant"
expect_match "$(shell_run gnta gnttab)" "grant table v1: .* [0-9]+ in use" "A's table"
domain_state gntb | grep -q '[rb]' || fail "B is not running: $(domain_state gntb)"
