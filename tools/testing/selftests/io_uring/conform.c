// SPDX-License-Identifier: GPL-2.0
/*
 * Conformance with Linux 6.12 where a feature exists but a program written
 * for 6.12 could see it behave differently: thread exit, DEFER_TASKRUN
 * ownership, min_wait against the timeout, waits ended by TIMEOUTs, MSG_RING
 * to an IOPOLL ring, multishot requests and a full CQ, polls woken by the
 * ring's own completions, tag CQEs of replaced resources, a disarmed linked
 * timeout with CQE_SKIP_SUCCESS and SQPOLL's SQ_WAIT/POLLOUT.
 *
 * Timing is asserted only as a loose lower bound. Every wait is bounded so
 * that a kernel that gets it wrong fails the test instead of hanging it.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "uring_test.h"

#define WAIT_MS		5000	/* for completions that must happen */
#define SHORT_MS	50	/* for completions that must not happen (yet) */
#define HANG_MS		10000	/* a wait that must end ends before this */

#define MSEC		1000000L

#define UD_NOP		0x100ULL
#define UD_POLL		0x200ULL
#define UD_TMO		0x300ULL
#define UD_WRITE	0x400ULL
#define UD_READ		0x500ULL
#define UD_RPOLL	0x600	/* poll of a ring fd */
#define UD_LTMO		0x700	/* linked after UD_RPOLL */
#define UD_RM		0x800ULL
#define UD_MSG_SRC	0x900ULL
#define UD_MSG		0x5e4d00000000aa55ULL

#define REQUIRE_OP(op) do {						\
	if (!uring_op_supported(op))					\
		SKIP(return, #op " not supported");			\
} while (0)

/* Pop one CQE and check all of it. */
#define EXPECT_CQE(r, ud, res_, flags_) do {				\
	struct io_uring_cqe __c;					\
	ASSERT_EQ(0, ring_pop_cqe(r, &__c, WAIT_MS)) {			\
		TH_LOG("no CQE, expected user_data 0x%llx",		\
		       (unsigned long long)(ud));			\
	}								\
	EXPECT_EQ((__u64)(ud), __c.user_data);				\
	EXPECT_EQ((int)(res_), __c.res);				\
	EXPECT_EQ((unsigned int)(flags_), __c.flags);			\
} while (0)

/* No CQE shows up within SHORT_MS. */
#define EXPECT_NO_CQE(r) do {						\
	struct io_uring_cqe *__c = ring_wait_cqe(r, SHORT_MS, NULL);	\
	EXPECT_EQ(NULL, __c) {						\
		TH_LOG("unexpected CQE ud=0x%llx res=%d flags=0x%x",	\
		       (unsigned long long)__c->user_data, __c->res,	\
		       __c->flags);					\
	}								\
} while (0)

/* The CQE of @ud among @n popped ones: exactly one, with res and flags. */
#define EXPECT_IN_SET(set, n, ud, res_, flags_) do {			\
	const struct io_uring_cqe *__c = find_cqe(set, n, ud);		\
	ASSERT_NE(NULL, __c) {						\
		TH_LOG("no CQE for user_data 0x%llx",			\
		       (unsigned long long)(ud));			\
	}								\
	EXPECT_EQ(1U, count_cqe(set, n, ud));				\
	EXPECT_EQ((int)(res_), __c->res);				\
	EXPECT_EQ((unsigned int)(flags_), __c->flags);			\
} while (0)

static const struct io_uring_cqe *find_cqe(const struct io_uring_cqe *set,
					   unsigned int n, __u64 ud)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (set[i].user_data == ud)
			return &set[i];
	return NULL;
}

static unsigned int count_cqe(const struct io_uring_cqe *set, unsigned int n,
			      __u64 ud)
{
	unsigned int i, nr = 0;

	for (i = 0; i < n; i++)
		nr += set[i].user_data == ud;
	return nr;
}

/* Pop @n CQEs, in whatever order they come, into @set. */
static void pop_cqes(struct __test_metadata *_metadata, struct test_ring *r,
		     struct io_uring_cqe *set, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &set[i], WAIT_MS)) {
			TH_LOG("CQE %u of %u missing", i, n);
		}
	}
}

static struct __kernel_timespec ms_ts(unsigned int ms)
{
	struct __kernel_timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * MSEC,
	};

	return ts;
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

static struct io_uring_sqe *sqe_poll_remove(struct test_ring *r, __u64 target,
					    __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_POLL_REMOVE;
		sqe->fd = -1;
		sqe->addr = target;
		sqe->user_data = ud;
	}
	return sqe;
}

/* TIMEOUT (or LINK_TIMEOUT) of *@ts; @count completions also end it. */
static struct io_uring_sqe *sqe_timeout(struct test_ring *r, int op,
					struct __kernel_timespec *ts,
					unsigned int count, unsigned int flags,
					__u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = op;
		sqe->fd = -1;
		sqe->addr = (__u64)(uintptr_t)ts;
		sqe->len = 1;
		sqe->off = count;
		sqe->timeout_flags = flags;
		sqe->user_data = ud;
	}
	return sqe;
}

static struct io_uring_sqe *sqe_timeout_remove(struct test_ring *r,
					       __u64 target, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_TIMEOUT_REMOVE;
		sqe->fd = -1;
		sqe->addr = target;
		sqe->user_data = ud;
	}
	return sqe;
}

static struct io_uring_sqe *sqe_rw(struct test_ring *r, int op, int fd,
				   void *buf, unsigned int len, __u64 off,
				   __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = op;
		sqe->fd = fd;
		sqe->addr = (__u64)(uintptr_t)buf;
		sqe->len = len;
		sqe->off = off;
		sqe->user_data = ud;
	}
	return sqe;
}

