/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The io_uring core: the ring context, the request, and the services the
 * core offers to op families (completion, request state).
 *
 * A request moves one way: SQE -> prep -> issue -> completion -> CQE.
 * Op families implement prep and issue (see opdef.h); everything else
 * belongs to the core, which never calls an op family by name.
 */
#ifndef IO_URING_CORE_H
#define IO_URING_CORE_H

#include <linux/blkdev.h>
#include <linux/io_uring_types.h>
#include <linux/io_uring/cmd.h>
#include <linux/mutex.h>
#include <linux/percpu-refcount.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/task_work.h>
#include <linux/fs.h>

#include "buftable.h"
#include "filetable.h"
#include "io-wq.h"
#include "memmap.h"

struct cred;
struct seq_file;
struct io_poll_wait;
struct io_rsrc_gen;

/* Largest SQ a ring may have; the CQ may be twice as large. */
#define IORING_MAX_ENTRIES	32768
#define IORING_MAX_CQ_ENTRIES	(2 * IORING_MAX_ENTRIES)

/*
 * The part of the shared ring mapping the kernel reads and writes. The
 * application finds each field through io_uring_params.{sq,cq}_off, so the
 * layout is ours to choose: fields are grouped by writer, so the kernel's
 * stores and the application's stores never share a cache line.
 */
struct io_rings {
	/* written by the kernel */
	u32			sq_head ____cacheline_aligned_in_smp;
	u32			cq_tail;
	atomic_t		sq_flags;	/* IORING_SQ_* */
	u32			sq_dropped;	/* invalid SQ array entries */
	u32			cq_overflow;	/* CQEs lost (no memory) */

	/* written by the application */
	u32			sq_tail ____cacheline_aligned_in_smp;
	u32			cq_head;
	u32			cq_flags;	/* IORING_CQ_* */

	/* fixed at setup */
	u32			sq_ring_mask;
	u32			cq_ring_mask;
	u32			sq_ring_entries;
	u32			cq_ring_entries;

	struct io_uring_cqe	cqes[] ____cacheline_aligned_in_smp;
};

/* Bits of io_ring_ctx.check_cq: rare conditions the waiter must look at. */
enum {
	IO_CHECK_CQ_OVERFLOW,		/* CQEs wait on the overflow list */
	IO_CHECK_CQ_DROPPED,		/* a CQE was lost; next wait says -EBADR */
};

/* IORING_REGISTER_RESTRICTIONS, enforced once the ring is enabled. */
struct io_restrictions {
	DECLARE_BITMAP(register_op, IORING_REGISTER_LAST);
	DECLARE_BITMAP(sqe_op, IORING_OP_LAST);
	u8			sqe_flags_allowed;
	u8			sqe_flags_required;
	bool			registered;
};

struct io_ring_ctx {
	/* Fixed at setup; read without locks. */
	struct {
		unsigned int		flags;		/* IORING_SETUP_* */
		unsigned int		sq_entries;
		unsigned int		cq_entries;
		struct io_rings		*rings;
		struct io_uring_sqe	*sq_sqes;
		u32			*sq_array;	/* NULL with NO_SQARRAY */
		struct io_region	ring_region;
		struct io_region	sqe_region;
		const struct cred	*creds;		/* the creator's */
		/* pinned memory is charged here; user is NULL with CAP_IPC_LOCK */
		struct user_struct	*user;
		struct mm_struct	*mm_account;
		struct task_struct	*submitter_task; /* SINGLE_ISSUER */
		/* clock of wait timeouts (IORING_REGISTER_CLOCK) */
		clockid_t		clockid;
		/* IO_URING_F_* of a first, non-blocking issue */
		unsigned int		issue_flags;
		/*
		 * Opcodes whose SQEs need no check beyond their prep when
		 * no IOSQE flag but FIXED_FILE is set: see io_op_fast_mask().
		 * Cleared for good when restrictions are enforced.
		 */
		u64			fast_ops;
		/* made by a 32-bit task: user structures have compat layouts */
		bool			compat;
		/* IORING_SETUP_SQPOLL: the thread's, see sqpoll.c */
		struct io_sqd		*sqd;
		struct list_head	sqd_node;
		unsigned long		sq_idle;	/* jiffies */
		wait_queue_head_t	sq_space_wait;	/* IORING_ENTER_SQ_WAIT */
	};

