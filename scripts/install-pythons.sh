#!/usr/bin/env bash
# Unpacks Debian sid/experimental python3.13, python3.14 and python3.15 into <repo>/.pythons/ and
# writes wrappers .pythons/bin/python3.X that behave like ordinary interpreters. Also the debug
# builds (Py_DEBUG: other object layouts): Debian 12's python3.11d and sid's python3.14d, each in a
# folder of its own under .pythons/dbg/ (its own apt state and root), wrappers .pythons/bin/python3.Xd.
#
# Why this shape: those builds need a newer glibc than the machine has, so they are unpacked
# (never installed) together with sid's libc6 and started through that libc's own loader. Nothing
# outside .pythons/ is touched; apt runs on a private state under .pythons/apt.
#
# Idempotent: when every wrapper already runs and imports threading/ctypes/json, it exits at once.
# Debian 12's 32-bit python3.11 comes from scripts/install-python-i386.sh, run first (bookworm i386,
# not sid: its own apt state and root).
# Usage: bash scripts/install-pythons.sh [--force]
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST="$REPO/.pythons"
ROOT="$DEST/root"
APT="$DEST/apt"
DEBS="$APT/debs"
VERSIONS=(3.13 3.14 3.15)
# Libraries the interpreters and their extension modules load, taken from sid so that they match
# its libc. libgcc-s1 matters: glibc loads libgcc_s when a thread exits.
LIBS=(libc6 libgcc-s1 libexpat1 zlib1g libffi8 libssl3t64 libbz2-1.0 liblzma5 libzstd1 libuuid1
  libsqlite3-0 libmpdec4 libcrypt1 libtinfo6 libncursesw6 libreadline8t64)

force=0
[[ "${1:-}" == "--force" ]] && force=1

log() { printf 'install-pythons: %s\n' "$*"; }

i386_status=0
bash "$REPO/scripts/install-python-i386.sh" "$@" || i386_status=1

works() {
  "$DEST/bin/python$1" -c 'import threading, ctypes, json, sys; sys.exit(0)' >/dev/null 2>&1
}

DEBUG_VERSIONS=(3.11d 3.14d)

# Each part is redone only when one of its interpreters does not run (or with --force): a part
# that works is never unpacked again under the processes that may be using it.
sid_ok=$force
dbg_ok=$force
if [[ $force == 0 ]]; then
  sid_ok=1
  dbg_ok=1
  for v in "${VERSIONS[@]}"; do works "$v" || sid_ok=0; done
  for v in "${DEBUG_VERSIONS[@]}"; do works "$v" || dbg_ok=0; done
  if [[ $sid_ok == 1 && $dbg_ok == 1 ]]; then
    log "already installed: ${VERSIONS[*]/#/python} ${DEBUG_VERSIONS[*]/#/python} in $DEST/bin"
    exit $i386_status
  fi
else
  sid_ok=0
  dbg_ok=0
fi
LOADER=usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2

mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$DEBS" "$ROOT" "$DEST/bin"
cat >"$APT/sources.list" <<'EOF'
deb http://deb.debian.org/debian sid main
deb http://deb.debian.org/debian experimental main
EOF

# Points APT_OPTS and DEBS at the private apt state in folder $1 (its sources.list written by the
# caller) and refreshes its package lists, at most once a day: enough for versions that move slowly.
use_apt_state() {
  APT=$1
  DEBS="$APT/debs"
  mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$DEBS"
  APT_OPTS=(
    -o "Dir::Etc::SourceList=$APT/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$APT/lists"
    -o "Dir::Cache=$APT/cache"
    -o "APT::Sandbox::User=root"
    -o "Debug::NoLocking=1"
  )
  local stamp="$APT/lists/.updated"
  if [[ ! -f "$stamp" || -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ]]; then
    log "apt-get update ($(awk '{printf "%s ", $3}' "$APT/sources.list")) into $APT"
    apt-get "${APT_OPTS[@]}" -qq update
    touch "$stamp"
  fi
}

