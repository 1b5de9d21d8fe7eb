/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IO_URING_EPOLL_H
#define IO_URING_EPOLL_H

struct io_kiocb;
struct io_uring_sqe;

int io_epoll_ctl_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_epoll_ctl(struct io_kiocb *req, unsigned int issue_flags);

#endif /* IO_URING_EPOLL_H */
