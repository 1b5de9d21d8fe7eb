// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_MSG_RING, following Linux 6.12 semantics.
 *
 * SQE layout: fd = target ring (or its fixed slot with IOSQE_FIXED_FILE),
 * addr = command (IORING_MSG_DATA / IORING_MSG_SEND_FD), len = res of the
 * target CQE, off = user_data of the target CQE, msg_ring_flags,
 * file_index = CQE flags (MSG_DATA with IORING_MSG_RING_FLAGS_PASS) or
 * target slot + 1 / IORING_FILE_INDEX_ALLOC (MSG_SEND_FD), addr3 = source
 * slot (MSG_SEND_FD).
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <stdio.h>

#include "uring_test.h"

#define WAIT_MS		5000
#define UD_S		0x5e4d000000000001ULL	/* sender's request */
#define UD_T		0x7a46e70000000000ULL	/* target CQE user_data */
#define NSLOTS		4

FIXTURE(msg) {
	struct test_ring src, dst;
	int pfd[2];
};

FIXTURE_SETUP(msg)
{
	self->src.fd = -1;
	self->dst.fd = -1;
	self->pfd[0] = -1;
	self->pfd[1] = -1;
	if (!uring_op_supported(IORING_OP_MSG_RING))
		SKIP(return, "IORING_OP_MSG_RING not supported");
	ASSERT_EQ(0, ring_init_flags(&self->src, 8, 0));
	ASSERT_EQ(0, ring_init_flags(&self->dst, 8, 0));
	ASSERT_EQ(0, pipe(self->pfd));
}

FIXTURE_TEARDOWN(msg)
{
	if (self->src.fd >= 0)
		ring_exit(&self->src);
	if (self->dst.fd >= 0)
		ring_exit(&self->dst);
	if (self->pfd[0] >= 0)
		close(self->pfd[0]);
	if (self->pfd[1] >= 0)
		close(self->pfd[1]);
}

static struct io_uring_sqe *msg_sqe(struct __test_metadata *_metadata,
				    struct test_ring *r, int fd, __u64 cmd,
				    __u32 len, __u64 data)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	ASSERT_NE(NULL, sqe);
	sqe->opcode = IORING_OP_MSG_RING;
	sqe->fd = fd;
	sqe->addr = cmd;
	sqe->len = len;
	sqe->off = data;
	sqe->user_data = UD_S;
	return sqe;
}

/* IORING_MSG_SEND_FD of source slot @src_slot to target file_index @dst. */
static struct io_uring_sqe *sendfd_sqe(struct __test_metadata *_metadata,
				       struct test_ring *r, int fd,
				       __u32 src_slot, __u32 dst, __u64 data)
{
	struct io_uring_sqe *sqe;

	sqe = msg_sqe(_metadata, r, fd, IORING_MSG_SEND_FD, 0, data);
	sqe->addr3 = src_slot;
	sqe->file_index = dst;
	return sqe;
}

/* Submit the one queued SQE on @r and return the res of its CQE (UD_S). */
static int run_one(struct __test_metadata *_metadata, struct test_ring *r)
{
	struct io_uring_cqe cqe;

	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
	EXPECT_EQ(UD_S, cqe.user_data);
	EXPECT_EQ(0U, cqe.flags);
	return cqe.res;
}

static void expect_cqe(struct __test_metadata *_metadata, struct test_ring *r,
		       __u64 ud, int res, unsigned int flags)
{
	struct io_uring_cqe cqe;

	ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS)) {
		TH_LOG("no CQE, expected user_data 0x%llx",
		       (unsigned long long)ud);
	}
	EXPECT_EQ(ud, cqe.user_data);
	EXPECT_EQ(res, cqe.res);
	EXPECT_EQ(flags, cqe.flags);
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

static int reg_sparse(struct test_ring *r, unsigned int nr)
{
	struct io_uring_rsrc_register rr;

	memset(&rr, 0, sizeof(rr));
	rr.nr = nr;
	rr.flags = IORING_RSRC_REGISTER_SPARSE;
	return io_uring_register(r->fd, IORING_REGISTER_FILES2, &rr,
				 sizeof(rr));
}

