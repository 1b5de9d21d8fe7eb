// SPDX-License-Identifier: GPL-2.0
/*
 * Waiting in io_uring_enter(2): IORING_ENTER_GETEVENTS with min_complete,
 * IORING_ENTER_EXT_ARG (timeout, sigmask, min_wait_usec),
 * IORING_ENTER_ABS_TIMER and IORING_REGISTER_CLOCK, following Linux 6.12.
 *
 * Timing is never asserted. Where a wait could block forever if the kernel
 * were wrong, a helper thread completes a pending pipe read after a long
 * delay, so that the test fails (wrong CQE count or result) instead of
 * hanging.
 */
#include "kselftest_harness.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "uring_test.h"

#define WAIT_MS		2000
#define GUARD_MS	1000	/* the guard write comes this late */

/* The kernel's sigset_t: 64 signals, 8 bytes (not glibc's 128). */
#define KSIGSET_SZ	8

#define GETEV		IORING_ENTER_GETEVENTS
#define EXTARG		(IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG)

#define BAD_PTR		((void *)(uintptr_t)8)

FIXTURE(wait) {
	struct test_ring r;
	int pfd[2];
	int pfd2[2];
	char buf[2];
};

FIXTURE_SETUP(wait)
{
	ASSERT_EQ(0, ring_init_flags(&self->r, 8, 0));
	ASSERT_EQ(0, pipe(self->pfd));
	ASSERT_EQ(0, pipe(self->pfd2));
}

FIXTURE_TEARDOWN(wait)
{
	ring_exit(&self->r);
	close(self->pfd[0]);
	close(self->pfd[1]);
	close(self->pfd2[0]);
	close(self->pfd2[1]);
}

static volatile sig_atomic_t usr1_count;

static void usr1_handler(int sig)
{
	usr1_count++;
}

/* SIGUSR1 handler without SA_RESTART. Returns 0 or -1. */
static int install_usr1(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = usr1_handler;
	sigemptyset(&sa.sa_mask);
	usr1_count = 0;
	return sigaction(SIGUSR1, &sa, NULL);
}

static int mask_usr1(int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	return pthread_sigmask(how, &set, NULL);
}

static bool usr1_blocked(void)
{
	sigset_t cur;

	pthread_sigmask(SIG_SETMASK, NULL, &cur);
	return sigismember(&cur, SIGUSR1);
}

static struct __kernel_timespec ms_ts(unsigned int ms)
{
	struct __kernel_timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * 1000000L,
	};

	return ts;
}

/* An absolute time on @clk, @delta_ms from now (may be negative). */
static struct __kernel_timespec abs_ts(clockid_t clk, long delta_ms)
{
	struct __kernel_timespec ts;
	struct timespec now;
	long long ns;

	clock_gettime(clk, &now);
	ns = now.tv_sec * 1000000000LL + now.tv_nsec + delta_ms * 1000000LL;
	ts.tv_sec = ns / 1000000000LL;
	ts.tv_nsec = ns % 1000000000LL;
	return ts;
}

/* io_uring_enter(GETEVENTS | EXT_ARG | @extra) with a filled-in argument. */
static int wait_ext(struct test_ring *r, unsigned int min, unsigned int extra,
		    struct __kernel_timespec *ts, void *sigmask,
		    unsigned int sigmask_sz, unsigned int min_wait_usec)
{
	struct io_uring_getevents_arg arg = {
		.sigmask = (__u64)(uintptr_t)sigmask,
		.sigmask_sz = sigmask_sz,
		.min_wait_usec = min_wait_usec,
		.ts = (__u64)(uintptr_t)ts,
	};

	return io_uring_enter(r->fd, 0, min, EXTARG | extra, &arg, sizeof(arg));
}

/* Submit @n NOPs (user_data 1..n); they complete inline. */
static int submit_nops(struct test_ring *r, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!ring_nop(r, i + 1))
			return -ENOSPC;
	}
	return ring_submit(r, n, 0, 0);
}

