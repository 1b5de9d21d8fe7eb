// SPDX-License-Identifier: GPL-2.0
/*
 * Futexes: IORING_OP_FUTEX_WAIT, _FUTEX_WAKE and _FUTEX_WAITV.
 *
 * A waiting request puts one futex_q per futex word on the futex hash,
 * like a task in futex(2) or futex_waitv(2) would, so the two kinds of
 * waiter wake each other. Instead of a task, the queue entry names a wake
 * handler, which runs under the hash bucket lock of whoever wakes it.
 *
 * The request is parked meanwhile. A wake-up and a cancel settle who owns
 * it through req->wakes: a wake-up takes it before it marks its futex_q
 * woken, and a cancel takes it only while nobody has, so a waiter that
 * was woken always reports being woken. The owner completes it in task
 * work, where it first takes every futex_q off the hash; a waker that
 * lost the race still holds the bucket lock while it touches the entry,
 * and futex_unqueue() takes that lock, so nobody touches freed memory.
 */
#include <linux/io_uring.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "../kernel/futex/futex.h"
#include "io_uring.h"
#include "futex.h"

/* IORING_OP_FUTEX_WAIT, _WAKE and _WAITV */
struct io_futex {
	struct file		*file;
	u32 __user		*uaddr;
	/* the expected value (WAIT) or how many to wake (WAKE) */
	u64			val;
	u32			mask;		/* bitset: which wake-ups match */
	unsigned int		flags;		/* FLAGS_*, from FUTEX2_* */
	unsigned int		nr;		/* WAITV: entries */
};

static void io_futex_tw(struct io_kiocb *req, unsigned int issue_flags);

/*
 * Only a waiter that no wake-up has reached yet can be stopped; one that
 * was woken is completing, and 6.12 does not find it then (-ENOENT).
 * A single cancel reports 1, the number found, as 6.12 does.
 */
static int io_futex_cancel(struct io_kiocb *req)
{
	/*
	 * A lone waiter leaves the hash first: a FUTEX_WAKE that came after
	 * its cancel would otherwise count it, and wake one waiter fewer.
	 * If a wake-up took it off already, that wake-up completes it.
	 */
	if (req->opcode == IORING_OP_FUTEX_WAIT && !futex_unqueue(req->async_data))
		return -ENOENT;
	if (atomic64_cmpxchg(&req->wakes, 0, IO_WAKE_CANCEL | 1) != 0)
		return -ENOENT;
	io_req_queue_tw(req, io_futex_tw);
	return IO_CANCEL_BATCHED;
}

/*
 * A worker issued the request, and a cancel found it running there and
 * asked it to stop before it could find it parked: stop now.
 */
static void io_futex_worker_cancelled(struct io_kiocb *req,
				      unsigned int issue_flags)
{
	if ((issue_flags & IO_URING_F_IOWQ) &&
	    (READ_ONCE(req->work.flags) & IO_WQ_WORK_CANCEL))
		io_futex_cancel(req);
}

/* Runs under the bucket lock of the futex that was woken. */
static void io_futex_wake_fn(struct wake_q_head *wake_q, struct futex_q *q)
{
	struct io_kiocb *req = q->wake_data;
	bool owner = io_wake_claim(req);

	/*
	 * Once q->lock_ptr is cleared, the owner may free the request
	 * without taking our lock: we touch it again only if we own it.
	 */
	__futex_wake_mark(q);
	if (owner)
		io_req_queue_tw(req, io_futex_tw);
}

/* A failed wait: a value that differs is reported, never retried. */
static int io_futex_wait_failed(struct io_kiocb *req, int err)
{
	if (err == -EWOULDBLOCK)
		err = -EAGAIN;
	io_req_set_fail(req);
	io_req_set_res(req, err, 0);
	return IOU_DONE;
}

int io_futex_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_futex *f = io_kiocb_to_cmd(req, struct io_futex);
	u32 flags2;
	u64 mask;

	if (READ_ONCE(sqe->len) || READ_ONCE(sqe->futex_flags) ||
	    READ_ONCE(sqe->buf_index) || READ_ONCE(sqe->file_index))
		return -EINVAL;
	/* sqe->fd carries the FUTEX2_* flags */
	flags2 = READ_ONCE(sqe->fd);
	if (flags2 & ~FUTEX2_VALID_MASK)
		return -EINVAL;
	f->flags = futex2_to_flags(flags2);
	if (!futex_flags_valid(f->flags))
		return -EINVAL;
	f->uaddr = u64_to_user_ptr(READ_ONCE(sqe->addr));
	f->val = READ_ONCE(sqe->addr2);
	mask = READ_ONCE(sqe->addr3);
	if (!futex_validate_input(f->flags, f->val) ||
	    !futex_validate_input(f->flags, mask))
		return -EINVAL;
	f->mask = mask;
	return 0;
}

