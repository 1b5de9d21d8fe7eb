// SPDX-License-Identifier: GPL-2.0
/*
 * Cancellation: finding requests by what the application knows about
 * them (user_data, file, opcode) and stopping them wherever they wait.
 *
 * A request that has been issued and has not completed waits in one of
 * two places:
 *  - parked by its op (armed poll, pending timer, ...) on ctx->parked,
 *    with a cancel callback that op supplied to io_req_park();
 *  - queued to, or running in, the worker pool of its submitter.
 * A request found in neither is completing right now, or is done: the
 * canceller is told -ENOENT.
 *
 * A park cancel callback only claims the request (see io_wake_claim())
 * and queues the task work that completes it; it never frees it. It is
 * called with uring_lock held, and a parked request leaves ctx->parked
 * only under uring_lock, so the walk below never meets a freed request.
 *
 * IORING_OP_ASYNC_CANCEL and IORING_REGISTER_SYNC_CANCEL live here too.
 */
#include <linux/file.h>
#include <linux/io_uring.h>
#include <linux/nospec.h>
#include <linux/sched/signal.h>

#include "io_uring.h"
#include "cancel.h"
#include "tctx.h"

#define IO_CANCEL_FLAGS	(IORING_ASYNC_CANCEL_ALL | IORING_ASYNC_CANCEL_FD | \
			 IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_FD_FIXED | \
			 IORING_ASYNC_CANCEL_USERDATA | IORING_ASYNC_CANCEL_OP)

#define IO_CANCEL_MANY	(IORING_ASYNC_CANCEL_ALL | IORING_ASYNC_CANCEL_ANY)

static bool io_cancel_match(struct io_kiocb *req,
			    const struct io_cancel_data *cd)
{
	u32 flags = cd->flags;

	if (req->ctx != cd->ctx)
		return false;
	if (cd->req)
		return req == cd->req;
	if (cd->task && req->task != cd->task)
		return false;
	if (cd->ring_file && !(req->flags & REQ_F_RING_FILE))
		return false;
	/* FD never matches what has no file (timeouts), even with ANY */
	if ((flags & IORING_ASYNC_CANCEL_FD) && !req->file)
		return false;
	if (flags & IORING_ASYNC_CANCEL_ANY)
		return true;
	if ((flags & IORING_ASYNC_CANCEL_FD) && req->file != cd->file)
		return false;
	if ((flags & IORING_ASYNC_CANCEL_OP) && req->opcode != cd->opcode)
		return false;
	/* without FD or OP, user_data is the key; USERDATA adds it to them */
	if (!(flags & (IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_OP)) ||
	    (flags & IORING_ASYNC_CANCEL_USERDATA))
		return req->cqe.user_data == cd->user_data;
	return true;
}

static bool io_cancel_match_work(struct io_wq_work *work, void *data)
{
	return io_cancel_match(io_req_of_work(work), data);
}

/*
 * Cancel parked requests. Alone, returns what the callback said: 0, or
 * IO_CANCEL_BATCHED (futex, waitid) for success, or an error. With @many,
 * returns how many were cancelled, one per request, as 6.12 counts them.
 */
static int io_cancel_parked(struct io_cancel_data *cd, bool many)
{
	struct io_ring_ctx *ctx = cd->ctx;
	struct io_kiocb *req, *tmp;
	int ret, nr = 0;

	lockdep_assert_held(&ctx->uring_lock);
	list_for_each_entry_safe(req, tmp, &ctx->parked, park_node) {
		/* already claimed by an earlier cancellation */
		if ((req->flags & REQ_F_CANCELLED) || !io_cancel_match(req, cd))
			continue;
		ret = req->park_cancel(req);
		if (ret >= 0)
			req->flags |= REQ_F_CANCELLED;
		if (!many)
			return ret;
		if (ret >= 0)
			nr++;
	}
	return many ? nr : -ENOENT;
}

/**
 * io_cancel - cancel what @cd describes
 *
 * Called with uring_lock held.
 *
 * Return: with IORING_ASYNC_CANCEL_ALL or _ANY, how many requests were
 * cancelled. Otherwise 0 if one was, -EALREADY if it was found but is
 * past stopping (running in a worker, which has been interrupted, or
 * already firing), and -ENOENT if none was found.
 */