/* Queue and submit a 1-byte read of pipe @fd; it stays pending. */
static int submit_pipe_read(struct test_ring *r, int fd, char *buf, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (!sqe)
		return -ENOSPC;
	sqe->opcode = IORING_OP_READ;
	sqe->fd = fd;
	sqe->addr = (__u64)(uintptr_t)buf;
	sqe->len = 1;
	sqe->user_data = ud;
	return ring_submit(r, 1, 0, 0);
}

/*
 * Helper thread: sends SIGUSR1 to @target every tick from @sig_from_ms on
 * (only once if @sig_once), writes a byte to @wfd at @w_ms and to @wfd2 at
 * @w2_ms (0: never), stops when @done is set or after @end_ms.
 */
struct helper {
	pthread_t th;
	pthread_t target;
	int sig_from_ms;	/* -1: no signals */
	bool sig_once;
	int wfd, w_ms;
	int wfd2, w2_ms;
	int end_ms;
	int ready;		/* set by the main thread right before waiting */
	int done;
	int sent;
};

static void *helper_fn(void *data)
{
	struct helper *h = data;
	int t;

	mask_usr1(SIG_BLOCK);
	/* start the clock once the main thread is about to wait */
	while (!__atomic_load_n(&h->ready, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&h->done, __ATOMIC_ACQUIRE))
		usleep(1000);
	for (t = 0; t <= h->end_ms; t += 5) {
		if (__atomic_load_n(&h->done, __ATOMIC_ACQUIRE))
			break;
		if (h->sig_from_ms >= 0 && t >= h->sig_from_ms &&
		    !(h->sig_once && h->sent)) {
			pthread_kill(h->target, SIGUSR1);
			h->sent++;
		}
		if (h->w_ms && t >= h->w_ms && h->wfd >= 0) {
			if (write(h->wfd, "x", 1) != 1)
				break;
			h->wfd = -1;
		}
		if (h->w2_ms && t >= h->w2_ms && h->wfd2 >= 0) {
			if (write(h->wfd2, "y", 1) != 1)
				break;
			h->wfd2 = -1;
		}
		usleep(5000);
	}
	return NULL;
}

static int helper_start(struct helper *h)
{
	h->target = pthread_self();
	return pthread_create(&h->th, NULL, helper_fn, h);
}

static void helper_go(struct helper *h)
{
	__atomic_store_n(&h->ready, 1, __ATOMIC_RELEASE);
}

static void helper_stop(struct helper *h)
{
	__atomic_store_n(&h->done, 1, __ATOMIC_RELEASE);
	pthread_join(h->th, NULL);
}

/* EXT_ARG needs argsz == sizeof(struct io_uring_getevents_arg) exactly. */
TEST_F(wait, ext_arg_bad_size)
{
	struct __kernel_timespec ts = ms_ts(20);
	struct io_uring_getevents_arg arg[2];
	struct test_ring *r = &self->r;

	memset(arg, 0, sizeof(arg));
	arg[0].ts = (__u64)(uintptr_t)&ts;
	EXPECT_EQ(-EINVAL, io_uring_enter(r->fd, 0, 1, EXTARG, arg, sizeof(arg[0]) - 1));
	EXPECT_EQ(-EINVAL, io_uring_enter(r->fd, 0, 1, EXTARG, arg, sizeof(arg[0]) + 8));
	EXPECT_EQ(-EINVAL, io_uring_enter(r->fd, 0, 1, EXTARG, arg, 0));
	/* checked before anything else, even with nothing to wait for */
	EXPECT_EQ(-EINVAL, io_uring_enter(r->fd, 0, 0, EXTARG, arg, 16));
	ASSERT_EQ(1, submit_nops(r, 1));
	EXPECT_EQ(-EINVAL, io_uring_enter(r->fd, 0, 1, EXTARG, arg, 16));
	/* without GETEVENTS the argument is not looked at */
	EXPECT_EQ(0, io_uring_enter(r->fd, 0, 1, IORING_ENTER_EXT_ARG, arg, 16));
	EXPECT_EQ(1U, ring_cq_ready(r));
}

