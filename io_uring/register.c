// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring_register(): changing a ring's configuration. Every opcode runs
 * under the ring's uring_lock, so it never races with submission.
 */
#include <linux/file.h>
#include <linux/io_uring.h>
#include <linux/nospec.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/compat.h>
#include <linux/cpumask.h>
#include <linux/cred.h>
#include <linux/syscalls.h>

#include "io_uring.h"
#include "opdef.h"
#include "eventfd.h"
#include "filetable.h"
#include "tctx.h"
#include "cancel.h"
#include "sqpoll.h"
#include "kbuf.h"

#define IORING_MAX_RESTRICTIONS	(IORING_RESTRICTION_LAST + \
				 IORING_REGISTER_LAST + IORING_OP_LAST)

static int io_restriction_add(struct io_restrictions *r,
			      const struct io_uring_restriction *res)
{
	switch (res->opcode) {
	case IORING_RESTRICTION_REGISTER_OP:
		if (res->register_op >= IORING_REGISTER_LAST)
			return -EINVAL;
		__set_bit(res->register_op, r->register_op);
		return 0;
	case IORING_RESTRICTION_SQE_OP:
		if (res->sqe_op >= IORING_OP_LAST)
			return -EINVAL;
		__set_bit(res->sqe_op, r->sqe_op);
		return 0;
	case IORING_RESTRICTION_SQE_FLAGS_ALLOWED:
		r->sqe_flags_allowed = res->sqe_flags;
		return 0;
	case IORING_RESTRICTION_SQE_FLAGS_REQUIRED:
		r->sqe_flags_required = res->sqe_flags;
		return 0;
	}
	return -EINVAL;
}

/* Only once, and only while the ring is still disabled. */
static int io_register_restrictions(struct io_ring_ctx *ctx, void __user *arg,
				    unsigned int nr_args)
{
	struct io_restrictions *r = &ctx->restrictions;
	struct io_uring_restriction *res;
	unsigned int i;
	int ret = 0;

	if (!(ctx->flags & IORING_SETUP_R_DISABLED))
		return -EBADFD;
	if (r->registered)
		return -EBUSY;
	if (!arg || nr_args > IORING_MAX_RESTRICTIONS)
		return -EINVAL;
	res = memdup_array_user(arg, nr_args, sizeof(*res));
	if (IS_ERR(res))
		return PTR_ERR(res);
	for (i = 0; i < nr_args && !ret; i++)
		ret = io_restriction_add(r, &res[i]);
	kfree(res);
	/* all or nothing */
	if (ret)
		memset(r, 0, sizeof(*r));
	else
		r->registered = true;
	return ret;
}

static int io_register_enable_rings(struct io_ring_ctx *ctx, void __user *arg,
				    unsigned int nr_args)
{
	if (arg || nr_args)
		return -EINVAL;
	if (!(ctx->flags & IORING_SETUP_R_DISABLED))
		return -EBADFD;
	if ((ctx->flags & IORING_SETUP_SINGLE_ISSUER) && !ctx->submitter_task)
		ctx->submitter_task = get_task_struct(current);
	if (ctx->restrictions.registered) {
		ctx->restricted = true;
		/* every SQE is checked against them from now on */
		ctx->fast_ops = 0;
	}
	/* pairs with the acquire in io_uring_enter() and the SQ thread */
	smp_store_release(&ctx->flags, ctx->flags & ~IORING_SETUP_R_DISABLED);
	io_sqpoll_wake(ctx);
	return 0;
}

/* Tell the application which opcodes this kernel implements. */
static int io_register_probe(struct io_ring_ctx *ctx, void __user *arg,
			     unsigned int nr_args)
{
	struct io_uring_probe *p;
	size_t size;
	int i, ret;

	nr_args = min_t(unsigned int, nr_args, IORING_OP_LAST);
	size = struct_size(p, ops, nr_args);
	p = memdup_user(arg, size);
	if (IS_ERR(p))
		return PTR_ERR(p);
	/* the application must pass zeroes, so fields can gain meaning */
	ret = -EINVAL;
	if (memchr_inv(p, 0, size))
		goto out;

	p->last_op = IORING_OP_LAST - 1;
	p->ops_len = nr_args;
	for (i = 0; i < nr_args; i++) {
		struct io_uring_probe_op *op = &p->ops[i];

		op->op = i;
		op->flags = io_op_supported(i) ? IO_URING_OP_SUPPORTED : 0;
	}
	ret = copy_to_user(arg, p, size) ? -EFAULT : 0;
out:
	kfree(p);
	return ret;
}

/*
 * Read and check the struct io_uring_rsrc_register of FILES2/BUFFERS2.
 * IORING_RSRC_REGISTER_SPARSE means no data; no data also means sparse.
 */
