// SPDX-License-Identifier: GPL-2.0
/*
 * Creating and destroying a ring: io_uring_setup(), the ring file and
 * its mmap(), and the sysctls that decide who may create rings.
 *
 * Lifetime of a ring context:
 *   io_uring_setup() creates it with the ring file holding the initial
 *   reference in ctx->refs. Each request holds another from submission
 *   to free. Closing the last file reference kills ctx->refs; the exit
 *   work waits for the count to reach zero, then frees everything.
 */
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/sched/user.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/sysctl.h>
#include <linux/uidgid.h>

#include "io_uring.h"
#include "rsrc_tags.h"
#include "opdef.h"
#include "tctx.h"
#include "eventfd.h"
#include "sqpoll.h"
#include "kbuf.h"

#define CREATE_TRACE_POINTS
#include <trace/events/io_uring.h>

/* 0: anyone may create rings, 1: only io_uring_group or admins, 2: nobody */
static int io_sysctl_disabled;
static int io_sysctl_group = -1;

static bool io_uring_allowed(void)
{
	int disabled = READ_ONCE(io_sysctl_disabled);
	kgid_t group;

	if (disabled == 2)
		return false;
	if (disabled == 0 || capable(CAP_SYS_ADMIN))
		return true;
	group = make_kgid(&init_user_ns, READ_ONCE(io_sysctl_group));
	return gid_valid(group) && in_group_p(group);
}

#define IORING_SETUP_KNOWN (IORING_SETUP_IOPOLL | IORING_SETUP_SQPOLL | \
			    IORING_SETUP_SQ_AFF | IORING_SETUP_CQSIZE | \
			    IORING_SETUP_CLAMP | IORING_SETUP_ATTACH_WQ | \
			    IORING_SETUP_R_DISABLED | IORING_SETUP_SUBMIT_ALL | \
			    IORING_SETUP_COOP_TASKRUN | \
			    IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_SQE128 | \
			    IORING_SETUP_CQE32 | IORING_SETUP_SINGLE_ISSUER | \
			    IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_NO_MMAP | \
			    IORING_SETUP_REGISTERED_FD_ONLY | \
			    IORING_SETUP_NO_SQARRAY)

#define IORING_FEAT_IMPLEMENTED (IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | \
				 IORING_FEAT_SUBMIT_STABLE | \
				 IORING_FEAT_RW_CUR_POS | \
				 IORING_FEAT_EXT_ARG | IORING_FEAT_CQE_SKIP | \
				 IORING_FEAT_NATIVE_WORKERS | \
				 IORING_FEAT_CUR_PERSONALITY | \
				 IORING_FEAT_RSRC_TAGS | IORING_FEAT_LINKED_FILE | \
				 IORING_FEAT_REG_REG_RING | \
				 IORING_FEAT_MIN_TIMEOUT | \
				 IORING_FEAT_FAST_POLL | IORING_FEAT_POLL_32BITS | \
				 IORING_FEAT_SQPOLL_NONFIXED)

/* Flag combinations 6.12 refuses, whatever the ring size. */
static int io_check_setup_flags(u32 flags)
{
	if (flags & ~IORING_SETUP_KNOWN)
		return -EINVAL;
	if ((flags & IORING_SETUP_REGISTERED_FD_ONLY) &&
	    !(flags & IORING_SETUP_NO_MMAP))
		return -EINVAL;
	if (flags & IORING_SETUP_SQPOLL) {
		/* the SQ thread never needs an IPI to run task work */
		if (flags & (IORING_SETUP_COOP_TASKRUN |
			     IORING_SETUP_TASKRUN_FLAG |
			     IORING_SETUP_DEFER_TASKRUN))
			return -EINVAL;
	} else if (!(flags & IORING_SETUP_COOP_TASKRUN) &&
		   (flags & IORING_SETUP_TASKRUN_FLAG) &&
		   !(flags & IORING_SETUP_DEFER_TASKRUN)) {
		return -EINVAL;
	}
	if ((flags & IORING_SETUP_DEFER_TASKRUN) &&
	    !(flags & IORING_SETUP_SINGLE_ISSUER))
		return -EINVAL;
	return 0;
}

