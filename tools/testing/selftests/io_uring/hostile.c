// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile userspace: sequences an unprivileged program can send that must
 * neither hang, crash nor leak the kernel, with the results Linux 6.12 gives.
 *
 * - A ring that polls its own fd, two rings that poll each other, a ring
 *   polling an epoll set that holds the ring, an eventfd polled by the ring
 *   it is registered with: each ends promptly. 6.12 wakes a ring's pollers
 *   with EPOLL_URING_WAKE and turns a multishot poll woken that way into a
 *   one-shot one, so such a loop posts a bounded number of CQEs. An event
 *   loop on epoll with the ring fd gets exactly one event per completion
 *   (on DEFER_TASKRUN, the wakeup for queued task work is checked on 6.12
 *   kernels only: later stock kernels such as 6.18 do not give it).
 * - Polled (IOPOLL) reads linked to a NOP whose submitter exits before
 *   anyone reaps (needs /dev/nullb0 with a poll queue, else SKIP).
 * - A FIFO open blocked in a worker followed by a drained NOP, then the
 *   ring is closed or its submitter exits.
 * - Hard-linked chains whose IOSQE_ASYNC successor is released by the
 *   cancel at exit or exec: the process exits promptly, nothing leaks, and
 *   after exec the new image's async requests run in the new image.
 * - Multishot TIMEOUT and POLL on a full CQ end with one overflowed CQE.
 * - SQPOLL rings closed while the SQ thread submits.
 * - READ_FIXED/WRITE_FIXED on files that only have ->read/->write.
 * - A multishot timeout updated and removed while it fires.
 * - SCM_RIGHTS of a ring fd, MSG_RING to a ring being closed, and fixed
 *   file slots replaced while requests use them.
 *
 * Every wait is bounded; children that do not exit in time are killed and
 * the test fails instead of hanging.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "uring_test.h"

#define WAIT_MS		5000	/* bound for anything that must happen */
#define LONG_MS		15000	/* bound for a child's exit, ring teardown */
#define PENDING_MS	50	/* time given to something that must not happen */
#define QUIET_MS	30	/* time a finished request is watched for stray CQEs */
#define RACE_MS		2000	/* wall-clock cap of a race loop */
#define LOG_MAX		256

/* user_data tags */
#define UD_POLL		0x5e1f000000000001ULL
#define UD_NOP		0x5e1f000000000002ULL
#define UD_NOP2		0x5e1f000000000003ULL
#define UD_POLL_B	0x5e1f000000000004ULL
#define UD_READ		0x5e1f000000000005ULL
#define UD_OPEN		0x5e1f000000000006ULL
#define UD_DRAIN	0x5e1f000000000007ULL
#define UD_MSHOT	0x5e1f000000000008ULL
#define UD_TIMEOUT	0x5e1f000000000009ULL
#define UD_UPDATE	0x5e1f00000000a000ULL
#define UD_REMOVE	0x5e1f00000000b000ULL
#define UD_MSG		0x5e1f00000000c000ULL
#define UD_SEND		0x5e1f00000000000aULL
#define UD_RW		0x5e1f00000000d000ULL

/* child exit codes */
#define CHILD_OK	42
#define CHILD_ESETUP	10
#define CHILD_ESQE	11
#define CHILD_ESUBMIT	12
#define CHILD_ECQE	13
#define CHILD_EEXEC	14
#define CHILD_EDATA	15
#define CHILD_ETIME	16

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void spin(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		__asm__ __volatile__("" ::: "memory");
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

/*
 * Reap @pid within @ms without ever blocking for good: on timeout the child
 * is killed, and reaped if it dies within another @ms (an unkillable child
 * is left behind rather than hanging the test). 0 or -ETIMEDOUT.
 */
static int wait_child(pid_t pid, unsigned int ms, int *status)
{
	long long end = now_ms() + ms;
	pid_t ret;

	for (;;) {
		ret = waitpid(pid, status, WNOHANG);
		if (ret == pid)
			return 0;
		if (ret < 0)
			return -errno;
		if (now_ms() >= end)
			break;
		sleep_ms(5);
	}
	kill(pid, SIGKILL);
	end = now_ms() + ms;
	while (waitpid(pid, status, WNOHANG) == 0 && now_ms() < end)
		sleep_ms(5);
	return -ETIMEDOUT;
}

/* The child exited by itself with @code, in time. */
#define EXPECT_CHILD(pid, ms, code) do {					\
	int __st = 0, __r = wait_child(pid, ms, &__st);				\
	EXPECT_EQ(0, __r) {							\
		TH_LOG("child %d did not exit within %u ms", (int)(pid), ms);	\
	}									\
	if (!__r) {								\
		EXPECT_TRUE(WIFEXITED(__st));					\
		if (WIFEXITED(__st)) {						\
			EXPECT_EQ(code, WEXITSTATUS(__st));			\
		}								\
	}									\
} while (0)

/*
 * Wait up to @ms for the pipe write end @wfd to report POLLERR: the last
 * reference to its read end is gone. Requests hold references to their
 * files, so this shows that requests on the read end were freed.
 */
static bool wait_no_readers(int wfd, unsigned int ms)
{
	long long end = now_ms() + ms;
	struct pollfd pfd;

	for (;;) {
		pfd.fd = wfd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR))
			return true;
		if (now_ms() >= end)
			return false;
		sleep_ms(5);
	}
}

/* io_uring_enter(GETEVENTS) that waits at most @ms. */
static int enter_wait(struct test_ring *r, unsigned int submit, unsigned int min,
		      unsigned int ms)
{
	struct __kernel_timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * 1000000L,
	};
	struct io_uring_getevents_arg arg = { .ts = (__u64)(uintptr_t)&ts };

	ring_flush(r);
	return io_uring_enter(r->fd, submit, min,
			      IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof(arg));
}

/* ---- a log of CQEs as they were reaped ---- */

struct cqe_log {
	struct io_uring_cqe c[LOG_MAX];
	unsigned int n;		/* kept */
	unsigned int total;	/* reaped */
};

static void log_ready(struct test_ring *r, struct cqe_log *l)
{
	struct io_uring_cqe *c;

	while ((c = ring_peek_cqe(r))) {
		if (l->n < LOG_MAX)
			l->c[l->n++] = *c;
		l->total++;
		ring_cqe_seen(r);
	}
}

static unsigned int log_count(const struct cqe_log *l, __u64 ud)
{
	unsigned int i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->c[i].user_data == ud;
	return n;
}

static const struct io_uring_cqe *log_find(const struct cqe_log *l, __u64 ud)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (l->c[i].user_data == ud)
			return &l->c[i];
	return NULL;
}

/* The last CQE for @ud has no IORING_CQE_F_MORE. */
static bool log_ended(const struct cqe_log *l, __u64 ud)
{
	unsigned int i = l->n;

	while (i--)
		if (l->c[i].user_data == ud)
			return !(l->c[i].flags & IORING_CQE_F_MORE);
	return false;
}

/*
 * Reap the CQEs of @r (and @r2, if given) into @l (@l2) until @ud (@ud2 on
 * @r2) has posted its last CQE or @ms passed. Waits in short steps, so
 * that deferred task work of every ring gets run.
 */
static bool reap_until_end2(struct test_ring *r, struct cqe_log *l, __u64 ud,
			    struct test_ring *r2, struct cqe_log *l2, __u64 ud2,
			    unsigned int ms)
{
	long long end = now_ms() + ms;

	for (;;) {
		log_ready(r, l);
		if (r2)
			log_ready(r2, l2);
		if (log_ended(l, ud) && (!r2 || log_ended(l2, ud2)))
			return true;
		if (now_ms() >= end)
			return false;
		if (l->total > 100000 || (r2 && l2->total > 100000))
			return false;	/* a flood: the caller's count check says so */
		enter_wait(r, 0, 1, 5);
		if (r2)
			enter_wait(r2, 0, 1, 5);
	}
}

static bool reap_until_end(struct test_ring *r, struct cqe_log *l, __u64 ud, unsigned int ms)
{
	return reap_until_end2(r, l, ud, NULL, NULL, 0, ms);
}

/* Reap whatever arrives within @ms, running deferred task work. */
static void reap_for(struct test_ring *r, struct cqe_log *l, unsigned int ms)
{
	long long end = now_ms() + ms;

	do {
		log_ready(r, l);
		enter_wait(r, 0, 1, 5);
	} while (now_ms() < end);
	log_ready(r, l);
}

/*
 * Check the CQEs of a multishot request @ud in @l: between @min and @max
 * of them, each with result @res; all but the last carry IORING_CQE_F_MORE.
 */
static void check_mshot(struct __test_metadata *_metadata, const struct cqe_log *l,
			__u64 ud, int res, unsigned int min, unsigned int max)
{
	unsigned int i, n = log_count(l, ud), seen = 0;

	EXPECT_TRUE(n >= min && n <= max) {
		TH_LOG("multishot 0x%llx posted %u CQEs (expected %u..%u)",
		       (unsigned long long)ud, n, min, max);
	}
	for (i = 0; i < l->n; i++) {
		if (l->c[i].user_data != ud)
			continue;
		seen++;
		EXPECT_EQ(res, l->c[i].res);
		/* all but the last go on */
		EXPECT_EQ(seen < n ? (__u32)IORING_CQE_F_MORE : 0U,
			  l->c[i].flags);
	}
}

/* ---- SQE builders ---- */

static struct io_uring_sqe *queue_poll(struct test_ring *r, int fd, unsigned int events,
				       bool multi, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_POLL_ADD;
		sqe->fd = fd;
		sqe->poll32_events = events;
		sqe->len = multi ? IORING_POLL_ADD_MULTI : 0;
		sqe->user_data = ud;
	}
	return sqe;
}

static struct io_uring_sqe *queue_read(struct test_ring *r, int fd, void *buf,
				       unsigned int len, __u64 off, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_READ;
		sqe->fd = fd;
		sqe->addr = (__u64)(uintptr_t)buf;
		sqe->len = len;
		sqe->off = off;
		sqe->user_data = ud;
	}
	return sqe;
}

static struct io_uring_sqe *queue_timeout(struct test_ring *r, struct __kernel_timespec *ts,
					  unsigned int count, unsigned int flags, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_TIMEOUT;
		sqe->fd = -1;
		sqe->addr = (__u64)(uintptr_t)ts;
		sqe->len = 1;
		sqe->off = count;
		sqe->timeout_flags = flags;
		sqe->user_data = ud;
	}
	return sqe;
}

static struct io_uring_sqe *queue_timeout_remove(struct test_ring *r, __u64 target,
						 struct __kernel_timespec *ts, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_TIMEOUT_REMOVE;
		sqe->fd = -1;
		sqe->addr = target;
		if (ts) {
			sqe->addr2 = (__u64)(uintptr_t)ts;
			sqe->timeout_flags = IORING_TIMEOUT_UPDATE;
		}
		sqe->user_data = ud;
	}
	return sqe;
}

