// SPDX-License-Identifier: GPL-2.0
/*
 * Submission: io_uring_enter(), reading SQEs, and the request lifecycle.
 *
 * Every SQE field is read exactly once, by prep, because the application
 * may change the SQE while we read it. Indices the application controls
 * (the SQ array, sq_tail) are masked or bounds-checked before use.
 */
#include <linux/audit.h>
#include <linux/file.h>
#include <linux/io_uring.h>
#include <linux/nospec.h>
#include <linux/poll.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/syscalls.h>

#include "io_uring.h"
#include "opdef.h"
#include "tctx.h"
#include "eventfd.h"
#include "poll.h"
#include "sqpoll.h"
#include "rsrc_tags.h"
#include "kbuf.h"

#define IOSQE_KNOWN	(IOSQE_FIXED_FILE | IOSQE_IO_DRAIN | IOSQE_IO_LINK | \
			 IOSQE_IO_HARDLINK | IOSQE_ASYNC | \
			 IOSQE_BUFFER_SELECT | IOSQE_CQE_SKIP_SUCCESS)

#define IOSQE_LINKED	(IOSQE_IO_LINK | IOSQE_IO_HARDLINK)

/* Flags that keep a valid request off the submission fast path. */
#define IO_SQE_SLOW_QUEUE	(IOSQE_IO_DRAIN | IOSQE_LINKED | IOSQE_ASYNC | \
				 REQ_F_FORCE_ASYNC)

static struct kmem_cache *io_req_cachep;

int __init io_req_cache_init(void)
{
	io_req_cachep = KMEM_CACHE(io_kiocb, SLAB_HWCACHE_ALIGN | SLAB_PANIC |
				   SLAB_ACCOUNT);
	return 0;
}

/*
 * Requests freed at the end of a submission or of a task work batch are
 * kept on ctx->req_cache (under uring_lock) for the next submission, up
 * to this many. A kept request keeps its reference on ctx->refs, so reuse
 * costs no atomic; the ring's exit work drops them before it waits for
 * the references to go, and none are kept after that.
 */
#define IO_REQ_CACHE_MAX	128

/* A request for submission, with uring_lock held. */
static struct io_kiocb *io_req_alloc(struct io_ring_ctx *ctx)
{
	struct io_kiocb *req = ctx->req_cache;

	if (req) {
		ctx->req_cache = req->batch_next;
		ctx->req_cache_nr--;
		return req;
	}
	req = kmem_cache_alloc(io_req_cachep, GFP_KERNEL);
	if (unlikely(!req))
		return NULL;
	req->ctx = ctx;
	/* what io_req_release() leaves NULL in every request it gives back */
	req->file = NULL;
	req->buf = NULL;
	req->link = NULL;
	req->async_data = NULL;
	req->poll = NULL;
	req->guarded = NULL;
	req->rsrc_gen = NULL;
	percpu_ref_get(&ctx->refs);
	return req;
}

/* Give a request that holds nothing back to the slab, with its ring ref. */
static __always_inline void io_req_dealloc(struct io_ring_ctx *ctx,
					   struct io_kiocb *req)
{
	kmem_cache_free(io_req_cachep, req);
	percpu_ref_put(&ctx->refs);
}

/*
 * Keep a request that holds nothing for reuse, with uring_lock held. Not
 * once the ring is closing: its teardown empties the cache (under
 * uring_lock, after the kill) and waits for every reference. So the
 * caller must have seen the ring alive within the same locked section:
 * a submission (whose ring cannot close, or was taken alive by the SQ
 * thread), or io_req_complete_list(), which looks first.
 */
static __always_inline void io_req_recycle(struct io_kiocb *req)
{
	struct io_ring_ctx *ctx = req->ctx;

	if (ctx->req_cache_nr < IO_REQ_CACHE_MAX) {
		req->batch_next = ctx->req_cache;
		ctx->req_cache = req;
		ctx->req_cache_nr++;
		return;
	}
	io_req_dealloc(ctx, req);
}

/*
 * Give back a request that was allocated but never initialised. The SQ
 * thread submits to a ring that may be closing (it took it alive, but
 * the teardown may have emptied the cache since): then it is freed.
 */
static void io_req_unused(struct io_kiocb *req)
{
	struct io_ring_ctx *ctx = req->ctx;

	if (!percpu_ref_is_dying(&ctx->refs)) {
		io_req_recycle(req);
		return;
	}
	io_req_dealloc(ctx, req);
}

/* Ring teardown: free the kept requests and their references. */
void io_req_cache_drop(struct io_ring_ctx *ctx)
{
	struct io_kiocb *req;

	mutex_lock(&ctx->uring_lock);
	while ((req = ctx->req_cache)) {
		ctx->req_cache = req->batch_next;
		io_req_dealloc(ctx, req);
	}
	ctx->req_cache_nr = 0;
	mutex_unlock(&ctx->uring_lock);
}

/*
 * A request that holds a ring's file (POLL_ADD on a ring, say) may hold
 * up that ring's teardown, which would cancel it: its task's exit
 * cancels it instead, and waits for it. See __io_uring_cancel().
 */
static noinline void io_req_mark_ring_file(struct io_kiocb *req)
{
	req->flags |= REQ_F_RING_FILE;
	atomic_inc(&req->task->io_uring->ring_inflight);
}

static void io_req_uncount_ring_file(struct io_kiocb *req)
{
	struct io_uring_task *tctx = req->task->io_uring;

	if (atomic_dec_and_test(&tctx->ring_inflight) &&
	    wq_has_sleeper(&tctx->wait))
		wake_up_all(&tctx->wait);
}

static void io_req_uncount_inflight(struct io_kiocb *req)
{
	struct io_uring_task *tctx = req->task->io_uring;

	/* the submitter waits for zero before it exits; rarely is it waiting */
	if (atomic_dec_and_test(&tctx->inflight) && wq_has_sleeper(&tctx->wait))
		wake_up_all(&tctx->wait);
}

