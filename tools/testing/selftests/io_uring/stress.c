// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded race stress tests for the io_uring control plane, following Linux
 * 6.12 semantics: completion vs cancel, timeout expiry vs completion vs
 * TIMEOUT_REMOVE, linked timeout vs poll wakeup vs cancel, ring close and
 * task exit with everything pending, and threads submitting and cancelling
 * concurrently on one ring.
 *
 * Each race stops after an iteration cap or RUN_MS of wall-clock time,
 * whichever comes first: natively the caps end it (thousands of iterations,
 * fewer for the ones that create rings or fork), under a debug kernel in an
 * emulator the clock does.
 * Nothing asserts timing. What is asserted is that every request posts
 * exactly one CQE (tracked by user_data: none missing, none twice, none
 * unknown), that its result is one 6.12 allows for that race, that results
 * of racing requests agree with each other (a cancel that reports success
 * matches a request that reports -ECANCELED), and that all waits end.
 *
 * Leaks are checked in two ways:
 * - per race, with pipe sentinels that need no kernel internals: requests
 *   hold a reference to their file, and a ring holds its registered files
 *   until it is freed, so the write end of a pipe reports POLLERR only once
 *   every request on its read end (or the ring it is registered in) is gone;
 * - globally, with the object count of the io_kiocb slab cache: the first
 *   test records it, the last one waits for it to come back. SLUB's count is
 *   only exact after a shrink (which flushes the per-CPU slabs and the KASAN
 *   quarantine of the cache), so every reading writes to .../shrink first.
 *   This needs root, SLUB sysfs and an io_kiocb cache not merged with
 *   another one (generic KASAN keeps every cache apart, 6.12's own cache is
 *   SLAB_TYPESAFE_BY_RCU, otherwise boot with slab_nomerge); if not, that
 *   test skips and says why.
 */
#include "kselftest_harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "uring_test.h"

#define RUN_MS		4000	/* wall-clock cap of one race */
#define ITERS		2000	/* iteration cap of one race */
#define CLOSE_ITERS	1000	/* iteration cap of the ring close race */
#define FORK_ITERS	60	/* iteration cap of the races that fork */
#define WAIT_MS		5000	/* bound for anything that must happen */
#define LONG_MS		15000	/* bound for deferred teardown */
#define EXIT_MS		10000	/* bound for a child's exit */
#define NPIPES		4	/* pipes per iteration in the poll races */
#define MAX_SLOTS	64	/* requests tracked per ring and iteration */
#define MAX_SENT	240	/* sentinels of a kind kept before they are checked */

/* child exit codes */
#define CHILD_OK	42
#define CHILD_ESETUP	10
#define CHILD_ESQE	11
#define CHILD_ESUBMIT	12
#define CHILD_EREG	13

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
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

static __u32 seed_from(unsigned int salt)
{
	struct timespec ts;
	__u32 s;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	s = (__u32)ts.tv_nsec ^ ((__u32)getpid() << 16) ^ (salt * 0x9e3779b9U);
	return s ? s : 1;
}

/* Busy-wait about @n loop turns: shifts who wins a race, proves nothing. */
static void spin(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		__asm__ __volatile__("" ::: "memory");
}

static void drain(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* ---- what the kernel under test implements ---- */

struct caps {
	bool poll, cancel, timeout, tremove, ltimeout, read, files;
};

static void get_caps(struct caps *c)
{
	struct test_ring r;
	int p[2];

	c->poll = uring_op_supported(IORING_OP_POLL_ADD);
	c->cancel = uring_op_supported(IORING_OP_ASYNC_CANCEL);
	c->timeout = uring_op_supported(IORING_OP_TIMEOUT);
	c->tremove = uring_op_supported(IORING_OP_TIMEOUT_REMOVE);
	c->ltimeout = uring_op_supported(IORING_OP_LINK_TIMEOUT);
	c->read = uring_op_supported(IORING_OP_READ);
	c->files = false;
	if (ring_init_flags(&r, 4, 0))
		return;
	if (!pipe(p)) {
		c->files = !io_uring_register(r.fd, IORING_REGISTER_FILES, &p[0], 1);
		close(p[0]);
		close(p[1]);
	}
	ring_exit(&r);
}

/* ---- pipe sentinels: a write end reports POLLERR once no reader is left ---- */

struct sentinels {
	int fd[MAX_SENT + 8];
	unsigned int nr;
	unsigned int total;
};

static void sent_add(struct sentinels *s, int wfd)
{
	s->fd[s->nr++] = wfd;
	s->total++;
}

/*
 * Wait until every write end in @s reports POLLERR, at most until @end (ms of
 * CLOCK_MONOTONIC), then close them all. Returns how many still had a reader.
 */
static unsigned int sent_wait(struct sentinels *s, long end)
{
	struct pollfd pfd[MAX_SENT + 8];
	unsigned int i, n;

	for (;;) {
		for (i = 0; i < s->nr; i++) {
			pfd[i].fd = s->fd[i];
			pfd[i].events = POLLOUT;
			pfd[i].revents = 0;
		}
		if (s->nr)
			poll(pfd, s->nr, 0);
		for (i = 0, n = 0; i < s->nr; i++) {
			if (pfd[i].revents & POLLERR)
				close(s->fd[i]);
			else
				s->fd[n++] = s->fd[i];
		}
		s->nr = n;
		if (!n || now_ms() > end)
			break;
		sleep_ms(5);
	}
	for (i = 0; i < s->nr; i++)
		close(s->fd[i]);
	n = s->nr;
	s->nr = 0;
	return n;
}

/*
 * Register @rfd as fixed file 0 of @r and close @rfd: from now on only the
 * ring's file table holds the read end, and the table is released when the
 * ring is freed.
 */
static int register_sentinel(struct test_ring *r, int rfd)
{
	int ret = io_uring_register(r->fd, IORING_REGISTER_FILES, &rfd, 1);

	close(rfd);
	return ret;
}

/* A fresh pipe whose read end is registered in @r; the write end goes to @s. */
static int ring_sentinel(struct test_ring *r, struct sentinels *s)
{
	int p[2], ret;

	if (pipe(p))
		return -errno;
	ret = register_sentinel(r, p[0]);
	if (ret) {
		close(p[1]);
		return ret;
	}
	sent_add(s, p[1]);
	return 0;
}

/* the two kinds: registered in a ring, and used by requests */
enum { S_RING, S_REQ };

/*
 * Unless @all, only when one kind is about to run out of room: wait
 * (bounded) for the sentinels of both kinds and fail if any still has a
 * reader, i.e. a ring or a request was not freed.
 */
static void check_sentinels(struct __test_metadata *_metadata, struct sentinels *s, bool all)
{
	long end = now_ms() + LONG_MS;
	unsigned int ring, req;

	if (!all && s[S_RING].nr < MAX_SENT - 8 && s[S_REQ].nr < MAX_SENT - 8)
		return;
	ring = sent_wait(&s[S_RING], end);
	req = sent_wait(&s[S_REQ], end);
	ASSERT_EQ(0U, ring + req) {
		TH_LOG("after %d ms: %u rings not freed, %u pipes still held by requests",
		       LONG_MS, ring, req);
	}
}

/* ---- SQE builders ---- */

static struct io_uring_sqe *sqe_poll(struct test_ring *r, int fd, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_POLL_ADD;
		sqe->fd = fd;
		sqe->poll32_events = POLLIN;
		sqe->user_data = ud;
	}
	return sqe;
}

static struct io_uring_sqe *sqe_cancel(struct test_ring *r, __u64 target, __u32 flags, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_ASYNC_CANCEL;
		sqe->fd = -1;
		sqe->addr = target;
		sqe->cancel_flags = flags;
		sqe->user_data = ud;
	}
	return sqe;
}

static struct io_uring_sqe *sqe_timeout(struct test_ring *r, __u8 op,
					struct __kernel_timespec *ts, __u32 off, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = op;
		sqe->fd = -1;
		sqe->addr = (__u64)(uintptr_t)ts;
		sqe->len = 1;
		sqe->off = off;
		sqe->user_data = ud;
	}
	return sqe;
}

static struct io_uring_sqe *sqe_tremove(struct test_ring *r, __u64 target, __u64 ud)
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

/* read targets; static so that they outlive any ring that may still fill them */
static char rbuf[64][8];

static struct io_uring_sqe *sqe_read(struct test_ring *r, int fd, unsigned int b, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_READ;
		sqe->fd = fd;
		sqe->addr = (__u64)(uintptr_t)rbuf[b % 64];
		sqe->len = 1;
		sqe->off = (__u64)-1;
		sqe->user_data = ud;
	}
	return sqe;
}

static void set_ts(struct __kernel_timespec *ts, long long ns)
{
	ts->tv_sec = ns / 1000000000LL;
	ts->tv_nsec = ns % 1000000000LL;
}

/* ---- CQE tracking by user_data ---- */

enum cls {
	C_POLL,		/* one-shot POLLIN poll: POLLIN or -ECANCELED */
	C_CANCEL,	/* ASYNC_CANCEL by user_data: 0, -ENOENT or -EALREADY */
	C_TIMEOUT,	/* pure timeout: -ETIME or -ECANCELED */
	C_TIMEOUT_CNT,	/* counting timeout: also 0 */
	C_TREMOVE,	/* TIMEOUT_REMOVE: 0, -ENOENT or -EALREADY */
	C_NOP,		/* 0 */
	C_LTIMEOUT,	/* LINK_TIMEOUT: -ETIME, -ECANCELED or -ENOENT */
	C_READ_EXIT,	/* read of a task that died: 1, -ECANCELED or -EINTR */
	C_TIMEOUT_LONG,	/* timeout that cannot expire: -ECANCELED */
	C_CANCEL_ALL,	/* ASYNC_CANCEL_ANY: the number cancelled, >= 0 */
};

