#!/usr/bin/env bash
# shellcheck disable=SC2054,SC2317 # QEMU's options have commas; trap handlers
# Boots the Xen test host once in QEMU (software emulation) to run one job:
#
#   tools/testhost/boot.sh [--interactive] [--quiet] JOBDIR
#
# JOBDIR is shared with Dom0 (QEMU 9p) at /mnt/host; Dom0's init runs
# JOBDIR/job.sh there with its standard streams on the "job console" (a
# virtio console), writes JOBDIR/out/host-up (or out/host-failed) and powers
# the machine off when the job ends, which ends QEMU.
#   --interactive  the job console is this terminal (stdin/stdout), raw.
#   otherwise      the job console goes to JOBDIR/job-console.log, printed
#                  here as it grows (not with --quiet); stdin is not used.
# Xen's and Dom0's own console (com1) always goes to JOBDIR/serial.log.
#
# Environment:
#   DOMU_TESTHOST_TIMEOUT  hard limit for the whole boot, s (default 900)
#   DOMU_XEN_ARGS          extra Xen command line
#   DOMU_DOM0_ARGS         extra Dom0 kernel command line
#   DOMU_QEMU_ARGS         extra QEMU arguments (split on spaces)
# Exit status: QEMU's; 124 when the time limit stopped it.
set -euo pipefail
# shellcheck source=tools/testhost/common.sh
. "$(dirname "$0")/common.sh"

interactive=0
quiet=0
while [ $# -gt 0 ]; do
  case $1 in
  --interactive) interactive=1 ;;
  --quiet) quiet=1 ;;
  -*) th_die "unknown option $1" ;;
  *) break ;;
  esac
  shift
done
[ $# -eq 1 ] || th_die "usage: $0 [--interactive] [--quiet] JOBDIR"
jobdir=$(cd "$1" && pwd)
[ -f "$jobdir/job.sh" ] || th_die "$jobdir/job.sh is missing"
mkdir -p "$jobdir/out"
limit=${DOMU_TESTHOST_TIMEOUT:-900}
case $limit in '' | *[!0-9]*) th_die "DOMU_TESTHOST_TIMEOUT must be a number of seconds" ;; esac

th_need_pkgs qemu-system-x86
host=$("$TESTHOST_DIR/build.sh")

xen_args="dom0_mem=1024M,max:1024M console=com1 com1=115200 loglvl=all guest_loglvl=all ${DOMU_XEN_ARGS:-}"
dom0_args="console=hvc0 quiet ${DOMU_DOM0_ARGS:-}"
qemu=(qemu-system-x86_64
  -machine q35 -cpu qemu64,+svm,+npt -m 3072 -smp 2
  -nographic -no-reboot -monitor none
  -kernel "$host/xen" -append "$xen_args"
  -initrd "$host/vmlinuz $dom0_args,$host/dom0-initramfs.gz"
  # The cached image stays as built: writes go to a throw-away overlay.
  -drive "file=$host/dom0.img,if=virtio,format=raw,snapshot=on"
  -virtfs "local,path=$jobdir,mount_tag=host,security_model=none,id=host0"
  -serial "file:$jobdir/serial.log"
  -device virtio-serial-pci,id=vser0)
if [ "$interactive" = 1 ]; then
  qemu+=(-chardev stdio,id=job,signal=off -device virtconsole,bus=vser0.0,chardev=job,name=job)
else
  : >"$jobdir/job-console.log"
  qemu+=(-chardev "file,id=job,path=$jobdir/job-console.log"
    -device virtconsole,bus=vser0.0,chardev=job,name=job)
fi
# shellcheck disable=SC2206 # split on purpose
[ -z "${DOMU_QEMU_ARGS:-}" ] || qemu+=(${DOMU_QEMU_ARGS})

rm -f "$jobdir/out/host-up" "$jobdir/out/host-failed" "$jobdir/boot-info"
t0=$(th_now)
echo "qemu_start=$t0" >"$jobdir/boot-info"

# How far the boot has got, from Xen's and Dom0's serial console.
boot_stage() {
  local f=$jobdir/serial.log
  if grep -qE 'Freed [0-9]+kB init memory' "$f" 2>/dev/null; then
    echo "Dom0 (Linux) boots and starts xenstored and xenconsoled"
  elif grep -q 'LOADING DOMAIN 0' "$f" 2>/dev/null; then
    echo "Xen loads Dom0"
  elif grep -q 'Xen version' "$f" 2>/dev/null; then
    echo "Xen starts"
  else
    echo "QEMU starts (software emulation)"
  fi
}

# A progress line; the terminal is raw while QEMU owns it (interactive).
progress() {
  if [ "$interactive" = 1 ]; then printf 'testhost: %s\r\n' "$*" >&2; else th_log "$*"; fi
}

# Notes the wall time at which Dom0 reported for duty; meanwhile (not with
# --quiet) says each new stage of the boot, and every 10 s that it goes on.
watch_host_up() {
  local stage='' now said=0 n=0 t
  while kill -0 "$1" 2>/dev/null; do
    if [ -e "$jobdir/out/host-up" ] || [ -e "$jobdir/out/host-failed" ]; then
      echo "host_up_wall=$(th_since "$t0")" >>"$jobdir/boot-info"
      return 0
    fi
    if [ "$quiet" = 0 ] && [ $((n % 5)) -eq 0 ]; then
      now=$(boot_stage)
      t=$(th_since "$t0")
      if [ "$now" != "$stage" ] || [ $((${t%.*} - said)) -ge 10 ]; then
        [ "$now" = "$stage" ] || stage=$now
        said=${t%.*}
        progress "[$(printf '%5s' "$t") s] booting the test host: $stage"
      fi
    fi
    n=$((n + 1))
    sleep 0.2
  done
}

qpid=
stop_qemu() { [ -z "$qpid" ] || kill "$qpid" 2>/dev/null || true; }
rc=0
if [ "$interactive" = 1 ]; then
  watch_host_up $$ &
  wpid=$!
  # In the foreground: QEMU owns the terminal (raw mode) until it exits.
  timeout --foreground -k 10 "$limit" "${qemu[@]}" || rc=$?
  kill "$wpid" 2>/dev/null || true
else
  trap stop_qemu EXIT INT TERM
  timeout --foreground -k 10 "$limit" "${qemu[@]}" </dev/null >"$jobdir/qemu.log" 2>&1 &
  qpid=$!
  watch_host_up "$qpid" &
  if [ "$quiet" = 0 ]; then
    tail -n +1 -f --pid="$qpid" "$jobdir/job-console.log" || true
  fi
  wait "$qpid" || rc=$?
  qpid=
  wait || true
  trap - EXIT INT TERM
fi
echo "qemu_rc=$rc" >>"$jobdir/boot-info"
echo "wall=$(th_since "$t0")" >>"$jobdir/boot-info"
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
  th_log "QEMU did not finish within DOMU_TESTHOST_TIMEOUT=$limit s: stopped it"
  rc=124
elif [ "$rc" != 0 ]; then
  th_log "QEMU ended with status $rc:"
  tail -n 5 "$jobdir/qemu.log" >&2 2>/dev/null || true
fi
exit "$rc"
