// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_READ, IORING_OP_WRITE, IORING_OP_READV and IORING_OP_WRITEV
 * (plain buffers, normal file descriptors) on tmpfs files, pipes and
 * sockets, following Linux 6.12 semantics.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <time.h>
#include <linux/magic.h>

#include "uring_test.h"

#define UD	0x5eedf00d00000000ULL
#define WAIT_MS	2000
/* how long a request that must stay pending is given to (wrongly) complete */
#define PENDING_MS	50

/* RWF_* as defined by Linux 6.12 (local names: glibc has its own set) */
#define T_RWF_HIPRI	0x00000001
#define T_RWF_DSYNC	0x00000002
#define T_RWF_SYNC	0x00000004
#define T_RWF_NOWAIT	0x00000008
#define T_RWF_APPEND	0x00000010
#define T_RWF_NOAPPEND	0x00000020
#define T_RWF_ATOMIC	0x00000040
/* every bit above this is unknown to 6.12 */
#define T_RWF_LAST	T_RWF_ATOMIC

#define T_IOPRIO(class, data)	((__u16)(((class) << 13) | (data)))

/* an address access_ok() rejects on every 64-bit architecture */
#define KERNEL_ADDR	((void *)(uintptr_t)0xffff800000000000ULL)

#define BS		4096

/*
 * The tests of FIXTURE(rw) run once per ring mode (the variants below), those
 * of FIXTURE(rw_once) on a plain ring only (see there why).
 */
FIXTURE(rw) {
	struct test_ring r;
	char path[64];
	int fd;
};

RING_MODE_VARIANTS(rw);

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

/* Create an empty scratch file, its name in @path. Returns the fd or -1. */
static int scratch_file(char *path, size_t size)
{
	snprintf(path, size, "%s/io_uring_rw.XXXXXX", scratch_dir());
	return mkstemp(path);
}

static void scratch_close(int fd, const char *path)
{
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
}