static const char * const cls_name[] = {
	"poll", "cancel", "timeout", "count timeout", "timeout remove", "nop",
	"link timeout", "read", "long timeout", "cancel any",
};

static bool res_allowed(unsigned int cls, int res)
{
	switch (cls) {
	case C_POLL:
		return res == POLLIN || res == -ECANCELED;
	case C_CANCEL:
	case C_TREMOVE:
		return res == 0 || res == -ENOENT || res == -EALREADY;
	case C_TIMEOUT:
		return res == -ETIME || res == -ECANCELED;
	case C_TIMEOUT_CNT:
		return res == -ETIME || res == -ECANCELED || res == 0;
	case C_NOP:
		return res == 0;
	case C_LTIMEOUT:
		return res == -ETIME || res == -ECANCELED || res == -ENOENT;
	case C_READ_EXIT:
		return res == 1 || res == -ECANCELED || res == -EINTR;
	case C_TIMEOUT_LONG:
		return res == -ECANCELED;
	case C_CANCEL_ALL:
		return res >= 0;
	}
	return false;
}

struct slot {
	__u64 ud;
	int res;
	__u32 flags;
	__u8 cls;
	__u8 seen;
	__u8 target;	/* slot a cancel, remove or link timeout refers to */
};

struct track {
	__u64 iter;
	unsigned int nr, done;
	struct slot s[MAX_SLOTS];
	char msg[256];
};

#define UD_MAKE(cls, iter, idx)	(((__u64)(cls) << 56) | (((iter) & 0xffffffffffULL) << 16) | (idx))
#define UD_IDX(ud)		((unsigned int)((ud) & 0xffff))

static int track_fail(struct track *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static void track_reset(struct track *t, __u64 iter)
{
	t->iter = iter;
	t->nr = 0;
	t->done = 0;
	t->msg[0] = 0;
}

static __u64 track_add(struct track *t, unsigned int cls, unsigned int target)
{
	struct slot *s = &t->s[t->nr];

	s->ud = UD_MAKE(cls, t->iter, t->nr);
	s->res = 0;
	s->flags = 0;
	s->cls = cls;
	s->seen = 0;
	s->target = target;
	t->nr++;
	return s->ud;
}

static int track_cqe(struct track *t, const struct io_uring_cqe *c)
{
	unsigned int idx = UD_IDX(c->user_data);
	struct slot *s;

	if (idx >= t->nr || t->s[idx].ud != c->user_data)
		return track_fail(t, "unexpected CQE ud 0x%llx res %d flags 0x%x (iteration %llu)",
				  (unsigned long long)c->user_data, c->res, c->flags,
				  (unsigned long long)t->iter);
	s = &t->s[idx];
	if (s->seen)
		return track_fail(t, "second CQE for %s ud 0x%llx: res %d, first res %d",
				  cls_name[s->cls], (unsigned long long)s->ud, c->res, s->res);
	s->seen = 1;
	s->res = c->res;
	s->flags = c->flags;
	t->done++;
	if (c->flags)
		return track_fail(t, "%s ud 0x%llx res %d: flags 0x%x, expected 0",
				  cls_name[s->cls], (unsigned long long)s->ud, c->res, c->flags);
	if (!res_allowed(s->cls, c->res))
		return track_fail(t, "%s ud 0x%llx: res %d is not allowed",
				  cls_name[s->cls], (unsigned long long)s->ud, c->res);
	return 0;
}

/*
 * Reap CQEs until every tracked request has completed, waiting at most
 * @timeout_ms in all, then take whatever else is already posted (which can
 * only be a duplicate).
 */
static int track_reap(struct test_ring *r, struct track *t, unsigned int timeout_ms)
{
	long end = now_ms() + timeout_ms;
	struct io_uring_cqe *cqe, c;
	unsigned int i;

	while (t->done < t->nr) {
		cqe = ring_peek_cqe(r);
		if (!cqe) {
			if (now_ms() > end) {
				for (i = 0; i < t->nr && t->s[i].seen; i++)
					;
				return track_fail(t, "%u of %u CQEs missing, e.g. %s ud 0x%llx",
						  t->nr - t->done, t->nr, cls_name[t->s[i].cls],
						  (unsigned long long)t->s[i].ud);
			}
			ring_wait_cqe(r, 100, NULL);
			continue;
		}
		c = *cqe;
		ring_cqe_seen(r);
		if (track_cqe(t, &c))
			return -1;
	}
	while ((cqe = ring_peek_cqe(r))) {
		c = *cqe;
		ring_cqe_seen(r);
		if (track_cqe(t, &c))
			return -1;
	}
	return 0;
}

/* Nothing may arrive once everything has completed: a short "must not" wait. */
static int track_quiet(struct test_ring *r, struct track *t)
{
	struct io_uring_cqe *cqe = ring_wait_cqe(r, 20, NULL);

	if (cqe)
		return track_fail(t, "stray CQE ud 0x%llx res %d after the last iteration",
				  (unsigned long long)cqe->user_data, cqe->res);
	return 0;
}

/* ---- a thread that writes to pipes when told to ---- */

struct poker {
	pthread_t th;
	const int *wfd;
	unsigned int nr;
	unsigned int gen;	/* bumped by the submitter: poke now */
	unsigned int done;	/* last generation poked */
	unsigned int mask;	/* which pipes to poke */
	unsigned int delay;	/* spin before poking */
	int stop;
	int err;
};

static void *poker_fn(void *arg)
{
	struct poker *pk = arg;
	unsigned int seen = 0, g, m, i;

	while (!__atomic_load_n(&pk->stop, __ATOMIC_ACQUIRE)) {
		g = __atomic_load_n(&pk->gen, __ATOMIC_ACQUIRE);
		if (g == seen) {
			sched_yield();
			continue;
		}
		seen = g;
		m = __atomic_load_n(&pk->mask, __ATOMIC_RELAXED);
		spin(__atomic_load_n(&pk->delay, __ATOMIC_RELAXED));
		for (i = 0; i < pk->nr; i++) {
			if (!(m & (1U << i)))
				continue;
			if (write(pk->wfd[i], "x", 1) != 1 && errno != EAGAIN)
				pk->err = errno;
		}
		__atomic_store_n(&pk->done, g, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void poke(struct poker *pk, unsigned int mask, unsigned int delay)
{
	__atomic_store_n(&pk->mask, mask, __ATOMIC_RELAXED);
	__atomic_store_n(&pk->delay, delay, __ATOMIC_RELAXED);
	__atomic_add_fetch(&pk->gen, 1, __ATOMIC_RELEASE);
}

static bool poke_wait(struct poker *pk)
{
	long end = now_ms() + WAIT_MS;

	while (__atomic_load_n(&pk->done, __ATOMIC_ACQUIRE) !=
	       __atomic_load_n(&pk->gen, __ATOMIC_RELAXED)) {
		if (now_ms() > end)
			return false;
		sched_yield();
	}
	return true;
}

static void poker_stop(struct poker *pk)
{
	__atomic_store_n(&pk->stop, 1, __ATOMIC_RELEASE);
	pthread_join(pk->th, NULL);
}

/* NPIPES non-blocking pipes */
static int open_pipes(int p[][2], unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (pipe2(p[i], O_NONBLOCK))
			return -errno;
	}
	return 0;
}

static void close_pipes(int p[][2], unsigned int n, struct sentinels *s)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		close(p[i][0]);
		if (s)
			sent_add(s, p[i][1]);
		else
			close(p[i][1]);
	}
}

/* ---- the io_kiocb slab count ---- */

#define SLAB_DIR	"/sys/kernel/slab/io_kiocb"

/* baseline shared by the forked tests (set up before the harness forks) */
static long *kiocb_baseline;

static void __attribute__((constructor)) stress_setup(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED) {
		kiocb_baseline = p;
		*kiocb_baseline = -1;
	}
}

/* Objects in use in the io_kiocb cache, exact: shrink first. -errno on error. */
static long kiocb_count(void)
{
	char buf[64];
	long n;
	int fd, len;

	fd = open(SLAB_DIR "/shrink", O_WRONLY);
	if (fd < 0)
		return -errno;
	len = write(fd, "1", 1);
	close(fd);
	if (len != 1)
		return -EIO;
	fd = open(SLAB_DIR "/objects", O_RDONLY);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -EIO;
	buf[len] = 0;
	n = strtol(buf, NULL, 10);
	return n < 0 ? -EIO : n;
}

/*
 * Why the io_kiocb count cannot be trusted here, or NULL if it can: it needs
 * the cache (root, SLUB sysfs) and a cache of its own, not merged with
 * another one, and no other process using io_uring.
 */
