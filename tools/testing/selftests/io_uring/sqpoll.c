// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_SETUP_SQPOLL, IORING_SETUP_SQ_AFF and IORING_SETUP_ATTACH_WQ: the
 * SQ thread submits for the ring, sleeps when idle and is woken with
 * IORING_ENTER_SQ_WAKEUP; its fdinfo, credentials, file table, signals and
 * lifetime. Follows Linux 6.12.
 */
#include "kselftest_harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "uring_test.h"

#define UD		0x5a90110000000000ULL
/* bound on anything that must happen (the debug kernel under TCG is slow) */
#define WAIT_MS		10000
/* how long something that must not happen yet is given to (wrongly) happen */
#define PENDING_MS	100
/* sq_thread_idle for tests that want the SQ thread to go to sleep */
#define IDLE_SHORT	10
/* ... and for those that want it to stay awake while they work */
#define IDLE_LONG	4000
#define NOBODY		65534

/* child exit codes for failures; 0 is success */
#define CH_SETUP	10
#define CH_SQE		11
#define CH_CQE		12
#define CH_PIPE		13
#define CH_EXEC		14
#define CH_UID		15
#define CH_FDINFO	16

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Number of threads of this process. */
static int count_threads(void)
{
	struct dirent *de;
	DIR *d = opendir("/proc/self/task");
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] != '.')
			n++;
	}
	closedir(d);
	return n;
}

/* Wait up to @ms for this process to have @n threads; returns the count. */
static int wait_threads(int n, unsigned int ms)
{
	long long end = now_ms() + ms;
	int cur;

	while ((cur = count_threads()) != n && now_ms() < end)
		sleep_ms(5);
	return cur;
}

static int sqpoll_init(struct test_ring *r, unsigned int entries, unsigned int flags,
		       unsigned int idle_ms)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL | flags;
	p.sq_thread_idle = idle_ms;
	return ring_init(r, entries, &p);
}

/* Whether this kernel creates a plain, valid SQPOLL ring at all. */
static bool sqpoll_supported(void)
{
	int threads = count_threads();
	struct test_ring r;
	int ret = sqpoll_init(&r, 2, 0, IDLE_SHORT);

	if (ret == 0) {
		ring_exit(&r);
		/* its thread goes away in the background: let it */
		wait_threads(threads, WAIT_MS);
	}
	return ret != -EINVAL;
}

/* tests that make their own SQPOLL rings check first that one works */
#define REQUIRE_SQPOLL() ASSERT_TRUE(sqpoll_supported())

/* Set up a plain SQPOLL ring; the test fails if that is refused. */
#define SQPOLL_INIT(r, entries, flags, idle) do {				\
	int __ret = sqpoll_init(r, entries, flags, idle);			\
	ASSERT_EQ(0, __ret);							\
} while (0)

static unsigned int sq_flags(struct test_ring *r)
{
	return __atomic_load_n(r->sq_flags, __ATOMIC_ACQUIRE);
}

/*
 * Publish the queued SQEs the way an SQPOLL application does: store the
 * tail, then (after a full barrier) wake the SQ thread only if it asked
 * for it. Returns the io_uring_enter() result or 0.
 */
static int sq_kick(struct test_ring *r)
{
	ring_flush(r);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (sq_flags(r) & IORING_SQ_NEED_WAKEUP)
		return io_uring_enter(r->fd, 0, 0, IORING_ENTER_SQ_WAKEUP, NULL, 0);
	return 0;
}

/*
 * Wait up to @ms for @n CQEs to be ready, entering the kernel only with
 * IORING_ENTER_GETEVENTS (to_submit 0). Returns the number ready.
 */
static unsigned int wait_cq(struct test_ring *r, unsigned int n, unsigned int ms)
{
	long long end = now_ms() + ms;

	while (ring_cq_ready(r) < n) {
		struct io_uring_getevents_arg arg;
		struct __kernel_timespec ts;
		long long left = end - now_ms();

		if (left <= 0)
			break;
		if (left > 200)
			left = 200;
		ts.tv_sec = 0;
		ts.tv_nsec = left * 1000000LL;
		memset(&arg, 0, sizeof(arg));
		arg.ts = (__u64)(uintptr_t)&ts;
		io_uring_enter(r->fd, 0, n - ring_cq_ready(r),
			       IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof(arg));
	}
	return ring_cq_ready(r);
}

/*
 * Wait up to @ms for the SQ head to reach @n. The SQ thread posts the CQEs
 * of a batch before it stores the new head, so a CQE may be seen first.
 */
static unsigned int wait_sq_head(struct test_ring *r, unsigned int n, unsigned int ms)
{
	long long end = now_ms() + ms;

	while ((int)(load_acquire(r->sq_head) - n) < 0 && now_ms() < end)
		sleep_ms(1);
	return load_acquire(r->sq_head);
}

/* Pop one CQE (waiting for it) and check it. */
#define EXPECT_CQE(r, ud, res_) do {						\
	struct io_uring_cqe *__c;						\
	ASSERT_LE(1U, wait_cq(r, 1, WAIT_MS));					\
	__c = ring_peek_cqe(r);							\
	EXPECT_EQ((__u64)(ud), __c->user_data);					\
	EXPECT_EQ((int)(res_), __c->res);					\
	EXPECT_EQ(0U, __c->flags);						\
	ring_cqe_seen(r);							\
} while (0)

/* Queue NOP @ud, publish it and wait for its CQE; 0 or -errno. */
static int nop_roundtrip(struct test_ring *r, __u64 ud)
{
	struct io_uring_cqe *cqe;
	int ret;

	if (!ring_nop(r, ud))
		return -ENOSPC;
	ret = sq_kick(r);
	if (ret < 0)
		return ret;
	if (wait_cq(r, 1, WAIT_MS) < 1)
		return -ETIME;
	cqe = ring_peek_cqe(r);
	ret = (cqe->user_data == ud && cqe->res == 0 && cqe->flags == 0) ? 0 : -EPROTO;
	ring_cqe_seen(r);
	return ret;
}

static void prep_rw(struct io_uring_sqe *sqe, __u8 op, int fd, void *buf, unsigned int len,
		    __u64 off, __u64 ud)
{
	sqe->opcode = op;
	sqe->fd = fd;
	sqe->addr = (__u64)(uintptr_t)buf;
	sqe->len = len;
	sqe->off = off;
	sqe->user_data = ud;
}

static void prep_openat(struct io_uring_sqe *sqe, const char *path, __u16 personality,
			__u64 ud)
{
	sqe->opcode = IORING_OP_OPENAT;
	sqe->fd = AT_FDCWD;
	sqe->addr = (__u64)(uintptr_t)path;
	sqe->open_flags = O_RDONLY | O_CLOEXEC;
	sqe->personality = personality;
	sqe->user_data = ud;
}

