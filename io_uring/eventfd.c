// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_REGISTER_EVENTFD: an eventfd the ring signals when it posts
 * CQEs, for applications that wait in epoll rather than io_uring_enter().
 *
 * The eventfd is published with RCU: completions from any context read
 * it under rcu_read_lock(), and (un)registration, which runs under the
 * ring's uring_lock, frees the old one after a grace period.
 */
#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/eventpoll.h>
#include <linux/io_uring.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "io_uring.h"
#include "eventfd.h"

struct io_ev_fd {
	struct eventfd_ctx	*ctx;
	/* IORING_REGISTER_EVENTFD_ASYNC: only completions from workers */
	bool			async_only;
	/* the CQ tail we last signalled for; no new CQE, no signal */
	u32			last_tail;
	struct rcu_head		rcu;
};

int io_eventfd_register(struct io_ring_ctx *ctx, void __user *arg,
			unsigned int nr_args, bool async_only)
{
	__s32 __user *ufd = arg;
	struct io_ev_fd *ev;
	__s32 fd;

	lockdep_assert_held(&ctx->uring_lock);
	if (nr_args != 1)
		return -EINVAL;
	if (rcu_access_pointer(ctx->ev_fd))
		return -EBUSY;
	if (copy_from_user(&fd, ufd, sizeof(fd)))
		return -EFAULT;
	ev = kmalloc(sizeof(*ev), GFP_KERNEL);
	if (!ev)
		return -ENOMEM;
	ev->ctx = eventfd_ctx_fdget(fd);
	if (IS_ERR(ev->ctx)) {
		int ret = PTR_ERR(ev->ctx);

		kfree(ev);
		return ret;
	}
	ev->async_only = async_only;
	spin_lock(&ctx->completion_lock);
	ev->last_tail = ctx->cached_cq_tail;
	spin_unlock(&ctx->completion_lock);
	rcu_assign_pointer(ctx->ev_fd, ev);
	return 0;
}

static void io_ev_fd_free(struct rcu_head *rcu)
{
	struct io_ev_fd *ev = container_of(rcu, struct io_ev_fd, rcu);

	eventfd_ctx_put(ev->ctx);
	kfree(ev);
}

static int io_eventfd_drop(struct io_ring_ctx *ctx)
{
	struct io_ev_fd *ev;

	ev = rcu_replace_pointer(ctx->ev_fd, NULL,
				 lockdep_is_held(&ctx->uring_lock));
	if (!ev)
		return -ENXIO;
	call_rcu(&ev->rcu, io_ev_fd_free);
	return 0;
}

int io_eventfd_unregister(struct io_ring_ctx *ctx, void __user *arg,
			  unsigned int nr_args)
{
	if (arg || nr_args)
		return -EINVAL;
	return io_eventfd_drop(ctx);
}

/* Ring teardown; nothing else can touch the ring any more. */
void io_eventfd_release(struct io_ring_ctx *ctx)
{
	mutex_lock(&ctx->uring_lock);
	io_eventfd_drop(ctx);
	mutex_unlock(&ctx->uring_lock);
}

/* Called after CQEs were posted: signal once per batch of new CQEs. */
void __io_eventfd_signal(struct io_ring_ctx *ctx)
{
	struct io_ev_fd *ev;
	u32 tail;

	rcu_read_lock();
	ev = rcu_dereference(ctx->ev_fd);
	if (!ev)
		goto out;
	if (READ_ONCE(ctx->rings->cq_flags) & IORING_CQ_EVENTFD_DISABLED)
		goto out;
	if (ev->async_only && !io_wq_current_is_worker())
		goto out;
	/* a waker of the eventfd itself must not signal it again */
	if (!eventfd_signal_allowed())
		goto out;
	tail = READ_ONCE(ctx->cached_cq_tail);
	if (xchg(&ev->last_tail, tail) == tail)
		goto out;
	eventfd_signal_mask(ev->ctx, EPOLL_URING_WAKE);
out:
	rcu_read_unlock();
}