static const char *kiocb_unusable(char *why, size_t len)
{
	char target[PATH_MAX], other[PATH_MAX], path[PATH_MAX + 300], link[64];
	struct dirent *de;
	DIR *d;
	long n;

	n = kiocb_count();
	if (n < 0) {
		snprintf(why, len, "no usable " SLAB_DIR " (%s)", strerror((int)-n));
		return why;
	}
	if (!realpath(SLAB_DIR, target)) {
		snprintf(why, len, "cannot resolve " SLAB_DIR);
		return why;
	}
	d = opendir("/sys/kernel/slab");
	if (!d) {
		snprintf(why, len, "cannot list /sys/kernel/slab");
		return why;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "io_kiocb"))
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s", de->d_name);
		if (realpath(path, other) && !strcmp(other, target) && de->d_name[0] != ':') {
			snprintf(why, len,
				 "the io_kiocb cache is merged with %.64s (boot with slab_nomerge)",
				 de->d_name);
			closedir(d);
			return why;
		}
	}
	closedir(d);

	/* anyone else with an io_uring open makes the count move */
	d = opendir("/proc");
	if (!d) {
		snprintf(why, len, "cannot list /proc");
		return why;
	}
	while ((de = readdir(d))) {
		struct dirent *fe;
		DIR *fd_dir;
		int pid = atoi(de->d_name);

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fd_dir = opendir(path);
		if (!fd_dir)
			continue;
		while ((fe = readdir(fd_dir))) {
			ssize_t l;

			snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, fe->d_name);
			l = readlink(path, link, sizeof(link) - 1);
			if (l <= 0)
				continue;
			link[l] = 0;
			if (strstr(link, "io_uring")) {
				snprintf(why, len, "process %d has an io_uring open", pid);
				closedir(fd_dir);
				closedir(d);
				return why;
			}
		}
		closedir(fd_dir);
	}
	closedir(d);
	return NULL;
}

/* Wait until the count is stable (two equal readings); returns it or -errno. */
static long kiocb_settle(unsigned int timeout_ms)
{
	long end = now_ms() + timeout_ms, prev = -1, n;

	for (;;) {
		n = kiocb_count();
		if (n < 0 || n == prev || now_ms() > end)
			return n;
		prev = n;
		sleep_ms(100);
	}
}

/* Wait until at most @limit objects are in use; returns the last reading. */
static long kiocb_wait_le(long limit, unsigned int timeout_ms)
{
	long end = now_ms() + timeout_ms, n;

	for (;;) {
		n = kiocb_count();
		if (n < 0 || n <= limit || now_ms() > end)
			return n;
		sleep_ms(50);
	}
}

/* Count the io_uring fds this process has open. */
static int count_ring_fds(void)
{
	char path[300], link[64];
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		ssize_t l;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		l = readlink(path, link, sizeof(link) - 1);
		if (l <= 0)
			continue;
		link[l] = 0;
		if (strstr(link, "io_uring"))
			n++;
	}
	closedir(d);
	return n;
}

/* First test: record the io_kiocb count the others must come back to. */
TEST(leak_baseline)
{
	char why[256];
	long n;

	if (!kiocb_baseline)
		SKIP(return, "no shared page for the baseline");
	if (kiocb_unusable(why, sizeof(why)))
		SKIP(return, "%s", why);
	/* rings of an earlier test binary may still be in teardown */
	n = kiocb_settle(3000);
	ASSERT_LE(0, n);
	*kiocb_baseline = n;
	TH_LOG("io_kiocb objects in use before the races: %ld", n);
}

/* ---- (1) poll completion vs ASYNC_CANCEL ---- */

/*
 * One submitter (so poll task work and cancels are serialised in one task):
 * a cancel that found the poll (0) must match a poll that completed with
 * -ECANCELED, and a poll that fired (POLLIN) must match a cancel that found
 * nothing.
 */
static int check_poll_cancel(struct track *t, unsigned int *fired)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++) {
		struct slot *c = &t->s[i], *p;

		if (c->cls != C_CANCEL)
			continue;
		p = &t->s[c->target];
		if ((c->res == 0) != (p->res == -ECANCELED))
			return track_fail(t, "cancel res %d but its poll res %d", c->res, p->res);
		if (p->res == POLLIN)
			(*fired)++;
	}
	return 0;
}

TEST(poll_complete_vs_cancel)
{
	unsigned int it, i, k, fired = 0, total = 0;
	struct test_ring r[2];
	struct track *t;
	int p[NPIPES][2], wfd[NPIPES];
	struct poker pk;
	__u32 rs = seed_from(1);
	long end;

	if (!uring_op_supported(IORING_OP_POLL_ADD))
		SKIP(return, "IORING_OP_POLL_ADD not supported");
	if (!uring_op_supported(IORING_OP_ASYNC_CANCEL))
		SKIP(return, "IORING_OP_ASYNC_CANCEL not supported");
	TH_LOG("seed 0x%x", rs);

	t = calloc(2, sizeof(*t));
	ASSERT_NE(NULL, t);
	for (k = 0; k < 2; k++) {
		ASSERT_EQ(0, ring_init_flags(&r[k], 4 * NPIPES, 0));
	}
	ASSERT_EQ(0, open_pipes(p, NPIPES));
	for (i = 0; i < NPIPES; i++)
		wfd[i] = p[i][1];
	memset(&pk, 0, sizeof(pk));
	pk.wfd = wfd;
	pk.nr = NPIPES;
	ASSERT_EQ(0, pthread_create(&pk.th, NULL, poker_fn, &pk));

	end = now_ms() + RUN_MS;
	for (it = 0; it < ITERS && now_ms() < end; it++) {
		unsigned int mode = rnd(&rs) % 3;

		for (i = 0; i < NPIPES; i++)
			drain(p[i][0]);
		/* both rings poll the same pipes */
		for (k = 0; k < 2; k++) {
			track_reset(&t[k], it);
			for (i = 0; i < NPIPES; i++) {
				__u64 ud = track_add(&t[k], C_POLL, 0);

				ASSERT_NE(NULL, sqe_poll(&r[k], p[i][0], ud));
			}
			if (mode != 2) {
				ASSERT_EQ(NPIPES, ring_submit(&r[k], NPIPES, 0, 0));
			}
		}
		poke(&pk, rnd(&rs) & ((1U << NPIPES) - 1), rnd(&rs) % 4000);
		spin(rnd(&rs) % 4000);
		for (k = 0; k < 2; k++) {
			unsigned int n = mode == 2 ? 2 * NPIPES : NPIPES;

			for (i = 0; i < NPIPES; i++) {
				ASSERT_NE(NULL, sqe_cancel(&r[k], t[k].s[i].ud, 0,
							   track_add(&t[k], C_CANCEL, i)));
			}
			ASSERT_EQ((int)n, ring_submit(&r[k], n, 0, 0));
		}
		for (k = 0; k < 2; k++) {
			ASSERT_EQ(0, track_reap(&r[k], &t[k], WAIT_MS)) {
				TH_LOG("iteration %u ring %u: %s", it, k, t[k].msg);
			}
			ASSERT_EQ(0, check_poll_cancel(&t[k], &fired)) {
				TH_LOG("iteration %u ring %u: %s", it, k, t[k].msg);
			}
			total += NPIPES;
		}
		ASSERT_TRUE(poke_wait(&pk));
	}
	poker_stop(&pk);
	EXPECT_EQ(0, pk.err);
	for (k = 0; k < 2; k++) {
		EXPECT_EQ(0, track_quiet(&r[k], &t[k])) {
			TH_LOG("%s", t[k].msg);
		}
	}
	TH_LOG("%u iterations, %u polls: %u fired, %u cancelled", it, total, fired,
	       total - fired);
	for (k = 0; k < 2; k++)
		ring_exit(&r[k]);
	for (i = 0; i < NPIPES; i++)
		close(p[i][0]);
	for (i = 0; i < NPIPES; i++)
		close(p[i][1]);
	free(t);
}

/* ---- (2) timeout expiry vs completion vs TIMEOUT_REMOVE ---- */

struct to_thread {
	pthread_t th;
	unsigned int id;
	unsigned int iters;
	unsigned int stats[4];	/* expired, counted, removed, remove -EALREADY */
	long end;
	int err;
	struct track t;
};

/*
 * Timeouts (pure, or waiting for one completion) of a few microseconds,
 * then NOPs and TIMEOUT_REMOVEs for all of them: each timeout ends once,
 * expired (-ETIME), satisfied (0) or removed (-ECANCELED), and its remove
 * says which: 0 exactly when it was removed, -EALREADY only while it was
 * expiring.
 */
static int timeout_iter(struct test_ring *r, struct track *t, __u32 *rs, unsigned int *stats)
{
	struct __kernel_timespec ts[4];
	unsigned int i, nt = 1 + rnd(rs) % 4, n = 0;

	for (i = 0; i < nt; i++) {
		bool cnt = rnd(rs) & 1;

		set_ts(&ts[i], rnd(rs) % 50000);
		if (!sqe_timeout(r, IORING_OP_TIMEOUT, &ts[i], cnt,
				 track_add(t, cnt ? C_TIMEOUT_CNT : C_TIMEOUT, 0)))
			return track_fail(t, "SQ full");
	}
	if (ring_submit(r, nt, 0, 0) != (int)nt)
		return track_fail(t, "timeouts not submitted");
	spin(rnd(rs) % 4000);
	for (i = 0; i < nt; i++) {
		if (rnd(rs) & 1) {
			if (!ring_nop(r, track_add(t, C_NOP, 0)))
				return track_fail(t, "SQ full");
			n++;
		}
		if (!sqe_tremove(r, t->s[i].ud, track_add(t, C_TREMOVE, i)))
			return track_fail(t, "SQ full");
		n++;
	}
	if (ring_submit(r, n, 0, 0) != (int)n)
		return track_fail(t, "removes not submitted");
	if (track_reap(r, t, WAIT_MS))
		return -1;

	for (i = 0; i < t->nr; i++) {
		struct slot *rm = &t->s[i], *to;

		if (rm->cls != C_TREMOVE)
			continue;
		to = &t->s[rm->target];
		if ((rm->res == 0) != (to->res == -ECANCELED))
			return track_fail(t, "remove res %d but its timeout res %d",
					  rm->res, to->res);
		if (rm->res == -EALREADY && to->res != -ETIME)
			return track_fail(t, "remove -EALREADY but its timeout res %d", to->res);
		stats[to->res == -ETIME ? 0 : to->res == 0 ? 1 : 2]++;
		if (rm->res == -EALREADY)
			stats[3]++;
	}
	return 0;
}

