#!/bin/sh
# Installs the Debian 12 packages that building and testing scnnc needs, and
# nothing when they are all there already. Runs as root, or through sudo.
#
#   build       cmake gcc make pkg-config libc6-dev, protobuf-c (the ONNX
#               schema's C bindings are generated at build time from
#               libonnx-dev's onnx.proto)
#   verifier    libclang-dev (scnnc-verify), clang (generated C must build
#               with clang too)
#   tests       libcmocka-dev (unit tests), libonnx-testdata (the ONNX
#               backend conformance suite)
#   Cortex-M4   gcc-arm-none-eabi libnewlib-arm-none-eabi (cross-compiling the
#               generated C), qemu-system-arm (running it)
set -eu

PACKAGES="cmake gcc make pkg-config libc6-dev
libprotobuf-c-dev protobuf-c-compiler libonnx-dev
libclang-dev clang
libcmocka-dev libonnx-testdata
gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi qemu-system-arm"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -z "$missing" ]; then
    echo "install-deps: all packages are installed"
    exit 0
fi
echo "install-deps: installing$missing"

if [ "$(id -u)" = 0 ]; then
    as_root=""
elif command -v sudo > /dev/null; then
    as_root="sudo"
else
    echo "install-deps: run as root (or install sudo) to install:$missing" >&2
    exit 1
fi
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update
# shellcheck disable=SC2086
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
