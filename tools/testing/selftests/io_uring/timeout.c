// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_TIMEOUT (relative, absolute, clocks, completion counts,
 * ETIME_SUCCESS, multishot), IORING_OP_TIMEOUT_REMOVE (removal and
 * updates, also of linked timeouts), IORING_OP_LINK_TIMEOUT, and timeouts
 * pending when a ring is closed or its task exits. Follows Linux 6.12.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <sys/wait.h>

#include "uring_test.h"

#define UD		0x7100000000000000ULL
/* bound on anything that must happen */
#define WAIT_MS		2000
/* how long something that must not happen yet is given to (wrongly) happen */
#define PENDING_MS	50
/* bound on asynchronous teardown: ring exit, child exit */
#define LONG_MS		10000
/* a timeout that must never fire while a test runs */
#define NEVER_S		100

#define REQUIRE_OP(op) do {						\
	if (!uring_op_supported(IORING_OP_##op))			\
		SKIP(return, "IORING_OP_" #op " not supported");	\
} while (0)

/* Pop one CQE and check it. */
#define EXPECT_CQE(r, ud, res_, flags_) do {				\
	struct io_uring_cqe __c;					\
	ASSERT_EQ(0, ring_pop_cqe(r, &__c, WAIT_MS));			\
	EXPECT_EQ((__u64)(ud), __c.user_data);				\
	EXPECT_EQ((int)(res_), __c.res);				\
	EXPECT_EQ((unsigned int)(flags_), __c.flags);			\
} while (0)

/* Nothing may be posted within PENDING_MS. */
#define EXPECT_NO_CQE(r) do {						\
	struct io_uring_cqe *__c = ring_wait_cqe(r, PENDING_MS, NULL);	\
	EXPECT_EQ(NULL, __c) {						\
		TH_LOG("unexpected CQE ud 0x%llx res %d",		\
		       (unsigned long long)__c->user_data, __c->res);	\
	}								\
} while (0)

/* In a set of popped CQEs, the one for @ud (exactly once) has res/flags. */
#define EXPECT_IN_SET(set, n, ud, res_, flags_) do {			\
	const struct io_uring_cqe *__c = find_cqe(set, n, ud);		\
	ASSERT_NE(NULL, __c) {						\
		TH_LOG("no CQE for ud 0x%llx", (unsigned long long)(ud)); \
	}								\
	EXPECT_EQ((int)(res_), __c->res);				\
	EXPECT_EQ((unsigned int)(flags_), __c->flags);			\
} while (0)

/* read targets; static so they outlive any ring that may still write them */
static char rbuf[4][16];

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static long elapsed_ms(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

static void rel_ts(struct __kernel_timespec *ts, unsigned int ms)
{
	ts->tv_sec = ms / 1000;
	ts->tv_nsec = (ms % 1000) * 1000000LL;
}

/* @ts = now on @clk plus @ms (may be negative) */
static void abs_ts(struct __kernel_timespec *ts, clockid_t clk, long ms)
{
	struct timespec now;
	long long ns;

	clock_gettime(clk, &now);
	ns = (long long)now.tv_sec * 1000000000LL + now.tv_nsec + ms * 1000000LL;
	ts->tv_sec = ns / 1000000000LL;
	ts->tv_nsec = ns % 1000000000LL;
}

static struct io_uring_sqe *q_timeout(struct test_ring *r, struct __kernel_timespec *ts,
				      __u64 count, unsigned int flags, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_TIMEOUT;
		sqe->addr = (__u64)(uintptr_t)ts;
		sqe->len = 1;
		sqe->off = count;
		sqe->timeout_flags = flags;
		sqe->user_data = ud;
	}
	return sqe;
}

static struct io_uring_sqe *q_link_timeout(struct test_ring *r, struct __kernel_timespec *ts,
					   unsigned int flags, __u64 ud)
{
	struct io_uring_sqe *sqe = q_timeout(r, ts, 0, flags, ud);

	if (sqe)
		sqe->opcode = IORING_OP_LINK_TIMEOUT;
	return sqe;
}

/* TIMEOUT_REMOVE of @target; with IORING_TIMEOUT_UPDATE in @flags, to @ts. */
static struct io_uring_sqe *q_remove(struct test_ring *r, __u64 target, unsigned int flags,
				     struct __kernel_timespec *ts, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_TIMEOUT_REMOVE;
		sqe->addr = target;
		sqe->addr2 = (__u64)(uintptr_t)ts;
		sqe->timeout_flags = flags;
		sqe->user_data = ud;
	}
	return sqe;
}

static struct io_uring_sqe *q_read(struct test_ring *r, int fd, unsigned int i, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_READ;
		sqe->fd = fd;
		sqe->addr = (__u64)(uintptr_t)rbuf[i];
		sqe->len = sizeof(rbuf[i]);
		sqe->off = (__u64)-1;
		sqe->user_data = ud;
	}
	return sqe;
}

/* Pop up to @n CQEs, each within WAIT_MS. Returns how many were popped. */
static unsigned int pop_n(struct test_ring *r, struct io_uring_cqe *out, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (ring_pop_cqe(r, &out[i], WAIT_MS))
			break;
	}
	return i;
}

/* Index of the CQE for @ud in @set, or @n if absent. */
static unsigned int pos_of(const struct io_uring_cqe *set, unsigned int n, __u64 ud)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (set[i].user_data == ud)
			break;
	}
	return i;
}

/* The CQE for @ud if it occurs exactly once in @set, else NULL. */
static const struct io_uring_cqe *find_cqe(const struct io_uring_cqe *set, unsigned int n,
					   __u64 ud)
{
	unsigned int i = pos_of(set, n, ud);

	if (i == n || pos_of(set + i + 1, n - i - 1, ud) != n - i - 1)
		return NULL;
	return &set[i];
}

/*
 * FIXTURE(timeout) and FIXTURE(timeout_exit) run every test of theirs
 * once per ring mode (RING_MODE_VARIANTS in uring_test.h).
 */

/*
 * Submit the one queued SQE, which must fail with @err (at prep or at
 * issue) and post exactly that one CQE.
 */
