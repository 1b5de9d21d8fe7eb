/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IO_URING_TIMEOUT_H
#define IO_URING_TIMEOUT_H

struct io_kiocb;
struct io_uring_sqe;

int io_timeout_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_timeout(struct io_kiocb *req, unsigned int issue_flags);
int io_link_timeout_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_link_timeout(struct io_kiocb *req, unsigned int issue_flags);
int io_timeout_remove_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_timeout_remove(struct io_kiocb *req, unsigned int issue_flags);

#endif /* IO_URING_TIMEOUT_H */
