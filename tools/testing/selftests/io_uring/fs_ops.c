// SPDX-License-Identifier: GPL-2.0
/*
 * File-system opcodes on regular (non-fixed) file descriptors, following
 * Linux 6.12 semantics: FSYNC, SYNC_FILE_RANGE, FALLOCATE, FADVISE, MADVISE,
 * FTRUNCATE, STATX, OPENAT, OPENAT2 and CLOSE.
 *
 * Errors found by an opcode's prep handler (non-zero reserved fields, bad
 * user pointers, ...) complete the request at submission and stop the
 * submission batch there; errors found at issue time do not. Every check
 * below queues a NOP behind the request under test and asserts which of
 * the two happened (see expect_prep_fail() and run_one()).
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <linux/falloc.h>
#include <linux/openat2.h>

#include "uring_test.h"

#define UD	0x5eedf00d00000000ULL
#define NOP_UD	0x4e4f504e4f504e4fULL
#define WAIT_MS	2000

/* struct open_how's first published size (kernel-internal name) */
#define OPEN_HOW_SIZE_VER0	24

static size_t page_sz(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* Zeroed SQE for @op on @fd, or NULL if the SQ ring is full. */
static struct io_uring_sqe *op_sqe(struct test_ring *r, __u8 op, int fd, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = op;
		sqe->fd = fd;
		sqe->user_data = ud;
	}
	return sqe;
}

/*
 * The request @ud is queued: queue a NOP behind it and submit both. The
 * request must fail in prep with @err, which consumes its SQE and ends the
 * submission, so io_uring_enter() returns 1 and the NOP stays queued.
 */
static void expect_prep_fail(struct __test_metadata *_metadata,
			     struct test_ring *r, __u64 ud, int err)
{
	struct io_uring_cqe cqe;

	ASSERT_NE(NULL, ring_nop(r, NOP_UD));
	ASSERT_EQ(1, ring_submit(r, 2, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
	EXPECT_EQ(ud, cqe.user_data);
	EXPECT_EQ(err, cqe.res);
	EXPECT_EQ(0U, cqe.flags);
	EXPECT_EQ(0U, ring_cq_ready(r));

	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
	EXPECT_EQ(NOP_UD, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	EXPECT_EQ(0U, cqe.flags);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/*
 * The request @ud is queued: queue a NOP behind it, submit both (prep must
 * succeed, so both are consumed) and return the request's result. The two
 * CQEs may come in either order: most of these opcodes run in io-wq.
 */
static int run_one(struct __test_metadata *_metadata, struct test_ring *r, __u64 ud)
{
	bool seen_op = false, seen_nop = false;
	struct io_uring_cqe cqe;
	int i, res = INT_MIN;

	ASSERT_NE(NULL, ring_nop(r, NOP_UD));
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
		EXPECT_EQ(0U, cqe.flags);
		if (cqe.user_data == NOP_UD) {
			EXPECT_FALSE(seen_nop);
			EXPECT_EQ(0, cqe.res);
			seen_nop = true;
		} else {
			EXPECT_EQ(ud, cqe.user_data);
			EXPECT_FALSE(seen_op);
			res = cqe.res;
			seen_op = true;
		}
	}
	EXPECT_EQ(0U, ring_cq_ready(r));
	return res;
}

/* The fd number the next open/dup will get (the lowest free one). */
static int lowest_free_fd(struct __test_metadata *_metadata)
{
	int fd = fcntl(0, F_DUPFD, 0);

	if (fd < 0)
		fd = open("/", O_RDONLY);
	ASSERT_LE(0, fd);
	close(fd);
	return fd;
}

static void fill(struct __test_metadata *_metadata, int fd, unsigned char c, size_t len,
		 off_t off)
{
	char buf[4096];

	ASSERT_GE(sizeof(buf), len);
	memset(buf, c, len);
	ASSERT_EQ((ssize_t)len, pwrite(fd, buf, len, off));
}

/* True if @len bytes of @fd at @off all equal @c. */
static bool file_is(int fd, unsigned char c, size_t len, off_t off)
{
	char buf[4096];
	size_t i;

	if (len > sizeof(buf) || pread(fd, buf, len, off) != (ssize_t)len)
		return false;
	for (i = 0; i < len; i++) {
		if ((unsigned char)buf[i] != c)
			return false;
	}
	return true;
}

static bool mem_is(const void *p, unsigned char c, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++) {
		if (b[i] != c)
			return false;
	}
	return true;
}

static bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

FIXTURE(fs) {
	struct test_ring r;
	int fd;			/* O_RDWR, on path */
	int pipefd[2];
	char path[64];		/* /tmp/iou-fsops-XXXXXX */
	char path2[80];		/* path + ".new", created by some tests */
	char link[80];		/* path + ".lnk", a symlink to path */
	char missing[80];	/* path + ".missing", never created */
};

FIXTURE_SETUP(fs)
{
	ASSERT_EQ(0, ring_init_flags(&self->r, 16, 0));
	snprintf(self->path, sizeof(self->path), "/tmp/iou-fsops-XXXXXX");
	self->fd = mkstemp(self->path);
	ASSERT_LE(0, self->fd);
	snprintf(self->path2, sizeof(self->path2), "%s.new", self->path);
	snprintf(self->link, sizeof(self->link), "%s.lnk", self->path);
	snprintf(self->missing, sizeof(self->missing), "%s.missing", self->path);
	ASSERT_EQ(0, pipe(self->pipefd));
}

/*
 * Runs in the parent, after the test process has exited (which closed the
 * ring and every fd), so the scratch files go even when a failed ASSERT
 * longjmp()ed out of the test: with the harness built at -O2 the child's
 * own teardown can then be skipped.
 */
FIXTURE_TEARDOWN_PARENT(fs)
{
	unlink(self->link);
	unlink(self->path2);
	unlink(self->path);
}

/* ------------------------------------------------------------------ FSYNC */

TEST_F(fs, fsync)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	int rofd;

	fill(_metadata, self->fd, 0x5a, 4096, 0);

	ASSERT_NE(NULL, op_sqe(r, IORING_OP_FSYNC, self->fd, UD));
	EXPECT_EQ(0, run_one(_metadata, r, UD));

	sqe = op_sqe(r, IORING_OP_FSYNC, self->fd, UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->fsync_flags = IORING_FSYNC_DATASYNC;
	EXPECT_EQ(0, run_one(_metadata, r, UD + 1));

	/* a range: off/len are honoured, len 0 means to the end */
	sqe = op_sqe(r, IORING_OP_FSYNC, self->fd, UD + 2);
	ASSERT_NE(NULL, sqe);
	sqe->off = 1024;
	sqe->len = 2048;
	EXPECT_EQ(0, run_one(_metadata, r, UD + 2));

	/* fsync needs no write access */
	rofd = open(self->path, O_RDONLY);
	ASSERT_LE(0, rofd);
	ASSERT_NE(NULL, op_sqe(r, IORING_OP_FSYNC, rofd, UD + 3));
	EXPECT_EQ(0, run_one(_metadata, r, UD + 3));
	close(rofd);

	EXPECT_TRUE(file_is(self->fd, 0x5a, 4096, 0));
}

TEST_F(fs, fsync_bad_flags)
{
	static const __u32 bad[] = { 1U << 1, 1U << 31, IORING_FSYNC_DATASYNC | (1U << 4) };
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		sqe = op_sqe(r, IORING_OP_FSYNC, self->fd, UD + i);
		ASSERT_NE(NULL, sqe);
		sqe->fsync_flags = bad[i];
		expect_prep_fail(_metadata, r, UD + i, -EINVAL);
	}
}

TEST_F(fs, fsync_nonzero_fields)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;