static void submit_expect_err(struct __test_metadata *_metadata, struct test_ring *r,
			      __u64 ud, int err)
{
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, ud, err, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

FIXTURE(timeout) {
	struct test_ring r;
};

RING_MODE_VARIANTS(timeout);

FIXTURE_SETUP(timeout)
{
	int ret;

	ret = ring_init_mode(&self->r, 32, variant->setup_flags);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(timeout)
{
	ring_exit(&self->r);
}

/*
 * The same on a plain ring only, for the tests of SQE validation, clock
 * selection and lookups by user_data: the ring mode plays no part in
 * them, and running them in every mode would make this binary too slow
 * under TCG.
 */
FIXTURE(timeout_once) {
	struct test_ring r;
};

FIXTURE_SETUP(timeout_once)
{
	ASSERT_EQ(0, ring_init_flags(&self->r, 32, 0));
}

FIXTURE_TEARDOWN(timeout_once)
{
	ring_exit(&self->r);
}

/* ---- plain timeouts ---- */

TEST_F(timeout, relative_expires)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	struct timespec start;

	REQUIRE_OP(TIMEOUT);
	rel_ts(&ts, 40);
	clock_gettime(CLOCK_MONOTONIC, &start);
	ASSERT_NE(NULL, q_timeout(r, &ts, 0, 0, UD));
	/* the timespec is read at submission: clobbering it later is harmless */
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	rel_ts(&ts, 0);
	EXPECT_CQE(r, UD, -ETIME, 0);
	EXPECT_LE(35, elapsed_ms(&start));

	/* a zero timeout expires right away */
	ASSERT_NE(NULL, q_timeout(r, &ts, 0, 0, UD + 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 1, -ETIME, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/* A clock flag without ABS just picks the clock of a relative timer. */
TEST_F(timeout_once, relative_other_clocks)
{
	static const unsigned int clk[] = { IORING_TIMEOUT_BOOTTIME, IORING_TIMEOUT_REALTIME };
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	struct timespec start;
	unsigned int i;

	REQUIRE_OP(TIMEOUT);
	rel_ts(&ts, 30);
	for (i = 0; i < ARRAY_SIZE(clk); i++) {
		clock_gettime(CLOCK_MONOTONIC, &start);
		ASSERT_NE(NULL, q_timeout(r, &ts, 0, clk[i], UD + i));
		ASSERT_EQ(1, ring_submit_mode(r, 1));
		EXPECT_CQE(r, UD + i, -ETIME, 0);
		EXPECT_LE(25, elapsed_ms(&start));
	}
}

/* Absolute on @clk (0: default): future, past and zero deadlines. */
static void abs_on_clock(struct __test_metadata *_metadata, struct test_ring *r,
			 unsigned int flag, clockid_t clk)
{
	struct __kernel_timespec ts;
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	abs_ts(&ts, clk, 40);
	ASSERT_NE(NULL, q_timeout(r, &ts, 0, IORING_TIMEOUT_ABS | flag, UD));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD, -ETIME, 0);
	/* it did wait: the deadline was taken on the right clock */
	EXPECT_LE(30, elapsed_ms(&start));

	/* a deadline in the past completes at once */
	abs_ts(&ts, clk, -1000);
	ASSERT_NE(NULL, q_timeout(r, &ts, 0, IORING_TIMEOUT_ABS | flag, UD + 1));
	ts.tv_sec = 0;
	ts.tv_nsec = 0;
	ASSERT_NE(NULL, q_timeout(r, &ts, 0, IORING_TIMEOUT_ABS | flag, UD + 2));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_CQE(r, UD + 1, -ETIME, 0);
	EXPECT_CQE(r, UD + 2, -ETIME, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/* IORING_TIMEOUT_ABS alone uses CLOCK_MONOTONIC. */
TEST_F(timeout, abs_monotonic)
{
	REQUIRE_OP(TIMEOUT);
	abs_on_clock(_metadata, &self->r, 0, CLOCK_MONOTONIC);
}

TEST_F(timeout_once, abs_boottime)
{
	REQUIRE_OP(TIMEOUT);
	abs_on_clock(_metadata, &self->r, IORING_TIMEOUT_BOOTTIME, CLOCK_BOOTTIME);
}

/* A realtime deadline read as monotonic would be decades away. */
TEST_F(timeout_once, abs_realtime)
{
	REQUIRE_OP(TIMEOUT);
	abs_on_clock(_metadata, &self->r, IORING_TIMEOUT_REALTIME, CLOCK_REALTIME);
}

TEST_F(timeout_once, two_clocks)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;

	REQUIRE_OP(TIMEOUT);
	rel_ts(&ts, 10);
	ASSERT_NE(NULL, q_timeout(r, &ts, 0, IORING_TIMEOUT_BOOTTIME |
				  IORING_TIMEOUT_REALTIME, UD));
	submit_expect_err(_metadata, r, UD, -EINVAL);
	ASSERT_NE(NULL, q_timeout(r, &ts, 0, IORING_TIMEOUT_ABS | IORING_TIMEOUT_BOOTTIME |
				  IORING_TIMEOUT_REALTIME, UD + 1));
	submit_expect_err(_metadata, r, UD + 1, -EINVAL);
}

TEST_F(timeout_once, bad_len)
{
	static const unsigned int len[] = { 0, 2, ~0U };
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	struct __kernel_timespec ts;
	unsigned int i;

	REQUIRE_OP(TIMEOUT);
	rel_ts(&ts, 10);
	for (i = 0; i < ARRAY_SIZE(len); i++) {
		sqe = q_timeout(r, &ts, 0, 0, UD + i);
		ASSERT_NE(NULL, sqe);
		sqe->len = len[i];
		submit_expect_err(_metadata, r, UD + i, -EINVAL);
	}
}

/* Only ABS, the clocks, ETIME_SUCCESS and MULTISHOT; not the update flags. */
TEST_F(timeout_once, unknown_flags)
{
	static const unsigned int bad[] = {
		IORING_TIMEOUT_UPDATE, IORING_LINK_TIMEOUT_UPDATE,
		IORING_TIMEOUT_MULTISHOT << 1, 1U << 31,
		IORING_TIMEOUT_ABS | IORING_TIMEOUT_UPDATE,
	};
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	unsigned int i;

	REQUIRE_OP(TIMEOUT);
	rel_ts(&ts, 10);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_NE(NULL, q_timeout(r, &ts, 0, bad[i], UD + i));
		submit_expect_err(_metadata, r, UD + i, -EINVAL);
	}
}

TEST_F(timeout_once, negative_timespec)
{
	static const struct { long long sec, nsec; } bad[] = {
		{ -1, 0 }, { 0, -1 }, { -1, -1 }, { -1000, 500 },
	};
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	unsigned int i;

	REQUIRE_OP(TIMEOUT);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ts.tv_sec = bad[i].sec;
		ts.tv_nsec = bad[i].nsec;
		ASSERT_NE(NULL, q_timeout(r, &ts, 0, 0, UD + i));
		submit_expect_err(_metadata, r, UD + i, -EINVAL);
		ASSERT_NE(NULL, q_timeout(r, &ts, 0, IORING_TIMEOUT_ABS, UD + i));
		submit_expect_err(_metadata, r, UD + i, -EINVAL);
	}
}

TEST_F(timeout_once, bad_timespec_pointer)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	void *bad;

	REQUIRE_OP(TIMEOUT);
	bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bad);

	ASSERT_NE(NULL, q_timeout(r, NULL, 0, 0, UD));
	submit_expect_err(_metadata, r, UD, -EFAULT);
	ASSERT_NE(NULL, q_timeout(r, bad, 0, 0, UD + 1));
	submit_expect_err(_metadata, r, UD + 1, -EFAULT);
	/* flags are vetted before the timespec is read */
	sqe = q_timeout(r, NULL, 0, 1U << 31, UD + 2);
	ASSERT_NE(NULL, sqe);
	submit_expect_err(_metadata, r, UD + 2, -EINVAL);
	munmap(bad, 4096);
}

/* Fields TIMEOUT does not use must be zero; fd is not looked at. */
TEST_F(timeout_once, reserved_fields)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	struct __kernel_timespec ts;
	unsigned int i;

	REQUIRE_OP(TIMEOUT);
	rel_ts(&ts, 10);
	for (i = 0; i < 5; i++) {
		sqe = q_timeout(r, &ts, 0, 0, UD + i);
		ASSERT_NE(NULL, sqe);
		switch (i) {
		case 0:
			sqe->buf_index = 1;
			break;
		case 1:
			sqe->splice_fd_in = 1;
			break;
		case 2:
			sqe->addr3 = 1;
			break;
		case 3:
			sqe->__pad2[0] = 1;
			break;
		case 4:
			/* TIMEOUT has no ioprio: refused at init */
			sqe->ioprio = 1;
			break;
		}
		submit_expect_err(_metadata, r, UD + i, -EINVAL);
	}

	/* no buffer selection for timeouts */
	sqe = q_timeout(r, &ts, 0, 0, UD + 10);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_BUFFER_SELECT;
	submit_expect_err(_metadata, r, UD + 10, -EOPNOTSUPP);

	/* fd is ignored, even a bad one; so is IOSQE_FIXED_FILE */
	sqe = q_timeout(r, &ts, 0, 0, UD + 11);
	ASSERT_NE(NULL, sqe);
	sqe->fd = -1;
	sqe = q_timeout(r, &ts, 0, 0, UD + 12);
	ASSERT_NE(NULL, sqe);
	sqe->fd = 12345;
	sqe->flags = IOSQE_FIXED_FILE;
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_CQE(r, UD + 11, -ETIME, 0);
	EXPECT_CQE(r, UD + 12, -ETIME, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/* ---- completion counts ---- */

/* off = N: completes with 0 once N other CQEs have been posted. */
TEST_F(timeout, count_completes)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;

	REQUIRE_OP(TIMEOUT);
	rel_ts(&ts, NEVER_S * 1000);
	ASSERT_NE(NULL, q_timeout(r, &ts, 2, 0, UD));
	ASSERT_NE(NULL, ring_nop(r, UD + 1));
	ASSERT_NE(NULL, ring_nop(r, UD + 2));
	ASSERT_EQ(3, ring_submit_mode(r, 3));
	EXPECT_CQE(r, UD + 1, 0, 0);
	EXPECT_CQE(r, UD + 2, 0, 0);
	EXPECT_CQE(r, UD, 0, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

TEST_F(timeout, count_across_submits)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;

	REQUIRE_OP(TIMEOUT);
	rel_ts(&ts, NEVER_S * 1000);
	ASSERT_NE(NULL, q_timeout(r, &ts, 3, 0, UD));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);

	ASSERT_NE(NULL, ring_nop(r, UD + 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 1, 0, 0);
	/* a failed request posts a CQE and counts as well */
	ASSERT_NE(NULL, ring_nop(r, UD + 2));
	r->sqes[(r->sqe_tail - 1) & (r->p.sq_entries - 1)].nop_flags = 1U << 7;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 2, -EINVAL, 0);
	EXPECT_NO_CQE(r);

	ASSERT_NE(NULL, ring_nop(r, UD + 3));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 3, 0, 0);
	EXPECT_CQE(r, UD, 0, 0);
}