	/* Submission side, under uring_lock. */
	struct {
		/* serialises submission and registration */
		struct mutex		uring_lock;
		u32			cached_sq_head;
		/* requests initialised from SQEs, for IOSQE_IO_DRAIN */
		u32			nr_submitted;
		bool			drain_disabled;
		struct io_file_table	file_table;
		struct io_buf_table	buf_table;
		/* the link chain being assembled by io_submit_sqes() */
		struct io_kiocb		*link_head;
		struct io_kiocb		*link_last;
		/*
		 * While io_submit_sqes() runs, requests that complete in
		 * the submitter wait here and post their CQEs together.
		 */
		struct task_struct	*batch_task;
		struct io_kiocb		*batch_first;
		struct io_kiocb		**batch_tail;
		/*
		 * Block I/O of a submission goes out under one plug, started
		 * by the first request that may need it if plug_want says
		 * enough SQEs are coming (the block layer then allocates for
		 * the whole batch at once).
		 */
		struct blk_plug		plug;
		unsigned int		plug_want;
		bool			plug_started;
		/* freed requests kept for the next submission */
		struct io_kiocb		*req_cache;
		unsigned int		req_cache_nr;
		struct io_restrictions	restrictions;
		bool			restricted;	/* enforce them */
		/* IORING_REGISTER_IOWQ_MAX_WORKERS, for every submitter's pool */
		int			iowq_limits[2];
		/* IORING_REGISTER_PERSONALITY: id -> const struct cred * */
		struct xarray		personalities;
		/* provided buffer groups by id, see kbuf.c */
		struct xarray		buf_groups;
		u32			pers_next;
		/* requests waiting for an event, see io_req_park() */
		struct list_head	parked;
		/* IOSQE_IO_DRAIN: requests held back, in submission order */
		struct list_head	drain_list;
		unsigned int		nr_drained;
		/* IORING_SETUP_IOPOLL: issued, to be polled; see iopoll.c */
		struct list_head	iopoll_list;
	};

	/* Completion side, under completion_lock. */
	struct {
		/* protects cached_cq_tail and cq_overflow_list */
		spinlock_t		completion_lock;
		u32			cached_cq_tail;
		struct list_head	cq_overflow_list;
		unsigned long		check_cq;	/* IO_CHECK_CQ_* bits */
		/* io_uring_enter() waiters only: see poll_wq for the rest */
		wait_queue_head_t	cq_wait;
		/* io_cq_watch entries, in order of their targets */
		struct list_head	cq_watch;
		/* CQEs that do not count towards a watch target */
		u32			cq_uncounted;
		/*
		 * Requests whose final CQE is out (or skipped). With
		 * nr_submitted, how many are pending, for IOSQE_IO_DRAIN.
		 */
		u32			nr_finished;
	} ____cacheline_aligned_in_smp;

	/*
	 * Set while ctx->drain_list holds requests; written under both
	 * drain_lock and completion_lock, see io_drain_hold().
	 */
	bool				drain_active;

	/* protects io_kiocb.link of a request guarded by a linked timeout */
	spinlock_t			link_lock;
	/* protects drain_list and nr_drained against completions */
	spinlock_t			drain_lock;
	bool				drain_kicked;	/* a flush is queued */
	bool				drain_next;	/* drain the next SQE */

