#!/bin/bash
# Prepare the source tree of one kernel under build/<kernel>/.
#   stock: the pristine Debian 6.12 tree, as a git repo (commit "pristine").
#   ours:  a worktree of it with patches/ applied by git am, the stock
#          io_uring removed and ours overlaid.
# Only files whose content changed are rewritten, so kbuild stays incremental.
. "$(dirname "$0")/lib.sh"
KERNEL=${1:?kernel}
check_kernel "$KERNEL"

pristine() {
	local st=$BUILD/stock
	[ -f "$st/.pristine-done" ] && return 0
	log "unpacking $TARBALL into $st"
	rm -rf "$st" "$BUILD/ours"
	mkdir -p "$st.tmp"
	tar xJf "$TARBALL" -C "$st.tmp" --strip-components=1
	mv "$st.tmp" "$st"
	(
		cd "$st"
		git init -q -b pristine
		git config user.name harness
		git config user.email harness@localhost
		git config gc.auto 0
		printf '/o-*/\n/.pristine-done\n' >> .git/info/exclude
		git add -f -A . >/dev/null
		git commit -q -m "pristine $(make -s kernelversion)"
	)
	touch "$st/.pristine-done"
}

# Copy src over dst, rewriting only files whose content differs.
sync_dir() {
	mkdir -p "$2"
	rsync -rc --delete "$1/" "$2/"
}
sync_file() {
	if [ -e "$1" ]; then
		mkdir -p "$(dirname "$2")"
		cmp -s "$1" "$2" || cp "$1" "$2"
	else
		rm -f "$2"
	fi
}

overlay_tests() {
	# Both kernels run the same selftests, built from our copy.
	sync_dir "$TOP/tools/testing/selftests/io_uring" "$1/tools/testing/selftests/io_uring"
}

ours() {
	local tr=$BUILD/ours st=$BUILD/stock
	if [ ! -d "$tr" ]; then
		git -C "$st" worktree add -q --detach "$tr" pristine
	fi
	# Re-apply the series only when patches/ changed.
	local want have
	want=$(find "$TOP/patches" -name '*.patch' -print0 | sort -z |
		xargs -0 -r cat | sha1sum | cut -d' ' -f1)
	have=$(cat "$tr/.patches-applied" 2>/dev/null || true)
	if [ "$want" != "$have" ]; then
		log "applying patches/ to $tr"
		git -C "$tr" am --abort >/dev/null 2>&1 || true
		git -C "$tr" reset -q --hard pristine
		if ls "$TOP"/patches/*.patch >/dev/null 2>&1; then
			git -C "$tr" am -q --whitespace=nowarn "$TOP"/patches/*.patch
		fi
		echo "$want" > "$tr/.patches-applied"
	fi
	grep -qx '/.patches-applied' "$(git -C "$tr" rev-parse --git-common-dir)/info/exclude" ||
		echo '/.patches-applied' >> "$(git -C "$tr" rev-parse --git-common-dir)/info/exclude"
	for d in $OVERLAY_DIRS; do
		if [ -d "$TOP/$d" ]; then
			sync_dir "$TOP/$d" "$tr/$d"
		else
			rm -rf "${tr:?}/$d"
		fi
	done
	for f in $OVERLAY_FILES; do
		sync_file "$TOP/$f" "$tr/$f"
	done
}

pristine
if [ "$KERNEL" = ours ]; then
	ours
else
	overlay_tests "$BUILD/stock"
fi