static void *timeout_thread(void *arg)
{
	struct to_thread *tt = arg;
	struct test_ring r;
	__u32 rs = seed_from(20 + tt->id);

	tt->err = ring_init_flags(&r, 16, 0);
	if (tt->err) {
		snprintf(tt->t.msg, sizeof(tt->t.msg), "ring_init: %d", tt->err);
		return NULL;
	}
	for (tt->iters = 0; tt->iters < ITERS && now_ms() < tt->end; tt->iters++) {
		track_reset(&tt->t, tt->iters);
		if (timeout_iter(&r, &tt->t, &rs, tt->stats)) {
			tt->err = -1;
			break;
		}
	}
	if (!tt->err && track_quiet(&r, &tt->t))
		tt->err = -1;
	ring_exit(&r);
	return NULL;
}

TEST(timeout_vs_completion_vs_remove)
{
	struct to_thread tt[2];
	unsigned int k;
	long end;

	if (!uring_op_supported(IORING_OP_TIMEOUT))
		SKIP(return, "IORING_OP_TIMEOUT not supported");
	if (!uring_op_supported(IORING_OP_TIMEOUT_REMOVE))
		SKIP(return, "IORING_OP_TIMEOUT_REMOVE not supported");

	/* two threads, a ring each, so timer interrupts hit both CPUs */
	memset(tt, 0, sizeof(tt));
	end = now_ms() + RUN_MS;
	for (k = 0; k < 2; k++) {
		tt[k].id = k;
		tt[k].end = end;
		ASSERT_EQ(0, pthread_create(&tt[k].th, NULL, timeout_thread, &tt[k]));
	}
	for (k = 0; k < 2; k++)
		pthread_join(tt[k].th, NULL);
	for (k = 0; k < 2; k++) {
		EXPECT_EQ(0, tt[k].err) {
			TH_LOG("ring %u iteration %u: %s", k, tt[k].iters, tt[k].t.msg);
		}
		TH_LOG("ring %u: %u iterations; timeouts expired %u, satisfied %u, removed %u",
		       k, tt[k].iters, tt[k].stats[0], tt[k].stats[1], tt[k].stats[2]);
		TH_LOG("ring %u: %u removes got -EALREADY", k, tt[k].stats[3]);
	}
}

/* ---- (3) linked timeout vs poll wakeup vs cancel ---- */

/*
 * One submitter again. A cancel that found the poll means the poll was
 * cancelled; a cancelled poll was cancelled by the ASYNC_CANCEL (0) or by
 * its linked timeout (-ETIME: the timeout fired and cancelled it).
 */
static int check_link(struct track *t, unsigned int *stats)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++) {
		struct slot *p = &t->s[i], *l, *c = NULL;
		unsigned int j;

		if (p->cls != C_POLL)
			continue;
		l = &t->s[i + 1];
		for (j = 0; j < t->nr; j++) {
			if (t->s[j].cls == C_CANCEL && t->s[j].target == i)
				c = &t->s[j];
		}
		if (c && c->res == 0 && p->res != -ECANCELED)
			return track_fail(t, "cancel found the poll but poll res %d", p->res);
		if (p->res == -ECANCELED && !(c && c->res == 0) && l->res != -ETIME)
			return track_fail(t, "poll cancelled, cancel %s %d, link timeout res %d",
					  c ? "res" : "none", c ? c->res : 0, l->res);
		if (p->res == POLLIN)
			stats[0]++;
		else if (c && c->res == 0)
			stats[1]++;
		else
			stats[2]++;
	}
	return 0;
}

TEST(link_timeout_vs_poll_vs_cancel)
{
	struct __kernel_timespec ts[NPIPES];
	unsigned int it, i, stats[3] = { 0, 0, 0 };
	int p[NPIPES][2], wfd[NPIPES];
	struct io_uring_sqe *sqe;
	struct test_ring r;
	struct poker pk;
	struct track *t;
	__u32 rs = seed_from(3);
	long end;

	if (!uring_op_supported(IORING_OP_POLL_ADD))
		SKIP(return, "IORING_OP_POLL_ADD not supported");
	if (!uring_op_supported(IORING_OP_LINK_TIMEOUT))
		SKIP(return, "IORING_OP_LINK_TIMEOUT not supported");
	if (!uring_op_supported(IORING_OP_ASYNC_CANCEL))
		SKIP(return, "IORING_OP_ASYNC_CANCEL not supported");
	TH_LOG("seed 0x%x", rs);

	t = calloc(1, sizeof(*t));
	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, ring_init_flags(&r, 4 * NPIPES, 0));
	ASSERT_EQ(0, open_pipes(p, NPIPES));
	for (i = 0; i < NPIPES; i++)
		wfd[i] = p[i][1];
	memset(&pk, 0, sizeof(pk));
	pk.wfd = wfd;
	pk.nr = NPIPES;
	ASSERT_EQ(0, pthread_create(&pk.th, NULL, poker_fn, &pk));

	end = now_ms() + RUN_MS;
	for (it = 0; it < ITERS && now_ms() < end; it++) {
		unsigned int n = 0, cmask;

		track_reset(t, it);
		for (i = 0; i < NPIPES; i++)
			drain(p[i][0]);
		/* slots 2i: poll, 2i+1: its linked timeout */
		for (i = 0; i < NPIPES; i++) {
			unsigned int pi = t->nr;

			sqe = sqe_poll(&r, p[i][0], track_add(t, C_POLL, 0));
			ASSERT_NE(NULL, sqe);
			sqe->flags = IOSQE_IO_LINK;
			set_ts(&ts[i], rnd(&rs) % 100000);
			ASSERT_NE(NULL, sqe_timeout(&r, IORING_OP_LINK_TIMEOUT, &ts[i], 0,
						    track_add(t, C_LTIMEOUT, pi)));
		}
		ASSERT_EQ(2 * NPIPES, ring_submit(&r, 2 * NPIPES, 0, 0));
		poke(&pk, rnd(&rs) & ((1U << NPIPES) - 1), rnd(&rs) % 4000);
		spin(rnd(&rs) % 4000);
		cmask = rnd(&rs);
		for (i = 0; i < NPIPES; i++) {
			if (!(cmask & (1U << i)))
				continue;
			ASSERT_NE(NULL, sqe_cancel(&r, t->s[2 * i].ud, 0,
						   track_add(t, C_CANCEL, 2 * i)));
			n++;
		}
		ASSERT_EQ((int)n, ring_submit(&r, n, 0, 0));
		ASSERT_EQ(0, track_reap(&r, t, WAIT_MS)) {
			TH_LOG("iteration %u: %s", it, t->msg);
		}
		ASSERT_EQ(0, check_link(t, stats)) {
			TH_LOG("iteration %u: %s", it, t->msg);
		}
		ASSERT_TRUE(poke_wait(&pk));
	}
	poker_stop(&pk);
	EXPECT_EQ(0, pk.err);
	EXPECT_EQ(0, track_quiet(&r, t)) {
		TH_LOG("%s", t->msg);
	}
	TH_LOG("%u iterations: polls fired %u, cancelled by ASYNC_CANCEL %u, by their timeout %u",
	       it, stats[0], stats[1], stats[2]);
	ring_exit(&r);
	for (i = 0; i < NPIPES; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
	free(t);
}

/* ---- a mix of requests that stay pending, for the close and exit races ---- */

struct mix {
	struct __kernel_timespec ts_long, ts_short[2];
};

#define LONG_NS		(30LL * 1000000000LL)

/*
 * Queue on @r, without submitting: worker reads (IOSQE_ASYNC) and a plain
 * read on @idle (a blocking pipe nobody writes to), polls on @idle and on
 * @hot (written now and then, or -1), timeouts that cannot expire in time
 * and short ones, polls linked to long and short timeouts, a cancel, a NOP.
 * Kinds the kernel lacks are left out. With @t, every request is tracked
 * with the class of results it may end with once its submitter has died.
 * Returns the number of SQEs queued, or -1 if the SQ ring is full.
 */
/* Count a queued SQE; false if the SQ ring was full. */
static bool queued(const struct io_uring_sqe *sqe, unsigned int *n)
{
	*n += !!sqe;
	return sqe;
}

