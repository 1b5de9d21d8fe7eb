/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IO_URING_EVENTFD_H
#define IO_URING_EVENTFD_H

#include "io_uring.h"

int io_eventfd_register(struct io_ring_ctx *ctx, void __user *arg,
			unsigned int nr_args, bool async_only);
int io_eventfd_unregister(struct io_ring_ctx *ctx, void __user *arg,
			  unsigned int nr_args);
void __io_eventfd_signal(struct io_ring_ctx *ctx);

/* Signal the registered eventfd, if any: a hint, checked racily first. */
static inline void io_eventfd_signal(struct io_ring_ctx *ctx)
{
	if (unlikely(rcu_access_pointer(ctx->ev_fd)))
		__io_eventfd_signal(ctx);
}

void io_eventfd_release(struct io_ring_ctx *ctx);

#endif /* IO_URING_EVENTFD_H */