	/*
	 * Pollers of the ring file. Not cq_wait: a POLL_ADD on the ring
	 * queues its task work from its wake-up, and with DEFER_TASKRUN
	 * that wakes cq_wait; on one queue, that would take its lock twice.
	 */
	wait_queue_head_t		poll_wq;
	struct work_struct		poll_wake_work;

	/* CQEs from other rings for a DEFER_TASKRUN ring, see cqe.c */
	struct llist_head		deferred_cqes;
	/* DEFER_TASKRUN: request callbacks for the submitter, see tw.c */
	struct llist_head		local_tw;

	/* IORING_REGISTER_EVENTFD, see eventfd.c */
	struct io_ev_fd __rcu		*ev_fd;
	/* submission posts CQEs in a batch and signals once at the end */
	bool				cq_batching;

	/*
	 * Tag CQEs of emptied registered slots wait for the requests of
	 * their generation and all older ones; see rsrc_tags.c. The
	 * current generation changes under uring_lock; the list and the
	 * retiring of old generations are under rsrc_gen_lock.
	 */
	struct io_rsrc_gen		*rsrc_gen;
	struct list_head		rsrc_gens;
	spinlock_t			rsrc_gen_lock;	/* rsrc_gens, retiring */
	/* one task at a time posts retired tags, in order; see rsrc_tags.c */
	bool				rsrc_retiring;

	/* tasks that submitted here (struct io_tctx_node), see tctx.c */
	struct list_head		tctx_list;

	/* task work whose task is gone runs from here, see io_req_queue_tw() */
	struct llist_head		fallback_llist;
	struct work_struct		fallback_work;

	/*
	 * Lifetime: the ring file holds the initial reference; every request
	 * in flight holds one more. Closing the file kills the ref and the
	 * exit work frees the context once all requests are gone.
	 */
	struct percpu_ref		refs;
	struct completion		ref_done;
	struct work_struct		exit_work;
};

/*
 * Per-op state sits at the start of every request, so that an op's
 * command struct and struct io_uring_cmd both begin with the file.
 */
struct io_cmd_data {
	struct file		*file;
	u8			data[56];
};

/* The fields of the CQE a request will post. */
struct io_cqe {
	u64			user_data;
	s32			res;
	u32			flags;
};

/* io_kiocb.flags: the low bits are the SQE's IOSQE_* flags, verbatim. */
enum {
	REQ_F_SQE_FLAGS		= 0xff,
	REQ_F_FAILED		= BIT(8),	/* post the CQE even with CQE_SKIP */
	REQ_F_CREDS		= BIT(9),	/* req->creds holds a reference */
	REQ_F_INFLIGHT		= BIT(10),	/* counted in tctx->inflight */
	REQ_F_ASYNC_DATA	= BIT(11),	/* req->async_data is kmalloc'ed */
	REQ_F_CUR_POS		= BIT(12),	/* uses and updates file->f_pos */
	REQ_F_ISREG		= BIT(13),	/* file is regular or block dev */
	REQ_F_NOWAIT		= BIT(14),	/* never wait: no worker retry */
	REQ_F_REFCOUNT		= BIT(15),	/* req->refs is in use */
	REQ_F_PARKED		= BIT(16),	/* on ctx->parked */
	REQ_F_CANCELLED		= BIT(17),	/* a cancel claimed it */
	REQ_F_GUARDED		= BIT(18),	/* a linked timeout watches it */
	REQ_F_CLEANUP		= BIT(19),	/* prep took what ->cleanup frees */
	REQ_F_POLL		= BIT(20),	/* req->poll is allocated */
	REQ_F_FORCE_ASYNC	= BIT(21),	/* the op always goes to a worker */
	REQ_F_IOPOLL		= BIT(22),	/* on ctx->iopoll_list, or was */
	/* its file is a ring, not a fixed one: task exit cancels it */
	REQ_F_RING_FILE		= BIT(23),
	REQ_F_RSRC_GEN		= BIT(24),	/* req->rsrc_gen is held */
	/* IOSQE_BUFFER_SELECT picked a buffer, see kbuf.c */
	REQ_F_KBUF_LEGACY	= BIT(25),	/* req->kbuf is held */
	REQ_F_KBUF_RING		= BIT(26),	/* req->bsel.bid of a ring */
	REQ_F_KBUF_PEEK		= BIT(27),	/* ring head not moved yet */
	REQ_F_KBUF_MORE		= BIT(28),	/* its rest stays in the ring */
};

