// SPDX-License-Identifier: GPL-2.0
/*
 * Provided buffers: pools of application memory that a read picks from
 * when its SQE sets IOSQE_BUFFER_SELECT, instead of naming a buffer. The
 * CQE says which one it filled (IORING_CQE_F_BUFFER, id in the high 16
 * bits of cqe->flags).
 *
 * A pool is a buffer group with a 16-bit id, of one of two kinds:
 *
 *  - legacy: IORING_OP_PROVIDE_BUFFERS adds buffers, one kernel node
 *    each, taken first in first out. A request that picks one takes the
 *    node off the list and owns it until it completes, when the node is
 *    freed: the buffer is then the application's again.
 *  - ring: IORING_REGISTER_PBUF_RING shares an array of struct
 *    io_uring_buf with the application, which publishes buffers by moving
 *    the tail; the kernel consumes them at its own head. With
 *    IOU_PBUF_RING_INC a buffer is used up piece by piece, and stays at
 *    the head while enough of it is left (IORING_CQE_F_BUF_MORE).
 *
 * Locking and lifetime: groups live in ctx->buf_groups and are looked up,
 * added and removed under uring_lock. A request never keeps a pointer to
 * a group where uring_lock may be dropped: it keeps a legacy node (which
 * it owns) or the id of a ring buffer (already consumed), so removing or
 * unregistering a group while requests use its buffers frees nothing they
 * point to.
 *
 * A ring pick is tentative (REQ_F_KBUF_PEEK) when made under uring_lock
 * for a file that can be polled: the attempt may find the file not ready
 * and wait, and the buffer must then stay in the ring for others. The head
 * moves only when the attempt completes, under the same lock hold; a
 * request that waits or fails gives the pick up (as 6.12 does, the CQE of
 * a failed tentative pick names no buffer). Any other pick (in a worker,
 * which runs without uring_lock, or for a file that may complete later in
 * another context) consumes the buffer at once.
 *
 * The only access from outside uring_lock is mmap() of a ring the kernel
 * allocated (IOU_PBUF_RING_MMAP), which cannot take it (it holds the
 * mmap lock, which uring_lock nests outside of): it finds the group under
 * RCU and pins it with group->refs while it maps the pages. The mapping
 * keeps its own page references, so the pages outlive an unregistration.
 */
#include <linux/io_uring.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "kbuf.h"
#include "memmap.h"

/* buffer ids are 16 bits wide in a CQE */
#define IO_KBUF_MAX_BIDS	BIT(16)

/* A buffer of a legacy group, or one a request took from it. */
struct io_kbuf {
	struct list_head	node;
	u64			addr;
	u32			len;
	u16			bid;
};

struct io_buf_group {
	u16			bgid;
	bool			is_ring;
	bool			inc;		/* IOU_PBUF_RING_INC */
	/* the group's own reference, plus one per mmap() in progress */
	refcount_t		refs;
	struct rcu_head		rcu;
	/* legacy */
	struct list_head	bufs;
	/* ring */
	struct io_region	region;		/* kernel pages, or pinned user pages */
	struct io_pin_charge	charge;		/* for pinned user pages */
	struct io_uring_buf_ring *br;
	u16			head;
	u16			mask;
	u32			min_left;	/* INC: keep a buffer with this much */
};

/* IORING_OP_PROVIDE_BUFFERS and _REMOVE_BUFFERS */
struct io_provide_buf {
	struct file		*file;
	u64			addr;
	u32			len;
	u32			nbufs;
	u16			bgid;
	u16			bid;
};

static struct io_buf_group *io_kbuf_group(struct io_ring_ctx *ctx, u16 bgid)
{
	lockdep_assert_held(&ctx->uring_lock);
	return xa_load(&ctx->buf_groups, bgid);
}

/* Free up to @nr buffers of a legacy group; returns how many. */
static u32 io_kbuf_legacy_free(struct io_buf_group *bg, u32 nr)
{
	struct io_kbuf *buf;
	u32 done = 0;

	while (done < nr && !list_empty(&bg->bufs)) {
		buf = list_first_entry(&bg->bufs, struct io_kbuf, node);
		list_del(&buf->node);
		kfree(buf);
		done++;
		/* a group holds as many buffers as the application added */
		cond_resched();
	}
	return done;
}

