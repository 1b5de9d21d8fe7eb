#!/bin/bash
# Turn an edit of a kernel file outside our overlay into a patch in patches/.
#   mkpatch.sh <NNNN-name> "<subject>" "<body>" <path-in-tree> <new-content-file>
# The patch is made against the pristine tree with git plumbing, so no
# work tree is touched.
. "$(dirname "$0")/lib.sh"
GIT_AUTHOR_NAME=$(git -C "$TOP" config user.name)
GIT_AUTHOR_EMAIL=$(git -C "$TOP" config user.email)
export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
name=$1 subject=$2 body=$3 path=$4 content=$5
repo=$BUILD/stock
"$TOP/harness/tree.sh" stock >/dev/null
idx=$(mktemp)
trap 'rm -f "$idx"' EXIT
export GIT_INDEX_FILE=$idx
git -C "$repo" read-tree pristine
blob=$(git -C "$repo" hash-object -w --stdin < "$content")
git -C "$repo" update-index --cacheinfo "100644,$blob,$path"
tree=$(git -C "$repo" write-tree)
signoff="Signed-off-by: $(git -C "$TOP" config user.name) <$(git -C "$TOP" config user.email)>"
commit=$(printf '%s\n\n%s\n\n%s\n' "$subject" "$body" "$signoff" |
	GIT_AUTHOR_DATE='2026-01-01 00:00:00 +0000' GIT_COMMITTER_DATE='2026-01-01 00:00:00 +0000' \
	git -C "$repo" commit-tree "$tree" -p pristine)
git -C "$repo" format-patch -q --stdout -1 "$commit" > "$TOP/patches/$name.patch"
echo "$TOP/patches/$name.patch"
