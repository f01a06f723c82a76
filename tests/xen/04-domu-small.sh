# The smallest domain domu boots in. Xen 4.17's xl refuses PVH domains
# below about 18 MiB of maxmem whatever the kernel ("Could not allocate
# special pages"), so maxmem stays at 20 and memory= goes down from there:
# domu then runs in the populate-on-demand memory it was given and never
# touches more. It must boot with memory = 4 or less.
smallest=
for mem in 1 2 4 8; do
  cfg=$TESTHOST_WORK/small.cfg
  printf 'name = "small"\ntype = "pvh"\nkernel = "%s"\nmemory = %d\nmaxmem = 20\nextra = "poweroff"\non_crash = "destroy"\n' \
    "$DOMU_KERNEL" "$mem" >"$cfg"
  rm -f "$(console_log small)"
  if timeout 60 xl create "$cfg" >"$TESTHOST_WORK/small.log" 2>&1; then
    _created+=(small)
    smallest=$mem
    break
  fi
  note "memory = $mem: xl refused ($(grep -m 1 -ioE 'could not [a-z ]+|xc_dom[a-z_]+ failed|[a-z_]+: [^:]*(space|memory)[^:]*' "$TESTHOST_WORK/small.log" || echo '?'))"
done
[ -n "$smallest" ] || fail "xl accepted no memory= from 1 to 8 MiB (maxmem 20)"
line=$(console_wait small 'domu: ready in [0-9]+ ms' 30)
console_wait small "domain [0-9]+ 'small', [0-9]+ KiB RAM" 5 >/dev/null
domain_wait_gone small 30
note "domu boots with memory = $smallest (maxmem = 20): $line"
[ "$smallest" -le 4 ] || fail "smallest bootable memory= is $smallest MiB"

# With memory = maxmem (no populate-on-demand), the smallest xl accepts.
for mem in 16 18 20 24; do
  cfg=$TESTHOST_WORK/flat.cfg
  printf 'name = "flat"\ntype = "pvh"\nkernel = "%s"\nmemory = %d\nextra = "poweroff"\non_crash = "destroy"\n' \
    "$DOMU_KERNEL" "$mem" >"$cfg"
  rm -f "$(console_log flat)"
  if timeout 60 xl create "$cfg" >"$TESTHOST_WORK/flat.log" 2>&1; then
    _created+=(flat)
    console_wait flat 'domu: ready in [0-9]+ ms' 30 >/dev/null
    domain_wait_gone flat 30
    note "with memory = maxmem, the smallest xl accepts is $mem MiB, and domu boots there"
    exit 0
  fi
done
fail "xl accepted no memory = maxmem from 16 to 24 MiB"
