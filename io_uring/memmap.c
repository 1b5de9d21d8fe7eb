// SPDX-License-Identifier: GPL-2.0
/*
 * Ring memory shared with userspace.
 *
 * Every region is an array of order-0 pages plus a vmap() of them, so a
 * large ring never needs a high-order allocation, and mmap() hands the
 * same pages to userspace with vm_insert_pages().
 */
#include <linux/mm.h>
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

/* Application pages for IORING_SETUP_NO_MMAP, pinned for the ring's life. */
int io_region_pin(struct io_region *r, unsigned long uaddr, size_t size)
{
	unsigned long end;
	unsigned int nr;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!size || !PAGE_ALIGNED(uaddr))
		return -EINVAL;
	if (check_add_overflow(uaddr, size, &end) ||
	    check_add_overflow(end, PAGE_SIZE - 1, &end))
		return -EOVERFLOW;
	nr = (end >> PAGE_SHIFT) - (uaddr >> PAGE_SHIFT);

	r->pages = io_page_array(nr);
	if (!r->pages)
		return -ENOMEM;
	r->pinned = true;
	ret = pin_user_pages_fast(uaddr, nr, FOLL_WRITE | FOLL_LONGTERM,
				  r->pages);
	if (ret > 0)
		r->nr_pages = ret;
	if (ret != nr) {
		io_region_free(r);
		return ret < 0 ? ret : -EFAULT;
	}
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
