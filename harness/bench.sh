#!/bin/bash
# `make bench`: the same io_uring workloads on the stock 6.12 kernel and on
# ours, both built with the perf config; prints and writes the ratio table.
#
#  1. icount (QEMU_MODE=icount: -accel tcg -icount shift=0,sleep=off -smp 1):
#     one boot per kernel, guest ns = guest instructions, so ns/op is
#     instructions per op. Deterministic.
#  2. wall clock (multi-threaded TCG, 2 vCPUs): BENCH_RUNS boots per kernel,
#     interleaved stock, ours, stock, ours, ...; median and spread of ns/op.
#
# Every boot runs all workloads (harness/bench/*.c, fio baselines) against
# null_blk (/dev/nullb0, set up on the kernel command line) and a cached
# file on ext4 (a scratch virtio disk). A workload needing a feature the
# kernel lacks (found at run time: setup flag refused, opcode not probed)
# shows "n/a"; that is not a failure. Exit status is non-zero only for a
# harness failure: a build, a guest that crashes or hangs, a kernel splat,
# or a workload that fails on a kernel that runs it.
#
# Env: BENCH_RUNS (wall-clock boots per kernel, default 3, at least 1),
# BENCH_MODES ("icount wall", or either), BENCH_ROWS (extended regex on
# workload names, for a quick partial run), BENCH_SCALE (multiply every op
# count, e.g. 0.1 for a smoke test), BENCH_TIMEOUT (s per boot, default 900),
# BENCH_NOBUILD=1 (use the kernels already built), BENCH_OUT (output
# directory, default build/bench: give partial runs their own).
# Output: $BENCH_OUT/results.{csv,md}, raw.csv, and a log per boot.
. "$(dirname "$0")/lib.sh"

RUNS=${BENCH_RUNS:-3}
MODES=${BENCH_MODES:-icount wall}
ROWS=${BENCH_ROWS:-.}
SCALE=${BENCH_SCALE:-1}
OUT=${BENCH_OUT:-$BUILD/bench}
BIN=$OUT/bin
SRC=$TOP/harness/bench
NULLB="null_blk.queue_mode=2 null_blk.irqmode=0 null_blk.completion_nsec=0 null_blk.submit_queues=1 null_blk.poll_queues=1 null_blk.gb=1 null_blk.bs=4096 null_blk.hw_queue_depth=128"

# name | ops under icount | ops in wall-clock mode | command (guest side;
# $B = programs, $F = the cached ext4 file, $S = harness/bench)
# rw args: depth batch file [direct] [fixed] [iopoll] [sqpoll] [pbuf]
# shellcheck disable=SC2016 # expanded in the guest
WORKLOADS='
nop_qd1                    | 200000  | 200000  | $B/nop  NAME OPS 1 1
nop_d128_b32               | 1000000 | 2000000 | $B/nop  NAME OPS 128 32
randread_qd1               | 100000  | 100000  | $B/rw   NAME OPS 1 1 /dev/nullb0 direct
randread_qd1_fixed         | 100000  | 100000  | $B/rw   NAME OPS 1 1 /dev/nullb0 direct fixed
randread_qd32_b8           | 100000  | 200000  | $B/rw   NAME OPS 32 8 /dev/nullb0 direct
randread_qd32_b8_fixed     | 100000  | 200000  | $B/rw   NAME OPS 32 8 /dev/nullb0 direct fixed
iopoll_randread_qd1        | 100000  | 100000  | $B/rw   NAME OPS 1 1 /dev/nullb0 direct iopoll
iopoll_randread_qd32_b8    | 100000  | 200000  | $B/rw   NAME OPS 32 8 /dev/nullb0 direct iopoll
iopoll_randread_qd32_fixed | 100000  | 200000  | $B/rw   NAME OPS 32 8 /dev/nullb0 direct fixed iopoll
bufread_qd1                | 200000  | 200000  | $B/rw   NAME OPS 1 1 $F
bufread_qd32_b8            | 200000  | 400000  | $B/rw   NAME OPS 32 8 $F
bufread_qd32_b8_fixed      | 200000  | 400000  | $B/rw   NAME OPS 32 8 $F fixed
bufread_qd32_b8_pbuf       | 200000  | 400000  | $B/rw   NAME OPS 32 8 $F pbuf
pipe_pingpong              | 20000   | 2000    | $B/pipe NAME OPS
sqpoll_nop_d128_b32        | 1000000 | 400000  | $B/nop  NAME OPS 128 32 sqpoll
sqpoll_randread_qd32_fixed | 100000  | 20000   | $B/rw   NAME OPS 32 8 /dev/nullb0 direct fixed sqpoll
fio_iouring_qd32_b8        | 300000  | 200000  | $S/fio.sh NAME OPS io_uring 32 8
fio_libaio_qd1             | 200000  | 100000  | $S/fio.sh NAME OPS libaio 1 1
fio_libaio_qd32_b8         | 300000  | 200000  | $S/fio.sh NAME OPS libaio 32 8
fio_pvsync2_qd1            | 200000  | 100000  | $S/fio.sh NAME OPS pvsync2 1 1
'

