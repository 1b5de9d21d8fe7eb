// SPDX-License-Identifier: GPL-2.0
/*
 * Waiting for a file to become ready: IORING_OP_POLL_ADD and _REMOVE,
 * and fast poll (IORING_FEAT_FAST_POLL), which retries a request that
 * would block once its file is ready, instead of tying up a worker.
 *
 * A waiting request sits on up to two of the file's wait queues and is
 * parked on ctx->parked. Wake-ups come in any context; the first takes
 * ownership of the request (io_wake_claim()) and queues io_poll_tw() to
 * the submitter, which looks at the file and decides. Only the owner may
 * take the request off the wait queues, complete it or arm it again.
 *
 * A wait queue that is freed while we are on it (POLLFREE: signalfd,
 * binder) is left by the wake-up itself, which clears the entry's head.
 * Such heads are freed only after an RCU grace period, so the owner
 * reads the head and takes its lock under rcu_read_lock().
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/swab.h>
#include <uapi/linux/eventpoll.h>

#include "io_uring.h"
#include "opdef.h"
#include "poll.h"

/* Events a poll always reports, asked for or not. */
#define IO_POLL_ALWAYS	(EPOLLERR | EPOLLHUP | EPOLLNVAL | EPOLLRDHUP)
/* Bits of io_poll_wait.events that are modes, not events. */
#define IO_POLL_MODES	(EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
/* What POLL_REMOVE can update; IORING_POLL_ADD_MULTI only qualifies it. */
#define IO_POLL_UPDATES	(IORING_POLL_UPDATE_EVENTS | IORING_POLL_UPDATE_USER_DATA)

struct io_poll_entry {
	wait_queue_head_t	*head;		/* NULL once left */
	struct wait_queue_entry	wait;
};

struct io_poll_wait {
	struct io_kiocb		*req;
	__poll_t		events;		/* wanted, plus IO_POLL_MODES */
	__poll_t		woken;		/* the claiming wake-up's mask */
	bool			retry;		/* fast poll: issue again */
	/* a ring's CQE post woke a multishot poll: it ends, see io_poll_wake() */
	bool			uring_woken;
	int			nr;		/* entries in use */
	int			error;
	struct io_poll_entry	entry[2];
};

struct io_poll_table {
	poll_table		pt;
	struct io_poll_wait	*pw;
};

/* IORING_OP_POLL_ADD */
struct io_poll_add {
	struct file		*file;
	__poll_t		events;
};

/* IORING_OP_POLL_REMOVE, which may also update the poll it finds */
struct io_poll_update {
	struct file		*file;
	u64			target;		/* the poll's user_data */
	u64			user_data;	/* its new one */
	__poll_t		events;		/* its new events */
	u32			mode;		/* IO_POLL_UPDATES bits */
};

static void io_poll_tw(struct io_kiocb *req, unsigned int issue_flags);

static int io_poll_wake(struct wait_queue_entry *wait, unsigned int mode,
			int sync, void *key)
{
	struct io_poll_entry *e = container_of(wait, struct io_poll_entry, wait);
	struct io_poll_wait *pw = wait->private;
	struct io_kiocb *req = pw->req;
	__poll_t mask = key_to_poll(key);

	if (unlikely(mask & POLLFREE)) {
		if (io_wake_claim_cancel(req))
			io_req_queue_tw(req, io_poll_tw);
		/*
		 * The owner cannot free the request before it takes the
		 * queue's lock, which we hold, or sees the head cleared,
		 * which is our last touch.
		 */
		list_del_init(&wait->entry);
		/* pairs with the acquire in io_poll_leave_all() */
		smp_store_release(&e->head, NULL);
		return 1;
	}
	if (mask && !(mask & pw->events))
		return 0;
	/*
	 * A multishot poll on a ring (or on something a ring wakes, such
	 * as its eventfd or an epoll set holding it) would post a CQE that
	 * wakes it again: it posts its last CQE instead. Set before the
	 * claim, whose atomic publishes it to the owner.
	 */
	if (mask & EPOLL_URING_WAKE)
		WRITE_ONCE(pw->uring_woken, true);
	if (io_wake_claim(req)) {
		/* what woke us is the answer (see io_poll_tw()) */
		pw->woken = mask;
		io_req_queue_tw(req, io_poll_tw);
	}
	return 1;
}

