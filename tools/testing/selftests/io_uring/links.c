// SPDX-License-Identifier: GPL-2.0
/*
 * Request chains (IOSQE_IO_LINK, IOSQE_IO_HARDLINK): ordering, failure
 * propagation, short reads, bad SQEs inside a chain, chains cut at the end
 * of a submission, IOSQE_CQE_SKIP_SUCCESS inside a chain; and IOSQE_IO_DRAIN
 * ordering, with links and after IOSQE_CQE_SKIP_SUCCESS. Follows Linux 6.12.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>

#include "uring_test.h"

#define UD		0x11c0000000000000ULL
/* bound on anything that must happen */
#define WAIT_MS		2000
/* how long something that must not happen yet is given to (wrongly) happen */
#define PENDING_MS	50

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

/* read targets; static so they outlive any ring that may still write them */
static char rbuf[4][4096];

static struct io_uring_sqe *q_nop(struct test_ring *r, __u64 ud, unsigned int flags)
{
	struct io_uring_sqe *sqe = ring_nop(r, ud);

	if (sqe)
		sqe->flags = flags;
	return sqe;
}

/* A NOP completing with @res (IORING_NOP_INJECT_RESULT). */
static struct io_uring_sqe *q_nop_res(struct test_ring *r, __u64 ud, unsigned int flags,
				      int res)
{
	struct io_uring_sqe *sqe = q_nop(r, ud, flags);

	if (sqe) {
		sqe->nop_flags = IORING_NOP_INJECT_RESULT;
		sqe->len = (unsigned int)res;
	}
	return sqe;
}

static struct io_uring_sqe *q_read(struct test_ring *r, int fd, unsigned int i,
				   unsigned int len, __u64 off, __u64 ud, unsigned int flags)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_READ;
		sqe->flags = flags;
		sqe->fd = fd;
		sqe->addr = (__u64)(uintptr_t)rbuf[i];
		sqe->len = len;
		sqe->off = off;
		sqe->user_data = ud;
	}
	return sqe;
}

/* An SQE that fails at init: unknown opcode. */
static struct io_uring_sqe *q_bad(struct test_ring *r, __u64 ud, unsigned int flags)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = 0xff;
		sqe->flags = flags;
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

/* In a set of popped CQEs, the one for @ud (exactly once) has res/flags. */
#define EXPECT_IN_SET(set, n, ud, res_, flags_) do {			\
	const struct io_uring_cqe *__c = find_cqe(set, n, ud);		\
	ASSERT_NE(NULL, __c) {						\
		TH_LOG("no CQE for ud 0x%llx", (unsigned long long)(ud)); \
	}								\
	EXPECT_EQ((int)(res_), __c->res);				\
	EXPECT_EQ((unsigned int)(flags_), __c->flags);			\
} while (0)

/* In @set, the CQE for @a comes before the one for @b. */
#define EXPECT_BEFORE(set, n, a, b)					\
	EXPECT_LT(pos_of(set, n, a), pos_of(set, n, b))

FIXTURE(links) {
	struct test_ring r;
	int p[2];
};

FIXTURE_SETUP(links)
{
	ASSERT_EQ(0, ring_init_flags(&self->r, 64, 0));
	ASSERT_EQ(0, pipe(self->p));
}

FIXTURE_TEARDOWN(links)
{
	ring_exit(&self->r);
	close(self->p[0]);
	close(self->p[1]);
}

/* ---- IOSQE_IO_LINK / IOSQE_IO_HARDLINK ---- */

