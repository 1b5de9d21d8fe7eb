// SPDX-License-Identifier: GPL-2.0
/*
 * The io_uring worker pool (see io-wq.h for what it is for).
 *
 * All pool state is under wq->lock. A work item is in exactly one place:
 * on a pending list, in a worker's ->cur, or handed back to its owner
 * through ops->run() or ops->cancel(), never two of these.
 *
 * Workers are created on demand when work is queued and no idle worker
 * of the right type exists, up to the type's limit, and exit after
 * IO_WQ_IDLE_TIMEOUT without work. io_wq_exit() interrupts running work,
 * runs or cancels pending work and waits for every worker to be gone.
 */
#include <linux/cpuset.h>
#include <linux/hash.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/task_work.h>

#include "io-wq.h"

#define IO_WQ_IDLE_TIMEOUT	(5 * HZ)
#define IO_WQ_HASH_BITS		6

struct io_worker {
	struct list_head	node;		/* in wq->workers */
	struct list_head	idle_node;	/* in wq->idle, while idle */
	struct task_struct	*task;
	struct io_wq		*wq;
	struct io_wq_work	*cur;		/* running work, or NULL */
	int			type;		/* IO_WQ_BOUND or _UNBOUND */
};

struct io_wq {
	/* protects everything below */
	spinlock_t		lock;
	const struct io_wq_ops	*ops;
	struct task_struct	*owner;
	struct list_head	pending[IO_WQ_TYPES];
	struct list_head	workers;
	unsigned int		nr_workers[IO_WQ_TYPES];
	unsigned int		max_workers[IO_WQ_TYPES];
	/* idle workers; queueing work takes one off and wakes it */
	struct list_head	idle[IO_WQ_TYPES];
	DECLARE_BITMAP(hash_busy, 1U << IO_WQ_HASH_BITS);
	bool			exiting;
	/* CPUs new workers may run on (IORING_REGISTER_IOWQ_AFF) */
	cpumask_var_t		cpu_mask;
	/* completed when exiting and the last worker is gone */
	struct completion	workers_done;
};

/* Deferred worker creation, run by the owner task (see io_wq_spawn()). */
struct io_wq_spawn {
	struct callback_head	cb;
	struct io_wq		*wq;
	int			type;
};

static int io_work_type(struct io_wq_work *work)
{
	return (work->flags & IO_WQ_WORK_UNBOUND) ? IO_WQ_UNBOUND : IO_WQ_BOUND;
}

void io_wq_hash_work(struct io_wq_work *work, void *key)
{
	work->flags |= IO_WQ_WORK_HASHED;
	work->hash = hash_ptr(key, IO_WQ_HASH_BITS);
}

bool io_wq_current_is_worker(void)
{
	return in_task() && (current->flags & PF_IO_WORKER) &&
	       current->worker_private;
}

/* For work that retries in a loop: stop, the pool or process is going. */
bool io_wq_worker_stopped(void)
{
	struct io_worker *worker = current->worker_private;

	return fatal_signal_pending(current) || !worker ||
	       READ_ONCE(worker->wq->exiting);
}

/* First runnable work of @type: hashed work waits while its hash runs. */
static struct io_wq_work *io_wq_pick(struct io_wq *wq, int type)
{
	struct io_wq_work *work;

	lockdep_assert_held(&wq->lock);
	list_for_each_entry(work, &wq->pending[type], list) {
		if ((work->flags & IO_WQ_WORK_HASHED) &&
		    test_bit(work->hash, wq->hash_busy))
			continue;
		list_del_init(&work->list);
		if (work->flags & IO_WQ_WORK_HASHED)
			__set_bit(work->hash, wq->hash_busy);
		return work;
	}
	return NULL;
}

static void io_wq_finish(struct io_wq *wq, struct io_worker *worker)
{
	struct io_wq_work *work = worker->cur;

	/* same-hash work that was skipped meanwhile is picked next by us */
	spin_lock(&wq->lock);
	worker->cur = NULL;
	if (work->flags & IO_WQ_WORK_HASHED)
		__clear_bit(work->hash, wq->hash_busy);
	spin_unlock(&wq->lock);
	/* no cancel can reach it any more: hand it back */
	wq->ops->done(work);
}

static void io_wq_handle_signals(void)
{
	struct ksignal ksig;

	if (test_thread_flag(TIF_NOTIFY_SIGNAL))
		clear_notify_signal();
	if (task_work_pending(current))
		task_work_run();
	/*
	 * Workers block every signal but SIGKILL and SIGSTOP. get_signal()
	 * stops us for the latter and, for a worker, returns on SIGKILL
	 * instead of exiting, which the caller sees as a fatal signal.
	 */
	if (signal_pending(current) && !fatal_signal_pending(current))
		get_signal(&ksig);
}