#define REQ_F_KBUF		(REQ_F_KBUF_LEGACY | REQ_F_KBUF_RING)

/*
 * The hot paths test one of these masks instead of each condition: a
 * request with none of the bits set has nothing to release but its file
 * and buffer, and nothing to do after its CQE but be freed.
 */
#define REQ_F_RELEASE_SLOW	(REQ_F_CLEANUP | REQ_F_ASYNC_DATA | \
				 REQ_F_CREDS | REQ_F_POLL | REQ_F_INFLIGHT | \
				 REQ_F_RING_FILE | REQ_F_RSRC_GEN | \
				 REQ_F_KBUF_LEGACY)
#define REQ_F_FINISH_SLOW	(IOSQE_IO_LINK | IOSQE_IO_HARDLINK | \
				 REQ_F_GUARDED | REQ_F_REFCOUNT)

struct io_kiocb;

/* A request callback run in the submitter's context (see io_req_queue_tw()). */
typedef void (*io_tw_fn)(struct io_kiocb *req, unsigned int issue_flags);

struct io_kbuf;

/* What IOSQE_BUFFER_SELECT picked for a request (see kbuf.c). */
struct io_buf_sel {
	u64				addr;
	u32				len;
	u16				group;		/* sqe->buf_group */
	u16				bid;
};

struct io_kiocb {
	union {
		struct file		*file;
		struct io_cmd_data	cmd;	/* see io_kiocb_to_cmd() */
	};
	u8				opcode;
	s32				fd;		/* sqe->fd, if needs_file */
	u32				exec_id;	/* task->self_exec_id */
	u32				flags;		/* REQ_F_* */
	struct io_ring_ctx		*ctx;
	struct task_struct		*task;		/* the submitter */
	const struct cred		*creds;		/* personality, if REQ_F_CREDS */
	struct io_cqe			cqe;
	u64				big_cqe[2];	/* extra CQE32 words */
	void				*async_data;	/* op state beyond cmd */
	struct io_mapped_buf		*buf;		/* registered buffer in use */
	struct io_buf_sel		bsel;
	struct io_kbuf			*kbuf;		/* REQ_F_KBUF_LEGACY */
	/* the generation it joined when it took a registered resource */
	struct io_rsrc_gen		*rsrc_gen;
	/* the next request of an IOSQE_IO_LINK chain, issued after this one */
	struct io_kiocb			*link;
	/*
	 * Two owners share a request only while a worker runs it: the
	 * worker pool and whoever completes it. With REQ_F_REFCOUNT, each
	 * holds a reference and the last put frees it.
	 */
	atomic_t			refs;
	/* while queued for task work, or for the fallback work */
	io_tw_fn			tw_fn;
	union {
		struct llist_node	tw_node;
		/* in the submission's completion batch, or the free cache */
		struct io_kiocb		*batch_next;
	};
	/* while the worker pool owns it */
	struct io_wq_work		work;
	union {
		/* while parked (REQ_F_PARKED): on ctx->parked */
		struct list_head	park_node;
		/* while polled on an IOPOLL ring: on ctx->iopoll_list */
		struct list_head	iopoll_node;
		/*
		 * What a completion in another context found, for its task
		 * work to act on: only the owner writes req->flags.
		 */
		long			async_res;
	};
	/* how to cancel it while parked */
	int				(*park_cancel)(struct io_kiocb *req);
	/* wake-ups of a parked request, see io_wake_claim() */
	atomic64_t			wakes;
	/* for a linked timeout: the request it guards, under ctx->link_lock */
	struct io_kiocb			*guarded;
	/* readiness wait of POLL_ADD or of a fast-polled request (poll.c) */
	struct io_poll_wait		*poll;
	/* on ctx->drain_list */
	struct list_head		drain_node;
	/* IOPOLL: the device finished it, see io_iopoll_done() */
	bool				iopoll_done;
};