/* Value of the "@key:" line of the ring's fdinfo, or LONG_MIN if absent. */
static long fdinfo_val(int fd, const char *key)
{
	char path[64], buf[16384];
	size_t klen = strlen(key), len = 0;
	const char *line;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return LONG_MIN;
	while (len < sizeof(buf) - 1) {
		n = read(f, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(f);
	buf[len] = '\0';
	for (line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (!strncmp(line, key, klen) && line[klen] == ':')
			return strtol(line + klen + 1, NULL, 0);
	}
	return LONG_MIN;
}

/*
 * SqThread and SqThreadCpu of a ring. fdinfo shows -1 for both while it
 * cannot take the ring lock, so a live SQPOLL ring is read again then.
 */
static void sq_thread_info(int fd, long *pid, long *cpu)
{
	int i;

	for (i = 0; i < 200; i++) {
		*pid = fdinfo_val(fd, "SqThread");
		*cpu = fdinfo_val(fd, "SqThreadCpu");
		if (*pid != -1)
			return;
		sleep_ms(5);
	}
}

static bool is_own_thread(long tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld", tid);
	return tid > 0 && access(path, F_OK) == 0;
}

static int thread_comm(long tid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/comm", tid);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -errno;
	n = read(f, buf, len - 1);
	close(f);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* An fd number that is not open. */
static int closed_fd(void)
{
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return fd;
}

/*
 * Reap @pid within @timeout_ms, never blocking. On timeout the child is
 * killed and reaped, and -ETIMEDOUT is returned.
 */
static int wait_child(pid_t pid, unsigned int timeout_ms, int *status)
{
	long long end = now_ms() + timeout_ms;
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
	waitpid(pid, NULL, 0);
	return -ETIMEDOUT;
}

/* Wait up to @ms for @fd to be readable; read one int from it. */
static int read_int(int fd, unsigned int ms, long *val)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, 1, ms) != 1)
		return -ETIME;
	return read(fd, val, sizeof(*val)) == sizeof(*val) ? 0 : -EIO;
}

static void write_int(int fd, long val)
{
	if (write(fd, &val, sizeof(val)) != sizeof(val))
		_exit(CH_PIPE);
}

/*
 * Wait up to @ms for the pipe write end @wfd to report POLLERR, i.e. for
 * the last reference to its read end to be gone: requests hold file
 * references, so this shows the requests reading it were freed.
 */
static bool wait_no_readers(int wfd, unsigned int ms)
{
	long long end = now_ms() + ms;
	struct pollfd pfd;

	do {
		pfd.fd = wfd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR))
			return true;
		sleep_ms(5);
	} while (now_ms() < end);
	return false;
}

/* ------------------------------------------------------------------------ */
/* submission without io_uring_enter() */

TEST(features_and_params)
{
	struct io_uring_params p, plain;
	struct test_ring r;
	int ret;

	memset(&plain, 0, sizeof(plain));
	ASSERT_EQ(0, ring_init(&r, 4, &plain));
	ring_exit(&r);

	/* without SQ_AFF, sq_thread_cpu is not looked at */
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL;
	p.sq_thread_idle = 1234;
	p.sq_thread_cpu = ~0U;
	ret = ring_init(&r, 4, &p);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(IORING_FEAT_SQPOLL_NONFIXED, p.features & IORING_FEAT_SQPOLL_NONFIXED);
	/* an SQPOLL ring reports the same features as any other */
	EXPECT_EQ(plain.features, p.features);
	EXPECT_EQ((unsigned int)IORING_SETUP_SQPOLL, p.flags);
	EXPECT_EQ(1234U, p.sq_thread_idle);
	EXPECT_EQ(~0U, p.sq_thread_cpu);
	EXPECT_EQ(4U, p.sq_entries);
	EXPECT_EQ(8U, p.cq_entries);
	EXPECT_EQ(0U, sq_flags(&r) & ~(unsigned int)IORING_SQ_NEED_WAKEUP);
	EXPECT_EQ(0, nop_roundtrip(&r, UD));
	ring_exit(&r);
}

/*
 * While the SQ thread is awake, published SQEs are consumed and completed
 * without any io_uring_enter() that submits: only GETEVENTS waits here.
 */
TEST(consumed_without_enter)
{
	char path[] = "/tmp/sqpoll-rwXXXXXX";
	static char wbuf[4096], rbuf[4096];
	struct io_uring_sqe *sqe;
	struct test_ring r;
	unsigned int i;
	int fd;

	SQPOLL_INIT(&r, 8, 0, IDLE_LONG);
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	unlink(path);
	for (i = 0; i < sizeof(wbuf); i++)
		wbuf[i] = (char)(i * 7 + 3);

	/* wake the thread once; it then stays awake for IDLE_LONG */
	ASSERT_NE(NULL, ring_nop(&r, UD));
	ring_flush(&r);
	EXPECT_EQ(1, io_uring_enter(r.fd, 1, 0, IORING_ENTER_SQ_WAKEUP, NULL, 0));
	EXPECT_CQE(&r, UD, 0);

	for (i = 1; i <= 4; i++) {
		ASSERT_NE(NULL, ring_nop(&r, UD + i));
	}
	ring_flush(&r);
	ASSERT_EQ(4U, wait_cq(&r, 4, WAIT_MS));
	EXPECT_EQ(5U, wait_sq_head(&r, 5, WAIT_MS));
	for (i = 1; i <= 4; i++) {
		EXPECT_CQE(&r, UD + i, 0);
	}

	/* a write and a read of a file, each only published */
	sqe = ring_get_sqe(&r);
	ASSERT_NE(NULL, sqe);
	prep_rw(sqe, IORING_OP_WRITE, fd, wbuf, sizeof(wbuf), 0, UD + 10);
	ring_flush(&r);
	EXPECT_CQE(&r, UD + 10, (int)sizeof(wbuf));
	sqe = ring_get_sqe(&r);
	ASSERT_NE(NULL, sqe);
	prep_rw(sqe, IORING_OP_READ, fd, rbuf, sizeof(rbuf), 0, UD + 11);
	ring_flush(&r);
	EXPECT_CQE(&r, UD + 11, (int)sizeof(rbuf));
	EXPECT_EQ(0, memcmp(wbuf, rbuf, sizeof(rbuf)));
	EXPECT_EQ(7U, wait_sq_head(&r, 7, WAIT_MS));
	EXPECT_EQ(0U, *r.sq_dropped);
	EXPECT_EQ(0U, *r.cq_overflow);
	close(fd);
	ring_exit(&r);
}

/* On an SQPOLL ring io_uring_enter() returns to_submit, whatever is queued. */
TEST(enter_returns_to_submit)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 20000000 };
	struct io_uring_getevents_arg arg;
	struct test_ring r;

	SQPOLL_INIT(&r, 4, 0, IDLE_LONG);
	memset(&arg, 0, sizeof(arg));
	arg.ts = (__u64)(uintptr_t)&ts;

	/* nothing queued */
	EXPECT_EQ(7, io_uring_enter(r.fd, 7, 0, 0, NULL, 0));
	EXPECT_EQ(1000, io_uring_enter(r.fd, 1000, 0, IORING_ENTER_SQ_WAKEUP, NULL, 0));
	EXPECT_EQ(0U, load_acquire(r.sq_head));
	/* a GETEVENTS timeout does not replace a non-zero to_submit */
	EXPECT_EQ(3, io_uring_enter(r.fd, 3, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
				    &arg, sizeof(arg)));
	EXPECT_EQ(-ETIME, io_uring_enter(r.fd, 0, 1,
					 IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
					 &arg, sizeof(arg)));
	EXPECT_EQ(0U, ring_cq_ready(&r));

	/* fewer queued than to_submit: the thread takes what is there */
	ASSERT_NE(NULL, ring_nop(&r, UD));
	ASSERT_NE(NULL, ring_nop(&r, UD + 1));
	ring_flush(&r);
	EXPECT_EQ(4, io_uring_enter(r.fd, 4, 0, IORING_ENTER_SQ_WAKEUP, NULL, 0));
	EXPECT_CQE(&r, UD, 0);
	EXPECT_CQE(&r, UD + 1, 0);
	EXPECT_EQ(2U, wait_sq_head(&r, 2, WAIT_MS));
	ring_exit(&r);
}

