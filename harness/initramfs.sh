#!/bin/bash
# Build the busybox initramfs that mounts the host's root over 9p and
# chroots into it. Output: build/initramfs.cpio.gz
. "$(dirname "$0")/lib.sh"
out=$BUILD/initramfs.cpio.gz
init=$TOP/harness/guest-init.sh
bb=$(command -v busybox || echo /bin/busybox)
[ -f "$out" ] && [ "$out" -nt "$init" ] && [ "$out" -nt "$0" ] && exit 0
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mkdir -p "$d"/{bin,sbin,dev,proc,sys,host,tmp}
cp "$bb" "$d/bin/busybox"
ln -s busybox "$d/bin/sh"
cp "$init" "$d/init"
chmod +x "$d/init"
(cd "$d" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
