// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_NOP and the io_uring_enter(2) submission/completion paths,
 * following Linux 6.12 semantics.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <time.h>

#include "uring_test.h"

#define UD	0xdeadbeefcafef00dULL
#define WAIT_MS	2000

/* Highest io_uring_enter() flag defined by Linux 6.12. */
#define IOU_612_LAST_ENTER_FLAG	IORING_ENTER_ABS_TIMER

FIXTURE(nop) {
	struct test_ring r;
};

FIXTURE_SETUP(nop)
{
	ASSERT_EQ(0, ring_init_flags(&self->r, 32, 0));
}

FIXTURE_TEARDOWN(nop)
{
	ring_exit(&self->r);
}

/* Pop one CQE and check it. */
#define EXPECT_CQE(r, ud, res_, flags_) do {				\
	struct io_uring_cqe __c;					\
	ASSERT_EQ(0, ring_pop_cqe(r, &__c, WAIT_MS));			\
	EXPECT_EQ((__u64)(ud), __c.user_data);				\
	EXPECT_EQ((int)(res_), __c.res);				\
	EXPECT_EQ((unsigned int)(flags_), __c.flags);			\
} while (0)

TEST_F(nop, single)
{
	struct test_ring *r = &self->r;

	ASSERT_NE(NULL, ring_nop(r, UD));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_EQ(1U, load_acquire(r->sq_head));
	EXPECT_CQE(r, UD, 0, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));

	/* user_data is opaque: all-ones and zero come back unchanged */
	ASSERT_NE(NULL, ring_nop(r, ~0ULL));
	ASSERT_NE(NULL, ring_nop(r, 0));
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	EXPECT_CQE(r, ~0ULL, 0, 0);
	EXPECT_CQE(r, 0, 0, 0);
}

TEST_F(nop, batch32)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe cqe;
	unsigned int i;

	for (i = 0; i < 32; i++) {
		ASSERT_NE(NULL, ring_nop(r, UD ^ ((__u64)i << 40)));
	}
	/* the SQ ring is full now */
	EXPECT_EQ(NULL, ring_get_sqe(r));
	ASSERT_EQ(32, ring_submit(r, 32, 0, 0));
	EXPECT_EQ(32U, load_acquire(r->sq_head));
	EXPECT_EQ(32U, ring_cq_ready(r));

	/* NOPs complete inline, so they are posted in submission order */
	for (i = 0; i < 32; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
		EXPECT_EQ(UD ^ ((__u64)i << 40), cqe.user_data);
		EXPECT_EQ(0, cqe.res);
		EXPECT_EQ(0U, cqe.flags);
	}
	EXPECT_EQ(0U, ring_cq_ready(r));
	EXPECT_EQ(0U, *r->cq_overflow);
	EXPECT_EQ(0U, *r->sq_dropped);
}

TEST_F(nop, inject_result)
{
	static const int res[] = { -EIO, 1234, 0, -EINVAL, 0x7fffffff };
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(res); i++) {
		sqe = ring_nop(r, UD + i);
		ASSERT_NE(NULL, sqe);
		sqe->nop_flags = IORING_NOP_INJECT_RESULT;
		sqe->len = (unsigned int)res[i];
	}
	/* without the flag, len is ignored */
	sqe = ring_nop(r, UD + i);
	ASSERT_NE(NULL, sqe);
	sqe->len = 1234;
	ASSERT_EQ((int)i + 1, ring_submit(r, i + 1, 0, 0));

	for (i = 0; i < ARRAY_SIZE(res); i++) {
		EXPECT_CQE(r, UD + i, res[i], 0);
	}
	EXPECT_CQE(r, UD + i, 0, 0);
}

/*
 * The kernel's internal restart codes (512, 513, 514, 516) never reach a
 * CQE: a result that is one becomes -EINTR, here in the inline path.
 * 515 (ENOIOCTLCMD) and results beyond the range are posted as they are.
 */
