// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_ASYNC_CANCEL and IORING_REGISTER_SYNC_CANCEL, following Linux
 * 6.12 semantics: what can be found (armed polls, reads waiting by poll,
 * timeouts, io-wq work), the match keys (user_data, fd, fixed fd, opcode,
 * any), counts for CANCEL_ALL/ANY, and the argument checks.
 */
#include "kselftest_harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "uring_test.h"

#define WAIT_MS		5000	/* for completions that must happen */
#define SHORT_MS	50	/* for completions that must not happen (yet) */

#define REQUIRE_OP(op) do {						\
	if (!uring_op_supported(op))					\
		SKIP(return, #op " not supported");			\
} while (0)

#define REQUIRE_FAST_POLL() do {					\
	if (!uring_has_feature(IORING_FEAT_FAST_POLL))			\
		SKIP(return, "no IORING_FEAT_FAST_POLL");		\
} while (0)

/* Pop one CQE and check it. */
#define EXPECT_CQE(r, ud, res_, flags_) do {				\
	struct io_uring_cqe __c;					\
	ASSERT_EQ(0, ring_pop_cqe(r, &__c, WAIT_MS));			\
	EXPECT_EQ((__u64)(ud), __c.user_data);				\
	EXPECT_EQ((int)(res_), __c.res);				\
	EXPECT_EQ((unsigned int)(flags_), __c.flags);			\
} while (0)

/* No CQE shows up within SHORT_MS. */
#define EXPECT_NO_CQE(r) do {						\
	struct io_uring_cqe *__c = ring_wait_cqe(r, SHORT_MS, NULL);	\
	EXPECT_EQ(NULL, __c) {						\
		TH_LOG("unexpected CQE ud=%llu res=%d flags=0x%x",	\
		       (unsigned long long)__c->user_data, __c->res,	\
		       __c->flags);					\
	}								\
} while (0)

/* Pop @n CQEs (any order) into @set. */
#define POP_CQES(r, set, n) do {					\
	unsigned int __i;						\
	for (__i = 0; __i < (n); __i++) {				\
		ASSERT_EQ(0, ring_pop_cqe(r, &(set)[__i], WAIT_MS)) {	\
			TH_LOG("CQE %u of %u missing", __i, (unsigned int)(n)); \
		}							\
	}								\
} while (0)

/* The CQE of @ud among @n popped ones: exactly one, with res and flags. */
#define EXPECT_IN_SET(set, n, ud, res_, flags_) do {			\
	const struct io_uring_cqe *__c = find_cqe(set, n, ud);		\
	ASSERT_NE(NULL, __c) {						\
		TH_LOG("no CQE for user_data %llu",			\
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

static struct __kernel_timespec long_ts = { .tv_sec = 60 };

static struct io_uring_sqe *queue_poll(struct test_ring *r, int fd,
				       unsigned int events, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_POLL_ADD;
		sqe->fd = fd;
		sqe->poll32_events = events;
		sqe->user_data = ud;
	}
	return sqe;
}

static struct io_uring_sqe *queue_read(struct test_ring *r, int fd, void *buf,
				       unsigned int len, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_READ;
		sqe->fd = fd;
		sqe->addr = (__u64)(uintptr_t)buf;
		sqe->len = len;
		sqe->off = -1ULL;
		sqe->user_data = ud;
	}
	return sqe;
}

/* A relative TIMEOUT that fires after a minute (never, in these tests). */
static struct io_uring_sqe *queue_timeout(struct test_ring *r, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_TIMEOUT;
		sqe->addr = (__u64)(uintptr_t)&long_ts;
		sqe->len = 1;
		sqe->user_data = ud;
	}
	return sqe;
}

/* ASYNC_CANCEL: sqe->addr user_data key, sqe->cancel_flags. */
static struct io_uring_sqe *queue_cancel(struct test_ring *r, __u64 key,
					 unsigned int flags, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_ASYNC_CANCEL;
		sqe->addr = key;
		sqe->cancel_flags = flags;
		sqe->user_data = ud;
	}
	return sqe;
}

/* Submit one ASYNC_CANCEL and return its result (or a bogus value). */
static int cancel_res(struct test_ring *r, __u64 key, unsigned int flags,
		      int fd, unsigned int op)
{
	struct io_uring_sqe *sqe = queue_cancel(r, key, flags, 0xcace1);
	struct io_uring_cqe cqe;

	if (!sqe)
		return 0x7000001;
	sqe->fd = fd;
	sqe->len = op;
	if (ring_submit(r, 1, 0, 0) != 1)
		return 0x7000002;
	if (ring_pop_cqe(r, &cqe, WAIT_MS))
		return 0x7000003;
	if (cqe.user_data != 0xcace1 || cqe.flags)
		return 0x7000004;
	return cqe.res;
}

static void sync_reg_init(struct io_uring_sync_cancel_reg *reg, __u64 key,
			  unsigned int flags)
{
	memset(reg, 0, sizeof(*reg));
	reg->addr = key;
	reg->flags = flags;
	reg->timeout.tv_sec = -1;
	reg->timeout.tv_nsec = -1;
}

static int sync_cancel(struct test_ring *r, struct io_uring_sync_cancel_reg *reg)
{
	return io_uring_register(r->fd, IORING_REGISTER_SYNC_CANCEL, reg, 1);
}

/*
 * io-wq workers of this process (threads named iou-wrk-<tid>); *sleeping
 * gets how many of them are in interruptible sleep ('S').
 */
static int count_workers(int *sleeping)
{
	char path[300], buf[512];
	struct dirent *de;
	int fd, n, nr = 0;
	char *p;
	DIR *d;

	*sleeping = 0;
	d = opendir("/proc/self/task");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/stat",
			 de->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		/* "tid (comm) S ..." */
		if (!strstr(buf, "(iou-wrk-"))
			continue;
		nr++;
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'S')
			(*sleeping)++;
	}
	closedir(d);
	return nr;
}

