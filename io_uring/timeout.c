// SPDX-License-Identifier: GPL-2.0
/*
 * Timeouts: IORING_OP_TIMEOUT, _TIMEOUT_REMOVE and _LINK_TIMEOUT.
 *
 * A timeout is a parked request with an hrtimer. A TIMEOUT with a count
 * (sqe->off) also completes, with 0, once that many other CQEs have been
 * posted, through an io_cq_watch. A LINK_TIMEOUT watches the request
 * before it in its chain and cancels it if it fires first.
 *
 * Everything that may end a timeout (its timer, its count, a cancel, an
 * update) first claims it through req->wakes; the claim's owner queues
 * io_timeout_tw(), which is the only place a timeout completes. A cancel
 * succeeds only on a timeout nobody has claimed (-ENOENT otherwise: it
 * is as good as completed), so a timer that fired always reports -ETIME.
 */
#include <linux/hrtimer.h>
#include <linux/io_uring.h>
#include <linux/slab.h>
#include <linux/time64.h>

#include "io_uring.h"
#include "timeout.h"

#define IO_TIMEOUT_FLAGS	(IORING_TIMEOUT_ABS | IORING_TIMEOUT_CLOCK_MASK | \
				 IORING_TIMEOUT_ETIME_SUCCESS | \
				 IORING_TIMEOUT_MULTISHOT)

/* IORING_OP_TIMEOUT and _LINK_TIMEOUT */
struct io_timeout {
	struct file		*file;
	u32			off;		/* CQEs to wait for; 0: none */
	u32			repeats;	/* multishot: left; 0: forever */
	u32			flags;		/* IORING_TIMEOUT_* */
};

struct io_timeout_data {
	struct io_kiocb		*req;
	struct hrtimer		timer;
	struct timespec64	ts;
	enum hrtimer_mode	mode;
	struct io_cq_watch	watch;		/* with a count */
	bool			counted;	/* the count was reached */
};

/* IORING_OP_TIMEOUT_REMOVE */
struct io_timeout_rem {
	struct file		*file;
	u64			user_data;
	struct timespec64	ts;
	u32			flags;
};

static void io_timeout_tw(struct io_kiocb *req, unsigned int issue_flags);

static clockid_t io_timeout_clock(u32 flags)
{
	switch (flags & IORING_TIMEOUT_CLOCK_MASK) {
	case IORING_TIMEOUT_BOOTTIME:
		return CLOCK_BOOTTIME;
	case IORING_TIMEOUT_REALTIME:
		return CLOCK_REALTIME;
	default:
		return CLOCK_MONOTONIC;
	}
}

static enum hrtimer_mode io_timeout_mode(u32 flags)
{
	return (flags & IORING_TIMEOUT_ABS) ? HRTIMER_MODE_ABS : HRTIMER_MODE_REL;
}

static enum hrtimer_restart io_timeout_fire(struct hrtimer *timer)
{
	struct io_timeout_data *data = container_of(timer, struct io_timeout_data,
						    timer);

	if (io_wake_claim(data->req))
		io_req_queue_tw(data->req, io_timeout_tw);
	return HRTIMER_NORESTART;
}

/* Under completion_lock: enough CQEs have been posted. */
static void io_timeout_count_fire(struct io_cq_watch *watch)
{
	struct io_timeout_data *data = container_of(watch, struct io_timeout_data,
						    watch);

	data->counted = true;
	if (io_wake_claim(data->req))
		io_req_queue_tw(data->req, io_timeout_tw);
}

/* Start the timer with data->ts; io_timeout_init() set it up. */
static void io_timeout_start(struct io_kiocb *req)
{
	struct io_timeout_data *data = req->async_data;

	hrtimer_start(&data->timer, timespec64_to_ktime(data->ts), data->mode);
}

/*
 * Set the timer up for data->mode, and start it. Only for a timer that
 * is not running: a multishot timeout restarts from its own task work
 * while io_timeout_fire() may still be returning, so it only restarts.
 */
static void io_timeout_init(struct io_kiocb *req)
{
	struct io_timeout *t = io_kiocb_to_cmd(req, struct io_timeout);
	struct io_timeout_data *data = req->async_data;

	hrtimer_init(&data->timer, io_timeout_clock(t->flags), data->mode);
	data->timer.function = io_timeout_fire;
	io_timeout_start(req);
}