	sqe = op_sqe(r, IORING_OP_FSYNC, self->fd, UD);
	ASSERT_NE(NULL, sqe);
	sqe->addr = 1;
	expect_prep_fail(_metadata, r, UD, -EINVAL);

	sqe = op_sqe(r, IORING_OP_FSYNC, self->fd, UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->buf_index = 1;
	expect_prep_fail(_metadata, r, UD + 1, -EINVAL);

	sqe = op_sqe(r, IORING_OP_FSYNC, self->fd, UD + 2);
	ASSERT_NE(NULL, sqe);
	sqe->splice_fd_in = 1;
	expect_prep_fail(_metadata, r, UD + 2, -EINVAL);

	/* a negative offset is refused by prep too */
	sqe = op_sqe(r, IORING_OP_FSYNC, self->fd, UD + 3);
	ASSERT_NE(NULL, sqe);
	sqe->off = (__u64)-4096;
	expect_prep_fail(_metadata, r, UD + 3, -EINVAL);
}

TEST_F(fs, fsync_bad_file)
{
	struct test_ring *r = &self->r;
	int fd;

	/* a closed fd and -1: -EBADF at issue time */
	fd = lowest_free_fd(_metadata);
	ASSERT_NE(NULL, op_sqe(r, IORING_OP_FSYNC, fd, UD));
	EXPECT_EQ(-EBADF, run_one(_metadata, r, UD));
	ASSERT_NE(NULL, op_sqe(r, IORING_OP_FSYNC, -1, UD + 1));
	EXPECT_EQ(-EBADF, run_one(_metadata, r, UD + 1));

	/* pipes have no ->fsync */
	ASSERT_NE(NULL, op_sqe(r, IORING_OP_FSYNC, self->pipefd[1], UD + 2));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD + 2));
}

/* -------------------------------------------------------- SYNC_FILE_RANGE */

TEST_F(fs, sync_file_range)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;

	fill(_metadata, self->fd, 0x33, 4096, 0);
	fill(_metadata, self->fd, 0x44, 4096, 4096);

	sqe = op_sqe(r, IORING_OP_SYNC_FILE_RANGE, self->fd, UD);
	ASSERT_NE(NULL, sqe);
	sqe->off = 0;
	sqe->len = 4096;
	sqe->sync_range_flags = SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				SYNC_FILE_RANGE_WAIT_AFTER;
	EXPECT_EQ(0, run_one(_metadata, r, UD));

	/* len 0: to the end of the file; no flags: a no-op */
	sqe = op_sqe(r, IORING_OP_SYNC_FILE_RANGE, self->fd, UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->off = 4096;
	sqe->sync_range_flags = SYNC_FILE_RANGE_WRITE;
	EXPECT_EQ(0, run_one(_metadata, r, UD + 1));

	ASSERT_NE(NULL, op_sqe(r, IORING_OP_SYNC_FILE_RANGE, self->fd, UD + 2));
	EXPECT_EQ(0, run_one(_metadata, r, UD + 2));

	EXPECT_TRUE(file_is(self->fd, 0x33, 4096, 0));
	EXPECT_TRUE(file_is(self->fd, 0x44, 4096, 4096));
}

TEST_F(fs, sync_file_range_bad)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;

	/* unknown flag bit: found by sync_file_range() at issue time */
	sqe = op_sqe(r, IORING_OP_SYNC_FILE_RANGE, self->fd, UD);
	ASSERT_NE(NULL, sqe);
	sqe->sync_range_flags = 1U << 3;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD));

	/* negative offset */
	sqe = op_sqe(r, IORING_OP_SYNC_FILE_RANGE, self->fd, UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->off = (__u64)-4096;
	sqe->sync_range_flags = SYNC_FILE_RANGE_WRITE;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD + 1));

	/* not a regular file */
	sqe = op_sqe(r, IORING_OP_SYNC_FILE_RANGE, self->pipefd[1], UD + 2);
	ASSERT_NE(NULL, sqe);
	sqe->sync_range_flags = SYNC_FILE_RANGE_WRITE;
	EXPECT_EQ(-ESPIPE, run_one(_metadata, r, UD + 2));

	ASSERT_NE(NULL, op_sqe(r, IORING_OP_SYNC_FILE_RANGE, -1, UD + 3));
	EXPECT_EQ(-EBADF, run_one(_metadata, r, UD + 3));

	/* fields prep requires to be zero */
	sqe = op_sqe(r, IORING_OP_SYNC_FILE_RANGE, self->fd, UD + 4);
	ASSERT_NE(NULL, sqe);
	sqe->addr = 4096;
	expect_prep_fail(_metadata, r, UD + 4, -EINVAL);

	sqe = op_sqe(r, IORING_OP_SYNC_FILE_RANGE, self->fd, UD + 5);
	ASSERT_NE(NULL, sqe);
	sqe->splice_fd_in = 3;
	expect_prep_fail(_metadata, r, UD + 5, -EINVAL);

	sqe = op_sqe(r, IORING_OP_SYNC_FILE_RANGE, self->fd, UD + 6);
	ASSERT_NE(NULL, sqe);
	sqe->buf_index = 1;
	expect_prep_fail(_metadata, r, UD + 6, -EINVAL);
}

/* -------------------------------------------------------------- FALLOCATE */

/* FALLOCATE: sqe->off is the offset, sqe->addr the length, sqe->len the mode */
static struct io_uring_sqe *falloc_sqe(struct test_ring *r, int fd, __u32 mode, __u64 off,
				       __u64 len, __u64 ud)
{
	struct io_uring_sqe *sqe = op_sqe(r, IORING_OP_FALLOCATE, fd, ud);

	if (sqe) {
		sqe->off = off;
		sqe->addr = len;
		sqe->len = mode;
	}
	return sqe;
}

TEST_F(fs, fallocate)
{
	struct test_ring *r = &self->r;
	struct stat st;

	ASSERT_NE(NULL, falloc_sqe(r, self->fd, 0, 0, 8192, UD));
	EXPECT_EQ(0, run_one(_metadata, r, UD));
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(8192, st.st_size);
	EXPECT_LE(16, st.st_blocks);
	EXPECT_TRUE(file_is(self->fd, 0, 4096, 4096));

	/* KEEP_SIZE allocates past EOF without changing the size */
	ASSERT_NE(NULL, falloc_sqe(r, self->fd, FALLOC_FL_KEEP_SIZE, 8192, 8192, UD + 1));
	EXPECT_EQ(0, run_one(_metadata, r, UD + 1));
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(8192, st.st_size);
	EXPECT_LE(32, st.st_blocks);

	/* without it, the size follows off + len */
	ASSERT_NE(NULL, falloc_sqe(r, self->fd, 0, 10000, 100, UD + 2));
	EXPECT_EQ(0, run_one(_metadata, r, UD + 2));
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(10100, st.st_size);

	/* punching a hole zeroes the data and keeps the size */
	fill(_metadata, self->fd, 0x77, 4096, 0);
	fill(_metadata, self->fd, 0x77, 4096, 4096);
	ASSERT_NE(NULL, falloc_sqe(r, self->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				   4096, 4096, UD + 3));
	EXPECT_EQ(0, run_one(_metadata, r, UD + 3));
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(10100, st.st_size);
	EXPECT_TRUE(file_is(self->fd, 0x77, 4096, 0));
	EXPECT_TRUE(file_is(self->fd, 0, 4096, 4096));
}