/* What only some requests hold: see REQ_F_RELEASE_SLOW. */
static noinline void io_req_release_slow(struct io_kiocb *req)
{
	void (*cleanup)(struct io_kiocb *req) = io_op_defs[req->opcode].cleanup;
	u32 flags = req->flags;

	if (cleanup && (flags & (REQ_F_CLEANUP | REQ_F_ASYNC_DATA)))
		cleanup(req);
	if (flags & REQ_F_ASYNC_DATA) {
		kfree(req->async_data);
		req->async_data = NULL;
	}
	if (flags & REQ_F_CREDS)
		put_cred(req->creds);
	if (flags & REQ_F_POLL) {
		kfree(req->poll);
		req->poll = NULL;
	}
	if (flags & REQ_F_INFLIGHT)
		io_req_uncount_inflight(req);
	if (flags & REQ_F_RING_FILE)
		io_req_uncount_ring_file(req);
	if (flags & REQ_F_RSRC_GEN)
		io_req_uncharge_rsrc(req);
	if (flags & REQ_F_KBUF_LEGACY)
		__io_kbuf_drop(req);
}

/*
 * Give back everything the request holds, but not the request, which is
 * left as io_req_alloc() makes them: its resource pointers are NULL.
 */
static __always_inline void io_req_release(struct io_kiocb *req)
{
	if (unlikely(req->flags & REQ_F_RELEASE_SLOW))
		io_req_release_slow(req);
	io_task_ref_put(req->task);
	if (req->file) {
		fput(req->file);
		req->file = NULL;
	}
	if (req->buf) {
		io_buf_put(req->buf);
		req->buf = NULL;
	}
}

/* Free the request; its CQE has been dealt with. */
void io_req_free(struct io_kiocb *req)
{
	struct io_ring_ctx *ctx = req->ctx;

	io_req_release(req);
	io_req_dealloc(ctx, req);
}

static bool io_req_put_last(struct io_kiocb *req)
{
	return !(req->flags & REQ_F_REFCOUNT) || atomic_dec_and_test(&req->refs);
}

void io_req_put(struct io_kiocb *req)
{
	if (io_req_put_last(req))
		io_req_free(req);
}

/*
 * The next SQE, or NULL if the SQ array names a slot that does not exist;
 * such an entry is consumed and counted in sq_dropped.
 */
static const struct io_uring_sqe *io_next_sqe(struct io_ring_ctx *ctx)
{
	unsigned int mask = ctx->sq_entries - 1;
	unsigned int idx = ctx->cached_sq_head++ & mask;

	if (ctx->sq_array) {
		idx = READ_ONCE(ctx->sq_array[idx]);
		if (unlikely(idx >= ctx->sq_entries)) {
			WRITE_ONCE(ctx->rings->sq_dropped,
				   READ_ONCE(ctx->rings->sq_dropped) + 1);
			return NULL;
		}
		idx = array_index_nospec(idx, ctx->sq_entries);
	}
	if (ctx->flags & IORING_SETUP_SQE128)
		idx <<= 1;
	return &ctx->sq_sqes[idx];
}

/* A linked timeout needs a request before it to watch, and not another. */
static bool io_link_can_guard(struct io_ring_ctx *ctx)
{
	return ctx->link_head && !io_op_defs[ctx->link_last->opcode].guard;
}

/* What IORING_REGISTER_RESTRICTIONS lets through. */
static bool io_sqe_allowed(struct io_ring_ctx *ctx, u8 opcode, u32 sqe_flags)
{
	struct io_restrictions *r = &ctx->restrictions;
	u8 required = r->sqe_flags_required;

	if (!test_bit(opcode, r->sqe_op))
		return false;
	if ((sqe_flags & required) != required)
		return false;
	return !(sqe_flags & ~(r->sqe_flags_allowed | required));
}

/*
 * The checks an SQE needs beyond its prep when it sets IOSQE flags other
 * than FIXED_FILE, or its opcode is not in ctx->fast_ops.
 */
static noinline int io_init_check(struct io_ring_ctx *ctx, struct io_kiocb *req,
				  u8 opcode)
{
	const struct io_op_def *def = &io_op_defs[opcode];
	u32 flags = req->flags;

	if (flags & ~IOSQE_KNOWN)
		return -EINVAL;
	if ((flags & IOSQE_BUFFER_SELECT) && !def->buffer_select)
		return -EOPNOTSUPP;
	/* a skipped CQE would make a later drain wait forever */
	if (flags & IOSQE_CQE_SKIP_SUCCESS)
		ctx->drain_disabled = true;
	if ((flags & IOSQE_IO_DRAIN) && ctx->drain_disabled)
		return -EOPNOTSUPP;
	if (unlikely(def->guard) && !io_link_can_guard(ctx))
		return -EINVAL;
	if (ctx->restricted && !io_sqe_allowed(ctx, opcode, flags))
		return -EACCES;
	if (!io_op_supported(opcode))
		return -EOPNOTSUPP;
	if (!def->iopoll && (ctx->flags & IORING_SETUP_IOPOLL))
		return -EINVAL;
	if (def->always_async)
		req->flags |= REQ_F_FORCE_ASYNC;
	return 0;
}

/* Run the request with credentials registered earlier. */
static int io_init_personality(struct io_kiocb *req, u16 personality)
{
	const struct cred *creds;
	int ret;

	creds = xa_load(&req->ctx->personalities, personality);
	if (!creds)
		return -EINVAL;
	ret = security_uring_override_creds(creds);
	if (ret)
		return ret;
	req->creds = get_cred(creds);
	req->flags |= REQ_F_CREDS;
	return 0;
}

/*
 * The file the SQE names, looked up when the request is first issued (a
 * bad fd fails the request, not the submission). The request holds the
 * reference until it is freed.
 */
static bool io_assign_file(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_ring_ctx *ctx = req->ctx;

	if (req->file)
		return true;
	if (req->flags & IOSQE_FIXED_FILE) {
		io_ring_lock(ctx, issue_flags);
		req->file = io_fixed_file_get(ctx, req->fd);
		if (req->file)
			io_req_charge_rsrc(req);
		io_ring_unlock(ctx, issue_flags);
	} else {
		req->file = fget(req->fd);
		if (unlikely(req->file && io_ring_ctx_from_file(req->file)))
			io_req_mark_ring_file(req);
	}
	return req->file;
}

/*
 * Read the SQE into @req. On failure the request still posts a CQE.
 * A request that io_req_alloc() gave has its resource pointers NULL.
 */
