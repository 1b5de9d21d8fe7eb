// SPDX-License-Identifier: GPL-2.0
/*
 * Registered buffers, following Linux 6.12 semantics: IORING_REGISTER_BUFFERS,
 * IORING_UNREGISTER_BUFFERS, IORING_REGISTER_BUFFERS2 (tags, sparse tables),
 * IORING_REGISTER_BUFFERS_UPDATE, IORING_REGISTER_CLONE_BUFFERS,
 * IORING_OP_READ_FIXED / IORING_OP_WRITE_FIXED, and RLIMIT_MEMLOCK
 * accounting of pinned buffer memory.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "uring_test.h"

#define UD	0xb0ffe5ed00000000ULL
#define WAIT_MS	2000
/* how long something that must not be posted is given to (wrongly) appear */
#define PENDING_MS	50

#define BS	4096

/* 6.12 io_uring/rsrc.c: IORING_MAX_REG_BUFFERS; io_buffer_validate(): SZ_1G */
#define IOU_612_MAX_REG_BUFFERS	(1U << 14)
#define IOU_612_MAX_BUF_LEN	(1UL << 30)
/* 6.12 io_uring/io_uring.h: IO_RINGFD_REG_MAX */
#define IOU_612_RINGFD_REG_MAX	16U

/* an address access_ok() rejects on every 64-bit architecture */
#define KERNEL_ADDR	((void *)(uintptr_t)0xffff800000000000ULL)

#define NOBODY	65534

static size_t page_sz(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* ---- files and data patterns ---- */

static bool is_tmpfs(const char *path)
{
	struct statfs sfs;

	return !statfs(path, &sfs) && sfs.f_type == TMPFS_MAGIC;
}

/* Scratch directory: /tmp, or /dev/shm when only that one is tmpfs. */
static const char *scratch_dir(void)
{
	if (!is_tmpfs("/tmp") && is_tmpfs("/dev/shm"))
		return "/dev/shm";
	return "/tmp";
}

static int scratch_file(char *path, size_t sz)
{
	snprintf(path, sz, "%s/io_uring_buffers.XXXXXX", scratch_dir());
	return mkstemp(path);
}

static unsigned char pat_byte(unsigned int seed, off_t off)
{
	return (unsigned char)(off * 7 + (off >> 8) * 13 + seed * 101 + 1);
}

static void pat_fill(void *buf, size_t len, unsigned int seed, off_t off)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pat_byte(seed, off + i);
}

/* Index of the first byte not matching the pattern, or -1. */
static long pat_mismatch(const void *buf, size_t len, unsigned int seed,
			 off_t off)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != pat_byte(seed, off + i))
			return (long)i;
	}
	return -1;
}

/* Index of the first byte not equal to @c, or -1. */
static long byte_mismatch(const void *buf, size_t len, unsigned char c)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != c)
			return (long)i;
	}
	return -1;
}

/* Fill the first @len bytes of @fd with the pattern for @seed. */
static int fill_file(int fd, size_t len, unsigned int seed)
{
	char *buf = malloc(len);
	ssize_t ret;

	if (!buf)
		return -ENOMEM;
	pat_fill(buf, len, seed, 0);
	ret = pwrite(fd, buf, len, 0);
	free(buf);
	return ret == (ssize_t)len ? 0 : -EIO;
}

/* Whether @len bytes of @fd at @off hold the pattern (@seed, @pat_off). */
static long file_pat_mismatch(int fd, off_t off, size_t len, unsigned int seed,
			      off_t pat_off)
{
	char *buf = malloc(len);
	long ret;

	if (!buf)
		return -2;
	if (pread(fd, buf, len, off) != (ssize_t)len)
		ret = -3;
	else
		ret = pat_mismatch(buf, len, seed, pat_off);
	free(buf);
	return ret;
}

static off_t file_size(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return -1;
	return st.st_size;
}

static off_t cur_pos(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

/* A descriptor number that is not open. */
static int closed_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);

	close(fd);
	return fd;
}

/* @n pages of private anonymous memory, populated (no THP). */
static void *map_pages(size_t n)
{
	void *p = mmap(NULL, n * page_sz(), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, n * page_sz(), MADV_NOHUGEPAGE);
	memset(p, 0, n * page_sz());
	return p;
}

static void unmap_pages(void *p, size_t n)
{
	if (p)
		munmap(p, n * page_sz());
}

/* ---- registration wrappers ---- */

static int reg_bufs(struct test_ring *r, const struct iovec *iov,
		    unsigned int nr)
{
	return io_uring_register(r->fd, IORING_REGISTER_BUFFERS, (void *)iov,
				 nr);
}

static int reg_bufs2(struct test_ring *r, const struct iovec *iov,
		     const __u64 *tags, unsigned int nr, unsigned int flags)
{
	struct io_uring_rsrc_register rr;

	memset(&rr, 0, sizeof(rr));
	rr.nr = nr;
	rr.flags = flags;
	rr.data = (__u64)(uintptr_t)iov;
	rr.tags = (__u64)(uintptr_t)tags;
	return io_uring_register(r->fd, IORING_REGISTER_BUFFERS2, &rr,
				 sizeof(rr));
}

static int upd_bufs(struct test_ring *r, unsigned int off,
		    const struct iovec *iov, const __u64 *tags,
		    unsigned int nr)
{
	struct io_uring_rsrc_update2 up;

	memset(&up, 0, sizeof(up));
	up.offset = off;
	up.data = (__u64)(uintptr_t)iov;
	up.tags = (__u64)(uintptr_t)tags;
	up.nr = nr;
	return io_uring_register(r->fd, IORING_REGISTER_BUFFERS_UPDATE, &up,
				 sizeof(up));
}

static int unreg_bufs(struct test_ring *r)
{
	return io_uring_register(r->fd, IORING_UNREGISTER_BUFFERS, NULL, 0);
}

static int clone_bufs(struct test_ring *dst, unsigned int src_fd,
		      unsigned int flags)
{
	struct io_uring_clone_buffers cb;

	memset(&cb, 0, sizeof(cb));
	cb.src_fd = src_fd;
	cb.flags = flags;
	return io_uring_register(dst->fd, IORING_REGISTER_CLONE_BUFFERS, &cb,
				 1);
}

/* ---- SQEs and CQEs ---- */

static struct io_uring_sqe *queue_fixed(struct test_ring *r, __u8 op, int fd,
					const void *addr, unsigned int len,
					__u64 off, __u16 idx, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = op;
		sqe->fd = fd;
		sqe->addr = (__u64)(uintptr_t)addr;
		sqe->len = len;
		sqe->off = off;
		sqe->buf_index = idx;
		sqe->user_data = ud;
	}
	return sqe;
}

/* Pop one CQE and check it (read/write and tag CQEs never carry flags). */
#define EXPECT_CQE(r, ud, res_) do {					\
	struct io_uring_cqe __c;					\
	ASSERT_EQ(0, ring_pop_cqe(r, &__c, WAIT_MS));			\
	EXPECT_EQ((__u64)(ud), __c.user_data);				\
	EXPECT_EQ((int)(res_), __c.res);				\
	EXPECT_EQ(0U, __c.flags);					\
} while (0)

/* Nothing gets posted within PENDING_MS. */
#define EXPECT_NO_CQE(r) do {						\
	struct io_uring_cqe __c;					\
	EXPECT_EQ(-ETIME, ring_pop_cqe(r, &__c, PENDING_MS)) {		\
		TH_LOG("unexpected CQE ud=0x%llx res=%d",		\
		       (unsigned long long)__c.user_data, __c.res);	\
	}								\
} while (0)

/* Queue one fixed request, submit it alone and check its completion. */
#define FIX1(r, op, fd, addr, len, off, idx, ud, res_) do {		\
	ASSERT_NE(NULL, queue_fixed(r, op, fd, addr, len, off, idx, ud)); \
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));				\
	EXPECT_CQE(r, ud, res_);					\
} while (0)

#define EXPECT_PAT(buf, len, seed, off)					\
	EXPECT_EQ(-1, pat_mismatch(buf, len, seed, off))

#define EXPECT_BYTES(buf, len, c)					\
	EXPECT_EQ(-1, byte_mismatch(buf, len, c))

#define EXPECT_FILE_PAT(fd, off, len, seed, pat_off)			\
	EXPECT_EQ(-1, file_pat_mismatch(fd, off, len, seed, pat_off))

/*
 * The one queued request plus a NOP: a prep failure ends the batch (1 of 2
 * submitted, the NOP stays queued); an issue failure does not.
 */
static void check_batch(struct __test_metadata *_metadata,
			struct test_ring *r, __u64 ud, int res, bool at_prep)
{
	struct io_uring_cqe cqe;
	bool seen_rw = false, seen_nop = false;
	unsigned int i;

	ASSERT_NE(NULL, ring_nop(r, ud + 1));
	ASSERT_EQ(at_prep ? 1 : 2, ring_submit(r, 2, 0, 0));
	if (at_prep) {
		EXPECT_CQE(r, ud, res);
		EXPECT_EQ(1U, ring_sq_pending(r));
		ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
		EXPECT_CQE(r, ud + 1, 0);
		return;
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
		EXPECT_EQ(0U, cqe.flags);
		if (cqe.user_data == ud) {
			EXPECT_FALSE(seen_rw);
			seen_rw = true;
			EXPECT_EQ(res, cqe.res);
		} else {
			EXPECT_EQ(ud + 1, cqe.user_data);
			EXPECT_FALSE(seen_nop);
			seen_nop = true;
			EXPECT_EQ(0, cqe.res);
		}
	}
}

#define FIX_BATCH(r, op, fd, addr, len, off, idx, ud, res, at_prep) do {	\
	ASSERT_NE(NULL, queue_fixed(r, op, fd, addr, len, off, idx, ud)); \
	check_batch(_metadata, r, ud, res, at_prep);			\
} while (0)

/* ---- fixture: a ring and a scratch tmpfs file ---- */

FIXTURE(buf) {
	struct test_ring r;
	char path[64];
	int fd;
};

