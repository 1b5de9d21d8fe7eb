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
#include <linux/file.h>
#include <linux/io_uring.h>
#include <linux/nospec.h>
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
	atomic_set(&tctx->ring_inflight, 0);
	init_waitqueue_head(&tctx->wait);
	init_llist_head(&tctx->tw_list);
	init_task_work(&tctx->tw_cb, io_tctx_run_tw);
	return tctx;
}

/* Make sure current has io_uring state and knows about @ctx. */
int __io_tctx_attach(struct io_ring_ctx *ctx)
{
	struct io_uring_task *tctx = current->io_uring;
	struct io_tctx_node *node = NULL;
	int ret;

	/*
	 * The caller holds the ring file, so the ring is alive and a node
	 * naming it cannot be marked dead under us.
	 */
	if (likely(tctx)) {
		tctx->reset_by_exec = false;
		node = xa_load(&tctx->rings, (unsigned long)ctx);
		if (likely(node && node->ctx == ctx)) {
			tctx->last_node = node;
			return 0;
		}
	} else {
		tctx = io_tctx_alloc();
		if (!tctx)
			return -ENOMEM;
		current->io_uring = tctx;
	}
	/* the pool exists from the start (again, after exec); threads come later */
	if (!io_tctx_wq(tctx, ctx->sq_entries))
		return -ENOMEM;
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
	tctx->last_node = node;
	/* a new submitter's pool honours the ring's worker limits */
	if (tctx->io_wq && (ctx->iowq_limits[0] || ctx->iowq_limits[1])) {
		int counts[2] = { ctx->iowq_limits[0], ctx->iowq_limits[1] };

		io_wq_max_workers(tctx->io_wq, counts);
	}
	return 0;
}

/*
 * IORING_REGISTER_IOWQ_MAX_WORKERS: apply @counts (0: unchanged) to the
 * caller's pool and report its old limits in @counts, then apply the
 * ring's limits to every other submitter's pool.
 */
void io_tctx_set_max_workers(struct io_ring_ctx *ctx, struct task_struct *tsk,
			     u32 *counts)
{
	struct io_uring_task *tctx = tsk->io_uring;
	struct io_tctx_node *node;
	int limits[2];

	mutex_lock(&io_tctx_lock);
	if (tctx && tctx->io_wq) {
		limits[0] = counts[0];
		limits[1] = counts[1];
		io_wq_max_workers(tctx->io_wq, limits);
		counts[0] = limits[0];
		counts[1] = limits[1];
	} else {
		counts[0] = 0;
		counts[1] = 0;
	}
	list_for_each_entry(node, &ctx->tctx_list, ctx_node) {
		struct io_wq *wq = READ_ONCE(node->task->io_uring->io_wq);

		limits[0] = ctx->iowq_limits[0];
		limits[1] = ctx->iowq_limits[1];
		if (wq)
			io_wq_max_workers(wq, limits);
	}
	mutex_unlock(&io_tctx_lock);
}

/* Set (or, with @mask NULL, reset) the CPUs of @tsk's worker pool. */
int io_tctx_wq_affinity(struct task_struct *tsk, const struct cpumask *mask)
{
	struct io_uring_task *tctx = tsk->io_uring;
	int ret = -EINVAL;

	/* @tsk may be the SQ thread, exiting: its pool goes under the lock */
	mutex_lock(&io_tctx_lock);
	if (tctx && tctx->io_wq)
		ret = io_wq_set_affinity(tctx->io_wq, mask);
	mutex_unlock(&io_tctx_lock);
	return ret;
}

/* The task's worker pool; current must be the task. */
struct io_wq *io_tctx_wq(struct io_uring_task *tctx, unsigned int bounded)
{
	struct io_wq *wq;