/* Round and clamp the ring sizes in @p, as io_uring_setup(2) documents. */
static int io_size_rings(u32 entries, struct io_uring_params *p)
{
	bool clamp = p->flags & IORING_SETUP_CLAMP;

	if (!entries)
		return -EINVAL;
	if (entries > IORING_MAX_ENTRIES) {
		if (!clamp)
			return -EINVAL;
		entries = IORING_MAX_ENTRIES;
	}
	p->sq_entries = roundup_pow_of_two(entries);

	if (!(p->flags & IORING_SETUP_CQSIZE)) {
		p->cq_entries = 2 * p->sq_entries;
		return 0;
	}
	if (!p->cq_entries)
		return -EINVAL;
	if (p->cq_entries > IORING_MAX_CQ_ENTRIES) {
		if (!clamp)
			return -EINVAL;
		p->cq_entries = IORING_MAX_CQ_ENTRIES;
	}
	p->cq_entries = roundup_pow_of_two(p->cq_entries);
	if (p->cq_entries < p->sq_entries)
		return -EINVAL;
	return 0;
}

/*
 * Bytes of the rings mapping: struct io_rings, the CQEs, then (unless
 * NO_SQARRAY) the SQ index array on its own cache line.
 */
static size_t io_rings_size(u32 flags, u32 sq_entries, u32 cq_entries,
			    size_t *sq_array_off)
{
	size_t cqe_size = sizeof(struct io_uring_cqe);
	size_t size;

	if (flags & IORING_SETUP_CQE32)
		cqe_size *= 2;
	size = struct_size_t(struct io_rings, cqes, 0) + cqe_size * cq_entries;
	*sq_array_off = 0;
	if (!(flags & IORING_SETUP_NO_SQARRAY)) {
		*sq_array_off = ALIGN(size, SMP_CACHE_BYTES);
		size = *sq_array_off + sizeof(u32) * sq_entries;
	}
	return size;
}

static size_t io_sqes_size(u32 flags, u32 sq_entries)
{
	size_t sqe_size = sizeof(struct io_uring_sqe);

	if (flags & IORING_SETUP_SQE128)
		sqe_size *= 2;
	return sqe_size * sq_entries;
}

static int io_alloc_region(struct io_ring_ctx *ctx, struct io_region *r,
			   u64 user_addr, size_t size)
{
	if (ctx->flags & IORING_SETUP_NO_MMAP)
		return io_region_pin(r, user_addr, size);
	return io_region_alloc(r, size);
}

static int io_alloc_rings(struct io_ring_ctx *ctx, struct io_uring_params *p)
{
	size_t size, sq_array_off;
	struct io_rings *rings;
	int ret;

	size = io_rings_size(ctx->flags, p->sq_entries, p->cq_entries,
			     &sq_array_off);
	ret = io_alloc_region(ctx, &ctx->ring_region, p->cq_off.user_addr, size);
	if (ret)
		return ret;
	rings = ctx->ring_region.ptr;
	ctx->rings = rings;
	if (sq_array_off)
		ctx->sq_array = (u32 *)((char *)rings + sq_array_off);

	size = io_sqes_size(ctx->flags, p->sq_entries);
	ret = io_alloc_region(ctx, &ctx->sqe_region, p->sq_off.user_addr, size);
	if (ret)
		return ret;
	ctx->sq_sqes = ctx->sqe_region.ptr;

	/* user memory may hold anything: start from a clean state */
	memset(rings, 0, offsetof(struct io_rings, cqes));
	rings->sq_ring_mask = p->sq_entries - 1;
	rings->cq_ring_mask = p->cq_entries - 1;
	rings->sq_ring_entries = p->sq_entries;
	rings->cq_ring_entries = p->cq_entries;
	return 0;
}