FIXTURE_SETUP(buf)
{
	ASSERT_EQ(0, ring_init_flags(&self->r, 32, 0));
	self->fd = scratch_file(self->path, sizeof(self->path));
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(buf)
{
	if (self->fd >= 0) {
		close(self->fd);
		unlink(self->path);
	}
	ring_exit(&self->r);
}

/* REGISTER_BUFFERS, WRITE_FIXED/READ_FIXED through them, UNREGISTER. */
TEST_F(buf, register_and_use)
{
	struct test_ring *r = &self->r;
	char *a = map_pages(2), *b = map_pages(2);
	struct iovec iov[2] = { { a, 2 * BS }, { b, 2 * BS } };

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, reg_bufs(r, iov, 2));

	pat_fill(a, 2 * BS, 1, 0);
	FIX1(r, IORING_OP_WRITE_FIXED, self->fd, a, 2 * BS, 0, 0, UD, 2 * BS);
	EXPECT_FILE_PAT(self->fd, 0, 2 * BS, 1, 0);
	EXPECT_EQ(2 * BS, file_size(self->fd));

	FIX1(r, IORING_OP_READ_FIXED, self->fd, b, 2 * BS, 0, 1, UD + 1,
	     2 * BS);
	EXPECT_PAT(b, 2 * BS, 1, 0);

	/* buf_index selects the buffer: b does not lie inside buffer 0 */
	memset(b, 0x5a, 2 * BS);
	FIX1(r, IORING_OP_READ_FIXED, self->fd, b, 10, 0, 0, UD + 2, -EFAULT);
	FIX1(r, IORING_OP_WRITE_FIXED, self->fd, a, 10, 0, 1, UD + 3, -EFAULT);
	EXPECT_BYTES(b, 2 * BS, 0x5a);

	/* the kernel writes into the very memory that was registered */
	FIX1(r, IORING_OP_READ_FIXED, self->fd, b + BS, BS, BS, 1, UD + 4, BS);
	EXPECT_BYTES(b, BS, 0x5a);
	EXPECT_PAT(b + BS, BS, 1, BS);

	/* short read at EOF */
	memset(b, 0x5a, 2 * BS);
	FIX1(r, IORING_OP_READ_FIXED, self->fd, b, 2 * BS, BS + 96, 1, UD + 5,
	     BS - 96);
	EXPECT_PAT(b, BS - 96, 1, BS + 96);
	EXPECT_BYTES(b + BS - 96, BS + 96, 0x5a);

	ASSERT_EQ(0, unreg_bufs(r));
	EXPECT_EQ(-ENXIO, unreg_bufs(r));
	/* gone: any buf_index is beyond the (empty) table */
	FIX1(r, IORING_OP_READ_FIXED, self->fd, a, 10, 0, 0, UD + 6, -EFAULT);

	/* registering again after unregistering works */
	ASSERT_EQ(0, reg_bufs(r, &iov[1], 1));
	FIX1(r, IORING_OP_READ_FIXED, self->fd, b, 100, 0, 0, UD + 7, 100);
	FIX1(r, IORING_OP_READ_FIXED, self->fd, b, 100, 0, 1, UD + 8, -EFAULT);
	EXPECT_EQ(0, unreg_bufs(r));
	EXPECT_EQ(0U, ring_cq_ready(r));

	unmap_pages(a, 2);
	unmap_pages(b, 2);
}

/* A ring that never registered buffers: READ_FIXED/WRITE_FIXED -> -EFAULT. */
TEST_F(buf, no_table)
{
	struct test_ring *r = &self->r;
	char buf[64];

	ASSERT_EQ(0, fill_file(self->fd, 64, 2));
	FIX_BATCH(r, IORING_OP_READ_FIXED, self->fd, buf, 10, 0, 0, UD,
		  -EFAULT, true);
	FIX_BATCH(r, IORING_OP_WRITE_FIXED, self->fd, buf, 10, 0, 0, UD + 2,
		  -EFAULT, true);
	EXPECT_EQ(64, file_size(self->fd));
}

/*
 * Data through an unaligned buffer spanning 5 pages: reads and writes at
 * offsets in the middle of the buffer, across page boundaries, starting
 * exactly at the second page, and in the partial last page.
 */
TEST_F(buf, offsets_multi_page)
{
	static const struct { size_t boff, n; off_t foff; } c[] = {
		{ 0,		4 * BS + 1000,	0 },
		{ 3000,		2000,		5 },
		{ BS - 100,	BS,		0 },	/* 2nd page boundary */
		{ BS - 101,	2,		77 },
		{ 2 * BS + 7,	BS + 300,	100 },
		{ 3 * BS,	BS + 900,	3 },
		{ 4 * BS + 999,	1,		9 },
		{ 4 * BS,	1000,		BS },
	};
	struct test_ring *r = &self->r;
	const size_t len = 4 * BS + 1000;
	char *region = map_pages(6), *base;
	struct iovec iov;
	unsigned int i;

	ASSERT_NE(NULL, region);
	base = region + 100;
	iov.iov_base = base;
	iov.iov_len = len;
	ASSERT_EQ(0, reg_bufs(r, &iov, 1));
	ASSERT_EQ(0, fill_file(self->fd, 8 * BS, 2));

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		memset(region, 0xa5, 6 * BS);
		FIX1(r, IORING_OP_READ_FIXED, self->fd, base + c[i].boff,
		     c[i].n, c[i].foff, 0, UD + i, c[i].n);
		EXPECT_BYTES(region, 100 + c[i].boff, 0xa5) {
			TH_LOG("read case %u", i);
		}
		EXPECT_PAT(base + c[i].boff, c[i].n, 2, c[i].foff) {
			TH_LOG("read case %u", i);
		}
		EXPECT_BYTES(base + c[i].boff + c[i].n,
			     6 * BS - 100 - c[i].boff - c[i].n, 0xa5) {
			TH_LOG("read case %u", i);
		}
	}

	/* writes: the buffer holds pattern 5 indexed by buffer offset */
	pat_fill(base, len, 5, 0);
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		off_t foff = 16 * BS + c[i].foff;

		FIX1(r, IORING_OP_WRITE_FIXED, self->fd, base + c[i].boff,
		     c[i].n, foff, 0, UD + 100 + i, c[i].n);
		EXPECT_FILE_PAT(self->fd, foff, c[i].n, 5, c[i].boff) {
			TH_LOG("write case %u", i);
		}
	}
	/* the source buffer is unchanged */
	EXPECT_PAT(base, len, 5, 0);
	EXPECT_FILE_PAT(self->fd, 0, 8 * BS, 2, 0);
	EXPECT_EQ(0, unreg_bufs(r));
	unmap_pages(region, 6);
}

/*
 * sqe->addr/len must lie inside the selected buffer and buf_index inside the
 * table; violations fail at prep with -EFAULT (ending the batch), before the
 * file is even looked up.
 */
TEST_F(buf, bounds)
{
	struct test_ring *r = &self->r;
	char *region = map_pages(3), *base;
	struct iovec iov[2];
	unsigned int i;
	__u64 ud = UD;
	static const __u8 ops[] = { IORING_OP_READ_FIXED,
				    IORING_OP_WRITE_FIXED };

	ASSERT_NE(NULL, region);
	base = region + 512;
	iov[0].iov_base = base;
	iov[0].iov_len = BS;
	iov[1].iov_base = region + 2 * BS;
	iov[1].iov_len = 100;
	ASSERT_EQ(0, reg_bufs(r, iov, 2));
	ASSERT_EQ(0, fill_file(self->fd, 2 * BS, 3));

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		__u8 op = ops[i];

		memset(region, 0xa5, 3 * BS);
		/* starts before the buffer */
		FIX_BATCH(r, op, self->fd, base - 1, 1, 0, 0, ud, -EFAULT,
			  true);
		ud += 2;
		FIX_BATCH(r, op, self->fd, region, 10, 0, 0, ud, -EFAULT,
			  true);
		ud += 2;
		/* ends past it */
		FIX_BATCH(r, op, self->fd, base + BS - 10, 11, 0, 0, ud,
			  -EFAULT, true);
		ud += 2;
		FIX_BATCH(r, op, self->fd, base, BS + 1, 0, 0, ud, -EFAULT,
			  true);
		ud += 2;
		FIX_BATCH(r, op, self->fd, base + BS + 1, 0, 0, 0, ud,
			  -EFAULT, true);
		ud += 2;
		/* addr + len wraps around */
		FIX_BATCH(r, op, self->fd, (void *)(uintptr_t)(~0ULL - 5), 10,
			  0, 0, ud, -EFAULT, true);
		ud += 2;
		/* in another buffer than the selected one */
		FIX_BATCH(r, op, self->fd, iov[1].iov_base, 10, 0, 0, ud,
			  -EFAULT, true);
		ud += 2;
		FIX_BATCH(r, op, self->fd, base, 10, 0, 1, ud, -EFAULT, true);
		ud += 2;
		/* buf_index beyond the table */
		FIX_BATCH(r, op, self->fd, base, 10, 0, 2, ud, -EFAULT, true);
		ud += 2;
		FIX_BATCH(r, op, self->fd, base, 10, 0, 0xffff, ud, -EFAULT,
			  true);
		ud += 2;
		/* the buffer is checked at prep, before the fd at issue */
		FIX_BATCH(r, op, -1, base, 10, 0, 5, ud, -EFAULT, true);
		ud += 2;
		FIX_BATCH(r, op, -1, base, 10, 0, 0, ud, -EBADF, false);
		ud += 2;
		EXPECT_BYTES(region, 3 * BS, 0xa5);
		EXPECT_EQ(2 * BS, file_size(self->fd));
		EXPECT_FILE_PAT(self->fd, 0, 2 * BS, 3, 0);

		/* edges that are inside */
		FIX1(r, op, self->fd, base + BS, 0, 0, 0, ud, 0);
		ud++;
		FIX1(r, op, self->fd, base, 0, 0, 0, ud, 0);
		ud++;
		FIX1(r, op, self->fd, iov[1].iov_base, 100, 0, 1, ud, 100);
		ud++;
		FIX1(r, op, self->fd, base + BS - 1, 1, 0, 0, ud, 1);
		ud++;
		FIX1(r, op, self->fd, base, BS, 0, 0, ud, BS);
		ud++;
	}
	EXPECT_EQ(0, unreg_bufs(r));
	unmap_pages(region, 3);
}

