// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_SETUP_IOPOLL: completions found by polling the device.
 *
 * On an IOPOLL ring, direct reads and writes go to a device queue that
 * raises no interrupt. Once the device has the I/O, the op puts the
 * request on ctx->iopoll_list with io_iopoll_add(). Whoever reaps the
 * ring (the task in io_uring_enter(IORING_ENTER_GETEVENTS), or the SQ
 * thread) polls the device through the op's ->device_poll; the driver's
 * completion, called from inside that poll, only records the result and
 * sets req->iopoll_done (io_iopoll_done()). The reaper then takes the
 * finished requests off the list and posts their CQEs together.
 *
 * The list is under uring_lock. Its requests complete only by being
 * reaped, so ring teardown and task exit reap until it is empty.
 */
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/io_uring.h>
#include <linux/sched/signal.h>

#include "io_uring.h"
#include "opdef.h"

/*
 * The device has @req: it completes when the ring is reaped. It is not
 * counted in the submitter's in-flight requests: its completion needs
 * nothing of the task (no task work), and the ring's teardown reaps what
 * is left, as in 6.12, where exit does not wait for polled I/O either.
 */
void io_iopoll_add(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_ring_ctx *ctx = req->ctx;

	/* REQ_F_IOPOLL is set before the issue; see io_rw_issue() */
	io_ring_lock(ctx, issue_flags);
	list_add_tail(&req->iopoll_node, &ctx->iopoll_list);
	io_ring_unlock(ctx, issue_flags);
}

/*
 * Poll the devices once. With @spin, the first poll waits for a
 * completion (or for the CPU to be wanted elsewhere). Returns how many
 * requests completed, or a negative errno from the driver.
 */
static int io_iopoll_poll(struct io_ring_ctx *ctx, struct io_comp_batch *iob,
			  bool spin)
{
	unsigned int flags = spin ? 0 : BLK_POLL_ONESHOT;
	struct io_kiocb *req;
	int ret;

	list_for_each_entry(req, &ctx->iopoll_list, iopoll_node) {
		/* one poll of a queue reaps every request done on it */
		if (READ_ONCE(req->iopoll_done))
			return 0;
		ret = io_op_defs[req->opcode].device_poll(req, iob, flags);
		if (ret < 0)
			return ret;
		if (ret > 0 || !rq_list_empty(&iob->req_list))
			return 0;
	}
	return 0;
}

/**
 * io_iopoll_reap - poll the devices and complete what is done
 * @spin: wait for at least one completion, rather than poll once
 *
 * Return: the number of requests completed, or a negative errno.
 */
int io_iopoll_reap(struct io_ring_ctx *ctx, bool spin)
{
	DEFINE_IO_COMP_BATCH(iob);
	struct io_kiocb *req, *tmp, *done = NULL, **tail = &done;
	int ret, nr = 0;

	lockdep_assert_held(&ctx->uring_lock);
	if (list_empty(&ctx->iopoll_list))
		return 0;
	ret = io_iopoll_poll(ctx, &iob, spin);
	/* the batch's ->ki_complete() calls happen here */
	if (!rq_list_empty(&iob.req_list))
		iob.complete(&iob);
	if (ret < 0)
		return ret;
	list_for_each_entry_safe(req, tmp, &ctx->iopoll_list, iopoll_node) {
		/* pairs with io_iopoll_done(): the result is set */
		if (!smp_load_acquire(&req->iopoll_done))
			continue;
		list_del(&req->iopoll_node);
		req->batch_next = NULL;
		*tail = req;
		tail = &req->batch_next;
		nr++;
	}
	if (done)
		io_req_complete_list(ctx, done, true);
	return nr;
}

/*
 * io_uring_enter(IORING_ENTER_GETEVENTS) on an IOPOLL ring, with
 * uring_lock held (the caller may just have submitted under it): poll
 * until @min_events requests completed. Unlike an interrupt-driven wait
 * it has no timeout: it returns early, with 0, whenever nothing is left
 * to poll or another task wants the CPU, and the application calls again.
 */
int io_iopoll_wait(struct io_ring_ctx *ctx, unsigned int min_events)
{
	unsigned int nr = 0;
	int ret = 0;

	lockdep_assert_held(&ctx->uring_lock);
	if (!io_may_run_local_tw(ctx))
		return -EEXIST;
	/* CQEs other rings sent (MSG_RING) wait for us on DEFER_TASKRUN */
	if (!llist_empty(&ctx->deferred_cqes))
		io_cq_post_deferred(ctx);
	if (test_bit(IO_CHECK_CQ_OVERFLOW, &ctx->check_cq))
		io_cq_flush_overflow(ctx);
	/* lost CQEs are reported before any wait */
	if (test_and_clear_bit(IO_CHECK_CQ_DROPPED, &ctx->check_cq))
		return -EBADR;
	/* what is in the CQ already may be an error the application awaits */
	if (io_cq_ready(ctx))
		return 0;
	do {
		/*
		 * Requests a worker issues join the list under uring_lock, and
		 * some complete through task work: let both happen.
		 */
		if (list_empty(&ctx->iopoll_list) || task_work_pending(current) ||
		    !llist_empty(&ctx->local_tw)) {
			u32 tail = ctx->cached_cq_tail;

			mutex_unlock(&ctx->uring_lock);
			io_run_task_work();
			io_run_local_tw(ctx, false);
			mutex_lock(&ctx->uring_lock);
			if (!llist_empty(&ctx->deferred_cqes))
				io_cq_post_deferred(ctx);
			if (tail != ctx->cached_cq_tail ||
			    list_empty(&ctx->iopoll_list))
				break;
		}
		ret = io_iopoll_reap(ctx, min_events);
		if (ret < 0)
			break;
		nr += ret;
		ret = 0;
		if (task_sigpending(current)) {
			ret = -EINTR;
			break;
		}
	} while (nr < min_events && !need_resched());
	return ret;
}

/*
 * Teardown and task exit: complete what the devices have done, one pass
 * at a time with the lock dropped in between. A pass that finds nothing
 * (or an empty list) ends it; the caller comes back after a nap.
 */
void io_iopoll_reap_all(struct io_ring_ctx *ctx)
{
	int reaped;

	if (!(ctx->flags & IORING_SETUP_IOPOLL))
		return;
	do {
		mutex_lock(&ctx->uring_lock);
		reaped = io_iopoll_reap(ctx, true);
		mutex_unlock(&ctx->uring_lock);
		cond_resched();
	} while (reaped > 0);
}
