// SPDX-License-Identifier: GPL-2.0
/*
 * The completion queue: posting CQEs, keeping them when the ring is full,
 * and waiting for them in io_uring_enter(IORING_ENTER_GETEVENTS).
 *
 * CQEs reach the application in the order they were posted. When the CQ
 * ring is full, new CQEs go to an overflow list (IORING_FEAT_NODROP) and
 * keep going there until the list has been flushed back into the ring, so
 * that a later CQE never overtakes an earlier one. Only a failed allocation
 * loses a CQE; that is counted in cq_overflow and reported as -EBADR.
 */
#include <linux/compat.h>
#include <linux/hrtimer.h>
#include <linux/io_uring.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "io_uring.h"
#include "eventfd.h"
#include <trace/events/io_uring.h>

struct io_overflow_cqe {
	struct list_head	list;
	struct io_uring_cqe	cqe;	/* followed by big_cqe[2] on CQE32 rings */
};

static bool io_cqe32(struct io_ring_ctx *ctx)
{
	return ctx->flags & IORING_SETUP_CQE32;
}

static struct io_uring_cqe *io_cqe_slot(struct io_ring_ctx *ctx, u32 tail)
{
	unsigned int idx = tail & (ctx->cq_entries - 1);

	return &ctx->rings->cqes[idx << io_cqe32(ctx)];
}

/*
 * Free slots in the CQ ring. The application may write any cq_head, and
 * change it while we look: a bad one only hurts itself, as long as each
 * decision reads it once and loops are bounded by what that read gave.
 */
static u32 io_cq_space(struct io_ring_ctx *ctx)
{
	u32 used = ctx->cached_cq_tail - READ_ONCE(ctx->rings->cq_head);

	return used >= ctx->cq_entries ? 0 : ctx->cq_entries - used;
}

static void io_cq_fill(struct io_ring_ctx *ctx, const struct io_uring_cqe *src)
{
	struct io_uring_cqe *cqe = io_cqe_slot(ctx, ctx->cached_cq_tail++);

	/* fixed-size copies: no call to memcpy() on the hot path */
	*cqe = *src;
	if (io_cqe32(ctx))
		cqe[1] = src[1];
}

/* Make filled CQEs visible: the CQE stores come before the tail store. */
static void io_cq_publish(struct io_ring_ctx *ctx)
{
	/* pairs with the application's acquire load of cq_tail */
	smp_store_release(&ctx->rings->cq_tail, ctx->cached_cq_tail);
}

/* CQEs posted so far that count towards io_cq_watch targets. */
static u32 io_cq_counted(struct io_ring_ctx *ctx)
{
	return ctx->cached_cq_tail - ctx->cq_uncounted;
}

/* Fire the watches whose target has been reached; they are in order. */
static void io_cq_watch_check(struct io_ring_ctx *ctx)
{
	u32 seen = io_cq_counted(ctx);
	struct io_cq_watch *w, *tmp;

	list_for_each_entry_safe(w, tmp, &ctx->cq_watch, node) {
		if ((s32)(seen - w->target) < 0)
			break;
		list_del_init(&w->node);
		w->fire(w);
	}
}

/**
 * io_cq_watch_add - call @watch->fire once @nr more counted CQEs are posted
 *
 * Targets are compared as distances from the current count, so the list
 * stays ordered across wrap-around.
 */
void io_cq_watch_add(struct io_ring_ctx *ctx, struct io_cq_watch *watch,
		     u32 nr)
{
	struct io_cq_watch *pos;
	u32 seen;

	spin_lock(&ctx->completion_lock);
	seen = io_cq_counted(ctx);
	watch->target = seen + nr;
	list_for_each_entry_reverse(pos, &ctx->cq_watch, node) {
		if (pos->target - seen <= nr)
			break;
	}
	list_add(&watch->node, &pos->node);
	spin_unlock(&ctx->completion_lock);
}

/* Forget @watch if it has not fired; it never fires after this returns. */
void io_cq_watch_del(struct io_ring_ctx *ctx, struct io_cq_watch *watch)
{
	spin_lock(&ctx->completion_lock);
	list_del_init(&watch->node);
	spin_unlock(&ctx->completion_lock);
}