/* Wait up to @ms for IORING_SQ_NEED_WAKEUP. */
static bool wait_need_wakeup(struct test_ring *r, unsigned int ms)
{
	long long end = now_ms() + ms;

	while (!(sq_flags(r) & IORING_SQ_NEED_WAKEUP)) {
		if (now_ms() >= end)
			return false;
		sleep_ms(1);
	}
	return true;
}

TEST(idle_need_wakeup)
{
	struct test_ring r;
	int i;

	SQPOLL_INIT(&r, 4, 0, IDLE_SHORT);
	ASSERT_EQ(0, nop_roundtrip(&r, UD));

	for (i = 0; i < 2; i++) {
		/* idle for sq_thread_idle: the thread asks to be woken */
		ASSERT_TRUE(wait_need_wakeup(&r, WAIT_MS));
		/* asleep: a published SQE stays where it is */
		sleep_ms(200);
		ASSERT_NE(NULL, ring_nop(&r, UD + 1 + i));
		ring_flush(&r);
		sleep_ms(PENDING_MS);
		EXPECT_EQ((unsigned int)i + 1, load_acquire(r.sq_head));
		EXPECT_EQ(0U, ring_cq_ready(&r));
		EXPECT_NE(0U, sq_flags(&r) & IORING_SQ_NEED_WAKEUP);

		/* SQ_WAKEUP wakes it, and it submits what was queued */
		EXPECT_EQ(0, io_uring_enter(r.fd, 0, 0, IORING_ENTER_SQ_WAKEUP, NULL, 0));
		EXPECT_CQE(&r, UD + 1 + i, 0);
		EXPECT_EQ((unsigned int)i + 2, wait_sq_head(&r, i + 2, WAIT_MS));
	}
	ring_exit(&r);
}

/* IORING_ENTER_SQ_WAIT returns once the SQ ring has a free entry. */
TEST(sq_wait)
{
	struct test_ring r;
	unsigned int i;

	SQPOLL_INIT(&r, 4, 0, IDLE_SHORT);
	ASSERT_EQ(0, nop_roundtrip(&r, UD));

	/* not full: returns at once */
	EXPECT_EQ(0, io_uring_enter(r.fd, 0, 0, IORING_ENTER_SQ_WAIT, NULL, 0));
	EXPECT_EQ(2, io_uring_enter(r.fd, 2, 0, IORING_ENTER_SQ_WAIT, NULL, 0));

	/* fill the SQ ring while the thread sleeps */
	ASSERT_TRUE(wait_need_wakeup(&r, WAIT_MS));
	sleep_ms(200);
	for (i = 0; i < 4; i++) {
		ASSERT_NE(NULL, ring_nop(&r, UD + 1 + i));
	}
	EXPECT_EQ(NULL, ring_get_sqe(&r));
	ring_flush(&r);
	EXPECT_EQ(4U, r.sqe_tail - load_acquire(r.sq_head));

	/* full and nobody wakes the thread: it waits, until a signal */
	ASSERT_EQ(0, arm_alarm(200));
	EXPECT_EQ(0, io_uring_enter(r.fd, 0, 0, IORING_ENTER_SQ_WAIT, NULL, 0));
	EXPECT_EQ(1, alarm_fired);
	EXPECT_EQ(1U, load_acquire(r.sq_head));
	EXPECT_EQ(0U, ring_cq_ready(&r));

	/* woken, the thread makes room (the alarm is only a safety net) */
	ASSERT_EQ(0, arm_alarm(30000));
	EXPECT_EQ(3, io_uring_enter(r.fd, 3, 0, IORING_ENTER_SQ_WAKEUP | IORING_ENTER_SQ_WAIT,
				    NULL, 0));
	EXPECT_EQ(0, alarm_fired);
	ASSERT_EQ(0, arm_alarm(0));
	/* the thread may store the head it has taken a little later */
	EXPECT_LE(2U, wait_sq_head(&r, 2, WAIT_MS));
	ASSERT_EQ(4U, wait_cq(&r, 4, WAIT_MS));
	for (i = 0; i < 4; i++) {
		EXPECT_CQE(&r, UD + 1 + i, 0);
	}
	EXPECT_EQ(5U, wait_sq_head(&r, 5, WAIT_MS));
	ring_exit(&r);
}

/* An R_DISABLED SQPOLL ring: nothing is submitted until it is enabled. */
TEST(r_disabled)
{
	struct test_ring r;

	SQPOLL_INIT(&r, 4, IORING_SETUP_R_DISABLED, IDLE_LONG);
	ASSERT_NE(NULL, ring_nop(&r, UD));
	ring_flush(&r);
	EXPECT_EQ(-EBADFD, io_uring_enter(r.fd, 1, 0, IORING_ENTER_SQ_WAKEUP, NULL, 0));
	sleep_ms(PENDING_MS);
	EXPECT_EQ(0U, load_acquire(r.sq_head));
	EXPECT_EQ(0U, ring_cq_ready(&r));

	EXPECT_EQ(0, io_uring_register(r.fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0));
	/* enabling wakes the thread: the SQE goes without another enter */
	EXPECT_CQE(&r, UD, 0);
	EXPECT_EQ(1, io_uring_enter(r.fd, 1, 0, 0, NULL, 0));
	ring_exit(&r);
}

/* ------------------------------------------------------------------------ */
/* IORING_SETUP_SQ_AFF */

static int try_setup(unsigned int flags, unsigned int cpu, unsigned int wq_fd)
{
	struct io_uring_params p;
	int fd;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	p.sq_thread_idle = IDLE_SHORT;
	p.sq_thread_cpu = cpu;
	p.wq_fd = wq_fd;
	fd = io_uring_setup(4, &p);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return fd;
}

/* Highest CPU we may run on, or -1. */
static int some_cpu(void)
{
	cpu_set_t set;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (cpu = CPU_SETSIZE - 1; cpu >= 0; cpu--) {
		if (CPU_ISSET(cpu, &set))
			return cpu;
	}
	return -1;
}