/* MSG_RING data message: the target gets { @data, @len, 0 }. */
static struct io_uring_sqe *sqe_msg_data(struct test_ring *r, int target_fd,
					 __u32 len, __u64 data, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_MSG_RING;
		sqe->fd = target_fd;
		sqe->addr = IORING_MSG_DATA;
		sqe->len = len;
		sqe->off = data;
		sqe->user_data = ud;
	}
	return sqe;
}

/*
 * Enter with GETEVENTS and min_complete 0: a DEFER_TASKRUN ring runs its
 * task work only then, the other modes return at once.
 */
static void ring_kick(struct test_ring *r)
{
	io_uring_enter(r->fd, 0, 0, IORING_ENTER_GETEVENTS, NULL, 0);
}

static bool cq_overflowed(struct test_ring *r)
{
	return load_acquire(r->sq_flags) & IORING_SQ_CQ_OVERFLOW;
}

/*
 * Wait up to @ms, running task work, until a CQE is posted past @tail or
 * the overflow state differs from @of. Nothing is consumed.
 */
static bool wait_cq_change(struct test_ring *r, unsigned int tail, bool of,
			   unsigned int ms)
{
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		ring_kick(r);
		if (load_acquire(r->cq_tail) != tail || cq_overflowed(r) != of)
			return true;
		if (ring_mode_ms_since(&start) >= ms)
			return false;
		usleep(1000);
	}
}

/* Wait up to @ms, running task work, until the CQ has overflown. */
static bool wait_overflow(struct test_ring *r, unsigned int ms)
{
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!cq_overflowed(r)) {
		if (ring_mode_ms_since(&start) >= ms)
			return false;
		usleep(1000);
		ring_kick(r);
	}
	return true;
}

/* pthread_join() that gives up after @ms: 0 or an errno. */
static int join_ms(pthread_t th, unsigned int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * MSEC;
	if (ts.tv_nsec >= 1000 * MSEC) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000 * MSEC;
	}
	return pthread_timedjoin_np(th, NULL, &ts);
}

/* A scratch regular file, already unlinked. */
static int scratch_file(void)
{
	char path[] = "/tmp/iou-conform-XXXXXX";
	int fd = mkstemp(path);

	if (fd >= 0)
		unlink(path);
	return fd;
}

/* ---- 1. Thread exit cancels only what it must ---- */

FIXTURE(thread_exit) {
	struct test_ring r;
	struct test_ring other;		/* its fd is polled, tracked on exit */
	int pfd[2];			/* polled */
	int pfd2[2];			/* read */
	int file;			/* written */
};

/*
 * DEFER_TASKRUN rings take SQEs only from their one task, and on SQPOLL
 * rings the requests are the SQ thread's: neither has a thread that
 * submits and exits.
 */
FIXTURE_VARIANT(thread_exit) {
	unsigned int setup_flags;
};

FIXTURE_VARIANT_ADD(thread_exit, default) {
	.setup_flags = RING_MODE_DEFAULT,
};

FIXTURE_VARIANT_ADD(thread_exit, coop) {
	.setup_flags = RING_MODE_COOP,
};

FIXTURE_SETUP(thread_exit)
{
	self->other.fd = -1;
	ASSERT_EQ(0, ring_init_mode(&self->r, 16, variant->setup_flags));
	ASSERT_EQ(0, ring_init_flags(&self->other, 4, 0));
	ASSERT_EQ(0, pipe(self->pfd));
	ASSERT_EQ(0, pipe(self->pfd2));
	self->file = scratch_file();
	ASSERT_LE(0, self->file);
}

FIXTURE_TEARDOWN(thread_exit)
{
	ring_exit(&self->r);
	if (self->other.fd >= 0)
		ring_exit(&self->other);
	close(self->pfd[0]);
	close(self->pfd[1]);
	close(self->pfd2[0]);
	close(self->pfd2[1]);
	close(self->file);
}

struct exit_args {
	struct test_ring *r;
	int poll_fd, read_fd, file;
	int ring_fd;			/* >= 0: POLL_ADD on it -> TIMEOUT */
	struct __kernel_timespec ts, ts_long;
	char wbuf[512], rbuf[8];
	int submitted;
};

/*
 * The thread that submits and exits: POLL_ADD on a pipe, READ of another
 * pipe, TIMEOUT(200 ms) and a 512-byte buffered WRITE queued to its io-wq,
 * optionally POLL_ADD on a ring fd linked to a long TIMEOUT. It exits at
 * once: 6.12's workers still run what was queued before they exit (6.18
 * was seen to cancel it instead).
 */
static void *exit_fn(void *data)
{
	struct exit_args *a = data;
	struct test_ring *r = a->r;
	struct io_uring_sqe *sqe;
	int n = 4;

	sqe_poll(r, a->poll_fd, POLLIN, 0, UD_POLL);
	sqe_rw(r, IORING_OP_READ, a->read_fd, a->rbuf, sizeof(a->rbuf), 0,
	       UD_READ);
	sqe_timeout(r, IORING_OP_TIMEOUT, &a->ts, 0, 0, UD_TMO);
	sqe = sqe_rw(r, IORING_OP_WRITE, a->file, a->wbuf, sizeof(a->wbuf),
		     0, UD_WRITE);
	sqe->flags |= IOSQE_ASYNC;
	if (a->ring_fd >= 0) {
		sqe = sqe_poll(r, a->ring_fd, POLLIN, 0, UD_RPOLL);
		sqe->flags |= IOSQE_IO_LINK;
		sqe_timeout(r, IORING_OP_TIMEOUT, &a->ts_long, 0, 0, UD_LTMO);
		n += 2;
	}
	a->submitted = ring_submit(r, n, 0, 0);
	return NULL;
}