/*
 * Wait for work. Returns true if the worker should exit: the pool is
 * going away, the process is being killed, or it was idle too long.
 */
static bool io_wq_idle(struct io_wq *wq, struct io_worker *worker)
{
	long left;

	list_add(&worker->idle_node, &wq->idle[worker->type]);
	/* set before unlocking: a waker removes us under the lock first */
	set_current_state(TASK_INTERRUPTIBLE);
	spin_unlock(&wq->lock);
	left = schedule_timeout(IO_WQ_IDLE_TIMEOUT);
	io_wq_handle_signals();
	spin_lock(&wq->lock);
	/* still listed: nobody claimed us, we woke on our own */
	list_del_init(&worker->idle_node);
	/* a pool going away: the caller looks for work once more first */
	return fatal_signal_pending(current) ||
	       (!left && list_empty(&wq->pending[worker->type]));
}

/*
 * A worker, or a worker that was counted but could not be created, is
 * gone. nr_workers counts both kinds, so io_wq_exit() waits for them all.
 */
static void io_wq_worker_gone(struct io_wq *wq, int type)
{
	bool last;

	spin_lock(&wq->lock);
	wq->nr_workers[type]--;
	last = wq->exiting && !wq->nr_workers[IO_WQ_BOUND] &&
	       !wq->nr_workers[IO_WQ_UNBOUND];
	spin_unlock(&wq->lock);
	if (last)
		complete(&wq->workers_done);
}

static void io_wq_worker_exit(struct io_wq *wq, struct io_worker *worker)
{
	int type = worker->type;

	spin_lock(&wq->lock);
	list_del(&worker->node);
	spin_unlock(&wq->lock);
	current->worker_private = NULL;
	kfree(worker);
	io_wq_worker_gone(wq, type);
}

static int io_wq_worker_fn(void *data)
{
	struct io_worker *worker = data;
	struct io_wq *wq = worker->wq;
	char name[TASK_COMM_LEN];

	snprintf(name, sizeof(name), "iou-wrk-%d", wq->owner->pid);
	set_task_comm(current, name);
	current->worker_private = worker;

	spin_lock(&wq->lock);
	while (!fatal_signal_pending(current)) {
		struct io_wq_work *work = io_wq_pick(wq, worker->type);

		if (!work) {
			/* a pool going away lets its workers go when idle */
			if (wq->exiting || io_wq_idle(wq, worker))
				break;
			continue;
		}
		worker->cur = work;
		/*
		 * A pool being drained (io_wq_exit()) still runs what was
		 * queued, but its owner waits for us: what would block is
		 * interrupted instead.
		 */
		if (wq->exiting)
			set_notify_signal(current);
		spin_unlock(&wq->lock);
		wq->ops->run(work);
		io_wq_finish(wq, worker);
		io_wq_handle_signals();
		spin_lock(&wq->lock);
	}
	spin_unlock(&wq->lock);
	io_wq_worker_exit(wq, worker);
	do_exit(0);
}

/* Create a worker of @type; runs in the owner task or one of its workers. */
static bool io_wq_create_worker(struct io_wq *wq, int type)
{
	struct io_worker *worker;
	struct task_struct *tsk;

	worker = kzalloc(sizeof(*worker), GFP_KERNEL);
	if (!worker)
		return false;
	worker->wq = wq;
	worker->type = type;
	INIT_LIST_HEAD(&worker->idle_node);
	tsk = create_io_thread(io_wq_worker_fn, worker, NUMA_NO_NODE);
	if (IS_ERR(tsk)) {
		kfree(worker);
		return false;
	}
	worker->task = tsk;
	set_cpus_allowed_ptr(tsk, wq->cpu_mask);
	spin_lock(&wq->lock);
	list_add_tail(&worker->node, &wq->workers);
	spin_unlock(&wq->lock);
	wake_up_new_task(tsk);
	return true;
}

static void io_wq_fail_pending(struct io_wq *wq, int type)
{
	struct io_wq_work *work, *tmp;
	LIST_HEAD(failed);

	spin_lock(&wq->lock);
	/* without any worker of this type, nobody will ever run these */
	if (!wq->nr_workers[type])
		list_splice_init(&wq->pending[type], &failed);
	spin_unlock(&wq->lock);
	list_for_each_entry_safe(work, tmp, &failed, list) {
		list_del_init(&work->list);
		wq->ops->cancel(work);
	}
}

