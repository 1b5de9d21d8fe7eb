/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IO_URING_KBUF_H
#define IO_URING_KBUF_H

#include "io_uring.h"

struct vm_area_struct;

/* IORING_OP_PROVIDE_BUFFERS and _REMOVE_BUFFERS */
int io_provide_buffers_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_provide_buffers(struct io_kiocb *req, unsigned int issue_flags);
int io_remove_buffers_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_remove_buffers(struct io_kiocb *req, unsigned int issue_flags);

/* IORING_(UN)REGISTER_PBUF_RING, IORING_REGISTER_PBUF_STATUS */
int io_register_pbuf_ring(struct io_ring_ctx *ctx, void __user *arg);
int io_unregister_pbuf_ring(struct io_ring_ctx *ctx, void __user *arg);
int io_register_pbuf_status(struct io_ring_ctx *ctx, void __user *arg);

/* mmap() of a ring the kernel allocated (IOU_PBUF_RING_MMAP) */
bool io_kbuf_mmap_offset(loff_t off);
bool io_kbuf_mmap_valid(struct io_ring_ctx *ctx, loff_t off);
int io_kbuf_mmap(struct io_ring_ctx *ctx, loff_t off, struct vm_area_struct *vma);

void io_kbuf_groups_free(struct io_ring_ctx *ctx);

/*
 * The request side, for ops that accept IOSQE_BUFFER_SELECT. The op
 * picks a buffer when it is about to transfer (req->bsel gets its
 * address and length), and reports the CQE flags io_kbuf_done() gives
 * when it completes. The core hands back what the request still holds
 * before the request waits (io_kbuf_recycle()) and when it fails or is
 * freed without the op's help.
 */
int io_kbuf_pick(struct io_kiocb *req, u32 max_len, unsigned int issue_flags);
u32 __io_kbuf_done(struct io_kiocb *req, int res);
void io_kbuf_give_back(struct io_kiocb *req, unsigned int issue_flags, bool keep);
void __io_kbuf_keep(struct io_kiocb *req);
void __io_kbuf_drop(struct io_kiocb *req);

/* The CQE flags for a request that ends with @res: it lets go of its buffer. */
static inline u32 io_kbuf_done(struct io_kiocb *req, int res)
{
	if (likely(!(req->flags & REQ_F_KBUF)))
		return 0;
	return __io_kbuf_done(req, res);
}

/*
 * The request is about to wait, and uring_lock may be dropped: a
 * tentative pick goes back (see kbuf.c). What it holds otherwise, it
 * keeps until it completes.
 */
static inline void io_kbuf_recycle(struct io_kiocb *req)
{
	if (unlikely(req->flags & REQ_F_KBUF_PEEK))
		req->flags &= ~(REQ_F_KBUF_RING | REQ_F_KBUF_PEEK);
}

/* The request goes on without uring_lock: a tentative pick is consumed. */
static inline void io_kbuf_keep(struct io_kiocb *req)
{
	if (unlikely(req->flags & REQ_F_KBUF_PEEK))
		__io_kbuf_keep(req);
}

#endif /* IO_URING_KBUF_H */
