// SPDX-License-Identifier: GPL-2.0
/*
 * READ, WRITE, READV, WRITEV: file I/O through ->read_iter/->write_iter.
 *
 * The first attempt is non-blocking (IOCB_NOWAIT). If the file can't do
 * that, or would block, the request goes to a worker, which retries with
 * blocking allowed and continues from where a partial attempt stopped.
 * Direct I/O that the file queues (-EIOCBQUEUED) completes through
 * ->ki_complete(), possibly in interrupt context, and finishes as task
 * work in the submitter.
 *
 * The SQE is read once, in prep. For the vectored ops, the iovec array is
 * copied in prep as well (IORING_FEAT_SUBMIT_STABLE), so the application
 * may reuse it as soon as io_uring_enter() returns.
 */
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/fsnotify.h>
#include <linux/io_uring.h>
#include <linux/ioprio.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/uaccess.h>

#include "io_uring.h"
#include "kbuf.h"
#include "rw.h"

struct io_rw {
	struct kiocb		kiocb;	/* first: ki_filp is req->file */
	u64			addr;
	u32			len;
	rwf_t			rw_flags;
};

/* The iovec array of READV/WRITEV, imported (checked and copied) in prep. */
struct io_rw_vec {
	unsigned int		nr;
	struct iovec		*iov;	/* fast[], or an array of its own */
	struct iovec		fast[UIO_FASTIOV];
};

/*
 * Progress of a transfer split across attempts (a non-blocking attempt
 * that moved part of the data, then a worker) is kept in req->cqe.res,
 * which becomes the total when the request completes.
 */
static int io_rw_prep_common(struct io_kiocb *req,
			     const struct io_uring_sqe *sqe)
{
	struct io_rw *rw = io_kiocb_to_cmd(req, struct io_rw);
	u16 ioprio;
	int ret;

	rw->kiocb.ki_pos = READ_ONCE(sqe->off);
	rw->addr = READ_ONCE(sqe->addr);
	rw->len = READ_ONCE(sqe->len);
	rw->rw_flags = (__force rwf_t)READ_ONCE(sqe->rw_flags);
	ioprio = READ_ONCE(sqe->ioprio);
	if (ioprio) {
		ret = ioprio_check_cap(ioprio);
		if (ret)
			return ret;
	}
	rw->kiocb.ki_ioprio = ioprio ? ioprio : get_current_ioprio();
	return 0;
}

int io_prep_rw(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_rw *rw = io_kiocb_to_cmd(req, struct io_rw);
	int ret;

	ret = io_rw_prep_common(req, sqe);
	if (ret)
		return ret;
	/* with IOSQE_BUFFER_SELECT, sqe->addr is not used */
	if (!(req->flags & IOSQE_BUFFER_SELECT) &&
	    !access_ok(u64_to_user_ptr(rw->addr), rw->len))
		return -EFAULT;
	return 0;
}

/* READ_FIXED/WRITE_FIXED: sqe->buf_index names a registered buffer. */
int io_prep_rw_fixed(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_rw *rw = io_kiocb_to_cmd(req, struct io_rw);
	int ret;

	ret = io_rw_prep_common(req, sqe);
	if (ret)
		return ret;
	req->buf = io_buf_get(req->ctx, READ_ONCE(sqe->buf_index));
	if (!req->buf)
		return -EFAULT;
	io_req_charge_rsrc(req);
	/* the range must lie inside the buffer: check it now */
	ret = io_buf_check(req->buf, rw->addr, rw->len);
	if (ret) {
		io_buf_put(req->buf);
		req->buf = NULL;
	}
	return ret;
}

static int io_rw_ddir(struct io_kiocb *req)
{
	return req->opcode == IORING_OP_READV ? ITER_DEST : ITER_SOURCE;
}

/*
 * READV with IOSQE_BUFFER_SELECT: a single iovec, whose length (only) is
 * the most to read into the picked buffer; it is read now and not kept.
 */