/* Only CQEs posted after the timeout was submitted count. */
TEST_F(timeout, count_ignores_earlier_cqes)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	unsigned int i;

	REQUIRE_OP(TIMEOUT);
	rel_ts(&ts, NEVER_S * 1000);
	/* posted, not yet reaped */
	for (i = 0; i < 3; i++) {
		ASSERT_NE(NULL, ring_nop(r, UD + 10 + i));
	}
	ASSERT_EQ(3, ring_submit_mode(r, 3));
	ASSERT_NE(NULL, q_timeout(r, &ts, 2, 0, UD));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	for (i = 0; i < 3; i++) {
		EXPECT_CQE(r, UD + 10 + i, 0, 0);
	}
	EXPECT_NO_CQE(r);

	ASSERT_NE(NULL, ring_nop(r, UD + 1));
	ASSERT_NE(NULL, ring_nop(r, UD + 2));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_CQE(r, UD + 1, 0, 0);
	EXPECT_CQE(r, UD + 2, 0, 0);
	EXPECT_CQE(r, UD, 0, 0);
}

/* With nothing else completing, a count timeout expires with -ETIME. */
TEST_F(timeout, count_expires)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;

	REQUIRE_OP(TIMEOUT);
	rel_ts(&ts, 30);
	ASSERT_NE(NULL, q_timeout(r, &ts, 1, 0, UD));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD, -ETIME, 0);

	/* one short of the count */
	ASSERT_NE(NULL, q_timeout(r, &ts, 2, 0, UD + 1));
	ASSERT_NE(NULL, ring_nop(r, UD + 2));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_CQE(r, UD + 2, 0, 0);
	EXPECT_CQE(r, UD + 1, -ETIME, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/* CQEs of (other) timeouts do not count. */
TEST_F(timeout, count_ignores_timeout_cqes)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec tshort, tlong;
	struct io_uring_cqe set[2];

	REQUIRE_OP(TIMEOUT);
	rel_ts(&tshort, 10);
	rel_ts(&tlong, NEVER_S * 1000);
	ASSERT_NE(NULL, q_timeout(r, &tlong, 1, 0, UD));
	ASSERT_NE(NULL, q_timeout(r, &tshort, 0, 0, UD + 1));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_CQE(r, UD + 1, -ETIME, 0);
	EXPECT_NO_CQE(r);

	/* nor does a count timeout that is satisfied */
	ASSERT_NE(NULL, q_timeout(r, &tlong, 1, 0, UD + 2));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	ASSERT_NE(NULL, ring_nop(r, UD + 3));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	/* both were waiting for one CQE: the NOP satisfies both */
	EXPECT_CQE(r, UD + 3, 0, 0);
	ASSERT_EQ(2U, pop_n(r, set, 2));
	EXPECT_IN_SET(set, 2, UD, 0, 0);
	EXPECT_IN_SET(set, 2, UD + 2, 0, 0);
	EXPECT_NO_CQE(r);
}

/* Several count timeouts complete as their own targets are reached. */
TEST_F(timeout, count_targets)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;

	REQUIRE_OP(TIMEOUT);
	rel_ts(&ts, NEVER_S * 1000);
	ASSERT_NE(NULL, q_timeout(r, &ts, 3, 0, UD + 3));
	ASSERT_NE(NULL, q_timeout(r, &ts, 1, 0, UD + 1));
	ASSERT_NE(NULL, q_timeout(r, &ts, 2, 0, UD + 2));
	ASSERT_EQ(3, ring_submit_mode(r, 3));
	EXPECT_NO_CQE(r);

	ASSERT_NE(NULL, ring_nop(r, UD + 11));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 11, 0, 0);
	EXPECT_CQE(r, UD + 1, 0, 0);
	EXPECT_NO_CQE(r);

	ASSERT_NE(NULL, ring_nop(r, UD + 12));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 12, 0, 0);
	EXPECT_CQE(r, UD + 2, 0, 0);
	EXPECT_NO_CQE(r);

	ASSERT_NE(NULL, ring_nop(r, UD + 13));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 13, 0, 0);
	EXPECT_CQE(r, UD + 3, 0, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/* The count is the low 32 bits of sqe->off. */
TEST_F(timeout_once, count_is_32bit)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;

	REQUIRE_OP(TIMEOUT);
	rel_ts(&ts, NEVER_S * 1000);
	ASSERT_NE(NULL, q_timeout(r, &ts, (1ULL << 32) | 1, 0, UD));
	ASSERT_NE(NULL, ring_nop(r, UD + 1));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_CQE(r, UD + 1, 0, 0);
	EXPECT_CQE(r, UD, 0, 0);

	/* 1 << 32 is a count of 0: a pure timer */
	rel_ts(&ts, 30);
	ASSERT_NE(NULL, q_timeout(r, &ts, 1ULL << 32, 0, UD + 2));
	ASSERT_NE(NULL, ring_nop(r, UD + 3));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_CQE(r, UD + 3, 0, 0);
	EXPECT_CQE(r, UD + 2, -ETIME, 0);
}

/* ---- timeouts in link chains, ETIME_SUCCESS ---- */