TEST_F(links, nop_chains_in_order)
{
	struct test_ring *r = &self->r;
	unsigned int i;

	/* a soft chain of 8 */
	for (i = 0; i < 8; i++) {
		ASSERT_NE(NULL, q_nop(r, UD + i, i < 7 ? IOSQE_IO_LINK : 0));
	}
	ASSERT_EQ(8, ring_submit(r, 8, 0, 0));
	for (i = 0; i < 8; i++) {
		EXPECT_CQE(r, UD + i, 0, 0);
	}
	EXPECT_EQ(0U, ring_cq_ready(r));

	/* a hard chain of 4 */
	for (i = 8; i < 12; i++) {
		ASSERT_NE(NULL, q_nop(r, UD + i, i < 11 ? IOSQE_IO_HARDLINK : 0));
	}
	ASSERT_EQ(4, ring_submit(r, 4, 0, 0));
	for (i = 8; i < 12; i++) {
		EXPECT_CQE(r, UD + i, 0, 0);
	}
	EXPECT_EQ(0U, ring_cq_ready(r));

	/* mixed link flags */
	ASSERT_NE(NULL, q_nop(r, UD + 13, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 14, IOSQE_IO_HARDLINK));
	ASSERT_NE(NULL, q_nop(r, UD + 15, IOSQE_IO_LINK | IOSQE_IO_HARDLINK));
	ASSERT_NE(NULL, q_nop(r, UD + 16, 0));
	ASSERT_EQ(4, ring_submit(r, 4, 0, 0));
	for (i = 13; i < 17; i++) {
		EXPECT_CQE(r, UD + i, 0, 0);
	}
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/*
 * Chains submitted together run concurrently: each chain's CQEs are in
 * chain order, but chains (and lone requests) interleave.
 */
TEST_F(links, chains_interleave)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[13];
	unsigned int i;

	for (i = 0; i < 6; i++) {
		ASSERT_NE(NULL, q_nop(r, UD + i, i < 5 ? IOSQE_IO_LINK : 0));
	}
	for (i = 6; i < 12; i++) {
		ASSERT_NE(NULL, q_nop(r, UD + i, i < 11 ? IOSQE_IO_HARDLINK : 0));
	}
	ASSERT_NE(NULL, q_nop(r, UD + 12, 0));
	ASSERT_EQ(13, ring_submit(r, 13, 0, 0));
	ASSERT_EQ(13U, pop_n(r, set, 13));
	for (i = 0; i < 13; i++) {
		EXPECT_IN_SET(set, 13, UD + i, 0, 0);
	}
	for (i = 0; i < 11; i++) {
		if (i == 5) {
			continue;
		}
		EXPECT_LT(pos_of(set, 13, UD + i), pos_of(set, 13, UD + i + 1));
	}
	EXPECT_NO_CQE(r);
}

/* Members of a chain are issued one after the other, also when async. */
TEST_F(links, async_chain_in_order)
{
	struct test_ring *r = &self->r;
	unsigned int i;

	for (i = 0; i < 8; i++) {
		ASSERT_NE(NULL, q_nop(r, UD + i, IOSQE_ASYNC | (i < 7 ? IOSQE_IO_LINK : 0)));
	}
	ASSERT_EQ(8, ring_submit(r, 8, 0, 0));
	for (i = 0; i < 8; i++) {
		EXPECT_CQE(r, UD + i, 0, 0);
	}
	EXPECT_NO_CQE(r);
}

/* The next member is not issued before the previous one completes. */
TEST_F(links, chain_waits_for_member)
{
	struct test_ring *r = &self->r;

	REQUIRE_OP(READ);
	ASSERT_NE(NULL, q_read(r, self->p[0], 0, 4, -1, UD, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 1, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 2, 0));
	ASSERT_NE(NULL, q_nop(r, UD + 3, 0));
	ASSERT_EQ(4, ring_submit(r, 4, 0, 0));
	/* the NOP outside the chain is independent */
	EXPECT_CQE(r, UD + 3, 0, 0);
	EXPECT_NO_CQE(r);

	ASSERT_EQ(4, write(self->p[1], "link", 4));
	EXPECT_CQE(r, UD, 4, 0);
	EXPECT_CQE(r, UD + 1, 0, 0);
	EXPECT_CQE(r, UD + 2, 0, 0);
	EXPECT_EQ(0, memcmp(rbuf[0], "link", 4));
	EXPECT_NO_CQE(r);
}