static int io_prep_rwv_select(struct io_kiocb *req)
{
	struct io_rw *rw = io_kiocb_to_cmd(req, struct io_rw);
	struct compat_iovec __user *cvec;
	struct iovec __user *uvec;
	compat_ssize_t clen;
	size_t len;

	if (rw->len != 1)
		return -EINVAL;
	if (req->ctx->compat) {
		cvec = u64_to_user_ptr(rw->addr);
		if (get_user(clen, &cvec->iov_len))
			return -EFAULT;
		if (clen < 0)
			return -EINVAL;
		rw->len = clen;
		return 0;
	}
	uvec = u64_to_user_ptr(rw->addr);
	if (get_user(len, &uvec->iov_len))
		return -EFAULT;
	/* as 6.12: the length is taken modulo 2^32 */
	rw->len = len;
	return 0;
}

int io_prep_rwv(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_rw *rw = io_kiocb_to_cmd(req, struct io_rw);
	const struct iovec __user *uvec;
	struct io_rw_vec *vec;
	int ret;

	struct iov_iter iter;
	struct iovec *iov;

	ret = io_rw_prep_common(req, sqe);
	if (ret)
		return ret;
	if (req->flags & IOSQE_BUFFER_SELECT)
		return io_prep_rwv_select(req);
	vec = kmalloc(sizeof(*vec), GFP_KERNEL);
	if (!vec)
		return -ENOMEM;
	vec->nr = rw->len;
	vec->iov = vec->fast;
	if (rw->len) {
		uvec = u64_to_user_ptr(rw->addr);
		/*
		 * Checks every segment; allocates if fast[] is too small. The
		 * layout is the ring creator's: the SQ thread is always 64-bit.
		 */
		iov = vec->fast;
		ret = __import_iovec(io_rw_ddir(req), uvec, rw->len, UIO_FASTIOV,
				     &iov, &iter, req->ctx->compat);
		if (ret < 0) {
			kfree(vec);
			return ret;
		}
		if (iov)
			vec->iov = iov;
	}
	req->async_data = vec;
	req->flags |= REQ_F_ASYNC_DATA;
	return 0;
}

void io_rw_cleanup(struct io_kiocb *req)
{
	struct io_rw_vec *vec = req->async_data;

	if (vec && vec->iov != vec->fast)
		kfree(vec->iov);
}

/* Build the iterator for what is left to transfer. */
static int io_rw_iter(struct io_kiocb *req, int ddir, struct iov_iter *iter)
{
	struct io_rw *rw = io_kiocb_to_cmd(req, struct io_rw);
	struct io_rw_vec *vec = req->async_data;
	size_t len;
	int ret;

	if (!vec) {
		if (req->buf)
			ret = io_buf_import(req->buf, ddir, rw->addr, rw->len,
					    iter);
		else if (req->flags & IOSQE_BUFFER_SELECT)
			ret = import_ubuf(ddir, u64_to_user_ptr(req->bsel.addr),
					  req->bsel.len, iter);
		else
			ret = import_ubuf(ddir, u64_to_user_ptr(rw->addr),
					  rw->len, iter);
		/* what an earlier attempt moved */
		if (!ret && req->cqe.res)
			iov_iter_advance(iter, req->cqe.res);
		return ret;
	}
	if (!vec->nr) {
		iov_iter_init(iter, ddir, NULL, 0, 0);
		return 0;
	}
	len = iov_length(vec->iov, vec->nr);
	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	iov_iter_init(iter, ddir, vec->iov, vec->nr, len);
	if (req->cqe.res)
		iov_iter_advance(iter, req->cqe.res);
	return 0;
}

/* Remember @ret bytes moved by an attempt that did not finish. */
static void io_rw_progress(struct io_kiocb *req, ssize_t ret)
{
	req->cqe.res += ret;
}