/* off == -1: READ_FIXED/WRITE_FIXED use and advance the file position. */
TEST_F(buf, cur_pos)
{
	struct test_ring *r = &self->r;
	char *buf = map_pages(2);
	struct iovec iov = { buf, 2 * BS };

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, reg_bufs(r, &iov, 1));
	ASSERT_NE(0U, r->p.features & IORING_FEAT_RW_CUR_POS);
	ASSERT_EQ(0, fill_file(self->fd, 2 * BS, 4));
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_SET));

	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf, 10, -1ULL, 0, UD, 10);
	EXPECT_PAT(buf, 10, 4, 0);
	EXPECT_EQ(10, cur_pos(self->fd));
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf + 10, 1000, -1ULL, 0,
	     UD + 1, 1000);
	EXPECT_PAT(buf + 10, 1000, 4, 10);
	EXPECT_EQ(1010, cur_pos(self->fd));

	/* an explicit offset leaves f_pos alone */
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf, 50, 3000, 0, UD + 2, 50);
	EXPECT_PAT(buf, 50, 4, 3000);
	EXPECT_EQ(1010, cur_pos(self->fd));

	/* short read at EOF advances to EOF, the next one returns 0 */
	ASSERT_EQ(2 * BS - 100, lseek(self->fd, 2 * BS - 100, SEEK_SET));
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf, 1000, -1ULL, 0, UD + 3,
	     100);
	EXPECT_PAT(buf, 100, 4, 2 * BS - 100);
	EXPECT_EQ(2 * BS, cur_pos(self->fd));
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf, 1000, -1ULL, 0, UD + 4,
	     0);
	EXPECT_EQ(2 * BS, cur_pos(self->fd));

	/* writes at f_pos extend the file and advance f_pos */
	pat_fill(buf, 2 * BS, 6, 0);
	FIX1(r, IORING_OP_WRITE_FIXED, self->fd, buf + 1, 300, -1ULL, 0,
	     UD + 5, 300);
	EXPECT_EQ(2 * BS + 300, cur_pos(self->fd));
	EXPECT_EQ(2 * BS + 300, file_size(self->fd));
	EXPECT_FILE_PAT(self->fd, 2 * BS, 300, 6, 1);
	ASSERT_EQ(5, lseek(self->fd, 5, SEEK_SET));
	FIX1(r, IORING_OP_WRITE_FIXED, self->fd, buf + BS, BS, -1ULL, 0,
	     UD + 6, BS);
	EXPECT_EQ(5 + BS, cur_pos(self->fd));
	EXPECT_FILE_PAT(self->fd, 5, BS, 6, BS);
	EXPECT_FILE_PAT(self->fd, 0, 5, 4, 0);

	/* other negative offsets: -EINVAL at issue, f_pos untouched */
	FIX_BATCH(r, IORING_OP_READ_FIXED, self->fd, buf, 10, -2ULL, 0, UD + 7,
		  -EINVAL, false);
	FIX_BATCH(r, IORING_OP_WRITE_FIXED, self->fd, buf, 10, -2ULL, 0,
		  UD + 9, -EINVAL, false);
	EXPECT_EQ(5 + BS, cur_pos(self->fd));
	EXPECT_EQ(2 * BS + 300, file_size(self->fd));
	EXPECT_EQ(0, unreg_bufs(r));
	unmap_pages(buf, 2);
}

/* Fixed requests forced to io-wq (IOSQE_ASYNC) move the same data. */
TEST_F(buf, async)
{
	struct test_ring *r = &self->r;
	char *buf = map_pages(4);
	struct iovec iov = { buf + 10, 3 * BS };
	struct io_uring_sqe *sqe;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, reg_bufs(r, &iov, 1));
	pat_fill(buf + 10, 3 * BS, 7, 0);

	sqe = queue_fixed(r, IORING_OP_WRITE_FIXED, self->fd, buf + 10 + BS,
			  2 * BS, 0, 0, UD);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_ASYNC;
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD, 2 * BS);
	EXPECT_FILE_PAT(self->fd, 0, 2 * BS, 7, BS);

	memset(buf, 0, 4 * BS);
	sqe = queue_fixed(r, IORING_OP_READ_FIXED, self->fd, buf + 500,
			  2 * BS, 0, 0, UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_ASYNC;
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD + 1, 2 * BS);
	EXPECT_BYTES(buf, 500, 0);
	EXPECT_PAT(buf + 500, 2 * BS, 7, BS);
	EXPECT_BYTES(buf + 500 + 2 * BS, 2 * BS - 500, 0);

	/* a bad range still fails at prep */
	sqe = queue_fixed(r, IORING_OP_READ_FIXED, self->fd, buf, 10, 0, 0,
			  UD + 2);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_ASYNC;
	check_batch(_metadata, r, UD + 2, -EFAULT, true);
	EXPECT_EQ(0, unreg_bufs(r));
	unmap_pages(buf, 4);
}

/*
 * Registration pins the pages: after the range is unmapped from the process
 * the kernel still reads and writes the original pages.
 */
TEST_F(buf, pinned_after_munmap)
{
	struct test_ring *r = &self->r;
	char *buf = map_pages(2), *again;
	struct iovec iov = { buf, 2 * BS };

	ASSERT_NE(NULL, buf);
	pat_fill(buf, 2 * BS, 8, 0);
	ASSERT_EQ(0, reg_bufs(r, &iov, 1));
	ASSERT_EQ(0, munmap(buf, 2 * BS));

	FIX1(r, IORING_OP_WRITE_FIXED, self->fd, buf + 3, 2 * BS - 3, 0, 0, UD,
	     2 * BS - 3);
	EXPECT_FILE_PAT(self->fd, 0, 2 * BS - 3, 8, 3);

	/* fresh memory at the same address is not what the kernel uses */
	again = mmap(buf, 2 * BS, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(buf, again);
	memset(again, 0x77, 2 * BS);
	FIX1(r, IORING_OP_WRITE_FIXED, self->fd, buf, BS, BS, 0, UD + 1, BS);
	EXPECT_FILE_PAT(self->fd, BS, BS, 8, 0);
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf, BS, 0, 0, UD + 2, BS);
	EXPECT_BYTES(again, 2 * BS, 0x77);
	EXPECT_EQ(0, unreg_bufs(r));
	munmap(again, 2 * BS);
}

/*
 * Shared file-backed shmem memory (memfd and a MAP_SHARED tmpfs file) can be
 * registered; the kernel accesses the shared pages.
 */
TEST_F(buf, shmem_shared)
{
	struct test_ring *r = &self->r;
	char path[64], *m, *t, chk[BS];
	int mfd, tfd;
	struct iovec iov[2];

	mfd = memfd_create("io_uring_buffers", 0);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, ftruncate(mfd, 2 * BS));
	m = mmap(NULL, 2 * BS, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ASSERT_NE(MAP_FAILED, m);

	tfd = scratch_file(path, sizeof(path));
	ASSERT_LE(0, tfd);
	unlink(path);
	ASSERT_EQ(0, ftruncate(tfd, 2 * BS));
	t = mmap(NULL, 2 * BS, PROT_READ | PROT_WRITE, MAP_SHARED, tfd, 0);
	ASSERT_NE(MAP_FAILED, t);

	iov[0].iov_base = m;
	iov[0].iov_len = 2 * BS;
	iov[1].iov_base = t + 1;
	iov[1].iov_len = 2 * BS - 1;
	ASSERT_EQ(0, reg_bufs(r, iov, 2));

	/* READ_FIXED lands in the shared pages, visible through the fd */
	ASSERT_EQ(0, fill_file(self->fd, 2 * BS, 9));
	FIX1(r, IORING_OP_READ_FIXED, self->fd, m + 100, BS, 0, 0, UD, BS);
	ASSERT_EQ(BS, pread(mfd, chk, BS, 100));
	EXPECT_PAT(chk, BS, 9, 0);
	FIX1(r, IORING_OP_READ_FIXED, self->fd, t + 1, BS, 7, 1, UD + 1, BS);
	ASSERT_EQ(BS, pread(tfd, chk, BS, 1));
	EXPECT_PAT(chk, BS, 9, 7);

	/* data written through the fd goes out with WRITE_FIXED */
	pat_fill(chk, BS, 10, 0);
	ASSERT_EQ(BS, pwrite(mfd, chk, BS, BS));
	FIX1(r, IORING_OP_WRITE_FIXED, self->fd, m + BS, BS, 0, 0, UD + 2, BS);
	EXPECT_FILE_PAT(self->fd, 0, BS, 10, 0);
	ASSERT_EQ(BS, pwrite(tfd, chk, BS, 2));
	FIX1(r, IORING_OP_WRITE_FIXED, self->fd, t + 2, BS, BS, 1, UD + 3, BS);
	EXPECT_FILE_PAT(self->fd, BS, BS, 10, 0);

	EXPECT_EQ(0, unreg_bufs(r));
	munmap(m, 2 * BS);
	munmap(t, 2 * BS);
	close(mfd);
	close(tfd);
}

/*
 * A writable private file mapping can be registered: pinning for write breaks
 * COW, so the kernel's writes reach the process's private copy, not the file.
 */
