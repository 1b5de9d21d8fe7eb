// SPDX-License-Identifier: GPL-2.0
/*
 * Reads of a file on ext4 that is not in the page cache, following Linux
 * 6.12: READ, READV and READ_FIXED at aligned and unaligned offsets, across
 * and past EOF, 32 reads in flight at once, and O_DIRECT. Each test runs
 * on a ring of each mode (see RING_MODE_VARIANTS).
 *
 * On tmpfs every read finds its page in memory. On ext4 a cold buffered
 * read is the case io_uring's first, non-blocking attempt cannot serve:
 * 6.12 retries it with the page waitqueue callback (io_rw_should_retry())
 * or in an io-wq worker, and reads regular files to the end of the range
 * or of the file (io_read(): a short read of a regular file is retried),
 * so the result is exactly the number of bytes the file has there.
 *
 * Where the ext4 comes from: $IOU_EXT4_DIR if set; else, when run as root,
 * the block device $IOU_SCRATCH_DEV (default /dev/vda, the scratch disk
 * harness/check.sh attaches), if no one has it mounted, mounted in a mount
 * namespace of the test's own; else $TMPDIR or /tmp. If that is not ext4
 * the tests skip and say why.
 *
 * A read is cold when mincore() says no page of the file is cached:
 * fsync() and POSIX_FADV_DONTNEED drop the clean pages (and, as root,
 * /proc/sys/vm/drop_caches if any are left), before each read.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "uring_test.h"

#define UD		0xc01d000000000000ULL
/* a cold read goes to the disk, which is slow under emulation */
#define WAIT_MS		10000
#define BS		4096
/* 1 MiB and a bit: EOF is not on a block boundary */
#define FSIZE		((1 << 20) + 100)
#define QD		32
#define QD_LEN		(32 * 1024)
/* fills buffers before a read: what stays so was not written */
#define POISON		0xa5

/* ---- the pattern: every byte depends on its file offset ---- */

static unsigned char pat_byte(off_t off)
{
	return (unsigned char)(((__u64)off * 0x9e3779b97f4a7c15ULL) >> 56);
}

static void pat_fill(unsigned char *p, size_t len, off_t off)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pat_byte(off + i);
}

/* Index of the first byte that is not the file's at @off, or -1. */
static long pat_mismatch(const unsigned char *p, size_t len, off_t off)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != pat_byte(off + i))
			return (long)i;
	}
	return -1;
}

/* Index of the first byte that is not POISON, or -1. */
static long poison_mismatch(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != POISON)
			return (long)i;
	}
	return -1;
}

/* ---- the ext4 scratch directory ---- */

struct scratch {
	char dir[128];
	bool mounted;
};

/* Whether the block device @rdev is mounted anywhere we can see. */
static bool dev_mounted(dev_t rdev)
{
	unsigned int maj, min;
	char line[4096];
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return true;	/* can't tell: don't touch it */
	while (!found && fgets(line, sizeof(line), f)) {
		/* "id parent maj:min root mountpoint ..." */
		if (sscanf(line, "%*u %*u %u:%u", &maj, &min) == 2 &&
		    maj == major(rdev) && min == minor(rdev))
			found = true;
	}
	fclose(f);
	return found;
}

/*
 * Mount the scratch device on a new directory in a mount namespace of
 * this process (the test's own child): if the test dies, the mount goes
 * with it. Returns NULL or why it could not.
 */
static const char *mount_scratch(struct scratch *s, const char *dev)
{
	static char why[256];

	if (unshare(CLONE_NEWNS)) {
		snprintf(why, sizeof(why), "cannot make a mount namespace: %s", strerror(errno));
		return why;
	}
	/*
	 * Where / is shared (systemd), keep the mount from propagating back.
	 * In a chroot whose / is no mount point this fails; there the mounts
	 * are private already unless someone made them shared.
	 */
	mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	snprintf(s->dir, sizeof(s->dir), "/tmp/iou-coldread-XXXXXX");
	if (!mkdtemp(s->dir)) {
		snprintf(why, sizeof(why), "mkdtemp: %s", strerror(errno));
		return why;
	}
	if (mount(dev, s->dir, "ext4", 0, NULL)) {
		snprintf(why, sizeof(why), "cannot mount %s as ext4: %s", dev, strerror(errno));
		rmdir(s->dir);
		return why;
	}
	s->mounted = true;
	return NULL;
}

