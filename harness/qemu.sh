#!/bin/bash
# Boot a built kernel under QEMU (TCG) with the host's root over 9p.
#   qemu.sh <kernel> <variant> [CMD]
# With CMD: runs it in the guest, exits with its status; output on stdout.
# Without: an interactive shell on the console.
# Env: QEMU_TIMEOUT (s, default 1800), QEMU_MODE=icount for deterministic
# timing (-smp 1), QEMU_APPEND for extra kernel arguments, QEMU_DISK for a
# raw disk image attached as /dev/vda, QEMU_EXTRA for more QEMU options
# (e.g. "-s" for a gdb stub, see iprof.sh).
. "$(dirname "$0")/lib.sh"
KERNEL=${1:?kernel} VARIANT=${2:?variant}
shift 2
CMD=${*:-${CMD:-}}
obj=$(objdir "$KERNEL" "$VARIANT")
img=$obj/arch/x86/boot/bzImage
[ -f "$img" ] || die "no kernel at $img: run make first"
"$TOP/harness/initramfs.sh"

accel=(-accel tcg,thread=multi -smp 2)
if [ "${QEMU_MODE:-}" = icount ]; then
	accel=(-accel tcg -icount shift=0,sleep=off -smp 1)
fi
# no5lvl: with -cpu max the guest gets 5-level paging, and early in boot an
# interrupt under KASAN then reports a wild-memory-access in
# do_raw_spin_lock (identify_cpu), on stock as on ours, in about half the
# boots; 4-level paging does not.
append="console=ttyS0 loglevel=5 panic=-1 oops=panic no5lvl harness.top=$TOP ${QEMU_APPEND:-}"
args=(qemu-system-x86_64 "${accel[@]}" -cpu max -m 2G -nographic -no-reboot
	-kernel "$img" -initrd "$BUILD/initramfs.cpio.gz"
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap)

# shellcheck disable=SC2206
args+=(${QEMU_EXTRA:-})
if [ -n "${QEMU_DISK:-}" ]; then
	args+=(-drive "file=$QEMU_DISK,if=virtio,format=raw,cache=unsafe")
fi

if [ -z "$CMD" ]; then
	exec "${args[@]}" -append "$append"
fi

mkdir -p "$BUILD/run"
script=$(mktemp "$BUILD/run/cmd.XXXXXX")
# The guest writes a heartbeat to its second serial port (guest-init.sh);
# a guest whose heartbeat stops is hung, and is stopped and reported long
# before QEMU_TIMEOUT.
beat=$(mktemp "$BUILD/run/beat.XXXXXX")
pidfile=$(mktemp "$BUILD/run/pid.XXXXXX")
trap 'rm -f "$script" "$beat" "$pidfile"' EXIT
# the first -serial is the console (ttyS0), the second the heartbeat
args+=(-serial stdio -serial "file:$beat" -pidfile "$pidfile")

# watch_guest: kill QEMU once the heartbeat has been silent for
# QEMU_WATCHDOG seconds (default 180), and say so in the log.
watch_guest() {
	local limit=${QEMU_WATCHDOG:-180} size last=0 idle=0 pid
	sleep 2
	pid=$(cat "$pidfile" 2>/dev/null)
	[ -n "$pid" ] || return 0
	while kill -0 "$pid" 2>/dev/null; do
		sleep 5
		size=$(stat -c %s "$beat" 2>/dev/null || echo 0)
		if [ "$size" != "$last" ]; then
			last=$size
			idle=0
			continue
		fi
		idle=$((idle + 5))
		# before the first beat the guest is still booting
		if [ "$size" -gt 0 ] && [ "$idle" -ge "$limit" ]; then
			echo "@@HARNESS-HUNG: no heartbeat from the guest kernel for ${idle}s; stopping it"
			kill "$pid"
			return 0
		fi
	done
}

printf '%s\n' "$CMD" > "$script"
chmod 644 "$script"
log=$(mktemp "$BUILD/run/log.XXXXXX")
# Multi-threaded TCG now and then breaks the kernel's early-boot code
# patching (an int3 Oops in the first second, on either kernel). A guest
# that dies that way, before the command started, is booted once more;
# the log says so, and verdicts read only what follows the last reboot.
for attempt in 1 2; do
	: > "$beat"
	: > "$pidfile"
	watch_guest &
	watcher=$!
	timeout --foreground -k 10 "${QEMU_TIMEOUT:-1800}" "${args[@]}" -monitor none \
		-append "$append harness.cmd=$script" </dev/null | tee "$log" || true
	kill "$watcher" 2>/dev/null
	wait "$watcher" 2>/dev/null
	rc=$(sed -n 's/^@@HARNESS-EXIT=\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	[ -z "$rc" ] && [ "$attempt" = 1 ] || break
	grep -q '^@@HARNESS-START' "$log" && break
	grep -qE 'Oops|Kernel panic|BUG:' "$log" || break
	echo "@@HARNESS-REBOOT: the guest crashed while booting, before the command started; booting it again"
done
rm -f "$log"
if [ -z "$rc" ]; then
	echo "@@HARNESS: guest ended without reporting an exit status (hang, panic or timeout)" >&2
	exit 125
fi
exit "$rc"