static void io_fill_offsets(struct io_ring_ctx *ctx, struct io_uring_params *p)
{
	struct io_sqring_offsets *sq = &p->sq_off;
	struct io_cqring_offsets *cq = &p->cq_off;

	sq->head = offsetof(struct io_rings, sq_head);
	sq->tail = offsetof(struct io_rings, sq_tail);
	sq->ring_mask = offsetof(struct io_rings, sq_ring_mask);
	sq->ring_entries = offsetof(struct io_rings, sq_ring_entries);
	sq->flags = offsetof(struct io_rings, sq_flags);
	sq->dropped = offsetof(struct io_rings, sq_dropped);
	/* with NO_SQARRAY, sq_off.array keeps whatever the application passed */
	if (ctx->sq_array)
		sq->array = (char *)ctx->sq_array - (char *)ctx->rings;
	sq->resv1 = 0;

	cq->head = offsetof(struct io_rings, cq_head);
	cq->tail = offsetof(struct io_rings, cq_tail);
	cq->ring_mask = offsetof(struct io_rings, cq_ring_mask);
	cq->ring_entries = offsetof(struct io_rings, cq_ring_entries);
	cq->overflow = offsetof(struct io_rings, cq_overflow);
	cq->cqes = offsetof(struct io_rings, cqes);
	cq->flags = offsetof(struct io_rings, cq_flags);
	cq->resv1 = 0;

	/* with NO_MMAP the user_addr fields keep the application's values */
	if (!(ctx->flags & IORING_SETUP_NO_MMAP)) {
		sq->user_addr = 0;
		cq->user_addr = 0;
	}
}

static void io_ring_refs_gone(struct percpu_ref *ref)
{
	struct io_ring_ctx *ctx = container_of(ref, struct io_ring_ctx, refs);

	complete(&ctx->ref_done);
}

