#!/bin/bash
# Install the Debian packages the harness needs, when missing (root only).
. "$(dirname "$0")/lib.sh"

PKGS="linux-source-6.12 qemu-system-x86 build-essential bc bison flex libelf-dev
libssl-dev dwarves cpio xz-utils kmod rsync ccache busybox-static fio
liburing-dev libaio-dev e2fsprogs git python3 perl"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	die "missing packages:$missing (run as root, or install them)"
fi
log "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
