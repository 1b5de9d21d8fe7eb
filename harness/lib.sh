#!/bin/bash
# Shared settings for the harness scripts. Sourced, never run.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$TOP/build
TARBALL=${TARBALL:-/usr/src/linux-source-6.12.tar.xz}
JOBS=${JOBS:-$(($(nproc) + 1))}

# Paths of ours that replace the stock subsystem in the kernel tree.
OVERLAY_DIRS="io_uring include/linux/io_uring tools/testing/selftests/io_uring Documentation/io_uring"
OVERLAY_FILES="include/uapi/linux/io_uring.h include/linux/io_uring.h include/linux/io_uring_types.h include/trace/events/io_uring.h"

# Identical sources must give identical objects, in any clone.
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_HOST=iouring
export KBUILD_BUILD_USER=build
export CCACHE_BASEDIR=$TOP
export CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-20G}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The source tree of a kernel ("ours" or "stock"); object dirs sit
# directly inside it so kbuild uses relative paths ("srctree := ..") and
# both trees hit the same ccache entries.
srcdir() { echo "$BUILD/$1"; }
objdir() { echo "$BUILD/$1/o-$2"; }

check_kernel() {
	case "$1" in ours|stock) ;; *) die "KERNEL must be ours or stock, not '$1'";; esac
}
check_variant() {
	case "$1" in default|debug|perf|fuzz) ;; *) die "VARIANT must be default, debug, perf or fuzz, not '$1'";; esac
}