/*
 * Run exit_fn() in a thread that then exits, and check that what it did
 * not have to cancel goes on: the WRITE completes with 512 and the TIMEOUT
 * fires after its 200 ms, while the poll and the read stay pending until
 * their pipes have something.
 */
static void run_exit_thread(struct __test_metadata *_metadata,
			    FIXTURE_DATA(thread_exit) *self, int ring_fd)
{
	struct exit_args a = {
		.r = &self->r,
		.poll_fd = self->pfd[0],
		.read_fd = self->pfd2[0],
		.file = self->file,
		.ring_fd = ring_fd,
		.ts = ms_ts(200),
		.ts_long = ms_ts(HANG_MS),
	};
	unsigned int n = ring_fd >= 0 ? 4 : 2;
	struct io_uring_cqe set[4];
	struct timespec start;
	char back[512];
	pthread_t th;

	memset(a.wbuf, 0xa5, sizeof(a.wbuf));
	clock_gettime(CLOCK_MONOTONIC, &start);
	ASSERT_EQ(0, pthread_create(&th, NULL, exit_fn, &a));
	/* the exit waits only for what it cancelled, so it ends soon */
	ASSERT_EQ(0, join_ms(th, HANG_MS));
	ASSERT_EQ((int)(ring_fd >= 0 ? 6 : 4), a.submitted);

	pop_cqes(_metadata, &self->r, set, n);
	EXPECT_IN_SET(set, n, UD_WRITE, 512, 0);
	EXPECT_IN_SET(set, n, UD_TMO, -ETIME, 0);
	if (ring_fd >= 0) {
		/* the chain with a ring fd that is not fixed is cancelled */
		EXPECT_IN_SET(set, n, UD_RPOLL, -ECANCELED, 0);
		EXPECT_IN_SET(set, n, UD_LTMO, -ECANCELED, 0);
	}
	/* the TIMEOUT ran its course, it was not cut short by the exit */
	EXPECT_LE(190, ring_mode_ms_since(&start));
	ASSERT_EQ(512, pread(self->file, back, sizeof(back), 0));
	EXPECT_EQ(0, memcmp(back, a.wbuf, sizeof(back)));

	/* the poll and the read were not cancelled: still armed */
	EXPECT_NO_CQE(&self->r);

	/*
	 * Once woken, they need their task's task work, which a task that
	 * has exited cannot run: 6.12 runs it from a kernel thread, where it
	 * ends them with -ECANCELED. They complete, and do not leak.
	 */
	ASSERT_EQ(1, write(self->pfd[1], "p", 1));
	EXPECT_CQE(&self->r, UD_POLL, -ECANCELED, 0);
	ASSERT_EQ(3, write(self->pfd2[1], "abc", 3));
	EXPECT_CQE(&self->r, UD_READ, -ECANCELED, 0);
	EXPECT_NO_CQE(&self->r);
}

TEST_F(thread_exit, keeps_requests)
{
	run_exit_thread(_metadata, self, -1);
}

TEST_F(thread_exit, cancels_ring_fd_chain)
{
	run_exit_thread(_metadata, self, self->other.fd);
}

/* ---- 2. DEFER_TASKRUN belongs to one task ---- */

struct owner_args {
	struct test_ring *r;
	int poll_fd;
	int enabled, submitted;
};

/* Enable the ring (it becomes ours), post a NOP, arm a poll, exit. */
static void *owner_fn(void *data)
{
	struct owner_args *a = data;

	a->enabled = io_uring_register(a->r->fd, IORING_REGISTER_ENABLE_RINGS,
				       NULL, 0);
	ring_nop(a->r, UD_NOP);
	sqe_poll(a->r, a->poll_fd, POLLIN, 0, UD_POLL);
	a->submitted = ring_submit(a->r, 2, 0, 0);
	return NULL;
}

TEST(defer_taskrun_other_thread_eexist)
{
	struct __kernel_timespec ts = ms_ts(10);
	struct io_uring_getevents_arg arg = {
		.ts = (__u64)(uintptr_t)&ts,
	};
	struct owner_args a;
	struct test_ring r;
	struct io_uring_cqe *cqe;
	pthread_t th;
	int pfd[2];

	ASSERT_EQ(0, ring_init_flags(&r, 8, IORING_SETUP_SINGLE_ISSUER |
				     IORING_SETUP_DEFER_TASKRUN |
				     IORING_SETUP_R_DISABLED));
	ASSERT_EQ(0, pipe(pfd));
	a = (struct owner_args){ .r = &r, .poll_fd = pfd[0] };
	ASSERT_EQ(0, pthread_create(&th, NULL, owner_fn, &a));
	ASSERT_EQ(0, join_ms(th, HANG_MS));
	ASSERT_EQ(0, a.enabled);
	ASSERT_EQ(2, a.submitted);
	ASSERT_EQ(1U, ring_cq_ready(&r));

	/* the poll's completion is now task work only the owner may run */
	ASSERT_EQ(1, write(pfd[1], "x", 1));
	ASSERT_EQ(0, arm_alarm(HANG_MS));
	EXPECT_EQ(-EEXIST, io_uring_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS,
					  NULL, 0));
	EXPECT_EQ(-EEXIST, io_uring_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS |
					  IORING_ENTER_EXT_ARG, &arg,
					  sizeof(arg)));
	arm_alarm(0);
	EXPECT_EQ(0, alarm_fired);
	/* neither may this thread submit */
	ASSERT_NE(NULL, ring_nop(&r, UD_NOP + 1));
	EXPECT_EQ(-EEXIST, ring_submit(&r, 1, 0, 0));

	/* the CQ is as the owner left it: the NOP's CQE only */
	usleep(SHORT_MS * 1000);
	EXPECT_EQ(0U, *r.cq_head);
	EXPECT_EQ(1U, load_acquire(r.cq_tail));
	cqe = ring_peek_cqe(&r);
	ASSERT_NE(NULL, cqe);
	EXPECT_EQ(UD_NOP, cqe->user_data);
	EXPECT_EQ(0, cqe->res);
	EXPECT_EQ(0U, cqe->flags);

	ring_exit(&r);
	close(pfd[0]);
	close(pfd[1]);
}