static void io_poll_queue_proc(struct file *file, wait_queue_head_t *head,
			       poll_table *pt)
{
	struct io_poll_wait *pw = container_of(pt, struct io_poll_table, pt)->pw;
	struct io_poll_entry *e;

	/* an exclusive waiter must be one waiter */
	if (pw->nr == ARRAY_SIZE(pw->entry) ||
	    (pw->nr && (pw->events & EPOLLEXCLUSIVE))) {
		pw->error = -EINVAL;
		return;
	}
	e = &pw->entry[pw->nr++];
	e->head = head;
	init_waitqueue_func_entry(&e->wait, io_poll_wake);
	e->wait.private = pw;
	if (pw->events & EPOLLEXCLUSIVE)
		add_wait_queue_exclusive(head, &e->wait);
	else
		add_wait_queue(head, &e->wait);
}

/* Leave every wait queue; no wake-up reaches the request afterwards. */
static void io_poll_leave_all(struct io_poll_wait *pw)
{
	int i;

	rcu_read_lock();
	for (i = 0; i < pw->nr; i++) {
		struct io_poll_entry *e = &pw->entry[i];
		/* pairs with the release in io_poll_wake() */
		wait_queue_head_t *head = smp_load_acquire(&e->head);

		if (!head)
			continue;
		spin_lock_irq(&head->lock);
		list_del_init(&e->wait.entry);
		e->head = NULL;
		spin_unlock_irq(&head->lock);
	}
	rcu_read_unlock();
	pw->nr = 0;
}

/* The owner is done waiting: off the queues and the parked list. */
static void io_poll_finish(struct io_kiocb *req)
{
	io_poll_leave_all(req->poll);
	io_req_unpark(req);
}

static int io_poll_cancel(struct io_kiocb *req)
{
	if (io_wake_claim_cancel(req))
		io_req_queue_tw(req, io_poll_tw);
	return 0;
}

/*
 * Start waiting, with ctx->uring_lock held. Returns the ready mask of a
 * one-shot wait whose file is ready now (it waits nowhere then), 0 once
 * it waits, parked, or a negative errno.
 */
static int io_poll_arm(struct io_kiocb *req)
{
	struct io_poll_wait *pw = req->poll;
	struct io_poll_table ipt = { .pw = pw };
	__poll_t mask;

	lockdep_assert_held(&req->ctx->uring_lock);
	pw->req = req;
	pw->nr = 0;
	pw->error = 0;
	pw->woken = 0;
	pw->uring_woken = false;
	/* we own it while we arm: wake-ups only count */
	atomic64_set(&req->wakes, 1);
	init_poll_funcptr(&ipt.pt, io_poll_queue_proc);
	ipt.pt._key = pw->events;
	mask = vfs_poll(req->file, &ipt.pt) & pw->events;
	if (unlikely(pw->error) || (mask && (pw->events & EPOLLONESHOT))) {
		io_poll_leave_all(pw);
		return pw->error ?: (int)mask;
	}
	io_req_park(req, io_poll_cancel);
	/* ready now (multishot), or woken while we armed: look again */
	if (mask || io_wake_release(req, 1))
		io_req_queue_tw(req, io_poll_tw);
	return 0;
}

static void io_poll_complete(struct io_kiocb *req, __poll_t mask)
{
	io_poll_finish(req);
	io_req_set_res(req, mangle_poll(mask), 0);
	io_req_complete(req);
}

/* The file is ready with @mask. Returns true if the wait is over. */
static bool io_poll_ready(struct io_kiocb *req, __poll_t mask)
{
	struct io_poll_wait *pw = req->poll;

	if (pw->retry) {
		io_poll_finish(req);
		io_req_run(req);
		return true;
	}
	if (pw->events & EPOLLONESHOT) {
		io_poll_complete(req, mask);
		return true;
	}
	/* multishot: a CQE per look, while it fits in the CQ ring */
	if (!READ_ONCE(pw->uring_woken) &&
	    io_post_cqe_more(req->ctx, req->cqe.user_data, mangle_poll(mask),
			     0, true))
		return false;
	io_poll_complete(req, mask);
	return true;
}