TEST_F(fs, fallocate_bad)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	struct stat st;
	int rofd;

	/* an unknown mode bit */
	ASSERT_NE(NULL, falloc_sqe(r, self->fd, 0x100, 0, 4096, UD));
	EXPECT_EQ(-EOPNOTSUPP, run_one(_metadata, r, UD));
	ASSERT_NE(NULL, falloc_sqe(r, self->fd, 0x80000000U, 0, 4096, UD + 1));
	EXPECT_EQ(-EOPNOTSUPP, run_one(_metadata, r, UD + 1));
	/* PUNCH_HOLE requires KEEP_SIZE */
	ASSERT_NE(NULL, falloc_sqe(r, self->fd, FALLOC_FL_PUNCH_HOLE, 0, 4096, UD + 2));
	EXPECT_EQ(-EOPNOTSUPP, run_one(_metadata, r, UD + 2));
	/* zero or negative length, negative offset */
	ASSERT_NE(NULL, falloc_sqe(r, self->fd, 0, 0, 0, UD + 3));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD + 3));
	ASSERT_NE(NULL, falloc_sqe(r, self->fd, 0, 0, (__u64)-4096, UD + 4));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD + 4));
	ASSERT_NE(NULL, falloc_sqe(r, self->fd, 0, (__u64)-4096, 4096, UD + 5));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD + 5));

	/* not open for writing */
	rofd = open(self->path, O_RDONLY);
	ASSERT_LE(0, rofd);
	ASSERT_NE(NULL, falloc_sqe(r, rofd, 0, 0, 4096, UD + 6));
	EXPECT_EQ(-EBADF, run_one(_metadata, r, UD + 6));
	close(rofd);

	/* a pipe */
	ASSERT_NE(NULL, falloc_sqe(r, self->pipefd[1], 0, 0, 4096, UD + 7));
	EXPECT_EQ(-ESPIPE, run_one(_metadata, r, UD + 7));

	/* fields prep requires to be zero */
	sqe = falloc_sqe(r, self->fd, 0, 0, 4096, UD + 8);
	ASSERT_NE(NULL, sqe);
	sqe->rw_flags = 1;
	expect_prep_fail(_metadata, r, UD + 8, -EINVAL);
	sqe = falloc_sqe(r, self->fd, 0, 0, 4096, UD + 9);
	ASSERT_NE(NULL, sqe);
	sqe->buf_index = 1;
	expect_prep_fail(_metadata, r, UD + 9, -EINVAL);
	sqe = falloc_sqe(r, self->fd, 0, 0, 4096, UD + 10);
	ASSERT_NE(NULL, sqe);
	sqe->splice_fd_in = 1;
	expect_prep_fail(_metadata, r, UD + 10, -EINVAL);

	/* nothing was allocated */
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(0, st.st_size);
}

/* ---------------------------------------------------------------- FADVISE */

/* FADVISE: sqe->off is the offset, sqe->addr (or sqe->len if 0) the length */
static struct io_uring_sqe *fadvise_sqe(struct test_ring *r, int fd, __u32 advice, __u64 off,
					__u64 len, __u64 ud)
{
	struct io_uring_sqe *sqe = op_sqe(r, IORING_OP_FADVISE, fd, ud);

	if (sqe) {
		sqe->off = off;
		sqe->addr = len;
		sqe->fadvise_advice = advice;
	}
	return sqe;
}

TEST_F(fs, fadvise)
{
	static const __u32 advice[] = {
		POSIX_FADV_NORMAL, POSIX_FADV_RANDOM, POSIX_FADV_SEQUENTIAL,
		POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE,
	};
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	unsigned int i;

	fill(_metadata, self->fd, 0x21, 4096, 0);
	for (i = 0; i < ARRAY_SIZE(advice); i++) {
		ASSERT_NE(NULL, fadvise_sqe(r, self->fd, advice[i], 0, 4096, UD + i));
		EXPECT_EQ(0, run_one(_metadata, r, UD + i));
	}
	/* length in sqe->len instead */
	sqe = fadvise_sqe(r, self->fd, POSIX_FADV_DONTNEED, 0, 0, UD + i);
	ASSERT_NE(NULL, sqe);
	sqe->len = 4096;
	EXPECT_EQ(0, run_one(_metadata, r, UD + i));
	EXPECT_TRUE(file_is(self->fd, 0x21, 4096, 0));
}

TEST_F(fs, fadvise_bad)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;

	ASSERT_NE(NULL, fadvise_sqe(r, self->fd, 99, 0, 4096, UD));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD));
	/* a negative length */
	ASSERT_NE(NULL, fadvise_sqe(r, self->fd, POSIX_FADV_NORMAL, 0, (__u64)-1, UD + 1));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD + 1));
	ASSERT_NE(NULL, fadvise_sqe(r, self->pipefd[0], POSIX_FADV_NORMAL, 0, 0, UD + 2));
	EXPECT_EQ(-ESPIPE, run_one(_metadata, r, UD + 2));
	ASSERT_NE(NULL, fadvise_sqe(r, -1, POSIX_FADV_NORMAL, 0, 0, UD + 3));
	EXPECT_EQ(-EBADF, run_one(_metadata, r, UD + 3));

	sqe = fadvise_sqe(r, self->fd, POSIX_FADV_NORMAL, 0, 0, UD + 4);
	ASSERT_NE(NULL, sqe);
	sqe->buf_index = 1;
	expect_prep_fail(_metadata, r, UD + 4, -EINVAL);
	sqe = fadvise_sqe(r, self->fd, POSIX_FADV_NORMAL, 0, 0, UD + 5);
	ASSERT_NE(NULL, sqe);
	sqe->splice_fd_in = 1;
	expect_prep_fail(_metadata, r, UD + 5, -EINVAL);
}

/* ---------------------------------------------------------------- MADVISE */

/* MADVISE: sqe->addr, the length in sqe->off (64-bit) or else sqe->len */
static struct io_uring_sqe *madvise_sqe(struct test_ring *r, void *addr, __u32 len,
					__u32 advice, __u64 ud)
{
	struct io_uring_sqe *sqe = op_sqe(r, IORING_OP_MADVISE, 0, ud);

	if (sqe) {
		sqe->addr = (__u64)(uintptr_t)addr;
		sqe->len = len;
		sqe->fadvise_advice = advice;
	}
	return sqe;
}

TEST_F(fs, madvise_dontneed_anon)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	size_t ps = page_sz();
	char *p;

	p = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0xab, 4 * ps);

	/* the length in sqe->len: the first two pages are dropped */
	ASSERT_NE(NULL, madvise_sqe(r, p, 2 * ps, MADV_DONTNEED, UD));
	EXPECT_EQ(0, run_one(_metadata, r, UD));
	EXPECT_TRUE(mem_is(p, 0, 2 * ps));
	EXPECT_TRUE(mem_is(p + 2 * ps, 0xab, 2 * ps));

	/* a length in sqe->off takes precedence over sqe->len */
	memset(p, 0xcd, 4 * ps);
	sqe = madvise_sqe(r, p, 3 * ps, MADV_DONTNEED, UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->off = ps;
	EXPECT_EQ(0, run_one(_metadata, r, UD + 1));
	EXPECT_TRUE(mem_is(p, 0, ps));
	EXPECT_TRUE(mem_is(p + ps, 0xcd, 3 * ps));

	/* length 0 is a no-op */
	ASSERT_NE(NULL, madvise_sqe(r, p + ps, 0, MADV_DONTNEED, UD + 2));
	EXPECT_EQ(0, run_one(_metadata, r, UD + 2));
	EXPECT_TRUE(mem_is(p + ps, 0xcd, 3 * ps));

	/* a length that is not a page multiple is rounded up */
	ASSERT_NE(NULL, madvise_sqe(r, p + 3 * ps, 1, MADV_DONTNEED, UD + 3));
	EXPECT_EQ(0, run_one(_metadata, r, UD + 3));
	EXPECT_TRUE(mem_is(p + ps, 0xcd, 2 * ps));
	EXPECT_TRUE(mem_is(p + 3 * ps, 0, ps));

	munmap(p, 4 * ps);
}