int io_futex_wait(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_futex *f = io_kiocb_to_cmd(req, struct io_futex);
	struct io_ring_ctx *ctx = req->ctx;
	struct futex_hash_bucket *hb;
	struct futex_q *q;
	int ret;

	/* an empty mask matches no wake-up: refused at issue, as in 6.12 */
	if (!f->mask)
		return -EINVAL;
	q = req->async_data;
	if (!q) {
		q = kmalloc(sizeof(*q), GFP_KERNEL_ACCOUNT);
		if (!q)
			return -ENOMEM;
		req->async_data = q;
		req->flags |= REQ_F_ASYNC_DATA;
	}
	*q = futex_q_init;
	q->bitset = f->mask;
	q->wake = io_futex_wake_fn;
	q->wake_data = req;

	io_ring_lock(ctx, issue_flags);
	/* the task work needs uring_lock: it cannot run before we park */
	atomic64_set(&req->wakes, 0);
	ret = futex_wait_setup(f->uaddr, f->val, f->flags, q, &hb);
	if (ret) {
		io_ring_unlock(ctx, issue_flags);
		return io_futex_wait_failed(req, ret);
	}
	futex_queue(q, hb, NULL);
	io_req_park(req, io_futex_cancel);
	io_futex_worker_cancelled(req, issue_flags);
	io_ring_unlock(ctx, issue_flags);
	return IOU_QUEUED;
}

int io_futex_wake(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_futex *f = io_kiocb_to_cmd(req, struct io_futex);
	int ret;

	/* strict: a count of zero wakes nobody (rather than one) */
	ret = futex_wake(f->uaddr, f->flags | FLAGS_STRICT, f->val, f->mask);
	return io_req_result(req, ret);
}

int io_futexv_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_futex *f = io_kiocb_to_cmd(req, struct io_futex);
	struct futex_waitv __user *uwaitv;
	struct futex_vector *vs;

	/* every entry carries its own flags and value; no mask */
	if (READ_ONCE(sqe->fd) || READ_ONCE(sqe->buf_index) ||
	    READ_ONCE(sqe->file_index) || READ_ONCE(sqe->addr2) ||
	    READ_ONCE(sqe->futex_flags) || READ_ONCE(sqe->addr3))
		return -EINVAL;
	f->nr = READ_ONCE(sqe->len);
	if (!f->nr || f->nr > FUTEX_WAITV_MAX)
		return -EINVAL;
	uwaitv = u64_to_user_ptr(READ_ONCE(sqe->addr));

	vs = kcalloc(f->nr, sizeof(*vs), GFP_KERNEL_ACCOUNT);
	if (!vs)
		return -ENOMEM;
	/* freed with the request, even if the array turns out bad */
	req->async_data = vs;
	req->flags |= REQ_F_ASYNC_DATA;
	return futex_parse_waitv(vs, uwaitv, f->nr, io_futex_wake_fn, req);
}

/*
 * Put every futex of the vector on the hash, with uring_lock held.
 * Returns 0 once all wait, or, with all off the hash again, a positive
 * value (*woken: the futex that was woken or differed) or an errno.
 */
static int io_futexv_queue(struct io_kiocb *req, int *woken)
{
	struct io_futex *f = io_kiocb_to_cmd(req, struct io_futex);
	int ret;

	/*
	 * We own the request while we queue: a futex woken meanwhile only
	 * counts, and we find out when we let go, since completing it inline
	 * after a wake-up queued its task work would complete it twice.
	 */
	atomic64_set(&req->wakes, 1);
	*woken = -1;
	ret = futex_wait_multiple_setup(req->async_data, f->nr, woken);
	/* it readies current for sleeping, which we do not do */
	__set_current_state(TASK_RUNNING);
	return ret;
}

/* All futexes wait: park, and let go of the request. */
static void io_futexv_park(struct io_kiocb *req, unsigned int issue_flags)
{
	io_req_park(req, io_futex_cancel);
	if (io_wake_release(req, 1))
		io_req_queue_tw(req, io_futex_tw);
	else
		io_futex_worker_cancelled(req, issue_flags);
}

int io_futexv_wait(struct io_kiocb *req, unsigned int issue_flags)
{
	int ret, woken;

	io_ring_lock(req->ctx, issue_flags);
	ret = io_futexv_queue(req, &woken);
	if (!ret)
		io_futexv_park(req, issue_flags);
	io_ring_unlock(req->ctx, issue_flags);
	if (!ret)
		return IOU_QUEUED;
	if (ret < 0)
		return io_futex_wait_failed(req, ret);
	io_req_set_res(req, woken, 0);
	return IOU_DONE;
}

/*
 * The owner: take every futex_q off the hash (a woken one is off
 * already) and complete. The index WAITV reports is that of a woken
 * futex, the last one if several were.
 */
static void io_futex_tw(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_futex *f = io_kiocb_to_cmd(req, struct io_futex);
	struct io_ring_ctx *ctx = req->ctx;
	s64 seen;
	int res;

	mutex_lock(&ctx->uring_lock);
	seen = atomic64_read(&req->wakes);
	res = 0;
	if (req->opcode == IORING_OP_FUTEX_WAITV)
		res = futex_unqueue_multiple(req->async_data, f->nr);
	else if (!(seen & IO_WAKE_CANCEL))
		futex_unqueue(req->async_data);	/* the cancel did it */
	io_req_unpark(req);
	/*
	 * Nothing here needs the submitter, so a wake-up that reaches an
	 * exiting task (IO_URING_F_TASK_DEAD) is still reported as such:
	 * the futex_wake() that caused it counted this waiter.
	 */
	if ((seen & IO_WAKE_CANCEL) || WARN_ON_ONCE(res < 0)) {
		io_req_fail(req, -ECANCELED);
	} else {
		io_req_set_res(req, res, 0);
		io_req_complete(req);
	}
	mutex_unlock(&ctx->uring_lock);
}
