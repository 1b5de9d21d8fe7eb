// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_SETUP_SQPOLL: a kernel thread that submits for the application.
 *
 * The thread ("iou-sqp-<pid>") is an io thread of the process that made
 * the ring, so it shares that process's files, memory and credentials and
 * dies with it. It watches the SQ tails of its rings and submits what
 * appears there: the application queues SQEs without a system call. After
 * sq_thread_idle without work it sets IORING_SQ_NEED_WAKEUP in each ring
 * and sleeps until io_uring_enter(IORING_ENTER_SQ_WAKEUP), task work, or a
 * ring joining or leaving wakes it.
 *
 * Requests it submits are its own (req->task is the thread): their task
 * work runs in its loop, their workers are its workers, and when it exits
 * it waits for them like any task does.
 *
 * Rings set up with IORING_SETUP_ATTACH_WQ share the thread of the ring
 * they name, through one struct io_sqd.
 *
 * Lifetime: struct io_sqd holds one reference per ring on its list and one
 * for the thread; the last put frees it. The last ring to leave tells the
 * thread to stop. A ring leaves only when it is freed, once no request of
 * it is left, so the thread never loses a ring it still has work in.
 *
 * Locks: sqd->lock protects the ring list and sqd->thread. It nests
 * outside ctx->uring_lock. The thread keeps it while it polls, so that an
 * idle pass costs no atomic operation, and lets go of it when it sleeps,
 * handles a signal, or someone else wants it: others take it with
 * io_sqd_lock(), which raises sqd->lock_wanted first. Rings join and
 * leave between passes.
 */
#include <linux/audit.h>
#include <linux/cpuset.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/io_uring.h>
#include <linux/sched/cputime.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "io_uring.h"
#include "sqpoll.h"
#include "tctx.h"

/* With several rings, each gets at most this many SQEs per pass. */
#define IO_SQ_FAIR_BATCH	8

struct io_sqd {
	refcount_t			refs;
	/* the ring list and thread; see "Locks" above */
	struct mutex			lock;
	/* tasks waiting in io_sqd_lock(): the thread lets go for them */
	atomic_t			lock_wanted;
	struct list_head		rings;	/* io_ring_ctx.sqd_node */
	/* NULL once it has exited; RCU for readers without sqd->lock */
	struct task_struct __rcu	*thread;
	wait_queue_head_t		wait;	/* where the thread sleeps */
	unsigned long			idle;	/* jiffies: the rings' longest */
	bool				stop;	/* no ring left */
	int				cpu;	/* IORING_SETUP_SQ_AFF, or -1 */
	pid_t				creator_pid;
	pid_t				tgid;	/* only this process may attach */
	pid_t				pid;	/* the thread's, for fdinfo */
	u64				work_usec; /* system time spent working */
	/* the thread is attached to the first ring and has its worker pool */
	struct completion		started;
};

/* sqd->lock for anyone but the thread, which may be holding it to poll. */
static void io_sqd_lock(struct io_sqd *sqd)
{
	atomic_inc(&sqd->lock_wanted);
	mutex_lock(&sqd->lock);
	if (atomic_dec_and_test(&sqd->lock_wanted))
		wake_up_var(&sqd->lock_wanted);
}

/* The thread: let go of sqd->lock until those who want it have had it. */
static void io_sqd_yield_lock(struct io_sqd *sqd)
{
	mutex_unlock(&sqd->lock);
	wait_var_event(&sqd->lock_wanted, !atomic_read(&sqd->lock_wanted));
	mutex_lock(&sqd->lock);
}

static void io_sqd_put(struct io_sqd *sqd)
{
	if (refcount_dec_and_test(&sqd->refs))
		kfree(sqd);
}

/* The longest idle time of the rings decides when the thread sleeps. */
static void io_sqd_update_idle(struct io_sqd *sqd)
{
	struct io_ring_ctx *ctx;
	unsigned long idle = 0;

	lockdep_assert_held(&sqd->lock);
	list_for_each_entry(ctx, &sqd->rings, sqd_node)
		idle = max(idle, ctx->sq_idle);
	WRITE_ONCE(sqd->idle, idle);
}