static void io_wq_spawn_now(struct io_wq *wq, int type)
{
	if (!READ_ONCE(wq->exiting) && io_wq_create_worker(wq, type))
		return;
	io_wq_worker_gone(wq, type);
	io_wq_fail_pending(wq, type);
}

static void io_wq_spawn_cb(struct callback_head *cb)
{
	struct io_wq_spawn *sp = container_of(cb, struct io_wq_spawn, cb);

	io_wq_spawn_now(sp->wq, sp->type);
	kfree(sp);
}

/*
 * Workers are threads of the owner, so only the owner's thread group can
 * create them; from elsewhere, ask the owner to do it.
 */
static void io_wq_spawn(struct io_wq *wq, int type)
{
	struct io_wq_spawn *sp;

	if (current->tgid == wq->owner->tgid && !(current->flags & PF_EXITING)) {
		io_wq_spawn_now(wq, type);
		return;
	}
	sp = kmalloc(sizeof(*sp), GFP_ATOMIC);
	if (sp) {
		sp->wq = wq;
		sp->type = type;
		init_task_work(&sp->cb, io_wq_spawn_cb);
		if (!task_work_add(wq->owner, &sp->cb, TWA_SIGNAL))
			return;
		kfree(sp);
	}
	io_wq_worker_gone(wq, type);
	io_wq_fail_pending(wq, type);
}

void io_wq_enqueue(struct io_wq *wq, struct io_wq_work *work)
{
	int type = io_work_type(work);
	bool spawn = false;

	spin_lock(&wq->lock);
	if (wq->exiting) {
		spin_unlock(&wq->lock);
		wq->ops->cancel(work);
		return;
	}
	list_add_tail(&work->list, &wq->pending[type]);
	if (!list_empty(&wq->idle[type])) {
		struct io_worker *idle = list_first_entry(&wq->idle[type],
							  struct io_worker,
							  idle_node);

		/* claimed: no other enqueue can count on this worker */
		list_del_init(&idle->idle_node);
		wake_up_process(idle->task);
	} else if (wq->nr_workers[type] < wq->max_workers[type]) {
		wq->nr_workers[type]++;
		spawn = true;
	}
	spin_unlock(&wq->lock);
	if (spawn)
		io_wq_spawn(wq, type);
}

/**
 * io_wq_cancel - take matching work off the pool
 * @match: picks the work; @all: every match, or stop at the first
 * @cancelled: pending work that matched is moved here, for the caller to
 *	hand to io_wq_cancel_list() once it holds no locks
 * @nr_pending: if set, grows by the number of pending works moved
 *
 * Running work that matches is interrupted instead.
 */
enum io_wq_cancel io_wq_cancel(struct io_wq *wq, io_wq_match_fn *match,
			       void *data, bool all, struct list_head *cancelled,
			       unsigned int *nr_pending)
{
	enum io_wq_cancel ret = IO_WQ_CANCEL_NOTFOUND;
	struct io_wq_work *work, *tmp;
	struct io_worker *worker;
	int type;

	spin_lock(&wq->lock);
	for (type = 0; type < IO_WQ_TYPES; type++) {
		list_for_each_entry_safe(work, tmp, &wq->pending[type], list) {
			if (!match(work, data))
				continue;
			list_move_tail(&work->list, cancelled);
			ret = IO_WQ_CANCEL_OK;
			if (nr_pending)
				(*nr_pending)++;
			if (!all)
				goto out;
		}
	}
	list_for_each_entry(worker, &wq->workers, node) {
		if (!worker->cur || !match(worker->cur, data))
			continue;
		worker->cur->flags |= IO_WQ_WORK_CANCEL;
		set_notify_signal(worker->task);
		if (ret == IO_WQ_CANCEL_NOTFOUND)
			ret = IO_WQ_CANCEL_RUNNING;
		if (!all)
			break;
	}
out:
	spin_unlock(&wq->lock);
	return ret;
}

/* Finish work that io_wq_cancel() took off its pool, as cancelled. */
void io_wq_cancel_list(const struct io_wq_ops *ops, struct list_head *works)
{
	struct io_wq_work *work, *tmp;

	list_for_each_entry_safe(work, tmp, works, list) {
		list_del_init(&work->list);
		ops->cancel(work);
		cond_resched();
	}
}

/*
 * IORING_REGISTER_IOWQ_MAX_WORKERS: counts[0] bounded, counts[1]
 * unbounded; 0 leaves a limit alone. The old limits are returned in
 * @counts.
 */
