/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IO_URING_CANCEL_H
#define IO_URING_CANCEL_H

struct io_kiocb;
struct io_ring_ctx;
struct io_uring_sqe;

int io_async_cancel_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_async_cancel(struct io_kiocb *req, unsigned int issue_flags);
int io_sync_cancel(struct io_ring_ctx *ctx, void __user *arg);

#endif /* IO_URING_CANCEL_H */
