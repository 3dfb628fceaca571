#!/usr/bin/env bash
# Builds an Arduino sketch for a real 8-bit board with Debian's arduino-core-avr and gcc-avr, the
# way the Arduino IDE's platform.txt/boards.txt do (no arduino-cli): the core, the library's src/
# (every .c/.cpp/.S, recursively), the sketch's .ino files (joined, with prototypes) and its own
# .c/.cpp files, with -Os -flto and --gc-sections, into OUT_DIR/<sketch>.elf and .hex, then prints
# the avr-size figures.
#
#   build-sketch.sh [options] BOARD SKETCH_DIR OUT_DIR
#     BOARD          uno (ATmega328P) or mega (ATmega2560), both 16 MHz
#     --lib DIR      a library root to compile (its src/); repeatable. Default: this library
#                    (clients/arduino). Debian's bundled libraries (EEPROM, SPI, Wire, …) are found
#                    by the headers the sources include.
#     --no-lib       compile no library (a baseline sketch)
#     -I DIR         a folder of headers for every compilation (e.g. extras/avr for the bridge)
#     -DNAME[=VALUE] a define for every compilation (a sketch may size the library's buffers so)
#     --cache DIR    keep the compiled core and libraries in DIR and reuse them in later builds
#                    with the same board, defines, includes and libraries (sources are not
#                    checked for changes: use a fresh DIR per test run)
#
# The last line printed is machine-readable:
#   size: board=uno text=… data=… bss=… flash=… ram=… flash_max=… ram_max=…
# where flash = text + data (what is written to the chip) and ram = data + bss (static RAM).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
platform=${ARDUINO_AVR_PLATFORM:-/usr/share/arduino/hardware/arduino/avr}
libs=("$(cd "$here/../.." && pwd)")
includes=()
defines=()
cache=
while [ $# -gt 0 ]; do
  case $1 in
    --lib) libs+=("$(cd "$2" && pwd)"); shift 2 ;;
    --no-lib) libs=(); shift ;;
    --cache) mkdir -p "$2"; cache=$(cd "$2" && pwd); shift 2 ;;
    -I) includes+=("-I$(cd "$2" && pwd)"); shift 2 ;;
    -I*) includes+=("-I$(cd "${1#-I}" && pwd)"); shift ;;
    -D) defines+=("-D$2"); shift 2 ;;
    -D*) defines+=("$1"); shift ;;
    -*) echo "build-sketch: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -ne 3 ]; then
  sed -n '8,19p' "${BASH_SOURCE[0]}" >&2
  exit 2
fi
board=$1
sketch=$(cd "$2" && pwd)
out=$3
name=$(basename "$sketch")

case $board in
  uno) mcu=atmega328p variant=standard board_define=ARDUINO_AVR_UNO flash_max=32256 ram_max=2048 ;;
  mega) mcu=atmega2560 variant=mega board_define=ARDUINO_AVR_MEGA2560 flash_max=253952 ram_max=8192 ;;
  *) echo "build-sketch: unknown board '$board' (uno or mega)" >&2; exit 2 ;;
esac

rm -rf "$out"/core "$out"/lib "$out"/sketch
mkdir -p "$out"/core "$out"/lib "$out"/sketch
out=$(cd "$out" && pwd)

common=(-mmcu="$mcu" -DF_CPU=16000000L -DARDUINO=10807 "-D$board_define" -DARDUINO_ARCH_AVR)
cflags=(-c -g -Os -std=gnu11 -ffunction-sections -fdata-sections -MMD -flto -fno-fat-lto-objects)
cxxflags=(-c -g -Os -std=gnu++11 -fpermissive -fno-exceptions -ffunction-sections -fdata-sections -fno-threadsafe-statics -Wno-error=narrowing -MMD -flto)
# gcc-avr 5.4's <float.h> gives DECIMAL_DIG to C99 only, and the core's WString.cpp needs it in C++11
cxxflags+=(-DDECIMAL_DIG=__DECIMAL_DIG__)
sflags=(-c -g -x assembler-with-cpp -flto -MMD)
core_inc=(-I"$platform/cores/arduino" -I"$platform/variants/$variant")