FIXTURE_SETUP(rw)
{
	int ret;

	ret = ring_init_mode(&self->r, 64, variant->setup_flags);
	ASSERT_EQ(0, ret);
	self->fd = scratch_file(self->path, sizeof(self->path));
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(rw)
{
	scratch_close(self->fd, self->path);
	ring_exit(&self->r);
}

/*
 * Tests that run on a plain ring only: prep_vs_issue_errors looks at how
 * many SQEs one io_uring_enter() took and at the SQ head right after it,
 * which an SQPOLL ring does not tell; iopoll_buffered sets up a ring of
 * its own.
 */
FIXTURE(rw_once) {
	struct test_ring r;
	char path[64];
	int fd;
};

FIXTURE_SETUP(rw_once)
{
	ASSERT_EQ(0, ring_init_flags(&self->r, 64, 0));
	self->fd = scratch_file(self->path, sizeof(self->path));
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(rw_once)
{
	scratch_close(self->fd, self->path);
	ring_exit(&self->r);
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

static off_t cur_pos(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

static off_t file_size(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return -1;
	return st.st_size;
}

static struct io_uring_sqe *queue_rw(struct test_ring *r, __u8 op, int fd,
				     const void *addr, unsigned int len,
				     __u64 off, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = op;
		sqe->fd = fd;
		sqe->addr = (__u64)(uintptr_t)addr;
		sqe->len = len;
		sqe->off = off;
		sqe->user_data = ud;
	}
	return sqe;
}

/* Pop one CQE and check it (read/write CQEs never carry flags). */
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

/* Queue one request, submit it alone and check its completion. */
#define RW1(r, op, fd, addr, len, off, ud, res_) do {			\
	ASSERT_NE(NULL, queue_rw(r, op, fd, addr, len, off, ud));	\
	ASSERT_EQ(1, ring_submit_mode(r, 1));					\
	EXPECT_CQE(r, ud, res_);					\
} while (0)

static struct io_uring_sqe *queue_rwf(struct test_ring *r, __u8 op, int fd,
				      const void *addr, unsigned int len,
				      __u64 off, __u64 ud, __u32 rwf)
{
	struct io_uring_sqe *sqe = queue_rw(r, op, fd, addr, len, off, ud);

	if (sqe)
		sqe->rw_flags = rwf;
	return sqe;
}

#define RWF1(r, op, fd, addr, len, off, ud, rwf, res_) do {		\
	ASSERT_NE(NULL, queue_rwf(r, op, fd, addr, len, off, ud, rwf));	\
	ASSERT_EQ(1, ring_submit_mode(r, 1));					\
	EXPECT_CQE(r, ud, res_);					\
} while (0)

#define EXPECT_PAT(buf, len, seed, off)					\
	EXPECT_EQ(-1, pat_mismatch(buf, len, seed, off))

#define EXPECT_BYTES(buf, len, c)					\
	EXPECT_EQ(-1, byte_mismatch(buf, len, c))

/* WRITE at explicit offsets, then READ the data back, f_pos untouched. */
TEST_F(rw, write_read_offsets)
{
	struct test_ring *r = &self->r;
	static char wbuf[3 * BS], rbuf[3 * BS];

	pat_fill(wbuf, BS, 1, 0);
	RW1(r, IORING_OP_WRITE, self->fd, wbuf, BS, 0, UD, BS);
	pat_fill(wbuf, 3000, 1, 10000);
	RW1(r, IORING_OP_WRITE, self->fd, wbuf, 3000, 10000, UD + 1, 3000);
	EXPECT_EQ(13000, file_size(self->fd));
	EXPECT_EQ(0, cur_pos(self->fd));

	memset(rbuf, 0xa5, sizeof(rbuf));
	RW1(r, IORING_OP_READ, self->fd, rbuf, BS, 0, UD + 2, BS);
	EXPECT_PAT(rbuf, BS, 1, 0);
	EXPECT_BYTES(rbuf + BS, sizeof(rbuf) - BS, 0xa5);

	memset(rbuf, 0xa5, sizeof(rbuf));
	RW1(r, IORING_OP_READ, self->fd, rbuf, 3000, 10000, UD + 3, 3000);
	EXPECT_PAT(rbuf, 3000, 1, 10000);
	EXPECT_BYTES(rbuf + 3000, sizeof(rbuf) - 3000, 0xa5);

	/* the hole in between reads back as zeroes */
	memset(rbuf, 0xa5, sizeof(rbuf));
	RW1(r, IORING_OP_READ, self->fd, rbuf, 10000 - BS, BS, UD + 4,
	    10000 - BS);
	EXPECT_BYTES(rbuf, 10000 - BS, 0);

	/* an unaligned read across the data/hole boundary */
	memset(rbuf, 0xa5, sizeof(rbuf));
	RW1(r, IORING_OP_READ, self->fd, rbuf, 100, BS - 37, UD + 5, 100);
	EXPECT_PAT(rbuf, 37, 1, BS - 37);
	EXPECT_BYTES(rbuf + 37, 63, 0);

	/* overwrite in the middle */
	pat_fill(wbuf, 777, 2, 1000);
	RW1(r, IORING_OP_WRITE, self->fd, wbuf, 777, 1000, UD + 6, 777);
	EXPECT_EQ(13000, file_size(self->fd));
	ASSERT_EQ(BS, pread(self->fd, rbuf, BS, 0));
	EXPECT_PAT(rbuf, 1000, 1, 0);
	EXPECT_PAT(rbuf + 1000, 777, 2, 1000);
	EXPECT_PAT(rbuf + 1777, BS - 1777, 1, 1777);

	/* zero length: nothing transferred */
	RW1(r, IORING_OP_READ, self->fd, rbuf, 0, 0, UD + 7, 0);
	RW1(r, IORING_OP_WRITE, self->fd, wbuf, 0, 20000, UD + 8, 0);
	EXPECT_EQ(13000, file_size(self->fd));

	/* explicit offsets never move the file position */
	EXPECT_EQ(0, cur_pos(self->fd));
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/* off == -1: READ uses and advances the file position. */
TEST_F(rw, read_cur_pos)
{
	struct test_ring *r = &self->r;
	static char buf[2 * BS];

	ASSERT_NE(0U, r->p.features & IORING_FEAT_RW_CUR_POS);
	ASSERT_EQ(0, fill_file(self->fd, 2 * BS, 3));

	/* starts at 0 */
	RW1(r, IORING_OP_READ, self->fd, buf, 10, -1ULL, UD, 10);
	EXPECT_PAT(buf, 10, 3, 0);
	EXPECT_EQ(10, cur_pos(self->fd));

	ASSERT_EQ(100, lseek(self->fd, 100, SEEK_SET));
	RW1(r, IORING_OP_READ, self->fd, buf, 1000, -1ULL, UD + 1, 1000);
	EXPECT_PAT(buf, 1000, 3, 100);
	EXPECT_EQ(1100, cur_pos(self->fd));
	RW1(r, IORING_OP_READ, self->fd, buf, 500, -1ULL, UD + 2, 500);
	EXPECT_PAT(buf, 500, 3, 1100);
	EXPECT_EQ(1600, cur_pos(self->fd));

	/* an explicit offset reads there and leaves f_pos alone */
	RW1(r, IORING_OP_READ, self->fd, buf, 50, 5000, UD + 3, 50);
	EXPECT_PAT(buf, 50, 3, 5000);
	EXPECT_EQ(1600, cur_pos(self->fd));

	/* short read at EOF advances to EOF, the next one returns 0 */
	ASSERT_EQ(2 * BS - 192, lseek(self->fd, 2 * BS - 192, SEEK_SET));
	memset(buf, 0xa5, sizeof(buf));
	RW1(r, IORING_OP_READ, self->fd, buf, 1000, -1ULL, UD + 4, 192);
	EXPECT_PAT(buf, 192, 3, 2 * BS - 192);
	EXPECT_BYTES(buf + 192, 1000 - 192, 0xa5);
	EXPECT_EQ(2 * BS, cur_pos(self->fd));
	RW1(r, IORING_OP_READ, self->fd, buf, 1000, -1ULL, UD + 5, 0);
	EXPECT_EQ(2 * BS, cur_pos(self->fd));
}

/* off == -1: WRITE uses and advances the file position. */
TEST_F(rw, write_cur_pos)
{
	struct test_ring *r = &self->r;
	static char buf[BS], rbuf[BS];

	pat_fill(buf, 300, 4, 50);
	ASSERT_EQ(50, lseek(self->fd, 50, SEEK_SET));
	RW1(r, IORING_OP_WRITE, self->fd, buf, 300, -1ULL, UD, 300);
	EXPECT_EQ(350, cur_pos(self->fd));
	EXPECT_EQ(350, file_size(self->fd));

	/* back to back: contiguous */
	pat_fill(buf, 200, 4, 350);
	RW1(r, IORING_OP_WRITE, self->fd, buf, 200, -1ULL, UD + 1, 200);
	EXPECT_EQ(550, cur_pos(self->fd));
	pat_fill(buf, 1, 4, 550);
	RW1(r, IORING_OP_WRITE, self->fd, buf, 1, -1ULL, UD + 2, 1);
	EXPECT_EQ(551, cur_pos(self->fd));
	EXPECT_EQ(551, file_size(self->fd));

	/* explicit offset: f_pos unchanged */
	pat_fill(buf, 10, 5, 0);
	RW1(r, IORING_OP_WRITE, self->fd, buf, 10, 0, UD + 3, 10);
	EXPECT_EQ(551, cur_pos(self->fd));

	memset(rbuf, 0xa5, sizeof(rbuf));
	ASSERT_EQ(551, pread(self->fd, rbuf, sizeof(rbuf), 0));
	EXPECT_PAT(rbuf, 10, 5, 0);
	EXPECT_BYTES(rbuf + 10, 40, 0);
	EXPECT_PAT(rbuf + 50, 501, 4, 50);

	/* zero length write at f_pos keeps it */
	RW1(r, IORING_OP_WRITE, self->fd, buf, 0, -1ULL, UD + 4, 0);
	EXPECT_EQ(551, cur_pos(self->fd));
}

/* off == -1 for READV and WRITEV. */
TEST_F(rw, vectored_cur_pos)
{
	struct test_ring *r = &self->r;
	static char a[100], b[1], c[2000], rbuf[BS];
	struct iovec iov[3] = {
		{ a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) },
	};
	const size_t total = sizeof(a) + sizeof(b) + sizeof(c);

	ASSERT_EQ(7, lseek(self->fd, 7, SEEK_SET));
	pat_fill(a, sizeof(a), 6, 7);
	pat_fill(b, sizeof(b), 6, 7 + sizeof(a));
	pat_fill(c, sizeof(c), 6, 7 + sizeof(a) + sizeof(b));
	RW1(r, IORING_OP_WRITEV, self->fd, iov, 3, -1ULL, UD, total);
	EXPECT_EQ(7 + (off_t)total, cur_pos(self->fd));
	EXPECT_EQ(7 + (off_t)total, file_size(self->fd));
	memset(rbuf, 0xa5, sizeof(rbuf));
	ASSERT_EQ(7 + (ssize_t)total, pread(self->fd, rbuf, sizeof(rbuf), 0));
	EXPECT_BYTES(rbuf, 7, 0);
	EXPECT_PAT(rbuf + 7, total, 6, 7);

	/* read it back through f_pos in two steps */
	ASSERT_EQ(7, lseek(self->fd, 7, SEEK_SET));
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	RW1(r, IORING_OP_READV, self->fd, iov, 2, -1ULL, UD + 1,
	    sizeof(a) + sizeof(b));
	EXPECT_PAT(a, sizeof(a), 6, 7);
	EXPECT_PAT(b, sizeof(b), 6, 7 + sizeof(a));
	EXPECT_EQ(7 + (off_t)(sizeof(a) + sizeof(b)), cur_pos(self->fd));

	/* the tail: short at EOF */
	memset(a, 0xa5, sizeof(a));
	memset(c, 0xa5, sizeof(c));
	iov[0].iov_base = c;
	iov[0].iov_len = sizeof(c);
	iov[1].iov_base = a;
	iov[1].iov_len = sizeof(a);
	RW1(r, IORING_OP_READV, self->fd, iov, 2, -1ULL, UD + 2, sizeof(c));
	EXPECT_PAT(c, sizeof(c), 6, 7 + sizeof(a) + sizeof(b));
	EXPECT_BYTES(a, sizeof(a), 0xa5);
	EXPECT_EQ(7 + (off_t)total, cur_pos(self->fd));
	RW1(r, IORING_OP_READV, self->fd, iov, 2, -1ULL, UD + 3, 0);
	EXPECT_EQ(7 + (off_t)total, cur_pos(self->fd));
}

/* Reads at and past EOF return 0; a read straddling EOF is short. */
TEST_F(rw, read_eof)
{
	struct test_ring *r = &self->r;
	static char buf[2 * BS];
	const off_t size = 5000;

	ASSERT_EQ(0, fill_file(self->fd, size, 7));
	memset(buf, 0xa5, sizeof(buf));
	RW1(r, IORING_OP_READ, self->fd, buf, 100, size, UD, 0);
	RW1(r, IORING_OP_READ, self->fd, buf, 100, size + 1, UD + 1, 0);
	RW1(r, IORING_OP_READ, self->fd, buf, 100, 1ULL << 40, UD + 2, 0);
	EXPECT_BYTES(buf, sizeof(buf), 0xa5);

	RW1(r, IORING_OP_READ, self->fd, buf, sizeof(buf), size - 1234, UD + 3,
	    1234);
	EXPECT_PAT(buf, 1234, 7, size - 1234);
	EXPECT_BYTES(buf + 1234, sizeof(buf) - 1234, 0xa5);

	/* the whole file, asked for more */
	memset(buf, 0xa5, sizeof(buf));
	RW1(r, IORING_OP_READ, self->fd, buf, sizeof(buf), 0, UD + 4, size);
	EXPECT_PAT(buf, size, 7, 0);
	EXPECT_BYTES(buf + size, sizeof(buf) - size, 0xa5);

	/* an empty file */
	ASSERT_EQ(0, ftruncate(self->fd, 0));
	RW1(r, IORING_OP_READ, self->fd, buf, sizeof(buf), 0, UD + 5, 0);
	RW1(r, IORING_OP_READ, self->fd, buf, sizeof(buf), -1ULL, UD + 6, 0);
	EXPECT_EQ(0, cur_pos(self->fd));
}

/* WRITEV and READV with several iovecs of assorted sizes. */
TEST_F(rw, vectored_multi)
{
	struct test_ring *r = &self->r;
	static char w[4][BS], rd[5][BS], rbuf[4 * BS];
	static const size_t wl[4] = { 1, 100, BS, 333 };
	static const size_t rl[5] = { 50, 0, 3000, 1, BS };
	struct iovec wiov[4], riov[5];
	size_t total = 0, i;
	off_t off = 7;

	for (i = 0; i < 4; i++) {
		pat_fill(w[i], wl[i], 8, off + total);
		wiov[i].iov_base = w[i];
		wiov[i].iov_len = wl[i];
		total += wl[i];
	}
	RW1(r, IORING_OP_WRITEV, self->fd, wiov, 4, off, UD, total);
	EXPECT_EQ(off + (off_t)total, file_size(self->fd));
	EXPECT_EQ(0, cur_pos(self->fd));
	memset(rbuf, 0xa5, sizeof(rbuf));
	ASSERT_EQ(off + (ssize_t)total, pread(self->fd, rbuf, sizeof(rbuf), 0));
	EXPECT_BYTES(rbuf, off, 0);
	EXPECT_PAT(rbuf + off, total, 8, off);

	/* READV straddling EOF: fills iovecs in order, stops short */
	memset(rd, 0xa5, sizeof(rd));
	for (i = 0; i < 5; i++) {
		riov[i].iov_base = rd[i];
		riov[i].iov_len = rl[i];
	}
	/* from offset 10: total - 3 bytes are left in the file */
	RW1(r, IORING_OP_READV, self->fd, riov, 5, 10, UD + 1, total - 3);
	EXPECT_PAT(rd[0], 50, 8, 10);
	EXPECT_BYTES(rd[1], BS, 0xa5);
	EXPECT_PAT(rd[2], 3000, 8, 60);
	EXPECT_PAT(rd[3], 1, 8, 3060);
	/* 3061 .. 4441 is the end of the file */
	EXPECT_PAT(rd[4], off + total - 3061, 8, 3061);
	EXPECT_BYTES(rd[4] + off + total - 3061, BS - (off + total - 3061),
		     0xa5);
	EXPECT_EQ(0, cur_pos(self->fd));

	/* a single-iovec READV */
	memset(rd, 0xa5, sizeof(rd));
	RW1(r, IORING_OP_READV, self->fd, &riov[2], 1, 0, UD + 2, 3000);
	EXPECT_BYTES(rd[2], off, 0);
	EXPECT_PAT(rd[2] + off, 3000 - off, 8, off);
	EXPECT_BYTES(rd[0], BS, 0xa5);
}

/* iovcnt 0 transfers nothing; the iovec array is not even looked at. */
TEST_F(rw, vectored_zero_iovcnt)
{
	struct test_ring *r = &self->r;
	char buf[16];
	struct iovec iov = { buf, sizeof(buf) };

	ASSERT_EQ(0, fill_file(self->fd, 100, 9));
	memset(buf, 0xa5, sizeof(buf));
	RW1(r, IORING_OP_READV, self->fd, &iov, 0, 0, UD, 0);
	RW1(r, IORING_OP_READV, self->fd, NULL, 0, 0, UD + 1, 0);
	RW1(r, IORING_OP_READV, self->fd, KERNEL_ADDR, 0, 0, UD + 2, 0);
	RW1(r, IORING_OP_READV, self->fd, &iov, 0, -1ULL, UD + 3, 0);
	EXPECT_BYTES(buf, sizeof(buf), 0xa5);
	EXPECT_EQ(0, cur_pos(self->fd));

	RW1(r, IORING_OP_WRITEV, self->fd, &iov, 0, 100, UD + 4, 0);
	RW1(r, IORING_OP_WRITEV, self->fd, NULL, 0, 1000, UD + 5, 0);
	RW1(r, IORING_OP_WRITEV, self->fd, &iov, 0, -1ULL, UD + 6, 0);
	EXPECT_EQ(100, file_size(self->fd));
	EXPECT_EQ(0, cur_pos(self->fd));
}

/* UIO_MAXIOV (1024) iovecs are fine, one more is -EINVAL at prep. */
TEST_F(rw, vectored_iovcnt_limit)
{
	struct test_ring *r = &self->r;
	static struct iovec iov[1026];
	static char buf[1026 * 4];
	unsigned int i;

	ASSERT_EQ(0, fill_file(self->fd, sizeof(buf), 10));
	for (i = 0; i < 1026; i++) {
		iov[i].iov_base = buf + 4 * i;
		iov[i].iov_len = 4;
	}
	memset(buf, 0xa5, sizeof(buf));
	RW1(r, IORING_OP_READV, self->fd, iov, 1025, 0, UD, -EINVAL);
	RW1(r, IORING_OP_READV, self->fd, iov, 1026, 0, UD + 1, -EINVAL);
	RW1(r, IORING_OP_READV, self->fd, iov, ~0U, 0, UD + 2, -EINVAL);
	RW1(r, IORING_OP_WRITEV, self->fd, iov, 1025, 0, UD + 3, -EINVAL);
	RW1(r, IORING_OP_WRITEV, self->fd, iov, 1U << 31, 0, UD + 4, -EINVAL);
	/* checked before the array is read */
	RW1(r, IORING_OP_READV, self->fd, KERNEL_ADDR, 1025, 0, UD + 5,
	    -EINVAL);
	EXPECT_BYTES(buf, sizeof(buf), 0xa5);
	EXPECT_EQ((off_t)sizeof(buf), file_size(self->fd));

	RW1(r, IORING_OP_READV, self->fd, iov, 1024, 0, UD + 6, 1024 * 4);
	EXPECT_PAT(buf, 1024 * 4, 10, 0);
	EXPECT_BYTES(buf + 1024 * 4, 8, 0xa5);

	pat_fill(buf, 1024 * 4, 11, 4);
	RW1(r, IORING_OP_WRITEV, self->fd, iov, 1024, 4, UD + 7, 1024 * 4);
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ((ssize_t)sizeof(buf), pread(self->fd, buf, sizeof(buf), 0));
	EXPECT_PAT(buf, 4, 10, 0);
	EXPECT_PAT(buf + 4, 1024 * 4, 11, 4);
	EXPECT_PAT(buf + 1025 * 4, 4, 10, 1025 * 4);
}

/* Buffers outside the address space or not mapped: -EFAULT. */
TEST_F(rw, bad_buffer)
{
	struct test_ring *r = &self->r;
	struct iovec iov[2];
	char *none;

	ASSERT_EQ(0, fill_file(self->fd, BS, 12));
	none = mmap(NULL, BS, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);

	/* rejected by access_ok() at prep time */
	RW1(r, IORING_OP_READ, self->fd, KERNEL_ADDR, 100, 0, UD, -EFAULT);
	RW1(r, IORING_OP_WRITE, self->fd, KERNEL_ADDR, 100, 0, UD + 1,
	    -EFAULT);

	/* user addresses that fault during the copy */
	RW1(r, IORING_OP_READ, self->fd, none, 100, 0, UD + 2, -EFAULT);
	RW1(r, IORING_OP_READ, self->fd, NULL, 100, 0, UD + 3, -EFAULT);
	RW1(r, IORING_OP_WRITE, self->fd, none, 100, 0, UD + 4, -EFAULT);
	RW1(r, IORING_OP_WRITE, self->fd, none, 100, BS, UD + 5, -EFAULT);
	EXPECT_EQ(BS, file_size(self->fd));

	/* an unreadable iovec array, one or several entries */
	RW1(r, IORING_OP_READV, self->fd, none, 1, 0, UD + 6, -EFAULT);
	RW1(r, IORING_OP_READV, self->fd, none, 2, 0, UD + 7, -EFAULT);
	RW1(r, IORING_OP_WRITEV, self->fd, NULL, 1, 0, UD + 8, -EFAULT);
	RW1(r, IORING_OP_WRITEV, self->fd, KERNEL_ADDR, 3, 0, UD + 9,
	    -EFAULT);

	/* a kernel address inside the iovecs */
	iov[0].iov_base = KERNEL_ADDR;
	iov[0].iov_len = 10;
	iov[1] = iov[0];
	RW1(r, IORING_OP_READV, self->fd, iov, 1, 0, UD + 10, -EFAULT);
	iov[0].iov_base = &iov[1];
	iov[0].iov_len = 1;
	RW1(r, IORING_OP_WRITEV, self->fd, iov, 2, 0, UD + 11, -EFAULT);

	/* an unmapped buffer inside the iovecs, nothing done before it */
	iov[0].iov_base = none;
	iov[0].iov_len = 10;
	RW1(r, IORING_OP_READV, self->fd, iov, 1, 0, UD + 12, -EFAULT);
	RW1(r, IORING_OP_WRITEV, self->fd, iov, 1, BS, UD + 13, -EFAULT);
	EXPECT_EQ(BS, file_size(self->fd));
	munmap(none, BS);
}

static int closed_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* Not an open file: -EBADF, at issue time, so the batch goes on. */
TEST_F(rw, bad_fd)
{
	static const __u8 ops[] = {
		IORING_OP_READ, IORING_OP_WRITE,
		IORING_OP_READV, IORING_OP_WRITEV,
	};
	struct test_ring *r = &self->r;
	int fds[3] = { -1, 1 << 30, closed_fd() };
	struct iovec iov;
	char buf[16];
	unsigned int i, j, n = 0;
	bool seen[12] = { };
	struct io_uring_cqe cqe;

	ASSERT_LE(0, fds[2]);
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		for (j = 0; j < ARRAY_SIZE(ops); j++) {
			bool vec = ops[j] == IORING_OP_READV ||
				   ops[j] == IORING_OP_WRITEV;

			ASSERT_NE(NULL, queue_rw(r, ops[j], fds[i],
						 vec ? (void *)&iov : buf,
						 vec ? 1 : sizeof(buf), 0,
						 UD + n));
			n++;
		}
	}
	ASSERT_EQ((int)n, ring_submit_mode(r, n));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
		ASSERT_LE(UD, cqe.user_data);
		ASSERT_GT(UD + n, cqe.user_data);
		EXPECT_FALSE(seen[cqe.user_data - UD]);
		seen[cqe.user_data - UD] = true;
		EXPECT_EQ(-EBADF, cqe.res);
		EXPECT_EQ(0U, cqe.flags);
	}
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/* READ on a write-only fd and WRITE on a read-only one: -EBADF. */
TEST_F(rw, wrong_open_mode)
{
	struct test_ring *r = &self->r;
	int rdonly, wronly, path;
	struct iovec iov;
	char buf[64];

	ASSERT_EQ(0, fill_file(self->fd, 100, 13));
	rdonly = open(self->path, O_RDONLY);
	ASSERT_LE(0, rdonly);
	wronly = open(self->path, O_WRONLY);
	ASSERT_LE(0, wronly);
	path = open(self->path, O_PATH);
	ASSERT_LE(0, path);
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);

	memset(buf, 0xa5, sizeof(buf));
	RW1(r, IORING_OP_READ, wronly, buf, sizeof(buf), 0, UD, -EBADF);
	RW1(r, IORING_OP_READV, wronly, &iov, 1, 0, UD + 1, -EBADF);
	RW1(r, IORING_OP_READ, wronly, buf, sizeof(buf), -1ULL, UD + 2,
	    -EBADF);
	EXPECT_BYTES(buf, sizeof(buf), 0xa5);
	RW1(r, IORING_OP_WRITE, rdonly, buf, sizeof(buf), 0, UD + 3, -EBADF);
	RW1(r, IORING_OP_WRITEV, rdonly, &iov, 1, 0, UD + 4, -EBADF);
	RW1(r, IORING_OP_WRITE, rdonly, buf, sizeof(buf), -1ULL, UD + 5,
	    -EBADF);
	/* O_PATH descriptors do not count as open files */
	RW1(r, IORING_OP_READ, path, buf, sizeof(buf), 0, UD + 6, -EBADF);
	RW1(r, IORING_OP_WRITE, path, buf, sizeof(buf), 0, UD + 7, -EBADF);
	/* the open mode is checked before rw_flags */
	RWF1(r, IORING_OP_READ, wronly, buf, sizeof(buf), 0, UD + 8, 1U << 30,
	     -EBADF);

	EXPECT_EQ(100, file_size(self->fd));
	EXPECT_EQ(0, cur_pos(rdonly));
	EXPECT_EQ(0, cur_pos(wronly));

	/* and the right modes work */
	RW1(r, IORING_OP_READ, rdonly, buf, sizeof(buf), 0, UD + 9,
	    sizeof(buf));
	EXPECT_PAT(buf, sizeof(buf), 13, 0);
	RW1(r, IORING_OP_WRITE, wronly, buf, sizeof(buf), 100, UD + 10,
	    sizeof(buf));
	EXPECT_EQ(100 + (off_t)sizeof(buf), file_size(self->fd));
	close(path);
	close(wronly);
	close(rdonly);
}