/*
 * Wait (bounded) until an io-wq worker exists and all workers sleep: the
 * work item queued with IOSQE_ASYNC has been picked up and is blocked (or
 * done with). Never asserts timing: the bound only keeps a broken kernel
 * from hanging the test.
 */
static bool wait_workers_asleep(void)
{
	int i, nr, sleeping;

	for (i = 0; i < 2000; i++) {
		nr = count_workers(&sleeping);
		if (nr > 0 && sleeping == nr)
			return true;
		usleep(5000);
	}
	return false;
}

FIXTURE(cancel) {
	struct test_ring r;
	int p[2];
	int q[2];
	char dir[64];
	char fifo[80];
};

FIXTURE_SETUP(cancel)
{
	self->dir[0] = '\0';
	ASSERT_EQ(0, ring_init_flags(&self->r, 64, 0));
	ASSERT_EQ(0, pipe(self->p));
	ASSERT_EQ(0, pipe(self->q));
}

FIXTURE_TEARDOWN(cancel)
{
	int fd;

	if (self->dir[0]) {
		/* release an opener that is still blocked on the FIFO */
		fd = open(self->fifo, O_WRONLY | O_NONBLOCK);
		if (fd >= 0)
			close(fd);
	}
	ring_exit(&self->r);
	close(self->p[0]);
	close(self->p[1]);
	close(self->q[0]);
	close(self->q[1]);
	if (self->dir[0]) {
		unlink(self->fifo);
		rmdir(self->dir);
	}
}

static int make_fifo(FIXTURE_DATA(cancel) *self)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/iou-cancel-XXXXXX");
	if (!mkdtemp(self->dir)) {
		self->dir[0] = '\0';
		return -errno;
	}
	snprintf(self->fifo, sizeof(self->fifo), "%s/fifo", self->dir);
	return mkfifo(self->fifo, 0600) ? -errno : 0;
}

/*
 * OPENAT of a FIFO for reading with IOSQE_ASYNC: an io-wq worker blocks
 * (interruptibly) until a writer shows up. Returns once it sleeps.
 */
static bool start_blocked_open(FIXTURE_DATA(cancel) *self, __u64 ud)
{
	struct io_uring_sqe *sqe;

	if (make_fifo(self))
		return false;
	sqe = ring_get_sqe(&self->r);
	if (!sqe)
		return false;
	sqe->opcode = IORING_OP_OPENAT;
	sqe->fd = AT_FDCWD;
	sqe->addr = (__u64)(uintptr_t)self->fifo;
	sqe->open_flags = O_RDONLY;
	sqe->flags = IOSQE_ASYNC;
	sqe->user_data = ud;
	if (ring_submit(&self->r, 1, 0, 0) != 1)
		return false;
	return wait_workers_asleep();
}

/* A POLL_ADD armed on an idle pipe: cancel -> 0, the poll -> -ECANCELED. */
TEST_F(cancel, poll_by_user_data)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[2];

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_ASYNC_CANCEL);

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 1));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_NO_CQE(r);
	ASSERT_NE(NULL, queue_cancel(r, 1, 0, 100));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 1, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 100, 0, 0);
	EXPECT_NO_CQE(r);

	/* gone */
	EXPECT_EQ(-ENOENT, cancel_res(r, 1, 0, 0, 0));
	/* IORING_ASYNC_CANCEL_USERDATA alone is the same key */
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 2));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	ASSERT_NE(NULL, queue_cancel(r, 2, IORING_ASYNC_CANCEL_USERDATA, 101));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 2, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 101, 0, 0);
}

/* A multishot poll ends with -ECANCELED and no IORING_CQE_F_MORE. */
TEST_F(cancel, multishot_poll)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe set[2];

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_ASYNC_CANCEL);

	sqe = queue_poll(r, self->p[0], POLLIN, 1);
	ASSERT_NE(NULL, sqe);
	sqe->len = IORING_POLL_ADD_MULTI;
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_CQE(r, 1, POLLIN, IORING_CQE_F_MORE);
	ASSERT_NE(NULL, queue_cancel(r, 1, 0, 100));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 1, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 100, 0, 0);
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_NO_CQE(r);
}

/*
 * Nothing matches: -ENOENT for a single cancel, but 0 (the count) for
 * CANCEL_ALL and CANCEL_ANY.
 */
TEST_F(cancel, not_found)
{
	struct test_ring *r = &self->r;

	REQUIRE_OP(IORING_OP_ASYNC_CANCEL);

	EXPECT_EQ(-ENOENT, cancel_res(r, 0x1234, 0, 0, 0));
	EXPECT_EQ(-ENOENT, cancel_res(r, 0, 0, 0, 0));
	EXPECT_EQ(0, cancel_res(r, 0x1234, IORING_ASYNC_CANCEL_ALL, 0, 0));
	EXPECT_EQ(0, cancel_res(r, 0, IORING_ASYNC_CANCEL_ANY, 0, 0));
	EXPECT_EQ(-ENOENT, cancel_res(r, 0, IORING_ASYNC_CANCEL_FD,
				      self->p[0], 0));
	EXPECT_EQ(0, cancel_res(r, 0, IORING_ASYNC_CANCEL_FD |
				IORING_ASYNC_CANCEL_ALL, self->p[0], 0));
	EXPECT_EQ(-ENOENT, cancel_res(r, 0, IORING_ASYNC_CANCEL_OP, 0,
				      IORING_OP_READ));
	/* a cancel doesn't find itself, even with ANY */
	EXPECT_EQ(0, cancel_res(r, 0xcace1, IORING_ASYNC_CANCEL_ANY, 0, 0));
	EXPECT_EQ(-ENOENT, cancel_res(r, 0xcace1, 0, 0, 0));
}

