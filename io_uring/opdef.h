/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IO_URING_OPDEF_H
#define IO_URING_OPDEF_H

#include <linux/types.h>

struct io_comp_batch;
struct io_kiocb;
struct io_uring_sqe;

/*
 * One entry per opcode: how the core prepares, issues and cleans up a
 * request. An opcode whose ->prep is NULL is not implemented: submission
 * fails it with -EOPNOTSUPP and IORING_REGISTER_PROBE does not list it.
 */
struct io_op_def {
	const char	*name;
	/* Read and check the SQE. Must leave nothing to undo on failure. */
	int		(*prep)(struct io_kiocb *req, const struct io_uring_sqe *sqe);
	/* Do the work; see IOU_DONE and IOU_QUEUED in io_uring.h. */
	int		(*issue)(struct io_kiocb *req, unsigned int issue_flags);
	/* Release what prep or issue took, once the request is done. */
	void		(*cleanup)(struct io_kiocb *req);
	/* Poll the device for a request on an IOPOLL ring (see iopoll.c). */
	int		(*device_poll)(struct io_kiocb *req,
				       struct io_comp_batch *iob,
				       unsigned int poll_flags);
	/* sqe->fd names the file to operate on */
	unsigned int	needs_file : 1;
	/* sqe->ioprio is meaningful; otherwise it must be zero */
	unsigned int	ioprio : 1;
	/* allowed on an IORING_SETUP_IOPOLL ring */
	unsigned int	iopoll : 1;
	/* accepts IOSQE_BUFFER_SELECT */
	unsigned int	buffer_select : 1;
	/* not worth an audit record */
	unsigned int	audit_skip : 1;
	/* may block forever on a non-regular file: unbounded work */
	unsigned int	unbound_nonreg_file : 1;
	/* serialise its work per inode on regular files (buffered writes) */
	unsigned int	hash_reg_file : 1;
	/* always blocks: skip the non-blocking attempt, go to a worker */
	unsigned int	always_async : 1;
	/* may submit block I/O: batches of it go out under one plug */
	unsigned int	plug : 1;
	/* on a pollable file, waits for EPOLLIN / EPOLLOUT */
	unsigned int	pollin : 1;
	unsigned int	pollout : 1;
	/*
	 * Watches the request before it in a chain (IORING_OP_LINK_TIMEOUT):
	 * ->issue arms it when that request is issued, and the core cancels
	 * it through its park callback once that request completes.
	 */
	unsigned int	guard : 1;
};

extern const struct io_op_def io_op_defs[];

u64 io_op_fast_mask(unsigned int setup_flags);

static inline bool io_op_supported(unsigned int opcode)
{
	return !!io_op_defs[opcode].prep;
}

#endif /* IO_URING_OPDEF_H */