TEST_F(fs, madvise_file)
{
	struct test_ring *r = &self->r;
	size_t ps = page_sz();
	char *p;

	ASSERT_EQ(0, ftruncate(self->fd, 2 * ps));
	p = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x3c, 2 * ps);

	ASSERT_NE(NULL, madvise_sqe(r, p, 2 * ps, MADV_WILLNEED, UD));
	EXPECT_EQ(0, run_one(_metadata, r, UD));

	/* dropping a shared file mapping keeps the data in the file */
	ASSERT_NE(NULL, madvise_sqe(r, p, 2 * ps, MADV_DONTNEED, UD + 1));
	EXPECT_EQ(0, run_one(_metadata, r, UD + 1));
	EXPECT_TRUE(mem_is(p, 0x3c, 2 * ps));
	EXPECT_TRUE(file_is(self->fd, 0x3c, 4096, 0));

	ASSERT_NE(NULL, madvise_sqe(r, p, 2 * ps, MADV_NORMAL, UD + 2));
	EXPECT_EQ(0, run_one(_metadata, r, UD + 2));
	munmap(p, 2 * ps);
}

TEST_F(fs, madvise_bad)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	size_t ps = page_sz();
	char *p;

	p = mmap(NULL, 3 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x11, 3 * ps);

	/* unknown advice */
	ASSERT_NE(NULL, madvise_sqe(r, p, ps, 12345, UD));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD));
	/* unaligned start */
	ASSERT_NE(NULL, madvise_sqe(r, p + 1, ps, MADV_DONTNEED, UD + 1));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD + 1));
	EXPECT_TRUE(mem_is(p, 0x11, 3 * ps));

	/* a range with an unmapped hole: -ENOMEM, the mapped parts are done */
	ASSERT_EQ(0, munmap(p + ps, ps));
	ASSERT_NE(NULL, madvise_sqe(r, p, 3 * ps, MADV_DONTNEED, UD + 2));
	EXPECT_EQ(-ENOMEM, run_one(_metadata, r, UD + 2));
	EXPECT_TRUE(mem_is(p, 0, ps));
	EXPECT_TRUE(mem_is(p + 2 * ps, 0, ps));

	/* fields prep requires to be zero */
	memset(p, 0x22, ps);
	sqe = madvise_sqe(r, p, ps, MADV_DONTNEED, UD + 3);
	ASSERT_NE(NULL, sqe);
	sqe->buf_index = 1;
	expect_prep_fail(_metadata, r, UD + 3, -EINVAL);
	sqe = madvise_sqe(r, p, ps, MADV_DONTNEED, UD + 4);
	ASSERT_NE(NULL, sqe);
	sqe->splice_fd_in = 1;
	expect_prep_fail(_metadata, r, UD + 4, -EINVAL);
	EXPECT_TRUE(mem_is(p, 0x22, ps));

	munmap(p, ps);
	munmap(p + 2 * ps, ps);
}

/* -------------------------------------------------------------- FTRUNCATE */

static struct io_uring_sqe *ftrunc_sqe(struct test_ring *r, int fd, __u64 len, __u64 ud)
{
	struct io_uring_sqe *sqe = op_sqe(r, IORING_OP_FTRUNCATE, fd, ud);

	if (sqe)
		sqe->off = len;
	return sqe;
}

TEST_F(fs, ftruncate)
{
	struct test_ring *r = &self->r;
	char buf[16];
	struct stat st;

	ASSERT_EQ(11, pwrite(self->fd, "hello world", 11, 0));

	/* grow: the new part reads as zeroes */
	ASSERT_NE(NULL, ftrunc_sqe(r, self->fd, 8192, UD));
	EXPECT_EQ(0, run_one(_metadata, r, UD));
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(8192, st.st_size);
	EXPECT_TRUE(file_is(self->fd, 0, 4096, 4096));
	EXPECT_TRUE(file_is(self->fd, 0, 4096 - 11, 11));

	/* shrink */
	ASSERT_NE(NULL, ftrunc_sqe(r, self->fd, 5, UD + 1));
	EXPECT_EQ(0, run_one(_metadata, r, UD + 1));
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(5, st.st_size);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(5, pread(self->fd, buf, sizeof(buf), 0));
	EXPECT_STREQ("hello", buf);

	/* same size, then to zero */
	ASSERT_NE(NULL, ftrunc_sqe(r, self->fd, 5, UD + 2));
	EXPECT_EQ(0, run_one(_metadata, r, UD + 2));
	ASSERT_NE(NULL, ftrunc_sqe(r, self->fd, 0, UD + 3));
	EXPECT_EQ(0, run_one(_metadata, r, UD + 3));
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(0, st.st_size);
}

TEST_F(fs, ftruncate_bad)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	struct stat st;
	int rofd, dfd;

	ASSERT_EQ(0, ftruncate(self->fd, 100));

	/* negative length */
	ASSERT_NE(NULL, ftrunc_sqe(r, self->fd, (__u64)-1, UD));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD));

	/* not open for writing, not a regular file */
	rofd = open(self->path, O_RDONLY);
	ASSERT_LE(0, rofd);
	ASSERT_NE(NULL, ftrunc_sqe(r, rofd, 10, UD + 1));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD + 1));
	close(rofd);
	ASSERT_NE(NULL, ftrunc_sqe(r, self->pipefd[1], 10, UD + 2));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD + 2));
	dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dfd);
	ASSERT_NE(NULL, ftrunc_sqe(r, dfd, 10, UD + 3));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD + 3));
	close(dfd);
	ASSERT_NE(NULL, ftrunc_sqe(r, -1, 10, UD + 4));
	EXPECT_EQ(-EBADF, run_one(_metadata, r, UD + 4));

	/* fields prep requires to be zero */
	sqe = ftrunc_sqe(r, self->fd, 10, UD + 5);
	ASSERT_NE(NULL, sqe);
	sqe->len = 1;
	expect_prep_fail(_metadata, r, UD + 5, -EINVAL);
	sqe = ftrunc_sqe(r, self->fd, 10, UD + 6);
	ASSERT_NE(NULL, sqe);
	sqe->addr = 1;
	expect_prep_fail(_metadata, r, UD + 6, -EINVAL);
	sqe = ftrunc_sqe(r, self->fd, 10, UD + 7);
	ASSERT_NE(NULL, sqe);
	sqe->rw_flags = 1;
	expect_prep_fail(_metadata, r, UD + 7, -EINVAL);
	sqe = ftrunc_sqe(r, self->fd, 10, UD + 8);
	ASSERT_NE(NULL, sqe);
	sqe->addr3 = 1;
	expect_prep_fail(_metadata, r, UD + 8, -EINVAL);
	sqe = ftrunc_sqe(r, self->fd, 10, UD + 9);
	ASSERT_NE(NULL, sqe);
	sqe->buf_index = 1;
	expect_prep_fail(_metadata, r, UD + 9, -EINVAL);
	sqe = ftrunc_sqe(r, self->fd, 10, UD + 10);
	ASSERT_NE(NULL, sqe);
	sqe->splice_fd_in = 1;
	expect_prep_fail(_metadata, r, UD + 10, -EINVAL);

	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(100, st.st_size);
}

/* ------------------------------------------------------------------ STATX */