/* Bytes the request asked for, over all attempts. */
static size_t io_rw_want(struct io_kiocb *req)
{
	struct io_rw *rw = io_kiocb_to_cmd(req, struct io_rw);
	struct io_rw_vec *vec = req->async_data;

	/* as read(2) and write(2), a transfer stops at MAX_RW_COUNT */
	if (req->flags & IOSQE_BUFFER_SELECT)
		return min_t(size_t, req->bsel.len, MAX_RW_COUNT);
	if (!vec)
		return min_t(size_t, rw->len, MAX_RW_COUNT);
	return min_t(size_t, iov_length(vec->iov, vec->nr), MAX_RW_COUNT);
}

/*
 * Position: an offset of -1 means the file position, which the request
 * uses and advances, unless the file is a stream (no position at all).
 */
static void io_rw_init_pos(struct io_kiocb *req)
{
	struct io_rw *rw = io_kiocb_to_cmd(req, struct io_rw);

	if (rw->kiocb.ki_pos != -1)
		return;
	if (req->file->f_mode & FMODE_STREAM) {
		rw->kiocb.ki_pos = 0;
		return;
	}
	req->flags |= REQ_F_CUR_POS;
	rw->kiocb.ki_pos = req->file->f_pos;
}

static void io_rw_update_pos(struct io_kiocb *req)
{
	struct io_rw *rw = io_kiocb_to_cmd(req, struct io_rw);

	if (req->flags & REQ_F_CUR_POS)
		req->file->f_pos = rw->kiocb.ki_pos;
}

static int io_rw_init_kiocb(struct io_kiocb *req, int ddir)
{
	struct io_rw *rw = io_kiocb_to_cmd(req, struct io_rw);
	struct kiocb *kiocb = &rw->kiocb;
	struct file *file = req->file;
	fmode_t need = ddir == ITER_DEST ? FMODE_READ : FMODE_WRITE;
	int ret;

	if (unlikely(!(file->f_mode & need)))
		return -EBADF;
	if (S_ISREG(file_inode(file)->i_mode) || S_ISBLK(file_inode(file)->i_mode))
		req->flags |= REQ_F_ISREG;
	if (!(req->flags & REQ_F_CUR_POS) && kiocb->ki_pos == -1)
		io_rw_init_pos(req);
	kiocb->ki_flags = iocb_flags(file);
	ret = kiocb_set_rw_flags(kiocb, rw->rw_flags,
				 ddir == ITER_DEST ? READ : WRITE);
	if (unlikely(ret))
		return ret;
	/* bios come from a per-CPU cache: we complete in task context */
	kiocb->ki_flags |= IOCB_ALLOC_CACHE;
	if (req->ctx->flags & IORING_SETUP_IOPOLL) {
		/* only direct I/O to a device that can be polled */
		if (!(kiocb->ki_flags & IOCB_DIRECT) || !file->f_op->iopoll)
			return -EOPNOTSUPP;
		kiocb->ki_flags |= IOCB_HIPRI;
		kiocb->private = NULL;
		req->iopoll_done = false;
	} else if (kiocb->ki_flags & IOCB_HIPRI) {
		/* polled completions need an IOPOLL ring */
		return -EINVAL;
	}
	/* only RWF_NOWAIT forbids waiting; O_NONBLOCK is the file's business */
	if (rw->rw_flags & RWF_NOWAIT)
		req->flags |= REQ_F_NOWAIT;
	return 0;
}

/* Offset and size checks, as read(2) and write(2) make them. */
static int io_rw_verify(struct io_kiocb *req, int ddir, size_t count)
{
	struct io_rw *rw = io_kiocb_to_cmd(req, struct io_rw);
	loff_t *ppos = &rw->kiocb.ki_pos;

	if (req->file->f_mode & FMODE_STREAM)
		ppos = NULL;
	return rw_verify_area(ddir == ITER_DEST ? READ : WRITE, req->file,
			      ppos, count);
}

/* Set the result of the last attempt, @res, plus earlier progress. */
static void io_rw_finish(struct io_kiocb *req, long res)
{
	if (res >= 0)
		res += req->cqe.res;
	else if (req->cqe.res)
		res = req->cqe.res;	/* report what moved, not the error */
	/* a short transfer keeps its count, but breaks a chain */
	if (res < 0 || res != io_rw_want(req))
		io_req_set_fail(req);
	io_rw_update_pos(req);
	io_req_set_res(req, res, io_kbuf_done(req, res));
}