static struct io_uring_sqe *queue_msg(struct test_ring *r, int fd, __u32 len, __u64 data,
				      __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_MSG_RING;
		sqe->fd = fd;
		sqe->addr = IORING_MSG_DATA;
		sqe->len = len;
		sqe->off = data;
		sqe->user_data = ud;
	}
	return sqe;
}

/* ======================================================================== */
/* A ring that polls itself, directly or through other files */

/*
 * One io_uring_enter() submits POLL_ADD(the ring's own fd, POLLIN) and a
 * NOP and waits for 2 CQEs: the NOP's (0), then the poll's (POLLIN): the
 * NOP's CQE makes the ring readable.
 */
static void poll_own_fd_oneshot(struct __test_metadata *_metadata, unsigned int flags)
{
	struct test_ring r;
	struct cqe_log l;
	int ret;

	memset(&l, 0, sizeof(l));
	ASSERT_EQ(0, ring_init_flags(&r, 4, flags));
	ASSERT_NE(NULL, queue_poll(&r, r.fd, POLLIN, false, UD_POLL));
	ASSERT_NE(NULL, ring_nop(&r, UD_NOP));
	/* the alarm only interrupts a wait that never ends */
	ASSERT_EQ(0, arm_alarm(2 * WAIT_MS));
	ret = enter_wait(&r, 2, 2, WAIT_MS);
	EXPECT_EQ(0, alarm_fired);
	ASSERT_EQ(0, arm_alarm(0));
	EXPECT_EQ(2, ret);
	EXPECT_EQ(2U, ring_cq_ready(&r));
	log_ready(&r, &l);
	ASSERT_EQ(2U, l.n);
	EXPECT_EQ(UD_NOP, l.c[0].user_data);
	EXPECT_EQ(0, l.c[0].res);
	EXPECT_EQ(0U, l.c[0].flags);
	EXPECT_EQ(UD_POLL, l.c[1].user_data);
	EXPECT_EQ(POLLIN, l.c[1].res);
	EXPECT_EQ(0U, l.c[1].flags);

	/* nothing else follows, and the ring keeps working */
	reap_for(&r, &l, QUIET_MS);
	EXPECT_EQ(2U, l.total);
	ASSERT_NE(NULL, ring_nop(&r, UD_NOP2));
	EXPECT_EQ(1, enter_wait(&r, 1, 1, WAIT_MS));
	log_ready(&r, &l);
	ASSERT_EQ(3U, l.n);
	EXPECT_EQ(UD_NOP2, l.c[2].user_data);
	EXPECT_EQ(0, l.c[2].res);
	ring_exit(&r);
}

TEST(poll_own_fd_defer_taskrun)
{
	poll_own_fd_oneshot(_metadata, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);
}

TEST(poll_own_fd_plain)
{
	poll_own_fd_oneshot(_metadata, 0);
}

/*
 * A multishot POLL_ADD on the ring's own fd, then a NOP. A poll woken by
 * its own ring's CQE post ends (6.12: EPOLL_URING_WAKE turns it one-shot),
 * so its last CQE has no F_MORE and later CQEs do not wake it again.
 * On a plain ring the NOP's CQE is the first wakeup: exactly one poll CQE.
 * On DEFER_TASKRUN, first polling the ring schedules its poll activation,
 * whose wakeup (not a CQE post) may give a CQE with F_MORE first (6.12: 2
 * poll CQEs in all); bounded.
 */
static void poll_own_fd_multishot(struct __test_metadata *_metadata, unsigned int flags)
{
	unsigned int nmax = (flags & IORING_SETUP_DEFER_TASKRUN) ? 4 : 1;
	struct test_ring r;
	struct cqe_log l;
	int ret;

	memset(&l, 0, sizeof(l));
	ASSERT_EQ(0, ring_init_flags(&r, 4, flags));
	ASSERT_NE(NULL, queue_poll(&r, r.fd, POLLIN, true, UD_POLL));
	ASSERT_NE(NULL, ring_nop(&r, UD_NOP));
	ASSERT_EQ(0, arm_alarm(2 * WAIT_MS));
	ret = enter_wait(&r, 2, 2, WAIT_MS);
	EXPECT_EQ(0, alarm_fired);
	ASSERT_EQ(0, arm_alarm(0));
	EXPECT_EQ(2, ret);
	EXPECT_TRUE(reap_until_end(&r, &l, UD_POLL, WAIT_MS));
	ASSERT_LE(2U, l.n);
	EXPECT_EQ(UD_NOP, l.c[0].user_data);
	EXPECT_EQ(0, l.c[0].res);
	EXPECT_EQ(0U, l.c[0].flags);
	EXPECT_EQ(1U, log_count(&l, UD_NOP));
	check_mshot(_metadata, &l, UD_POLL, POLLIN, 1, nmax);

	/* the poll is gone: a NOP now posts only its own CQE */
	reap_for(&r, &l, QUIET_MS);
	ASSERT_NE(NULL, ring_nop(&r, UD_NOP2));
	EXPECT_EQ(1, enter_wait(&r, 1, 1, WAIT_MS));
	reap_for(&r, &l, QUIET_MS);
	EXPECT_EQ(1U, log_count(&l, UD_NOP2));
	check_mshot(_metadata, &l, UD_POLL, POLLIN, 1, nmax);
	EXPECT_GE(6U, l.total);
	ring_exit(&r);
}

TEST(poll_own_fd_multishot_plain)
{
	poll_own_fd_multishot(_metadata, 0);
}

TEST(poll_own_fd_multishot_defer_taskrun)
{
	poll_own_fd_multishot(_metadata, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);
}

/*
 * Rings A and B each have a multishot POLL_ADD on the other's fd; a NOP on
 * A starts it. A's CQE wakes B's poll, whose CQE wakes A's poll: both are
 * woken by a ring's CQE post, so both end, and the ping-pong stops.
 */
static void rings_poll_each_other(struct __test_metadata *_metadata, unsigned int flags)
{
	/* plain rings: each poll is woken once, by a CQE post, and ends */
	unsigned int nmax = (flags & IORING_SETUP_DEFER_TASKRUN) ? 4 : 1;
	struct test_ring a, b;
	struct cqe_log la, lb;

	memset(&la, 0, sizeof(la));
	memset(&lb, 0, sizeof(lb));
	ASSERT_EQ(0, ring_init_flags(&a, 4, flags));
	ASSERT_EQ(0, ring_init_flags(&b, 4, flags));
	ASSERT_NE(NULL, queue_poll(&a, b.fd, POLLIN, true, UD_POLL));
	ASSERT_EQ(1, ring_submit(&a, 1, 0, 0));
	ASSERT_NE(NULL, queue_poll(&b, a.fd, POLLIN, true, UD_POLL_B));
	ASSERT_EQ(1, ring_submit(&b, 1, 0, 0));
	/*
	 * Both armed. Plain rings post nothing yet. A DEFER_TASKRUN ring
	 * also reads as ready while it has task work pending (6.12), and
	 * arming these polls queues some: there the polls may already end
	 * here, each by a ring wakeup.
	 */
	reap_for(&a, &la, QUIET_MS);
	reap_for(&b, &lb, QUIET_MS);
	if (!(flags & IORING_SETUP_DEFER_TASKRUN)) {
		EXPECT_EQ(0U, la.total);
		EXPECT_EQ(0U, lb.total);
	}

	ASSERT_NE(NULL, ring_nop(&a, UD_NOP));
	ASSERT_EQ(1, ring_submit(&a, 1, 0, 0));
	EXPECT_TRUE(reap_until_end2(&a, &la, UD_POLL, &b, &lb, UD_POLL_B, WAIT_MS));
	reap_for(&a, &la, QUIET_MS);
	reap_for(&b, &lb, QUIET_MS);
	EXPECT_EQ(1U, log_count(&la, UD_NOP));
	check_mshot(_metadata, &la, UD_POLL, POLLIN, 1, nmax);
	check_mshot(_metadata, &lb, UD_POLL_B, POLLIN, 1, nmax);
	EXPECT_GE(5U, la.total);
	EXPECT_GE(4U, lb.total);

	/* quiet now: more CQEs on A do not restart anything */
	ASSERT_NE(NULL, ring_nop(&a, UD_NOP2));
	ASSERT_EQ(1, ring_submit(&a, 1, 0, 0));
	reap_for(&a, &la, QUIET_MS);
	reap_for(&b, &lb, QUIET_MS);
	EXPECT_EQ(1U, log_count(&la, UD_NOP2));
	check_mshot(_metadata, &la, UD_POLL, POLLIN, 1, nmax);
	check_mshot(_metadata, &lb, UD_POLL_B, POLLIN, 1, nmax);
	ring_exit(&a);
	ring_exit(&b);
}

TEST(rings_poll_each_other_plain)
{
	rings_poll_each_other(_metadata, 0);
}

TEST(rings_poll_each_other_defer_taskrun)
{
	rings_poll_each_other(_metadata, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);
}

/*
 * The ring's fd is in an epoll set, and the ring has a multishot POLL_ADD
 * on that epoll fd. A NOP's CQE reaches the poll through epoll, still
 * marked as a ring wakeup: the poll ends. epoll itself keeps working.
 */
static void epoll_of_ring_polled_by_ring(struct __test_metadata *_metadata, unsigned int flags)
{
	unsigned int nmax = (flags & IORING_SETUP_DEFER_TASKRUN) ? 4 : 1;
	struct epoll_event ev, out[4];
	struct test_ring r;
	struct cqe_log l;
	int ep, n;

	memset(&l, 0, sizeof(l));
	ASSERT_EQ(0, ring_init_flags(&r, 4, flags));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = 77;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, r.fd, &ev));
	ASSERT_NE(NULL, queue_poll(&r, ep, POLLIN, true, UD_POLL));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	reap_for(&r, &l, QUIET_MS);
	EXPECT_EQ(0U, l.total);

	ASSERT_NE(NULL, ring_nop(&r, UD_NOP));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	EXPECT_TRUE(reap_until_end(&r, &l, UD_POLL, WAIT_MS));
	reap_for(&r, &l, QUIET_MS);
	EXPECT_EQ(1U, log_count(&l, UD_NOP));
	EXPECT_EQ(0, log_find(&l, UD_NOP) ? log_find(&l, UD_NOP)->res : -1);
	check_mshot(_metadata, &l, UD_POLL, POLLIN, 1, nmax);
	EXPECT_GE(5U, l.total);

	/* all reaped: the ring is not readable; a new CQE makes it so */
	do {
		n = epoll_wait(ep, out, 4, 0);
	} while (n < 0 && errno == EINTR);
	EXPECT_EQ(0, n);
	ASSERT_NE(NULL, ring_nop(&r, UD_NOP2));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	do {
		n = epoll_wait(ep, out, 4, WAIT_MS);
	} while (n < 0 && errno == EINTR);
	ASSERT_EQ(1, n);
	EXPECT_EQ(77U, out[0].data.u64);
	EXPECT_TRUE(!!(out[0].events & EPOLLIN));
	reap_for(&r, &l, QUIET_MS);
	EXPECT_EQ(1U, log_count(&l, UD_NOP2));
	check_mshot(_metadata, &l, UD_POLL, POLLIN, 1, nmax);
	close(ep);
	ring_exit(&r);
}

