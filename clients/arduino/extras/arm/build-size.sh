#!/usr/bin/env bash
# Sizes of the C core for the docs' table, on a Cortex-M0+ (arm-none-eabi-gcc, newlib-nano) and on
# the host (gcc): every src/*.c plus size_main.c (a sketch-like use of the core), linked with
# --gc-sections, against the same program without the core (the baseline: same buffers, same
# dummy transport). The difference is what the library costs a device.
#
#   build-size.sh cortex-m0plus|host OUT_DIR
#
# Prints, last, machine-readable lines:
#   size: target=… program text=… data=… bss=…
#   size: target=… baseline text=… data=… bss=…
#   size: target=… library flash=… ram=…          (program − baseline: flash = text+data, ram = data+bss)
#   size: target=… objects text=… data=… bss=…    (the core's object files summed, before --gc-sections)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../../src" && pwd)
if [ $# -ne 2 ]; then
  sed -n 7p "${BASH_SOURCE[0]}" >&2
  exit 2
fi
target=$1
mkdir -p "$2"
out=$(cd "$2" && pwd)

common=(-Os -std=c99 -pedantic -Wall -Wextra -ffunction-sections -fdata-sections -I"$src")
case $target in
  cortex-m0plus)
    cc=arm-none-eabi-gcc size=arm-none-eabi-size
    arch=(-mcpu=cortex-m0plus -mthumb)
    link=(--specs=nano.specs --specs=nosys.specs -Wl,--gc-sections)
    ;;
  host)
    cc=gcc size=size
    arch=()
    link=(-Wl,--gc-sections)
    ;;
  *) echo "build-size: unknown target '$target' (cortex-m0plus or host)" >&2; exit 2 ;;
esac

objs=()
for file in "$src"/*.c; do
  obj="$out/$(basename "$file" .c).o"
  "$cc" "${arch[@]}" "${common[@]}" -c "$file" -o "$obj"
  objs+=("$obj")
done
"$cc" "${arch[@]}" "${common[@]}" -DSTRATUS_SIZE_USE_CORE -c "$here/size_main.c" -o "$out/main.o"
"$cc" "${arch[@]}" "${common[@]}" -c "$here/size_main.c" -o "$out/baseline.o"
"$cc" "${arch[@]}" -Os "${link[@]}" -o "$out/program.elf" "$out/main.o" "${objs[@]}"
"$cc" "${arch[@]}" -Os "${link[@]}" -o "$out/baseline.elf" "$out/baseline.o"

figures() { "$size" "$@" | awk 'NR>1{t+=$1; d+=$2; b+=$3} END{print t+0, d+0, b+0}'; }
read -r pt pd pb < <(figures "$out/program.elf")
read -r bt bd bb < <(figures "$out/baseline.elf")
read -r ot od ob < <(figures "${objs[@]}")
"$size" "$out/program.elf" "$out/baseline.elf"
echo "size: target=$target program text=$pt data=$pd bss=$pb"
echo "size: target=$target baseline text=$bt data=$bd bss=$bb"
echo "size: target=$target library flash=$(((pt + pd) - (bt + bd))) ram=$(((pd + pb) - (bd + bb)))"
echo "size: target=$target objects text=$ot data=$od bss=$ob"