/* Post a CQE that io_cq_watch targets do not count (a timeout's own). */
void io_cq_uncount_next(struct io_ring_ctx *ctx)
{
	spin_lock(&ctx->completion_lock);
	ctx->cq_uncounted++;
	spin_unlock(&ctx->completion_lock);
}

/*
 * Wake the pollers of the ring file (poll, epoll, a POLL_ADD on the ring).
 * The key says the wake-up comes from a CQE post, so that a multishot poll
 * on the ring, whose own CQE would wake it again, ends instead of looping.
 */
static void io_poll_wq_wake(struct io_ring_ctx *ctx)
{
	__wake_up(&ctx->poll_wq, TASK_NORMAL, 0,
		  poll_to_key(EPOLL_URING_WAKE | EPOLLIN));
}

static void io_cq_wake(struct io_ring_ctx *ctx)
{
	/*
	 * Orders the tail store before both waiter checks; pairs with the
	 * barrier of a waiter's prepare_to_wait() and of io_uring_poll().
	 */
	smp_mb();
	/* no waiter seen: it will see the new tail */
	if (waitqueue_active(&ctx->cq_wait))
		wake_up_all(&ctx->cq_wait);
	/* likewise for pollers of the ring */
	if (unlikely(waitqueue_active(&ctx->poll_wq)))
		io_poll_wq_wake(ctx);
}

static void io_poll_wq_wake_work(struct work_struct *work)
{
	struct io_ring_ctx *ctx = container_of(work, struct io_ring_ctx,
					       poll_wake_work);

	io_poll_wq_wake(ctx);
	/* may be the last reference: ctx is not touched after it */
	percpu_ref_put(&ctx->refs);
}

void io_poll_wq_init(struct io_ring_ctx *ctx)
{
	init_waitqueue_head(&ctx->poll_wq);
	INIT_WORK(&ctx->poll_wake_work, io_poll_wq_wake_work);
}

/**
 * io_poll_wq_wake_later - wake the ring's pollers from a clean context
 *
 * For callers that may run inside a wake-up of the ring's own poll queue
 * (a POLL_ADD on the ring queueing its task work), where waking it again
 * would take a lock they hold. The work holds a ring reference.
 */
void io_poll_wq_wake_later(struct io_ring_ctx *ctx)
{
	/* callers have a full barrier after their condition's store */
	if (!waitqueue_active(&ctx->poll_wq))
		return;
	/* a ring on its way out has nobody left to tell */
	if (!percpu_ref_tryget(&ctx->refs))
		return;
	if (!queue_work(system_unbound_wq, &ctx->poll_wake_work))
		percpu_ref_put(&ctx->refs);
}

static void io_cq_set_overflow(struct io_ring_ctx *ctx)
{
	if (!test_and_set_bit(IO_CHECK_CQ_OVERFLOW, &ctx->check_cq))
		atomic_or(IORING_SQ_CQ_OVERFLOW, &ctx->rings->sq_flags);
}

static void io_cq_clear_overflow(struct io_ring_ctx *ctx)
{
	clear_bit(IO_CHECK_CQ_OVERFLOW, &ctx->check_cq);
	atomic_andnot(IORING_SQ_CQ_OVERFLOW, &ctx->rings->sq_flags);
}

static void io_cq_overflow(struct io_ring_ctx *ctx,
			   const struct io_uring_cqe *cqe)
{
	size_t size = sizeof(struct io_overflow_cqe);
	struct io_overflow_cqe *ocqe;

	if (io_cqe32(ctx))
		size += sizeof(struct io_uring_cqe);
	ocqe = kmalloc(size, GFP_ATOMIC | __GFP_ACCOUNT | __GFP_NOWARN);
	if (!ocqe) {
		/* lost: tell the application through cq_overflow and -EBADR */
		WRITE_ONCE(ctx->rings->cq_overflow,
			   READ_ONCE(ctx->rings->cq_overflow) + 1);
		set_bit(IO_CHECK_CQ_DROPPED, &ctx->check_cq);
		return;
	}
	memcpy(&ocqe->cqe, cqe, sizeof(*cqe) << io_cqe32(ctx));
	list_add_tail(&ocqe->list, &ctx->cq_overflow_list);
	io_cq_set_overflow(ctx);
}