TEST_F(timeout, expiry_breaks_chain)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	struct io_uring_sqe *sqe;

	REQUIRE_OP(TIMEOUT);
	rel_ts(&ts, 10);
	sqe = q_timeout(r, &ts, 0, 0, UD);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	ASSERT_NE(NULL, ring_nop(r, UD + 1));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_CQE(r, UD, -ETIME, 0);
	EXPECT_CQE(r, UD + 1, -ECANCELED, 0);

	/* in the middle of a chain */
	sqe = ring_nop(r, UD + 2);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	sqe = q_timeout(r, &ts, 0, 0, UD + 3);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	ASSERT_NE(NULL, ring_nop(r, UD + 4));
	ASSERT_EQ(3, ring_submit_mode(r, 3));
	EXPECT_CQE(r, UD + 2, 0, 0);
	EXPECT_CQE(r, UD + 3, -ETIME, 0);
	EXPECT_CQE(r, UD + 4, -ECANCELED, 0);

	/* a hard link continues */
	sqe = q_timeout(r, &ts, 0, 0, UD + 5);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_HARDLINK;
	ASSERT_NE(NULL, ring_nop(r, UD + 6));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_CQE(r, UD + 5, -ETIME, 0);
	EXPECT_CQE(r, UD + 6, 0, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/* A count timeout reaching its count (res 0) lets its chain go on. */
TEST_F(timeout, count_head_of_chain)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	struct io_uring_sqe *sqe;

	REQUIRE_OP(TIMEOUT);
	rel_ts(&ts, NEVER_S * 1000);
	sqe = q_timeout(r, &ts, 1, 0, UD);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	ASSERT_NE(NULL, ring_nop(r, UD + 1));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_NO_CQE(r);

	ASSERT_NE(NULL, ring_nop(r, UD + 2));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 2, 0, 0);
	EXPECT_CQE(r, UD, 0, 0);
	EXPECT_CQE(r, UD + 1, 0, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/* ETIME_SUCCESS: the CQE still says -ETIME, but the chain is not broken. */
TEST_F(timeout, etime_success)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	struct io_uring_sqe *sqe;

	REQUIRE_OP(TIMEOUT);
	rel_ts(&ts, 10);
	ASSERT_NE(NULL, q_timeout(r, &ts, 0, IORING_TIMEOUT_ETIME_SUCCESS, UD));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD, -ETIME, 0);

	sqe = q_timeout(r, &ts, 0, IORING_TIMEOUT_ETIME_SUCCESS, UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	sqe = ring_nop(r, UD + 2);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	ASSERT_NE(NULL, ring_nop(r, UD + 3));
	ASSERT_EQ(3, ring_submit_mode(r, 3));
	EXPECT_CQE(r, UD + 1, -ETIME, 0);
	EXPECT_CQE(r, UD + 2, 0, 0);
	EXPECT_CQE(r, UD + 3, 0, 0);

	/* with a count and an absolute deadline already past, likewise */
	ts.tv_sec = 0;
	ts.tv_nsec = 0;
	sqe = q_timeout(r, &ts, 5, IORING_TIMEOUT_ETIME_SUCCESS | IORING_TIMEOUT_ABS, UD + 4);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	ASSERT_NE(NULL, ring_nop(r, UD + 5));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_CQE(r, UD + 4, -ETIME, 0);
	EXPECT_CQE(r, UD + 5, 0, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/* ---- multishot ---- */

/* off = repetitions: off-1 CQEs with F_MORE, then a final one without. */
TEST_F(timeout, multishot_count)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	unsigned int i;

	REQUIRE_OP(TIMEOUT);
	rel_ts(&ts, 10);
	ASSERT_NE(NULL, q_timeout(r, &ts, 3, IORING_TIMEOUT_MULTISHOT, UD));
	/* other CQEs do not count for a multishot timeout */
	for (i = 0; i < 4; i++) {
		ASSERT_NE(NULL, ring_nop(r, UD + 1 + i));
	}
	ASSERT_EQ(5, ring_submit_mode(r, 5));
	for (i = 0; i < 4; i++) {
		EXPECT_CQE(r, UD + 1 + i, 0, 0);
	}
	EXPECT_CQE(r, UD, -ETIME, IORING_CQE_F_MORE);
	EXPECT_CQE(r, UD, -ETIME, IORING_CQE_F_MORE);
	EXPECT_CQE(r, UD, -ETIME, 0);
	EXPECT_NO_CQE(r);

	/* a single repetition */
	ASSERT_NE(NULL, q_timeout(r, &ts, 1, IORING_TIMEOUT_MULTISHOT, UD + 10));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 10, -ETIME, 0);
	EXPECT_NO_CQE(r);
}

/* off = 0 repeats until removed; removal ends it with -ECANCELED. */
TEST_F(timeout, multishot_infinite)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	struct io_uring_cqe cqe;
	bool removed = false, ended = false;
	unsigned int i, attempts = 0;

	REQUIRE_OP(TIMEOUT);
	REQUIRE_OP(TIMEOUT_REMOVE);
	rel_ts(&ts, 40);
	ASSERT_NE(NULL, q_timeout(r, &ts, 0, IORING_TIMEOUT_MULTISHOT, UD));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	for (i = 0; i < 4; i++) {
		EXPECT_CQE(r, UD, -ETIME, IORING_CQE_F_MORE);
	}

	/*
	 * The timer re-arms right after each CQE; a removal racing with an
	 * expiry may miss it (-ENOENT/-EALREADY), so retry a few times.
	 */
	ASSERT_NE(NULL, q_remove(r, UD, 0, NULL, UD + 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	for (i = 0; i < 16 && !(removed && ended); i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
		if (cqe.user_data == UD + 1) {
			if (cqe.res == 0) {
				removed = true;
				continue;
			}
			EXPECT_TRUE(cqe.res == -ENOENT || cqe.res == -EALREADY) {
				TH_LOG("remove res %d", cqe.res);
			}
			ASSERT_GT(3U, ++attempts);
			ASSERT_NE(NULL, q_remove(r, UD, 0, NULL, UD + 1));
			ASSERT_EQ(1, ring_submit_mode(r, 1));
			continue;
		}
		ASSERT_EQ(UD, cqe.user_data);
		if (cqe.flags & IORING_CQE_F_MORE) {
			EXPECT_EQ(-ETIME, cqe.res);
			EXPECT_EQ(IORING_CQE_F_MORE, cqe.flags);
			continue;
		}
		EXPECT_EQ(-ECANCELED, cqe.res);
		EXPECT_EQ(0U, cqe.flags);
		ended = true;
	}
	EXPECT_TRUE(removed);
	EXPECT_TRUE(ended);
	EXPECT_NO_CQE(r);
}

/* Multishot only with relative timeouts. */
TEST_F(timeout_once, multishot_abs)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;

	REQUIRE_OP(TIMEOUT);
	abs_ts(&ts, CLOCK_MONOTONIC, 10);
	ASSERT_NE(NULL, q_timeout(r, &ts, 2, IORING_TIMEOUT_MULTISHOT | IORING_TIMEOUT_ABS,
				  UD));
	submit_expect_err(_metadata, r, UD, -EINVAL);
	ASSERT_NE(NULL, q_timeout(r, &ts, 0, IORING_TIMEOUT_MULTISHOT | IORING_TIMEOUT_ABS |
				  IORING_TIMEOUT_REALTIME, UD + 1));
	submit_expect_err(_metadata, r, UD + 1, -EINVAL);
}

/* ---- TIMEOUT_REMOVE ---- */

TEST_F(timeout, remove)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	struct io_uring_cqe set[2];

	REQUIRE_OP(TIMEOUT);
	REQUIRE_OP(TIMEOUT_REMOVE);
	rel_ts(&ts, NEVER_S * 1000);
	ASSERT_NE(NULL, q_timeout(r, &ts, 0, 0, UD));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);
	ASSERT_NE(NULL, q_remove(r, UD, 0, NULL, UD + 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	ASSERT_EQ(2U, pop_n(r, set, 2));
	EXPECT_IN_SET(set, 2, UD + 1, 0, 0);
	EXPECT_IN_SET(set, 2, UD, -ECANCELED, 0);
	EXPECT_NO_CQE(r);

	/* gone now */
	ASSERT_NE(NULL, q_remove(r, UD, 0, NULL, UD + 2));
	submit_expect_err(_metadata, r, UD + 2, -ENOENT);
}

/* Removal is by user_data; the removed timeout's chain is cancelled. */
TEST_F(timeout, remove_in_same_submit)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	struct io_uring_cqe set[3];
	struct io_uring_sqe *sqe;

	REQUIRE_OP(TIMEOUT);
	REQUIRE_OP(TIMEOUT_REMOVE);
	rel_ts(&ts, NEVER_S * 1000);
	sqe = q_timeout(r, &ts, 0, 0, UD);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	ASSERT_NE(NULL, ring_nop(r, UD + 1));
	ASSERT_NE(NULL, q_remove(r, UD, 0, NULL, UD + 2));
	ASSERT_EQ(3, ring_submit_mode(r, 3));
	ASSERT_EQ(3U, pop_n(r, set, 3));
	EXPECT_IN_SET(set, 3, UD + 2, 0, 0);
	EXPECT_IN_SET(set, 3, UD, -ECANCELED, 0);
	EXPECT_IN_SET(set, 3, UD + 1, -ECANCELED, 0);
	EXPECT_NO_CQE(r);
}

