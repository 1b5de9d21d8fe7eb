// SPDX-License-Identifier: GPL-2.0
/*
 * Per-task io_uring state and the hooks process lifetime calls.
 *
 * task->io_uring is set up the first time a task submits to a ring.
 * Until then exit, exec and fork have nothing to do, which the inline
 * wrappers in <linux/io_uring.h> check before calling in here.
 *
 * A task and a ring it submitted to are linked by a struct
 * io_tctx_node, found from the task (tctx->rings) and from the ring
 * (ctx->tctx_list). Either may go first: the ring's teardown unlinks the
 * node from the ring and marks it dead (node->ctx = NULL); the task frees
 * its nodes when it exits or execs. io_tctx_lock guards the links and
 * node->ctx, and outlives both sides.
 *
 * Lock order: io_tctx_lock, then the worker pool's own lock.
 */
#include <linux/io_uring.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/task_work.h>

#include "io_uring.h"
#include "io-wq.h"
#include "tctx.h"

static DEFINE_MUTEX(io_tctx_lock);

static struct io_uring_task *io_tctx_alloc(void)
{
	struct io_uring_task *tctx;

	tctx = kzalloc(sizeof(*tctx), GFP_KERNEL_ACCOUNT);
	if (!tctx)
		return NULL;
	xa_init(&tctx->rings);
	atomic_set(&tctx->inflight, 0);
	init_waitqueue_head(&tctx->wait);
	return tctx;
}

/* Make sure current has io_uring state and knows about @ctx. */
int io_tctx_attach(struct io_ring_ctx *ctx)
{
	struct io_uring_task *tctx = current->io_uring;
	struct io_tctx_node *node = NULL;
	int ret;

	/*
	 * The caller holds the ring file, so the ring is alive and a node
	 * naming it cannot be marked dead under us.
	 */
	if (likely(tctx)) {
		node = xa_load(&tctx->rings, (unsigned long)ctx);
		if (likely(node && node->ctx == ctx))
			return 0;
	} else {
		tctx = io_tctx_alloc();
		if (!tctx)
			return -ENOMEM;
		current->io_uring = tctx;
	}
	/* a dead node of an earlier ring at the same address is reused */
	if (!node) {
		node = kmalloc(sizeof(*node), GFP_KERNEL_ACCOUNT);
		if (!node)
			return -ENOMEM;
		node->task = current;
		ret = xa_err(xa_store(&tctx->rings, (unsigned long)ctx, node,
				      GFP_KERNEL_ACCOUNT));
		if (ret) {
			kfree(node);
			return ret;
		}
	}
	mutex_lock(&io_tctx_lock);
	node->ctx = ctx;
	list_add(&node->ctx_node, &ctx->tctx_list);
	mutex_unlock(&io_tctx_lock);
	return 0;
}

/* The task's worker pool; current must be the task. */
struct io_wq *io_tctx_wq(struct io_uring_task *tctx)
{
	struct io_wq *wq;

	if (likely(tctx->io_wq))
		return tctx->io_wq;
	/* bounded work is capped like the CPUs it can keep busy */
	wq = io_wq_create(4 * num_online_cpus(), &io_req_wq_ops);
	if (IS_ERR(wq))
		return NULL;
	tctx->io_wq = wq;
	return wq;
}

static bool io_work_of_ctx(struct io_wq_work *work, void *data)
{
	return io_req_of_work(work)->ctx == data;
}

/* Ring teardown: cancel the ring's work queued in any task's pool. */
void io_tctx_cancel_ctx(struct io_ring_ctx *ctx)
{
	struct io_tctx_node *node;

	mutex_lock(&io_tctx_lock);
	list_for_each_entry(node, &ctx->tctx_list, ctx_node) {
		struct io_wq *wq = READ_ONCE(node->task->io_uring->io_wq);

		/* the task detaches under io_tctx_lock before freeing its pool */
		if (wq)
			io_wq_cancel(wq, io_work_of_ctx, ctx, true);
	}
	mutex_unlock(&io_tctx_lock);
}

/* Ring teardown, once no request is left: forget the tasks. */
void io_tctx_ring_gone(struct io_ring_ctx *ctx)
{
	struct io_tctx_node *node, *tmp;

	mutex_lock(&io_tctx_lock);
	list_for_each_entry_safe(node, tmp, &ctx->tctx_list, ctx_node) {
		list_del(&node->ctx_node);
		node->ctx = NULL;
	}
	mutex_unlock(&io_tctx_lock);
}

static void io_tctx_detach_all(struct io_uring_task *tctx)
{
	struct io_tctx_node *node;
	unsigned long index;

	xa_for_each(&tctx->rings, index, node) {
		mutex_lock(&io_tctx_lock);
		if (node->ctx)
			list_del(&node->ctx_node);
		mutex_unlock(&io_tctx_lock);
		xa_erase(&tctx->rings, index);
		kfree(node);
	}
}

/*
 * Exit (@cancel_all false) and exec (@cancel_all true) stop the task's
 * worker pool, which cancels what is queued and interrupts what runs, and
 * then wait until every request of the task has completed. The rings stay
 * open; they now belong to whoever still holds them.
 */
void __io_uring_cancel(bool cancel_all)
{
	struct io_uring_task *tctx = current->io_uring;
	struct io_wq *wq = tctx->io_wq;

	if (wq) {
		/* ring teardown reaches the pool through io_tctx_lock */
		WRITE_ONCE(tctx->io_wq, NULL);
		io_tctx_detach_all(tctx);
		io_wq_exit(wq);
	}
	/* our requests' completions may be queued as our own task work */
	while (atomic_read(&tctx->inflight)) {
		io_run_task_work();
		wait_event_timeout(tctx->wait, !atomic_read(&tctx->inflight),
				   HZ / 10);
	}
	io_tctx_detach_all(tctx);
}

/*
 * The task is being freed, possibly from an RCU callback: its requests,
 * workers and ring links went away when it exited (__io_uring_cancel()
 * emptied tctx->rings), so there is nothing to lock.
 */
void __io_uring_free(struct task_struct *tsk)
{
	kfree(tsk->io_uring);
	tsk->io_uring = NULL;
}

/* Drop the rings registered with IORING_REGISTER_RING_FDS on exec. */
void io_uring_unreg_ringfd(void)
{
}