static u64 io_sq_cpu_usec(struct task_struct *tsk)
{
	u64 utime, stime;

	task_cputime_adjusted(tsk, &utime, &stime);
	return div_u64(stime, NSEC_PER_USEC);
}

static bool io_sq_full(struct io_ring_ctx *ctx)
{
	/* by the head the application sees, published after the SQEs are read */
	return READ_ONCE(ctx->rings->sq_tail) - READ_ONCE(ctx->rings->sq_head) ==
	       ctx->sq_entries;
}

/* Something for the thread to do in @ctx now. */
static bool io_sq_ring_busy(struct io_ring_ctx *ctx)
{
	/* nothing is submitted before the ring is enabled */
	if (smp_load_acquire(&ctx->flags) & IORING_SETUP_R_DISABLED)
		return false;
	return io_sq_pending(ctx) || io_iopoll_pending(ctx);
}

/* Reap and submit what @ctx has; the caller saw io_sq_ring_busy(). */
static void io_sq_ring_run(struct io_ring_ctx *ctx, bool share)
{
	unsigned int nr = io_sq_pending(ctx);
	const struct cred *old = NULL;

	/*
	 * A ring being closed takes no new requests. The reference also
	 * keeps a closed ring from reaching zero under us: its teardown
	 * would then wait for sqd->lock, and the requests we make.
	 */
	if (!percpu_ref_tryget_live(&ctx->refs))
		return;
	if (io_tctx_attach(ctx))
		goto out;
	if (share)
		nr = min(nr, IO_SQ_FAIR_BATCH);
	if (ctx->creds != current_cred())
		old = override_creds(ctx->creds);
	mutex_lock(&ctx->uring_lock);
	io_iopoll_reap(ctx, 0);
	if (nr)
		io_submit_sqes(ctx, nr);
	mutex_unlock(&ctx->uring_lock);
	if (old)
		revert_creds(old);
	if (nr && wq_has_sleeper(&ctx->sq_space_wait))
		wake_up(&ctx->sq_space_wait);
out:
	percpu_ref_put(&ctx->refs);
}

/* One pass over every ring; returns true if any had work. */
static bool io_sq_pass(struct io_sqd *sqd)
{
	struct io_ring_ctx *ctx;
	bool busy = false, share;
	u64 start = 0;

	lockdep_assert_held(&sqd->lock);
	share = !list_is_singular(&sqd->rings);
	list_for_each_entry(ctx, &sqd->rings, sqd_node) {
		if (!io_sq_ring_busy(ctx))
			continue;
		/* only time spent working counts in SqWorkTime */
		if (!busy)
			start = io_sq_cpu_usec(current);
		busy = true;
		io_sq_ring_run(ctx, share);
	}
	if (io_run_task_work() && !busy) {
		start = io_sq_cpu_usec(current);
		busy = true;
	}
	if (busy)
		sqd->work_usec += io_sq_cpu_usec(current) - start;
	return busy;
}

/*
 * Sleep until woken, with sqd->lock held on entry and exit but not while
 * asleep. IORING_SQ_NEED_WAKEUP goes up first and the SQs are looked at
 * after it: an application that queued an SQE meanwhile either is seen
 * here or sees the flag and wakes us.
 */
static void io_sq_sleep(struct io_sqd *sqd)
{
	struct io_ring_ctx *ctx;
	bool work = false;
	DEFINE_WAIT(wait);

	lockdep_assert_held(&sqd->lock);
	prepare_to_wait(&sqd->wait, &wait, TASK_INTERRUPTIBLE);
	list_for_each_entry(ctx, &sqd->rings, sqd_node)
		atomic_or(IORING_SQ_NEED_WAKEUP, &ctx->rings->sq_flags);
	/* pairs with the application's barrier between SQ tail and flags */
	smp_mb__after_atomic();
	list_for_each_entry(ctx, &sqd->rings, sqd_node)
		work |= io_sq_ring_busy(ctx);
	mutex_unlock(&sqd->lock);

	/* task work and signals set TIF_NOTIFY_SIGNAL/SIGPENDING first */
	if (!work && !READ_ONCE(sqd->stop) && !signal_pending(current))
		schedule();
	finish_wait(&sqd->wait, &wait);

	mutex_lock(&sqd->lock);
	list_for_each_entry(ctx, &sqd->rings, sqd_node)
		atomic_andnot(IORING_SQ_NEED_WAKEUP, &ctx->rings->sq_flags);
}