static int upd_file(struct test_ring *r, unsigned int slot, int fd)
{
	struct io_uring_files_update up;

	memset(&up, 0, sizeof(up));
	up.offset = slot;
	up.fds = (__u64)(uintptr_t)&fd;
	return io_uring_register(r->fd, IORING_REGISTER_FILES_UPDATE, &up, 1);
}

/* Read through fixed slot @slot of @r; returns res. */
static int slot_read(struct __test_metadata *_metadata, struct test_ring *r,
		     int slot, void *buf, unsigned int len)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	ASSERT_NE(NULL, sqe);
	sqe->opcode = IORING_OP_READ;
	sqe->flags = IOSQE_FIXED_FILE;
	sqe->fd = slot;
	sqe->addr = (__u64)(uintptr_t)buf;
	sqe->len = len;
	sqe->off = -1ULL;
	sqe->user_data = UD_S;
	return run_one(_metadata, r);
}

/* Slot @slot of @r must be the read end of a pipe whose write end is @wfd. */
static void expect_pipe_slot(struct __test_metadata *_metadata,
			     struct test_ring *r, int slot, int wfd,
			     const char *msg)
{
	size_t n = strlen(msg);
	char buf[64];

	memset(buf, 0, sizeof(buf));
	ASSERT_EQ((ssize_t)n, write(wfd, msg, n));
	ASSERT_EQ((int)n, slot_read(_metadata, r, slot, buf, sizeof(buf))) {
		TH_LOG("reading slot %d", slot);
	}
	EXPECT_EQ(0, memcmp(buf, msg, n));
}

/* ---------------- IORING_MSG_DATA ---------------- */

TEST_F(msg, data_basic)
{
	static const struct { __u32 len; __u64 data; } m[] = {
		{ 0x1234, UD_T },
		{ 0, 0 },
		{ (__u32)-EIO, ~0ULL },		/* res is passed verbatim */
		{ 0x7fffffff, UD_T + 1 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(m); i++) {
		msg_sqe(_metadata, &self->src, self->dst.fd, IORING_MSG_DATA,
			m[i].len, m[i].data);
		EXPECT_EQ(0, run_one(_metadata, &self->src));
		expect_cqe(_metadata, &self->dst, m[i].data, (int)m[i].len, 0);
	}
	EXPECT_EQ(0U, ring_cq_ready(&self->src));
	EXPECT_EQ(0U, ring_cq_ready(&self->dst));

	/* a batch of messages arrives in order */
	for (i = 0; i < 4; i++) {
		msg_sqe(_metadata, &self->src, self->dst.fd, IORING_MSG_DATA,
			100 + i, UD_T + i);
	}
	ASSERT_EQ(4, ring_submit(&self->src, 4, 0, 0));
	for (i = 0; i < 4; i++) {
		expect_cqe(_metadata, &self->src, UD_S, 0, 0);
	}
	for (i = 0; i < 4; i++) {
		expect_cqe(_metadata, &self->dst, UD_T + i, 100 + i, 0);
	}
	expect_no_cqe(_metadata, &self->dst);
}

TEST_F(msg, data_flags_pass)
{
	static const __u32 fl[] = { 0x5a5a0003, 0, IORING_CQE_F_MORE, ~0U };
	struct io_uring_sqe *sqe;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fl); i++) {
		sqe = msg_sqe(_metadata, &self->src, self->dst.fd,
			      IORING_MSG_DATA, 77, UD_T + i);
		sqe->msg_ring_flags = IORING_MSG_RING_FLAGS_PASS;
		sqe->file_index = fl[i];
		EXPECT_EQ(0, run_one(_metadata, &self->src));
		expect_cqe(_metadata, &self->dst, UD_T + i, 77, fl[i]);
	}
}

/*
 * A message to the sending ring itself: two CQEs on that ring, the
 * sender's (UD_S, res 0) and the message (@ud, @res), in either order.
 */
