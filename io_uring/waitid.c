// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_WAITID: waitid(2) without blocking a thread.
 *
 * The request looks for a child to report once at issue. If none is
 * ready, it waits on the submitter's wait_chldexit queue (where the
 * children's state changes are announced) and is parked. A wake-up for
 * a child it might report claims the request (req->wakes) and queues
 * io_waitid_tw() to the submitter, which looks again: the child may have
 * been reaped by someone else meanwhile, so a wake-up can be spurious,
 * and then the request stays on the queue and waits on. The owner leaves
 * the queue under its lock before it completes the request, so no
 * wake-up runs on freed memory.
 *
 * A cancel claims a request only while nobody has. Otherwise the owner
 * is looking for a child right now; the cancel flag makes it give up if
 * it finds none. A cancelled request writes a zeroed siginfo and reaps
 * nothing; once the ring is closed it does neither.
 */
#include <linux/compat.h>
#include <linux/io_uring.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "../kernel/exit.h"
#include "io_uring.h"
#include "waitid.h"

/* IORING_OP_WAITID */
struct io_waitid {
	struct file		*file;
	struct siginfo __user	*infop;		/* may be NULL */
	int			which;		/* P_* */
	pid_t			upid;
	int			options;	/* W* */
	bool			compat;		/* infop is a compat_siginfo */
	bool			cancelled;	/* a cancel owns it */
};

struct io_waitid_data {
	struct io_kiocb		*req;
	struct wait_opts	wo;		/* wo.child_wait is our entry */
	struct waitid_info	info;
	wait_queue_head_t	*head;		/* the queue we are on, or NULL */
};

static void io_waitid_tw(struct io_kiocb *req, unsigned int issue_flags);

/*
 * Write what waitid(2) writes: six fields, the rest of the siginfo is
 * left alone. Returns false if @infop cannot be written.
 */
static bool io_waitid_put_native(struct siginfo __user *infop, int signo,
				 const struct waitid_info *info)
{
	if (!user_write_access_begin(infop, sizeof(*infop)))
		return false;
	unsafe_put_user(signo, &infop->si_signo, fault);
	unsafe_put_user(0, &infop->si_errno, fault);
	unsafe_put_user(info->cause, &infop->si_code, fault);
	unsafe_put_user(info->pid, &infop->si_pid, fault);
	unsafe_put_user(info->uid, &infop->si_uid, fault);
	unsafe_put_user(info->status, &infop->si_status, fault);
	user_write_access_end();
	return true;
fault:
	user_write_access_end();
	return false;
}

#ifdef CONFIG_COMPAT
static bool io_waitid_put_compat(struct compat_siginfo __user *infop,
				 int signo, const struct waitid_info *info)
{
	if (!user_write_access_begin(infop, sizeof(*infop)))
		return false;
	unsafe_put_user(signo, &infop->si_signo, fault);
	unsafe_put_user(0, &infop->si_errno, fault);
	unsafe_put_user(info->cause, &infop->si_code, fault);
	unsafe_put_user(info->pid, &infop->si_pid, fault);
	unsafe_put_user(info->uid, &infop->si_uid, fault);
	unsafe_put_user(info->status, &infop->si_status, fault);
	user_write_access_end();
	return true;
fault:
	user_write_access_end();
	return false;
}
#endif

static bool io_waitid_put_si(struct io_kiocb *req, int signo)
{
	struct io_waitid *iw = io_kiocb_to_cmd(req, struct io_waitid);
	struct io_waitid_data *wd = req->async_data;

	if (!iw->infop)
		return true;
#ifdef CONFIG_COMPAT
	if (iw->compat)
		return io_waitid_put_compat((struct compat_siginfo __user *)iw->infop,
					    signo, &wd->info);
#endif
	return io_waitid_put_native(iw->infop, signo, &wd->info);
}

/* The result of __do_wait() as the CQE reports it, siginfo written. */
static int io_waitid_result(struct io_kiocb *req, long ret)
{
	int signo = 0;

	/* a positive result is the pid of the child reported */
	if (ret > 0) {
		signo = SIGCHLD;
		ret = 0;
	}
	if (!io_waitid_put_si(req, signo))
		ret = -EFAULT;
	return ret;
}

static void io_waitid_leave(struct io_waitid_data *wd)
{
	if (wd->head) {
		remove_wait_queue(wd->head, &wd->wo.child_wait);
		wd->head = NULL;
	}
}

static int io_waitid_wake(struct wait_queue_entry *wait, unsigned int mode,
			  int sync, void *key)
{
	struct wait_opts *wo = container_of(wait, struct wait_opts, child_wait);
	struct io_waitid_data *wd = container_of(wo, struct io_waitid_data, wo);
	struct io_kiocb *req = wd->req;

	/* key is the child whose state changed */
	if (!pid_child_should_wake(wo, key))
		return 0;
	if (io_wake_claim(req))
		io_req_queue_tw(req, io_waitid_tw);
	return 1;
}

/*
 * A request a wake-up has claimed is looking for a child: it completes
 * with what it finds, or else sees the cancel flag, and 6.12 reports it
 * not found (-ENOENT). A single cancel reports 1, the number found.
 */
static int io_waitid_cancel(struct io_kiocb *req)
{
	struct io_waitid *iw = io_kiocb_to_cmd(req, struct io_waitid);

	if (!io_wake_claim_cancel(req))
		return -ENOENT;
	iw->cancelled = true;
	io_req_queue_tw(req, io_waitid_tw);
	return IO_CANCEL_BATCHED;
}

