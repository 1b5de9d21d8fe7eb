// SPDX-License-Identifier: GPL-2.0
/*
 * Path and descriptor ops: OPENAT, OPENAT2, CLOSE and STATX.
 *
 * Path names are copied in prep (getname), so the application's buffer
 * need not outlive the submission. Opens are first tried with a cached
 * lookup that cannot block; anything that may block (O_CREAT, O_TRUNC,
 * O_TMPFILE, a lookup that misses the dcache) is done by a worker.
 *
 * Direct descriptors (sqe->file_index) need a registered file table,
 * which does not exist yet: they fail the way 6.12 fails them on a ring
 * without one.
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

/* No file table can be registered yet. */
static int io_open_direct(struct io_open *op)
{
	return op->file_slot == IORING_FILE_INDEX_ALLOC ? -ENFILE : -ENXIO;
}

/* Returns the fd or an error; sets *retry when a worker should try again. */
static int io_open_file(struct io_open *op, unsigned int issue_flags,
			bool *retry)
{
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
	if (op->file_slot)
		return io_open_direct(op);

	fd = __get_unused_fd_flags(op->how.flags, op->nofile);
	if (fd < 0)
		return fd;
	file = do_filp_open(op->dfd, op->name, &flags);
	if (IS_ERR(file)) {
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
	fd_install(fd, file);
	return fd;
}

int io_openat(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_open *op = io_kiocb_to_cmd(req, struct io_open);
	bool retry = false;
	int ret;

	ret = io_open_file(op, issue_flags, &retry);
	if (retry)
		return -EAGAIN;
	if (ret < 0)
		io_req_set_fail(req);
	io_req_set_res(req, ret, 0);
	return IOU_DONE;
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
	int ret = -ENXIO;

	if (!cl->file_slot) {
		file = io_close_take(cl->fd, issue_flags & IO_URING_F_NONBLOCK);
		if (IS_ERR(file))
			return PTR_ERR(file);
		ret = file ? filp_close(file, current->files) : -EBADF;
	}
	if (ret < 0)
		io_req_set_fail(req);
	io_req_set_res(req, ret, 0);
	return IOU_DONE;
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