static void expect_self_pair(struct __test_metadata *_metadata,
			     struct test_ring *r, __u64 ud, int res)
{
	struct io_uring_cqe cqe;
	int i, got_s = 0, got_t = 0;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
		if (cqe.user_data == UD_S) {
			got_s++;
			EXPECT_EQ(0, cqe.res);
		} else {
			got_t++;
			EXPECT_EQ(ud, cqe.user_data);
			EXPECT_EQ(res, cqe.res);
		}
		EXPECT_EQ(0U, cqe.flags);
	}
	EXPECT_EQ(1, got_s);
	EXPECT_EQ(1, got_t);
}

TEST_F(msg, data_to_self)
{
	msg_sqe(_metadata, &self->src, self->src.fd, IORING_MSG_DATA, 42, UD_T);
	ASSERT_EQ(1, ring_submit(&self->src, 1, 0, 0));
	expect_self_pair(_metadata, &self->src, UD_T, 42);
	expect_no_cqe(_metadata, &self->src);
	EXPECT_EQ(0U, ring_cq_ready(&self->dst));
}

TEST_F(msg, data_invalid)
{
	struct test_ring *s = &self->src;
	struct io_uring_sqe *sqe;
	int id;

	/* unknown msg_ring_flags bit (prep) */
	sqe = msg_sqe(_metadata, s, self->dst.fd, IORING_MSG_DATA, 1, UD_T);
	sqe->msg_ring_flags = 1U << 2;
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));
	sqe = msg_sqe(_metadata, s, self->dst.fd, IORING_MSG_DATA, 1, UD_T);
	sqe->msg_ring_flags = 1U << 31;
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));

	/* CQE_SKIP is a SEND_FD flag: MSG_DATA refuses it */
	sqe = msg_sqe(_metadata, s, self->dst.fd, IORING_MSG_DATA, 1, UD_T);
	sqe->msg_ring_flags = IORING_MSG_RING_CQE_SKIP;
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));
	sqe = msg_sqe(_metadata, s, self->dst.fd, IORING_MSG_DATA, 1, UD_T);
	sqe->msg_ring_flags = IORING_MSG_RING_CQE_SKIP |
			      IORING_MSG_RING_FLAGS_PASS;
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));

	/* source slot (addr3) must be zero */
	sqe = msg_sqe(_metadata, s, self->dst.fd, IORING_MSG_DATA, 1, UD_T);
	sqe->addr3 = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));

	/* file_index only with FLAGS_PASS */
	sqe = msg_sqe(_metadata, s, self->dst.fd, IORING_MSG_DATA, 1, UD_T);
	sqe->file_index = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));

	/* buf_index must be zero */
	sqe = msg_sqe(_metadata, s, self->dst.fd, IORING_MSG_DATA, 1, UD_T);
	sqe->buf_index = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));

	/* unknown commands */
	msg_sqe(_metadata, s, self->dst.fd, 2, 1, UD_T);
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));
	msg_sqe(_metadata, s, self->dst.fd, ~0ULL, 1, UD_T);
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));

	/* 6.12 reads the command and source slot as u32: upper bits ignored */
	sqe = msg_sqe(_metadata, s, self->dst.fd,
		      (1ULL << 32) | IORING_MSG_DATA, 3, UD_T + 3);
	sqe->addr3 = 1ULL << 32;
	EXPECT_EQ(0, run_one(_metadata, s));
	expect_cqe(_metadata, &self->dst, UD_T + 3, 3, 0);

	/* a valid, registered personality is still refused */
	id = io_uring_register(s->fd, IORING_REGISTER_PERSONALITY, NULL, 0);
	ASSERT_LT(0, id);
	sqe = msg_sqe(_metadata, s, self->dst.fd, IORING_MSG_DATA, 1, UD_T);
	sqe->personality = id;
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));

	/* nothing reached the target */
	expect_no_cqe(_metadata, &self->dst);

	/* the rings still work */
	msg_sqe(_metadata, s, self->dst.fd, IORING_MSG_DATA, 9, UD_T);
	EXPECT_EQ(0, run_one(_metadata, s));
	expect_cqe(_metadata, &self->dst, UD_T, 9, 0);
}