TEST_F(nop, inject_restart_codes)
{
	static const int in[]  = { -512, -513, -514, -515, -516, -517, -511 };
	static const int out[] = { -EINTR, -EINTR, -EINTR, -515, -EINTR, -517,
				   -511 };
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(in); i++) {
		sqe = ring_nop(r, UD + i);
		ASSERT_NE(NULL, sqe);
		sqe->nop_flags = IORING_NOP_INJECT_RESULT;
		sqe->len = (unsigned int)in[i];
	}
	ASSERT_EQ((int)i, ring_submit(r, i, 0, 0));
	for (i = 0; i < ARRAY_SIZE(in); i++) {
		EXPECT_CQE(r, UD + i, out[i], 0);
	}
}

TEST_F(nop, unknown_nop_flags)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;

	sqe = ring_nop(r, UD);
	ASSERT_NE(NULL, sqe);
	sqe->nop_flags = 1U << 7;
	sqe = ring_nop(r, UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->nop_flags = IORING_NOP_INJECT_RESULT | (1U << 31);
	sqe->len = 5;
	/* a prep failure still consumes the SQE and counts as submitted */
	ASSERT_EQ(1, ring_submit(r, 2, 0, 0));
	EXPECT_CQE(r, UD, -EINVAL, 0);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD + 1, -EINVAL, 0);
}

TEST_F(nop, unknown_opcode)
{
	static const __u8 ops[] = { IORING_OP_LAST, 0x80, 0xff };
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		sqe = ring_get_sqe(r);
		ASSERT_NE(NULL, sqe);
		sqe->opcode = ops[i];
		sqe->user_data = UD + i;
		ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
		EXPECT_CQE(r, UD + i, -EINVAL, 0);
	}
}

TEST_F(nop, unknown_sqe_flag)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;

	sqe = ring_nop(r, UD);
	ASSERT_NE(NULL, sqe);
	sqe->flags = 1U << 7;
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD, -EINVAL, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

TEST_F(nop, cqe_skip_success)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;

	if (!(r->p.features & IORING_FEAT_CQE_SKIP))
		SKIP(return, "no IORING_FEAT_CQE_SKIP");

	/* successful: no CQE */
	sqe = ring_nop(r, 1);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_CQE_SKIP_SUCCESS;
	/* positive injected result is a success too */
	sqe = ring_nop(r, 2);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_CQE_SKIP_SUCCESS;
	sqe->nop_flags = IORING_NOP_INJECT_RESULT;
	sqe->len = 1234;
	/* failure: the CQE is posted regardless */
	sqe = ring_nop(r, 3);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_CQE_SKIP_SUCCESS;
	sqe->nop_flags = IORING_NOP_INJECT_RESULT;
	sqe->len = (unsigned int)-EIO;
	ASSERT_NE(NULL, ring_nop(r, 4));
	ASSERT_EQ(4, ring_submit(r, 4, 0, 0));

	EXPECT_CQE(r, 3, -EIO, 0);
	EXPECT_CQE(r, 4, 0, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

TEST_F(nop, submit_more_than_queued)
{
	struct test_ring *r = &self->r;
	unsigned int i;

	/* nothing queued: nothing submitted */
	EXPECT_EQ(0, ring_submit(r, 8, 0, 0));

	for (i = 0; i < 3; i++) {
		ASSERT_NE(NULL, ring_nop(r, UD + i));
	}
	EXPECT_EQ(3, ring_submit(r, 8, 0, 0));
	EXPECT_EQ(3U, load_acquire(r->sq_head));
	for (i = 0; i < 3; i++) {
		EXPECT_CQE(r, UD + i, 0, 0);
	}

	/* to_submit smaller than what is queued: only that many */
	for (i = 0; i < 3; i++) {
		ASSERT_NE(NULL, ring_nop(r, UD + i));
	}
	EXPECT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_EQ(2U, ring_sq_pending(r));
	EXPECT_CQE(r, UD, 0, 0);
	EXPECT_EQ(2, ring_submit(r, ~0U, 0, 0));
	EXPECT_CQE(r, UD + 1, 0, 0);
	EXPECT_CQE(r, UD + 2, 0, 0);
}

/* An SQE failing at init stops the batch, the rest stays queued. */
TEST_F(nop, bad_sqe_mid_batch)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;

	ASSERT_NE(NULL, ring_nop(r, 1));
	sqe = ring_get_sqe(r);
	ASSERT_NE(NULL, sqe);
	sqe->opcode = 0xff;
	sqe->user_data = 2;
	ASSERT_NE(NULL, ring_nop(r, 3));

	EXPECT_EQ(2, ring_submit(r, 3, 0, 0));
	EXPECT_EQ(2U, load_acquire(r->sq_head));
	EXPECT_EQ(2U, ring_cq_ready(r));
	EXPECT_CQE(r, 1, 0, 0);
	EXPECT_CQE(r, 2, -EINVAL, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));

	EXPECT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_EQ(3U, load_acquire(r->sq_head));
	EXPECT_CQE(r, 3, 0, 0);
}