TEST(epoll_of_ring_polled_by_ring_plain)
{
	epoll_of_ring_polled_by_ring(_metadata, 0);
}

TEST(epoll_of_ring_polled_by_ring_defer_taskrun)
{
	epoll_of_ring_polled_by_ring(_metadata,
				     IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);
}

/* Whether this is a 6.12 kernel (the reference, and ours). */
static bool kernel_is_612(void)
{
	struct utsname u;

	return !uname(&u) && !strncmp(u.release, "6.12.", 5);
}

/*
 * An event loop on epoll that holds the ring fd: a READ of a pipe is
 * submitted; the ring is ready (one event) once it completes, and not
 * ready again once the CQE is reaped. Even rounds: the data is there
 * before the READ (completes at submit). Odd rounds: it comes later (the
 * completion is task work; on DEFER_TASKRUN, 6.12 wakes the ring's pollers
 * when such work is queued, since it reports pending work as EPOLLIN).
 */
static void epoll_event_loop(struct __test_metadata *_metadata, unsigned int flags)
{
	bool strict = !(flags & IORING_SETUP_DEFER_TASKRUN) || kernel_is_612();
	struct epoll_event ev, out[4];
	struct io_uring_cqe cqe;
	struct test_ring r;
	char buf[8];
	int ep, p[2], n, i;

	ASSERT_EQ(0, ring_init_flags(&r, 4, flags));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = 5;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, r.fd, &ev));
	for (i = 0; i < 10; i++) {
		bool late = i & 1;

		memset(buf, 0, sizeof(buf));
		if (!late)
			ASSERT_EQ(3, write(p[1], "ev!", 3));
		ASSERT_NE(NULL, queue_read(&r, p[0], buf, sizeof(buf), 0, UD_READ + i));
		ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
		if (late) {
			do {
				n = epoll_wait(ep, out, 4, 0);
			} while (n < 0 && errno == EINTR);
			EXPECT_EQ(0, n);
			ASSERT_EQ(3, write(p[1], "ev!", 3));
		}
		do {
			n = epoll_wait(ep, out, 4, strict ? WAIT_MS : PENDING_MS);
		} while (n < 0 && errno == EINTR);
		if (strict || n) {
			ASSERT_EQ(1, n);
			EXPECT_EQ(5U, out[0].data.u64);
			EXPECT_TRUE(!!(out[0].events & EPOLLIN));
		} else {
			TH_LOG("round %d: not a 6.12 kernel, pending task work did not wake epoll",
			       i);
		}
		ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
		EXPECT_EQ(UD_READ + i, cqe.user_data);
		EXPECT_EQ(3, cqe.res);
		EXPECT_EQ(0U, cqe.flags);
		EXPECT_EQ(0, memcmp(buf, "ev!", 3));
		do {
			n = epoll_wait(ep, out, 4, 0);
		} while (n < 0 && errno == EINTR);
		EXPECT_EQ(0, n);
	}
	close(ep);
	close(p[0]);
	close(p[1]);
	ring_exit(&r);
}

TEST(epoll_event_loop_on_ring_fd_plain)
{
	epoll_event_loop(_metadata, 0);
}

TEST(epoll_event_loop_on_ring_fd_defer_taskrun)
{
	epoll_event_loop(_metadata, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);
}

/*
 * An eventfd registered with the ring is polled (multishot) by that ring:
 * each CQE signals the eventfd, which wakes the poll, whose CQE signals the
 * eventfd... 6.12 marks the eventfd signal as a ring wakeup: the poll ends.
 */
TEST(eventfd_polled_by_own_ring)
{
	struct test_ring r;
	struct cqe_log l;
	__u64 v;
	int efd;

	memset(&l, 0, sizeof(l));
	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, io_uring_register(r.fd, IORING_REGISTER_EVENTFD, &efd, 1));
	ASSERT_NE(NULL, queue_poll(&r, efd, POLLIN, true, UD_POLL));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	ASSERT_NE(NULL, ring_nop(&r, UD_NOP));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	EXPECT_TRUE(reap_until_end(&r, &l, UD_POLL, WAIT_MS));
	reap_for(&r, &l, QUIET_MS);
	EXPECT_EQ(1U, log_count(&l, UD_NOP));
	check_mshot(_metadata, &l, UD_POLL, POLLIN, 1, 1);
	EXPECT_EQ(2U, l.total);
	/* the eventfd counted at least the NOP's CQE */
	EXPECT_EQ(8, read(efd, &v, sizeof(v)));
	EXPECT_LE(1ULL, v);
	ring_exit(&r);
	close(efd);
}

/* ======================================================================== */
/* Item 1: polled I/O whose submitter exits before the CQEs are reaped */

#define NULLB		"/dev/nullb0"
#define NULLB_POLL	"/sys/block/nullb0/queue/io_poll"
#define NULLB_INFLIGHT	"/sys/block/nullb0/inflight"
#define BS		4096

static const char *nullb_problem(void)
{
	char c = 0;
	int f;

	if (access(NULLB, F_OK))
		return "no " NULLB " (null_blk with queue_mode=2 poll_queues=1 memory_backed=1)";
	f = open(NULLB_POLL, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return "no " NULLB_POLL;
	if (read(f, &c, 1) != 1)
		c = 0;
	close(f);
	if (c != '1')
		return NULLB " has no poll queue";
	return NULL;
}

static int nullb_inflight(void)
{
	unsigned int rd, wr;
	char buf[64];
	ssize_t n;
	int f = open(NULLB_INFLIGHT, O_RDONLY | O_CLOEXEC);

	if (f < 0)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%u %u", &rd, &wr) != 2)
		return -1;
	return (int)(rd + wr);
}

static int wait_nullb_idle(unsigned int ms)
{
	long long end = now_ms() + ms;
	int n;

	while ((n = nullb_inflight()) > 0 && now_ms() < end)
		sleep_ms(5);
	return n;
}

/* Enter with GETEVENTS until @n CQEs are ready or @ms passed (IOPOLL reaps). */
static unsigned int iopoll_reap(struct test_ring *r, unsigned int n, unsigned int ms)
{
	long long end = now_ms() + ms;
	unsigned int ready;

	while ((ready = ring_cq_ready(r)) < n && now_ms() < end) {
		if (r->p.flags & IORING_SETUP_SQPOLL)
			enter_wait(r, 0, n - ready, 10);
		else
			io_uring_enter(r->fd, 0, n - ready, IORING_ENTER_GETEVENTS, NULL, 0);
	}
	return ring_cq_ready(r);
}

struct iop_job {
	struct test_ring *r;
	unsigned int setup_flags;	/* ring made by the thread if non-zero */
	int fd;
	void *buf;
	int ret;
};

/* Queue a polled READ of block 3, hard-linked to a NOP, and publish them. */
static int iop_queue_link(struct test_ring *r, int fd, void *buf)
{
	struct io_uring_sqe *sqe;
	unsigned int flags = 0;

	sqe = queue_read(r, fd, buf, BS, 3 * BS, UD_READ);
	if (!sqe)
		return -ENOSPC;
	sqe->flags = IOSQE_IO_HARDLINK;
	if (!ring_nop(r, UD_NOP))
		return -ENOSPC;
	if (!(r->p.flags & IORING_SETUP_SQPOLL))
		return ring_submit(r, 2, 0, 0);
	ring_flush(r);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (load_acquire(r->sq_flags) & IORING_SQ_NEED_WAKEUP)
		flags |= IORING_ENTER_SQ_WAKEUP;
	return io_uring_enter(r->fd, 2, 0, flags, NULL, 0);
}

static void *iop_submitter(void *arg)
{
	struct iop_job *j = arg;

	if (j->setup_flags) {
		struct io_uring_params p;

		memset(&p, 0, sizeof(p));
		p.flags = j->setup_flags;
		p.sq_thread_idle = 1000;
		j->ret = ring_init(j->r, 4, &p);
		if (j->ret)
			return NULL;
	}
	/* submit and exit without reaping */
	j->ret = iop_queue_link(j->r, j->fd, j->buf);
	return NULL;
}

static void fill_block(unsigned int *p, unsigned int seed)
{
	unsigned int i;

	for (i = 0; i < BS / sizeof(*p); i++)
		p[i] = seed * 2654435761U + i;
}

/*
 * A thread submits a polled READ hard-linked to a NOP and exits; the main
 * thread reaps later: READ (4096, data right) then the NOP. Without SQPOLL
 * the NOP's submitter is gone by the time it would be issued, and it fails
 * with -EFAULT, as in 6.12; the SQ thread is still there to issue it.
 */
static void iopoll_submitter_exits(struct __test_metadata *_metadata, unsigned int flags,
				   bool thread_makes_ring)
{
	struct iop_job job;
	struct test_ring r;
	struct cqe_log l;
	void *wbuf, *rbuf;
	const char *why;
	pthread_t th;
	int fd, ret;

	why = nullb_problem();
	if (why)
		SKIP(return, "%s", why);
	memset(&l, 0, sizeof(l));
	memset(&r, 0, sizeof(r));
	r.fd = -1;
	fd = open(NULLB, O_RDWR | O_DIRECT | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, posix_memalign(&wbuf, BS, BS));
	ASSERT_EQ(0, posix_memalign(&rbuf, BS, BS));
	fill_block(wbuf, 1919);
	memset(rbuf, 0, BS);
	/* plain write first: the polled read must not allocate in ->poll() */
	ASSERT_EQ(BS, pwrite(fd, wbuf, BS, 3 * BS));
	ASSERT_EQ(0, wait_nullb_idle(WAIT_MS));

	if (!thread_makes_ring) {
		struct io_uring_params p;

		memset(&p, 0, sizeof(p));
		p.flags = flags;
		p.sq_thread_idle = 1000;
		ret = ring_init(&r, 4, &p);
		if (ret == -EPERM)
			SKIP(return, "setup flags 0x%x not permitted", flags);
		ASSERT_EQ(0, ret);
	}
	memset(&job, 0, sizeof(job));
	job.r = &r;
	job.setup_flags = thread_makes_ring ? flags : 0;
	job.fd = fd;
	job.buf = rbuf;
	ASSERT_EQ(0, pthread_create(&th, NULL, iop_submitter, &job));
	ASSERT_EQ(0, pthread_join(th, NULL));
	if (job.ret == -EPERM)
		SKIP(return, "setup flags 0x%x not permitted", flags);
	ASSERT_EQ(2, job.ret);

	/* later, from another thread: both CQEs arrive, in link order */
	EXPECT_EQ(2U, iopoll_reap(&r, 2, WAIT_MS));
	log_ready(&r, &l);
	ASSERT_EQ(2U, l.n);
	EXPECT_EQ(UD_READ, l.c[0].user_data);
	EXPECT_EQ(BS, l.c[0].res);
	EXPECT_EQ(0U, l.c[0].flags);
	EXPECT_EQ(UD_NOP, l.c[1].user_data);
	EXPECT_EQ((flags & IORING_SETUP_SQPOLL) ? 0 : -EFAULT, l.c[1].res);
	EXPECT_EQ(0U, l.c[1].flags);
	EXPECT_EQ(0, memcmp(wbuf, rbuf, BS));

	/* the ring still works for this thread */
	memset(rbuf, 0, BS);
	ret = iop_queue_link(&r, fd, rbuf);
	EXPECT_EQ(2, ret);
	EXPECT_EQ(2U, iopoll_reap(&r, 2, WAIT_MS));
	log_ready(&r, &l);
	EXPECT_EQ(4U, l.total);
	EXPECT_EQ(0, memcmp(wbuf, rbuf, BS));
	ring_exit(&r);
	EXPECT_EQ(0, wait_nullb_idle(WAIT_MS));
	close(fd);
	free(wbuf);
	free(rbuf);
}

TEST(iopoll_link_submitter_thread_exits)
{
	iopoll_submitter_exits(_metadata, IORING_SETUP_IOPOLL, false);
}

TEST(iopoll_link_ring_owner_thread_exits)
{
	iopoll_submitter_exits(_metadata, IORING_SETUP_IOPOLL, true);
}

TEST(sqpoll_iopoll_link_submitter_thread_exits)
{
	iopoll_submitter_exits(_metadata, IORING_SETUP_IOPOLL | IORING_SETUP_SQPOLL, false);
}

TEST(sqpoll_iopoll_link_ring_owner_thread_exits)
{
	iopoll_submitter_exits(_metadata, IORING_SETUP_IOPOLL | IORING_SETUP_SQPOLL, true);
}

/* A process exits with a polled READ -> NOP link in flight (SQ thread too). */
static void iopoll_process_exits(struct __test_metadata *_metadata, unsigned int flags)
{
	const char *why;
	void *rbuf;
	pid_t pid;
	int fd;

	why = nullb_problem();
	if (why)
		SKIP(return, "%s", why);
	fd = open(NULLB, O_RDWR | O_DIRECT | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, posix_memalign(&rbuf, BS, BS));
	memset(rbuf, 0, BS);
	ASSERT_EQ(BS, pwrite(fd, rbuf, BS, 3 * BS));
	ASSERT_EQ(0, wait_nullb_idle(WAIT_MS));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct io_uring_params p;
		struct test_ring r;
		int ret;

		memset(&p, 0, sizeof(p));
		p.flags = flags;
		p.sq_thread_idle = 1000;
		ret = ring_init(&r, 4, &p);
		if (ret)
			_exit(ret == -EPERM ? CHILD_OK : CHILD_ESETUP);
		if (iop_queue_link(&r, fd, rbuf) != 2)
			_exit(CHILD_ESUBMIT);
		_exit(CHILD_OK);
	}
	EXPECT_CHILD(pid, LONG_MS, CHILD_OK);
	EXPECT_EQ(0, wait_nullb_idle(LONG_MS));
	close(fd);
	free(rbuf);
}

