// SPDX-License-Identifier: GPL-2.0
/*
 * Path and descriptor ops: OPENAT, OPENAT2, CLOSE and STATX.
 *
 * Path names are copied in prep (getname), so the application's buffer
 * need not outlive the submission. Opens are first tried with a cached
 * lookup that cannot block; anything that may block (O_CREAT, O_TRUNC,
 * O_TMPFILE, a lookup that misses the dcache) is done by a worker.
 *
 * Direct descriptors (sqe->file_index) live in the ring's registered
 * file table (filetable.c) instead of the task's fd table. FILES_UPDATE
 * and FIXED_FD_INSTALL move files between the two.
 */
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <linux/namei.h>
#include <linux/resume_user_mode.h>

#include "../fs/internal.h"
#include "io_uring.h"
#include "openclose.h"

struct io_open {
	struct file		*file;
	int			dfd;
	u32			file_slot;	/* direct descriptor index + 1 */
	struct filename		*name;
	struct open_how		how;
	unsigned long		nofile;		/* RLIMIT_NOFILE at submission */
};

static int io_open_prep_common(struct io_kiocb *req,
			       const struct io_uring_sqe *sqe)
{
	struct io_open *op = io_kiocb_to_cmd(req, struct io_open);
	struct filename *name;

	if (READ_ONCE(sqe->buf_index))
		return -EINVAL;
	if (req->flags & IOSQE_FIXED_FILE)
		return -EBADF;
	if (!(op->how.flags & O_PATH) && force_o_largefile())
		op->how.flags |= O_LARGEFILE;
	op->dfd = READ_ONCE(sqe->fd);
	op->file_slot = READ_ONCE(sqe->file_index);
	/* a direct descriptor has no close-on-exec to set */
	if (op->file_slot && (op->how.flags & O_CLOEXEC))
		return -EINVAL;
	name = getname(u64_to_user_ptr(READ_ONCE(sqe->addr)));
	if (IS_ERR(name))
		return PTR_ERR(name);
	op->name = name;
	req->flags |= REQ_F_CLEANUP;
	op->nofile = rlimit(RLIMIT_NOFILE);
	return 0;
}

int io_openat_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_open *op = io_kiocb_to_cmd(req, struct io_open);

	op->name = NULL;
	op->how = build_open_how(READ_ONCE(sqe->open_flags), READ_ONCE(sqe->len));
	return io_open_prep_common(req, sqe);
}

int io_openat2_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_open *op = io_kiocb_to_cmd(req, struct io_open);
	size_t size = READ_ONCE(sqe->len);
	int ret;

	op->name = NULL;
	if (size < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	ret = copy_struct_from_user(&op->how, sizeof(op->how),
				    u64_to_user_ptr(READ_ONCE(sqe->addr2)), size);
	if (ret)
		return ret;
	return io_open_prep_common(req, sqe);
}

void io_open_cleanup(struct io_kiocb *req)
{
	struct io_open *op = io_kiocb_to_cmd(req, struct io_open);

	if (op->name)
		putname(op->name);
}

/* These always end in a lookup or write that may block. */
static bool io_open_blocks(struct io_open *op)
{
	return op->how.flags & (O_TRUNC | O_CREAT | __O_TMPFILE);
}

/* Returns the fd or an error; sets *retry when a worker should try again. */
static int io_open_file(struct io_kiocb *req, unsigned int issue_flags,
			bool *retry)
{
	struct io_open *op = io_kiocb_to_cmd(req, struct io_open);
	bool nonblock = issue_flags & IO_URING_F_NONBLOCK;
	struct open_flags flags;
	struct file *file;
	bool app_nonblock;
	int fd, ret;

	ret = build_open_flags(&op->how, &flags);
	if (ret)
		return ret;
	app_nonblock = flags.open_flag & O_NONBLOCK;
	if (nonblock) {
		if (io_open_blocks(op)) {
			*retry = true;
			return -EAGAIN;
		}
		flags.lookup_flags |= LOOKUP_CACHED;
		flags.open_flag |= O_NONBLOCK;
	}
	fd = -1;
	if (!op->file_slot) {
		fd = __get_unused_fd_flags(op->how.flags, op->nofile);
		if (fd < 0)
			return fd;
	}
	file = do_filp_open(op->dfd, op->name, &flags);
	if (IS_ERR(file)) {
		if (fd >= 0)
			put_unused_fd(fd);
		ret = PTR_ERR(file);
		/* retry blocking, unless the application asked for cached only */
		*retry = ret == -EAGAIN && nonblock &&
			 !(op->how.resolve & RESOLVE_CACHED);
		return ret;
	}
	/* O_NONBLOCK was ours, for the attempt; don't leave it on the file */
	if (nonblock && !app_nonblock)
		file->f_flags &= ~O_NONBLOCK;
	if (op->file_slot) {
		io_ring_lock(req->ctx, issue_flags);
		ret = io_fixed_fd_install(req->ctx, file, op->file_slot);
		io_ring_unlock(req->ctx, issue_flags);
		return ret;
	}
	fd_install(fd, file);
	return fd;
}