static int queue_mix(struct test_ring *r, const struct caps *c, int idle, int hot,
		     __u32 *rs, struct mix *m, struct track *t)
{
	unsigned int i, n = 0, first_poll = ~0U;
	struct io_uring_sqe *sqe;
	__u64 ud;

#define UD_OR(cls, tgt)	(t ? track_add(t, cls, tgt) : (__u64)(n + 1))

	set_ts(&m->ts_long, LONG_NS);
	set_ts(&m->ts_short[0], rnd(rs) % 200000);
	set_ts(&m->ts_short[1], rnd(rs) % 200000);

	if (c->read) {
		for (i = 0; i < 2; i++) {
			sqe = sqe_read(r, idle, n, UD_OR(C_READ_EXIT, 0));
			if (!queued(sqe, &n))
				return -1;
			sqe->flags = IOSQE_ASYNC;
		}
		if (!queued(sqe_read(r, idle, n, UD_OR(C_READ_EXIT, 0)), &n))
			return -1;
	}
	if (c->poll) {
		first_poll = t ? t->nr : 0;
		if (!queued(sqe_poll(r, idle, UD_OR(C_POLL, 0)), &n))
			return -1;
		if (hot >= 0 && !queued(sqe_poll(r, hot, UD_OR(C_POLL, 0)), &n))
			return -1;
	}
	if (c->timeout) {
		if (!queued(sqe_timeout(r, IORING_OP_TIMEOUT, &m->ts_long, 0,
					UD_OR(C_TIMEOUT_LONG, 0)), &n) ||
		    !queued(sqe_timeout(r, IORING_OP_TIMEOUT, &m->ts_long, 1000,
					UD_OR(C_TIMEOUT_LONG, 0)), &n) ||
		    !queued(sqe_timeout(r, IORING_OP_TIMEOUT, &m->ts_short[0], 0,
					UD_OR(C_TIMEOUT, 0)), &n))
			return -1;
	}
	if (c->poll && c->ltimeout) {
		for (i = 0; i < 2; i++) {
			unsigned int pi = t ? t->nr : 0;

			sqe = sqe_poll(r, i && hot >= 0 ? hot : idle, UD_OR(C_POLL, 0));
			if (!queued(sqe, &n))
				return -1;
			sqe->flags = IOSQE_IO_LINK;
			if (!queued(sqe_timeout(r, IORING_OP_LINK_TIMEOUT,
						i ? &m->ts_short[1] : &m->ts_long, 0,
						UD_OR(C_LTIMEOUT, pi)), &n))
				return -1;
		}
	}
	if (c->cancel && first_poll != ~0U) {
		ud = t ? t->s[first_poll].ud : 1;
		if (!queued(sqe_cancel(r, ud, 0, UD_OR(C_CANCEL, first_poll)), &n))
			return -1;
	}
	if (!queued(ring_nop(r, UD_OR(C_NOP, 0)), &n))
		return -1;
#undef UD_OR
	return n;
}

/* A thread that keeps a pipe flipping between empty and readable. */
struct hot {
	pthread_t th;
	int p[2];
	int stop;
	__u32 rs;
};

static void *hot_fn(void *arg)
{
	struct hot *h = arg;

	/* mostly asleep: ring teardown needs the CPUs more than this thread */
	while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE)) {
		struct timespec ts = { .tv_nsec = 1000 * (rnd(&h->rs) % 200) };

		drain(h->p[0]);
		spin(rnd(&h->rs) % 2000);
		if (write(h->p[1], "h", 1) < 0 && errno != EAGAIN)
			break;
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* ---- (4) ring close with everything pending ---- */

TEST(ring_close_with_pending)
{
	struct sentinels *sent;
	struct test_ring r[2];
	unsigned int it, k, nr;
	struct caps c;
	struct hot h;
	struct mix m;
	__u32 rs = seed_from(4);
	int idle[2], ret;
	long end;

	get_caps(&c);
	if (!c.read)
		SKIP(return, "IORING_OP_READ not supported");
	if (!c.poll || !c.timeout || !c.ltimeout || !c.cancel)
		TH_LOG("left out, not supported:%s%s%s%s", c.poll ? "" : " POLL_ADD",
		       c.timeout ? "" : " TIMEOUT", c.ltimeout ? "" : " LINK_TIMEOUT",
		       c.cancel ? "" : " ASYNC_CANCEL");
	if (!c.files)
		TH_LOG("IORING_REGISTER_FILES unsupported: no ring sentinels");
	TH_LOG("seed 0x%x", rs);
	signal(SIGPIPE, SIG_IGN);

	sent = calloc(2, sizeof(*sent));
	ASSERT_NE(NULL, sent);
	memset(&h, 0, sizeof(h));
	h.rs = rs ^ 0x5a5a5a5a;
	ASSERT_EQ(0, pipe2(h.p, O_NONBLOCK));
	ASSERT_EQ(0, pthread_create(&h.th, NULL, hot_fn, &h));

	end = now_ms() + RUN_MS;
	for (it = 0; it < CLOSE_ITERS && now_ms() < end; it++) {
		nr = 1 + (rnd(&rs) & 1);
		/* a blocking pipe: the reads wait, in a worker or armed for poll */
		ASSERT_EQ(0, pipe(idle));
		for (k = 0; k < nr; k++) {
			ASSERT_EQ(0, ring_init_flags(&r[k], 32, 0));
			if (c.files) {
				ASSERT_EQ(0, ring_sentinel(&r[k], &sent[S_RING]));
			}
			ret = queue_mix(&r[k], &c, idle[0], h.p[0], &rs, &m, NULL);
			ASSERT_LT(0, ret);
			ASSERT_EQ(ret, ring_submit(&r[k], ret, 0, 0));
		}
		switch (rnd(&rs) % 3) {
		case 0:
			break;
		case 1:
			spin(rnd(&rs) % 20000);
			break;
		case 2:
			/* let whatever is ready post its CQEs first */
			ring_wait_cqe(&r[0], 10, NULL);
			break;
		}
		/* close with everything in flight, in either order */
		if (nr == 2 && (rnd(&rs) & 1)) {
			ring_exit(&r[1]);
			ring_exit(&r[0]);
		} else {
			for (k = 0; k < nr; k++)
				ring_exit(&r[k]);
		}
		/* only the requests hold the idle read end now */
		close(idle[0]);
		sent_add(&sent[S_REQ], idle[1]);
		check_sentinels(_metadata, sent, false);
	}
	__atomic_store_n(&h.stop, 1, __ATOMIC_RELEASE);
	pthread_join(h.th, NULL);
	close(h.p[0]);
	close(h.p[1]);
	/* every ring and every request on an idle pipe is gone */
	check_sentinels(_metadata, sent, true);
	EXPECT_EQ(0, count_ring_fds());
	TH_LOG("%u iterations: %u rings and %u pipes used by requests seen released", it,
	       sent[S_RING].total, sent[S_REQ].total);
	free(sent);
}

/* ---- (5) task exit with everything pending, rings of its own ---- */

enum exit_mode {
	EXIT_NOW,	/* _exit() right after submitting */
	EXIT_WAITER,	/* _exit() while another thread waits in io_uring_enter() */
	EXIT_KILLED,	/* SIGKILL while waiting in io_uring_enter() */
	EXIT_MODES,
};

static void *waiter_fn(void *arg)
{
	struct test_ring *r = arg;
	struct __kernel_timespec ts = { .tv_sec = 10 };
	struct io_uring_getevents_arg ga = { .ts = (__u64)(uintptr_t)&ts };

	io_uring_enter(r->fd, 0, 64, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &ga,
		       sizeof(ga));
	return NULL;
}

/* Child: rings of its own, everything pending, then it dies as @mode says. */
static void exit_child(const struct caps *c, int idle, int sent_rfd, int ready,
		       unsigned int mode, __u32 rs)
{
	struct __kernel_timespec ts = { .tv_sec = 10 };
	struct io_uring_getevents_arg ga = { .ts = (__u64)(uintptr_t)&ts };
	struct test_ring r[2];
	unsigned int k, nr = 1 + (rs & 1);
	struct mix m[2];
	pthread_t th;
	int ret;

	for (k = 0; k < nr; k++) {
		if (ring_init_flags(&r[k], 32, 0))
			_exit(CHILD_ESETUP);
		if (!k && sent_rfd >= 0 && register_sentinel(&r[k], sent_rfd))
			_exit(CHILD_EREG);
		ret = queue_mix(&r[k], c, idle, -1, &rs, &m[k], NULL);
		if (ret <= 0)
			_exit(CHILD_ESQE);
		if (ring_submit(&r[k], ret, 0, 0) != ret)
			_exit(CHILD_ESUBMIT);
	}
	switch (mode) {
	case EXIT_WAITER:
		if (pthread_create(&th, NULL, waiter_fn, &r[nr - 1]))
			_exit(CHILD_ESETUP);
		spin(rnd(&rs) % 20000);
		break;
	case EXIT_KILLED:
		if (write(ready, "r", 1) != 1)
			_exit(CHILD_ESETUP);
		io_uring_enter(r[0].fd, 0, 64, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
			       &ga, sizeof(ga));
		break;
	}
	_exit(CHILD_OK);
}

/* Print the state and kernel stack of each thread of @pid (needs root). */
static void dump_task(pid_t pid, const char *why)
{
	static const char * const files[] = { "stat", "wchan", "stack" };
	char path[300], buf[4096], *line, *save;
	struct dirent *de;
	unsigned int i;
	DIR *d;
	int fd, len;

	fprintf(stderr, "# child %d %s:\n", pid, why);
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		for (i = 0; i < ARRAY_SIZE(files); i++) {
			snprintf(path, sizeof(path), "/proc/%d/task/%s/%s", pid, de->d_name,
				 files[i]);
			fd = open(path, O_RDONLY);
			if (fd < 0)
				continue;
			len = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (len <= 0)
				continue;
			buf[len] = 0;
			for (line = strtok_r(buf, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save))
				fprintf(stderr, "#   %s %s: %s\n", de->d_name, files[i], line);
		}
	}
	closedir(d);
}