TEST(iopoll_link_process_exits)
{
	iopoll_process_exits(_metadata, IORING_SETUP_IOPOLL);
}

TEST(sqpoll_iopoll_link_process_exits)
{
	iopoll_process_exits(_metadata, IORING_SETUP_IOPOLL | IORING_SETUP_SQPOLL);
}

/* ======================================================================== */
/* Item 2: a FIFO open blocked in a worker, then a drained NOP */

struct fifo {
	char dir[64];
	char path[96];
};

static int fifo_make(struct fifo *f)
{
	snprintf(f->dir, sizeof(f->dir), "/tmp/hostile.XXXXXX");
	if (!mkdtemp(f->dir))
		return -errno;
	snprintf(f->path, sizeof(f->path), "%s/fifo", f->dir);
	if (mkfifo(f->path, 0600))
		return -errno;
	return 0;
}

static void fifo_remove(struct fifo *f)
{
	unlink(f->path);
	rmdir(f->dir);
}

/* OPENAT(fifo, O_WRONLY) with IOSQE_ASYNC, then NOP with IOSQE_IO_DRAIN. */
static int fifo_queue_open_drain(struct test_ring *r, const char *path)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (!sqe)
		return -ENOSPC;
	sqe->opcode = IORING_OP_OPENAT;
	sqe->fd = AT_FDCWD;
	sqe->addr = (__u64)(uintptr_t)path;
	sqe->open_flags = O_WRONLY | O_CLOEXEC;
	sqe->flags = IOSQE_ASYNC;
	sqe->user_data = UD_OPEN;
	sqe = ring_nop(r, UD_DRAIN);
	if (!sqe)
		return -ENOSPC;
	sqe->flags = IOSQE_IO_DRAIN;
	return ring_submit(r, 2, 0, 0);
}

/*
 * The sequence of item 2 on a ring with @flags. @reap: wait for both CQEs
 * (exact) before closing the ring; else close it with the completions
 * unreaped (on DEFER_TASKRUN, still queued as task work).
 */