/*
 * A READ on an empty pipe waits by internal poll (FEAT_FAST_POLL): found by
 * user_data, -ECANCELED, and the data written later stays in the pipe.
 */
TEST_F(cancel, fast_poll_read)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[2];
	char buf[8], c;

	REQUIRE_OP(IORING_OP_READ);
	REQUIRE_OP(IORING_OP_ASYNC_CANCEL);
	REQUIRE_FAST_POLL();

	ASSERT_NE(NULL, queue_read(r, self->p[0], buf, sizeof(buf), 1));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_NO_CQE(r);
	ASSERT_NE(NULL, queue_cancel(r, 1, 0, 100));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 1, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 100, 0, 0);

	ASSERT_EQ(1, write(self->p[1], "z", 1));
	EXPECT_NO_CQE(r);
	ASSERT_EQ(1, read(self->p[0], &c, 1));
	EXPECT_EQ('z', c);
}

/*
 * A READ forced to io-wq with IOSQE_ASYNC on an empty pipe: the worker
 * doesn't block, it arms a poll and goes idle. The cancel then finds the
 * poll: 0, and the read completes -ECANCELED.
 */
TEST_F(cancel, async_read_worker)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe set[2];
	int sleeping;
	char buf[8];

	REQUIRE_OP(IORING_OP_READ);
	REQUIRE_OP(IORING_OP_ASYNC_CANCEL);
	REQUIRE_FAST_POLL();

	sqe = queue_read(r, self->p[0], buf, sizeof(buf), 1);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_ASYNC;
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	ASSERT_TRUE(wait_workers_asleep());
	EXPECT_LT(0, count_workers(&sleeping));
	EXPECT_NO_CQE(r);

	ASSERT_NE(NULL, queue_cancel(r, 1, 0, 100));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 1, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 100, 0, 0);
}

/*
 * Work that is running in an io-wq worker (OPENAT of a FIFO blocked until a
 * writer opens it): the cancel signals the worker and returns -EALREADY;
 * the interrupted open completes with -EINTR.
 */
TEST_F(cancel, running_worker)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[2];

	REQUIRE_OP(IORING_OP_OPENAT);
	REQUIRE_OP(IORING_OP_ASYNC_CANCEL);

	ASSERT_TRUE(start_blocked_open(self, 1));
	EXPECT_NO_CQE(r);
	ASSERT_NE(NULL, queue_cancel(r, 1, 0, 100));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 1, -EINTR, 0);
	EXPECT_IN_SET(set, 2, 100, -EALREADY, 0);
}

/* CANCEL_ALL counts no running work: 0, though the work is interrupted. */
TEST_F(cancel, running_worker_all)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[2];

	REQUIRE_OP(IORING_OP_OPENAT);
	REQUIRE_OP(IORING_OP_ASYNC_CANCEL);

	ASSERT_TRUE(start_blocked_open(self, 1));
	ASSERT_NE(NULL, queue_cancel(r, 1, IORING_ASYNC_CANCEL_ALL, 100));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 1, -EINTR, 0);
	EXPECT_IN_SET(set, 2, 100, 0, 0);
}

/* A relative TIMEOUT: cancel -> 0, the timeout -> -ECANCELED. */
TEST_F(cancel, timeout)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[2];

	REQUIRE_OP(IORING_OP_TIMEOUT);
	REQUIRE_OP(IORING_OP_ASYNC_CANCEL);

	ASSERT_NE(NULL, queue_timeout(r, 1));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_NO_CQE(r);
	ASSERT_NE(NULL, queue_cancel(r, 1, 0, 100));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 1, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 100, 0, 0);
	EXPECT_EQ(-ENOENT, cancel_res(r, 1, 0, 0, 0));
}

/* A cancel without ALL takes one of several requests with the same key. */
TEST_F(cancel, user_data_one_of_many)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[2];

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_ASYNC_CANCEL);

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 5));
	ASSERT_NE(NULL, queue_poll(r, self->q[0], POLLIN, 5));
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	ASSERT_NE(NULL, queue_cancel(r, 5, 0, 100));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 5, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 100, 0, 0);
	ASSERT_NE(NULL, queue_cancel(r, 5, 0, 101));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 5, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 101, 0, 0);
	EXPECT_EQ(-ENOENT, cancel_res(r, 5, 0, 0, 0));
}

/* CANCEL_ALL by user_data: polls, reads and timeouts alike; res = count. */
TEST_F(cancel, all_user_data)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[5];
	unsigned int i;
	char buf[8];

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_READ);
	REQUIRE_OP(IORING_OP_TIMEOUT);
	REQUIRE_OP(IORING_OP_ASYNC_CANCEL);
	REQUIRE_FAST_POLL();

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 7));
	ASSERT_NE(NULL, queue_poll(r, self->q[0], POLLIN, 7));
	ASSERT_NE(NULL, queue_read(r, self->q[0], buf, sizeof(buf), 7));
	ASSERT_NE(NULL, queue_timeout(r, 7));
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 8));
	ASSERT_EQ(5, ring_submit(r, 5, 0, 0));
	EXPECT_NO_CQE(r);

	ASSERT_NE(NULL, queue_cancel(r, 7, IORING_ASYNC_CANCEL_ALL, 100));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 5);
	EXPECT_IN_SET(set, 5, 100, 4, 0);
	EXPECT_EQ(4U, count_cqe(set, 5, 7));
	for (i = 0; i < 5; i++) {
		if (set[i].user_data == 7) {
			EXPECT_EQ(-ECANCELED, set[i].res);
			EXPECT_EQ(0U, set[i].flags);
		}
	}
	EXPECT_NO_CQE(r);

	/* the other key is untouched */
	EXPECT_EQ(0, cancel_res(r, 7, IORING_ASYNC_CANCEL_ALL, 0, 0));
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_CQE(r, 8, POLLIN, 0);
}

