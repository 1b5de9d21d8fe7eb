/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM io_uring

#if !defined(_TRACE_IO_URING_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_IO_URING_H

#include <linux/tracepoint.h>
#include <uapi/linux/io_uring.h>

/*
 * io_uring_create - a ring was set up
 * @ctx: the ring, as an opaque identity for matching later events
 */
TRACE_EVENT(io_uring_create,
	    TP_PROTO(void *ctx, u32 sq_entries, u32 cq_entries, u32 flags),
	    TP_ARGS(ctx, sq_entries, cq_entries, flags),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(u32, sq_entries)
			     __field(u32, cq_entries)
			     __field(u32, flags)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->sq_entries = sq_entries;
			   __entry->cq_entries = cq_entries;
			   __entry->flags = flags;),
	    TP_printk("ring %p, sq %u, cq %u, flags 0x%x",
		      __entry->ctx, __entry->sq_entries, __entry->cq_entries,
		      __entry->flags)
);

/*
 * io_uring_complete - a CQE was posted (or queued on the overflow list)
 */
TRACE_EVENT(io_uring_complete,
	    TP_PROTO(void *ctx, u64 user_data, int res, unsigned int cflags),
	    TP_ARGS(ctx, user_data, res, cflags),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(u64, user_data)
			     __field(int, res)
			     __field(unsigned int, cflags)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->user_data = user_data;
			   __entry->res = res;
			   __entry->cflags = cflags;),
	    TP_printk("ring %p, user_data 0x%llx, result %d, cflags 0x%x",
		      __entry->ctx, (unsigned long long)__entry->user_data,
		      __entry->res, __entry->cflags)
);

#endif /* _TRACE_IO_URING_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
