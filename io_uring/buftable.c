// SPDX-License-Identifier: GPL-2.0
/*
 * Registered buffers: user memory pinned once, at registration, and
 * named in READ_FIXED/WRITE_FIXED (and uring_cmd) by index.
 *
 * The table is changed and read under ctx->uring_lock. Each buffer is
 * reference counted: the table holds one reference, and every request
 * that uses the buffer holds one from prep until it is freed, so that
 * replacing or unregistering a buffer never unpins memory under I/O in
 * flight. A buffer may carry a tag, posted as a CQE when the buffer is
 * dropped from a table that stays registered.
 *
 * Pinned pages are charged to the ring's creator (io_pin_charge()). A
 * buffer remembers whom it charged, since a clone in another ring may be
 * the last to let go.
 */
#include <linux/bvec.h>
#include <linux/compat.h>
#include <linux/file.h>
#include <linux/io_uring.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/sched/mm.h>
#include <linux/sched/user.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "io_uring.h"
#include "rsrc_tags.h"
#include "buftable.h"

#define IORING_MAX_REG_BUFFERS	BIT(14)

struct io_mapped_buf {
	refcount_t		refs;
	u64			ubuf;		/* user address it was registered at */
	size_t			len;
	unsigned int		nr_bvecs;
	struct io_pin_charge	charge;		/* for nr_bvecs pages */
	struct bio_vec		bvec[];		/* one per page */
};

void io_buf_put(struct io_mapped_buf *buf)
{
	unsigned int i;

	if (!refcount_dec_and_test(&buf->refs))
		return;
	for (i = 0; i < buf->nr_bvecs; i++)
		unpin_user_page(buf->bvec[i].bv_page);
	io_pin_uncharge(&buf->charge);
	kvfree(buf);
}

/* The checks 6.12 makes before pinning anything. */
static int io_buf_validate(const struct iovec *iov)
{
	unsigned long end;

	if (!iov->iov_base)
		return iov->iov_len ? -EFAULT : 0;
	if (!iov->iov_len || iov->iov_len > SZ_1G)
		return -EFAULT;
	if (check_add_overflow((unsigned long)iov->iov_base,
			       iov->iov_len + PAGE_SIZE - 1, &end))
		return -EOVERFLOW;
	return 0;
}

/* Pin @iov and describe it as one bio_vec per page. */
static struct io_mapped_buf *io_buf_map(struct io_ring_ctx *ctx,
					const struct iovec *iov)
{
	unsigned long uaddr = (unsigned long)iov->iov_base;
	size_t off = offset_in_page(uaddr), left = iov->iov_len;
	struct io_mapped_buf *buf;
	struct page **pages;
	unsigned int nr, i;
	int ret;

	pages = io_pin_user_pages(uaddr, left, &nr);
	if (IS_ERR(pages))
		return ERR_CAST(pages);
	ret = -ENOMEM;
	buf = kvmalloc(struct_size(buf, bvec, nr), GFP_KERNEL_ACCOUNT);
	if (!buf)
		goto unpin;
	buf->nr_bvecs = nr;
	ret = io_pin_charge(&buf->charge, ctx->user, ctx->mm_account, nr);
	if (ret)
		goto free;
	refcount_set(&buf->refs, 1);
	buf->ubuf = uaddr;
	buf->len = left;
	for (i = 0; i < nr; i++) {
		size_t n = min_t(size_t, left, PAGE_SIZE - off);

		bvec_set_page(&buf->bvec[i], pages[i], n, off);
		left -= n;
		off = 0;
	}
	kvfree(pages);
	return buf;
free:
	kvfree(buf);
unpin:
	unpin_user_pages(pages, nr);
	kvfree(pages);
	return ERR_PTR(ret);
}

/* Entry @i of the application's iovec array, in its own layout. */
static int io_get_iovec(struct io_ring_ctx *ctx, struct iovec __user *uvec,
			unsigned int i, struct iovec *iov)
{
#ifdef CONFIG_COMPAT
	if (ctx->compat) {
		struct compat_iovec __user *cvec = (void __user *)uvec;
		struct compat_iovec c;

		if (copy_from_user(&c, &cvec[i], sizeof(c)))
			return -EFAULT;
		iov->iov_base = compat_ptr(c.iov_base);
		iov->iov_len = c.iov_len;
		return 0;
	}
#endif
	if (copy_from_user(iov, &uvec[i], sizeof(*iov)))
		return -EFAULT;
	/* as for readv(2): a length that is negative as ssize_t */
	if ((ssize_t)iov->iov_len < 0)
		return -EINVAL;
	return 0;
}