/* An unreadable EXT_ARG argument is -EFAULT, whatever min_complete is. */
TEST_F(wait, ext_arg_bad_ptr)
{
	struct test_ring *r = &self->r;
	size_t sz = sizeof(struct io_uring_getevents_arg);

	EXPECT_EQ(-EFAULT, io_uring_enter(r->fd, 0, 1, EXTARG, NULL, sz));
	EXPECT_EQ(-EFAULT, io_uring_enter(r->fd, 0, 1, EXTARG, BAD_PTR, sz));
	EXPECT_EQ(-EFAULT, io_uring_enter(r->fd, 0, 0, EXTARG, BAD_PTR, sz));
	ASSERT_EQ(1, submit_nops(r, 1));
	EXPECT_EQ(-EFAULT, io_uring_enter(r->fd, 0, 1, EXTARG, BAD_PTR, sz));
}

/* The timespec is only read when the call actually has to wait. */
TEST_F(wait, ext_arg_bad_ts)
{
	struct test_ring *r = &self->r;

	EXPECT_EQ(-EFAULT, wait_ext(r, 1, 0, BAD_PTR, NULL, 0, 0));
	/* min_complete 0 is always satisfied: no wait, ts never read */
	EXPECT_EQ(0, wait_ext(r, 0, 0, BAD_PTR, NULL, 0, 0));
	ASSERT_EQ(1, submit_nops(r, 1));
	EXPECT_EQ(0, wait_ext(r, 1, 0, BAD_PTR, NULL, 0, 0));
	/* 1 < 2 ready: it would wait, so the fault is reported, CQE or not */
	EXPECT_EQ(-EFAULT, wait_ext(r, 2, 0, BAD_PTR, NULL, 0, 0));
	/* the timespec is read before the sigmask is checked */
	EXPECT_EQ(-EFAULT, wait_ext(r, 2, 0, BAD_PTR, BAD_PTR, 3, 0));
	EXPECT_EQ(1U, ring_cq_ready(r));
}

/* A relative timeout with an empty CQ ends the wait with -ETIME. */
TEST_F(wait, timeout_empty)
{
	struct __kernel_timespec ts = ms_ts(20);
	struct test_ring *r = &self->r;

	EXPECT_EQ(-ETIME, wait_ext(r, 1, 0, &ts, NULL, 0, 0));
	EXPECT_EQ(-ETIME, wait_ext(r, 8, 0, &ts, NULL, 0, 0));
	/* min_complete above the CQ size is clamped; still just a timeout */
	EXPECT_EQ(-ETIME, wait_ext(r, 100000, 0, &ts, NULL, 0, 0));
	EXPECT_EQ(0U, ring_cq_ready(r));
	/* a zero timeout expires at once */
	ts = ms_ts(0);
	EXPECT_EQ(-ETIME, wait_ext(r, 1, 0, &ts, NULL, 0, 0));
}