/* Parse the last number of a cpu list such as "0-3,5" (the highest CPU). */
static int cpulist_last(const char *file)
{
	char buf[256], *p;
	ssize_t n;
	int f = open(file, O_RDONLY | O_CLOEXEC);

	if (f < 0)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (p = buf + n; p > buf && (p[-1] < '0' || p[-1] > '9'); p--)
		*(p - 1) = '\0';
	while (p > buf && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return atoi(p);
}

TEST(sq_aff_valid)
{
	struct io_uring_params p;
	struct test_ring r;
	cpu_set_t set;
	long pid, cpu;
	int want = some_cpu();

	REQUIRE_SQPOLL();
	ASSERT_LE(0, want);
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF;
	p.sq_thread_idle = IDLE_SHORT;
	p.sq_thread_cpu = (unsigned int)want;
	ASSERT_EQ(0, ring_init(&r, 4, &p));
	EXPECT_EQ((unsigned int)want, p.sq_thread_cpu);
	ASSERT_EQ(0, nop_roundtrip(&r, UD));

	sq_thread_info(r.fd, &pid, &cpu);
	ASSERT_TRUE(is_own_thread(pid));
	EXPECT_EQ(want, cpu);
	/* the thread is bound to that CPU alone */
	ASSERT_EQ(0, sched_getaffinity((pid_t)pid, sizeof(set), &set));
	EXPECT_EQ(1, CPU_COUNT(&set));
	EXPECT_TRUE(CPU_ISSET(want, &set));
	ring_exit(&r);
}

TEST(sq_aff_invalid)
{
	int last = cpulist_last("/sys/devices/system/cpu/possible");
	int base = count_threads();
	char path[64], c;
	int cpu, f;

	REQUIRE_SQPOLL();
	ASSERT_LE(0, last);
	/* beyond the possible CPUs */
	EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF, last + 1, 0));
	EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF, 4096, 0));
	EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF, ~0U, 0));
	EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF, 1U << 31, 0));
	/* possible but offline, if this machine has such a CPU */
	for (cpu = 1; cpu <= last; cpu++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
		f = open(path, O_RDONLY | O_CLOEXEC);
		if (f < 0)
			continue;
		if (read(f, &c, 1) == 1 && c == '0') {
			EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF,
						     cpu, 0));
		}
		close(f);
	}
	/* no thread was made for any of them */
	EXPECT_EQ(base, count_threads());
}

TEST(sq_aff_needs_sqpoll)
{
	int cpu = some_cpu();
	struct test_ring r;

	REQUIRE_SQPOLL();
	ASSERT_LE(0, cpu);
	EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_SQ_AFF, cpu, 0));
	EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_SQ_AFF, ~0U, 0));
	/* the wq_fd check of ATTACH_WQ comes first */
	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));
	EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_SQ_AFF | IORING_SETUP_ATTACH_WQ, cpu, r.fd));
	EXPECT_EQ(-ENXIO, try_setup(IORING_SETUP_SQ_AFF | IORING_SETUP_ATTACH_WQ, cpu,
				    closed_fd()));
	ring_exit(&r);
}

/* ------------------------------------------------------------------------ */
/* IORING_SETUP_ATTACH_WQ */

TEST(attach_wq_errors)
{
	struct test_ring plain, sq;
	int base, bad, pfd[2];

	REQUIRE_SQPOLL();
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	ASSERT_EQ(0, ring_init_flags(&plain, 4, 0));
	ASSERT_EQ(0, sqpoll_init(&sq, 4, 0, IDLE_SHORT));
	base = count_threads();
	bad = closed_fd();
	ASSERT_LE(0, bad);

	/* SQPOLL: wq_fd must be an SQPOLL ring */
	EXPECT_EQ(-ENXIO, try_setup(IORING_SETUP_SQPOLL | IORING_SETUP_ATTACH_WQ, 0, bad));
	EXPECT_EQ(-ENXIO, try_setup(IORING_SETUP_SQPOLL | IORING_SETUP_ATTACH_WQ, 0, ~0U));
	EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_SQPOLL | IORING_SETUP_ATTACH_WQ, 0, pfd[0]));
	EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_SQPOLL | IORING_SETUP_ATTACH_WQ, 0, plain.fd));

	/* without SQPOLL, wq_fd need only be a ring, any ring */
	EXPECT_EQ(-ENXIO, try_setup(IORING_SETUP_ATTACH_WQ, 0, bad));
	EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_ATTACH_WQ, 0, pfd[0]));
	EXPECT_EQ(0, try_setup(IORING_SETUP_ATTACH_WQ, 0, plain.fd));
	EXPECT_EQ(0, try_setup(IORING_SETUP_ATTACH_WQ, 0, sq.fd));

	/* flag combinations are checked before wq_fd */
	EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_SQPOLL | IORING_SETUP_ATTACH_WQ |
				     IORING_SETUP_COOP_TASKRUN, 0, bad));
	EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_ATTACH_WQ | IORING_SETUP_TASKRUN_FLAG, 0, bad));
	EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_ATTACH_WQ | IORING_SETUP_DEFER_TASKRUN, 0, bad));
	EXPECT_EQ(-ENXIO, try_setup(IORING_SETUP_ATTACH_WQ | IORING_SETUP_COOP_TASKRUN, 0, bad));
	/* ... but after the rings are set up (NO_MMAP without memory: -EFAULT) */
	EXPECT_EQ(-EFAULT, try_setup(IORING_SETUP_ATTACH_WQ | IORING_SETUP_NO_MMAP, 0, bad));
	EXPECT_EQ(-EFAULT, try_setup(IORING_SETUP_SQPOLL | IORING_SETUP_ATTACH_WQ |
				     IORING_SETUP_NO_MMAP, 0, bad));
	EXPECT_EQ(-EFAULT, try_setup(IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF |
				     IORING_SETUP_NO_MMAP, ~0U, 0));

	/* none of these made a thread */
	EXPECT_EQ(base, count_threads());
	ring_exit(&sq);
	ring_exit(&plain);
	close(pfd[0]);
	close(pfd[1]);
}

TEST(attach_wq_shared_thread)
{
	struct test_ring a, b, c;
	struct io_uring_params p;
	long pa, pb, pc, cpu;
	int base = count_threads();

	SQPOLL_INIT(&a, 4, 0, IDLE_SHORT);
	EXPECT_EQ(base + 1, count_threads());
	ASSERT_EQ(0, nop_roundtrip(&a, UD));
	sq_thread_info(a.fd, &pa, &cpu);
	ASSERT_TRUE(is_own_thread(pa));

	/* attached: SQ_AFF and its CPU are not looked at */
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL | IORING_SETUP_ATTACH_WQ | IORING_SETUP_SQ_AFF;
	p.sq_thread_cpu = ~0U;
	p.wq_fd = (unsigned int)a.fd;
	ASSERT_EQ(0, ring_init(&b, 4, &p));
	EXPECT_EQ(base + 1, count_threads());
	ASSERT_EQ(0, nop_roundtrip(&b, UD + 1));
	sq_thread_info(b.fd, &pb, &cpu);
	EXPECT_EQ(pa, pb);
	EXPECT_LE(0, cpu);

	/* both rings are served at the same time */
	ASSERT_NE(NULL, ring_nop(&a, UD + 2));
	ASSERT_NE(NULL, ring_nop(&b, UD + 3));
	EXPECT_LE(0, sq_kick(&a));
	EXPECT_LE(0, sq_kick(&b));
	EXPECT_CQE(&a, UD + 2, 0);
	EXPECT_CQE(&b, UD + 3, 0);

	/* ATTACH_WQ without SQPOLL to an SQPOLL ring: a plain ring */
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_ATTACH_WQ;
	p.wq_fd = (unsigned int)a.fd;
	ASSERT_EQ(0, ring_init(&c, 4, &p));
	EXPECT_EQ(-1, fdinfo_val(c.fd, "SqThread"));
	ASSERT_NE(NULL, ring_nop(&c, UD + 4));
	EXPECT_EQ(1, ring_submit(&c, 1, 0, 0));
	EXPECT_CQE(&c, UD + 4, 0);
	EXPECT_EQ(base + 1, count_threads());

	/* the thread outlives the ring it was made for */
	ring_exit(&a);
	ASSERT_EQ(0, nop_roundtrip(&b, UD + 5));
	sq_thread_info(b.fd, &pc, &cpu);
	EXPECT_EQ(pa, pc);
	EXPECT_TRUE(is_own_thread(pc));
	ring_exit(&b);
	ring_exit(&c);
	EXPECT_EQ(base, wait_threads(base, WAIT_MS));
}

