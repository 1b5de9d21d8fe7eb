#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Compat: the distribution's fio, unmodified, through its io_uring engine,
# with crc32c verification, on an ext4 scratch disk. The disk is the
# block device in $IOU_SCRATCH_DEV (the harness attaches one as
# /dev/vda); without it, or without fio, the test skips.

ksft_skip=4
dev=${IOU_SCRATCH_DEV:-/dev/vda}

if ! command -v fio >/dev/null; then
	echo "SKIP: fio is not installed"
	exit $ksft_skip
fi
if [ ! -b "$dev" ]; then
	echo "SKIP: no scratch block device at $dev"
	exit $ksft_skip
fi

mnt=$(mktemp -d)
if ! mount -t ext4 "$dev" "$mnt"; then
	echo "could not mount $dev"
	exit 1
fi
trap 'cd /; rm -rf "${mnt:?}"/*; umount "$mnt"; rmdir "$mnt"' EXIT
# fio keeps verify state in the current directory
cd "$mnt" || exit 1

jobs=(
	"buffered-randwrite-qd1 --rw=randwrite --iodepth=1"
	"buffered-randrw-qd8 --rw=randrw --iodepth=8"
	"direct-randwrite-qd64 --rw=randwrite --direct=1 --iodepth=64"
	"direct-randrw-qd16 --rw=randrw --direct=1 --iodepth=16"
	"direct-fixedbufs-regfiles-qd32 --rw=randrw --direct=1 --iodepth=32 --fixedbufs=1 --registerfiles=1"
	"buffered-fixedbufs-seqwrite-qd4 --rw=write --iodepth=4 --fixedbufs=1"
)

echo "TAP version 13"
echo "1..${#jobs[@]}"
fail=0
n=0
for job in "${jobs[@]}"; do
	n=$((n + 1))
	name=${job%% *}
	# shellcheck disable=SC2086
	if out=$(timeout 240 fio --name="$name" --directory="$mnt" \
			--ioengine=io_uring --size=4M --bs=4k --verify=crc32c \
			--verify_fatal=1 --rwmixread=50 --randrepeat=1 \
			--output-format=terse --terse-version=3 ${job#* } 2>&1); then
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
	rm -rf "${mnt:?}"/*
done
exit $fail