/* Timeout with fewer than min_complete CQEs ready: 0, CQEs left alone. */
TEST_F(wait, timeout_partial)
{
	struct __kernel_timespec ts = ms_ts(20);
	struct test_ring *r = &self->r;
	struct io_uring_cqe cqe;

	ASSERT_EQ(1, submit_nops(r, 1));
	EXPECT_EQ(0, wait_ext(r, 2, 0, &ts, NULL, 0, 0));
	EXPECT_EQ(0, wait_ext(r, 4, 0, &ts, NULL, 0, 0));
	EXPECT_EQ(1U, ring_cq_ready(r));
	/* errors found before the wait are not turned into 0 */
	EXPECT_EQ(-EINVAL, wait_ext(r, 2, 0, &ts, &ts, 4, 0));
	ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
	EXPECT_EQ(1ULL, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	EXPECT_EQ(0U, cqe.flags);
	EXPECT_EQ(-ETIME, wait_ext(r, 2, 0, &ts, NULL, 0, 0));
}

/*
 * Submitting in the same call: the result is the number submitted, and the
 * wait's outcome (timeout, even a fault) is not reported.
 */
TEST_F(wait, submit_and_wait)
{
	struct __kernel_timespec ts = ms_ts(20);
	struct io_uring_getevents_arg arg = { .ts = (__u64)(uintptr_t)&ts };
	struct test_ring *r = &self->r;

	ASSERT_NE(NULL, ring_nop(r, 1));
	ring_flush(r);
	EXPECT_EQ(1, io_uring_enter(r->fd, 1, 2, EXTARG, &arg, sizeof(arg)));
	EXPECT_EQ(1U, ring_cq_ready(r));
	arg.ts = (__u64)(uintptr_t)BAD_PTR;
	ASSERT_NE(NULL, ring_nop(r, 2));
	ring_flush(r);
	EXPECT_EQ(1, io_uring_enter(r->fd, 1, 3, EXTARG, &arg, sizeof(arg)));
	EXPECT_EQ(2U, ring_cq_ready(r));
}

/* Enough CQEs already: 0 at once, neither ts nor sigmask looked at. */
TEST_F(wait, min_complete_ready)
{
	struct __kernel_timespec ts = ms_ts(WAIT_MS);
	struct test_ring *r = &self->r;
	sigset_t set;

	sigemptyset(&set);
	ASSERT_EQ(3, submit_nops(r, 3));
	EXPECT_EQ(0, wait_ext(r, 3, 0, &ts, NULL, 0, 0));
	EXPECT_EQ(0, wait_ext(r, 2, 0, &ts, &set, 1, 0));
	EXPECT_EQ(0, wait_ext(r, 1, 0, BAD_PTR, BAD_PTR, 1, 0));
	EXPECT_EQ(0, io_uring_enter(r->fd, 0, 3, GETEV, NULL, 0));
	EXPECT_EQ(0, io_uring_enter(r->fd, 0, 3, GETEV, &set, 1));
	EXPECT_EQ(3U, ring_cq_ready(r));
}

/* IORING_ENTER_ABS_TIMER: ts is a CLOCK_MONOTONIC time by default. */
TEST_F(wait, abs_timer_monotonic)
{
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 1 };

	EXPECT_EQ(-ETIME, wait_ext(r, 1, IORING_ENTER_ABS_TIMER, &ts, NULL, 0, 0));
	ts = abs_ts(CLOCK_MONOTONIC, -1000);
	EXPECT_EQ(-ETIME, wait_ext(r, 1, IORING_ENTER_ABS_TIMER, &ts, NULL, 0, 0));
	ts = abs_ts(CLOCK_MONOTONIC, 20);
	EXPECT_EQ(-ETIME, wait_ext(r, 1, IORING_ENTER_ABS_TIMER, &ts, NULL, 0, 0));
	/* past deadline with a CQE (but < min_complete) ready: 0 */
	ASSERT_EQ(1, submit_nops(r, 1));
	ts = abs_ts(CLOCK_MONOTONIC, -1000);
	EXPECT_EQ(0, wait_ext(r, 2, IORING_ENTER_ABS_TIMER, &ts, NULL, 0, 0));
	EXPECT_EQ(1U, ring_cq_ready(r));
}