static void io_kbuf_group_put(struct io_buf_group *bg)
{
	if (!refcount_dec_and_test(&bg->refs))
		return;
	if (bg->is_ring) {
		if (bg->region.pinned)
			io_pin_uncharge(&bg->charge);
		io_region_free(&bg->region);
	} else {
		io_kbuf_legacy_free(bg, U32_MAX);
	}
	/* mmap() may be looking at it under RCU */
	kfree_rcu(bg, rcu);
}

static void io_kbuf_group_remove(struct io_ring_ctx *ctx,
				 struct io_buf_group *bg)
{
	xa_erase(&ctx->buf_groups, bg->bgid);
	io_kbuf_group_put(bg);
}

static struct io_buf_group *io_kbuf_group_alloc(u16 bgid)
{
	struct io_buf_group *bg;

	bg = kzalloc(sizeof(*bg), GFP_KERNEL_ACCOUNT);
	if (!bg)
		return NULL;
	bg->bgid = bgid;
	refcount_set(&bg->refs, 1);
	INIT_LIST_HEAD(&bg->bufs);
	return bg;
}

/* Make @bg visible; on failure the caller still owns it. */
static int io_kbuf_group_add(struct io_ring_ctx *ctx, struct io_buf_group *bg)
{
	return xa_err(xa_store(&ctx->buf_groups, bg->bgid, bg,
			       GFP_KERNEL_ACCOUNT));
}

/* At ring teardown, nothing else is left to use them. */
void io_kbuf_groups_free(struct io_ring_ctx *ctx)
{
	struct io_buf_group *bg;
	unsigned long index;

	xa_for_each(&ctx->buf_groups, index, bg) {
		xa_erase(&ctx->buf_groups, index);
		io_kbuf_group_put(bg);
	}
	xa_destroy(&ctx->buf_groups);
}

/* ---- legacy groups: PROVIDE_BUFFERS, REMOVE_BUFFERS ---- */

int io_provide_buffers_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_provide_buf *p = io_kiocb_to_cmd(req, struct io_provide_buf);
	unsigned long size, end;
	u64 nbufs, bid;

	if (READ_ONCE(sqe->rw_flags) || READ_ONCE(sqe->splice_fd_in))
		return -EINVAL;
	nbufs = (u32)READ_ONCE(sqe->fd);
	if (!nbufs || nbufs > IO_KBUF_MAX_BIDS)
		return -E2BIG;
	p->nbufs = nbufs;
	p->addr = READ_ONCE(sqe->addr);
	p->len = READ_ONCE(sqe->len);
	if (!p->len)
		return -EINVAL;
	if (check_mul_overflow((unsigned long)p->len, (unsigned long)nbufs,
			       &size) ||
	    check_add_overflow((unsigned long)p->addr, size, &end))
		return -EOVERFLOW;
	if (!access_ok(u64_to_user_ptr(p->addr), size))
		return -EFAULT;
	p->bgid = READ_ONCE(sqe->buf_group);
	bid = READ_ONCE(sqe->off);
	if (bid > U16_MAX)
		return -E2BIG;
	if (bid + nbufs > IO_KBUF_MAX_BIDS)
		return -EINVAL;
	p->bid = bid;
	return 0;
}

/* Add what it can; fails only if it could add nothing. */
static int io_kbuf_legacy_add(struct io_buf_group *bg, struct io_provide_buf *p)
{
	struct io_kbuf *buf;
	u64 addr = p->addr;
	u32 i;

	for (i = 0; i < p->nbufs; i++) {
		buf = kmalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);
		if (!buf)
			break;
		buf->addr = addr;
		buf->len = min_t(u32, p->len, MAX_RW_COUNT);
		buf->bid = p->bid + i;
		list_add_tail(&buf->node, &bg->bufs);
		addr += p->len;
		cond_resched();
	}
	return i ? 0 : -ENOMEM;
}