/* ---- Tests that run in every ring mode ---- */

FIXTURE(modes) {
	struct test_ring r;
	int pfd[2];
};

RING_MODE_VARIANTS(modes);

FIXTURE_SETUP(modes)
{
	self->r.fd = -1;
	ASSERT_EQ(0, pipe(self->pfd));
}

FIXTURE_TEARDOWN(modes)
{
	if (self->r.fd >= 0)
		ring_exit(&self->r);
	if (self->pfd[0] >= 0)
		close(self->pfd[0]);
	if (self->pfd[1] >= 0)
		close(self->pfd[1]);
}

/* ---- 3. min_wait longer than the timeout ---- */

TEST_F(modes, min_wait_longer_than_timeout)
{
	struct __kernel_timespec ts = ms_ts(20);
	struct io_uring_getevents_arg arg = {
		.ts = (__u64)(uintptr_t)&ts,
		.min_wait_usec = 50000,
	};
	struct test_ring *r = &self->r;
	struct timespec start;
	long ms;
	int ret;

	ASSERT_EQ(0, ring_init_mode(r, 8, variant->setup_flags));
	ASSERT_TRUE(!!(r->p.features & IORING_FEAT_MIN_TIMEOUT));

	clock_gettime(CLOCK_MONOTONIC, &start);
	ASSERT_EQ(0, arm_alarm(HANG_MS));
	ret = io_uring_enter(r->fd, 0, 4, IORING_ENTER_GETEVENTS |
			     IORING_ENTER_EXT_ARG, &arg, sizeof(arg));
	arm_alarm(0);
	ms = ring_mode_ms_since(&start);
	EXPECT_EQ(-ETIME, ret);
	/* the 50 ms min-wait period runs first, then the 20 ms timeout */
	EXPECT_LE(40, ms);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/* ---- 4. A TIMEOUT that completes during a wait ends it ---- */

TEST_F(modes, timeout_completion_ends_wait)
{
	struct __kernel_timespec ts = ms_ts(200);
	struct test_ring *r = &self->r;
	struct timespec start;
	int ret;

	ASSERT_EQ(0, ring_init_mode(r, 8, variant->setup_flags));
	clock_gettime(CLOCK_MONOTONIC, &start);
	ASSERT_NE(NULL, sqe_timeout(r, IORING_OP_TIMEOUT, &ts, 0, 0, UD_TMO));
	ASSERT_EQ(1, ring_submit_mode(r, 1));

	/* 4 CQEs will never come; the TIMEOUT firing must end the wait */
	ASSERT_EQ(0, arm_alarm(HANG_MS));
	ret = io_uring_enter(r->fd, 0, 4, IORING_ENTER_GETEVENTS, NULL, 0);
	arm_alarm(0);
	EXPECT_EQ(0, ret);
	EXPECT_EQ(0, alarm_fired);
	EXPECT_LE(190, ring_mode_ms_since(&start));
	EXPECT_CQE(r, UD_TMO, -ETIME, 0);
	EXPECT_NO_CQE(r);
}

struct late_write {
	int fd;
	unsigned int ms;
};

static void *late_write_fn(void *data)
{
	struct late_write *w = data;

	usleep(w->ms * 1000);
	if (write(w->fd, "w", 1) != 1)
		return (void *)1;
	return NULL;
}

/*
 * The same when the TIMEOUT completes because its count is met: a READ
 * that completes during the wait posts the one CQE it waits for. The READ
 * is linked to a NOP: a DEFER_TASKRUN ring otherwise wakes a waiter for
 * a pipe's readiness only once there is enough for min_complete.
 */
TEST_F(modes, timeout_count_met_ends_wait)
{
	struct __kernel_timespec ts = ms_ts(HANG_MS);
	struct late_write w = { .fd = self->pfd[1], .ms = 100 };
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[3];
	struct io_uring_sqe *sqe;
	char buf[4];
	pthread_t th;
	int ret;

	ASSERT_EQ(0, ring_init_mode(r, 8, variant->setup_flags));
	ASSERT_NE(NULL, sqe_timeout(r, IORING_OP_TIMEOUT, &ts, 1, 0, UD_TMO));
	/* a short read would break the link: read just the byte written */
	sqe = sqe_rw(r, IORING_OP_READ, self->pfd[0], buf, 1, 0, UD_READ);
	ASSERT_NE(NULL, sqe);
	sqe->flags |= IOSQE_IO_LINK;
	ASSERT_NE(NULL, ring_nop(r, UD_NOP));
	ASSERT_EQ(3, ring_submit_mode(r, 3));

	/* 3 CQEs in all, never 4: the TIMEOUT's completion ends the wait */
	ASSERT_EQ(0, pthread_create(&th, NULL, late_write_fn, &w));
	ASSERT_EQ(0, arm_alarm(HANG_MS / 2));
	ret = io_uring_enter(r->fd, 0, 4, IORING_ENTER_GETEVENTS, NULL, 0);
	arm_alarm(0);
	ASSERT_EQ(0, join_ms(th, WAIT_MS));
	EXPECT_EQ(0, ret);
	EXPECT_EQ(0, alarm_fired);
	pop_cqes(_metadata, r, set, 3);
	EXPECT_IN_SET(set, 3, UD_READ, 1, 0);
	EXPECT_IN_SET(set, 3, UD_NOP, 0, 0);
	EXPECT_IN_SET(set, 3, UD_TMO, 0, 0);
	EXPECT_NO_CQE(r);
}

/* ---- 6. A multishot CQE that does not fit ends the multishot ---- */

TEST_F(modes, multishot_poll_cq_full_ends)
{
	struct test_ring *r = &self->r;
	unsigned int tail, i;
	bool of;
	char c;

	ASSERT_EQ(0, ring_init_mode(r, 1, variant->setup_flags));
	ASSERT_EQ(2U, r->p.cq_entries);
	ASSERT_NE(NULL, sqe_poll(r, self->pfd[0], POLLIN,
				 IORING_POLL_ADD_MULTI, UD_POLL));
	ASSERT_EQ(1, ring_submit_mode(r, 1));

	/* 8 wake ups, nothing reaped: 2 fit, the 3rd ends the poll */
	for (i = 0; i < 8; i++) {
		tail = load_acquire(r->cq_tail);
		of = cq_overflowed(r);
		ASSERT_EQ(1, write(self->pfd[1], "x", 1));
		if (i < 3) {
			ASSERT_TRUE(wait_cq_change(r, tail, of, WAIT_MS)) {
				TH_LOG("round %u: nothing posted", i);
			}
		} else {
			/* give a kernel that goes on the time to post */
			EXPECT_FALSE(wait_cq_change(r, tail, of, 10)) {
				TH_LOG("round %u: CQ changed", i);
			}
		}
		ASSERT_EQ(1, read(self->pfd[0], &c, 1));
	}
	EXPECT_EQ(2U, ring_cq_ready(r));
	EXPECT_TRUE(cq_overflowed(r));

	EXPECT_CQE(r, UD_POLL, POLLIN, IORING_CQE_F_MORE);
	EXPECT_CQE(r, UD_POLL, POLLIN, IORING_CQE_F_MORE);
	EXPECT_CQE(r, UD_POLL, POLLIN, 0);
	EXPECT_NO_CQE(r);
	EXPECT_EQ(0U, *r->cq_overflow);
	EXPECT_FALSE(cq_overflowed(r));

	/* it is gone */
	ASSERT_NE(NULL, sqe_poll_remove(r, UD_POLL, UD_RM));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD_RM, -ENOENT, 0);
}