/* IORING_REGISTER_CLOCK argument checks. */
TEST_F(wait, register_clock)
{
	struct io_uring_clock_register reg;
	struct test_ring *r = &self->r;
	int fd = r->fd;

	memset(&reg, 0, sizeof(reg));
	reg.clockid = CLOCK_MONOTONIC;
	EXPECT_EQ(0, io_uring_register(fd, IORING_REGISTER_CLOCK, &reg, 0));
	reg.clockid = CLOCK_BOOTTIME;
	EXPECT_EQ(0, io_uring_register(fd, IORING_REGISTER_CLOCK, &reg, 0));

	/* nr_args must be 0 and arg non-NULL, checked before reading it */
	EXPECT_EQ(-EINVAL, io_uring_register(fd, IORING_REGISTER_CLOCK, &reg, 1));
	EXPECT_EQ(-EINVAL, io_uring_register(fd, IORING_REGISTER_CLOCK, BAD_PTR, 1));
	EXPECT_EQ(-EINVAL, io_uring_register(fd, IORING_REGISTER_CLOCK, NULL, 0));
	EXPECT_EQ(-EFAULT, io_uring_register(fd, IORING_REGISTER_CLOCK, BAD_PTR, 0));

	reg.clockid = CLOCK_REALTIME;
	EXPECT_EQ(-EINVAL, io_uring_register(fd, IORING_REGISTER_CLOCK, &reg, 0));
	reg.clockid = CLOCK_MONOTONIC_RAW;
	EXPECT_EQ(-EINVAL, io_uring_register(fd, IORING_REGISTER_CLOCK, &reg, 0));
	reg.clockid = CLOCK_BOOTTIME_ALARM;
	EXPECT_EQ(-EINVAL, io_uring_register(fd, IORING_REGISTER_CLOCK, &reg, 0));
	reg.clockid = 12345;
	EXPECT_EQ(-EINVAL, io_uring_register(fd, IORING_REGISTER_CLOCK, &reg, 0));
	reg.clockid = CLOCK_MONOTONIC;
	reg.__resv[0] = 1;
	EXPECT_EQ(-EINVAL, io_uring_register(fd, IORING_REGISTER_CLOCK, &reg, 0));
	reg.__resv[0] = 0;
	reg.__resv[2] = 0x80000000;
	EXPECT_EQ(-EINVAL, io_uring_register(fd, IORING_REGISTER_CLOCK, &reg, 0));
}

/* With CLOCK_BOOTTIME registered, ABS_TIMER takes boottime values. */
TEST_F(wait, abs_timer_boottime)
{
	struct io_uring_clock_register reg = { .clockid = CLOCK_BOOTTIME };
	struct test_ring *r = &self->r;
	struct __kernel_timespec ts;

	ASSERT_EQ(0, io_uring_register(r->fd, IORING_REGISTER_CLOCK, &reg, 0));
	ts = abs_ts(CLOCK_BOOTTIME, -1000);
	EXPECT_EQ(-ETIME, wait_ext(r, 1, IORING_ENTER_ABS_TIMER, &ts, NULL, 0, 0));
	ts = abs_ts(CLOCK_BOOTTIME, 20);
	EXPECT_EQ(-ETIME, wait_ext(r, 1, IORING_ENTER_ABS_TIMER, &ts, NULL, 0, 0));
	/* relative timeouts still work on the boottime clock */
	ts = ms_ts(20);
	EXPECT_EQ(-ETIME, wait_ext(r, 1, 0, &ts, NULL, 0, 0));
	EXPECT_EQ(0U, ring_cq_ready(r));
}

/*
 * A signal interrupts a wait that has no timeout: -EINTR (not restarted,
 * the handler has no SA_RESTART) if the CQ is empty, 0 if it has CQEs.
 */
static void eintr_case(struct __test_metadata *_metadata, struct test_ring *r,
		       int pfd[2], char *buf, bool ext, unsigned int nr_ready)
{
	struct io_uring_getevents_arg arg;
	struct helper h;
	int ret;

	ASSERT_EQ(0, install_usr1());
	/* guard: completes the read if signals were ignored */
	ASSERT_EQ(1, submit_pipe_read(r, pfd[0], buf, 0x77));
	if (nr_ready) {
		ASSERT_EQ((int)nr_ready, submit_nops(r, nr_ready));
	}
	memset(&h, 0, sizeof(h));
	h.sig_from_ms = 10;
	h.wfd = pfd[1];
	h.w_ms = GUARD_MS;
	h.wfd2 = -1;
	h.end_ms = GUARD_MS + 100;
	ASSERT_EQ(0, helper_start(&h));
	helper_go(&h);
	memset(&arg, 0, sizeof(arg));
	if (ext)
		ret = io_uring_enter(r->fd, 0, nr_ready + 1, EXTARG, &arg, sizeof(arg));
	else
		ret = io_uring_enter(r->fd, 0, nr_ready + 1, GETEV, NULL, 0);
	helper_stop(&h);
	EXPECT_EQ(nr_ready ? 0 : -EINTR, ret);
	EXPECT_LE(1, usr1_count);
	/* the guard read is still pending: only the NOPs are there */
	EXPECT_EQ(nr_ready, ring_cq_ready(r));
}

