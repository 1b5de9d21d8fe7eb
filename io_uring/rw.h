/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IO_URING_RW_H
#define IO_URING_RW_H

int io_prep_rw(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_prep_rw_fixed(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_prep_rwv(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_read(struct io_kiocb *req, unsigned int issue_flags);
int io_read_mshot_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_read_mshot(struct io_kiocb *req, unsigned int issue_flags);
int io_write(struct io_kiocb *req, unsigned int issue_flags);
void io_rw_cleanup(struct io_kiocb *req);
int io_rw_device_poll(struct io_kiocb *req, struct io_comp_batch *iob,
		      unsigned int poll_flags);

#endif /* IO_URING_RW_H */
