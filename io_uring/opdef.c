// SPDX-License-Identifier: GPL-2.0
/*
 * The op table: what each opcode needs from the core and which family
 * implements it. Names exist for every 6.12 opcode, for tracing and
 * fdinfo; only opcodes with a ->prep are implemented.
 */
#include <linux/io_uring.h>

#include "io_uring.h"
#include "opdef.h"
#include "nop.h"
#include "openclose.h"
#include "fs.h"
#include "rw.h"
#include "kbuf.h"
#include "poll.h"
#include "timeout.h"
#include "cancel.h"
#include "msg_ring.h"
#include "epoll.h"
#include "futex.h"
#include "waitid.h"

const struct io_op_def io_op_defs[IORING_OP_LAST] = {
	[IORING_OP_NOP] = {
		.name		= "NOP",
		.prep		= io_nop_prep,
		.issue		= io_nop,
		.iopoll		= 1,
		.audit_skip	= 1,
	},
	[IORING_OP_READV] = {
		.name			= "READV",
		.prep			= io_prep_rwv,
		.buffer_select		= 1,
		.issue			= io_read,
		.cleanup		= io_rw_cleanup,
		.pollin			= 1,
		.needs_file		= 1,
		.unbound_nonreg_file	= 1,
		.ioprio			= 1,
		.device_poll		= io_rw_device_poll,
		.iopoll			= 1,
		.plug			= 1,
	},
	[IORING_OP_WRITEV] = {
		.name			= "WRITEV",
		.prep			= io_prep_rwv,
		.issue			= io_write,
		.cleanup		= io_rw_cleanup,
		.pollout		= 1,
		.needs_file		= 1,
		.unbound_nonreg_file	= 1,
		.hash_reg_file		= 1,
		.ioprio			= 1,
		.device_poll		= io_rw_device_poll,
		.iopoll			= 1,
		.plug			= 1,
	},
	[IORING_OP_FSYNC] = {
		.name			= "FSYNC",
		.prep			= io_fsync_prep,
		.issue			= io_fsync,
		.needs_file		= 1,
		.always_async		= 1,
	},
	[IORING_OP_READ_FIXED] = {
		.name			= "READ_FIXED",
		.prep			= io_prep_rw_fixed,
		.issue			= io_read,
		.needs_file		= 1,
		.unbound_nonreg_file	= 1,
		.pollin			= 1,
		.ioprio			= 1,
		.device_poll		= io_rw_device_poll,
		.iopoll			= 1,
		.plug			= 1,
	},
	[IORING_OP_WRITE_FIXED] = {
		.name			= "WRITE_FIXED",
		.prep			= io_prep_rw_fixed,
		.issue			= io_write,
		.needs_file		= 1,
		.unbound_nonreg_file	= 1,
		.hash_reg_file		= 1,
		.pollout		= 1,
		.ioprio			= 1,
		.device_poll		= io_rw_device_poll,
		.iopoll			= 1,
		.plug			= 1,
	},
	[IORING_OP_POLL_ADD] = {
		.name			= "POLL_ADD",
		.prep			= io_poll_add_prep,
		.issue			= io_poll_add,
		.needs_file		= 1,
		.unbound_nonreg_file	= 1,
		.audit_skip		= 1,
	},
	[IORING_OP_POLL_REMOVE] = {
		.name			= "POLL_REMOVE",
		.prep			= io_poll_remove_prep,
		.issue			= io_poll_remove,
		.audit_skip		= 1,
	},
	[IORING_OP_SYNC_FILE_RANGE] = {
		.name			= "SYNC_FILE_RANGE",
		.prep			= io_sfr_prep,
		.issue			= io_sync_file_range,
		.needs_file		= 1,
		.always_async		= 1,
	},
	[IORING_OP_SENDMSG]		= { .name = "SENDMSG" },
	[IORING_OP_RECVMSG]		= { .name = "RECVMSG" },
	[IORING_OP_TIMEOUT] = {
		.name			= "TIMEOUT",
		.prep			= io_timeout_prep,
		.issue			= io_timeout,
		.audit_skip		= 1,
	},
	[IORING_OP_TIMEOUT_REMOVE] = {
		.name			= "TIMEOUT_REMOVE",
		.prep			= io_timeout_remove_prep,
		.issue			= io_timeout_remove,
		.audit_skip		= 1,
	},
	[IORING_OP_ACCEPT]		= { .name = "ACCEPT" },
	[IORING_OP_ASYNC_CANCEL] = {
		.name			= "ASYNC_CANCEL",
		.prep			= io_async_cancel_prep,
		.issue			= io_async_cancel,
		.audit_skip		= 1,
	},
	[IORING_OP_LINK_TIMEOUT] = {
		.name			= "LINK_TIMEOUT",
		.prep			= io_link_timeout_prep,
		.issue			= io_link_timeout,
		.audit_skip		= 1,
		.guard			= 1,
	},
	[IORING_OP_CONNECT]		= { .name = "CONNECT" },
	[IORING_OP_FALLOCATE] = {
		.name			= "FALLOCATE",
		.prep			= io_fallocate_prep,
		.issue			= io_fallocate,
		.needs_file		= 1,
		.hash_reg_file		= 1,
		.always_async		= 1,
	},
	[IORING_OP_OPENAT] = {
		.name			= "OPENAT",
		.prep			= io_openat_prep,
		.issue			= io_openat,
		.cleanup		= io_open_cleanup,
	},
	[IORING_OP_CLOSE] = {
		.name			= "CLOSE",
		.prep			= io_close_prep,
		.issue			= io_close,
	},
	[IORING_OP_FILES_UPDATE] = {
		.name			= "FILES_UPDATE",
		.prep			= io_files_update_prep,
		.issue			= io_files_update_issue,
		.iopoll			= 1,
	},
	[IORING_OP_STATX] = {
		.name			= "STATX",
		.prep			= io_statx_prep,
		.issue			= io_statx,
		.cleanup		= io_statx_cleanup,
		.always_async		= 1,
	},
	[IORING_OP_READ] = {
		.name			= "READ",
		.prep			= io_prep_rw,
		.buffer_select		= 1,
		.issue			= io_read,
		.pollin			= 1,
		.needs_file		= 1,
		.unbound_nonreg_file	= 1,
		.ioprio			= 1,
		.device_poll		= io_rw_device_poll,
		.iopoll			= 1,
		.plug			= 1,
	},
	[IORING_OP_WRITE] = {
		.name			= "WRITE",
		.prep			= io_prep_rw,
		.issue			= io_write,
		.pollout		= 1,
		.needs_file		= 1,
		.unbound_nonreg_file	= 1,
		.hash_reg_file		= 1,
		.ioprio			= 1,
		.device_poll		= io_rw_device_poll,
		.iopoll			= 1,
		.plug			= 1,
	},
	[IORING_OP_FADVISE] = {
		.name			= "FADVISE",
		.prep			= io_fadvise_prep,
		.issue			= io_fadvise,
		.needs_file		= 1,
	},
	[IORING_OP_MADVISE] = {
		.name			= "MADVISE",
		.prep			= io_madvise_prep,
		.issue			= io_madvise,
		.always_async		= 1,
	},
	[IORING_OP_SEND]		= { .name = "SEND" },
	[IORING_OP_RECV]		= { .name = "RECV" },
	[IORING_OP_OPENAT2] = {
		.name			= "OPENAT2",
		.prep			= io_openat2_prep,
		.issue			= io_openat,
		.cleanup		= io_open_cleanup,
	},
	[IORING_OP_EPOLL_CTL] = {
		.name			= "EPOLL",
#ifdef CONFIG_EPOLL
		.prep			= io_epoll_ctl_prep,
		.issue			= io_epoll_ctl,
#endif
		.unbound_nonreg_file	= 1,
		.audit_skip		= 1,
	},
	[IORING_OP_SPLICE]		= { .name = "SPLICE" },
	[IORING_OP_PROVIDE_BUFFERS] = {
		.name			= "PROVIDE_BUFFERS",
		.prep			= io_provide_buffers_prep,
		.issue			= io_provide_buffers,
		.audit_skip		= 1,
		.iopoll			= 1,
	},
	[IORING_OP_REMOVE_BUFFERS] = {
		.name			= "REMOVE_BUFFERS",
		.prep			= io_remove_buffers_prep,
		.issue			= io_remove_buffers,
		.audit_skip		= 1,
		.iopoll			= 1,
	},
	[IORING_OP_TEE]			= { .name = "TEE" },
	[IORING_OP_SHUTDOWN]		= { .name = "SHUTDOWN" },
	[IORING_OP_RENAMEAT]		= { .name = "RENAMEAT" },
	[IORING_OP_UNLINKAT]		= { .name = "UNLINKAT" },
	[IORING_OP_MKDIRAT]		= { .name = "MKDIRAT" },
	[IORING_OP_SYMLINKAT]		= { .name = "SYMLINKAT" },
	[IORING_OP_LINKAT]		= { .name = "LINKAT" },
	[IORING_OP_MSG_RING] = {
		.name			= "MSG_RING",
		.prep			= io_msg_ring_prep,
		.issue			= io_msg_ring,
		.needs_file		= 1,
		.iopoll			= 1,
	},
	[IORING_OP_FSETXATTR]		= { .name = "FSETXATTR" },
	[IORING_OP_SETXATTR]		= { .name = "SETXATTR" },
	[IORING_OP_FGETXATTR]		= { .name = "FGETXATTR" },
	[IORING_OP_GETXATTR]		= { .name = "GETXATTR" },
	[IORING_OP_SOCKET]		= { .name = "SOCKET" },
	[IORING_OP_URING_CMD]		= { .name = "URING_CMD" },
	[IORING_OP_SEND_ZC]		= { .name = "SEND_ZC" },
	[IORING_OP_SENDMSG_ZC]		= { .name = "SENDMSG_ZC" },
	[IORING_OP_READ_MULTISHOT] = {
		.name			= "READ_MULTISHOT",
		.prep			= io_read_mshot_prep,
		.issue			= io_read_mshot,
		.needs_file		= 1,
		.unbound_nonreg_file	= 1,
		.pollin			= 1,
		.buffer_select		= 1,
		.audit_skip		= 1,
	},
	[IORING_OP_WAITID] = {
		.name			= "WAITID",
		.prep			= io_waitid_prep,
		.issue			= io_waitid,
		.cleanup		= io_waitid_cleanup,
	},
	[IORING_OP_FUTEX_WAIT] = {
		.name			= "FUTEX_WAIT",
#ifdef CONFIG_FUTEX
		.prep			= io_futex_prep,
		.issue			= io_futex_wait,
#endif
	},
	[IORING_OP_FUTEX_WAKE] = {
		.name			= "FUTEX_WAKE",
#ifdef CONFIG_FUTEX
		.prep			= io_futex_prep,
		.issue			= io_futex_wake,
#endif
	},
	[IORING_OP_FUTEX_WAITV] = {
		.name			= "FUTEX_WAITV",
#ifdef CONFIG_FUTEX
		.prep			= io_futexv_prep,
		.issue			= io_futexv_wait,
#endif
	},
	[IORING_OP_FIXED_FD_INSTALL] = {
		.name			= "FIXED_FD_INSTALL",
		.prep			= io_fixed_fd_install_prep,
		.issue			= io_fixed_fd_install_issue,
		.needs_file		= 1,
	},
	[IORING_OP_FTRUNCATE] = {
		.name			= "FTRUNCATE",
		.prep			= io_ftruncate_prep,
		.issue			= io_ftruncate,
		.needs_file		= 1,
		.hash_reg_file		= 1,
		.always_async		= 1,
	},
	[IORING_OP_BIND]		= { .name = "BIND" },
	[IORING_OP_LISTEN]		= { .name = "LISTEN" },
};

const char *io_uring_get_opcode(u8 opcode)
{
	if (opcode < IORING_OP_LAST)
		return io_op_defs[opcode].name;
	return "INVALID";
}

/*
 * The opcodes whose SQEs submission may take on its fast path, on a ring
 * made with @setup_flags: implemented, issued inline, allowed on the ring
 * and not a linked timeout. Every other opcode gets the full checks.
 */
u64 io_op_fast_mask(unsigned int setup_flags)
{
	u64 mask = 0;
	unsigned int op;

	BUILD_BUG_ON(IORING_OP_LAST > 64);
	for (op = 0; op < IORING_OP_LAST; op++) {
		const struct io_op_def *def = &io_op_defs[op];

		if (!def->prep || def->always_async || def->guard)
			continue;
		if ((setup_flags & IORING_SETUP_IOPOLL) && !def->iopoll)
			continue;
		mask |= BIT_ULL(op);
	}
	return mask;
}