/*
 * False once the thread must exit: no ring left, or a fatal signal. Holds
 * sqd->lock on entry and exit; a signal or a waiter makes it let go.
 */
static bool io_sq_keep_running(struct io_sqd *sqd)
{
	struct ksignal ksig;
	bool keep = true;

	if (READ_ONCE(sqd->stop))
		return false;
	if (unlikely(signal_pending(current))) {
		mutex_unlock(&sqd->lock);
		/* task work first: it is what TIF_NOTIFY_SIGNAL usually means */
		io_run_task_work();
		/* io threads take only SIGKILL and SIGSTOP; a stop returns */
		if (signal_pending(current))
			keep = !get_signal(&ksig);
		mutex_lock(&sqd->lock);
	}
	if (unlikely(atomic_read(&sqd->lock_wanted)))
		io_sqd_yield_lock(sqd);
	return keep && !READ_ONCE(sqd->stop);
}

static void io_sq_exit(struct io_sqd *sqd)
{
	struct io_ring_ctx *ctx;

	mutex_lock(&sqd->lock);
	rcu_assign_pointer(sqd->thread, NULL);
	/* what the rings still queue needs a submitter that is gone */
	list_for_each_entry(ctx, &sqd->rings, sqd_node) {
		atomic_or(IORING_SQ_NEED_WAKEUP, &ctx->rings->sq_flags);
		wake_up_all(&ctx->sq_space_wait);
	}
	mutex_unlock(&sqd->lock);
	/* sqd->thread's reference */
	put_task_struct(current);
	io_sqd_put(sqd);
}

static int io_sq_thread(void *data)
{
	struct io_sqd *sqd = data;
	char name[TASK_COMM_LEN];
	unsigned long deadline;

	snprintf(name, sizeof(name), "iou-sqp-%d", sqd->creator_pid);
	set_task_comm(current, name);
	WRITE_ONCE(sqd->pid, current->pid);
	/* io threads inherit the creator's affinity; SQ_AFF or any CPU */
	if (sqd->cpu >= 0)
		set_cpus_allowed_ptr(current, cpumask_of(sqd->cpu));
	else
		set_cpus_allowed_ptr(current, cpu_online_mask);
	/* prep may audit before any issue does: have the context ready */
	audit_uring_entry(IORING_OP_NOP);
	audit_uring_exit(true, 0);
	/*
	 * Registration may reach our worker pool (IORING_REGISTER_IOWQ_AFF)
	 * as soon as setup returns. Without memory it is made on first use.
	 */
	mutex_lock(&sqd->lock);
	io_tctx_attach(list_first_entry(&sqd->rings, struct io_ring_ctx,
					sqd_node));
	complete(&sqd->started);

	deadline = jiffies + READ_ONCE(sqd->idle);
	while (io_sq_keep_running(sqd)) {
		if (io_sq_pass(sqd)) {
			deadline = jiffies + READ_ONCE(sqd->idle);
		} else if (!time_before(jiffies, deadline)) {
			io_sq_sleep(sqd);
			deadline = jiffies + READ_ONCE(sqd->idle);
		}
		if (need_resched()) {
			mutex_unlock(&sqd->lock);
			cond_resched();
			mutex_lock(&sqd->lock);
		}
	}
	mutex_unlock(&sqd->lock);
	io_sq_exit(sqd);
	/* do_exit() waits for our requests, see __io_uring_cancel() */
	do_exit(0);
}