TEST_F(modes, multishot_timeout_cq_full_ends)
{
	struct __kernel_timespec ts = ms_ts(20);
	struct test_ring *r = &self->r;

	ASSERT_EQ(0, ring_init_mode(r, 1, variant->setup_flags));
	ASSERT_EQ(2U, r->p.cq_entries);
	ASSERT_NE(NULL, sqe_timeout(r, IORING_OP_TIMEOUT, &ts, 0,
				    IORING_TIMEOUT_MULTISHOT, UD_TMO));
	ASSERT_EQ(1, ring_submit_mode(r, 1));

	/* expiries 1 and 2 fit, the 3rd overflows and is the last */
	ASSERT_TRUE(wait_overflow(r, WAIT_MS));
	/* a few more periods, in which a timeout that went on would post */
	wait_cq_change(r, load_acquire(r->cq_tail), true, 80);
	EXPECT_EQ(2U, ring_cq_ready(r));

	EXPECT_CQE(r, UD_TMO, -ETIME, IORING_CQE_F_MORE);
	EXPECT_CQE(r, UD_TMO, -ETIME, IORING_CQE_F_MORE);
	EXPECT_CQE(r, UD_TMO, -ETIME, 0);
	EXPECT_NO_CQE(r);
	EXPECT_EQ(0U, *r->cq_overflow);

	ASSERT_NE(NULL, sqe_timeout_remove(r, UD_TMO, UD_RM));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD_RM, -ENOENT, 0);
}

/* ---- 7. Polls woken by the ring's own completions ---- */

/*
 * A DEFER_TASKRUN ring starts waking its pollers from its task's task
 * work, with a wake up that carries no mask. Have that happen now, so
 * that it does not hit the polls of the test.
 */
static void activate_ring_poll(struct test_ring *r)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLIN };

	poll(&pfd, 1, 0);
}

TEST_F(modes, poll_ring_own_eventfd_ends_multishot)
{
	struct test_ring *r = &self->r;
	int efd;

	ASSERT_EQ(0, ring_init_mode(r, 8, variant->setup_flags));
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, io_uring_register(r->fd, IORING_REGISTER_EVENTFD,
				       &efd, 1));
	ASSERT_NE(NULL, sqe_poll(r, efd, POLLIN, IORING_POLL_ADD_MULTI,
				 UD_POLL));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);

	/*
	 * The NOP's CQE signals the eventfd, which wakes the poll: one final
	 * CQE, or each of its CQEs would wake it again.
	 */
	ASSERT_NE(NULL, ring_nop(r, UD_NOP));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD_NOP, 0, 0);
	EXPECT_CQE(r, UD_POLL, POLLIN, 0);
	EXPECT_NO_CQE(r);
	close(efd);
}