# Prints the version to download: sid's candidate, else the newest one (experimental, which apt
# never picks as a candidate by itself).
version_of() {
  local cand
  cand=$(apt-cache "${APT_OPTS[@]}" policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
  if [[ -z "$cand" || "$cand" == "(none)" ]]; then
    cand=$(apt-cache "${APT_OPTS[@]}" madison "$1" 2>/dev/null | awk -F' *[|] *' 'NR==1 {print $2}')
  fi
  printf '%s' "$cand"
}

# Downloads one package unless a .deb of the same version is already there, and notes which file
# to unpack (an older version left in the cache must not be unpacked over it); returns 1 on failure.
CHOSEN=()
fetch() {
  local pkg=$1 ver file
  ver=$(version_of "$pkg")
  if [[ -z "$ver" ]]; then
    log "  $pkg: not found"
    return 1
  fi
  file=$(ls "$DEBS/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
  if [[ -n "$file" ]]; then
    log "  $pkg $ver (cached)"
  else
    log "  $pkg $ver"
    (cd "$DEBS" && apt-get "${APT_OPTS[@]}" -qq download "$pkg=$ver" >/dev/null) || {
      log "  $pkg $ver: download failed"
      return 1
    }
    file=$(ls "$DEBS/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
    [[ -n "$file" ]] || { log "  $pkg $ver: downloaded file not found"; return 1; }
  fi
  CHOSEN+=("$file")
}

if [[ $sid_ok == 0 ]]; then
use_apt_state "$APT"
log "downloading into $DEBS"
for v in "${VERSIONS[@]}"; do
  for p in "python$v-minimal" "libpython$v-minimal" "libpython$v-stdlib" "libpython$v"; do
    fetch "$p"
  done
done
for p in "${LIBS[@]}"; do fetch "$p" || true; done

log "unpacking into $ROOT"
for deb in "${CHOSEN[@]}"; do dpkg -x "$deb" "$ROOT"; done

[[ -x "$ROOT/$LOADER" ]] || { log "no loader at $ROOT/$LOADER (libc6 missing?)"; exit 1; }

for v in "${VERSIONS[@]}"; do
  wrapper="$DEST/bin/python$v"
  # The wrapper finds its root from its own resolved location, so it works from any cwd and through
  # symlinks. `exec` keeps the wrapper's pid for the interpreter; --argv0 makes sys.executable the
  # wrapper, so that the interpreter re-launching itself (subprocess, multiprocessing) works too.
  cat >"$wrapper" <<EOF
#!/bin/sh
# Generated by scripts/install-pythons.sh: Debian's python$v run through sid's own loader.
self=\$(readlink -f "\$0")
root=\$(dirname "\$(dirname "\$self")")/root
export PYTHONHOME="\$root/usr"
exec "\$root/$LOADER" --argv0 "\$self" \\
  --library-path "\$root/usr/lib/x86_64-linux-gnu:\$root/lib/x86_64-linux-gnu" \\
  "\$root/usr/bin/python$v" "\$@"
EOF
  chmod +x "$wrapper"
done
fi

# Debug builds. Debian 12's python3.11d runs on the machine's own libc with Debian 12's python3.11
# standard library in /usr (the Debian python3.11 of the matrix), so only its packages are unpacked.
# sid's python3.14d needs sid's libc like the other sid builds: a root of its own with everything
# it loads, so that it never depends on the folders above.
if [[ $dbg_ok == 0 ]]; then
DBG="$DEST/dbg"
mkdir -p "$DBG/apt-bookworm" "$DBG/apt-sid" "$DBG/root-3.11" "$DBG/root-3.14"
echo 'deb http://deb.debian.org/debian bookworm main' >"$DBG/apt-bookworm/sources.list"
echo 'deb http://deb.debian.org/debian sid main' >"$DBG/apt-sid/sources.list"

use_apt_state "$DBG/apt-bookworm"
CHOSEN=()
log "downloading python3.11-dbg into $DEBS"
fetch python3.11-dbg
fetch libpython3.11-dbg
for deb in "${CHOSEN[@]}"; do dpkg -x "$deb" "$DBG/root-3.11"; done
cat >"$DEST/bin/python3.11d" <<'END'
#!/bin/sh
# Generated by scripts/install-pythons.sh: Debian 12's debug build python3.11d with the machine's
# Debian 12 standard library.
self=$(readlink -f "$0")
export PYTHONHOME=/usr
exec "$(dirname "$(dirname "$self")")/dbg/root-3.11/usr/bin/python3.11d" "$@"
END
chmod +x "$DEST/bin/python3.11d"

use_apt_state "$DBG/apt-sid"
CHOSEN=()
log "downloading python3.14-dbg into $DEBS"
for p in python3.14-dbg libpython3.14-dbg libpython3.14-minimal libpython3.14-stdlib; do fetch "$p"; done
for p in "${LIBS[@]}"; do fetch "$p" || true; done
for deb in "${CHOSEN[@]}"; do dpkg -x "$deb" "$DBG/root-3.14"; done
[[ -x "$DBG/root-3.14/$LOADER" ]] || { log "no loader at $DBG/root-3.14/$LOADER (libc6 missing?)"; exit 1; }
cat >"$DEST/bin/python3.14d" <<END
#!/bin/sh
# Generated by scripts/install-pythons.sh: sid's debug build python3.14d run through sid's own loader.
self=\$(readlink -f "\$0")
root=\$(dirname "\$(dirname "\$self")")/dbg/root-3.14
export PYTHONHOME="\$root/usr"
exec "\$root/$LOADER" --argv0 "\$self" \\
  --library-path "\$root/usr/lib/x86_64-linux-gnu:\$root/lib/x86_64-linux-gnu" \\
  "\$root/usr/bin/python3.14d" "\$@"
END
chmod +x "$DEST/bin/python3.14d"
fi

status=0
for v in "${VERSIONS[@]}" "${DEBUG_VERSIONS[@]}"; do
  if works "$v"; then
    log "python$v: $("$DEST/bin/python$v" -c 'import sys; print(sys.version.split()[0])')"
  else
    log "python$v: does not run"
    "$DEST/bin/python$v" -c 'import threading, ctypes, json' || true
    status=1
  fi
done
exit $((status | i386_status))
