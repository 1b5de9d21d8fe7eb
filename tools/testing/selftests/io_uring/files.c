// SPDX-License-Identifier: GPL-2.0
/*
 * Registered files (direct descriptors), following Linux 6.12 semantics:
 * IORING_REGISTER_FILES / FILES2 / FILES_UPDATE / FILES_UPDATE2 /
 * UNREGISTER_FILES / FILE_ALLOC_RANGE, resource tags, IOSQE_FIXED_FILE,
 * IORING_OP_FILES_UPDATE, direct IORING_OP_OPENAT / IORING_OP_CLOSE and
 * IORING_OP_FIXED_FD_INSTALL.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "uring_test.h"

#define WAIT_MS		2000
#define DATA_LEN	256
#define NF		3
#define UD_OP		0x5eed0000cafe0001ULL

/* 6.12 io_uring/rsrc.c: IORING_MAX_FIXED_FILES */
#define IOU_612_MAX_FIXED_FILES	(1U << 20)

/* Deterministic per-seed file contents. */
static void fill(char *buf, int seed)
{
	int i;

	for (i = 0; i < DATA_LEN; i++)
		buf[i] = (char)(seed * 71 + i * 13 + 1);
}

/* Create a /tmp file holding fill(seed); returns an O_RDWR fd or -errno. */
static int make_file(char *path, size_t sz, int seed)
{
	char buf[DATA_LEN];
	int fd;

	snprintf(path, sz, "/tmp/iou-files-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0) {
		path[0] = '\0';
		return -errno;
	}
	fill(buf, seed);
	if (write(fd, buf, DATA_LEN) != DATA_LEN) {
		close(fd);
		unlink(path);
		path[0] = '\0';
		return -EIO;
	}
	return fd;
}

/* The fd number the next open() would return. */
static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* A descriptor number that is not open. */
static int closed_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);

	close(fd);
	return fd;
}

/* ---- registration wrappers ---- */

static int reg_files(struct test_ring *r, int *fds, unsigned int nr)
{
	return io_uring_register(r->fd, IORING_REGISTER_FILES, fds, nr);
}

static int reg_files2(struct test_ring *r, int *fds, __u64 *tags,
		      unsigned int nr, unsigned int flags)
{
	struct io_uring_rsrc_register rr;

	memset(&rr, 0, sizeof(rr));
	rr.nr = nr;
	rr.flags = flags;
	rr.data = (__u64)(uintptr_t)fds;
	rr.tags = (__u64)(uintptr_t)tags;
	return io_uring_register(r->fd, IORING_REGISTER_FILES2, &rr,
				 sizeof(rr));
}

static int upd_files(struct test_ring *r, unsigned int off, int *fds,
		     unsigned int nr)
{
	struct io_uring_files_update up;

	memset(&up, 0, sizeof(up));
	up.offset = off;
	up.fds = (__u64)(uintptr_t)fds;
	return io_uring_register(r->fd, IORING_REGISTER_FILES_UPDATE, &up, nr);
}

static int upd_files2(struct test_ring *r, unsigned int off, int *fds,
		      __u64 *tags, unsigned int nr)
{
	struct io_uring_rsrc_update2 up;

	memset(&up, 0, sizeof(up));
	up.offset = off;
	up.data = (__u64)(uintptr_t)fds;
	up.tags = (__u64)(uintptr_t)tags;
	up.nr = nr;
	return io_uring_register(r->fd, IORING_REGISTER_FILES_UPDATE2, &up,
				 sizeof(up));
}

static int unreg_files(struct test_ring *r)
{
	return io_uring_register(r->fd, IORING_UNREGISTER_FILES, NULL, 0);
}

static int alloc_range(struct test_ring *r, unsigned int off, unsigned int len,
		       __u64 resv)
{
	struct io_uring_file_index_range range = {
		.off = off, .len = len, .resv = resv,
	};

	return io_uring_register(r->fd, IORING_REGISTER_FILE_ALLOC_RANGE,
				 &range, 0);
}

/* ---- SQE helpers ---- */

static struct io_uring_sqe *get_sqe(struct __test_metadata *_metadata,
				    struct test_ring *r, __u8 op)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	ASSERT_NE(NULL, sqe);
	sqe->opcode = op;
	sqe->user_data = UD_OP;
	return sqe;
}

/* Submit the one queued SQE, pop its CQE (checking user_data, flags). */
static int run_one(struct __test_metadata *_metadata, struct test_ring *r)
{
	struct io_uring_cqe cqe;

	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
	EXPECT_EQ(UD_OP, cqe.user_data);
	EXPECT_EQ(0U, cqe.flags);
	return cqe.res;
}

/* READ/WRITE through fixed slot @slot (sqe->fd is the table index). */
static int slot_rw(struct __test_metadata *_metadata, struct test_ring *r,
		   __u8 op, int slot, void *buf, unsigned int len)
{
	struct io_uring_sqe *sqe = get_sqe(_metadata, r, op);

	sqe->flags = IOSQE_FIXED_FILE;
	sqe->fd = slot;
	sqe->addr = (__u64)(uintptr_t)buf;
	sqe->len = len;
	sqe->off = 0;
	return run_one(_metadata, r);
}

static int slot_read(struct __test_metadata *_metadata, struct test_ring *r,
		     int slot)
{
	char buf[DATA_LEN];

	return slot_rw(_metadata, r, IORING_OP_READ, slot, buf, DATA_LEN);
}

/* Slot @slot must hold the file with contents fill(seed). */
static void expect_slot(struct __test_metadata *_metadata,
			struct test_ring *r, int slot, int seed)
{
	char want[DATA_LEN], got[DATA_LEN];

	fill(want, seed);
	memset(got, 0, sizeof(got));
	ASSERT_EQ(DATA_LEN, slot_rw(_metadata, r, IORING_OP_READ, slot, got,
				    DATA_LEN)) {
		TH_LOG("reading slot %d", slot);
	}
	EXPECT_EQ(0, memcmp(want, got, DATA_LEN)) {
		TH_LOG("slot %d does not hold file %d", slot, seed);
	}
}

static void expect_slot_empty(struct __test_metadata *_metadata,
			      struct test_ring *r, int slot)
{
	EXPECT_EQ(-EBADF, slot_read(_metadata, r, slot)) {
		TH_LOG("slot %d is not empty", slot);
	}
}

/* Pop one CQE, which must match exactly. */
static void expect_cqe(struct __test_metadata *_metadata, struct test_ring *r,
		       __u64 ud, int res)
{
	struct io_uring_cqe cqe;

	ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS)) {
		TH_LOG("no CQE, expected user_data 0x%llx", (unsigned long long)ud);
	}
	EXPECT_EQ(ud, cqe.user_data);
	EXPECT_EQ(res, cqe.res);
	EXPECT_EQ(0U, cqe.flags);
}

static void expect_no_cqe(struct __test_metadata *_metadata,
			  struct test_ring *r)
{
	struct io_uring_cqe cqe;
	int ret = ring_pop_cqe(r, &cqe, 30);

	EXPECT_EQ(-ETIME, ret) {
		TH_LOG("unexpected CQE user_data 0x%llx res %d",
		       (unsigned long long)cqe.user_data, cqe.res);
	}
}

/*
 * Submit the one queued SQE, which also posts a tag CQE; both CQEs must
 * arrive (in either order). Returns the request's res.
 */