/*
 * IORING_ASYNC_CANCEL_FD: matches requests on the same file (sqe->fd),
 * polls and reads, never timeouts. Without ALL, one of them.
 */
TEST_F(cancel, by_fd)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe set[3];
	const struct io_uring_cqe *c;
	__u64 first;
	char buf[8];
	int fd;

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_READ);
	REQUIRE_OP(IORING_OP_TIMEOUT);
	REQUIRE_OP(IORING_OP_ASYNC_CANCEL);
	REQUIRE_FAST_POLL();

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 1));
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 2));
	ASSERT_NE(NULL, queue_poll(r, self->q[0], POLLIN, 3));
	ASSERT_NE(NULL, queue_read(r, self->p[0], buf, sizeof(buf), 4));
	ASSERT_NE(NULL, queue_timeout(r, 5));
	ASSERT_EQ(5, ring_submit(r, 5, 0, 0));
	EXPECT_NO_CQE(r);

	sqe = queue_cancel(r, 0, IORING_ASYNC_CANCEL_FD, 100);
	ASSERT_NE(NULL, sqe);
	sqe->fd = self->p[0];
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 100, 0, 0);
	c = set[0].user_data == 100 ? &set[1] : &set[0];
	EXPECT_TRUE(c->user_data == 1 || c->user_data == 2 ||
		    c->user_data == 4) {
		TH_LOG("cancelled user_data %llu",
		       (unsigned long long)c->user_data);
	}
	EXPECT_EQ(-ECANCELED, c->res);
	EXPECT_EQ(0U, c->flags);
	first = c->user_data;

	/* the two left on p[0] */
	sqe = queue_cancel(r, 0, IORING_ASYNC_CANCEL_FD |
			   IORING_ASYNC_CANCEL_ALL, 101);
	ASSERT_NE(NULL, sqe);
	sqe->fd = self->p[0];
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 3);
	EXPECT_IN_SET(set, 3, 101, 2, 0);
	EXPECT_EQ(0U, count_cqe(set, 3, first));
	EXPECT_EQ(2U, count_cqe(set, 3, 1) + count_cqe(set, 3, 2) +
		  count_cqe(set, 3, 4));
	EXPECT_EQ(-ECANCELED, set[0].user_data == 101 ? set[1].res : set[0].res);
	EXPECT_EQ(-ECANCELED, set[2].user_data == 101 ? set[1].res : set[2].res);
	EXPECT_EQ(0U, count_cqe(set, 3, 3));
	EXPECT_EQ(0U, count_cqe(set, 3, 5));

	EXPECT_EQ(-ENOENT, cancel_res(r, 0, IORING_ASYNC_CANCEL_FD,
				      self->p[0], 0));
	/* sqe->addr is not a key with FD: poll 3 is on q[0] */
	EXPECT_EQ(0, cancel_res(r, 3, IORING_ASYNC_CANCEL_FD |
				IORING_ASYNC_CANCEL_ALL, self->p[0], 0));

	/* bad fds */
	fd = dup(self->p[0]);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-EBADF, cancel_res(r, 0, IORING_ASYNC_CANCEL_FD, -1, 0));
	EXPECT_EQ(-EBADF, cancel_res(r, 0, IORING_ASYNC_CANCEL_FD, fd, 0));
	EXPECT_EQ(-EBADF, cancel_res(r, 0, IORING_ASYNC_CANCEL_FD |
				     IORING_ASYNC_CANCEL_ALL, fd, 0));

	sqe = queue_cancel(r, 0, IORING_ASYNC_CANCEL_FD, 102);
	ASSERT_NE(NULL, sqe);
	sqe->fd = self->q[0];
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 3, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 102, 0, 0);

	ASSERT_NE(NULL, queue_cancel(r, 5, 0, 103));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 5, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 103, 0, 0);
}

/*
 * IORING_ASYNC_CANCEL_FD_FIXED: sqe->fd is a registered file index. The
 * match is on the file, so a poll on the same file through a normal fd
 * matches too. IOSQE_FIXED_FILE on the cancel SQE does the same as
 * FD_FIXED; FD_FIXED without FD keys on user_data.
 */
TEST_F(cancel, by_fixed_fd)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[3];
	struct io_uring_sqe *sqe;
	int files[2];

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_ASYNC_CANCEL);

	files[0] = self->q[0];
	files[1] = self->p[0];
	ASSERT_EQ(0, io_uring_register(r->fd, IORING_REGISTER_FILES, files, 2));

	sqe = queue_poll(r, 1, POLLIN, 1);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_FIXED_FILE;
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 2));
	sqe = queue_poll(r, 0, POLLIN, 3);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_FIXED_FILE;
	ASSERT_NE(NULL, queue_poll(r, self->q[0], POLLIN, 4));
	ASSERT_EQ(4, ring_submit(r, 4, 0, 0));
	EXPECT_NO_CQE(r);

	EXPECT_EQ(-EBADF, cancel_res(r, 0, IORING_ASYNC_CANCEL_FD |
				     IORING_ASYNC_CANCEL_FD_FIXED, 2, 0));
	EXPECT_EQ(-EBADF, cancel_res(r, 0, IORING_ASYNC_CANCEL_FD |
				     IORING_ASYNC_CANCEL_FD_FIXED, -1, 0));

	sqe = queue_cancel(r, 0, IORING_ASYNC_CANCEL_FD |
			   IORING_ASYNC_CANCEL_FD_FIXED |
			   IORING_ASYNC_CANCEL_ALL, 100);
	ASSERT_NE(NULL, sqe);
	sqe->fd = 1;
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 3);
	EXPECT_IN_SET(set, 3, 100, 2, 0);
	EXPECT_IN_SET(set, 3, 1, -ECANCELED, 0);
	EXPECT_IN_SET(set, 3, 2, -ECANCELED, 0);
	EXPECT_EQ(-ENOENT, cancel_res(r, 0, IORING_ASYNC_CANCEL_FD |
				      IORING_ASYNC_CANCEL_FD_FIXED, 1, 0));

	/* IOSQE_FIXED_FILE + CANCEL_FD: fd 0 is the index of q[0] */
	sqe = queue_cancel(r, 0, IORING_ASYNC_CANCEL_FD |
			   IORING_ASYNC_CANCEL_ALL, 101);
	ASSERT_NE(NULL, sqe);
	sqe->fd = 0;
	sqe->flags = IOSQE_FIXED_FILE;
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 3);
	EXPECT_IN_SET(set, 3, 101, 2, 0);
	EXPECT_IN_SET(set, 3, 3, -ECANCELED, 0);
	EXPECT_IN_SET(set, 3, 4, -ECANCELED, 0);

	/* FD_FIXED without FD: sqe->fd is ignored, user_data is the key */
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 5));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	sqe = queue_cancel(r, 5, IORING_ASYNC_CANCEL_FD_FIXED, 102);
	ASSERT_NE(NULL, sqe);
	sqe->fd = 99;
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 5, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 102, 0, 0);
}

