// SPDX-License-Identifier: GPL-2.0
/*
 * Registered files ("direct descriptors"): a table of files a ring holds
 * references to, named in SQEs by index with IOSQE_FIXED_FILE.
 *
 * The table is changed and read under ctx->uring_lock. Each slot owns a
 * file reference; a request that uses a slot takes a reference of its
 * own, so replacing or closing a slot never pulls a file out from under
 * a request in flight. A slot may carry a tag: when its file is dropped
 * while the table stays registered, a CQE with user_data = tag tells the
 * application it may reuse whatever the tag names.
 */
#include <linux/bitmap.h>
#include <linux/file.h>
#include <linux/io_uring.h>
#include <linux/nospec.h>
#include <linux/slab.h>

#include "io_uring.h"
#include "rsrc_tags.h"
#include "filetable.h"

/* An absolute limit, below RLIMIT_NOFILE's ceiling. */
#define IORING_MAX_FIXED_FILES	BIT(20)

static bool io_slot_used(struct io_file_table *t, unsigned int i)
{
	return test_bit(i, t->bitmap);
}

static void io_slot_set(struct io_file_table *t, unsigned int i,
			struct file *file, u64 tag)
{
	t->slots[i].file = file;
	t->slots[i].tag = tag;
	__set_bit(i, t->bitmap);
	/* next-fit: search from just past the last slot filled */
	t->alloc_hint = i + 1;
}

/* Drop the file in slot @i, posting its tag if the table lives on. */
static void io_slot_clear(struct io_ring_ctx *ctx, unsigned int i,
			  bool post_tag)
{
	struct io_file_table *t = &ctx->file_table;
	struct io_fixed_file *slot = &t->slots[i];

	fput(slot->file);
	if (post_tag && slot->tag)
		io_rsrc_tag_post(ctx, slot->tag);
	slot->file = NULL;
	slot->tag = 0;
	__clear_bit(i, t->bitmap);
	t->alloc_hint = i;
}

static void io_file_table_free(struct io_ring_ctx *ctx)
{
	struct io_file_table *t = &ctx->file_table;
	unsigned int i;

	for (i = 0; i < t->nr; i++)
		if (io_slot_used(t, i))
			io_slot_clear(ctx, i, false);
	kvfree(t->slots);
	bitmap_free(t->bitmap);
	memset(t, 0, sizeof(*t));
}

static int io_file_table_alloc(struct io_file_table *t, unsigned int nr)
{
	t->slots = kvcalloc(nr, sizeof(*t->slots), GFP_KERNEL_ACCOUNT);
	t->bitmap = bitmap_zalloc(nr, GFP_KERNEL_ACCOUNT);
	if (!t->slots || !t->bitmap) {
		kvfree(t->slots);
		bitmap_free(t->bitmap);
		t->slots = NULL;
		t->bitmap = NULL;
		return -ENOMEM;
	}
	t->nr = nr;
	t->alloc_start = 0;
	t->alloc_end = nr;
	t->alloc_hint = 0;
	return 0;
}

/* A file the application may register: any open file but a ring. */
static struct file *io_file_for_slot(int fd)
{
	struct file *file = fget(fd);

	if (file && io_is_uring_fops(file)) {
		fput(file);
		file = NULL;
	}
	return file;
}

static int io_get_user_tag(u64 __user *tags, unsigned int i, u64 *tag)
{
	*tag = 0;
	if (tags && copy_from_user(tag, &tags[i], sizeof(*tag)))
		return -EFAULT;
	return 0;
}

/* Fill slot @i of the new table from fds[i] (NULL fds: sparse). */
static int io_files_fill_slot(struct io_ring_ctx *ctx, __s32 __user *fds,
			      u64 __user *tags, unsigned int i)
{
	struct file *file;
	u64 tag;
	int fd = -1;

	if (io_get_user_tag(tags, i, &tag))
		return -EFAULT;
	if (fds && copy_from_user(&fd, &fds[i], sizeof(fd)))
		return -EFAULT;
	if (fd == -1)
		return tag ? -EINVAL : 0;	/* a tag needs a file */
	if (tag && io_rsrc_tags_enable(ctx))
		return -ENOMEM;
	file = io_file_for_slot(fd);
	if (!file)
		return -EBADF;
	io_slot_set(&ctx->file_table, i, file, tag);
	return 0;
}

int io_files_register(struct io_ring_ctx *ctx, __s32 __user *fds,
		      unsigned int nr, u64 __user *tags)
{
	unsigned int i;
	int ret;

	lockdep_assert_held(&ctx->uring_lock);
	if (ctx->file_table.nr)
		return -EBUSY;
	if (!nr)
		return -EINVAL;
	if (nr > IORING_MAX_FIXED_FILES || nr > rlimit(RLIMIT_NOFILE))
		return -EMFILE;
	ret = io_file_table_alloc(&ctx->file_table, nr);
	if (ret)
		return ret;
	for (i = 0; i < nr; i++) {
		ret = io_files_fill_slot(ctx, fds, tags, i);
		if (ret) {
			io_file_table_free(ctx);
			return ret;
		}
	}
	ctx->file_table.alloc_hint = 0;
	return 0;
}

int io_files_unregister(struct io_ring_ctx *ctx)
{
	lockdep_assert_held(&ctx->uring_lock);
	if (!ctx->file_table.nr)
		return -ENXIO;
	/* 6.12 posts no tags for files dropped with the whole table */
	io_file_table_free(ctx);
	return 0;
}

