// SPDX-License-Identifier: GPL-2.0
/*
 * Ring memory shared with userspace.
 *
 * Every region is an array of order-0 pages plus a vmap() of them, so a
 * large ring never needs a high-order allocation, and mmap() hands the
 * same pages to userspace with vm_insert_pages().
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "memmap.h"

static struct page **io_page_array(unsigned int nr)
{
	return kvcalloc(nr, sizeof(struct page *), GFP_KERNEL_ACCOUNT);
}

static int io_region_vmap(struct io_region *r)
{
	r->ptr = vmap(r->pages, r->nr_pages, VM_MAP, PAGE_KERNEL);
	return r->ptr ? 0 : -ENOMEM;
}

/* Kernel pages, zeroed, charged to the memory cgroup of the creator. */
int io_region_alloc(struct io_region *r, size_t size)
{
	unsigned int i, nr = DIV_ROUND_UP(size, PAGE_SIZE);

	memset(r, 0, sizeof(*r));
	r->pages = io_page_array(nr);
	if (!r->pages)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		r->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!r->pages[i])
			goto fail;
		r->nr_pages++;
	}
	if (io_region_vmap(r))
		goto fail;
	return 0;
fail:
	io_region_free(r);
	return -ENOMEM;
}

/**
 * io_pin_user_pages - pin the pages under [@uaddr, @uaddr + @len)
 * @nr: set to the number of pages
 *
 * Long-term pins, for memory the kernel keeps using after the syscall
 * (ring memory, registered buffers). Returns the page array, to be
 * released with unpin_user_pages() and kvfree(), or an ERR_PTR.
 */
struct page **io_pin_user_pages(unsigned long uaddr, size_t len,
				unsigned int *nr)
{
	unsigned long end, count;
	struct page **pages;
	int ret;

	if (check_add_overflow(uaddr, len, &end) ||
	    check_add_overflow(end, PAGE_SIZE - 1, &end))
		return ERR_PTR(-EOVERFLOW);
	count = (end >> PAGE_SHIFT) - (uaddr >> PAGE_SHIFT);
	if (!count || count > INT_MAX)
		return ERR_PTR(-EINVAL);
	pages = io_page_array(count);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	ret = pin_user_pages_fast(uaddr, count, FOLL_WRITE | FOLL_LONGTERM,
				  pages);
	if (ret == count) {
		*nr = count;
		return pages;
	}
	/* all or nothing */
	if (ret > 0)
		unpin_user_pages(pages, ret);
	kvfree(pages);
	return ERR_PTR(ret < 0 ? ret : -EFAULT);
}

/**
 * io_pin_charge - charge @nr pinned pages to @user and @mm
 * @user: the ring creator, NULL if it has CAP_IPC_LOCK
 *
 * Long-term pins count against the user's RLIMIT_MEMLOCK (-ENOMEM past
 * it) and the mm's pinned_vm. @c remembers whom it charged, for
 * io_pin_uncharge(), which may run after the ring is gone.
 */
int io_pin_charge(struct io_pin_charge *c, struct user_struct *user,
		  struct mm_struct *mm, unsigned long nr)
{
	unsigned long limit, cur;

	c->user = NULL;
	if (user) {
		limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
		cur = atomic_long_read(&user->locked_vm);
		do {
			if (cur + nr > limit)
				return -ENOMEM;
		} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur,
						  cur + nr));
		c->user = get_uid(user);
	}
	c->mm = mm;
	mmgrab(mm);
	atomic64_add(nr, &mm->pinned_vm);
	c->nr = nr;
	return 0;
}

void io_pin_uncharge(struct io_pin_charge *c)
{
	if (c->user) {
		atomic_long_sub(c->nr, &c->user->locked_vm);
		free_uid(c->user);
	}
	atomic64_sub(c->nr, &c->mm->pinned_vm);
	mmdrop(c->mm);
}

/* Application pages for IORING_SETUP_NO_MMAP, pinned for the ring's life. */
int io_region_pin(struct io_region *r, unsigned long uaddr, size_t size)
{
	struct page **pages;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!size || !PAGE_ALIGNED(uaddr))
		return -EINVAL;
	pages = io_pin_user_pages(uaddr, size, &r->nr_pages);
	if (IS_ERR(pages))
		return PTR_ERR(pages);
	r->pages = pages;
	r->pinned = true;
	ret = io_region_vmap(r);
	if (ret)
		io_region_free(r);
	return ret;
}

void io_region_free(struct io_region *r)
{
	unsigned int i;

	if (r->ptr)
		vunmap(r->ptr);
	if (r->pinned) {
		unpin_user_pages(r->pages, r->nr_pages);
	} else {
		for (i = 0; i < r->nr_pages; i++)
			__free_page(r->pages[i]);
	}
	kvfree(r->pages);
	memset(r, 0, sizeof(*r));
}

/*
 * Map the region at the start of @vma. A mapping longer than the region
 * succeeds and leaves the excess unpopulated, which faults on access.
 */
int io_region_mmap(struct io_region *r, struct vm_area_struct *vma)
{
	unsigned long nr = min_t(unsigned long, r->nr_pages, vma_pages(vma));

	vm_flags_set(vma, VM_DONTEXPAND);
	return vm_insert_pages(vma, vma->vm_start, r->pages, &nr);
}