static int __io_provide_buffers(struct io_ring_ctx *ctx,
				struct io_provide_buf *p)
{
	struct io_buf_group *bg = io_kbuf_group(ctx, p->bgid);
	int ret;

	if (!bg) {
		bg = io_kbuf_group_alloc(p->bgid);
		if (!bg)
			return -ENOMEM;
		ret = io_kbuf_group_add(ctx, bg);
		if (ret) {
			kfree(bg);
			return ret;
		}
	}
	if (bg->is_ring)
		return -EINVAL;
	return io_kbuf_legacy_add(bg, p);
}

int io_provide_buffers(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_provide_buf *p = io_kiocb_to_cmd(req, struct io_provide_buf);
	struct io_ring_ctx *ctx = req->ctx;
	int ret;

	io_ring_lock(ctx, issue_flags);
	ret = __io_provide_buffers(ctx, p);
	io_ring_unlock(ctx, issue_flags);
	if (ret < 0)
		io_req_set_fail(req);
	io_req_set_res(req, ret, 0);
	return IOU_DONE;
}

int io_remove_buffers_prep(struct io_kiocb *req, const struct io_uring_sqe *sqe)
{
	struct io_provide_buf *p = io_kiocb_to_cmd(req, struct io_provide_buf);
	u32 nbufs;

	if (READ_ONCE(sqe->rw_flags) || READ_ONCE(sqe->addr) ||
	    READ_ONCE(sqe->len) || READ_ONCE(sqe->off) ||
	    READ_ONCE(sqe->splice_fd_in))
		return -EINVAL;
	nbufs = READ_ONCE(sqe->fd);
	if (!nbufs || nbufs > IO_KBUF_MAX_BIDS)
		return -EINVAL;
	p->nbufs = nbufs;
	p->bgid = READ_ONCE(sqe->buf_group);
	return 0;
}

int io_remove_buffers(struct io_kiocb *req, unsigned int issue_flags)
{
	struct io_provide_buf *p = io_kiocb_to_cmd(req, struct io_provide_buf);
	struct io_ring_ctx *ctx = req->ctx;
	struct io_buf_group *bg;
	int ret = -ENOENT;

	io_ring_lock(ctx, issue_flags);
	bg = io_kbuf_group(ctx, p->bgid);
	if (bg)
		ret = bg->is_ring ? -EINVAL : io_kbuf_legacy_free(bg, p->nbufs);
	io_ring_unlock(ctx, issue_flags);
	if (ret < 0)
		io_req_set_fail(req);
	io_req_set_res(req, ret, 0);
	return IOU_DONE;
}

/* ---- ring groups: registration ---- */

static int io_kbuf_reg_check(const struct io_uring_buf_reg *reg)
{
	if (memchr_inv(reg->resv, 0, sizeof(reg->resv)))
		return -EINVAL;
	if (reg->flags & ~(IOU_PBUF_RING_MMAP | IOU_PBUF_RING_INC))
		return -EINVAL;
	if (reg->flags & IOU_PBUF_RING_MMAP) {
		if (reg->ring_addr)
			return -EINVAL;
	} else {
		if (!reg->ring_addr)
			return -EFAULT;
		if (!PAGE_ALIGNED(reg->ring_addr))
			return -EINVAL;
	}
	/* head and tail are 16 bits: a full ring would look empty */
	if (!is_power_of_2(reg->ring_entries) ||
	    reg->ring_entries >= IO_KBUF_MAX_BIDS)
		return -EINVAL;
	if (reg->min_left && !(reg->flags & IOU_PBUF_RING_INC))
		return -EINVAL;
	return 0;
}

/* The ring's memory: kernel pages to mmap(), or the application's, pinned. */
static int io_kbuf_ring_map(struct io_ring_ctx *ctx, struct io_buf_group *bg,
			    const struct io_uring_buf_reg *reg)
{
	size_t size = (size_t)reg->ring_entries * sizeof(struct io_uring_buf);
	int ret;

	if (reg->flags & IOU_PBUF_RING_MMAP)
		return io_region_alloc(&bg->region, size);
	ret = io_region_pin(&bg->region, reg->ring_addr, size);
	if (ret)
		return ret;
	ret = io_pin_charge(&bg->charge, ctx->user, ctx->mm_account,
			    bg->region.nr_pages);
	if (ret)
		io_region_free(&bg->region);
	return ret;
}