/* Add @ctx to a thread that runs; -ENXIO if it is on its way out. */
static int io_sqd_join(struct io_sqd *sqd, struct io_ring_ctx *ctx)
{
	int ret = -ENXIO;

	io_sqd_lock(sqd);
	if (!sqd->stop && rcu_access_pointer(sqd->thread)) {
		list_add_tail(&ctx->sqd_node, &sqd->rings);
		io_sqd_update_idle(sqd);
		ctx->sqd = sqd;
		ret = 0;
	}
	mutex_unlock(&sqd->lock);
	if (ret)
		io_sqd_put(sqd);
	else
		wake_up(&sqd->wait);
	return ret;
}

/*
 * The thread of the ring behind @fd, with a reference: IORING_SETUP_ATTACH_WQ.
 * -EPERM for another process's thread, which makes the caller start its own.
 */
static struct io_sqd *io_sqd_lookup(int fd)
{
	CLASS(fd, f)(fd);
	struct io_ring_ctx *target;
	struct io_sqd *sqd;

	if (fd_empty(f))
		return ERR_PTR(-ENXIO);
	target = io_ring_ctx_from_file(fd_file(f));
	if (!target)
		return ERR_PTR(-EINVAL);
	sqd = target->sqd;
	if (!sqd)
		return ERR_PTR(-EINVAL);
	if (sqd->tgid != current->tgid)
		return ERR_PTR(-EPERM);
	/* target's reference keeps it alive while we hold its file */
	refcount_inc(&sqd->refs);
	return sqd;
}

/* IORING_SETUP_SQ_AFF: the CPU must exist, be online, be ours to use. */
static int io_sq_check_cpu(int cpu)
{
	cpumask_var_t allowed;
	int ret = 0;

	if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -EINVAL;
	if (!alloc_cpumask_var(&allowed, GFP_KERNEL))
		return -ENOMEM;
	cpuset_cpus_allowed(current, allowed);
	if (!cpumask_test_cpu(cpu, allowed))
		ret = -EINVAL;
	free_cpumask_var(allowed);
	return ret;
}

/* A new thread for @ctx alone. */
static int io_sqd_create(struct io_ring_ctx *ctx, struct io_uring_params *p)
{
	struct task_struct *tsk;
	struct io_sqd *sqd;
	int ret, cpu = -1;

	if (p->flags & IORING_SETUP_SQ_AFF) {
		cpu = p->sq_thread_cpu;
		ret = io_sq_check_cpu(cpu);
		if (ret)
			return ret;
	}
	sqd = kzalloc(sizeof(*sqd), GFP_KERNEL_ACCOUNT);
	if (!sqd)
		return -ENOMEM;
	/* the ring's; the thread gets its own once it exists */
	refcount_set(&sqd->refs, 1);
	mutex_init(&sqd->lock);
	atomic_set(&sqd->lock_wanted, 0);
	INIT_LIST_HEAD(&sqd->rings);
	init_waitqueue_head(&sqd->wait);
	init_completion(&sqd->started);
	sqd->cpu = cpu;
	sqd->creator_pid = current->pid;
	sqd->tgid = current->tgid;
	sqd->pid = current->pid;
	list_add(&ctx->sqd_node, &sqd->rings);
	sqd->idle = ctx->sq_idle;
	/* from here the ring's free takes it apart: io_sqpoll_detach() */
	ctx->sqd = sqd;

	tsk = create_io_thread(io_sq_thread, sqd, NUMA_NO_NODE);
	if (IS_ERR(tsk))
		return PTR_ERR(tsk);
	refcount_inc(&sqd->refs);
	rcu_assign_pointer(sqd->thread, get_task_struct(tsk));
	wake_up_new_task(tsk);
	wait_for_completion(&sqd->started);
	return 0;
}

/*
 * Setup: start or join the SQ thread of a ring made with
 * IORING_SETUP_SQPOLL. Without it, IORING_SETUP_ATTACH_WQ still checks
 * its fd (6.12 does, for compatibility) and SQ_AFF is refused.
 */