struct attach_result {
	int setup;
	int nop;
	long tid;
	int own;
	int threads;
};

/* Attaching to another process's SQ thread makes a thread of one's own. */
TEST(attach_wq_other_process)
{
	struct attach_result *res;
	struct test_ring a, b;
	struct io_uring_params p;
	long pa, cpu;
	pid_t pid;
	int status;

	SQPOLL_INIT(&a, 4, 0, IDLE_SHORT);
	ASSERT_EQ(0, nop_roundtrip(&a, UD));
	sq_thread_info(a.fd, &pa, &cpu);
	ASSERT_TRUE(is_own_thread(pa));
	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, res);
	memset(res, 0, sizeof(*res));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_SQPOLL | IORING_SETUP_ATTACH_WQ;
		p.sq_thread_idle = IDLE_SHORT;
		p.wq_fd = (unsigned int)a.fd;
		res->setup = ring_init(&b, 4, &p);
		if (res->setup)
			_exit(0);
		res->nop = nop_roundtrip(&b, UD + 1);
		sq_thread_info(b.fd, &res->tid, &cpu);
		res->own = is_own_thread(res->tid);
		res->threads = count_threads();
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid, WAIT_MS * 2, &status));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, res->setup);
	EXPECT_EQ(0, res->nop);
	EXPECT_NE(pa, res->tid);
	EXPECT_TRUE(res->own);
	EXPECT_EQ(2, res->threads);
	/* the parent's ring is unaffected */
	EXPECT_EQ(0, nop_roundtrip(&a, UD + 2));
	munmap(res, sizeof(*res));
	ring_exit(&a);
}

/* ------------------------------------------------------------------------ */
/* fdinfo */

TEST(fdinfo_sqpoll)
{
	struct test_ring r;
	char comm[32], want[32];
	long pid, cpu;
	int base = count_threads();

	SQPOLL_INIT(&r, 4, 0, IDLE_SHORT);
	/* the thread is made by io_uring_setup() itself */
	EXPECT_EQ(base + 1, count_threads());
	ASSERT_EQ(0, nop_roundtrip(&r, UD));

	sq_thread_info(r.fd, &pid, &cpu);
	/* a thread of this process, named after the task that made it */
	ASSERT_TRUE(is_own_thread(pid));
	EXPECT_NE((long)getpid(), pid);
	ASSERT_EQ(0, thread_comm(pid, comm, sizeof(comm)));
	snprintf(want, sizeof(want), "iou-sqp-%d", (int)getpid());
	EXPECT_STREQ(want, comm);
	EXPECT_LE(0, cpu);
	EXPECT_GT(sysconf(_SC_NPROCESSORS_CONF), cpu);
	EXPECT_LE(0, fdinfo_val(r.fd, "SqTotalTime"));
	EXPECT_LE(0, fdinfo_val(r.fd, "SqWorkTime"));
	ring_exit(&r);
	/* closing the ring ends the thread */
	EXPECT_EQ(base, wait_threads(base, WAIT_MS));
}

TEST(fdinfo_plain)
{
	struct test_ring r;

	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));
	EXPECT_EQ(-1, fdinfo_val(r.fd, "SqThread"));
	EXPECT_EQ(-1, fdinfo_val(r.fd, "SqThreadCpu"));
	EXPECT_EQ(0, fdinfo_val(r.fd, "SqTotalTime"));
	EXPECT_EQ(0, fdinfo_val(r.fd, "SqWorkTime"));
	ring_exit(&r);
}

/* ------------------------------------------------------------------------ */
/* files and credentials */

/* The SQ thread shares the file table: later fds work, closed ones don't. */
TEST(files_shared)
{
	char path[] = "/tmp/sqpoll-filesXXXXXX";
	static char wbuf[512], rbuf[512];
	struct io_uring_sqe *sqe;
	struct test_ring r;
	int fd;

	SQPOLL_INIT(&r, 4, 0, IDLE_SHORT);
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	unlink(path);
	memset(wbuf, 0x5c, sizeof(wbuf));

	sqe = ring_get_sqe(&r);
	ASSERT_NE(NULL, sqe);
	prep_rw(sqe, IORING_OP_WRITE, fd, wbuf, sizeof(wbuf), 0, UD);
	EXPECT_LE(0, sq_kick(&r));
	EXPECT_CQE(&r, UD, (int)sizeof(wbuf));
	sqe = ring_get_sqe(&r);
	ASSERT_NE(NULL, sqe);
	prep_rw(sqe, IORING_OP_READ, fd, rbuf, sizeof(rbuf), 0, UD + 1);
	EXPECT_LE(0, sq_kick(&r));
	EXPECT_CQE(&r, UD + 1, (int)sizeof(rbuf));
	EXPECT_EQ(0, memcmp(wbuf, rbuf, sizeof(rbuf)));

	/* an fd the SQ thread opens is ours */
	sqe = ring_get_sqe(&r);
	ASSERT_NE(NULL, sqe);
	prep_openat(sqe, "/proc/self/cmdline", 0, UD + 2);
	EXPECT_LE(0, sq_kick(&r));
	ASSERT_LE(1U, wait_cq(&r, 1, WAIT_MS));
	EXPECT_EQ(UD + 2, ring_peek_cqe(&r)->user_data);
	EXPECT_LE(0, ring_peek_cqe(&r)->res);
	if (ring_peek_cqe(&r)->res >= 0) {
		EXPECT_EQ(FD_CLOEXEC, fcntl(ring_peek_cqe(&r)->res, F_GETFD));
		close(ring_peek_cqe(&r)->res);
	}
	ring_cqe_seen(&r);

	close(fd);
	sqe = ring_get_sqe(&r);
	ASSERT_NE(NULL, sqe);
	prep_rw(sqe, IORING_OP_WRITE, fd, wbuf, sizeof(wbuf), 0, UD + 3);
	EXPECT_LE(0, sq_kick(&r));
	EXPECT_CQE(&r, UD + 3, -EBADF);
	ring_exit(&r);
}

struct creds_result {
	int setup;
	int direct;
	int sq_open;
	char data[8];
	int personality;
	int sq_open_pers;
};

static int sq_open(struct test_ring *r, const char *path, __u16 pers, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);
	struct io_uring_cqe *cqe;
	int ret;

	if (!sqe)
		return -ENOSPC;
	prep_openat(sqe, path, pers, ud);
	ret = sq_kick(r);
	if (ret < 0)
		return ret;
	if (wait_cq(r, 1, WAIT_MS) < 1)
		return -ETIME;
	cqe = ring_peek_cqe(r);
	ret = cqe->user_data == ud ? cqe->res : -EPROTO;
	ring_cqe_seen(r);
	return ret;
}

