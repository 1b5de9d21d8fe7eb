/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IO_URING_OPENCLOSE_H
#define IO_URING_OPENCLOSE_H

int io_openat_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_openat2_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_openat(struct io_kiocb *req, unsigned int issue_flags);
void io_open_cleanup(struct io_kiocb *req);
int io_close_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_close(struct io_kiocb *req, unsigned int issue_flags);
int io_statx_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_statx(struct io_kiocb *req, unsigned int issue_flags);
void io_statx_cleanup(struct io_kiocb *req);
int io_fixed_fd_install_prep(struct io_kiocb *req,
			     const struct io_uring_sqe *sqe);
int io_fixed_fd_install_issue(struct io_kiocb *req, unsigned int issue_flags);
int io_files_update_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe);
int io_files_update_issue(struct io_kiocb *req, unsigned int issue_flags);

#endif /* IO_URING_OPENCLOSE_H */