/* A read on a directory goes through ->read: -EISDIR. */
TEST_F(rw, read_directory)
{
	struct test_ring *r = &self->r;
	char buf[64];
	int dfd;

	dfd = open(scratch_dir(), O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dfd);
	RW1(r, IORING_OP_READ, dfd, buf, sizeof(buf), 0, UD, -EISDIR);
	RW1(r, IORING_OP_READ, dfd, buf, sizeof(buf), -1ULL, UD + 1, -EISDIR);
	close(dfd);
}

/*
 * rw_flags goes through kiocb_set_rw_flags() at issue time: any bit unknown
 * to 6.12 is -EOPNOTSUPP (the SQE itself is accepted, the batch goes on).
 */
TEST_F(rw, unknown_rw_flags)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe cqe;
	static char buf[BS];
	struct iovec iov = { buf, 100 };
	unsigned int bit, n = 0, i;

	ASSERT_EQ(0, fill_file(self->fd, BS, 14));
	memset(buf, 0xa5, sizeof(buf));
	for (bit = T_RWF_LAST << 1; bit; bit <<= 1) {
		ASSERT_NE(NULL, queue_rwf(r, IORING_OP_READ, self->fd, buf, 100,
					  0, bit, bit));
		n++;
	}
	ASSERT_EQ((int)n, ring_submit_mode(r, n));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
		EXPECT_EQ(-EOPNOTSUPP, cqe.res) {
			TH_LOG("READ rw_flags 0x%llx: %d",
			       (unsigned long long)cqe.user_data, cqe.res);
		}
	}
	EXPECT_BYTES(buf, sizeof(buf), 0xa5);

	n = 0;
	for (bit = T_RWF_LAST << 1; bit; bit <<= 1) {
		ASSERT_NE(NULL, queue_rwf(r, IORING_OP_WRITE, self->fd, buf,
					  100, BS, bit, bit | T_RWF_DSYNC));
		n++;
	}
	ASSERT_EQ((int)n, ring_submit_mode(r, n));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
		EXPECT_EQ(-EOPNOTSUPP, cqe.res) {
			TH_LOG("WRITE rw_flags 0x%llx: %d",
			       (unsigned long long)cqe.user_data, cqe.res);
		}
	}
	EXPECT_EQ(BS, file_size(self->fd));

	RWF1(r, IORING_OP_READV, self->fd, &iov, 1, 0, UD, 1U << 31,
	     -EOPNOTSUPP);
	RWF1(r, IORING_OP_WRITEV, self->fd, &iov, 1, 0, UD + 1, 1U << 8,
	     -EOPNOTSUPP);
	EXPECT_BYTES(buf, sizeof(buf), 0xa5);
	EXPECT_EQ(0, cur_pos(self->fd));
}