static int run_one_tagged(struct __test_metadata *_metadata,
			  struct test_ring *r, __u64 tag)
{
	struct io_uring_cqe cqe;
	bool seen_tag = false, seen_op = false;
	int i, res = 0;

	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
		EXPECT_EQ(0U, cqe.flags);
		if (cqe.user_data == tag && !seen_tag) {
			seen_tag = true;
			EXPECT_EQ(0, cqe.res);
		} else if (cqe.user_data == UD_OP && !seen_op) {
			seen_op = true;
			res = cqe.res;
		} else {
			TH_LOG("stray CQE user_data 0x%llx res %d",
			       (unsigned long long)cqe.user_data, cqe.res);
			ASSERT_TRUE(false);
		}
	}
	return res;
}

static struct io_uring_sqe *prep_openat(struct __test_metadata *_metadata,
					struct test_ring *r, const char *path,
					int flags, unsigned int file_index)
{
	struct io_uring_sqe *sqe = get_sqe(_metadata, r, IORING_OP_OPENAT);

	sqe->fd = AT_FDCWD;
	sqe->addr = (__u64)(uintptr_t)path;
	sqe->open_flags = flags;
	sqe->file_index = file_index;
	return sqe;
}

static struct io_uring_sqe *prep_close_fixed(struct __test_metadata *_metadata,
					     struct test_ring *r,
					     unsigned int file_index)
{
	struct io_uring_sqe *sqe = get_sqe(_metadata, r, IORING_OP_CLOSE);

	sqe->file_index = file_index;
	return sqe;
}

static struct io_uring_sqe *prep_files_update(struct __test_metadata *_metadata,
					      struct test_ring *r, int *fds,
					      unsigned int nr, __u64 off)
{
	struct io_uring_sqe *sqe = get_sqe(_metadata, r,
					   IORING_OP_FILES_UPDATE);

	sqe->fd = -1;
	sqe->addr = (__u64)(uintptr_t)fds;
	sqe->len = nr;
	sqe->off = off;
	return sqe;
}

static struct io_uring_sqe *prep_install(struct __test_metadata *_metadata,
					 struct test_ring *r, int slot,
					 unsigned int flags)
{
	struct io_uring_sqe *sqe = get_sqe(_metadata, r,
					   IORING_OP_FIXED_FD_INSTALL);

	sqe->flags = IOSQE_FIXED_FILE;
	sqe->fd = slot;
	sqe->install_fd_flags = flags;
	return sqe;
}

/* ---- fixture: a ring without a file table and NF scratch files ---- */

FIXTURE(files) {
	struct test_ring r;
	int fd[NF];
	char path[NF][32];
};

FIXTURE_SETUP(files)
{
	int i;

	for (i = 0; i < NF; i++) {
		self->fd[i] = -1;
		self->path[i][0] = '\0';
	}
	self->r.fd = -1;
	for (i = 0; i < NF; i++) {
		self->fd[i] = make_file(self->path[i], sizeof(self->path[i]), i);
		ASSERT_LE(0, self->fd[i]);
	}
	ASSERT_EQ(0, ring_init_flags(&self->r, 32, 0));
}

FIXTURE_TEARDOWN(files)
{
	int i;

	ring_exit(&self->r);
	for (i = 0; i < NF; i++) {
		if (self->fd[i] >= 0)
			close(self->fd[i]);
		if (self->path[i][0])
			unlink(self->path[i]);
	}
}

/* Sparse -1 entries, reads/writes by index, indices outside the table. */
TEST_F(files, register_and_use)
{
	struct test_ring *r = &self->r;
	int fds[4] = { self->fd[0], -1, self->fd[1], self->fd[2] };
	char buf[DATA_LEN], got[DATA_LEN];

	ASSERT_EQ(0, reg_files(r, fds, 4));
	/* registering posts nothing */
	EXPECT_EQ(0U, ring_cq_ready(r));

	expect_slot(_metadata, r, 0, 0);
	expect_slot(_metadata, r, 2, 1);
	expect_slot(_metadata, r, 3, 2);
	/* a -1 entry is an empty slot */
	expect_slot_empty(_metadata, r, 1);
	/* indices beyond the table (sqe->fd is unsigned there) */
	expect_slot_empty(_metadata, r, 4);
	expect_slot_empty(_metadata, r, 1000);
	expect_slot_empty(_metadata, r, -1);
	expect_slot_empty(_metadata, r, 0x7fffffff);

	/* write through a slot, exact data visible through the normal fd */
	fill(buf, 42);
	EXPECT_EQ(DATA_LEN, slot_rw(_metadata, r, IORING_OP_WRITE, 2, buf,
				    DATA_LEN));
	memset(got, 0, sizeof(got));
	EXPECT_EQ(DATA_LEN, pread(self->fd[1], got, DATA_LEN, 0));
	EXPECT_EQ(0, memcmp(buf, got, DATA_LEN));
	expect_slot(_metadata, r, 2, 42);
	/* the normal fd number is not a fixed index: fd 0.. are slots */
	expect_slot(_metadata, r, 0, 0);

	/* a normal (non-fixed) read of the same fd still works */
	{
		struct io_uring_sqe *sqe = get_sqe(_metadata, r,
						   IORING_OP_READ);

		sqe->fd = self->fd[2];
		sqe->addr = (__u64)(uintptr_t)got;
		sqe->len = DATA_LEN;
		EXPECT_EQ(DATA_LEN, run_one(_metadata, r));
		fill(buf, 2);
		EXPECT_EQ(0, memcmp(buf, got, DATA_LEN));
	}
	EXPECT_EQ(0U, ring_cq_ready(r));
}

TEST_F(files, register_errors)
{
	struct test_ring *r = &self->r;
	int fds[2] = { self->fd[0], self->fd[1] };
	int bad[2];

	/* nr_args 0 */
	EXPECT_EQ(-EINVAL, reg_files(r, fds, 0));
	/* NULL array */
	EXPECT_EQ(-EFAULT, reg_files(r, NULL, 2));
	/* unmapped array */
	EXPECT_EQ(-EFAULT, reg_files(r, (int *)8, 2));
	/* a descriptor that is not open */
	bad[0] = self->fd[0];
	bad[1] = closed_fd();
	EXPECT_EQ(-EBADF, reg_files(r, bad, 2));
	/* other negative values than -1 are not "sparse" */
	bad[1] = -2;
	EXPECT_EQ(-EBADF, reg_files(r, bad, 2));
	/* io_uring instances cannot be registered, not even the ring itself */
	bad[1] = r->fd;
	EXPECT_EQ(-EBADF, reg_files(r, bad, 2));
	/* above IORING_MAX_FIXED_FILES: checked before the array is read */
	EXPECT_EQ(-EMFILE, reg_files(r, fds, IOU_612_MAX_FIXED_FILES + 1));
	EXPECT_EQ(-EMFILE, reg_files(r, (int *)8, ~0U));

	/* none of the failures left a table behind */
	EXPECT_EQ(-ENXIO, unreg_files(r));
	ASSERT_EQ(0, reg_files(r, fds, 2));
	expect_slot(_metadata, r, 1, 1);

	/* registering twice */
	EXPECT_EQ(-EBUSY, reg_files(r, fds, 2));
	EXPECT_EQ(-EBUSY, reg_files(r, fds, 1));
	/* the table check comes before the nr_args checks */
	EXPECT_EQ(-EBUSY, reg_files(r, fds, 0));
	EXPECT_EQ(-EBUSY, reg_files(r, fds, IOU_612_MAX_FIXED_FILES + 1));
	/* ...but after the NULL-arg check of IORING_REGISTER_FILES */
	EXPECT_EQ(-EFAULT, reg_files(r, NULL, 2));
	EXPECT_EQ(-EBUSY, reg_files2(r, fds, NULL, 2, 0));
	EXPECT_EQ(-EBUSY, reg_files2(r, NULL, NULL, 2,
				     IORING_RSRC_REGISTER_SPARSE));
	/* the original table is intact */
	expect_slot(_metadata, r, 0, 0);
	expect_slot(_metadata, r, 1, 1);
}