static int io_get_rsrc_register(void __user *arg, unsigned int size,
				struct io_uring_rsrc_register *rr)
{
	if (size != sizeof(*rr))
		return -EINVAL;
	if (copy_from_user(rr, arg, sizeof(*rr)))
		return -EFAULT;
	if (!rr->nr || rr->resv2 || (rr->flags & ~IORING_RSRC_REGISTER_SPARSE))
		return -EINVAL;
	if ((rr->flags & IORING_RSRC_REGISTER_SPARSE) && rr->data)
		return -EINVAL;
	return 0;
}

/* Read and check the struct io_uring_rsrc_update2 of the _UPDATE2 calls. */
static int io_get_rsrc_update2(void __user *arg, unsigned int size,
			       struct io_uring_rsrc_update2 *up)
{
	if (size != sizeof(*up))
		return -EINVAL;
	if (copy_from_user(up, arg, sizeof(*up)))
		return -EFAULT;
	if (!up->nr || up->resv || up->resv2)
		return -EINVAL;
	if (up->offset + up->nr < up->offset)
		return -EOVERFLOW;
	return 0;
}

static int io_register_files2(struct io_ring_ctx *ctx, void __user *arg,
			      unsigned int size)
{
	struct io_uring_rsrc_register rr;
	int ret = io_get_rsrc_register(arg, size, &rr);

	if (ret)
		return ret;
	return io_files_register(ctx, u64_to_user_ptr(rr.data), rr.nr,
				 u64_to_user_ptr(rr.tags));
}

static int io_register_buffers2(struct io_ring_ctx *ctx, void __user *arg,
				unsigned int size)
{
	struct io_uring_rsrc_register rr;
	int ret = io_get_rsrc_register(arg, size, &rr);

	if (ret)
		return ret;
	return io_bufs_register(ctx, u64_to_user_ptr(rr.data), rr.nr,
				u64_to_user_ptr(rr.tags));
}

/* IORING_REGISTER_FILES_UPDATE: struct io_uring_files_update, no tags. */
static int io_register_files_update(struct io_ring_ctx *ctx, void __user *arg,
				    unsigned int nr)
{
	struct io_uring_files_update up;

	if (!nr)
		return -EINVAL;
	if (copy_from_user(&up, arg, sizeof(up)))
		return -EFAULT;
	if (up.resv)
		return -EINVAL;
	if (up.offset + nr < up.offset)
		return -EOVERFLOW;
	return io_files_update(ctx, up.offset, u64_to_user_ptr(up.fds), NULL,
			       nr);
}

static int io_register_files_update2(struct io_ring_ctx *ctx, void __user *arg,
				     unsigned int size)
{
	struct io_uring_rsrc_update2 up;
	int ret = io_get_rsrc_update2(arg, size, &up);

	if (ret)
		return ret;
	return io_files_update(ctx, up.offset, u64_to_user_ptr(up.data),
			       u64_to_user_ptr(up.tags), up.nr);
}

static int io_register_buffers_update(struct io_ring_ctx *ctx,
				      void __user *arg, unsigned int size)
{
	struct io_uring_rsrc_update2 up;
	int ret = io_get_rsrc_update2(arg, size, &up);

	if (ret)
		return ret;
	return io_bufs_update(ctx, up.offset, u64_to_user_ptr(up.data),
			      u64_to_user_ptr(up.tags), up.nr);
}

/*
 * counts[0] bounds bounded work, counts[1] unbounded; 0 keeps a limit.
 * Applies to every pool that runs this ring's work; the caller gets the
 * previous limits of its own pool (zeroes if it has none), or of the SQ
 * thread's on an SQPOLL ring.
 */
static int io_register_iowq_max_workers(struct io_ring_ctx *ctx,
					void __user *arg)
{
	struct task_struct *tsk;
	u32 counts[2];
	int i;

	if (copy_from_user(counts, arg, sizeof(counts)))
		return -EFAULT;
	if (counts[0] > INT_MAX || counts[1] > INT_MAX)
		return -EINVAL;
	for (i = 0; i < 2; i++)
		if (counts[i])
			ctx->iowq_limits[i] = counts[i];
	tsk = io_sqpoll_get_task(ctx);
	io_tctx_set_max_workers(ctx, tsk ?: current, counts);
	if (tsk)
		put_task_struct(tsk);
	if (copy_to_user(arg, counts, sizeof(counts)))
		return -EFAULT;
	return 0;
}