	if (likely(tctx->io_wq))
		return tctx->io_wq;
	if (tctx->wq_closed)
		return NULL;
	/*
	 * Bounded work is capped like the CPUs it can keep busy, and never
	 * above what the first ring could have in flight.
	 */
	wq = io_wq_create(min(bounded, 4 * num_online_cpus()), &io_req_wq_ops);
	if (IS_ERR(wq))
		return NULL;
	tctx->io_wq = wq;
	return wq;
}

/**
 * io_tctx_cancel_work - cancel @ctx's work in the pool of every task
 * that submitted to it
 * @match: picks the work to cancel; it only sees @ctx's work
 * @all: every match, or stop at the first
 *
 * Return: the best outcome, IO_WQ_CANCEL_OK before _RUNNING before
 * _NOTFOUND.
 */
enum io_wq_cancel io_tctx_cancel_work(struct io_ring_ctx *ctx,
				      io_wq_match_fn *match, void *data,
				      bool all, unsigned int *nr_pending)
{
	enum io_wq_cancel ret = IO_WQ_CANCEL_NOTFOUND, one;
	struct io_tctx_node *node;
	LIST_HEAD(cancelled);

	mutex_lock(&io_tctx_lock);
	list_for_each_entry(node, &ctx->tctx_list, ctx_node) {
		struct io_wq *wq = READ_ONCE(node->task->io_uring->io_wq);

		/* the task detaches under io_tctx_lock before freeing its pool */
		if (!wq)
			continue;
		one = io_wq_cancel(wq, match, data, all, &cancelled,
				   nr_pending);
		ret = min(ret, one);
		if (!all && one != IO_WQ_CANCEL_NOTFOUND)
			break;
	}
	mutex_unlock(&io_tctx_lock);
	/*
	 * Completing what was cancelled takes as long as the application
	 * made the queues long: not under a lock every task shares.
	 */
	io_wq_cancel_list(&io_req_wq_ops, &cancelled);
	return ret;
}

/* Ring teardown, once no request is left: forget the tasks. */
void io_tctx_ring_gone(struct io_ring_ctx *ctx)
{
	struct io_tctx_node *node, *tmp;

	mutex_lock(&io_tctx_lock);
	list_for_each_entry_safe(node, tmp, &ctx->tctx_list, ctx_node) {
		list_del(&node->ctx_node);
		WRITE_ONCE(node->ctx, NULL);
	}
	mutex_unlock(&io_tctx_lock);
}

