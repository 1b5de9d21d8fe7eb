#!/bin/bash
# `make patches`: write the series into build/patches with git format-patch.
# The commits are built with git plumbing on top of the pristine tree, one
# per logical part, followed by patches/ (edits to other kernel files).
. "$(dirname "$0")/lib.sh"
GIT_AUTHOR_NAME=$(git -C "$TOP" config user.name)
GIT_AUTHOR_EMAIL=$(git -C "$TOP" config user.email)
export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
"$TOP/harness/tree.sh" stock >/dev/null
repo=$BUILD/stock
out=$BUILD/patches
idx=$(mktemp)
trap 'rm -f "$idx"' EXIT
export GIT_INDEX_FILE=$idx
export GIT_AUTHOR_DATE='2026-01-01 00:00:00 +0000'
export GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE
signoff="Signed-off-by: $(git -C "$TOP" config user.name) <$(git -C "$TOP" config user.email)>"
git -C "$repo" read-tree pristine
head=$(git -C "$repo" rev-parse pristine)

# Files of io_uring/ that belong to an op family or service, not the core.
families="nop rw fs openclose uring_cmd poll timeout msg_ring epoll futex waitid"
services="io-wq tw tctx filetable buftable rsrc_tags eventfd"
# How a ring runs its work besides the default: the SQ thread, polled I/O.
modes="sqpoll iopoll"

in_list() { local w; for w in $2; do [ "$1" = "$w" ] && return 0; done; return 1; }

commit() { # subject body
	local tree
	tree=$(git -C "$repo" write-tree)
	head=$(printf '%s\n\n%s\n\n%s\n' "$1" "$2" "$signoff" |
		git -C "$repo" commit-tree "$tree" -p "$head")
}

add() { # files relative to TOP
	local f blob
	for f in "$@"; do
		blob=$(git -C "$repo" hash-object -w "$TOP/$f")
		git -C "$repo" update-index --add --cacheinfo "100644,$blob,$f"
	done
}

files_of() { (cd "$TOP" && env -u GIT_INDEX_FILE git ls-files "$@"); }

add $(files_of include/uapi/linux/io_uring.h)
commit "io_uring: rewrite the uapi header" \
"Describe the io_uring ABI of Linux 6.12 in a header written from
scratch: every structure, offset and constant is numerically identical
(checked by harness/uapi-compare.sh), the text is new."

add $(files_of include/linux/io_uring.h include/linux/io_uring_types.h \
	include/linux/io_uring include/trace/events/io_uring.h)
commit "io_uring: rewrite the in-kernel headers" \
"The interface the rest of the kernel uses: task lifetime hooks for
exit, exec and fork, the uring_cmd API for drivers and sockets, and
tracepoints. Ring and request internals move out of the shared header
into io_uring/."

# Core: drop every stock file, add ours except families and services.
for f in $(git -C "$repo" ls-tree -r --name-only pristine io_uring/); do
	git -C "$repo" update-index --force-remove "$f"
done
core=()
fam=()
svc=()
mod=()
for f in $(files_of io_uring); do
	b=$(basename "$f"); b=${b%.*}
	if in_list "$b" "$families"; then fam+=("$f")
	elif in_list "$b" "$services"; then svc+=("$f")
	elif in_list "$b" "$modes"; then mod+=("$f")
	else core+=("$f"); fi
done
add "${core[@]}"
commit "io_uring: replace the core with a clean implementation" \
"Setup, the rings and their mmap, submission, completion with overflow,
registration and fdinfo, written from scratch. See
Documentation/io_uring/ for the design."

add "${svc[@]}"
commit "io_uring: add the shared services" \
"The worker pool (with the scheduler hooks io_wq_worker_sleeping() and
io_wq_worker_running()), task work, per-task state, registered files and
buffers, and eventfd notification: what op families build on."

add "${mod[@]}"
commit "io_uring: add the SQPOLL thread and IOPOLL reaping" \
"IORING_SETUP_SQPOLL: a kernel thread that submits from the SQ ring, with
SQ_AFF and ATTACH_WQ. IORING_SETUP_IOPOLL: direct I/O completed by polling
the device, reaped in io_uring_enter() or by the SQ thread."

for fm in $families; do
	add $(files_of "io_uring/$fm.c" "io_uring/$fm.h")
	commit "io_uring: add the $fm op family" "One family of opcodes: io_uring/$fm.c."
done

if [ -n "$(files_of tools/testing/selftests/io_uring)" ]; then
	add $(files_of tools/testing/selftests/io_uring)
	commit "selftests: io_uring: add ABI tests" \
"kselftests that pin down the 6.12 ABI: exact results and errnos. They
pass on the stock 6.12 io_uring as well."
fi

if [ -n "$(files_of Documentation/io_uring)" ]; then
	add $(files_of Documentation/io_uring)
	commit "Documentation: io_uring: describe the design" \
"How a request moves through the rings, who owns it, and the locks."
fi

for p in "$TOP"/patches/*.patch; do
	[ -e "$p" ] || continue
	git -C "$repo" apply --cached "$p"
	subj=$(sed -n 's/^Subject: \(\[PATCH[^]]*\] \)\?//p' "$p" | head -n 1)
	body=$(awk '/^$/ && !b {b=1; next} b && /^---$/ {exit} b' "$p" | grep -v '^Signed-off-by:' || true)
	commit "$subj" "$body"
done

rm -rf "$out"
mkdir -p "$out"
git -C "$repo" format-patch -q -o "$out" "pristine..$head"
log "series: $(ls "$out" | wc -l) patches in $out"
ls "$out"
