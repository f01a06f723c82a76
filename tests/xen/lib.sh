# shellcheck shell=bash
# The scenario API: sourced inside Dom0 of the Xen test host before each
# scenario (tests/xen/NN-name.sh) runs, under `set -Eeuo pipefail`.
#
# A scenario fails by exiting non-zero; `fail MSG` does that with a reason
# line. Every wait has a deadline in seconds and, when it expires, says what
# it waited for and shows the last console lines. Every domain a scenario
# creates is destroyed when it ends, however it ends.
#
#   domu_create NAME [CFG...]     create a domu guest; CFG lines ('key = value')
#                                 override the defaults (type $DOMU_TYPE:
#                                 pvh, or pv for 64-bit PV; memory
#                                 $DOMU_MEMORY or 64 MiB ...)
#   linux_create NAME [CFG...]    create the reference Linux PVH guest; its
#                                 /init obeys extra="... poweroff|reboot|crash"
#   console_wait NAME REGEX T [FROM_LINE]
#                                 wait up to T s for a console line matching
#                                 REGEX (grep -E); prints the line
#   console_mark NAME             console lines so far (a FROM_LINE for later)
#   console_send NAME TEXT        type TEXT and Enter into the guest console
#   console_cmd NAME TEXT REGEX [T]
#                                 console_send, then console_wait after it
#   shell_run NAME COMMAND [T]    run a command at domu's shell, wait for
#                                 its end marker; prints its output
#   shell_ok NAME COMMAND [T]     shell_run, failing unless its status is 0
#   domu_counts NAME              the shell's one-line resource counts
#   counts_back NAME COUNTS T WHAT [SLACK]
#                                 wait until domu_counts is COUNTS again
#                                 (grants and free pages within SLACK)
#   console_lines NAME [N]        the last N lines of the console (default 20)
#   console_log NAME              path of the console log (xenconsoled's)
#   domain_wait_gone NAME T       wait until the domain no longer exists
#   domain_exists NAME            true while `xl list NAME` knows it
#   domain_state NAME             xl list's state flags (r b p s c d), or "gone"
#   domain_shutdown_reason NAME   poweroff, reboot, crash, ... (from xl's log)
#   domain_cpu_time NAME          CPU seconds used, from xl list
#   domid NAME                    the domain id
#   XL_CREATE_ARGS                extra xl create options (-p: paused)
#   xs_read PATH                  xenstore-read, failing with a message
#   expect_eq ACTUAL EXPECTED [WHAT]   expect_match TEXT REGEX [WHAT]
#   fail MSG    note MSG    now_ms    elapsed_ms SINCE_MS
#   on_exit CMD                   run CMD when the scenario ends, however it
#                                 ends (to undo a change to Dom0's settings)
#   save_restore_pinged NAME ADDR COUNT REGEX
#                                 xl save + restore during a ping stream from
#                                 Dom0; fails if more were lost than the time
#                                 away explains
#
# Environment (set by the runner): DOMU_KERNEL, LINUX_KERNEL, LINUX_INITRD,
# TESTHOST_WORK (scratch dir), TESTHOST_REASON_FILE, TESTHOST_FILES
# (tests/xen/files if present).

DOMU_KERNEL=${DOMU_KERNEL:-/mnt/host/kernel/domu}
LINUX_KERNEL=${LINUX_KERNEL:-/mnt/host/linux/vmlinuz}
LINUX_INITRD=${LINUX_INITRD:-/mnt/host/linux/initrd.gz}
TESTHOST_WORK=${TESTHOST_WORK:-$(mktemp -d /tmp/scenario.XXXXXX)}
TESTHOST_REASON_FILE=${TESTHOST_REASON_FILE:-$TESTHOST_WORK/reason}
XEN_CONSOLE_DIR=${XEN_CONSOLE_DIR:-/var/log/xen/console}
# What Enter sends: a terminal sends CR.
CONSOLE_EOL=${CONSOLE_EOL:-$'\r'}
# 1: no progress notes (run mode prints only the guest console).
TESTHOST_QUIET=${TESTHOST_QUIET:-0}

_created=()
declare -A _created_at_ms=()

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
elapsed_ms() { echo $(($(now_ms) - $1)); }
_secs() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }
_t0_ms=$(now_ms)

# A progress note on stderr, with the seconds since the scenario began.
note() {
  [ "$TESTHOST_QUIET" = 1 ] || printf '[%7s] %s\n' "$(_secs "$(elapsed_ms "$_t0_ms")")" "$*" >&2
}

