# timeout: 300
# TCP active open (issue 17, item 3): Dom0 serves files with busybox httpd
# on port 8080 and domu's `fetch` GETs them over its socket API; the body's
# size and POSIX cksum must be what Dom0's `cksum` says (1 byte, 100 KB
# and 1 MB of random data). A port nobody listens on gives "connection
# refused", a missing file the server's 404, an address nobody has "timed
# out", and a malformed URL a usage message.
ip link show xenbr0 >/dev/null 2>&1 || fail "Dom0 has no bridge xenbr0"
busybox --list | grep -x httpd >/dev/null || fail "Dom0's busybox has no httpd"
domu_create fc "vif = ['bridge=xenbr0,mac=00:16:3e:00:00:34,ip=10.0.0.34']"
console_wait fc 'net: eth0: 10.0.0.34/24' 30 >/dev/null

www=$TESTHOST_WORK/www
mkdir -p "$www"
printf 'x' >"$www/one"
head -c 100000 /dev/urandom >"$www/small.bin"
head -c 1048576 /dev/urandom >"$www/big.bin"
busybox httpd -f -p 8080 -h "$www" &
hpid=$!
on_exit "kill $hpid"
sleep 1
# Dom0's own client agrees the server works.
busybox wget -q -O - http://10.0.0.1:8080/one | grep x >/dev/null || fail "httpd in Dom0 does not serve"

for f in one small.bin big.bin; do
  read -r want_sum want_len _ < <(cksum "$www/$f")
  out=$(shell_ok fc "fetch http://10.0.0.1:8080/$f" 120)
  note "$f: $out"
  expect_match "$out" "fetch: HTTP 200, $want_len bytes, cksum $want_sum," "fetch of $f ($want_len bytes, cksum $want_sum)"
done

# The clear errors.
out=$(shell_run fc 'fetch http://10.0.0.1:8081/' 30)
expect_match "$out" 'fetch: 10.0.0.1:8081: connection refused' "a closed port"
out=$(shell_run fc 'fetch http://10.0.0.1:8080/nope' 30)
expect_match "$out" 'fetch: HTTP 404' "a missing file"
out=$(shell_run fc 'fetch http://10.0.0.99/' 30)
expect_match "$out" 'fetch: 10.0.0.99:80: timed out' "an address nobody has"
out=$(shell_run fc 'fetch ftp://10.0.0.1/' 10)
expect_match "$out" 'not a URL' "a malformed URL"

# The sockets and connections went back: fetch again, four times.
for i in 1 2 3 4 5; do
  out=$(shell_ok fc 'fetch http://10.0.0.1:8080/small.bin' 60)
  expect_match "$out" 'fetch: HTTP 200, 100000 bytes' "fetch $i after the errors"
done
st=$(shell_run fc 'net stats')
note "$(grep -E '^tcp' <<<"$st" | tr '\n' ';')"