int io_register_pbuf_ring(struct io_ring_ctx *ctx, void __user *arg)
{
	struct io_uring_buf_reg reg;
	struct io_buf_group *bg, *old;
	int ret;

	lockdep_assert_held(&ctx->uring_lock);
	if (copy_from_user(&reg, arg, sizeof(reg)))
		return -EFAULT;
	ret = io_kbuf_reg_check(&reg);
	if (ret)
		return ret;
	/* an empty legacy group gives way; anything else is in use */
	old = io_kbuf_group(ctx, reg.bgid);
	if (old && (old->is_ring || !list_empty(&old->bufs)))
		return -EEXIST;
	bg = io_kbuf_group_alloc(reg.bgid);
	if (!bg)
		return -ENOMEM;
	ret = io_kbuf_ring_map(ctx, bg, &reg);
	if (ret) {
		kfree(bg);
		return ret;
	}
	bg->is_ring = true;
	bg->br = bg->region.ptr;
	bg->mask = reg.ring_entries - 1;
	bg->inc = reg.flags & IOU_PBUF_RING_INC;
	bg->min_left = reg.min_left;
	/* replacing @old cannot fail: its slot exists */
	ret = io_kbuf_group_add(ctx, bg);
	if (ret) {
		WARN_ON_ONCE(old);
		io_kbuf_group_put(bg);
		return ret;
	}
	if (old)
		io_kbuf_group_put(old);
	return 0;
}

/* The ring group named by an io_uring_buf_reg at @arg. */
static struct io_buf_group *io_kbuf_ring_of(struct io_ring_ctx *ctx,
					    void __user *arg)
{
	struct io_uring_buf_reg reg;
	struct io_buf_group *bg;

	if (copy_from_user(&reg, arg, sizeof(reg)))
		return ERR_PTR(-EFAULT);
	if (memchr_inv(reg.resv, 0, sizeof(reg.resv)) || reg.flags)
		return ERR_PTR(-EINVAL);
	bg = io_kbuf_group(ctx, reg.bgid);
	if (!bg)
		return ERR_PTR(-ENOENT);
	return bg->is_ring ? bg : ERR_PTR(-EINVAL);
}

int io_unregister_pbuf_ring(struct io_ring_ctx *ctx, void __user *arg)
{
	struct io_buf_group *bg = io_kbuf_ring_of(ctx, arg);

	if (IS_ERR(bg))
		return PTR_ERR(bg);
	io_kbuf_group_remove(ctx, bg);
	return 0;
}

int io_register_pbuf_status(struct io_ring_ctx *ctx, void __user *arg)
{
	struct io_uring_buf_status st;
	struct io_buf_group *bg;

	if (copy_from_user(&st, arg, sizeof(st)))
		return -EFAULT;
	if (memchr_inv(st.resv, 0, sizeof(st.resv)))
		return -EINVAL;
	/* a group id wider than 16 bits names no group */
	bg = st.buf_group <= U16_MAX ? io_kbuf_group(ctx, st.buf_group) : NULL;
	if (!bg)
		return -ENOENT;
	if (!bg->is_ring)
		return -EINVAL;
	st.head = bg->head;
	if (copy_to_user(arg, &st, sizeof(st)))
		return -EFAULT;
	return 0;
}

/* ---- mmap() of kernel-allocated rings ---- */

bool io_kbuf_mmap_offset(loff_t off)
{
	return (off & IORING_OFF_MMAP_MASK) == IORING_OFF_PBUF_RING;
}

/*
 * The ring of kernel pages at @off, pinned, or NULL: only such a ring
 * can be mapped, and only while it is registered.
 */
static struct io_buf_group *io_kbuf_mmap_get(struct io_ring_ctx *ctx, loff_t off)
{
	unsigned long bgid = (off & ~IORING_OFF_MMAP_MASK) >> IORING_OFF_PBUF_SHIFT;
	struct io_buf_group *bg;