static __always_inline int io_init_req(struct io_ring_ctx *ctx,
				       struct io_kiocb *req,
				       const struct io_uring_sqe *sqe)
{
	const struct io_op_def *def;
	u16 personality;
	u8 opcode;
	int ret;

	/* every request counts until its CQE is posted, see io_drain_hold() */
	ctx->nr_submitted++;
	opcode = READ_ONCE(sqe->opcode);
	req->flags = READ_ONCE(sqe->flags);
	req->cqe.user_data = READ_ONCE(sqe->user_data);
	req->cqe.res = 0;
	req->cqe.flags = 0;
	req->big_cqe[0] = 0;
	req->big_cqe[1] = 0;
	req->task = current;
	req->exec_id = current->self_exec_id;
	io_task_ref_get();
	req->opcode = IORING_OP_NOP;	/* safe to free until we know better */

	if (unlikely(opcode >= IORING_OP_LAST))
		return -EINVAL;
	opcode = array_index_nospec(opcode, IORING_OP_LAST);
	def = &io_op_defs[opcode];
	if (unlikely((req->flags & ~IOSQE_FIXED_FILE) ||
		     !(ctx->fast_ops & BIT_ULL(opcode)))) {
		ret = io_init_check(ctx, req, opcode);
		if (ret)
			return ret;
		if (req->flags & IOSQE_BUFFER_SELECT)
			req->bsel.group = READ_ONCE(sqe->buf_group);
	}
	if (!def->ioprio && READ_ONCE(sqe->ioprio))
		return -EINVAL;
	personality = READ_ONCE(sqe->personality);
	if (unlikely(personality)) {
		ret = io_init_personality(req, personality);
		if (ret)
			return ret;
	}
	if (def->needs_file)
		req->fd = READ_ONCE(sqe->fd);
	if (unlikely(ctx->plug_want) && def->plug) {
		blk_start_plug_nr_ios(&ctx->plug, ctx->plug_want);
		ctx->plug_started = true;
		ctx->plug_want = 0;
	}
	/* a failed prep leaves nothing for the op's cleanup to undo */
	req->opcode = opcode;
	ret = def->prep(req, sqe);
	if (unlikely(ret))
		req->opcode = IORING_OP_NOP;
	return ret;
}

static void io_drain_kick(struct io_ring_ctx *ctx);
static void io_req_link_done(struct io_kiocb *req);

/* After the CQE: start or cancel the rest of the chain, drop our ref. */
static __always_inline void io_req_finish(struct io_kiocb *req, bool recycle)
{
	if (unlikely(req->flags & REQ_F_FINISH_SLOW)) {
		if (req->flags & (IOSQE_LINKED | REQ_F_GUARDED))
			io_req_link_done(req);
		if (!io_req_put_last(req))
			return;
	}
	if (recycle) {
		io_req_release(req);
		io_req_recycle(req);
	} else {
		io_req_free(req);
	}
}

/**
 * io_req_complete_list - complete requests of one ring, linked through
 * batch_next, whose results are set: their CQEs go out under one lock
 * @recycle: uring_lock is held, freed requests may be kept for reuse
 */
void io_req_complete_list(struct io_ring_ctx *ctx, struct io_kiocb *req,
			  bool recycle)
{
	struct io_kiocb *next;

	/* see io_req_recycle() */
	if (recycle && unlikely(percpu_ref_is_dying(&ctx->refs)))
		recycle = false;
	if (unlikely(io_cq_post_reqs(ctx, req)))
		io_drain_kick(ctx);
	for (; req; req = next) {
		next = req->batch_next;
		io_req_finish(req, recycle);
	}
}

/* Add @req to the CQE batch of the submission in progress. */
static __always_inline void io_batch_add(struct io_ring_ctx *ctx,
					 struct io_kiocb *req)
{
	req->batch_next = NULL;
	*ctx->batch_tail = req;
	ctx->batch_tail = &req->batch_next;
}

/*
 * A DEFER_TASKRUN ring shows CQEs only when its submitter asks for them:
 * a request done elsewhere (a worker, another task) completes from the
 * ring's task work, as in 6.12. Not once the ring is closing, when its
 * teardown runs that work.
 */
static noinline bool io_req_done_later(struct io_kiocb *req)
{
	struct io_ring_ctx *ctx = req->ctx;

	if (current == ctx->submitter_task || percpu_ref_is_dying(&ctx->refs))
		return false;
	io_req_queue_tw(req, io_req_complete_tw);
	return true;
}

/*
 * The request is done. In the submitter during io_submit_sqes(), it
 * joins the batch whose CQEs go out together at the end; otherwise its
 * CQE is posted now.
 */
static __always_inline void io_req_done(struct io_kiocb *req)
{
	struct io_ring_ctx *ctx = req->ctx;

	if (ctx->batch_task == current) {
		io_batch_add(ctx, req);
		return;
	}
	if (unlikely(ctx->flags & IORING_SETUP_DEFER_TASKRUN) &&
	    io_req_done_later(req))
		return;
	req->batch_next = NULL;
	io_req_complete_list(ctx, req, false);
}

static void io_batch_flush(struct io_ring_ctx *ctx)
{
	struct io_kiocb *req = ctx->batch_first;

	ctx->batch_task = NULL;
	if (!req)
		return;
	ctx->batch_first = NULL;
	io_req_complete_list(ctx, req, true);
}

/*
 * Complete a chain that will not run: requests that failed keep their
 * result, the others are cancelled.
 */
static void __io_fail_chain(struct io_kiocb *req, bool silent)
{
	while (req) {
		struct io_kiocb *next = req->link;

		req->link = NULL;
		if (!(req->flags & REQ_F_FAILED)) {
			io_req_set_res(req, -ECANCELED, 0);
			if (silent)
				req->flags |= IOSQE_CQE_SKIP_SUCCESS;
			else
				io_req_set_fail(req);
		}
		io_req_done(req);
		req = next;
	}
}

static void io_fail_chain(struct io_kiocb *req)
{
	__io_fail_chain(req, false);
}

static void io_queue_req_cold(struct io_kiocb *req);

/* Task work: issue the next request of a chain from the submitter. */
static void io_req_issue_tw(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_ring_ctx *ctx = req->ctx;

	/*
	 * Its task is gone, or its ring: nothing runs any more. As in 6.12,
	 * the request fails with -EFAULT (it could not reach its memory),
	 * and the rest of a soft chain is cancelled.
	 */
	if (unlikely((issue_flags & IO_URING_F_TASK_DEAD) ||
		     percpu_ref_is_dying(&ctx->refs))) {
		io_req_fail(req, -EFAULT);
		return;
	}
	mutex_lock(&ctx->uring_lock);
	io_queue_req_cold(req);
	mutex_unlock(&ctx->uring_lock);
}

