// SPDX-License-Identifier: GPL-2.0
/*
 * Regression tests for two classic io_uring race classes, following Linux
 * 6.12:
 *
 * - timeouts against the events that end them: a LINK_TIMEOUT against the
 *   READ it guards, a TIMEOUT waiting for one completion against that
 *   completion, and TIMEOUT_REMOVE / TIMEOUT_UPDATE (and ASYNC_CANCEL)
 *   against the expiry;
 * - poll removal against the wakeup: POLL_REMOVE and ASYNC_CANCEL of a
 *   one-shot and of a multishot POLL_ADD, a POLL_ADD update, and a remove
 *   while another thread closes either end of the polled pipe.
 *
 * Each test is a loop of rounds; each round sets up one race, lets it run
 * and reaps every CQE of the round. Per round, every request must post
 * exactly one final CQE (tracked by user_data, which also carries the round
 * number, so a late duplicate shows up in the next round as a stray), with
 * a result that 6.12 can produce for that race, and the results of the
 * racing requests must tell the same story: a remove that reports success
 * matches a request that reports -ECANCELED, and so on. Which side wins is
 * never asserted; the totals are logged to show that both sides do.
 *
 * The racing thread only writes to or closes pipe fds: with
 * IORING_SETUP_SINGLE_ISSUER only the submitter may touch the ring. The
 * delays of both threads and the timeouts come from a seeded generator, the
 * seed is printed and IOU_RACES_SEED overrides it; the outcome of a race
 * still depends on timing, the seed only fixes the choices.
 *
 * Every test runs in each ring mode and stops after ROUNDS rounds or RUN_MS
 * of wall-clock time, whichever comes first (under an emulator the clock
 * does). Every wait is bounded.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <linux/futex.h>

#include "uring_test.h"

#define ROUNDS		200	/* round cap of one test */
#define RUN_MS		500	/* wall-clock cap of one test */
#define WAIT_MS		5000	/* bound for anything that must happen */
#define QUIET_MS	20	/* given to a stray CQE after the last round */
#define MAX_SLOTS	24	/* requests tracked per round */
#define MAX_TRIES	16	/* POLL_REMOVEs of a multishot poll per round */

/* random delays and timeouts, in ns */
#define TMO_NS		50000	/* timeouts under test: 0-50 us */
#define RACER_NS	30000	/* the racing thread waits 0-30 us */
#define MAIN_NS		60000	/* the submitter waits 0-60 us */
#define LONG_S		10	/* a timeout that cannot expire during a round */

#define DEFAULT_SEED	0x1c3a5e77U

/* ---- time, randomness ---- */

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Busy-wait @ns: shifts who wins a race, proves nothing. */
static void busy_ns(unsigned int ns)
{
	long long end = now_ns() + ns;

	while (now_ns() < end)
		;
}

static bool time_up(long long start)
{
	return now_ns() - start > RUN_MS * 1000000LL;
}

static __u32 rnd(__u32 *s)
{
	__u32 x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

static __u32 base_seed(void)
{
	const char *env = getenv("IOU_RACES_SEED");

	if (env && *env)
		return (__u32)strtoul(env, NULL, 0);
	return DEFAULT_SEED;
}

/* The stream of one test: the base seed mixed with the test's tag. */
static __u32 test_seed(__u32 seed, unsigned int tag)
{
	__u32 s = seed ^ (tag * 0x9e3779b9U);

	return s ? s : 1;
}

static void set_ts(struct __kernel_timespec *ts, long long ns)
{
	ts->tv_sec = ns / 1000000000LL;
	ts->tv_nsec = ns % 1000000000LL;
}

/* Read whatever a round left in a pipe, without blocking. */
static int drain_pipe(int fd)
{
	char buf[256];
	int n;

	while (!ioctl(fd, FIONREAD, &n) && n > 0) {
		if (n > (int)sizeof(buf))
			n = sizeof(buf);
		if (read(fd, buf, n) != n)
			return -1;
	}
	return 0;
}

/* ---- the racing thread: writes to or closes a pipe fd when told ---- */

enum { ACT_WRITE, ACT_CLOSE };

struct racer {
	pthread_t th;
	bool started;
	unsigned int gen;	/* bumped by the submitter: act now */
	unsigned int done;	/* last generation acted on */
	int stop;
	/* the order, set before gen is bumped */
	int act;
	int fd;
	unsigned int len;
	char byte;
	unsigned int delay_ns;
	int err;		/* first errno of a failed write or close */
};

static void futex_op(unsigned int *addr, int op, unsigned int val)
{
	/* a sleeping racer looks at ->stop again after this */
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 10 * 1000000L };

	syscall(SYS_futex, addr, op, val, op == FUTEX_WAIT_PRIVATE ? &ts : NULL,
		NULL, 0);
}

static void racer_act(struct racer *rc)
{
	char buf[64];
	int ret;

	busy_ns(rc->delay_ns);
	if (rc->act == ACT_WRITE) {
		memset(buf, rc->byte, rc->len);
		/* at most PIPE_BUF: one atomic write, one read takes it all */
		ret = write(rc->fd, buf, rc->len) == (ssize_t)rc->len ? 0 : -1;
	} else {
		ret = close(rc->fd);
	}
	if (ret && !rc->err)
		rc->err = errno ? errno : EIO;
}

static void *racer_fn(void *arg)
{
	struct racer *rc = arg;
	unsigned int seen = 0, g;
	long long idle = now_ns();

	while (!__atomic_load_n(&rc->stop, __ATOMIC_ACQUIRE)) {
		g = __atomic_load_n(&rc->gen, __ATOMIC_ACQUIRE);
		if (g == seen) {
			/*
			 * Rounds follow each other quickly: spin a little so
			 * that the next order is taken at once, then sleep so
			 * that an idle racer does not eat a CPU of a small VM.
			 */
			if (now_ns() - idle < 2000000LL)
				sched_yield();
			else
				futex_op(&rc->gen, FUTEX_WAIT_PRIVATE, g);
			continue;
		}
		seen = g;
		racer_act(rc);
		__atomic_store_n(&rc->done, g, __ATOMIC_RELEASE);
		idle = now_ns();
	}
	return NULL;
}

static void racer_poke(struct racer *rc, int act, int fd, unsigned int len,
		       char byte, unsigned int delay_ns)
{
	rc->act = act;
	rc->fd = fd;
	rc->len = len;
	rc->byte = byte;
	rc->delay_ns = delay_ns;
	__atomic_add_fetch(&rc->gen, 1, __ATOMIC_RELEASE);
	futex_op(&rc->gen, FUTEX_WAKE_PRIVATE, 1);
}

/*
 * Two CPUs this process may use, in @cpu[0] and @cpu[1], or -1. The
 * submitter and the racer get one each: a racer that shares the
 * submitter's CPU gets to run only when the submitter sleeps, which is
 * after it has done its part of the race. With one CPU the races are left
 * to preemption.
 */