static struct io_uring_sqe *statx_sqe(struct test_ring *r, int dfd, const char *path,
				      __u32 flags, __u32 mask, struct statx *buf, __u64 ud)
{
	struct io_uring_sqe *sqe = op_sqe(r, IORING_OP_STATX, dfd, ud);

	if (sqe) {
		sqe->addr = (__u64)(uintptr_t)path;
		sqe->statx_flags = flags;
		sqe->len = mask;
		sqe->addr2 = (__u64)(uintptr_t)buf;
	}
	return sqe;
}

static void expect_same_statx(struct __test_metadata *_metadata, const struct statx *a,
			      const struct statx *b)
{
	EXPECT_EQ(a->stx_mask, b->stx_mask);
	EXPECT_EQ(a->stx_size, b->stx_size);
	EXPECT_EQ(a->stx_mode, b->stx_mode);
	EXPECT_EQ(a->stx_ino, b->stx_ino);
	EXPECT_EQ(a->stx_nlink, b->stx_nlink);
	EXPECT_EQ(a->stx_uid, b->stx_uid);
	EXPECT_EQ(a->stx_gid, b->stx_gid);
	EXPECT_EQ(a->stx_blocks, b->stx_blocks);
	EXPECT_EQ(a->stx_dev_major, b->stx_dev_major);
	EXPECT_EQ(a->stx_dev_minor, b->stx_dev_minor);
	EXPECT_EQ(a->stx_mtime.tv_sec, b->stx_mtime.tv_sec);
	EXPECT_EQ(a->stx_mtime.tv_nsec, b->stx_mtime.tv_nsec);
}

TEST_F(fs, statx)
{
	struct test_ring *r = &self->r;
	struct statx want, got;
	struct stat st;
	int dfd;

	fill(_metadata, self->fd, 0x42, 1234, 0);
	ASSERT_EQ(0, fchmod(self->fd, 0640));
	ASSERT_EQ(0, fstat(self->fd, &st));
	ASSERT_EQ(0, statx(AT_FDCWD, self->path, 0, STATX_BASIC_STATS, &want));
	EXPECT_EQ(1234ULL, want.stx_size);
	EXPECT_EQ(S_IFREG | 0640, want.stx_mode);
	EXPECT_EQ((__u64)st.st_ino, want.stx_ino);

	/* an absolute path */
	memset(&got, 0xff, sizeof(got));
	ASSERT_NE(NULL, statx_sqe(r, AT_FDCWD, self->path, 0, STATX_BASIC_STATS, &got, UD));
	EXPECT_EQ(0, run_one(_metadata, r, UD));
	expect_same_statx(_metadata, &want, &got);
	EXPECT_EQ(1234ULL, got.stx_size);
	EXPECT_EQ(S_IFREG | 0640, got.stx_mode);
	EXPECT_EQ((__u64)st.st_ino, got.stx_ino);

	/* AT_EMPTY_PATH: the dirfd itself */
	memset(&got, 0xff, sizeof(got));
	ASSERT_NE(NULL, statx_sqe(r, self->fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &got,
				  UD + 1));
	EXPECT_EQ(0, run_one(_metadata, r, UD + 1));
	expect_same_statx(_metadata, &want, &got);

	/* a path relative to a directory fd */
	dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dfd);
	memset(&got, 0xff, sizeof(got));
	ASSERT_NE(NULL, statx_sqe(r, dfd, self->path + 5, 0, STATX_BASIC_STATS, &got, UD + 2));
	EXPECT_EQ(0, run_one(_metadata, r, UD + 2));
	expect_same_statx(_metadata, &want, &got);
	close(dfd);
}

TEST_F(fs, statx_symlink)
{
	struct test_ring *r = &self->r;
	struct statx want, got;

	ASSERT_EQ(0, symlink(self->path, self->link));

	/* followed by default */
	ASSERT_EQ(0, statx(AT_FDCWD, self->path, 0, STATX_BASIC_STATS, &want));
	ASSERT_NE(NULL, statx_sqe(r, AT_FDCWD, self->link, 0, STATX_BASIC_STATS, &got, UD));
	EXPECT_EQ(0, run_one(_metadata, r, UD));
	expect_same_statx(_metadata, &want, &got);

	/* AT_SYMLINK_NOFOLLOW: the link itself */
	ASSERT_EQ(0, statx(AT_FDCWD, self->link, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS,
			   &want));
	EXPECT_TRUE(S_ISLNK(want.stx_mode));
	EXPECT_EQ(strlen(self->path), want.stx_size);
	ASSERT_NE(NULL, statx_sqe(r, AT_FDCWD, self->link, AT_SYMLINK_NOFOLLOW,
				  STATX_BASIC_STATS, &got, UD + 1));
	EXPECT_EQ(0, run_one(_metadata, r, UD + 1));
	expect_same_statx(_metadata, &want, &got);
}

TEST_F(fs, statx_bad)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	struct statx got;
	size_t ps = page_sz();
	void *none;

	ASSERT_NE(NULL, statx_sqe(r, AT_FDCWD, self->missing, 0, STATX_BASIC_STATS, &got, UD));
	EXPECT_EQ(-ENOENT, run_one(_metadata, r, UD));

	/* an unwritable statx buffer */
	none = mmap(NULL, ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	ASSERT_NE(NULL, statx_sqe(r, AT_FDCWD, self->path, 0, STATX_BASIC_STATS, none, UD + 1));
	EXPECT_EQ(-EFAULT, run_one(_metadata, r, UD + 1));

	/* the path is copied in prep: a bad pointer fails there */
	ASSERT_NE(NULL, statx_sqe(r, AT_FDCWD, none, 0, STATX_BASIC_STATS, &got, UD + 2));
	expect_prep_fail(_metadata, r, UD + 2, -EFAULT);
	munmap(none, ps);
	/* so does an empty path without AT_EMPTY_PATH... */
	ASSERT_NE(NULL, statx_sqe(r, self->fd, "", 0, STATX_BASIC_STATS, &got, UD + 3));
	expect_prep_fail(_metadata, r, UD + 3, -ENOENT);
	/* ...and, unlike statx(2) on 6.12, a NULL path even with AT_EMPTY_PATH */
	ASSERT_NE(NULL, statx_sqe(r, self->fd, NULL, AT_EMPTY_PATH, STATX_BASIC_STATS, &got,
				  UD + 4));
	expect_prep_fail(_metadata, r, UD + 4, -EFAULT);

	/* unknown flags, both sync types, a reserved mask bit */
	ASSERT_NE(NULL, statx_sqe(r, AT_FDCWD, self->path, 0x80000000U, STATX_BASIC_STATS,
				  &got, UD + 5));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD + 5));
	ASSERT_NE(NULL, statx_sqe(r, AT_FDCWD, self->path, AT_STATX_SYNC_TYPE,
				  STATX_BASIC_STATS, &got, UD + 6));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD + 6));
	ASSERT_NE(NULL, statx_sqe(r, AT_FDCWD, self->path, 0, STATX__RESERVED, &got, UD + 7));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD + 7));

	/* a relative path needs a valid directory fd */
	ASSERT_NE(NULL, statx_sqe(r, -1, "tmp", 0, STATX_BASIC_STATS, &got, UD + 8));
	EXPECT_EQ(-EBADF, run_one(_metadata, r, UD + 8));
	ASSERT_NE(NULL, statx_sqe(r, self->fd, "x", 0, STATX_BASIC_STATS, &got, UD + 9));
	EXPECT_EQ(-ENOTDIR, run_one(_metadata, r, UD + 9));

	/* fields prep requires to be zero */
	sqe = statx_sqe(r, AT_FDCWD, self->path, 0, STATX_BASIC_STATS, &got, UD + 10);
	ASSERT_NE(NULL, sqe);
	sqe->buf_index = 1;
	expect_prep_fail(_metadata, r, UD + 10, -EINVAL);
	sqe = statx_sqe(r, AT_FDCWD, self->path, 0, STATX_BASIC_STATS, &got, UD + 11);
	ASSERT_NE(NULL, sqe);
	sqe->splice_fd_in = 1;
	expect_prep_fail(_metadata, r, UD + 11, -EINVAL);
}