/* The pool the ring's work runs in: the caller's, or the SQ thread's. */
static int io_wq_affinity(struct io_ring_ctx *ctx, const struct cpumask *mask)
{
	struct task_struct *tsk;
	int ret;

	if (!(ctx->flags & IORING_SETUP_SQPOLL))
		return io_tctx_wq_affinity(current, mask);
	tsk = io_sqpoll_get_task(ctx);
	if (!tsk)
		return -EINVAL;
	ret = io_tctx_wq_affinity(tsk, mask);
	put_task_struct(tsk);
	return ret;
}

static int io_register_iowq_aff(struct io_ring_ctx *ctx, void __user *arg,
				unsigned int len)
{
	cpumask_var_t mask;
	int ret;

	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	len = min_t(unsigned int, len, cpumask_size());
#ifdef CONFIG_COMPAT
	if (in_compat_syscall())
		ret = compat_get_bitmap(cpumask_bits(mask), arg, len * 8) ? -EFAULT : 0;
	else
#endif
		ret = copy_from_user(cpumask_bits(mask), arg, len) ? -EFAULT : 0;
	if (!ret)
		ret = io_wq_affinity(ctx, mask);
	free_cpumask_var(mask);
	return ret;
}

/* The clock wait timeouts use: CLOCK_MONOTONIC (default) or BOOTTIME. */
static int io_register_clock(struct io_ring_ctx *ctx, void __user *arg)
{
	struct io_uring_clock_register reg;

	if (copy_from_user(&reg, arg, sizeof(reg)))
		return -EFAULT;
	if (memchr_inv(&reg.__resv, 0, sizeof(reg.__resv)))
		return -EINVAL;
	if (reg.clockid != CLOCK_MONOTONIC && reg.clockid != CLOCK_BOOTTIME)
		return -EINVAL;
	WRITE_ONCE(ctx->clockid, reg.clockid);
	return 0;
}

/* Remember the caller's credentials; SQEs name them by the returned id. */
static int io_register_personality(struct io_ring_ctx *ctx)
{
	const struct cred *creds = get_current_cred();
	u32 id;
	int ret;

	ret = xa_alloc_cyclic(&ctx->personalities, &id, (void *)creds,
			      XA_LIMIT(0, USHRT_MAX), &ctx->pers_next,
			      GFP_KERNEL);
	if (ret < 0) {
		put_cred(creds);
		return ret;
	}
	return id;
}

static int io_unregister_personality(struct io_ring_ctx *ctx, unsigned int id)
{
	const struct cred *creds = xa_erase(&ctx->personalities, id);

	if (!creds)
		return -EINVAL;
	put_cred(creds);
	return 0;
}

/* IORING_REGISTER_CLONE_BUFFERS: find the source ring, then share. */
static int io_register_clone_buffers(struct io_ring_ctx *ctx,
				     struct io_uring_clone_buffers __user *arg)
{
	struct io_uring_clone_buffers cb;
	struct io_ring_ctx *src;
	struct file *file;
	int ret;

	if (ctx->buf_table.nr)
		return -EBUSY;
	if (copy_from_user(&cb, arg, sizeof(cb)))
		return -EFAULT;
	if (cb.flags & ~IORING_REGISTER_SRC_REGISTERED)
		return -EINVAL;
	if (memchr_inv(cb.pad, 0, sizeof(cb.pad)))
		return -EINVAL;
	if (cb.flags & IORING_REGISTER_SRC_REGISTERED) {
		file = io_ringfd_get(cb.src_fd, true, &ret);
		if (!file)
			return ret;
	} else {
		file = fget(cb.src_fd);
		if (!file)
			return -EBADF;
	}
	src = io_ring_ctx_from_file(file);
	ret = src ? io_bufs_clone(ctx, src) : -EOPNOTSUPP;
	fput(file);
	return ret;
}