/* Known rw_flags: the combinations 6.12 rejects, and the harmless ones. */
TEST_F(rw, known_rw_flags)
{
	struct test_ring *r = &self->r;
	static char buf[BS];

	ASSERT_EQ(0, fill_file(self->fd, BS, 15));
	/* contradictory */
	RWF1(r, IORING_OP_WRITE, self->fd, buf, 10, 0, UD,
	     T_RWF_APPEND | T_RWF_NOAPPEND, -EINVAL);
	/* polled I/O on a ring without IORING_SETUP_IOPOLL */
	RWF1(r, IORING_OP_READ, self->fd, buf, 10, 0, UD + 1, T_RWF_HIPRI,
	     -EINVAL);
	RWF1(r, IORING_OP_WRITE, self->fd, buf, 10, 0, UD + 2, T_RWF_HIPRI,
	     -EINVAL);
	/* atomic writes only: never on a read, not supported by tmpfs */
	RWF1(r, IORING_OP_READ, self->fd, buf, 10, 0, UD + 3, T_RWF_ATOMIC,
	     -EOPNOTSUPP);
	if (is_tmpfs(self->path)) {
		RWF1(r, IORING_OP_WRITE, self->fd, buf, 10, 0, UD + 4,
		     T_RWF_ATOMIC, -EOPNOTSUPP);
	}
	EXPECT_EQ(BS, file_size(self->fd));

	/* sync flags are accepted on reads and writes */
	pat_fill(buf, 100, 16, 0);
	RWF1(r, IORING_OP_WRITE, self->fd, buf, 100, 0, UD + 5, T_RWF_DSYNC,
	     100);
	RWF1(r, IORING_OP_WRITE, self->fd, buf, 100, 0, UD + 6, T_RWF_SYNC,
	     100);
	RWF1(r, IORING_OP_WRITE, self->fd, buf, 100, 0, UD + 7, T_RWF_NOAPPEND,
	     100);
	memset(buf, 0, sizeof(buf));
	RWF1(r, IORING_OP_READ, self->fd, buf, BS, 0, UD + 8,
	     T_RWF_SYNC | T_RWF_DSYNC | T_RWF_NOAPPEND, BS);
	EXPECT_PAT(buf, 100, 16, 0);
	EXPECT_PAT(buf + 100, BS - 100, 15, 100);
	EXPECT_EQ(BS, file_size(self->fd));
}