/* IORING_ASYNC_CANCEL_OP: sqe->len is the opcode to match. */
TEST_F(cancel, by_opcode)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe set[2];
	char buf[8];

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_READ);
	REQUIRE_OP(IORING_OP_TIMEOUT);
	REQUIRE_OP(IORING_OP_ASYNC_CANCEL);
	REQUIRE_FAST_POLL();

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 1));
	ASSERT_NE(NULL, queue_read(r, self->q[0], buf, sizeof(buf), 2));
	ASSERT_NE(NULL, queue_timeout(r, 3));
	ASSERT_EQ(3, ring_submit(r, 3, 0, 0));
	EXPECT_NO_CQE(r);

	sqe = queue_cancel(r, 0, IORING_ASYNC_CANCEL_OP, 100);
	ASSERT_NE(NULL, sqe);
	sqe->len = IORING_OP_READ;
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 2, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 100, 0, 0);
	EXPECT_EQ(-ENOENT, cancel_res(r, 0, IORING_ASYNC_CANCEL_OP, 0,
				      IORING_OP_READ));
	EXPECT_EQ(-ENOENT, cancel_res(r, 0, IORING_ASYNC_CANCEL_OP, 0,
				      IORING_OP_NOP));

	sqe = queue_cancel(r, 0, IORING_ASYNC_CANCEL_OP, 101);
	ASSERT_NE(NULL, sqe);
	sqe->len = IORING_OP_TIMEOUT;
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 3, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 101, 0, 0);

	sqe = queue_cancel(r, 0, IORING_ASYNC_CANCEL_OP |
			   IORING_ASYNC_CANCEL_ALL, 102);
	ASSERT_NE(NULL, sqe);
	sqe->len = IORING_OP_POLL_ADD;
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 1, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 102, 1, 0);
}

/*
 * IORING_ASYNC_CANCEL_ANY matches every request and, like ALL, cancels
 * all of them: res is the count. ANY with FD or OP is -EINVAL.
 */
TEST_F(cancel, any)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[5];
	char buf[8];
	unsigned int i;

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_READ);
	REQUIRE_OP(IORING_OP_TIMEOUT);
	REQUIRE_OP(IORING_OP_ASYNC_CANCEL);
	REQUIRE_FAST_POLL();

	EXPECT_EQ(-EINVAL, cancel_res(r, 0, IORING_ASYNC_CANCEL_ANY |
				      IORING_ASYNC_CANCEL_FD, self->p[0], 0));
	EXPECT_EQ(-EINVAL, cancel_res(r, 0, IORING_ASYNC_CANCEL_ANY |
				      IORING_ASYNC_CANCEL_OP, 0,
				      IORING_OP_POLL_ADD));

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 1));
	ASSERT_NE(NULL, queue_poll(r, self->q[0], POLLIN, 2));
	ASSERT_NE(NULL, queue_read(r, self->q[0], buf, sizeof(buf), 3));
	ASSERT_NE(NULL, queue_timeout(r, 4));
	ASSERT_EQ(4, ring_submit(r, 4, 0, 0));
	EXPECT_NO_CQE(r);

	/* sqe->addr is not a key with ANY */
	ASSERT_NE(NULL, queue_cancel(r, 1, IORING_ASYNC_CANCEL_ANY, 100));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 5);
	EXPECT_IN_SET(set, 5, 100, 4, 0);
	for (i = 1; i <= 4; i++) {
		EXPECT_IN_SET(set, 5, i, -ECANCELED, 0);
	}
	EXPECT_EQ(0, cancel_res(r, 0, IORING_ASYNC_CANCEL_ANY |
				IORING_ASYNC_CANCEL_ALL, 0, 0));
}