/* The table size is limited by RLIMIT_NOFILE (soft limit). */
TEST_F(files, rlimit_nofile)
{
	struct test_ring *r = &self->r;
	struct rlimit rl;
	int fds[17];
	int i;

	for (i = 0; i < 17; i++)
		fds[i] = -1;
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	rl.rlim_cur = 16;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));

	EXPECT_EQ(-EMFILE, reg_files(r, fds, 17));
	EXPECT_EQ(-EMFILE, reg_files2(r, NULL, NULL, 17,
				      IORING_RSRC_REGISTER_SPARSE));
	EXPECT_EQ(-ENXIO, unreg_files(r));
	ASSERT_EQ(0, reg_files(r, fds, 16));
	expect_slot_empty(_metadata, r, 15);
	ASSERT_EQ(0, unreg_files(r));
	ASSERT_EQ(0, reg_files2(r, NULL, NULL, 16,
				IORING_RSRC_REGISTER_SPARSE));
	ASSERT_EQ(0, unreg_files(r));
}

/* Exactly IORING_MAX_FIXED_FILES may be registered (needs a high rlimit). */
TEST_F(files, max_fixed_files)
{
	struct test_ring *r = &self->r;
	struct rlimit rl = {
		.rlim_cur = IOU_612_MAX_FIXED_FILES,
		.rlim_max = IOU_612_MAX_FIXED_FILES,
	};

	EXPECT_EQ(-EMFILE, reg_files2(r, NULL, NULL,
				      IOU_612_MAX_FIXED_FILES + 1,
				      IORING_RSRC_REGISTER_SPARSE));
	if (setrlimit(RLIMIT_NOFILE, &rl))
		SKIP(return, "cannot raise RLIMIT_NOFILE to %u",
		     IOU_612_MAX_FIXED_FILES);
	EXPECT_EQ(-EMFILE, reg_files2(r, NULL, NULL,
				      IOU_612_MAX_FIXED_FILES + 1,
				      IORING_RSRC_REGISTER_SPARSE));
	ASSERT_EQ(0, reg_files2(r, NULL, NULL, IOU_612_MAX_FIXED_FILES,
				IORING_RSRC_REGISTER_SPARSE));
	expect_slot_empty(_metadata, r, IOU_612_MAX_FIXED_FILES - 1);
	ASSERT_EQ(1, upd_files(r, IOU_612_MAX_FIXED_FILES - 1, &self->fd[1], 1));
	expect_slot(_metadata, r, IOU_612_MAX_FIXED_FILES - 1, 1);
	expect_slot_empty(_metadata, r, IOU_612_MAX_FIXED_FILES);
	EXPECT_EQ(0, unreg_files(r));
}

/* A registered file holds its own reference. */
TEST_F(files, closed_fd_stays_usable)
{
	struct test_ring *r = &self->r;
	char buf[DATA_LEN], got[DATA_LEN];
	int fd;

	ASSERT_EQ(0, reg_files(r, &self->fd[0], 1));
	close(self->fd[0]);
	self->fd[0] = -1;
	expect_slot(_metadata, r, 0, 0);

	fill(buf, 7);
	EXPECT_EQ(DATA_LEN, slot_rw(_metadata, r, IORING_OP_WRITE, 0, buf,
				    DATA_LEN));
	expect_slot(_metadata, r, 0, 7);
	/* the data reached the file itself */
	fd = open(self->path[0], O_RDONLY);
	ASSERT_LE(0, fd);
	memset(got, 0, sizeof(got));
	EXPECT_EQ(DATA_LEN, pread(fd, got, DATA_LEN, 0));
	EXPECT_EQ(0, memcmp(buf, got, DATA_LEN));
	close(fd);
}

TEST_F(files, unregister)
{
	struct test_ring *r = &self->r;
	int fds[2] = { self->fd[0], self->fd[1] };
	char got[DATA_LEN], want[DATA_LEN];

	EXPECT_EQ(-ENXIO, unreg_files(r));
	ASSERT_EQ(0, reg_files(r, fds, 2));
	/* arguments must be NULL/0 */
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_UNREGISTER_FILES,
					     fds, 0));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_UNREGISTER_FILES,
					     NULL, 1));
	expect_slot(_metadata, r, 1, 1);

	ASSERT_EQ(0, unreg_files(r));
	expect_slot_empty(_metadata, r, 0);
	expect_slot_empty(_metadata, r, 1);
	EXPECT_EQ(-ENXIO, unreg_files(r));
	/* the normal fds are unaffected */
	fill(want, 0);
	EXPECT_EQ(DATA_LEN, pread(self->fd[0], got, DATA_LEN, 0));
	EXPECT_EQ(0, memcmp(want, got, DATA_LEN));

	/* a new table can be registered afterwards */
	fds[0] = self->fd[2];
	ASSERT_EQ(0, reg_files(r, fds, 1));
	expect_slot(_metadata, r, 0, 2);
	expect_slot_empty(_metadata, r, 1);
	EXPECT_EQ(0, unreg_files(r));
}

/* IORING_REGISTER_FILES_UPDATE (struct io_uring_files_update). */
TEST_F(files, register_files_update)
{
	struct test_ring *r = &self->r;
	struct io_uring_files_update fu;
	int fds[4] = { self->fd[0], -1, -1, -1 };
	int up[2];

	/* no table */
	up[0] = self->fd[1];
	EXPECT_EQ(-ENXIO, upd_files(r, 0, up, 1));

	ASSERT_EQ(0, reg_files(r, fds, 4));

	/* fill two empty slots */
	up[0] = self->fd[1];
	up[1] = self->fd[2];
	EXPECT_EQ(2, upd_files(r, 1, up, 2));
	expect_slot(_metadata, r, 0, 0);
	expect_slot(_metadata, r, 1, 1);
	expect_slot(_metadata, r, 2, 2);
	expect_slot_empty(_metadata, r, 3);

	/* replace one, skip one: both count */
	up[0] = self->fd[2];
	up[1] = IORING_REGISTER_FILES_SKIP;
	EXPECT_EQ(2, upd_files(r, 0, up, 2));
	expect_slot(_metadata, r, 0, 2);
	expect_slot(_metadata, r, 1, 1);

	/* clear one, and clearing an empty slot counts too */
	up[0] = -1;
	up[1] = -1;
	EXPECT_EQ(2, upd_files(r, 2, up, 2));
	expect_slot_empty(_metadata, r, 2);
	expect_slot_empty(_metadata, r, 3);
	expect_slot(_metadata, r, 1, 1);

	/* beyond the table */
	EXPECT_EQ(-EINVAL, upd_files(r, 3, up, 2));
	EXPECT_EQ(-EINVAL, upd_files(r, 4, up, 1));
	/* offset + nr overflowing 32 bits */
	EXPECT_EQ(-EOVERFLOW, upd_files(r, ~0U, up, 1));
	EXPECT_EQ(-EOVERFLOW, upd_files(r, 1, up, ~0U));
	/* nr_args 0 */
	EXPECT_EQ(-EINVAL, upd_files(r, 0, up, 0));
	/* non-zero resv */
	memset(&fu, 0, sizeof(fu));
	fu.resv = 1;
	fu.fds = (__u64)(uintptr_t)up;
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd,
					     IORING_REGISTER_FILES_UPDATE,
					     &fu, 1));
	/* NULL struct */
	EXPECT_EQ(-EFAULT, io_uring_register(r->fd,
					     IORING_REGISTER_FILES_UPDATE,
					     NULL, 1));
	/* unreadable fd array */
	EXPECT_EQ(-EFAULT, upd_files(r, 0, (int *)8, 1));
	/* bad descriptors at the first entry */
	up[0] = closed_fd();
	EXPECT_EQ(-EBADF, upd_files(r, 3, up, 1));
	up[0] = r->fd;
	EXPECT_EQ(-EBADF, upd_files(r, 3, up, 1));
	expect_slot_empty(_metadata, r, 3);
	expect_slot(_metadata, r, 0, 2);
	expect_slot(_metadata, r, 1, 1);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/*
 * A failing entry after a successful one: the count so far is returned.
 * 6.12 drops the old file of the failing slot before looking up the new
 * descriptor, so that slot ends up empty.
 */