TEST(submit_all)
{
	struct io_uring_sqe *sqe;
	struct test_ring r;

	ASSERT_EQ(0, ring_init_flags(&r, 8, IORING_SETUP_SUBMIT_ALL));
	ASSERT_NE(NULL, ring_nop(&r, 1));
	sqe = ring_get_sqe(&r);
	ASSERT_NE(NULL, sqe);
	sqe->opcode = 0xff;
	sqe->user_data = 2;
	ASSERT_NE(NULL, ring_nop(&r, 3));

	EXPECT_EQ(3, ring_submit(&r, 3, 0, 0));
	EXPECT_EQ(3U, load_acquire(r.sq_head));
	EXPECT_CQE(&r, 1, 0, 0);
	EXPECT_CQE(&r, 2, -EINVAL, 0);
	EXPECT_CQE(&r, 3, 0, 0);
	EXPECT_EQ(0U, ring_cq_ready(&r));
	ring_exit(&r);
}

/* An SQ array entry pointing outside the SQE array is dropped. */
TEST_F(nop, invalid_sq_index)
{
	struct test_ring *r = &self->r;
	unsigned int idx;

	ASSERT_NE(NULL, ring_nop(r, 1));
	idx = (r->sqe_tail - 1) & (r->p.sq_entries - 1);
	r->sq_array[idx] = r->p.sq_entries;
	ASSERT_NE(NULL, ring_nop(r, 2));

	/* the bad entry is consumed, stops the batch and posts nothing */
	EXPECT_EQ(0, ring_submit(r, 2, 0, 0));
	EXPECT_EQ(1U, load_acquire(r->sq_head));
	EXPECT_EQ(1U, *r->sq_dropped);
	EXPECT_EQ(0U, ring_cq_ready(r));

	EXPECT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, 2, 0, 0);
	EXPECT_EQ(1U, *r->sq_dropped);
}

TEST_F(nop, enter_unknown_flags)
{
	unsigned int bit;

	for (bit = IOU_612_LAST_ENTER_FLAG << 1; bit; bit <<= 1) {
		EXPECT_EQ(-EINVAL, io_uring_enter(self->r.fd, 0, 0, bit,
						  NULL, 0)) {
			TH_LOG("enter flag 0x%x accepted", bit);
		}
	}
	EXPECT_EQ(-EINVAL, io_uring_enter(self->r.fd, 0, 0, 1U << 31,
					  NULL, 0));
	/* flags are checked before the fd */
	EXPECT_EQ(-EINVAL, io_uring_enter(-1, 0, 0, 1U << 31, NULL, 0));
}

TEST(enter_bad_fd)
{
	int fds[2];

	ASSERT_EQ(0, pipe(fds));
	EXPECT_EQ(-EOPNOTSUPP, io_uring_enter(fds[0], 1, 0, 0, NULL, 0));
	EXPECT_EQ(-EOPNOTSUPP, io_uring_enter(fds[1], 0, 1,
					      IORING_ENTER_GETEVENTS,
					      NULL, 0));
	close(fds[0]);
	/* a closed fd */
	EXPECT_EQ(-EBADF, io_uring_enter(fds[0], 1, 0, 0, NULL, 0));
	close(fds[1]);
	EXPECT_EQ(-EBADF, io_uring_enter(-1, 1, 0, 0, NULL, 0));
	EXPECT_EQ(-EBADF, io_uring_enter(1 << 30, 0, 0, 0, NULL, 0));
}

static long elapsed_ms(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 +
	       (b.tv_nsec - a->tv_nsec) / 1000000;
}