TEST_F(buf, private_file_mapping)
{
	struct test_ring *r = &self->r;
	char path[64], *p;
	int pfd;
	struct iovec iov;

	pfd = scratch_file(path, sizeof(path));
	ASSERT_LE(0, pfd);
	unlink(path);
	ASSERT_EQ(0, fill_file(pfd, 2 * BS, 11));
	p = mmap(NULL, 2 * BS, PROT_READ | PROT_WRITE, MAP_PRIVATE, pfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	iov.iov_base = p;
	iov.iov_len = 2 * BS;
	ASSERT_EQ(0, reg_bufs(r, &iov, 1));

	/* the file contents are there */
	FIX1(r, IORING_OP_WRITE_FIXED, self->fd, p + 5, BS, 0, 0, UD, BS);
	EXPECT_FILE_PAT(self->fd, 0, BS, 11, 5);

	ASSERT_EQ(0, fill_file(self->fd, BS, 12));
	FIX1(r, IORING_OP_READ_FIXED, self->fd, p, BS, 0, 0, UD + 1, BS);
	EXPECT_PAT(p, BS, 12, 0);
	EXPECT_PAT(p + BS, BS, 11, BS);
	EXPECT_FILE_PAT(pfd, 0, 2 * BS, 11, 0);

	EXPECT_EQ(0, unreg_bufs(r));
	munmap(p, 2 * BS);
	close(pfd);
}

/*
 * Large buffers, possibly backed by transparent huge pages (6.12 coalesces
 * those into fewer segments): offsets around 2 MiB boundaries still map to
 * the right bytes, also for a buffer starting inside a huge page.
 */
TEST_F(buf, large_thp)
{
	struct test_ring *r = &self->r;
	const size_t huge = 2UL << 20, len = 2 * huge;
	const size_t off1 = 3 * BS + 10, len1 = len - off1 - 8200;
	/* offsets relative to the start of each buffer */
	static const struct { size_t boff, n; } c[] = {
		{ 0, 3000 },
		{ BS - 11, 2 },
		{ (2UL << 20) - 1000, 3000 },
		{ (2UL << 20) - 3 * BS - 10, 100 },
		{ (2UL << 20) - 3 * BS - 110, 200 },
		{ (3UL << 20) + 5, 2 * BS },
		{ (4UL << 20) - 3 * BS - 10 - 8200 - 5000, 5000 },
	};
	char *area, *h, *bb;
	struct iovec iov[2];
	unsigned int i, j;

	area = mmap(NULL, len + huge, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	h = (char *)(((uintptr_t)area + huge - 1) & ~(huge - 1));
	madvise(h, len, MADV_HUGEPAGE);
	memset(h, 0xa5, len);

	/* buffer 0: the whole aligned area; 1: starting 3 pages + 10 in */
	iov[0].iov_base = h;
	iov[0].iov_len = len;
	iov[1].iov_base = h + off1;
	iov[1].iov_len = len1;
	ASSERT_EQ(0, reg_bufs(r, iov, 2));
	ASSERT_EQ(0, fill_file(self->fd, 4 * BS, 13));

	for (j = 0; j < 2; j++) {
		bb = iov[j].iov_base;
		for (i = 0; i < ARRAY_SIZE(c); i++) {
			FIX1(r, IORING_OP_READ_FIXED, self->fd, bb + c[i].boff,
			     c[i].n, 1, j, UD + i, c[i].n);
			EXPECT_PAT(bb + c[i].boff, c[i].n, 13, 1) {
				TH_LOG("read case %u buffer %u", i, j);
			}
			EXPECT_BYTES(bb + c[i].boff + c[i].n, 16, 0xa5);
			if (bb + c[i].boff > h) {
				EXPECT_EQ((char)0xa5, bb[c[i].boff - 1]);
			}
			memset(bb + c[i].boff, 0xa5, c[i].n);
		}
	}
	EXPECT_BYTES(h, len, 0xa5);

	pat_fill(h, len, 14, 0);
	for (j = 0; j < 2; j++) {
		bb = iov[j].iov_base;
		for (i = 0; i < ARRAY_SIZE(c); i++) {
			FIX1(r, IORING_OP_WRITE_FIXED, self->fd, bb + c[i].boff,
			     c[i].n, 8 * BS, j, UD + 100 + i, c[i].n);
			EXPECT_FILE_PAT(self->fd, 8 * BS, c[i].n, 14,
					bb - h + c[i].boff) {
				TH_LOG("write case %u buffer %u", i, j);
			}
		}
	}
	/* the byte just past buffer 1 is outside it */
	FIX_BATCH(r, IORING_OP_READ_FIXED, self->fd, h + off1 + len1 - 1, 2, 0,
		  1, UD + 200, -EFAULT, true);
	EXPECT_EQ(0, unreg_bufs(r));
	munmap(area, len + huge);
}

/* Argument errors of IORING_REGISTER_BUFFERS; a failed call registers none. */
TEST_F(buf, register_errors)
{
	struct test_ring *r = &self->r;
	char *buf = map_pages(3);
	struct iovec iov[2] = { { buf, BS }, { buf + BS, BS } };
	char tmp[16];

	ASSERT_NE(NULL, buf);
	/* nothing mapped after the two pages */
	ASSERT_EQ(0, munmap(buf + 2 * BS, BS));
	/* NULL array: -EFAULT, before nr is looked at */
	EXPECT_EQ(-EFAULT, reg_bufs(r, NULL, 1));
	EXPECT_EQ(-EFAULT, reg_bufs(r, NULL, 0));
	EXPECT_EQ(-EINVAL, reg_bufs(r, iov, 0));
	/* more than IORING_MAX_REG_BUFFERS: checked before the array is read */
	EXPECT_EQ(-EINVAL, reg_bufs(r, iov, IOU_612_MAX_REG_BUFFERS + 1));
	EXPECT_EQ(-EINVAL, reg_bufs(r, iov, ~0U));
	/* unreadable array */
	EXPECT_EQ(-EFAULT, reg_bufs(r, KERNEL_ADDR, 1));
	EXPECT_EQ(-EFAULT, reg_bufs(r, (struct iovec *)(uintptr_t)8, 2));
	/* readable first entry, unreadable second: nothing stays registered */
	EXPECT_EQ(-EFAULT, reg_bufs(r, (struct iovec *)(buf + 2 * BS) - 1, 2));
	EXPECT_EQ(-ENXIO, unreg_bufs(r));
	FIX_BATCH(r, IORING_OP_READ_FIXED, self->fd, buf, 1, 0, 0, UD, -EFAULT,
		  true);

	ASSERT_EQ(0, reg_bufs(r, iov, 2));
	/* registering again: -EBUSY, checked before nr and the array */
	EXPECT_EQ(-EBUSY, reg_bufs(r, iov, 2));
	EXPECT_EQ(-EBUSY, reg_bufs(r, iov, 0));
	EXPECT_EQ(-EBUSY, reg_bufs(r, KERNEL_ADDR, IOU_612_MAX_REG_BUFFERS + 1));
	EXPECT_EQ(-EBUSY, reg_bufs2(r, iov, NULL, 2, 0));
	EXPECT_EQ(-EFAULT, reg_bufs(r, NULL, 1));
	/* the table is intact */
	ASSERT_EQ(0, fill_file(self->fd, 16, 15));
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf + BS, 16, 0, 1, UD + 2, 16);
	EXPECT_PAT(buf + BS, 16, 15, 0);
	FIX1(r, IORING_OP_READ_FIXED, self->fd, tmp, 16, 0, 0, UD + 3, -EFAULT);
	EXPECT_EQ(0, unreg_bufs(r));
	unmap_pages(buf, 2);
}

/*
 * io_buffer_validate(): { NULL, 0 } is a sparse (empty) slot; NULL with a
 * length, a zero length with an address and lengths above 1 GiB are
 * -EFAULT; an address + length (page rounded) wrapping around is -EOVERFLOW.
 */
TEST_F(buf, iovec_validate)
{
	struct test_ring *r = &self->r;
	char *buf = map_pages(2);
	struct iovec iov[3];

	ASSERT_NE(NULL, buf);
	iov[0].iov_base = buf;
	iov[0].iov_len = BS;
	iov[2].iov_base = buf + BS;
	iov[2].iov_len = BS;

	iov[1].iov_base = NULL;
	iov[1].iov_len = 1;
	EXPECT_EQ(-EFAULT, reg_bufs(r, iov, 3));
	iov[1].iov_base = buf;
	iov[1].iov_len = 0;
	EXPECT_EQ(-EFAULT, reg_bufs(r, iov, 3));
	iov[1].iov_len = IOU_612_MAX_BUF_LEN + 1;
	EXPECT_EQ(-EFAULT, reg_bufs(r, iov, 3));
	iov[1].iov_len = (1UL << 63) - 1;
	EXPECT_EQ(-EFAULT, reg_bufs(r, iov, 3));
	iov[1].iov_base = NULL;
	EXPECT_EQ(-EFAULT, reg_bufs(r, iov, 3));
	/* lengths negative as ssize_t fail copying the iovec in: -EINVAL */
	iov[1].iov_len = ~0UL;
	EXPECT_EQ(-EINVAL, reg_bufs(r, iov, 3));
	iov[1].iov_base = buf;
	iov[1].iov_len = 1UL << 63;
	EXPECT_EQ(-EINVAL, reg_bufs(r, iov, 3));
	iov[1].iov_base = (void *)(uintptr_t)(~0UL - BS + 1);
	iov[1].iov_len = BS;
	EXPECT_EQ(-EOVERFLOW, reg_bufs(r, iov, 3));
	iov[1].iov_base = (void *)(uintptr_t)(~0UL - 100);
	iov[1].iov_len = 1;
	EXPECT_EQ(-EOVERFLOW, reg_bufs(r, iov, 3));
	/* no wrap, but not user memory */
	iov[1].iov_base = (void *)(uintptr_t)(~0UL - 2 * BS + 1);
	iov[1].iov_len = BS;
	EXPECT_EQ(-EFAULT, reg_bufs(r, iov, 3));
	/* none of the failed calls left a table behind */
	EXPECT_EQ(-ENXIO, unreg_bufs(r));

	/* { NULL, 0 }: an empty slot, which any fixed request faults on */
	iov[1].iov_base = NULL;
	iov[1].iov_len = 0;
	ASSERT_EQ(0, reg_bufs(r, iov, 3));
	ASSERT_EQ(0, fill_file(self->fd, 64, 16));
	FIX_BATCH(r, IORING_OP_READ_FIXED, self->fd, buf, 1, 0, 1, UD,
		  -EFAULT, true);
	FIX_BATCH(r, IORING_OP_READ_FIXED, self->fd, NULL, 0, 0, 1, UD + 2,
		  -EFAULT, true);
	FIX_BATCH(r, IORING_OP_WRITE_FIXED, self->fd, (void *)(uintptr_t)~0ULL,
		  0, 0, 1, UD + 4, -EFAULT, true);
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf + BS, 64, 0, 2, UD + 6, 64);
	EXPECT_PAT(buf + BS, 64, 16, 0);
	EXPECT_EQ(0, unreg_bufs(r));

	/* a table of only empty slots is fine too */
	iov[0] = iov[1];
	ASSERT_EQ(0, reg_bufs(r, iov, 2));
	EXPECT_EQ(0, unreg_bufs(r));
	unmap_pages(buf, 2);
}

