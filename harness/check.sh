#!/bin/bash
# `make check`: build the debug kernel, boot it, run the io_uring
# kselftests, scan the kernel log for splats, print the verdict.
#   check.sh <ours|stock> [test ...]
# Env: CHECK_TIMEOUT (s, whole guest run, default 2400).
. "$(dirname "$0")/lib.sh"
KERNEL=${1:?kernel}
shift
TESTS=${*:-}
check_kernel "$KERNEL"

"$TOP/harness/build.sh" "$KERNEL" debug
src=$(srcdir "$KERNEL")
obj=$(objdir "$KERNEL" debug)
inst=$obj/kselftest-install

log "building the io_uring selftests against $KERNEL's uapi headers"
rm -rf "$inst"
make -s -C "$src/tools/testing/selftests" TARGETS=io_uring O="$obj" \
	INSTALL_PATH="$inst" install >/dev/null

mkdir -p "$BUILD/check"
out=$BUILD/check/$KERNEL.log
# a fresh ext4 scratch disk for the compat tests (fio), /dev/vda in the guest
disk=$BUILD/check/scratch-$KERNEL.img
rm -f "$disk"
truncate -s 256M "$disk"
mkfs.ext4 -q -F "$disk"
export QEMU_DISK=$disk
sel=
for t in $TESTS; do sel="$sel -t io_uring:$t"; done
log "booting $KERNEL/debug and running the suite (log: $out)"
set +e
QEMU_TIMEOUT=${CHECK_TIMEOUT:-2400} "$TOP/harness/qemu.sh" "$KERNEL" debug "
cd '$inst' || exit 1
./run_kselftest.sh $sel
echo '@@DMESG-BEGIN'
dmesg
echo '@@DMESG-END'
" > "$out" 2>&1
rc=$?
set -e
python3 "$TOP/harness/verdict.py" "$out" "$rc"