static int io_timeout_cancel(struct io_kiocb *req)
{
	/* what has fired or counted out is as good as completed */
	if (atomic64_cmpxchg(&req->wakes, 0, IO_WAKE_CANCEL | 1) != 0)
		return -ENOENT;
	io_req_queue_tw(req, io_timeout_tw);
	return 0;
}

static int __io_timeout_prep(struct io_kiocb *req,
			     const struct io_uring_sqe *sqe, bool linked)
{
	struct io_timeout *t = io_kiocb_to_cmd(req, struct io_timeout);
	struct io_timeout_data *data;
	u32 flags;

	if (READ_ONCE(sqe->addr3) || READ_ONCE(sqe->__pad2[0]))
		return -EINVAL;
	if (READ_ONCE(sqe->buf_index) || READ_ONCE(sqe->len) != 1 ||
	    READ_ONCE(sqe->splice_fd_in))
		return -EINVAL;
	t->off = READ_ONCE(sqe->off);
	if (t->off && linked)
		return -EINVAL;
	flags = READ_ONCE(sqe->timeout_flags);
	if (flags & ~IO_TIMEOUT_FLAGS)
		return -EINVAL;
	if (hweight32(flags & IORING_TIMEOUT_CLOCK_MASK) > 1)
		return -EINVAL;
	/* repeating makes sense only for a relative time */
	if ((flags & IORING_TIMEOUT_MULTISHOT) && (flags & IORING_TIMEOUT_ABS))
		return -EINVAL;
	t->flags = flags;
	t->repeats = (flags & IORING_TIMEOUT_MULTISHOT) ? t->off : 0;

	data = kzalloc(sizeof(*data), GFP_KERNEL_ACCOUNT);
	if (!data)
		return -ENOMEM;
	req->async_data = data;
	req->flags |= REQ_F_ASYNC_DATA;
	data->req = req;
	INIT_LIST_HEAD(&data->watch.node);
	data->watch.fire = io_timeout_count_fire;
	if (get_timespec64(&data->ts, u64_to_user_ptr(READ_ONCE(sqe->addr))))
		return -EFAULT;
	if (data->ts.tv_sec < 0 || data->ts.tv_nsec < 0)
		return -EINVAL;
	data->mode = io_timeout_mode(flags);
	return 0;
}

int io_timeout_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	return __io_timeout_prep(req, sqe, false);
}

int io_link_timeout_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	return __io_timeout_prep(req, sqe, true);
}

/* A count is a target only for a one-shot TIMEOUT. */
static bool io_timeout_counts(struct io_timeout *t)
{
	return t->off && !(t->flags & IORING_TIMEOUT_MULTISHOT);
}

int io_timeout(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_timeout *t = io_kiocb_to_cmd(req, struct io_timeout);
	struct io_timeout_data *data = req->async_data;
	struct io_ring_ctx *ctx = req->ctx;

	atomic64_set(&req->wakes, 0);
	io_ring_lock(ctx, issue_flags);
	io_req_park(req, io_timeout_cancel);
	if (io_timeout_counts(t))
		io_cq_watch_add(ctx, &data->watch, t->off);
	io_timeout_init(req);
	io_ring_unlock(ctx, issue_flags);
	return IOU_QUEUED;
}

/* Armed by the core when the request it watches is issued. */
int io_link_timeout(struct io_kiocb *req, unsigned int issue_flags)
{
	return io_timeout(req, issue_flags);
}

/* Stop everything that could fire; the caller owns the timeout. */
static void io_timeout_disarm(struct io_kiocb *req)
{
	struct io_timeout_data *data = req->async_data;

	hrtimer_cancel(&data->timer);
	io_cq_watch_del(req->ctx, &data->watch);
}

/* Whether ending with @res is a failure, which CQE_SKIP_SUCCESS shows. */
static bool io_timeout_res_fails(struct io_kiocb *req, int res)
{
	struct io_timeout *t = io_kiocb_to_cmd(req, struct io_timeout);

	if (res == -ETIME)
		return !(t->flags & IORING_TIMEOUT_ETIME_SUCCESS);
	return res < 0;
}