/* Reap @pid, polling for at most @timeout_ms; returns 0 or -errno. */
static int reap_child(pid_t pid, unsigned int timeout_ms, int *status)
{
	long end = now_ms() + timeout_ms;
	pid_t ret;

	for (;;) {
		ret = waitpid(pid, status, WNOHANG);
		if (ret == pid)
			return 0;
		if (ret < 0)
			return -errno;
		if (now_ms() > end)
			return -ETIMEDOUT;
		sleep_ms(2);
	}
}

/*
 * Reap @pid within @timeout_ms. On overrun the child is shown, killed and
 * reaped (again bounded), and -ETIMEDOUT (or -EDEADLK if even SIGKILL does
 * not end it) is returned: a task that cannot exit is a failure, not a
 * hang of the test.
 */
static int wait_child(pid_t pid, unsigned int timeout_ms, int *status)
{
	int ret = reap_child(pid, timeout_ms, status);

	if (ret != -ETIMEDOUT)
		return ret;
	dump_task(pid, "did not exit in time");
	kill(pid, SIGKILL);
	if (reap_child(pid, WAIT_MS, status)) {
		dump_task(pid, "survives SIGKILL");
		return -EDEADLK;
	}
	return -ETIMEDOUT;
}

static const char *child_err(int ret)
{
	if (ret == -ETIMEDOUT)
		return "did not exit in time, killed";
	if (ret == -EDEADLK)
		return "did not exit in time, not even after SIGKILL";
	return strerror(-ret);
}

/* Wait up to @timeout_ms for a byte on @fd. */
static bool wait_byte(int fd, unsigned int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char b;

	return poll(&pfd, 1, timeout_ms) == 1 && read(fd, &b, 1) == 1;
}

TEST(task_exit_with_pending)
{
	unsigned int it, k, modes[EXIT_MODES] = { 0 };
	struct sentinels *sent;
	struct caps c;
	__u32 rs = seed_from(5);
	long end;

	get_caps(&c);
	if (!c.read)
		SKIP(return, "IORING_OP_READ not supported");
	if (!c.poll || !c.timeout || !c.ltimeout || !c.cancel)
		TH_LOG("left out, not supported:%s%s%s%s", c.poll ? "" : " POLL_ADD",
		       c.timeout ? "" : " TIMEOUT", c.ltimeout ? "" : " LINK_TIMEOUT",
		       c.cancel ? "" : " ASYNC_CANCEL");
	TH_LOG("seed 0x%x", rs);
	signal(SIGPIPE, SIG_IGN);
	sent = calloc(2, sizeof(*sent));
	ASSERT_NE(NULL, sent);

	end = now_ms() + RUN_MS;
	for (it = 0; it < FORK_ITERS && now_ms() < end; it++) {
		int idle[2][2], sp[2][2], ready[2][2], status, ret;
		unsigned int mode[2];
		pid_t pid[2];

		/* two children at a time, so that their exits overlap */
		for (k = 0; k < 2; k++) {
			mode[k] = rnd(&rs) % EXIT_MODES;
			ASSERT_EQ(0, pipe(idle[k]));
			ASSERT_EQ(0, pipe(sp[k]));
			ASSERT_EQ(0, pipe(ready[k]));
			pid[k] = fork();
			ASSERT_LE(0, pid[k]);
			if (!pid[k]) {
				close(ready[k][0]);
				exit_child(&c, idle[k][0], c.files ? sp[k][0] : -1, ready[k][1],
					   mode[k], rnd(&rs));
			}
			/* the next child must not inherit these read ends */
			close(idle[k][0]);
			close(sp[k][0]);
			close(ready[k][1]);
		}
		for (k = 0; k < 2; k++) {
			if (mode[k] == EXIT_KILLED) {
				EXPECT_TRUE(wait_byte(ready[k][0], WAIT_MS));
				spin(rnd(&rs) % 20000);
				kill(pid[k], SIGKILL);
			}
		}
		for (k = 0; k < 2; k++) {
			ret = wait_child(pid[k], EXIT_MS, &status);
			if (ret && !k) {
				/* don't leave the other one behind */
				kill(pid[1], SIGKILL);
				reap_child(pid[1], WAIT_MS, &status);
			}
			ASSERT_EQ(0, ret) {
				TH_LOG("child (mode %u): %s", mode[k], child_err(ret));
			}
			if (mode[k] == EXIT_KILLED && WIFSIGNALED(status)) {
				EXPECT_EQ(SIGKILL, WTERMSIG(status));
			} else {
				ASSERT_TRUE(WIFEXITED(status));
				EXPECT_EQ(CHILD_OK, WEXITSTATUS(status));
			}
			modes[mode[k]]++;
			close(ready[k][0]);
			sent_add(&sent[S_REQ], idle[k][1]);
			if (c.files)
				sent_add(&sent[S_RING], sp[k][1]);
			else
				close(sp[k][1]);
		}
		check_sentinels(_metadata, sent, false);
	}
	check_sentinels(_metadata, sent, true);
	TH_LOG("%u children: %u exited at once, %u with a waiting thread, %u killed",
	       2 * it, modes[0], modes[1], modes[2]);
	TH_LOG("%u rings and %u pipes used by requests seen released", sent[S_RING].total,
	       sent[S_REQ].total);
	free(sent);
}

/* ---- (5b) task exit with requests pending on a ring that lives on ---- */

/*
 * The child submits everything to the parent's ring (inherited over fork)
 * and dies. Its requests stay on the ring: the parent then wakes the pipes
 * and cancels everything left with IORING_ASYNC_CANCEL_ANY, and every
 * request of the dead task must end with exactly one CQE.
 */
TEST(task_exit_shared_ring)
{
	unsigned int it, k, cancelled = 0;
	struct sentinels *sent;
	struct io_uring_params p;
	struct test_ring r;
	struct track *t;
	struct caps c;
	struct mix m;
	__u32 rs = seed_from(6);
	long end;

	get_caps(&c);
	if (!c.cancel)
		SKIP(return, "IORING_OP_ASYNC_CANCEL not supported");
	if (!c.read)
		SKIP(return, "IORING_OP_READ not supported");
	if (!c.poll || !c.timeout || !c.ltimeout)
		TH_LOG("left out, not supported:%s%s%s", c.poll ? "" : " POLL_ADD",
		       c.timeout ? "" : " TIMEOUT", c.ltimeout ? "" : " LINK_TIMEOUT");
	TH_LOG("seed 0x%x", rs);
	signal(SIGPIPE, SIG_IGN);
	sent = calloc(2, sizeof(*sent));
	t = calloc(1, sizeof(*t));
	ASSERT_NE(NULL, sent);
	ASSERT_NE(NULL, t);

	end = now_ms() + RUN_MS;
	for (it = 0; it < FORK_ITERS && now_ms() < end; it++) {
		unsigned int mode = rnd(&rs) % EXIT_MODES;
		int idle[2], ready[2], status, n, ret;
		pid_t pid;

		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_CQSIZE;
		p.cq_entries = 128;
		ASSERT_EQ(0, ring_init(&r, 32, &p));
		if (c.files) {
			ASSERT_EQ(0, ring_sentinel(&r, &sent[S_RING]));
		}
		ASSERT_EQ(0, pipe(idle));
		ASSERT_EQ(0, pipe(ready));
		track_reset(t, it);
		/* the plan: the parent knows what the child submits */
		n = queue_mix(&r, &c, idle[0], -1, &rs, &m, t);
		ASSERT_LT(0, n);

		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			pthread_t th;
			struct __kernel_timespec ts = { .tv_sec = 10 };
			struct io_uring_getevents_arg ga = { .ts = (__u64)(uintptr_t)&ts };

			if (ring_submit(&r, n, 0, 0) != n)
				_exit(CHILD_ESUBMIT);
			if (mode == EXIT_WAITER) {
				if (pthread_create(&th, NULL, waiter_fn, &r))
					_exit(CHILD_ESETUP);
				spin(rnd(&rs) % 20000);
			} else if (mode == EXIT_KILLED) {
				if (write(ready[1], "r", 1) != 1)
					_exit(CHILD_ESETUP);
				io_uring_enter(r.fd, 0, 64,
					       IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
					       &ga, sizeof(ga));
			}
			_exit(CHILD_OK);
		}
		close(idle[0]);
		close(ready[1]);
		if (mode == EXIT_KILLED) {
			EXPECT_TRUE(wait_byte(ready[0], WAIT_MS));
			kill(pid, SIGKILL);
		}
		ret = wait_child(pid, EXIT_MS, &status);
		ASSERT_EQ(0, ret) {
			TH_LOG("child (mode %u): %s", mode, child_err(ret));
		}
		if (mode == EXIT_KILLED && WIFSIGNALED(status)) {
			EXPECT_EQ(SIGKILL, WTERMSIG(status));
		} else {
			ASSERT_TRUE(WIFEXITED(status));
			ASSERT_EQ(CHILD_OK, WEXITSTATUS(status));
		}
		close(ready[0]);
		/* the child published and submitted the SQEs: catch up */
		r.sqe_tail = load_acquire(r.sq_tail);
		ASSERT_EQ(r.sqe_tail, load_acquire(r.sq_head));

		/* wake what waits on the pipe, cancel the rest */
		for (k = 0; k < 2; k++) {
			if (write(idle[1], "w", 1) < 0)
				break;
		}
		ASSERT_NE(NULL, sqe_cancel(&r, 0, IORING_ASYNC_CANCEL_ANY,
					   track_add(t, C_CANCEL_ALL, 0)));
		ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
		ASSERT_EQ(0, track_reap(&r, t, WAIT_MS)) {
			TH_LOG("iteration %u (mode %u): %s", it, mode, t->msg);
		}
		/* a short "nothing more" wait now and then: late duplicates */
		if (!(it % 8)) {
			ASSERT_EQ(0, track_quiet(&r, t)) {
				TH_LOG("iteration %u (mode %u): %s", it, mode, t->msg);
			}
		}
		cancelled += t->s[t->nr - 1].res;
		ring_exit(&r);
		sent_add(&sent[S_REQ], idle[1]);
		check_sentinels(_metadata, sent, false);
	}
	check_sentinels(_metadata, sent, true);
	TH_LOG("%u children, %u requests cancelled by the parent", it, cancelled);
	TH_LOG("%u rings and %u pipes used by requests seen released", sent[S_RING].total,
	       sent[S_REQ].total);
	free(sent);
	free(t);
}

