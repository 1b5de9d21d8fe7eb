// SPDX-License-Identifier: GPL-2.0
/*
 * Tag CQEs of registered files and buffers that left their slot.
 *
 * A registered file or buffer may carry a tag. When it leaves its slot
 * while the table stays registered (an update, the close of a direct
 * descriptor), the application gets a CQE with user_data = tag, once no
 * request that might still use it is in flight: then it may reuse what
 * the tag names. As in 6.12, "might use it" is coarse: every request that
 * took a registered file or buffer before the slot was emptied.
 *
 * So requests are counted in generations. A request joins the generation
 * current when it first takes a registered file or buffer, and holds a
 * reference on it until it is freed. Emptying a tagged slot gives the
 * tag to the current generation and starts a new one. A generation posts
 * its tag once it and every older one have no reference left, oldest
 * first, so a tag never overtakes the CQE of a request that came before
 * it. The current generation holds one reference of its own.
 *
 * Requests take the file or buffer itself by reference as well, so the
 * memory and files are safe without all this; generations only decide
 * when the tag is posted. A ring that never had a tag has no generation,
 * and its requests join none.
 */
#include <linux/slab.h>

#include "io_uring.h"
#include "rsrc_tags.h"

struct io_rsrc_gen {
	struct list_head	node;	/* in ctx->rsrc_gens, oldest first */
	atomic_t		refs;
	u64			tag;	/* 0 while current */
};

static struct io_rsrc_gen *io_rsrc_gen_alloc(void)
{
	struct io_rsrc_gen *gen;

	gen = kmalloc(sizeof(*gen), GFP_KERNEL_ACCOUNT);
	if (gen) {
		atomic_set(&gen->refs, 1);
		gen->tag = 0;
	}
	return gen;
}

/**
 * io_rsrc_tags_enable - start counting requests in generations
 *
 * Called with uring_lock held before a slot is given a tag.
 *
 * Return: 0, or -ENOMEM.
 */
int io_rsrc_tags_enable(struct io_ring_ctx *ctx)
{
	struct io_rsrc_gen *gen;

	lockdep_assert_held(&ctx->uring_lock);
	if (ctx->rsrc_gen)
		return 0;
	gen = io_rsrc_gen_alloc();
	if (!gen)
		return -ENOMEM;
	spin_lock(&ctx->rsrc_gen_lock);
	list_add_tail(&gen->node, &ctx->rsrc_gens);
	spin_unlock(&ctx->rsrc_gen_lock);
	/* pairs with the lockless read of io_req_charge_rsrc() callers */
	WRITE_ONCE(ctx->rsrc_gen, gen);
	return 0;
}

static struct io_rsrc_gen *io_rsrc_gen_retirable(struct io_ring_ctx *ctx)
{
	struct io_rsrc_gen *gen;

	gen = list_first_entry_or_null(&ctx->rsrc_gens, struct io_rsrc_gen,
				       node);
	return gen && !atomic_read(&gen->refs) ? gen : NULL;
}

/*
 * Post the tags of the oldest generations that nothing holds any more.
 * The application decides how many wait behind one held generation, so
 * tags are posted without rsrc_gen_lock held; one task at a time does
 * it, so that they still go out in order. Another that frees a
 * generation meanwhile leaves it to that task: it dropped the reference
 * before taking the lock, and the posting task looks again under it.
 */
static void io_rsrc_gens_retire(struct io_ring_ctx *ctx)
{
	struct io_rsrc_gen *gen;

	spin_lock(&ctx->rsrc_gen_lock);
	if (ctx->rsrc_retiring)
		goto out;
	ctx->rsrc_retiring = true;
	while ((gen = io_rsrc_gen_retirable(ctx))) {
		list_del(&gen->node);
		spin_unlock(&ctx->rsrc_gen_lock);
		io_post_cqe(ctx, gen->tag, 0, 0, 0, 0);
		kfree(gen);
		spin_lock(&ctx->rsrc_gen_lock);
	}
	ctx->rsrc_retiring = false;
out:
	spin_unlock(&ctx->rsrc_gen_lock);
}

static void io_rsrc_gen_put(struct io_ring_ctx *ctx, struct io_rsrc_gen *gen)
{
	if (atomic_dec_and_test(&gen->refs))
		io_rsrc_gens_retire(ctx);
}

/* @req joins the current generation; uring_lock is held. */
void __io_req_charge_rsrc(struct io_kiocb *req)
{
	struct io_rsrc_gen *gen = req->ctx->rsrc_gen;

	lockdep_assert_held(&req->ctx->uring_lock);
	atomic_inc(&gen->refs);
	req->rsrc_gen = gen;
	req->flags |= REQ_F_RSRC_GEN;
}

/* @req is being freed: it no longer holds back any tag. */
void io_req_uncharge_rsrc(struct io_kiocb *req)
{
	struct io_rsrc_gen *gen = req->rsrc_gen;

	req->rsrc_gen = NULL;
	io_rsrc_gen_put(req->ctx, gen);
}

/**
 * io_rsrc_tag_post - post @tag once the requests in flight are done
 *
 * Called with uring_lock held when a slot carrying @tag is emptied. If no
 * memory can be had for a new generation, the tag goes out at once.
 */
void io_rsrc_tag_post(struct io_ring_ctx *ctx, u64 tag)
{
	struct io_rsrc_gen *old = ctx->rsrc_gen, *gen;

	lockdep_assert_held(&ctx->uring_lock);
	gen = old ? io_rsrc_gen_alloc() : NULL;
	if (!gen) {
		io_post_cqe(ctx, tag, 0, 0, 0, 0);
		return;
	}
	old->tag = tag;
	spin_lock(&ctx->rsrc_gen_lock);
	list_add_tail(&gen->node, &ctx->rsrc_gens);
	spin_unlock(&ctx->rsrc_gen_lock);
	WRITE_ONCE(ctx->rsrc_gen, gen);
	io_rsrc_gen_put(ctx, old);
}

/* Ring teardown, with no request left: nobody will read the tags. */
void io_rsrc_tags_free(struct io_ring_ctx *ctx)
{
	struct io_rsrc_gen *gen, *tmp;

	list_for_each_entry_safe(gen, tmp, &ctx->rsrc_gens, node) {
		list_del(&gen->node);
		kfree(gen);
	}
	ctx->rsrc_gen = NULL;
}
