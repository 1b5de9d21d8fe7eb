// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring_register(): changing a ring's configuration. Every opcode runs
 * under the ring's uring_lock, so it never races with submission.
 */
#include <linux/file.h>
#include <linux/io_uring.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/syscalls.h>

#include "io_uring.h"
#include "opdef.h"

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