TEST_F(modes, epoll_ring_fd_multishot_ends)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct test_ring *r = &self->r;
	int epfd;

	ASSERT_EQ(0, ring_init_mode(r, 8, variant->setup_flags));
	epfd = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, epfd);
	ASSERT_EQ(0, epoll_ctl(epfd, EPOLL_CTL_ADD, r->fd, &ev));
	activate_ring_poll(r);
	ASSERT_NE(NULL, sqe_poll(r, epfd, POLLIN, IORING_POLL_ADD_MULTI,
				 UD_POLL));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);

	ASSERT_NE(NULL, ring_nop(r, UD_NOP));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, UD_NOP, 0, 0);
	EXPECT_CQE(r, UD_POLL, POLLIN, 0);
	EXPECT_NO_CQE(r);
	close(epfd);
}

#define OWN_ROUNDS	4
#define OWN_POLLS	64

/* Many multishot polls on the ring's own fd: a NOP wakes each just once. */
TEST_F(modes, ring_fd_polls_woken_once)
{
	unsigned int seen[OWN_POLLS], round, i, nops;
	struct test_ring *r = &self->r;
	struct io_uring_cqe cqe;

	ASSERT_EQ(0, ring_init_mode(r, 128, variant->setup_flags));
	activate_ring_poll(r);
	for (round = 0; round < OWN_ROUNDS; round++) {
		for (i = 0; i < OWN_POLLS; i++)
			ASSERT_NE(NULL, sqe_poll(r, r->fd, POLLIN,
						 IORING_POLL_ADD_MULTI,
						 UD_POLL + i));
		ASSERT_NE(NULL, ring_nop(r, UD_NOP));
		ASSERT_EQ(OWN_POLLS + 1, ring_submit_mode(r, OWN_POLLS + 1));

		memset(seen, 0, sizeof(seen));
		nops = 0;
		for (i = 0; i < OWN_POLLS + 1; i++) {
			ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS)) {
				TH_LOG("round %u: CQE %u missing", round, i);
			}
			if (cqe.user_data == UD_NOP) {
				EXPECT_EQ(0, cqe.res);
				EXPECT_EQ(0U, cqe.flags);
				nops++;
				continue;
			}
			ASSERT_GT(UD_POLL + OWN_POLLS, cqe.user_data);
			ASSERT_LE(UD_POLL, cqe.user_data);
			EXPECT_EQ(POLLIN, cqe.res);
			EXPECT_EQ(0U, cqe.flags);
			seen[cqe.user_data - UD_POLL]++;
		}
		EXPECT_EQ(1U, nops);
		for (i = 0; i < OWN_POLLS; i++)
			EXPECT_EQ(1U, seen[i]) {
				TH_LOG("round %u poll %u", round, i);
			}
		EXPECT_NO_CQE(r);
	}
}

/* ---- 8. Tag CQEs of replaced resources wait for their users ---- */

#define NR_RSRC		5
#define TAG_NEW		0x77

/*
 * 6.12 queues the put of a replaced resource on the ring's current
 * resource node, which every request using a fixed resource pins: the tag
 * CQE of slot 1 waits for a READ that uses slot 0. (Later kernels count
 * users per resource and post it at once; 6.18 does.)
 */
TEST_F(modes, tag_cqe_after_user_buffer)
{
	static _Alignas(4096) char bufs[NR_RSRC + 1][4096];
	struct io_uring_rsrc_register reg;
	struct io_uring_rsrc_update2 up;
	struct iovec iov[NR_RSRC + 1];
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	__u64 tags[NR_RSRC], tag_new = TAG_NEW;
	int i;

	ASSERT_EQ(0, ring_init_mode(r, 8, variant->setup_flags));
	for (i = 0; i < NR_RSRC + 1; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
	}
	for (i = 0; i < NR_RSRC; i++)
		tags[i] = i + 1;
	memset(&reg, 0, sizeof(reg));
	reg.nr = NR_RSRC;
	reg.data = (__u64)(uintptr_t)iov;
	reg.tags = (__u64)(uintptr_t)tags;
	ASSERT_EQ(0, io_uring_register(r->fd, IORING_REGISTER_BUFFERS2,
				       &reg, sizeof(reg)));

	sqe = sqe_rw(r, IORING_OP_READ_FIXED, self->pfd[0], bufs[0], 64, 0,
		     UD_READ);
	ASSERT_NE(NULL, sqe);
	sqe->buf_index = 0;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);

	memset(&up, 0, sizeof(up));
	up.offset = 1;
	up.data = (__u64)(uintptr_t)&iov[NR_RSRC];
	up.tags = (__u64)(uintptr_t)&tag_new;
	up.nr = 1;
	ASSERT_EQ(1, io_uring_register(r->fd, IORING_REGISTER_BUFFERS_UPDATE,
				       &up, sizeof(up)));
	/* the READ still holds what slot 1's old buffer was put on */
	EXPECT_NO_CQE(r);

	close(self->pfd[1]);
	self->pfd[1] = -1;
	EXPECT_CQE(r, UD_READ, 0, 0);
	EXPECT_CQE(r, 2, 0, 0);
	EXPECT_NO_CQE(r);
}