/* Memory that cannot be pinned for writing: -EFAULT, nothing registered. */
TEST_F(buf, unpinnable)
{
	struct test_ring *r = &self->r;
	char *buf = map_pages(4), *ro, *none;
	struct iovec iov[2];

	ASSERT_NE(NULL, buf);
	iov[0].iov_base = buf;
	iov[0].iov_len = BS;

	none = mmap(NULL, 2 * BS, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	iov[1].iov_base = none;
	iov[1].iov_len = BS;
	EXPECT_EQ(-EFAULT, reg_bufs(r, iov, 2));

	/* read-only memory cannot be pinned for write either */
	ro = mmap(NULL, 2 * BS, PROT_READ,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	iov[1].iov_base = ro + 10;
	iov[1].iov_len = 100;
	EXPECT_EQ(-EFAULT, reg_bufs(r, iov, 2));

	/* no mapping at all */
	ASSERT_EQ(0, munmap(buf + 2 * BS, 2 * BS));
	iov[1].iov_base = buf + 2 * BS;
	iov[1].iov_len = BS;
	EXPECT_EQ(-EFAULT, reg_bufs(r, iov, 2));
	/* partially mapped: the first pages pin, the rest does not */
	iov[1].iov_base = buf + BS;
	iov[1].iov_len = 2 * BS;
	EXPECT_EQ(-EFAULT, reg_bufs(r, iov, 2));
	iov[1].iov_base = buf + 2 * BS - 1;
	iov[1].iov_len = 2;
	EXPECT_EQ(-EFAULT, reg_bufs(r, iov, 2));
	/* kernel memory */
	iov[1].iov_base = KERNEL_ADDR;
	iov[1].iov_len = BS;
	EXPECT_EQ(-EFAULT, reg_bufs(r, iov, 2));
	EXPECT_EQ(-ENXIO, unreg_bufs(r));

	/* the same memory, once made writable, registers fine */
	ASSERT_EQ(0, mprotect(none, 2 * BS, PROT_READ | PROT_WRITE));
	iov[1].iov_base = none;
	iov[1].iov_len = 2 * BS;
	ASSERT_EQ(0, reg_bufs(r, iov, 2));
	EXPECT_EQ(0, unreg_bufs(r));

	munmap(none, 2 * BS);
	munmap(ro, 2 * BS);
	unmap_pages(buf, 2);
}

/* Exactly IORING_MAX_REG_BUFFERS (1 << 14) entries may be registered. */
TEST_F(buf, max_buffers)
{
	struct test_ring *r = &self->r;
	const unsigned int max = IOU_612_MAX_REG_BUFFERS;
	struct iovec *iov = calloc(max + 1, sizeof(*iov));
	char buf[16];

	ASSERT_NE(NULL, iov);
	iov[max - 1].iov_base = buf;
	iov[max - 1].iov_len = sizeof(buf);
	EXPECT_EQ(-EINVAL, reg_bufs(r, iov, max + 1));
	EXPECT_EQ(-EINVAL, reg_bufs2(r, NULL, NULL, max + 1,
				     IORING_RSRC_REGISTER_SPARSE));
	EXPECT_EQ(-EINVAL, reg_bufs2(r, iov, NULL, max + 1, 0));
	ASSERT_EQ(0, reg_bufs(r, iov, max));

	ASSERT_EQ(0, fill_file(self->fd, 16, 17));
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf, 16, 0, max - 1, UD, 16);
	EXPECT_PAT(buf, 16, 17, 0);
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf, 16, 0, max, UD + 1,
	     -EFAULT);
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf, 16, 0, max - 2, UD + 2,
	     -EFAULT);
	EXPECT_EQ(0, unreg_bufs(r));

	ASSERT_EQ(0, reg_bufs2(r, NULL, NULL, max,
			       IORING_RSRC_REGISTER_SPARSE));
	EXPECT_EQ(1, upd_bufs(r, max - 1, &iov[max - 1], NULL, 1));
	EXPECT_EQ(-EINVAL, upd_bufs(r, max, &iov[max - 1], NULL, 1));
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf, 16, 0, max - 1, UD + 3,
	     16);
	EXPECT_EQ(0, unreg_bufs(r));
	free(iov);
}

/* IORING_UNREGISTER_BUFFERS takes neither arg nor nr_args. */
TEST_F(buf, unregister_args)
{
	struct test_ring *r = &self->r;
	char buf[32];
	struct iovec iov = { buf, sizeof(buf) };

	EXPECT_EQ(-ENXIO, unreg_bufs(r));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_UNREGISTER_BUFFERS,
					     &iov, 0));
	ASSERT_EQ(0, reg_bufs(r, &iov, 1));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_UNREGISTER_BUFFERS,
					     &iov, 0));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_UNREGISTER_BUFFERS,
					     NULL, 1));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_UNREGISTER_BUFFERS,
					     &iov, 1));
	/* still registered */
	ASSERT_EQ(0, fill_file(self->fd, 32, 18));
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf, 32, 0, 0, UD, 32);
	EXPECT_PAT(buf, 32, 18, 0);
	EXPECT_EQ(0, unreg_bufs(r));
	EXPECT_EQ(-ENXIO, unreg_bufs(r));
}

/* IORING_REGISTER_BUFFERS2: struct io_uring_rsrc_register, sparse tables. */
TEST_F(buf, register2)
{
	struct test_ring *r = &self->r;
	char *buf = map_pages(2);
	struct iovec iov[2] = { { buf, BS }, { buf + BS, BS } };
	struct io_uring_rsrc_register rr;
	__u64 tags[2] = { 0, 0 };

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, fill_file(self->fd, BS, 19));

	ASSERT_EQ(0, reg_bufs2(r, iov, tags, 2, 0));
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf + BS, 100, 0, 1, UD, 100);
	EXPECT_PAT(buf + BS, 100, 19, 0);
	EXPECT_EQ(-EBUSY, reg_bufs2(r, iov, NULL, 2, 0));
	EXPECT_EQ(-EBUSY, reg_bufs2(r, NULL, NULL, 2,
				    IORING_RSRC_REGISTER_SPARSE));
	EXPECT_EQ(-EBUSY, reg_bufs(r, iov, 2));
	EXPECT_EQ(0, unreg_bufs(r));

	/* without tags */
	ASSERT_EQ(0, reg_bufs2(r, iov, NULL, 2, 0));
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf, 100, 0, 0, UD + 1, 100);
	EXPECT_EQ(0, unreg_bufs(r));

	/* sparse: all slots empty until updated */
	ASSERT_EQ(0, reg_bufs2(r, NULL, NULL, 4, IORING_RSRC_REGISTER_SPARSE));
	FIX_BATCH(r, IORING_OP_READ_FIXED, self->fd, buf, 10, 0, 0, UD + 2,
		  -EFAULT, true);
	EXPECT_EQ(1, upd_bufs(r, 3, &iov[0], NULL, 1));
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf, 10, 0, 3, UD + 4, 10);
	EXPECT_EQ(0, unreg_bufs(r));
	/* all-zero tags are fine with a sparse table */
	ASSERT_EQ(0, reg_bufs2(r, NULL, tags, 2, IORING_RSRC_REGISTER_SPARSE));
	EXPECT_EQ(0, unreg_bufs(r));
	/* data == 0 without the SPARSE flag registers a sparse table too */
	ASSERT_EQ(0, reg_bufs2(r, NULL, NULL, 2, 0));
	FIX_BATCH(r, IORING_OP_READ_FIXED, self->fd, buf, 10, 0, 0, UD + 5,
		  -EFAULT, true);
	EXPECT_EQ(0, unreg_bufs(r));

	/* the struct's size is passed in nr_args and must match exactly */
	memset(&rr, 0, sizeof(rr));
	rr.nr = 2;
	rr.data = (__u64)(uintptr_t)iov;
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_REGISTER_BUFFERS2,
					     &rr, sizeof(rr) - 8));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_REGISTER_BUFFERS2,
					     &rr, sizeof(rr) + 8));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_REGISTER_BUFFERS2,
					     &rr, 0));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_REGISTER_BUFFERS2,
					     NULL, 0));
	EXPECT_EQ(-EFAULT, io_uring_register(r->fd, IORING_REGISTER_BUFFERS2,
					     NULL, sizeof(rr)));
	EXPECT_EQ(-EFAULT, io_uring_register(r->fd, IORING_REGISTER_BUFFERS2,
					     KERNEL_ADDR, sizeof(rr)));
	/* nr 0, resv2, unknown flags, SPARSE with data */
	EXPECT_EQ(-EINVAL, reg_bufs2(r, iov, NULL, 0, 0));
	EXPECT_EQ(-EINVAL, reg_bufs2(r, NULL, NULL, 0,
				     IORING_RSRC_REGISTER_SPARSE));
	rr.resv2 = 1;
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_REGISTER_BUFFERS2,
					     &rr, sizeof(rr)));
	EXPECT_EQ(-EINVAL, reg_bufs2(r, iov, NULL, 2, 2));
	EXPECT_EQ(-EINVAL, reg_bufs2(r, iov, NULL, 2, 1U << 31));
	EXPECT_EQ(-EINVAL, reg_bufs2(r, iov, NULL, 2,
				     IORING_RSRC_REGISTER_SPARSE));
	/* iovec errors as for REGISTER_BUFFERS */
	EXPECT_EQ(-EFAULT, reg_bufs2(r, KERNEL_ADDR, NULL, 2, 0));
	iov[1].iov_len = 0;
	EXPECT_EQ(-EFAULT, reg_bufs2(r, iov, NULL, 2, 0));
	iov[1].iov_len = BS;
	EXPECT_EQ(-ENXIO, unreg_bufs(r));
	EXPECT_EQ(0U, ring_cq_ready(r));
	unmap_pages(buf, 2);
}

/* Tag errors: a tag on an empty slot, unreadable tags. */
TEST_F(buf, register2_tag_errors)
{
	struct test_ring *r = &self->r;
	char *buf = map_pages(2);
	struct iovec iov[2] = { { buf, BS }, { NULL, 0 } };
	__u64 tags[2] = { 1, 2 };

	ASSERT_NE(NULL, buf);
	/* a tag on a { NULL, 0 } slot */
	EXPECT_EQ(-EINVAL, reg_bufs2(r, iov, tags, 2, 0));
	/* a tag on a sparse table */
	EXPECT_EQ(-EINVAL, reg_bufs2(r, NULL, tags, 2,
				     IORING_RSRC_REGISTER_SPARSE));
	tags[0] = 0;
	EXPECT_EQ(-EINVAL, reg_bufs2(r, NULL, tags, 2, 0));
	/* unreadable tags: read before the iovecs */
	EXPECT_EQ(-EFAULT, reg_bufs2(r, iov, KERNEL_ADDR, 2, 0));
	EXPECT_EQ(-EFAULT, reg_bufs2(r, KERNEL_ADDR, KERNEL_ADDR, 2, 0));
	EXPECT_EQ(-EFAULT, reg_bufs2(r, NULL, KERNEL_ADDR, 2,
				     IORING_RSRC_REGISTER_SPARSE));
	EXPECT_EQ(-ENXIO, unreg_bufs(r));
	/* the failures posted no tag CQEs */
	EXPECT_NO_CQE(r);

	/* tag 0 on an empty slot is fine */
	tags[0] = 5;
	tags[1] = 0;
	ASSERT_EQ(0, reg_bufs2(r, iov, tags, 2, 0));
	/* unregistering a table posts no tag CQEs in 6.12 */
	EXPECT_EQ(0, unreg_bufs(r));
	EXPECT_NO_CQE(r);
	unmap_pages(buf, 2);
}

