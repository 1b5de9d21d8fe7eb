/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IO_URING_MEMMAP_H
#define IO_URING_MEMMAP_H

#include <linux/types.h>

struct mm_struct;
struct page;
struct user_struct;
struct vm_area_struct;

/*
 * Memory shared with userspace: either kernel pages the application
 * mmap()s, or (IORING_SETUP_NO_MMAP) application pages pinned here. Either
 * way the kernel sees it through one contiguous vmap() at @ptr.
 */
struct io_region {
	void		*ptr;
	struct page	**pages;
	unsigned int	nr_pages;
	bool		pinned;		/* user pages: unpin, don't free */
};

/* What long-term pinned pages were charged to, see io_pin_charge(). */
struct io_pin_charge {
	struct user_struct	*user;
	struct mm_struct	*mm;
	unsigned long		nr;
};

int io_pin_charge(struct io_pin_charge *c, struct user_struct *user,
		  struct mm_struct *mm, unsigned long nr);
void io_pin_uncharge(struct io_pin_charge *c);
struct page **io_pin_user_pages(unsigned long uaddr, size_t len,
				unsigned int *nr);
int io_region_alloc(struct io_region *r, size_t size);
int io_region_pin(struct io_region *r, unsigned long uaddr, size_t size);
void io_region_free(struct io_region *r);
int io_region_mmap(struct io_region *r, struct vm_area_struct *vma);

#endif /* IO_URING_MEMMAP_H */
