#!/usr/bin/env bash
# Installs the Debian programs the tests use as oracles (idempotent).
# Runs as root (CI) or through sudo when available.
set -euo pipefail

PACKAGES=(
  chromium                      # e2e: the UI in a real browser
  fonts-noto-cjk                # Japanese UI text in screenshots
  qemu-system-misc              # reference machine (qemu-system-riscv64)
  qemu-user                     # reference ISA behaviour (qemu-riscv64)
  opensbi                       # firmware to boot
  u-boot-qemu                   # bootloader to boot
  gcc-riscv64-unknown-elf       # test guests
  picolibc-riscv64-unknown-elf  # libc for C test guests
  binutils-riscv64-unknown-elf  # objdump: the disassembler's oracle
  device-tree-compiler          # dtc decompiles our FDT
  qemu-utils                    # qemu-img checks our disk images
  gdb-multiarch                 # talks to our GDB stub
)

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-test-deps: done"