TEST_F(timeout, remove_count_timeout)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	struct io_uring_cqe set[2];

	REQUIRE_OP(TIMEOUT);
	REQUIRE_OP(TIMEOUT_REMOVE);
	rel_ts(&ts, NEVER_S * 1000);
	ASSERT_NE(NULL, q_timeout(r, &ts, 5, 0, UD));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	ASSERT_NE(NULL, q_remove(r, UD, 0, NULL, UD + 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	ASSERT_EQ(2U, pop_n(r, set, 2));
	EXPECT_IN_SET(set, 2, UD + 1, 0, 0);
	EXPECT_IN_SET(set, 2, UD, -ECANCELED, 0);
	EXPECT_NO_CQE(r);
}

TEST_F(timeout_once, remove_missing)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;

	REQUIRE_OP(TIMEOUT);
	REQUIRE_OP(TIMEOUT_REMOVE);
	ASSERT_NE(NULL, q_remove(r, UD, 0, NULL, UD + 1));
	submit_expect_err(_metadata, r, UD + 1, -ENOENT);

	/* user_data must match exactly */
	rel_ts(&ts, NEVER_S * 1000);
	ASSERT_NE(NULL, q_timeout(r, &ts, 0, 0, UD));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	ASSERT_NE(NULL, q_remove(r, UD + 2, 0, NULL, UD + 1));
	submit_expect_err(_metadata, r, UD + 1, -ENOENT);
	/* other requests are not timeouts */
	ASSERT_NE(NULL, q_remove(r, UD + 1, 0, NULL, UD + 1));
	submit_expect_err(_metadata, r, UD + 1, -ENOENT);
	EXPECT_NO_CQE(r);
}

TEST_F(timeout, remove_expired)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;

	REQUIRE_OP(TIMEOUT);
	REQUIRE_OP(TIMEOUT_REMOVE);
	rel_ts(&ts, 10);
	ASSERT_NE(NULL, q_timeout(r, &ts, 0, 0, UD));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD, -ETIME, 0);
	ASSERT_NE(NULL, q_remove(r, UD, 0, NULL, UD + 1));
	submit_expect_err(_metadata, r, UD + 1, -ENOENT);

	/* a count timeout that completed is gone too */
	rel_ts(&ts, NEVER_S * 1000);
	ASSERT_NE(NULL, q_timeout(r, &ts, 1, 0, UD + 2));
	ASSERT_NE(NULL, ring_nop(r, UD + 3));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_CQE(r, UD + 3, 0, 0);
	EXPECT_CQE(r, UD + 2, 0, 0);
	ASSERT_NE(NULL, q_remove(r, UD + 2, 0, NULL, UD + 4));
	submit_expect_err(_metadata, r, UD + 4, -ENOENT);
}

/* TIMEOUT_REMOVE prep: the checks, all before any lookup. */
TEST_F(timeout_once, remove_bad_fields)
{
	static const unsigned int bad_flags[] = {
		IORING_TIMEOUT_ABS, IORING_TIMEOUT_BOOTTIME, IORING_TIMEOUT_REALTIME,
		IORING_TIMEOUT_ETIME_SUCCESS, IORING_TIMEOUT_MULTISHOT, 1U << 31,
	};
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	unsigned int i;

	REQUIRE_OP(TIMEOUT_REMOVE);
	for (i = 0; i < 7; i++) {
		sqe = q_remove(r, UD, 0, NULL, UD + i);
		ASSERT_NE(NULL, sqe);
		switch (i) {
		case 0:
			sqe->len = 1;
			break;
		case 1:
			sqe->buf_index = 1;
			break;
		case 2:
			sqe->splice_fd_in = 1;
			break;
		case 3:
			sqe->addr3 = 1;
			break;
		case 4:
			sqe->__pad2[0] = 1;
			break;
		case 5:
			sqe->ioprio = 1;
			break;
		case 6:
			sqe->flags = IOSQE_FIXED_FILE;
			break;
		}
		submit_expect_err(_metadata, r, UD + i, -EINVAL);
	}
	/* removal takes no flags at all */
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		ASSERT_NE(NULL, q_remove(r, UD, bad_flags[i], NULL, UD + 10 + i));
		submit_expect_err(_metadata, r, UD + 10 + i, -EINVAL);
	}
	sqe = q_remove(r, UD, 0, NULL, UD + 20);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_BUFFER_SELECT;
	submit_expect_err(_metadata, r, UD + 20, -EOPNOTSUPP);

	/* without UPDATE, fd and addr2 are not looked at */
	sqe = q_remove(r, UD, 0, (void *)8, UD + 21);
	ASSERT_NE(NULL, sqe);
	sqe->fd = -1;
	submit_expect_err(_metadata, r, UD + 21, -ENOENT);
}

/* ---- IORING_TIMEOUT_UPDATE ---- */

TEST_F(timeout, update_relative)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts, nts;
	struct timespec start;

	REQUIRE_OP(TIMEOUT);
	REQUIRE_OP(TIMEOUT_REMOVE);
	rel_ts(&ts, NEVER_S * 1000);
	ASSERT_NE(NULL, q_timeout(r, &ts, 0, 0, UD));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);

	rel_ts(&nts, 40);
	clock_gettime(CLOCK_MONOTONIC, &start);
	ASSERT_NE(NULL, q_remove(r, UD, IORING_TIMEOUT_UPDATE, &nts, UD + 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 1, 0, 0);
	/* it now fires after the new relative time, counted from the update */
	EXPECT_CQE(r, UD, -ETIME, 0);
	EXPECT_LE(35, elapsed_ms(&start));
	EXPECT_EQ(0U, ring_cq_ready(r));
}

TEST_F(timeout, update_absolute)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts, nts;
	struct timespec start;

	REQUIRE_OP(TIMEOUT);
	REQUIRE_OP(TIMEOUT_REMOVE);
	rel_ts(&ts, NEVER_S * 1000);
	ASSERT_NE(NULL, q_timeout(r, &ts, 0, 0, UD));
	/* an absolute timeout can be updated with a relative time and back */
	abs_ts(&ts, CLOCK_MONOTONIC, NEVER_S * 1000);
	ASSERT_NE(NULL, q_timeout(r, &ts, 0, IORING_TIMEOUT_ABS, UD + 2));
	ASSERT_EQ(2, ring_submit_mode(r, 2));

	clock_gettime(CLOCK_MONOTONIC, &start);
	abs_ts(&nts, CLOCK_MONOTONIC, 40);
	ASSERT_NE(NULL, q_remove(r, UD, IORING_TIMEOUT_UPDATE | IORING_TIMEOUT_ABS, &nts,
				 UD + 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 1, 0, 0);
	EXPECT_CQE(r, UD, -ETIME, 0);
	EXPECT_LE(30, elapsed_ms(&start));

	rel_ts(&nts, 10);
	ASSERT_NE(NULL, q_remove(r, UD + 2, IORING_TIMEOUT_UPDATE, &nts, UD + 3));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 3, 0, 0);
	EXPECT_CQE(r, UD + 2, -ETIME, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

TEST_F(timeout_once, update_missing)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;

	REQUIRE_OP(TIMEOUT_REMOVE);
	rel_ts(&ts, 10);
	ASSERT_NE(NULL, q_remove(r, UD, IORING_TIMEOUT_UPDATE, &ts, UD + 1));
	submit_expect_err(_metadata, r, UD + 1, -ENOENT);
	ASSERT_NE(NULL, q_remove(r, UD, IORING_TIMEOUT_UPDATE | IORING_TIMEOUT_ABS, &ts,
				 UD + 2));
	submit_expect_err(_metadata, r, UD + 2, -ENOENT);
	ASSERT_NE(NULL, q_remove(r, UD, IORING_TIMEOUT_UPDATE | IORING_LINK_TIMEOUT_UPDATE,
				 &ts, UD + 3));
	submit_expect_err(_metadata, r, UD + 3, -ENOENT);
}