TEST_F(modes, tag_cqe_after_user_file)
{
	struct io_uring_rsrc_register reg;
	struct io_uring_rsrc_update2 up;
	struct test_ring *r = &self->r;
	int fds[NR_RSRC], fd_new, i;
	__u64 tags[NR_RSRC], tag_new = TAG_NEW;
	struct io_uring_sqe *sqe;
	char buf[64];

	ASSERT_EQ(0, ring_init_mode(r, 8, variant->setup_flags));
	fds[0] = self->pfd[0];
	for (i = 1; i < NR_RSRC; i++) {
		fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, fds[i]);
	}
	fd_new = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd_new);
	for (i = 0; i < NR_RSRC; i++)
		tags[i] = i + 1;
	memset(&reg, 0, sizeof(reg));
	reg.nr = NR_RSRC;
	reg.data = (__u64)(uintptr_t)fds;
	reg.tags = (__u64)(uintptr_t)tags;
	ASSERT_EQ(0, io_uring_register(r->fd, IORING_REGISTER_FILES2,
				       &reg, sizeof(reg)));
	for (i = 1; i < NR_RSRC; i++)
		close(fds[i]);

	sqe = sqe_rw(r, IORING_OP_READ, 0, buf, sizeof(buf), 0, UD_READ);
	ASSERT_NE(NULL, sqe);
	sqe->flags |= IOSQE_FIXED_FILE;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);

	memset(&up, 0, sizeof(up));
	up.offset = 1;
	up.data = (__u64)(uintptr_t)&fd_new;
	up.tags = (__u64)(uintptr_t)&tag_new;
	up.nr = 1;
	ASSERT_EQ(1, io_uring_register(r->fd, IORING_REGISTER_FILES_UPDATE2,
				       &up, sizeof(up)));
	EXPECT_NO_CQE(r);

	close(self->pfd[1]);
	self->pfd[1] = -1;
	EXPECT_CQE(r, UD_READ, 0, 0);
	EXPECT_CQE(r, 2, 0, 0);
	EXPECT_NO_CQE(r);
	close(fd_new);
}

/*
 * Many replacements behind one request that holds its node: every tag
 * waits, then all go out in the order of the replacements (the first one
 * replaced the registered tag 2, each later one the tag set before it).
 */
#define NR_REPLACE	400

TEST_F(modes, tag_cqes_behind_held_user_in_order)
{
	struct io_uring_rsrc_register reg;
	struct io_uring_rsrc_update2 up;
	struct test_ring *r = &self->r;
	__u64 tags[2] = { 1, 2 }, tag;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqe;
	int fds[2], fd_new, i;
	char buf[64];

	ASSERT_EQ(0, ring_init_mode(r, 8, variant->setup_flags));
	fd_new = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd_new);
	fds[0] = self->pfd[0];
	fds[1] = fd_new;
	memset(&reg, 0, sizeof(reg));
	reg.nr = 2;
	reg.data = (__u64)(uintptr_t)fds;
	reg.tags = (__u64)(uintptr_t)tags;
	ASSERT_EQ(0, io_uring_register(r->fd, IORING_REGISTER_FILES2,
				       &reg, sizeof(reg)));

	sqe = sqe_rw(r, IORING_OP_READ, 0, buf, sizeof(buf), 0, UD_READ);
	ASSERT_NE(NULL, sqe);
	sqe->flags |= IOSQE_FIXED_FILE;
	ASSERT_EQ(1, ring_submit_mode(r, 1));

	for (i = 0; i < NR_REPLACE; i++) {
		tag = TAG_NEW + i;
		memset(&up, 0, sizeof(up));
		up.offset = 1;
		up.data = (__u64)(uintptr_t)&fd_new;
		up.tags = (__u64)(uintptr_t)&tag;
		up.nr = 1;
		ASSERT_EQ(1, io_uring_register(r->fd, IORING_REGISTER_FILES_UPDATE2,
					       &up, sizeof(up)));
	}
	EXPECT_NO_CQE(r);

	close(self->pfd[1]);
	self->pfd[1] = -1;
	EXPECT_CQE(r, UD_READ, 0, 0);
	for (i = 0; i < NR_REPLACE; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS)) {
			TH_LOG("tag CQE %d missing", i);
		}
		ASSERT_EQ((__u64)(i ? TAG_NEW + i - 1 : 2), cqe.user_data);
		ASSERT_EQ(0, cqe.res);
		ASSERT_EQ(0U, cqe.flags);
	}
	EXPECT_NO_CQE(r);
	close(fd_new);
}

/* ---- 9. A disarmed linked timeout with CQE_SKIP_SUCCESS posts nothing ---- */

TEST_F(modes, linked_timeout_skip_success)
{
	struct __kernel_timespec ts = ms_ts(1000);
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;

	ASSERT_EQ(0, ring_init_mode(r, 8, variant->setup_flags));
	sqe = ring_nop(r, UD_NOP);
	ASSERT_NE(NULL, sqe);
	sqe->flags |= IOSQE_IO_LINK;
	sqe = sqe_timeout(r, IORING_OP_LINK_TIMEOUT, &ts, 0, 0, UD_TMO);
	ASSERT_NE(NULL, sqe);
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	ASSERT_EQ(2, ring_submit_mode(r, 2));

	EXPECT_CQE(r, UD_NOP, 0, 0);
	/* its -ECANCELED is no failure: no CQE */
	EXPECT_NO_CQE(r);
}

/* ---- 5. MSG_RING reaches every kind of ring ---- */

#define IOPOLL_DEFER	(IORING_SETUP_SINGLE_ISSUER | \
			 IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_IOPOLL)

/*
 * Reap up to @n CQEs into @set the way an IOPOLL ring's user does: enter
 * with GETEVENTS and min_complete 1, which never sleeps on such a ring,
 * until all came or @ms passed. Returns how many came.
 */
static unsigned int iopoll_reap(struct test_ring *r, struct io_uring_cqe *set,
				unsigned int n, unsigned int ms)
{
	struct io_uring_cqe *cqe;
	struct timespec start;
	unsigned int got = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	arm_alarm(ms + 1000);
	while (got < n && !alarm_fired) {
		int ret = io_uring_enter(r->fd, 0, 1, IORING_ENTER_GETEVENTS,
					 NULL, 0);

		while (got < n && (cqe = ring_peek_cqe(r))) {
			set[got++] = *cqe;
			ring_cqe_seen(r);
		}
		if ((ret < 0 && ret != -EINTR) ||
		    ring_mode_ms_since(&start) >= ms)
			break;
		if (got < n)
			usleep(1000);
	}
	arm_alarm(0);
	return got;
}

