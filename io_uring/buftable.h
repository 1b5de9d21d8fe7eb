/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IO_URING_BUFTABLE_H
#define IO_URING_BUFTABLE_H

#include <linux/types.h>

struct iovec;
struct iov_iter;
struct io_ring_ctx;
struct io_mapped_buf;
struct io_uring_clone_buffers;

/* A ring's registered buffers, under ctx->uring_lock. */
struct io_buf_table {
	struct io_mapped_buf	**bufs;
	u64			*tags;
	unsigned int		nr;		/* 0: no table registered */
};

int io_bufs_register(struct io_ring_ctx *ctx, struct iovec __user *uvec,
		     unsigned int nr, u64 __user *tags);
int io_bufs_unregister(struct io_ring_ctx *ctx);
void io_bufs_release(struct io_ring_ctx *ctx);
int io_bufs_update(struct io_ring_ctx *ctx, u32 off, struct iovec __user *uvec,
		   u64 __user *tags, unsigned int nr);
int io_bufs_clone(struct io_ring_ctx *ctx, struct io_ring_ctx *src);
struct io_mapped_buf *io_buf_get(struct io_ring_ctx *ctx, unsigned int index);
void io_buf_put(struct io_mapped_buf *buf);
int io_buf_check(struct io_mapped_buf *buf, u64 addr, size_t len);
int io_buf_import(struct io_mapped_buf *buf, int ddir, u64 addr, size_t len,
		  struct iov_iter *iter);

#endif /* IO_URING_BUFTABLE_H */