/* ----------------------------------------------------------------- OPENAT */

static struct io_uring_sqe *openat_sqe(struct test_ring *r, int dfd, const char *path,
				       __u32 flags, __u32 mode, __u64 ud)
{
	struct io_uring_sqe *sqe = op_sqe(r, IORING_OP_OPENAT, dfd, ud);

	if (sqe) {
		sqe->addr = (__u64)(uintptr_t)path;
		sqe->open_flags = flags;
		sqe->len = mode;
	}
	return sqe;
}

/* The F_GETFL flags open(2) gives for @path with @flags. */
static int open2_getfl(struct __test_metadata *_metadata, const char *path, int flags)
{
	int fd, fl;

	fd = open(path, flags);
	ASSERT_LE(0, fd);
	fl = fcntl(fd, F_GETFL);
	close(fd);
	return fl;
}

TEST_F(fs, openat_create)
{
	struct test_ring *r = &self->r;
	char buf[8] = { 0 };
	struct stat st;
	int fd, want;

	umask(022);
	want = lowest_free_fd(_metadata);
	ASSERT_NE(NULL, openat_sqe(r, AT_FDCWD, self->path2, O_CREAT | O_EXCL | O_RDWR, 0666,
				   UD));
	fd = run_one(_metadata, r, UD);
	ASSERT_EQ(want, fd);

	/* created with mode & ~umask, not close-on-exec, no stray O_NONBLOCK */
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ((mode_t)(S_IFREG | 0644), st.st_mode);
	EXPECT_EQ(0, st.st_size);
	EXPECT_EQ(0, fcntl(fd, F_GETFD));
	EXPECT_EQ(open2_getfl(_metadata, self->path2, O_RDWR), fcntl(fd, F_GETFL));

	/* usable with plain syscalls */
	EXPECT_EQ(5, write(fd, "abcde", 5));
	EXPECT_EQ(5, pread(fd, buf, 5, 0));
	EXPECT_STREQ("abcde", buf);
	close(fd);

	/* mode bits outside 07777 are dropped; O_CREAT of an existing file opens it */
	umask(0);
	ASSERT_NE(NULL, openat_sqe(r, AT_FDCWD, self->path2, O_CREAT | O_RDONLY, 0777 | S_IFDIR,
				   UD + 1));
	fd = run_one(_metadata, r, UD + 1);
	ASSERT_EQ(want, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ((mode_t)(S_IFREG | 0644), st.st_mode);
	EXPECT_EQ(5, st.st_size);
	close(fd);
	ASSERT_EQ(0, unlink(self->path2));

	ASSERT_NE(NULL, openat_sqe(r, AT_FDCWD, self->path2, O_CREAT | O_WRONLY | O_CLOEXEC,
				   04751 | S_IFDIR, UD + 2));
	fd = run_one(_metadata, r, UD + 2);
	ASSERT_EQ(want, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ((mode_t)(S_IFREG | 04751), st.st_mode);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD));
	close(fd);
}

TEST_F(fs, openat_existing)
{
	struct test_ring *r = &self->r;
	char buf[8] = { 0 };
	struct stat st, st2;
	int fd, dfd, want;

	ASSERT_EQ(6, pwrite(self->fd, "qwerty", 6, 0));
	ASSERT_EQ(0, fstat(self->fd, &st));

	/* read-only, close-on-exec */
	want = lowest_free_fd(_metadata);
	ASSERT_NE(NULL, openat_sqe(r, AT_FDCWD, self->path, O_RDONLY | O_CLOEXEC, 0, UD));
	fd = run_one(_metadata, r, UD);
	ASSERT_EQ(want, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD));
	EXPECT_EQ(open2_getfl(_metadata, self->path, O_RDONLY), fcntl(fd, F_GETFL));
	ASSERT_EQ(0, fstat(fd, &st2));
	EXPECT_EQ(st.st_ino, st2.st_ino);
	EXPECT_EQ(6, read(fd, buf, sizeof(buf)));
	EXPECT_STREQ("qwerty", buf);
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EBADF, errno);
	close(fd);

	/* relative to a directory fd; O_APPEND is kept; mode ignored without O_CREAT */
	dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dfd);
	want = lowest_free_fd(_metadata);
	ASSERT_NE(NULL, openat_sqe(r, dfd, self->path + 5, O_WRONLY | O_APPEND, 0777, UD + 1));
	fd = run_one(_metadata, r, UD + 1);
	ASSERT_EQ(want, fd);
	EXPECT_EQ(0, fcntl(fd, F_GETFD));
	EXPECT_EQ(open2_getfl(_metadata, self->path, O_WRONLY | O_APPEND), fcntl(fd, F_GETFL));
	EXPECT_EQ(2, write(fd, "ui", 2));
	close(fd);
	close(dfd);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(8, pread(self->fd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "qwertyui", 8));

	/* O_TRUNC */
	ASSERT_NE(NULL, openat_sqe(r, AT_FDCWD, self->path, O_RDWR | O_TRUNC, 0, UD + 2));
	fd = run_one(_metadata, r, UD + 2);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(0, st.st_size);
	close(fd);
}

TEST_F(fs, openat_bad)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	int want;

	want = lowest_free_fd(_metadata);
	ASSERT_EQ(0, symlink(self->path, self->link));

	ASSERT_NE(NULL, openat_sqe(r, AT_FDCWD, self->missing, O_RDONLY, 0, UD));
	EXPECT_EQ(-ENOENT, run_one(_metadata, r, UD));
	ASSERT_NE(NULL, openat_sqe(r, AT_FDCWD, self->path, O_CREAT | O_EXCL | O_RDWR, 0600,
				   UD + 1));
	EXPECT_EQ(-EEXIST, run_one(_metadata, r, UD + 1));
	ASSERT_NE(NULL, openat_sqe(r, AT_FDCWD, self->path, O_RDONLY | O_DIRECTORY, 0, UD + 2));
	EXPECT_EQ(-ENOTDIR, run_one(_metadata, r, UD + 2));
	ASSERT_NE(NULL, openat_sqe(r, AT_FDCWD, self->link, O_RDONLY | O_NOFOLLOW, 0, UD + 3));
	EXPECT_EQ(-ELOOP, run_one(_metadata, r, UD + 3));
	ASSERT_NE(NULL, openat_sqe(r, AT_FDCWD, "/tmp", O_RDWR, 0, UD + 4));
	EXPECT_EQ(-EISDIR, run_one(_metadata, r, UD + 4));
	ASSERT_NE(NULL, openat_sqe(r, AT_FDCWD, self->path2, O_CREAT | O_DIRECTORY, 0600,
				   UD + 5));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD + 5));
	/* a relative path with a bad or non-directory dirfd */
	ASSERT_NE(NULL, openat_sqe(r, -1, "tmp", O_RDONLY, 0, UD + 6));
	EXPECT_EQ(-EBADF, run_one(_metadata, r, UD + 6));
	ASSERT_NE(NULL, openat_sqe(r, self->fd, "x", O_RDONLY, 0, UD + 7));
	EXPECT_EQ(-ENOTDIR, run_one(_metadata, r, UD + 7));

	/* the name is copied in prep */
	ASSERT_NE(NULL, openat_sqe(r, AT_FDCWD, (const char *)8, O_RDONLY, 0, UD + 8));
	expect_prep_fail(_metadata, r, UD + 8, -EFAULT);
	ASSERT_NE(NULL, openat_sqe(r, AT_FDCWD, "", O_RDONLY, 0, UD + 9));
	expect_prep_fail(_metadata, r, UD + 9, -ENOENT);

	/* a field prep requires to be zero */
	sqe = openat_sqe(r, AT_FDCWD, self->path, O_RDONLY, 0, UD + 10);
	ASSERT_NE(NULL, sqe);
	sqe->buf_index = 1;
	expect_prep_fail(_metadata, r, UD + 10, -EINVAL);

	/* no fd leaked by any of the failures */
	EXPECT_EQ(want, lowest_free_fd(_metadata));
	EXPECT_EQ(-1, access(self->path2, F_OK));
}