/* IORING_REGISTER_BUFFERS_UPDATE: replacing, clearing, partial updates. */
TEST_F(buf, update)
{
	struct test_ring *r = &self->r;
	char *buf = map_pages(4);
	struct iovec iov[4] = {
		{ buf, BS }, { buf + BS, BS },
		{ buf + 2 * BS, BS }, { buf + 3 * BS, BS },
	};
	struct iovec upd[3];
	__u64 tag = 3;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, fill_file(self->fd, BS, 20));
	ASSERT_EQ(0, reg_bufs(r, iov, 3));

	/* slot 0 now maps buffer 2's memory */
	EXPECT_EQ(1, upd_bufs(r, 0, &iov[2], NULL, 1));
	FIX_BATCH(r, IORING_OP_READ_FIXED, self->fd, buf, 10, 0, 0, UD,
		  -EFAULT, true);
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf + 2 * BS, BS, 0, 0, UD + 2,
	     BS);
	EXPECT_PAT(buf + 2 * BS, BS, 20, 0);

	/* several at once, with an offset */
	EXPECT_EQ(2, upd_bufs(r, 0, &iov[0], NULL, 2));
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf + BS, 10, 0, 1, UD + 3, 10);
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf, 10, 0, 0, UD + 4, 10);

	/* clearing a slot with { NULL, 0 } */
	upd[0].iov_base = NULL;
	upd[0].iov_len = 0;
	EXPECT_EQ(1, upd_bufs(r, 1, upd, NULL, 1));
	FIX_BATCH(r, IORING_OP_READ_FIXED, self->fd, buf + BS, 10, 0, 1,
		  UD + 5, -EFAULT, true);
	/* ...and filling it again */
	EXPECT_EQ(1, upd_bufs(r, 1, &iov[3], NULL, 1));
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf + 3 * BS, 10, 0, 1, UD + 7,
	     10);

	/* a failing entry stops the update: the count done so far */
	upd[0] = iov[1];
	upd[1].iov_base = buf;
	upd[1].iov_len = 0;
	upd[2] = iov[3];
	EXPECT_EQ(1, upd_bufs(r, 0, upd, NULL, 3));
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf + BS, 10, 0, 0, UD + 8, 10);
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf + 3 * BS, 10, 0, 1, UD + 9,
	     10);
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf + 2 * BS, 10, 0, 2,
	     UD + 12, 10);
	/* ...or its error when it is the first */
	EXPECT_EQ(-EFAULT, upd_bufs(r, 1, &upd[1], NULL, 2));
	upd[1].iov_base = NULL;
	upd[1].iov_len = BS;
	EXPECT_EQ(-EFAULT, upd_bufs(r, 1, &upd[1], NULL, 2));
	upd[1].iov_base = buf;
	upd[1].iov_len = IOU_612_MAX_BUF_LEN + 1;
	EXPECT_EQ(-EFAULT, upd_bufs(r, 1, &upd[1], NULL, 2));
	upd[1].iov_base = KERNEL_ADDR;
	upd[1].iov_len = BS;
	EXPECT_EQ(-EFAULT, upd_bufs(r, 1, &upd[1], NULL, 2));
	upd[1].iov_base = (void *)(uintptr_t)(~0UL - BS + 1);
	EXPECT_EQ(-EOVERFLOW, upd_bufs(r, 1, &upd[1], NULL, 2));
	upd[1].iov_base = buf;
	upd[1].iov_len = ~0UL;
	EXPECT_EQ(-EINVAL, upd_bufs(r, 1, &upd[1], NULL, 2));
	/* unreadable iovec array */
	EXPECT_EQ(-EFAULT, upd_bufs(r, 0, NULL, NULL, 1));
	EXPECT_EQ(-EFAULT, upd_bufs(r, 0, KERNEL_ADDR, NULL, 1));
	/* a tag on an empty slot */
	upd[1].iov_base = NULL;
	upd[1].iov_len = 0;
	EXPECT_EQ(-EINVAL, upd_bufs(r, 1, &upd[1], &tag, 1));
	/* unreadable tags */
	EXPECT_EQ(-EFAULT, upd_bufs(r, 1, &iov[1], KERNEL_ADDR, 1));
	/* the table is as before */
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf + BS, 10, 0, 0, UD + 10,
	     10);
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf + 3 * BS, 10, 0, 1,
	     UD + 11, 10);
	EXPECT_EQ(0, unreg_bufs(r));
	EXPECT_EQ(0U, ring_cq_ready(r));
	unmap_pages(buf, 4);
}

/* Argument errors of IORING_REGISTER_BUFFERS_UPDATE, in 6.12's order. */
TEST_F(buf, update_errors)
{
	struct test_ring *r = &self->r;
	char buf[64];
	struct iovec iov = { buf, sizeof(buf) };
	struct io_uring_rsrc_update2 up;

	/* no table: -ENXIO, but only after the argument checks */
	EXPECT_EQ(-ENXIO, upd_bufs(r, 0, &iov, NULL, 1));
	EXPECT_EQ(-ENXIO, upd_bufs(r, 100, &iov, NULL, 1));
	EXPECT_EQ(-EOVERFLOW, upd_bufs(r, ~0U, &iov, NULL, 2));
	EXPECT_EQ(-EINVAL, upd_bufs(r, 0, &iov, NULL, 0));

	ASSERT_EQ(0, reg_bufs2(r, NULL, NULL, 4, IORING_RSRC_REGISTER_SPARSE));
	memset(&up, 0, sizeof(up));
	up.data = (__u64)(uintptr_t)&iov;
	up.nr = 1;
	/* nr_args is the struct size */
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd,
					     IORING_REGISTER_BUFFERS_UPDATE,
					     &up, sizeof(up) - 8));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd,
					     IORING_REGISTER_BUFFERS_UPDATE,
					     &up, 1));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd,
					     IORING_REGISTER_BUFFERS_UPDATE,
					     NULL, 0));
	EXPECT_EQ(-EFAULT, io_uring_register(r->fd,
					     IORING_REGISTER_BUFFERS_UPDATE,
					     NULL, sizeof(up)));
	up.resv = 1;
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd,
					     IORING_REGISTER_BUFFERS_UPDATE,
					     &up, sizeof(up)));
	up.resv = 0;
	up.resv2 = 1;
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd,
					     IORING_REGISTER_BUFFERS_UPDATE,
					     &up, sizeof(up)));
	/* out of range */
	EXPECT_EQ(-EINVAL, upd_bufs(r, 4, &iov, NULL, 1));
	EXPECT_EQ(-EINVAL, upd_bufs(r, 3, &iov, NULL, 2));
	EXPECT_EQ(-EINVAL, upd_bufs(r, 0, &iov, NULL, 5));
	EXPECT_EQ(-EOVERFLOW, upd_bufs(r, ~0U, &iov, NULL, 1));
	EXPECT_EQ(-EOVERFLOW, upd_bufs(r, 2, &iov, NULL, ~0U));
	/* the last slot is in range */
	EXPECT_EQ(1, upd_bufs(r, 3, &iov, NULL, 1));
	ASSERT_EQ(0, fill_file(self->fd, 64, 21));
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf, 64, 0, 3, UD, 64);
	EXPECT_PAT(buf, 64, 21, 0);
	EXPECT_EQ(0, unreg_bufs(r));
}

/*
 * Tags: replacing or clearing a tagged buffer while the table stays
 * registered posts a CQE { user_data = tag, res = 0, flags = 0 }.
 */
TEST_F(buf, update_tags)
{
	struct test_ring *r = &self->r;
	char *buf = map_pages(4);
	struct iovec iov[4] = {
		{ buf, BS }, { buf + BS, BS },
		{ buf + 2 * BS, BS }, { buf + 3 * BS, BS },
	};
	struct iovec empty = { NULL, 0 };
	__u64 tags[3] = { 100, 0, 0xdeadbeefcafe0003ULL };
	__u64 ntags[2] = { 200, 300 };

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, reg_bufs2(r, iov, tags, 3, 0));
	/* registering posts nothing */
	EXPECT_NO_CQE(r);

	/* replacing slot 0 (tag 100) with a new tagged buffer */
	EXPECT_EQ(1, upd_bufs(r, 0, &iov[3], &ntags[0], 1));
	EXPECT_CQE(r, 100, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
	/* replacing an untagged buffer posts nothing */
	EXPECT_EQ(1, upd_bufs(r, 1, &iov[1], &ntags[1], 1));
	EXPECT_NO_CQE(r);
	/* two tagged slots replaced in one call: one CQE each, in order */
	EXPECT_EQ(2, upd_bufs(r, 0, &iov[0], NULL, 2));
	EXPECT_CQE(r, 200, 0);
	EXPECT_CQE(r, 300, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
	/* clearing a tagged slot posts its tag, the empty slot has none */
	EXPECT_EQ(1, upd_bufs(r, 2, &empty, NULL, 1));
	EXPECT_CQE(r, 0xdeadbeefcafe0003ULL, 0);
	EXPECT_EQ(1, upd_bufs(r, 2, &iov[2], &ntags[0], 1));
	EXPECT_NO_CQE(r);
	/* a failed update leaves the tag alone */
	EXPECT_EQ(-EFAULT, upd_bufs(r, 2, KERNEL_ADDR, NULL, 1));
	EXPECT_NO_CQE(r);
	/* the buffer that replaced a tagged one carries the new tag */
	EXPECT_EQ(1, upd_bufs(r, 2, &iov[2], NULL, 1));
	EXPECT_CQE(r, 200, 0);

	/* a used buffer posts its tag too when replaced */
	ntags[0] = 400;
	EXPECT_EQ(1, upd_bufs(r, 1, &iov[1], &ntags[0], 1));
	ASSERT_EQ(0, fill_file(self->fd, 64, 22));
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf + BS, 64, 0, 1, UD, 64);
	EXPECT_EQ(1, upd_bufs(r, 1, &iov[1], NULL, 1));
	EXPECT_CQE(r, 400, 0);

	/* unregistering posts no CQEs for tags still in the table */
	ntags[0] = 500;
	EXPECT_EQ(1, upd_bufs(r, 0, &iov[0], &ntags[0], 1));
	EXPECT_EQ(0, unreg_bufs(r));
	EXPECT_NO_CQE(r);
	unmap_pages(buf, 4);
}

/* ---- IORING_REGISTER_CLONE_BUFFERS ---- */

