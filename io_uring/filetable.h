/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IO_URING_FILETABLE_H
#define IO_URING_FILETABLE_H

#include <linux/types.h>

struct file;
struct io_ring_ctx;
struct io_uring_file_index_range;

struct io_fixed_file {
	struct file	*file;
	u64		tag;		/* posted as a CQE when the file goes */
};

/* A ring's registered files, under ctx->uring_lock. */
struct io_file_table {
	struct io_fixed_file	*slots;
	unsigned long		*bitmap;	/* slots in use */
	unsigned int		nr;		/* 0: no table registered */
	/* IORING_FILE_INDEX_ALLOC picks from [alloc_start, alloc_end) */
	unsigned int		alloc_start;
	unsigned int		alloc_end;
	unsigned int		alloc_hint;
};

int io_files_register(struct io_ring_ctx *ctx, __s32 __user *fds,
		      unsigned int nr, u64 __user *tags);
int io_files_unregister(struct io_ring_ctx *ctx);
void io_files_release(struct io_ring_ctx *ctx);
int io_files_update(struct io_ring_ctx *ctx, u32 off, __s32 __user *ufds,
		    u64 __user *tags, unsigned int nr);
struct file *io_fixed_file_get(struct io_ring_ctx *ctx, unsigned int index);
int io_fixed_fd_install(struct io_ring_ctx *ctx, struct file *file,
			u32 file_slot);
int io_fixed_fd_remove(struct io_ring_ctx *ctx, u32 file_slot);
int io_register_file_alloc_range(struct io_ring_ctx *ctx,
				 struct io_uring_file_index_range __user *arg);

#endif /* IO_URING_FILETABLE_H */
