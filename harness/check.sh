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
# /dev/nullb0 with one poll queue, memory backed, for the IOPOLL tests
# (the interrupt-driven queue completes in softirq, like real hardware).
# null_blk allocates a backing page on the first write to it, which may
# sleep: blocking=1 lets the normal queue do that, and tests write their
# range once through it before polled I/O touches it (a polled write to a
# new page would allocate under rcu_read_lock, a splat on any kernel).
nullb="null_blk.queue_mode=2 null_blk.irqmode=1 null_blk.submit_queues=1"
nullb="$nullb null_blk.poll_queues=1 null_blk.gb=1 null_blk.bs=4096"
nullb="$nullb null_blk.memory_backed=1 null_blk.blocking=1"
export QEMU_APPEND="$nullb ${QEMU_APPEND:-}"
sel=
for t in $TESTS; do sel="$sel -t io_uring:$t"; done
log "booting $KERNEL/debug and running the suite (log: $out)"
set +e
QEMU_TIMEOUT=${CHECK_TIMEOUT:-2400} "$TOP/harness/qemu.sh" "$KERNEL" debug "
cd '$inst' || exit 1
# features.c pins what each kernel must report
export IOU_KERNEL='$KERNEL'
./run_kselftest.sh $sel
echo '@@DMESG-BEGIN'
dmesg
echo '@@DMESG-END'
" > "$out" 2>&1
rc=$?
set -e
# every case that skips on this kernel must be one its list allows
python3 "$TOP/harness/verdict.py" "$out" "$rc" "$TOP/harness/skips/$KERNEL.txt"