static void pick_cpus(int cpu[2])
{
	cpu_set_t set;
	int i, n = 0;

	cpu[0] = -1;
	cpu[1] = -1;
	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (i = 0; i < CPU_SETSIZE && n < 2; i++) {
		if (CPU_ISSET(i, &set))
			cpu[n++] = i;
	}
	if (n < 2)
		cpu[0] = -1;
}

static void pin(pthread_t th, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(th, sizeof(set), &set);
}

/* Wait (bounded) until the racer has carried out the last order. */
static bool racer_wait(struct racer *rc)
{
	long long end = now_ns() + WAIT_MS * 1000000LL;

	while (__atomic_load_n(&rc->done, __ATOMIC_ACQUIRE) !=
	       __atomic_load_n(&rc->gen, __ATOMIC_RELAXED)) {
		if (now_ns() > end)
			return false;
		sched_yield();
	}
	return true;
}

/* ---- SQE builders ---- */

static struct io_uring_sqe *sqe_op(struct test_ring *r, __u8 op, int fd,
				   __u64 addr, __u32 len, __u64 off, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = op;
		sqe->fd = fd;
		sqe->addr = addr;
		sqe->len = len;
		sqe->off = off;
		sqe->user_data = ud;
	}
	return sqe;
}

static struct io_uring_sqe *sqe_read(struct test_ring *r, int fd, char *buf,
				     unsigned int len, __u64 ud)
{
	return sqe_op(r, IORING_OP_READ, fd, (__u64)(uintptr_t)buf, len,
		      (__u64)-1, ud);
}

/* TIMEOUT or LINK_TIMEOUT of *@ts; @count completions also end a TIMEOUT. */
static struct io_uring_sqe *sqe_timeout(struct test_ring *r, __u8 op,
					struct __kernel_timespec *ts,
					unsigned int count, __u64 ud)
{
	return sqe_op(r, op, -1, (__u64)(uintptr_t)ts, 1, count, ud);
}

/* TIMEOUT_REMOVE of @target; with @ts, IORING_TIMEOUT_UPDATE to *@ts. */
static struct io_uring_sqe *sqe_tremove(struct test_ring *r, __u64 target,
					struct __kernel_timespec *ts, __u64 ud)
{
	struct io_uring_sqe *sqe;

	sqe = sqe_op(r, IORING_OP_TIMEOUT_REMOVE, -1, target, 0, 0, ud);
	if (sqe && ts) {
		sqe->timeout_flags = IORING_TIMEOUT_UPDATE;
		sqe->addr2 = (__u64)(uintptr_t)ts;
	}
	return sqe;
}

static struct io_uring_sqe *sqe_poll(struct test_ring *r, int fd,
				     unsigned int flags, __u64 ud)
{
	struct io_uring_sqe *sqe;

	sqe = sqe_op(r, IORING_OP_POLL_ADD, fd, 0, flags, 0, ud);
	if (sqe)
		sqe->poll32_events = POLLIN;
	return sqe;
}

/*
 * POLL_REMOVE of @target; with IORING_POLL_UPDATE_* in @flags an update,
 * to @events and to the user_data @new_ud.
 */
static struct io_uring_sqe *sqe_poll_remove(struct test_ring *r, __u64 target,
					    unsigned int flags,
					    unsigned int events, __u64 new_ud,
					    __u64 ud)
{
	struct io_uring_sqe *sqe;

	sqe = sqe_op(r, IORING_OP_POLL_REMOVE, -1, target, flags, new_ud, ud);
	if (sqe)
		sqe->poll32_events = events;
	return sqe;
}

static struct io_uring_sqe *sqe_cancel(struct test_ring *r, __u64 target,
				       __u64 ud)
{
	return sqe_op(r, IORING_OP_ASYNC_CANCEL, -1, target, 0, 0, ud);
}

/* ASYNC_CANCEL or a plain POLL_REMOVE of @target. */
static struct io_uring_sqe *sqe_poll_gone(struct test_ring *r, bool cancel,
					  __u64 target, __u64 ud)
{
	if (cancel)
		return sqe_cancel(r, target, ud);
	return sqe_poll_remove(r, target, 0, 0, 0, ud);
}

/*
 * ring_submit_mode(), but it waits for the SQ thread to take the SQEs in
 * sleeps of 10 us rather than 1 ms: a race of microseconds is over long
 * before the first of those ends. Sleeps, not sched_yield(): the SQ thread
 * shares the submitter's CPU (see FIXTURE_SETUP), and a task that yields
 * to one that has been polling for a while gets the CPU right back.
 */
static int submit_now(struct test_ring *r, unsigned int n)
{
	unsigned int flags = 0;
	long long end;
	int ret;

	if (!(r->p.flags & IORING_SETUP_SQPOLL))
		return ring_submit(r, n, 0, 0);
	ring_flush(r);
	/* the tail store before the flags load; the SQ thread does the reverse */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (load_acquire(r->sq_flags) & IORING_SQ_NEED_WAKEUP)
		flags |= IORING_ENTER_SQ_WAKEUP;
	ret = io_uring_enter(r->fd, n, 0, flags, NULL, 0);
	end = now_ns() + WAIT_MS * 1000000LL;
	while (ret >= 0 && ring_sq_pending(r)) {
		if (now_ns() > end)
			return -ETIME;
		usleep(10);
	}
	return ret;
}

/*
 * Run the task work that is due. With DEFER_TASKRUN that happens only in
 * io_uring_enter() with IORING_ENTER_GETEVENTS.
 */
static void run_task_work(struct test_ring *r)
{
	io_uring_enter(r->fd, 0, 0, IORING_ENTER_GETEVENTS, NULL, 0);
}

/* ---- the CQEs of a round, tracked by user_data ---- */

struct slot {
	const char *name;
	__u64 ud;
	bool multi;		/* may post CQEs with IORING_CQE_F_MORE */
	int more_res;		/* the res those must have */
	unsigned int more;	/* CQEs with IORING_CQE_F_MORE */
	unsigned int more_seq;	/* position of the last of them */
	unsigned int finals;	/* CQEs without: one, or none for an alias */
	unsigned int seq;	/* position of that one in the round */
	int res;		/* and its res */
};

struct round {
	unsigned int tag;	/* the test's, in every user_data */
	unsigned int id;	/* the round's, in every user_data */
	unsigned int nr;
	unsigned int cqes;	/* CQEs taken in the round */
	struct slot s[MAX_SLOTS];
	char msg[512];
};

#define UD_MAKE(tag, id, idx)	(((__u64)(tag) << 48) | \
				 ((__u64)(id) << 16) | (idx))
#define UD_IDX(ud)		((unsigned int)((ud) & 0xffff))

static void round_begin(struct round *rd, unsigned int tag, unsigned int id)
{
	rd->tag = tag;
	rd->id = id;
	rd->nr = 0;
	rd->cqes = 0;
	rd->msg[0] = 0;
}

