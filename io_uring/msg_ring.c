// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_MSG_RING: post a CQE to another ring (IORING_MSG_DATA), or
 * give it one of our registered files (IORING_MSG_SEND_FD).
 *
 * The target is another ring's file, so it stays alive while we use it.
 * Its registered files are under its own uring_lock, which we may not
 * wait for while holding ours (two rings sending to each other would
 * deadlock): in the submitter we only try it, and a worker, which holds
 * no ring lock, waits for it.
 */
#include <linux/file.h>
#include <linux/io_uring.h>

#include "io_uring.h"
#include "msg_ring.h"

#define IO_MSG_RING_FLAGS	(IORING_MSG_RING_CQE_SKIP | \
				 IORING_MSG_RING_FLAGS_PASS)

struct io_msg {
	struct file		*file;		/* the target ring */
	u64			user_data;	/* of the target's CQE */
	u32			len;		/* DATA: res of the target's CQE */
	u32			cmd;		/* IORING_MSG_* */
	u32			src_slot;	/* SEND_FD: our registered file */
	u32			dst_slot;	/* SEND_FD: index + 1, or ALLOC */
	u32			flags;		/* IORING_MSG_RING_* */
};

int io_msg_ring_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_msg *msg = io_kiocb_to_cmd(req, struct io_msg);

	if (READ_ONCE(sqe->buf_index) || READ_ONCE(sqe->personality))
		return -EINVAL;
	msg->user_data = READ_ONCE(sqe->off);
	msg->len = READ_ONCE(sqe->len);
	msg->cmd = READ_ONCE(sqe->addr);
	msg->src_slot = READ_ONCE(sqe->addr3);
	msg->dst_slot = READ_ONCE(sqe->file_index);
	msg->flags = READ_ONCE(sqe->msg_ring_flags);
	if (msg->flags & ~IO_MSG_RING_FLAGS)
		return -EINVAL;
	return 0;
}

static bool io_msg_target_disabled(struct io_ring_ctx *target)
{
	/* pairs with the release in IORING_REGISTER_ENABLE_RINGS */
	return smp_load_acquire(&target->flags) & IORING_SETUP_R_DISABLED;
}

static int io_msg_data(struct io_kiocb *req, struct io_ring_ctx *target)
{
	struct io_msg *msg = io_kiocb_to_cmd(req, struct io_msg);
	u32 cflags = 0;

	if (msg->src_slot)
		return -EINVAL;
	if (msg->flags & ~IORING_MSG_RING_FLAGS_PASS)
		return -EINVAL;
	if (msg->flags & IORING_MSG_RING_FLAGS_PASS)
		cflags = msg->dst_slot;
	else if (msg->dst_slot)
		return -EINVAL;
	if (io_msg_target_disabled(target))
		return -EBADFD;
	io_post_cqe_remote(target, msg->user_data, msg->len, cflags);
	return 0;
}

/* Take the target's lock, without waiting unless we hold no ring lock. */
static bool io_msg_lock_target(struct io_ring_ctx *target,
			       unsigned int issue_flags)
{
	if (issue_flags & IO_URING_F_UNLOCKED) {
		mutex_lock(&target->uring_lock);
		return true;
	}
	return mutex_trylock(&target->uring_lock);
}

static int io_msg_send_fd(struct io_kiocb *req, struct io_ring_ctx *target,
			  unsigned int issue_flags)
{
	struct io_msg *msg = io_kiocb_to_cmd(req, struct io_msg);
	struct io_ring_ctx *ctx = req->ctx;
	struct file *src;
	int ret;

	if (msg->len)
		return -EINVAL;
	if (target == ctx)
		return -EINVAL;
	if (io_msg_target_disabled(target))
		return -EBADFD;
	io_ring_lock(ctx, issue_flags);
	src = io_fixed_file_get(ctx, msg->src_slot);
	io_ring_unlock(ctx, issue_flags);
	if (!src)
		return -EBADF;
	if (!io_msg_lock_target(target, issue_flags)) {
		fput(src);
		return -EAGAIN;
	}
	/* the target's table takes over our reference */
	ret = io_fixed_fd_install(target, src, msg->dst_slot);
	mutex_unlock(&target->uring_lock);
	if (ret < 0)
		return ret;
	if (!(msg->flags & IORING_MSG_RING_CQE_SKIP))
		io_post_cqe_remote(target, msg->user_data, ret, 0);
	io_req_set_res(req, ret, 0);
	return IOU_DONE;
}

int io_msg_ring(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_msg *msg = io_kiocb_to_cmd(req, struct io_msg);
	struct io_ring_ctx *target = io_ring_ctx_from_file(req->file);

	if (!target)
		return -EBADFD;
	switch (msg->cmd) {
	case IORING_MSG_DATA:
		return io_msg_data(req, target);
	case IORING_MSG_SEND_FD:
		return io_msg_send_fd(req, target, issue_flags);
	}
	return -EINVAL;
}
