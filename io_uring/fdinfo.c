// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/<pid>/fdinfo/<ring fd>: a snapshot of the ring for debugging.
 * Values the application can write are printed as read, never trusted.
 */
#include <linux/io_uring.h>
#include <linux/seq_file.h>

#include "io_uring.h"

void io_uring_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct io_ring_ctx *ctx = file->private_data;
	struct io_rings *r = ctx->rings;

	seq_printf(m, "SqMask:\t0x%x\n", ctx->sq_entries - 1);
	seq_printf(m, "SqHead:\t%u\n", READ_ONCE(r->sq_head));
	seq_printf(m, "SqTail:\t%u\n", READ_ONCE(r->sq_tail));
	seq_printf(m, "CachedSqHead:\t%u\n", READ_ONCE(ctx->cached_sq_head));
	seq_printf(m, "CqMask:\t0x%x\n", ctx->cq_entries - 1);
	seq_printf(m, "CqHead:\t%u\n", READ_ONCE(r->cq_head));
	seq_printf(m, "CqTail:\t%u\n", READ_ONCE(r->cq_tail));
	seq_printf(m, "CachedCqTail:\t%u\n", READ_ONCE(ctx->cached_cq_tail));
	seq_printf(m, "SqEntries:\t%u\n", ctx->sq_entries);
	seq_printf(m, "CqEntries:\t%u\n", ctx->cq_entries);
	seq_printf(m, "CqOverflowPending:\t%s\n",
		   test_bit(IO_CHECK_CQ_OVERFLOW, &ctx->check_cq) ? "yes" : "no");
}