/* RWF_APPEND writes at EOF whatever the offset; RWF_NOAPPEND undoes O_APPEND. */
TEST_F(rw, rwf_append)
{
	struct test_ring *r = &self->r;
	static char buf[BS], rbuf[2 * BS];
	struct iovec iov[2];
	int afd;

	ASSERT_EQ(0, fill_file(self->fd, 1000, 17));

	pat_fill(buf, 100, 18, 1000);
	RWF1(r, IORING_OP_WRITE, self->fd, buf, 100, 0, UD, T_RWF_APPEND, 100);
	EXPECT_EQ(1100, file_size(self->fd));
	EXPECT_EQ(0, cur_pos(self->fd));

	/* with off -1 the file position ends up at the new EOF */
	pat_fill(buf, 50, 18, 1100);
	RWF1(r, IORING_OP_WRITE, self->fd, buf, 50, -1ULL, UD + 1,
	     T_RWF_APPEND, 50);
	EXPECT_EQ(1150, file_size(self->fd));
	EXPECT_EQ(1150, cur_pos(self->fd));

	/* vectored */
	pat_fill(buf, 30, 18, 1150);
	iov[0].iov_base = buf;
	iov[0].iov_len = 10;
	iov[1].iov_base = buf + 10;
	iov[1].iov_len = 20;
	RWF1(r, IORING_OP_WRITEV, self->fd, iov, 2, 5, UD + 2, T_RWF_APPEND,
	     30);
	EXPECT_EQ(1180, file_size(self->fd));

	memset(rbuf, 0xa5, sizeof(rbuf));
	ASSERT_EQ(1180, pread(self->fd, rbuf, sizeof(rbuf), 0));
	EXPECT_PAT(rbuf, 1000, 17, 0);
	EXPECT_PAT(rbuf + 1000, 180, 18, 1000);

	/* O_APPEND: explicit offsets are ignored, unless RWF_NOAPPEND */
	afd = open(self->path, O_WRONLY | O_APPEND);
	ASSERT_LE(0, afd);
	pat_fill(buf, 20, 19, 1180);
	RW1(r, IORING_OP_WRITE, afd, buf, 20, 0, UD + 3, 20);
	EXPECT_EQ(1200, file_size(self->fd));
	pat_fill(buf, 10, 19, 0);
	RWF1(r, IORING_OP_WRITE, afd, buf, 10, 0, UD + 4, T_RWF_NOAPPEND, 10);
	EXPECT_EQ(1200, file_size(self->fd));
	close(afd);

	memset(rbuf, 0xa5, sizeof(rbuf));
	ASSERT_EQ(1200, pread(self->fd, rbuf, sizeof(rbuf), 0));
	EXPECT_PAT(rbuf, 10, 19, 0);
	EXPECT_PAT(rbuf + 10, 990, 17, 10);
	EXPECT_PAT(rbuf + 1000, 180, 18, 1000);
	EXPECT_PAT(rbuf + 1180, 20, 19, 1180);
}

/*
 * RWF_NOWAIT needs FMODE_NOWAIT, which tmpfs files lack in 6.12:
 * -EOPNOTSUPP, even when the data is cached.
 */
TEST_F(rw, rwf_nowait_tmpfs)
{
	struct test_ring *r = &self->r;
	char buf[64];

	if (!is_tmpfs(self->path))
		SKIP(return, "scratch file not on tmpfs");
	ASSERT_EQ(0, fill_file(self->fd, 100, 20));
	memset(buf, 0xa5, sizeof(buf));
	RWF1(r, IORING_OP_READ, self->fd, buf, sizeof(buf), 0, UD,
	     T_RWF_NOWAIT, -EOPNOTSUPP);
	EXPECT_BYTES(buf, sizeof(buf), 0xa5);
	RWF1(r, IORING_OP_WRITE, self->fd, buf, sizeof(buf), 0, UD + 1,
	     T_RWF_NOWAIT, -EOPNOTSUPP);
	ASSERT_EQ((ssize_t)sizeof(buf), pread(self->fd, buf, sizeof(buf), 0));
	EXPECT_PAT(buf, sizeof(buf), 20, 0);
}

/* RWF_NOWAIT on /dev/zero (FMODE_NOWAIT): completes in full. */
TEST_F(rw, rwf_nowait_dev_zero)
{
	struct test_ring *r = &self->r;
	char buf[256];
	int fd;

	fd = open("/dev/zero", O_RDWR);
	if (fd < 0)
		SKIP(return, "no /dev/zero");
	memset(buf, 0xa5, sizeof(buf));
	RWF1(r, IORING_OP_READ, fd, buf, sizeof(buf), 0, UD, T_RWF_NOWAIT,
	     sizeof(buf));
	EXPECT_BYTES(buf, sizeof(buf), 0);
	RWF1(r, IORING_OP_WRITE, fd, buf, sizeof(buf), 0, UD + 1, T_RWF_NOWAIT,
	     sizeof(buf));
	close(fd);
}

/* RWF_NOWAIT on an empty pipe: -EAGAIN instead of waiting. */
TEST_F(rw, rwf_nowait_pipe)
{
	struct test_ring *r = &self->r;
	char buf[64];
	struct iovec iov = { buf, sizeof(buf) };
	struct io_uring_sqe *sqe;
	int p[2];

	ASSERT_EQ(0, pipe(p));
	memset(buf, 0xa5, sizeof(buf));
	RWF1(r, IORING_OP_READ, p[0], buf, sizeof(buf), 0, UD, T_RWF_NOWAIT,
	     -EAGAIN);
	RWF1(r, IORING_OP_READV, p[0], &iov, 1, 0, UD + 1, T_RWF_NOWAIT,
	     -EAGAIN);
	/* also when forced to io-wq */
	sqe = queue_rwf(r, IORING_OP_READ, p[0], buf, sizeof(buf), 0, UD + 2,
			T_RWF_NOWAIT);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_ASYNC;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 2, -EAGAIN);
	EXPECT_BYTES(buf, sizeof(buf), 0xa5);

	/* with data: a (short) read */
	ASSERT_EQ(5, write(p[1], "hello", 5));
	RWF1(r, IORING_OP_READ, p[0], buf, sizeof(buf), 0, UD + 3,
	     T_RWF_NOWAIT, 5);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_BYTES(buf + 5, sizeof(buf) - 5, 0xa5);
	RWF1(r, IORING_OP_READ, p[0], buf, sizeof(buf), 0, UD + 4,
	     T_RWF_NOWAIT, -EAGAIN);
	close(p[0]);
	close(p[1]);
}

/* sqe->ioprio goes through ioprio_check_cap() at prep time. */
TEST_F(rw, ioprio)
{
	static const __u16 bad[] = {
		T_IOPRIO(7, 0),		/* IOPRIO_CLASS_INVALID */
		T_IOPRIO(4, 0), T_IOPRIO(5, 1), T_IOPRIO(6, 0),
		T_IOPRIO(0, 1),		/* class NONE with a level */
		T_IOPRIO(0, 7),
		0xffff,
	};
	static const __u16 good[] = {
		T_IOPRIO(2, 0), T_IOPRIO(2, 7),	/* BE */
		T_IOPRIO(3, 0), T_IOPRIO(3, 7),	/* IDLE: level ignored */
		T_IOPRIO(0, 8),			/* NONE, a hint only */
	};
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	static char buf[BS];
	unsigned int i;

	ASSERT_EQ(0, fill_file(self->fd, BS, 21));
	memset(buf, 0xa5, sizeof(buf));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		sqe = queue_rw(r, i & 1 ? IORING_OP_WRITE : IORING_OP_READ,
			       self->fd, buf, 100, 0, UD + i);
		ASSERT_NE(NULL, sqe);
		sqe->ioprio = bad[i];
		/* a prep failure: consumed, counted, and ends the batch */
		ASSERT_EQ(1, ring_submit_mode(r, 1));
		EXPECT_CQE(r, UD + i, -EINVAL);
	}
	/* prep comes before the file lookup */
	sqe = queue_rw(r, IORING_OP_READV, -1, buf, 1, 0, UD);
	ASSERT_NE(NULL, sqe);
	sqe->ioprio = T_IOPRIO(7, 0);
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD, -EINVAL);
	EXPECT_BYTES(buf, sizeof(buf), 0xa5);
	EXPECT_EQ(BS, file_size(self->fd));

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		memset(buf, 0, sizeof(buf));
		sqe = queue_rw(r, IORING_OP_READ, self->fd, buf, 100, 10 * i,
			       UD + i);
		ASSERT_NE(NULL, sqe);
		sqe->ioprio = good[i];
		ASSERT_EQ(1, ring_submit_mode(r, 1));
		EXPECT_CQE(r, UD + i, 100);
		EXPECT_PAT(buf, 100, 21, 10 * i);
	}
	pat_fill(buf, 10, 22, 0);
	sqe = queue_rw(r, IORING_OP_WRITE, self->fd, buf, 10, 0, UD);
	ASSERT_NE(NULL, sqe);
	sqe->ioprio = T_IOPRIO(3, 0);
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD, 10);
}

