// SPDX-License-Identifier: GPL-2.0
/*
 * Running request callbacks in the submitter's context.
 *
 * Completions that happen elsewhere (an interrupt, a wake-up, another
 * task) often need the submitter: to touch its memory, or simply to keep
 * completion work on the task that asked for it. They queue a callback
 * with io_req_queue_tw(), which runs callbacks oldest first, so CQEs keep
 * the order in which requests finished. Where they wait and how the
 * submitter learns about them is fixed at setup:
 *
 *  - default:        on the task's tw_list, run by one task_work, with a
 *                    signal-like notification that interrupts the task;
 *  - COOP_TASKRUN:   the same without an IPI: they run at its next
 *                    kernel entry;
 *  - SQPOLL:         the same for the SQ thread, which is woken and runs
 *                    them in its loop;
 *  - DEFER_TASKRUN:  on the ring's own local_tw list, run only when the
 *                    ring's single submitter waits for completions in
 *                    io_uring_enter(), woken through the CQ wait queue.
 *
 * With TASKRUN_FLAG, IORING_SQ_TASKRUN tells the application that
 * callbacks wait, so that it enters the kernel to run them.
 *
 * If the task is exiting and takes no more task_work, the callbacks run
 * from each ring's fallback work with IO_URING_F_TASK_DEAD.
 */
#include <linux/io_uring.h>
#include <linux/sched/signal.h>
#include <linux/task_work.h>

#include "io_uring.h"
#include "tctx.h"

/*
 * Plain completions (io_req_complete_tw) of one ring that follow each
 * other in the task's list are gathered and posted under one lock.
 */
struct io_tw_batch {
	struct io_ring_ctx	*ctx;
	struct io_kiocb		*first;
	struct io_kiocb		**tail;
};

static void io_tw_batch_flush(struct io_tw_batch *b)
{
	struct io_ring_ctx *ctx = b->ctx;

	/*
	 * With uring_lock the freed requests go back to the ring's cache.
	 * Only try: whoever holds it may be waiting for us.
	 */
	if (b->first && mutex_trylock(&ctx->uring_lock)) {
		io_req_complete_list(ctx, b->first, true);
		mutex_unlock(&ctx->uring_lock);
	} else if (b->first) {
		io_req_complete_list(ctx, b->first, false);
	}
	b->first = NULL;
	b->tail = &b->first;
}

static void io_tw_batch_add(struct io_tw_batch *b, struct io_kiocb *req)
{
	if (req->ctx != b->ctx) {
		io_tw_batch_flush(b);
		b->ctx = req->ctx;
	}
	req->batch_next = NULL;
	*b->tail = req;
	b->tail = &req->batch_next;
}

static void io_tw_clear_flag(struct io_ring_ctx *ctx)
{
	if (ctx->flags & IORING_SETUP_TASKRUN_FLAG)
		atomic_andnot(IORING_SQ_TASKRUN, &ctx->rings->sq_flags);
}

/*
 * Run callbacks taken off a list, newest first as llist leaves them.
 *
 * A callback may free the last request of a closed ring, after which the
 * ring's teardown may free the ring while the callback still unlocks its
 * uring_lock: each ring is pinned while its callbacks run.
 */
static void io_tw_run_list(struct llist_node *node, unsigned int flags)
{
	struct io_tw_batch batch = { .ctx = NULL };
	struct io_ring_ctx *last = NULL;
	struct io_kiocb *req, *tmp;

	batch.tail = &batch.first;
	/* a callback may queue its request again: read next first */
	node = llist_reverse_order(node);
	llist_for_each_entry_safe(req, tmp, node, tw_node) {
		/* before running: work queued meanwhile raises it again */
		if (req->ctx != last) {
			io_tw_batch_flush(&batch);
			if (last)
				percpu_ref_put(&last->refs);
			last = req->ctx;
			/* the request holds a reference: the count is not 0 */
			percpu_ref_get(&last->refs);
			io_tw_clear_flag(last);
		}
		if (req->tw_fn == io_req_complete_tw) {
			io_tw_batch_add(&batch, req);
			continue;
		}
		/* CQEs keep their order: what was gathered goes first */
		io_tw_batch_flush(&batch);
		req->tw_fn(req, flags);
		/* an application can make this list as long as it likes */
		cond_resched();
	}
	io_tw_batch_flush(&batch);
	if (last)
		percpu_ref_put(&last->refs);
}

static unsigned int io_tw_flags(void)
{
	return unlikely(current->flags & PF_EXITING) ? IO_URING_F_TASK_DEAD : 0;
}

/* The task_work of a task's io_uring state: run what was queued. */
void io_tctx_run_tw(struct callback_head *cb)
{
	struct io_uring_task *tctx = container_of(cb, struct io_uring_task,
						  tw_cb);

	/* before the list empties: see io_req_queue_tw() */
	WRITE_ONCE(tctx->tw_signalled, false);
	io_tw_run_list(llist_del_all(&tctx->tw_list), io_tw_flags());
}