/* An updated count timeout becomes a pure timer: CQEs no longer complete it. */
TEST_F(timeout, update_drops_count)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts, nts;

	REQUIRE_OP(TIMEOUT);
	REQUIRE_OP(TIMEOUT_REMOVE);
	rel_ts(&ts, NEVER_S * 1000);
	ASSERT_NE(NULL, q_timeout(r, &ts, 2, 0, UD));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	rel_ts(&nts, 200);
	ASSERT_NE(NULL, q_remove(r, UD, IORING_TIMEOUT_UPDATE, &nts, UD + 1));
	ASSERT_NE(NULL, ring_nop(r, UD + 2));
	ASSERT_NE(NULL, ring_nop(r, UD + 3));
	ASSERT_EQ(3, ring_submit_mode(r, 3));
	EXPECT_CQE(r, UD + 1, 0, 0);
	EXPECT_CQE(r, UD + 2, 0, 0);
	EXPECT_CQE(r, UD + 3, 0, 0);
	/* 3 CQEs went by, yet it expires rather than completing with 0 */
	EXPECT_CQE(r, UD, -ETIME, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/* A multishot timeout keeps its repetitions; it cannot become absolute. */
TEST_F(timeout, update_multishot)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts, nts;

	REQUIRE_OP(TIMEOUT);
	REQUIRE_OP(TIMEOUT_REMOVE);
	rel_ts(&ts, NEVER_S * 1000);
	ASSERT_NE(NULL, q_timeout(r, &ts, 2, IORING_TIMEOUT_MULTISHOT, UD));
	ASSERT_EQ(1, ring_submit_mode(r, 1));

	abs_ts(&nts, CLOCK_MONOTONIC, 10);
	ASSERT_NE(NULL, q_remove(r, UD, IORING_TIMEOUT_UPDATE | IORING_TIMEOUT_ABS, &nts,
				 UD + 1));
	submit_expect_err(_metadata, r, UD + 1, -EINVAL);

	rel_ts(&nts, 10);
	ASSERT_NE(NULL, q_remove(r, UD, IORING_TIMEOUT_UPDATE, &nts, UD + 2));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 2, 0, 0);
	EXPECT_CQE(r, UD, -ETIME, IORING_CQE_F_MORE);
	EXPECT_CQE(r, UD, -ETIME, 0);
	EXPECT_NO_CQE(r);
}

/* Update prep: timespec read and vetted; no clock or other flags. */
TEST_F(timeout_once, update_bad_args)
{
	static const unsigned int bad_flags[] = {
		IORING_TIMEOUT_BOOTTIME, IORING_TIMEOUT_REALTIME,
		IORING_TIMEOUT_BOOTTIME | IORING_TIMEOUT_REALTIME,
		IORING_TIMEOUT_ETIME_SUCCESS, IORING_TIMEOUT_MULTISHOT, 1U << 31,
	};
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts, nts;
	struct io_uring_cqe set[2];
	unsigned int i;

	REQUIRE_OP(TIMEOUT);
	REQUIRE_OP(TIMEOUT_REMOVE);
	rel_ts(&ts, NEVER_S * 1000);
	ASSERT_NE(NULL, q_timeout(r, &ts, 0, 0, UD));
	ASSERT_EQ(1, ring_submit_mode(r, 1));

	rel_ts(&nts, 10);
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		ASSERT_NE(NULL, q_remove(r, UD, IORING_TIMEOUT_UPDATE | bad_flags[i], &nts,
					 UD + 10 + i));
		submit_expect_err(_metadata, r, UD + 10 + i, -EINVAL);
	}
	ASSERT_NE(NULL, q_remove(r, UD, IORING_TIMEOUT_UPDATE, NULL, UD + 1));
	submit_expect_err(_metadata, r, UD + 1, -EFAULT);
	nts.tv_sec = -1;
	ASSERT_NE(NULL, q_remove(r, UD, IORING_TIMEOUT_UPDATE, &nts, UD + 2));
	submit_expect_err(_metadata, r, UD + 2, -EINVAL);
	nts.tv_sec = 0;
	nts.tv_nsec = -1;
	ASSERT_NE(NULL, q_remove(r, UD, IORING_TIMEOUT_UPDATE, &nts, UD + 3));
	submit_expect_err(_metadata, r, UD + 3, -EINVAL);
	/* with LINK_TIMEOUT_UPDATE alone the timespec is vetted too */
	ASSERT_NE(NULL, q_remove(r, UD, IORING_LINK_TIMEOUT_UPDATE, NULL, UD + 4));
	submit_expect_err(_metadata, r, UD + 4, -EFAULT);

	/* the timeout is untouched */
	EXPECT_NO_CQE(r);
	ASSERT_NE(NULL, q_remove(r, UD, 0, NULL, UD + 5));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	ASSERT_EQ(2U, pop_n(r, set, 2));
	EXPECT_IN_SET(set, 2, UD + 5, 0, 0);
	EXPECT_IN_SET(set, 2, UD, -ECANCELED, 0);
}

/* ---- IORING_OP_LINK_TIMEOUT ---- */

static void open_pipe(struct __test_metadata *_metadata, int p[2])
{
	ASSERT_EQ(0, pipe(p));
}

/* A read that cannot complete is cancelled when its linked timeout fires. */
TEST_F(timeout, link_timeout_fires)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	struct io_uring_cqe set[2];
	struct io_uring_sqe *sqe;
	int p[2];

	REQUIRE_OP(LINK_TIMEOUT);
	open_pipe(_metadata, p);
	rel_ts(&ts, 50);
	sqe = q_read(r, p[0], 0, UD);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	ASSERT_NE(NULL, q_link_timeout(r, &ts, 0, UD + 1));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	ASSERT_EQ(2U, pop_n(r, set, 2));
	EXPECT_IN_SET(set, 2, UD, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, UD + 1, -ETIME, 0);
	EXPECT_NO_CQE(r);

	/* absolute, already expired */
	abs_ts(&ts, CLOCK_MONOTONIC, -10);
	sqe = q_read(r, p[0], 0, UD + 2);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	ASSERT_NE(NULL, q_link_timeout(r, &ts, IORING_TIMEOUT_ABS, UD + 3));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	ASSERT_EQ(2U, pop_n(r, set, 2));
	EXPECT_IN_SET(set, 2, UD + 2, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, UD + 3, -ETIME, 0);
	EXPECT_NO_CQE(r);
	close(p[0]);
	close(p[1]);
}

/* A request completing in time cancels its linked timeout. */
TEST_F(timeout, link_timeout_not_needed)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	struct io_uring_cqe set[2];
	struct io_uring_sqe *sqe;
	int p[2];

	REQUIRE_OP(LINK_TIMEOUT);
	rel_ts(&ts, NEVER_S * 1000);
	sqe = ring_nop(r, UD);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	ASSERT_NE(NULL, q_link_timeout(r, &ts, 0, UD + 1));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_CQE(r, UD, 0, 0);
	EXPECT_CQE(r, UD + 1, -ECANCELED, 0);
	EXPECT_NO_CQE(r);

	/* a read that waits, then gets data */
	open_pipe(_metadata, p);
	sqe = q_read(r, p[0], 0, UD + 2);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	ASSERT_NE(NULL, q_link_timeout(r, &ts, 0, UD + 3));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_NO_CQE(r);
	ASSERT_EQ(5, write(p[1], "hello", 5));
	ASSERT_EQ(2U, pop_n(r, set, 2));
	EXPECT_IN_SET(set, 2, UD + 2, 5, 0);
	EXPECT_IN_SET(set, 2, UD + 3, -ECANCELED, 0);
	EXPECT_EQ(0, memcmp(rbuf[0], "hello", 5));
	EXPECT_NO_CQE(r);

	/* a failing request cancels its linked timeout too */
	sqe = ring_nop(r, UD + 4);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	sqe->nop_flags = IORING_NOP_INJECT_RESULT;
	sqe->len = (unsigned int)-EIO;
	ASSERT_NE(NULL, q_link_timeout(r, &ts, 0, UD + 5));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_CQE(r, UD + 4, -EIO, 0);
	EXPECT_CQE(r, UD + 5, -ECANCELED, 0);
	EXPECT_NO_CQE(r);
	close(p[0]);
	close(p[1]);
}