TEST_F(msg, bad_target)
{
	struct test_ring *s = &self->src;
	struct io_uring_sqe *sqe;
	int nullfd, closed;

	nullfd = open("/dev/null", O_RDWR);
	ASSERT_LE(0, nullfd);
	closed = open("/dev/null", O_RDONLY);
	ASSERT_LE(0, closed);
	close(closed);

	/* not an io_uring: EBADFD, for any command */
	msg_sqe(_metadata, s, self->pfd[0], IORING_MSG_DATA, 1, UD_T);
	EXPECT_EQ(-EBADFD, run_one(_metadata, s));
	msg_sqe(_metadata, s, nullfd, IORING_MSG_DATA, 1, UD_T);
	EXPECT_EQ(-EBADFD, run_one(_metadata, s));
	msg_sqe(_metadata, s, nullfd, 7, 1, UD_T);
	EXPECT_EQ(-EBADFD, run_one(_metadata, s));
	sendfd_sqe(_metadata, s, nullfd, 0, 1, UD_T);
	EXPECT_EQ(-EBADFD, run_one(_metadata, s));

	/* not a file at all: EBADF */
	msg_sqe(_metadata, s, -1, IORING_MSG_DATA, 1, UD_T);
	EXPECT_EQ(-EBADF, run_one(_metadata, s));
	msg_sqe(_metadata, s, closed, IORING_MSG_DATA, 1, UD_T);
	EXPECT_EQ(-EBADF, run_one(_metadata, s));

	/* prep checks come before the file */
	sqe = msg_sqe(_metadata, s, -1, IORING_MSG_DATA, 1, UD_T);
	sqe->msg_ring_flags = 1U << 5;
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));
	/* the target type is checked before the command's fields */
	sqe = msg_sqe(_metadata, s, nullfd, IORING_MSG_DATA, 1, UD_T);
	sqe->addr3 = 3;
	EXPECT_EQ(-EBADFD, run_one(_metadata, s));

	close(nullfd);
	expect_no_cqe(_metadata, &self->dst);
}

/*
 * IOSQE_FIXED_FILE: sqe->fd is a slot of the sender's file table. A ring
 * cannot be registered there, so this can only reach non-ring files.
 */
TEST_F(msg, fixed_file_target)
{
	struct test_ring *s = &self->src;
	struct io_uring_sqe *sqe;
	int fds[2];

	fds[0] = self->dst.fd;
	EXPECT_EQ(-EBADF, io_uring_register(s->fd, IORING_REGISTER_FILES,
					    fds, 1));
	ASSERT_EQ(0, reg_sparse(s, 2));
	EXPECT_EQ(-EBADF, upd_file(s, 0, self->dst.fd));
	EXPECT_EQ(1, upd_file(s, 1, self->pfd[0]));

	/* a ring fd never got in */
	sqe = msg_sqe(_metadata, s, 0, IORING_MSG_DATA, 1, UD_T);
	sqe->flags = IOSQE_FIXED_FILE;
	EXPECT_EQ(-EBADF, run_one(_metadata, s));
	sqe = msg_sqe(_metadata, s, 1, IORING_MSG_DATA, 1, UD_T);
	sqe->flags = IOSQE_FIXED_FILE;
	EXPECT_EQ(-EBADFD, run_one(_metadata, s));
	sqe = msg_sqe(_metadata, s, 2, IORING_MSG_DATA, 1, UD_T);
	sqe->flags = IOSQE_FIXED_FILE;
	EXPECT_EQ(-EBADF, run_one(_metadata, s));
	expect_no_cqe(_metadata, &self->dst);
}