static void fifo_drain_close(struct __test_metadata *_metadata, unsigned int flags, bool reap)
{
	struct io_uring_cqe cqe;
	struct test_ring r;
	struct cqe_log l;
	struct fifo f;
	int rfd;

	memset(&l, 0, sizeof(l));
	ASSERT_EQ(0, fifo_make(&f));
	ASSERT_EQ(0, ring_init_flags(&r, 4, flags));
	ASSERT_EQ(2, fifo_queue_open_drain(&r, f.path));
	EXPECT_EQ(2U, load_acquire(r.sq_head));
	/* the open waits for a reader; the NOP waits for the open */
	reap_for(&r, &l, PENDING_MS);
	EXPECT_EQ(0U, l.total);

	rfd = open(f.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, rfd);
	if (reap) {
		EXPECT_TRUE(reap_until_end(&r, &l, UD_DRAIN, WAIT_MS));
		ASSERT_EQ(2U, l.n);
		EXPECT_EQ(UD_OPEN, l.c[0].user_data);
		EXPECT_LE(0, l.c[0].res);
		EXPECT_EQ(0U, l.c[0].flags);
		EXPECT_EQ(UD_DRAIN, l.c[1].user_data);
		EXPECT_EQ(0, l.c[1].res);
		EXPECT_EQ(0U, l.c[1].flags);
		if (l.c[0].res >= 0) {
			EXPECT_EQ(FD_CLOEXEC, fcntl(l.c[0].res, F_GETFD));
			EXPECT_EQ(O_WRONLY, fcntl(l.c[0].res, F_GETFL) & O_ACCMODE);
			close(l.c[0].res);
		}
	} else {
		/* let the worker finish the open, then close without reaping */
		sleep_ms(20);
		if (flags & IORING_SETUP_DEFER_TASKRUN) {
			/* nothing is posted while the task does not wait */
			EXPECT_EQ(0U, ring_cq_ready(&r));
		}
	}
	ring_exit(&r);

	/* teardown runs while we go on: a new ring works */
	ASSERT_EQ(0, ring_init_flags(&r, 4, flags));
	ASSERT_NE(NULL, ring_nop(&r, UD_NOP2));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
	EXPECT_EQ(UD_NOP2, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	ring_exit(&r);
	sleep_ms(20);
	close(rfd);
	fifo_remove(&f);
}

TEST(fifo_open_drain_close_defer_taskrun)
{
	fifo_drain_close(_metadata, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, false);
}

TEST(fifo_open_drain_reap_close_defer_taskrun)
{
	fifo_drain_close(_metadata, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, true);
}

TEST(fifo_open_drain_close_plain)
{
	fifo_drain_close(_metadata, 0, false);
}

TEST(fifo_open_drain_reap_close_plain)
{
	fifo_drain_close(_metadata, 0, true);
}

struct fifo_job {
	struct test_ring *r;
	const char *path;
	unsigned int flags;
	int go[2];	/* main -> thread: exit now */
	int ret;
	int submitted;		/* atomic: thread -> main */
};

static void *fifo_submitter(void *arg)
{
	struct fifo_job *j = arg;
	struct pollfd pfd = { .fd = j->go[0], .events = POLLIN };

	j->ret = ring_init_flags(j->r, 4, j->flags);
	if (!j->ret)
		j->ret = fifo_queue_open_drain(j->r, j->path);
	__atomic_store_n(&j->submitted, 1, __ATOMIC_RELEASE);
	/* bounded: exits without reaping when told, or after WAIT_MS */
	poll(&pfd, 1, WAIT_MS);
	return NULL;
}

/*
 * The submitting thread (the ring's single issuer) exits after the reader
 * appeared, with the completions unreaped; then the ring is closed.
 */
static void fifo_drain_thread_exits(struct __test_metadata *_metadata, unsigned int flags)
{
	struct io_uring_cqe cqe;
	struct fifo_job job;
	struct test_ring r, r2;
	struct timespec ts;
	struct fifo f;
	long long end;
	pthread_t th;
	int rfd;

	ASSERT_EQ(0, fifo_make(&f));
	memset(&job, 0, sizeof(job));
	memset(&r, 0, sizeof(r));
	r.fd = -1;
	job.r = &r;
	job.path = f.path;
	job.flags = flags;
	ASSERT_EQ(0, pipe2(job.go, O_CLOEXEC));
	ASSERT_EQ(0, pthread_create(&th, NULL, fifo_submitter, &job));
	end = now_ms() + WAIT_MS;
	while (!__atomic_load_n(&job.submitted, __ATOMIC_ACQUIRE) && now_ms() < end)
		sleep_ms(1);
	sleep_ms(20);
	rfd = open(f.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	EXPECT_LE(0, rfd);
	sleep_ms(20);
	ASSERT_EQ(1, write(job.go[1], "x", 1));
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += LONG_MS / 1000;
	ASSERT_EQ(0, pthread_timedjoin_np(th, NULL, &ts));
	ASSERT_EQ(2, job.ret);

	/* the issuer is gone: close the ring */
	ring_exit(&r);
	ASSERT_EQ(0, ring_init_flags(&r2, 4, flags));
	ASSERT_NE(NULL, ring_nop(&r2, UD_NOP2));
	ASSERT_EQ(1, ring_submit(&r2, 1, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(&r2, &cqe, WAIT_MS));
	EXPECT_EQ(0, cqe.res);
	ring_exit(&r2);
	sleep_ms(20);
	if (rfd >= 0)
		close(rfd);
	close(job.go[0]);
	close(job.go[1]);
	fifo_remove(&f);
}

TEST(fifo_open_drain_thread_exits_defer_taskrun)
{
	fifo_drain_thread_exits(_metadata, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);
}

TEST(fifo_open_drain_thread_exits_plain)
{
	fifo_drain_thread_exits(_metadata, 0);
}

/*
 * The whole process exits: before the reader appears (the blocked open must
 * be cancelled) or after (the completions are still queued).
 */
static void fifo_drain_process_exits(struct __test_metadata *_metadata, unsigned int flags,
				     bool reader_first)
{
	struct fifo f;
	pid_t pid;
	int rfd;

	ASSERT_EQ(0, fifo_make(&f));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct test_ring r;

		if (ring_init_flags(&r, 4, flags))
			_exit(CHILD_ESETUP);
		if (fifo_queue_open_drain(&r, f.path) != 2)
			_exit(CHILD_ESUBMIT);
		sleep_ms(20);
		if (reader_first) {
			if (open(f.path, O_RDONLY | O_NONBLOCK) < 0)
				_exit(CHILD_ESETUP);
			sleep_ms(20);
		}
		_exit(CHILD_OK);
	}
	EXPECT_CHILD(pid, LONG_MS, CHILD_OK);
	/* if a worker still waits in the open, a reader lets it go */
	rfd = open(f.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	EXPECT_LE(0, rfd);
	sleep_ms(20);
	close(rfd);
	fifo_remove(&f);
}

TEST(fifo_open_drain_process_exits_defer_taskrun)
{
	fifo_drain_process_exits(_metadata, IORING_SETUP_SINGLE_ISSUER |
				 IORING_SETUP_DEFER_TASKRUN, true);
}

TEST(fifo_open_drain_process_exits_plain)
{
	fifo_drain_process_exits(_metadata, 0, true);
}

TEST(fifo_open_blocked_process_exits_defer_taskrun)
{
	fifo_drain_process_exits(_metadata, IORING_SETUP_SINGLE_ISSUER |
				 IORING_SETUP_DEFER_TASKRUN, false);
}

TEST(fifo_open_blocked_process_exits_plain)
{
	fifo_drain_process_exits(_metadata, 0, false);
}

/* ======================================================================== */
/* Item 3: a hard-linked IOSQE_ASYNC successor released by the exit/exec cancel */

#define EXEC_ENV	"HOSTILE_EXEC_CHILD"

/*
 * Run by the new image after exec (see exec_child_ctor): async requests of
 * the new image must run with its own memory and file table. Returns 0 or
 * a CHILD_E* code.
 */
static int exec_child_run(void)
{
	static char buf[32];
	struct io_uring_cqe cqe;
	struct io_uring_sqe *sqe;
	struct test_ring r;
	int p[2], i, fd = -1;

	if (pipe2(p, O_CLOEXEC))
		return CHILD_ESETUP;
	if (write(p[1], "new image data!", 15) != 15)
		return CHILD_ESETUP;
	if (ring_init_flags(&r, 4, 0))
		return CHILD_ESETUP;
	sqe = queue_read(&r, p[0], buf, 15, 0, UD_READ);
	if (!sqe)
		return CHILD_ESQE;
	sqe->flags = IOSQE_ASYNC;
	sqe = ring_get_sqe(&r);
	if (!sqe)
		return CHILD_ESQE;
	sqe->opcode = IORING_OP_OPENAT;
	sqe->fd = AT_FDCWD;
	sqe->addr = (__u64)(uintptr_t)"/dev/null";
	sqe->open_flags = O_RDONLY | O_CLOEXEC;
	sqe->flags = IOSQE_ASYNC;
	sqe->user_data = UD_OPEN;
	if (ring_submit(&r, 2, 0, 0) != 2)
		return CHILD_ESUBMIT;
	for (i = 0; i < 2; i++) {
		if (ring_pop_cqe(&r, &cqe, WAIT_MS))
			return CHILD_ETIME;
		if (cqe.user_data == UD_READ && cqe.res != 15)
			return CHILD_ECQE;
		if (cqe.user_data == UD_OPEN) {
			if (cqe.res < 0)
				return CHILD_ECQE;
			fd = cqe.res;
		}
	}
	/* the data landed in this image's memory, the fd in its table */
	if (memcmp(buf, "new image data!", 15))
		return CHILD_EDATA;
	if (fd < 0 || fcntl(fd, F_GETFD) != FD_CLOEXEC)
		return CHILD_EDATA;
	return 0;
}

__attribute__((constructor)) static void exec_child_ctor(void)
{
	if (getenv(EXEC_ENV))
		_exit(exec_child_run());
}

FIXTURE(chain) {
	int p1[2];	/* the head READ waits on p1 */
	int p2[2];	/* a blocking successor READ waits on p2 */
};

FIXTURE_VARIANT(chain) {
	unsigned int setup_flags;
	bool head_async;	/* head READ blocks in a worker, not on poll */
	bool succ_blocks;	/* successor is a READ of an empty pipe, not a NOP */
	int end;		/* END_EXIT, END_EXEC_TRUE or END_EXEC_SELF */
};

enum { END_EXIT, END_EXEC_TRUE, END_EXEC_SELF };

FIXTURE_VARIANT_ADD(chain, poll_nop_exit) {
	.end = END_EXIT,
};

FIXTURE_VARIANT_ADD(chain, poll_nop_exec) {
	.end = END_EXEC_TRUE,
};

FIXTURE_VARIANT_ADD(chain, poll_read_exit) {
	.succ_blocks = true, .end = END_EXIT,
};

FIXTURE_VARIANT_ADD(chain, poll_read_exec) {
	.succ_blocks = true, .end = END_EXEC_TRUE,
};

FIXTURE_VARIANT_ADD(chain, wq_nop_exit) {
	.head_async = true, .end = END_EXIT,
};

FIXTURE_VARIANT_ADD(chain, wq_nop_exec) {
	.head_async = true, .end = END_EXEC_TRUE,
};

FIXTURE_VARIANT_ADD(chain, wq_read_exit) {
	.head_async = true, .succ_blocks = true, .end = END_EXIT,
};

FIXTURE_VARIANT_ADD(chain, wq_read_exec) {
	.head_async = true, .succ_blocks = true, .end = END_EXEC_TRUE,
};

FIXTURE_VARIANT_ADD(chain, poll_read_exec_new_image_io) {
	.succ_blocks = true, .end = END_EXEC_SELF,
};

FIXTURE_VARIANT_ADD(chain, wq_read_exec_new_image_io) {
	.head_async = true, .succ_blocks = true, .end = END_EXEC_SELF,
};

FIXTURE_VARIANT_ADD(chain, defer_poll_read_exit) {
	.setup_flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	.succ_blocks = true, .end = END_EXIT,
};

FIXTURE_VARIANT_ADD(chain, defer_poll_read_exec) {
	.setup_flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	.succ_blocks = true, .end = END_EXEC_TRUE,
};

FIXTURE_VARIANT_ADD(chain, defer_wq_nop_exit) {
	.setup_flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	.head_async = true, .end = END_EXIT,
};

FIXTURE_SETUP(chain)
{
	ASSERT_EQ(0, pipe2(self->p1, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(self->p2, O_CLOEXEC));
}

FIXTURE_TEARDOWN(chain)
{
	close(self->p1[1]);
	close(self->p2[1]);
}

static char chain_buf[2][16];

/*
 * Child: READ(p1, blocks) IO_HARDLINK -> successor with IOSQE_ASYNC (NOP,
 * or READ(p2) which blocks too), then exit or exec. The cancel at exit/exec
 * fails the READ, which releases the successor.
 */
TEST_F(chain, successor_released_at_exit_or_exec)
{
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct io_uring_sqe *sqe;
		struct test_ring r;
		static char *const envp[] = { EXEC_ENV "=1", NULL };
		static char *const argv[] = { "hostile-exec", NULL };

		/* the parent alone keeps the write ends: no EOF */
		close(self->p1[1]);
		close(self->p2[1]);
		if (ring_init_flags(&r, 4, variant->setup_flags))
			_exit(CHILD_ESETUP);
		sqe = queue_read(&r, self->p1[0], chain_buf[0], 16, 0, UD_READ);
		if (!sqe)
			_exit(CHILD_ESQE);
		sqe->flags = IOSQE_IO_HARDLINK | (variant->head_async ? IOSQE_ASYNC : 0);
		if (variant->succ_blocks)
			sqe = queue_read(&r, self->p2[0], chain_buf[1], 16, 0, UD_READ + 1);
		else
			sqe = ring_nop(&r, UD_NOP);
		if (!sqe)
			_exit(CHILD_ESQE);
		sqe->flags = IOSQE_ASYNC;
		if (ring_submit(&r, 2, 0, 0) != 2)
			_exit(CHILD_ESUBMIT);
		/* the head is pending, so the successor is not issued */
		if (enter_wait(&r, 0, 1, 20) != -ETIME || ring_cq_ready(&r))
			_exit(CHILD_ECQE);
		if (variant->end == END_EXEC_TRUE)
			execl("/bin/true", "true", (char *)NULL);
		else if (variant->end == END_EXEC_SELF)
			execve("/proc/self/exe", argv, envp);
		else
			_exit(0);
		_exit(CHILD_EEXEC);
	}
	/* promptly, by itself, and (after exec) the new image worked */
	EXPECT_CHILD(pid, LONG_MS, 0);

	/* every request of the child was freed: nothing holds the read ends */
	close(self->p1[0]);
	close(self->p2[0]);
	EXPECT_TRUE(wait_no_readers(self->p1[1], LONG_MS));
	EXPECT_TRUE(wait_no_readers(self->p2[1], LONG_MS));
}

/* ======================================================================== */
/* Item 4: multishot TIMEOUT and POLL on a CQ that is never reaped */

/*
 * A multishot request on a ring with a 2-entry CQ that nobody reaps for at
 * least 100 ms: 6.12 posts 2 CQEs with F_MORE, then ends the request with
 * one more CQE (without F_MORE) on the overflow list. 3 in all.
 */
static void mshot_full_cq(struct __test_metadata *_metadata, unsigned int flags, bool poll)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 1000000 };
	struct test_ring r;
	struct cqe_log l;
	long long start, end;
	__u64 one = 1;
	int efd = -1;

	memset(&l, 0, sizeof(l));
	ASSERT_EQ(0, ring_init_flags(&r, 1, flags));
	ASSERT_EQ(2U, r.p.cq_entries);
	if (poll) {
		efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		ASSERT_LE(0, efd);
		ASSERT_NE(NULL, queue_poll(&r, efd, POLLIN, true, UD_MSHOT));
	} else {
		ASSERT_NE(NULL, queue_timeout(&r, &ts, 0, IORING_TIMEOUT_MULTISHOT, UD_MSHOT));
	}
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));

	/* at least 100 ms, until the overflow shows (bounded) */
	start = now_ms();
	end = start + WAIT_MS;
	while (now_ms() < end) {
		if (poll)
			ASSERT_EQ(8, write(efd, &one, sizeof(one)));
		if (flags & IORING_SETUP_DEFER_TASKRUN)
			enter_wait(&r, 0, 8, 2);	/* runs task work, reaps nothing */
		else
			sleep_ms(2);
		if (now_ms() - start >= 100 &&
		    (load_acquire(r.sq_flags) & IORING_SQ_CQ_OVERFLOW))
			break;
	}
	EXPECT_TRUE(!!(load_acquire(r.sq_flags) & IORING_SQ_CQ_OVERFLOW));
	EXPECT_EQ(2U, ring_cq_ready(&r));

	/* reap everything, overflow included */
	reap_for(&r, &l, QUIET_MS);
	EXPECT_TRUE(log_ended(&l, UD_MSHOT));
	check_mshot(_metadata, &l, UD_MSHOT, poll ? POLLIN : -ETIME,
		    r.p.cq_entries + 1, r.p.cq_entries + 1);
	EXPECT_EQ(r.p.cq_entries + 1, l.total);
	EXPECT_GE(1U, load_acquire(r.cq_overflow));
	EXPECT_FALSE(!!(load_acquire(r.sq_flags) & IORING_SQ_CQ_OVERFLOW));

	/* it really ended: more events post nothing */
	if (poll)
		ASSERT_EQ(8, write(efd, &one, sizeof(one)));
	reap_for(&r, &l, PENDING_MS);
	EXPECT_EQ(r.p.cq_entries + 1, l.total);
	ring_exit(&r);
	if (efd >= 0)
		close(efd);
}