static struct io_ring_ctx *io_ring_ctx_alloc(struct io_uring_params *p)
{
	struct io_ring_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return NULL;
	if (percpu_ref_init(&ctx->refs, io_ring_refs_gone, 0, GFP_KERNEL)) {
		kfree(ctx);
		return NULL;
	}
	ctx->flags = p->flags;
	ctx->compat = in_compat_syscall();
	ctx->fast_ops = io_op_fast_mask(ctx->flags);
	ctx->issue_flags = IO_URING_F_NONBLOCK;
	if (ctx->flags & IORING_SETUP_SQE128)
		ctx->issue_flags |= IO_URING_F_SQE128;
	if (ctx->flags & IORING_SETUP_CQE32)
		ctx->issue_flags |= IO_URING_F_CQE32;
	ctx->sq_entries = p->sq_entries;
	ctx->cq_entries = p->cq_entries;
	ctx->creds = get_current_cred();
	ctx->clockid = CLOCK_MONOTONIC;
	if (!ns_capable_noaudit(&init_user_ns, CAP_IPC_LOCK))
		ctx->user = get_uid(current_user());
	/* exit drops the mm before the files: keep it for unaccounting */
	mmgrab(current->mm);
	ctx->mm_account = current->mm;
	mutex_init(&ctx->uring_lock);
	spin_lock_init(&ctx->completion_lock);
	INIT_LIST_HEAD(&ctx->cq_overflow_list);
	init_waitqueue_head(&ctx->cq_wait);
	io_poll_wq_init(ctx);
	INIT_LIST_HEAD(&ctx->rsrc_gens);
	spin_lock_init(&ctx->rsrc_gen_lock);
	init_completion(&ctx->ref_done);
	xa_init_flags(&ctx->personalities, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	xa_init_flags(&ctx->buf_groups, XA_FLAGS_ACCOUNT);
	INIT_LIST_HEAD(&ctx->tctx_list);
	INIT_LIST_HEAD(&ctx->parked);
	INIT_LIST_HEAD(&ctx->drain_list);
	INIT_LIST_HEAD(&ctx->iopoll_list);
	init_waitqueue_head(&ctx->sq_space_wait);
	INIT_LIST_HEAD(&ctx->cq_watch);
	init_llist_head(&ctx->deferred_cqes);
	init_llist_head(&ctx->local_tw);
	spin_lock_init(&ctx->link_lock);
	spin_lock_init(&ctx->drain_lock);
	init_llist_head(&ctx->fallback_llist);
	INIT_WORK(&ctx->fallback_work, io_fallback_work);
	return ctx;
}

static void io_personalities_free(struct io_ring_ctx *ctx)
{
	const struct cred *creds;
	unsigned long id;

	xa_for_each(&ctx->personalities, id, creds)
		put_cred(creds);
	xa_destroy(&ctx->personalities);
}

/* Free a context no request and no file refers to any more. */
static void io_ring_ctx_free(struct io_ring_ctx *ctx)
{
	/* io_req_queue_tw() may still be waking a DEFER_TASKRUN ring */
	if (ctx->flags & IORING_SETUP_DEFER_TASKRUN)
		synchronize_rcu();
	/* no request is left: the SQ thread has nothing more to do here */
	io_sqpoll_detach(ctx);
	/* the last request may have been freed by the fallback work */
	flush_work(&ctx->fallback_work);
	io_tctx_ring_gone(ctx);
	io_rsrc_tags_free(ctx);
	io_cq_drop_overflow(ctx);
	io_region_free(&ctx->sqe_region);
	io_region_free(&ctx->ring_region);
	if (ctx->submitter_task)
		put_task_struct(ctx->submitter_task);
	io_personalities_free(ctx);
	io_kbuf_groups_free(ctx);
	put_cred(ctx->creds);
	if (ctx->user)
		free_uid(ctx->user);
	mmdrop(ctx->mm_account);
	percpu_ref_exit(&ctx->refs);
	kfree(ctx);
}

static bool io_work_of_ctx(struct io_wq_work *work, void *data)
{
	return io_req_of_work(work)->ctx == data;
}

/*
 * Ring teardown waits for every request, which a user can delay (a task
 * that is stopped does not run the task work that completes them): on a
 * queue of its own, so that it never holds up the system's shared ones.
 */
static struct workqueue_struct *io_exit_wq;

static void io_ring_exit_work(struct work_struct *work)
{
	struct io_ring_ctx *ctx = container_of(work, struct io_ring_ctx,
					       exit_work);

	/*
	 * Requests may wait forever (a read on an idle pipe, a poll, a
	 * timer): cancel them, again and again, until every request is gone.
	 * Each pass also catches what a completing chain started meanwhile.
	 */
	/* no submission can come after release: the kept requests go */
	io_req_cache_drop(ctx);
	do {
		io_drain_cancel(ctx, NULL);
		io_cancel_parked_all(ctx, NULL, false);
		io_iopoll_reap_all(ctx);
		/* the submitter may be gone: run its callbacks here */
		io_run_local_tw(ctx, true);
		io_tctx_cancel_work(ctx, io_work_of_ctx, ctx, true, NULL);
	} while (!wait_for_completion_timeout(&ctx->ref_done, HZ / 20));
	io_eventfd_release(ctx);
	io_files_release(ctx);
	io_bufs_release(ctx);
	io_ring_ctx_free(ctx);
}

static int io_uring_release(struct inode *inode, struct file *file)
{
	struct io_ring_ctx *ctx = file->private_data;

	file->private_data = NULL;
	percpu_ref_kill(&ctx->refs);
	/* waiting for requests may take long: not in close() */
	INIT_WORK(&ctx->exit_work, io_ring_exit_work);
	queue_work(io_exit_wq, &ctx->exit_work);
	return 0;
}

static struct io_region *io_mmap_region(struct io_ring_ctx *ctx, loff_t off)
{
	if (ctx->flags & IORING_SETUP_NO_MMAP)
		return NULL;
	switch (off & IORING_OFF_MMAP_MASK) {
	case IORING_OFF_SQ_RING:
	case IORING_OFF_CQ_RING:
		return &ctx->ring_region;
	case IORING_OFF_SQES:
		return &ctx->sqe_region;
	}
	return NULL;
}

static int io_uring_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct io_ring_ctx *ctx = file->private_data;
	loff_t off = (loff_t)vma->vm_pgoff << PAGE_SHIFT;
	struct io_region *r;

