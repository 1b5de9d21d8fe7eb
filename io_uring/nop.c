// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_NOP: completes at once, with result 0 or, with
 * IORING_NOP_INJECT_RESULT, whatever sqe->len holds (for testing the
 * completion path with arbitrary results).
 */
#include <linux/io_uring.h>

#include "io_uring.h"
#include "nop.h"

struct io_nop {
	struct file	*file;
	s32		result;
};

int io_nop_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_nop *nop = io_kiocb_to_cmd(req, struct io_nop);
	u32 nop_flags = READ_ONCE(sqe->nop_flags);

	if (nop_flags & ~IORING_NOP_INJECT_RESULT)
		return -EINVAL;
	nop->result = 0;
	if (nop_flags & IORING_NOP_INJECT_RESULT)
		nop->result = READ_ONCE(sqe->len);
	return 0;
}

int io_nop(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_nop *nop = io_kiocb_to_cmd(req, struct io_nop);

	if (nop->result < 0)
		io_req_set_fail(req);
	io_req_set_res(req, nop->result, 0);
	return IOU_DONE;
}