TEST(multishot_timeout_full_cq_ends_plain)
{
	mshot_full_cq(_metadata, 0, false);
}

TEST(multishot_timeout_full_cq_ends_defer_taskrun)
{
	mshot_full_cq(_metadata, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, false);
}

TEST(multishot_poll_full_cq_ends_plain)
{
	mshot_full_cq(_metadata, 0, true);
}

TEST(multishot_poll_full_cq_ends_defer_taskrun)
{
	mshot_full_cq(_metadata, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, true);
}

/* ======================================================================== */
/* Item 5: SQPOLL rings closed while the SQ thread submits */

#define SQ_ROUNDS	20

/* Queue @n NOPs (every third IOSQE_ASYNC) and a READ of @rfd, and publish. */
static int sq_fill(struct test_ring *r, unsigned int n, int rfd, void *buf)
{
	struct io_uring_sqe *sqe;
	unsigned int i;

	for (i = 0; i < n; i++) {
		sqe = ring_nop(r, UD_NOP + i);
		if (!sqe)
			return -ENOSPC;
		if (i % 3 == 2)
			sqe->flags = IOSQE_ASYNC;
	}
	if (!queue_read(r, rfd, buf, 8, 0, UD_READ))
		return -ENOSPC;
	ring_flush(r);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (load_acquire(r->sq_flags) & IORING_SQ_NEED_WAKEUP)
		return io_uring_enter(r->fd, 0, 0, IORING_ENTER_SQ_WAKEUP, NULL, 0);
	return 0;
}

static int sq_child(int rfd, bool attach)
{
	static char buf[8];
	struct io_uring_params p;
	struct io_uring_cqe cqe;
	struct test_ring base, r;
	__u32 seed = (__u32)getpid() * 2654435761U | 1;
	long long end = now_ms() + RACE_MS;
	unsigned int i;
	int ret;

	memset(&base, 0, sizeof(base));
	base.fd = -1;
	if (attach) {
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_SQPOLL;
		p.sq_thread_idle = 1000;
		if (ring_init(&base, 32, &p))
			return CHILD_ESETUP;
	}
	for (i = 0; i < SQ_ROUNDS && now_ms() < end; i++) {
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_SQPOLL;
		p.sq_thread_idle = 1000;
		if (attach) {
			p.flags |= IORING_SETUP_ATTACH_WQ;
			p.wq_fd = base.fd;
		}
		ret = ring_init(&r, 32, &p);
		if (ret)
			return CHILD_ESETUP;
		if (sq_fill(&r, 24, rfd, buf) < 0)
			return CHILD_ESUBMIT;
		spin(rnd(&seed) % 20000);
		/* close while the SQ thread takes the SQEs */
		ring_exit(&r);
	}
	/* a later setup works */
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL;
	p.sq_thread_idle = 50;
	if (attach) {
		p.flags |= IORING_SETUP_ATTACH_WQ;
		p.wq_fd = base.fd;
	}
	if (ring_init(&r, 4, &p))
		return CHILD_ESETUP;
	if (!ring_nop(&r, UD_NOP2))
		return CHILD_ESQE;
	if (ring_submit_mode(&r, 1) < 0)
		return CHILD_ESUBMIT;
	if (ring_pop_cqe(&r, &cqe, WAIT_MS))
		return CHILD_ETIME;
	if (cqe.user_data != UD_NOP2 || cqe.res)
		return CHILD_ECQE;
	ring_exit(&r);
	if (attach) {
		/* the ring that owns the SQ thread is unaffected */
		if (!ring_nop(&base, UD_NOP2 + 1))
			return CHILD_ESQE;
		if (ring_submit_mode(&base, 1) < 0)
			return CHILD_ESUBMIT;
		if (ring_pop_cqe(&base, &cqe, WAIT_MS))
			return CHILD_ETIME;
		if (cqe.user_data != UD_NOP2 + 1 || cqe.res)
			return CHILD_ECQE;
		ring_exit(&base);
	}
	return CHILD_OK;
}

static void sqpoll_close_rounds(struct __test_metadata *_metadata, bool attach)
{
	struct test_ring probe;
	struct io_uring_params p;
	int pfd[2], ret;
	pid_t pid;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL;
	ret = ring_init(&probe, 4, &p);
	if (ret == -EPERM)
		SKIP(return, "SQPOLL not permitted");
	ASSERT_EQ(0, ret);
	ring_exit(&probe);

	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(pfd[1]);
		_exit(sq_child(pfd[0], attach));
	}
	EXPECT_CHILD(pid, LONG_MS, CHILD_OK);
	/* the pending READs of all those rings are gone */
	close(pfd[0]);
	EXPECT_TRUE(wait_no_readers(pfd[1], LONG_MS));
	close(pfd[1]);
}

TEST(sqpoll_close_while_submitting)
{
	sqpoll_close_rounds(_metadata, false);
}

TEST(sqpoll_attached_close_while_submitting)
{
	sqpoll_close_rounds(_metadata, true);
}

/* ======================================================================== */
/* Item 6: READ_FIXED / WRITE_FIXED on files with only ->read / ->write */

#define FIXED_LEN	8192

/* A registered buffer, page aligned. */
static char *reg_buf(struct __test_metadata *_metadata, struct test_ring *r)
{
	struct iovec iov;
	void *p;

	if (posix_memalign(&p, 4096, FIXED_LEN))
		return NULL;
	memset(p, 0xaa, FIXED_LEN);
	iov.iov_base = p;
	iov.iov_len = FIXED_LEN;
	if (io_uring_register(r->fd, IORING_REGISTER_BUFFERS, &iov, 1)) {
		free(p);
		return NULL;
	}
	return p;
}

static int fixed_rw(struct test_ring *r, __u8 op, int fd, void *addr, unsigned int len,
		    __u64 off, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);
	struct io_uring_cqe cqe;
	int ret;

	if (!sqe)
		return -ENOSPC;
	sqe->opcode = op;
	sqe->fd = fd;
	sqe->addr = (__u64)(uintptr_t)addr;
	sqe->len = len;
	sqe->off = off;
	sqe->buf_index = 0;
	sqe->user_data = ud;
	ret = ring_submit(r, 1, 0, 0);
	if (ret != 1)
		return ret < 0 ? ret : -EIO;
	ret = ring_pop_cqe(r, &cqe, WAIT_MS);
	if (ret)
		return 1000000 + ret;	/* distinct from any result */
	if (cqe.user_data != ud || cqe.flags)
		return 2000000;
	return cqe.res;
}

/*
 * /proc/self/mem has ->read and ->write only. 6.12 copies between the
 * registered buffer (at its user address) and the file: the data moves.
 */
TEST(fixed_rw_proc_self_mem)
{
	static char src[4096], dst[4096];
	struct test_ring r;
	char *buf;
	int fd, i;

	fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		SKIP(return, "cannot open /proc/self/mem: %s", strerror(errno));
	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));
	buf = reg_buf(_metadata, &r);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < (int)sizeof(src); i++)
		src[i] = (char)(i * 7 + 3);
	memset(dst, 0x55, sizeof(dst));

	/* the file's offset is the address: read src into the fixed buffer */
	EXPECT_EQ(1000, fixed_rw(&r, IORING_OP_READ_FIXED, fd, buf + 512, 1000,
				 (__u64)(uintptr_t)src, UD_RW));
	EXPECT_EQ(0, memcmp(buf + 512, src, 1000));
	EXPECT_EQ((char)0xaa, buf[511]);
	EXPECT_EQ((char)0xaa, buf[1512]);

	/* across a page boundary of the registered buffer */
	EXPECT_EQ(3000, fixed_rw(&r, IORING_OP_READ_FIXED, fd, buf + 3000, 3000,
				 (__u64)(uintptr_t)(src + 1000), UD_RW + 1));
	EXPECT_EQ(0, memcmp(buf + 3000, src + 1000, 3000));

	/* write part of the fixed buffer into dst */
	EXPECT_EQ(777, fixed_rw(&r, IORING_OP_WRITE_FIXED, fd, buf + 100, 777,
				(__u64)(uintptr_t)(dst + 10), UD_RW + 2));
	EXPECT_EQ(0, memcmp(dst + 10, buf + 100, 777));
	EXPECT_EQ(0x55, dst[9]);
	EXPECT_EQ(0x55, dst[787]);

	/* a fixed range outside the registered buffer: -EFAULT */
	EXPECT_EQ(-EFAULT, fixed_rw(&r, IORING_OP_READ_FIXED, fd, buf + FIXED_LEN - 10, 100,
				    (__u64)(uintptr_t)src, UD_RW + 3));
	ring_exit(&r);
	close(fd);
	free(buf);
}

/*
 * /proc/self/comm has ->read (seq_read) and ->write only: READ_FIXED gives
 * the name, WRITE_FIXED sets it.
 */
