#!/bin/bash
# Configure and build bzImage for one kernel and variant:
#   build.sh <ours|stock> <default|debug|perf>
# Config = x86_64 defconfig + kvm_guest.config + trim + selftests config +
# the variant's fragment. Regenerated only when a fragment changes.
. "$(dirname "$0")/lib.sh"
KERNEL=${1:?kernel} VARIANT=${2:?variant}
check_kernel "$KERNEL"
check_variant "$VARIANT"

# Two builds on a 2-core machine only slow each other down: take turns.
mkdir -p "$BUILD"
exec 9>"$BUILD/.build.lock"
if ! flock -n 9; then
	log "waiting for another kernel build to finish"
	flock 9
fi

"$TOP/harness/tree.sh" "$KERNEL"
src=$(srcdir "$KERNEL")
obj=$(objdir "$KERNEL" "$VARIANT")
mkdir -p "$obj"

CC="ccache gcc"
command -v ccache >/dev/null || CC=gcc
kmake() { make -C "$src" O="$obj" CC="$CC" HOSTCC="$CC" -j"$JOBS" "$@"; }

frags="$TOP/harness/configs/trim.config $TOP/tools/testing/selftests/io_uring/config $TOP/harness/configs/$VARIANT.config"
want=$(cat $frags | sha1sum | cut -d' ' -f1)
if [ ! -f "$obj/.config" ] || [ "$(cat "$obj/.config-frags" 2>/dev/null)" != "$want" ]; then
	log "configuring $KERNEL/$VARIANT"
	kmake -s defconfig kvm_guest.config >/dev/null
	# shellcheck disable=SC2086
	(cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" $frags >/dev/null)
	kmake -s olddefconfig >/dev/null
	for f in $frags; do
		# Every "=y" we ask for must survive olddefconfig.
		for l in $(grep -E '^CONFIG_[A-Z0-9_]+=y' "$f" || true); do
			grep -qx "$l" "$obj/.config" || log "warning: $l did not stick in $KERNEL/$VARIANT"
		done
	done
	echo "$want" > "$obj/.config-frags"
fi

log "building $KERNEL/$VARIANT bzImage"
start=$(date +%s)
kmake -s bzImage
kmake -s headers_install >/dev/null
log "built $obj/arch/x86/boot/bzImage in $(($(date +%s) - start)) s"