/* ---- (6) two threads submitting and cancelling on one ring ---- */

#define SH_THREADS	2
#define SH_PIPES	3
#define SH_MAXREQ	16384

struct sh_slot {
	__u64 target_ud;	/* cancel: the poll it aims at */
	int res;
	__u32 flags;
	__u32 pos;		/* place in the SQ ring: the order of issue */
	__u32 first_pos;	/* poll: the earliest cancel aimed at it ... */
	int first_res;		/* ... and what it returned */
	__u8 cls;
	__u8 seen;		/* written under cq_lock, read by the owner */
	__u8 found;		/* poll: some cancel reported finding it */
	__u8 has_first;
	__u8 first_cross;	/* ... queued by the other thread */
};

struct shared {
	struct test_ring r;
	pthread_mutex_t sq_lock, cq_lock;
	struct sh_slot *slot[SH_THREADS];
	unsigned int next[SH_THREADS];
	__u64 last_poll[SH_THREADS];	/* ud of a recent poll, for cross cancels */
	int p[SH_THREADS][SH_PIPES][2];
	long end;
	int fail;
	int stop;
	char msg[256];
};

struct sh_thread {
	pthread_t th;
	struct shared *sh;
	unsigned int id, iters;
	__u32 rs;
};

#define SH_UD(cls, th, idx)	(((__u64)(cls) << 56) | ((__u64)(th) << 48) | (idx))

static void sh_fail(struct shared *sh, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&sh->cq_lock);
	if (!sh->fail) {
		va_start(ap, fmt);
		vsnprintf(sh->msg, sizeof(sh->msg), fmt, ap);
		va_end(ap);
	}
	__atomic_store_n(&sh->fail, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&sh->cq_lock);
}

static struct sh_slot *sh_lookup(struct shared *sh, __u64 ud)
{
	unsigned int th = (ud >> 48) & 0xff, idx = ud & 0xffffffffffffULL;

	if (th >= SH_THREADS || idx >= SH_MAXREQ ||
	    idx >= __atomic_load_n(&sh->next[th], __ATOMIC_ACQUIRE))
		return NULL;
	if (SH_UD(sh->slot[th][idx].cls, th, idx) != ud)
		return NULL;
	return &sh->slot[th][idx];
}

/* Consume every posted CQE, whoever it belongs to. */
static void sh_reap(struct shared *sh)
{
	struct io_uring_cqe *cqe;
	struct sh_slot *s;

	pthread_mutex_lock(&sh->cq_lock);
	while ((cqe = ring_peek_cqe(&sh->r))) {
		struct io_uring_cqe c = *cqe;

		ring_cqe_seen(&sh->r);
		s = sh_lookup(sh, c.user_data);
		if (!s || s->seen) {
			if (!sh->fail)
				snprintf(sh->msg, sizeof(sh->msg), "%s CQE ud 0x%llx res %d",
					 s ? "second" : "unknown",
					 (unsigned long long)c.user_data, c.res);
			__atomic_store_n(&sh->fail, 1, __ATOMIC_RELEASE);
			continue;
		}
		s->res = c.res;
		s->flags = c.flags;
		__atomic_store_n(&s->seen, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&sh->cq_lock);
}

static void sh_getevents(struct shared *sh)
{
	struct __kernel_timespec ts = { .tv_nsec = 20 * 1000000L };
	struct io_uring_getevents_arg ga = { .ts = (__u64)(uintptr_t)&ts };

	io_uring_enter(sh->r.fd, 0, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &ga,
		       sizeof(ga));
}

/* Queue one request under sq_lock; returns false when out of slots. */
static bool sh_queue(struct sh_thread *st, unsigned int cls, int fd, __u64 target)
{
	struct shared *sh = st->sh;
	unsigned int idx = sh->next[st->id];
	struct io_uring_sqe *sqe;
	struct sh_slot *s;
	__u64 ud;

	if (idx >= SH_MAXREQ)
		return false;
	s = &sh->slot[st->id][idx];
	memset(s, 0, sizeof(*s));
	s->cls = cls;
	s->target_ud = target;
	/* both threads' SQEs are issued in SQ ring order, under uring_lock */
	s->pos = sh->r.sqe_tail;
	ud = SH_UD(cls, st->id, idx);
	if (cls == C_POLL)
		sqe = sqe_poll(&sh->r, fd, ud);
	else
		sqe = sqe_cancel(&sh->r, target, 0, ud);
	if (!sqe)
		return false;
	/* publish the slot before the kernel can post its CQE */
	__atomic_store_n(&sh->next[st->id], idx + 1, __ATOMIC_RELEASE);
	return true;
}

static void sh_submit(struct sh_thread *st, unsigned int n)
{
	struct shared *sh = st->sh;
	int ret, tries;

	/*
	 * Concurrent with the other thread: its io_uring_enter() may submit
	 * our SQEs and ours its SQEs, the count only has to add up.
	 */
	for (tries = 0; tries < 100; tries++) {
		ret = io_uring_enter(sh->r.fd, n, 0, 0, NULL, 0);
		if (ret >= 0)
			return;
		if (ret != -EAGAIN && ret != -EINTR && ret != -EBUSY)
			break;
		sh_reap(sh);
	}
	sh_fail(sh, "thread %u: io_uring_enter(%u): %d", st->id, n, ret);
}

static void *sh_thread_fn(void *arg)
{
	struct sh_thread *st = arg;
	struct shared *sh = st->sh;
	unsigned int i, n, want, base, other = st->id ^ 1;
	long deadline;
	__u64 cross;

	for (st->iters = 0; st->iters < ITERS && now_ms() < sh->end &&
	     !__atomic_load_n(&sh->fail, __ATOMIC_ACQUIRE); st->iters++) {
		for (i = 0; i < SH_PIPES; i++)
			drain(sh->p[st->id][i][0]);
		base = sh->next[st->id];
		if (base + 3 * SH_PIPES + 2 > SH_MAXREQ)
			break;

		pthread_mutex_lock(&sh->sq_lock);
		n = 0;
		for (i = 0; i < SH_PIPES; i++)
			n += sh_queue(st, C_POLL, sh->p[st->id][i][0], 0);
		ring_flush(&sh->r);
		pthread_mutex_unlock(&sh->sq_lock);
		if (n != SH_PIPES) {
			sh_fail(sh, "thread %u: SQ ring full", st->id);
			break;
		}
		/* the other thread may aim a cancel at these from now on */
		__atomic_store_n(&sh->last_poll[st->id], SH_UD(C_POLL, st->id, base),
				 __ATOMIC_RELEASE);
		if (rnd(&st->rs) & 1) {
			sh_submit(st, n);
			n = 0;
			/* sometimes long enough for its cancel to come first */
			spin(rnd(&st->rs) % (rnd(&st->rs) & 4 ? 40000 : 4000));
		}

		pthread_mutex_lock(&sh->sq_lock);
		/* cancel all our polls, and one of the other thread's */
		want = n + SH_PIPES;
		for (i = 0; i < SH_PIPES; i++)
			n += sh_queue(st, C_CANCEL, -1, SH_UD(C_POLL, st->id, base + i));
		cross = __atomic_load_n(&sh->last_poll[other], __ATOMIC_ACQUIRE);
		if (cross) {
			want++;
			n += sh_queue(st, C_CANCEL, -1, cross + rnd(&st->rs) % SH_PIPES);
		}
		ring_flush(&sh->r);
		pthread_mutex_unlock(&sh->sq_lock);
		if (n != want) {
			sh_fail(sh, "thread %u: SQ ring full", st->id);
			break;
		}
		sh_submit(st, n);

		/* wait for our polls and cancels: the CQEs may be reaped by either thread */
		deadline = now_ms() + WAIT_MS;
		for (;;) {
			unsigned int done = 0, end = sh->next[st->id];

			sh_reap(sh);
			for (i = base; i < end; i++)
				done += __atomic_load_n(&sh->slot[st->id][i].seen,
							__ATOMIC_ACQUIRE);
			if (done == end - base)
				break;
			if (now_ms() > deadline) {
				sh_fail(sh, "thread %u: %u of %u CQEs missing", st->id,
					end - base - done, end - base);
				return NULL;
			}
			sh_getevents(sh);
		}
	}
	return NULL;
}

/* the writer: pokes random pipes of both threads */
static void *sh_poker_fn(void *arg)
{
	struct shared *sh = arg;
	__u32 rs = seed_from(66);

	while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
		unsigned int v = rnd(&rs);

		if (write(sh->p[v % SH_THREADS][(v >> 8) % SH_PIPES][1], "p", 1) < 0 &&
		    errno != EAGAIN)
			break;
		spin(rnd(&rs) % 20000);
		sched_yield();
	}
	return NULL;
}