TEST_F(msg, target_r_disabled)
{
	struct test_ring *s = &self->src, d;
	struct io_uring_sqe *sqe;

	ASSERT_EQ(0, ring_init_flags(&d, 4, IORING_SETUP_R_DISABLED));
	ASSERT_EQ(0, reg_sparse(s, 1));
	ASSERT_EQ(1, upd_file(s, 0, self->pfd[0]));
	ASSERT_EQ(0, reg_sparse(&d, 1));

	msg_sqe(_metadata, s, d.fd, IORING_MSG_DATA, 1, UD_T);
	EXPECT_EQ(-EBADFD, run_one(_metadata, s));
	sqe = msg_sqe(_metadata, s, d.fd, IORING_MSG_DATA, 1, UD_T);
	sqe->msg_ring_flags = IORING_MSG_RING_FLAGS_PASS;
	sqe->file_index = 5;
	EXPECT_EQ(-EBADFD, run_one(_metadata, s));
	sendfd_sqe(_metadata, s, d.fd, 0, 1, UD_T);
	EXPECT_EQ(-EBADFD, run_one(_metadata, s));
	/* R_DISABLED is checked before the source slot */
	sendfd_sqe(_metadata, s, d.fd, 7, 1, UD_T);
	EXPECT_EQ(-EBADFD, run_one(_metadata, s));
	/* ... but after the MSG_DATA field checks */
	sqe = msg_sqe(_metadata, s, d.fd, IORING_MSG_DATA, 1, UD_T);
	sqe->addr3 = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));
	/* and after SEND_FD's len check */
	sqe = sendfd_sqe(_metadata, s, d.fd, 0, 1, UD_T);
	sqe->len = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));
	EXPECT_EQ(0U, ring_cq_ready(&d));

	ASSERT_EQ(0, io_uring_register(d.fd, IORING_REGISTER_ENABLE_RINGS,
				       NULL, 0));
	msg_sqe(_metadata, s, d.fd, IORING_MSG_DATA, 11, UD_T);
	EXPECT_EQ(0, run_one(_metadata, s));
	expect_cqe(_metadata, &d, UD_T, 11, 0);
	sendfd_sqe(_metadata, s, d.fd, 0, 1, UD_T + 1);
	EXPECT_EQ(0, run_one(_metadata, s));
	expect_cqe(_metadata, &d, UD_T + 1, 0, 0);
	expect_pipe_slot(_metadata, &d, 0, self->pfd[1], "enabled");
	ring_exit(&d);
}

/*
 * Target CQ ring full: the message goes to the target's overflow list
 * (the sender still gets 0) and is delivered, in order, later.
 */
TEST_F(msg, target_cq_full)
{
	struct io_uring_params p;
	struct test_ring d;
	unsigned int i;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 2;
	ASSERT_EQ(0, ring_init(&d, 2, &p));
	ASSERT_EQ(2U, p.cq_entries);
	ASSERT_NE(NULL, ring_nop(&d, 1));
	ASSERT_NE(NULL, ring_nop(&d, 2));
	ASSERT_EQ(2, ring_submit(&d, 2, 0, 0));
	ASSERT_EQ(2U, ring_cq_ready(&d));

	for (i = 0; i < 3; i++) {
		msg_sqe(_metadata, &self->src, d.fd, IORING_MSG_DATA, 50 + i,
			UD_T + i);
		EXPECT_EQ(0, run_one(_metadata, &self->src));
	}
	EXPECT_EQ(2U, ring_cq_ready(&d));
	EXPECT_EQ(IORING_SQ_CQ_OVERFLOW, load_acquire(d.sq_flags) &
					 IORING_SQ_CQ_OVERFLOW);

	expect_cqe(_metadata, &d, 1, 0, 0);
	expect_cqe(_metadata, &d, 2, 0, 0);
	for (i = 0; i < 3; i++) {
		expect_cqe(_metadata, &d, UD_T + i, 50 + i, 0);
	}
	EXPECT_EQ(0U, load_acquire(d.sq_flags) & IORING_SQ_CQ_OVERFLOW);
	EXPECT_EQ(0U, *d.cq_overflow);
	expect_no_cqe(_metadata, &d);
	ring_exit(&d);
}