static void __io_timeout_done(struct io_kiocb *req, int res, bool fail)
{
	io_timeout_disarm(req);
	io_req_unpark(req);
	/*
	 * However a TIMEOUT ends, its CQE does not count towards other
	 * counts, and it ends a wait in io_uring_enter() (see io_cq_wait()).
	 * A LINK_TIMEOUT's counts as any CQE.
	 */
	if (req->opcode == IORING_OP_TIMEOUT)
		io_cq_uncount_next(req->ctx);
	if (fail)
		io_req_set_fail(req);
	io_req_set_res(req, res, 0);
	io_req_complete(req);
}

static void io_timeout_done(struct io_kiocb *req, int res)
{
	__io_timeout_done(req, res, io_timeout_res_fails(req, res));
}

/*
 * A cancelled timeout fails with -ECANCELED, except a LINK_TIMEOUT whose
 * request finished first, which unhooked and cancelled it: that is how
 * it normally ends, and CQE_SKIP_SUCCESS hides it.
 */
static void io_timeout_cancelled(struct io_kiocb *req)
{
	struct io_kiocb *prev;
	bool fail = true;

	if (req->opcode == IORING_OP_LINK_TIMEOUT) {
		prev = io_link_unguard(req);
		if (prev)
			io_req_put(prev);
		else
			fail = false;
	}
	__io_timeout_done(req, -ECANCELED, fail);
}

/*
 * A LINK_TIMEOUT fired: cancel the request it watches. It reports -ETIME
 * if that worked, and why not otherwise (-EALREADY: firing already;
 * -ENOENT: gone, or running in a worker, which was interrupted).
 */
static int io_link_timeout_expire(struct io_kiocb *req)
{
	struct io_cancel_data cd = { .ctx = req->ctx };
	int ret;

	cd.req = io_link_unguard(req);
	if (!cd.req)
		return -ETIME;
	ret = io_cancel(&cd);
	io_req_put(cd.req);
	return ret ?: -ETIME;
}

/* The timer fired. Returns true if the timeout is over. */
static bool io_timeout_expire(struct io_kiocb *req)
{
	struct io_timeout *t = io_kiocb_to_cmd(req, struct io_timeout);

	if (req->opcode == IORING_OP_LINK_TIMEOUT) {
		io_timeout_done(req, io_link_timeout_expire(req));
		return true;
	}
	/* a timeout's own CQEs do not count towards other counts */
	if ((t->flags & IORING_TIMEOUT_MULTISHOT) &&
	    (!t->repeats || --t->repeats) &&
	    io_post_cqe_more(req->ctx, req->cqe.user_data, -ETIME, 0, false)) {
		io_timeout_start(req);
		return false;
	}
	io_timeout_done(req, -ETIME);
	return true;
}

static void io_timeout_tw(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_timeout_data *data = req->async_data;
	struct io_ring_ctx *ctx = req->ctx;
	s64 seen;

	mutex_lock(&ctx->uring_lock);
	do {
		seen = atomic64_read(&req->wakes);
		/*
		 * A timeout touches nothing of its task: one whose task
		 * exited still fires, as in 6.12; only a cancel stops it.
		 */
		if (seen & IO_WAKE_CANCEL) {
			io_timeout_cancelled(req);
			break;
		}
		if (data->counted) {
			io_timeout_done(req, 0);
			break;
		}
		if (io_timeout_expire(req))
			break;
	} while (io_wake_release(req, seen));
	mutex_unlock(&ctx->uring_lock);
}

int io_timeout_remove_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_timeout_rem *tr = io_kiocb_to_cmd(req, struct io_timeout_rem);
	u32 flags;

	if (req->flags & (IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT))
		return -EINVAL;
	if (READ_ONCE(sqe->addr3) || READ_ONCE(sqe->__pad2[0]))
		return -EINVAL;
	if (READ_ONCE(sqe->buf_index) || READ_ONCE(sqe->len) ||
	    READ_ONCE(sqe->splice_fd_in))
		return -EINVAL;
	tr->user_data = READ_ONCE(sqe->addr);
	flags = READ_ONCE(sqe->timeout_flags);
	tr->flags = flags;
	if (!(flags & IORING_TIMEOUT_UPDATE_MASK))
		return flags ? -EINVAL : 0;
	if (hweight32(flags & IORING_TIMEOUT_CLOCK_MASK) > 1)
		return -EINVAL;
	if (flags & ~(IORING_TIMEOUT_UPDATE_MASK | IORING_TIMEOUT_ABS))
		return -EINVAL;
	if (get_timespec64(&tr->ts, u64_to_user_ptr(READ_ONCE(sqe->addr2))))
		return -EFAULT;
	if (tr->ts.tv_sec < 0 || tr->ts.tv_nsec < 0)
		return -EINVAL;
	return 0;
}