static void __io_cq_flush_overflow(struct io_ring_ctx *ctx)
{
	u32 room = io_cq_space(ctx);
	struct io_overflow_cqe *ocqe;

	lockdep_assert_held(&ctx->completion_lock);
	for (; room && !list_empty(&ctx->cq_overflow_list); room--) {
		ocqe = list_first_entry(&ctx->cq_overflow_list,
					struct io_overflow_cqe, list);
		io_cq_fill(ctx, &ocqe->cqe);
		list_del(&ocqe->list);
		kfree(ocqe);
	}
	if (list_empty(&ctx->cq_overflow_list))
		io_cq_clear_overflow(ctx);
}

/* Write a CQE into a slot known to be free. */
static __always_inline void io_cq_fill_fields(struct io_ring_ctx *ctx,
					      u64 user_data, s32 res,
					      u32 cflags, u64 extra1,
					      u64 extra2)
{
	struct io_uring_cqe *cqe = io_cqe_slot(ctx, ctx->cached_cq_tail++);

	cqe->user_data = user_data;
	cqe->res = res;
	cqe->flags = cflags;
	if (io_cqe32(ctx)) {
		cqe->big_cqe[0] = extra1;
		cqe->big_cqe[1] = extra2;
	}
}

/*
 * Write a CQE straight into the ring if it has room and nothing waits on
 * the overflow list (which must drain first, to keep the order).
 */
static __always_inline bool io_cq_try_fill(struct io_ring_ctx *ctx,
					   u64 user_data, s32 res, u32 cflags,
					   u64 extra1, u64 extra2)
{
	if (unlikely(test_bit(IO_CHECK_CQ_OVERFLOW, &ctx->check_cq) ||
		     !io_cq_space(ctx)))
		return false;
	io_cq_fill_fields(ctx, user_data, res, cflags, extra1, extra2);
	return true;
}

static noinline bool io_cq_add_overflow(struct io_ring_ctx *ctx,
					u64 user_data, s32 res, u32 cflags,
					u64 extra1, u64 extra2)
{
	struct {
		struct io_uring_cqe cqe;
		u64 extra[2];
	} c = {
		.cqe = { .user_data = user_data, .res = res, .flags = cflags },
		.extra = { extra1, extra2 },
	};

	io_cq_overflow(ctx, &c.cqe);
	return !test_bit(IO_CHECK_CQ_DROPPED, &ctx->check_cq);
}

/* Add one CQE; returns false if it had to be dropped for lack of memory. */
static bool io_cq_add(struct io_ring_ctx *ctx, u64 user_data, s32 res,
		      u32 cflags, u64 extra1, u64 extra2)
{
	lockdep_assert_held(&ctx->completion_lock);
	trace_io_uring_complete(ctx, user_data, res, cflags);
	if (likely(io_cq_try_fill(ctx, user_data, res, cflags, extra1, extra2)))
		return true;
	return io_cq_add_overflow(ctx, user_data, res, cflags, extra1, extra2);
}

/* Room in the CQ ring; none while older CQEs wait on the overflow list. */
static u32 io_cq_room(struct io_ring_ctx *ctx)
{
	if (test_bit(IO_CHECK_CQ_OVERFLOW, &ctx->check_cq))
		return 0;
	return io_cq_space(ctx);
}

/*
 * Add the CQEs of requests linked through batch_next, as io_cq_add()
 * would one by one, with the ring's geometry read once for the batch.
 * Returns how many requests the list holds, posting or not.
 */
static __always_inline unsigned int io_cq_add_reqs(struct io_ring_ctx *ctx,
						   struct io_kiocb *req)
{
	struct io_uring_cqe *cqes = ctx->rings->cqes;
	unsigned int mask = ctx->cq_entries - 1, shift = io_cqe32(ctx);
	u32 room = io_cq_room(ctx), tail = ctx->cached_cq_tail;
	unsigned int nr = 0;