/* Freeze protection is taken for writes to regular files only. */
static void io_rw_end_write(struct kiocb *kiocb)
{
	if ((kiocb->ki_flags & IOCB_WRITE) &&
	    S_ISREG(file_inode(kiocb->ki_filp)->i_mode))
		kiocb_end_write(kiocb);
}

/*
 * Watchers (inotify, fanotify) hear of a transfer as they would of
 * read(2) and write(2). Not from polled completions, which may run where
 * sleeping is not allowed; 6.12 does not send those either.
 */
static void io_rw_notify(struct file *file, int ddir)
{
	if (ddir == ITER_SOURCE)
		fsnotify_modify(file);
	else
		fsnotify_access(file);
}

static void io_rw_complete_tw(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_rw *rw = io_kiocb_to_cmd(req, struct io_rw);

	io_rw_notify(req->file, (rw->kiocb.ki_flags & IOCB_WRITE) ?
				ITER_SOURCE : ITER_DEST);
	io_rw_finish(req, req->async_res);
	io_req_complete(req);
}

/*
 * ->ki_complete(): any context, maybe while the issuer still looks at the
 * request; the result is acted on in the submitter's.
 */
static void io_rw_complete(struct kiocb *kiocb, long res)
{
	struct io_rw *rw = container_of(kiocb, struct io_rw, kiocb);
	struct io_kiocb *req = cmd_to_io_kiocb(rw);

	io_rw_end_write(kiocb);
	req->async_res = res;
	io_req_queue_tw(req, io_rw_complete_tw);
}

/* ->ki_complete() on an IOPOLL ring, called while the ring is reaped. */
static void io_rw_complete_polled(struct kiocb *kiocb, long res)
{
	struct io_rw *rw = container_of(kiocb, struct io_rw, kiocb);
	struct io_kiocb *req = cmd_to_io_kiocb(rw);

	io_rw_end_write(kiocb);
	io_rw_finish(req, res);
	io_iopoll_done(req);
}

/* ->device_poll() of the op table: poll the device for this request. */
int io_rw_device_poll(struct io_kiocb *req, struct io_comp_batch *iob,
		      unsigned int poll_flags)
{
	struct io_rw *rw = io_kiocb_to_cmd(req, struct io_rw);

	return req->file->f_op->iopoll(&rw->kiocb, iob, poll_flags);
}

/*
 * Files with only ->read or ->write: one call per segment, stopping at
 * the first short one. They may block, so only workers do this.
 */
static ssize_t io_rw_loop(struct io_kiocb *req, int ddir, struct iov_iter *iter)
{
	struct io_rw *rw = io_kiocb_to_cmd(req, struct io_rw);
	struct file *file = req->file;
	loff_t *ppos = (file->f_mode & FMODE_STREAM) ? NULL : &rw->kiocb.ki_pos;
	ssize_t done = 0, ret = 0;

	if (rw->kiocb.ki_flags & IOCB_NOWAIT)
		return -EAGAIN;
	while (iov_iter_count(iter)) {
		void __user *base;
		size_t len;

		if (iov_iter_is_bvec(iter)) {
			/*
			 * A registered buffer: pages, not addresses. ->read
			 * takes a user address; the SQE's, as far as we got,
			 * is one in the submitter's mm, which we run in.
			 */
			len = iov_iter_count(iter);
			base = u64_to_user_ptr(rw->addr + rw->len - len);
		} else {
			base = iter_iov_addr(iter);
			len = iter_iov_len(iter);
		}

		if (ddir == ITER_DEST)
			ret = file->f_op->read(file, base, len, ppos);
		else
			ret = file->f_op->write(file, base, len, ppos);
		if (ret <= 0)
			break;
		done += ret;
		iov_iter_advance(iter, ret);
		if (ret < len)
			break;
	}
	return done ? done : ret;
}