static int io_register(struct io_ring_ctx *ctx, unsigned int opcode,
		       void __user *arg, unsigned int nr_args)
{
	lockdep_assert_held(&ctx->uring_lock);

	if (percpu_ref_is_dying(&ctx->refs))
		return -ENXIO;
	if (ctx->submitter_task && ctx->submitter_task != current)
		return -EEXIST;
	if (ctx->restricted &&
	    !test_bit(array_index_nospec(opcode, IORING_REGISTER_LAST),
		      ctx->restrictions.register_op))
		return -EACCES;

	switch (opcode) {
	case IORING_REGISTER_ENABLE_RINGS:
		return io_register_enable_rings(ctx, arg, nr_args);
	case IORING_REGISTER_FILES:
		if (!arg)
			return -EFAULT;
		return io_files_register(ctx, arg, nr_args, NULL);
	case IORING_UNREGISTER_FILES:
		if (arg || nr_args)
			return -EINVAL;
		return io_files_unregister(ctx);
	case IORING_REGISTER_FILES2:
		return io_register_files2(ctx, arg, nr_args);
	case IORING_REGISTER_FILES_UPDATE:
		return io_register_files_update(ctx, arg, nr_args);
	case IORING_REGISTER_FILES_UPDATE2:
		return io_register_files_update2(ctx, arg, nr_args);
	case IORING_REGISTER_FILE_ALLOC_RANGE:
		if (!arg || nr_args)
			return -EINVAL;
		return io_register_file_alloc_range(ctx, arg);
	case IORING_REGISTER_BUFFERS:
		if (!arg)
			return -EFAULT;
		return io_bufs_register(ctx, arg, nr_args, NULL);
	case IORING_UNREGISTER_BUFFERS:
		if (arg || nr_args)
			return -EINVAL;
		return io_bufs_unregister(ctx);
	case IORING_REGISTER_BUFFERS2:
		return io_register_buffers2(ctx, arg, nr_args);
	case IORING_REGISTER_BUFFERS_UPDATE:
		return io_register_buffers_update(ctx, arg, nr_args);
	case IORING_REGISTER_CLONE_BUFFERS:
		if (!arg || nr_args != 1)
			return -EINVAL;
		return io_register_clone_buffers(ctx, arg);
	case IORING_REGISTER_RESTRICTIONS:
		return io_register_restrictions(ctx, arg, nr_args);
	case IORING_REGISTER_IOWQ_MAX_WORKERS:
		if (!arg || nr_args != 2)
			return -EINVAL;
		return io_register_iowq_max_workers(ctx, arg);
	case IORING_REGISTER_IOWQ_AFF:
		if (!arg || !nr_args)
			return -EINVAL;
		return io_register_iowq_aff(ctx, arg, nr_args);
	case IORING_UNREGISTER_IOWQ_AFF:
		if (arg || nr_args)
			return -EINVAL;
		return io_wq_affinity(ctx, NULL);
	case IORING_REGISTER_CLOCK:
		if (!arg || nr_args)
			return -EINVAL;
		return io_register_clock(ctx, arg);
	case IORING_REGISTER_RING_FDS:
		return io_ringfd_register(ctx, arg, nr_args);
	case IORING_UNREGISTER_RING_FDS:
		return io_ringfd_unregister(ctx, arg, nr_args);
	case IORING_REGISTER_PERSONALITY:
		if (arg || nr_args)
			return -EINVAL;
		return io_register_personality(ctx);
	case IORING_UNREGISTER_PERSONALITY:
		if (arg)
			return -EINVAL;
		return io_unregister_personality(ctx, nr_args);
	case IORING_REGISTER_EVENTFD:
		return io_eventfd_register(ctx, arg, nr_args, false);
	case IORING_REGISTER_EVENTFD_ASYNC:
		return io_eventfd_register(ctx, arg, nr_args, true);
	case IORING_UNREGISTER_EVENTFD:
		return io_eventfd_unregister(ctx, arg, nr_args);
	case IORING_REGISTER_PROBE:
		if (!arg || nr_args > 256)
			return -EINVAL;
		return io_register_probe(ctx, arg, nr_args);
	case IORING_REGISTER_SYNC_CANCEL:
		if (!arg || nr_args != 1)
			return -EINVAL;
		return io_sync_cancel(ctx, arg);
	case IORING_REGISTER_PBUF_RING:
		if (!arg || nr_args != 1)
			return -EINVAL;
		return io_register_pbuf_ring(ctx, arg);
	case IORING_UNREGISTER_PBUF_RING:
		if (!arg || nr_args != 1)
			return -EINVAL;
		return io_unregister_pbuf_ring(ctx, arg);
	case IORING_REGISTER_PBUF_STATUS:
		if (!arg || nr_args != 1)
			return -EINVAL;
		return io_register_pbuf_status(ctx, arg);
	}
	return -EINVAL;
}

SYSCALL_DEFINE4(io_uring_register, unsigned int, fd, unsigned int, opcode,
		void __user *, arg, unsigned int, nr_args)
{
	bool use_registered = opcode & IORING_REGISTER_USE_REGISTERED_RING;
	struct io_ring_ctx *ctx;
	struct file *file;
	long ret;
	int err;

	opcode &= ~IORING_REGISTER_USE_REGISTERED_RING;
	if (opcode >= IORING_REGISTER_LAST)
		return -EINVAL;

	if (use_registered) {
		file = io_ringfd_get(fd, true, &err);
		if (!file)
			return err;
	} else {
		file = fget(fd);
		if (!file)
			return -EBADF;
	}
	ctx = io_ring_ctx_from_file(file);
	if (!ctx) {
		fput(file);
		return -EOPNOTSUPP;
	}
	mutex_lock(&ctx->uring_lock);
	ret = io_register(ctx, opcode, arg, nr_args);
	mutex_unlock(&ctx->uring_lock);
	fput(file);
	return ret;
}