/**
 * io_run_local_tw - run a DEFER_TASKRUN ring's callbacks
 * @dead: the submitter is gone (ring teardown): IO_URING_F_TASK_DEAD
 *
 * Return: true if there were any.
 */
bool io_run_local_tw(struct io_ring_ctx *ctx, bool dead)
{
	struct llist_node *node;

	if (llist_empty(&ctx->local_tw))
		return false;
	/* callbacks may sleep; the waiter calls us between prepare and sleep */
	__set_current_state(TASK_RUNNING);
	node = llist_del_all(&ctx->local_tw);
	io_tw_run_list(node, dead ? IO_URING_F_TASK_DEAD : io_tw_flags());
	return true;
}

void io_fallback_work(struct work_struct *work)
{
	struct io_ring_ctx *ctx = container_of(work, struct io_ring_ctx,
					       fallback_work);
	struct llist_node *node = llist_del_all(&ctx->fallback_llist);
	struct io_kiocb *req, *tmp;

	node = llist_reverse_order(node);
	llist_for_each_entry_safe(req, tmp, node, tw_node) {
		req->tw_fn(req, IO_URING_F_TASK_DEAD);
		cond_resched();
	}
}

/* The task is past running task_work: hand its callbacks to the rings. */
static void io_tw_fallback(struct io_uring_task *tctx)
{
	struct llist_node *node = llist_del_all(&tctx->tw_list);
	struct io_kiocb *req, *tmp;

	node = llist_reverse_order(node);
	llist_for_each_entry_safe(req, tmp, node, tw_node) {
		struct io_ring_ctx *ctx = req->ctx;

		if (llist_add(&req->tw_node, &ctx->fallback_llist))
			queue_work(system_unbound_wq, &ctx->fallback_work);
	}
}

static enum task_work_notify_mode io_tw_notify(unsigned int ring_flags)
{
	/* the SQ thread may sleep: TWA_SIGNAL wakes it (with no IPI to spare) */
	if ((ring_flags & IORING_SETUP_COOP_TASKRUN) &&
	    !(ring_flags & IORING_SETUP_SQPOLL))
		return TWA_SIGNAL_NO_IPI;
	return TWA_SIGNAL;
}

/*
 * DEFER_TASKRUN: once on the list, the request may be run by the ring's
 * teardown, which then frees the ring: RCU keeps the ring's memory for
 * the wake-ups (see io_ring_ctx_free()).
 */
static void io_req_queue_local_tw(struct io_kiocb *req, struct io_ring_ctx *ctx)
{
	rcu_read_lock();
	/* a waiter checks the list after it prepares to sleep */
	if (llist_add(&req->tw_node, &ctx->local_tw)) {
		wake_up_all(&ctx->cq_wait);
		/* pending callbacks make the ring file readable */
		io_poll_wq_wake_later(ctx);
	}
	rcu_read_unlock();
}

/**
 * io_req_queue_tw - run @fn on @req in the submitter's context
 *
 * May be called from any context, interrupts included. A request is
 * queued at most once at a time: its owner guarantees that.
 *
 * Once on a list, the request may run and be freed at any moment, and
 * with it its references on the ring and the task: nothing is read from
 * it afterwards. Its task stays ours to use until then.
 */
void io_req_queue_tw(struct io_kiocb *req, io_tw_fn fn)
{
	struct task_struct *task = req->task;
	struct io_uring_task *tctx = task->io_uring;
	struct io_ring_ctx *ctx = req->ctx;
	enum task_work_notify_mode notify;

	req->tw_fn = fn;
	if (ctx->flags & IORING_SETUP_TASKRUN_FLAG)
		atomic_or(IORING_SQ_TASKRUN, &ctx->rings->sq_flags);
	if (ctx->flags & IORING_SETUP_DEFER_TASKRUN) {
		io_req_queue_local_tw(req, ctx);
		return;
	}
	notify = io_tw_notify(ctx->flags);
	/*
	 * Queued already, maybe by a ring that does not interrupt
	 * (COOP_TASKRUN), while this one must: interrupt now, while the
	 * task is surely alive. A true tw_signalled was set in this round,
	 * since the run clears it before it empties the list.
	 */
	if (notify == TWA_SIGNAL && !READ_ONCE(tctx->tw_signalled) &&
	    !llist_empty(&tctx->tw_list))
		set_notify_signal(task);
	if (!llist_add(&req->tw_node, &tctx->tw_list))
		return;
	/*
	 * First on the list: only the task_work added here runs it (or the
	 * fallback if the task takes no more), so the request, and its
	 * reference on the task, are still there until then.
	 */
	if (notify == TWA_SIGNAL)
		WRITE_ONCE(tctx->tw_signalled, true);
	if (unlikely(task_work_add(task, &tctx->tw_cb, notify)))
		io_tw_fallback(tctx);
}

/* Run pending task work of current, if any. Returns true if some ran. */
bool __io_run_task_work(void)
{
	if (test_thread_flag(TIF_NOTIFY_SIGNAL))
		clear_notify_signal();
	if (!task_work_pending(current))
		return false;
	__set_current_state(TASK_RUNNING);
	task_work_run();
	return true;
}