int io_wq_max_workers(struct io_wq *wq, int *counts)
{
	int cap = min_t(unsigned long, task_rlimit(wq->owner, RLIMIT_NPROC),
			INT_MAX);
	int type, old, want;

	spin_lock(&wq->lock);
	for (type = 0; type < IO_WQ_TYPES; type++) {
		old = wq->max_workers[type];
		/* 0, asked for or capped to, leaves the limit as it is */
		want = min(counts[type], cap);
		if (want)
			wq->max_workers[type] = want;
		counts[type] = old;
	}
	spin_unlock(&wq->lock);
	return 0;
}

struct io_wq *io_wq_create(unsigned int bounded, const struct io_wq_ops *ops)
{
	struct io_wq *wq;
	int type;

	wq = kzalloc(sizeof(*wq), GFP_KERNEL_ACCOUNT);
	if (!wq)
		return ERR_PTR(-ENOMEM);
	if (!alloc_cpumask_var(&wq->cpu_mask, GFP_KERNEL)) {
		kfree(wq);
		return ERR_PTR(-ENOMEM);
	}
	cpuset_cpus_allowed(current, wq->cpu_mask);
	spin_lock_init(&wq->lock);
	wq->ops = ops;
	wq->owner = get_task_struct(current);
	for (type = 0; type < IO_WQ_TYPES; type++) {
		INIT_LIST_HEAD(&wq->pending[type]);
		INIT_LIST_HEAD(&wq->idle[type]);
	}
	INIT_LIST_HEAD(&wq->workers);
	init_completion(&wq->workers_done);
	wq->max_workers[IO_WQ_BOUND] = max(bounded, 1U);
	wq->max_workers[IO_WQ_UNBOUND] = min_t(unsigned long, INT_MAX,
					       task_rlimit(current, RLIMIT_NPROC));
	return wq;
}

/* Hand back, as cancelled, what is pending; every worker is gone. */
static void io_wq_cancel_pending(struct io_wq *wq)
{
	struct io_wq_work *work, *tmp;
	LIST_HEAD(cancelled);
	int type;

	spin_lock(&wq->lock);
	for (type = 0; type < IO_WQ_TYPES; type++)
		list_splice_tail_init(&wq->pending[type], &cancelled);
	spin_unlock(&wq->lock);
	list_for_each_entry_safe(work, tmp, &cancelled, list) {
		list_del_init(&work->list);
		wq->ops->cancel(work);
	}
}

/**
 * io_wq_exit - stop the pool and free it
 * @drain: run what is queued first (task exit, as 6.12 does), rather
 *	   than cancel it (exec)
 *
 * No new work is taken. Running work is interrupted, and so is queued
 * work that @drain lets run, if it would block. Called by the owner task,
 * when it exits or execs; returns once every worker is gone.
 */
void io_wq_exit(struct io_wq *wq, bool drain)
{
	struct io_worker *worker;
	bool wait;

	spin_lock(&wq->lock);
	wq->exiting = true;
	/* interrupts running work and wakes idle workers alike */
	list_for_each_entry(worker, &wq->workers, node)
		set_notify_signal(worker->task);
	wait = wq->nr_workers[IO_WQ_BOUND] || wq->nr_workers[IO_WQ_UNBOUND];
	spin_unlock(&wq->lock);

	if (!drain)
		io_wq_cancel_pending(wq);
	/* a worker creation we asked ourselves for must run, or fail, first */
	if (current == wq->owner && task_work_pending(current))
		task_work_run();
	if (wait)
		wait_for_completion(&wq->workers_done);
	/* what no worker was left to run */
	io_wq_cancel_pending(wq);
	put_task_struct(wq->owner);
	free_cpumask_var(wq->cpu_mask);
	kfree(wq);
}

/*
 * Restrict future workers to @mask, which must be a subset of the CPUs
 * the owner may use; NULL restores all of those. Workers that exist keep
 * their CPUs until they exit.
 */
int io_wq_set_affinity(struct io_wq *wq, const struct cpumask *mask)
{
	cpumask_var_t allowed;
	int ret = 0;

	if (!alloc_cpumask_var(&allowed, GFP_KERNEL))
		return -ENOMEM;
	cpuset_cpus_allowed(wq->owner, allowed);
	if (mask && !cpumask_subset(mask, allowed))
		ret = -EINVAL;
	else
		cpumask_copy(wq->cpu_mask, mask ? mask : allowed);
	free_cpumask_var(allowed);
	return ret;
}

/*
 * The scheduler's hooks. A worker is created for each work item queued
 * while none is idle, up to the type's limit, so a worker that blocks
 * does not need to hand its queue to a spare: there is nothing to do.
 * (At the bounded limit, bounded work waits for a worker by design.)
 */
void io_wq_worker_sleeping(struct task_struct *tsk)
{
}

void io_wq_worker_running(struct task_struct *tsk)
{
}