/* The owner looks at the file, for every wake-up it has been sent. */
static void io_poll_tw(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_ring_ctx *ctx = req->ctx;
	__poll_t mask;
	s64 seen;

	mutex_lock(&ctx->uring_lock);
	do {
		seen = atomic64_read(&req->wakes);
		if ((seen & IO_WAKE_CANCEL) ||
		    (issue_flags & IO_URING_F_TASK_DEAD)) {
			io_poll_finish(req);
			io_req_fail(req, -ECANCELED);
			break;
		}
		/*
		 * The claiming wake-up's key is the answer, as in 6.12,
		 * even if more followed: by now the event may be gone (a
		 * ring's CQE reaped), but it happened. Without a key, or
		 * on a later look, ask the file.
		 */
		mask = req->poll->woken;
		req->poll->woken = 0;
		if (!mask)
			mask = vfs_poll(req->file, NULL);
		mask &= req->poll->events;
		if (mask && io_poll_ready(req, mask))
			break;
	} while (io_wake_release(req, seen));
	mutex_unlock(&ctx->uring_lock);
}

static struct io_poll_wait *io_poll_alloc(struct io_kiocb *req)
{
	if (!req->poll) {
		req->poll = kmalloc(sizeof(*req->poll), GFP_KERNEL_ACCOUNT);
		if (req->poll)
			req->flags |= REQ_F_POLL;
	}
	return req->poll;
}

/**
 * io_poll_wait_ready - wait for @req's file instead of blocking on it
 *
 * Called with uring_lock held after a non-blocking issue of @req found
 * its file not ready. Return: 1 if @req now waits and will be issued
 * again once its file is ready, 0 if the file is ready already, or a
 * negative errno if the file cannot be polled.
 */
int io_poll_wait_ready(struct io_kiocb *req)
{
	const struct io_op_def *def = &io_op_defs[req->opcode];
	struct io_poll_wait *pw;
	__poll_t events;
	int ret;

	if (!req->file || !file_can_poll(req->file))
		return -EOPNOTSUPP;
	if (def->pollin)
		events = EPOLLIN | EPOLLRDNORM;
	else if (def->pollout)
		events = EPOLLOUT | EPOLLWRNORM;
	else
		return -EOPNOTSUPP;
	pw = io_poll_alloc(req);
	if (!pw)
		return -ENOMEM;
	pw->events = events | EPOLLPRI | IO_POLL_ALWAYS | EPOLLONESHOT;
	pw->retry = true;
	ret = io_poll_arm(req);
	if (ret < 0)
		return ret;
	return ret ? 0 : 1;
}

/*
 * The SQE's poll32_events as the kernel's EPOLL* bits plus modes: the
 * low half is poll(2) bits, the high half may carry EPOLLEXCLUSIVE and
 * friends. A poll is one-shot unless MULTI, and always edge-triggered
 * (LEVEL is refused before we get here).
 */
static __poll_t io_poll_parse(u32 user, u32 mode)
{
	__poll_t modes;

	if (IS_ENABLED(CONFIG_CPU_BIG_ENDIAN))
		user = swahw32(user);
	modes = (user & IO_POLL_MODES) | EPOLLET;
	if (!(mode & IORING_POLL_ADD_MULTI))
		modes |= EPOLLONESHOT;
	return demangle_poll(user) | modes;
}

int io_poll_add_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_poll_add *p = io_kiocb_to_cmd(req, struct io_poll_add);
	u32 flags;

	if (READ_ONCE(sqe->buf_index) || READ_ONCE(sqe->off) ||
	    READ_ONCE(sqe->addr))
		return -EINVAL;
	flags = READ_ONCE(sqe->len);
	if (flags & ~IORING_POLL_ADD_MULTI)
		return -EINVAL;
	/* every CQE of a multishot poll but the last would be skipped */
	if ((flags & IORING_POLL_ADD_MULTI) &&
	    (req->flags & IOSQE_CQE_SKIP_SUCCESS))
		return -EINVAL;
	p->events = io_poll_parse(READ_ONCE(sqe->poll32_events), flags);
	return 0;
}