	/* a provided buffer ring may go away meanwhile: kbuf.c pins it */
	if (io_kbuf_mmap_offset(off))
		return io_kbuf_mmap(ctx, off, vma);
	r = io_mmap_region(ctx, off);
	if (!r)
		return -EINVAL;
	return io_region_mmap(r, vma);
}

/*
 * The kernel picks the address: a hint is refused (-EINVAL), and so is an
 * offset that names no region (-ENOMEM, before any VMA exists).
 */
static unsigned long io_uring_get_unmapped_area(struct file *file,
						unsigned long addr,
						unsigned long len,
						unsigned long pgoff,
						unsigned long flags)
{
	struct io_ring_ctx *ctx = file->private_data;
	loff_t off = (loff_t)pgoff << PAGE_SHIFT;

	if (addr)
		return -EINVAL;
	if (io_kbuf_mmap_offset(off) ? !io_kbuf_mmap_valid(ctx, off) :
				       !io_mmap_region(ctx, off))
		return -ENOMEM;
	return mm_get_unmapped_area(current->mm, NULL, 0, len, 0,
				    flags | MAP_SHARED);
}

static __poll_t io_uring_poll(struct file *file, poll_table *wait)
{
	struct io_ring_ctx *ctx = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &ctx->poll_wq, wait);
	/* pairs with the barrier of io_cq_wake(): a CQE or a wake-up */
	smp_mb();
	/* the SQ has room by the head the application sees */
	if (READ_ONCE(ctx->rings->sq_tail) - READ_ONCE(ctx->rings->sq_head) !=
	    ctx->sq_entries)
		mask |= EPOLLOUT | EPOLLWRNORM;
	/* DEFER_TASKRUN: callbacks waiting to post are CQEs to come */
	if (io_cq_ready(ctx) ||
	    test_bit(IO_CHECK_CQ_OVERFLOW, &ctx->check_cq) ||
	    !llist_empty(&ctx->local_tw) ||
	    !llist_empty(&ctx->deferred_cqes))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

/* What a ring file can do besides io_uring_enter() and _register(). */
const struct file_operations io_uring_fops = {
#ifdef CONFIG_PROC_FS
	.show_fdinfo	= io_uring_show_fdinfo,
#endif
	.poll		= io_uring_poll,
	.mmap		= io_uring_mmap,
	.get_unmapped_area = io_uring_get_unmapped_area,
	.release	= io_uring_release,
};

/* SCM_RIGHTS uses this to refuse passing rings around. */
bool io_is_uring_fops(struct file *file)
{
	return io_ring_ctx_from_file(file);
}

/*
 * Hand the finished ring to userspace as an fd or, with
 * IORING_SETUP_REGISTERED_FD_ONLY, as a registered ring index. Once the
 * file exists it owns the context: *owned tells the caller not to free it.
 */
