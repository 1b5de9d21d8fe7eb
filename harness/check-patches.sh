#!/bin/bash
# `make check-patches`: git am the series onto a fresh pristine tree,
# build it, and run checkpatch --strict on every patch.
. "$(dirname "$0")/lib.sh"
"$TOP/harness/patches.sh" >/dev/null
repo=$BUILD/stock
tr=$BUILD/series
git -C "$repo" worktree remove --force "$tr" 2>/dev/null || rm -rf "$tr"
git -C "$repo" worktree prune
git -C "$repo" worktree add -q --detach "$tr" pristine
log "applying the series to a fresh pristine tree"
git -C "$tr" am -q "$BUILD"/patches/*.patch

log "building the patched tree"
obj=$tr/o-default
mkdir -p "$obj"
CC="ccache gcc"
make -s -C "$tr" O="$obj" CC="$CC" HOSTCC="$CC" defconfig kvm_guest.config >/dev/null
(cd "$obj" && "$tr/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
	"$TOP/harness/configs/trim.config" "$TOP/tools/testing/selftests/io_uring/config" >/dev/null)
make -s -C "$tr" O="$obj" CC="$CC" HOSTCC="$CC" olddefconfig >/dev/null
make -s -C "$tr" O="$obj" CC="$CC" HOSTCC="$CC" -j"$JOBS" bzImage
log "build ok"

errors=0 warnings=0 checks=0
for p in "$BUILD"/patches/*.patch; do
	line=$(cd "$tr" && ./scripts/checkpatch.pl --strict "$p" 2>&1 | grep -E '^total:' || true)
	printf '%-70s %s\n' "$(basename "$p")" "$line"
	e=$(echo "$line" | sed -n 's/total: \([0-9]*\) errors.*/\1/p')
	w=$(echo "$line" | sed -n 's/.* \([0-9]*\) warnings.*/\1/p')
	c=$(echo "$line" | sed -n 's/.* \([0-9]*\) checks.*/\1/p')
	errors=$((errors + ${e:-0})) warnings=$((warnings + ${w:-0})) checks=$((checks + ${c:-0}))
done
echo "checkpatch --strict: $errors errors, $warnings warnings, $checks checks"
git -C "$repo" worktree remove --force "$tr"
