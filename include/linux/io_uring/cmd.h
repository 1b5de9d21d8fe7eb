/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IORING_OP_URING_CMD as drivers see it: the request is handed to
 * file_operations->uring_cmd() as a struct io_uring_cmd, which the driver
 * completes with io_uring_cmd_done(), possibly after bouncing to the
 * submitter's context with io_uring_cmd_complete_in_task().
 */
#ifndef _LINUX_IO_URING_CMD_H
#define _LINUX_IO_URING_CMD_H

#include <uapi/linux/io_uring.h>
#include <linux/io_uring_types.h>

/* Kernel-internal bits of io_uring_cmd.flags; the low 24 come from the SQE. */
#define IORING_URING_CMD_CANCELABLE	BIT(30)

struct io_comp_batch;
struct iov_iter;
struct task_struct;

struct io_uring_cmd {
	struct file	*file;
	/* the SQE, stable for the life of the request */
	const struct io_uring_sqe *sqe;
	/* set by __io_uring_cmd_do_in_task(), run in the submitter's context */
	void (*task_work_cb)(struct io_uring_cmd *cmd, unsigned int issue_flags);
	u32		cmd_op;
	u32		flags;
	/* scratch space owned by the driver while it holds the command */
	u8		pdu[32];
};

static inline const void *io_uring_sqe_cmd(const struct io_uring_sqe *sqe)
{
	return sqe->cmd;
}

static inline void io_uring_cmd_private_sz_check(size_t cmd_sz)
{
	BUILD_BUG_ON(cmd_sz > sizeof_field(struct io_uring_cmd, pdu));
}

#define io_uring_cmd_to_pdu(cmd, pdu_type) ( \
	io_uring_cmd_private_sz_check(sizeof(pdu_type)), \
	((typeof(pdu_type) *)&(cmd)->pdu) \
)

#if defined(CONFIG_IO_URING)
int io_uring_cmd_import_fixed(u64 ubuf, unsigned long len, int rw,
			      struct iov_iter *iter, void *ioucmd);

/*
 * Post the command's CQE (@ret in res, @res2 in the second half of a
 * 32-byte CQE) and release the request. @issue_flags must be the value
 * io_uring passed to the driver, or 0 from any other context.
 */
void io_uring_cmd_done(struct io_uring_cmd *cmd, ssize_t ret, u64 res2,
		       unsigned int issue_flags);

void __io_uring_cmd_do_in_task(struct io_uring_cmd *ioucmd,
			       void (*task_work_cb)(struct io_uring_cmd *, unsigned int),
			       unsigned int flags);

/* Let ring teardown and task exit cancel this command via ->uring_cmd(). */
void io_uring_cmd_mark_cancelable(struct io_uring_cmd *cmd,
				  unsigned int issue_flags);

/* Re-issue the command from a context that may block (an io-wq worker). */
void io_uring_cmd_issue_blocking(struct io_uring_cmd *ioucmd);

/* The task that submitted the command. */
struct task_struct *io_uring_cmd_get_task(struct io_uring_cmd *cmd);
#else
static inline int io_uring_cmd_import_fixed(u64 ubuf, unsigned long len, int rw,
					    struct iov_iter *iter, void *ioucmd)
{
	return -EOPNOTSUPP;
}

static inline void io_uring_cmd_done(struct io_uring_cmd *cmd, ssize_t ret,
				     u64 ret2, unsigned int issue_flags)
{
}

static inline void
__io_uring_cmd_do_in_task(struct io_uring_cmd *ioucmd,
			  void (*task_work_cb)(struct io_uring_cmd *, unsigned int),
			  unsigned int flags)
{
}

static inline void io_uring_cmd_mark_cancelable(struct io_uring_cmd *cmd,
						unsigned int issue_flags)
{
}

static inline void io_uring_cmd_issue_blocking(struct io_uring_cmd *ioucmd)
{
}

static inline struct task_struct *io_uring_cmd_get_task(struct io_uring_cmd *cmd)
{
	return NULL;
}
#endif

/* Completion of a polled command, from inside the ring's poll loop. */
static inline void io_uring_cmd_iopoll_done(struct io_uring_cmd *ioucmd,
					    ssize_t ret, ssize_t res2)
{
	lockdep_assert(in_task());
	io_uring_cmd_done(ioucmd, ret, res2, 0);
}

/* The callback may wait for the submitter's next wait for completions. */
static inline void
io_uring_cmd_do_in_task_lazy(struct io_uring_cmd *ioucmd,
			     void (*task_work_cb)(struct io_uring_cmd *, unsigned int))
{
	__io_uring_cmd_do_in_task(ioucmd, task_work_cb, IOU_F_TWQ_LAZY_WAKE);
}

static inline void
io_uring_cmd_complete_in_task(struct io_uring_cmd *ioucmd,
			      void (*task_work_cb)(struct io_uring_cmd *, unsigned int))
{
	__io_uring_cmd_do_in_task(ioucmd, task_work_cb, 0);
}

#endif /* _LINUX_IO_URING_CMD_H */