TEST(shared_ring_threads)
{
	unsigned int i, k, total = 0, fired = 0, cross_ok = 0, first_cross = 0;
	struct sh_thread st[SH_THREADS];
	struct io_uring_params p;
	struct shared *sh;
	pthread_t poker;
	long deadline;

	if (!uring_op_supported(IORING_OP_POLL_ADD))
		SKIP(return, "IORING_OP_POLL_ADD not supported");
	if (!uring_op_supported(IORING_OP_ASYNC_CANCEL))
		SKIP(return, "IORING_OP_ASYNC_CANCEL not supported");

	sh = calloc(1, sizeof(*sh));
	ASSERT_NE(NULL, sh);
	for (k = 0; k < SH_THREADS; k++) {
		sh->slot[k] = calloc(SH_MAXREQ, sizeof(struct sh_slot));
		ASSERT_NE(NULL, sh->slot[k]);
		ASSERT_EQ(0, open_pipes(sh->p[k], SH_PIPES));
	}
	pthread_mutex_init(&sh->sq_lock, NULL);
	pthread_mutex_init(&sh->cq_lock, NULL);
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 256;
	ASSERT_EQ(0, ring_init(&sh->r, 64, &p));

	sh->end = now_ms() + RUN_MS;
	ASSERT_EQ(0, pthread_create(&poker, NULL, sh_poker_fn, sh));
	for (k = 0; k < SH_THREADS; k++) {
		st[k].sh = sh;
		st[k].id = k;
		st[k].rs = seed_from(60 + k);
		ASSERT_EQ(0, pthread_create(&st[k].th, NULL, sh_thread_fn, &st[k]));
	}
	for (k = 0; k < SH_THREADS; k++)
		pthread_join(st[k].th, NULL);
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	pthread_join(poker, NULL);
	ASSERT_EQ(0, sh->fail) {
		TH_LOG("%s", sh->msg);
	}

	/* cross cancels may still be in flight: wait for every CQE */
	deadline = now_ms() + WAIT_MS;
	for (;;) {
		unsigned int missing = 0;

		sh_reap(sh);
		for (k = 0; k < SH_THREADS; k++) {
			for (i = 0; i < sh->next[k]; i++)
				missing += !sh->slot[k][i].seen;
		}
		if (!missing || now_ms() > deadline) {
			ASSERT_EQ(0U, missing);
			break;
		}
		sh_getevents(sh);
	}
	/* nothing more may come */
	EXPECT_EQ(NULL, ring_wait_cqe(&sh->r, 20, NULL));
	ASSERT_EQ(0, sh->fail) {
		TH_LOG("%s", sh->msg);
	}

	/*
	 * Results. The cancels and the poll task work run in different tasks
	 * here, so a cancel can find a poll that is completing and still
	 * report 0: a cancel's 0 does not imply -ECANCELED. The other way
	 * round is strict: a poll stays in the cancel hash from its issue
	 * until a cancel has found it (or it completed with POLLIN), and all
	 * SQEs of both threads are issued one by one in SQ ring order. So a
	 * poll that ended with -ECANCELED was found by the first cancel aimed
	 * at it, whichever thread queued and whichever task issued it.
	 */
	for (k = 0; k < SH_THREADS; k++) {
		for (i = 0; i < sh->next[k]; i++) {
			struct sh_slot *s = &sh->slot[k][i], *tgt;

			EXPECT_EQ(0U, s->flags);
			EXPECT_TRUE(res_allowed(s->cls, s->res)) {
				TH_LOG("%s ud 0x%llx res %d", cls_name[s->cls],
				       (unsigned long long)SH_UD(s->cls, k, i), s->res);
			}
			if (s->cls != C_CANCEL || s->res != 0)
				continue;
			tgt = sh_lookup(sh, s->target_ud);
			ASSERT_NE(NULL, tgt);
			tgt->found = 1;
			if (((s->target_ud >> 48) & 0xff) != k)
				cross_ok++;
		}
	}
	for (k = 0; k < SH_THREADS; k++) {
		for (i = 0; i < sh->next[k]; i++) {
			struct sh_slot *s = &sh->slot[k][i], *tgt;

			if (s->cls != C_CANCEL)
				continue;
			tgt = sh_lookup(sh, s->target_ud);
			ASSERT_NE(NULL, tgt);
			ASSERT_EQ(C_POLL, tgt->cls);
			ASSERT_LT((int)(tgt->pos - s->pos), 0);
			if (!tgt->has_first || (int)(s->pos - tgt->first_pos) < 0) {
				tgt->has_first = 1;
				tgt->first_pos = s->pos;
				tgt->first_res = s->res;
				tgt->first_cross = ((s->target_ud >> 48) & 0xff) != k;
			}
		}
	}
	for (k = 0; k < SH_THREADS; k++) {
		for (i = 0; i < sh->next[k]; i++) {
			struct sh_slot *s = &sh->slot[k][i];

			if (s->cls != C_POLL)
				continue;
			total++;
			fired += s->res == POLLIN;
			first_cross += s->first_cross;
			/* every poll has a cancel of its own thread */
			ASSERT_EQ(1, s->has_first);
			if (s->res == -ECANCELED) {
				EXPECT_EQ(1, s->found) {
					TH_LOG("poll ud 0x%llx cancelled, no cancel found it",
					       (unsigned long long)SH_UD(C_POLL, k, i));
				}
				EXPECT_EQ(0, s->first_res) {
					TH_LOG("poll ud 0x%llx: the first cancel got %d",
					       (unsigned long long)SH_UD(C_POLL, k, i),
					       s->first_res);
				}
			}
		}
	}
	TH_LOG("%u + %u iterations, %u polls: %u fired, %u cancelled", st[0].iters, st[1].iters,
	       total, fired, total - fired);
	TH_LOG("cross-thread cancels: %u found their poll, %u were the first aimed at it",
	       cross_ok, first_cross);

	ring_exit(&sh->r);
	for (k = 0; k < SH_THREADS; k++) {
		close_pipes(sh->p[k], SH_PIPES, NULL);
		free(sh->slot[k]);
	}
	free(sh);
}

/* ---- last: everything the races allocated is freed ---- */

TEST(leak_check)
{
	struct caps c;
	struct test_ring r;
	char why[256];
	long base, n, before, during;
	unsigned int i;
	int p[2];

	/* ring fds of this process: all closed */
	EXPECT_EQ(0, count_ring_fds());

	if (kiocb_unusable(why, sizeof(why)))
		SKIP(return, "%s", why);
	base = kiocb_baseline ? *kiocb_baseline : -1;
	if (base < 0) {
		TH_LOG("no baseline from leak_baseline (filtered run?): using the current count");
		base = kiocb_settle(3000);
		ASSERT_LE(0, base);
	}

	/* ring teardown is deferred to a workqueue: wait for it, bounded */
	n = kiocb_wait_le(base, LONG_MS);
	ASSERT_LE(0, n);
	EXPECT_LE(n, base) {
		TH_LOG("io_kiocb objects: %ld in use, %ld before the races", n, base);
	}
	TH_LOG("io_kiocb objects in use: %ld before the races, %ld after", base, n);

	/* the count is live: pending requests show up and go away again */
	get_caps(&c);
	if (!c.poll && !c.read)
		return;
	before = kiocb_count();
	ASSERT_LE(0, before);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, ring_init_flags(&r, 16, 0));
	for (i = 0; i < 16; i++) {
		struct io_uring_sqe *sqe;

		if (c.poll) {
			sqe = sqe_poll(&r, p[0], i);
			ASSERT_NE(NULL, sqe);
		} else {
			sqe = sqe_read(&r, p[0], i, i);
			ASSERT_NE(NULL, sqe);
			sqe->flags = IOSQE_ASYNC;
		}
	}
	ASSERT_EQ(16, ring_submit(&r, 16, 0, 0));
	during = kiocb_count();
	EXPECT_LE(before + 16, during) {
		TH_LOG("16 pending requests: %ld objects, %ld before", during, before);
	}
	ring_exit(&r);
	close(p[0]);
	close(p[1]);
	n = kiocb_wait_le(before, LONG_MS);
	EXPECT_LE(n, before) {
		TH_LOG("after closing the ring: %ld objects, %ld before", n, before);
	}
	TH_LOG("self-check: %ld objects, %ld with 16 requests pending, %ld after close",
	       before, during, n);
}

TEST_HARNESS_MAIN
