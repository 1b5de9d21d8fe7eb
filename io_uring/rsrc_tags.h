/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IO_URING_RSRC_TAGS_H
#define IO_URING_RSRC_TAGS_H

#include <linux/types.h>

struct io_ring_ctx;
struct io_kiocb;

int io_rsrc_tags_enable(struct io_ring_ctx *ctx);
void io_rsrc_tag_post(struct io_ring_ctx *ctx, u64 tag);
void io_rsrc_tags_free(struct io_ring_ctx *ctx);
void __io_req_charge_rsrc(struct io_kiocb *req);
void io_req_uncharge_rsrc(struct io_kiocb *req);

#endif /* IO_URING_RSRC_TAGS_H */