/* Take @guard out of the chain after @req, under ctx->link_lock. */
static void __io_link_unhook(struct io_kiocb *req, struct io_kiocb *guard)
{
	lockdep_assert_held(&req->ctx->link_lock);
	req->link = guard->link;
	guard->link = NULL;
	guard->guarded = NULL;
}

/**
 * io_link_unguard - a linked timeout lets go of the request it watches
 *
 * Unhooks @guard from the chain and returns the request it watched, with
 * a reference the caller must put, or NULL if that request has finished
 * already (which unhooked @guard itself).
 */
struct io_kiocb *io_link_unguard(struct io_kiocb *guard)
{
	struct io_ring_ctx *ctx = guard->ctx;
	struct io_kiocb *req;

	spin_lock(&ctx->link_lock);
	req = guard->guarded;
	if (req) {
		__io_link_unhook(req, guard);
		/* it cannot be freed before passing io_link_drop_guard() */
		atomic_inc(&req->refs);
	}
	spin_unlock(&ctx->link_lock);
	return req;
}

/*
 * @req, which a linked timeout watches, finished: unhook the timeout from
 * the chain and cancel it. If it is firing already, it finds itself
 * unhooked (guarded == NULL) and leaves @req alone.
 */
static void io_link_drop_guard(struct io_kiocb *req)
{
	struct io_ring_ctx *ctx = req->ctx;
	struct io_kiocb *guard;

	spin_lock(&ctx->link_lock);
	guard = req->link;
	if (guard && guard->guarded == req) {
		__io_link_unhook(req, guard);
		guard->park_cancel(guard);
	}
	spin_unlock(&ctx->link_lock);
}

/*
 * @req finished: start the rest of its chain, or, if it failed and the
 * link is soft, cancel the rest. The next request is issued as task work
 * so that a long chain of inline completions never recurses.
 */
static void io_req_link_done(struct io_kiocb *req)
{
	struct io_kiocb *next;

	if (unlikely(req->flags & REQ_F_GUARDED))
		io_link_drop_guard(req);
	next = req->link;
	req->link = NULL;
	if (!next)
		return;
	/*
	 * A request that asked not to see its own success also hides the
	 * cancellations its failure causes.
	 */
	if ((req->flags & REQ_F_FAILED) && !(req->flags & IOSQE_IO_HARDLINK))
		__io_fail_chain(next, req->flags & IOSQE_CQE_SKIP_SUCCESS);
	else
		io_req_queue_tw(next, io_req_issue_tw);
}

/* Complete @req: post its CQE unless asked to skip it, then free it. */
void io_req_complete(struct io_kiocb *req)
{
	io_req_done(req);
}

/* Task work callback that completes a request whose result is set. */
void io_req_complete_tw(struct io_kiocb *req, unsigned int issue_flags)
{
	io_req_complete(req);
}

void io_req_fail(struct io_kiocb *req, int err)
{
	io_req_set_fail(req);
	/* a buffer it picked is used up, as far as the application knows */
	io_req_set_res(req, err, io_kbuf_done(req, err));
	io_req_complete(req);
}

/*
 * An interrupted call fails with -EINTR: restarting the syscall is not
 * ours to do, other SQEs went with it. -ENOIOCTLCMD sits among the
 * restart codes but is not one.
 */
static int io_restart_to_eintr(int ret)
{
	if (ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
	    ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK)
		return -EINTR;
	return ret;
}

/* Run the op's issue handler with the request's credentials. */
static __always_inline int io_issue(struct io_kiocb *req,
				    unsigned int issue_flags)
{
	const struct io_op_def *def = &io_op_defs[req->opcode];
	const struct cred *old_creds = NULL;
	int ret;

	if (def->needs_file && unlikely(!io_assign_file(req, issue_flags)))
		return -EBADF;
	if (unlikely(req->flags & REQ_F_CREDS) && req->creds != current_cred())
		old_creds = override_creds(req->creds);
	if (!def->audit_skip)
		audit_uring_entry(req->opcode);
	ret = def->issue(req, issue_flags);
	if (!def->audit_skip)
		audit_uring_exit(!ret, ret);
	if (old_creds)
		revert_creds(old_creds);
	/* restart codes are all <= -ERESTARTSYS: one test on the hot path */
	if (ret == IOU_DONE) {
		if (unlikely(req->cqe.res <= -ERESTARTSYS))
			req->cqe.res = io_restart_to_eintr(req->cqe.res);
	} else if (unlikely(ret <= -ERESTARTSYS)) {
		ret = io_restart_to_eintr(ret);
	}
	return ret;
}

/* Finish an issue attempt that did not hand the request elsewhere. */
static __always_inline void io_issue_done(struct io_kiocb *req, int ret)
{
	if (ret == IOU_QUEUED)
		return;
	if (unlikely(ret < 0))
		io_req_fail(req, ret);
	else
		io_req_done(req);
}

static bool io_file_is_reg(struct file *file)
{
	umode_t mode = file_inode(file)->i_mode;

	return S_ISREG(mode) || S_ISBLK(mode);
}

/* The request would block: hand it to the submitter's worker pool. */
static void io_req_queue_async(struct io_kiocb *req)
{
	const struct io_op_def *def = &io_op_defs[req->opcode];
	struct io_uring_task *tctx = req->task->io_uring;
	struct io_wq *wq;

	io_kbuf_recycle(req);

	/* only the task may use its pool: over there, then */
	if (unlikely(req->task != current)) {
		io_req_queue_tw(req, io_req_issue_tw);
		return;
	}
	wq = io_tctx_wq(tctx, req->ctx->sq_entries);
	if (unlikely(!wq)) {
		/* no pool while the task exits or execs: the cancel wins */
		io_req_fail(req, tctx->wq_closed ? -ECANCELED : -ENOMEM);
		return;
	}
	/* the file decides the kind of work; a bad fd fails in the worker */
	if (def->needs_file)
		io_assign_file(req, 0);
	req->work.flags = 0;
	if (req->file && !io_file_is_reg(req->file)) {
		if (def->unbound_nonreg_file)
			req->work.flags |= IO_WQ_WORK_UNBOUND;
	} else if (req->file && def->hash_reg_file &&
		   !(req->file->f_flags & O_DIRECT)) {
		io_wq_hash_work(&req->work, file_inode(req->file));
	}
	/* the worker runs as the submitter is now (FEAT_CUR_PERSONALITY) */
	if (!(req->flags & REQ_F_CREDS)) {
		req->creds = get_current_cred();
		req->flags |= REQ_F_CREDS;
	}
	/* one reference for the pool, one for whoever completes it */
	if (req->flags & REQ_F_REFCOUNT) {
		atomic_inc(&req->refs);
	} else {
		req->flags |= REQ_F_REFCOUNT;
		atomic_set(&req->refs, 2);
	}
	io_req_mark_inflight(req);
	io_wq_enqueue(wq, &req->work);
}