/*
 * A DEFER_TASKRUN target only gets the CQE when its own task runs its
 * task work (waiting for CQEs on it).
 */
TEST_F(msg, target_defer_taskrun)
{
	struct test_ring *s = &self->src, d;
	struct io_uring_sqe *sqe;
	int ret;

	ret = ring_init_flags(&d, 4, IORING_SETUP_SINGLE_ISSUER |
			      IORING_SETUP_DEFER_TASKRUN);
	if (ret == -EINVAL)
		SKIP(return, "IORING_SETUP_DEFER_TASKRUN not supported");
	ASSERT_EQ(0, ret);

	msg_sqe(_metadata, s, d.fd, IORING_MSG_DATA, 123, UD_T);
	EXPECT_EQ(0, run_one(_metadata, s));
	EXPECT_EQ(0U, ring_cq_ready(&d));
	sqe = msg_sqe(_metadata, s, d.fd, IORING_MSG_DATA, 124, UD_T + 1);
	sqe->msg_ring_flags = IORING_MSG_RING_FLAGS_PASS;
	sqe->file_index = 0x10000;
	EXPECT_EQ(0, run_one(_metadata, s));
	expect_cqe(_metadata, &d, UD_T, 123, 0);
	expect_cqe(_metadata, &d, UD_T + 1, 124, 0x10000);

	/* to itself */
	msg_sqe(_metadata, &d, d.fd, IORING_MSG_DATA, 5, UD_T + 2);
	ASSERT_EQ(1, ring_submit(&d, 1, 0, 0));
	expect_self_pair(_metadata, &d, UD_T + 2, 5);

	/* SEND_FD to a DEFER_TASKRUN target */
	ASSERT_EQ(0, reg_sparse(s, 1));
	ASSERT_EQ(1, upd_file(s, 0, self->pfd[0]));
	ASSERT_EQ(0, reg_sparse(&d, 2));
	sendfd_sqe(_metadata, s, d.fd, 0, 2, UD_T + 3);
	EXPECT_EQ(0, run_one(_metadata, s));
	expect_cqe(_metadata, &d, UD_T + 3, 0, 0);
	expect_pipe_slot(_metadata, &d, 1, self->pfd[1], "deferred");
	sendfd_sqe(_metadata, s, d.fd, 0, IORING_FILE_INDEX_ALLOC, UD_T + 4);
	EXPECT_EQ(0, run_one(_metadata, s));
	expect_cqe(_metadata, &d, UD_T + 4, 0, 0);
	ring_exit(&d);
}

TEST_F(msg, target_iopoll)
{
	struct test_ring d;
	int ret;

	ret = ring_init_flags(&d, 4, IORING_SETUP_IOPOLL);
	ASSERT_EQ(0, ret);
	msg_sqe(_metadata, &self->src, d.fd, IORING_MSG_DATA, 31, UD_T);
	EXPECT_EQ(0, run_one(_metadata, &self->src));
	EXPECT_EQ(1U, ring_cq_ready(&d));
	expect_cqe(_metadata, &d, UD_T, 31, 0);
	ring_exit(&d);
}

/* ---------------- IORING_MSG_SEND_FD ---------------- */

TEST_F(msg, send_fd_basic)
{
	struct test_ring *s = &self->src, *d = &self->dst;

	ASSERT_EQ(0, reg_sparse(s, 2));
	ASSERT_EQ(1, upd_file(s, 1, self->pfd[0]));
	ASSERT_EQ(0, reg_sparse(d, NSLOTS));

	/* explicit slot: file_index is slot + 1, res 0 on both sides */
	sendfd_sqe(_metadata, s, d->fd, 1, 3, UD_T);
	EXPECT_EQ(0, run_one(_metadata, s));
	expect_cqe(_metadata, d, UD_T, 0, 0);
	expect_no_cqe(_metadata, d);
	expect_pipe_slot(_metadata, d, 2, self->pfd[1], "hello");
	/* the sender keeps its copy */
	expect_pipe_slot(_metadata, s, 1, self->pfd[1], "still here");
	/* the target's copy outlives the sender's slot */
	ASSERT_EQ(1, upd_file(s, 1, -1));
	expect_pipe_slot(_metadata, d, 2, self->pfd[1], "after");
}

