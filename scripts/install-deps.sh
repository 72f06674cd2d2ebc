#!/bin/bash
# Installs what orchd needs to build, test and run its demo on Debian 12, with apt-get.
# Idempotent and quick when everything is present: apt-get runs only for missing packages.
# --valgrind: valgrind too, for scripts/test.sh --valgrind only (CI runs the sanitizers instead).
set -euo pipefail

packages=(
        # build
        gcc meson ninja-build pkg-config libc6-dev
        libsystemd-dev libglib2.0-dev libnotify-dev libcmocka-dev libcurl4-openssl-dev
        libpolkit-gobject-1-dev libdbus-1-dev
        # the sandbox: a real systemd, dbus-daemon, polkitd and journald
        systemd dbus-daemon polkitd pkexec util-linux mount passwd
        # tests
        libxml2-utils python3 libglib2.0-bin tmux
        # fuzzing (fuzz/run-fuzzers.sh): clang and its libFuzzer runtime
        clang libclang-rt-14-dev
        # orchd-notify's test: login sessions with their user managers and session buses, a display,
        # a real notification server, a screenshot
        dbus-bin dbus-user-session libpam-systemd xvfb dunst fonts-dejavu-core imagemagick
)
if [ "${1:-}" = --valgrind ]; then
        # Debian's valgrind depends on libc6-dbg: memcheck needs the symbols of ld.so.
        packages+=(valgrind)
fi

missing=()
for p in "${packages[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
                missing+=("$p")
        fi
done

if [ ${#missing[@]} -eq 0 ]; then
        exit 0
fi

if [ "$(id -u)" != 0 ]; then
        echo "install-deps: missing packages: ${missing[*]}; run me as root to install them." >&2
        exit 1
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
