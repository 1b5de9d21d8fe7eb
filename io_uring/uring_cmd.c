// SPDX-License-Identifier: GPL-2.0
/*
 * The driver-facing half of IORING_OP_URING_CMD (see
 * <linux/io_uring/cmd.h>). The opcode itself is not implemented yet, so
 * no driver is ever handed a command; these entry points exist so that
 * nvme, ublk, the block layer and sockets build against this io_uring,
 * and they behave correctly for a command that did reach a driver.
 */
#include <linux/io_uring/cmd.h>
#include <linux/io_uring/net.h>
#include <linux/task_work.h>

#include "io_uring.h"

struct task_struct *io_uring_cmd_get_task(struct io_uring_cmd *cmd)
{
	return cmd_to_io_kiocb(cmd)->task;
}
EXPORT_SYMBOL_GPL(io_uring_cmd_get_task);

void io_uring_cmd_done(struct io_uring_cmd *cmd, ssize_t ret, u64 res2,
		       unsigned int issue_flags)
{
	struct io_kiocb *req = cmd_to_io_kiocb(cmd);

	if (ret < 0)
		io_req_set_fail(req);
	io_req_set_res(req, ret, 0);
	if (req->ctx->flags & IORING_SETUP_CQE32)
		req->big_cqe[0] = res2;
	io_req_complete(req);
}
EXPORT_SYMBOL_GPL(io_uring_cmd_done);

static void io_uring_cmd_task_work(struct io_kiocb *req,
				   unsigned int issue_flags)
{
	struct io_uring_cmd *cmd = io_kiocb_to_cmd(req, struct io_uring_cmd);

	cmd->task_work_cb(cmd, issue_flags);
}

void __io_uring_cmd_do_in_task(struct io_uring_cmd *cmd,
			       void (*task_work_cb)(struct io_uring_cmd *, unsigned int),
			       unsigned int flags)
{
	cmd->task_work_cb = task_work_cb;
	/* a gone submitter: the driver sees IO_URING_F_TASK_DEAD */
	io_req_queue_tw(cmd_to_io_kiocb(cmd), io_uring_cmd_task_work);
}
EXPORT_SYMBOL_GPL(__io_uring_cmd_do_in_task);

void io_uring_cmd_mark_cancelable(struct io_uring_cmd *cmd,
				  unsigned int issue_flags)
{
	cmd->flags |= IORING_URING_CMD_CANCELABLE;
}
EXPORT_SYMBOL_GPL(io_uring_cmd_mark_cancelable);

/* Without a worker pool, the blocking retry runs in the submitter. */
static void io_uring_cmd_reissue(struct io_uring_cmd *cmd,
				 unsigned int issue_flags)
{
	int ret = -ECANCELED;

	if (!(issue_flags & IO_URING_F_TASK_DEAD))
		ret = cmd->file->f_op->uring_cmd(cmd, issue_flags);
	if (ret != -EIOCBQUEUED)
		io_uring_cmd_done(cmd, ret, 0, issue_flags);
}

void io_uring_cmd_issue_blocking(struct io_uring_cmd *cmd)
{
	__io_uring_cmd_do_in_task(cmd, io_uring_cmd_reissue, 0);
}
EXPORT_SYMBOL_GPL(io_uring_cmd_issue_blocking);

/* Map [ubuf, ubuf + len) of the registered buffer the command holds. */
int io_uring_cmd_import_fixed(u64 ubuf, unsigned long len, int rw,
			      struct iov_iter *iter, void *ioucmd)
{
	struct io_kiocb *req = cmd_to_io_kiocb(ioucmd);

	if (!req->buf)
		return -EFAULT;
	return io_buf_import(req->buf, rw, ubuf, len, iter);
}
EXPORT_SYMBOL_GPL(io_uring_cmd_import_fixed);

/* Socket commands arrive only through IORING_OP_URING_CMD. */
int io_uring_cmd_sock(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	return -EOPNOTSUPP;
}
EXPORT_SYMBOL_GPL(io_uring_cmd_sock);