int io_sqpoll_setup(struct io_ring_ctx *ctx, struct io_uring_params *p)
{
	struct io_sqd *sqd;
	int ret;

	if (!(ctx->flags & IORING_SETUP_SQPOLL)) {
		if (ctx->flags & IORING_SETUP_ATTACH_WQ) {
			CLASS(fd, f)(p->wq_fd);

			if (fd_empty(f))
				return -ENXIO;
			if (!io_ring_ctx_from_file(fd_file(f)))
				return -EINVAL;
		}
		if (ctx->flags & IORING_SETUP_SQ_AFF)
			return -EINVAL;
		return 0;
	}
	ret = security_uring_sqpoll();
	if (ret)
		return ret;
	ctx->sq_idle = msecs_to_jiffies(p->sq_thread_idle);
	if (!ctx->sq_idle)
		ctx->sq_idle = HZ;
	if (ctx->flags & IORING_SETUP_ATTACH_WQ) {
		sqd = io_sqd_lookup(p->wq_fd);
		if (!IS_ERR(sqd))
			return io_sqd_join(sqd, ctx);
		/* another process's thread: this ring gets one of its own */
		if (PTR_ERR(sqd) != -EPERM)
			return PTR_ERR(sqd);
	}
	return io_sqd_create(ctx, p);
}

/* The ring is being freed: leave the thread, which stops if it was last. */
void io_sqpoll_detach(struct io_ring_ctx *ctx)
{
	struct io_sqd *sqd = ctx->sqd;

	if (!sqd)
		return;
	io_sqd_lock(sqd);
	list_del(&ctx->sqd_node);
	io_sqd_update_idle(sqd);
	if (list_empty(&sqd->rings))
		WRITE_ONCE(sqd->stop, true);
	mutex_unlock(&sqd->lock);
	wake_up(&sqd->wait);
	ctx->sqd = NULL;
	io_sqd_put(sqd);
}

void io_sqpoll_wake(struct io_ring_ctx *ctx)
{
	if (ctx->sqd)
		wake_up(&ctx->sqd->wait);
}

/*
 * io_uring_enter() on an SQPOLL ring: the thread submits, the caller may
 * wake it and wait for room in the SQ. Every SQE counts as submitted.
 */
int io_sqpoll_enter(struct io_ring_ctx *ctx, u32 to_submit, u32 flags)
{
	struct io_sqd *sqd = ctx->sqd;

	if (unlikely(!rcu_access_pointer(sqd->thread)))
		return -EOWNERDEAD;
	if (flags & IORING_ENTER_SQ_WAKEUP)
		wake_up(&sqd->wait);
	/* a signal ends the wait early; the call still succeeds */
	if (flags & IORING_ENTER_SQ_WAIT)
		wait_event_interruptible(ctx->sq_space_wait, !io_sq_full(ctx) ||
					 !rcu_access_pointer(sqd->thread));
	return to_submit;
}

/* The SQ thread of @ctx with a reference, or NULL. */
struct task_struct *io_sqpoll_get_task(struct io_ring_ctx *ctx)
{
	struct task_struct *tsk = NULL;

	if (!ctx->sqd)
		return NULL;
	/* the thread's own reference stays until after it clears the pointer */
	rcu_read_lock();
	tsk = rcu_dereference(ctx->sqd->thread);
	if (tsk)
		get_task_struct(tsk);
	rcu_read_unlock();
	return tsk;
}

void io_sqpoll_show_fdinfo(struct io_ring_ctx *ctx, struct seq_file *m)
{
	struct task_struct *tsk = io_sqpoll_get_task(ctx);
	int pid = -1, cpu = -1;
	u64 total = 0, work = 0;

	if (tsk) {
		struct io_sqd *sqd = ctx->sqd;

		pid = READ_ONCE(sqd->pid);
		cpu = sqd->cpu >= 0 ? sqd->cpu : task_cpu(tsk);
		total = io_sq_cpu_usec(tsk);
		/* a snapshot for humans: racing with the thread is fine */
		work = data_race(sqd->work_usec);
		put_task_struct(tsk);
	}
	seq_printf(m, "SqThread:\t%d\n", pid);
	seq_printf(m, "SqThreadCpu:\t%d\n", cpu);
	seq_printf(m, "SqTotalTime:\t%llu\n", total);
	seq_printf(m, "SqWorkTime:\t%llu\n", work);
}
