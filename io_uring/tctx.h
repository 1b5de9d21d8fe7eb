/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IO_URING_TCTX_H
#define IO_URING_TCTX_H

#include <linux/llist.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

struct cpumask;
struct file;
struct io_ring_ctx;
struct io_wq;

/* Ring descriptors a task may register (IORING_REGISTER_RING_FDS). */
#define IO_RINGFD_REG_MAX	16

/*
 * A task's io_uring state (task->io_uring), created the first time the
 * task submits. It lives until the task is freed; its worker pool and
 * ring links are torn down earlier, when the task exits or execs.
 */
struct io_uring_task {
	/* the task's worker pool, created on first use */
	struct io_wq		*io_wq;
	/* rings this task submitted to: ctx -> struct io_tctx_node */
	struct xarray		rings;
	/* the node of the ring used last, to skip the lookup */
	struct io_tctx_node	*last_node;
	/*
	 * Requests of this task that left its hands (queued to a worker or
	 * completing asynchronously). Exec waits for it to reach zero.
	 */
	atomic_t		inflight;
	/* its requests that hold a ring's file; exit waits for those */
	atomic_t		ring_inflight;
	wait_queue_head_t	wait;
	/* request callbacks to run in this task, newest first; see tw.c */
	struct llist_head	tw_list;
	struct callback_head	tw_cb;
	/* tw_cb is queued with a signal (TWA_SIGNAL) */
	bool			tw_signalled;
	/* IORING_REGISTER_RING_FDS: rings usable without an fd lookup */
	struct file		*registered_rings[IO_RINGFD_REG_MAX];
	/* references on the task, taken ahead for its requests */
	unsigned int		cached_refs;
	/*
	 * Set while exit or exec cancels the task's requests, and for good
	 * after exit: no new worker pool, so nothing runs in a pool that
	 * no one will tear down, or in the next image with this one's state.
	 */
	bool			wq_closed;
	/*
	 * Set by exec: the new image sees no io_uring state (as in 6.12,
	 * which frees it) until it uses a ring. The struct stays, as a
	 * completion of the old image may still be waking tctx->wait.
	 */
	bool			reset_by_exec;
};

/* Links a task and a ring it submitted to, for cancellation either way. */
struct io_tctx_node {
	struct list_head	ctx_node;	/* in ctx->tctx_list, if ctx */
	struct task_struct	*task;
	struct io_ring_ctx	*ctx;		/* NULL once the ring is gone */
};

int __io_tctx_attach(struct io_ring_ctx *ctx);

/*
 * Every request holds a reference on its task (req->task): what ends after
 * the task exited (polled I/O reaped by another thread, the rest of a
 * chain, a completion run by the fallback work) still finds the task and
 * its io_uring state, which lives as long as the task struct. The task
 * takes them in batches and keeps those its own requests give back, so a
 * request costs no atomic. An exiting task keeps none: see
 * __io_uring_cancel().
 */
#define IO_TASK_REFS_BATCH	64

static inline void io_task_ref_get(void)
{
	struct io_uring_task *tctx = current->io_uring;

	if (unlikely(!tctx->cached_refs)) {
		refcount_add(IO_TASK_REFS_BATCH, &current->usage);
		tctx->cached_refs = IO_TASK_REFS_BATCH;
	}
	tctx->cached_refs--;
}

static inline void io_task_ref_put(struct task_struct *task)
{
	if (likely(task == current && in_task() &&
		   !(task->flags & PF_EXITING)))
		task->io_uring->cached_refs++;
	else
		put_task_struct(task);
}

/* Make sure current has io_uring state and knows about @ctx. */
static inline int io_tctx_attach(struct io_ring_ctx *ctx)
{
	struct io_uring_task *tctx = current->io_uring;

	/* usually the ring used last; a dead node has no ctx */
	if (likely(tctx && tctx->last_node &&
		   READ_ONCE(tctx->last_node->ctx) == ctx))
		return 0;
	return __io_tctx_attach(ctx);
}

void io_tctx_run_tw(struct callback_head *cb);
struct io_wq *io_tctx_wq(struct io_uring_task *tctx, unsigned int bounded);
enum io_wq_cancel io_tctx_cancel_work(struct io_ring_ctx *ctx,
				      io_wq_match_fn *match, void *data,
				      bool all, unsigned int *nr_pending);
void io_tctx_ring_gone(struct io_ring_ctx *ctx);
int io_ringfd_register(struct io_ring_ctx *ctx, void __user *arg,
		       unsigned int nr_args);
int io_ringfd_unregister(struct io_ring_ctx *ctx, void __user *arg,
			 unsigned int nr_args);
int io_ringfd_install(struct io_ring_ctx *ctx, struct file *file);
struct file *io_ringfd_get(unsigned int index, bool take_ref, int *err);
void io_tctx_set_max_workers(struct io_ring_ctx *ctx, struct task_struct *tsk,
			     u32 *counts);
int io_tctx_wq_affinity(struct task_struct *tsk, const struct cpumask *mask);

#endif /* IO_URING_TCTX_H */