	if (bgid > U16_MAX)
		return NULL;
	rcu_read_lock();
	bg = xa_load(&ctx->buf_groups, bgid);
	if (bg && (!bg->is_ring || bg->region.pinned ||
		   !refcount_inc_not_zero(&bg->refs)))
		bg = NULL;
	rcu_read_unlock();
	return bg;
}

bool io_kbuf_mmap_valid(struct io_ring_ctx *ctx, loff_t off)
{
	struct io_buf_group *bg = io_kbuf_mmap_get(ctx, off);

	if (bg)
		io_kbuf_group_put(bg);
	return bg;
}

int io_kbuf_mmap(struct io_ring_ctx *ctx, loff_t off, struct vm_area_struct *vma)
{
	struct io_buf_group *bg = io_kbuf_mmap_get(ctx, off);
	int ret;

	if (!bg)
		return -EINVAL;
	ret = io_region_mmap(&bg->region, vma);
	io_kbuf_group_put(bg);
	return ret;
}

/* ---- the request side ---- */

static struct io_uring_buf *io_kbuf_ring_entry(struct io_buf_group *bg, u16 pos)
{
	return &bg->br->bufs[pos & bg->mask];
}

/*
 * Consume @len bytes of the buffer at the head. Returns true if the
 * buffer stays at the head (IOU_PBUF_RING_INC, with enough left, or
 * nothing used), which the CQE reports as IORING_CQE_F_BUF_MORE.
 */
static bool io_kbuf_ring_consume(struct io_buf_group *bg, u32 len)
{
	struct io_uring_buf *buf;
	u32 blen, left;

	if (!bg->inc) {
		bg->head++;
		return false;
	}
	buf = io_kbuf_ring_entry(bg, bg->head);
	blen = READ_ONCE(buf->len);
	len = min(len, blen);
	left = blen - len;
	if (!len || (left && left >= bg->min_left)) {
		WRITE_ONCE(buf->addr, READ_ONCE(buf->addr) + len);
		WRITE_ONCE(buf->len, left);
		return true;
	}
	WRITE_ONCE(buf->len, 0);
	bg->head++;
	return false;
}

static void io_kbuf_ring_consumed(struct io_kiocb *req, struct io_buf_group *bg,
				  u32 len)
{
	req->flags &= ~REQ_F_KBUF_PEEK;
	if (io_kbuf_ring_consume(bg, len))
		req->flags |= REQ_F_KBUF_MORE;
}

static int io_kbuf_ring_pick(struct io_kiocb *req, struct io_buf_group *bg,
			     u32 max_len, bool tentative)
{
	/* pairs with the application's release store of the tail */
	u16 tail = smp_load_acquire(&bg->br->tail);
	struct io_uring_buf *buf;
	u32 len;

	if (tail == bg->head)
		return -ENOBUFS;
	buf = io_kbuf_ring_entry(bg, bg->head);
	/* the application may change the entry meanwhile: read it once */
	len = READ_ONCE(buf->len);
	req->bsel.addr = READ_ONCE(buf->addr);
	req->bsel.bid = READ_ONCE(buf->bid);
	req->bsel.len = max_len && max_len < len ? max_len : len;
	req->flags |= REQ_F_KBUF_RING;
	if (tentative)
		req->flags |= REQ_F_KBUF_PEEK;
	else
		io_kbuf_ring_consumed(req, bg, req->bsel.len);
	return 0;
}

static int io_kbuf_legacy_pick(struct io_kiocb *req, struct io_buf_group *bg,
			       u32 max_len)
{
	struct io_kbuf *buf;

	buf = list_first_entry_or_null(&bg->bufs, struct io_kbuf, node);
	if (!buf)
		return -ENOBUFS;
	list_del(&buf->node);
	req->kbuf = buf;
	req->bsel.addr = buf->addr;
	req->bsel.bid = buf->bid;
	req->bsel.len = max_len && max_len < buf->len ? max_len : buf->len;
	req->flags |= REQ_F_KBUF_LEGACY;
	return 0;
}