/* Would blocking on this request's file be better done by polling it? */
static bool io_req_pollable(struct io_kiocb *req)
{
	const struct io_op_def *def = &io_op_defs[req->opcode];

	return (def->pollin || def->pollout) && req->file &&
	       file_can_poll(req->file) && !(req->flags & REQ_F_NOWAIT);
}

/*
 * Run a request in a worker. One on a file that can tell when it is ready
 * (a pipe, a socket) is tried without blocking and then waits by polling,
 * so that it does not keep the worker; the poll owns it from then on.
 */
static void io_wq_run_req(struct io_wq_work *work)
{
	struct io_kiocb *req = io_req_of_work(work);
	struct io_ring_ctx *ctx = req->ctx;
	unsigned int issue_flags;
	int ret = -ECANCELED, tries = 0, polled;

	issue_flags = ctx->issue_flags & ~IO_URING_F_NONBLOCK;
	issue_flags |= IO_URING_F_UNLOCKED | IO_URING_F_IOWQ;
	while (!(work->flags & IO_WQ_WORK_CANCEL)) {
		if (io_req_pollable(req) && tries++ < 3) {
			ret = io_issue(req, issue_flags | IO_URING_F_NONBLOCK);
			if (ret != -EAGAIN)
				break;
			mutex_lock(&ctx->uring_lock);
			polled = io_poll_wait_ready(req);
			mutex_unlock(&ctx->uring_lock);
			if (polled > 0)
				return;
			/* not pollable after all: block */
			if (polled < 0)
				tries = 3;
			continue;
		}
		ret = io_issue(req, issue_flags);
		/*
		 * A polled request cannot wait for a device tag the way an
		 * interrupt-driven one does: try again until it gets one, or
		 * the pool goes away (then it fails with -EAGAIN).
		 */
		if (ret == -EAGAIN && (ctx->flags & IORING_SETUP_IOPOLL) &&
		    !(req->flags & REQ_F_NOWAIT) && !io_wq_worker_stopped()) {
			cond_resched();
			continue;
		}
		break;
	}
	/*
	 * The pool cancelled it: between two attempts (the last one would
	 * have blocked), or by interrupting the one that blocked.
	 */
	if ((ret == -EAGAIN || ret == -EINTR) &&
	    (work->flags & IO_WQ_WORK_CANCEL))
		ret = -ECANCELED;
	io_issue_done(req, ret);
}

static void io_wq_done_req(struct io_wq_work *work)
{
	io_req_put(io_req_of_work(work));
}

static void io_wq_cancel_req(struct io_wq_work *work)
{
	struct io_kiocb *req = io_req_of_work(work);

	io_req_fail(req, -ECANCELED);
	io_req_put(req);
}

const struct io_wq_ops io_req_wq_ops = {
	.run	= io_wq_run_req,
	.done	= io_wq_done_req,
	.cancel	= io_wq_cancel_req,
};

/**
 * io_req_run - issue @req now, with uring_lock held
 *
 * What would block waits for readiness (fast poll) if its file can say
 * when it is ready, and goes to the worker pool otherwise.
 */
static __always_inline void io_req_issued(struct io_kiocb *req, int ret)
{
	/*
	 * Its completion runs as our task work, so req is still ours here;
	 * polled I/O is the exception, see io_iopoll_add().
	 */
	if (ret == IOU_QUEUED && !(req->flags & REQ_F_IOPOLL))
		io_req_mark_inflight(req);
	io_issue_done(req, ret);
}

/* The first attempt would have blocked: wait for readiness, or a worker. */
static noinline void io_req_run_blocked(struct io_kiocb *req)
{
	int ret, tries = 0;

	for (;;) {
		/* the buffer it may have picked is not for keeping while it waits */
		io_kbuf_recycle(req);
		ret = io_poll_wait_ready(req);
		if (ret > 0)
			return;
		/* ready by now: try again, but a file that lies gets a worker */
		if (ret || tries++ >= 2)
			break;
		ret = io_issue(req, req->ctx->issue_flags);
		if (ret != -EAGAIN) {
			io_req_issued(req, ret);
			return;
		}
	}
	io_req_queue_async(req);
}

/* What the first issue of a request returned, if not IOU_DONE. */
static noinline void io_req_issued_cold(struct io_kiocb *req, int ret)
{
	if (ret == -EAGAIN && !(req->flags & REQ_F_NOWAIT))
		io_req_run_blocked(req);
	else
		io_req_issued(req, ret);
}

/*
 * Issue a request that io_submit_sqes() just took, which is not linked,
 * drained or async: done at once, its CQE joins the submission's batch.
 */
static __always_inline void io_req_run_batched(struct io_kiocb *req)
{
	int ret = io_issue(req, req->ctx->issue_flags);

	if (likely(ret == IOU_DONE))
		io_batch_add(req->ctx, req);
	else
		io_req_issued_cold(req, ret);
}

static __always_inline void __io_req_run(struct io_kiocb *req)
{
	int ret = io_issue(req, req->ctx->issue_flags);

	if (likely(ret == IOU_DONE))
		io_req_done(req);
	else
		io_req_issued_cold(req, ret);
}

/* Issue @req again, from its task's task work (a poll found it ready). */
void io_req_run(struct io_kiocb *req)
{
	if (unlikely(io_req_from_old_image(req))) {
		io_req_fail(req, -ECANCELED);
		return;
	}
	__io_req_run(req);
}