	lockdep_assert_held(&ctx->completion_lock);
	for (; req; req = req->batch_next) {
		struct io_cqe *c = &req->cqe;
		struct io_uring_cqe *cqe;

		nr++;
		if (!io_req_posts_cqe(req))
			continue;
		trace_io_uring_complete(ctx, c->user_data, c->res, c->flags);
		if (unlikely(!room)) {
			/* from here on, in order, behind the overflow list */
			io_cq_add_overflow(ctx, c->user_data, c->res, c->flags,
					   req->big_cqe[0], req->big_cqe[1]);
			continue;
		}
		room--;
		cqe = &cqes[(tail++ & mask) << shift];
		cqe->user_data = c->user_data;
		cqe->res = c->res;
		cqe->flags = c->flags;
		if (shift) {
			cqe->big_cqe[0] = req->big_cqe[0];
			cqe->big_cqe[1] = req->big_cqe[1];
		}
	}
	ctx->cached_cq_tail = tail;
	return nr;
}

/* Make the added CQEs visible, once, and wake whoever waits for them. */
static __always_inline void __io_cq_unlock_post(struct io_ring_ctx *ctx)
{
	if (unlikely(!list_empty(&ctx->cq_watch)))
		io_cq_watch_check(ctx);
	io_cq_publish(ctx);
	spin_unlock(&ctx->completion_lock);
	io_cq_wake(ctx);
	/*
	 * While the submitter batches, it signals once for everyone at the
	 * end; but a worker signals for itself, as an eventfd registered
	 * with IORING_REGISTER_EVENTFD_ASYNC hears only from workers (the
	 * flag also covers the SQ thread, whose extra signal is deduped).
	 */
	if (!READ_ONCE(ctx->cq_batching) || (current->flags & PF_IO_WORKER))
		io_eventfd_signal(ctx);
}

/**
 * io_cq_post_reqs - post the CQEs of requests linked through batch_next
 *
 * The requests count as finished for IOSQE_IO_DRAIN. Returns true if
 * drained requests wait: the caller must then kick the drain list.
 */
bool io_cq_post_reqs(struct io_ring_ctx *ctx, struct io_kiocb *req)
{
	bool drain;

	spin_lock(&ctx->completion_lock);
	ctx->nr_finished += io_cq_add_reqs(ctx, req);
	/* see io_drain_hold() for why this is read under the lock */
	drain = ctx->drain_active;
	__io_cq_unlock_post(ctx);
	return drain;
}

/**
 * io_post_cqe - post one CQE
 * @ctx: the ring
 * @user_data, @res, @cflags: the CQE's fields
 * @extra1, @extra2: big_cqe[] on IORING_SETUP_CQE32 rings, ignored otherwise
 *
 * Return: false if the CQE had to be dropped for lack of memory.
 */
bool io_post_cqe(struct io_ring_ctx *ctx, u64 user_data, s32 res, u32 cflags,
		 u64 extra1, u64 extra2)
{
	bool posted;

	spin_lock(&ctx->completion_lock);
	posted = io_cq_add(ctx, user_data, res, cflags, extra1, extra2);
	__io_cq_unlock_post(ctx);
	return posted;
}

/**
 * io_post_cqe_more - post a CQE of a multishot request that goes on
 * @counted: false for a CQE that io_cq_watch targets must not count
 *
 * One rule for every multishot request: a CQE with IORING_CQE_F_MORE is
 * posted only if it fits in the CQ ring now. Otherwise nothing is posted
 * and the caller ends the request with a final CQE, which may overflow;
 * so the overflow list holds at most one CQE per multishot request.
 *
 * Return: true if the CQE was posted.
 */
bool io_post_cqe_more(struct io_ring_ctx *ctx, u64 user_data, s32 res,
		      u32 cflags, bool counted)
{
	bool posted;

	spin_lock(&ctx->completion_lock);
	/* the room seen is the room used: cq_head is not read again */
	posted = io_cq_room(ctx);
	if (posted) {
		if (!counted)
			ctx->cq_uncounted++;
		cflags |= IORING_CQE_F_MORE;
		trace_io_uring_complete(ctx, user_data, res, cflags);
		io_cq_fill_fields(ctx, user_data, res, cflags, 0, 0);
	}
	__io_cq_unlock_post(ctx);
	return posted;
}

