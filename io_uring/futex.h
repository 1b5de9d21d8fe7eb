/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IO_URING_FUTEX_H
#define IO_URING_FUTEX_H

struct io_kiocb;
struct io_uring_sqe;

int io_futex_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_futex_wait(struct io_kiocb *req, unsigned int issue_flags);
int io_futex_wake(struct io_kiocb *req, unsigned int issue_flags);
int io_futexv_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_futexv_wait(struct io_kiocb *req, unsigned int issue_flags);

#endif /* IO_URING_FUTEX_H */