/*
 * The SQ thread submits with the credentials of the task that made the
 * ring, not the submitter's current ones; sqe->personality still applies.
 */
TEST(creds_of_creator)
{
	char path[] = "/tmp/sqpoll-credsXXXXXX";
	struct creds_result *res;
	struct test_ring r;
	pid_t pid;
	int fd, status;

	REQUIRE_SQPOLL();
	if (geteuid() != 0)
		SKIP(return, "needs root to drop privileges");
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	ASSERT_EQ(6, write(fd, "secret", 6));
	ASSERT_EQ(0, fchmod(fd, 0600));
	close(fd);
	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, res);
	memset(res, 0, sizeof(*res));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		res->setup = sqpoll_init(&r, 4, 0, IDLE_SHORT);
		if (res->setup)
			_exit(CH_SETUP);
		/* only this thread changes; the SQ thread keeps the ring's creds */
		if (syscall(SYS_setresuid, NOBODY, NOBODY, NOBODY))
			_exit(CH_UID);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		res->direct = fd < 0 ? -errno : fd;
		res->sq_open = sq_open(&r, path, 0, UD);
		if (res->sq_open >= 0) {
			if (read(res->sq_open, res->data, sizeof(res->data) - 1) < 0)
				res->data[0] = '\0';
			close(res->sq_open);
		}
		res->personality = io_uring_register(r.fd, IORING_REGISTER_PERSONALITY, NULL, 0);
		if (res->personality > 0)
			res->sq_open_pers = sq_open(&r, path, (__u16)res->personality, UD + 1);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid, WAIT_MS * 2, &status));
	unlink(path);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, res->setup);
	EXPECT_EQ(-EACCES, res->direct);
	EXPECT_LE(0, res->sq_open);
	EXPECT_STREQ("secret", res->data);
	EXPECT_LT(0, res->personality);
	EXPECT_EQ(-EACCES, res->sq_open_pers);
	munmap(res, sizeof(*res));
}

/* Any user may make an SQPOLL ring. */
TEST(unprivileged)
{
	struct test_ring r;
	pid_t pid;
	int ret, status;

	REQUIRE_SQPOLL();
	if (geteuid() != 0)
		SKIP(return, "needs root to become another user");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(CH_UID);
		ret = sqpoll_init(&r, 4, 0, IDLE_SHORT);
		if (ret)
			_exit(CH_SETUP);
		if (nop_roundtrip(&r, UD))
			_exit(CH_CQE);
		if (!is_own_thread(fdinfo_val(r.fd, "SqThread")))
			_exit(CH_FDINFO);
		ring_exit(&r);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid, WAIT_MS * 2, &status));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

struct other_thread {
	struct test_ring *r;
	int enter_ret;
	int probe_ret;
};

static void *other_submitter(void *arg)
{
	struct other_thread *t = arg;
	char buf[sizeof(struct io_uring_probe) + 4 * sizeof(struct io_uring_probe_op)];

	if (ring_nop(t->r, UD + 1))
		ring_flush(t->r);
	t->enter_ret = io_uring_enter(t->r->fd, 1, 0, IORING_ENTER_SQ_WAKEUP, NULL, 0);
	memset(buf, 0, sizeof(buf));
	t->probe_ret = io_uring_register(t->r->fd, IORING_REGISTER_PROBE, buf, 4);
	return NULL;
}

/* SINGLE_ISSUER on SQPOLL: io_uring_enter() is not checked, registration is. */
TEST(single_issuer)
{
	char buf[sizeof(struct io_uring_probe) + 4 * sizeof(struct io_uring_probe_op)];
	struct other_thread t;
	struct test_ring r;
	pthread_t th;

	SQPOLL_INIT(&r, 4, IORING_SETUP_SINGLE_ISSUER, IDLE_SHORT);
	memset(&t, 0, sizeof(t));
	t.r = &r;
	ASSERT_EQ(0, pthread_create(&th, NULL, other_submitter, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(1, t.enter_ret);
	EXPECT_EQ(-EEXIST, t.probe_ret);
	EXPECT_CQE(&r, UD + 1, 0);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(0, io_uring_register(r.fd, IORING_REGISTER_PROBE, buf, 4));
	EXPECT_EQ(0, nop_roundtrip(&r, UD + 2));
	ring_exit(&r);
}

/* ------------------------------------------------------------------------ */
/* lifetime */

static char rbufs[16][16];

static struct io_uring_sqe *queue_read(struct test_ring *r, int fd, unsigned int i)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe)
		prep_rw(sqe, IORING_OP_READ, fd, rbufs[i], sizeof(rbufs[i]), (__u64)-1, UD + i);
	return sqe;
}

/* Closing the ring with reads in flight and SQEs not yet consumed. */
TEST(close_inflight)
{
	struct test_ring r;
	int base = count_threads();
	unsigned int i;
	int pfd[2];

	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	SQPOLL_INIT(&r, 16, 0, IDLE_SHORT);
	for (i = 0; i < 8; i++) {
		ASSERT_NE(NULL, queue_read(&r, pfd[0], i));
	}
	EXPECT_LE(0, sq_kick(&r));
	/* the reads are taken, and stay pending */
	ASSERT_NE(NULL, ring_nop(&r, UD + 100));
	EXPECT_LE(0, sq_kick(&r));
	EXPECT_CQE(&r, UD + 100, 0);
	EXPECT_EQ(9U, wait_sq_head(&r, 9, WAIT_MS));
	EXPECT_EQ(0U, ring_cq_ready(&r));

	/* more, published while the thread sleeps */
	ASSERT_TRUE(wait_need_wakeup(&r, WAIT_MS));
	for (i = 8; i < 12; i++) {
		ASSERT_NE(NULL, queue_read(&r, pfd[0], i));
	}
	ring_flush(&r);

	close(pfd[0]);
	ring_exit(&r);
	EXPECT_TRUE(wait_no_readers(pfd[1], WAIT_MS));
	EXPECT_EQ(base, wait_threads(base, WAIT_MS));
	close(pfd[1]);
}

/*
 * Child body: an SQPOLL ring with reads on @rfd in flight and a NOP done.
 * Returns 0 or a CH_* code.
 */
static int child_ring_busy(struct test_ring *r, int rfd)
{
	unsigned int i;

	if (sqpoll_init(r, 16, 0, IDLE_SHORT))
		return CH_SETUP;
	for (i = 0; i < 8; i++) {
		if (!queue_read(r, rfd, i))
			return CH_SQE;
	}
	if (!ring_nop(r, UD + 100))
		return CH_SQE;
	if (sq_kick(r) < 0)
		return CH_SQE;
	if (wait_cq(r, 1, WAIT_MS) != 1 || ring_peek_cqe(r)->user_data != UD + 100)
		return CH_CQE;
	ring_cqe_seen(r);
	return 0;
}

TEST(child_exit)
{
	struct test_ring r;
	int pfd[2], status, ret;
	pid_t pid;

	REQUIRE_SQPOLL();
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(pfd[1]);
		ret = child_ring_busy(&r, pfd[0]);
		_exit(ret ? ret : 42);
	}
	close(pfd[0]);
	ASSERT_EQ(0, wait_child(pid, WAIT_MS * 2, &status));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(42, WEXITSTATUS(status));
	/* the exit dropped the child's requests */
	EXPECT_TRUE(wait_no_readers(pfd[1], WAIT_MS));
	close(pfd[1]);
}