TEST_F(files, register_files_update_partial)
{
	struct test_ring *r = &self->r;
	int fds[3] = { self->fd[0], self->fd[1], self->fd[2] };
	int up[3];

	ASSERT_EQ(0, reg_files(r, fds, 3));
	up[0] = self->fd[2];
	up[1] = closed_fd();
	up[2] = self->fd[0];
	EXPECT_EQ(1, upd_files(r, 0, up, 3));
	expect_slot(_metadata, r, 0, 2);
	expect_slot_empty(_metadata, r, 1);
	expect_slot(_metadata, r, 2, 2);
}

/* Tags: a CQE {user_data = tag, res = 0, flags = 0} when a file is dropped. */
TEST_F(files, tags_on_update)
{
	struct test_ring *r = &self->r;
	int fds[4] = { self->fd[0], self->fd[1], -1, self->fd[2] };
	__u64 tags[4] = { 100, 0xdeadbeefcafe0002ULL, 0, 400 };
	int up[2];
	__u64 ut[2];

	ASSERT_EQ(0, reg_files2(r, fds, tags, 4, 0));
	expect_no_cqe(_metadata, r);
	expect_slot(_metadata, r, 0, 0);
	expect_slot(_metadata, r, 1, 1);
	expect_slot_empty(_metadata, r, 2);
	expect_slot(_metadata, r, 3, 2);

	/* replacing a tagged file with FILES_UPDATE2 posts its tag */
	up[0] = self->fd[2];
	ut[0] = 300;
	EXPECT_EQ(1, upd_files2(r, 0, up, ut, 1));
	expect_cqe(_metadata, r, 100, 0);
	expect_no_cqe(_metadata, r);
	expect_slot(_metadata, r, 0, 2);

	/* clearing with the untagged FILES_UPDATE posts the old tag too */
	up[0] = -1;
	EXPECT_EQ(1, upd_files(r, 1, up, 1));
	expect_cqe(_metadata, r, 0xdeadbeefcafe0002ULL, 0);
	expect_no_cqe(_metadata, r);
	expect_slot_empty(_metadata, r, 1);

	/* FILES_UPDATE installs untagged files: replacing slot 0 posts 300 */
	up[0] = self->fd[0];
	EXPECT_EQ(1, upd_files(r, 0, up, 1));
	expect_cqe(_metadata, r, 300, 0);
	/* ...and the new file in slot 0 carries no tag */
	up[0] = self->fd[1];
	EXPECT_EQ(1, upd_files(r, 0, up, 1));
	expect_no_cqe(_metadata, r);
	expect_slot(_metadata, r, 0, 1);

	/* a skipped slot keeps its file and tag */
	up[0] = IORING_REGISTER_FILES_SKIP;
	EXPECT_EQ(1, upd_files2(r, 3, up, NULL, 1));
	expect_no_cqe(_metadata, r);
	expect_slot(_metadata, r, 3, 2);

	/* two tagged slots dropped in one call: one CQE each, in slot order */
	up[0] = self->fd[0];
	up[1] = self->fd[1];
	ut[0] = 501;
	ut[1] = 502;
	EXPECT_EQ(2, upd_files2(r, 1, up, ut, 2));
	expect_no_cqe(_metadata, r);
	up[0] = -1;
	up[1] = -1;
	EXPECT_EQ(2, upd_files2(r, 1, up, NULL, 2));
	expect_cqe(_metadata, r, 501, 0);
	expect_cqe(_metadata, r, 502, 0);
	expect_no_cqe(_metadata, r);
	/* replaced slot 3 (tag 400) */
	up[0] = self->fd[0];
	EXPECT_EQ(1, upd_files2(r, 3, up, NULL, 1));
	expect_cqe(_metadata, r, 400, 0);
	expect_no_cqe(_metadata, r);
	expect_slot(_metadata, r, 3, 0);
}

TEST_F(files, tags_errors)
{
	struct test_ring *r = &self->r;
	struct io_uring_rsrc_register rr;
	struct io_uring_rsrc_update2 u2;
	int fds[2] = { self->fd[0], -1 };
	__u64 tags[2] = { 1, 2 };
	int up[1];
	__u64 ut[1];

	/* a tag on an empty (-1) entry */
	EXPECT_EQ(-EINVAL, reg_files2(r, fds, tags, 2, 0));
	/* a tag on a sparse table */
	EXPECT_EQ(-EINVAL, reg_files2(r, NULL, tags, 2,
				      IORING_RSRC_REGISTER_SPARSE));
	/* SPARSE with a data array */
	EXPECT_EQ(-EINVAL, reg_files2(r, fds, NULL, 2,
				      IORING_RSRC_REGISTER_SPARSE));
	/* unknown flags */
	EXPECT_EQ(-EINVAL, reg_files2(r, fds, NULL, 2, 2));
	EXPECT_EQ(-EINVAL, reg_files2(r, NULL, NULL, 2,
				      IORING_RSRC_REGISTER_SPARSE | (1U << 31)));
	/* nr 0 */
	EXPECT_EQ(-EINVAL, reg_files2(r, fds, NULL, 0, 0));
	EXPECT_EQ(-EINVAL, reg_files2(r, NULL, NULL, 0,
				      IORING_RSRC_REGISTER_SPARSE));
	/* unreadable tags */
	EXPECT_EQ(-EFAULT, reg_files2(r, fds, (__u64 *)8, 2, 0));
	/* resv2 and the struct size */
	memset(&rr, 0, sizeof(rr));
	rr.nr = 2;
	rr.flags = IORING_RSRC_REGISTER_SPARSE;
	rr.resv2 = 1;
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_REGISTER_FILES2,
					     &rr, sizeof(rr)));
	rr.resv2 = 0;
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_REGISTER_FILES2,
					     &rr, sizeof(rr) - 8));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_REGISTER_FILES2,
					     &rr, sizeof(rr) + 8));
	EXPECT_EQ(-EFAULT, io_uring_register(r->fd, IORING_REGISTER_FILES2,
					     NULL, sizeof(rr)));
	EXPECT_EQ(-ENXIO, unreg_files(r));

	/* FILES_UPDATE2 without a table */
	up[0] = self->fd[1];
	EXPECT_EQ(-ENXIO, upd_files2(r, 0, up, NULL, 1));

	tags[1] = 0;
	ASSERT_EQ(0, reg_files2(r, fds, tags, 2, 0));

	/* a tag with -1 or SKIP */
	up[0] = -1;
	ut[0] = 9;
	EXPECT_EQ(-EINVAL, upd_files2(r, 0, up, ut, 1));
	up[0] = IORING_REGISTER_FILES_SKIP;
	EXPECT_EQ(-EINVAL, upd_files2(r, 0, up, ut, 1));
	/* nr 0, resv, resv2, size */
	up[0] = self->fd[1];
	EXPECT_EQ(-EINVAL, upd_files2(r, 1, up, ut, 0));
	memset(&u2, 0, sizeof(u2));
	u2.offset = 1;
	u2.data = (__u64)(uintptr_t)up;
	u2.nr = 1;
	u2.resv = 1;
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd,
					     IORING_REGISTER_FILES_UPDATE2,
					     &u2, sizeof(u2)));
	u2.resv = 0;
	u2.resv2 = 1;
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd,
					     IORING_REGISTER_FILES_UPDATE2,
					     &u2, sizeof(u2)));
	u2.resv2 = 0;
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd,
					     IORING_REGISTER_FILES_UPDATE2,
					     &u2, sizeof(u2) - 8));
	/* beyond the table */
	EXPECT_EQ(-EINVAL, upd_files2(r, 2, up, NULL, 1));
	EXPECT_EQ(-EINVAL, upd_files2(r, 1, up, NULL, 2));
	/* nothing changed, nothing posted */
	expect_no_cqe(_metadata, r);
	expect_slot(_metadata, r, 0, 0);
	expect_slot_empty(_metadata, r, 1);
	/* the well-formed update works */
	EXPECT_EQ(1, io_uring_register(r->fd, IORING_REGISTER_FILES_UPDATE2,
				       &u2, sizeof(u2)));
	expect_slot(_metadata, r, 1, 1);
	expect_no_cqe(_metadata, r);
}

