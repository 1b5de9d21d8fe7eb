/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IO_URING_MSG_RING_H
#define IO_URING_MSG_RING_H

struct io_kiocb;
struct io_uring_sqe;

int io_msg_ring_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_msg_ring(struct io_kiocb *req, unsigned int issue_flags);

#endif /* IO_URING_MSG_RING_H */