/* Cloned buffers work in the destination, independently of the source. */
TEST_F(buf, clone)
{
	struct test_ring *r = &self->r, dst;
	char *buf = map_pages(4);
	struct iovec iov[3] = {
		{ buf, BS }, { NULL, 0 }, { buf + BS + 1, 2 * BS - 1 },
	};

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, ring_init_flags(&dst, 8, 0));
	ASSERT_EQ(0, reg_bufs(r, iov, 3));
	ASSERT_EQ(0, fill_file(self->fd, 2 * BS, 23));

	ASSERT_EQ(0, clone_bufs(&dst, r->fd, 0));
	FIX1(&dst, IORING_OP_READ_FIXED, self->fd, buf + BS + 1, 2 * BS - 1,
	     0, 2, UD, 2 * BS - 1);
	EXPECT_PAT(buf + BS + 1, 2 * BS - 1, 23, 0);
	FIX1(&dst, IORING_OP_READ_FIXED, self->fd, buf, 100, 5, 0, UD + 1,
	     100);
	EXPECT_PAT(buf, 100, 23, 5);
	/* the empty slot and the table size come along */
	FIX1(&dst, IORING_OP_READ_FIXED, self->fd, buf, 1, 0, 1, UD + 2,
	     -EFAULT);
	FIX1(&dst, IORING_OP_READ_FIXED, self->fd, buf, 1, 0, 3, UD + 3,
	     -EFAULT);
	/* the destination now has buffers */
	EXPECT_EQ(-EBUSY, reg_bufs(&dst, iov, 1));

	/* updating the destination leaves the source alone */
	EXPECT_EQ(1, upd_bufs(&dst, 0, &iov[2], NULL, 1));
	FIX1(&dst, IORING_OP_READ_FIXED, self->fd, buf, 1, 0, 0, UD + 4,
	     -EFAULT);
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf, 1, 0, 0, UD + 5, 1);

	/* the source goes away, the destination keeps its buffers */
	EXPECT_EQ(0, unreg_bufs(r));
	memset(buf, 0, 4 * BS);
	FIX1(&dst, IORING_OP_READ_FIXED, self->fd, buf + BS + 1, BS, 7, 2,
	     UD + 6, BS);
	EXPECT_PAT(buf + BS + 1, BS, 23, 7);
	pat_fill(buf + BS + 1, 2 * BS - 1, 24, 0);
	FIX1(&dst, IORING_OP_WRITE_FIXED, self->fd, buf + BS + 1, 2 * BS - 1,
	     0, 0, UD + 7, 2 * BS - 1);
	EXPECT_FILE_PAT(self->fd, 0, 2 * BS - 1, 24, 0);

	/* and can be cloned back into the (now empty) source */
	ASSERT_EQ(0, clone_bufs(r, dst.fd, 0));
	FIX1(r, IORING_OP_READ_FIXED, self->fd, buf + BS + 1, 10, 0, 0, UD + 8,
	     10);
	EXPECT_EQ(0, unreg_bufs(&dst));
	EXPECT_EQ(0, unreg_bufs(r));
	EXPECT_EQ(0U, ring_cq_ready(r));
	EXPECT_EQ(0U, ring_cq_ready(&dst));
	ring_exit(&dst);
	unmap_pages(buf, 4);
}

/* Tags are not cloned; the source's tags stay with the source. */
TEST_F(buf, clone_tags)
{
	struct test_ring *r = &self->r, dst;
	char *buf = map_pages(3);
	struct iovec iov[3] = { { buf, BS }, { buf + BS, BS }, { buf + 2 * BS, BS } };
	__u64 tags[2] = { 71, 72 };

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, ring_init_flags(&dst, 8, 0));
	ASSERT_EQ(0, reg_bufs2(r, iov, tags, 2, 0));
	ASSERT_EQ(0, clone_bufs(&dst, r->fd, 0));
	EXPECT_NO_CQE(r);
	EXPECT_NO_CQE(&dst);

	EXPECT_EQ(1, upd_bufs(&dst, 0, &iov[2], NULL, 1));
	EXPECT_NO_CQE(&dst);
	EXPECT_NO_CQE(r);

	EXPECT_EQ(1, upd_bufs(r, 0, &iov[2], NULL, 1));
	EXPECT_CQE(r, 71, 0);
	EXPECT_EQ(0U, ring_cq_ready(&dst));

	EXPECT_EQ(0, unreg_bufs(&dst));
	EXPECT_EQ(0, unreg_bufs(r));
	EXPECT_NO_CQE(r);
	EXPECT_EQ(0U, ring_cq_ready(&dst));
	ring_exit(&dst);
	unmap_pages(buf, 3);
}

/* Errors of IORING_REGISTER_CLONE_BUFFERS, in 6.12's order. */
TEST_F(buf, clone_errors)
{
	struct test_ring *r = &self->r, dst;
	struct io_uring_clone_buffers cb;
	char buf[64];
	struct iovec iov = { buf, sizeof(buf) };
	int cfd;

	ASSERT_EQ(0, ring_init_flags(&dst, 8, 0));
	cfd = closed_fd();

	/* the source has no buffers: -ENXIO (cloning from itself too) */
	EXPECT_EQ(-ENXIO, clone_bufs(&dst, r->fd, 0));
	EXPECT_EQ(-ENXIO, clone_bufs(&dst, dst.fd, 0));
	ASSERT_EQ(0, reg_bufs2(r, NULL, NULL, 2, IORING_RSRC_REGISTER_SPARSE));
	EXPECT_EQ(0, unreg_bufs(r));
	EXPECT_EQ(-ENXIO, clone_bufs(&dst, r->fd, 0));
	ASSERT_EQ(0, reg_bufs(r, &iov, 1));

	/* src_fd: not open, not an io_uring */
	EXPECT_EQ(-EBADF, clone_bufs(&dst, cfd, 0));
	EXPECT_EQ(-EBADF, clone_bufs(&dst, -1, 0));
	EXPECT_EQ(-EOPNOTSUPP, clone_bufs(&dst, self->fd, 0));

	/* arg must be given and nr_args be 1 */
	memset(&cb, 0, sizeof(cb));
	cb.src_fd = r->fd;
	EXPECT_EQ(-EINVAL, io_uring_register(dst.fd,
					     IORING_REGISTER_CLONE_BUFFERS,
					     NULL, 1));
	EXPECT_EQ(-EINVAL, io_uring_register(dst.fd,
					     IORING_REGISTER_CLONE_BUFFERS,
					     &cb, 0));
	EXPECT_EQ(-EINVAL, io_uring_register(dst.fd,
					     IORING_REGISTER_CLONE_BUFFERS,
					     &cb, 2));
	EXPECT_EQ(-EFAULT, io_uring_register(dst.fd,
					     IORING_REGISTER_CLONE_BUFFERS,
					     KERNEL_ADDR, 1));
	/* unknown flags and non-zero padding */
	EXPECT_EQ(-EINVAL, clone_bufs(&dst, r->fd, 2));
	EXPECT_EQ(-EINVAL, clone_bufs(&dst, r->fd, 1U << 31));
	cb.pad[0] = 1;
	EXPECT_EQ(-EINVAL, io_uring_register(dst.fd,
					     IORING_REGISTER_CLONE_BUFFERS,
					     &cb, 1));
	cb.pad[0] = 0;
	cb.pad[5] = 1;
	EXPECT_EQ(-EINVAL, io_uring_register(dst.fd,
					     IORING_REGISTER_CLONE_BUFFERS,
					     &cb, 1));
	/* flags are checked before src_fd */
	EXPECT_EQ(-EINVAL, clone_bufs(&dst, self->fd, 2));
	EXPECT_EQ(-EINVAL, clone_bufs(&dst, cfd, 2));
	/* none of this registered anything */
	EXPECT_EQ(-ENXIO, unreg_bufs(&dst));

	/* a destination with buffers: -EBUSY, before the argument is read */
	ASSERT_EQ(0, clone_bufs(&dst, r->fd, 0));
	EXPECT_EQ(-EBUSY, clone_bufs(&dst, r->fd, 0));
	EXPECT_EQ(-EBUSY, io_uring_register(dst.fd,
					    IORING_REGISTER_CLONE_BUFFERS,
					    KERNEL_ADDR, 1));
	EXPECT_EQ(-EBUSY, clone_bufs(&dst, self->fd, 2));
	EXPECT_EQ(-EBUSY, clone_bufs(r, r->fd, 0));
	/* ...but arg and nr_args are checked before that */
	EXPECT_EQ(-EINVAL, io_uring_register(dst.fd,
					     IORING_REGISTER_CLONE_BUFFERS,
					     NULL, 1));
	EXPECT_EQ(0, unreg_bufs(&dst));

	/* a sparse-table destination counts as having buffers */
	ASSERT_EQ(0, reg_bufs2(&dst, NULL, NULL, 1,
			       IORING_RSRC_REGISTER_SPARSE));
	EXPECT_EQ(-EBUSY, clone_bufs(&dst, r->fd, 0));
	EXPECT_EQ(0, unreg_bufs(&dst));
	EXPECT_EQ(0, unreg_bufs(r));
	ring_exit(&dst);
}

/* IORING_REGISTER_SRC_REGISTERED: src_fd is a registered ring fd index. */
TEST_F(buf, clone_registered_src)
{
	struct test_ring *r = &self->r, dst;
	struct io_uring_rsrc_update ru;
	char buf[64];
	struct iovec iov = { buf, sizeof(buf) };
	unsigned int idx;

	ASSERT_EQ(0, ring_init_flags(&dst, 8, 0));
	ASSERT_EQ(0, reg_bufs(r, &iov, 1));

	memset(&ru, 0, sizeof(ru));
	ru.offset = -1U;
	ru.data = r->fd;
	ASSERT_EQ(1, io_uring_register(r->fd, IORING_REGISTER_RING_FDS, &ru,
				       1));
	idx = ru.offset;
	ASSERT_GT(IOU_612_RINGFD_REG_MAX, idx);

	/* an index that is not registered, one past the table */
	EXPECT_EQ(-EBADF, clone_bufs(&dst, (idx + 1) % IOU_612_RINGFD_REG_MAX,
				     IORING_REGISTER_SRC_REGISTERED));
	EXPECT_EQ(-EINVAL, clone_bufs(&dst, IOU_612_RINGFD_REG_MAX,
				      IORING_REGISTER_SRC_REGISTERED));
	EXPECT_EQ(-EINVAL, clone_bufs(&dst, ~0U,
				      IORING_REGISTER_SRC_REGISTERED));
	EXPECT_EQ(-ENXIO, unreg_bufs(&dst));

	ASSERT_EQ(0, clone_bufs(&dst, idx, IORING_REGISTER_SRC_REGISTERED));
	ASSERT_EQ(0, fill_file(self->fd, 64, 25));
	FIX1(&dst, IORING_OP_READ_FIXED, self->fd, buf, 64, 0, 0, UD, 64);
	EXPECT_PAT(buf, 64, 25, 0);
	EXPECT_EQ(0, unreg_bufs(&dst));

	/* once unregistered, the index no longer resolves */
	memset(&ru, 0, sizeof(ru));
	ru.offset = idx;
	ASSERT_EQ(1, io_uring_register(r->fd, IORING_UNREGISTER_RING_FDS, &ru,
				       1));
	EXPECT_EQ(-EBADF, clone_bufs(&dst, idx,
				     IORING_REGISTER_SRC_REGISTERED));
	/* without the flag, src_fd is a plain descriptor */
	ASSERT_EQ(0, clone_bufs(&dst, r->fd, 0));
	EXPECT_EQ(0, unreg_bufs(&dst));
	EXPECT_EQ(0, unreg_bufs(r));
	ring_exit(&dst);
}

/* ---- RLIMIT_MEMLOCK accounting ---- */

static bool has_cap(unsigned int cap)
{
	char line[256];
	unsigned long long eff = 0;
	bool found = false;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			found = true;
			break;
		}
	}
	fclose(f);
	return found && (eff >> cap) & 1;
}

#define T_CAP_SETUID	7
#define T_CAP_IPC_LOCK	14

#define MEMLOCK_PAGES	8

/*
 * Set RLIMIT_MEMLOCK to MEMLOCK_PAGES pages and become uid 65534 without
 * capabilities (only this test's process). Returns false to skip.
 */
