# The console shell: each command answers on `xl console`; line editing
# and history work; XenStore reads and writes meet Dom0's.
domu_create domu 'memory = 64'
console_wait domu '^domu> ' 30 >/dev/null
id=$(domid domu)
console_cmd domu help 'ticker +\[start MS\]' >/dev/null
console_cmd domu info "domain +$id 'domu'" >/dev/null
console_cmd domu info 'on Xen 4\.17' >/dev/null
console_cmd domu mem 'pages +[0-9]+ total, [0-9]+ free' >/dev/null
console_cmd domu threads 'xenwatch +blocked' >/dev/null
console_cmd domu evtchn 'virq +0 +[0-9]+ +(-|late) .* timer' >/dev/null
console_cmd domu gnttab 'grant table v1: [0-9]+ of max [0-9]+ frames' >/dev/null
shell_ok domu 'xs write data/probe hello-from-domu'
expect_eq "$(xs_read "/local/domain/$id/data/probe")" hello-from-domu "data/probe as Dom0 reads it"
xenstore-write "/local/domain/$id/data/fromdom0" 42
console_cmd domu 'xs read data/fromdom0' '^42$' >/dev/null
console_cmd domu 'xs ls data' '^fromdom0$' >/dev/null
shell_ok domu 'xs rm data/probe'
xenstore-read "/local/domain/$id/data/probe" >/dev/null 2>&1 && fail "data/probe still there after xs rm"
console_cmd domu 'xs read no/such/node' 'xs: no/such/node: ENOENT' >/dev/null
console_cmd domu 'bogus' 'bogus: unknown command' >/dev/null
# Backspace (DEL) mends a typo; the up arrow recalls the last line.
console_cmd domu "infx$(printf '\177')o" 'uptime +[0-9]+\.[0-9]+ s' >/dev/null
console_cmd domu "$(printf '\033[A')" 'uptime +[0-9]+\.[0-9]+ s' >/dev/null
console_cmd domu log 'domu: ready in [0-9]+ ms' >/dev/null
# Still alive and answering after all that.
console_cmd domu info "domain +$id" >/dev/null
