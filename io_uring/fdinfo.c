// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/<pid>/fdinfo/<ring fd>: a snapshot of the ring for debugging.
 * Values the application can write are printed as read, never trusted;
 * values the kernel changes under its locks are read racily on purpose.
 */
#include <linux/io_uring.h>
#include <linux/seq_file.h>

#include "io_uring.h"
#include "sqpoll.h"

static void io_show_ring(struct seq_file *m, const char *q, u32 mask, u32 head,
			 u32 tail, const char *cached, u32 cached_val)
{
	seq_printf(m, "%sMask:\t0x%x\n", q, mask);
	seq_printf(m, "%sHead:\t%u\n", q, head);
	seq_printf(m, "%sTail:\t%u\n", q, tail);
	seq_printf(m, "%s:\t%u\n", cached, cached_val);
}

void io_uring_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct io_ring_ctx *ctx = file->private_data;
	struct io_rings *r = ctx->rings;
	u32 sq_head = READ_ONCE(r->sq_head), sq_tail = READ_ONCE(r->sq_tail);
	u32 cq_head = READ_ONCE(r->cq_head), cq_tail = READ_ONCE(r->cq_tail);
	u32 cached_sq_head, cached_cq_tail, nr_files, nr_bufs;

	/* a snapshot for humans: racing with submission is fine */
	cached_sq_head = data_race(ctx->cached_sq_head);
	/* as is racing with completion */
	cached_cq_tail = data_race(ctx->cached_cq_tail);
	/* and with registration */
	nr_files = data_race(ctx->file_table.nr);
	/* likewise */
	nr_bufs = data_race(ctx->buf_table.nr);

	io_show_ring(m, "Sq", ctx->sq_entries - 1, sq_head, sq_tail,
		     "CachedSqHead", cached_sq_head);
	io_show_ring(m, "Cq", ctx->cq_entries - 1, cq_head, cq_tail,
		     "CachedCqTail", cached_cq_tail);
	seq_printf(m, "SQEs:\t%u\n", sq_tail - sq_head);
	seq_printf(m, "CQEs:\t%u\n", cq_tail - cq_head);
	io_sqpoll_show_fdinfo(ctx, m);
	seq_printf(m, "UserFiles:\t%u\n", nr_files);
	seq_printf(m, "UserBufs:\t%u\n", nr_bufs);
	seq_printf(m, "CqOverflowPending:\t%s\n",
		   test_bit(IO_CHECK_CQ_OVERFLOW, &ctx->check_cq) ? "yes" : "no");
}