TEST(fixed_rw_proc_self_comm)
{
	char name[17];
	struct test_ring r;
	char *buf;
	int fd;

	ASSERT_EQ(0, prctl(PR_SET_NAME, "hst-before"));
	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));
	buf = reg_buf(_metadata, &r);
	ASSERT_NE(NULL, buf);

	fd = open("/proc/self/comm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(11, fixed_rw(&r, IORING_OP_READ_FIXED, fd, buf + 4090, 64, 0, UD_RW));
	EXPECT_EQ(0, memcmp(buf + 4090, "hst-before\n", 11));
	EXPECT_EQ((char)0xaa, buf[4090 + 11]);
	close(fd);

	memcpy(buf + 200, "hst-after", 9);
	fd = open("/proc/self/comm", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(9, fixed_rw(&r, IORING_OP_WRITE_FIXED, fd, buf + 200, 9, 0, UD_RW + 1));
	close(fd);
	memset(name, 0, sizeof(name));
	ASSERT_EQ(0, prctl(PR_GET_NAME, name));
	EXPECT_STREQ("hst-after", name);
	ring_exit(&r);
	free(buf);
}

/* A directory has neither: READ_FIXED fails the way read(2) does. */
TEST(fixed_read_directory)
{
	struct test_ring r;
	char *buf;
	int fd;

	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));
	buf = reg_buf(_metadata, &r);
	ASSERT_NE(NULL, buf);
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, read(fd, buf, 16));
	EXPECT_EQ(EISDIR, errno);
	EXPECT_EQ(-EISDIR, fixed_rw(&r, IORING_OP_READ_FIXED, fd, buf, 16, 0, UD_RW));
	close(fd);
	ring_exit(&r);
	free(buf);
}

/* ======================================================================== */
/* Item 7: a multishot timeout updated and removed while it fires */

#define UPDATE_ROUNDS	100

static void mshot_timeout_update_race(struct __test_metadata *_metadata, unsigned int flags)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 50000 };
	struct __kernel_timespec uts;
	struct io_uring_params p;
	struct io_uring_cqe *c;
	struct test_ring r;
	unsigned int i, fires = 0, updates = 0, removes = 0, finals = 0, tries;
	__u32 seed = 12345;
	long long end;
	bool removed = false;
	int got;

	memset(&p, 0, sizeof(p));
	p.flags = flags | IORING_SETUP_CQSIZE;
	p.cq_entries = 4096;
	ASSERT_EQ(0, ring_init(&r, 8, &p));
	ASSERT_NE(NULL, queue_timeout(&r, &ts, 0, IORING_TIMEOUT_MULTISHOT, UD_TIMEOUT));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));

#define CONSUME() do {								\
	while ((c = ring_peek_cqe(&r))) {					\
		if (c->user_data == UD_TIMEOUT) {				\
			if (c->flags & IORING_CQE_F_MORE) {			\
				EXPECT_EQ(-ETIME, c->res);			\
				EXPECT_EQ(0U, finals);				\
				fires++;					\
			} else {						\
				EXPECT_EQ(-ECANCELED, c->res);			\
				EXPECT_TRUE(removed);				\
				finals++;					\
			}							\
		} else if ((c->user_data & ~0xfffULL) == UD_UPDATE) {		\
			EXPECT_EQ(0U, c->flags);				\
			EXPECT_TRUE(c->res == 0 || c->res == -ENOENT ||		\
				    c->res == -EALREADY) {			\
				TH_LOG("update res %d", c->res);		\
			}							\
			updates++;						\
		} else if ((c->user_data & ~0xfffULL) == UD_REMOVE) {		\
			EXPECT_EQ(0U, c->flags);				\
			EXPECT_TRUE(c->res == 0 || c->res == -ENOENT ||		\
				    c->res == -EALREADY) {			\
				TH_LOG("remove res %d", c->res);		\
			}							\
			got = c->res;						\
			if (!got)						\
				removed = true;					\
			removes++;						\
		} else {							\
			EXPECT_EQ(0ULL, c->user_data);				\
		}								\
		ring_cqe_seen(&r);						\
	}									\
} while (0)

	end = now_ms() + RACE_MS;
	for (i = 0; i < UPDATE_ROUNDS && now_ms() < end; i++) {
		uts.tv_sec = 0;
		uts.tv_nsec = 10000 + (rnd(&seed) % 5) * 25000;	/* 10..110 us */
		ASSERT_NE(NULL, queue_timeout_remove(&r, UD_TIMEOUT, &uts, UD_UPDATE + i));
		ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
		spin(rnd(&seed) % 50000);
		/* let it fire, and re-arm in task work */
		enter_wait(&r, 0, 1, 1);
		CONSUME();
	}
	EXPECT_LE(1U, i);

	/* remove it; -ENOENT/-EALREADY while it is between firing and re-arm */
	end = now_ms() + WAIT_MS;
	for (tries = 0; !removed && now_ms() < end && tries < 1000; tries++) {
		got = 1;
		ASSERT_NE(NULL, queue_timeout_remove(&r, UD_TIMEOUT, NULL,
						     UD_REMOVE + (tries & 0xfff)));
		ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
		while (got == 1 && now_ms() < end) {
			enter_wait(&r, 0, 1, 10);
			CONSUME();
		}
	}
	ASSERT_TRUE(removed);
	end = now_ms() + WAIT_MS;
	while (!finals && now_ms() < end) {
		enter_wait(&r, 0, 1, 10);
		CONSUME();
	}
	/* exactly one final CQE, every request answered once, then quiet */
	sleep_ms(QUIET_MS);
	enter_wait(&r, 0, 1, QUIET_MS);
	CONSUME();
	EXPECT_EQ(1U, finals);
	EXPECT_EQ(i, updates);
	EXPECT_EQ(tries, removes);
	EXPECT_EQ(0U, load_acquire(r.cq_overflow));
	TH_LOG("%u updates, %u fires, %u removes", updates, fires, removes);
#undef CONSUME
	ring_exit(&r);
}

TEST(multishot_timeout_update_race_plain)
{
	mshot_timeout_update_race(_metadata, 0);
}

TEST(multishot_timeout_update_race_defer_taskrun)
{
	mshot_timeout_update_race(_metadata, IORING_SETUP_SINGLE_ISSUER |
				  IORING_SETUP_DEFER_TASKRUN);
}

/* ======================================================================== */
/* SCM_RIGHTS of a ring fd */

static int build_rights(struct msghdr *msg, struct iovec *iov, char *cbuf, size_t cbuf_sz,
			const int *fds, unsigned int nr)
{
	struct cmsghdr *cm;

	memset(msg, 0, sizeof(*msg));
	memset(cbuf, 0, cbuf_sz);
	iov->iov_base = "r";
	iov->iov_len = 1;
	msg->msg_iov = iov;
	msg->msg_iovlen = 1;
	msg->msg_control = cbuf;
	msg->msg_controllen = CMSG_SPACE(nr * sizeof(int));
	cm = CMSG_FIRSTHDR(msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(nr * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, nr * sizeof(int));
	return 0;
}

static int send_rights(int sock, const int *fds, unsigned int nr)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))];
	struct msghdr msg;
	struct iovec iov;

	build_rights(&msg, &iov, cbuf, sizeof(cbuf), fds, nr);
	return sendmsg(sock, &msg, MSG_DONTWAIT) < 0 ? -errno : 1;
}

/* sendmsg(2) refuses io_uring files in SCM_RIGHTS: -EINVAL, nothing queued. */
TEST(scm_rights_ring_fd_refused)
{
	static const unsigned int modes[] = {
		0, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	};
	struct test_ring r[2];
	int sv[2], p[2], fds[3], type, i;
	char c;

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, ring_init_flags(&r[i], 4, modes[i]));
	for (type = 0; type < 3; type++) {
		int st = type == 0 ? SOCK_STREAM : type == 1 ? SOCK_DGRAM : SOCK_SEQPACKET;

		ASSERT_EQ(0, socketpair(AF_UNIX, st | SOCK_CLOEXEC, 0, sv));
		for (i = 0; i < 2; i++) {
			EXPECT_EQ(-EINVAL, send_rights(sv[0], &r[i].fd, 1));
			fds[0] = p[0];
			fds[1] = r[i].fd;
			fds[2] = p[1];
			EXPECT_EQ(-EINVAL, send_rights(sv[0], fds, 3));
		}
		errno = 0;
		EXPECT_EQ(-1, recv(sv[1], &c, 1, MSG_DONTWAIT));
		EXPECT_EQ(EAGAIN, errno);
		/* control: a pipe fd passes */
		EXPECT_EQ(1, send_rights(sv[0], &p[0], 1));
		EXPECT_EQ(1, recv(sv[1], &c, 1, MSG_DONTWAIT));
		close(sv[0]);
		close(sv[1]);
	}
	ring_exit(&r[0]);
	ring_exit(&r[1]);
	close(p[0]);
	close(p[1]);
}

