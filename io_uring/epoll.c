// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_EPOLL_CTL: epoll_ctl(2) as a request. The event is copied
 * at prep, so the application may reuse its memory once submitted.
 */
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/eventpoll.h>
#include <linux/io_uring.h>

#include "io_uring.h"
#include "epoll.h"

/* sqe->fd is the epoll instance, sqe->off the file, sqe->len the op */
struct io_epoll_ctl {
	struct file		*file;
	struct epoll_event	ev;
	int			args[3];	/* epoll fd, op, target fd */
};

int io_epoll_ctl_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_epoll_ctl *c = io_kiocb_to_cmd(req, struct io_epoll_ctl);
	void __user *uev = u64_to_user_ptr(READ_ONCE(sqe->addr));

	if (READ_ONCE(sqe->buf_index) || READ_ONCE(sqe->splice_fd_in))
		return -EINVAL;
	c->args[0] = READ_ONCE(sqe->fd);
	c->args[1] = READ_ONCE(sqe->len);
	c->args[2] = READ_ONCE(sqe->off);
	/* EPOLL_CTL_DEL reads no event */
	if (ep_op_has_event(c->args[1]) &&
	    copy_from_user(&c->ev, uev, sizeof(c->ev)))
		return -EFAULT;
	return 0;
}

int io_epoll_ctl(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_epoll_ctl *c = io_kiocb_to_cmd(req, struct io_epoll_ctl);
	bool nonblock = issue_flags & IO_URING_F_NONBLOCK;
	int ret;

	ret = do_epoll_ctl(c->args[0], c->args[1], c->args[2], &c->ev,
			   nonblock);
	/* the epoll's mutex was busy: a worker will wait for it */
	if (ret == -EAGAIN && nonblock)
		return -EAGAIN;
	return io_req_result(req, ret);
}
