// SPDX-License-Identifier: GPL-2.0
/*
 * Running request callbacks in the submitter's context.
 *
 * Completions that happen elsewhere (an interrupt, another task) often
 * need the submitter: to touch its memory, or simply to keep completion
 * work on the task that asked for it. They queue a callback with
 * io_req_queue_tw(). How the submitter learns about it is fixed at setup:
 *
 *  - default:        task_work with a signal, which interrupts it at once;
 *  - COOP_TASKRUN:   task_work without an IPI, run at its next kernel entry;
 *  - DEFER_TASKRUN:  task_work without any notification, run only when it
 *                    waits for completions in io_uring_enter(); the waiter
 *                    is woken through the CQ wait queue.
 *
 * If the task is exiting and can take no more task_work, the callback
 * runs from the ring's fallback work with IO_URING_F_TASK_DEAD.
 */
#include <linux/io_uring.h>
#include <linux/sched/signal.h>
#include <linux/task_work.h>

#include "io_uring.h"

static void io_req_tw_run(struct callback_head *cb)
{
	struct io_kiocb *req = container_of(cb, struct io_kiocb, task_work);
	unsigned int flags = 0;

	if (unlikely(current->flags & PF_EXITING))
		flags |= IO_URING_F_TASK_DEAD;
	req->tw_fn(req, flags);
}

void io_fallback_work(struct work_struct *work)
{
	struct io_ring_ctx *ctx = container_of(work, struct io_ring_ctx,
					       fallback_work);
	struct llist_node *node = llist_del_all(&ctx->fallback_llist);
	struct io_kiocb *req, *tmp;

	llist_for_each_entry_safe(req, tmp, node, fallback_node)
		req->tw_fn(req, IO_URING_F_TASK_DEAD);
}

static enum task_work_notify_mode io_tw_notify(struct io_ring_ctx *ctx)
{
	if (ctx->flags & IORING_SETUP_DEFER_TASKRUN)
		return TWA_NONE;
	if (ctx->flags & IORING_SETUP_COOP_TASKRUN)
		return TWA_SIGNAL_NO_IPI;
	return TWA_SIGNAL;
}

void io_req_queue_tw(struct io_kiocb *req, io_tw_fn fn)
{
	struct io_ring_ctx *ctx = req->ctx;

	req->tw_fn = fn;
	init_task_work(&req->task_work, io_req_tw_run);
	if (likely(!task_work_add(req->task, &req->task_work,
				  io_tw_notify(ctx)))) {
		if (ctx->flags & IORING_SETUP_DEFER_TASKRUN)
			wake_up_all(&ctx->cq_wait);
		return;
	}
	if (llist_add(&req->fallback_node, &ctx->fallback_llist))
		queue_work(system_unbound_wq, &ctx->fallback_work);
}

/* Run pending task work of current, if any. Returns true if some ran. */
bool io_run_task_work(void)
{
	if (test_thread_flag(TIF_NOTIFY_SIGNAL))
		clear_notify_signal();
	if (!task_work_pending(current))
		return false;
	__set_current_state(TASK_RUNNING);
	task_work_run();
	return true;
}