/*
 * Task work of io_req_requeue(). A request that keeps finding more work
 * (data written as fast as it is read) keeps requeueing itself, and
 * task_work_run() runs what was added while it ran: it stops once the
 * task is being killed, or the task would never get to die.
 */
static void io_req_rerun_tw(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_ring_ctx *ctx = req->ctx;

	if (unlikely((issue_flags & IO_URING_F_TASK_DEAD) ||
		     percpu_ref_is_dying(&ctx->refs) ||
		     fatal_signal_pending(current))) {
		io_req_fail(req, -ECANCELED);
		return;
	}
	mutex_lock(&ctx->uring_lock);
	io_req_run(req);
	mutex_unlock(&ctx->uring_lock);
}

/**
 * io_req_requeue - issue @req again later, from its task's task work
 *
 * For an op that has done a bounded share of work that could go on (a
 * multishot request with more data ready): its ->issue() calls this and
 * returns IOU_QUEUED, so that one request cannot keep a task or a worker
 * to itself.
 */
void io_req_requeue(struct io_kiocb *req)
{
	io_req_queue_tw(req, io_req_rerun_tw);
}

/*
 * @req is about to be issued and a linked timeout follows it: start the
 * timeout first, so that it runs whatever @req does. @req becomes
 * reference counted, so that the timeout can hold it while cancelling.
 */
static void io_link_arm_guard(struct io_kiocb *req)
{
	struct io_ring_ctx *ctx = req->ctx;
	struct io_kiocb *guard = req->link;
	int ret;

	req->flags |= REQ_F_REFCOUNT | REQ_F_GUARDED;
	atomic_set(&req->refs, 1);
	spin_lock(&ctx->link_lock);
	guard->guarded = req;
	spin_unlock(&ctx->link_lock);
	ret = io_issue(guard, ctx->issue_flags);
	if (likely(ret == IOU_QUEUED))
		return;
	/* it could not start: it completes now, and @req goes unwatched */
	spin_lock(&ctx->link_lock);
	__io_link_unhook(req, guard);
	spin_unlock(&ctx->link_lock);
	io_issue_done(guard, ret);
}

static __always_inline void io_queue_req(struct io_kiocb *req)
{
	/* a chain whose assembly failed runs no request at all */
	if (unlikely(req->flags & REQ_F_FAILED)) {
		io_fail_chain(req);
		return;
	}
	if (unlikely(req->link) && io_op_defs[req->link->opcode].guard)
		io_link_arm_guard(req);

	if (unlikely(req->flags & (IOSQE_ASYNC | REQ_F_FORCE_ASYNC))) {
		io_req_queue_async(req);
		return;
	}
	__io_req_run(req);
}

/* io_queue_req() for the paths that are not submission's own. */
static noinline void io_queue_req_cold(struct io_kiocb *req)
{
	if (unlikely(io_req_from_old_image(req))) {
		io_req_fail(req, -ECANCELED);
		return;
	}
	io_queue_req(req);
}

/* The op completes asynchronously: the submitter must wait for it on exit. */
void io_req_mark_inflight(struct io_kiocb *req)
{
	if (!(req->flags & REQ_F_INFLIGHT)) {
		req->flags |= REQ_F_INFLIGHT;
		atomic_inc(&req->task->io_uring->inflight);
	}
}

/*
 * IOSQE_IO_DRAIN: a drained request (a chain, through its head) starts
 * only once every request submitted before it has completed. While one
 * waits, requests submitted after it wait behind it on ctx->drain_list,
 * in order; those without the flag go as soon as they reach the front.
 *
 * Requests count as pending from submission (ctx->nr_submitted) to
 * their CQE (ctx->nr_finished), and ctx->nr_drained counts those on the
 * list, so the head of the list may go when the two are equal.
 * Completions check that (io_drain_kick()) and queue a flush to the
 * submitter, which issues what may go under uring_lock.
 */
static u32 io_nr_pending(struct io_ring_ctx *ctx)
{
	/* exact under drain_lock for what matters, see io_drain_hold() */
	return READ_ONCE(ctx->nr_submitted) - READ_ONCE(ctx->nr_finished);
}

static unsigned int io_chain_len(struct io_kiocb *req)
{
	unsigned int len = 0;

	for (; req; req = req->link)
		len++;
	return len;
}

static void io_drain_flush_tw(struct io_kiocb *req, unsigned int issue_flags);

/* Called under drain_lock: queue a flush if the front may go. */
static void __io_drain_kick(struct io_ring_ctx *ctx)
{
	struct io_kiocb *first;

	if (ctx->drain_kicked || list_empty(&ctx->drain_list))
		return;
	first = list_first_entry(&ctx->drain_list, struct io_kiocb, drain_node);
	if ((first->flags & IOSQE_IO_DRAIN) &&
	    io_nr_pending(ctx) != ctx->nr_drained)
		return;
	ctx->drain_kicked = true;
	io_req_queue_tw(first, io_drain_flush_tw);
}

static void io_drain_kick(struct io_ring_ctx *ctx)
{
	spin_lock(&ctx->drain_lock);
	__io_drain_kick(ctx);
	spin_unlock(&ctx->drain_lock);
}

/*
 * Returns true if @req, a chain head, has to wait on ctx->drain_list.
 *
 * Completions count themselves and read drain_active under
 * completion_lock, and drain_active is set under it too: so either a
 * completion sees drain_active and kicks (under drain_lock, after us), or
 * we see its count. Lock order: drain_lock, then completion_lock.
 */
static bool io_drain_hold(struct io_kiocb *req)
{
	struct io_ring_ctx *ctx = req->ctx;
	unsigned int len = io_chain_len(req);
	bool hold;

	spin_lock(&ctx->drain_lock);
	if (!ctx->drain_active) {
		spin_lock(&ctx->completion_lock);
		WRITE_ONCE(ctx->drain_active, true);
		spin_unlock(&ctx->completion_lock);
	}
	hold = !list_empty(&ctx->drain_list) ||
	       ((req->flags & IOSQE_IO_DRAIN) && io_nr_pending(ctx) != len);
	if (hold) {
		list_add_tail(&req->drain_node, &ctx->drain_list);
		ctx->nr_drained += len;
		__io_drain_kick(ctx);
		io_req_mark_inflight(req);
	} else if (list_empty(&ctx->drain_list)) {
		WRITE_ONCE(ctx->drain_active, false);
	}
	spin_unlock(&ctx->drain_lock);
	return hold;
}

