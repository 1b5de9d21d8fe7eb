#!/bin/bash
# Run nullb.fio with one engine and print the BENCH line (guest side).
#   fio.sh <name> <ops> <engine> <depth> <batch>
# ns is fio's job runtime (ms resolution, guest CLOCK_MONOTONIC); size the
# op count so that it is at least a second or two.
set -euo pipefail
name=$1
export ENGINE=$3 DEPTH=$4 BATCH=$5 IO_SIZE=$(($2 * 4096))
if ! command -v fio >/dev/null; then
	echo "BENCH name=$name status=unsupported why=no_fio_binary"
	exit 0
fi
# Run fio from a copy in the guest's tmpfs: run from 9p, its code pages
# are read from the host as first touched, mid-run, and under icount the
# idle wait for the host warps the guest clock (non-deterministic ns).
local=/tmp/fio-local
if [ ! -x $local/fio ]; then
	mkdir -p $local.tmp
	cp "$(command -v fio)" $local.tmp/fio
	for lib in $(ldd $local.tmp/fio | grep -o '/[^ ]*'); do
		cp "$lib" $local.tmp/
	done
	mv $local.tmp $local
fi
out=$($local/ld-linux-x86-64.so.2 --library-path $local $local/fio \
	--output-format=json "$(dirname "$0")/nullb.fio")
python3 -c '
import json, sys
name = sys.argv[1]
job = json.loads(sys.stdin.read())["jobs"][0]
if job["error"]:
    sys.exit("fio error %d" % job["error"])
rd = job["read"]
print("BENCH name=%s ops=%d ns=%d" % (name, rd["total_ios"], rd["runtime"] * 1000000))
' "$name" <<<"$out"