/* The same through IORING_OP_SENDMSG, with the ring's own fd: res -EINVAL. */
TEST(scm_rights_ring_fd_refused_via_sendmsg_op)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))];
	struct io_uring_cqe cqe;
	struct io_uring_sqe *sqe;
	struct test_ring r, other;
	struct msghdr msg;
	struct iovec iov;
	int sv[2], p[2], fds[2], k;
	char c;

	if (!uring_op_supported(IORING_OP_SENDMSG))
		SKIP(return, "IORING_OP_SENDMSG not supported");
	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));
	ASSERT_EQ(0, ring_init_flags(&other, 4, 0));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv));
	for (k = 0; k < 4; k++) {
		int expect = -EINVAL;

		if (k == 0) {
			fds[0] = r.fd;
		} else if (k == 1) {
			fds[0] = other.fd;
		} else if (k == 2) {
			fds[0] = p[0];
			fds[1] = r.fd;
		} else {
			fds[0] = p[0];
			expect = 1;
		}
		build_rights(&msg, &iov, cbuf, sizeof(cbuf), fds, k == 2 ? 2 : 1);
		sqe = ring_get_sqe(&r);
		ASSERT_NE(NULL, sqe);
		sqe->opcode = IORING_OP_SENDMSG;
		sqe->fd = sv[0];
		sqe->addr = (__u64)(uintptr_t)&msg;
		sqe->msg_flags = MSG_DONTWAIT;
		sqe->user_data = UD_SEND + k;
		ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
		ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
		EXPECT_EQ(UD_SEND + k, cqe.user_data);
		EXPECT_EQ(expect, cqe.res);
		EXPECT_EQ(0U, cqe.flags);
	}
	EXPECT_EQ(1, recv(sv[1], &c, 1, MSG_DONTWAIT));
	errno = 0;
	EXPECT_EQ(-1, recv(sv[1], &c, 1, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
	ring_exit(&other);
	ring_exit(&r);
}

/* ======================================================================== */
/* MSG_RING to a ring that is being closed */

#define MSGR_BATCH	8

struct msg_race {
	struct test_ring *s;	/* the sender's ring, made before any target */
	int target;		/* fd of the current target ring, or -1 */
	int stop;
	unsigned int sent, ok, ebadf, ebadfd, other, lost;
	int bad_res;
};

static void *msg_sender(void *arg)
{
	struct msg_race *m = arg;
	struct test_ring s = *m->s;
	unsigned int i, n;
	__u64 seq = 0;
	int fd;

	while (!__atomic_load_n(&m->stop, __ATOMIC_ACQUIRE)) {
		fd = __atomic_load_n(&m->target, __ATOMIC_ACQUIRE);
		if (fd < 0) {
			sched_yield();
			continue;
		}
		for (i = 0; i < MSGR_BATCH; i++)
			queue_msg(&s, fd, 0x55, UD_MSG + (seq++ & 0xfff), UD_MSG + i);
		if (ring_submit(&s, MSGR_BATCH, 0, 0) != MSGR_BATCH) {
			m->lost++;
			break;
		}
		m->sent += MSGR_BATCH;
		for (n = 0; n < MSGR_BATCH; n++) {
			struct io_uring_cqe cqe;

			if (ring_pop_cqe(&s, &cqe, WAIT_MS)) {
				m->lost++;
				break;
			}
			if (cqe.res == 0)
				m->ok++;
			else if (cqe.res == -EBADF)
				m->ebadf++;
			else if (cqe.res == -EBADFD)
				m->ebadfd++;
			else if (cqe.res == -EOWNERDEAD || cqe.res == -EOVERFLOW)
				m->other++;
			else
				m->bad_res = cqe.res ? cqe.res : 1;
		}
		if (n != MSGR_BATCH)
			break;
	}
	m->s->sqe_tail = s.sqe_tail;
	return NULL;
}

/*
 * A thread sends MSG_RING batches to ring B's fd while the main thread
 * closes B (never reaping it, so B's CQ also overflows) and makes a new B.
 */
static void msg_ring_to_closing_ring(struct __test_metadata *_metadata, unsigned int flags)
{
	struct io_uring_cqe cqe;
	struct msg_race m;
	struct test_ring b, s, sender;
	struct timespec ts;
	pthread_t th;
	long long end;
	__u32 seed = 777;
	unsigned int rounds = 0;

	memset(&m, 0, sizeof(m));
	m.target = -1;
	/* so that no stale target fd number can ever name the sender's ring */
	ASSERT_EQ(0, ring_init_flags(&sender, 2 * MSGR_BATCH, 0));
	m.s = &sender;
	ASSERT_EQ(0, pthread_create(&th, NULL, msg_sender, &m));
	end = now_ms() + RACE_MS;
	while (rounds < 300 && now_ms() < end) {
		ASSERT_EQ(0, ring_init_flags(&b, 1, flags));
		__atomic_store_n(&m.target, b.fd, __ATOMIC_RELEASE);
		spin(rnd(&seed) % 200000);
		ring_exit(&b);
		spin(rnd(&seed) % 20000);
		__atomic_store_n(&m.target, -1, __ATOMIC_RELEASE);
		rounds++;
	}
	__atomic_store_n(&m.stop, 1, __ATOMIC_RELEASE);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += LONG_MS / 1000;
	ASSERT_EQ(0, pthread_timedjoin_np(th, NULL, &ts));
	TH_LOG("%u rounds: %u sent, %u ok, %u -EBADF, %u -EBADFD, %u other",
	       rounds, m.sent, m.ok, m.ebadf, m.ebadfd, m.other);
	EXPECT_EQ(0U, m.lost);
	EXPECT_EQ(0, m.bad_res);
	EXPECT_EQ(m.sent, m.ok + m.ebadf + m.ebadfd + m.other);
	/* the sender's ring got nothing itself */
	enter_wait(&sender, 0, 1, QUIET_MS);
	EXPECT_EQ(0U, ring_cq_ready(&sender));
	ring_exit(&sender);

	/* messages to a live ring still arrive */
	ASSERT_EQ(0, ring_init_flags(&b, 4, flags));
	ASSERT_EQ(0, ring_init_flags(&s, 4, 0));
	ASSERT_NE(NULL, queue_msg(&s, b.fd, 0x77, 0xabcd, UD_MSG));
	ASSERT_EQ(1, ring_submit(&s, 1, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(&s, &cqe, WAIT_MS));
	EXPECT_EQ(0, cqe.res);
	ASSERT_EQ(0, ring_pop_cqe(&b, &cqe, WAIT_MS));
	EXPECT_EQ(0xabcdULL, cqe.user_data);
	EXPECT_EQ(0x77, cqe.res);
	ring_exit(&s);
	ring_exit(&b);
}

TEST(msg_ring_to_closing_ring_plain)
{
	msg_ring_to_closing_ring(_metadata, 0);
}

TEST(msg_ring_to_closing_ring_defer_taskrun)
{
	msg_ring_to_closing_ring(_metadata, IORING_SETUP_SINGLE_ISSUER |
				 IORING_SETUP_DEFER_TASKRUN);
}

/* ======================================================================== */
/* Fixed file slots replaced while requests use them */

static int files_update(struct test_ring *r, unsigned int off, int fd)
{
	struct io_uring_files_update up;

	memset(&up, 0, sizeof(up));
	up.offset = off;
	up.fds = (__u64)(uintptr_t)&fd;
	return io_uring_register(r->fd, IORING_REGISTER_FILES_UPDATE, &up, 1);
}

/*
 * A READ on fixed slot 0 (an empty pipe) is pending when the slot is
 * replaced by -1 (or another pipe): the READ keeps its file and completes
 * when data arrives; new READs on an empty slot fail with -EBADF.
 */
static void fixed_update_pending(struct __test_metadata *_metadata, bool to_other)
{
	struct io_uring_cqe cqe;
	struct io_uring_sqe *sqe;
	struct test_ring r;
	struct cqe_log l;
	char buf[16], buf2[16];
	int p[2], q[2], fds[1];

	memset(&l, 0, sizeof(l));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(q, O_CLOEXEC));
	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));
	fds[0] = p[0];
	ASSERT_EQ(0, io_uring_register(r.fd, IORING_REGISTER_FILES, fds, 1));
	/* the table holds its own reference */
	close(p[0]);

	sqe = queue_read(&r, 0, buf, sizeof(buf), 0, UD_READ);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_FIXED_FILE;
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	reap_for(&r, &l, QUIET_MS);
	EXPECT_EQ(0U, l.total);

	EXPECT_EQ(1, files_update(&r, 0, to_other ? q[0] : -1));
	/* the update cancels nothing */
	reap_for(&r, &l, QUIET_MS);
	EXPECT_EQ(0U, l.total);

	ASSERT_EQ(5, write(p[1], "fixed", 5));
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
	EXPECT_EQ(UD_READ, cqe.user_data);
	EXPECT_EQ(5, cqe.res);
	EXPECT_EQ(0U, cqe.flags);
	EXPECT_EQ(0, memcmp(buf, "fixed", 5));

	/* the slot now holds the new file, or nothing */
	sqe = queue_read(&r, 0, buf2, sizeof(buf2), 0, UD_READ + 1);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_FIXED_FILE;
	if (to_other)
		ASSERT_EQ(3, write(q[1], "new", 3));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
	EXPECT_EQ(UD_READ + 1, cqe.user_data);
	if (to_other) {
		EXPECT_EQ(3, cqe.res);
		EXPECT_EQ(0, memcmp(buf2, "new", 3));
	} else {
		EXPECT_EQ(-EBADF, cqe.res);
	}
	ring_exit(&r);

	/* the old pipe's read end is released with the request and the ring */
	EXPECT_TRUE(wait_no_readers(p[1], LONG_MS));
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

TEST(fixed_file_cleared_while_read_pending)
{
	fixed_update_pending(_metadata, false);
}

TEST(fixed_file_replaced_while_read_pending)
{
	fixed_update_pending(_metadata, true);
}

struct upd_race {
	struct test_ring *r;
	int fd;
	int stop;
	unsigned int updates, bad;
};

static void *slot_flipper(void *arg)
{
	struct upd_race *u = arg;
	int ret;

	while (!__atomic_load_n(&u->stop, __ATOMIC_ACQUIRE)) {
		ret = files_update(u->r, 0, (u->updates & 1) ? u->fd : -1);
		if (ret != 1)
			u->bad++;
		u->updates++;
	}
	return NULL;
}

/*
 * One thread flips slot 0 between a pipe and empty while the main thread
 * issues READs on slot 0: each completes with its byte or -EBADF, once.
 */
TEST(fixed_file_update_race)
{
	struct upd_race u;
	struct io_uring_params p;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *c;
	struct test_ring r;
	struct timespec ts;
	static char bufs[64][4];
	unsigned int i, issued = 0, done = 0, bytes = 0, ebadf = 0, written = 0;
	long long end;
	pthread_t th;
	int pp[2], fd, bad = 0;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 1024;
	ASSERT_EQ(0, ring_init(&r, 64, &p));
	ASSERT_EQ(0, pipe2(pp, O_CLOEXEC));
	/* the writer never blocks; the reads block (poll-driven) */
	ASSERT_EQ(0, fcntl(pp[1], F_SETFL, O_NONBLOCK));
	fd = pp[0];
	ASSERT_EQ(0, io_uring_register(r.fd, IORING_REGISTER_FILES, &fd, 1));
	memset(&u, 0, sizeof(u));
	u.r = &r;
	u.fd = pp[0];
	ASSERT_EQ(0, pthread_create(&th, NULL, slot_flipper, &u));

	end = now_ms() + RACE_MS;
	for (i = 0; i < 2000 && now_ms() < end; i++) {
		if (issued - done < 32) {
			sqe = queue_read(&r, 0, bufs[issued & 63], 1, 0, UD_READ);
			ASSERT_NE(NULL, sqe);
			sqe->flags = IOSQE_FIXED_FILE;
			ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
			issued++;
		}
		if (i & 1) {
			ASSERT_EQ(1, write(pp[1], "z", 1));
			written++;
		}
		while ((c = ring_peek_cqe(&r))) {
			if (c->res == 1)
				bytes++;
			else if (c->res == -EBADF)
				ebadf++;
			else
				bad = c->res ? c->res : 99;
			done++;
			ring_cqe_seen(&r);
		}
	}
	__atomic_store_n(&u.stop, 1, __ATOMIC_RELEASE);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += LONG_MS / 1000;
	ASSERT_EQ(0, pthread_timedjoin_np(th, NULL, &ts));

	/* feed the reads still pending until all are answered */
	end = now_ms() + WAIT_MS;
	while (done < issued && now_ms() < end) {
		if (write(pp[1], "z", 1) == 1)
			written++;
		enter_wait(&r, 0, 1, 5);
		while ((c = ring_peek_cqe(&r))) {
			if (c->res == 1)
				bytes++;
			else if (c->res == -EBADF)
				ebadf++;
			else
				bad = c->res ? c->res : 99;
			done++;
			ring_cqe_seen(&r);
		}
	}
	TH_LOG("%u reads: %u bytes, %u -EBADF; %u updates", issued, bytes, ebadf, u.updates);
	EXPECT_EQ(issued, done);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0U, u.bad);
	EXPECT_EQ(issued, bytes + ebadf);
	EXPECT_GE(written, bytes);
	/* nothing more */
	enter_wait(&r, 0, 1, QUIET_MS);
	EXPECT_EQ(0U, ring_cq_ready(&r));
	ring_exit(&r);
	close(pp[0]);
	close(pp[1]);
}

TEST_HARNESS_MAIN