/* Take the front of the drain list if it may go. */
static struct io_kiocb *io_drain_pop(struct io_ring_ctx *ctx)
{
	struct io_kiocb *first;

	spin_lock(&ctx->drain_lock);
	first = list_first_entry_or_null(&ctx->drain_list, struct io_kiocb,
					 drain_node);
	if (first && (first->flags & IOSQE_IO_DRAIN) &&
	    io_nr_pending(ctx) != ctx->nr_drained)
		first = NULL;
	if (first) {
		list_del(&first->drain_node);
		ctx->nr_drained -= io_chain_len(first);
	} else {
		ctx->drain_kicked = false;
		if (list_empty(&ctx->drain_list))
			WRITE_ONCE(ctx->drain_active, false);
	}
	spin_unlock(&ctx->drain_lock);
	return first;
}

static void io_drain_flush_tw(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_ring_ctx *ctx = req->ctx;
	struct io_kiocb *first;

	mutex_lock(&ctx->uring_lock);
	while ((first = io_drain_pop(ctx))) {
		if (unlikely(issue_flags & IO_URING_F_TASK_DEAD))
			io_fail_chain(first);
		else if (first->task != current)
			io_req_queue_tw(first, io_req_issue_tw);
		else
			io_queue_req_cold(first);
	}
	mutex_unlock(&ctx->uring_lock);
}

/* Ring teardown or task exit: fail what waits (of @task, if set). */
void io_drain_cancel(struct io_ring_ctx *ctx, struct task_struct *task)
{
	struct io_kiocb *req, *tmp;
	LIST_HEAD(dropped);

	spin_lock(&ctx->drain_lock);
	list_for_each_entry_safe(req, tmp, &ctx->drain_list, drain_node) {
		if (task && req->task != task)
			continue;
		/*
		 * A queued flush runs on the front request (drain_kicked):
		 * freeing it would free the flush's task work. The flush
		 * ends it instead, failing it if the task is gone, and the
		 * caller's next pass finds it if it is still here.
		 */
		if (ctx->drain_kicked &&
		    req == list_first_entry(&ctx->drain_list, struct io_kiocb,
					    drain_node))
			continue;
		list_move_tail(&req->drain_node, &dropped);
		ctx->nr_drained -= io_chain_len(req);
	}
	spin_unlock(&ctx->drain_lock);
	list_for_each_entry_safe(req, tmp, &dropped, drain_node)
		io_fail_chain(req);
}

/* Queue a chain head, unless it must wait behind earlier requests. */
static __always_inline void io_submit_queue(struct io_kiocb *req)
{
	if (unlikely(READ_ONCE(req->ctx->drain_active) ||
		     (req->flags & IOSQE_IO_DRAIN)) && io_drain_hold(req))
		return;
	io_queue_req(req);
}

/* @req waits for an event; @cancel can stop it. Marks it in flight. */
void io_req_park(struct io_kiocb *req, int (*cancel)(struct io_kiocb *req))
{
	lockdep_assert_held(&req->ctx->uring_lock);
	req->park_cancel = cancel;
	req->flags |= REQ_F_PARKED;
	list_add_tail(&req->park_node, &req->ctx->parked);
	io_req_mark_inflight(req);
}

void io_req_unpark(struct io_kiocb *req)
{
	lockdep_assert_held(&req->ctx->uring_lock);
	if (req->flags & REQ_F_PARKED) {
		list_del(&req->park_node);
		req->flags &= ~REQ_F_PARKED;
	}
}

/* Add @req to the chain being assembled, starting one if needed. */
static void io_link_append(struct io_ring_ctx *ctx, struct io_kiocb *req)
{
	if (ctx->link_head) {
		ctx->link_last->link = req;
		/* a drained member drains its chain, and the next SQE too */
		if (unlikely(req->flags & IOSQE_IO_DRAIN)) {
			ctx->link_head->flags |= IOSQE_IO_DRAIN;
			ctx->drain_next = true;
		}
	} else {
		ctx->link_head = req;
	}
	ctx->link_last = req;
}

/* The chain is complete: run it from its head. */
static void io_link_flush(struct io_ring_ctx *ctx)
{
	struct io_kiocb *head = ctx->link_head;

	ctx->link_head = NULL;
	ctx->link_last = NULL;
	if (head)
		io_submit_queue(head);
}

/*
 * An SQE failed init. Outside a chain it completes at once and stops
 * submission. Inside one, or starting one, it fails the whole chain when
 * the chain is flushed (its head cancelled), and submission goes on, so
 * that chains keep their shape.
 */
static bool io_submit_failed(struct io_ring_ctx *ctx, struct io_kiocb *req,
			     int err)
{
	struct io_kiocb *head = ctx->link_head;

	io_req_set_fail(req);
	io_req_set_res(req, err, 0);
	if (head && !(head->flags & REQ_F_FAILED)) {
		io_req_set_fail(head);
		io_req_set_res(head, -ECANCELED, 0);
	}
	io_link_append(ctx, req);
	if (req->flags & IOSQE_LINKED)
		return true;
	io_link_flush(ctx);
	return ctx->flags & IORING_SETUP_SUBMIT_ALL;
}

/* Returns false if submission must stop after this SQE. */
static bool io_submit_one(struct io_ring_ctx *ctx, struct io_kiocb *req,
			  const struct io_uring_sqe *sqe)
{
	int ret = io_init_req(ctx, req, sqe);

	if (unlikely(ret))
		return io_submit_failed(ctx, req, ret);
	/* alone, plain, with no drain in sight: issue it now */
	if (likely(!(req->flags & IO_SQE_SLOW_QUEUE) && !ctx->link_head &&
		   !ctx->drain_next && !READ_ONCE(ctx->drain_active))) {
		io_req_run_batched(req);
		return true;
	}
	if (unlikely(ctx->drain_next) && !ctx->link_head) {
		req->flags |= IOSQE_IO_DRAIN;
		ctx->drain_next = false;
	}
	if (likely(!ctx->link_head && !(req->flags & IOSQE_LINKED))) {
		io_submit_queue(req);
		return true;
	}
	io_link_append(ctx, req);
	if (!(req->flags & IOSQE_LINKED))
		io_link_flush(ctx);
	return true;
}