/*
 * 6.12 posts tag CQEs only for files dropped while the table stays
 * registered: IORING_UNREGISTER_FILES drops the remaining files silently.
 */
TEST_F(files, tags_unregister)
{
	struct test_ring *r = &self->r;
	int fds[3] = { self->fd[0], self->fd[1], -1 };
	__u64 tags[3] = { 11, 0, 0 };

	ASSERT_EQ(0, reg_files2(r, fds, tags, 3, 0));
	expect_no_cqe(_metadata, r);
	ASSERT_EQ(0, unreg_files(r));
	expect_no_cqe(_metadata, r);
	expect_slot_empty(_metadata, r, 0);
}

/* Tagged files dropped by requests post their tags as well. */
TEST_F(files, tags_on_ops)
{
	struct test_ring *r = &self->r;
	int fds[3] = { self->fd[0], self->fd[1], self->fd[2] };
	__u64 tags[3] = { 21, 22, 23 };
	int up[1];

	ASSERT_EQ(0, reg_files2(r, fds, tags, 3, 0));

	/* IORING_OP_CLOSE of a direct descriptor */
	prep_close_fixed(_metadata, r, 1);
	EXPECT_EQ(0, run_one_tagged(_metadata, r, 21));
	expect_no_cqe(_metadata, r);
	expect_slot_empty(_metadata, r, 0);

	/* direct IORING_OP_OPENAT replacing an occupied slot */
	prep_openat(_metadata, r, self->path[0], O_RDWR, 2);
	EXPECT_EQ(0, run_one_tagged(_metadata, r, 22));
	expect_no_cqe(_metadata, r);
	expect_slot(_metadata, r, 1, 0);

	/* IORING_OP_FILES_UPDATE */
	up[0] = self->fd[0];
	prep_files_update(_metadata, r, up, 1, 2);
	EXPECT_EQ(1, run_one_tagged(_metadata, r, 23));
	expect_no_cqe(_metadata, r);
	expect_slot(_metadata, r, 2, 0);

	/* files installed by requests are untagged */
	prep_close_fixed(_metadata, r, 2);
	EXPECT_EQ(0, run_one(_metadata, r));
	prep_close_fixed(_metadata, r, 3);
	EXPECT_EQ(0, run_one(_metadata, r));
	expect_no_cqe(_metadata, r);
}

/* Sparse tables: IORING_RSRC_REGISTER_SPARSE, or FILES2 with no array. */
TEST_F(files, sparse)
{
	struct test_ring *r = &self->r;
	__u64 tags[8];
	int up[1];
	int i;

	ASSERT_EQ(0, reg_files2(r, NULL, NULL, 8,
				IORING_RSRC_REGISTER_SPARSE));
	for (i = 0; i < 8; i++)
		expect_slot_empty(_metadata, r, i);
	/* a sparse table is a table: no second registration */
	EXPECT_EQ(-EBUSY, reg_files(r, &self->fd[0], 1));

	up[0] = self->fd[1];
	EXPECT_EQ(1, upd_files(r, 5, up, 1));
	expect_slot(_metadata, r, 5, 1);
	expect_slot_empty(_metadata, r, 4);
	expect_slot_empty(_metadata, r, 8);
	ASSERT_EQ(0, unreg_files(r));

	/* all-zero tags are fine with a sparse table */
	memset(tags, 0, sizeof(tags));
	ASSERT_EQ(0, reg_files2(r, NULL, tags, 8,
				IORING_RSRC_REGISTER_SPARSE));
	expect_slot_empty(_metadata, r, 0);
	ASSERT_EQ(0, unreg_files(r));

	/* without the flag, a NULL data array also registers a sparse table */
	ASSERT_EQ(0, reg_files2(r, NULL, NULL, 4, 0));
	for (i = 0; i < 4; i++)
		expect_slot_empty(_metadata, r, i);
	EXPECT_EQ(1, upd_files(r, 3, up, 1));
	expect_slot(_metadata, r, 3, 1);
	ASSERT_EQ(0, unreg_files(r));
	expect_no_cqe(_metadata, r);
}

