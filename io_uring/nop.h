/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IO_URING_NOP_H
#define IO_URING_NOP_H

int io_nop_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_nop(struct io_kiocb *req, unsigned int issue_flags);

#endif /* IO_URING_NOP_H */
