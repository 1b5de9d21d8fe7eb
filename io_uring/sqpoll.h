/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IO_URING_SQPOLL_H
#define IO_URING_SQPOLL_H

#include <linux/types.h>

struct cpumask;
struct io_ring_ctx;
struct io_uring_params;
struct io_uring_task;
struct seq_file;

int io_sqpoll_setup(struct io_ring_ctx *ctx, struct io_uring_params *p);
void io_sqpoll_detach(struct io_ring_ctx *ctx);
int io_sqpoll_enter(struct io_ring_ctx *ctx, u32 to_submit, u32 flags);
void io_sqpoll_wake(struct io_ring_ctx *ctx);
struct task_struct *io_sqpoll_get_task(struct io_ring_ctx *ctx);
void io_sqpoll_show_fdinfo(struct io_ring_ctx *ctx, struct seq_file *m);

#endif /* IO_URING_SQPOLL_H */
