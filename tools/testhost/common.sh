# shellcheck shell=bash
# Shared by the host-side scripts of the Xen test host (sourced, not run).

TESTHOST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$TESTHOST_DIR/../.." && pwd)
# Run and job directories live under the git-ignored build/ folder.
TESTHOST_RUNS=${DOMU_TESTHOST_RUNS:-$REPO_ROOT/build/testhost}

# The files that go into the cached host image: any change to them gives a
# new cache directory (and so a rebuild). Scripts that run per job (the
# job-*.sh files, lib.sh) are copied in at each run and are not part of it.
TESTHOST_BUILD_INPUTS=(build.sh dom0-initramfs-init dom0-init linux-guest-init)

th_log() { printf 'testhost: %s\n' "$*" >&2; }
th_die() { printf 'testhost: error: %s\n' "$*" >&2; exit 1; }

# The cache directory of the current build inputs.
testhost_cache_dir() {
  local cache=${DOMU_CACHE:-${HOME:-/root}/.cache/domu} hash
  hash=$(cd "$TESTHOST_DIR" && cat "${TESTHOST_BUILD_INPUTS[@]}" | sha256sum | cut -c1-12)
  printf '%s/testhost-%s\n' "$cache" "$hash"
}

# Installs the given Debian packages if any is missing (root needed then).
th_need_pkgs() {
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  th_log "installing ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null ||
    th_die "apt-get update failed"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >/dev/null || th_die "apt-get install ${missing[*]} failed"
}

# Seconds since the epoch with milliseconds, and a difference of two.
th_now() { date +%s.%N | cut -c1-14; }
th_since() { awk -v a="$1" -v b="$(th_now)" 'BEGIN { printf "%.1f", b - a }'; }

# Makes a fresh job directory for MODE under build/testhost and prints it.
# The last one of each mode is kept for inspection.
th_new_jobdir() {
  local mode=$1 dir
  dir=$TESTHOST_RUNS/$mode
  rm -rf "$dir"
  mkdir -p "$dir/out"
  printf '%s\n' "$dir"
}

# Writes NAME=VALUE lines (shell-quoted) that the Dom0 job sources.
th_env_line() { printf '%s=%q\n' "$1" "$2"; }