/* Track one more request; returns its slot. */
static unsigned int slot_add(struct round *rd, const char *name, bool multi)
{
	struct slot *s = &rd->s[rd->nr];

	memset(s, 0, sizeof(*s));
	s->name = name;
	s->multi = multi;
	s->more_res = POLLIN;
	s->ud = UD_MAKE(rd->tag, rd->id, rd->nr);
	return rd->nr++;
}

static __u64 ud_of(struct round *rd, unsigned int idx)
{
	return rd->s[idx].ud;
}

/* "name=res" of every slot, after @what, into rd->msg. */
static int round_fail(struct round *rd, const char *what)
{
	size_t len;
	unsigned int i;

	len = snprintf(rd->msg, sizeof(rd->msg), "round %u: %s;", rd->id, what);
	for (i = 0; i < rd->nr && len < sizeof(rd->msg); i++) {
		const struct slot *s = &rd->s[i];

		len += snprintf(rd->msg + len, sizeof(rd->msg) - len,
				" %s=%s%d", s->name, s->finals ? "" : "none/",
				s->finals ? s->res : 0);
		if (s->more && len < sizeof(rd->msg))
			len += snprintf(rd->msg + len, sizeof(rd->msg) - len,
					"(+%u F_MORE)", s->more);
	}
	return -1;
}

static int take_cqe(struct round *rd, const struct io_uring_cqe *c)
{
	unsigned int idx = UD_IDX(c->user_data);
	char what[160];
	struct slot *s;

	if (idx >= rd->nr || rd->s[idx].ud != c->user_data) {
		snprintf(what, sizeof(what),
			 "stray CQE ud 0x%llx res %d flags 0x%x",
			 (unsigned long long)c->user_data, c->res, c->flags);
		return round_fail(rd, what);
	}
	s = &rd->s[idx];
	rd->cqes++;
	if (s->finals) {
		snprintf(what, sizeof(what),
			 "%s: CQE res %d flags 0x%x after its final one",
			 s->name, c->res, c->flags);
		return round_fail(rd, what);
	}
	if ((c->flags & ~IORING_CQE_F_MORE) ||
	    ((c->flags & IORING_CQE_F_MORE) && !s->multi)) {
		snprintf(what, sizeof(what), "%s: CQE res %d with flags 0x%x",
			 s->name, c->res, c->flags);
		return round_fail(rd, what);
	}
	if (c->flags & IORING_CQE_F_MORE) {
		s->more++;
		s->more_seq = rd->cqes;
		if (c->res != s->more_res) {
			snprintf(what, sizeof(what),
				 "%s: F_MORE CQE res %d, expected %d",
				 s->name, c->res, s->more_res);
			return round_fail(rd, what);
		}
		return 0;
	}
	s->finals++;
	s->seq = rd->cqes;
	s->res = c->res;
	return 0;
}

static unsigned int finals_in(const struct round *rd, unsigned int mask)
{
	unsigned int i, n = 0;

	for (i = 0; i < rd->nr; i++)
		n += (mask & (1U << i)) && rd->s[i].finals;
	return n;
}

/*
 * Take CQEs until @n of the slots in @mask have their final CQE, waiting at
 * most WAIT_MS, then whatever else is already posted (which can only be
 * wrong). 0, or -1 with the story in rd->msg.
 */
static int reap(struct test_ring *r, struct round *rd, unsigned int mask,
		unsigned int n)
{
	long long end = now_ns() + WAIT_MS * 1000000LL;
	struct io_uring_cqe *cqe, c;

	while (finals_in(rd, mask) < n) {
		cqe = ring_peek_cqe(r);
		if (!cqe) {
			if (now_ns() > end)
				return round_fail(rd, "final CQE missing");
			ring_wait_cqe(r, 100, NULL);
			continue;
		}
		c = *cqe;
		ring_cqe_seen(r);
		if (take_cqe(rd, &c))
			return -1;
	}
	while ((cqe = ring_peek_cqe(r))) {
		c = *cqe;
		ring_cqe_seen(r);
		if (take_cqe(rd, &c))
			return -1;
	}
	return 0;
}

/* After the last round: nothing more may come. */
static int quiet(struct test_ring *r, struct round *rd)
{
	struct io_uring_cqe *cqe = ring_wait_cqe(r, QUIET_MS, NULL);
	char what[120];

	if (!cqe)
		return 0;
	snprintf(what, sizeof(what), "after the last round: CQE ud 0x%llx res %d",
		 (unsigned long long)cqe->user_data, cqe->res);
	return round_fail(rd, what);
}

/* ---- the fixture: a ring in each mode, a pipe, a racing thread ---- */

/* per-test tags in user_data, also salts of the seed */
enum {
	TAG_LTMO = 1, TAG_TCOUNT, TAG_TREMOVE, TAG_TUPDATE,
	TAG_POLL, TAG_MPOLL, TAG_PUPDATE, TAG_PCLOSE, TAG_LUPDATE,
};

FIXTURE(races) {
	struct test_ring r;
	int pfd[2];
	struct racer rc;
	struct round rd;
	__u32 seed;
	char buf[64];		/* READ target, outlives every round */
};

RING_MODE_VARIANTS(races);

FIXTURE_SETUP(races)
{
	struct io_uring_params p;
	int cpu[2];

	self->pfd[0] = -1;
	self->pfd[1] = -1;
	pick_cpus(cpu);
	memset(&p, 0, sizeof(p));
	p.flags = variant->setup_flags;
	if (p.flags & IORING_SETUP_SQPOLL) {
		p.sq_thread_idle = RING_MODE_SQ_IDLE_MS;
		/*
		 * An SQ thread that polls on the racer's CPU keeps the racer
		 * from running for a time slice: keep it on the submitter's,
		 * which sleeps whenever it waits for the SQ thread.
		 */
		if (cpu[0] >= 0) {
			p.flags |= IORING_SETUP_SQ_AFF;
			p.sq_thread_cpu = cpu[0];
		}
	}
	ASSERT_EQ(0, ring_init(&self->r, 32, &p));
	/* blocking: a READ has to wait for data, not fail with -EAGAIN */
	ASSERT_EQ(0, pipe(self->pfd));
	memset(&self->rc, 0, sizeof(self->rc));
	ASSERT_EQ(0, pthread_create(&self->rc.th, NULL, racer_fn, &self->rc));
	self->rc.started = true;
	if (cpu[0] >= 0) {
		pin(pthread_self(), cpu[0]);
		pin(self->rc.th, cpu[1]);
	}
	self->seed = base_seed();
	TH_LOG("seed 0x%x (set IOU_RACES_SEED to change it)", self->seed);
}