int io_poll_add(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_poll_add *p = io_kiocb_to_cmd(req, struct io_poll_add);
	struct io_ring_ctx *ctx = req->ctx;
	struct io_poll_wait *pw;
	int ret;

	pw = io_poll_alloc(req);
	if (!pw)
		return -ENOMEM;
	pw->events = p->events | IO_POLL_ALWAYS;
	pw->retry = false;
	io_ring_lock(ctx, issue_flags);
	ret = io_poll_arm(req);
	io_ring_unlock(ctx, issue_flags);
	if (ret > 0) {
		io_req_set_res(req, mangle_poll(ret), 0);
		return IOU_DONE;
	}
	return ret ?: IOU_QUEUED;
}

int io_poll_remove_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_poll_update *u = io_kiocb_to_cmd(req, struct io_poll_update);
	u32 mode = READ_ONCE(sqe->len);
	u32 events = READ_ONCE(sqe->poll32_events);
	u64 new_user_data = READ_ONCE(sqe->off);
	bool unused;

	unused = READ_ONCE(sqe->buf_index) || READ_ONCE(sqe->splice_fd_in);
	/* no update but ADD_MULTI, or a bit we do not know */
	if (unused || (mode & ~(IO_POLL_UPDATES | IORING_POLL_ADD_MULTI)) ||
	    mode == IORING_POLL_ADD_MULTI)
		return -EINVAL;
	/* a value goes with the flag that says to use it */
	if ((new_user_data && !(mode & IORING_POLL_UPDATE_USER_DATA)) ||
	    (events && !(mode & IORING_POLL_UPDATE_EVENTS)))
		return -EINVAL;
	u->target = READ_ONCE(sqe->addr);
	u->user_data = new_user_data;
	u->mode = mode & IO_POLL_UPDATES;
	u->events = io_poll_parse(events, mode);
	return 0;
}

/* The armed POLL_ADD with @user_data, not yet claimed by a cancel. */
static struct io_kiocb *io_poll_find(struct io_ring_ctx *ctx, u64 user_data)
{
	struct io_kiocb *req;

	list_for_each_entry(req, &ctx->parked, park_node) {
		if (req->poll && !req->poll->retry &&
		    !(req->flags & REQ_F_CANCELLED) &&
		    req->cqe.user_data == user_data)
			return req;
	}
	return NULL;
}

/*
 * Update a poll we own and have taken off its queues, and arm it again.
 * Only the event bits change; one-shot or multishot stays as it was.
 */
static void io_poll_rearm(struct io_kiocb *req, struct io_poll_update *u)
{
	struct io_poll_wait *pw = req->poll;
	int ret;

	if (u->mode & IORING_POLL_UPDATE_EVENTS)
		pw->events = (pw->events & IO_POLL_MODES) | IO_POLL_ALWAYS |
			     (u->events & ~IO_POLL_MODES);
	if (u->mode & IORING_POLL_UPDATE_USER_DATA)
		req->cqe.user_data = u->user_data;
	ret = io_poll_arm(req);
	if (!ret)
		return;
	if (ret > 0) {
		io_req_set_res(req, mangle_poll(ret), 0);
	} else {
		io_req_set_fail(req);
		io_req_set_res(req, ret, 0);
	}
	io_req_queue_tw(req, io_req_complete_tw);
}

/* POLL_REMOVE's work, with uring_lock held: 0 or an errno for its CQE. */
static int io_poll_update_target(struct io_ring_ctx *ctx,
				 struct io_poll_update *u)
{
	struct io_kiocb *target = io_poll_find(ctx, u->target);

	if (!target)
		return -ENOENT;
	/* its owner is completing it right now */
	if (!io_wake_claim(target))
		return -EALREADY;
	io_poll_finish(target);
	if (u->mode) {
		io_poll_rearm(target, u);
		return 0;
	}
	/* its CQE follows ours, from task work */
	io_req_set_fail(target);
	io_req_set_res(target, -ECANCELED, 0);
	io_req_queue_tw(target, io_req_complete_tw);
	return 0;
}

int io_poll_remove(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_poll_update *u = io_kiocb_to_cmd(req, struct io_poll_update);
	int ret;

	io_ring_lock(req->ctx, issue_flags);
	ret = io_poll_update_target(req->ctx, u);
	io_ring_unlock(req->ctx, issue_flags);
	return io_req_result(req, ret);
}