/* Prep-time checks come before the file is looked up. */
TEST_F(rw, prep_before_fd)
{
	struct test_ring *r = &self->r;

	RW1(r, IORING_OP_READ, -1, KERNEL_ADDR, 10, 0, UD, -EFAULT);
	RW1(r, IORING_OP_WRITEV, -1, KERNEL_ADDR, 2, 0, UD + 1, -EFAULT);
	RW1(r, IORING_OP_READV, -1, NULL, 1025, 0, UD + 2, -EINVAL);
	/* issue-time checks come after it */
	RWF1(r, IORING_OP_READ, -1, NULL, 10, 0, UD + 3, 1U << 20, -EBADF);
	RW1(r, IORING_OP_READ, -1, NULL, 10, 0, UD + 4, -EBADF);
}

/*
 * io_prep_rw() in 6.12 does not look at buf_index, addr3 or
 * splice_fd_in/file_index for non-fixed reads and writes.
 */
TEST_F(rw, ignored_sqe_fields)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	static char buf[BS];
	struct iovec iov = { buf, 200 };

	ASSERT_EQ(0, fill_file(self->fd, BS, 23));
	memset(buf, 0, sizeof(buf));
	sqe = queue_rw(r, IORING_OP_READ, self->fd, buf, 100, 0, UD);
	ASSERT_NE(NULL, sqe);
	sqe->buf_index = 0xffff;
	sqe->addr3 = 0x1234567890abcdefULL;
	sqe->file_index = 77;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD, 100);
	EXPECT_PAT(buf, 100, 23, 0);

	sqe = queue_rw(r, IORING_OP_READV, self->fd, &iov, 1, 0, UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->buf_index = 3;
	sqe->addr3 = ~0ULL;
	sqe->splice_fd_in = -1;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 1, 200);
	EXPECT_PAT(buf, 200, 23, 0);

	pat_fill(buf, 100, 24, 0);
	sqe = queue_rw(r, IORING_OP_WRITE, self->fd, buf, 100, 0, UD + 2);
	ASSERT_NE(NULL, sqe);
	sqe->buf_index = 1;
	sqe->addr3 = 1;
	sqe->file_index = 1;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 2, 100);

	sqe = queue_rw(r, IORING_OP_WRITEV, self->fd, &iov, 1, 100, UD + 3);
	ASSERT_NE(NULL, sqe);
	sqe->buf_index = 0x8000;
	sqe->addr3 = 42;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 3, 200);

	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(BS, pread(self->fd, buf, BS, 0));
	EXPECT_PAT(buf, 100, 24, 0);
	/* the WRITEV wrote buf[0, 200): the new 100 bytes, then the old */
	EXPECT_PAT(buf + 100, 100, 24, 0);
	EXPECT_PAT(buf + 200, 100, 23, 100);
	EXPECT_PAT(buf + 300, BS - 300, 23, 300);
}

/*
 * The second 64-bit word after addr3 (__pad2[0]) is not checked by 6.12
 * either (later kernels reuse it as attr_type_mask and reject it).
 */
TEST_F(rw, ignored_pad2)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	char buf[100];

	ASSERT_EQ(0, fill_file(self->fd, 100, 25));
	memset(buf, 0, sizeof(buf));
	sqe = queue_rw(r, IORING_OP_READ, self->fd, buf, 100, 0, UD);
	ASSERT_NE(NULL, sqe);
	sqe->__pad2[0] = 0x8000000000000001ULL;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD, 100);
	EXPECT_PAT(buf, 100, 25, 0);

	sqe = queue_rw(r, IORING_OP_WRITE, self->fd, buf, 100, 100, UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->__pad2[0] = 1;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 1, 100);
	EXPECT_EQ(200, file_size(self->fd));
}

/*
 * Queue the request @sqe (already filled in) followed by a NOP, submit both
 * and check how many were submitted: a failure at prep time ends the batch
 * (the NOP stays queued), a failure at issue time does not.
 */
static void check_batch(struct __test_metadata *_metadata,
			struct test_ring *r, int res, bool at_prep)
{
	struct io_uring_cqe cqe;
	bool seen_rw = false, seen_nop = false;
	unsigned int i;

	ASSERT_NE(NULL, ring_nop(r, UD + 1));
	ASSERT_EQ(at_prep ? 1 : 2, ring_submit(r, 2, 0, 0));
	if (at_prep) {
		EXPECT_CQE(r, UD, res);
		EXPECT_EQ(1U, ring_sq_pending(r));
		ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
		EXPECT_CQE(r, UD + 1, 0);
		return;
	}
	/* the request may complete from io-wq, after the NOP */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
		EXPECT_EQ(0U, cqe.flags);
		if (cqe.user_data == UD) {
			EXPECT_FALSE(seen_rw);
			seen_rw = true;
			EXPECT_EQ(res, cqe.res);
		} else {
			EXPECT_EQ(UD + 1, cqe.user_data);
			EXPECT_FALSE(seen_nop);
			seen_nop = true;
			EXPECT_EQ(0, cqe.res);
		}
	}
}

/* Which errors 6.12 reports from prep (ending the batch) and from issue. */
TEST_F(rw_once, prep_vs_issue_errors)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	static char buf[BS];
	struct iovec iov = { KERNEL_ADDR, 10 };
	int rdonly;

	ASSERT_EQ(0, fill_file(self->fd, BS, 33));
	rdonly = open(self->path, O_RDONLY);
	ASSERT_LE(0, rdonly);

	/* prep: ioprio, buffer address range, iovec import */
	sqe = queue_rw(r, IORING_OP_READ, self->fd, buf, 10, 0, UD);
	ASSERT_NE(NULL, sqe);
	sqe->ioprio = T_IOPRIO(7, 0);
	check_batch(_metadata, r, -EINVAL, true);
	ASSERT_NE(NULL, queue_rw(r, IORING_OP_READ, self->fd, KERNEL_ADDR, 10,
				 0, UD));
	check_batch(_metadata, r, -EFAULT, true);
	ASSERT_NE(NULL, queue_rw(r, IORING_OP_WRITE, self->fd, KERNEL_ADDR, 10,
				 0, UD));
	check_batch(_metadata, r, -EFAULT, true);
	ASSERT_NE(NULL, queue_rw(r, IORING_OP_READV, self->fd, buf, 1025, 0,
				 UD));
	check_batch(_metadata, r, -EINVAL, true);
	ASSERT_NE(NULL, queue_rw(r, IORING_OP_READV, self->fd, NULL, 2, 0, UD));
	check_batch(_metadata, r, -EFAULT, true);
	ASSERT_NE(NULL, queue_rw(r, IORING_OP_WRITEV, self->fd, &iov, 1, 0,
				 UD));
	check_batch(_metadata, r, -EFAULT, true);

	/* issue: fd, open mode, rw_flags, offset, faults during the copy */
	ASSERT_NE(NULL, queue_rw(r, IORING_OP_READ, -1, buf, 10, 0, UD));
	check_batch(_metadata, r, -EBADF, false);
	ASSERT_NE(NULL, queue_rw(r, IORING_OP_WRITE, rdonly, buf, 10, 0, UD));
	check_batch(_metadata, r, -EBADF, false);
	ASSERT_NE(NULL, queue_rwf(r, IORING_OP_READ, self->fd, buf, 10, 0, UD,
				  1U << 12));
	check_batch(_metadata, r, -EOPNOTSUPP, false);
	ASSERT_NE(NULL, queue_rwf(r, IORING_OP_WRITE, self->fd, buf, 10, 0, UD,
				  T_RWF_HIPRI));
	check_batch(_metadata, r, -EINVAL, false);
	ASSERT_NE(NULL, queue_rw(r, IORING_OP_READ, self->fd, buf, 10, -2ULL,
				 UD));
	check_batch(_metadata, r, -EINVAL, false);
	ASSERT_NE(NULL, queue_rw(r, IORING_OP_READ, self->fd, NULL, 10, 0, UD));
	check_batch(_metadata, r, -EFAULT, false);
	EXPECT_EQ(BS, file_size(self->fd));
	close(rdonly);
}