/* Find (or mount) the ext4 directory. Returns NULL or why there is none. */
static const char *scratch_setup(struct scratch *s)
{
	static char why[512];
	const char *dev, *dir, *err = NULL;
	struct statfs sfs;
	struct stat st;

	memset(s, 0, sizeof(*s));
	dir = getenv("IOU_EXT4_DIR");
	if (!dir) {
		dev = getenv("IOU_SCRATCH_DEV") ?: "/dev/vda";
		if (!geteuid() && !stat(dev, &st) && S_ISBLK(st.st_mode) &&
		    !dev_mounted(st.st_rdev)) {
			err = mount_scratch(s, dev);
			if (err)
				return err;
			dir = s->dir;
		}
	}
	if (!dir)
		dir = getenv("TMPDIR") ?: "/tmp";
	if (dir != s->dir)
		snprintf(s->dir, sizeof(s->dir), "%s", dir);
	if (statfs(s->dir, &sfs)) {
		snprintf(why, sizeof(why), "statfs %s: %s", s->dir, strerror(errno));
		return why;
	}
	if (sfs.f_type != EXT4_SUPER_MAGIC) {
		snprintf(why, sizeof(why),
			 "%s is not ext4 (f_type 0x%lx): set IOU_EXT4_DIR, or attach an unmounted ext4 disk as IOU_SCRATCH_DEV (default /dev/vda) and run as root",
			 s->dir, (unsigned long)sfs.f_type);
		return why;
	}
	return NULL;
}

static void scratch_teardown(struct scratch *s)
{
	if (s->mounted) {
		umount2(s->dir, MNT_DETACH);
		rmdir(s->dir);
		s->mounted = false;
	}
}

/* ---- the page cache ---- */

/* Pages of the file (@size bytes) in the page cache, or -1. */
static long cached_pages(int fd, size_t size)
{
	size_t ps = sysconf(_SC_PAGESIZE), n = (size + ps - 1) / ps, i;
	unsigned char vec[(FSIZE + BS - 1) / BS + 1];
	long nr = 0;
	void *map;

	if (n > sizeof(vec))
		return -1;
	/* a mapping we never touch maps no page: mincore() sees the cache */
	map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return -1;
	if (mincore(map, size, vec))
		nr = -1;
	for (i = 0; nr >= 0 && i < n; i++)
		nr += vec[i] & 1;
	munmap(map, size);
	return nr;
}

/*
 * Drop the file from the page cache. Returns how many of its pages are
 * still cached (0 on success), or -1.
 */
static long drop_cache(int fd)
{
	long nr;
	int f;

	/* only clean pages can go: write back first */
	if (fsync(fd) || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED))
		return -1;
	nr = cached_pages(fd, FSIZE);
	if (nr > 0 && !geteuid()) {
		/* a page still on a per-CPU LRU list: the big hammer */
		f = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
		if (f >= 0) {
			if (write(f, "1", 1) != 1)
				nr = -1;
			close(f);
		}
		if (nr > 0)
			nr = cached_pages(fd, FSIZE);
	}
	return nr;
}

/* ---- the fixture: a ring and a 1 MiB (+100) file on ext4 ---- */

FIXTURE(coldread) {
	struct test_ring r;
	struct scratch s;
	char path[160];
	int fd;		/* O_RDWR */
	int dfd;	/* O_RDONLY | O_DIRECT */
	unsigned char *buf;	/* 2 MiB, page aligned */
};

RING_MODE_VARIANTS(coldread);

#define BUF_SZ		(2 << 20)