/* IORING_OP_FILES_UPDATE with explicit offsets. */
TEST_F(files, op_files_update)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	int fds[4] = { -1, -1, -1, -1 };
	int up[2];

	/* no table: both explicit offsets and IORING_FILE_INDEX_ALLOC */
	up[0] = self->fd[0];
	prep_files_update(_metadata, r, up, 1, 0);
	EXPECT_EQ(-ENXIO, run_one(_metadata, r));
	prep_files_update(_metadata, r, up, 1, IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(-ENXIO, run_one(_metadata, r));
	EXPECT_EQ(self->fd[0], up[0]);

	ASSERT_EQ(0, reg_files(r, fds, 4));

	up[0] = self->fd[0];
	up[1] = self->fd[1];
	prep_files_update(_metadata, r, up, 2, 1);
	EXPECT_EQ(2, run_one(_metadata, r));
	/* explicit offsets: the array is not written to */
	EXPECT_EQ(self->fd[0], up[0]);
	EXPECT_EQ(self->fd[1], up[1]);
	expect_slot_empty(_metadata, r, 0);
	expect_slot(_metadata, r, 1, 0);
	expect_slot(_metadata, r, 2, 1);

	up[0] = IORING_REGISTER_FILES_SKIP;
	up[1] = -1;
	prep_files_update(_metadata, r, up, 2, 1);
	EXPECT_EQ(2, run_one(_metadata, r));
	expect_slot(_metadata, r, 1, 0);
	expect_slot_empty(_metadata, r, 2);

	/* range and overflow checks */
	prep_files_update(_metadata, r, up, 2, 3);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	prep_files_update(_metadata, r, up, 1, 4);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	prep_files_update(_metadata, r, up, 2, 0xfffffffeU);
	EXPECT_EQ(-EOVERFLOW, run_one(_metadata, r));

	/* a bad descriptor first */
	up[0] = closed_fd();
	prep_files_update(_metadata, r, up, 1, 3);
	EXPECT_EQ(-EBADF, run_one(_metadata, r));
	up[0] = r->fd;
	prep_files_update(_metadata, r, up, 1, 3);
	EXPECT_EQ(-EBADF, run_one(_metadata, r));
	prep_files_update(_metadata, r, (int *)8, 1, 3);
	EXPECT_EQ(-EFAULT, run_one(_metadata, r));

	/* prep errors */
	up[0] = self->fd[2];
	prep_files_update(_metadata, r, up, 0, 3);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	sqe = prep_files_update(_metadata, r, up, 1, 3);
	sqe->flags = IOSQE_FIXED_FILE;
	sqe->fd = 0;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	sqe = prep_files_update(_metadata, r, up, 1, 3);
	sqe->rw_flags = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	sqe = prep_files_update(_metadata, r, up, 1, 3);
	sqe->splice_fd_in = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	expect_slot_empty(_metadata, r, 3);

	/* finally a good one */
	prep_files_update(_metadata, r, up, 1, 3);
	EXPECT_EQ(1, run_one(_metadata, r));
	expect_slot(_metadata, r, 3, 2);
	expect_no_cqe(_metadata, r);
}