/*
 * Cancelled: write a zeroed siginfo unless nobody is there to read it
 * (the submitter is exiting, or the ring is closed), and reap nothing.
 */
static void io_waitid_cancelled(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_waitid_data *wd = req->async_data;

	io_waitid_leave(wd);
	io_req_unpark(req);
	if (!(issue_flags & IO_URING_F_TASK_DEAD) &&
	    !percpu_ref_is_dying(&req->ctx->refs)) {
		memset(&wd->info, 0, sizeof(wd->info));
		io_waitid_put_si(req, 0);
	}
	io_req_fail(req, -ECANCELED);
}

/* The owner, in the submitter: look for a child again. */
static void io_waitid_tw(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_waitid *iw = io_kiocb_to_cmd(req, struct io_waitid);
	struct io_waitid_data *wd = req->async_data;
	struct io_ring_ctx *ctx = req->ctx;
	long ret;
	s64 seen;

	mutex_lock(&ctx->uring_lock);
	do {
		seen = atomic64_read(&req->wakes);
		/*
		 * __do_wait() looks at current's children: it must be ours.
		 * Once the ring is closed, nobody hears of a child we would
		 * reap, so leave it be.
		 */
		if (iw->cancelled || (issue_flags & IO_URING_F_TASK_DEAD) ||
		    percpu_ref_is_dying(&ctx->refs)) {
			io_waitid_cancelled(req, issue_flags);
			break;
		}
		ret = __do_wait(&wd->wo);
		if (ret != -ERESTARTSYS) {
			io_waitid_leave(wd);
			io_req_unpark(req);
			ret = io_waitid_result(req, ret);
			if (ret < 0)
				io_req_set_fail(req);
			io_req_set_res(req, ret, 0);
			io_req_complete(req);
			break;
		}
		/* nothing to report: a cancel that came meanwhile wins */
		if (seen & IO_WAKE_CANCEL) {
			io_waitid_cancelled(req, issue_flags);
			break;
		}
	} while (io_wake_release(req, seen));
	mutex_unlock(&ctx->uring_lock);
}

int io_waitid_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_waitid *iw = io_kiocb_to_cmd(req, struct io_waitid);
	bool unused = READ_ONCE(sqe->addr) || READ_ONCE(sqe->addr3) ||
		      READ_ONCE(sqe->buf_index) || READ_ONCE(sqe->waitid_flags);

	if (unused)
		return -EINVAL;
	/* idtype in len, id in fd, options in file_index, siginfo at addr2 */
	iw->infop = u64_to_user_ptr(READ_ONCE(sqe->addr2));
	iw->options = READ_ONCE(sqe->file_index);
	iw->upid = READ_ONCE(sqe->fd);
	iw->which = READ_ONCE(sqe->len);
	/* prep runs in the submitter's io_uring_enter() */
	/* the ring creator's layout: the SQ thread is always 64-bit */
	iw->compat = req->ctx->compat;
	iw->cancelled = false;
	return 0;
}

/*
 * The wait's state, in req->async_data (freed with the request, even when
 * this fails): checked options, and the entry for the child wait queue.
 */
static long io_waitid_setup(struct io_kiocb *req)
{
	struct io_waitid *iw = io_kiocb_to_cmd(req, struct io_waitid);
	struct io_waitid_data *wd;

	/* issued once: nothing was here before */
	wd = kzalloc(sizeof(*wd), GFP_KERNEL_ACCOUNT);
	if (!wd)
		return -ENOMEM;
	req->flags |= REQ_F_ASYNC_DATA;
	req->async_data = wd;
	wd->req = req;
	init_waitqueue_func_entry(&wd->wo.child_wait, io_waitid_wake);
	/* __WNOTHREAD compares a child's parent with this */
	wd->wo.child_wait.private = req->task;
	/* bad options, idtype or id, or not a pidfd: nothing written */
	return kernel_waitid_prepare(&wd->wo, iw->which, iw->upid, &wd->info,
				     iw->options, NULL);
}

int io_waitid(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_ring_ctx *ctx = req->ctx;
	struct io_waitid_data *wd;
	long ret;

	ret = io_waitid_setup(req);
	if (ret)
		return ret;
	wd = req->async_data;

	io_ring_lock(ctx, issue_flags);
	/*
	 * We own the request while we look: a child that changes state
	 * meanwhile only counts, and we look again for it below.
	 */
	atomic64_set(&req->wakes, 1);
	wd->head = &current->signal->wait_chldexit;
	add_wait_queue(wd->head, &wd->wo.child_wait);
	ret = __do_wait(&wd->wo);
	if (ret == -ERESTARTSYS) {
		io_req_park(req, io_waitid_cancel);
		if (io_wake_release(req, 1))
			io_req_queue_tw(req, io_waitid_tw);
		else if ((issue_flags & IO_URING_F_IOWQ) &&
			 (READ_ONCE(req->work.flags) & IO_WQ_WORK_CANCEL))
			io_waitid_cancel(req);
		io_ring_unlock(ctx, issue_flags);
		return IOU_QUEUED;
	}
	io_waitid_leave(wd);
	io_ring_unlock(ctx, issue_flags);

	ret = io_waitid_result(req, ret);
	return io_req_result(req, ret);
}

void io_waitid_cleanup(struct io_kiocb *req)
{
	struct io_waitid_data *wd = req->async_data;

	if (wd)
		put_pid(wd->wo.wo_pid);
}
