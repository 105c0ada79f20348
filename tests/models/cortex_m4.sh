#!/bin/sh
# Cross-compiles the C that scnnc generates for the digits sample for a
# Cortex-M4 with FPU (strict C99 warnings as errors), prints its text/data/bss
# sizes, and, when qemu-system-arm is there, runs a few test images on QEMU's
# mps2-an386 board: each predicted class must be PyTorch's.
# usage: cortex_m4.sh BUILD_DIR WORK_DIR      exit 0 pass, 1 fail, 77 skipped
# needs: Debian gcc-arm-none-eabi, libnewlib-arm-none-eabi (and qemu-system-arm).
set -eu
build=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
digits=$here/../../samples/digits
N=${M4_IMAGES:-20}
if ! command -v arm-none-eabi-gcc > /dev/null ||
    ! echo '#include <string.h>' | arm-none-eabi-gcc -E -x c - > /dev/null 2>&1; then
    echo "SKIP: arm-none-eabi-gcc not installed (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)"
    exit 77
fi
CC="arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
CFLAGS="-Os -std=c99 -Wall -Wextra -pedantic -Werror -ffunction-sections -fdata-sections"
rm -rf "$work"
mkdir -p "$work"

"$build/scnnc" "$digits/digits.onnx" -o "$work/digits.c"
$CC $CFLAGS -c "$work/digits.c" -o "$work/digits.o"
echo "generated digits.c for Cortex-M4 (-Os):"
arm-none-eabi-size "$work/digits.o"

if ! command -v qemu-system-arm > /dev/null; then
    echo "qemu-system-arm not installed: compiled only"
    exit 0
fi
# The first N test images as bytes, and PyTorch's classes for them.
{
    echo "#define M4_IMAGES $N"
    echo "static const unsigned char m4_image_bytes[] = {"
    od -An -v -tx1 -N $((N * 256)) "$digits/test_images.bin" | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'
    echo "};"
    echo "static const unsigned char m4_expected[] = {"
    od -An -v -tu1 -N "$N" "$digits/test_predictions.bin" | sed 's/\([0-9][0-9]*\)/\1,/g'
    echo "};"
} > "$work/m4_images.h"
$CC $CFLAGS -I"$work" -I"$here/m4" -c "$here/m4/digits_m4.c" -o "$work/digits_m4.o"
$CC $CFLAGS -I"$here/m4" -c "$here/m4/startup.c" -o "$work/startup.o"
$CC -nostartfiles -T "$here/m4/m4.ld" --specs=nosys.specs -Wl,--gc-sections \
    "$work/startup.o" "$work/digits_m4.o" "$work/digits.o" -lm -o "$work/digits_m4.elf"
echo "firmware (start-up, test program, $N images, model):"
arm-none-eabi-size "$work/digits_m4.elf"
echo "running on QEMU mps2-an386:"
timeout 120 qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native -kernel "$work/digits_m4.elf"