/* Negative offsets other than -1, and offset + len overflowing: -EINVAL. */
TEST_F(rw, bad_offset)
{
	struct test_ring *r = &self->r;
	char buf[100];
	struct iovec iov = { buf, sizeof(buf) };

	ASSERT_EQ(0, fill_file(self->fd, 100, 26));
	memset(buf, 0xa5, sizeof(buf));
	RW1(r, IORING_OP_READ, self->fd, buf, 10, -2ULL, UD, -EINVAL);
	RW1(r, IORING_OP_READ, self->fd, buf, 10, 1ULL << 63, UD + 1, -EINVAL);
	RW1(r, IORING_OP_READV, self->fd, &iov, 1, -4096ULL, UD + 2, -EINVAL);
	RW1(r, IORING_OP_READ, self->fd, buf, 100, LLONG_MAX - 10, UD + 3,
	    -EINVAL);
	EXPECT_BYTES(buf, sizeof(buf), 0xa5);
	RW1(r, IORING_OP_WRITE, self->fd, buf, 10, -2ULL, UD + 4, -EINVAL);
	RW1(r, IORING_OP_WRITEV, self->fd, &iov, 1, -3ULL, UD + 5, -EINVAL);
	RW1(r, IORING_OP_WRITE, self->fd, buf, 100, LLONG_MAX - 10, UD + 6,
	    -EINVAL);
	EXPECT_EQ(100, file_size(self->fd));
	EXPECT_EQ(0, cur_pos(self->fd));
}

/* WRITE and WRITEV do not support IOSQE_BUFFER_SELECT: -EOPNOTSUPP at init. */
TEST_F(rw, write_buffer_select)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	char buf[16] = "x";
	struct iovec iov = { buf, sizeof(buf) };

	sqe = queue_rw(r, IORING_OP_WRITE, self->fd, buf, 1, 0, UD);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_BUFFER_SELECT;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD, -EOPNOTSUPP);

	sqe = queue_rw(r, IORING_OP_WRITEV, self->fd, &iov, 1, 0, UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_BUFFER_SELECT;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 1, -EOPNOTSUPP);
	EXPECT_EQ(0, file_size(self->fd));
}

/* An IOPOLL ring needs O_DIRECT and ->iopoll: buffered tmpfs I/O fails. */
TEST_F(rw_once, iopoll_buffered)
{
	struct test_ring r;
	char buf[16];

	int ret;

	ASSERT_EQ(0, fill_file(self->fd, 100, 27));
	ret = ring_init_flags(&r, 4, IORING_SETUP_IOPOLL);
	ASSERT_EQ(0, ret);
	RW1(&r, IORING_OP_READ, self->fd, buf, sizeof(buf), 0, UD,
	    -EOPNOTSUPP);
	RW1(&r, IORING_OP_WRITE, self->fd, buf, sizeof(buf), 0, UD + 1,
	    -EOPNOTSUPP);
	ring_exit(&r);
}

/* IOSQE_ASYNC on a regular file: same results through io-wq. */
TEST_F(rw, async_regular)
{
	struct test_ring *r = &self->r;
	static char buf[2 * BS], a[1000], b[3000];
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct io_uring_sqe *sqe;

	pat_fill(buf, 2 * BS, 28, 0);
	sqe = queue_rw(r, IORING_OP_WRITE, self->fd, buf, 2 * BS, 0, UD);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_ASYNC;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD, 2 * BS);
	EXPECT_EQ(2 * BS, file_size(self->fd));

	memset(buf, 0xa5, sizeof(buf));
	sqe = queue_rw(r, IORING_OP_READ, self->fd, buf, BS, 100, UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_ASYNC;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 1, BS);
	EXPECT_PAT(buf, BS, 28, 100);
	EXPECT_BYTES(buf + BS, BS, 0xa5);

	/* straddling EOF through f_pos */
	ASSERT_EQ(2 * BS - 10, lseek(self->fd, 2 * BS - 10, SEEK_SET));
	memset(buf, 0xa5, sizeof(buf));
	sqe = queue_rw(r, IORING_OP_READ, self->fd, buf, BS, -1ULL, UD + 2);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_ASYNC;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 2, 10);
	EXPECT_PAT(buf, 10, 28, 2 * BS - 10);
	EXPECT_BYTES(buf + 10, BS, 0xa5);
	EXPECT_EQ(2 * BS, cur_pos(self->fd));

	pat_fill(a, sizeof(a), 29, 500);
	pat_fill(b, sizeof(b), 29, 1500);
	sqe = queue_rw(r, IORING_OP_WRITEV, self->fd, iov, 2, 500, UD + 3);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_ASYNC;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 3, 4000);

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	sqe = queue_rw(r, IORING_OP_READV, self->fd, iov, 2, 0, UD + 4);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_ASYNC;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 4, 4000);
	EXPECT_PAT(a, 500, 28, 0);
	EXPECT_PAT(a + 500, 500, 29, 500);
	EXPECT_PAT(b, 3000, 29, 1000);

	/* errors too */
	sqe = queue_rw(r, IORING_OP_READ, self->fd, NULL, 10, 0, UD + 5);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_ASYNC;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 5, -EFAULT);
	sqe = queue_rwf(r, IORING_OP_READ, self->fd, buf, 10, 0, UD + 6,
			1U << 9);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_ASYNC;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 6, -EOPNOTSUPP);
}

/* 32 READs of different 4 KiB blocks in a single submit. */
TEST_F(rw, concurrent_reads)
{
	struct test_ring *r = &self->r;
	static char buf[32 * BS];
	struct io_uring_cqe cqe;
	bool seen[32] = { };
	unsigned int i, blk;

	ASSERT_EQ(0, fill_file(self->fd, 32 * BS, 30));
	memset(buf, 0xa5, sizeof(buf));
	/* block i of the file goes to slot (i * 7) % 32 of the buffer */
	for (i = 0; i < 32; i++) {
		ASSERT_NE(NULL, queue_rw(r, IORING_OP_READ, self->fd,
					 buf + ((i * 7) % 32) * BS, BS,
					 (__u64)i * BS, UD + i));
	}
	ASSERT_EQ(32, ring_submit_mode(r, 32));
	for (i = 0; i < 32; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
		ASSERT_LE(UD, cqe.user_data);
		ASSERT_GT(UD + 32, cqe.user_data);
		blk = cqe.user_data - UD;
		EXPECT_FALSE(seen[blk]);
		seen[blk] = true;
		EXPECT_EQ(BS, cqe.res);
		EXPECT_EQ(0U, cqe.flags);
	}
	EXPECT_EQ(0U, ring_cq_ready(r));
	for (i = 0; i < 32; i++) {
		EXPECT_PAT(buf + ((i * 7) % 32) * BS, BS, 30, (off_t)i * BS) {
			TH_LOG("block %u", i);
		}
	}
	EXPECT_EQ(0, cur_pos(self->fd));
}

/* The same for 32 WRITEVs of 2 iovecs each. */
TEST_F(rw, concurrent_writes)
{
	struct test_ring *r = &self->r;
	static char buf[32 * BS], rbuf[32 * BS];
	static struct iovec iov[32][2];
	struct io_uring_cqe cqe;
	bool seen[32] = { };
	unsigned int i, blk;

	pat_fill(buf, sizeof(buf), 31, 0);
	for (i = 0; i < 32; i++) {
		iov[i][0].iov_base = buf + i * BS;
		iov[i][0].iov_len = 1000;
		iov[i][1].iov_base = buf + i * BS + 1000;
		iov[i][1].iov_len = BS - 1000;
		ASSERT_NE(NULL, queue_rw(r, IORING_OP_WRITEV, self->fd, iov[i],
					 2, (__u64)i * BS, UD + i));
	}
	ASSERT_EQ(32, ring_submit_mode(r, 32));
	for (i = 0; i < 32; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
		ASSERT_LE(UD, cqe.user_data);
		ASSERT_GT(UD + 32, cqe.user_data);
		blk = cqe.user_data - UD;
		EXPECT_FALSE(seen[blk]);
		seen[blk] = true;
		EXPECT_EQ(BS, cqe.res);
		EXPECT_EQ(0U, cqe.flags);
	}
	EXPECT_EQ(32 * BS, file_size(self->fd));
	ASSERT_EQ(32 * BS, pread(self->fd, rbuf, sizeof(rbuf), 0));
	EXPECT_PAT(rbuf, sizeof(rbuf), 31, 0);
}