static ssize_t io_rw_call(struct io_kiocb *req, int ddir, struct iov_iter *iter)
{
	struct io_rw *rw = io_kiocb_to_cmd(req, struct io_rw);
	struct file *file = req->file;

	if (ddir == ITER_DEST) {
		if (file->f_op->read_iter)
			return file->f_op->read_iter(&rw->kiocb, iter);
		if (file->f_op->read)
			return io_rw_loop(req, ddir, iter);
		return -EINVAL;
	}
	if (!file->f_op->write_iter) {
		if (file->f_op->write)
			return io_rw_loop(req, ddir, iter);
		return -EINVAL;
	}
	if (S_ISREG(file_inode(file)->i_mode))
		kiocb_start_write(&rw->kiocb);
	rw->kiocb.ki_flags |= IOCB_WRITE;
	return file->f_op->write_iter(&rw->kiocb, iter);
}

/* Everything an attempt needs before it calls the file: buffer, kiocb, iter. */
static int io_rw_prepare(struct io_kiocb *req, int ddir,
			 unsigned int issue_flags, struct iov_iter *iter)
{
	struct io_rw *rw = io_kiocb_to_cmd(req, struct io_rw);
	int ret;

	/* as in 6.12, a buffer is picked before the file is looked at */
	if ((req->flags & IOSQE_BUFFER_SELECT) && !(req->flags & REQ_F_KBUF)) {
		ret = io_kbuf_pick(req, rw->len, issue_flags);
		if (unlikely(ret))
			return ret;
	}
	ret = io_rw_init_kiocb(req, ddir);
	if (unlikely(ret))
		return ret;
	ret = io_rw_iter(req, ddir, iter);
	if (unlikely(ret))
		return ret;
	return io_rw_verify(req, ddir, iov_iter_count(iter));
}

static int io_rw_issue(struct io_kiocb *req, unsigned int issue_flags,
		       int ddir)
{
	struct io_rw *rw = io_kiocb_to_cmd(req, struct io_rw);
	bool nonblock = issue_flags & IO_URING_F_NONBLOCK;
	struct iov_iter iter;
	ssize_t ret;

	ret = io_rw_prepare(req, ddir, issue_flags, &iter);
	if (unlikely(ret))
		return ret;
	if (nonblock) {
		/* a file that can't promise not to block goes to a worker */
		if (!(req->file->f_mode & FMODE_NOWAIT))
			return -EAGAIN;
		rw->kiocb.ki_flags |= IOCB_NOWAIT;
	}
	if (rw->kiocb.ki_flags & IOCB_HIPRI) {
		rw->kiocb.ki_complete = io_rw_complete_polled;
		/* before the device may complete it and set flags of its own */
		req->flags |= REQ_F_IOPOLL;
	} else {
		rw->kiocb.ki_complete = io_rw_complete;
	}

	ret = io_rw_call(req, ddir, &iter);
	if (ret == -EIOCBQUEUED) {
		/* it completes without uring_lock: the buffer is its own now */
		io_kbuf_keep(req);
		if (rw->kiocb.ki_flags & IOCB_HIPRI)
			io_iopoll_add(req, issue_flags);
		return IOU_QUEUED;
	}
	io_rw_end_write(&rw->kiocb);
	/* some filesystems refuse IOCB_NOWAIT outright (ext4 buffered writes) */
	if (ret == -EOPNOTSUPP && nonblock)
		ret = -EAGAIN;

	/*
	 * What would block is retried by a worker (or, in a worker, once
	 * the file is ready), unless the application said not to wait.
	 */
	if (!(req->flags & REQ_F_NOWAIT)) {
		if (ret == -EAGAIN)
			return -EAGAIN;
		if (nonblock && ret > 0 && iov_iter_count(&iter) &&
		    (req->flags & REQ_F_ISREG)) {
			io_rw_progress(req, ret);
			/* data is in its buffer: the rest goes there too */
			io_kbuf_keep(req);
			return -EAGAIN;
		}
	}
	if (!(rw->kiocb.ki_flags & IOCB_HIPRI))
		io_rw_notify(req->file, ddir);
	io_rw_finish(req, ret);
	/* on an IOPOLL ring every issued request completes by being reaped */
	if (rw->kiocb.ki_flags & IOCB_HIPRI) {
		io_iopoll_done(req);
		io_iopoll_add(req, issue_flags);
		return IOU_QUEUED;
	}
	return IOU_DONE;
}