static bool drop_to_nobody(void)
{
	struct rlimit rl = {
		.rlim_cur = MEMLOCK_PAGES * page_sz(),
		.rlim_max = MEMLOCK_PAGES * page_sz(),
	};

	if (getuid() != 0 || !has_cap(T_CAP_SETUID))
		return false;
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return false;
	if (setresuid(NOBODY, NOBODY, NOBODY))
		return false;
	return !has_cap(T_CAP_IPC_LOCK);
}

static int nobody_ring(struct test_ring *r)
{
	return ring_init_flags(r, 8, 0);
}

/*
 * Without CAP_IPC_LOCK, pinned buffer pages are charged to the user's
 * locked memory and limited by RLIMIT_MEMLOCK: -ENOMEM beyond it.
 */
TEST(memlock_limit)
{
	const size_t ps = page_sz();
	struct test_ring r, r2;
	struct iovec iov[2];
	char *mem = map_pages(2 * MEMLOCK_PAGES);
	int ret;

	ASSERT_NE(NULL, mem);
	if (!drop_to_nobody())
		SKIP(return, "needs root with CAP_SETUID");
	ret = nobody_ring(&r);
	if (ret == -EPERM)
		SKIP(return, "io_uring not allowed for uid %d", NOBODY);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, nobody_ring(&r2));

	/* exactly the limit */
	iov[0].iov_base = mem;
	iov[0].iov_len = MEMLOCK_PAGES * ps;
	ASSERT_EQ(0, reg_bufs(&r, iov, 1));
	/* the charge is per user: nothing is left for another ring */
	iov[1].iov_base = mem + MEMLOCK_PAGES * ps;
	iov[1].iov_len = 1;
	EXPECT_EQ(-ENOMEM, reg_bufs(&r2, &iov[1], 1));
	EXPECT_EQ(-ENXIO, unreg_bufs(&r2));
	/* unregistering gives it back */
	EXPECT_EQ(0, unreg_bufs(&r));
	ASSERT_EQ(0, reg_bufs(&r2, &iov[1], 1));
	EXPECT_EQ(0, unreg_bufs(&r2));

	/* one page more */
	iov[0].iov_len = (MEMLOCK_PAGES + 1) * ps;
	EXPECT_EQ(-ENOMEM, reg_bufs(&r, iov, 1));
	/* pages, not bytes, are charged: 8 pages' worth unaligned touch 9 */
	iov[0].iov_base = mem + 1;
	iov[0].iov_len = MEMLOCK_PAGES * ps;
	EXPECT_EQ(-ENOMEM, reg_bufs(&r, iov, 1));
	EXPECT_EQ(-ENXIO, unreg_bufs(&r));
	iov[0].iov_len = MEMLOCK_PAGES * ps - 1;
	ASSERT_EQ(0, reg_bufs(&r, iov, 1));
	EXPECT_EQ(0, unreg_bufs(&r));

	/* the second entry goes over: the first one's charge is undone */
	iov[0].iov_base = mem;
	iov[0].iov_len = 4 * ps;
	iov[1].iov_base = mem + 4 * ps;
	iov[1].iov_len = 5 * ps;
	EXPECT_EQ(-ENOMEM, reg_bufs(&r, iov, 2));
	iov[1].iov_len = 4 * ps;
	ASSERT_EQ(0, reg_bufs(&r, iov, 2));
	EXPECT_EQ(0, unreg_bufs(&r));

	/* the same pages registered twice are charged twice */
	iov[1] = iov[0];
	ASSERT_EQ(0, reg_bufs(&r, iov, 2));
	iov[1].iov_base = mem + 12 * ps;
	iov[1].iov_len = 1;
	EXPECT_EQ(-ENOMEM, reg_bufs(&r2, &iov[1], 1));
	EXPECT_EQ(0, unreg_bufs(&r));

	/* sparse tables cost nothing */
	ASSERT_EQ(0, reg_bufs2(&r, NULL, NULL, 64,
			       IORING_RSRC_REGISTER_SPARSE));
	iov[0].iov_base = mem;
	iov[0].iov_len = MEMLOCK_PAGES * ps;
	ASSERT_EQ(0, reg_bufs(&r2, iov, 1));
	EXPECT_EQ(0, unreg_bufs(&r2));
	EXPECT_EQ(0, unreg_bufs(&r));

	ring_exit(&r);
	ring_exit(&r2);
	unmap_pages(mem, 2 * MEMLOCK_PAGES);
}

/*
 * An update pins and charges the new buffer before it drops the old one;
 * clearing a slot uncharges it right away.
 */
TEST(memlock_update)
{
	const size_t ps = page_sz();
	struct test_ring r;
	struct iovec iov[3], empty = { NULL, 0 };
	char *mem = map_pages(2 * MEMLOCK_PAGES);
	char path[64];
	int ret, fd;

	ASSERT_NE(NULL, mem);
	fd = scratch_file(path, sizeof(path));
	ASSERT_LE(0, fd);
	unlink(path);
	if (!drop_to_nobody())
		SKIP(return, "needs root with CAP_SETUID");
	ret = nobody_ring(&r);
	if (ret == -EPERM)
		SKIP(return, "io_uring not allowed for uid %d", NOBODY);
	ASSERT_EQ(0, ret);

	iov[0].iov_base = mem;
	iov[0].iov_len = MEMLOCK_PAGES * ps;
	iov[1].iov_base = mem + MEMLOCK_PAGES * ps;
	iov[1].iov_len = ps;
	iov[2].iov_base = mem;
	iov[2].iov_len = 4 * ps;

	ASSERT_EQ(0, reg_bufs2(&r, NULL, NULL, 2,
			       IORING_RSRC_REGISTER_SPARSE));
	EXPECT_EQ(1, upd_bufs(&r, 0, &iov[0], NULL, 1));
	EXPECT_EQ(-ENOMEM, upd_bufs(&r, 1, &iov[1], NULL, 1));
	/* replacing with a smaller buffer still needs room for both */
	EXPECT_EQ(-ENOMEM, upd_bufs(&r, 0, &iov[2], NULL, 1));
	/* slot 0 still holds the whole buffer */
	ASSERT_EQ(0, fill_file(fd, ps, 26));
	FIX1(&r, IORING_OP_READ_FIXED, fd, mem + (MEMLOCK_PAGES - 1) * ps, ps,
	     0, 0, UD, ps);
	EXPECT_PAT(mem + (MEMLOCK_PAGES - 1) * ps, ps, 26, 0);
	/* clearing it makes room */
	EXPECT_EQ(1, upd_bufs(&r, 0, &empty, NULL, 1));
	EXPECT_EQ(1, upd_bufs(&r, 1, &iov[1], NULL, 1));
	EXPECT_EQ(1, upd_bufs(&r, 0, &iov[2], NULL, 1));
	EXPECT_EQ(0, unreg_bufs(&r));
	ring_exit(&r);
	close(fd);
	unmap_pages(mem, 2 * MEMLOCK_PAGES);
}

/*
 * Cloning charges nothing more; the pages stay charged until the last ring
 * holding them drops them. Rings charging different users (here: a ring set
 * up with CAP_IPC_LOCK, which charges none) cannot share buffers: -EINVAL.
 */
TEST(memlock_clone)
{
	const size_t ps = page_sz();
	struct test_ring root_src, root_dst, r, r2, r3;
	struct iovec iov[2];
	char *mem = map_pages(2 * MEMLOCK_PAGES);
	int ret;

	ASSERT_NE(NULL, mem);
	iov[0].iov_base = mem;
	iov[0].iov_len = MEMLOCK_PAGES * ps;
	iov[1].iov_base = mem + MEMLOCK_PAGES * ps;
	iov[1].iov_len = ps;
	ASSERT_EQ(0, ring_init_flags(&root_src, 8, 0));
	ASSERT_EQ(0, ring_init_flags(&root_dst, 8, 0));
	ASSERT_EQ(0, reg_bufs(&root_src, &iov[1], 1));

	if (!drop_to_nobody())
		SKIP(return, "needs root with CAP_SETUID");
	ret = nobody_ring(&r);
	if (ret == -EPERM)
		SKIP(return, "io_uring not allowed for uid %d", NOBODY);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, nobody_ring(&r2));
	ASSERT_EQ(0, nobody_ring(&r3));

	/* different accounting users */
	EXPECT_EQ(-EINVAL, clone_bufs(&r, root_src.fd, 0));
	EXPECT_EQ(-ENXIO, unreg_bufs(&r));

	ASSERT_EQ(0, reg_bufs(&r, iov, 1));
	EXPECT_EQ(-EINVAL, clone_bufs(&root_dst, r.fd, 0));
	EXPECT_EQ(-ENXIO, unreg_bufs(&root_dst));

	/* same user: no further charge although the limit is used up */
	ASSERT_EQ(0, clone_bufs(&r2, r.fd, 0));
	EXPECT_EQ(-ENOMEM, reg_bufs(&r3, &iov[1], 1));
	/* still charged while the clone holds the pages */
	EXPECT_EQ(0, unreg_bufs(&r));
	EXPECT_EQ(-ENOMEM, reg_bufs(&r3, &iov[1], 1));
	EXPECT_EQ(0, unreg_bufs(&r2));
	ASSERT_EQ(0, reg_bufs(&r3, &iov[1], 1));
	EXPECT_EQ(0, unreg_bufs(&r3));

	EXPECT_EQ(0, unreg_bufs(&root_src));
	ring_exit(&r);
	ring_exit(&r2);
	ring_exit(&r3);
	ring_exit(&root_src);
	ring_exit(&root_dst);
	unmap_pages(mem, 2 * MEMLOCK_PAGES);
}

/* With CAP_IPC_LOCK (at ring setup) RLIMIT_MEMLOCK does not apply. */
TEST(memlock_cap_ipc_lock)
{
	const size_t ps = page_sz();
	struct rlimit rl = { 0, 0 };
	struct test_ring r;
	struct iovec iov[2];
	char *mem = map_pages(2 * MEMLOCK_PAGES);

	ASSERT_NE(NULL, mem);
	if (!has_cap(T_CAP_IPC_LOCK))
		SKIP(return, "needs CAP_IPC_LOCK");
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	ASSERT_EQ(0, ring_init_flags(&r, 8, 0));
	iov[0].iov_base = mem;
	iov[0].iov_len = 2 * MEMLOCK_PAGES * ps;
	iov[1] = iov[0];
	ASSERT_EQ(0, reg_bufs(&r, iov, 2));
	EXPECT_EQ(0, unreg_bufs(&r));
	ring_exit(&r);
	unmap_pages(mem, 2 * MEMLOCK_PAGES);
}

TEST_HARNESS_MAIN