# fail MSG: the scenario fails with MSG as its reason (the first one wins).
fail() {
  printf 'FAILED: %s\n' "$*" >&2
  if [ ! -s "$TESTHOST_REASON_FILE" ]; then
    printf '%s\n' "$*" >"$TESTHOST_REASON_FILE"
  fi
  exit 1
}

console_log() { printf '%s/guest-%s.log\n' "$XEN_CONSOLE_DIR" "$1"; }

# console_lines NAME [N]: the last N lines of NAME's console.
console_lines() {
  local f
  f=$(console_log "$1")
  [ -f "$f" ] && tail -n "${2:-20}" "$f" | tr -d '\r' | awk '{ print "  | " $0 }'
  return 0
}

domain_exists() { xl domid "$1" >/dev/null 2>&1; }

domid() {
  xl domid "$1" 2>/dev/null || fail "no domain named $1"
}

domain_state() {
  local s
  s=$(xl list "$1" 2>/dev/null | awk 'NR == 2 { print $5 }')
  echo "${s:-gone}"
}

domain_cpu_time() { xl list "$1" 2>/dev/null | awk 'NR == 2 { print $6 }'; }

# Why the domain last shut down, from the log of xl's monitor process:
# poweroff, reboot, suspend, crash, watchdog, soft_reset or unknown.
domain_shutdown_reason() {
  local code
  code=$(grep -oE 'has shut down, reason code [0-9]+' "/var/log/xen/xl-$1.log" 2>/dev/null |
    tail -n 1 | awk '{ print $NF }')
  case $code in
  0) echo poweroff ;; 1) echo reboot ;; 2) echo suspend ;; 3) echo crash ;;
  4) echo watchdog ;; 5) echo soft_reset ;; *) echo unknown ;;
  esac
}

xs_read() {
  xenstore-read "$1" 2>/dev/null || fail "xenstore-read $1 failed"
}

expect_eq() {
  [ "$1" = "$2" ] || fail "${3:-value}: expected '$2', got '$1'"
}

expect_match() {
  printf '%s\n' "$1" | grep -Eq -- "$2" || fail "${3:-value}: '$1' does not match /$2/"
}

expect_no_match() {
  ! printf '%s\n' "$1" | grep -Eq -- "$2" || fail "${3:-value}: '$1' matches /$2/"
}