/* LINK_TIMEOUT must follow a request carrying a link flag. */
TEST_F(timeout, link_timeout_without_link)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	struct io_uring_sqe *sqe;

	REQUIRE_OP(LINK_TIMEOUT);
	rel_ts(&ts, 10);
	ASSERT_NE(NULL, q_link_timeout(r, &ts, 0, UD));
	submit_expect_err(_metadata, r, UD, -EINVAL);

	/* the previous request is not linked */
	ASSERT_NE(NULL, ring_nop(r, UD + 1));
	ASSERT_NE(NULL, q_link_timeout(r, &ts, 0, UD + 2));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_CQE(r, UD + 1, 0, 0);
	EXPECT_CQE(r, UD + 2, -EINVAL, 0);

	/* linked, but previous submission: a chain ends with its submit */
	sqe = ring_nop(r, UD + 3);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 3, 0, 0);
	ASSERT_NE(NULL, q_link_timeout(r, &ts, 0, UD + 4));
	submit_expect_err(_metadata, r, UD + 4, -EINVAL);
}

/*
 * Bad LINK_TIMEOUTs inside a chain: the one that fails prep gets its own
 * error, the chain's other members -ECANCELED.
 */
TEST_F(timeout, link_timeout_bad_in_chain)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	struct io_uring_sqe *sqe;
	unsigned int i;

	REQUIRE_OP(LINK_TIMEOUT);
	rel_ts(&ts, NEVER_S * 1000);
	for (i = 0; i < 4; i++) {
		__u64 ud = UD + 10 * i;

		sqe = ring_nop(r, ud);
		ASSERT_NE(NULL, sqe);
		sqe->flags = IOSQE_IO_LINK;
		sqe = q_link_timeout(r, &ts, 0, ud + 1);
		ASSERT_NE(NULL, sqe);
		switch (i) {
		case 0:
			/* no count for link timeouts */
			sqe->off = 1;
			break;
		case 1:
			sqe->len = 2;
			break;
		case 2:
			sqe->timeout_flags = IORING_TIMEOUT_MULTISHOT | IORING_TIMEOUT_ABS;
			break;
		case 3:
			/* a link timeout cannot follow a link timeout */
			sqe->flags = IOSQE_IO_LINK;
			sqe = q_link_timeout(r, &ts, 0, ud + 2);
			ASSERT_NE(NULL, sqe);
			break;
		}
		if (i < 3) {
			ASSERT_EQ(2, ring_submit_mode(r, 2));
			EXPECT_CQE(r, ud, -ECANCELED, 0);
			EXPECT_CQE(r, ud + 1, -EINVAL, 0);
		} else {
			ASSERT_EQ(3, ring_submit_mode(r, 3));
			EXPECT_CQE(r, ud, -ECANCELED, 0);
			EXPECT_CQE(r, ud + 1, -ECANCELED, 0);
			EXPECT_CQE(r, ud + 2, -EINVAL, 0);
		}
		EXPECT_EQ(0U, ring_cq_ready(r));
	}
}

/*
 * A LINK_TIMEOUT in the middle of a chain times the request just before
 * it; when it fires, that request is cancelled and so is the rest.
 */
TEST_F(timeout, link_timeout_mid_chain_fires)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	struct io_uring_cqe set[4];
	struct io_uring_sqe *sqe;
	int p[2];

	REQUIRE_OP(LINK_TIMEOUT);
	open_pipe(_metadata, p);
	rel_ts(&ts, 50);
	sqe = ring_nop(r, UD);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	sqe = q_read(r, p[0], 0, UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	sqe = q_link_timeout(r, &ts, 0, UD + 2);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	ASSERT_NE(NULL, ring_nop(r, UD + 3));
	ASSERT_EQ(4, ring_submit_mode(r, 4));
	EXPECT_CQE(r, UD, 0, 0);
	ASSERT_EQ(3U, pop_n(r, set, 3));
	EXPECT_IN_SET(set, 3, UD + 1, -ECANCELED, 0);
	EXPECT_IN_SET(set, 3, UD + 2, -ETIME, 0);
	EXPECT_IN_SET(set, 3, UD + 3, -ECANCELED, 0);
	EXPECT_NO_CQE(r);
	close(p[0]);
	close(p[1]);
}

/* ... and when the timed request completes in time, the rest runs. */
TEST_F(timeout, link_timeout_mid_chain_in_time)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	struct io_uring_cqe set[3];
	struct io_uring_sqe *sqe;
	int p[2];

	REQUIRE_OP(LINK_TIMEOUT);
	open_pipe(_metadata, p);
	rel_ts(&ts, NEVER_S * 1000);
	sqe = ring_nop(r, UD);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	sqe = q_read(r, p[0], 0, UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	sqe->len = 4;
	sqe = q_link_timeout(r, &ts, 0, UD + 2);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	ASSERT_NE(NULL, ring_nop(r, UD + 3));
	ASSERT_EQ(4, ring_submit_mode(r, 4));
	EXPECT_CQE(r, UD, 0, 0);
	EXPECT_NO_CQE(r);

	ASSERT_EQ(4, write(p[1], "data", 4));
	ASSERT_EQ(3U, pop_n(r, set, 3));
	EXPECT_IN_SET(set, 3, UD + 1, 4, 0);
	EXPECT_IN_SET(set, 3, UD + 2, -ECANCELED, 0);
	/* the request after the link timeout follows the timed request */
	EXPECT_IN_SET(set, 3, UD + 3, 0, 0);
	EXPECT_LT(pos_of(set, 3, UD + 1), pos_of(set, 3, UD + 3));
	EXPECT_NO_CQE(r);
	close(p[0]);
	close(p[1]);
}

/* The timed request hard-linked: the rest of the chain survives the expiry. */
TEST_F(timeout, link_timeout_hardlink)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;
	struct io_uring_cqe set[3];
	struct io_uring_sqe *sqe;
	int p[2];

	REQUIRE_OP(LINK_TIMEOUT);
	open_pipe(_metadata, p);
	rel_ts(&ts, 30);
	sqe = q_read(r, p[0], 0, UD);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_HARDLINK;
	sqe = q_link_timeout(r, &ts, 0, UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	ASSERT_NE(NULL, ring_nop(r, UD + 2));
	ASSERT_EQ(3, ring_submit_mode(r, 3));
	ASSERT_EQ(3U, pop_n(r, set, 3));
	EXPECT_IN_SET(set, 3, UD, -ECANCELED, 0);
	EXPECT_IN_SET(set, 3, UD + 1, -ETIME, 0);
	EXPECT_IN_SET(set, 3, UD + 2, 0, 0);
	EXPECT_LT(pos_of(set, 3, UD), pos_of(set, 3, UD + 2));
	EXPECT_NO_CQE(r);
	close(p[0]);
	close(p[1]);
}