TEST_F(wait, signal_eintr_ext_arg)
{
	eintr_case(_metadata, &self->r, self->pfd, self->buf, true, 0);
}

TEST_F(wait, signal_eintr_legacy)
{
	eintr_case(_metadata, &self->r, self->pfd, self->buf, false, 0);
}

TEST_F(wait, signal_with_cqe_ready)
{
	eintr_case(_metadata, &self->r, self->pfd, self->buf, true, 1);
}

/*
 * EXT_ARG sigmask blocking SIGUSR1 while another thread sends it: the wait
 * runs into its timeout, and the signal is delivered once the original mask
 * is back, before io_uring_enter() returns to the caller.
 */
TEST_F(wait, sigmask_blocks_during_wait)
{
	struct __kernel_timespec ts = ms_ts(200);
	struct test_ring *r = &self->r;
	struct helper h;
	sigset_t set;
	int ret;

	ASSERT_EQ(0, install_usr1());
	ASSERT_EQ(0, mask_usr1(SIG_UNBLOCK));
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	memset(&h, 0, sizeof(h));
	h.sig_from_ms = 20;
	h.sig_once = true;
	h.wfd = -1;
	h.wfd2 = -1;
	h.end_ms = 100;
	ASSERT_EQ(0, helper_start(&h));
	helper_go(&h);
	ret = wait_ext(r, 1, 0, &ts, &set, KSIGSET_SZ, 0);
	helper_stop(&h);
	EXPECT_EQ(1, h.sent);
	EXPECT_EQ(-ETIME, ret);
	EXPECT_EQ(1, usr1_count);
	EXPECT_FALSE(usr1_blocked());
}

/* A pending, blocked signal stays pending across a wait that blocks it. */
TEST_F(wait, sigmask_keeps_pending_blocked)
{
	struct __kernel_timespec ts = ms_ts(20);
	struct test_ring *r = &self->r;
	sigset_t set;

	ASSERT_EQ(0, install_usr1());
	ASSERT_EQ(0, mask_usr1(SIG_BLOCK));
	ASSERT_EQ(0, pthread_kill(pthread_self(), SIGUSR1));
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	EXPECT_EQ(-ETIME, wait_ext(r, 1, 0, &ts, &set, KSIGSET_SZ, 0));
	EXPECT_EQ(0, usr1_count);
	EXPECT_TRUE(usr1_blocked());
	/* still pending: delivered once it gets unblocked */
	ASSERT_EQ(0, mask_usr1(SIG_UNBLOCK));
	EXPECT_EQ(1, usr1_count);
}

/*
 * A pending signal blocked by the thread's mask but not by the wait's
 * sigmask interrupts the wait at once; the handler runs with the wait's
 * mask and the original mask is back afterwards (pselect-like).
 */
TEST_F(wait, sigmask_unblocks_pending)
{
	struct __kernel_timespec ts = ms_ts(WAIT_MS);
	struct test_ring *r = &self->r;
	sigset_t set;

	ASSERT_EQ(0, install_usr1());
	ASSERT_EQ(0, mask_usr1(SIG_BLOCK));
	ASSERT_EQ(0, pthread_kill(pthread_self(), SIGUSR1));
	sigemptyset(&set);
	EXPECT_EQ(-EINTR, wait_ext(r, 1, 0, &ts, &set, KSIGSET_SZ, 0));
	EXPECT_EQ(1, usr1_count);
	EXPECT_TRUE(usr1_blocked());
	ASSERT_EQ(0, mask_usr1(SIG_UNBLOCK));
	EXPECT_EQ(1, usr1_count);
}