# _create NAME CFG-LINE...: writes NAME's xl config (a later line for the
# same key replaces an earlier one) and creates the domain.
_create() {
  local name=$1 line key
  shift
  [[ $name =~ ^[A-Za-z0-9_.-]+$ ]] || fail "bad domain name '$name'"
  local -A val=()
  local order=()
  for line in "name = \"$name\"" "$@"; do
    key=${line%%=*}
    key=${key//[[:space:]]/}
    if [ -z "$key" ] || [ "$key" = "$line" ]; then
      fail "$name: not an xl config line: '$line'"
    fi
    [ -n "${val[$key]+set}" ] || order+=("$key")
    val[$key]=$line
  done
  local cfg=$TESTHOST_WORK/$name.cfg
  for key in "${order[@]}"; do printf '%s\n' "${val[$key]}"; done >"$cfg"
  # A fresh console log: xenconsoled appends to guest-NAME.log.
  rm -f "$(console_log "$name")"
  _created+=("$name")
  echo "$name" >>"$TESTHOST_WORK/domains"
  note "xl create $name"
  local t0
  t0=$(now_ms)
  _created_at_ms[$name]=$t0
  # shellcheck disable=SC2086 # XL_CREATE_ARGS: options, split on purpose (e.g. -p)
  if ! timeout 120 xl create ${XL_CREATE_ARGS:-} "$cfg" >"$TESTHOST_WORK/$name.create.log" 2>&1; then
    awk '{ print "  | " $0 }' "$TESTHOST_WORK/$name.create.log" >&2
    local why
    why=$(grep -m 1 -i 'error' "$TESTHOST_WORK/$name.create.log" || tail -n 1 "$TESTHOST_WORK/$name.create.log")
    fail "xl create $name failed: ${why:-no message}"
  fi
  note "$name is domain $(xl domid "$name" 2>/dev/null || echo '(already gone)') ($(_secs "$(elapsed_ms "$t0")") s in xl create)"
}

# domu_create NAME [CFG...]: the kernel under test as a PVH guest, or as a
# 64-bit PV one with DOMU_TYPE=pv (the same ELF carries both entries).
domu_create() {
  local name=$1
  shift
  _create "$name" "type = \"${DOMU_TYPE:-pvh}\"" "kernel = \"$DOMU_KERNEL\"" "memory = ${DOMU_MEMORY:-64}" \
    'on_crash = "destroy"' 'on_poweroff = "destroy"' 'on_reboot = "restart"' "$@"
}

# linux_create NAME [CFG...]: the reference Linux PVH guest.
linux_create() {
  local name=$1
  shift
  _create "$name" 'type = "pvh"' "kernel = \"$LINUX_KERNEL\"" "ramdisk = \"$LINUX_INITRD\"" \
    'memory = 256' 'extra = "console=hvc0"' \
    'on_crash = "destroy"' 'on_poweroff = "destroy"' 'on_reboot = "restart"' "$@"
}

console_mark() {
  local f
  f=$(console_log "$1")
  if [ -f "$f" ]; then wc -l <"$f"; else echo 0; fi
}

# console_wait NAME REGEX TIMEOUT_S [FROM_LINE]: prints the first matching
# line (after line FROM_LINE). Gives up early when the domain is gone.
console_wait() {
  local name=$1 re=$2 limit=$3 from=${4:-0}
  local f text line t0 end gone_at=0 last_check=0 now
  f=$(console_log "$name")
  t0=$(now_ms)
  end=$((t0 + limit * 1000))
  while :; do
    if [ -f "$f" ]; then
      text=$(tail -n +"$((from + 1))" "$f" | tr -d '\r')
      if line=$(grep -E -m 1 -- "$re" <<<"$text"); then
        local since=${_created_at_ms[$name]:-$t0}
        note "$name: /$re/ after $(_secs "$(elapsed_ms "$since")") s since create: $line"
        printf '%s\n' "$line"
        return 0
      fi
    fi
    now=$(now_ms)
    if [ "$now" -ge "$end" ]; then
      echo "console_wait: no line matching /$re/ on $name's console within $limit s; its last lines:" >&2
      console_lines "$name" 20 >&2
      fail "$name: no console line matching /$re/ within $limit s (domain state: $(domain_state "$name"))"
    fi
    # Once a second: a domain that is gone will print nothing more.
    if [ $((now - last_check)) -ge 1000 ]; then
      last_check=$now
      if ! domain_exists "$name"; then
        if [ "$gone_at" = 0 ]; then
          gone_at=$now
        elif [ $((now - gone_at)) -ge 1500 ]; then
          echo "console_wait: $name is gone; its last console lines:" >&2
          console_lines "$name" 20 >&2
          fail "$name: gone ($(domain_shutdown_reason "$name")) without a console line matching /$re/"
        fi
      fi
    fi
    sleep 0.2
  done
}

# console_send NAME TEXT: types TEXT and Enter into NAME's console (the pty
# xenconsoled made for it, named in XenStore).
console_send() {
  local name=$1 text=$2 id tty
  id=$(domid "$name")
  tty=$(xs_read "/local/domain/$id/console/tty")
  [ -c "$tty" ] || fail "$name: console tty $tty is not a character device"
  stty -F "$tty" raw -echo 2>/dev/null || true
  printf '%s%s' "$text" "$CONSOLE_EOL" >"$tty" || fail "$name: cannot write to $tty"
  note "$name: typed '$text'"
}

# console_cmd NAME TEXT REGEX [TIMEOUT_S]: types a line, waits for REGEX in
# the output that follows it; prints the matching line.
console_cmd() {
  local name=$1 text=$2 re=$3 limit=${4:-10} mark
  mark=$(console_mark "$name")
  console_send "$name" "$text"
  console_wait "$name" "$re" "$limit" "$mark"
}

# _shell_exec NAME COMMAND TIMEOUT_S: types COMMAND with a '#tag' comment
# unique to this call and waits for domu's end marker of exactly that line
# ('[shell] done SEQ rc=RC #tag'; a prompt cannot tell: it is printed again
# after every log line). Sets _shell_out (the lines between the echoed
# command and its marker) and _shell_rc (the command's status).
_shell_exec() {
  local name=$1 text=$2 limit=$3 mark f t0 tag text_now line re
  tag=r${EPOCHREALTIME/./}
  re="\[shell\] done [0-9]+ rc=-?[0-9]+ #$tag\$"
  f=$(console_log "$name")
  mark=$(console_mark "$name")
  console_send "$name" "$text #$tag"
  t0=$(now_ms)
  while :; do
    text_now=$(tail -n +"$((mark + 1))" "$f" | tr -d '\r')
    line=$(grep -E -- "$re" <<<"$text_now") && break
    if [ "$(elapsed_ms "$t0")" -ge $((limit * 1000)) ]; then
      echo "shell_run: no end marker for '$text' within $limit s; last lines:" >&2
      console_lines "$name" 20 >&2
      fail "$name: '$text' did not finish within $limit s (no '[shell] done N rc=R #$tag' line)"
    fi
    domain_exists "$name" || fail "$name: gone while running '$text'"
    sleep 0.2
  done
  _shell_rc=${line##* rc=}
  _shell_rc=${_shell_rc%% *}
  _shell_out=$(awk -v tag="#$tag" -v marker="$line" '
    $0 == marker { exit }
    on { print }
    !on && length($0) >= length(tag) && substr($0, length($0) - length(tag) + 1) == tag { on = 1 }
  ' <<<"$text_now")
  note "$name: '$text' done (rc=$_shell_rc) after $(_secs "$(elapsed_ms "$t0")") s"
}

# shell_run NAME COMMAND [TIMEOUT_S]: runs COMMAND at domu's shell and
# waits (10 s by default) for the end marker of that command line; prints
# its output lines, whatever its status.
shell_run() {
  _shell_exec "$1" "$2" "${3:-10}"
  [ -z "$_shell_out" ] || printf '%s\n' "$_shell_out"
}

# shell_ok NAME COMMAND [TIMEOUT_S]: shell_run, and the scenario fails
# unless the command ended with status 0.
shell_ok() {
  _shell_exec "$1" "$2" "${3:-10}"
  [ "$_shell_rc" = 0 ] || fail "$1: '$2' ended with status $_shell_rc: $(tr '\n' ' ' <<<"$_shell_out")"
  [ -z "$_shell_out" ] || printf '%s\n' "$_shell_out"
}

# domu_counts NAME: domu's resource counts on one line (grants in use,
# ports bound, free pages, heap objects and bytes, threads).
domu_counts() {
  local line
  line=$(shell_ok "$1" counts | grep -E '^counts: grants [0-9]+ ') || fail "$1: no counts line"
  printf '%s\n' "$line"
}

# counts_back NAME EXPECTED T WHAT [SLACK]: waits up to T s until NAME's
# counts are EXPECTED again (a detached device's memory goes back once its
# back-end has let go); fails naming what differs. With SLACK, grants and
# free pages may differ by at most SLACK (caches that are bounded but need
# not refill the same way, e.g. blkfront's per-ring pools after a restore);
# ports, heap and threads must still be exact.
counts_back() {
  local name=$1 want=$2 limit=$3 what=$4 slack=${5:-0} t0 got
  t0=$(now_ms)
  while got=$(domu_counts "$name"); ! _counts_close "$want" "$got" "$slack"; do
    if [ "$(elapsed_ms "$t0")" -ge $((limit * 1000)) ]; then
      fail "$what: counts not back after $limit s: before '${want#counts: }', now '${got#counts: }'"
    fi
    sleep 1
  done
  note "$what: counts back after $(_secs "$(elapsed_ms "$t0")") s: ${got#counts: }"
}

# _counts_close WANT GOT SLACK: true if equal, grants and free pages within SLACK.
_counts_close() {
  [ "$3" = 0 ] && { [ "$1" = "$2" ]; return; }
  awk -v a="$1" -v b="$2" -v s="$3" 'BEGIN {
    n = split(a, x, " "); m = split(b, y, " ")
    if (n != m) exit 1
    for (i = 1; i <= n; i++) {
      if (x[i] == y[i]) continue
      if ((x[i-1] == "grants" || x[i-1] == "free-pages") && x[i] ~ /^[0-9]+$/ && y[i] ~ /^[0-9]+$/ &&
          (x[i] - y[i] <= s && y[i] - x[i] <= s)) continue
      exit 1
    }
  }'
}

# xl_migrate_local NAME: xl migrate to this host, with a local command
# standing in for ssh (xl runs "CMD HOST xl migrate-receive"; ours drops
# HOST and runs the rest here); waits until domu says it resumed.
xl_migrate_local() {
  local name=$1 stub=$TESTHOST_WORK/xl-local-ssh incoming
  printf '#!/bin/sh\nshift\nexec sh -c "$*"\n' >"$stub"
  chmod +x "$stub"
  timeout 180 xl migrate -s "$stub" "$name" localhost >"$TESTHOST_WORK/migrate.log" 2>&1 ||
    { tail -5 "$TESTHOST_WORK/migrate.log" >&2; fail "xl migrate $name failed"; }
  grep -q 'Migration successful' "$TESTHOST_WORK/migrate.log" || fail "xl migrate $name did not report success"
  # The new domain's console was opened under its incoming name.
  incoming=$(console_log "$name--incoming")
  [ -f "$incoming" ] && mv "$incoming" "$(console_log "$name")"
  console_wait "$name" "domu: resumed \(new domain\), domain $(domid "$name")" 30 >/dev/null
}

# save_restore_pinged NAME ADDR COUNT CONNECTED_REGEX: xl save and xl
# restore NAME while Dom0 pings ADDR (COUNT pings, one every 100 ms);
# waits for the resume and for CONNECTED_REGEX on the console, and fails
# if more pings were lost than the time away explains (plus 15 for the
# save and restore around it).
save_restore_pinged() {
  local name=$1 addr=$2 count=$3 mark pid line away rx lost
  busybox ping -c "$count" -i 0.1 -W 1 "$addr" >"$TESTHOST_WORK/stream.log" 2>&1 &
  pid=$!
  sleep 2
  mark=$(console_mark "$name")
  timeout 120 xl save "$name" "$TESTHOST_WORK/$name.save" >/dev/null 2>&1 || fail "xl save $name failed"
  timeout 120 xl restore "$TESTHOST_WORK/$name.save" >/dev/null 2>&1 || fail "xl restore $name failed"
  line=$(console_wait "$name" 'domu: resumed \(new domain\).* [0-9]+ ms away' 30 "$mark")
  away=$(grep -oE '[0-9]+ ms away' <<<"$line" | grep -oE '[0-9]+')
  console_wait "$name" "$4" 30 "$mark" >/dev/null
  wait "$pid" || true
  rx=$(tail -2 "$TESTHOST_WORK/stream.log" | head -1 | grep -oE '[0-9]+ packets received' | grep -oE '[0-9]+')
  lost=$((count - ${rx:-0}))
  note "ping stream across the save/restore of $name: lost $lost of $count, away $away ms (at most $((away / 100 + 15)) allowed)"
  [ "$lost" -le $((away / 100 + 15)) ] || fail "lost $lost pings for $away ms away"
}

# blk_pattern SEED SECTOR COUNT: the bytes domu's `blk fill DEV SECTOR
# COUNT SEED` writes ("domu SEED S " repeated, 512 bytes for sector S).
blk_pattern() {
  awk -v seed="$1" -v s="$2" -v n="$3" 'BEGIN {
    for (i = s; i < s + n; i++) {
      u = "domu " seed " " i " "; r = u
      while (length(r) < 512) r = r u
      printf "%s", substr(r, 1, 512)
    } }'
}

# domain_wait_gone NAME TIMEOUT_S
domain_wait_gone() {
  local name=$1 limit=$2 t0
  t0=$(now_ms)
  while domain_exists "$name"; do
    if [ "$(elapsed_ms "$t0")" -ge $((limit * 1000)) ]; then
      echo "domain_wait_gone: $name still exists after $limit s; its last console lines:" >&2
      console_lines "$name" 20 >&2
      fail "$name: still there after $limit s (state $(domain_state "$name"))"
    fi
    sleep 0.3
  done
  local since=${_created_at_ms[$name]:-$t0}
  note "$name is gone ($(domain_shutdown_reason "$name")) $(_secs "$(elapsed_ms "$since")") s after create"
}

# on_exit CMD...: run CMD when the scenario ends, whatever happened (after
# its domains are destroyed; for settings of Dom0 a scenario changed).
_on_exit=()
on_exit() { _on_exit+=("$*"); }

# Destroys every domain the scenario created (and an incoming migration
# twin), whatever happened, then runs what on_exit registered.
_testhost_cleanup() {
  local name n cmd
  for name in "${_created[@]}"; do
    for n in "$name" "$name--incoming"; do
      if domain_exists "$n"; then
        timeout 60 xl destroy "$n" >/dev/null 2>&1 || echo "cleanup: xl destroy $n failed" >&2
      fi
    done
  done
  for cmd in "${_on_exit[@]}"; do
    eval "$cmd" || echo "cleanup: '$cmd' failed" >&2
  done
}

# A failing command that the scenario did not handle: its reason line.
_testhost_err() {
  local rc=$1 cmd=$2
  if [ ! -s "$TESTHOST_REASON_FILE" ]; then
    local src=${BASH_SOURCE[1]:-?}
    printf 'command failed (status %s) at %s:%s: %s\n' "$rc" "${src##*/}" \
      "${BASH_LINENO[0]:-?}" "$cmd" >"$TESTHOST_REASON_FILE"
  fi
}

trap _testhost_cleanup EXIT
trap '_testhost_err $? "$BASH_COMMAND"' ERR