int io_cancel(struct io_cancel_data *cd)
{
	bool many = cd->flags & IO_CANCEL_MANY;
	unsigned int nr_pending = 0;
	enum io_wq_cancel wq_ret;
	int ret;

	ret = io_cancel_parked(cd, many);
	if (!many && ret != -ENOENT)
		return ret;
	/*
	 * Work found running is interrupted, but not counted; pending work,
	 * cancelled in one pass, counts as one (as in 6.12).
	 */
	wq_ret = io_tctx_cancel_work(cd->ctx, io_cancel_match_work, cd, many,
				     &nr_pending);
	if (many)
		return ret + !!nr_pending;
	if (wq_ret == IO_WQ_CANCEL_OK)
		return 0;
	/*
	 * A linked timeout (the only canceller of one given request) that
	 * finds it running in a worker interrupts it but reports -ENOENT,
	 * as 6.12 does.
	 */
	if (wq_ret == IO_WQ_CANCEL_RUNNING && !cd->req)
		return -EALREADY;
	return -ENOENT;
}

/*
 * Ring teardown or task exit: cancel everything parked (of @task, if
 * set; only what uses a ring's file, if @ring_file). What waits in worker
 * pools is cancelled by the caller.
 */
void io_cancel_parked_all(struct io_ring_ctx *ctx, struct task_struct *task,
			  bool ring_file)
{
	struct io_cancel_data cd = {
		.ctx		= ctx,
		.flags		= IORING_ASYNC_CANCEL_ANY,
		.task		= task,
		.ring_file	= ring_file,
	};

	mutex_lock(&ctx->uring_lock);
	io_cancel_parked(&cd, true);
	mutex_unlock(&ctx->uring_lock);
}

/* IORING_OP_ASYNC_CANCEL: what to look for, as struct io_cancel_data */
struct io_async_cancel {
	struct file	*file;
	u64		key;		/* sqe->addr: the user_data */
	u8		opcode;		/* sqe->len, with CANCEL_OP */
	u32		how;		/* IORING_ASYNC_CANCEL_* */
	int		fd;		/* sqe->fd, with CANCEL_FD */
};

int io_async_cancel_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_async_cancel *c = io_kiocb_to_cmd(req, struct io_async_cancel);

	if (READ_ONCE(sqe->off) || READ_ONCE(sqe->splice_fd_in))
		return -EINVAL;
	c->key = READ_ONCE(sqe->addr);
	c->how = READ_ONCE(sqe->cancel_flags);
	if (c->how & ~IO_CANCEL_FLAGS)
		return -EINVAL;
	/* ANY matches everything: narrowing it makes no sense */
	if ((c->how & IORING_ASYNC_CANCEL_ANY) &&
	    (c->how & (IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_OP)))
		return -EINVAL;
	c->fd = READ_ONCE(sqe->fd);
	c->opcode = READ_ONCE(sqe->len);
	return 0;
}

/* The file IORING_ASYNC_CANCEL_FD names, with a reference, or NULL. */
static struct file *io_cancel_file(struct io_ring_ctx *ctx, u32 flags, int fd)
{
	if (flags & IORING_ASYNC_CANCEL_FD_FIXED)
		return io_fixed_file_get(ctx, fd);
	return fget(fd);
}

static int io_cancel_fill(struct io_cancel_data *cd, struct io_ring_ctx *ctx,
			  u32 flags, u64 user_data, int fd, u8 opcode)
{
	memset(cd, 0, sizeof(*cd));
	cd->ctx = ctx;
	cd->flags = flags;
	cd->user_data = user_data;
	cd->opcode = opcode;
	if (!(flags & IORING_ASYNC_CANCEL_FD))
		return 0;
	cd->file = io_cancel_file(ctx, flags, fd);
	return cd->file ? 0 : -EBADF;
}