/*
 * READ_MULTISHOT: a read into a provided buffer each time the file has
 * data, each with a CQE that carries IORING_CQE_F_MORE, until the end of
 * the file, an error (-ENOBUFS once the group is empty), or a CQE that
 * does not fit in the CQ ring ends it. In between it waits for the file
 * by polling, so only files that can be polled are accepted.
 */
#define IO_MSHOT_ROUNDS	32	/* reads per issue before it yields */
/* a read would not block: data, or the end of the file, or an error */
#define IO_MSHOT_READY	(EPOLLIN | EPOLLRDNORM | EPOLLRDHUP | EPOLLHUP | \
			 EPOLLERR)

int io_read_mshot_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_rw *rw = io_kiocb_to_cmd(req, struct io_rw);
	int ret;

	if (!(req->flags & IOSQE_BUFFER_SELECT))
		return -EINVAL;
	ret = io_rw_prep_common(req, sqe);
	if (ret)
		return ret;
	/* the buffers come from the group, their size too */
	if (rw->addr || rw->len)
		return -EINVAL;
	return 0;
}

/* One read into a buffer picked now: bytes read, or an errno. */
static ssize_t io_read_mshot_once(struct io_kiocb *req,
				  unsigned int issue_flags, bool nowait)
{
	struct io_rw *rw = io_kiocb_to_cmd(req, struct io_rw);
	struct iov_iter iter;
	ssize_t ret;

	/* rw->len is 0: the whole buffer */
	ret = io_rw_prepare(req, ITER_DEST, issue_flags, &iter);
	if (ret)
		return ret;
	if (nowait)
		rw->kiocb.ki_flags |= IOCB_NOWAIT;
	rw->kiocb.ki_complete = io_rw_complete;
	ret = io_rw_call(req, ITER_DEST, &iter);
	if (ret == -EIOCBQUEUED)
		io_kbuf_keep(req);
	return ret;
}

int io_read_mshot(struct io_kiocb *req, unsigned int issue_flags)
{
	bool nowait = issue_flags & IO_URING_F_NONBLOCK;
	unsigned int round;
	ssize_t ret;
	u32 cflags;

	if (!file_can_poll(req->file))
		return -EBADFD;
	for (round = 0; ; round++) {
		if (round == IO_MSHOT_ROUNDS) {
			io_req_requeue(req);
			return IOU_QUEUED;
		}
		/* as 6.12: after a CQE, a buffer is picked only for data */
		if (round && !(vfs_poll(req->file, NULL) & IO_MSHOT_READY))
			return -EAGAIN;
		/* a worker may block, but only until the first data */
		ret = io_read_mshot_once(req, issue_flags, nowait || round);
		if (ret == -EIOCBQUEUED)
			return IOU_QUEUED;	/* ends with that completion */
		if (ret == -EAGAIN) {
			io_kbuf_give_back(req, issue_flags, true);
			return -EAGAIN;
		}
		if (ret <= 0) {
			io_kbuf_give_back(req, issue_flags, false);
			if (ret < 0)
				return ret;
			io_req_set_res(req, 0, 0);
			return IOU_DONE;
		}
		cflags = io_kbuf_done(req, ret);
		if (!io_post_cqe_more(req->ctx, req->cqe.user_data, ret,
				      cflags, true)) {
			io_req_set_res(req, ret, cflags);
			return IOU_DONE;
		}
	}
}

int io_read(struct io_kiocb *req, unsigned int issue_flags)
{
	return io_rw_issue(req, issue_flags, ITER_DEST);
}

int io_write(struct io_kiocb *req, unsigned int issue_flags)
{
	return io_rw_issue(req, issue_flags, ITER_SOURCE);
}