/* IORING_OP_FILES_UPDATE with IORING_FILE_INDEX_ALLOC as the offset. */
TEST_F(files, op_files_update_alloc)
{
	struct test_ring *r = &self->r;
	int up[3];

	ASSERT_EQ(0, reg_files2(r, NULL, NULL, 4,
				IORING_RSRC_REGISTER_SPARSE));

	/* chosen indices are written back into the array */
	up[0] = self->fd[2];
	up[1] = self->fd[0];
	prep_files_update(_metadata, r, up, 2, IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(2, run_one(_metadata, r));
	EXPECT_EQ(0, up[0]);
	EXPECT_EQ(1, up[1]);
	expect_slot(_metadata, r, 0, 2);
	expect_slot(_metadata, r, 1, 0);

	/* one free slot left for two files: the count done, rest untouched */
	ASSERT_EQ(1, upd_files(r, 2, &self->fd[1], 1));
	up[0] = self->fd[0];
	up[1] = self->fd[1];
	prep_files_update(_metadata, r, up, 2, IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(1, run_one(_metadata, r));
	EXPECT_EQ(3, up[0]);
	EXPECT_EQ(self->fd[1], up[1]);
	expect_slot(_metadata, r, 3, 0);

	/* full table */
	up[0] = self->fd[0];
	prep_files_update(_metadata, r, up, 1, IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(-ENFILE, run_one(_metadata, r));
	EXPECT_EQ(self->fd[0], up[0]);

	/* bad descriptors; -1 does not mean "empty" here */
	ASSERT_EQ(1, upd_files(r, 2, (int []){ -1 }, 1));
	up[0] = -1;
	prep_files_update(_metadata, r, up, 1, IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(-EBADF, run_one(_metadata, r));
	up[0] = r->fd;
	prep_files_update(_metadata, r, up, 1, IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(-EBADF, run_one(_metadata, r));
	EXPECT_EQ(r->fd, up[0]);
	expect_slot_empty(_metadata, r, 2);

	/* the freed slot is handed out again */
	up[0] = self->fd[2];
	prep_files_update(_metadata, r, up, 1, IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(1, run_one(_metadata, r));
	EXPECT_EQ(2, up[0]);
	expect_slot(_metadata, r, 2, 2);
	expect_no_cqe(_metadata, r);
}

/*
 * 6.12 allocates next-fit: the search starts at a hint (one past the last
 * slot filled, or the last slot emptied) and wraps around to the start of
 * the allocation range.
 */
TEST_F(files, alloc_next_fit)
{
	struct test_ring *r = &self->r;
	int up[2];

	ASSERT_EQ(0, reg_files2(r, NULL, NULL, 4,
				IORING_RSRC_REGISTER_SPARSE));
	/* fill slots 1 and 2 explicitly: the hint is now 3 */
	up[0] = self->fd[0];
	up[1] = self->fd[1];
	ASSERT_EQ(2, upd_files(r, 1, up, 2));
	/* 3 first, then wrap to 0 */
	up[0] = self->fd[2];
	up[1] = self->fd[0];
	prep_files_update(_metadata, r, up, 2, IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(2, run_one(_metadata, r));
	EXPECT_EQ(3, up[0]);
	EXPECT_EQ(0, up[1]);
	expect_slot(_metadata, r, 3, 2);
	expect_slot(_metadata, r, 0, 0);

	/* empty 0 then 2: the hint is the last slot emptied (2) */
	prep_close_fixed(_metadata, r, 1);
	EXPECT_EQ(0, run_one(_metadata, r));
	prep_close_fixed(_metadata, r, 3);
	EXPECT_EQ(0, run_one(_metadata, r));
	prep_openat(_metadata, r, self->path[1], O_RDONLY,
		    IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(2, run_one(_metadata, r));
	prep_openat(_metadata, r, self->path[2], O_RDONLY,
		    IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(0, run_one(_metadata, r));
	expect_slot(_metadata, r, 2, 1);
	expect_slot(_metadata, r, 0, 2);
}

/* IORING_REGISTER_FILE_ALLOC_RANGE (struct io_uring_file_index_range). */
TEST_F(files, alloc_range)
{
	struct test_ring *r = &self->r;
	struct io_uring_file_index_range range;
	int up[3];
	int i;

	/* no table: only an empty range at 0 fits */
	EXPECT_EQ(0, alloc_range(r, 0, 0, 0));
	EXPECT_EQ(-EINVAL, alloc_range(r, 0, 1, 0));

	ASSERT_EQ(0, reg_files2(r, NULL, NULL, 8,
				IORING_RSRC_REGISTER_SPARSE));
	ASSERT_EQ(0, alloc_range(r, 2, 3, 0));
	for (i = 2; i < 5; i++) {
		prep_openat(_metadata, r, self->path[0], O_RDONLY,
			    IORING_FILE_INDEX_ALLOC);
		EXPECT_EQ(i, run_one(_metadata, r));
	}
	/* the range is full although the table is not */
	prep_openat(_metadata, r, self->path[0], O_RDONLY,
		    IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(-ENFILE, run_one(_metadata, r));
	up[0] = self->fd[1];
	prep_files_update(_metadata, r, up, 1, IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(-ENFILE, run_one(_metadata, r));
	/* explicit indices outside the range still work */
	prep_openat(_metadata, r, self->path[1], O_RDONLY, 1);
	EXPECT_EQ(0, run_one(_metadata, r));
	expect_slot(_metadata, r, 0, 1);
	expect_slot(_metadata, r, 3, 0);

	/* a freed slot inside the range is reused */
	prep_close_fixed(_metadata, r, 4);
	EXPECT_EQ(0, run_one(_metadata, r));
	prep_openat(_metadata, r, self->path[2], O_RDONLY,
		    IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(3, run_one(_metadata, r));
	expect_slot(_metadata, r, 3, 2);

	/* errors */
	EXPECT_EQ(-EINVAL, alloc_range(r, 6, 3, 0));
	EXPECT_EQ(-EINVAL, alloc_range(r, 9, 0, 0));
	EXPECT_EQ(-EINVAL, alloc_range(r, 0, 9, 0));
	EXPECT_EQ(-EINVAL, alloc_range(r, 0, 1, 1));
	EXPECT_EQ(-EOVERFLOW, alloc_range(r, ~0U, 2, 0));
	EXPECT_EQ(-EOVERFLOW, alloc_range(r, 2, ~0U, 1));
	memset(&range, 0, sizeof(range));
	range.len = 1;
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd,
					     IORING_REGISTER_FILE_ALLOC_RANGE,
					     &range, 1));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd,
					     IORING_REGISTER_FILE_ALLOC_RANGE,
					     NULL, 0));
	EXPECT_EQ(-EFAULT, io_uring_register(r->fd,
					     IORING_REGISTER_FILE_ALLOC_RANGE,
					     (void *)8, 0));

	/* a range ending exactly at the end of the table */
	ASSERT_EQ(0, alloc_range(r, 5, 3, 0));
	prep_openat(_metadata, r, self->path[0], O_RDONLY,
		    IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(5, run_one(_metadata, r));
	up[0] = self->fd[0];
	up[1] = self->fd[1];
	up[2] = self->fd[2];
	prep_files_update(_metadata, r, up, 3, IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(2, run_one(_metadata, r));
	EXPECT_EQ(6, up[0]);
	EXPECT_EQ(7, up[1]);
	EXPECT_EQ(self->fd[2], up[2]);
	expect_slot(_metadata, r, 7, 1);

	/* an empty range: nothing can be allocated, though 0 and 1 are free */
	ASSERT_EQ(0, alloc_range(r, 1, 0, 0));
	prep_close_fixed(_metadata, r, 1);
	EXPECT_EQ(0, run_one(_metadata, r));
	prep_openat(_metadata, r, self->path[0], O_RDONLY,
		    IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(-ENFILE, run_one(_metadata, r));

	/* re-registering resets the range to the whole table */
	ASSERT_EQ(0, unreg_files(r));
	ASSERT_EQ(0, reg_files2(r, NULL, NULL, 2,
				IORING_RSRC_REGISTER_SPARSE));
	prep_openat(_metadata, r, self->path[0], O_RDONLY,
		    IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(0, run_one(_metadata, r));
	expect_no_cqe(_metadata, r);
}

/* IORING_OP_OPENAT into the fixed table (file_index = slot + 1). */
TEST_F(files, openat_direct)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	char buf[DATA_LEN], got[DATA_LEN];
	int before;

	ASSERT_EQ(0, reg_files2(r, NULL, NULL, 4,
				IORING_RSRC_REGISTER_SPARSE));
	before = lowest_free_fd();
	ASSERT_LE(0, before);

	/* file_index 2 is slot 1; res 0 */
	prep_openat(_metadata, r, self->path[0], O_RDWR, 2);
	EXPECT_EQ(0, run_one(_metadata, r));
	expect_slot(_metadata, r, 1, 0);
	expect_slot_empty(_metadata, r, 0);
	expect_slot_empty(_metadata, r, 2);
	/* no normal descriptor was consumed */
	EXPECT_EQ(before, lowest_free_fd());

	/* the direct descriptor is writable (O_RDWR) */
	fill(buf, 33);
	EXPECT_EQ(DATA_LEN, slot_rw(_metadata, r, IORING_OP_WRITE, 1, buf,
				    DATA_LEN));
	memset(got, 0, sizeof(got));
	EXPECT_EQ(DATA_LEN, pread(self->fd[0], got, DATA_LEN, 0));
	EXPECT_EQ(0, memcmp(buf, got, DATA_LEN));

	/* an O_RDONLY direct descriptor is not */
	prep_openat(_metadata, r, self->path[1], O_RDONLY, 1);
	EXPECT_EQ(0, run_one(_metadata, r));
	EXPECT_EQ(-EBADF, slot_rw(_metadata, r, IORING_OP_WRITE, 0, buf,
				  DATA_LEN));
	expect_slot(_metadata, r, 0, 1);

	/* IORING_FILE_INDEX_ALLOC: res is the allocated index */
	prep_openat(_metadata, r, self->path[2], O_RDONLY,
		    IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(2, run_one(_metadata, r));
	expect_slot(_metadata, r, 2, 2);
	prep_openat(_metadata, r, self->path[2], O_RDONLY,
		    IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(3, run_one(_metadata, r));
	prep_openat(_metadata, r, self->path[2], O_RDONLY,
		    IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(-ENFILE, run_one(_metadata, r));

	/* opening into an occupied slot replaces its file */
	prep_openat(_metadata, r, self->path[2], O_RDONLY, 1);
	EXPECT_EQ(0, run_one(_metadata, r));
	expect_slot(_metadata, r, 0, 2);

	/* beyond the table */
	prep_openat(_metadata, r, self->path[2], O_RDONLY, 5);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	prep_openat(_metadata, r, self->path[2], O_RDONLY, 0x7fffffff);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	/* direct open and O_CLOEXEC don't mix */
	prep_openat(_metadata, r, self->path[2], O_RDONLY | O_CLOEXEC, 1);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	prep_openat(_metadata, r, self->path[2], O_RDONLY | O_CLOEXEC,
		    IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	/* IOSQE_FIXED_FILE on OPENAT */
	sqe = prep_openat(_metadata, r, self->path[2], O_RDONLY, 1);
	sqe->flags = IOSQE_FIXED_FILE;
	EXPECT_EQ(-EBADF, run_one(_metadata, r));
	/* buf_index must be 0 */
	sqe = prep_openat(_metadata, r, self->path[2], O_RDONLY, 1);
	sqe->buf_index = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	/* open failures leave the slot alone */
	prep_openat(_metadata, r, "/tmp/iou-files-does-not-exist", O_RDONLY, 2);
	EXPECT_EQ(-ENOENT, run_one(_metadata, r));
	expect_slot(_metadata, r, 1, 33);
	expect_slot(_metadata, r, 0, 2);
	EXPECT_EQ(before, lowest_free_fd());

	/* file_index 0 is a normal open */
	prep_openat(_metadata, r, self->path[1], O_RDONLY, 0);
	EXPECT_EQ(before, run_one(_metadata, r));
	close(before);
	expect_no_cqe(_metadata, r);
}

TEST_F(files, openat_direct_no_table)
{
	struct test_ring *r = &self->r;
	int before = lowest_free_fd();

	prep_openat(_metadata, r, self->path[0], O_RDONLY, 1);
	EXPECT_EQ(-ENXIO, run_one(_metadata, r));
	/* allocation is tried before the table check */
	prep_openat(_metadata, r, self->path[0], O_RDONLY,
		    IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(-ENFILE, run_one(_metadata, r));
	EXPECT_EQ(before, lowest_free_fd());

	/* and after unregistering */
	ASSERT_EQ(0, reg_files(r, &self->fd[0], 1));
	ASSERT_EQ(0, unreg_files(r));
	prep_openat(_metadata, r, self->path[0], O_RDONLY, 1);
	EXPECT_EQ(-ENXIO, run_one(_metadata, r));
	prep_openat(_metadata, r, self->path[0], O_RDONLY,
		    IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(-ENFILE, run_one(_metadata, r));
}

/* IORING_OP_CLOSE with file_index = slot + 1. */
TEST_F(files, close_direct)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	int fds[3] = { self->fd[0], self->fd[1], -1 };
	char got[DATA_LEN], want[DATA_LEN];

	/* no table */
	prep_close_fixed(_metadata, r, 1);
	EXPECT_EQ(-ENXIO, run_one(_metadata, r));

	ASSERT_EQ(0, reg_files(r, fds, 3));
	prep_close_fixed(_metadata, r, 1);
	EXPECT_EQ(0, run_one(_metadata, r));
	expect_slot_empty(_metadata, r, 0);
	expect_slot(_metadata, r, 1, 1);
	/* the normal fd it came from is still open */
	fill(want, 0);
	EXPECT_EQ(DATA_LEN, pread(self->fd[0], got, DATA_LEN, 0));
	EXPECT_EQ(0, memcmp(want, got, DATA_LEN));

	/* empty slots */
	prep_close_fixed(_metadata, r, 1);
	EXPECT_EQ(-EBADF, run_one(_metadata, r));
	prep_close_fixed(_metadata, r, 3);
	EXPECT_EQ(-EBADF, run_one(_metadata, r));
	/* beyond the table */
	prep_close_fixed(_metadata, r, 4);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	prep_close_fixed(_metadata, r, IORING_FILE_INDEX_ALLOC);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	/* fd and file_index together */
	sqe = prep_close_fixed(_metadata, r, 2);
	sqe->fd = self->fd[1];
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	/* IOSQE_FIXED_FILE */
	sqe = prep_close_fixed(_metadata, r, 2);
	sqe->flags = IOSQE_FIXED_FILE;
	EXPECT_EQ(-EBADF, run_one(_metadata, r));
	/* reserved fields */
	sqe = prep_close_fixed(_metadata, r, 2);
	sqe->off = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	sqe = prep_close_fixed(_metadata, r, 2);
	sqe->len = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	sqe = prep_close_fixed(_metadata, r, 2);
	sqe->rw_flags = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	expect_slot(_metadata, r, 1, 1);

	prep_close_fixed(_metadata, r, 2);
	EXPECT_EQ(0, run_one(_metadata, r));
	expect_slot_empty(_metadata, r, 1);
	/* closed slots can be filled again */
	EXPECT_EQ(1, upd_files(r, 0, &self->fd[2], 1));
	expect_slot(_metadata, r, 0, 2);
	expect_no_cqe(_metadata, r);
}

/* IORING_OP_FIXED_FD_INSTALL: a direct descriptor becomes a normal fd. */
TEST_F(files, fixed_fd_install)
{
	struct test_ring *r = &self->r;
	struct stat st_want, st_got;
	char got[DATA_LEN], want[DATA_LEN];
	int fds[2] = { self->fd[0], -1 };
	int expect_fd, fd1, fd2;

	ASSERT_EQ(0, reg_files(r, fds, 2));
	ASSERT_EQ(0, fstat(self->fd[0], &st_want));

	/* res is the new fd (the lowest free one), O_CLOEXEC by default */
	expect_fd = lowest_free_fd();
	prep_install(_metadata, r, 0, 0);
	fd1 = run_one(_metadata, r);
	ASSERT_EQ(expect_fd, fd1);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd1, F_GETFD));
	ASSERT_EQ(0, fstat(fd1, &st_got));
	EXPECT_EQ(st_want.st_ino, st_got.st_ino);
	EXPECT_EQ(st_want.st_dev, st_got.st_dev);

	prep_install(_metadata, r, 0, IORING_FIXED_FD_NO_CLOEXEC);
	fd2 = run_one(_metadata, r);
	ASSERT_LE(0, fd2);
	EXPECT_NE(fd1, fd2);
	EXPECT_EQ(0, fcntl(fd2, F_GETFD));

	/* the slot keeps its file; the new fds outlive the slot */
	expect_slot(_metadata, r, 0, 0);
	prep_close_fixed(_metadata, r, 1);
	EXPECT_EQ(0, run_one(_metadata, r));
	close(self->fd[0]);
	self->fd[0] = -1;
	fill(want, 0);
	memset(got, 0, sizeof(got));
	EXPECT_EQ(DATA_LEN, pread(fd1, got, DATA_LEN, 0));
	EXPECT_EQ(0, memcmp(want, got, DATA_LEN));
	close(fd1);
	close(fd2);
	expect_fd = lowest_free_fd();

	/* empty slot, beyond the table */
	prep_install(_metadata, r, 0, 0);
	EXPECT_EQ(-EBADF, run_one(_metadata, r));
	prep_install(_metadata, r, 1, 0);
	EXPECT_EQ(-EBADF, run_one(_metadata, r));
	prep_install(_metadata, r, 2, 0);
	EXPECT_EQ(-EBADF, run_one(_metadata, r));
	EXPECT_EQ(expect_fd, lowest_free_fd());
}

TEST_F(files, fixed_fd_install_errors)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	int personality, before;

	ASSERT_EQ(0, reg_files(r, &self->fd[1], 1));
	before = lowest_free_fd();

	/* must be a fixed file */
	sqe = prep_install(_metadata, r, 0, 0);
	sqe->flags = 0;
	sqe->fd = self->fd[1];
	EXPECT_EQ(-EBADF, run_one(_metadata, r));
	/* unknown flags */
	prep_install(_metadata, r, 0, 2);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	prep_install(_metadata, r, 0, IORING_FIXED_FD_NO_CLOEXEC | (1U << 31));
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	/* prep checks come before the slot lookup */
	prep_install(_metadata, r, 5, 2);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	/* reserved fields */
	sqe = prep_install(_metadata, r, 0, 0);
	sqe->off = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	sqe = prep_install(_metadata, r, 0, 0);
	sqe->addr = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	sqe = prep_install(_metadata, r, 0, 0);
	sqe->len = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	sqe = prep_install(_metadata, r, 0, 0);
	sqe->buf_index = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	sqe = prep_install(_metadata, r, 0, 0);
	sqe->splice_fd_in = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	sqe = prep_install(_metadata, r, 0, 0);
	sqe->addr3 = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));
	/* reserved fields, then the fixed-file check, then the flags */
	sqe = prep_install(_metadata, r, 0, 2);
	sqe->flags = 0;
	EXPECT_EQ(-EBADF, run_one(_metadata, r));
	sqe = prep_install(_metadata, r, 0, 2);
	sqe->flags = 0;
	sqe->off = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r));

	/* not with another personality's credentials */
	personality = io_uring_register(r->fd, IORING_REGISTER_PERSONALITY,
					NULL, 0);
	ASSERT_LT(0, personality);
	sqe = prep_install(_metadata, r, 0, 0);
	sqe->personality = personality;
	EXPECT_EQ(-EPERM, run_one(_metadata, r));
	EXPECT_EQ(0, io_uring_register(r->fd, IORING_UNREGISTER_PERSONALITY,
				       NULL, personality));

	EXPECT_EQ(before, lowest_free_fd());
	/* and a good one for contrast */
	prep_install(_metadata, r, 0, 0);
	EXPECT_EQ(before, run_one(_metadata, r));
	close(before);
	expect_no_cqe(_metadata, r);
}

TEST_HARNESS_MAIN