# Debian's bundled libraries (EEPROM, SPI, Wire, SoftwareSerial) a source includes by header name
bundled=()
lib_inc=()
for lib in "${libs[@]}"; do lib_inc+=(-I"$lib/src"); done
scan_dirs=("$sketch")
for lib in "${libs[@]}"; do scan_dirs+=("$lib/src"); done
for dir in "$platform"/libraries/*/src; do
  for header in "$dir"/*.h; do
    if grep -rqsE "#\s*include\s*[<\"]$(basename "$header")[>\"]" "${scan_dirs[@]}" --include='*.ino' --include='*.h' --include='*.c' --include='*.cpp'; then
      bundled+=("$dir")
      lib_inc+=(-I"$dir")
      break
    fi
  done
done

compile() { # SOURCE OBJECT WARNINGS INCLUDES...
  local src=$1 obj=$2 warn=$3
  shift 3
  case $src in
    *.c) avr-gcc "${cflags[@]}" $warn "${common[@]}" "${defines[@]}" "$@" "$src" -o "$obj" ;;
    *.cpp) avr-g++ "${cxxflags[@]}" $warn "${common[@]}" "${defines[@]}" "$@" "$src" -o "$obj" ;;
    *.S) avr-gcc "${sflags[@]}" "${common[@]}" "${defines[@]}" "$@" "$src" -o "$obj" ;;
  esac
}

# the core goes into an archive, as the IDE does, so unused parts of it are never linked
build_core() {
  local objs=() src obj
  for src in "$platform"/cores/arduino/*.c "$platform"/cores/arduino/*.cpp "$platform"/cores/arduino/*.S; do
    obj="$out/core/$(basename "$src").o"
    compile "$src" "$obj" -w "${core_inc[@]}"
    objs+=("$obj")
  done
  rm -f "$out/core.a"
  avr-gcc-ar rcs "$out/core.a" "${objs[@]}"
}

build_libraries() {
  local n=0 dir src obj
  for dir in "${libs[@]/%//src}" "${bundled[@]}"; do
    [ -d "$dir" ] || continue
    while IFS= read -r -d '' src; do
      n=$((n + 1))
      obj="$out/lib/$n-$(basename "$src").o"
      compile "$src" "$obj" "-Wall -Wextra" "${core_inc[@]}" "${lib_inc[@]}" "${includes[@]}"
    done < <(find "$dir" \( -name '*.c' -o -name '*.cpp' -o -name '*.S' \) -print0 | sort -z)
  done
}

if [ -n "$cache" ]; then
  key=$(printf '%s\n' "$board" "${defines[@]}" "${includes[@]}" "${libs[@]}" "${bundled[@]}" | cksum | cut -d' ' -f1)
  if [ ! -d "$cache/$key" ]; then
    build_core
    build_libraries
    mkdir -p "$cache/$key.tmp.$$"
    cp -r "$out/core.a" "$out/lib" "$cache/$key.tmp.$$/"
    mv "$cache/$key.tmp.$$" "$cache/$key" 2>/dev/null || rm -rf "$cache/$key.tmp.$$"
  else
    cp "$cache/$key/core.a" "$out/core.a"
    cp -r "$cache/$key/lib/." "$out/lib/"
  fi
else
  build_core
  build_libraries
fi
link=()
while IFS= read -r -d '' obj; do link+=("$obj"); done < <(find "$out/lib" -name '*.o' -print0 | sort -z)

node "$here/ino-to-cpp.mjs" "$sketch" "$out/sketch/$name.ino.cpp"
compile "$out/sketch/$name.ino.cpp" "$out/sketch/$name.ino.cpp.o" "-Wall -Wextra" -I"$sketch" "${core_inc[@]}" "${lib_inc[@]}" "${includes[@]}"
link+=("$out/sketch/$name.ino.cpp.o")
for src in "$sketch"/*.c "$sketch"/*.cpp; do
  [ -e "$src" ] || continue
  compile "$src" "$out/sketch/$(basename "$src").o" "-Wall -Wextra" -I"$sketch" "${core_inc[@]}" "${lib_inc[@]}" "${includes[@]}"
  link+=("$out/sketch/$(basename "$src").o")
done

avr-gcc -w -Os -g -flto -fuse-linker-plugin -Wl,--gc-sections -mmcu="$mcu" -o "$out/$name.elf" "${link[@]}" "$out/core.a" -L"$out" -lm
avr-objcopy -O ihex -R .eeprom "$out/$name.elf" "$out/$name.hex"

read -r text data bss < <(avr-size -A "$out/$name.elf" | awk '$1==".text"{t=$2} $1==".data"{d=$2} $1==".bss"||$1==".noinit"{b+=$2} END{print t+0, d+0, b+0}')
avr-size "$out/$name.elf"
echo "size: board=$board text=$text data=$data bss=$bss flash=$((text + data)) ram=$((data + bss)) flash_max=$flash_max ram_max=$ram_max"