/* A negative result cancels the rest of a soft chain with -ECANCELED. */
TEST_F(links, failure_cancels_chain)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[5];

	ASSERT_NE(NULL, q_nop(r, UD, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop_res(r, UD + 1, IOSQE_IO_LINK, -EIO));
	ASSERT_NE(NULL, q_nop(r, UD + 2, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 3, 0));
	ASSERT_EQ(4, ring_submit(r, 4, 0, 0));
	EXPECT_CQE(r, UD, 0, 0);
	EXPECT_CQE(r, UD + 1, -EIO, 0);
	EXPECT_CQE(r, UD + 2, -ECANCELED, 0);
	EXPECT_CQE(r, UD + 3, -ECANCELED, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));

	/* failing head; the next chain and a lone NOP are unaffected */
	ASSERT_NE(NULL, q_nop_res(r, UD + 4, IOSQE_IO_LINK, -EINVAL));
	ASSERT_NE(NULL, q_nop(r, UD + 5, 0));
	ASSERT_NE(NULL, q_nop(r, UD + 10, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 11, 0));
	ASSERT_NE(NULL, q_nop(r, UD + 6, 0));
	ASSERT_EQ(5, ring_submit(r, 5, 0, 0));
	ASSERT_EQ(5U, pop_n(r, set, 5));
	EXPECT_IN_SET(set, 5, UD + 4, -EINVAL, 0);
	EXPECT_IN_SET(set, 5, UD + 5, -ECANCELED, 0);
	EXPECT_IN_SET(set, 5, UD + 10, 0, 0);
	EXPECT_IN_SET(set, 5, UD + 11, 0, 0);
	EXPECT_IN_SET(set, 5, UD + 6, 0, 0);
	EXPECT_LT(pos_of(set, 5, UD + 4), pos_of(set, 5, UD + 5));
	EXPECT_LT(pos_of(set, 5, UD + 10), pos_of(set, 5, UD + 11));
	EXPECT_NO_CQE(r);

	/* positive and zero results do not break a chain */
	ASSERT_NE(NULL, q_nop_res(r, UD + 7, IOSQE_IO_LINK, 1234));
	ASSERT_NE(NULL, q_nop_res(r, UD + 8, IOSQE_IO_LINK, 0));
	ASSERT_NE(NULL, q_nop(r, UD + 9, 0));
	ASSERT_EQ(3, ring_submit(r, 3, 0, 0));
	EXPECT_CQE(r, UD + 7, 1234, 0);
	EXPECT_CQE(r, UD + 8, 0, 0);
	EXPECT_CQE(r, UD + 9, 0, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

TEST_F(links, long_chain_failure)
{
	struct test_ring *r = &self->r;
	unsigned int i;

	for (i = 0; i < 40; i++) {
		if (i == 20) {
			ASSERT_NE(NULL, q_nop_res(r, UD + i, IOSQE_IO_LINK, -EPERM));
		} else {
			ASSERT_NE(NULL, q_nop(r, UD + i, i < 39 ? IOSQE_IO_LINK : 0));
		}
	}
	ASSERT_EQ(40, ring_submit(r, 40, 0, 0));
	for (i = 0; i < 40; i++) {
		EXPECT_CQE(r, UD + i, i < 20 ? 0 : (i == 20 ? -EPERM : -ECANCELED), 0);
	}
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/* A read on a bad fd fails at issue with -EBADF and breaks its chain. */
TEST_F(links, bad_fd_cancels_chain)
{
	struct test_ring *r = &self->r;

	REQUIRE_OP(READ);
	ASSERT_NE(NULL, q_read(r, -1, 0, 16, 0, UD, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 1, 0));
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	EXPECT_CQE(r, UD, -EBADF, 0);
	EXPECT_CQE(r, UD + 1, -ECANCELED, 0);

	ASSERT_NE(NULL, q_nop(r, UD + 2, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_read(r, 1 << 20, 0, 16, 0, UD + 3, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 4, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 5, 0));
	ASSERT_EQ(4, ring_submit(r, 4, 0, 0));
	EXPECT_CQE(r, UD + 2, 0, 0);
	EXPECT_CQE(r, UD + 3, -EBADF, 0);
	EXPECT_CQE(r, UD + 4, -ECANCELED, 0);
	EXPECT_CQE(r, UD + 5, -ECANCELED, 0);

	/* hard-linked: the rest runs */
	ASSERT_NE(NULL, q_read(r, -1, 0, 16, 0, UD + 6, IOSQE_IO_HARDLINK));
	ASSERT_NE(NULL, q_nop(r, UD + 7, 0));
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	EXPECT_CQE(r, UD + 6, -EBADF, 0);
	EXPECT_CQE(r, UD + 7, 0, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/* IOSQE_IO_HARDLINK: a failure does not cancel what follows. */
TEST_F(links, hardlink_continues)
{
	struct test_ring *r = &self->r;

	ASSERT_NE(NULL, q_nop_res(r, UD, IOSQE_IO_HARDLINK, -EIO));
	ASSERT_NE(NULL, q_nop_res(r, UD + 1, IOSQE_IO_HARDLINK, -EINVAL));
	ASSERT_NE(NULL, q_nop(r, UD + 2, 0));
	ASSERT_EQ(3, ring_submit(r, 3, 0, 0));
	EXPECT_CQE(r, UD, -EIO, 0);
	EXPECT_CQE(r, UD + 1, -EINVAL, 0);
	EXPECT_CQE(r, UD + 2, 0, 0);

	/* each member's own flag decides: a soft link after a hard one */
	ASSERT_NE(NULL, q_nop_res(r, UD + 3, IOSQE_IO_HARDLINK, -EIO));
	ASSERT_NE(NULL, q_nop_res(r, UD + 4, IOSQE_IO_LINK, -EINVAL));
	ASSERT_NE(NULL, q_nop(r, UD + 5, IOSQE_IO_HARDLINK));
	ASSERT_NE(NULL, q_nop(r, UD + 6, 0));
	ASSERT_EQ(4, ring_submit(r, 4, 0, 0));
	EXPECT_CQE(r, UD + 3, -EIO, 0);
	EXPECT_CQE(r, UD + 4, -EINVAL, 0);
	EXPECT_CQE(r, UD + 5, -ECANCELED, 0);
	EXPECT_CQE(r, UD + 6, -ECANCELED, 0);

	/* both flags: hard */
	ASSERT_NE(NULL, q_nop_res(r, UD + 7, IOSQE_IO_LINK | IOSQE_IO_HARDLINK, -EIO));
	ASSERT_NE(NULL, q_nop(r, UD + 8, 0));
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	EXPECT_CQE(r, UD + 7, -EIO, 0);
	EXPECT_CQE(r, UD + 8, 0, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/* A short read counts as a failure for a soft chain. */
TEST_F(links, short_read_breaks_chain)
{
	char path[] = "/tmp/uring_links_XXXXXX";
	struct test_ring *r = &self->r;
	char data[100];
	unsigned int i;
	int fd;

	REQUIRE_OP(READ);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + 1);
	fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	unlink(path);
	ASSERT_EQ((ssize_t)sizeof(data), pwrite(fd, data, sizeof(data), 0));

	/* 100 of 4096 bytes */
	ASSERT_NE(NULL, q_read(r, fd, 0, 4096, 0, UD, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 1, 0));
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	EXPECT_CQE(r, UD, 100, 0);
	EXPECT_CQE(r, UD + 1, -ECANCELED, 0);
	EXPECT_EQ(0, memcmp(rbuf[0], data, sizeof(data)));

	/* the full amount: the chain goes on */
	ASSERT_NE(NULL, q_read(r, fd, 1, 60, 40, UD + 2, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 3, 0));
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	EXPECT_CQE(r, UD + 2, 60, 0);
	EXPECT_CQE(r, UD + 3, 0, 0);
	EXPECT_EQ(0, memcmp(rbuf[1], data + 40, 60));

	/* at EOF: 0 bytes is short too */
	ASSERT_NE(NULL, q_read(r, fd, 2, 16, 100, UD + 4, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 5, 0));
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	EXPECT_CQE(r, UD + 4, 0, 0);
	EXPECT_CQE(r, UD + 5, -ECANCELED, 0);

	/* hard-linked: the short read does not matter */
	ASSERT_NE(NULL, q_read(r, fd, 3, 200, 50, UD + 6, IOSQE_IO_HARDLINK));
	ASSERT_NE(NULL, q_nop(r, UD + 7, 0));
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	EXPECT_CQE(r, UD + 6, 50, 0);
	EXPECT_CQE(r, UD + 7, 0, 0);
	EXPECT_EQ(0, memcmp(rbuf[3], data + 50, 50));
	EXPECT_EQ(0U, ring_cq_ready(r));
	close(fd);
}

/* Also on a pipe: fewer bytes than asked breaks the chain. */
TEST_F(links, short_pipe_read_breaks_chain)
{
	struct test_ring *r = &self->r;

	REQUIRE_OP(READ);
	ASSERT_EQ(3, write(self->p[1], "abc", 3));
	ASSERT_NE(NULL, q_read(r, self->p[0], 0, 16, -1, UD, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 1, 0));
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	EXPECT_CQE(r, UD, 3, 0);
	EXPECT_CQE(r, UD + 1, -ECANCELED, 0);
	EXPECT_EQ(0, memcmp(rbuf[0], "abc", 3));

	ASSERT_EQ(3, write(self->p[1], "def", 3));
	ASSERT_NE(NULL, q_read(r, self->p[0], 0, 3, -1, UD + 2, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 3, 0));
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	EXPECT_CQE(r, UD + 2, 3, 0);
	EXPECT_CQE(r, UD + 3, 0, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/*
 * An SQE failing at init inside a chain: the chain is still assembled up
 * to its end; the bad SQE posts its own error, every other member
 * (including those before it) -ECANCELED, nothing is issued.
 */
TEST_F(links, bad_sqe_mid_chain)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[5];
	struct io_uring_sqe *sqe;

	ASSERT_NE(NULL, q_nop(r, UD, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_bad(r, UD + 1, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 2, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 3, 0));
	ASSERT_NE(NULL, q_nop(r, UD + 4, 0));
	/* the batch goes on after a bad SQE that is not the chain's last */
	ASSERT_EQ(5, ring_submit(r, 5, 0, 0));
	EXPECT_EQ(5U, load_acquire(r->sq_head));
	ASSERT_EQ(5U, pop_n(r, set, 5));
	EXPECT_IN_SET(set, 5, UD, -ECANCELED, 0);
	EXPECT_IN_SET(set, 5, UD + 1, -EINVAL, 0);
	EXPECT_IN_SET(set, 5, UD + 2, -ECANCELED, 0);
	EXPECT_IN_SET(set, 5, UD + 3, -ECANCELED, 0);
	EXPECT_IN_SET(set, 5, UD + 4, 0, 0);
	/* the chain's CQEs come in chain order */
	EXPECT_LT(pos_of(set, 5, UD), pos_of(set, 5, UD + 1));
	EXPECT_LT(pos_of(set, 5, UD + 1), pos_of(set, 5, UD + 2));
	EXPECT_LT(pos_of(set, 5, UD + 2), pos_of(set, 5, UD + 3));
	EXPECT_NO_CQE(r);

	/* the bad SQE at the head */
	ASSERT_NE(NULL, q_bad(r, UD + 5, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 6, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 7, 0));
	ASSERT_EQ(3, ring_submit(r, 3, 0, 0));
	EXPECT_CQE(r, UD + 5, -EINVAL, 0);
	EXPECT_CQE(r, UD + 6, -ECANCELED, 0);
	EXPECT_CQE(r, UD + 7, -ECANCELED, 0);

	/* a prep failure (bad nop_flags) behaves alike, even hard-linked */
	ASSERT_NE(NULL, q_nop(r, UD + 8, IOSQE_IO_HARDLINK));
	sqe = q_nop(r, UD + 9, IOSQE_IO_HARDLINK);
	ASSERT_NE(NULL, sqe);
	sqe->nop_flags = 1U << 7;
	ASSERT_NE(NULL, q_nop(r, UD + 10, 0));
	ASSERT_EQ(3, ring_submit(r, 3, 0, 0));
	EXPECT_CQE(r, UD + 8, -ECANCELED, 0);
	EXPECT_CQE(r, UD + 9, -EINVAL, 0);
	EXPECT_CQE(r, UD + 10, -ECANCELED, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/* A bad SQE ending a chain ends the batch: later SQEs stay queued. */
TEST_F(links, bad_sqe_ends_chain)
{
	struct test_ring *r = &self->r;

	ASSERT_NE(NULL, q_nop(r, UD, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 1, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_bad(r, UD + 2, 0));
	ASSERT_NE(NULL, q_nop(r, UD + 3, 0));
	ASSERT_EQ(3, ring_submit(r, 4, 0, 0));
	EXPECT_EQ(3U, load_acquire(r->sq_head));
	EXPECT_CQE(r, UD, -ECANCELED, 0);
	EXPECT_CQE(r, UD + 1, -ECANCELED, 0);
	EXPECT_CQE(r, UD + 2, -EINVAL, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));

	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD + 3, 0, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/* A chain ends with its submission, even if the last SQE has IOSQE_IO_LINK. */
TEST_F(links, chain_ends_at_submit)
{
	struct test_ring *r = &self->r;

	ASSERT_NE(NULL, q_nop(r, UD, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 1, IOSQE_IO_LINK));
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	EXPECT_CQE(r, UD, 0, 0);
	EXPECT_CQE(r, UD + 1, 0, 0);

	/* the failure of the "open" chain does not reach the next submission */
	ASSERT_NE(NULL, q_nop_res(r, UD + 2, IOSQE_IO_LINK, -EIO));
	ASSERT_NE(NULL, q_nop(r, UD + 3, 0));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD + 2, -EIO, 0);
	EXPECT_EQ(1U, ring_sq_pending(r));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD + 3, 0, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/*
 * IOSQE_CQE_SKIP_SUCCESS in chains: a failing member that asked for skip
 * still posts its own CQE, but the members it cancels post none; members
 * cancelled by a failure without skip post theirs despite their own skip.
 */
TEST_F(links, skip_success_in_chain)
{
	struct test_ring *r = &self->r;

	if (!(r->p.features & IORING_FEAT_CQE_SKIP))
		SKIP(return, "no IORING_FEAT_CQE_SKIP");

	ASSERT_NE(NULL, q_nop(r, UD, IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS));
	ASSERT_NE(NULL, q_nop(r, UD + 1, IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS));
	ASSERT_NE(NULL, q_nop(r, UD + 2, 0));
	ASSERT_EQ(3, ring_submit(r, 3, 0, 0));
	EXPECT_CQE(r, UD + 2, 0, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));

	ASSERT_NE(NULL, q_nop_res(r, UD + 3, IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS, -EIO));
	ASSERT_NE(NULL, q_nop(r, UD + 4, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 5, 0));
	ASSERT_NE(NULL, q_nop(r, UD + 6, 0));
	ASSERT_EQ(4, ring_submit(r, 4, 0, 0));
	EXPECT_CQE(r, UD + 3, -EIO, 0);
	EXPECT_CQE(r, UD + 6, 0, 0);
	EXPECT_NO_CQE(r);

	ASSERT_NE(NULL, q_nop_res(r, UD + 7, IOSQE_IO_LINK, -EIO));
	ASSERT_NE(NULL, q_nop(r, UD + 8, IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS));
	ASSERT_NE(NULL, q_nop(r, UD + 9, IOSQE_CQE_SKIP_SUCCESS));
	ASSERT_EQ(3, ring_submit(r, 3, 0, 0));
	EXPECT_CQE(r, UD + 7, -EIO, 0);
	EXPECT_CQE(r, UD + 8, -ECANCELED, 0);
	EXPECT_CQE(r, UD + 9, -ECANCELED, 0);
	EXPECT_NO_CQE(r);
}

/* ---- IOSQE_IO_DRAIN ---- */

/*
 * Queue a request that stays pending until complete_pending() is called:
 * POLL_ADD(POLLIN) on the idle pipe, or, without POLL_ADD, a forced-async
 * READ of 4 bytes. Returns the result its CQE will carry, or 0 on error.
 */
static int q_pending(struct test_ring *r, int rfd, __u64 ud)
{
	struct io_uring_sqe *sqe;

	if (uring_op_supported(IORING_OP_POLL_ADD)) {
		sqe = ring_get_sqe(r);
		if (!sqe)
			return 0;
		sqe->opcode = IORING_OP_POLL_ADD;
		sqe->fd = rfd;
		sqe->poll32_events = POLLIN;
		sqe->user_data = ud;
		return POLLIN;
	}
	if (!q_read(r, rfd, 0, 4, -1, ud, IOSQE_ASYNC))
		return 0;
	return 4;
}

static bool complete_pending(int wfd)
{
	return write(wfd, "dran", 4) == 4;
}

/* After the pending request's CQE: a poll leaves the data in the pipe. */
static bool consume_pending(int rfd, int res)
{
	char buf[4];

	return res != POLLIN || read(rfd, buf, sizeof(buf)) == 4;
}

#define REQUIRE_PENDING() do {						\
	if (!uring_op_supported(IORING_OP_POLL_ADD) &&			\
	    !uring_op_supported(IORING_OP_READ))			\
		SKIP(return, "IORING_OP_POLL_ADD and IORING_OP_READ not supported"); \
} while (0)

/* With nothing in flight, a drained request runs at once. */
TEST_F(links, drain_idle)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[2];

	ASSERT_NE(NULL, q_nop(r, UD, IOSQE_IO_DRAIN));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD, 0, 0);

	/* earlier requests completed (not reaped yet) do not hold it */
	ASSERT_NE(NULL, q_nop(r, UD + 1, 0));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	ASSERT_NE(NULL, q_nop(r, UD + 2, IOSQE_IO_DRAIN));
	ASSERT_NE(NULL, q_nop(r, UD + 3, 0));
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	EXPECT_CQE(r, UD + 1, 0, 0);
	/*
	 * Nothing to wait for: the drain is over at once and the next
	 * request is not held back (6.12 even lets it complete first).
	 */
	ASSERT_EQ(2U, pop_n(r, set, 2));
	EXPECT_IN_SET(set, 2, UD + 2, 0, 0);
	EXPECT_IN_SET(set, 2, UD + 3, 0, 0);
	EXPECT_NO_CQE(r);
}

/*
 * A drained request waits for everything submitted before it; requests
 * submitted after it wait for it, in the same and in later submissions.
 */
TEST_F(links, drain_waits_for_pending)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[4];
	int res;

	REQUIRE_PENDING();
	res = q_pending(r, self->p[0], UD);
	ASSERT_NE(0, res);
	ASSERT_NE(NULL, q_nop(r, UD + 1, IOSQE_IO_DRAIN));
	ASSERT_NE(NULL, q_nop(r, UD + 2, 0));
	ASSERT_EQ(3, ring_submit(r, 3, 0, 0));
	EXPECT_NO_CQE(r);

	ASSERT_NE(NULL, q_nop(r, UD + 3, 0));
	ASSERT_NE(NULL, q_nop(r, UD + 4, IOSQE_ASYNC));
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	EXPECT_NO_CQE(r);

	ASSERT_TRUE(complete_pending(self->p[1]));
	EXPECT_CQE(r, UD, res, 0);
	ASSERT_TRUE(consume_pending(self->p[0], res));
	/*
	 * The drained request and all queued behind it are released together
	 * (and run async), so they may complete in any order.
	 */
	ASSERT_EQ(4U, pop_n(r, set, 4));
	EXPECT_IN_SET(set, 4, UD + 1, 0, 0);
	EXPECT_IN_SET(set, 4, UD + 2, 0, 0);
	EXPECT_IN_SET(set, 4, UD + 3, 0, 0);
	EXPECT_IN_SET(set, 4, UD + 4, 0, 0);
	EXPECT_NO_CQE(r);

	/* once drained, requests run freely again */
	res = q_pending(r, self->p[0], UD + 5);
	ASSERT_NE(0, res);
	ASSERT_NE(NULL, q_nop(r, UD + 6, 0));
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	EXPECT_CQE(r, UD + 6, 0, 0);
	EXPECT_NO_CQE(r);
	ASSERT_TRUE(complete_pending(self->p[1]));
	EXPECT_CQE(r, UD + 5, res, 0);
	ASSERT_TRUE(consume_pending(self->p[0], res));
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/* Two drains in a row: each waits for all before it. */
TEST_F(links, drain_twice)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[4];
	int res;

	REQUIRE_PENDING();
	ASSERT_NE(NULL, q_nop(r, UD, 0));
	res = q_pending(r, self->p[0], UD + 1);
	ASSERT_NE(0, res);
	ASSERT_NE(NULL, q_nop(r, UD + 2, IOSQE_IO_DRAIN));
	ASSERT_NE(NULL, q_nop(r, UD + 3, 0));
	ASSERT_NE(NULL, q_nop(r, UD + 4, IOSQE_IO_DRAIN));
	ASSERT_NE(NULL, q_nop(r, UD + 5, 0));
	ASSERT_EQ(6, ring_submit(r, 6, 0, 0));
	EXPECT_CQE(r, UD, 0, 0);
	EXPECT_NO_CQE(r);

	ASSERT_TRUE(complete_pending(self->p[1]));
	EXPECT_CQE(r, UD + 1, res, 0);
	ASSERT_TRUE(consume_pending(self->p[0], res));
	ASSERT_EQ(4U, pop_n(r, set, 4));
	EXPECT_IN_SET(set, 4, UD + 2, 0, 0);
	EXPECT_IN_SET(set, 4, UD + 3, 0, 0);
	EXPECT_IN_SET(set, 4, UD + 4, 0, 0);
	EXPECT_IN_SET(set, 4, UD + 5, 0, 0);
	/* the second drain waits for the first one and what followed it */
	EXPECT_BEFORE(set, 4, UD + 2, UD + 4);
	EXPECT_BEFORE(set, 4, UD + 3, UD + 4);
	EXPECT_BEFORE(set, 4, UD + 2, UD + 5);
	EXPECT_BEFORE(set, 4, UD + 3, UD + 5);
	EXPECT_NO_CQE(r);
}

/*
 * Many NOPs around a drain: those before it complete first, in order; the
 * drained one and those after it follow. A run of drained requests
 * completes strictly in order.
 */
TEST_F(links, drain_many_nops)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[33];
	unsigned int i;

	for (i = 0; i < 33; i++) {
		ASSERT_NE(NULL, q_nop(r, UD + i, i == 16 ? IOSQE_IO_DRAIN : 0));
	}
	ASSERT_EQ(33, ring_submit(r, 33, 0, 0));
	ASSERT_EQ(33U, pop_n(r, set, 33));
	for (i = 0; i < 16; i++) {
		EXPECT_EQ(UD + i, set[i].user_data);
	}
	for (i = 0; i < 33; i++) {
		EXPECT_IN_SET(set, 33, UD + i, 0, 0);
	}
	EXPECT_NO_CQE(r);

	/* every one drained */
	for (i = 0; i < 16; i++) {
		ASSERT_NE(NULL, q_nop(r, UD + 100 + i, IOSQE_IO_DRAIN));
	}
	ASSERT_EQ(16, ring_submit(r, 16, 0, 0));
	for (i = 0; i < 16; i++) {
		EXPECT_CQE(r, UD + 100 + i, 0, 0);
	}
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/*
 * IOSQE_IO_DRAIN on a chain member drains the whole chain (it waits for
 * what came before) and the request after the chain waits for the chain.
 */
TEST_F(links, drain_in_chain)
{
	struct test_ring *r = &self->r;
	int res;

	REQUIRE_PENDING();
	res = q_pending(r, self->p[0], UD);
	ASSERT_NE(0, res);
	ASSERT_NE(NULL, q_nop(r, UD + 1, IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 2, IOSQE_IO_LINK | IOSQE_IO_DRAIN));
	ASSERT_NE(NULL, q_nop(r, UD + 3, 0));
	ASSERT_NE(NULL, q_nop(r, UD + 4, 0));
	ASSERT_EQ(5, ring_submit(r, 5, 0, 0));
	EXPECT_NO_CQE(r);

	ASSERT_TRUE(complete_pending(self->p[1]));
	EXPECT_CQE(r, UD, res, 0);
	ASSERT_TRUE(consume_pending(self->p[0], res));
	EXPECT_CQE(r, UD + 1, 0, 0);
	EXPECT_CQE(r, UD + 2, 0, 0);
	EXPECT_CQE(r, UD + 3, 0, 0);
	EXPECT_CQE(r, UD + 4, 0, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/*
 * A drained chain head: the chain waits for what came before, a failure
 * still cancels the rest of the chain.
 */
TEST_F(links, drain_chain_head)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[3];
	int res;

	REQUIRE_PENDING();
	res = q_pending(r, self->p[0], UD);
	ASSERT_NE(0, res);
	ASSERT_NE(NULL, q_nop_res(r, UD + 1, IOSQE_IO_LINK | IOSQE_IO_DRAIN, -EIO));
	ASSERT_NE(NULL, q_nop(r, UD + 2, 0));
	ASSERT_NE(NULL, q_nop(r, UD + 3, 0));
	ASSERT_EQ(4, ring_submit(r, 4, 0, 0));
	EXPECT_NO_CQE(r);

	ASSERT_TRUE(complete_pending(self->p[1]));
	EXPECT_CQE(r, UD, res, 0);
	ASSERT_TRUE(consume_pending(self->p[0], res));
	/* unlike a drain inside a chain, one on its head does not hold the next */
	ASSERT_EQ(3U, pop_n(r, set, 3));
	EXPECT_IN_SET(set, 3, UD + 1, -EIO, 0);
	EXPECT_IN_SET(set, 3, UD + 2, -ECANCELED, 0);
	EXPECT_IN_SET(set, 3, UD + 3, 0, 0);
	EXPECT_BEFORE(set, 3, UD + 1, UD + 2);
	EXPECT_NO_CQE(r);
}

/* Once IOSQE_CQE_SKIP_SUCCESS has been seen, IOSQE_IO_DRAIN is refused. */
TEST_F(links, drain_after_skip_success)
{
	struct test_ring *r = &self->r;

	if (!(r->p.features & IORING_FEAT_CQE_SKIP))
		SKIP(return, "no IORING_FEAT_CQE_SKIP");

	/* allowed until then */
	ASSERT_NE(NULL, q_nop(r, UD, IOSQE_IO_DRAIN));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD, 0, 0);

	ASSERT_NE(NULL, q_nop(r, UD + 1, IOSQE_CQE_SKIP_SUCCESS));
	ASSERT_NE(NULL, q_nop(r, UD + 2, IOSQE_IO_DRAIN));
	ASSERT_NE(NULL, q_nop(r, UD + 3, 0));
	/* refused at init: the batch stops there */
	ASSERT_EQ(2, ring_submit(r, 3, 0, 0));
	EXPECT_CQE(r, UD + 2, -EOPNOTSUPP, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD + 3, 0, 0);

	/* for good */
	ASSERT_NE(NULL, q_nop(r, UD + 4, IOSQE_IO_DRAIN | IOSQE_IO_LINK));
	ASSERT_NE(NULL, q_nop(r, UD + 5, 0));
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	EXPECT_CQE(r, UD + 4, -EOPNOTSUPP, 0);
	EXPECT_CQE(r, UD + 5, -ECANCELED, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/* Both flags on one SQE: refused. */
TEST_F(links, drain_with_skip_success)
{
	struct test_ring *r = &self->r;

	if (!(r->p.features & IORING_FEAT_CQE_SKIP))
		SKIP(return, "no IORING_FEAT_CQE_SKIP");
	ASSERT_NE(NULL, q_nop(r, UD, IOSQE_IO_DRAIN | IOSQE_CQE_SKIP_SUCCESS));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD, -EOPNOTSUPP, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/*
 * The skip flag disables drain as soon as the SQE's flags are accepted,
 * even if the request then fails prep; not if the SQE is refused before
 * (unknown opcode).
 */
TEST_F(links, drain_disabled_by_failed_skip)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;

	if (!(r->p.features & IORING_FEAT_CQE_SKIP))
		SKIP(return, "no IORING_FEAT_CQE_SKIP");

	ASSERT_NE(NULL, q_bad(r, UD, IOSQE_CQE_SKIP_SUCCESS));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD, -EINVAL, 0);
	ASSERT_NE(NULL, q_nop(r, UD + 1, IOSQE_IO_DRAIN));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD + 1, 0, 0);

	sqe = q_nop(r, UD + 2, IOSQE_CQE_SKIP_SUCCESS);
	ASSERT_NE(NULL, sqe);
	sqe->nop_flags = 1U << 7;
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD + 2, -EINVAL, 0);
	ASSERT_NE(NULL, q_nop(r, UD + 3, IOSQE_IO_DRAIN));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD + 3, -EOPNOTSUPP, 0);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

TEST_HARNESS_MAIN