void io_cq_flush_overflow(struct io_ring_ctx *ctx)
{
	if (!test_bit(IO_CHECK_CQ_OVERFLOW, &ctx->check_cq))
		return;
	spin_lock(&ctx->completion_lock);
	__io_cq_flush_overflow(ctx);
	if (unlikely(!list_empty(&ctx->cq_watch)))
		io_cq_watch_check(ctx);
	io_cq_publish(ctx);
	spin_unlock(&ctx->completion_lock);
	io_cq_wake(ctx);
	io_eventfd_signal(ctx);
}

/* A CQE another ring sent to a DEFER_TASKRUN ring, until its task waits. */
struct io_deferred_cqe {
	struct llist_node	node;
	u64			user_data;
	s32			res;
	u32			flags;
};

/**
 * io_post_cqe_remote - post a CQE on behalf of another ring (MSG_RING)
 *
 * A DEFER_TASKRUN ring sees completions only when its task waits for
 * them, so the CQE is kept until then; other rings get it at once.
 */
void io_post_cqe_remote(struct io_ring_ctx *ctx, u64 user_data, s32 res,
			u32 cflags)
{
	struct io_deferred_cqe *d = NULL;

	if (ctx->flags & IORING_SETUP_DEFER_TASKRUN)
		d = kmalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d) {
		io_post_cqe(ctx, user_data, res, cflags, 0, 0);
		return;
	}
	d->user_data = user_data;
	d->res = res;
	d->flags = cflags;
	llist_add(&d->node, &ctx->deferred_cqes);
	wake_up_all(&ctx->cq_wait);
	/* a CQE to come makes the ring file readable */
	io_poll_wq_wake_later(ctx);
}

/* The ring's task waits: post what other rings sent, in order. */
noinline void io_cq_post_deferred(struct io_ring_ctx *ctx)
{
	struct io_deferred_cqe *d, *tmp;
	struct llist_node *node;

	if (llist_empty(&ctx->deferred_cqes))
		return;
	node = llist_reverse_order(llist_del_all(&ctx->deferred_cqes));
	llist_for_each_entry_safe(d, tmp, node, node) {
		io_post_cqe(ctx, d->user_data, d->res, d->flags, 0, 0);
		kfree(d);
	}
}

/*
 * Ring teardown: nobody will read these any more. The rings themselves
 * may not exist (setup failed), so only the lists are touched.
 */
void io_cq_drop_overflow(struct io_ring_ctx *ctx)
{
	struct llist_node *node = llist_del_all(&ctx->deferred_cqes);
	struct io_overflow_cqe *ocqe, *tmp;
	struct io_deferred_cqe *d, *dtmp;

	/* each list is as long as the application made it */
	llist_for_each_entry_safe(d, dtmp, node, node) {
		kfree(d);
		cond_resched();
	}

	list_for_each_entry_safe(ocqe, tmp, &ctx->cq_overflow_list, list) {
		list_del(&ocqe->list);
		kfree(ocqe);
		cond_resched();
	}
}

/* CQEs the application has not consumed yet, as it sees them. */
unsigned int io_cq_ready(struct io_ring_ctx *ctx)
{
	return READ_ONCE(ctx->rings->cq_tail) - READ_ONCE(ctx->rings->cq_head);
}

/* The wait's arguments, from a sigset pointer or io_uring_getevents_arg. */
struct io_wait_args {
	const sigset_t __user		*sig;
	size_t				sigsz;
	struct __kernel_timespec __user	*ts;
	ktime_t				min_wait;
};

static int io_get_wait_args(u32 flags, const void __user *argp, size_t argsz,
			    struct io_wait_args *wa)
{
	struct io_uring_getevents_arg arg;

