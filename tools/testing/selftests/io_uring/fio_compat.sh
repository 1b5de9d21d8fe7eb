#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Compat: the distribution's fio, unmodified, through its io_uring engine,
# with crc32c verification: on an ext4 scratch disk, and polled (IOPOLL)
# on the raw null_blk device /dev/nullb0. The disk is the block device in
# $IOU_SCRATCH_DEV (the harness attaches one as /dev/vda); without it its
# jobs skip. The nullb0 jobs need a poll queue (io_poll 1 in sysfs, null_blk
# loaded with poll_queues=1), else they skip; without fio everything does.

ksft_skip=4
dev=${IOU_SCRATCH_DEV:-/dev/vda}
nullb=/dev/nullb0
# each job's file size (on nullb0, what it uses of the device)
size_mb=4

if ! command -v fio >/dev/null; then
	echo "SKIP: fio is not installed"
	exit $ksft_skip
fi

# Each job: where it runs (ext4: a directory on the scratch disk, nullb0:
# the raw device), its name, its own fio options.
jobs=(
	"ext4 buffered-randwrite-qd1 --rw=randwrite --iodepth=1"
	"ext4 buffered-randrw-qd8 --rw=randrw --iodepth=8"
	"ext4 direct-randwrite-qd64 --rw=randwrite --direct=1 --iodepth=64"
	"ext4 direct-randrw-qd16 --rw=randrw --direct=1 --iodepth=16"
	"ext4 direct-fixedbufs-regfiles-qd32 --rw=randrw --direct=1 --iodepth=32 --fixedbufs=1 --registerfiles=1"
	"ext4 buffered-fixedbufs-seqwrite-qd4 --rw=write --iodepth=4 --fixedbufs=1"
	"ext4 sqpoll-direct-randrw-qd16 --rw=randrw --direct=1 --iodepth=16 --sqthread_poll=1"
	"nullb0 hipri-direct-randrw-qd16 --rw=randrw --direct=1 --iodepth=16 --hipri=1"
	"nullb0 hipri-sqpoll-direct-randrw-qd8 --rw=randrw --direct=1 --iodepth=8 --hipri=1 --sqthread_poll=1"
)

# fio keeps verify state in the current directory
state=$(mktemp -d)
mnt=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	cd / || return
	rm -rf "${state:?}"
	if [ -n "$mnt" ]; then
		rm -rf "${mnt:?}"/*
		umount "$mnt"
		rmdir "$mnt"
	fi
}
trap cleanup EXIT
cd "$state" || exit 1

ext4_skip=
if [ ! -b "$dev" ]; then
	ext4_skip="no scratch block device at $dev"
else
	mnt=$(mktemp -d)
	if ! mount -t ext4 "$dev" "$mnt"; then
		echo "could not mount $dev"
		rmdir "$mnt"
		mnt=
		exit 1
	fi
fi
# The nullb0 jobs need a poll queue. The blocks they use are backed with
# memory first, by plain (not polled) writes: 6.12's null_blk allocates a
# missing page in ->poll(), under the RCU read lock iocb_bio_iopoll()
# holds, which warns "sleeping function called from invalid context".
nullb_skip=
nullb_err=
if [ ! -b "$nullb" ]; then
	nullb_skip="no $nullb"
elif [ "$(cat /sys/block/nullb0/queue/io_poll 2>/dev/null)" != 1 ]; then
	nullb_skip="$nullb has no poll queue (io_poll is not 1)"
elif ! dd if=/dev/zero of="$nullb" bs=1M count=$size_mb oflag=direct \
		status=none; then
	nullb_err="could not fill the first ${size_mb}M of $nullb"
fi

echo "TAP version 13"
echo "1..${#jobs[@]}"
fail=0
n=0
ran=0
for job in "${jobs[@]}"; do
	n=$((n + 1))
	target=${job%% *}
	job=${job#* }
	name=${job%% *}
	opts=${job#* }
	if [ "$target" = ext4 ]; then
		skip=$ext4_skip
		where=(--directory="$mnt")
	else
		skip=$nullb_skip
		where=(--filename="$nullb")
	fi
	if [ -n "$skip" ]; then
		echo "ok $n fio.$name # SKIP $skip"
		continue
	fi
	if [ "$target" = nullb0 ] && [ -n "$nullb_err" ]; then
		echo "not ok $n fio.$name # $nullb_err"
		fail=1
		continue
	fi
	ran=$((ran + 1))
	# shellcheck disable=SC2086
	if out=$(timeout 240 fio --name="$name" "${where[@]}" \
			--ioengine=io_uring --size=${size_mb}M --bs=4k --verify=crc32c \
			--verify_fatal=1 --rwmixread=50 --randrepeat=1 \
			--output-format=terse --terse-version=3 $opts 2>&1); then
		errs=$(echo "$out" | awk -F';' '/^3;/ { print $5 }')
		if [ "$errs" = "0" ]; then
			echo "ok $n fio.$name"
		else
			echo "$out" | sed 's/^/# /'
			echo "not ok $n fio.$name # fio reported error $errs"
			fail=1
		fi
	else
		echo "$out" | tail -n 20 | sed 's/^/# /'
		echo "not ok $n fio.$name"
		fail=1
	fi
	rm -rf "${state:?}"/*
	if [ "$target" = ext4 ]; then
		rm -rf "${mnt:?}"/*
	fi
done
if [ "$ran" = 0 ] && [ "$fail" = 0 ]; then
	exit $ksft_skip
fi
exit $fail