TEST_F(msg, send_fd_alloc)
{
	struct test_ring *s = &self->src, *d = &self->dst;
	struct io_uring_file_index_range range = { .off = 3, .len = 1 };

	ASSERT_EQ(0, reg_sparse(s, 1));
	ASSERT_EQ(1, upd_file(s, 0, self->pfd[0]));
	ASSERT_EQ(0, reg_sparse(d, NSLOTS));
	ASSERT_EQ(1, upd_file(d, 0, self->pfd[1]));

	/* the allocated slot index is the res, on both sides */
	sendfd_sqe(_metadata, s, d->fd, 0, IORING_FILE_INDEX_ALLOC, UD_T);
	EXPECT_EQ(1, run_one(_metadata, s));
	expect_cqe(_metadata, d, UD_T, 1, 0);
	expect_pipe_slot(_metadata, d, 1, self->pfd[1], "alloc");

	/* allocation honours IORING_REGISTER_FILE_ALLOC_RANGE */
	ASSERT_EQ(0, io_uring_register(d->fd, IORING_REGISTER_FILE_ALLOC_RANGE,
				       &range, 0));
	sendfd_sqe(_metadata, s, d->fd, 0, IORING_FILE_INDEX_ALLOC, UD_T + 1);
	EXPECT_EQ(3, run_one(_metadata, s));
	expect_cqe(_metadata, d, UD_T + 1, 3, 0);
	sendfd_sqe(_metadata, s, d->fd, 0, IORING_FILE_INDEX_ALLOC, UD_T + 2);
	EXPECT_EQ(-ENFILE, run_one(_metadata, s));
	expect_no_cqe(_metadata, d);
	/* slot 2 was left alone */
	{
		char buf[8];

		EXPECT_EQ(-EBADF, slot_read(_metadata, d, 2, buf, sizeof(buf)));
	}
}

TEST_F(msg, send_fd_cqe_skip)
{
	struct test_ring *s = &self->src, *d = &self->dst;
	struct io_uring_sqe *sqe;

	ASSERT_EQ(0, reg_sparse(s, 1));
	ASSERT_EQ(1, upd_file(s, 0, self->pfd[0]));
	ASSERT_EQ(0, reg_sparse(d, NSLOTS));

	/* the sender still completes; only the target's CQE is skipped */
	sqe = sendfd_sqe(_metadata, s, d->fd, 0, 1, UD_T);
	sqe->msg_ring_flags = IORING_MSG_RING_CQE_SKIP;
	EXPECT_EQ(0, run_one(_metadata, s));
	sqe = sendfd_sqe(_metadata, s, d->fd, 0, IORING_FILE_INDEX_ALLOC,
			 UD_T + 1);
	sqe->msg_ring_flags = IORING_MSG_RING_CQE_SKIP;
	EXPECT_EQ(1, run_one(_metadata, s));
	/* FLAGS_PASS means nothing to SEND_FD: file_index is still the slot */
	sqe = sendfd_sqe(_metadata, s, d->fd, 0, 3, UD_T + 2);
	sqe->msg_ring_flags = IORING_MSG_RING_CQE_SKIP |
			      IORING_MSG_RING_FLAGS_PASS;
	EXPECT_EQ(0, run_one(_metadata, s));
	EXPECT_EQ(0U, ring_cq_ready(d));
	expect_no_cqe(_metadata, d);
	expect_pipe_slot(_metadata, d, 0, self->pfd[1], "skip0");
	expect_pipe_slot(_metadata, d, 1, self->pfd[1], "skip1");
	expect_pipe_slot(_metadata, d, 2, self->pfd[1], "skip2");
}