FIXTURE_SETUP(coldread)
{
	unsigned char *chunk;
	const char *why;
	off_t off;
	size_t n;

	self->fd = -1;
	self->dfd = -1;
	self->buf = MAP_FAILED;
	memset(&self->r, 0, sizeof(self->r));
	self->r.fd = -1;
	why = scratch_setup(&self->s);
	if (why)
		SKIP(return, "%s", why);

	snprintf(self->path, sizeof(self->path), "%s/io_uring_cold.XXXXXX", self->s.dir);
	self->fd = mkostemp(self->path, O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	chunk = malloc(64 * 1024);
	ASSERT_NE(NULL, chunk);
	for (off = 0; off < FSIZE; off += n) {
		n = FSIZE - off < 64 * 1024 ? FSIZE - off : 64 * 1024;
		pat_fill(chunk, n, off);
		ASSERT_EQ((ssize_t)n, pwrite(self->fd, chunk, n, off));
	}
	free(chunk);
	ASSERT_EQ(0, fsync(self->fd));
	self->dfd = open(self->path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	ASSERT_LE(0, self->dfd);

	self->buf = mmap(NULL, BUF_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	ASSERT_EQ(0, ring_init_mode(&self->r, 2 * QD, variant->setup_flags));
}

FIXTURE_TEARDOWN(coldread)
{
	ring_exit(&self->r);
	if (self->buf != MAP_FAILED)
		munmap(self->buf, BUF_SZ);
	if (self->dfd >= 0)
		close(self->dfd);
	if (self->fd >= 0) {
		close(self->fd);
		unlink(self->path);
	}
	scratch_teardown(&self->s);
}

/* Drop the file from the page cache; the test fails if it stays. */
#define ASSERT_COLD(self) do {							\
	long __nr = drop_cache((self)->fd);					\
	ASSERT_EQ(0, __nr) {							\
		TH_LOG("%ld page(s) of the file still cached", __nr);		\
	}									\
} while (0)

static struct io_uring_sqe *queue_rw(struct test_ring *r, unsigned int op, int fd,
				     const void *addr, unsigned int len, off_t off, __u64 ud)
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

/* Submit the one queued SQE; its result, or INT_MIN (logged) if none. */
static int submit_one(struct __test_metadata *_metadata, struct test_ring *r, __u64 ud)
{
	struct io_uring_cqe cqe;
	int ret;

	ret = ring_submit_mode(r, 1);
	if (ret != 1) {
		TH_LOG("submit: %d", ret);
		return INT_MIN;
	}
	ret = ring_pop_cqe(r, &cqe, WAIT_MS);
	if (ret) {
		TH_LOG("no CQE: %d", ret);
		return INT_MIN;
	}
	if (cqe.user_data != ud || cqe.flags) {
		TH_LOG("CQE user_data 0x%llx flags 0x%x", (unsigned long long)cqe.user_data,
		       cqe.flags);
		return INT_MIN;
	}
	return cqe.res;
}

/*
 * @got bytes at @p are the file's at @off, and the rest of @len bytes is
 * still POISON: the read wrote exactly what it reported.
 */
static void expect_file_data(struct __test_metadata *_metadata, const unsigned char *p,
			     size_t got, size_t len, off_t off)
{
	long m = pat_mismatch(p, got, off);

	EXPECT_EQ(-1, m) {
		TH_LOG("byte %ld of a read at %lld differs", m, (long long)off);
	}
	m = poison_mismatch(p + got, len - got);
	EXPECT_EQ(-1, m) {
		TH_LOG("byte %ld past the end of a read at %lld was written",
		       m + (long)got, (long long)off);
	}
}

struct read_case {
	off_t off;
	unsigned int len;
	int res;
};

/*
 * Cold buffered reads: aligned, unaligned, large, across EOF (short), at
 * EOF and past it (0).
 */
static const struct read_case buffered_cases[] = {
	{ 0, BS, BS },
	{ 5 * BS, 64 * 1024, 64 * 1024 },
	{ 12345, 777, 777 },
	{ 300001, 200000, 200000 },
	{ FSIZE - 50, BS, 50 },
	{ FSIZE - BS - 3, 3 * BS, BS + 3 },
	{ FSIZE, BS, 0 },
	{ FSIZE + 3 * BS, 10, 0 },
};

TEST_F(coldread, read)
{
	const struct read_case *c;
	unsigned int i;
	int res;

	for (i = 0; i < ARRAY_SIZE(buffered_cases); i++) {
		c = &buffered_cases[i];
		memset(self->buf, POISON, c->len);
		ASSERT_COLD(self);
		ASSERT_NE(NULL, queue_rw(&self->r, IORING_OP_READ, self->fd, self->buf, c->len,
					 c->off, UD + i));
		res = submit_one(_metadata, &self->r, UD + i);
		EXPECT_EQ(c->res, res) {
			TH_LOG("READ of %u at %lld", c->len, (long long)c->off);
		}
		if (res == c->res)
			expect_file_data(_metadata, self->buf, res, c->len, c->off);
	}
}

/*
 * READV into three buffers of odd sizes, each followed by a POISON gap:
 * whole, and cut short by EOF in the middle of the last buffer.
 */
TEST_F(coldread, readv)
{
	static const unsigned int len[3] = { 1000, 5000, 70000 };
	static const off_t offs[2] = { BS + 1, FSIZE - 6100 };
	static const int want[2] = { 76000, 6100 };
	struct iovec iov[3];
	unsigned char *p;
	unsigned int i, j, done;
	off_t at;
	int res;

	for (i = 0; i < 2; i++) {
		memset(self->buf, POISON, 128 * 1024);
		p = self->buf;
		for (j = 0; j < 3; j++) {
			iov[j].iov_base = p;
			iov[j].iov_len = len[j];
			p += len[j] + 13;
		}
		ASSERT_COLD(self);
		ASSERT_NE(NULL, queue_rw(&self->r, IORING_OP_READV, self->fd, iov, 3, offs[i],
					 UD + i));
		res = submit_one(_metadata, &self->r, UD + i);
		EXPECT_EQ(want[i], res);
		if (res != want[i])
			continue;
		/* each buffer holds its part of the file, the gaps are untouched */
		at = offs[i];
		for (j = 0, done = 0; j < 3; j++) {
			unsigned int got = res - done < len[j] ? res - done : len[j];

			expect_file_data(_metadata, iov[j].iov_base, got, len[j] + 13, at);
			at += got;
			done += got;
		}
	}
}

/* READ_FIXED into a registered buffer, at an offset inside it. */
TEST_F(coldread, read_fixed)
{
	struct iovec reg = { .iov_base = self->buf, .iov_len = 256 * 1024 };
	static const struct read_case cases[] = {
		{ 77777, 100000, 100000 },
		{ 0, 128 * 1024, 128 * 1024 },
		{ FSIZE - 1000, 8192, 1000 },
		{ FSIZE + 1, 100, 0 },
	};
	struct io_uring_sqe *sqe;
	const struct read_case *c;
	unsigned char *p = self->buf + 100;
	unsigned int i;
	int res;

	ASSERT_EQ(0, io_uring_register(self->r.fd, IORING_REGISTER_BUFFERS, &reg, 1));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		c = &cases[i];
		memset(self->buf, POISON, reg.iov_len);
		ASSERT_COLD(self);
		sqe = queue_rw(&self->r, IORING_OP_READ_FIXED, self->fd, p, c->len, c->off, UD + i);
		ASSERT_NE(NULL, sqe);
		sqe->buf_index = 0;
		res = submit_one(_metadata, &self->r, UD + i);
		EXPECT_EQ(c->res, res) {
			TH_LOG("READ_FIXED of %u at %lld", c->len, (long long)c->off);
		}
		if (res == c->res) {
			expect_file_data(_metadata, p, res, c->len, c->off);
			EXPECT_EQ(-1, poison_mismatch(self->buf, 100));
		}
	}
	EXPECT_EQ(0, io_uring_register(self->r.fd, IORING_UNREGISTER_BUFFERS, NULL, 0));
}

/*
 * QD reads of QD_LEN each, covering the first MiB, all in flight at once;
 * each lands in its own buffer. Buffered (cold) or O_DIRECT.
 */
static void read_qd(struct __test_metadata *_metadata, struct test_ring *r, int fd,
		    unsigned char *buf)
{
	bool seen[QD] = { false };
	struct io_uring_cqe cqe;
	unsigned int i, idx;

	memset(buf, POISON, QD * QD_LEN);
	for (i = 0; i < QD; i++) {
		/* the reads go out in an order that is not the file's */
		idx = (i * 7) % QD;
		ASSERT_NE(NULL, queue_rw(r, IORING_OP_READ, fd, buf + idx * QD_LEN, QD_LEN,
					 (off_t)idx * QD_LEN, UD + idx));
	}
	ASSERT_EQ(QD, ring_submit_mode(r, QD));
	for (i = 0; i < QD; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS)) {
			TH_LOG("%u of %u reads completed", i, QD);
		}
		ASSERT_LE(UD, cqe.user_data);
		ASSERT_GT(UD + QD, cqe.user_data);
		idx = cqe.user_data - UD;
		EXPECT_FALSE(seen[idx]);
		seen[idx] = true;
		EXPECT_EQ(QD_LEN, cqe.res) {
			TH_LOG("read %u", idx);
		}
		EXPECT_EQ(0U, cqe.flags);
	}
	for (i = 0; i < QD; i++)
		expect_file_data(_metadata, buf + i * QD_LEN, QD_LEN, QD_LEN, (off_t)i * QD_LEN);
	EXPECT_EQ(0U, ring_cq_ready(r));
	EXPECT_EQ(0U, *r->cq_overflow);
}