/**
 * io_kbuf_pick - pick a buffer of group req->bsel.group for @req
 * @max_len: at most this many bytes, 0 for the whole buffer
 *
 * Sets req->bsel.addr and .len. Returns -ENOBUFS if the group does not
 * exist or has no buffer.
 */
int io_kbuf_pick(struct io_kiocb *req, u32 max_len, unsigned int issue_flags)
{
	struct io_ring_ctx *ctx = req->ctx;
	struct io_buf_group *bg;
	bool tentative;
	int ret = -ENOBUFS;

	io_ring_lock(ctx, issue_flags);
	bg = io_kbuf_group(ctx, req->bsel.group);
	if (bg && bg->is_ring) {
		tentative = !(issue_flags & IO_URING_F_UNLOCKED) &&
			    file_can_poll(req->file);
		ret = io_kbuf_ring_pick(req, bg, max_len, tentative);
	} else if (bg) {
		ret = io_kbuf_legacy_pick(req, bg, max_len);
	}
	io_ring_unlock(ctx, issue_flags);
	return ret;
}

/*
 * The request ends with @res (bytes, or an error): the CQE flags naming
 * its buffer. A tentative pick is consumed now (uring_lock is still held
 * from the pick), or given up if the request failed; a legacy node is
 * freed, its buffer the application's again.
 */
u32 __io_kbuf_done(struct io_kiocb *req, int res)
{
	u32 cflags = IORING_CQE_F_BUFFER |
		     ((u32)req->bsel.bid << IORING_CQE_BUFFER_SHIFT);
	struct io_buf_group *bg;

	if (req->flags & REQ_F_KBUF_LEGACY) {
		__io_kbuf_drop(req);
		return cflags;
	}
	if (req->flags & REQ_F_KBUF_PEEK) {
		bg = io_kbuf_group(req->ctx, req->bsel.group);
		if (res < 0 || WARN_ON_ONCE(!bg)) {
			io_kbuf_recycle(req);
			return 0;
		}
		io_kbuf_ring_consumed(req, bg, res);
	}
	if (req->flags & REQ_F_KBUF_MORE)
		cflags |= IORING_CQE_F_BUF_MORE;
	req->flags &= ~(REQ_F_KBUF_RING | REQ_F_KBUF_MORE);
	return cflags;
}

/* Consume a tentative pick now: uring_lock is still held from the pick. */
void __io_kbuf_keep(struct io_kiocb *req)
{
	struct io_buf_group *bg = io_kbuf_group(req->ctx, req->bsel.group);

	if (WARN_ON_ONCE(!bg))
		io_kbuf_recycle(req);
	else
		io_kbuf_ring_consumed(req, bg, req->bsel.len);
}

/**
 * io_kbuf_give_back - @req did not fill the buffer it picked
 * @keep: a ring buffer already consumed stays with @req, for its next try
 *
 * A tentative pick goes back to the ring, a legacy buffer to the front of
 * its group (or is freed, if the group is gone or now a ring). Without
 * @keep, a consumed ring buffer is lost to the application, as in 6.12.
 */
void io_kbuf_give_back(struct io_kiocb *req, unsigned int issue_flags, bool keep)
{
	struct io_ring_ctx *ctx = req->ctx;
	struct io_buf_group *bg;

	io_kbuf_recycle(req);
	if (!keep)
		req->flags &= ~(REQ_F_KBUF_RING | REQ_F_KBUF_MORE);
	if (!(req->flags & REQ_F_KBUF_LEGACY))
		return;
	io_ring_lock(ctx, issue_flags);
	bg = io_kbuf_group(ctx, req->bsel.group);
	if (bg && !bg->is_ring) {
		list_add(&req->kbuf->node, &bg->bufs);
		req->kbuf = NULL;
		req->flags &= ~REQ_F_KBUF_LEGACY;
	} else {
		__io_kbuf_drop(req);
	}
	io_ring_unlock(ctx, issue_flags);
}

/* Free the legacy node @req holds, without reporting it. */
void __io_kbuf_drop(struct io_kiocb *req)
{
	kfree(req->kbuf);
	req->kbuf = NULL;
	req->flags &= ~REQ_F_KBUF_LEGACY;
}