/* ---------------------------------------------------------------- OPENAT2 */

static struct io_uring_sqe *openat2_sqe(struct test_ring *r, int dfd, const char *path,
					const void *how, __u32 size, __u64 ud)
{
	struct io_uring_sqe *sqe = op_sqe(r, IORING_OP_OPENAT2, dfd, ud);

	if (sqe) {
		sqe->addr = (__u64)(uintptr_t)path;
		sqe->addr2 = (__u64)(uintptr_t)how;
		sqe->len = size;
	}
	return sqe;
}

TEST_F(fs, openat2)
{
	struct test_ring *r = &self->r;
	struct open_how how;
	struct stat st;
	size_t ps = page_sz();
	char *big;
	int fd, want;

	ASSERT_EQ(3, pwrite(self->fd, "xyz", 3, 0));

	memset(&how, 0, sizeof(how));
	how.flags = O_RDWR | O_CLOEXEC;
	want = lowest_free_fd(_metadata);
	ASSERT_NE(NULL, openat2_sqe(r, AT_FDCWD, self->path, &how, sizeof(how), UD));
	fd = run_one(_metadata, r, UD);
	ASSERT_EQ(want, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD));
	EXPECT_EQ(open2_getfl(_metadata, self->path, O_RDWR), fcntl(fd, F_GETFL));
	EXPECT_EQ(1, write(fd, "X", 1));
	close(fd);
	EXPECT_TRUE(file_is(self->fd, 'X', 1, 0));

	/* O_CREAT with how.mode */
	umask(027);
	memset(&how, 0, sizeof(how));
	how.flags = O_CREAT | O_EXCL | O_WRONLY;
	how.mode = 0666;
	ASSERT_NE(NULL, openat2_sqe(r, AT_FDCWD, self->path2, &how, sizeof(how), UD + 1));
	fd = run_one(_metadata, r, UD + 1);
	ASSERT_EQ(want, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ((mode_t)(S_IFREG | 0640), st.st_mode);
	EXPECT_EQ(0, fcntl(fd, F_GETFD));
	close(fd);

	/*
	 * A larger struct is fine if the tail is zero. Unlike openat2(2), which
	 * refuses sizes over PAGE_SIZE with -E2BIG, 6.12's io_uring has no such
	 * cap.
	 */
	big = calloc(1, 2 * ps);
	ASSERT_NE(NULL, big);
	how.flags = O_RDONLY;
	how.mode = 0;
	memcpy(big, &how, sizeof(how));
	ASSERT_NE(NULL, openat2_sqe(r, AT_FDCWD, self->path, big, sizeof(how) + 8, UD + 2));
	fd = run_one(_metadata, r, UD + 2);
	EXPECT_EQ(want, fd);
	close(fd);
	ASSERT_NE(NULL, openat2_sqe(r, AT_FDCWD, self->path, big, 2 * ps, UD + 3));
	fd = run_one(_metadata, r, UD + 3);
	EXPECT_EQ(want, fd);
	close(fd);
	free(big);
}

TEST_F(fs, openat2_resolve)
{
	struct test_ring *r = &self->r;
	struct open_how how;
	struct stat st, st2;
	char rel[80];
	int fd, dfd;

	ASSERT_EQ(0, symlink(self->path, self->link));
	ASSERT_EQ(0, fstat(self->fd, &st));
	dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dfd);

	/* RESOLVE_NO_SYMLINKS: fine on a plain path, -ELOOP through a symlink */
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY;
	how.resolve = RESOLVE_NO_SYMLINKS;
	ASSERT_NE(NULL, openat2_sqe(r, AT_FDCWD, self->path, &how, sizeof(how), UD));
	fd = run_one(_metadata, r, UD);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_NE(NULL, openat2_sqe(r, AT_FDCWD, self->link, &how, sizeof(how), UD + 1));
	EXPECT_EQ(-ELOOP, run_one(_metadata, r, UD + 1));
	/* without it the link is followed */
	how.resolve = 0;
	ASSERT_NE(NULL, openat2_sqe(r, AT_FDCWD, self->link, &how, sizeof(how), UD + 2));
	fd = run_one(_metadata, r, UD + 2);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st2));
	EXPECT_EQ(st.st_ino, st2.st_ino);
	close(fd);

	/* RESOLVE_BENEATH: no escaping dirfd, no absolute paths */
	how.resolve = RESOLVE_BENEATH;
	ASSERT_NE(NULL, openat2_sqe(r, dfd, self->path + 5, &how, sizeof(how), UD + 3));
	fd = run_one(_metadata, r, UD + 3);
	ASSERT_LE(0, fd);
	close(fd);
	snprintf(rel, sizeof(rel), "../tmp/%s", self->path + 5);
	ASSERT_NE(NULL, openat2_sqe(r, dfd, rel, &how, sizeof(how), UD + 4));
	EXPECT_EQ(-EXDEV, run_one(_metadata, r, UD + 4));
	ASSERT_NE(NULL, openat2_sqe(r, dfd, self->path, &how, sizeof(how), UD + 5));
	EXPECT_EQ(-EXDEV, run_one(_metadata, r, UD + 5));

	/* RESOLVE_IN_ROOT: "/" and ".." stay at dirfd */
	how.resolve = RESOLVE_IN_ROOT;
	snprintf(rel, sizeof(rel), "/../%s", self->path + 5);
	ASSERT_NE(NULL, openat2_sqe(r, dfd, rel, &how, sizeof(how), UD + 6));
	fd = run_one(_metadata, r, UD + 6);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st2));
	EXPECT_EQ(st.st_ino, st2.st_ino);
	close(fd);

	/* RESOLVE_CACHED cannot create: -EAGAIN, not retried */
	how.flags = O_CREAT | O_RDWR;
	how.mode = 0600;
	how.resolve = RESOLVE_CACHED;
	ASSERT_NE(NULL, openat2_sqe(r, AT_FDCWD, self->path2, &how, sizeof(how), UD + 7));
	EXPECT_EQ(-EAGAIN, run_one(_metadata, r, UD + 7));
	EXPECT_EQ(-1, access(self->path2, F_OK));

	close(dfd);
}

