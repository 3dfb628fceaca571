#!/usr/bin/env bash
# Installs the Debian packages the device (C/Arduino) tests need, and only those that are missing:
# the AVR compiler and libc, Debian's Arduino AVR core, simavr (binary, headers, library), the
# Cortex-M compiler with newlib-nano, clang with the libFuzzer runtime, valgrind, libelf and
# pkg-config. Idempotent and quick when everything is there (no apt call at all).
set -euo pipefail
source "$(dirname "$0")/apt-install.sh"

need() { # PACKAGE TEST...: the package is missing when the test fails
  local package=$1
  shift
  if ! "$@" >/dev/null 2>&1; then missing+=("$package"); fi
}
has() { command -v "$1"; }
any() { compgen -G "$1"; }

check() {
  missing=()
  need gcc has gcc
  need libc6-dev test -f /usr/include/stdio.h
  need gcc-avr has avr-gcc
  need binutils-avr has avr-size
  need avr-libc test -f /usr/lib/avr/include/avr/io.h
  need arduino-core-avr test -f /usr/share/arduino/hardware/arduino/avr/cores/arduino/Arduino.h
  need simavr has simavr
  need libsimavr-dev test -f /usr/include/simavr/sim_avr.h
  need libsimavr-dev any '/usr/lib/*/libsimavr.so'
  need gcc-arm-none-eabi has arm-none-eabi-gcc
  need libnewlib-arm-none-eabi test -f /usr/lib/arm-none-eabi/newlib/thumb/v6-m/nofp/nano.specs
  need clang has clang
  need libclang-rt-14-dev any '/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a'
  need valgrind has valgrind
  need libelf-dev test -f /usr/include/gelf.h
  need pkg-config has pkg-config
  # one package may be missing for several reasons
  if [ ${#missing[@]} -gt 0 ]; then mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u); fi
}

ensure_packages ensure-device-toolchain --no-install-recommends