/**
 * io_submit_sqes - consume up to @nr SQEs from the SQ ring
 *
 * Return: the number of SQEs consumed (each has or will have a CQE,
 * unless skipped), or -EAGAIN if none could be because no request could
 * be allocated.
 */
int io_submit_sqes(struct io_ring_ctx *ctx, unsigned int nr)
{
	unsigned int want, done = 0;
	bool no_req = false;

	lockdep_assert_held(&ctx->uring_lock);
	want = min(nr, io_sq_pending(ctx));
	WRITE_ONCE(ctx->cq_batching, true);
	ctx->batch_first = NULL;
	ctx->batch_tail = &ctx->batch_first;
	ctx->batch_task = current;
	/* as 6.12 does: a plug pays off from three requests on */
	ctx->plug_want = want > 2 ? want : 0;
	while (done < want) {
		const struct io_uring_sqe *sqe;
		struct io_kiocb *req;

		req = io_req_alloc(ctx);
		if (unlikely(!req)) {
			no_req = true;
			break;
		}
		sqe = io_next_sqe(ctx);
		if (unlikely(!sqe)) {
			io_req_unused(req);
			break;
		}
		done++;
		if (!io_submit_one(ctx, req, sqe))
			break;
	}
	/* a chain left open by the last SQE runs as it is */
	if (unlikely(ctx->link_head))
		io_link_flush(ctx);
	if (ctx->plug_started) {
		ctx->plug_started = false;
		blk_finish_plug(&ctx->plug);
	}
	ctx->plug_want = 0;
	io_batch_flush(ctx);
	/* the release lets the application reuse the consumed SQEs */
	smp_store_release(&ctx->rings->sq_head, ctx->cached_sq_head);
	WRITE_ONCE(ctx->cq_batching, false);
	/* pairs with posters that saw cq_batching set and skipped the signal */
	smp_mb();
	io_eventfd_signal(ctx);
	/* nothing consumed for lack of memory: the application may retry */
	if (!done && no_req)
		return -EAGAIN;
	return done;
}

#define IORING_ENTER_KNOWN	(IORING_ENTER_GETEVENTS | IORING_ENTER_SQ_WAKEUP | \
				 IORING_ENTER_SQ_WAIT | IORING_ENTER_EXT_ARG | \
				 IORING_ENTER_REGISTERED_RING | \
				 IORING_ENTER_ABS_TIMER)

/* May this task submit here? Then it gets its task context. */
static int io_enter_may_submit(struct io_ring_ctx *ctx)
{
	if (ctx->submitter_task && ctx->submitter_task != current)
		return -EEXIST;
	return io_tctx_attach(ctx);
}

static int io_enter_submit(struct io_ring_ctx *ctx, u32 to_submit)
{
	int ret;

	ret = io_enter_may_submit(ctx);
	if (unlikely(ret))
		return ret;
	mutex_lock(&ctx->uring_lock);
	ret = io_submit_sqes(ctx, to_submit);
	mutex_unlock(&ctx->uring_lock);
	return ret;
}

/*
 * IOPOLL without an SQ thread: completions are polled for by the caller,
 * under the same hold of uring_lock as its submission. The wait's
 * arguments are only checked; a wait error counts if nothing was
 * submitted.
 */
static long io_enter_iopoll(struct io_ring_ctx *ctx, u32 to_submit,
			    u32 min_complete, u32 flags,
			    const void __user *argp, size_t argsz)
{
	long ret = 0;
	int err = 0;

	if (to_submit) {
		ret = io_enter_may_submit(ctx);
		if (unlikely(ret))
			return ret;
	}
	if ((flags & IORING_ENTER_GETEVENTS) && (flags & IORING_ENTER_EXT_ARG))
		err = io_cq_check_ext_arg(flags, argp, argsz);
	mutex_lock(&ctx->uring_lock);
	if (to_submit) {
		ret = io_submit_sqes(ctx, to_submit);
		/* a submission that stopped early returns at once */
		if (ret != to_submit)
			goto out;
	}
	if (flags & IORING_ENTER_GETEVENTS) {
		if (!err)
			err = io_iopoll_wait(ctx, min(min_complete,
						      ctx->cq_entries));
		if (!ret)
			ret = err;
	}
out:
	mutex_unlock(&ctx->uring_lock);
	return ret;
}

SYSCALL_DEFINE6(io_uring_enter, unsigned int, fd, u32, to_submit,
		u32, min_complete, u32, flags, const void __user *, argp,
		size_t, argsz)
{
	struct io_ring_ctx *ctx;
	struct file *file;
	long ret = 0;
	int err;

	if (unlikely(flags & ~IORING_ENTER_KNOWN))
		return -EINVAL;

	if (flags & IORING_ENTER_REGISTERED_RING) {
		/* the task's table holds a reference for us */
		file = io_ringfd_get(fd, false, &err);
		if (unlikely(!file))
			return err;
	} else {
		file = fget(fd);
		if (unlikely(!file))
			return -EBADF;
	}
	ctx = io_ring_ctx_from_file(file);
	if (unlikely(!ctx)) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	/* pairs with the release in IORING_REGISTER_ENABLE_RINGS */
	if (unlikely(smp_load_acquire(&ctx->flags) & IORING_SETUP_R_DISABLED)) {
		ret = -EBADFD;
		goto out;
	}

	if ((ctx->flags & (IORING_SETUP_IOPOLL | IORING_SETUP_SQPOLL)) ==
	    IORING_SETUP_IOPOLL) {
		ret = io_enter_iopoll(ctx, to_submit, min_complete, flags,
				      argp, argsz);
		goto out;
	}
	if (ctx->flags & IORING_SETUP_SQPOLL) {
		/* the SQ thread submits; we may only wake it */
		ret = io_sqpoll_enter(ctx, to_submit, flags);
		if (ret < 0)
			goto out;
	} else if (to_submit) {
		ret = io_enter_submit(ctx, to_submit);
		/* a submission that stopped early returns at once */
		if (ret != to_submit)
			goto out;
	}
	if (flags & IORING_ENTER_GETEVENTS) {
		err = io_cq_wait(ctx, min_complete, flags, argp, argsz);
		if (!ret)
			ret = err;
	}
out:
	if (!(flags & IORING_ENTER_REGISTERED_RING))
		fput(file);
	return ret;
}