	memset(wa, 0, sizeof(*wa));
	if (!(flags & IORING_ENTER_EXT_ARG)) {
		wa->sig = argp;
		wa->sigsz = argsz;
		return 0;
	}
	if (argsz != sizeof(arg))
		return -EINVAL;
	if (copy_from_user(&arg, argp, sizeof(arg)))
		return -EFAULT;
	wa->sig = u64_to_user_ptr(arg.sigmask);
	wa->sigsz = arg.sigmask_sz;
	wa->ts = u64_to_user_ptr(arg.ts);
	wa->min_wait = (ktime_t)arg.min_wait_usec * NSEC_PER_USEC;
	return 0;
}

/* Wait arguments that are not used, but must still be readable (IOPOLL). */
int io_cq_check_ext_arg(u32 flags, const void __user *argp, size_t argsz)
{
	struct io_wait_args wa;

	return io_get_wait_args(flags, argp, argsz, &wa);
}

static int io_set_sigmask(const struct io_wait_args *wa)
{
#ifdef CONFIG_COMPAT
	if (in_compat_syscall())
		return set_compat_user_sigmask((const compat_sigset_t __user *)wa->sig,
					       wa->sigsz);
#endif
	return set_user_sigmask(wa->sig, wa->sigsz);
}

/* State of one waiter in io_cq_wait(). */
struct io_waiter {
	struct io_ring_ctx	*ctx;
	unsigned int		want;		/* CQEs that satisfy the wait */
	ktime_t			min_deadline;	/* end of min_wait, or 0 */
	ktime_t			deadline;	/* KTIME_MAX: no timeout */
	clockid_t		clockid;	/* of both deadlines */
	bool			min_expired;	/* min_wait is over */
	u32			timeouts;	/* ctx->cq_uncounted at the start */
};

static bool io_waiter_done(struct io_waiter *w)
{
	struct io_ring_ctx *ctx = w->ctx;

	if (io_cq_ready(ctx) >= w->want)
		return true;
	/* a TIMEOUT that ended ends the wait, however few CQEs there are */
	if (READ_ONCE(ctx->cq_uncounted) != w->timeouts)
		return true;
	/* past min_wait, any CQE ready is enough */
	return w->min_expired && io_cq_ready(ctx);
}

/*
 * Sleep once. Returns 0 after a wakeup, -ETIME when the deadline passed,
 * and ends the min_wait phase (returning 0) when its deadline passed.
 */
static int io_waiter_sleep(struct io_waiter *w)
{
	ktime_t until = w->min_deadline ? w->min_deadline : w->deadline;

	if (until == KTIME_MAX) {
		schedule();
		return 0;
	}
	if (schedule_hrtimeout_range_clock(&until, 0, HRTIMER_MODE_ABS,
					   w->clockid))
		return 0;
	if (w->min_deadline) {
		w->min_deadline = 0;
		w->min_expired = true;
		return 0;
	}
	return -ETIME;
}

static int io_waiter_init(struct io_waiter *w, struct io_ring_ctx *ctx,
			  unsigned int min_events, u32 flags,
			  const struct io_wait_args *wa)
{
	ktime_t now;
	struct timespec64 ts;

	w->clockid = READ_ONCE(ctx->clockid);
	now = w->clockid == CLOCK_BOOTTIME ? ktime_get_boottime() : ktime_get();
	w->ctx = ctx;
	w->want = min_events;
	w->timeouts = READ_ONCE(ctx->cq_uncounted);
	w->deadline = KTIME_MAX;
	w->min_deadline = 0;
	if (wa->ts) {
		if (get_timespec64(&ts, wa->ts))
			return -EFAULT;
		w->deadline = timespec64_to_ktime(ts);
		if (!(flags & IORING_ENTER_ABS_TIMER))
			w->deadline = ktime_add_safe(w->deadline, now);
	}
	w->min_expired = false;
	if (wa->min_wait) {
		w->min_deadline = ktime_add_safe(now, wa->min_wait);
		/*
		 * min_wait runs first: one past the timeout, or without
		 * one, is the timeout.
		 */
		if (w->deadline == KTIME_MAX ||
		    ktime_compare(w->min_deadline, w->deadline) >= 0) {
			w->deadline = w->min_deadline;
			w->min_deadline = 0;
		}
	}
	return 0;
}