/*
 * Waking a parked request. Any number of wakers may race: a poll wake-up,
 * a timer, a cancellation. Each adds one to req->wakes; the one that
 * finds it at zero owns the request and queues its task work. The owner
 * handles every wake-up it has seen and lets go with io_wake_release(),
 * which tells it whether more arrived meanwhile (then it still owns the
 * request and must look again). A cancellation also sets IO_WAKE_CANCEL,
 * which the owner sees on its next look. The count is 62 bits wide so
 * that a device waking at any rate cannot overflow it.
 */
#define IO_WAKE_CANCEL		BIT_ULL(63)
#define IO_WAKE_COUNT		(BIT_ULL(62) - 1)

static inline bool io_wake_claim(struct io_kiocb *req)
{
	return !(atomic64_fetch_inc(&req->wakes) & IO_WAKE_COUNT);
}

static inline bool io_wake_claim_cancel(struct io_kiocb *req)
{
	atomic64_or(IO_WAKE_CANCEL, &req->wakes);
	return io_wake_claim(req);
}

/* Returns true if wake-ups beyond @seen arrived: the caller still owns it. */
static inline bool io_wake_release(struct io_kiocb *req, s64 seen)
{
	return atomic64_sub_return(seen & IO_WAKE_COUNT, &req->wakes) &
		IO_WAKE_COUNT;
}

static inline struct io_kiocb *io_req_of_work(struct io_wq_work *work)
{
	return container_of(work, struct io_kiocb, work);
}

extern const struct io_wq_ops io_req_wq_ops;

/* An op's command struct, overlaid on the start of the request. */
#define io_kiocb_to_cmd(req, cmd_type) ( \
	BUILD_BUG_ON_ZERO(sizeof(cmd_type) > sizeof(struct io_cmd_data)) + \
	((typeof(cmd_type) *)&(req)->cmd) \
)

static inline struct io_kiocb *cmd_to_io_kiocb(void *cmd)
{
	return container_of(cmd, struct io_kiocb, cmd);
}

/*
 * What ->issue() returns besides a negative errno (which fails the
 * request with that result):
 */
enum {
	IOU_DONE	= 0,	/* result set with io_req_set_res(); complete it */
	IOU_QUEUED	= 1,	/* the op owns the request and completes it later */
};

/* Issue handlers that may run in a worker take the ring lock themselves. */
static inline void io_ring_lock(struct io_ring_ctx *ctx, unsigned int issue_flags)
{
	if (issue_flags & IO_URING_F_UNLOCKED)
		mutex_lock(&ctx->uring_lock);
	lockdep_assert_held(&ctx->uring_lock);
}

static inline void io_ring_unlock(struct io_ring_ctx *ctx,
				  unsigned int issue_flags)
{
	if (issue_flags & IO_URING_F_UNLOCKED)
		mutex_unlock(&ctx->uring_lock);
}

static inline void io_req_set_res(struct io_kiocb *req, s32 res, u32 cflags)
{
	req->cqe.res = res;
	req->cqe.flags = cflags;
}

static inline void io_req_set_fail(struct io_kiocb *req)
{
	req->flags |= REQ_F_FAILED;
}

/* End an issue with result @ret, which fails the request if negative. */
static inline int io_req_result(struct io_kiocb *req, int ret)
{
	if (ret < 0)
		io_req_set_fail(req);
	io_req_set_res(req, ret, 0);
	return IOU_DONE;
}