static void io_tctx_detach_all(struct io_uring_task *tctx)
{
	struct io_tctx_node *node;
	unsigned long index;

	tctx->last_node = NULL;
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
 * Cancel what the task left parked or held back in the rings it used:
 * all of it on exec; on exit, only what uses a ring's file.
 */
static void io_tctx_cancel_parked(struct io_uring_task *tctx, bool all)
{
	struct io_tctx_node *node;
	unsigned long index;

	xa_for_each(&tctx->rings, index, node) {
		struct io_ring_ctx *ctx;

		/* a ring being freed has cancelled everything itself */
		mutex_lock(&io_tctx_lock);
		ctx = node->ctx;
		if (ctx && !percpu_ref_tryget(&ctx->refs))
			ctx = NULL;
		mutex_unlock(&io_tctx_lock);
		if (!ctx)
			continue;
		/* held back for drain, a request has no file yet */
		if (all) {
			io_drain_cancel(ctx, current);
			io_iopoll_reap_all(ctx);
		}
		io_cancel_parked_all(ctx, current, !all);
		if (ctx->submitter_task == current)
			io_run_local_tw(ctx, false);
		percpu_ref_put(&ctx->refs);
	}
}

/*
 * Give back the references cached for requests to come. Only at exit does
 * it matter (they keep the task struct alive); exec does it too, and the
 * task takes new ones when it submits again.
 */
static void io_task_refs_drop(struct io_uring_task *tctx)
{
	if (tctx->cached_refs) {
		put_task_struct_many(current, tctx->cached_refs);
		tctx->cached_refs = 0;
	}
}

/*
 * Exit (@cancel_all false) and exec (@cancel_all true) stop the task's
 * worker pool, which cancels what is queued and interrupts what runs.
 * Exec then cancels every request of the task and waits for them. Exit,
 * as in 6.12, cancels only those that hold a ring's file (a poll on a
 * ring, say, which could keep that ring from ever being torn down), and
 * waits for those; the rest keeps going and completes later, holding a
 * reference on the task (see io_task_ref_get()). The rings stay open;
 * they now belong to whoever still holds them.
 */
void __io_uring_cancel(bool cancel_all)
{
	struct io_uring_task *tctx = current->io_uring;
	atomic_t *waited = cancel_all ? &tctx->inflight : &tctx->ring_inflight;
	struct io_wq *wq = tctx->io_wq;

	io_uring_unreg_ringfd();
	/* what the cancel releases must not start a new pool */
	tctx->wq_closed = true;
	if (wq) {
		/* others reach the pool under io_tctx_lock: it is ours now */
		mutex_lock(&io_tctx_lock);
		WRITE_ONCE(tctx->io_wq, NULL);
		mutex_unlock(&io_tctx_lock);
		/* exit lets what is queued run, exec cancels it */
		io_wq_exit(wq, !cancel_all);
	}
	/*
	 * No worker can park a request any more. Cancel what waits, again
	 * while we wait (a chain may park its next request), and run our
	 * task work, where our requests' completions are queued.
	 */
	while (atomic_read(waited)) {
		io_tctx_cancel_parked(tctx, cancel_all);
		io_run_task_work();
		wait_event_timeout(tctx->wait, !atomic_read(waited), HZ / 10);
	}
	io_tctx_detach_all(tctx);
	/* requests that end from now on put their references one by one */
	io_task_refs_drop(tctx);
	/* after exec, the new image starts a pool of its own */
	if (cancel_all) {
		tctx->wq_closed = false;
		tctx->reset_by_exec = true;
	}
}

/* current's io_uring state, unless it has none it could see */
static struct io_uring_task *io_tctx_visible(void)
{
	struct io_uring_task *tctx = current->io_uring;

	return tctx && !tctx->reset_by_exec ? tctx : NULL;
}

/*
 * The task is being freed, possibly from an RCU callback: its workers
 * and ring links went away when it exited (__io_uring_cancel() emptied
 * tctx->rings), and each of its requests held a reference on it, so
 * there is nothing left to lock.
 */
void __io_uring_free(struct task_struct *tsk)
{
	kfree(tsk->io_uring);
	tsk->io_uring = NULL;
}

/* Give back registered ring slot @slot, if it holds a ring. */
static void io_ringfd_drop(struct io_uring_task *tctx, unsigned int slot)
{
	struct file *file = tctx->registered_rings[slot];

	tctx->registered_rings[slot] = NULL;
	if (file)
		fput(file);
}

/* Drop the rings registered with IORING_REGISTER_RING_FDS. */
void io_uring_unreg_ringfd(void)
{
	unsigned int slot;

	for (slot = 0; slot < IO_RINGFD_REG_MAX; slot++)
		io_ringfd_drop(current->io_uring, slot);
}

/* Put @file (a ring) in a free slot of [start, end): the slot, or -EBUSY. */
static int io_ringfd_add(struct io_uring_task *tctx, struct file *file,
			 unsigned int start, unsigned int end)
{
	unsigned int i;

	for (i = start; i < end; i++) {
		if (!tctx->registered_rings[i]) {
			tctx->registered_rings[i] = file;
			return i;
		}
	}
	return -EBUSY;
}

/* IORING_SETUP_REGISTERED_FD_ONLY: the new ring's file goes in a slot. */
int io_ringfd_install(struct io_ring_ctx *ctx, struct file *file)
{
	int ret = io_tctx_attach(ctx);

	if (ret)
		return ret;
	return io_ringfd_add(current->io_uring, file, 0, IO_RINGFD_REG_MAX);
}

static int io_ringfd_register_one(struct io_uring_task *tctx,
				  struct io_uring_rsrc_update *reg)
{
	unsigned int start = 0, end = IO_RINGFD_REG_MAX;
	struct file *file;
	int ret;

	if (reg->resv)
		return -EINVAL;
	if (reg->offset != -1U) {
		if (reg->offset >= IO_RINGFD_REG_MAX)
			return -EINVAL;
		start = array_index_nospec(reg->offset, IO_RINGFD_REG_MAX);
		end = start + 1;
	}
	file = fget(reg->data);
	if (!file)
		return -EBADF;
	if (!io_is_uring_fops(file)) {
		fput(file);
		return -EOPNOTSUPP;
	}
	ret = io_ringfd_add(tctx, file, start, end);
	if (ret < 0)
		fput(file);
	return ret;
}

/*
 * One entry of IORING_REGISTER_RING_FDS: read it, take a slot, and tell
 * the application which. A slot it cannot be told about is given back.
 */
static int io_ringfd_register_user(struct io_uring_task *tctx,
				   struct io_uring_rsrc_update __user *ureg)
{
	struct io_uring_rsrc_update reg;
	int slot;

	if (copy_from_user(&reg, ureg, sizeof(reg)))
		return -EFAULT;
	slot = io_ringfd_register_one(tctx, &reg);
	if (slot < 0)
		return slot;
	reg.offset = slot;
	if (!copy_to_user(ureg, &reg, sizeof(reg)))
		return 0;
	io_ringfd_drop(tctx, slot);
	return -EFAULT;
}

/* Returns how many were registered, or the first error. */
int io_ringfd_register(struct io_ring_ctx *ctx, void __user *arg,
		       unsigned int nr_args)
{
	struct io_uring_rsrc_update __user *uregs = arg;
	unsigned int done = 0;
	int ret;

	if (!nr_args || nr_args > IO_RINGFD_REG_MAX)
		return -EINVAL;
	ret = io_tctx_attach(ctx);
	while (!ret && done < nr_args) {
		ret = io_ringfd_register_user(current->io_uring, &uregs[done]);
		if (!ret)
			done++;
	}
	return done ? done : ret;
}

int io_ringfd_unregister(struct io_ring_ctx *ctx, void __user *arg,
			 unsigned int nr_args)
{
	struct io_uring_rsrc_update __user *uregs = arg;
	struct io_uring_task *tctx = io_tctx_visible();
	struct io_uring_rsrc_update reg;
	unsigned int i, slot;
	int ret = 0;

	if (!nr_args || nr_args > IO_RINGFD_REG_MAX)
		return -EINVAL;
	if (!tctx)
		return 0;
	for (i = 0; i < nr_args; i++) {
		if (copy_from_user(&reg, &uregs[i], sizeof(reg))) {
			ret = -EFAULT;
			break;
		}
		if (reg.resv || reg.data || reg.offset >= IO_RINGFD_REG_MAX) {
			ret = -EINVAL;
			break;
		}
		slot = array_index_nospec(reg.offset, IO_RINGFD_REG_MAX);
		io_ringfd_drop(tctx, slot);
	}
	return i ? i : ret;
}

/*
 * The ring registered at @index by current, for IORING_ENTER_REGISTERED_RING
 * and IORING_REGISTER_USE_REGISTERED_RING. The task's own table holds a
 * reference, so the syscall may use it without one unless @take_ref.
 */
struct file *io_ringfd_get(unsigned int index, bool take_ref, int *err)
{
	struct io_uring_task *tctx = io_tctx_visible();
	struct file *file;

	*err = -EINVAL;
	if (!tctx || index >= IO_RINGFD_REG_MAX)
		return NULL;
	file = tctx->registered_rings[array_index_nospec(index, IO_RINGFD_REG_MAX)];
	*err = -EBADF;
	if (file && take_ref)
		get_file(file);
	return file;
}