/* IORING_ASYNC_CANCEL_USERDATA combined with FD or OP: both must match. */
TEST_F(cancel, user_data_combined)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe set[3];
	char buf[8];

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_READ);
	REQUIRE_OP(IORING_OP_ASYNC_CANCEL);
	REQUIRE_FAST_POLL();

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 1));
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 2));
	ASSERT_NE(NULL, queue_poll(r, self->q[0], POLLIN, 1));
	ASSERT_NE(NULL, queue_read(r, self->q[0], buf, sizeof(buf), 2));
	ASSERT_EQ(4, ring_submit(r, 4, 0, 0));
	EXPECT_NO_CQE(r);

	/* fd and user_data: exactly the poll 2 on p[0] */
	sqe = queue_cancel(r, 2, IORING_ASYNC_CANCEL_FD |
			   IORING_ASYNC_CANCEL_USERDATA, 100);
	ASSERT_NE(NULL, sqe);
	sqe->fd = self->p[0];
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 2, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 100, 0, 0);
	EXPECT_EQ(-ENOENT, cancel_res(r, 2, IORING_ASYNC_CANCEL_FD |
				      IORING_ASYNC_CANCEL_USERDATA,
				      self->p[0], 0));

	/* opcode and user_data: the read 2, not the poll 1 on q[0] */
	EXPECT_EQ(-ENOENT, cancel_res(r, 1, IORING_ASYNC_CANCEL_OP |
				      IORING_ASYNC_CANCEL_USERDATA, 0,
				      IORING_OP_READ));
	sqe = queue_cancel(r, 2, IORING_ASYNC_CANCEL_OP |
			   IORING_ASYNC_CANCEL_USERDATA, 101);
	ASSERT_NE(NULL, sqe);
	sqe->len = IORING_OP_READ;
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 2, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 101, 0, 0);

	/* opcode, user_data and ALL: both polls with user_data 1 */
	sqe = queue_cancel(r, 1, IORING_ASYNC_CANCEL_OP |
			   IORING_ASYNC_CANCEL_USERDATA |
			   IORING_ASYNC_CANCEL_ALL, 102);
	ASSERT_NE(NULL, sqe);
	sqe->len = IORING_OP_POLL_ADD;
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 3);
	EXPECT_IN_SET(set, 3, 102, 2, 0);
	EXPECT_EQ(2U, count_cqe(set, 3, 1));
	EXPECT_EQ(-ECANCELED, find_cqe(set, 3, 1)->res);
}

/*
 * ASYNC_CANCEL prep: unknown cancel flags, off, splice_fd_in and ioprio
 * are -EINVAL, IOSQE_BUFFER_SELECT -EOPNOTSUPP. len (without OP), fd
 * (without FD), buf_index and addr3 are not looked at.
 */
TEST_F(cancel, bad_fields)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[2];
	struct io_uring_sqe *sqe;
	unsigned int i;

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_ASYNC_CANCEL);

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 1));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));

	for (i = 0; i < 6; i++) {
		sqe = queue_cancel(r, 1, 0, 10 + i);
		ASSERT_NE(NULL, sqe);
		switch (i) {
		case 0:
			sqe->cancel_flags = IORING_ASYNC_CANCEL_OP << 1;
			break;
		case 1:
			sqe->cancel_flags = 1U << 31;
			break;
		case 2:
			sqe->off = 1;
			break;
		case 3:
			sqe->splice_fd_in = 1;
			break;
		case 4:
			sqe->ioprio = 1;
			break;
		case 5:
			sqe->flags = IOSQE_BUFFER_SELECT;
			break;
		}
		ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
		/* user_data 10 + i tells which case failed */
		EXPECT_CQE(r, 10 + i, i == 5 ? -EOPNOTSUPP : -EINVAL, 0);
	}
	/* nothing was cancelled */
	EXPECT_NO_CQE(r);

	sqe = queue_cancel(r, 1, 0, 100);
	ASSERT_NE(NULL, sqe);
	sqe->len = 5;
	sqe->fd = 77;
	sqe->buf_index = 3;
	sqe->addr3 = 9;
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 1, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 100, 0, 0);
}

/*
 * Cancelling the head of a link chain fails the rest with -ECANCELED. A
 * request waiting in a chain is not found by a cancel.
 */
TEST_F(cancel, link_chain)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[4];
	struct io_uring_sqe *sqe;

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_ASYNC_CANCEL);

	sqe = queue_poll(r, self->p[0], POLLIN, 1);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	sqe = ring_nop(r, 2);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	ASSERT_NE(NULL, ring_nop(r, 3));
	ASSERT_EQ(3, ring_submit(r, 3, 0, 0));
	EXPECT_NO_CQE(r);

	EXPECT_EQ(-ENOENT, cancel_res(r, 2, 0, 0, 0));
	EXPECT_EQ(-ENOENT, cancel_res(r, 3, 0, 0, 0));
	EXPECT_EQ(0, cancel_res(r, 0, IORING_ASYNC_CANCEL_OP |
				IORING_ASYNC_CANCEL_ALL, 0, IORING_OP_NOP));
	EXPECT_NO_CQE(r);

	ASSERT_NE(NULL, queue_cancel(r, 1, 0, 100));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 4);
	EXPECT_IN_SET(set, 4, 100, 0, 0);
	EXPECT_IN_SET(set, 4, 1, -ECANCELED, 0);
	EXPECT_IN_SET(set, 4, 2, -ECANCELED, 0);
	EXPECT_IN_SET(set, 4, 3, -ECANCELED, 0);
	EXPECT_NO_CQE(r);
}

/* A read at the head of a chain: the linked write never happens. */
TEST_F(cancel, link_chain_read_write)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[3];
	struct io_uring_sqe *sqe;
	char buf[8], c;

	REQUIRE_OP(IORING_OP_READ);
	REQUIRE_OP(IORING_OP_WRITE);
	REQUIRE_OP(IORING_OP_ASYNC_CANCEL);
	REQUIRE_FAST_POLL();

	sqe = queue_read(r, self->p[0], buf, sizeof(buf), 1);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	sqe = ring_get_sqe(r);
	ASSERT_NE(NULL, sqe);
	sqe->opcode = IORING_OP_WRITE;
	sqe->fd = self->q[1];
	sqe->addr = (__u64)(uintptr_t)"w";
	sqe->len = 1;
	sqe->off = -1ULL;
	sqe->user_data = 2;
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	EXPECT_NO_CQE(r);

	ASSERT_NE(NULL, queue_cancel(r, 1, 0, 100));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 3);
	EXPECT_IN_SET(set, 3, 100, 0, 0);
	EXPECT_IN_SET(set, 3, 1, -ECANCELED, 0);
	EXPECT_IN_SET(set, 3, 2, -ECANCELED, 0);

	ASSERT_EQ(0, fcntl(self->q[0], F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(self->q[0], &c, 1));
	EXPECT_EQ(EAGAIN, errno);
}