static int io_get_tag(u64 __user *tags, unsigned int i, u64 *tag)
{
	*tag = 0;
	if (tags && copy_from_user(tag, &tags[i], sizeof(*tag)))
		return -EFAULT;
	return 0;
}

static void io_buf_slot_clear(struct io_ring_ctx *ctx, unsigned int i,
			      bool post_tag)
{
	struct io_buf_table *t = &ctx->buf_table;

	if (t->bufs[i]) {
		io_buf_put(t->bufs[i]);
		if (post_tag && t->tags[i])
			io_rsrc_tag_post(ctx, t->tags[i]);
	}
	t->bufs[i] = NULL;
	t->tags[i] = 0;
}

static void io_buf_table_free(struct io_ring_ctx *ctx)
{
	struct io_buf_table *t = &ctx->buf_table;
	unsigned int i;

	for (i = 0; i < t->nr; i++)
		io_buf_slot_clear(ctx, i, false);
	kvfree(t->bufs);
	kvfree(t->tags);
	memset(t, 0, sizeof(*t));
}

static int io_buf_table_alloc(struct io_buf_table *t, unsigned int nr)
{
	t->bufs = kvcalloc(nr, sizeof(*t->bufs), GFP_KERNEL_ACCOUNT);
	t->tags = kvcalloc(nr, sizeof(*t->tags), GFP_KERNEL_ACCOUNT);
	if (!t->bufs || !t->tags) {
		kvfree(t->bufs);
		kvfree(t->tags);
		t->bufs = NULL;
		t->tags = NULL;
		return -ENOMEM;
	}
	t->nr = nr;
	return 0;
}

/* Register slot @i from uvec[i] (NULL uvec: sparse) with tags[i]. */
static int io_buf_fill_slot(struct io_ring_ctx *ctx, struct iovec __user *uvec,
			    u64 __user *tags, unsigned int i)
{
	struct io_mapped_buf *buf;
	struct iovec iov = { };
	u64 tag;
	int ret;

	if (io_get_tag(tags, i, &tag))
		return -EFAULT;
	if (uvec) {
		ret = io_get_iovec(ctx, uvec, i, &iov);
		if (!ret)
			ret = io_buf_validate(&iov);
		if (ret)
			return ret;
	}
	if (!iov.iov_base)
		return tag ? -EINVAL : 0;	/* a tag needs a buffer */
	if (tag && io_rsrc_tags_enable(ctx))
		return -ENOMEM;
	buf = io_buf_map(ctx, &iov);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ctx->buf_table.bufs[i] = buf;
	ctx->buf_table.tags[i] = tag;
	return 0;
}

int io_bufs_register(struct io_ring_ctx *ctx, struct iovec __user *uvec,
		     unsigned int nr, u64 __user *tags)
{
	unsigned int i;
	int ret;

	lockdep_assert_held(&ctx->uring_lock);
	if (ctx->buf_table.nr)
		return -EBUSY;
	if (!nr || nr > IORING_MAX_REG_BUFFERS)
		return -EINVAL;
	ret = io_buf_table_alloc(&ctx->buf_table, nr);
	if (ret)
		return ret;
	for (i = 0; i < nr; i++) {
		ret = io_buf_fill_slot(ctx, uvec, tags, i);
		if (ret) {
			io_buf_table_free(ctx);
			return ret;
		}
	}
	return 0;
}

int io_bufs_unregister(struct io_ring_ctx *ctx)
{
	lockdep_assert_held(&ctx->uring_lock);
	if (!ctx->buf_table.nr)
		return -ENXIO;
	io_buf_table_free(ctx);
	return 0;
}

void io_bufs_release(struct io_ring_ctx *ctx)
{
	mutex_lock(&ctx->uring_lock);
	if (ctx->buf_table.nr)
		io_buf_table_free(ctx);
	mutex_unlock(&ctx->uring_lock);
}