/* sigmask_sz must be the kernel's sigset size; checked only when waiting. */
TEST_F(wait, sigmask_bad)
{
	struct __kernel_timespec ts = ms_ts(20);
	struct test_ring *r = &self->r;
	sigset_t set;

	sigemptyset(&set);
	EXPECT_EQ(-EINVAL, wait_ext(r, 1, 0, &ts, &set, KSIGSET_SZ - 4, 0));
	EXPECT_EQ(-EINVAL, wait_ext(r, 1, 0, &ts, &set, KSIGSET_SZ * 2, 0));
	EXPECT_EQ(-EINVAL, wait_ext(r, 1, 0, &ts, &set, sizeof(set), 0));
	EXPECT_EQ(-EINVAL, wait_ext(r, 1, 0, &ts, &set, 0, 0));
	EXPECT_EQ(-EINVAL, wait_ext(r, 1, 0, NULL, &set, 0, 0));
	/* size is checked before the mask is read */
	EXPECT_EQ(-EINVAL, wait_ext(r, 1, 0, &ts, BAD_PTR, 0, 0));
	EXPECT_EQ(-EFAULT, wait_ext(r, 1, 0, &ts, BAD_PTR, KSIGSET_SZ, 0));
	/* no sigmask: sigmask_sz is ignored */
	EXPECT_EQ(-ETIME, wait_ext(r, 1, 0, &ts, NULL, 12345, 0));
	/* a good one with a timeout */
	EXPECT_EQ(-ETIME, wait_ext(r, 1, 0, &ts, &set, KSIGSET_SZ, 0));
}

static void prep_timeout(struct test_ring *r, struct __kernel_timespec *ts, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	sqe->opcode = IORING_OP_TIMEOUT;
	sqe->addr = (__u64)(uintptr_t)ts;
	sqe->len = 1;
	sqe->user_data = ud;
}

/* Without EXT_ARG, argp is a sigset_t and argsz its size. */
/* Whether the kernel implements @op, as IORING_REGISTER_PROBE says. */
static bool op_supported(int ring_fd, unsigned int op)
{
	struct {
		struct io_uring_probe p;
		struct io_uring_probe_op ops[256];
	} probe;

	memset(&probe, 0, sizeof(probe));
	if (io_uring_register(ring_fd, IORING_REGISTER_PROBE, &probe, 256))
		return false;
	return op < probe.p.ops_len &&
	       (probe.ops[op].flags & IO_URING_OP_SUPPORTED);
}

TEST_F(wait, legacy_sigset)
{
	struct __kernel_timespec ts = ms_ts(20);
	struct test_ring *r = &self->r;
	struct io_uring_cqe cqe;
	sigset_t set;

	/* the waits below are bounded by IORING_OP_TIMEOUT requests */
	if (!op_supported(r->fd, IORING_OP_TIMEOUT))
		SKIP(return, "this kernel has no IORING_OP_TIMEOUT");
	sigemptyset(&set);
	/* a timeout request bounds every wait below */
	prep_timeout(r, &ts, 0x55);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_EQ(-EINVAL, io_uring_enter(r->fd, 0, 1, GETEV, &set, 4));
	EXPECT_EQ(-EINVAL, io_uring_enter(r->fd, 0, 1, GETEV, &set, sizeof(set)));
	EXPECT_EQ(-EINVAL, io_uring_enter(r->fd, 0, 1, GETEV, &set, 0));
	EXPECT_EQ(-EFAULT, io_uring_enter(r->fd, 0, 1, GETEV, BAD_PTR, KSIGSET_SZ));
	EXPECT_EQ(0, io_uring_enter(r->fd, 0, 1, GETEV, &set, KSIGSET_SZ));
	ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
	EXPECT_EQ(0x55ULL, cqe.user_data);
	EXPECT_EQ(-ETIME, cqe.res);
	EXPECT_EQ(0U, cqe.flags);

	/* the legacy sigset unblocks a pending signal too */
	ASSERT_EQ(0, install_usr1());
	ASSERT_EQ(0, mask_usr1(SIG_BLOCK));
	ASSERT_EQ(0, pthread_kill(pthread_self(), SIGUSR1));
	prep_timeout(r, &ts, 0x56);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_EQ(-EINTR, io_uring_enter(r->fd, 0, 1, GETEV, &set, KSIGSET_SZ));
	EXPECT_EQ(1, usr1_count);
	EXPECT_TRUE(usr1_blocked());
	ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
	EXPECT_EQ(0x56ULL, cqe.user_data);
	EXPECT_EQ(-ETIME, cqe.res);
}