/* A hard link survives the cancel of its head: the next one still runs. */
TEST_F(cancel, hardlink_chain)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[3];
	struct io_uring_sqe *sqe;

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_ASYNC_CANCEL);

	sqe = queue_poll(r, self->p[0], POLLIN, 1);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_HARDLINK;
	ASSERT_NE(NULL, ring_nop(r, 2));
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	EXPECT_NO_CQE(r);

	ASSERT_NE(NULL, queue_cancel(r, 1, 0, 100));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	POP_CQES(r, set, 3);
	EXPECT_IN_SET(set, 3, 100, 0, 0);
	EXPECT_IN_SET(set, 3, 1, -ECANCELED, 0);
	EXPECT_IN_SET(set, 3, 2, 0, 0);
}

/*
 * IORING_REGISTER_SYNC_CANCEL by user_data: 0 when found (the request
 * completes -ECANCELED), -ENOENT when not. A timeout of {-1, -1} means
 * none; any timeout only matters for work that is running.
 */
TEST_F(cancel, sync_user_data)
{
	struct io_uring_sync_cancel_reg reg;
	struct test_ring *r = &self->r;
	char buf[8];

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_READ);
	REQUIRE_OP(IORING_OP_TIMEOUT);
	REQUIRE_FAST_POLL();

	/* before anything was ever submitted by this task */
	sync_reg_init(&reg, 1, 0);
	EXPECT_EQ(-ENOENT, sync_cancel(r, &reg));

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 1));
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 2));
	ASSERT_NE(NULL, queue_timeout(r, 3));
	ASSERT_NE(NULL, queue_read(r, self->q[0], buf, sizeof(buf), 4));
	ASSERT_EQ(4, ring_submit(r, 4, 0, 0));
	EXPECT_NO_CQE(r);

	sync_reg_init(&reg, 1, 0);
	EXPECT_EQ(0, sync_cancel(r, &reg));
	EXPECT_CQE(r, 1, -ECANCELED, 0);
	EXPECT_EQ(-ENOENT, sync_cancel(r, &reg));

	sync_reg_init(&reg, 2, 0);
	reg.timeout.tv_sec = 1;
	reg.timeout.tv_nsec = 0;
	EXPECT_EQ(0, sync_cancel(r, &reg));
	EXPECT_CQE(r, 2, -ECANCELED, 0);

	/* tv_sec -1 alone is a (past) timeout, unused when nothing runs */
	sync_reg_init(&reg, 3, IORING_ASYNC_CANCEL_USERDATA);
	reg.timeout.tv_nsec = 0;
	EXPECT_EQ(0, sync_cancel(r, &reg));
	EXPECT_CQE(r, 3, -ECANCELED, 0);

	sync_reg_init(&reg, 4, 0);
	EXPECT_EQ(0, sync_cancel(r, &reg));
	EXPECT_CQE(r, 4, -ECANCELED, 0);
	EXPECT_EQ(-ENOENT, sync_cancel(r, &reg));
	EXPECT_NO_CQE(r);
}

/* SYNC_CANCEL with ALL / ANY returns the count; FD, FD_FIXED, OP keys. */
TEST_F(cancel, sync_keys)
{
	struct io_uring_sync_cancel_reg reg;
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[3];
	struct io_uring_sqe *sqe;
	int files[1];

	REQUIRE_OP(IORING_OP_POLL_ADD);

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 5));
	ASSERT_NE(NULL, queue_poll(r, self->q[0], POLLIN, 5));
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 5));
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 6));
	ASSERT_EQ(4, ring_submit(r, 4, 0, 0));

	sync_reg_init(&reg, 5, IORING_ASYNC_CANCEL_ALL);
	EXPECT_EQ(3, sync_cancel(r, &reg));
	POP_CQES(r, set, 3);
	EXPECT_EQ(3U, count_cqe(set, 3, 5));
	EXPECT_EQ(-ECANCELED, set[0].res);
	EXPECT_EQ(-ECANCELED, set[1].res);
	EXPECT_EQ(-ECANCELED, set[2].res);
	EXPECT_EQ(0, sync_cancel(r, &reg));

	sync_reg_init(&reg, 0, IORING_ASYNC_CANCEL_ANY);
	EXPECT_EQ(1, sync_cancel(r, &reg));
	EXPECT_CQE(r, 6, -ECANCELED, 0);
	EXPECT_EQ(0, sync_cancel(r, &reg));

	/* FD */
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 7));
	ASSERT_NE(NULL, queue_poll(r, self->q[0], POLLIN, 8));
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	sync_reg_init(&reg, 0, IORING_ASYNC_CANCEL_FD);
	reg.fd = self->p[0];
	EXPECT_EQ(0, sync_cancel(r, &reg));
	EXPECT_CQE(r, 7, -ECANCELED, 0);
	EXPECT_EQ(-ENOENT, sync_cancel(r, &reg));
	reg.flags |= IORING_ASYNC_CANCEL_ALL;
	reg.fd = self->q[0];
	EXPECT_EQ(1, sync_cancel(r, &reg));
	EXPECT_CQE(r, 8, -ECANCELED, 0);

	/* FD_FIXED */
	files[0] = self->p[0];
	ASSERT_EQ(0, io_uring_register(r->fd, IORING_REGISTER_FILES, files, 1));
	sqe = queue_poll(r, 0, POLLIN, 9);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_FIXED_FILE;
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	sync_reg_init(&reg, 0, IORING_ASYNC_CANCEL_FD |
		      IORING_ASYNC_CANCEL_FD_FIXED);
	reg.fd = 1;
	EXPECT_EQ(-EBADF, sync_cancel(r, &reg));
	reg.fd = 0;
	EXPECT_EQ(0, sync_cancel(r, &reg));
	EXPECT_CQE(r, 9, -ECANCELED, 0);
	EXPECT_EQ(-ENOENT, sync_cancel(r, &reg));

	/* OP */
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 10));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	sync_reg_init(&reg, 0, IORING_ASYNC_CANCEL_OP);
	reg.opcode = IORING_OP_NOP;
	EXPECT_EQ(-ENOENT, sync_cancel(r, &reg));
	reg.opcode = IORING_OP_POLL_ADD;
	EXPECT_EQ(0, sync_cancel(r, &reg));
	EXPECT_CQE(r, 10, -ECANCELED, 0);
	EXPECT_NO_CQE(r);
}