/* Replace slots [off, off + nr): how many were done, or the first error. */
int io_bufs_update(struct io_ring_ctx *ctx, u32 off, struct iovec __user *uvec,
		   u64 __user *tags, unsigned int nr)
{
	struct io_buf_table *t = &ctx->buf_table;
	unsigned int done;
	int ret = 0;

	lockdep_assert_held(&ctx->uring_lock);
	if (!t->nr)
		return -ENXIO;
	if ((u64)off + nr > t->nr)
		return -EINVAL;
	for (done = 0; done < nr; done++) {
		struct io_mapped_buf *buf = NULL;
		struct iovec iov;
		unsigned int i;
		u64 tag;

		ret = io_get_tag(tags, done, &tag);
		if (!ret)
			ret = io_get_iovec(ctx, uvec, done, &iov);
		if (!ret)
			ret = io_buf_validate(&iov);
		if (!ret && !iov.iov_base && tag)
			ret = -EINVAL;
		if (!ret && tag)
			ret = io_rsrc_tags_enable(ctx);
		if (ret)
			break;
		if (iov.iov_base) {
			buf = io_buf_map(ctx, &iov);
			if (IS_ERR(buf)) {
				ret = PTR_ERR(buf);
				break;
			}
		}
		i = array_index_nospec(off + done, t->nr);
		io_buf_slot_clear(ctx, i, true);
		t->bufs[i] = buf;
		t->tags[i] = tag;
	}
	return done ? done : ret;
}

/* A reference to buffer @index, for a request; NULL if none. */
struct io_mapped_buf *io_buf_get(struct io_ring_ctx *ctx, unsigned int index)
{
	struct io_buf_table *t = &ctx->buf_table;
	struct io_mapped_buf *buf;

	lockdep_assert_held(&ctx->uring_lock);
	if (index >= t->nr)
		return NULL;
	buf = t->bufs[array_index_nospec(index, t->nr)];
	if (buf)
		refcount_inc(&buf->refs);
	return buf;
}

/* An iterator over [addr, addr + len), which must lie inside @buf. */
/*
 * Start @iter @off bytes into @buf. Its bvecs are its pages: the first may
 * begin mid-page, every other one but the last is a whole page. So the
 * bvec holding @off is found by division, where iov_iter_advance() would
 * walk every bvec before it.
 */
static void io_buf_iter_skip(struct io_mapped_buf *buf, struct iov_iter *iter,
			     size_t off)
{
	const struct bio_vec *bv = buf->bvec;
	size_t skip = off;

	if (skip >= bv->bv_len) {
		skip -= bv->bv_len;
		bv += 1 + skip / PAGE_SIZE;
		skip %= PAGE_SIZE;
	}
	iter->nr_segs -= bv - buf->bvec;
	iter->bvec = bv;
	iter->iov_offset = skip;
	iter->count -= off;
}

/* Is [@addr, @addr + @len) inside @buf? -EFAULT if not. */
int io_buf_check(struct io_mapped_buf *buf, u64 addr, size_t len)
{
	u64 end;

	if (check_add_overflow(addr, (u64)len, &end))
		return -EFAULT;
	if (addr < buf->ubuf || end > buf->ubuf + buf->len)
		return -EFAULT;
	return 0;
}

int io_buf_import(struct io_mapped_buf *buf, int ddir, u64 addr, size_t len,
		  struct iov_iter *iter)
{
	size_t off;

	if (io_buf_check(buf, addr, len))
		return -EFAULT;
	off = addr - buf->ubuf;
	iov_iter_bvec(iter, ddir, buf->bvec, buf->nr_bvecs, off + len);
	if (off)
		io_buf_iter_skip(buf, iter, off);
	return 0;
}

/*
 * IORING_REGISTER_CLONE_BUFFERS: share @src's buffers. The source lock is
 * taken with ours dropped, so two rings cloning from each other cannot
 * deadlock.
 */
int io_bufs_clone(struct io_ring_ctx *ctx, struct io_ring_ctx *src)
{
	struct io_buf_table copy = { };
	unsigned int i;
	int ret;

	/* the pages stay charged to whoever registered them */
	if (src->user != ctx->user)
		return -EINVAL;

	mutex_unlock(&ctx->uring_lock);
	mutex_lock(&src->uring_lock);
	ret = -ENXIO;
	if (src->buf_table.nr)
		ret = io_buf_table_alloc(&copy, src->buf_table.nr);
	for (i = 0; !ret && i < copy.nr; i++) {
		copy.bufs[i] = src->buf_table.bufs[i];
		if (copy.bufs[i])
			refcount_inc(&copy.bufs[i]->refs);
	}
	mutex_unlock(&src->uring_lock);
	mutex_lock(&ctx->uring_lock);

	if (!ret && ctx->buf_table.nr)
		ret = -EBUSY;
	if (!ret) {
		ctx->buf_table = copy;
	} else if (copy.nr) {
		for (i = 0; i < copy.nr; i++)
			if (copy.bufs[i])
				io_buf_put(copy.bufs[i]);
		kvfree(copy.bufs);
		kvfree(copy.tags);
	}
	return ret;
}