/* The parked timeout of @opcode with @user_data that no cancel claimed. */
static struct io_kiocb *io_timeout_find(struct io_ring_ctx *ctx, u8 opcode,
					u64 user_data)
{
	struct io_kiocb *req;

	list_for_each_entry(req, &ctx->parked, park_node) {
		if (req->opcode == opcode && req->cqe.user_data == user_data &&
		    !(req->flags & REQ_F_CANCELLED))
			return req;
	}
	return NULL;
}

/*
 * An update lets go of the timeout it claimed and re-armed. Whatever
 * fired or cancelled meanwhile is handled by task work. A LINK_TIMEOUT
 * whose request finished meanwhile was unhooked by io_link_drop_guard(),
 * whose cancel failed on our claim: carry that cancel out here, or the
 * timeout would wait for its new time. link_lock orders the two: the
 * unhooking happened before this, or it will find the claim released.
 */
static void io_timeout_update_release(struct io_kiocb *req)
{
	struct io_ring_ctx *ctx = req->ctx;
	bool link = req->opcode == IORING_OP_LINK_TIMEOUT;

	if (link)
		spin_lock(&ctx->link_lock);
	if (link && !req->guarded) {
		atomic64_or(IO_WAKE_CANCEL, &req->wakes);
		io_req_queue_tw(req, io_timeout_tw);
	} else if (io_wake_release(req, 1)) {
		io_req_queue_tw(req, io_timeout_tw);
	}
	if (link)
		spin_unlock(&ctx->link_lock);
}

/* Give a timeout that has not fired a new time; it is no longer counted. */
static int io_timeout_update(struct io_kiocb *req, struct io_timeout_rem *tr)
{
	struct io_timeout *t = io_kiocb_to_cmd(req, struct io_timeout);
	struct io_timeout_data *data = req->async_data;
	enum hrtimer_mode mode = io_timeout_mode(tr->flags);

	if ((t->flags & IORING_TIMEOUT_MULTISHOT) && mode == HRTIMER_MODE_ABS)
		return -EINVAL;
	if (atomic64_cmpxchg(&req->wakes, 0, 1) != 0)
		return -ENOENT;
	io_timeout_disarm(req);
	/*
	 * It fired or counted out between our claim and the disarm: too
	 * late to change, it ends as it would have (6.12 answers -EALREADY
	 * for a timer caught firing, -ENOENT for a timeout already gone).
	 */
	if (atomic64_read(&req->wakes) != 1) {
		if (io_wake_release(req, 1))
			io_req_queue_tw(req, io_timeout_tw);
		return data->counted ? -ENOENT : -EALREADY;
	}
	if (!(t->flags & IORING_TIMEOUT_MULTISHOT))
		t->off = 0;
	data->ts = tr->ts;
	data->mode = mode;
	/* disarmed: the callback is not running, so it may be set up anew */
	io_timeout_init(req);
	io_timeout_update_release(req);
	return 0;
}

int io_timeout_remove(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_timeout_rem *tr = io_kiocb_to_cmd(req, struct io_timeout_rem);
	struct io_ring_ctx *ctx = req->ctx;
	struct io_kiocb *target;
	u8 opcode = IORING_OP_TIMEOUT;
	int ret;

	/* LINK_TIMEOUT_UPDATE means something only with TIMEOUT_UPDATE */
	if ((tr->flags & IORING_TIMEOUT_UPDATE) &&
	    (tr->flags & IORING_LINK_TIMEOUT_UPDATE))
		opcode = IORING_OP_LINK_TIMEOUT;
	io_ring_lock(ctx, issue_flags);
	target = io_timeout_find(ctx, opcode, tr->user_data);
	if (!target)
		ret = -ENOENT;
	else if (tr->flags & IORING_TIMEOUT_UPDATE)
		ret = io_timeout_update(target, tr);
	else
		ret = io_timeout_cancel(target);
	if (target && !ret && !(tr->flags & IORING_TIMEOUT_UPDATE))
		target->flags |= REQ_F_CANCELLED;
	io_ring_unlock(ctx, issue_flags);
	return io_req_result(req, ret);
}