int io_openat(struct io_kiocb *req, unsigned int issue_flags)
{
	bool retry = false;
	int ret;

	ret = io_open_file(req, issue_flags, &retry);
	if (retry)
		return -EAGAIN;
	return io_req_result(req, ret);
}

struct io_close {
	struct file		*file;
	int			fd;
	u32			file_slot;
};

int io_close_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_close *cl = io_kiocb_to_cmd(req, struct io_close);

	if (READ_ONCE(sqe->off) || READ_ONCE(sqe->addr) || READ_ONCE(sqe->len) ||
	    READ_ONCE(sqe->rw_flags) || READ_ONCE(sqe->buf_index))
		return -EINVAL;
	if (req->flags & IOSQE_FIXED_FILE)
		return -EBADF;
	cl->fd = READ_ONCE(sqe->fd);
	cl->file_slot = READ_ONCE(sqe->file_index);
	if (cl->file_slot && cl->fd)
		return -EINVAL;
	return 0;
}

/*
 * Take @fd out of the table, unless it is a ring (closing a ring from
 * inside itself would drop the reference the request runs under).
 * Returns NULL if there is nothing to close, ERR_PTR(-EAGAIN) if the
 * close may block and we may not.
 */
static struct file *io_close_take(int fd, bool nonblock)
{
	struct files_struct *files = current->files;
	struct file *file;

	spin_lock(&files->file_lock);
	file = files_lookup_fd_locked(files, fd);
	if (!file || io_is_uring_fops(file)) {
		file = NULL;
	} else if (file->f_op->flush && nonblock) {
		/* ->flush() may block: let a worker close it */
		file = ERR_PTR(-EAGAIN);
	} else {
		file = file_close_fd_locked(files, fd);
	}
	spin_unlock(&files->file_lock);
	return file;
}

int io_close(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_close *cl = io_kiocb_to_cmd(req, struct io_close);
	struct file *file;
	int ret;

	if (cl->file_slot) {
		io_ring_lock(req->ctx, issue_flags);
		ret = io_fixed_fd_remove(req->ctx, cl->file_slot);
		io_ring_unlock(req->ctx, issue_flags);
	} else {
		file = io_close_take(cl->fd, issue_flags & IO_URING_F_NONBLOCK);
		if (IS_ERR(file))
			return PTR_ERR(file);
		ret = file ? filp_close(file, current->files) : -EBADF;
	}
	return io_req_result(req, ret);
}

struct io_statx {
	struct file			*file;
	struct filename			*name;
	struct statx __user		*buffer;
	int				dfd;
	unsigned int			flags;		/* AT_* */
	unsigned int			mask;		/* STATX_* */
};

int io_statx_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_statx *sx = io_kiocb_to_cmd(req, struct io_statx);
	struct filename *name;

	sx->name = NULL;
	if (READ_ONCE(sqe->buf_index) || READ_ONCE(sqe->splice_fd_in))
		return -EINVAL;
	if (req->flags & IOSQE_FIXED_FILE)
		return -EBADF;
	sx->dfd = READ_ONCE(sqe->fd);
	sx->mask = READ_ONCE(sqe->len);
	sx->buffer = u64_to_user_ptr(READ_ONCE(sqe->addr2));
	sx->flags = READ_ONCE(sqe->statx_flags);
	name = getname_uflags(u64_to_user_ptr(READ_ONCE(sqe->addr)), sx->flags);
	if (IS_ERR(name))
		return PTR_ERR(name);
	sx->name = name;
	req->flags |= REQ_F_CLEANUP;
	return 0;
}

int io_statx(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_statx *sx = io_kiocb_to_cmd(req, struct io_statx);

	io_req_set_res(req, do_statx(sx->dfd, sx->name, sx->flags, sx->mask,
				     sx->buffer), 0);
	return IOU_DONE;
}

void io_statx_cleanup(struct io_kiocb *req)
{
	struct io_statx *sx = io_kiocb_to_cmd(req, struct io_statx);

	if (sx->name)
		putname(sx->name);
}

