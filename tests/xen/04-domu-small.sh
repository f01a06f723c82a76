# The smallest domain domu boots in. Xen 4.17's xl refuses PVH guests
# below about 20 MiB whatever the kernel ("Could not allocate special
# pages"), so this finds the smallest size xl accepts, from 4 MiB up, and
# requires domu to boot there and that size to be at most 20 MiB.
smallest=
for mem in 4 8 12 16 18 20 24; do
  cfg=$TESTHOST_WORK/small.cfg
  printf 'name = "small"\ntype = "pvh"\nkernel = "%s"\nmemory = %d\nextra = "poweroff"\non_crash = "destroy"\n' \
    "$DOMU_KERNEL" "$mem" >"$cfg"
  rm -f "$(console_log small)"
  if timeout 60 xl create "$cfg" >"$TESTHOST_WORK/small.log" 2>&1; then
    _created+=(small)
    smallest=$mem
    break
  fi
  note "memory = $mem: xl refused ($(grep -m 1 -ioE 'could not [a-z ]+|xc_dom[a-z_]+ failed' "$TESTHOST_WORK/small.log" || echo '?'))"
done
[ -n "$smallest" ] || fail "xl accepted no size from 4 to 24 MiB"
line=$(console_wait small 'domu: ready in [0-9]+ ms' 30)
console_wait small "domain [0-9]+ 'small', [0-9]+ KiB RAM" 5 >/dev/null
domain_wait_gone small 30
note "domu boots in memory = $smallest (the smallest xl accepts): $line"
echo "smallest-memory-mib: $smallest"
[ "$smallest" -le 20 ] || fail "smallest bootable size is $smallest MiB"
