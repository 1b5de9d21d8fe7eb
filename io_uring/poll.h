/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IO_URING_POLL_H
#define IO_URING_POLL_H

#include <linux/types.h>

struct io_kiocb;
struct io_uring_sqe;

int io_poll_wait_ready(struct io_kiocb *req);

int io_poll_add_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_poll_add(struct io_kiocb *req, unsigned int issue_flags);
int io_poll_remove_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_poll_remove(struct io_kiocb *req, unsigned int issue_flags);

#endif /* IO_URING_POLL_H */