static int io_install_ring(struct io_ring_ctx *ctx, struct io_uring_params *p,
			   bool *owned)
{
	struct file *file;
	int fd = -1, ret;

	if (!(ctx->flags & IORING_SETUP_REGISTERED_FD_ONLY)) {
		fd = get_unused_fd_flags(O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return fd;
	}
	/* a new inode per ring, so that an LSM may refuse the creation */
	file = anon_inode_create_getfile("[io_uring]", &io_uring_fops, ctx,
					 O_RDWR | O_CLOEXEC, NULL);
	if (IS_ERR(file)) {
		if (fd >= 0)
			put_unused_fd(fd);
		return PTR_ERR(file);
	}
	*owned = true;
	/*
	 * Last but for the fd: once the SQ thread has the ring it may submit
	 * at any time, and a failure from here on must free the ring through
	 * its file, which waits for requests.
	 */
	ret = io_sqpoll_setup(ctx, p);
	if (ret) {
		if (fd >= 0)
			put_unused_fd(fd);
		fput(file);
		return ret;
	}
	if (fd >= 0) {
		fd_install(fd, file);
		return fd;
	}
	ret = io_ringfd_install(ctx, file);
	if (ret < 0)
		fput(file);
	return ret;
}

static int io_uring_create(u32 entries, struct io_uring_params *p,
			   struct io_uring_params __user *uparams)
{
	struct io_ring_ctx *ctx;
	bool owned = false;
	int ret;

	ret = io_check_setup_flags(p->flags);
	if (ret)
		return ret;
	ret = io_size_rings(entries, p);
	if (ret)
		return ret;

	ctx = io_ring_ctx_alloc(p);
	if (!ctx)
		return -ENOMEM;
	ret = io_alloc_rings(ctx, p);
	if (ret)
		goto err;

	io_fill_offsets(ctx, p);
	p->features = IORING_FEAT_IMPLEMENTED;
	if (copy_to_user(uparams, p, sizeof(*p))) {
		ret = -EFAULT;
		goto err;
	}
	if ((ctx->flags & IORING_SETUP_SINGLE_ISSUER) &&
	    !(ctx->flags & IORING_SETUP_R_DISABLED))
		ctx->submitter_task = get_task_struct(current);
	/* the creator is the first submitter */
	ret = io_tctx_attach(ctx);
	if (ret)
		goto err;

	ret = io_install_ring(ctx, p, &owned);
	if (ret < 0) {
		if (owned)
			return ret;
		goto err;
	}
	trace_io_uring_create(ctx, p->sq_entries, p->cq_entries, p->flags);
	return ret;
err:
	/* no request and no file exist yet: nothing else can hold a ref */
	io_ring_ctx_free(ctx);
	return ret;
}

static long io_uring_setup(u32 entries, struct io_uring_params __user *uparams)
{
	struct io_uring_params p;

	if (copy_from_user(&p, uparams, sizeof(p)))
		return -EFAULT;
	if (memchr_inv(&p.resv, 0, sizeof(p.resv)))
		return -EINVAL;
	return io_uring_create(entries, &p, uparams);
}

SYSCALL_DEFINE2(io_uring_setup, u32, entries,
		struct io_uring_params __user *, params)
{
	if (!io_uring_allowed())
		return -EPERM;
	return io_uring_setup(entries, params);
}

/* kernel.io_uring_group: the gid allowed to create rings at level 1 */
static struct ctl_table io_uring_sysctl[] = {
	{
		.procname	= "io_uring_group",
		.mode		= 0644,
		.data		= &io_sysctl_group,
		.maxlen		= sizeof(int),
		.proc_handler	= proc_dointvec,
	},
	{
		.procname	= "io_uring_disabled",
		.mode		= 0644,
		.data		= &io_sysctl_disabled,
		.maxlen		= sizeof(int),
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_TWO,
	},
};

static int __init io_uring_init(void)
{
	/* the ABI: fixed sizes userspace relies on */
	BUILD_BUG_ON(sizeof(struct io_uring_sqe) != 64);
	BUILD_BUG_ON(sizeof(struct io_uring_cqe) != 16);
	BUILD_BUG_ON(sizeof(struct io_uring_params) != 120);
	BUILD_BUG_ON(sizeof(struct io_uring_cmd) > sizeof(struct io_cmd_data));

	io_req_cache_init();
	io_exit_wq = alloc_workqueue("iou_exit", WQ_UNBOUND, 64);
	if (!io_exit_wq)
		io_exit_wq = system_unbound_wq;
	register_sysctl_init("kernel", io_uring_sysctl);
	return 0;
}
device_initcall(io_uring_init);
