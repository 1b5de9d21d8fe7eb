#!/bin/bash
# Count the guest instructions one call of a kernel function executes,
# per function it runs through: a profiler for `make bench` rows that
# works under TCG, where the guest has no PMU.
#   iprof.sh <kernel> <skip> <guest command ...>
# Boots <kernel>'s perf build with a gdb stub (icount, one CPU, no KASLR),
# lets IPROF_FUNC (default __x64_sys_io_uring_enter) run <skip> times,
# then single-steps its next call to the end and prints where the
# instructions went. Env: IPROF_FUNC, IPROF_TOP (rows, default 40),
# IPROF_DETAIL (a function: list its instructions with their counts),
# IPROF_CALLERS (a function: count its call sites), IPROF_CYCLE=1 (count
# from one call to the next, user space included),
# QEMU_APPEND (e.g. null_blk for the rw rows).
. "$(dirname "$0")/lib.sh"
KERNEL=${1:?kernel} SKIP=${2:?skip}
shift 2
CMD=${*:?guest command}
obj=$(objdir "$KERNEL" perf)
[ -f "$obj/vmlinux" ] || die "no $obj/vmlinux: run make bench (or build.sh $KERNEL perf)"
command -v gdb >/dev/null || die "gdb is not installed"
func=${IPROF_FUNC:-__x64_sys_io_uring_enter}
port=$((20000 + RANDOM % 10000))

QEMU_MODE=icount QEMU_EXTRA="-gdb tcp::$port" QEMU_TIMEOUT=900 \
	QEMU_APPEND="nokaslr ${QEMU_APPEND:-}" \
	"$TOP/harness/qemu.sh" "$KERNEL" perf "$CMD" > "$BUILD/run/iprof-guest.log" 2>&1 &
qpid=$!
trap 'kill $qpid 2>/dev/null; pkill -f "tcp::$port" 2>/dev/null || true' EXIT
sleep 2
IPROF_PORT=$port IPROF_FUNC=$func IPROF_SKIP=$SKIP IPROF_TOP=${IPROF_TOP:-40} IPROF_DETAIL=${IPROF_DETAIL:-} IPROF_CALLERS=${IPROF_CALLERS:-} IPROF_CYCLE=${IPROF_CYCLE:-} \
	gdb -q -batch -nx "$obj/vmlinux" -x "$TOP/harness/iprof/step.py" 2>&1 |
	grep -v -e "^warning:" -e "^0x[0-9a-f]* in "