FIXTURE_TEARDOWN(races)
{
	if (self->rc.started) {
		__atomic_store_n(&self->rc.stop, 1, __ATOMIC_RELEASE);
		futex_op(&self->rc.gen, FUTEX_WAKE_PRIVATE, 1);
		pthread_join(self->rc.th, NULL);
	}
	ring_exit(&self->r);
	if (self->pfd[0] >= 0)
		close(self->pfd[0]);
	if (self->pfd[1] >= 0)
		close(self->pfd[1]);
}

#define REQUIRE_OP(op) do {						\
	if (!uring_op_supported(IORING_OP_##op))			\
		SKIP(return, "IORING_OP_" #op " not supported");	\
} while (0)

/*
 * The helpers below fail the test with ASSERT_*(), which leaves the test
 * (longjmp()) from wherever it is called.
 */

/* Submit the @n queued SQEs; on SQPOLL, until the SQ thread has them. */
static void submit(struct __test_metadata *_metadata, struct test_ring *r,
		   unsigned int n)
{
	ASSERT_EQ((int)n, submit_now(r, n));
}

/* reap(), or fail the test with the round's story. */
static void reap_or_fail(struct __test_metadata *_metadata,
			 struct test_ring *r, struct round *rd,
			 unsigned int mask, unsigned int n)
{
	ASSERT_EQ(0, reap(r, rd, mask, n)) {
		TH_LOG("%s", rd->msg);
	}
}

/* The final CQE of every request of the round. */
static void reap_round(struct __test_metadata *_metadata, struct test_ring *r,
		       struct round *rd)
{
	reap_or_fail(_metadata, r, rd, (1U << rd->nr) - 1, rd->nr);
}

/* A round's results must be one of the combinations 6.12 produces. */
static void check(struct __test_metadata *_metadata, struct round *rd,
		  bool ok, const char *what)
{
	ASSERT_TRUE(ok) {
		round_fail(rd, what);
		TH_LOG("%s", rd->msg);
	}
}

/* The racer has done its part of the round, and done it. */
static void racer_done(struct __test_metadata *_metadata, struct racer *rc)
{
	ASSERT_TRUE(racer_wait(rc));
	ASSERT_EQ(0, rc->err) {
		TH_LOG("racer: %s", strerror(rc->err));
	}
}

/* The racer is done and the pipe empty again, for the next round. */
static void round_end(struct __test_metadata *_metadata, struct racer *rc,
		      int rfd)
{
	racer_done(_metadata, rc);
	ASSERT_EQ(0, drain_pipe(rfd));
}

/* After the last round nothing may come. */
static void test_end(struct __test_metadata *_metadata, struct test_ring *r,
		     struct round *rd)
{
	ASSERT_EQ(0, quiet(r, rd)) {
		TH_LOG("%s", rd->msg);
	}
}

/* ---- 1a. LINK_TIMEOUT against the READ it guards ---- */

/*
 * The pairs 6.12 produces for READ -> LINK_TIMEOUT, read of a pipe the
 * racer writes @len bytes to:
 * - the READ completes first: its completion disarms the timer
 *   (io_disarm_next() -> __io_disarm_linked_timeout()), LINK_TIMEOUT
 *   -ECANCELED. If the timer callback is already running it can't be
 *   disarmed, and io_link_timeout_fn() finds no head: -ETIME. If the
 *   callback took the head first, io_req_task_link_timeout() tries to
 *   cancel a READ that has completed by then: -ENOENT.
 * - the timer fires first: io_try_cancel() takes the READ's poll out of
 *   the cancel hash (io_poll_cancel() returns 0 for any poll it finds),
 *   READ -ECANCELED, LINK_TIMEOUT -ETIME.
 * With IOSQE_ASYNC the READ may be running in io-wq when the cancel comes:
 * io_async_cancel_one() sees it running, the worker is flagged and
 * signalled, and io_try_cancel() reports what the later lookups find
 * (-ENOENT, or 0 for a poll armed by then). The READ then completes with
 * its data, or fails -ECANCELED (the flag, see io_wq_submit_work() and
 * __io_arm_poll_handler()) or -EINTR (the signal ended a blocking read).
 * io_try_cancel() drops the -EALREADY of a request found running when
 * nothing else is found, so 6.12 reports -ENOENT for it here, where its
 * ASYNC_CANCEL (__io_async_cancel()) reports -EALREADY for the same
 * state. A LINK_TIMEOUT never ends with -EALREADY.
 */
static bool ltimeout_pair_ok(int rd, int lt, int len, bool async)
{
	if (rd == len)
		return lt == -ECANCELED || lt == -ETIME || lt == -ENOENT;
	if (rd == -ECANCELED)
		return lt == -ETIME || (async && lt == -ENOENT);
	if (async && rd == -EINTR)
		return lt == -ETIME || lt == -ENOENT;
	return false;
}

TEST_F(races, link_timeout_vs_read)
{
	unsigned int st[6] = { 0 }, it, i, rq, lt;
	struct test_ring *r = &self->r;
	struct round *rd = &self->rd;
	struct __kernel_timespec ts;
	struct io_uring_sqe *sqe;
	long long start = now_ns();
	__u32 rs = test_seed(self->seed, TAG_LTMO);

	REQUIRE_OP(READ);
	REQUIRE_OP(LINK_TIMEOUT);
	for (it = 0; it < ROUNDS && !time_up(start); it++) {
		unsigned int len = 1 + rnd(&rs) % 16;
		bool async = rnd(&rs) % 4 == 0;
		char byte = 'a' + it % 26;
		int rres, lres;

		round_begin(rd, TAG_LTMO, it);
		memset(self->buf, 0, sizeof(self->buf));
		rq = slot_add(rd, "read", false);
		lt = slot_add(rd, "link_timeout", false);
		sqe = sqe_read(r, self->pfd[0], self->buf, sizeof(self->buf),
			       ud_of(rd, rq));
		ASSERT_NE(NULL, sqe);
		sqe->flags = IOSQE_IO_LINK | (async ? IOSQE_ASYNC : 0);
		set_ts(&ts, rnd(&rs) % (TMO_NS + 1));
		ASSERT_NE(NULL, sqe_timeout(r, IORING_OP_LINK_TIMEOUT, &ts, 0,
					    ud_of(rd, lt)));
		submit(_metadata, r, 2);
		racer_poke(&self->rc, ACT_WRITE, self->pfd[1], len, byte,
			   rnd(&rs) % RACER_NS);
		reap_round(_metadata, r, rd);
		round_end(_metadata, &self->rc, self->pfd[0]);

		rres = rd->s[rq].res;
		lres = rd->s[lt].res;
		check(_metadata, rd, ltimeout_pair_ok(rres, lres, len, async),
		      async ? "READ (IOSQE_ASYNC) and LINK_TIMEOUT disagree" :
			      "READ and LINK_TIMEOUT disagree");
		if (rres == (int)len) {
			/* the data of this round, all of it, nothing else */
			for (i = 0; i < len; i++)
				check(_metadata, rd, self->buf[i] == byte, "READ data wrong");
			check(_metadata, rd, !self->buf[len], "READ data wrong");
			st[lres == -ECANCELED ? 0 : lres == -ETIME ? 1 :
			   lres == -ENOENT ? 2 : 3]++;
		} else {
			st[rres == -ECANCELED ? 4 : 5]++;
		}
	}
	test_end(_metadata, r, rd);
	TH_LOG("%u rounds: READ done, LINK_TIMEOUT -ECANCELED %u -ETIME %u -ENOENT %u -EALREADY %u",
	       it, st[0], st[1], st[2], st[3]);
	TH_LOG("READ -ECANCELED %u, -EINTR %u", st[4], st[5]);
}

/* ---- 1b. TIMEOUT with a count of 1 against the completion it counts ---- */

/*
 * A CQE posted after the TIMEOUT was issued meets its count: the flush
 * after posting kills it with 0 (io_flush_timeouts() -> io_kill_timeout()),
 * unless the timer callback runs already (hrtimer_try_to_cancel() == -1),
 * then it is -ETIME (io_timeout_fn()). Nothing else, and the completion it
 * counts posts its own CQE either way.
 */
TEST_F(races, count_timeout_vs_completion)
{
	unsigned int st[2] = { 0 }, it, t, o;
	struct test_ring *r = &self->r;
	struct round *rd = &self->rd;
	struct __kernel_timespec ts;
	long long start = now_ns();
	__u32 rs = test_seed(self->seed, TAG_TCOUNT);

	REQUIRE_OP(TIMEOUT);
	REQUIRE_OP(READ);
	for (it = 0; it < ROUNDS && !time_up(start); it++) {
		unsigned int kind = rnd(&rs) % 3, len = 1 + rnd(&rs) % 16;
		int want;

		round_begin(rd, TAG_TCOUNT, it);
		set_ts(&ts, rnd(&rs) % (TMO_NS + 1));
		t = slot_add(rd, "timeout", false);
		ASSERT_NE(NULL, sqe_timeout(r, IORING_OP_TIMEOUT, &ts, 1,
					    ud_of(rd, t)));
		if (kind == 0) {
			/* the NOP in the same batch, right behind */
			o = slot_add(rd, "nop", false);
			ASSERT_NE(NULL, ring_nop(r, ud_of(rd, o)));
			submit(_metadata, r, 2);
			want = 0;
		} else if (kind == 1) {
			/* the NOP a little later */
			submit(_metadata, r, 1);
			busy_ns(rnd(&rs) % MAIN_NS);
			o = slot_add(rd, "nop", false);
			ASSERT_NE(NULL, ring_nop(r, ud_of(rd, o)));
			submit(_metadata, r, 1);
			want = 0;
		} else {
			/* a READ that the racer completes */
			o = slot_add(rd, "read", false);
			ASSERT_NE(NULL, sqe_read(r, self->pfd[0], self->buf,
						 sizeof(self->buf), ud_of(rd, o)));
			submit(_metadata, r, 2);
			racer_poke(&self->rc, ACT_WRITE, self->pfd[1], len, 'c',
				   rnd(&rs) % RACER_NS);
			want = len;
		}
		reap_round(_metadata, r, rd);
		round_end(_metadata, &self->rc, self->pfd[0]);

		check(_metadata, rd, rd->s[o].res == want, "completion res wrong");
		check(_metadata, rd, rd->s[t].res == 0 || rd->s[t].res == -ETIME,
		      "TIMEOUT neither counted (0) nor expired (-ETIME)");
		st[rd->s[t].res == 0]++;
	}
	test_end(_metadata, r, rd);
	TH_LOG("%u rounds: TIMEOUT expired %u, count met %u", it, st[0], st[1]);
}

/* ---- 1c. TIMEOUT_REMOVE (or ASYNC_CANCEL) against the expiry ---- */

/*
 * io_timeout_extract(): a timeout still on the list whose timer is
 * cancelled in time is removed (0, timeout -ECANCELED); one whose timer
 * callback runs already can't be (-EALREADY), and one the callback has
 * taken off the list isn't found (-ENOENT): it expires, -ETIME.
 * ASYNC_CANCEL gets to the same io_timeout_cancel() via io_try_cancel().
 */
static bool remove_pair_ok(int rm, int tmo)
{
	if (rm == 0)
		return tmo == -ECANCELED;
	return (rm == -ENOENT || rm == -EALREADY) && tmo == -ETIME;
}

TEST_F(races, timeout_remove_vs_expiry)
{
	unsigned int st[3] = { 0 }, it, t, x;
	struct test_ring *r = &self->r;
	struct round *rd = &self->rd;
	struct __kernel_timespec ts;
	struct io_uring_sqe *sqe;
	long long start = now_ns();
	__u32 rs = test_seed(self->seed, TAG_TREMOVE);
	bool have_cancel = uring_op_supported(IORING_OP_ASYNC_CANCEL);

	REQUIRE_OP(TIMEOUT);
	REQUIRE_OP(TIMEOUT_REMOVE);
	for (it = 0; it < ROUNDS && !time_up(start); it++) {
		bool cancel = have_cancel && rnd(&rs) % 3 == 0;
		/* in one batch the remove usually wins, even on SQPOLL */
		bool batch = rnd(&rs) % 4 == 0;

		round_begin(rd, TAG_TREMOVE, it);
		set_ts(&ts, rnd(&rs) % (TMO_NS + 1));
		t = slot_add(rd, "timeout", false);
		ASSERT_NE(NULL, sqe_timeout(r, IORING_OP_TIMEOUT, &ts, 0,
					    ud_of(rd, t)));
		if (!batch) {
			submit(_metadata, r, 1);
			busy_ns(rnd(&rs) % MAIN_NS);
		}
		x = slot_add(rd, cancel ? "async_cancel" : "timeout_remove", false);
		sqe = cancel ? sqe_cancel(r, ud_of(rd, t), ud_of(rd, x)) :
			       sqe_tremove(r, ud_of(rd, t), NULL, ud_of(rd, x));
		ASSERT_NE(NULL, sqe);
		submit(_metadata, r, batch ? 2 : 1);
		reap_round(_metadata, r, rd);

		check(_metadata, rd, remove_pair_ok(rd->s[x].res, rd->s[t].res),
		      "remove and timeout disagree");
		st[rd->s[x].res == 0 ? 0 : rd->s[x].res == -ENOENT ? 1 : 2]++;
	}
	test_end(_metadata, r, rd);
	TH_LOG("%u rounds: removed %u, expired first %u, removed while expiring %u",
	       it, st[0], st[1], st[2]);
}

/*
 * IORING_TIMEOUT_UPDATE goes through the same lookup (io_timeout_update()
 * -> io_timeout_extract()): 0 and the timer runs again with the new time,
 * or -ENOENT / -EALREADY and the timeout expires. A TIMEOUT_REMOVE right
 * behind the update tells which: a timeout updated to LONG_S is still
 * there (0, -ECANCELED); one that expired is gone (-ENOENT, or -EALREADY
 * while its callback still runs, which needs the update to have seen
 * -EALREADY or the new short timer to be expiring).
 */
static bool update_ok(int up, int rm, int tmo, bool long_ts)
{
	if (up == 0 && long_ts)
		return rm == 0 && tmo == -ECANCELED;
	if (up == 0)
		return remove_pair_ok(rm, tmo);
	if (up == -ENOENT)
		return rm == -ENOENT && tmo == -ETIME;
	if (up == -EALREADY)
		return (rm == -ENOENT || rm == -EALREADY) && tmo == -ETIME;
	return false;
}

TEST_F(races, timeout_update_vs_expiry)
{
	unsigned int st[3] = { 0 }, it, t, u, x;
	struct __kernel_timespec ts, nts;
	struct test_ring *r = &self->r;
	struct round *rd = &self->rd;
	long long start = now_ns();
	__u32 rs = test_seed(self->seed, TAG_TUPDATE);
	bool ok;

	REQUIRE_OP(TIMEOUT);
	REQUIRE_OP(TIMEOUT_REMOVE);
	for (it = 0; it < ROUNDS && !time_up(start); it++) {
		bool long_ts = rnd(&rs) & 1, batch = rnd(&rs) % 4 == 0;

		round_begin(rd, TAG_TUPDATE, it);
		set_ts(&ts, rnd(&rs) % (TMO_NS + 1));
		if (long_ts)
			set_ts(&nts, LONG_S * 1000000000LL);
		else
			set_ts(&nts, rnd(&rs) % (TMO_NS + 1));
		t = slot_add(rd, "timeout", false);
		ASSERT_NE(NULL, sqe_timeout(r, IORING_OP_TIMEOUT, &ts, 0,
					    ud_of(rd, t)));
		if (!batch) {
			submit(_metadata, r, 1);
			busy_ns(rnd(&rs) % MAIN_NS);
		}
		u = slot_add(rd, "timeout_update", false);
		x = slot_add(rd, "timeout_remove", false);
		ASSERT_NE(NULL, sqe_tremove(r, ud_of(rd, t), &nts, ud_of(rd, u)));
		ASSERT_NE(NULL, sqe_tremove(r, ud_of(rd, t), NULL, ud_of(rd, x)));
		submit(_metadata, r, batch ? 3 : 2);
		reap_round(_metadata, r, rd);

		ok = update_ok(rd->s[u].res, rd->s[x].res, rd->s[t].res, long_ts);
		check(_metadata, rd, ok,
		      long_ts ? "update (long), remove and timeout disagree" :
				"update (short), remove and timeout disagree");
		st[rd->s[u].res == 0 ? 0 : rd->s[u].res == -ENOENT ? 1 : 2]++;
	}
	test_end(_metadata, r, rd);
	TH_LOG("%u rounds: updated %u, expired first %u, updated while expiring %u",
	       it, st[0], st[1], st[2]);
}

/* ---- 1e. LINK_TIMEOUT_UPDATE against the completion of the guarded READ ---- */

/*
 * READ (IOSQE_ASYNC, so that a worker completes it while the submitter
 * updates) -> LINK_TIMEOUT of LONG_S, updated to LONG_S again while the
 * racer writes the data. In 6.12 the update and the READ's disarming of
 * its timeout (__io_disarm_linked_timeout()) both hold ->timeout_lock:
 * - the update first: 0, and the READ's completion then cancels the
 *   timeout it just re-armed: -ECANCELED;
 * - the READ first: the timeout is off ->ltimeout_list, the update finds
 *   nothing: -ENOENT, and the timeout was cancelled: -ECANCELED.
 * Neither timer can fire within a round, so any other result, or a
 * LINK_TIMEOUT still waiting when the rest is done, is wrong.
 */
TEST_F(races, link_timeout_update_vs_read)
{
	unsigned int st[2] = { 0 }, it, rq, lt, u;
	struct __kernel_timespec ts, nts;
	struct test_ring *r = &self->r;
	struct round *rd = &self->rd;
	struct io_uring_sqe *sqe;
	long long start = now_ns();
	__u32 rs = test_seed(self->seed, TAG_LUPDATE);

	REQUIRE_OP(READ);
	REQUIRE_OP(LINK_TIMEOUT);
	REQUIRE_OP(TIMEOUT_REMOVE);
	set_ts(&ts, LONG_S * 1000000000LL);
	set_ts(&nts, LONG_S * 1000000000LL);
	for (it = 0; it < ROUNDS && !time_up(start); it++) {
		unsigned int len = 1 + rnd(&rs) % 16;
		bool ok;

		round_begin(rd, TAG_LUPDATE, it);
		rq = slot_add(rd, "read", false);
		lt = slot_add(rd, "link_timeout", false);
		u = slot_add(rd, "link_timeout_update", false);
		sqe = sqe_read(r, self->pfd[0], self->buf, sizeof(self->buf),
			       ud_of(rd, rq));
		ASSERT_NE(NULL, sqe);
		sqe->flags = IOSQE_IO_LINK | IOSQE_ASYNC;
		ASSERT_NE(NULL, sqe_timeout(r, IORING_OP_LINK_TIMEOUT, &ts, 0,
					    ud_of(rd, lt)));
		submit(_metadata, r, 2);
		racer_poke(&self->rc, ACT_WRITE, self->pfd[1], len, 'u',
			   rnd(&rs) % RACER_NS);
		busy_ns(rnd(&rs) % MAIN_NS);
		sqe = sqe_tremove(r, ud_of(rd, lt), &nts, ud_of(rd, u));
		ASSERT_NE(NULL, sqe);
		sqe->timeout_flags |= IORING_LINK_TIMEOUT_UPDATE;
		submit(_metadata, r, 1);
		reap_round(_metadata, r, rd);
		round_end(_metadata, &self->rc, self->pfd[0]);

		ok = rd->s[rq].res == (int)len &&
		     rd->s[lt].res == -ECANCELED &&
		     (rd->s[u].res == 0 || rd->s[u].res == -ENOENT);
		check(_metadata, rd, ok, "READ, LINK_TIMEOUT and its update disagree");
		st[rd->s[u].res == 0 ? 0 : 1]++;
	}
	test_end(_metadata, r, rd);
	TH_LOG("%u rounds: updated first %u, READ first %u", it, st[0], st[1]);
}

/* ---- 2a. POLL_REMOVE / ASYNC_CANCEL of a one-shot poll against the wakeup ---- */

/*
 * 6.12, one-shot POLL_ADD of POLLIN on a pipe the racer writes to:
 * - POLL_REMOVE (io_poll_remove() -> io_poll_disarm()): 0 if it got the
 *   poll's ownership, the poll then completes -ECANCELED; -EALREADY if the
 *   wakeup owns it (its task work is queued, io_poll_wake()), -ENOENT if
 *   that task work has run already (io_poll_tw_hash_eject()): then the
 *   poll completes with POLLIN.
 * - ASYNC_CANCEL (io_poll_cancel() -> io_poll_cancel_req()): 0 whenever
 *   the poll is still hashed, even with the wakeup's task work queued,
 *   which then sees IO_POLL_CANCEL_FLAG (io_poll_check_events()):
 *   -ECANCELED. -ENOENT if it's gone: POLLIN. Task work and the cancel
 *   both hold ->uring_lock, so there is nothing in between.
 * @fired is what the poll reports when it fires first: POLLIN for the
 * write, POLLHUP for a racer that closed the write end (2d).
 */
static bool poll_pair_ok(int x, int p, bool cancel, int fired)
{
	if (x == 0)
		return p == -ECANCELED;
	if (x == -ENOENT || (!cancel && x == -EALREADY))
		return p == fired;
	return false;
}

TEST_F(races, poll_remove_vs_wakeup)
{
	unsigned int st[3] = { 0 }, it, p, x;
	struct test_ring *r = &self->r;
	struct round *rd = &self->rd;
	long long start = now_ns();
	__u32 rs = test_seed(self->seed, TAG_POLL);
	bool have_cancel = uring_op_supported(IORING_OP_ASYNC_CANCEL);
	bool ok;

	REQUIRE_OP(POLL_ADD);
	REQUIRE_OP(POLL_REMOVE);
	for (it = 0; it < ROUNDS && !time_up(start); it++) {
		bool cancel = have_cancel && rnd(&rs) & 1;

		round_begin(rd, TAG_POLL, it);
		p = slot_add(rd, "poll", false);
		ASSERT_NE(NULL, sqe_poll(r, self->pfd[0], 0, ud_of(rd, p)));
		submit(_metadata, r, 1);
		racer_poke(&self->rc, ACT_WRITE, self->pfd[1], 1, 'p',
			   rnd(&rs) % RACER_NS);
		busy_ns(rnd(&rs) % MAIN_NS);
		x = slot_add(rd, cancel ? "async_cancel" : "poll_remove", false);
		ASSERT_NE(NULL, sqe_poll_gone(r, cancel, ud_of(rd, p),
					      ud_of(rd, x)));
		submit(_metadata, r, 1);
		reap_round(_metadata, r, rd);
		round_end(_metadata, &self->rc, self->pfd[0]);

		ok = poll_pair_ok(rd->s[x].res, rd->s[p].res, cancel, POLLIN);
		check(_metadata, rd, ok, cancel ? "ASYNC_CANCEL and poll disagree" :
						  "POLL_REMOVE and poll disagree");
		st[rd->s[x].res == 0 ? 0 : rd->s[x].res == -ENOENT ? 1 : 2]++;
	}
	test_end(_metadata, r, rd);
	TH_LOG("%u rounds: removed %u, fired first %u, remove while firing (-EALREADY) %u",
	       it, st[0], st[1], st[2]);
}

/* ---- 2b. the same for a multishot poll ---- */

/*
 * A multishot poll stays armed and hashed after each CQE it posts
 * (io_poll_check_events() returns IOU_POLL_NO_ACTION), so a remove finds
 * it until it is removed: 0 and then one final CQE, -ECANCELED, without
 * F_MORE. POLL_REMOVE gets -EALREADY while a wakeup's task work owns the
 * poll, which stays armed then: try again once that has run. From the
 * successful remove on nothing posts for it but the final CQE: the remove
 * owns it, and task work runs with ->uring_lock held, as the remove does,
 * so every F_MORE CQE of the poll comes before the remove's CQE.
 * The one write of the round makes at most two F_MORE CQEs, POLLIN: one
 * when arming finds the byte there already (__io_arm_poll_handler() runs
 * the poll's task work for an edge-triggered poll that is ready), one for
 * the write's wakeup. Usually those are one: whichever comes second finds
 * the poll owned, and its task work reports both at once. But pipe_write()
 * wakes the readers after dropping the pipe's mutex, and a writer that is
 * preempted in between may wake the poll after that task work has run.
 */
TEST_F(races, multishot_poll_remove_vs_wakeup)
{
	unsigned int st[3] = { 0 }, it, p, x, i, tries;
	struct test_ring *r = &self->r;
	struct round *rd = &self->rd;
	long long start = now_ns();
	__u32 rs = test_seed(self->seed, TAG_MPOLL);
	bool have_cancel = uring_op_supported(IORING_OP_ASYNC_CANCEL);
	bool ok;

	REQUIRE_OP(POLL_ADD);
	REQUIRE_OP(POLL_REMOVE);
	for (it = 0; it < ROUNDS && !time_up(start); it++) {
		bool cancel = have_cancel && rnd(&rs) % 3 == 0;

		round_begin(rd, TAG_MPOLL, it);
		p = slot_add(rd, "multishot_poll", true);
		ASSERT_NE(NULL, sqe_poll(r, self->pfd[0], IORING_POLL_ADD_MULTI,
					 ud_of(rd, p)));
		submit(_metadata, r, 1);
		racer_poke(&self->rc, ACT_WRITE, self->pfd[1], 1, 'm',
			   rnd(&rs) % RACER_NS);
		busy_ns(rnd(&rs) % MAIN_NS);
		for (tries = 1; ; tries++) {
			x = slot_add(rd, cancel ? "async_cancel" : "poll_remove", false);
			ASSERT_NE(NULL, sqe_poll_gone(r, cancel, ud_of(rd, p),
						      ud_of(rd, x)));
			submit(_metadata, r, 1);
			reap_or_fail(_metadata, r, rd, 1U << x, 1);
			if (rd->s[x].res != -EALREADY || cancel || tries == MAX_TRIES)
				break;
			/* the wakeup owns the poll: let its task work run */
			ASSERT_TRUE(racer_wait(&self->rc));
			run_task_work(r);
			usleep(100);
		}
		reap_or_fail(_metadata, r, rd, 1U << p, 1);
		round_end(_metadata, &self->rc, self->pfd[0]);

		/* every remove before the last found it busy, the last removed it */
		for (i = 1; i < x; i++)
			check(_metadata, rd, rd->s[i].res == -EALREADY,
			      "POLL_REMOVE of a multishot poll neither 0 nor -EALREADY");
		check(_metadata, rd, rd->s[x].res == 0,
		      cancel ? "ASYNC_CANCEL did not remove the multishot poll" :
			       "POLL_REMOVE did not remove the multishot poll");
		check(_metadata, rd, rd->s[p].res == -ECANCELED,
		      "multishot poll did not end with -ECANCELED");
		check(_metadata, rd, rd->s[p].more <= 2,
		      "more than two F_MORE CQEs for one write");
		ok = !rd->s[p].more || rd->s[p].more_seq < rd->s[x].seq;
		check(_metadata, rd, ok, "F_MORE CQE after the successful remove");
		st[!!rd->s[p].more]++;
		st[2] += x - 1;
	}
	test_end(_metadata, r, rd);
	TH_LOG("%u rounds: removed after a CQE %u, before %u; remove retried (-EALREADY) %u times",
	       it, st[1], st[0], st[2]);
}

/* ---- 2c. POLL_ADD update against the wakeup ---- */

/*
 * An update (POLL_REMOVE with IORING_POLL_UPDATE_*) takes the poll the way
 * a removal does (io_poll_disarm()): -ENOENT / -EALREADY as above and the
 * poll completes unchanged, POLLIN under its old user_data. Or 0: the
 * poll is armed again (io_poll_add()) with the new mask and user_data and
 * completes with those, inline if the byte is there already, or when the
 * write comes. The new mask, POLLIN|POLLRDNORM, shows in the result: a
 * pipe reports both.
 */
TEST_F(races, poll_update_vs_wakeup)
{
	unsigned int st[3] = { 0 }, it, a, b, u;
	struct test_ring *r = &self->r;
	struct round *rd = &self->rd;
	long long start = now_ns();
	__u32 rs = test_seed(self->seed, TAG_PUPDATE);
	bool ok;

	REQUIRE_OP(POLL_ADD);
	REQUIRE_OP(POLL_REMOVE);
	for (it = 0; it < ROUNDS && !time_up(start); it++) {
		unsigned int flags = 1 + rnd(&rs) % 3, done;
		bool ev = flags & 1, ud = flags & 2;
		int want;

		flags = (ev ? IORING_POLL_UPDATE_EVENTS : 0) |
			(ud ? IORING_POLL_UPDATE_USER_DATA : 0);
		round_begin(rd, TAG_PUPDATE, it);
		a = slot_add(rd, "poll", false);
		/* the poll's user_data after an update of it: gets no CQE else */
		b = slot_add(rd, "poll_new_ud", false);
		u = slot_add(rd, "poll_update", false);
		ASSERT_NE(NULL, sqe_poll(r, self->pfd[0], 0, ud_of(rd, a)));
		submit(_metadata, r, 1);
		racer_poke(&self->rc, ACT_WRITE, self->pfd[1], 1, 'u',
			   rnd(&rs) % RACER_NS);
		busy_ns(rnd(&rs) % MAIN_NS);
		ASSERT_NE(NULL, sqe_poll_remove(r, ud_of(rd, a), flags,
						ev ? POLLIN | POLLRDNORM : 0,
						ud ? ud_of(rd, b) : 0, ud_of(rd, u)));
		submit(_metadata, r, 1);
		reap_or_fail(_metadata, r, rd, 1U << u, 1);
		reap_or_fail(_metadata, r, rd, (1U << a) | (1U << b), 1);
		round_end(_metadata, &self->rc, self->pfd[0]);

		if (rd->s[u].res == 0) {
			done = ud ? b : a;
			want = ev ? POLLIN | POLLRDNORM : POLLIN;
		} else {
			ok = rd->s[u].res == -ENOENT || rd->s[u].res == -EALREADY;
			check(_metadata, rd, ok,
			      "POLL_REMOVE update neither 0, -ENOENT nor -EALREADY");
			done = a;
			want = POLLIN;
		}
		ok = rd->s[done].finals == 1 &&
		     rd->s[a].finals + rd->s[b].finals == 1;
		check(_metadata, rd, ok, "poll completed under the wrong user_data");
		check(_metadata, rd, rd->s[done].res == want,
		      "poll result does not match the update's");
		st[rd->s[u].res == 0 ? 0 : rd->s[u].res == -ENOENT ? 1 : 2]++;
	}
	test_end(_metadata, r, rd);
	TH_LOG("%u rounds: updated %u, fired first %u, update while firing (-EALREADY) %u",
	       it, st[0], st[1], st[2]);
}

/* ---- 2d. POLL_REMOVE / ASYNC_CANCEL while the polled pipe is closed ---- */

/*
 * The racer closes one end of a fresh pipe while the poll on its read end
 * is removed. Closing the write end is a hangup (pipe_release() wakes the
 * readers): the pairs of 2a with POLLHUP for POLLIN. Closing the read end,
 * the polled fd, changes nothing: the request holds its own reference to
 * the file (taken at issue), so the poll stays armed and the remove gets
 * it, 0 and -ECANCELED.
 */
TEST_F(races, poll_remove_vs_close)
{
	unsigned int st[4] = { 0 }, it, p, x;
	struct test_ring *r = &self->r;
	struct round *rd = &self->rd;
	long long start = now_ns();
	__u32 rs = test_seed(self->seed, TAG_PCLOSE);
	bool have_cancel = uring_op_supported(IORING_OP_ASYNC_CANCEL);
	int pfd[2];
	bool ok;

	REQUIRE_OP(POLL_ADD);
	REQUIRE_OP(POLL_REMOVE);
	for (it = 0; it < ROUNDS && !time_up(start); it++) {
		bool cancel = have_cancel && rnd(&rs) & 1;
		bool hup = rnd(&rs) & 1;

		ASSERT_EQ(0, pipe(pfd));
		round_begin(rd, TAG_PCLOSE, it);
		p = slot_add(rd, "poll", false);
		ASSERT_NE(NULL, sqe_poll(r, pfd[0], 0, ud_of(rd, p)));
		submit(_metadata, r, 1);
		/* from here on the racer owns the end it closes */
		racer_poke(&self->rc, ACT_CLOSE, pfd[hup], 0, 0,
			   rnd(&rs) % RACER_NS);
		busy_ns(rnd(&rs) % MAIN_NS);
		x = slot_add(rd, cancel ? "async_cancel" : "poll_remove", false);
		ASSERT_NE(NULL, sqe_poll_gone(r, cancel, ud_of(rd, p),
					      ud_of(rd, x)));
		submit(_metadata, r, 1);
		reap_round(_metadata, r, rd);
		racer_done(_metadata, &self->rc);
		close(pfd[!hup]);

		if (hup) {
			ok = poll_pair_ok(rd->s[x].res, rd->s[p].res, cancel,
					  POLLHUP);
			check(_metadata, rd, ok,
			      cancel ? "ASYNC_CANCEL and poll disagree (write end closed)" :
				       "POLL_REMOVE and poll disagree (write end closed)");
		} else {
			ok = rd->s[x].res == 0 && rd->s[p].res == -ECANCELED;
			check(_metadata, rd, ok, "closing the polled fd ended the poll");
		}
		st[hup ? (rd->s[x].res == 0 ? 1 : rd->s[x].res == -ENOENT ? 2 : 3) : 0]++;
	}
	test_end(_metadata, r, rd);
	TH_LOG("%u rounds, %u closed the read end", it, st[0]);
	TH_LOG("write end closed: removed %u, hung up first %u, removed while hanging up %u",
	       st[1], st[2], st[3]);
}

TEST_HARNESS_MAIN
