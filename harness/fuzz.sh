#!/bin/bash
# `make fuzz`: build the fuzz kernel (the debug configuration plus kmemleak
# and fault injection), boot it, run the io_uring fuzzer, run it once more
# with fail-nth fault injection, then look for leaks and splats. Prints how
# many SQEs ran; fails on a failing fuzzer, a leak, a splat or a hang.
#   fuzz.sh <ours|stock>
# Env: FUZZ_SQES (default 10000000), FUZZ_SECS (default 36000), FUZZ_SEED
# (default: from the clock; the log has it), FUZZ_THREADS (default 4),
# FUZZ_FAILNTH_SECS (bound of the fail-nth run, default 3600),
# FUZZ_TIMEOUT (s, whole guest run, default both bounds plus an hour).
. "$(dirname "$0")/lib.sh"
KERNEL=${1:?kernel}
check_kernel "$KERNEL"
sqes=${FUZZ_SQES:-10000000}
secs=${FUZZ_SECS:-36000}
seed=${FUZZ_SEED:-}
threads=${FUZZ_THREADS:-4}
nthsecs=${FUZZ_FAILNTH_SECS:-3600}

"$TOP/harness/build.sh" "$KERNEL" fuzz
src=$(srcdir "$KERNEL")
obj=$(objdir "$KERNEL" fuzz)
inst=$obj/kselftest-install

log "building the io_uring selftests against $KERNEL's uapi headers"
rm -rf "$inst"
make -s -C "$src/tools/testing/selftests" TARGETS=io_uring O="$obj" \
	INSTALL_PATH="$inst" install >/dev/null
[ -x "$inst/io_uring/fuzz" ] || die "no fuzz binary in $inst/io_uring"

mkdir -p "$BUILD/fuzz"
out=$BUILD/fuzz/$KERNEL.log

# The guest side. The fuzzer runs directly, not under run_kselftest.sh
# (whose timeout would cut a long run short); its output is indented and
# framed the way the runner does it, so that verdict.py reads it.
guest="inst='$inst' sqes='$sqes' secs='$secs' seed='$seed' threads='$threads' nthsecs='$nthsecs'
$(cat <<'EOF'
cd "$inst/io_uring" || exit 1
dbg=/sys/kernel/debug
mountpoint -q $dbg || mount -t debugfs debugfs $dbg
# what boot left behind is not ours to report
if [ -w $dbg/kmemleak ]; then
	echo scan > $dbg/kmemleak
	echo clear > $dbg/kmemleak
else
	echo '@@FUZZ: no kmemleak'
fi
# fail-nth must also fail allocations that may sleep, and quietly
for f in failslab fail_page_alloc; do
	echo N > $dbg/$f/ignore-gfp-wait
	echo 0 > $dbg/$f/verbose
done
echo N > $dbg/fail_page_alloc/ignore-gfp-highmem
echo 0 > $dbg/fail_page_alloc/min-order

fuzz() {
	local name=$1 rc
	shift
	echo "# selftests: io_uring: $name"
	env "$@" ./fuzz 2>&1 | sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}
	echo "@@FUZZ-RC $name $rc"
	if [ "$rc" = 0 ]; then
		echo "ok 1 selftests: io_uring: $name"
	elif [ "$rc" = 4 ]; then
		echo "ok 1 selftests: io_uring: $name # SKIP"
	else
		echo "not ok 1 selftests: io_uring: $name # exit=$rc"
	fi
}
fuzz fuzz IOU_FUZZ_SQES="$sqes" IOU_FUZZ_SECS="$secs" IOU_FUZZ_SEED="$seed" \
	IOU_FUZZ_THREADS="$threads"
fuzz fuzz-failnth IOU_FUZZ_FAILNTH=1 IOU_FUZZ_SECS="$nthsecs" IOU_FUZZ_SEED="$seed"

# rings torn down in the background must be gone before the scans
sleep 5
if [ -w $dbg/kmemleak ]; then
	echo scan > $dbg/kmemleak
	sleep 10
	echo scan > $dbg/kmemleak
	echo '@@KMEMLEAK-BEGIN'
	cat $dbg/kmemleak
	echo '@@KMEMLEAK-END'
fi
echo '@@DMESG-BEGIN'
dmesg
echo '@@DMESG-END'
EOF
)"

log "booting $KERNEL/fuzz: $sqes SQEs or $secs s, then fail-nth (log: $out)"
set +e
QEMU_TIMEOUT=${FUZZ_TIMEOUT:-$((secs + nthsecs + 3600))} \
	"$TOP/harness/qemu.sh" "$KERNEL" fuzz "$guest" > "$out" 2>&1
rc=$?
set -e

fail=0
# splats, hangs, failing or missing runs (the framed TAP lines)
python3 "$TOP/harness/verdict.py" "$out" "$rc" || fail=1
for name in fuzz fuzz-failnth; do
	# the serial console ends lines with CR LF
	tr -d '\r' < "$out" | grep -q "^@@FUZZ-RC $name [04]\$" || {
		echo "$name: did not finish cleanly ($(tr -d '\r' < "$out" | grep "^@@FUZZ-RC $name " || echo 'no exit status'))"
		fail=1
	}
done
leaks=$(sed -n '/^@@KMEMLEAK-BEGIN/,/^@@KMEMLEAK-END/p' "$out" | grep -c 'unreferenced object' || true)
if ! grep -q '^@@KMEMLEAK-END' "$out"; then
	echo "kmemleak: no report"
	fail=1
elif grep -q 'kmemleak: .*disabled' "$out"; then
	echo "kmemleak: disabled itself during the run; leaks unchecked"
	fail=1
elif [ "$leaks" != 0 ]; then
	echo "kmemleak: $leaks unreferenced object(s), first ones:"
	sed -n '/^@@KMEMLEAK-BEGIN/,/^@@KMEMLEAK-END/p' "$out" | grep -A 12 -m 3 'unreferenced object'
	fail=1
fi
run=$(grep -o 'fuzz: seed=[0-9]* sqes=[0-9]* rings=[0-9]*' "$out" | head -n 1)
echo "fuzz on $KERNEL: ${run:-no summary} (log: $out)"
if [ "$fail" = 0 ]; then
	echo "fuzz: no splat, no leak, no hang"
fi
exit "$fail"