/* A READ on an empty pipe completes once the test writes to it. */
static void pipe_read_waits(struct __test_metadata *_metadata,
			    struct test_ring *r, int rfd, int wfd,
			    __u8 op, __u8 sqe_flags)
{
	static const char msg[] = "0123456789";
	unsigned char buf[64];
	struct iovec iov[2] = {
		{ buf, 4 }, { buf + 4, sizeof(buf) - 4 },
	};
	struct io_uring_sqe *sqe;
	bool vec = op == IORING_OP_READV;

	memset(buf, 0xa5, sizeof(buf));
	sqe = queue_rw(r, op, rfd, vec ? (void *)iov : buf,
		       vec ? 2 : sizeof(buf), 0, UD);
	ASSERT_NE(NULL, sqe);
	sqe->flags = sqe_flags;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);
	EXPECT_BYTES(buf, sizeof(buf), 0xa5);

	ASSERT_EQ(10, write(wfd, msg, 10));
	EXPECT_CQE(r, UD, 10);
	EXPECT_EQ(0, memcmp(buf, msg, 10));
	EXPECT_BYTES(buf + 10, sizeof(buf) - 10, 0xa5);

	/* data already there: completes at once, short */
	ASSERT_EQ(3, write(wfd, "abc", 3));
	memset(buf, 0xa5, sizeof(buf));
	sqe = queue_rw(r, op, rfd, vec ? (void *)iov : buf,
		       vec ? 2 : sizeof(buf), 0, UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->flags = sqe_flags;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 1, 3);
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	EXPECT_BYTES(buf + 3, sizeof(buf) - 3, 0xa5);

	/* writer gone: EOF */
	close(wfd);
	sqe = queue_rw(r, op, rfd, vec ? (void *)iov : buf,
		       vec ? 2 : sizeof(buf), 0, UD + 2);
	ASSERT_NE(NULL, sqe);
	sqe->flags = sqe_flags;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 2, 0);
}

TEST_F(rw, pipe_read_waits)
{
	int p[2];

	ASSERT_EQ(0, pipe(p));
	pipe_read_waits(_metadata, &self->r, p[0], p[1], IORING_OP_READ, 0);
	close(p[0]);
}

TEST_F(rw, pipe_readv_waits)
{
	int p[2];

	ASSERT_EQ(0, pipe(p));
	pipe_read_waits(_metadata, &self->r, p[0], p[1], IORING_OP_READV, 0);
	close(p[0]);
}

TEST_F(rw, pipe_read_async_waits)
{
	int p[2];

	ASSERT_EQ(0, pipe(p));
	pipe_read_waits(_metadata, &self->r, p[0], p[1], IORING_OP_READ,
			IOSQE_ASYNC);
	close(p[0]);
}

/*
 * O_NONBLOCK on the pipe does not turn into -EAGAIN: the file supports
 * nonblocking I/O, so io_uring waits for it by polling.
 */
TEST_F(rw, nonblock_pipe_read_waits)
{
	int p[2];

	ASSERT_EQ(0, pipe2(p, O_NONBLOCK));
	pipe_read_waits(_metadata, &self->r, p[0], p[1], IORING_OP_READ, 0);
	close(p[0]);
}

/* A READ on an AF_UNIX stream socket waits for data from the peer. */
TEST_F(rw, socket_read_waits)
{
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pipe_read_waits(_metadata, &self->r, sv[0], sv[1], IORING_OP_READ, 0);
	close(sv[0]);
}

TEST_F(rw, socket_readv_async_waits)
{
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pipe_read_waits(_metadata, &self->r, sv[0], sv[1], IORING_OP_READV,
			IOSQE_ASYNC);
	close(sv[0]);
}

/* WRITE on a socket, read by the peer. */
TEST_F(rw, socket_write)
{
	struct test_ring *r = &self->r;
	char a[] = "hello ", b[] = "world";
	struct iovec iov[2] = { { a, 6 }, { b, 5 } };
	char buf[32];
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	RW1(r, IORING_OP_WRITE, sv[0], "abc", 3, 0, UD, 3);
	RW1(r, IORING_OP_WRITEV, sv[0], iov, 2, -1ULL, UD + 1, 11);
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(14, read(sv[1], buf, sizeof(buf)));
	EXPECT_STREQ("abchello world", buf);
	close(sv[0]);
	close(sv[1]);
}

/* A WRITE to a full pipe completes once the test drains it. */
TEST_F(rw, pipe_write_waits)
{
	struct test_ring *r = &self->r;
	static char fill[BS], buf[BS], rbuf[BS];
	int p[2];

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(BS, fcntl(p[1], F_SETPIPE_SZ, BS));
	memset(fill, 'f', sizeof(fill));
	ASSERT_EQ(BS, write(p[1], fill, BS));

	pat_fill(buf, 100, 32, 0);
	RWF1(r, IORING_OP_WRITE, p[1], buf, 100, 0, UD, T_RWF_NOWAIT,
	     -EAGAIN);

	ASSERT_NE(NULL, queue_rw(r, IORING_OP_WRITE, p[1], buf, 100, 0,
				 UD + 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);

	ASSERT_EQ(BS, read(p[0], rbuf, BS));
	EXPECT_BYTES(rbuf, BS, 'f');
	EXPECT_CQE(r, UD + 1, 100);
	memset(rbuf, 0, sizeof(rbuf));
	ASSERT_EQ(100, read(p[0], rbuf, sizeof(rbuf)));
	EXPECT_PAT(rbuf, 100, 32, 0);
	close(p[0]);
	close(p[1]);
}

/* WRITE to a pipe without readers: -EPIPE. */
TEST_F(rw, pipe_write_epipe)
{
	struct test_ring *r = &self->r;
	struct iovec iov = { "x", 1 };
	int p[2];

	ASSERT_NE(SIG_ERR, signal(SIGPIPE, SIG_IGN));
	ASSERT_EQ(0, pipe(p));
	close(p[0]);
	RW1(r, IORING_OP_WRITE, p[1], "abc", 3, 0, UD, -EPIPE);
	RW1(r, IORING_OP_WRITEV, p[1], &iov, 1, 0, UD + 1, -EPIPE);
	close(p[1]);
}

/*
 * The inotify events one request raised: IN_MODIFY and IN_ACCESS bits
 * seen, or -1 on a bad read. A transfer tells watchers as read(2) and
 * write(2) do, whether it completes inline or in a worker.
 */
static int inotify_seen(int ifd)
{
	union {
		struct inotify_event first;
		char raw[512];
	} buf;
	struct inotify_event *ev;
	ssize_t n, off;
	int seen = 0;

	n = read(ifd, &buf, sizeof(buf));
	if (n < 0)
		return errno == EAGAIN ? 0 : -1;
	for (off = 0; off < n; off += sizeof(*ev) + ev->len) {
		ev = (struct inotify_event *)(buf.raw + off);
		seen |= ev->mask;
	}
	return seen;
}

TEST_F(rw, inotify_events)
{
	static const __u8 flags[] = { 0, IOSQE_ASYNC };
	struct test_ring *r = &self->r;
	static char buf[BS];
	struct iovec iov = { buf, 100 };
	struct io_uring_sqe *sqe;
	unsigned int i;
	int ifd;

	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ASSERT_LE(0, ifd);
	ASSERT_LE(0, inotify_add_watch(ifd, self->path, IN_MODIFY | IN_ACCESS));
	pat_fill(buf, BS, 33, 0);
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		sqe = queue_rw(r, IORING_OP_WRITE, self->fd, buf, BS, 0, UD);
		ASSERT_NE(NULL, sqe);
		sqe->flags = flags[i];
		ASSERT_EQ(1, ring_submit_mode(r, 1));
		EXPECT_CQE(r, UD, BS);
		EXPECT_EQ(IN_MODIFY, inotify_seen(ifd));

		sqe = queue_rw(r, IORING_OP_READ, self->fd, buf, BS, 0, UD + 1);
		ASSERT_NE(NULL, sqe);
		sqe->flags = flags[i];
		ASSERT_EQ(1, ring_submit_mode(r, 1));
		EXPECT_CQE(r, UD + 1, BS);
		EXPECT_EQ(IN_ACCESS, inotify_seen(ifd));

		sqe = queue_rw(r, IORING_OP_WRITEV, self->fd, &iov, 1, 10, UD + 2);
		ASSERT_NE(NULL, sqe);
		sqe->flags = flags[i];
		ASSERT_EQ(1, ring_submit_mode(r, 1));
		EXPECT_CQE(r, UD + 2, 100);
		EXPECT_EQ(IN_MODIFY, inotify_seen(ifd));

		sqe = queue_rw(r, IORING_OP_READV, self->fd, &iov, 1, 10, UD + 3);
		ASSERT_NE(NULL, sqe);
		sqe->flags = flags[i];
		ASSERT_EQ(1, ring_submit_mode(r, 1));
		EXPECT_CQE(r, UD + 3, 100);
		EXPECT_EQ(IN_ACCESS, inotify_seen(ifd));
	}
	/* the watch works at all: a plain write(2) is seen the same way */
	ASSERT_EQ(1, pwrite(self->fd, "x", 1, 0));
	EXPECT_EQ(IN_MODIFY, inotify_seen(ifd));
	close(ifd);
}

TEST_HARNESS_MAIN
