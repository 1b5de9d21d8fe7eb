// SPDX-License-Identifier: GPL-2.0
/*
 * CQ overflow (IORING_FEAT_NODROP) as Linux 6.12 does it, beyond the basic
 * sequence of nop.c (cq_overflow) and the multishot requests on a full CQ
 * of conform.c and hostile.c:
 *
 * - Overflowed CQEs flushed in order, in each ring mode (IOPOLL included),
 *   with 16- and 32-byte CQEs: user_data, res, flags and big_cqe[] as
 *   posted, IORING_SQ_CQ_OVERFLOW set for as long as any wait and the
 *   cq.overflow counter never moved.
 * - A flush fills exactly the room the application made, over many rounds
 *   of partial reaping, while new CQEs queue behind the backlog.
 * - A multishot request whose CQE would pass an overflowed one ends, even
 *   with room in the CQ.
 * - Rings closed, or left behind by an exiting process, with a backlog:
 *   the entries are freed (for kmemleak) and nothing is refused later.
 *
 * An eventfd polled by the ring it is registered with is covered by
 * hostile.c (eventfd_polled_by_own_ring) and conform.c (in every mode).
 *
 * Every wait is bounded, so that a kernel that gets it wrong fails the
 * test instead of hanging it.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "uring_test.h"

#define WAIT_MS		5000	/* for completions that must happen */
#define SHORT_MS	50	/* for completions that must not happen */

#define UD_NOP		0x0f10000000000000ULL	/* + index in the sequence */
#define UD_READ		0x0f20000000000000ULL
#define UD_POLL		0x0f40000000000000ULL
#define UD_RM		0x0f50000000000000ULL

#define BUF_LEN		16

/* one sequence: SEQ_NR CQEs through a SEQ_CQ-entry CQ, SEQ_SQ at a time */
#define SEQ_SQ		4
#define SEQ_CQ		4
#define SEQ_NR		20
#define SEQ_READ_AT	9	/* the READ's place in it, overflowed */

/* partial reaping: PR_NR CQEs through a PR_CQ-entry CQ */
#define PR_SQ		4
#define PR_CQ		8
#define PR_NR		160
#define PR_ROUNDS	1000	/* bound; the seed below needs 85 */

/* rings closed with a backlog: CLOSE_BATCHES * CL_SQ NOPs, CL_CQ fit */
#define CLOSE_ROUNDS	200
#define CL_SQ		8
#define CL_CQ		8
#define CLOSE_BATCHES	9
#define EXIT_ROUNDS	20

#define CQE_SIZE	sizeof(struct io_uring_cqe)

/* A small CQ: @cq entries, @sq SQEs, in the ring mode @flags. */
static int setup_ring(struct test_ring *r, unsigned int flags,
		      unsigned int sq, unsigned int cq)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = flags | IORING_SETUP_CQSIZE;
	p.cq_entries = cq;
	if (flags & IORING_SETUP_SQPOLL)
		p.sq_thread_idle = RING_MODE_SQ_IDLE_MS;
	return ring_init(r, sq, &p);
}

/*
 * The result the NOP at @i of a sequence injects: it differs from its
 * neighbours' and is at times negative, so a misplaced or mangled CQE
 * shows. Far from -ERESTARTSYS and friends.
 */
static int nop_res(unsigned int i)
{
	return (int)(i * 37 % 1001) - 500;
}

static struct io_uring_sqe *nop_inject(struct test_ring *r, __u64 ud,
				       int res)
{
	struct io_uring_sqe *sqe = ring_nop(r, ud);

	if (sqe) {
		sqe->nop_flags = IORING_NOP_INJECT_RESULT;
		sqe->len = (__u32)res;
	}
	return sqe;
}

static struct io_uring_sqe *sqe_poll(struct test_ring *r, int fd,
				     unsigned int events, unsigned int flags,
				     __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_POLL_ADD;
		sqe->fd = fd;
		sqe->poll32_events = events;
		sqe->len = flags;
		sqe->user_data = ud;
	}
	return sqe;
}