TEST_F(coldread, qd32)
{
	ASSERT_COLD(self);
	read_qd(_metadata, &self->r, self->fd, self->buf);
}

TEST_F(coldread, qd32_direct)
{
	ASSERT_COLD(self);
	read_qd(_metadata, &self->r, self->dfd, self->buf);
	/* direct reads leave the page cache as it was */
	EXPECT_EQ(0, cached_pages(self->fd, FSIZE));
}

/*
 * O_DIRECT: iomap reads whole blocks but reports data up to i_size only
 * (iomap_dio_complete()); a file offset not aligned to the device's
 * logical block is -EINVAL (iomap_dio_bio_iter()), one at or past EOF
 * reads nothing (__iomap_dio_rw()).
 */
TEST_F(coldread, direct)
{
	static const struct read_case cases[] = {
		{ 0, 64 * 1024, 64 * 1024 },
		{ (1 << 20) - BS, 2 * BS, BS + 100 },
		{ (1 << 20) + BS, BS, 0 },
		{ 1, BS, -EINVAL },
		{ BS + 512 + 1, 512, -EINVAL },
	};
	struct iovec reg = { .iov_base = self->buf, .iov_len = 256 * 1024 };
	struct iovec iov[2];
	struct io_uring_sqe *sqe;
	const struct read_case *c;
	unsigned int i;
	int res;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		c = &cases[i];
		memset(self->buf, POISON, c->len);
		ASSERT_COLD(self);
		ASSERT_NE(NULL, queue_rw(&self->r, IORING_OP_READ, self->dfd, self->buf, c->len,
					 c->off, UD + i));
		res = submit_one(_metadata, &self->r, UD + i);
		EXPECT_EQ(c->res, res) {
			TH_LOG("O_DIRECT READ of %u at %lld", c->len, (long long)c->off);
		}
		/* the block past EOF is read whole: only what is reported counts */
		if (res == c->res && res > 0)
			EXPECT_EQ(-1, pat_mismatch(self->buf, res, c->off));
	}

	/* READV of two blocks into separate pages */
	memset(self->buf, POISON, 3 * BS);
	iov[0].iov_base = self->buf;
	iov[0].iov_len = BS;
	iov[1].iov_base = self->buf + 2 * BS;
	iov[1].iov_len = BS;
	ASSERT_NE(NULL, queue_rw(&self->r, IORING_OP_READV, self->dfd, iov, 2, 8 * BS, UD + 10));
	EXPECT_EQ(2 * BS, submit_one(_metadata, &self->r, UD + 10));
	expect_file_data(_metadata, self->buf, BS, 2 * BS, 8 * BS);
	EXPECT_EQ(-1, pat_mismatch(self->buf + 2 * BS, BS, 9 * BS));

	/* READ_FIXED from a registered buffer */
	ASSERT_EQ(0, io_uring_register(self->r.fd, IORING_REGISTER_BUFFERS, &reg, 1));
	memset(self->buf, POISON, reg.iov_len);
	sqe = queue_rw(&self->r, IORING_OP_READ_FIXED, self->dfd, self->buf + BS, 64 * 1024,
		       64 * 1024, UD + 11);
	ASSERT_NE(NULL, sqe);
	sqe->buf_index = 0;
	EXPECT_EQ(64 * 1024, submit_one(_metadata, &self->r, UD + 11));
	expect_file_data(_metadata, self->buf + BS, 64 * 1024, 64 * 1024, 64 * 1024);
	EXPECT_EQ(-1, poison_mismatch(self->buf, BS));
	EXPECT_EQ(0, io_uring_register(self->r.fd, IORING_UNREGISTER_BUFFERS, NULL, 0));
}

TEST_HARNESS_MAIN