t_start=$(date +%s)
mkdir -p "$OUT"

if [ "${BENCH_NOBUILD:-0}" != 1 ]; then
	for k in stock ours; do
		"$TOP/harness/build.sh" "$k" perf || die "building $k/perf failed"
	done
fi
for k in stock ours; do
	[ -f "$(objdir "$k" perf)/arch/x86/boot/bzImage" ] || die "no $k/perf kernel"
done

# The programs, static, against the stock uapi header (ours is the same ABI).
inc=$(objdir stock perf)/usr/include
[ -f "$inc/linux/io_uring.h" ] || inc=/tmp/uapi-stock/usr/include
[ -f "$inc/linux/io_uring.h" ] || die "no installed stock uapi headers"
mkdir -p "$BIN"
for p in nop rw pipe; do
	gcc -O2 -Wall -Werror -static -pthread -I "$inc" -o "$BIN/$p" "$SRC/$p.c" ||
		die "building $p failed"
done

# The guest script for one mode: one line per workload.
guest_script() {
	local mode=$1 name icount wall cmd ops words
	cat <<EOF
B=$BIN S=$SRC F=/tmp/ext4/file
[ -b /dev/nullb0 ] || { echo "@@BENCH-ERROR no /dev/nullb0"; exit 1; }
[ "\$(cat /sys/block/nullb0/queue/io_poll)" = 1 ] || echo "@@BENCH-NOTE nullb0 has no poll queue"
mkdir -p /tmp/ext4 && mount -t ext4 /dev/vda /tmp/ext4 ||
	{ echo "@@BENCH-ERROR cannot mount the scratch disk"; exit 1; }
dd if=/dev/zero of=\$F bs=1M count=64 status=none && sync ||
	{ echo "@@BENCH-ERROR cannot write \$F"; exit 1; }
cat \$F > /dev/null
row() {
	local name=\$1 rc
	shift
	"\$@" 2>/tmp/err
	rc=\$?
	sed 's/^/@@BENCH-STDERR /' /tmp/err
	[ \$rc = 0 ] || echo "BENCH name=\$name status=failed rc=\$rc"
}
EOF
	while IFS='|' read -r name icount wall cmd; do
		name=${name//[[:space:]]/}
		[ -n "$name" ] || continue
		[[ $name =~ $ROWS ]] || continue
		if [ "$mode" = icount ]; then ops=$icount; else ops=$wall; fi
		ops=$(awk -v o="$ops" -v s="$SCALE" 'BEGIN { v = int(o * s); print v < 16 ? 16 : v }')
		read -ra words <<<"$cmd"
		cmd="${words[*]}"
		cmd=${cmd//NAME/$name}
		cmd=${cmd//OPS/$ops}
		echo "row $name $cmd"
	done <<<"$WORKLOADS"
	cat <<'EOF'
echo '@@DMESG-BEGIN'
dmesg -S 2>/dev/null || dmesg
echo '@@DMESG-END'
EOF
}

# One boot: bench_boot <kernel> <mode> <run>; the log goes to $OUT.
bench_boot() {
	local k=$1 mode=$2 run=$3 log rc disk
	log=$OUT/$mode-$k-$run.log
	disk=$OUT/disk-$k.img
	rm -f "$disk"
	truncate -s 256M "$disk"
	mkfs.ext4 -q -F "$disk"
	log "$mode run $run: $k ($log)"
	set +e
	QEMU_DISK=$disk QEMU_APPEND="$NULLB" QEMU_TIMEOUT=${BENCH_TIMEOUT:-900} \
		QEMU_MODE=$([ "$mode" = icount ] && echo icount || echo mttcg) \
		"$TOP/harness/qemu.sh" "$k" perf "$(guest_script "$mode")" >"$log" 2>&1
	rc=$?
	set -e
	rm -f "$disk"
	echo "@@QEMU-RC=$rc" >>"$log"
	grep -a '^BENCH ' "$log" | tr -d '\r' | sed 's/^/    /' >&2 || true
}

rm -f "$OUT"/icount-*.log "$OUT"/wall-*.log
logs=()
for mode in $MODES; do
	case $mode in
	icount)
		for k in stock ours; do
			bench_boot "$k" icount 1
			logs+=("$OUT/icount-$k-1.log")
		done;;
	wall)
		for i in $(seq 1 "$RUNS"); do
			for k in stock ours; do
				bench_boot "$k" wall "$i"
				logs+=("$OUT/wall-$k-$i.log")
			done
		done;;
	*) die "unknown mode '$mode' in BENCH_MODES";;
	esac
done

elapsed=$(($(date +%s) - t_start))
python3 "$SRC/report.py" "$OUT" "$elapsed" "${logs[@]}"