static bool cq_overflowed(struct test_ring *r)
{
	return load_acquire(r->sq_flags) & IORING_SQ_CQ_OVERFLOW;
}

/* Bytes of the CQE array, 0xff in every free slot so garbage shows. */
static void poison_cq(struct test_ring *r)
{
	memset(r->cqes, 0xff, (size_t)r->p.cq_entries * CQE_SIZE <<
	       r->cqe_shift);
}

/*
 * Consume the CQE at the head. Its slot is poisoned first, while the
 * kernel may not write it yet, so a CQE later flushed into that slot must
 * write all of it.
 */
static void consume(struct test_ring *r)
{
	memset(ring_cqe_at(r, *r->cq_head), 0xff, CQE_SIZE << r->cqe_shift);
	ring_cqe_seen(r);
}

/*
 * Whether the CQE @n places after the head is { @ud, @res, @flags }, with
 * big_cqe[] zeroed on a CQE32 ring. Logs the difference.
 */
static bool cqe_is(struct __test_metadata *_metadata, struct test_ring *r,
		   unsigned int n, __u64 ud, int res, unsigned int flags)
{
	struct io_uring_cqe *c = ring_cqe_at(r, *r->cq_head + n);
	bool ok;

	ok = c->user_data == ud && c->res == res && c->flags == flags;
	if (r->cqe_shift && (c->big_cqe[0] || c->big_cqe[1]))
		ok = false;
	if (ok)
		return true;
	TH_LOG("CQE +%u: ud 0x%llx res %d flags 0x%x big 0x%llx/0x%llx",
	       n, (unsigned long long)c->user_data, c->res, c->flags,
	       r->cqe_shift ? (unsigned long long)c->big_cqe[0] : 0ULL,
	       r->cqe_shift ? (unsigned long long)c->big_cqe[1] : 0ULL);
	TH_LOG("  expected ud 0x%llx res %d flags 0x%x big 0/0",
	       (unsigned long long)ud, res, flags);
	return false;
}

/*
 * Enter with GETEVENTS and min_complete 0: the CQ overflow flush that
 * 6.12 does only there (io_cqring_wait(), or io_iopoll_check() on an
 * IOPOLL ring), after running task work. Returns at once.
 */
static int flush(struct test_ring *r)
{
	return io_uring_enter(r->fd, 0, 0, IORING_ENTER_GETEVENTS, NULL, 0);
}

/* The same through a bounded wait for @min CQEs, which must be there. */
static int flush_wait(struct test_ring *r, unsigned int min)
{
	struct __kernel_timespec ts = {
		.tv_sec = WAIT_MS / 1000,
	};
	struct io_uring_getevents_arg arg = {
		.ts = (__u64)(uintptr_t)&ts,
	};

	return io_uring_enter(r->fd, 0, min, IORING_ENTER_GETEVENTS |
			      IORING_ENTER_EXT_ARG, &arg, sizeof(arg));
}