struct io_fd_install {
	struct file			*file;
	unsigned int			o_flags;
};

/* SQE fields FIXED_FD_INSTALL has no use for, and wants zero. */
static bool io_fd_install_unused_set(const struct io_uring_sqe *sqe)
{
	return READ_ONCE(sqe->off) | READ_ONCE(sqe->addr) | READ_ONCE(sqe->len) |
	       READ_ONCE(sqe->buf_index) | READ_ONCE(sqe->splice_fd_in) |
	       READ_ONCE(sqe->addr3);
}

/*
 * IORING_OP_FIXED_FD_INSTALL: a direct descriptor becomes a normal fd,
 * close-on-exec unless IORING_FIXED_FD_NO_CLOEXEC. The checks go in
 * 6.12's order, so the same bad SQE gets the same errno.
 */
int io_fixed_fd_install_prep(struct io_kiocb *req,
			     const struct io_uring_sqe *sqe)
{
	struct io_fd_install *ifi = io_kiocb_to_cmd(req, struct io_fd_install);
	u32 flags = READ_ONCE(sqe->install_fd_flags);
	int err = 0;

	if (io_fd_install_unused_set(sqe))
		err = -EINVAL;
	else if (!(req->flags & IOSQE_FIXED_FILE))
		err = -EBADF;
	else if (flags & ~IORING_FIXED_FD_NO_CLOEXEC)
		err = -EINVAL;
	else if (req->flags & REQ_F_CREDS)
		err = -EPERM;	/* the fd lands in the submitter's table */
	ifi->o_flags = O_CLOEXEC;
	if (flags & IORING_FIXED_FD_NO_CLOEXEC)
		ifi->o_flags = 0;
	return err;
}

int io_fixed_fd_install_issue(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_fd_install *ifi = io_kiocb_to_cmd(req, struct io_fd_install);
	int ret = receive_fd(req->file, NULL, ifi->o_flags);

	return io_req_result(req, ret);
}

struct io_files_update_op {
	struct file			*file;
	u64				arg;
	u32				nr;
	u32				offset;
};

int io_files_update_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_files_update_op *up = io_kiocb_to_cmd(req,
							struct io_files_update_op);

	if (req->flags & IOSQE_FIXED_FILE)
		return -EINVAL;
	if (READ_ONCE(sqe->rw_flags) || READ_ONCE(sqe->splice_fd_in))
		return -EINVAL;
	up->offset = READ_ONCE(sqe->off);
	up->nr = READ_ONCE(sqe->len);
	if (!up->nr)
		return -EINVAL;
	up->arg = READ_ONCE(sqe->addr);
	return 0;
}

/*
 * IORING_FILE_INDEX_ALLOC: put each fd in a free slot and write the slot
 * back over it. Returns how many were done, or the first error.
 */
static int io_files_update_alloc(struct io_kiocb *req)
{
	struct io_files_update_op *up = io_kiocb_to_cmd(req,
							struct io_files_update_op);
	__s32 __user *fds = u64_to_user_ptr(up->arg);
	struct io_ring_ctx *ctx = req->ctx;
	unsigned int done;
	int ret = 0;

	if (!ctx->file_table.nr)
		return -ENXIO;
	for (done = 0; done < up->nr; done++) {
		struct file *file;
		__s32 fd;

		if (copy_from_user(&fd, &fds[done], sizeof(fd))) {
			ret = -EFAULT;
			break;
		}
		file = fget(fd);
		if (!file || io_is_uring_fops(file)) {
			if (file)
				fput(file);
			ret = -EBADF;
			break;
		}
		ret = io_fixed_fd_install(ctx, file, IORING_FILE_INDEX_ALLOC);
		if (ret < 0)
			break;
		if (copy_to_user(&fds[done], &ret, sizeof(ret))) {
			io_fixed_fd_remove(ctx, ret + 1);
			ret = -EFAULT;
			break;
		}
	}
	return done ? done : ret;
}

int io_files_update_issue(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_files_update_op *up = io_kiocb_to_cmd(req,
							struct io_files_update_op);
	struct io_ring_ctx *ctx = req->ctx;
	int ret;

	io_ring_lock(ctx, issue_flags);
	if (up->offset == IORING_FILE_INDEX_ALLOC)
		ret = io_files_update_alloc(req);
	else if (up->offset + up->nr < up->offset)
		ret = -EOVERFLOW;
	else
		ret = io_files_update(ctx, up->offset, u64_to_user_ptr(up->arg),
				      NULL, up->nr);
	io_ring_unlock(ctx, issue_flags);
	return io_req_result(req, ret);
}