/* SQEs the application queued that were not consumed yet, at most a ring. */
static inline unsigned int io_sq_pending(struct io_ring_ctx *ctx)
{
	/* the acquire orders the tail read before the SQE reads */
	u32 queued = smp_load_acquire(&ctx->rings->sq_tail) - ctx->cached_sq_head;

	return min(queued, ctx->sq_entries);
}

void __io_req_charge_rsrc(struct io_kiocb *req);

/*
 * @req took a registered file or buffer (uring_lock held): a tag posted
 * for a slot emptied from now on waits for it. Nothing to do on a ring
 * that never had a tag, or for a request that is counted already.
 */
static inline void io_req_charge_rsrc(struct io_kiocb *req)
{
	if (unlikely(req->ctx->rsrc_gen) && !req->rsrc_gen)
		__io_req_charge_rsrc(req);
}

/*
 * A request never runs in a later image of its task: exec cancels what it
 * finds, and what escaped it (the next request of a chain, polled I/O
 * reaped later, all queued as task work that would run after the exec)
 * fails when it comes to be issued.
 */
static inline bool io_req_from_old_image(struct io_kiocb *req)
{
	return req->exec_id != (u32)READ_ONCE(req->task->self_exec_id);
}

/* A request posts its CQE unless it succeeded and asked to skip it. */
static inline bool io_req_posts_cqe(struct io_kiocb *req)
{
	return (req->flags & (IOSQE_CQE_SKIP_SUCCESS | REQ_F_FAILED)) !=
	       IOSQE_CQE_SKIP_SUCCESS;
}

/* cqe.c */
bool io_post_cqe(struct io_ring_ctx *ctx, u64 user_data, s32 res, u32 cflags,
		 u64 extra1, u64 extra2);
bool io_cq_post_reqs(struct io_ring_ctx *ctx, struct io_kiocb *req);
bool io_post_cqe_more(struct io_ring_ctx *ctx, u64 user_data, s32 res,
		      u32 cflags, bool counted);
void io_req_complete(struct io_kiocb *req);
void io_poll_wq_init(struct io_ring_ctx *ctx);
void io_poll_wq_wake_later(struct io_ring_ctx *ctx);
void io_cq_flush_overflow(struct io_ring_ctx *ctx);
unsigned int io_cq_ready(struct io_ring_ctx *ctx);
int io_cq_wait(struct io_ring_ctx *ctx, unsigned int min_events, u32 flags,
	       const void __user *argp, size_t argsz);
void io_cq_drop_overflow(struct io_ring_ctx *ctx);
int io_cq_check_ext_arg(u32 flags, const void __user *argp, size_t argsz);

/*
 * Something to do when the CQ has seen @target CQEs that count (all but
 * ctx->cq_uncounted). ->fire runs under completion_lock and must not post.
 */
struct io_cq_watch {
	struct list_head	node;
	u32			target;
	void			(*fire)(struct io_cq_watch *watch);
};

/* cqe.c */
void io_cq_watch_add(struct io_ring_ctx *ctx, struct io_cq_watch *watch,
		     u32 nr);
void io_cq_watch_del(struct io_ring_ctx *ctx, struct io_cq_watch *watch);
void io_cq_uncount_next(struct io_ring_ctx *ctx);
void io_post_cqe_remote(struct io_ring_ctx *ctx, u64 user_data, s32 res,
			u32 cflags);
void io_cq_post_deferred(struct io_ring_ctx *ctx);

/* submit.c */
int io_submit_sqes(struct io_ring_ctx *ctx, unsigned int nr);
void io_req_free(struct io_kiocb *req);
void io_req_put(struct io_kiocb *req);
void io_req_cache_drop(struct io_ring_ctx *ctx);
void io_req_complete_list(struct io_ring_ctx *ctx, struct io_kiocb *req,
			  bool recycle);