TEST_F(fs, openat2_bad)
{
	struct test_ring *r = &self->r;
	struct {
		struct open_how how;
		__u64 tail;
	} ext;
	struct io_uring_sqe *sqe;
	struct open_how how;
	int want;

	want = lowest_free_fd(_metadata);
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY;

	/* bad sizes and pointers are found in prep */
	ASSERT_NE(NULL, openat2_sqe(r, AT_FDCWD, self->path, &how, 0, UD));
	expect_prep_fail(_metadata, r, UD, -EINVAL);
	ASSERT_NE(NULL, openat2_sqe(r, AT_FDCWD, self->path, &how, OPEN_HOW_SIZE_VER0 - 1,
				    UD + 1));
	expect_prep_fail(_metadata, r, UD + 1, -EINVAL);
	memset(&ext, 0, sizeof(ext));
	ext.how = how;
	ext.tail = 1;
	ASSERT_NE(NULL, openat2_sqe(r, AT_FDCWD, self->path, &ext, sizeof(ext), UD + 2));
	expect_prep_fail(_metadata, r, UD + 2, -E2BIG);
	ASSERT_NE(NULL, openat2_sqe(r, AT_FDCWD, self->path, (void *)8, sizeof(how), UD + 3));
	expect_prep_fail(_metadata, r, UD + 3, -EFAULT);
	ASSERT_NE(NULL, openat2_sqe(r, AT_FDCWD, (const char *)8, &how, sizeof(how), UD + 4));
	expect_prep_fail(_metadata, r, UD + 4, -EFAULT);
	sqe = openat2_sqe(r, AT_FDCWD, self->path, &how, sizeof(how), UD + 5);
	ASSERT_NE(NULL, sqe);
	sqe->buf_index = 1;
	expect_prep_fail(_metadata, r, UD + 5, -EINVAL);

	/* bad open_how contents are found at issue time */
	how.resolve = 1ULL << 40;
	ASSERT_NE(NULL, openat2_sqe(r, AT_FDCWD, self->path, &how, sizeof(how), UD + 6));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD + 6));
	how.resolve = RESOLVE_BENEATH | RESOLVE_IN_ROOT;
	ASSERT_NE(NULL, openat2_sqe(r, AT_FDCWD, self->path, &how, sizeof(how), UD + 7));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD + 7));
	how.resolve = 0;
	how.flags = O_RDONLY | (1ULL << 40);
	ASSERT_NE(NULL, openat2_sqe(r, AT_FDCWD, self->path, &how, sizeof(how), UD + 8));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD + 8));
	/* a mode without O_CREAT, or a mode with non-permission bits */
	how.flags = O_RDONLY;
	how.mode = 0600;
	ASSERT_NE(NULL, openat2_sqe(r, AT_FDCWD, self->path, &how, sizeof(how), UD + 9));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD + 9));
	how.flags = O_CREAT | O_RDWR;
	how.mode = S_IFREG | 0600;
	ASSERT_NE(NULL, openat2_sqe(r, AT_FDCWD, self->path2, &how, sizeof(how), UD + 10));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD + 10));
	how.flags = O_RDONLY;
	how.mode = 0;
	ASSERT_NE(NULL, openat2_sqe(r, AT_FDCWD, self->missing, &how, sizeof(how), UD + 11));
	EXPECT_EQ(-ENOENT, run_one(_metadata, r, UD + 11));

	EXPECT_EQ(want, lowest_free_fd(_metadata));
	EXPECT_EQ(-1, access(self->path2, F_OK));
}

/* ------------------------------------------------------------------ CLOSE */

TEST_F(fs, close)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	struct pollfd pfd;
	char c;
	int fd;

	fd = dup(self->fd);
	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, op_sqe(r, IORING_OP_CLOSE, fd, UD));
	EXPECT_EQ(0, run_one(_metadata, r, UD));
	EXPECT_EQ(-1, fcntl(fd, F_GETFD));
	EXPECT_EQ(EBADF, errno);
	/* the other fd of the same file is untouched */
	EXPECT_TRUE(fd_is_open(self->fd));

	/* closing the only write end of a pipe: the reader sees EOF */
	ASSERT_NE(NULL, op_sqe(r, IORING_OP_CLOSE, self->pipefd[1], UD + 1));
	EXPECT_EQ(0, run_one(_metadata, r, UD + 1));
	EXPECT_FALSE(fd_is_open(self->pipefd[1]));
	self->pipefd[1] = -1;
	pfd.fd = self->pipefd[0];
	pfd.events = POLLIN;
	pfd.revents = 0;
	EXPECT_EQ(1, poll(&pfd, 1, WAIT_MS));
	EXPECT_EQ(POLLHUP, pfd.revents);
	EXPECT_EQ(0, read(self->pipefd[0], &c, 1));

	/* 6.12's io_close_prep does not look at addr3 */
	fd = dup(self->fd);
	ASSERT_LE(0, fd);
	sqe = op_sqe(r, IORING_OP_CLOSE, fd, UD + 2);
	ASSERT_NE(NULL, sqe);
	sqe->addr3 = 1;
	EXPECT_EQ(0, run_one(_metadata, r, UD + 2));
	EXPECT_FALSE(fd_is_open(fd));
}

TEST_F(fs, close_bad)
{
	struct test_ring *r = &self->r;
	struct test_ring r2;
	int fd;

	/* not an open fd */
	fd = lowest_free_fd(_metadata);
	ASSERT_NE(NULL, op_sqe(r, IORING_OP_CLOSE, fd, UD));
	EXPECT_EQ(-EBADF, run_one(_metadata, r, UD));
	ASSERT_NE(NULL, op_sqe(r, IORING_OP_CLOSE, -1, UD + 1));
	EXPECT_EQ(-EBADF, run_one(_metadata, r, UD + 1));

	/* io_uring fds are refused: the ring's own and another ring's */
	ASSERT_NE(NULL, op_sqe(r, IORING_OP_CLOSE, r->fd, UD + 2));
	EXPECT_EQ(-EBADF, run_one(_metadata, r, UD + 2));
	EXPECT_TRUE(fd_is_open(r->fd));
	ASSERT_EQ(0, ring_init_flags(&r2, 4, 0));
	ASSERT_NE(NULL, op_sqe(r, IORING_OP_CLOSE, r2.fd, UD + 3));
	EXPECT_EQ(-EBADF, run_one(_metadata, r, UD + 3));
	EXPECT_TRUE(fd_is_open(r2.fd));
	ring_exit(&r2);
}

TEST_F(fs, close_nonzero_fields)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	int fd;

	fd = dup(self->fd);
	ASSERT_LE(0, fd);

	sqe = op_sqe(r, IORING_OP_CLOSE, fd, UD);
	ASSERT_NE(NULL, sqe);
	sqe->off = 1;
	expect_prep_fail(_metadata, r, UD, -EINVAL);
	sqe = op_sqe(r, IORING_OP_CLOSE, fd, UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->addr = 1;
	expect_prep_fail(_metadata, r, UD + 1, -EINVAL);
	sqe = op_sqe(r, IORING_OP_CLOSE, fd, UD + 2);
	ASSERT_NE(NULL, sqe);
	sqe->len = 1;
	expect_prep_fail(_metadata, r, UD + 2, -EINVAL);
	sqe = op_sqe(r, IORING_OP_CLOSE, fd, UD + 3);
	ASSERT_NE(NULL, sqe);
	sqe->rw_flags = 1;
	expect_prep_fail(_metadata, r, UD + 3, -EINVAL);
	sqe = op_sqe(r, IORING_OP_CLOSE, fd, UD + 4);
	ASSERT_NE(NULL, sqe);
	sqe->buf_index = 1;
	expect_prep_fail(_metadata, r, UD + 4, -EINVAL);
	/* both an fd and a direct-descriptor slot */
	sqe = op_sqe(r, IORING_OP_CLOSE, fd, UD + 5);
	ASSERT_NE(NULL, sqe);
	sqe->file_index = 1;
	expect_prep_fail(_metadata, r, UD + 5, -EINVAL);

	/* none of them closed it */
	EXPECT_TRUE(fd_is_open(fd));
	ASSERT_NE(NULL, op_sqe(r, IORING_OP_CLOSE, fd, UD + 6));
	EXPECT_EQ(0, run_one(_metadata, r, UD + 6));
	EXPECT_FALSE(fd_is_open(fd));
}

TEST_HARNESS_MAIN