/* An occupied target slot is replaced. */
TEST_F(msg, send_fd_replace)
{
	struct test_ring *s = &self->src, *d = &self->dst;
	char buf[16];
	int p2[2];

	ASSERT_EQ(0, pipe(p2));
	ASSERT_EQ(0, reg_sparse(s, 1));
	ASSERT_EQ(1, upd_file(s, 0, self->pfd[0]));
	ASSERT_EQ(0, reg_sparse(d, NSLOTS));
	ASSERT_EQ(1, upd_file(d, 2, p2[0]));

	sendfd_sqe(_metadata, s, d->fd, 0, 3, UD_T);
	EXPECT_EQ(0, run_one(_metadata, s));
	expect_cqe(_metadata, d, UD_T, 0, 0);
	/* slot 2 now reads the fixture pipe, not p2 */
	ASSERT_EQ(1, write(p2[1], "x", 1));
	expect_pipe_slot(_metadata, d, 2, self->pfd[1], "replaced");
	EXPECT_EQ(1, read(p2[0], buf, sizeof(buf)));
	close(p2[0]);
	close(p2[1]);
}

TEST_F(msg, send_fd_errors)
{
	struct test_ring *s = &self->src, *d = &self->dst, n;
	struct io_uring_sqe *sqe;

	ASSERT_EQ(0, ring_init_flags(&n, 4, 0));	/* no file table */

	/* sender without a file table: no source file */
	sendfd_sqe(_metadata, &n, d->fd, 0, 1, UD_T);
	EXPECT_EQ(-EBADF, run_one(_metadata, &n));

	ASSERT_EQ(0, reg_sparse(s, 2));
	ASSERT_EQ(1, upd_file(s, 0, self->pfd[0]));

	/* target without a file table */
	sendfd_sqe(_metadata, s, n.fd, 0, 1, UD_T);
	EXPECT_EQ(-ENXIO, run_one(_metadata, s));
	sendfd_sqe(_metadata, s, n.fd, 0, IORING_FILE_INDEX_ALLOC, UD_T);
	EXPECT_EQ(-ENFILE, run_one(_metadata, s));
	EXPECT_EQ(0U, ring_cq_ready(&n));

	ASSERT_EQ(0, reg_sparse(d, NSLOTS));

	/* empty / out of range source slot */
	sendfd_sqe(_metadata, s, d->fd, 1, 1, UD_T);
	EXPECT_EQ(-EBADF, run_one(_metadata, s));
	sendfd_sqe(_metadata, s, d->fd, 2, 1, UD_T);
	EXPECT_EQ(-EBADF, run_one(_metadata, s));
	sendfd_sqe(_metadata, s, d->fd, 1U << 31, 1, UD_T);
	EXPECT_EQ(-EBADF, run_one(_metadata, s));

	/* target slot out of range; file_index 0 is no slot */
	sendfd_sqe(_metadata, s, d->fd, 0, NSLOTS + 1, UD_T);
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));
	sendfd_sqe(_metadata, s, d->fd, 0, 0, UD_T);
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));

	/* len must be zero */
	sqe = sendfd_sqe(_metadata, s, d->fd, 0, 1, UD_T);
	sqe->len = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));

	/* not to the sending ring itself, checked before the source slot */
	sendfd_sqe(_metadata, s, s->fd, 0, 2, UD_T);
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));
	sendfd_sqe(_metadata, s, s->fd, 1, 2, UD_T);
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));

	/* prep: unknown flags, buf_index */
	sqe = sendfd_sqe(_metadata, s, d->fd, 0, 1, UD_T);
	sqe->msg_ring_flags = 1U << 2;
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));
	sqe = sendfd_sqe(_metadata, s, d->fd, 0, 1, UD_T);
	sqe->buf_index = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, s));

	expect_no_cqe(_metadata, d);
	{
		char buf[8];
		int i;

		for (i = 0; i < NSLOTS; i++) {
			EXPECT_EQ(-EBADF, slot_read(_metadata, d, i, buf,
						    sizeof(buf)));
		}
	}
	ring_exit(&n);
}

TEST_HARNESS_MAIN