TEST(msg_ring_to_defer_iopoll_ring)
{
	struct test_ring src, dst;
	struct io_uring_cqe set[2];

	REQUIRE_OP(IORING_OP_MSG_RING);
	ASSERT_EQ(0, ring_init_flags(&dst, 8, IOPOLL_DEFER));
	ASSERT_EQ(0, ring_init_flags(&src, 8, 0));

	ASSERT_NE(NULL, sqe_msg_data(&src, dst.fd, 0x55, UD_MSG, UD_MSG_SRC));
	ASSERT_EQ(1, ring_submit(&src, 1, 0, 0));
	EXPECT_CQE(&src, UD_MSG_SRC, 0, 0);

	ASSERT_EQ(1U, iopoll_reap(&dst, set, 1, WAIT_MS));
	EXPECT_EQ(UD_MSG, set[0].user_data);
	EXPECT_EQ(0x55, set[0].res);
	EXPECT_EQ(0U, set[0].flags);
	EXPECT_EQ(0U, iopoll_reap(&dst, set, 1, SHORT_MS));

	ring_exit(&src);
	ring_exit(&dst);
}

TEST(msg_ring_self_defer_iopoll_ring)
{
	struct io_uring_cqe set[3];
	struct test_ring r;

	REQUIRE_OP(IORING_OP_MSG_RING);
	ASSERT_EQ(0, ring_init_flags(&r, 8, IOPOLL_DEFER));

	ASSERT_NE(NULL, sqe_msg_data(&r, r.fd, 0x55, UD_MSG, UD_MSG_SRC));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	ASSERT_EQ(2U, iopoll_reap(&r, set, 2, WAIT_MS));
	EXPECT_IN_SET(set, 2, UD_MSG_SRC, 0, 0);
	EXPECT_IN_SET(set, 2, UD_MSG, 0x55, 0);
	EXPECT_EQ(0U, iopoll_reap(&r, set, 1, SHORT_MS));

	ring_exit(&r);
}

/* ---- 10. SQ_WAIT and POLLOUT look at the head the application sees ---- */

#define SQ_READ_LEN	(256U << 10)

struct sq_waker {
	int fd;
	unsigned int ms;
	int ret;
};

static void *sq_waker_fn(void *data)
{
	struct sq_waker *w = data;

	usleep(w->ms * 1000);
	w->ret = io_uring_enter(w->fd, 0, 0, IORING_ENTER_SQ_WAKEUP, NULL, 0);
	return NULL;
}

static short ring_revents(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	return poll(&pfd, 1, 0) == 1 ? pfd.revents : 0;
}

TEST(sqpoll_sq_wait_head)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_SQPOLL,
		.sq_thread_idle = 10,
	};
	struct io_uring_cqe set[2];
	struct sq_waker w = { .ms = 100 };
	struct test_ring r;
	struct timespec start;
	pthread_t th;
	char *buf;
	int fd, ret;

	ASSERT_EQ(0, ring_init(&r, 2, &p));
	ASSERT_EQ(2U, r.p.sq_entries);
	fd = scratch_file();
	ASSERT_LE(0, fd);
	buf = calloc(1, SQ_READ_LEN);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ((ssize_t)SQ_READ_LEN, pwrite(fd, buf, SQ_READ_LEN, 0));

	/* let the SQ thread go to sleep, so that the SQ stays full */
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!(load_acquire(r.sq_flags) & IORING_SQ_NEED_WAKEUP)) {
		ASSERT_GT(WAIT_MS, ring_mode_ms_since(&start));
		usleep(1000);
	}
	usleep(30 * 1000);

	/* a READ of cached pages takes a while, so the head moves late */
	ASSERT_NE(NULL, sqe_rw(&r, IORING_OP_READ, fd, buf, SQ_READ_LEN, 0,
			       UD_READ));
	ASSERT_NE(NULL, ring_nop(&r, UD_NOP));
	ring_flush(&r);
	usleep(20 * 1000);
	ASSERT_EQ(2U, *r.sq_tail - load_acquire(r.sq_head));
	EXPECT_EQ(0, ring_revents(r.fd) & POLLOUT);

	w.fd = r.fd;
	ASSERT_EQ(0, pthread_create(&th, NULL, sq_waker_fn, &w));
	clock_gettime(CLOCK_MONOTONIC, &start);
	ASSERT_EQ(0, arm_alarm(HANG_MS));
	ret = io_uring_enter(r.fd, 0, 0, IORING_ENTER_SQ_WAIT, NULL, 0);
	arm_alarm(0);
	ASSERT_EQ(0, join_ms(th, WAIT_MS));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(0, ret);
	EXPECT_EQ(0, alarm_fired);
	/* it returned because the head the application sees has moved */
	EXPECT_GT(2U, *r.sq_tail - load_acquire(r.sq_head));
	EXPECT_LE(80, ring_mode_ms_since(&start));
	EXPECT_EQ(POLLOUT, ring_revents(r.fd) & POLLOUT);

	pop_cqes(_metadata, &r, set, 2);
	EXPECT_IN_SET(set, 2, UD_READ, (int)SQ_READ_LEN, 0);
	EXPECT_IN_SET(set, 2, UD_NOP, 0, 0);

	free(buf);
	close(fd);
	ring_exit(&r);
}

TEST_HARNESS_MAIN