/* Ring teardown. */
void io_files_release(struct io_ring_ctx *ctx)
{
	mutex_lock(&ctx->uring_lock);
	if (ctx->file_table.nr)
		io_file_table_free(ctx);
	mutex_unlock(&ctx->uring_lock);
}

/*
 * Replace slots [off, off + nr) with the fds at @ufds. An entry of -1
 * empties the slot, IORING_REGISTER_FILES_SKIP leaves it. Stops at the
 * first bad entry: returns how many were done, or the error if none.
 */
int io_files_update(struct io_ring_ctx *ctx, u32 off, __s32 __user *ufds,
		    u64 __user *tags, unsigned int nr)
{
	struct io_file_table *t = &ctx->file_table;
	unsigned int done;
	int ret = 0;

	lockdep_assert_held(&ctx->uring_lock);
	if (!t->nr)
		return -ENXIO;
	if ((u64)off + nr > t->nr)
		return -EINVAL;
	for (done = 0; done < nr; done++) {
		unsigned int i;
		struct file *file;
		u64 tag;
		int fd;

		if (io_get_user_tag(tags, done, &tag) ||
		    copy_from_user(&fd, &ufds[done], sizeof(fd))) {
			ret = -EFAULT;
			break;
		}
		if ((fd == IORING_REGISTER_FILES_SKIP || fd == -1) && tag) {
			ret = -EINVAL;
			break;
		}
		if (fd == IORING_REGISTER_FILES_SKIP)
			continue;
		if (tag && io_rsrc_tags_enable(ctx)) {
			ret = -ENOMEM;
			break;
		}
		i = array_index_nospec(off + done, t->nr);
		/* the old file goes first, even if the new fd turns out bad */
		if (io_slot_used(t, i))
			io_slot_clear(ctx, i, true);
		if (fd == -1)
			continue;
		file = io_file_for_slot(fd);
		if (!file) {
			ret = -EBADF;
			break;
		}
		io_slot_set(t, i, file, tag);
	}
	return done ? done : ret;
}

/* A reference to the file in slot @index, or NULL. */
struct file *io_fixed_file_get(struct io_ring_ctx *ctx, unsigned int index)
{
	struct io_file_table *t = &ctx->file_table;
	struct file *file;

	lockdep_assert_held(&ctx->uring_lock);
	if (index >= t->nr)
		return NULL;
	index = array_index_nospec(index, t->nr);
	file = t->slots[index].file;
	if (file)
		get_file(file);
	return file;
}

/* A free slot in the allocation range, next-fit from the hint. */
static int io_file_alloc_slot(struct io_file_table *t)
{
	unsigned long i;

	if (!t->bitmap)
		return -ENFILE;
	if (t->alloc_hint >= t->alloc_start && t->alloc_hint < t->alloc_end) {
		i = find_next_zero_bit(t->bitmap, t->alloc_end, t->alloc_hint);
		if (i < t->alloc_end)
			return i;
	}
	i = find_next_zero_bit(t->bitmap, t->alloc_end, t->alloc_start);
	if (i < t->alloc_end)
		return i;
	return -ENFILE;
}

/*
 * Install @file, whose reference the table takes over, at the slot an
 * SQE names: @file_slot is index + 1, or IORING_FILE_INDEX_ALLOC. Returns
 * 0, the allocated index, or an error (and then drops the reference).
 */
int io_fixed_fd_install(struct io_ring_ctx *ctx, struct file *file,
			u32 file_slot)
{
	struct io_file_table *t = &ctx->file_table;
	bool alloc = file_slot == IORING_FILE_INDEX_ALLOC;
	int ret;

	lockdep_assert_held(&ctx->uring_lock);
	if (alloc) {
		ret = io_file_alloc_slot(t);
		if (ret < 0)
			goto fail;
		file_slot = ret;
	} else {
		ret = -ENXIO;
		if (!t->nr)
			goto fail;
		file_slot--;
		ret = -EINVAL;
		if (file_slot >= t->nr)
			goto fail;
		file_slot = array_index_nospec(file_slot, t->nr);
	}
	if (io_slot_used(t, file_slot))
		io_slot_clear(ctx, file_slot, true);
	io_slot_set(t, file_slot, file, 0);
	return alloc ? file_slot : 0;
fail:
	fput(file);
	return ret;
}

/* Close slot @file_slot - 1, as IORING_OP_CLOSE with file_index does. */
int io_fixed_fd_remove(struct io_ring_ctx *ctx, u32 file_slot)
{
	struct io_file_table *t = &ctx->file_table;
	u32 i = file_slot - 1;

	lockdep_assert_held(&ctx->uring_lock);
	if (!t->nr)
		return -ENXIO;
	if (i >= t->nr)
		return -EINVAL;
	i = array_index_nospec(i, t->nr);
	if (!io_slot_used(t, i))
		return -EBADF;
	io_slot_clear(ctx, i, true);
	return 0;
}

int io_register_file_alloc_range(struct io_ring_ctx *ctx,
				 struct io_uring_file_index_range __user *arg)
{
	struct io_uring_file_index_range range;
	struct io_file_table *t = &ctx->file_table;
	u32 end;

	if (copy_from_user(&range, arg, sizeof(range)))
		return -EFAULT;
	if (check_add_overflow(range.off, range.len, &end))
		return -EOVERFLOW;
	if (range.resv || end > t->nr)
		return -EINVAL;
	t->alloc_start = range.off;
	t->alloc_end = end;
	t->alloc_hint = range.off;
	return 0;
}
