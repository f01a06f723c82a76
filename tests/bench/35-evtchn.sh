# timeout: 900
# Event-channel round trip between two guests (median of 1000): domu <->
# domu through its evtchn user ports, and Linux <-> Linux through
# /dev/xen/evtchn with libxenevtchn (tools/dom0/evtchn-peer, static, and
# the kernel's xen-evtchn module, added to the reference guest's
# initramfs here in Dom0: the guest runs the Dom0 kernel).
. "$TESTHOST_FILES/bench-lib.sh"
N=1000
[ -x "${DOM0_TOOLS:-}/evtchn-peer" ] || fail "evtchn-peer missing (make builds it into build/dom0-tools)"

domu_create a 'memory = 32'
domu_create b 'memory = 32'
console_wait a 'domu: ready in' 30 >/dev/null
console_wait b 'domu: ready in' 30 >/dev/null
shell_run a "evtchn serve $(domid b)" >/dev/null
out=$(shell_run b "evtchn ping $(domid a) xs $N" 120)
rtt=$(grep -oE 'median [0-9]+ us' <<<"$out" | grep -oE '[0-9]+')
[ -n "$rtt" ] || fail "domu ping gave no figure: $out"
bench evtchn_rtt_us domu "$rtt" us
xl destroy a
xl destroy b

# The reference guest's initramfs plus the module and the tool.
kver=$(uname -r)
x=$TESTHOST_WORK/extra
mkdir -p "$x/bin" "$x/lib/modules"
cp "/lib/modules/$kver/kernel/drivers/xen/xen-evtchn.ko" "$x/lib/modules/"
cp "$DOM0_TOOLS/evtchn-peer" "$x/bin/"
initrd=$TESTHOST_WORK/linux-evtchn.gz
(cd "$x" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$TESTHOST_WORK/extra.gz"
cat "$LINUX_INITRD" "$TESTHOST_WORK/extra.gz" >"$initrd"
LINUX_INITRD=$initrd
linux_create la
linux_create lb
for g in la lb; do
  wait_line "$g" 'linux-guest: shell on' 240 >/dev/null || fail "$g: no shell"
done
sleep 2
for g in la lb; do
  console_cmd "$g" 'insmod /lib/modules/xen-evtchn.ko; ls /dev/xen/evtchn && echo evtchn-ready' '^evtchn-ready' 30 >/dev/null
done
mark=$(console_mark la)
console_send la "evtchn-peer echo $(domid lb) $N 60"
port=$(console_wait la '^port [0-9]+' 30 "$mark" | grep -oE '[0-9]+')
line=$(console_cmd lb "evtchn-peer ping $(domid la) $port $N" "^ping: [0-9]+/$N round trips|^ping: no answer" 180)
lrtt=$(grep -oE 'median [0-9]+ us' <<<"$line" | grep -oE '[0-9]+')
[ -n "$lrtt" ] || fail "Linux ping gave no figure: $line"
bench evtchn_rtt_us linux "$lrtt" us