/* IORING_TIMEOUT_UPDATE | IORING_LINK_TIMEOUT_UPDATE re-arms a linked timeout. */
TEST_F(timeout, link_timeout_update)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts, nts;
	struct io_uring_cqe set[2];
	struct io_uring_sqe *sqe;
	int p[2];

	REQUIRE_OP(LINK_TIMEOUT);
	REQUIRE_OP(TIMEOUT_REMOVE);
	open_pipe(_metadata, p);
	rel_ts(&ts, NEVER_S * 1000);
	sqe = q_read(r, p[0], 0, UD);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	ASSERT_NE(NULL, q_link_timeout(r, &ts, 0, UD + 1));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_NO_CQE(r);

	/* linked timeouts are not found by removal or plain updates */
	ASSERT_NE(NULL, q_remove(r, UD + 1, 0, NULL, UD + 2));
	submit_expect_err(_metadata, r, UD + 2, -ENOENT);
	rel_ts(&nts, 10);
	ASSERT_NE(NULL, q_remove(r, UD + 1, IORING_TIMEOUT_UPDATE, &nts, UD + 3));
	submit_expect_err(_metadata, r, UD + 3, -ENOENT);
	/* LINK_TIMEOUT_UPDATE without UPDATE is a (plain) removal */
	ASSERT_NE(NULL, q_remove(r, UD + 1, IORING_LINK_TIMEOUT_UPDATE, &nts, UD + 4));
	submit_expect_err(_metadata, r, UD + 4, -ENOENT);
	/* nor is the read it guards */
	ASSERT_NE(NULL, q_remove(r, UD, IORING_TIMEOUT_UPDATE | IORING_LINK_TIMEOUT_UPDATE,
				 &nts, UD + 5));
	submit_expect_err(_metadata, r, UD + 5, -ENOENT);
	EXPECT_NO_CQE(r);

	rel_ts(&nts, 40);
	ASSERT_NE(NULL, q_remove(r, UD + 1, IORING_TIMEOUT_UPDATE | IORING_LINK_TIMEOUT_UPDATE,
				 &nts, UD + 6));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	ASSERT_EQ(0, ring_pop_cqe(r, &set[0], WAIT_MS));
	EXPECT_EQ(UD + 6, set[0].user_data);
	EXPECT_EQ(0, set[0].res);
	ASSERT_EQ(2U, pop_n(r, set, 2));
	EXPECT_IN_SET(set, 2, UD, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, UD + 1, -ETIME, 0);
	EXPECT_NO_CQE(r);

	/* absolute update */
	sqe = q_read(r, p[0], 0, UD + 7);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	ASSERT_NE(NULL, q_link_timeout(r, &ts, 0, UD + 8));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	abs_ts(&nts, CLOCK_MONOTONIC, 20);
	ASSERT_NE(NULL, q_remove(r, UD + 8, IORING_TIMEOUT_UPDATE | IORING_LINK_TIMEOUT_UPDATE |
				 IORING_TIMEOUT_ABS, &nts, UD + 9));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD + 9, 0, 0);
	ASSERT_EQ(2U, pop_n(r, set, 2));
	EXPECT_IN_SET(set, 2, UD + 7, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, UD + 8, -ETIME, 0);
	EXPECT_NO_CQE(r);

	/* a normal timeout is not found by a link timeout update... */
	ASSERT_NE(NULL, q_timeout(r, &ts, 0, 0, UD + 10));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	ASSERT_NE(NULL, q_remove(r, UD + 10, IORING_TIMEOUT_UPDATE |
				 IORING_LINK_TIMEOUT_UPDATE, &nts, UD + 11));
	submit_expect_err(_metadata, r, UD + 11, -ENOENT);
	/* ...but LINK_TIMEOUT_UPDATE alone removes it */
	ASSERT_NE(NULL, q_remove(r, UD + 10, IORING_LINK_TIMEOUT_UPDATE, &nts, UD + 12));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	ASSERT_EQ(2U, pop_n(r, set, 2));
	EXPECT_IN_SET(set, 2, UD + 12, 0, 0);
	EXPECT_IN_SET(set, 2, UD + 10, -ECANCELED, 0);
	EXPECT_NO_CQE(r);
	close(p[0]);
	close(p[1]);
}

/* ---- timeouts pending at ring close and task exit ---- */

static bool wait_no_readers(int wfd, unsigned int timeout_ms)
{
	unsigned int waited = 0;
	struct pollfd pfd;

	for (;;) {
		pfd.fd = wfd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR))
			return true;
		if (waited >= timeout_ms)
			return false;
		sleep_ms(10);
		waited += 10;
	}
}

/*
 * Register @rfd as fixed file 0 of @r, then submit long timeouts of every
 * kind: pure, counted, multishot and a linked one guarding a fixed-file read.
 * Returns 0 or a nonzero step number.
 */
static int submit_long_timeouts(struct test_ring *r, int rfd)
{
	static struct __kernel_timespec ts = { .tv_sec = NEVER_S };
	struct io_uring_sqe *sqe;

	if (io_uring_register(r->fd, IORING_REGISTER_FILES, &rfd, 1))
		return 1;
	if (!q_timeout(r, &ts, 0, 0, UD) || !q_timeout(r, &ts, 4, 0, UD + 1) ||
	    !q_timeout(r, &ts, 0, IORING_TIMEOUT_MULTISHOT, UD + 2))
		return 2;
	sqe = q_read(r, 0, 1, UD + 3);
	if (!sqe)
		return 3;
	sqe->flags = IOSQE_FIXED_FILE | IOSQE_IO_LINK;
	if (!q_link_timeout(r, &ts, 0, UD + 4))
		return 4;
	/* a timeout heading a chain whose next member is never issued */
	sqe = q_timeout(r, &ts, 0, 0, UD + 5);
	if (!sqe)
		return 5;
	sqe->flags = IOSQE_IO_LINK;
	if (!ring_nop(r, UD + 6))
		return 6;
	if (ring_submit_mode(r, 7) != 7)
		return 7;
	if (ring_cq_ready(r))
		return 8;
	return 0;
}

/*
 * Rings closed, or left behind by an exiting task, with timeouts pending, in
 * every ring mode. The fixture's ring is the one closed; the exit test drops
 * it and has a child set up its own.
 */
FIXTURE(timeout_exit) {
	struct test_ring r;
};

RING_MODE_VARIANTS(timeout_exit);

FIXTURE_SETUP(timeout_exit)
{
	int ret;

	ret = ring_init_mode(&self->r, 16, variant->setup_flags);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(timeout_exit)
{
	ring_exit(&self->r);
}

/*
 * The registered file table holds the pipe's read end until the ring is
 * freed, which waits for every request: the read end going away proves
 * that the pending timeouts were cancelled on close.
 */
TEST_F(timeout_exit, close_ring_with_timeouts)
{
	struct test_ring *r = &self->r;
	int p[2];

	if (!uring_op_supported(IORING_OP_TIMEOUT) || !uring_op_supported(IORING_OP_LINK_TIMEOUT))
		SKIP(return, "IORING_OP_TIMEOUT/IORING_OP_LINK_TIMEOUT not supported");
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, submit_long_timeouts(r, p[0]));
	EXPECT_EQ(0, close(p[0]));
	EXPECT_NO_CQE(r);

	ring_exit(r);
	EXPECT_TRUE(wait_no_readers(p[1], LONG_MS));
	close(p[1]);

	/* a new ring works as usual */
	ASSERT_EQ(0, ring_init_mode(r, 4, variant->setup_flags));
	ASSERT_NE(NULL, ring_nop(r, UD));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD, 0, 0);
}

static int wait_child(pid_t pid, unsigned int timeout_ms, int *status)
{
	unsigned int waited = 0;
	pid_t ret;

	for (;;) {
		ret = waitpid(pid, status, WNOHANG);
		if (ret == pid)
			return 0;
		if (ret < 0)
			return -errno;
		if (waited >= timeout_ms)
			break;
		sleep_ms(10);
		waited += 10;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -ETIMEDOUT;
}

/* A task exiting with timeouts pending (ring still open) neither hangs nor leaks. */
TEST_F(timeout_exit, child_exit_with_timeouts)
{
	int p[2], status, ret;
	struct test_ring r;
	pid_t pid;

	if (!uring_op_supported(IORING_OP_TIMEOUT) || !uring_op_supported(IORING_OP_LINK_TIMEOUT))
		SKIP(return, "IORING_OP_TIMEOUT/IORING_OP_LINK_TIMEOUT not supported");
	/* the child sets up its own ring, in the same mode */
	ring_exit(&self->r);
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(p[1]);
		if (ring_init_mode(&r, 16, variant->setup_flags))
			_exit(20);
		ret = submit_long_timeouts(&r, p[0]);
		close(p[0]);
		/* exit with the ring open, mapped and its timeouts pending */
		_exit(ret ? 20 + ret : 42);
	}
	EXPECT_EQ(0, close(p[0]));
	ASSERT_EQ(0, wait_child(pid, LONG_MS, &status));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(42, WEXITSTATUS(status));
	EXPECT_TRUE(wait_no_readers(p[1], LONG_MS));
	close(p[1]);
}

TEST_HARNESS_MAIN