int io_async_cancel(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_async_cancel *c = io_kiocb_to_cmd(req, struct io_async_cancel);
	struct io_ring_ctx *ctx = req->ctx;
	struct io_cancel_data cd;
	u32 flags = c->how;
	int ret;

	/* a fixed file given as the request's own file counts as FD_FIXED */
	if (req->flags & IOSQE_FIXED_FILE)
		flags |= IORING_ASYNC_CANCEL_FD_FIXED;
	io_ring_lock(ctx, issue_flags);
	ret = io_cancel_fill(&cd, ctx, flags, c->key, c->fd, c->opcode);
	if (!ret)
		ret = io_cancel(&cd);
	io_ring_unlock(ctx, issue_flags);
	if (cd.file)
		fput(cd.file);
	return io_req_result(req, ret);
}

static int io_sync_cancel_read(struct io_uring_sync_cancel_reg *sc,
			       void __user *arg)
{
	int i;

	if (copy_from_user(sc, arg, sizeof(*sc)))
		return -EFAULT;
	for (i = 0; i < ARRAY_SIZE(sc->pad); i++)
		if (sc->pad[i])
			return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(sc->pad2); i++)
		if (sc->pad2[i])
			return -EINVAL;
	/* unlike the SQE, FD or OP with ANY is accepted here */
	return (sc->flags & ~IO_CANCEL_FLAGS) ? -EINVAL : 0;
}

static ktime_t io_sync_cancel_deadline(const struct io_uring_sync_cancel_reg *sc)
{
	struct timespec64 ts = {
		.tv_sec		= sc->timeout.tv_sec,
		.tv_nsec	= sc->timeout.tv_nsec,
	};

	if (ts.tv_sec == -1 && ts.tv_nsec == -1)
		return KTIME_MAX;
	return ktime_add_ns(timespec64_to_ktime(ts), ktime_get_ns());
}

/* One attempt; a fixed file is looked up each time, the table may change. */
static int io_sync_cancel_once(struct io_ring_ctx *ctx,
			       const struct io_uring_sync_cancel_reg *sc)
{
	struct io_cancel_data cd;
	int ret;

	ret = io_cancel_fill(&cd, ctx, sc->flags, sc->addr, sc->fd, sc->opcode);
	if (!ret)
		ret = io_cancel(&cd);
	if (cd.file)
		fput(cd.file);
	return ret;
}

/**
 * io_sync_cancel - IORING_REGISTER_SYNC_CANCEL
 *
 * Cancels like IORING_OP_ASYNC_CANCEL, and while what it found is past
 * stopping (-EALREADY) waits for it to complete, up to the timeout.
 * Called with uring_lock held, which it drops while it waits.
 */
int io_sync_cancel(struct io_ring_ctx *ctx, void __user *arg)
{
	struct io_uring_sync_cancel_reg sc;
	ktime_t deadline;
	DEFINE_WAIT(wait);
	int ret;

	ret = io_sync_cancel_read(&sc, arg);
	if (ret)
		return ret;
	ret = io_sync_cancel_once(ctx, &sc);
	if (ret != -EALREADY)
		return ret;

	/*
	 * Wait for what runs to finish: every CQE posted wakes us to look
	 * again, and so does a short tick, since looking takes locks and
	 * must not happen with the wait armed.
	 */
	deadline = io_sync_cancel_deadline(&sc);
	do {
		ktime_t tick = ktime_add_ms(ktime_get(), 20);

		if (ktime_before(deadline, tick))
			tick = deadline;

		mutex_unlock(&ctx->uring_lock);
		ret = -EALREADY;
		/* registration comes from the submitter of a DEFER ring */
		if (!io_run_task_work() && !io_run_local_tw(ctx, false)) {
			prepare_to_wait(&ctx->cq_wait, &wait, TASK_INTERRUPTIBLE);
			if (signal_pending(current))
				ret = -EINTR;
			else if (ktime_after(ktime_get(), deadline))
				ret = -ETIME;
			else
				schedule_hrtimeout(&tick, HRTIMER_MODE_ABS);
			finish_wait(&ctx->cq_wait, &wait);
		}
		mutex_lock(&ctx->uring_lock);
		if (ret == -EALREADY)
			ret = io_sync_cancel_once(ctx, &sc);
	} while (ret == -EALREADY);
	if (ret == -ENOENT || ret > 0)
		ret = 0;
	return ret;
}