/*
 * min_wait_usec: once min_wait has passed, any ready CQE ends the wait with
 * 0 even below min_complete. Here the only CQE was ready before the call.
 * A guard write completes a second request after GUARD_MS: if the kernel
 * kept waiting for min_complete, two CQEs would be seen.
 */
TEST_F(wait, min_wait_ready_cqe)
{
	struct __kernel_timespec ts = ms_ts(3000);
	struct test_ring *r = &self->r;
	struct io_uring_cqe cqe;
	struct helper h;
	int ret;

	ASSERT_EQ(1, submit_pipe_read(r, self->pfd[0], self->buf, 0x77));
	ASSERT_EQ(1, submit_nops(r, 1));
	memset(&h, 0, sizeof(h));
	h.sig_from_ms = -1;
	h.wfd = self->pfd[1];
	h.w_ms = GUARD_MS;
	h.wfd2 = -1;
	h.end_ms = GUARD_MS + 100;
	ASSERT_EQ(0, helper_start(&h));
	helper_go(&h);
	ret = wait_ext(r, 2, 0, &ts, NULL, 0, 10000);
	helper_stop(&h);
	EXPECT_EQ(0, ret);
	EXPECT_EQ(1U, ring_cq_ready(r));
	ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
	EXPECT_EQ(1ULL, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
}

/*
 * min_wait_usec with no CQE ready when it expires: the wait goes on until
 * the timeout, but the first CQE posted after that ends it (0, one CQE,
 * min_complete 2 not reached). A second CQE comes only after GUARD_MS.
 */
TEST_F(wait, min_wait_then_one_cqe)
{
	struct __kernel_timespec ts = ms_ts(3000);
	struct test_ring *r = &self->r;
	struct io_uring_cqe cqe;
	struct helper h;
	int ret;

	ASSERT_EQ(1, submit_pipe_read(r, self->pfd[0], self->buf, 0x71));
	ASSERT_EQ(1, submit_pipe_read(r, self->pfd2[0], self->buf + 1, 0x72));
	memset(&h, 0, sizeof(h));
	h.sig_from_ms = -1;
	h.wfd = self->pfd[1];
	h.w_ms = 100;
	h.wfd2 = self->pfd2[1];
	h.w2_ms = GUARD_MS;
	h.end_ms = GUARD_MS + 100;
	ASSERT_EQ(0, helper_start(&h));
	helper_go(&h);
	ret = wait_ext(r, 2, 0, &ts, NULL, 0, 10000);
	helper_stop(&h);
	EXPECT_EQ(0, ret);
	EXPECT_EQ(1U, ring_cq_ready(r));
	ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
	EXPECT_EQ(0x71ULL, cqe.user_data);
	EXPECT_EQ(1, cqe.res);
	EXPECT_EQ('x', self->buf[0]);
}

/*
 * min_wait_usec without a timeout and no CQE: the wait ends when min_wait
 * expires, with -ETIME (the guard would otherwise end it with a CQE).
 */
TEST_F(wait, min_wait_no_timeout)
{
	struct test_ring *r = &self->r;
	struct helper h;
	int ret;

	ASSERT_EQ(1, submit_pipe_read(r, self->pfd[0], self->buf, 0x77));
	memset(&h, 0, sizeof(h));
	h.sig_from_ms = -1;
	h.wfd = self->pfd[1];
	h.w_ms = GUARD_MS;
	h.wfd2 = -1;
	h.end_ms = GUARD_MS + 100;
	ASSERT_EQ(0, helper_start(&h));
	helper_go(&h);
	ret = wait_ext(r, 1, 0, NULL, NULL, 0, 10000);
	helper_stop(&h);
	EXPECT_EQ(-ETIME, ret);
	EXPECT_EQ(0U, ring_cq_ready(r));
}

TEST_HARNESS_MAIN
