// SPDX-License-Identifier: GPL-2.0
/*
 * Operations on an open file that have no data buffer: FSYNC,
 * SYNC_FILE_RANGE, FALLOCATE, FADVISE, MADVISE (on memory, not a file,
 * but of the same shape) and FTRUNCATE.
 *
 * All of them may block, so except for the advice that only sets a flag,
 * the op table marks them always_async and they run in a worker.
 */
#include <linux/fadvise.h>
#include <linux/fs.h>
#include <linux/fsnotify.h>
#include <linux/io_uring.h>
#include <linux/mm.h>
#include <linux/syscalls.h>

#include "../fs/internal.h"
#include "io_uring.h"
#include "fs.h"

/* Shared by the sync and allocation ops: a byte range and flags. */
struct io_fs_range {
	struct file	*file;
	loff_t		off;
	u64		len;
	u32		flags;
};

int io_fsync_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_fs_range *r = io_kiocb_to_cmd(req, struct io_fs_range);

	if (READ_ONCE(sqe->addr) || READ_ONCE(sqe->buf_index) ||
	    READ_ONCE(sqe->splice_fd_in))
		return -EINVAL;
	r->flags = READ_ONCE(sqe->fsync_flags);
	if (r->flags & ~IORING_FSYNC_DATASYNC)
		return -EINVAL;
	r->off = READ_ONCE(sqe->off);
	if (r->off < 0)
		return -EINVAL;
	r->len = READ_ONCE(sqe->len);
	return 0;
}

int io_fsync(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_fs_range *r = io_kiocb_to_cmd(req, struct io_fs_range);
	loff_t end = r->off + r->len;

	/* an end that wraps (or a zero range at 0) means "to the end" */
	if (end <= 0)
		end = LLONG_MAX;
	io_req_set_res(req, vfs_fsync_range(req->file, r->off, end,
					    r->flags & IORING_FSYNC_DATASYNC), 0);
	return IOU_DONE;
}

int io_sfr_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_fs_range *r = io_kiocb_to_cmd(req, struct io_fs_range);

	if (READ_ONCE(sqe->addr) || READ_ONCE(sqe->buf_index) ||
	    READ_ONCE(sqe->splice_fd_in))
		return -EINVAL;
	r->off = READ_ONCE(sqe->off);
	r->len = READ_ONCE(sqe->len);
	r->flags = READ_ONCE(sqe->sync_range_flags);
	return 0;
}

int io_sync_file_range(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_fs_range *r = io_kiocb_to_cmd(req, struct io_fs_range);

	io_req_set_res(req, sync_file_range(req->file, r->off, r->len,
					    r->flags), 0);
	return IOU_DONE;
}

/* off = offset, addr = length, len = mode, as fallocate(2) orders them */
int io_fallocate_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_fs_range *r = io_kiocb_to_cmd(req, struct io_fs_range);

	if (READ_ONCE(sqe->buf_index) || READ_ONCE(sqe->rw_flags) ||
	    READ_ONCE(sqe->splice_fd_in))
		return -EINVAL;
	r->off = READ_ONCE(sqe->off);
	r->len = READ_ONCE(sqe->addr);
	r->flags = READ_ONCE(sqe->len);
	return 0;
}

int io_fallocate(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_fs_range *r = io_kiocb_to_cmd(req, struct io_fs_range);
	int ret;

	ret = vfs_fallocate(req->file, r->flags, r->off, r->len);
	if (ret >= 0)
		fsnotify_modify(req->file);
	else
		io_req_set_fail(req);
	io_req_set_res(req, ret, 0);
	return IOU_DONE;
}

struct io_advice {
	struct file	*file;
	u64		start;		/* offset, or address for madvise */
	u64		len;
	u32		advice;
};

/* The length is in addr (fadvise) or off (madvise); len is the fallback. */
static void io_advice_prep(struct io_advice *adv, u64 start, u64 len,
			   const struct io_uring_sqe *sqe)
{
	adv->start = start;
	adv->len = len ? len : READ_ONCE(sqe->len);
	adv->advice = READ_ONCE(sqe->fadvise_advice);
}

/* Advice that only records an access pattern never blocks. */
static bool io_fadvise_blocks(u32 advice)
{
	return advice != POSIX_FADV_NORMAL && advice != POSIX_FADV_RANDOM &&
	       advice != POSIX_FADV_SEQUENTIAL;
}

int io_fadvise_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_advice *adv = io_kiocb_to_cmd(req, struct io_advice);

	if (READ_ONCE(sqe->buf_index) || READ_ONCE(sqe->splice_fd_in))
		return -EINVAL;
	io_advice_prep(adv, READ_ONCE(sqe->off), READ_ONCE(sqe->addr), sqe);
	return 0;
}

int io_fadvise(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_advice *adv = io_kiocb_to_cmd(req, struct io_advice);
	int ret;

	if ((issue_flags & IO_URING_F_NONBLOCK) && io_fadvise_blocks(adv->advice))
		return -EAGAIN;
	ret = vfs_fadvise(req->file, adv->start, adv->len, adv->advice);
	return io_req_result(req, ret);
}

int io_madvise_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_advice *adv = io_kiocb_to_cmd(req, struct io_advice);

	if (!IS_ENABLED(CONFIG_ADVISE_SYSCALLS) || !IS_ENABLED(CONFIG_MMU))
		return -EOPNOTSUPP;
	if (READ_ONCE(sqe->buf_index) || READ_ONCE(sqe->splice_fd_in))
		return -EINVAL;
	io_advice_prep(adv, READ_ONCE(sqe->addr), READ_ONCE(sqe->off), sqe);
	return 0;
}

int io_madvise(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_advice *adv = io_kiocb_to_cmd(req, struct io_advice);

	io_req_set_res(req, do_madvise(current->mm, adv->start, adv->len,
				       adv->advice), 0);
	return IOU_DONE;
}

int io_ftruncate_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_fs_range *r = io_kiocb_to_cmd(req, struct io_fs_range);

	if (READ_ONCE(sqe->rw_flags) || READ_ONCE(sqe->addr) ||
	    READ_ONCE(sqe->len) || READ_ONCE(sqe->buf_index) ||
	    READ_ONCE(sqe->splice_fd_in) || READ_ONCE(sqe->addr3))
		return -EINVAL;
	r->off = READ_ONCE(sqe->off);
	return 0;
}

int io_ftruncate(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_fs_range *r = io_kiocb_to_cmd(req, struct io_fs_range);

	io_req_set_res(req, do_ftruncate(req->file, r->off, 1), 0);
	return IOU_DONE;
}