static int io_cq_wait_loop(struct io_waiter *w)
{
	struct io_ring_ctx *ctx = w->ctx;
	DEFINE_WAIT(wait);
	int ret = 0;

	do {
		prepare_to_wait(&ctx->cq_wait, &wait, TASK_INTERRUPTIBLE);
		if (test_bit(IO_CHECK_CQ_OVERFLOW, &ctx->check_cq)) {
			io_cq_flush_overflow(ctx);
			/* still no room: only the application can make some */
			if (test_bit(IO_CHECK_CQ_OVERFLOW, &ctx->check_cq)) {
				ret = 0;
				break;
			}
		}
		if (io_waiter_done(w)) {
			ret = 0;
			break;
		}
		/* completions queued to us as task work post CQEs here */
		if (io_run_task_work() || io_run_local_tw(ctx, false) ||
		    !llist_empty(&ctx->deferred_cqes)) {
			io_cq_post_deferred(ctx);
			/* task work that keeps coming must not hide a signal */
			if (!task_sigpending(current))
				continue;
		}
		if (test_bit(IO_CHECK_CQ_DROPPED, &ctx->check_cq)) {
			ret = -EBADR;
			break;
		}
		if (task_sigpending(current)) {
			ret = -EINTR;
			break;
		}
		ret = io_waiter_sleep(w);
	} while (!ret);
	finish_wait(&ctx->cq_wait, &wait);
	return ret;
}

/* Post what is owed to the CQ before looking at it: task work, overflow. */
static __always_inline void io_cq_catch_up(struct io_ring_ctx *ctx)
{
	io_run_task_work();
	/* the checks inline, the work out of line */
	if (!llist_empty(&ctx->local_tw))
		io_run_local_tw(ctx, false);
	if (!llist_empty(&ctx->deferred_cqes))
		io_cq_post_deferred(ctx);
	if (test_bit(IO_CHECK_CQ_OVERFLOW, &ctx->check_cq))
		io_cq_flush_overflow(ctx);
}

static noinline int io_cq_wait_for(struct io_ring_ctx *ctx,
				   unsigned int min_events, u32 flags,
				   const void __user *argp, size_t argsz)
{
	struct io_wait_args wa;
	struct io_waiter w;
	int ret;

	ret = io_get_wait_args(flags, argp, argsz, &wa);
	if (ret)
		return ret;
	if (!io_may_run_local_tw(ctx))
		return -EEXIST;
	min_events = min(min_events, ctx->cq_entries);

	io_cq_catch_up(ctx);
	if (io_cq_ready(ctx) >= min_events)
		return 0;

	ret = io_waiter_init(&w, ctx, min_events, flags, &wa);
	if (ret)
		return ret;
	if (wa.sig) {
		ret = io_set_sigmask(&wa);
		if (ret)
			return ret;
	}
	ret = io_cq_wait_loop(&w);
	restore_saved_sigmask_unless(ret == -EINTR);

	if (ret == -EBADR)
		clear_bit(IO_CHECK_CQ_DROPPED, &ctx->check_cq);
	else if (ret && io_cq_ready(ctx))
		ret = 0;
	return ret;
}

/**
 * io_cq_wait - wait until @min_events CQEs are ready to be reaped
 *
 * Honours the sigmask, timeout, min_wait_usec and IORING_ENTER_ABS_TIMER
 * that come with IORING_ENTER_EXT_ARG. A wait that ends early, by timeout
 * or signal, still reports success if any CQE is ready.
 */
int io_cq_wait(struct io_ring_ctx *ctx, unsigned int min_events, u32 flags,
	       const void __user *argp, size_t argsz)
{
	/*
	 * Often the CQEs are there already. Without EXT_ARG there is no
	 * argument to check first, so look before setting up a wait.
	 */
	if (!(flags & IORING_ENTER_EXT_ARG) && io_may_run_local_tw(ctx)) {
		io_cq_catch_up(ctx);
		if (io_cq_ready(ctx) >= min(min_events, ctx->cq_entries))
			return 0;
	}
	return io_cq_wait_for(ctx, min_events, flags, argp, argsz);
}