static unsigned int rnd(unsigned int *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* ---- Tests that run in every ring mode ---- */

FIXTURE(ovf) {
	struct test_ring r;
	int pfd[2];
};

RING_MODE_VARIANTS(ovf);

/* NOPs complete at issue on an IOPOLL ring too (opdef .iopoll in 6.12) */
FIXTURE_VARIANT_ADD(ovf, iopoll) {
	.setup_flags = IORING_SETUP_IOPOLL,
};

FIXTURE_SETUP(ovf)
{
	self->r.fd = -1;
	ASSERT_EQ(0, pipe2(self->pfd, O_CLOEXEC | O_NONBLOCK));
}

FIXTURE_TEARDOWN(ovf)
{
	if (self->r.fd >= 0)
		ring_exit(&self->r);
	close(self->pfd[0]);
	close(self->pfd[1]);
}

/*
 * SEQ_NR CQEs into a SEQ_CQ-entry CQ nobody reaps: SEQ_CQ fit, the rest
 * wait on the overflow list. Each GETEVENTS enter then moves as many as
 * were reaped, in order and whole. A READ among them (not on IOPOLL: a
 * pipe cannot be polled for completion, 6.12 fails the READ there) is
 * one CQE that is not a NOP's.
 */
static void overflow_sequence(struct __test_metadata *_metadata,
			      struct test_ring *r, const int pfd[2],
			      unsigned int flags)
{
	bool has_read = !(flags & IORING_SETUP_IOPOLL);
	static char read_buf[BUF_LEN];
	struct {
		__u64 ud;
		int res;
		unsigned int flags;
	} want[SEQ_NR];
	struct io_uring_sqe *sqe;
	unsigned int i, n, b, done;

	ASSERT_EQ(0, setup_ring(r, flags, SEQ_SQ, SEQ_CQ));
	ASSERT_EQ((unsigned int)SEQ_CQ, r->p.cq_entries);
	ASSERT_EQ(IORING_FEAT_NODROP, r->p.features & IORING_FEAT_NODROP);
	if (has_read)
		ASSERT_EQ(3, write(pfd[1], "abc", 3));
	poison_cq(r);

	for (i = 0; i < SEQ_NR; i++) {
		if (has_read && i == SEQ_READ_AT) {
			want[i].ud = UD_READ;
			want[i].res = 3;
			want[i].flags = 0;
		} else {
			want[i].ud = UD_NOP + i;
			want[i].res = nop_res(i);
			want[i].flags = 0;
		}
	}
	for (b = 0; b < SEQ_NR / SEQ_SQ; b++) {
		for (i = b * SEQ_SQ; i < (b + 1) * SEQ_SQ; i++) {
			if (want[i].ud != UD_READ) {
				ASSERT_NE(NULL, nop_inject(r, want[i].ud,
							   want[i].res));
				continue;
			}
			/* the pipe has data: the READ completes at issue */
			sqe = ring_get_sqe(r);
			ASSERT_NE(NULL, sqe);
			sqe->opcode = IORING_OP_READ;
			sqe->fd = pfd[0];
			sqe->addr = (__u64)(uintptr_t)read_buf;
			sqe->len = sizeof(read_buf);
			sqe->user_data = UD_READ;
		}
		ASSERT_EQ(SEQ_SQ, ring_submit_mode(r, SEQ_SQ));
	}

	/* nothing is dropped, and nothing passes the backlog by itself */
	EXPECT_EQ(0U, load_acquire(r->cq_overflow));
	for (done = 0; done < SEQ_NR; done += n) {
		n = ring_cq_ready(r);
		ASSERT_EQ(SEQ_NR - done < SEQ_CQ ? SEQ_NR - done : SEQ_CQ, n) {
			TH_LOG("%u of %u reaped", done, SEQ_NR);
		}
		/* raised while any CQE waits on the overflow list */
		ASSERT_EQ(done + n < SEQ_NR, cq_overflowed(r));
		for (i = 0; i < n; i++) {
			ASSERT_TRUE(cqe_is(_metadata, r, 0, want[done + i].ud,
					   want[done + i].res,
					   want[done + i].flags));
			consume(r);
		}
		/* room is not enough: only a GETEVENTS enter flushes */
		ASSERT_EQ(done + n < SEQ_NR, cq_overflowed(r));
		ASSERT_EQ(0U, ring_cq_ready(r));
		ASSERT_EQ(0, flush(r));
	}
	EXPECT_EQ(0U, ring_cq_ready(r));
	EXPECT_FALSE(cq_overflowed(r));
	EXPECT_EQ(0U, load_acquire(r->cq_overflow));
	EXPECT_EQ(NULL, ring_wait_cqe(r, SHORT_MS, NULL));
}

TEST_F(ovf, flush_in_order)
{
	overflow_sequence(_metadata, &self->r, self->pfd,
			  variant->setup_flags);
}

TEST_F(ovf, flush_in_order_cqe32)
{
	overflow_sequence(_metadata, &self->r, self->pfd,
			  variant->setup_flags | IORING_SETUP_CQE32);
}

/*
 * PR_NR NOPs in batches of 1..PR_SQ, with a random part of the CQ reaped
 * between batches and a flush now and then. The model of 6.12:
 * - a batch fills the room in the CQ only while the overflow list is
 *   empty; behind a backlog, all of it joins the backlog;
 * - a flush (GETEVENTS, with min_complete 0 or not) moves
 *   min(backlog, room) CQEs, oldest first, and nothing else moves them;
 * - IORING_SQ_CQ_OVERFLOW is set exactly while the backlog is not empty.
 * The CQ wraps many times, so do the flushes.
 */
static void partial_reap(struct __test_metadata *_metadata,
			 struct test_ring *r, unsigned int flags)
{
	unsigned int sub = 0, reaped = 0, in_cq = 0, backlog = 0;
	unsigned int seed = 0x5eed0f10, round, n, k, j, moved;
	int ret;

	ASSERT_EQ(0, setup_ring(r, flags, PR_SQ, PR_CQ));
	ASSERT_EQ((unsigned int)PR_CQ, r->p.cq_entries);
	poison_cq(r);

	for (round = 0; reaped < PR_NR && round < PR_ROUNDS; round++) {
		if (sub < PR_NR) {
			n = 1 + rnd(&seed) % PR_SQ;
			if (n > PR_NR - sub)
				n = PR_NR - sub;
			for (j = 0; j < n; j++) {
				ASSERT_NE(NULL, nop_inject(r, UD_NOP + sub + j,
							   nop_res(sub + j)));
			}
			ASSERT_EQ((int)n, ring_submit_mode(r, n));
			sub += n;
			if (!backlog) {
				k = n < PR_CQ - in_cq ? n : PR_CQ - in_cq;
				in_cq += k;
				n -= k;
			}
			backlog += n;
		}
		ASSERT_EQ(in_cq, ring_cq_ready(r)) {
			TH_LOG("round %u: %u submitted, %u reaped", round,
			       sub, reaped);
		}
		ASSERT_EQ(backlog > 0, cq_overflowed(r)) {
			TH_LOG("round %u: backlog %u", round, backlog);
		}

		k = rnd(&seed) % (in_cq + 1);
		for (j = 0; j < k; j++, reaped++) {
			ASSERT_TRUE(cqe_is(_metadata, r, 0, UD_NOP + reaped,
					   nop_res(reaped), 0)) {
				TH_LOG("round %u", round);
			}
			consume(r);
		}
		in_cq -= k;
		ASSERT_EQ(in_cq, ring_cq_ready(r));
		ASSERT_EQ(backlog > 0, cq_overflowed(r));

		if (sub < PR_NR && (rnd(&seed) & 3))
			continue;
		/* a wait for CQEs that are there flushes the same way */
		if (in_cq + backlog && (rnd(&seed) & 1))
			ret = flush_wait(r, 1);
		else
			ret = flush(r);
		ASSERT_EQ(0, ret);
		moved = backlog < PR_CQ - in_cq ? backlog : PR_CQ - in_cq;
		in_cq += moved;
		backlog -= moved;
		ASSERT_EQ(in_cq, ring_cq_ready(r)) {
			TH_LOG("round %u: flush moved %u, want %u", round,
			       ring_cq_ready(r) + moved - in_cq, moved);
		}
		ASSERT_EQ(backlog > 0, cq_overflowed(r));
	}
	ASSERT_EQ((unsigned int)PR_NR, reaped);
	EXPECT_EQ(0U, load_acquire(r->cq_overflow));
	EXPECT_EQ(NULL, ring_wait_cqe(r, SHORT_MS, NULL));
}

TEST_F(ovf, partial_reap_rounds)
{
	partial_reap(_metadata, &self->r, variant->setup_flags);
}

TEST_F(ovf, partial_reap_rounds_cqe32)
{
	partial_reap(_metadata, &self->r,
		     variant->setup_flags | IORING_SETUP_CQE32);
}

/*
 * A multishot CQE is never posted behind an overflowed CQE, even into a
 * CQ with room: 6.12 refuses it (io_cqe_cache_refill() while the overflow
 * list is not empty) and ends the request, whose final CQE (no F_MORE)
 * joins the backlog. The poll is armed on a pipe that is already
 * readable, so its first CQE is due at once, from task work.
 */
TEST_F(ovf, multishot_behind_backlog_ends)
{
	bool sqpoll = variant->setup_flags & IORING_SETUP_SQPOLL;
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqe;
	unsigned int i;
	char c;

	ASSERT_EQ(0, setup_ring(r, variant->setup_flags, SEQ_SQ, SEQ_CQ));
	if (variant->setup_flags & IORING_SETUP_IOPOLL) {
		/* 6.12 takes no POLL_ADD on an IOPOLL ring: nothing to end */
		ASSERT_NE(NULL, sqe_poll(r, self->pfd[0], POLLIN,
					 IORING_POLL_ADD_MULTI, UD_POLL));
		ASSERT_EQ(1, ring_submit_mode(r, 1));
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
		EXPECT_EQ(UD_POLL, cqe.user_data);
		EXPECT_EQ(-EINVAL, cqe.res);
		EXPECT_EQ(0U, cqe.flags);
		return;
	}

	/* SEQ_CQ NOPs fill the CQ, one more overflows; reap the CQ */
	for (i = 0; i < SEQ_CQ; i++)
		ASSERT_NE(NULL, nop_inject(r, UD_NOP + i, nop_res(i)));
	ASSERT_EQ(SEQ_CQ, ring_submit_mode(r, SEQ_CQ));
	ASSERT_NE(NULL, nop_inject(r, UD_NOP + SEQ_CQ, nop_res(SEQ_CQ)));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	ASSERT_EQ((unsigned int)SEQ_CQ, ring_cq_ready(r));
	ASSERT_TRUE(cq_overflowed(r));
	for (i = 0; i < SEQ_CQ; i++)
		consume(r);

	ASSERT_EQ(1, write(self->pfd[1], "x", 1));
	ASSERT_NE(NULL, sqe_poll(r, self->pfd[0], POLLIN,
				 IORING_POLL_ADD_MULTI, UD_POLL));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	/*
	 * The SQ thread runs the poll's task work after the submit that
	 * armed it: once it has taken this NOP, that has happened. The
	 * other modes run it before the flush below (DEFER_TASKRUN in the
	 * same enter, first).
	 */
	if (sqpoll) {
		ASSERT_NE(NULL, nop_inject(r, UD_NOP + SEQ_CQ + 1,
					   nop_res(SEQ_CQ + 1)));
		ASSERT_EQ(1, ring_submit_mode(r, 1));
	}
	EXPECT_EQ(0U, ring_cq_ready(r));
	EXPECT_TRUE(cq_overflowed(r));

	ASSERT_EQ(0, flush(r));
	ASSERT_EQ(sqpoll ? 3U : 2U, ring_cq_ready(r));
	EXPECT_TRUE(cqe_is(_metadata, r, 0, UD_NOP + SEQ_CQ,
			   nop_res(SEQ_CQ), 0));
	EXPECT_TRUE(cqe_is(_metadata, r, 1, UD_POLL, POLLIN, 0));
	if (sqpoll)
		EXPECT_TRUE(cqe_is(_metadata, r, 2, UD_NOP + SEQ_CQ + 1,
				   nop_res(SEQ_CQ + 1), 0));
	while (ring_cq_ready(r))
		consume(r);
	EXPECT_FALSE(cq_overflowed(r));

	/* it is gone: new data posts nothing, and there is none to remove */
	ASSERT_EQ(1, read(self->pfd[0], &c, 1));
	ASSERT_EQ(1, write(self->pfd[1], "y", 1));
	EXPECT_EQ(NULL, ring_wait_cqe(r, SHORT_MS, NULL));
	sqe = ring_get_sqe(r);
	ASSERT_NE(NULL, sqe);
	sqe->opcode = IORING_OP_POLL_REMOVE;
	sqe->fd = -1;
	sqe->addr = UD_POLL;
	sqe->user_data = UD_RM;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
	EXPECT_EQ(UD_RM, cqe.user_data);
	EXPECT_EQ(-ENOENT, cqe.res);
	EXPECT_EQ(0U, cqe.flags);
	EXPECT_EQ(NULL, ring_wait_cqe(r, SHORT_MS, NULL));
	EXPECT_EQ(0U, load_acquire(r->cq_overflow));
}

/* ---- A backlog left at ring close or process exit is freed ---- */

/*
 * CLOSE_BATCHES * CL_SQ NOPs into the CL_CQ-entry CQ of @r, nothing
 * reaped: all but CL_CQ of them wait on the overflow list. Whether it
 * went so.
 */
static bool make_backlog(struct test_ring *r)
{
	unsigned int b, i;

	for (b = 0; b < CLOSE_BATCHES; b++) {
		for (i = 0; i < CL_SQ; i++) {
			if (!ring_nop(r, UD_NOP + b * CL_SQ + i))
				return false;
		}
		if (ring_submit_mode(r, CL_SQ) != CL_SQ)
			return false;
	}
	return ring_cq_ready(r) == CL_CQ && cq_overflowed(r) &&
	       !load_acquire(r->cq_overflow);
}

static const unsigned int close_modes[] = {
	RING_MODE_DEFAULT,
	RING_MODE_DEFER,
	RING_MODE_COOP,
	IORING_SETUP_IOPOLL,
	IORING_SETUP_CQE32,
	RING_MODE_DEFER | IORING_SETUP_CQE32,
};

/*
 * Rings closed with 64 CQEs on the overflow list, over and over: each
 * entry must be freed (a leak shows in kmemleak, under make fuzz) and
 * nothing is refused later. Half the rounds close the fd while the rings
 * are still mapped, which leaves the last reference to the mappings.
 */
TEST(close_frees_backlog)
{
	struct io_uring_cqe cqe;
	struct test_ring r;
	unsigned int i, flags;
	int fd;

	for (i = 0; i < CLOSE_ROUNDS; i++) {
		flags = close_modes[i % ARRAY_SIZE(close_modes)];
		/* an SQ thread per ring is slow to make under emulation */
		if (i % 25 == 24)
			flags = RING_MODE_SQPOLL;
		ASSERT_EQ(0, setup_ring(&r, flags, CL_SQ, CL_CQ)) {
			TH_LOG("round %u, flags 0x%x", i, flags);
		}
		ASSERT_TRUE(make_backlog(&r)) {
			TH_LOG("round %u, flags 0x%x: %u CQEs, sq_flags 0x%x",
			       i, flags, ring_cq_ready(&r),
			       load_acquire(r.sq_flags));
		}
		fd = r.fd;
		r.fd = -1;
		if (i & 1) {
			ASSERT_EQ(0, close(fd));
			ring_exit(&r);
		} else {
			ring_exit(&r);
			ASSERT_EQ(0, close(fd));
		}
	}

	/* and rings still work */
	ASSERT_EQ(0, setup_ring(&r, 0, CL_SQ, CL_CQ));
	ASSERT_NE(NULL, ring_nop(&r, UD_NOP));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
	EXPECT_EQ(UD_NOP, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	ring_exit(&r);
}

/* waitpid() that gives up after @ms and kills: exit code, or -1 */
static int wait_child(pid_t pid, unsigned int ms)
{
	struct timespec start;
	int status;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (ring_mode_ms_since(&start) > ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		usleep(1000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * A process that exits with a backlog, its ring neither closed nor
 * unmapped: exit tears the ring down and frees the entries, promptly.
 */
TEST(exit_frees_backlog)
{
	struct test_ring r;
	unsigned int i, flags;
	pid_t pid;

	for (i = 0; i < EXIT_ROUNDS; i++) {
		flags = close_modes[i % ARRAY_SIZE(close_modes)];
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			if (setup_ring(&r, flags, CL_SQ, CL_CQ))
				_exit(1);
			_exit(make_backlog(&r) ? 0 : 2);
		}
		ASSERT_EQ(0, wait_child(pid, WAIT_MS)) {
			TH_LOG("round %u, flags 0x%x", i, flags);
		}
	}
}

TEST_HARNESS_MAIN
