#!/usr/bin/env bash
# Builds the Xen test host from Debian packages into a cache directory
# outside git, once: Xen 4.17, a Debian 12 Dom0 (kernel, initramfs, ext4
# root with xl/xenstored/xenconsoled) and a reference Linux PVH guest (the
# same kernel plus a tiny busybox initramfs).
#
#   tools/testhost/build.sh            build if needed; print the directory
#   tools/testhost/build.sh --dir      only print where the build lives
#
# The directory is ${DOMU_CACHE:-~/.cache/domu}/testhost-<hash of the build
# inputs>; a build is complete when it holds the stamp file "complete". It
# is built in a temporary directory and renamed, so an interrupted build
# never looks complete. Progress goes to stderr, the directory to stdout.
set -euo pipefail
# shellcheck source=tools/testhost/common.sh
. "$(dirname "$0")/common.sh"

out=$(testhost_cache_dir)
if [ "${1:-}" = --dir ]; then
  printf '%s\n' "$out"
  exit 0
fi
[ $# -eq 0 ] || th_die "usage: $0 [--dir]"
if [ -f "$out/complete" ]; then
  printf '%s\n' "$out"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || th_die "building the test host needs root (debootstrap, chroot)"
cache=$(dirname "$out")
mkdir -p "$cache"
# One build at a time per cache; a second one waits, then finds it done.
exec 9>"$cache/.build.lock"
if ! flock -n 9; then
  th_log "another build of the test host is running; waiting for it to finish"
  flock 9
fi
if [ -f "$out/complete" ]; then
  printf '%s\n' "$out"
  exit 0
fi

t0=$(th_now)
step() { th_log "[$(printf '%5s' "$(th_since "$t0")")s] $*"; }
# logged LOG CMD...: runs CMD with its output in LOG; a step that takes
# long says every 15 s that it is still at it, with LOG's last line.
logged() {
  local log=$1 pid rc=0 n=0 last
  shift
  "$@" >"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    n=$((n + 1))
    if [ $((n % 15)) -eq 0 ] && kill -0 "$pid" 2>/dev/null; then
      last=$(tail -n 1 "$log" 2>/dev/null | tr -d '\r' | cut -c1-60)
      step "  ... still at it${last:+ ($last)}"
    fi
  done
  wait "$pid" || rc=$?
  return "$rc"
}
step "building the test host in $out (once; about 2 minutes, more if the packages must be downloaded)"
th_need_pkgs debootstrap cpio e2fsprogs busybox-static xen-hypervisor-4.17-amd64

tmp=$(mktemp -d "$cache/.build-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- Xen: QEMU's -kernel loads the uncompressed multiboot image.
step "xen: /boot/xen-4.17-amd64.gz"
[ -f /boot/xen-4.17-amd64.gz ] || th_die "/boot/xen-4.17-amd64.gz is missing (package xen-hypervisor-4.17-amd64)"
zcat /boot/xen-4.17-amd64.gz >"$tmp/xen"
dpkg-query -W -f='${Version}\n' xen-hypervisor-4.17-amd64 >"$tmp/xen-version"

# --- The newest Debian 6.1 kernel: Dom0 and the reference guest.
newest_kernel_pkg() {
  apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' |
    awk '{print $1}' | sort -V | tail -n 1
}
kpkg=$(newest_kernel_pkg)
if [ -z "$kpkg" ]; then
  step "apt-get update (no linux-image-6.1 package known yet)"
  apt-get update -q >/dev/null || th_die "apt-get update failed"
  kpkg=$(newest_kernel_pkg)
fi
[ -n "$kpkg" ] || th_die "no linux-image-6.1.0-*-amd64-unsigned package in the apt sources"
kver=${kpkg#linux-image-}
kver=${kver%-unsigned}
step "linux: apt-get download $kpkg"
mkdir -p "$tmp/dl"
# shellcheck disable=SC2016 # $1 and $2 are the inner sh's
if ! logged "$tmp/download.log" sh -c 'cd "$1" && apt-get download -q "$2"' sh "$tmp/dl" "$kpkg"; then
  step "apt-get update (the package lists may be stale), then again"
  apt-get update -q >/dev/null || th_die "apt-get update failed"
  (cd "$tmp/dl" && apt-get download -q "$kpkg") >"$tmp/download.log" 2>&1 ||
    { cat "$tmp/download.log" >&2; th_die "apt-get download $kpkg failed"; }
fi
dpkg -x "$tmp/dl/$kpkg"_*.deb "$tmp/k"
rm -rf "$tmp/dl"
cp "$tmp/k/boot/vmlinuz-$kver" "$tmp/vmlinuz"
echo "$kver" >"$tmp/kernel-version"

# --- Dom0's root: Debian minimal with the Xen tools.
# The mirror: the machine's own apt source for bookworm if one is set,
# else debootstrap's default. Downloaded packages are kept in the cache.
apt_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                       if ($(i + 1) == "bookworm") { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # deb822: blank-line separated stanzas with Types/URIs/Suites fields.
    awk 'BEGIN { RS = ""; FS = "\n" }
         { types = uris = suites = ""; enabled = 1
           for (i = 1; i <= NF; i++) {
             if ($i ~ /^Types:/) types = $i
             if ($i ~ /^URIs:/) uris = $i
             if ($i ~ /^Suites:/) suites = $i
             if ($i ~ /^Enabled: *no/) enabled = 0 }
           if (enabled && types ~ / deb( |$)/ && suites ~ / bookworm( |$)/) {
             split(uris, u, " "); print u[2]; exit } }' "$f"
  done
}
mirror=$(apt_mirror | head -n 1)
mkdir -p "$cache/debootstrap-debs"
step "dom0: debootstrap bookworm${mirror:+ (mirror from the apt sources)}"
# shellcheck disable=SC2086 # $mirror is one word or none
logged "$tmp/debootstrap.log" debootstrap --variant=minbase --cache-dir="$cache/debootstrap-debs" \
  --include=xen-utils-4.17,xenstore-utils,iproute2,kmod,busybox,procps \
  bookworm "$tmp/root" $mirror ||
  { tail -n 30 "$tmp/debootstrap.log" >&2; th_die "debootstrap failed (log above)"; }
root=$tmp/root
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
  "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/info

step "dom0: kernel modules, depmod, configuration"
mkdir -p "$root/lib/modules"
cp -a "$tmp/k/lib/modules/$kver" "$root/lib/modules/"
# Drivers no test host needs (graphics, media, sound, wireless, real NICs).
(cd "$root/lib/modules/$kver/kernel" &&
  rm -rf drivers/gpu drivers/media drivers/infiniband drivers/iio drivers/staging \
    drivers/isdn drivers/bluetooth drivers/net/wireless drivers/net/ethernet \
    drivers/usb drivers/input/touchscreen sound net/bluetooth net/mac80211 net/wireless)
chroot "$root" depmod "$kver"
install -m 0755 "$TESTHOST_DIR/dom0-init" "$root/sbin/testhost-init"
# xenconsoled keeps each guest's whole console in guest-NAME.log.
grep -q '^XENCONSOLED_ARGS=' "$root/etc/default/xen" 2>/dev/null &&
  sed -i '/^XENCONSOLED_ARGS=/d' "$root/etc/default/xen"
echo 'XENCONSOLED_ARGS="--log=guest --log-dir=/var/log/xen/console"' >>"$root/etc/default/xen"
echo dom0 >"$root/etc/hostname"
: >"$root/etc/fstab"

# Modules in load order (dependencies first), from the Dom0's modules.dep.
declare -A dep_of path_of
while IFS=: read -r mpath mdeps; do
  m=${mpath##*/}
  m=${m%%.ko*}
  m=${m//-/_}
  path_of[$m]=$mpath
  dep_of[$m]=$mdeps
done <"$root/lib/modules/$kver/modules.dep"
declare -A loaded=()
load_order=()
add_module() {
  local m=${1//-/_} d
  [ -n "${path_of[$m]:-}" ] || th_die "module $m not found in $kver"
  [ -z "${loaded[$m]:-}" ] || return 0
  for d in ${dep_of[$m]}; do
    d=${d##*/}
    add_module "${d%%.ko*}"
  done
  loaded[$m]=1
  load_order+=("${path_of[$m]}")
}

step "dom0: initramfs (busybox, virtio and ext4 modules)"
ird=$tmp/dom0-initramfs
mkdir -p "$ird/bin" "$ird/lib/modules" "$ird/newroot" "$ird/proc" "$ird/sys" "$ird/dev"
cp /bin/busybox "$ird/bin/busybox"
for m in virtio_pci virtio_blk crc32c_generic ext4; do add_module "$m"; done
for p in "${load_order[@]}"; do
  cp "$root/lib/modules/$kver/$p" "$ird/lib/modules/"
  echo "${p##*/}" >>"$ird/lib/modules/load-order"
done
install -m 0755 "$TESTHOST_DIR/dom0-initramfs-init" "$ird/init"
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$tmp/dom0-initramfs.gz"

step "linux guest: initramfs (busybox)"
lg=$tmp/linux-guest
mkdir -p "$lg/bin" "$lg/proc" "$lg/sys" "$lg/dev"
cp /bin/busybox "$lg/bin/busybox"
install -m 0755 "$TESTHOST_DIR/linux-guest-init" "$lg/init"
(cd "$lg" && find . | cpio -o -H newc --quiet | gzip -1) >"$tmp/linux-guest-initramfs.gz"

step "dom0: ext4 image ($(du -sm "$root" | cut -f1) MiB of files)"
logged "$tmp/mke2fs.log" mke2fs -q -F -t ext4 -L dom0 -d "$root" "$tmp/dom0.img" 1024M ||
  { cat "$tmp/mke2fs.log" >&2; th_die "mke2fs failed"; }
rm -rf "$root" "$tmp/k" "$ird" "$lg"

{
  echo "kernel=$kver"
  echo "xen=$(cat "$tmp/xen-version")"
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "build_seconds=$(th_since "$t0")"
} >"$tmp/build-info"
touch "$tmp/complete"
rm -rf "$out"
mv -T "$tmp" "$out"
trap - EXIT
# Builds for other versions of the inputs are of no further use.
for old in "$cache"/testhost-*; do
  [ "$old" = "$out" ] || rm -rf "$old"
done
step "done: $out ($(du -sm "$out" | cut -f1) MiB on disk)"
printf '%s\n' "$out"