TEST(child_exec)
{
	struct test_ring r;
	int pfd[2], status, ret;
	pid_t pid;

	REQUIRE_SQPOLL();
	if (access("/bin/true", X_OK))
		SKIP(return, "no /bin/true to exec");
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(pfd[1]);
		ret = child_ring_busy(&r, pfd[0]);
		if (ret)
			_exit(ret);
		execl("/bin/true", "true", (char *)NULL);
		_exit(CH_EXEC);
	}
	close(pfd[0]);
	ASSERT_EQ(0, wait_child(pid, WAIT_MS * 2, &status));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_TRUE(wait_no_readers(pfd[1], WAIT_MS));
	close(pfd[1]);
}

/* Killed while it keeps submitting. */
TEST(child_sigkill)
{
	struct test_ring r;
	int pfd[2], status;
	long long end;
	bool told = false;
	long val;
	pid_t pid;
	__u64 n = 0;

	REQUIRE_SQPOLL();
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(pfd[0]);
		if (sqpoll_init(&r, 16, 0, IDLE_SHORT))
			_exit(CH_SETUP);
		end = now_ms() + 60000;
		while (now_ms() < end) {
			while (ring_nop(&r, n))
				n++;
			if (sq_kick(&r) < 0)
				_exit(CH_SQE);
			wait_cq(&r, 1, 100);
			while (ring_peek_cqe(&r))
				ring_cqe_seen(&r);
			if (!told && n >= 64) {
				write_int(pfd[1], 1);
				told = true;
			}
		}
		_exit(CH_CQE);
	}
	close(pfd[1]);
	EXPECT_EQ(0, read_int(pfd[0], WAIT_MS, &val));
	EXPECT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(0, wait_child(pid, WAIT_MS, &status));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
	close(pfd[0]);
}

/*
 * Child for the signal tests: an SQPOLL ring whose thread's tid is sent
 * on @wfd; then waits for a byte on @rfd, completes four NOPs and exits 0.
 */
static int child_sq_tid(int wfd, int rfd)
{
	struct pollfd pfd = { .fd = rfd, .events = POLLIN };
	struct test_ring r;
	long pid, cpu;
	unsigned int i;
	char c;

	if (sqpoll_init(&r, 8, 0, IDLE_SHORT))
		return CH_SETUP;
	if (nop_roundtrip(&r, UD))
		return CH_CQE;
	sq_thread_info(r.fd, &pid, &cpu);
	if (!is_own_thread(pid))
		return CH_FDINFO;
	write_int(wfd, pid);
	while (poll(&pfd, 1, 60000) < 0 && errno == EINTR)
		;
	if (read(rfd, &c, 1) != 1)
		return CH_PIPE;
	for (i = 0; i < 4; i++) {
		if (!ring_nop(&r, UD + 1 + i))
			return CH_SQE;
	}
	if (sq_kick(&r) < 0)
		return CH_SQE;
	if (wait_cq(&r, 4, WAIT_MS) != 4)
		return CH_CQE;
	ring_exit(&r);
	return 0;
}

