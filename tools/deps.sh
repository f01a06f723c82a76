#!/usr/bin/env bash
# Installs what building and testing domu needs, from Debian's packages,
# only if something is missing. Safe to run again.
set -euo pipefail

pkgs=(
  gcc make binutils                 # the kernel
  libxen-dev                        # Xen's public headers (/usr/include/xen)
  libcmocka-dev                     # unit tests
  clang                             # libFuzzer targets (make fuzz)
  qemu-system-x86                   # the Xen test host runs in QEMU (TCG)
  xen-hypervisor-4.17-amd64         # the hypervisor the test host boots
  debootstrap cpio e2fsprogs busybox-static  # Dom0's root file system
  mandoc                            # the manual's check (make doccheck)
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]} with apt-get (a minute or a few on a fresh machine)"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
