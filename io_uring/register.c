// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring_register(): changing a ring's configuration. Every opcode runs
 * under the ring's uring_lock, so it never races with submission.
 */
#include <linux/file.h>
#include <linux/io_uring.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/cred.h>
#include <linux/syscalls.h>

#include "io_uring.h"
#include "opdef.h"
#include "eventfd.h"
#include "filetable.h"

static int io_register_enable_rings(struct io_ring_ctx *ctx, void __user *arg,
				    unsigned int nr_args)
{
	if (arg || nr_args)
		return -EINVAL;
	if (!(ctx->flags & IORING_SETUP_R_DISABLED))
		return -EBADFD;
	if ((ctx->flags & IORING_SETUP_SINGLE_ISSUER) && !ctx->submitter_task)
		ctx->submitter_task = get_task_struct(current);
	/* pairs with the acquire in io_uring_enter() */
	smp_store_release(&ctx->flags, ctx->flags & ~IORING_SETUP_R_DISABLED);
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

/* IORING_REGISTER_FILES2: struct io_uring_rsrc_register, tags optional. */
static int io_register_files2(struct io_ring_ctx *ctx, void __user *arg,
			      unsigned int size)
{
	struct io_uring_rsrc_register rr;

	if (size != sizeof(rr))
		return -EINVAL;
	if (copy_from_user(&rr, arg, sizeof(rr)))
		return -EFAULT;
	if (!rr.nr || rr.resv2 || (rr.flags & ~IORING_RSRC_REGISTER_SPARSE))
		return -EINVAL;
	/* SPARSE means no fds; no fds also means sparse */
	if ((rr.flags & IORING_RSRC_REGISTER_SPARSE) && rr.data)
		return -EINVAL;
	return io_files_register(ctx, u64_to_user_ptr(rr.data), rr.nr,
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

/* IORING_REGISTER_FILES_UPDATE2: struct io_uring_rsrc_update2. */
static int io_register_files_update2(struct io_ring_ctx *ctx, void __user *arg,
				     unsigned int size)
{
	struct io_uring_rsrc_update2 up;

	if (size != sizeof(up))
		return -EINVAL;
	if (copy_from_user(&up, arg, sizeof(up)))
		return -EFAULT;
	if (!up.nr || up.resv || up.resv2)
		return -EINVAL;
	if (up.offset + up.nr < up.offset)
		return -EOVERFLOW;
	return io_files_update(ctx, up.offset, u64_to_user_ptr(up.data),
			       u64_to_user_ptr(up.tags), up.nr);
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

static int io_register(struct io_ring_ctx *ctx, unsigned int opcode,
		       void __user *arg, unsigned int nr_args)
{
	lockdep_assert_held(&ctx->uring_lock);

	if (percpu_ref_is_dying(&ctx->refs))
		return -ENXIO;
	if (ctx->submitter_task && ctx->submitter_task != current)
		return -EEXIST;

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
	}
	return -EINVAL;
}

SYSCALL_DEFINE4(io_uring_register, unsigned int, fd, unsigned int, opcode,
		void __user *, arg, unsigned int, nr_args)
{
	struct io_ring_ctx *ctx;
	struct file *file;
	long ret;

	/* no ring can be registered yet */
	if (opcode & IORING_REGISTER_USE_REGISTERED_RING)
		return -EINVAL;
	if (opcode >= IORING_REGISTER_LAST)
		return -EINVAL;

	file = fget(fd);
	if (!file)
		return -EBADF;
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