/* SIGKILL sent to the SQ thread kills the whole process. */
TEST(sq_thread_sigkill)
{
	int up[2], down[2], status;
	long tid;
	pid_t pid;

	REQUIRE_SQPOLL();
	ASSERT_EQ(0, pipe2(up, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(down, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(child_sq_tid(up[1], down[0]));
	ASSERT_EQ(0, read_int(up[0], WAIT_MS, &tid));
	EXPECT_NE((long)pid, tid);
	EXPECT_EQ(0, syscall(SYS_tgkill, pid, (pid_t)tid, SIGKILL));
	ASSERT_EQ(0, wait_child(pid, WAIT_MS, &status));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
}

/* SIGSTOP sent to the SQ thread stops the process; SIGCONT resumes it. */
TEST(sq_thread_sigstop)
{
	int up[2], down[2], status;
	long long end;
	long tid;
	pid_t pid, ret;

	REQUIRE_SQPOLL();
	ASSERT_EQ(0, pipe2(up, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(down, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(child_sq_tid(up[1], down[0]));
	ASSERT_EQ(0, read_int(up[0], WAIT_MS, &tid));
	EXPECT_EQ(0, syscall(SYS_tgkill, pid, (pid_t)tid, SIGSTOP));
	end = now_ms() + WAIT_MS;
	do {
		ret = waitpid(pid, &status, WUNTRACED | WNOHANG);
		if (ret)
			break;
		sleep_ms(5);
	} while (now_ms() < end);
	EXPECT_EQ(pid, ret);
	if (ret == pid) {
		EXPECT_TRUE(WIFSTOPPED(status));
		EXPECT_EQ(SIGSTOP, WSTOPSIG(status));
	}
	EXPECT_EQ(0, kill(pid, SIGCONT));
	EXPECT_EQ(1, write(down[1], "g", 1));
	ASSERT_EQ(0, wait_child(pid, WAIT_MS * 2, &status));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
}

/* Map a ring whose fd and params we got from elsewhere. */
static int ring_map_fd(struct test_ring *r, int fd, const struct io_uring_params *p)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->p = *p;
	r->sq_ring_sz = ring_sq_size(p);
	r->cq_ring_sz = ring_cq_size(p);
	if (r->cq_ring_sz > r->sq_ring_sz)
		r->sq_ring_sz = r->cq_ring_sz;
	r->cq_ring_sz = r->sq_ring_sz;
	r->sqes_sz = ring_sqes_size(p);
	r->sq_ring = ring_mmap(fd, r->sq_ring_sz, IORING_OFF_SQ_RING);
	if (r->sq_ring == MAP_FAILED)
		return -errno;
	r->cq_ring = r->sq_ring;
	r->sqes = ring_mmap(fd, r->sqes_sz, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		return -errno;
	ring_set_ptrs(r);
	return 0;
}

/*
 * The SQ thread belongs to the process that made the ring: when that
 * process is gone, the ring (held by another process) reports -EOWNERDEAD.
 */
TEST(owner_dead)
{
	struct io_uring_params *shp;
	int up[2], down[2], status, pidfd, fd, ret;
	struct test_ring r, cr;
	long long end;
	long val;
	pid_t pid;

	REQUIRE_SQPOLL();
	ASSERT_EQ(0, pipe2(up, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(down, O_CLOEXEC));
	shp = mmap(NULL, sizeof(*shp), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shp);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct pollfd pfd = { .fd = down[0], .events = POLLIN };

		if (sqpoll_init(&cr, 4, 0, IDLE_SHORT))
			_exit(CH_SETUP);
		if (nop_roundtrip(&cr, UD))
			_exit(CH_CQE);
		*shp = cr.p;
		write_int(up[1], cr.fd);
		poll(&pfd, 1, 60000);
		_exit(0);
	}
	ASSERT_EQ(0, read_int(up[0], WAIT_MS, &val));
	pidfd = syscall(__NR_pidfd_open, pid, 0);
	ASSERT_LE(0, pidfd);
	fd = syscall(__NR_pidfd_getfd, pidfd, (int)val, 0);
	ASSERT_LE(0, fd);
	close(pidfd);
	ASSERT_EQ(0, ring_map_fd(&r, fd, shp));
	EXPECT_EQ(1, io_uring_enter(fd, 1, 0, 0, NULL, 0));

	/* the creator exits, and its SQ thread with it */
	EXPECT_EQ(1, write(down[1], "x", 1));
	ASSERT_EQ(0, wait_child(pid, WAIT_MS, &status));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	end = now_ms() + WAIT_MS;
	do {
		ret = io_uring_enter(fd, 0, 0, 0, NULL, 0);
		if (ret != 0)
			break;
		sleep_ms(5);
	} while (now_ms() < end);
	EXPECT_EQ(-EOWNERDEAD, ret);
	ASSERT_NE(NULL, ring_nop(&r, UD + 1));
	ring_flush(&r);
	EXPECT_EQ(-EOWNERDEAD, io_uring_enter(fd, 1, 1, IORING_ENTER_GETEVENTS |
					      IORING_ENTER_SQ_WAKEUP, NULL, 0));
	EXPECT_EQ(-EOWNERDEAD, io_uring_enter(fd, 0, 0, IORING_ENTER_SQ_WAIT, NULL, 0));
	EXPECT_EQ(-1, fdinfo_val(fd, "SqThread"));
	EXPECT_EQ(-1, fdinfo_val(fd, "SqThreadCpu"));
	/* a thread that is gone asks to be woken, which nothing can do */
	EXPECT_TRUE(wait_need_wakeup(&r, WAIT_MS));
	sleep_ms(PENDING_MS);
	EXPECT_EQ(1U, load_acquire(r.sq_head));
	EXPECT_EQ(0U, ring_cq_ready(&r));
	/* invalid flags are still refused first */
	EXPECT_EQ(-EINVAL, io_uring_enter(fd, 0, 0, 1U << 30, NULL, 0));
	ring_exit(&r);
	munmap(shp, sizeof(*shp));
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
}

/* ------------------------------------------------------------------------ */
/* stress */

struct stress {
	struct test_ring *r;
	pthread_mutex_t lock;
	int stop;
	int closed;
	unsigned long submitted, completed, ebadf;
	int bad_ret;		/* first unexpected return, or 0 */
	__u64 bad_ud;
};

static void stress_note_bad(struct stress *s, int ret)
{
	if (!s->bad_ret)
		s->bad_ret = ret ? ret : -1000;
}

/* Submit NOPs in batches and reap; stop on -EBADF (the ring was closed). */
static void *stress_submitter(void *arg)
{
	struct stress *s = arg;
	struct io_uring_cqe *cqe;
	struct io_uring_getevents_arg ga;
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 1000000 };
	int ret, i;

	memset(&ga, 0, sizeof(ga));
	ga.ts = (__u64)(uintptr_t)&ts;
	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&s->lock);
		for (i = 0; i < 4 && ring_nop(s->r, 0x1234); i++)
			s->submitted++;
		ret = sq_kick(s->r);
		while ((cqe = ring_peek_cqe(s->r))) {
			if (cqe->user_data != 0x1234 || cqe->res)
				s->bad_ud = cqe->user_data;
			s->completed++;
			ring_cqe_seen(s->r);
		}
		pthread_mutex_unlock(&s->lock);
		if (ret == 0)
			ret = io_uring_enter(s->r->fd, 0, 1, IORING_ENTER_GETEVENTS |
					     IORING_ENTER_EXT_ARG, &ga, sizeof(ga));
		if (ret == -EBADF) {
			if (!__atomic_load_n(&s->closed, __ATOMIC_ACQUIRE))
				stress_note_bad(s, ret);
			__atomic_fetch_add(&s->ebadf, 1, __ATOMIC_RELAXED);
			break;
		}
		if (ret < 0 && ret != -ETIME && ret != -EINTR)
			stress_note_bad(s, ret);
	}
	return NULL;
}

/* Threads keep submitting to an SQPOLL ring while its fd is closed. */
TEST(stress_close_while_submitting)
{
	struct test_ring r;
	struct stress s;
	pthread_t th[3];
	int base = count_threads();
	long long end;
	unsigned int i;

	SQPOLL_INIT(&r, 16, 0, IDLE_SHORT);
	memset(&s, 0, sizeof(s));
	s.r = &r;
	pthread_mutex_init(&s.lock, NULL);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, pthread_create(&th[i], NULL, stress_submitter, &s));
	}
	sleep_ms(300);
	/* nothing opens fds meanwhile, so the number is not reused */
	__atomic_store_n(&s.closed, 1, __ATOMIC_RELEASE);
	close(r.fd);
	end = now_ms() + WAIT_MS;
	while (__atomic_load_n(&s.ebadf, __ATOMIC_ACQUIRE) < 3 && now_ms() < end)
		sleep_ms(5);
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
	}
	EXPECT_EQ(3UL, s.ebadf);
	EXPECT_EQ(0, s.bad_ret);
	EXPECT_EQ(0ULL, s.bad_ud);
	EXPECT_LT(0UL, s.completed);
	EXPECT_GE(s.submitted, s.completed);
	r.fd = -1;
	ring_exit(&r);
	EXPECT_EQ(base, wait_threads(base, WAIT_MS));
}

/* Rings made and closed in a loop while another keeps the SQ thread busy. */
TEST(stress_create_close_busy)
{
	struct io_uring_params p;
	struct test_ring a, b;
	struct stress s;
	pthread_t th;
	int base = count_threads();
	long long end;
	int iters = 0, fails = 0, ret;

	SQPOLL_INIT(&a, 16, 0, 1000);
	memset(&s, 0, sizeof(s));
	s.r = &a;
	pthread_mutex_init(&s.lock, NULL);
	ASSERT_EQ(0, pthread_create(&th, NULL, stress_submitter, &s));

	end = now_ms() + 700;
	do {
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_SQPOLL;
		p.sq_thread_idle = IDLE_SHORT;
		/* every other ring shares the busy thread */
		if (iters & 1) {
			p.flags |= IORING_SETUP_ATTACH_WQ;
			p.wq_fd = (unsigned int)a.fd;
		}
		ret = ring_init(&b, 4, &p);
		if (ret) {
			fails++;
			break;
		}
		if (nop_roundtrip(&b, UD + iters))
			fails++;
		/* sometimes close it with a NOP still in flight */
		if (iters % 3 == 0 && ring_nop(&b, UD))
			sq_kick(&b);
		ring_exit(&b);
		iters++;
	} while (now_ms() < end && iters < 200);

	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, fails);
	EXPECT_LT(0, iters);
	EXPECT_EQ(0, s.bad_ret);
	EXPECT_EQ(0ULL, s.bad_ud);
	EXPECT_LT(0UL, s.completed);
	/* every NOP of the busy ring completes, once */
	pthread_mutex_lock(&s.lock);
	s.completed += wait_cq(&a, (unsigned int)(s.submitted - s.completed), WAIT_MS);
	pthread_mutex_unlock(&s.lock);
	EXPECT_EQ(s.submitted, s.completed);
	ring_exit(&a);
	EXPECT_EQ(base, wait_threads(base, WAIT_MS));
}

TEST_HARNESS_MAIN