TEST_F(nop, getevents)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts = { .tv_nsec = 20 * 1000000L };
	struct io_uring_getevents_arg arg = { .ts = (__u64)(uintptr_t)&ts };
	struct timespec start;

	/* min_complete=1: returns with the completion already posted */
	ASSERT_NE(NULL, ring_nop(r, UD));
	ASSERT_EQ(1, ring_submit(r, 1, 1, IORING_ENTER_GETEVENTS));
	ASSERT_EQ(1U, ring_cq_ready(r));
	EXPECT_CQE(r, UD, 0, 0);

	/* an already available CQE satisfies the wait without a timeout */
	ASSERT_NE(NULL, ring_nop(r, UD + 1));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_EQ(0, io_uring_enter(r->fd, 0, 1, IORING_ENTER_GETEVENTS,
				    NULL, 0));
	EXPECT_CQE(r, UD + 1, 0, 0);

	/* nothing in flight: a bounded wait times out with ETIME */
	clock_gettime(CLOCK_MONOTONIC, &start);
	EXPECT_EQ(-ETIME, io_uring_enter(r->fd, 0, 1, IORING_ENTER_GETEVENTS |
					 IORING_ENTER_EXT_ARG, &arg,
					 sizeof(arg)));
	EXPECT_LE(15, elapsed_ms(&start));

	/* EXT_ARG requires the exact argument size */
	EXPECT_EQ(-EINVAL, io_uring_enter(r->fd, 0, 1,
					  IORING_ENTER_GETEVENTS |
					  IORING_ENTER_EXT_ARG, &arg,
					  sizeof(arg) - 1));
	/* without GETEVENTS nothing waits */
	EXPECT_EQ(0, io_uring_enter(r->fd, 0, 1, 0, NULL, 0));
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/*
 * IORING_FEAT_NODROP: CQEs that do not fit are kept on an overflow list,
 * IORING_SQ_CQ_OVERFLOW is raised and they are flushed, in order, once the
 * application makes room and enters the kernel with GETEVENTS.
 */
TEST(cq_overflow)
{
	struct io_uring_params p;
	struct io_uring_cqe cqe;
	struct test_ring r;
	unsigned int i, b;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 8;
	ASSERT_EQ(0, ring_init(&r, 4, &p));
	ASSERT_EQ(4U, p.sq_entries);
	ASSERT_EQ(8U, p.cq_entries);
	ASSERT_EQ(IORING_FEAT_NODROP, p.features & IORING_FEAT_NODROP);

	/* 0..7 fill the CQ ring, 8..11 overflow */
	for (b = 0; b < 3; b++) {
		for (i = 0; i < 4; i++) {
			ASSERT_NE(NULL, ring_nop(&r, 4 * b + i));
		}
		ASSERT_EQ(4, ring_submit(&r, 4, 0, 0));
	}
	EXPECT_EQ(8U, ring_cq_ready(&r));
	EXPECT_EQ(IORING_SQ_CQ_OVERFLOW, load_acquire(r.sq_flags) &
					 IORING_SQ_CQ_OVERFLOW);

	/* make room for two; new completions still queue behind 8..11 */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
		EXPECT_EQ(i, cqe.user_data);
	}
	for (i = 0; i < 4; i++) {
		ASSERT_NE(NULL, ring_nop(&r, 12 + i));
	}
	ASSERT_EQ(4, ring_submit(&r, 4, 0, 0));
	EXPECT_EQ(6U, ring_cq_ready(&r));
	EXPECT_EQ(IORING_SQ_CQ_OVERFLOW, load_acquire(r.sq_flags) &
					 IORING_SQ_CQ_OVERFLOW);

	/* every CQE exactly once, in order; waiting flushes the backlog */
	for (i = 2; i < 16; i++) {
		ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS)) {
			TH_LOG("CQE %u missing", i);
		}
		EXPECT_EQ(i, cqe.user_data);
		EXPECT_EQ(0, cqe.res);
		EXPECT_EQ(0U, cqe.flags);
	}
	EXPECT_EQ(0U, ring_cq_ready(&r));
	EXPECT_EQ(0U, load_acquire(r.sq_flags) & IORING_SQ_CQ_OVERFLOW);
	/* nothing was dropped */
	EXPECT_EQ(0U, *r.cq_overflow);
	EXPECT_EQ(-ETIME, ring_pop_cqe(&r, &cqe, 10));
	ring_exit(&r);
}

TEST_HARNESS_MAIN
