/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types that io_uring shares with the rest of the kernel.
 *
 * Drivers that implement ->uring_cmd() (nvme, ublk, block, sockets) see
 * requests only through struct io_uring_cmd and the issue flags below; the
 * ring and request internals stay private to io_uring/.
 */
#ifndef _LINUX_IO_URING_TYPES_H
#define _LINUX_IO_URING_TYPES_H

#include <linux/bits.h>
#include <linux/limits.h>
#include <uapi/linux/io_uring.h>

/*
 * Flags describing the context an issue handler runs in. io_uring passes
 * them to each op's ->issue() and to file_operations->uring_cmd(); callees
 * only test them and hand them back, never make them up.
 */
enum io_uring_cmd_flags {
	/* completion may be batched and posted by the caller */
	IO_URING_F_COMPLETE_DEFER	= BIT(0),
	/* the ring's submission lock is not held */
	IO_URING_F_UNLOCKED		= BIT(1),
	/* a multishot request posting one of several results */
	IO_URING_F_MULTISHOT		= BIT(2),
	/* running in an io-wq worker thread */
	IO_URING_F_IOWQ			= BIT(3),
	/* the ring uses 128-byte SQEs */
	IO_URING_F_SQE128		= BIT(8),
	/* the ring uses 32-byte CQEs */
	IO_URING_F_CQE32		= BIT(9),
	/* the ring completes by polling (IORING_SETUP_IOPOLL) */
	IO_URING_F_IOPOLL		= BIT(10),
	/* the request is being cancelled */
	IO_URING_F_CANCEL		= BIT(11),
	/* the submitter is a compat (32-bit) task */
	IO_URING_F_COMPAT		= BIT(12),
	/* the submitting task is exiting; task_work may not run */
	IO_URING_F_TASK_DEAD		= BIT(13),
	/* the issuer must not block; sign bit so a test is one instruction */
	IO_URING_F_NONBLOCK		= INT_MIN,
};

/* Flags for __io_uring_cmd_do_in_task() */
enum {
	/*
	 * The callback may wait until the submitter next enters the kernel
	 * to wait for completions, rather than waking it at once.
	 */
	IOU_F_TWQ_LAZY_WAKE		= BIT(0),
};

#endif /* _LINUX_IO_URING_TYPES_H */