void io_req_fail(struct io_kiocb *req, int err);
void io_req_run(struct io_kiocb *req);
void io_req_requeue(struct io_kiocb *req);
struct io_kiocb *io_link_unguard(struct io_kiocb *guard);
void io_drain_cancel(struct io_ring_ctx *ctx, struct task_struct *task);
int __init io_req_cache_init(void);
void io_req_complete_tw(struct io_kiocb *req, unsigned int issue_flags);
void io_req_mark_inflight(struct io_kiocb *req);

/* cancel.c */
struct io_cancel_data {
	struct io_ring_ctx	*ctx;
	u32			flags;		/* IORING_ASYNC_CANCEL_* */
	u64			user_data;
	struct file		*file;		/* IORING_ASYNC_CANCEL_FD */
	u8			opcode;		/* IORING_ASYNC_CANCEL_OP */
	struct io_kiocb		*req;		/* exactly this one, if set */
	struct task_struct	*task;		/* only this task's, if set */
	bool			ring_file;	/* only REQ_F_RING_FILE ones */
};

/*
 * What a park cancel callback returns: 0 once it has claimed the request
 * (its completion follows), IO_CANCEL_BATCHED for the same where a single
 * cancel reports the number found, 1 (6.12 does so for futex and waitid),
 * or -ENOENT / -EALREADY if it is past stopping.
 */
#define IO_CANCEL_BATCHED	1

void io_req_park(struct io_kiocb *req, int (*cancel)(struct io_kiocb *req));
void io_req_unpark(struct io_kiocb *req);
int io_cancel(struct io_cancel_data *cd);
void io_cancel_parked_all(struct io_ring_ctx *ctx, struct task_struct *task,
			  bool ring_file);

/* tw.c */
void io_req_queue_tw(struct io_kiocb *req, io_tw_fn fn);
void io_fallback_work(struct work_struct *work);
bool __io_run_task_work(void);

/* Run the task's pending task work; returns true if there was some. */
static inline bool io_run_task_work(void)
{
	if (likely(!test_thread_flag(TIF_NOTIFY_SIGNAL) &&
		   !task_work_pending(current)))
		return false;
	return __io_run_task_work();
}

bool io_run_local_tw(struct io_ring_ctx *ctx, bool dead);

/* DEFER_TASKRUN: only the submitter runs the ring's callbacks. */
static inline bool io_may_run_local_tw(struct io_ring_ctx *ctx)
{
	return !(ctx->flags & IORING_SETUP_DEFER_TASKRUN) ||
	       ctx->submitter_task == current;
}

/* setup.c */
extern const struct file_operations io_uring_fops;

/* The ring behind @file, or NULL if it is not an io_uring file. */
static inline struct io_ring_ctx *io_ring_ctx_from_file(struct file *file)
{
	if (file->f_op != &io_uring_fops)
		return NULL;
	return file->private_data;
}

/* iopoll.c */
struct io_comp_batch;

void io_iopoll_add(struct io_kiocb *req, unsigned int issue_flags);
int io_iopoll_reap(struct io_ring_ctx *ctx, bool spin);
int io_iopoll_wait(struct io_ring_ctx *ctx, unsigned int min_events);
void io_iopoll_reap_all(struct io_ring_ctx *ctx);

static inline bool io_iopoll_pending(struct io_ring_ctx *ctx)
{
	/* racy on purpose: a hint for the SQ thread, which rechecks locked */
	return !list_empty_careful(&ctx->iopoll_list);
}

/* ->ki_complete() of a polled request: the reaper posts its CQE. */
static inline void io_iopoll_done(struct io_kiocb *req)
{
	/* pairs with the reaper's acquire: the result is set before */
	smp_store_release(&req->iopoll_done, true);
}

/* fdinfo.c */
void io_uring_show_fdinfo(struct seq_file *m, struct file *f);

#endif /* IO_URING_CORE_H */