/*
 * SYNC_CANCEL argument checks: nr_args must be 1 and arg non-NULL, pad and
 * pad2 zero, flags known (-EINVAL); an unreadable arg is -EFAULT; a bad fd
 * or fixed index -EBADF. A rejected call cancels nothing.
 */
TEST_F(cancel, sync_bad_args)
{
	struct io_uring_sync_cancel_reg reg;
	struct test_ring *r = &self->r;
	unsigned int i;
	int fd;

	REQUIRE_OP(IORING_OP_POLL_ADD);

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 1));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));

	sync_reg_init(&reg, 1, 0);
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_REGISTER_SYNC_CANCEL,
					     &reg, 0));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_REGISTER_SYNC_CANCEL,
					     &reg, 2));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_REGISTER_SYNC_CANCEL,
					     NULL, 1));
	EXPECT_EQ(-EFAULT, io_uring_register(r->fd, IORING_REGISTER_SYNC_CANCEL,
					     (void *)8, 1));

	for (i = 0; i < ARRAY_SIZE(reg.pad); i++) {
		sync_reg_init(&reg, 1, 0);
		reg.pad[i] = 1;
		EXPECT_EQ(-EINVAL, sync_cancel(r, &reg)) {
			TH_LOG("pad[%u]", i);
		}
	}
	for (i = 0; i < ARRAY_SIZE(reg.pad2); i++) {
		sync_reg_init(&reg, 1, 0);
		reg.pad2[i] = 1;
		EXPECT_EQ(-EINVAL, sync_cancel(r, &reg)) {
			TH_LOG("pad2[%u]", i);
		}
	}
	sync_reg_init(&reg, 1, IORING_ASYNC_CANCEL_OP << 1);
	EXPECT_EQ(-EINVAL, sync_cancel(r, &reg));
	sync_reg_init(&reg, 1, 1U << 31);
	EXPECT_EQ(-EINVAL, sync_cancel(r, &reg));

	fd = dup(self->p[0]);
	ASSERT_LE(0, fd);
	close(fd);
	sync_reg_init(&reg, 1, IORING_ASYNC_CANCEL_FD);
	reg.fd = fd;
	EXPECT_EQ(-EBADF, sync_cancel(r, &reg));
	reg.fd = -1;
	EXPECT_EQ(-EBADF, sync_cancel(r, &reg));
	/* no registered files */
	sync_reg_init(&reg, 1, IORING_ASYNC_CANCEL_FD |
		      IORING_ASYNC_CANCEL_FD_FIXED);
	reg.fd = 0;
	EXPECT_EQ(-EBADF, sync_cancel(r, &reg));

	/* the poll is still armed */
	EXPECT_NO_CQE(r);
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_CQE(r, 1, POLLIN, 0);
}

/*
 * Unlike the SQE, SYNC_CANCEL doesn't reject ANY together with FD: the fd
 * must be valid, ANY matches everything, and FD keeps timeouts out.
 */
TEST_F(cancel, sync_fd_any)
{
	struct io_uring_sync_cancel_reg reg;
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[2];

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_TIMEOUT);

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 1));
	ASSERT_NE(NULL, queue_poll(r, self->q[0], POLLIN, 2));
	ASSERT_NE(NULL, queue_timeout(r, 3));
	ASSERT_EQ(3, ring_submit(r, 3, 0, 0));

	sync_reg_init(&reg, 0, IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ANY);
	reg.fd = -1;
	EXPECT_EQ(-EBADF, sync_cancel(r, &reg));
	reg.fd = self->p[1];
	EXPECT_EQ(2, sync_cancel(r, &reg));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 1, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 2, -ECANCELED, 0);
	EXPECT_NO_CQE(r);

	sync_reg_init(&reg, 3, 0);
	EXPECT_EQ(0, sync_cancel(r, &reg));
	EXPECT_CQE(r, 3, -ECANCELED, 0);
}

/*
 * SYNC_CANCEL of work running in io-wq: it signals the worker and waits
 * for the request to finish, then returns 0; the open fails -EINTR.
 */
TEST_F(cancel, sync_running_worker)
{
	struct io_uring_sync_cancel_reg reg;
	struct test_ring *r = &self->r;

	REQUIRE_OP(IORING_OP_OPENAT);

	ASSERT_TRUE(start_blocked_open(self, 1));
	EXPECT_NO_CQE(r);
	sync_reg_init(&reg, 1, 0);
	/* bounded, in case the worker is not interrupted */
	reg.timeout.tv_sec = 20;
	reg.timeout.tv_nsec = 0;
	EXPECT_EQ(0, sync_cancel(r, &reg));
	EXPECT_CQE(r, 1, -EINTR, 0);
	EXPECT_EQ(-ENOENT, sync_cancel(r, &reg));
}

/* SYNC_CANCEL with ALL doesn't wait for running work: 0 at once. */
TEST_F(cancel, sync_running_worker_all)
{
	struct io_uring_sync_cancel_reg reg;
	struct test_ring *r = &self->r;

	REQUIRE_OP(IORING_OP_OPENAT);

	ASSERT_TRUE(start_blocked_open(self, 1));
	sync_reg_init(&reg, 1, IORING_ASYNC_CANCEL_ALL);
	EXPECT_EQ(0, sync_cancel(r, &reg));
	EXPECT_CQE(r, 1, -EINTR, 0);
}

TEST_HARNESS_MAIN
