// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_POLL_ADD / IORING_OP_POLL_REMOVE (one-shot, multishot, updates)
 * and the internal poll that io_uring arms for a read on a file that is not
 * ready (IORING_FEAT_FAST_POLL), following Linux 6.12 semantics.
 *
 * Result masks are what 6.12 computes: the ready mask intersected with the
 * requested events plus POLLERR|POLLHUP|POLLNVAL|POLLRDHUP, which are always
 * reported. When a wakeup carries a key (pipe writes, socket data), the
 * result of a one-shot poll is that key masked, not a fresh poll of the file.
 */
#include "kselftest_harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

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

static struct io_uring_sqe *queue_poll(struct test_ring *r, int fd,
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

/*
 * POLL_REMOVE: sqe->addr is the target's user_data, sqe->len the update
 * flags, sqe->off the new user_data, sqe->poll32_events the new mask.
 */
static struct io_uring_sqe *queue_poll_remove(struct test_ring *r, __u64 target,
					      unsigned int flags, __u64 new_ud,
					      unsigned int events, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_POLL_REMOVE;
		sqe->fd = -1;
		sqe->addr = target;
		sqe->len = flags;
		sqe->off = new_ud;
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

/*
 * Threads of this process: the total, and how many are io-wq workers
 * (named iou-wrk-<tid> by 6.12). Returns -1 if /proc can't be read.
 */
static int count_threads(int *workers)
{
	char path[300], comm[32];
	struct dirent *de;
	int fd, n, nr = 0;
	DIR *d;

	*workers = 0;
	d = opendir("/proc/self/task");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		nr++;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 de->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, comm, sizeof(comm) - 1);
		close(fd);
		if (n > 0) {
			comm[n] = '\0';
			if (!strncmp(comm, "iou-wrk-", 8))
				(*workers)++;
		}
	}
	closedir(d);
	return nr;
}

/*
 * The tests of FIXTURE(poll) run once per ring mode (the variants below),
 * those of FIXTURE(poll_once) on a plain ring only (see there why).
 */
FIXTURE(poll) {
	struct test_ring r;
	int p[2];
};

RING_MODE_VARIANTS(poll);

FIXTURE_SETUP(poll)
{
	int ret;

	ret = ring_init_mode(&self->r, 64, variant->setup_flags);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, pipe(self->p));
}

FIXTURE_TEARDOWN(poll)
{
	ring_exit(&self->r);
	if (self->p[0] >= 0)
		close(self->p[0]);
	if (self->p[1] >= 0)
		close(self->p[1]);
}

/*
 * Tests that run on a plain ring only: oneshot_ready_at_once counts the CQEs
 * posted by the time io_uring_enter() returns, which on an SQPOLL ring says
 * nothing.
 */
FIXTURE(poll_once) {
	struct test_ring r;
	int p[2];
};

FIXTURE_SETUP(poll_once)
{
	ASSERT_EQ(0, ring_init_flags(&self->r, 64, 0));
	ASSERT_EQ(0, pipe(self->p));
}

FIXTURE_TEARDOWN(poll_once)
{
	ring_exit(&self->r);
	close(self->p[0]);
	close(self->p[1]);
}

static void drain(int fd)
{
	char buf[256];
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	fcntl(fd, F_SETFL, fl);
}

/* One-shot POLLIN on an empty pipe: nothing until a write, then one CQE. */
TEST_F(poll, oneshot_pipe_in)
{
	struct test_ring *r = &self->r;

	REQUIRE_OP(IORING_OP_POLL_ADD);

	/* POLLIN only: POLLRDNORM from the wakeup is masked off */
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 0, 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);
	ASSERT_EQ(1, write(self->p[1], "a", 1));
	EXPECT_CQE(r, 1, POLLIN, 0);
	/* one-shot: a further write posts nothing */
	ASSERT_EQ(1, write(self->p[1], "b", 1));
	EXPECT_NO_CQE(r);
	drain(self->p[0]);

	/* POLLIN|POLLRDNORM: both bits, as the pipe reports both */
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN | POLLRDNORM, 0, 2));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);
	ASSERT_EQ(1, write(self->p[1], "c", 1));
	EXPECT_CQE(r, 2, POLLIN | POLLRDNORM, 0);
}

/* A file that is ready when the poll is armed completes at once. */
TEST_F(poll_once, oneshot_ready_at_once)
{
	struct test_ring *r = &self->r;

	REQUIRE_OP(IORING_OP_POLL_ADD);

	ASSERT_EQ(3, write(self->p[1], "xyz", 3));
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 0, 1));
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN | POLLRDNORM, 0, 2));
	/* the read end never reports POLLOUT */
	ASSERT_NE(NULL, queue_poll(r, self->p[0],
				   POLLIN | POLLRDNORM | POLLOUT, 0, 3));
	ASSERT_EQ(3, ring_submit(r, 3, 0, 0));
	/* completed inline during submission, in order */
	EXPECT_EQ(3U, ring_cq_ready(r));
	EXPECT_CQE(r, 1, POLLIN, 0);
	EXPECT_CQE(r, 2, POLLIN | POLLRDNORM, 0);
	EXPECT_CQE(r, 3, POLLIN | POLLRDNORM, 0);
	EXPECT_NO_CQE(r);
}

/* POLLOUT on the write end: ready while the pipe has room. */
TEST_F(poll, pollout_write_end)
{
	struct test_ring *r = &self->r;
	static char page[4096];
	struct io_uring_cqe set[2];

	REQUIRE_OP(IORING_OP_POLL_ADD);

	ASSERT_NE(NULL, queue_poll(r, self->p[1], POLLOUT, 0, 1));
	ASSERT_NE(NULL, queue_poll(r, self->p[1], POLLOUT | POLLWRNORM, 0, 2));
	/* the write end never reports POLLIN */
	ASSERT_NE(NULL, queue_poll(r, self->p[1], POLLIN, 0, 3));
	ASSERT_EQ(3, ring_submit_mode(r, 3));
	EXPECT_CQE(r, 1, POLLOUT, 0);
	EXPECT_CQE(r, 2, POLLOUT | POLLWRNORM, 0);
	EXPECT_NO_CQE(r);

	/* fill a one-page pipe; POLLOUT waits until a page is read */
	ASSERT_EQ(4096, fcntl(self->p[1], F_SETPIPE_SZ, 4096));
	ASSERT_EQ(4096, write(self->p[1], page, sizeof(page)));
	ASSERT_NE(NULL, queue_poll(r, self->p[1], POLLOUT, 0, 4));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);
	ASSERT_EQ(4096, read(self->p[0], page, sizeof(page)));
	EXPECT_CQE(r, 4, POLLOUT, 0);

	/* cancel the POLLIN poll on the write end */
	ASSERT_NE(NULL, queue_poll_remove(r, 3, 0, 0, 0, 5));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 3, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 5, 0, 0);
}

/* Closing the write end wakes a POLLIN poll with POLLHUP (always reported). */
TEST_F(poll, pollhup_writer_closed)
{
	struct test_ring *r = &self->r;

	REQUIRE_OP(IORING_OP_POLL_ADD);

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 0, 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);
	close(self->p[1]);
	self->p[1] = -1;
	EXPECT_CQE(r, 1, POLLHUP, 0);

	/* writer already gone: at once, even with no events requested */
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN | POLLRDNORM, 0, 2));
	ASSERT_NE(NULL, queue_poll(r, self->p[0], 0, 0, 3));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_CQE(r, 2, POLLHUP, 0);
	EXPECT_CQE(r, 3, POLLHUP, 0);
}

/* Data left behind by a closed writer: POLLIN and POLLHUP together. */
TEST_F(poll, pollhup_with_data)
{
	struct test_ring *r = &self->r;

	REQUIRE_OP(IORING_OP_POLL_ADD);

	ASSERT_EQ(2, write(self->p[1], "hi", 2));
	close(self->p[1]);
	self->p[1] = -1;
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 0, 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, 1, POLLIN | POLLHUP, 0);
}

/* No reader left: the write end reports POLLERR (always reported). */
TEST_F(poll, pollerr_reader_closed)
{
	struct test_ring *r = &self->r;

	REQUIRE_OP(IORING_OP_POLL_ADD);

	close(self->p[0]);
	self->p[0] = -1;
	ASSERT_NE(NULL, queue_poll(r, self->p[1], POLLOUT, 0, 1));
	ASSERT_NE(NULL, queue_poll(r, self->p[1], 0, 0, 2));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_CQE(r, 1, POLLOUT | POLLERR, 0);
	EXPECT_CQE(r, 2, POLLERR, 0);
}

/*
 * Multishot: every wakeup posts a CQE with IORING_CQE_F_MORE. A pipe that
 * is polled wakes its readers on every write, drained or not. POLL_REMOVE
 * ends it with a final -ECANCELED CQE without F_MORE.
 */
TEST_F(poll, multishot)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[2];
	unsigned int i;

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_POLL_REMOVE);

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, IORING_POLL_ADD_MULTI,
				   1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(1, write(self->p[1], "x", 1));
		EXPECT_CQE(r, 1, POLLIN, IORING_CQE_F_MORE);
		EXPECT_NO_CQE(r);
	}
	/* drained and written again */
	drain(self->p[0]);
	EXPECT_NO_CQE(r);
	ASSERT_EQ(1, write(self->p[1], "y", 1));
	EXPECT_CQE(r, 1, POLLIN, IORING_CQE_F_MORE);
	EXPECT_NO_CQE(r);

	ASSERT_NE(NULL, queue_poll_remove(r, 1, 0, 0, 0, 2));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 1, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 2, 0, 0);

	/* gone: no more CQEs, nothing left to remove */
	ASSERT_EQ(1, write(self->p[1], "z", 1));
	EXPECT_NO_CQE(r);
	ASSERT_NE(NULL, queue_poll_remove(r, 1, 0, 0, 0, 3));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, 3, -ENOENT, 0);
}

/* Multishot armed on a ready file posts a CQE at once and stays armed. */
TEST_F(poll, multishot_ready_at_once)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[2];

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_POLL_REMOVE);

	ASSERT_EQ(1, write(self->p[1], "x", 1));
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN | POLLRDNORM,
				   IORING_POLL_ADD_MULTI, 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, 1, POLLIN | POLLRDNORM, IORING_CQE_F_MORE);
	EXPECT_NO_CQE(r);
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_CQE(r, 1, POLLIN | POLLRDNORM, IORING_CQE_F_MORE);

	/* closing the writer: POLLHUP is reported, still F_MORE */
	close(self->p[1]);
	self->p[1] = -1;
	EXPECT_CQE(r, 1, POLLIN | POLLRDNORM | POLLHUP, IORING_CQE_F_MORE);

	ASSERT_NE(NULL, queue_poll_remove(r, 1, 0, 0, 0, 2));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 1, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 2, 0, 0);
}

/* EPOLLONESHOT in poll32_events overrides IORING_POLL_ADD_MULTI. */
TEST_F(poll, multishot_epolloneshot_event)
{
	struct test_ring *r = &self->r;

	REQUIRE_OP(IORING_OP_POLL_ADD);

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN | (1U << 30),
				   IORING_POLL_ADD_MULTI, 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_CQE(r, 1, POLLIN, 0);
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_NO_CQE(r);
}

/*
 * IORING_POLL_ADD_LEVEL is defined in the uapi header but 6.12 accepts it
 * neither for POLL_ADD nor for POLL_REMOVE: -EINVAL.
 */
TEST_F(poll, level_flag_rejected)
{
	struct test_ring *r = &self->r;

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_POLL_REMOVE);

	ASSERT_EQ(1, write(self->p[1], "x", 1));
	/* a prep failure ends the batch: one at a time */
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, IORING_POLL_ADD_LEVEL,
				   1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, 1, -EINVAL, 0);
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN,
				   IORING_POLL_ADD_LEVEL | IORING_POLL_ADD_MULTI,
				   2));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, 2, -EINVAL, 0);
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 0, 4));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, 4, POLLIN, 0);
	ASSERT_NE(NULL, queue_poll_remove(r, 4, IORING_POLL_UPDATE_EVENTS |
					  IORING_POLL_ADD_LEVEL, 0, POLLIN, 3));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, 3, -EINVAL, 0);
}

/*
 * POLL_ADD prep: addr, off, buf_index, ioprio and flags other than
 * IORING_POLL_ADD_MULTI are rejected; splice_fd_in and addr3 are not
 * looked at.
 */
TEST_F(poll, poll_add_bad_fields)
{
	static const unsigned int bad_flags[] = {
		IORING_POLL_UPDATE_EVENTS, IORING_POLL_UPDATE_USER_DATA,
		1U << 4, 1U << 31,
	};
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	unsigned int i;

	REQUIRE_OP(IORING_OP_POLL_ADD);

	for (i = 0; i < 4; i++) {
		sqe = queue_poll(r, self->p[1], POLLOUT, 0, 10 + i);
		ASSERT_NE(NULL, sqe);
		switch (i) {
		case 0:
			sqe->addr = 1;
			break;
		case 1:
			sqe->off = 1;
			break;
		case 2:
			sqe->buf_index = 1;
			break;
		case 3:
			sqe->ioprio = 1;
			break;
		}
		ASSERT_EQ(1, ring_submit_mode(r, 1));
		EXPECT_CQE(r, 10 + i, -EINVAL, 0);
	}
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		ASSERT_NE(NULL, queue_poll(r, self->p[1], POLLOUT, bad_flags[i],
					   20 + i));
		ASSERT_EQ(1, ring_submit_mode(r, 1));
		EXPECT_CQE(r, 20 + i, -EINVAL, 0);
	}

	/* multishot can't skip its CQEs */
	sqe = queue_poll(r, self->p[1], POLLOUT, IORING_POLL_ADD_MULTI, 30);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_CQE_SKIP_SUCCESS;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, 30, -EINVAL, 0);

	/* no provided buffers for poll */
	sqe = queue_poll(r, self->p[1], POLLOUT, 0, 31);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_BUFFER_SELECT;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, 31, -EOPNOTSUPP, 0);

	/* ignored fields */
	sqe = queue_poll(r, self->p[1], POLLOUT, 0, 40);
	ASSERT_NE(NULL, sqe);
	sqe->splice_fd_in = 5;
	sqe->addr3 = 7;
	/* a successful one-shot with CQE_SKIP_SUCCESS posts nothing */
	sqe = queue_poll(r, self->p[1], POLLOUT, 0, 41);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_CQE_SKIP_SUCCESS;
	ASSERT_NE(NULL, ring_nop(r, 42));
	ASSERT_EQ(3, ring_submit_mode(r, 3));
	EXPECT_CQE(r, 40, POLLOUT, 0);
	EXPECT_CQE(r, 42, 0, 0);
	EXPECT_NO_CQE(r);
}

/* POLL_REMOVE by user_data: found -> 0 (+ -ECANCELED), else -ENOENT. */
TEST_F(poll, remove)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[2];
	struct io_uring_sqe *sqe;

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_POLL_REMOVE);

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 0, 1));
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 0, 2));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_NO_CQE(r);

	/* sqe->fd is not looked at */
	sqe = queue_poll_remove(r, 1, 0, 0, 0, 100);
	ASSERT_NE(NULL, sqe);
	sqe->fd = 12345;
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 1, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 100, 0, 0);

	/* already gone / never existed */
	ASSERT_NE(NULL, queue_poll_remove(r, 1, 0, 0, 0, 101));
	ASSERT_NE(NULL, queue_poll_remove(r, 0x1234, 0, 0, 0, 102));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_CQE(r, 101, -ENOENT, 0);
	EXPECT_CQE(r, 102, -ENOENT, 0);

	/* the other one is still armed */
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_CQE(r, 2, POLLIN, 0);
	ASSERT_NE(NULL, queue_poll_remove(r, 2, 0, 0, 0, 103));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, 103, -ENOENT, 0);
}

/* POLL_REMOVE only looks at POLL_ADD requests, not at armed reads. */
TEST_F(poll, remove_ignores_read)
{
	struct test_ring *r = &self->r;
	char buf[8];

	REQUIRE_OP(IORING_OP_POLL_REMOVE);
	REQUIRE_OP(IORING_OP_READ);

	ASSERT_NE(NULL, queue_read(r, self->p[0], buf, sizeof(buf), 7));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);
	ASSERT_NE(NULL, queue_poll_remove(r, 7, 0, 0, 0, 8));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, 8, -ENOENT, 0);
	ASSERT_EQ(3, write(self->p[1], "abc", 3));
	EXPECT_CQE(r, 7, 3, 0);
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
}

/*
 * POLL_REMOVE prep: buf_index, splice_fd_in, ioprio, unknown flags, MULTI
 * alone, a new user_data without UPDATE_USER_DATA and events without
 * UPDATE_EVENTS are -EINVAL. Nothing is removed by a rejected request.
 */
TEST_F(poll, remove_bad_fields)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	unsigned int i;

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_POLL_REMOVE);

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 0, 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));

	for (i = 0; i < 9; i++) {
		sqe = queue_poll_remove(r, 1, 0, 0, 0, 10 + i);
		ASSERT_NE(NULL, sqe);
		switch (i) {
		case 0:
			sqe->buf_index = 1;
			break;
		case 1:
			sqe->splice_fd_in = 1;
			break;
		case 2:
			sqe->ioprio = 1;
			break;
		case 3:
			sqe->len = IORING_POLL_ADD_MULTI;
			break;
		case 4:
			sqe->len = 1U << 4;
			break;
		case 5:
			sqe->len = IORING_POLL_UPDATE_EVENTS | (1U << 31);
			sqe->poll32_events = POLLIN;
			break;
		case 6:
			sqe->off = 5;
			break;
		case 7:
			sqe->len = IORING_POLL_UPDATE_EVENTS;
			sqe->poll32_events = POLLIN;
			sqe->off = 5;
			break;
		case 8:
			sqe->len = IORING_POLL_UPDATE_USER_DATA;
			sqe->off = 5;
			sqe->poll32_events = POLLIN;
			break;
		}
		ASSERT_EQ(1, ring_submit_mode(r, 1));
		/* user_data 10 + i tells which case failed */
		EXPECT_CQE(r, 10 + i, -EINVAL, 0);
	}
	/* the poll is untouched */
	EXPECT_NO_CQE(r);
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_CQE(r, 1, POLLIN, 0);
}

/*
 * IORING_POLL_UPDATE_EVENTS replaces the mask of an armed poll (the update
 * completes with 0); the poll keeps its user_data.
 */
TEST_F(poll, update_events)
{
	struct test_ring *r = &self->r;

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_POLL_REMOVE);

	/* the read end never becomes writable */
	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLOUT, 0, 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_NO_CQE(r);
	drain(self->p[0]);

	ASSERT_NE(NULL, queue_poll_remove(r, 1, IORING_POLL_UPDATE_EVENTS, 0,
					  POLLIN | POLLRDNORM, 2));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, 2, 0, 0);
	EXPECT_NO_CQE(r);
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_CQE(r, 1, POLLIN | POLLRDNORM, 0);
}

/*
 * An update that makes the poll ready completes it during the update:
 * both CQEs, the poll one with the ready mask.
 */
TEST_F(poll, update_events_ready)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[2];

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_POLL_REMOVE);

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLOUT, 0, 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_NO_CQE(r);

	ASSERT_NE(NULL, queue_poll_remove(r, 1, IORING_POLL_UPDATE_EVENTS, 0,
					  POLLIN, 2));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 1, POLLIN, 0);
	EXPECT_IN_SET(set, 2, 2, 0, 0);
	EXPECT_NO_CQE(r);
}

/*
 * IORING_POLL_UPDATE_USER_DATA: sqe->addr names the poll, sqe->off is its
 * new user_data; the later completion carries the new one and the old one
 * is no longer found.
 */
TEST_F(poll, update_user_data)
{
	struct test_ring *r = &self->r;

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_POLL_REMOVE);

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLIN, 0, 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	ASSERT_NE(NULL, queue_poll_remove(r, 1, IORING_POLL_UPDATE_USER_DATA,
					  0x5000, 0, 2));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, 2, 0, 0);
	EXPECT_NO_CQE(r);

	ASSERT_NE(NULL, queue_poll_remove(r, 1, 0, 0, 0, 3));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, 3, -ENOENT, 0);

	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_CQE(r, 0x5000, POLLIN, 0);
}

/* Both updates at once; the mask update keeps the poll one-shot. */
TEST_F(poll, update_both)
{
	struct test_ring *r = &self->r;

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_POLL_REMOVE);

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLOUT, 0, 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	/* IORING_POLL_ADD_MULTI in an update does not make it multishot */
	ASSERT_NE(NULL, queue_poll_remove(r, 1, IORING_POLL_UPDATE_EVENTS |
					  IORING_POLL_UPDATE_USER_DATA |
					  IORING_POLL_ADD_MULTI, 77, POLLIN, 2));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, 2, 0, 0);
	EXPECT_NO_CQE(r);
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_CQE(r, 77, POLLIN, 0);
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_NO_CQE(r);
}

/* An update of a multishot poll leaves it multishot. */
TEST_F(poll, update_multishot)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe set[2];

	REQUIRE_OP(IORING_OP_POLL_ADD);
	REQUIRE_OP(IORING_OP_POLL_REMOVE);

	ASSERT_NE(NULL, queue_poll(r, self->p[0], POLLOUT,
				   IORING_POLL_ADD_MULTI, 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	ASSERT_NE(NULL, queue_poll_remove(r, 1, IORING_POLL_UPDATE_EVENTS |
					  IORING_POLL_UPDATE_USER_DATA, 9,
					  POLLIN, 2));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, 2, 0, 0);
	EXPECT_NO_CQE(r);
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_CQE(r, 9, POLLIN, IORING_CQE_F_MORE);
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_CQE(r, 9, POLLIN, IORING_CQE_F_MORE);

	ASSERT_NE(NULL, queue_poll_remove(r, 9, 0, 0, 0, 3));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	POP_CQES(r, set, 2);
	EXPECT_IN_SET(set, 2, 9, -ECANCELED, 0);
	EXPECT_IN_SET(set, 2, 3, 0, 0);
}

/* Updating a request that does not exist: -ENOENT, whatever the update. */
TEST_F(poll, update_nonexistent)
{
	struct test_ring *r = &self->r;

	REQUIRE_OP(IORING_OP_POLL_REMOVE);

	ASSERT_NE(NULL, queue_poll_remove(r, 42, IORING_POLL_UPDATE_EVENTS, 0,
					  POLLIN, 1));
	ASSERT_NE(NULL, queue_poll_remove(r, 42, IORING_POLL_UPDATE_USER_DATA,
					  43, 0, 2));
	ASSERT_NE(NULL, queue_poll_remove(r, 42, IORING_POLL_UPDATE_EVENTS |
					  IORING_POLL_UPDATE_USER_DATA, 43,
					  POLLIN, 3));
	ASSERT_EQ(3, ring_submit_mode(r, 3));
	EXPECT_CQE(r, 1, -ENOENT, 0);
	EXPECT_CQE(r, 2, -ENOENT, 0);
	EXPECT_CQE(r, 3, -ENOENT, 0);
}

/* Bad file descriptors: -EBADF in the CQE. */
TEST_F(poll, bad_fd)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	int fd;

	REQUIRE_OP(IORING_OP_POLL_ADD);

	fd = dup(self->p[0]);
	ASSERT_LE(0, fd);
	close(fd);

	ASSERT_NE(NULL, queue_poll(r, -1, POLLIN, 0, 1));
	ASSERT_NE(NULL, queue_poll(r, fd, POLLIN, 0, 2));
	/* no registered files: any fixed index is bad */
	sqe = queue_poll(r, 0, POLLIN, 0, 3);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_FIXED_FILE;
	ASSERT_EQ(3, ring_submit_mode(r, 3));
	EXPECT_CQE(r, 1, -EBADF, 0);
	EXPECT_CQE(r, 2, -EBADF, 0);
	EXPECT_CQE(r, 3, -EBADF, 0);
}

/* IOSQE_FIXED_FILE: sqe->fd is an index into the registered files. */
TEST_F(poll, fixed_file)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	int files[2];

	REQUIRE_OP(IORING_OP_POLL_ADD);

	files[0] = self->p[1];
	files[1] = self->p[0];
	ASSERT_EQ(0, io_uring_register(r->fd, IORING_REGISTER_FILES, files, 2));

	sqe = queue_poll(r, 1, POLLIN, 0, 1);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_FIXED_FILE;
	sqe = queue_poll(r, 0, POLLOUT, 0, 2);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_FIXED_FILE;
	sqe = queue_poll(r, 2, POLLIN, 0, 3);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_FIXED_FILE;
	ASSERT_EQ(3, ring_submit_mode(r, 3));
	EXPECT_CQE(r, 2, POLLOUT, 0);
	EXPECT_CQE(r, 3, -EBADF, 0);
	EXPECT_NO_CQE(r);
	ASSERT_EQ(1, write(self->p[1], "x", 1));
	EXPECT_CQE(r, 1, POLLIN, 0);
}

/* AF_UNIX stream socketpair readiness. */
TEST_F(poll, socketpair)
{
	struct test_ring *r = &self->r;
	char c;
	int s[2];

	REQUIRE_OP(IORING_OP_POLL_ADD);

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, s));

	/* writable at once: POLLOUT|POLLWRNORM|POLLWRBAND as requested */
	ASSERT_NE(NULL, queue_poll(r, s[0], POLLOUT, 0, 1));
	ASSERT_NE(NULL, queue_poll(r, s[0], POLLOUT | POLLWRNORM | POLLWRBAND,
				   0, 2));
	ASSERT_EQ(2, ring_submit_mode(r, 2));
	EXPECT_CQE(r, 1, POLLOUT, 0);
	EXPECT_CQE(r, 2, POLLOUT | POLLWRNORM | POLLWRBAND, 0);

	/* readable once the peer sends */
	ASSERT_NE(NULL, queue_poll(r, s[0], POLLIN | POLLRDNORM, 0, 3));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);
	ASSERT_EQ(1, send(s[1], "x", 1, 0));
	EXPECT_CQE(r, 3, POLLIN | POLLRDNORM, 0);

	/* already readable */
	ASSERT_NE(NULL, queue_poll(r, s[0], POLLIN | POLLOUT, 0, 4));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, 4, POLLIN | POLLOUT, 0);
	ASSERT_EQ(1, recv(s[0], &c, 1, 0));

	/* peer shuts down writing: POLLRDHUP is always reported */
	ASSERT_NE(NULL, queue_poll(r, s[0], POLLIN, 0, 5));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);
	ASSERT_EQ(0, shutdown(s[1], SHUT_WR));
	EXPECT_CQE(r, 5, POLLIN | POLLRDHUP, 0);
	close(s[0]);
	close(s[1]);
}

/* The peer closing: POLLIN|POLLRDHUP|POLLHUP for a POLLIN poll. */
TEST_F(poll, socketpair_peer_close)
{
	struct test_ring *r = &self->r;
	int s[2];

	REQUIRE_OP(IORING_OP_POLL_ADD);

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, s));
	ASSERT_NE(NULL, queue_poll(r, s[0], POLLIN, 0, 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);
	close(s[1]);
	EXPECT_CQE(r, 1, POLLIN | POLLRDHUP | POLLHUP, 0);
	close(s[0]);
}

/*
 * A one-shot poll woken with a key reports the key masked with the request:
 * socket data wakes with EPOLLIN|EPOLLPRI|EPOLLRDNORM|EPOLLRDBAND, so a
 * POLLIN|POLLPRI poll sees POLLPRI although there is no urgent data. Armed
 * on an already readable socket, the file's own poll is used: no POLLPRI.
 */
TEST_F(poll, socket_wakeup_key_mask)
{
	struct test_ring *r = &self->r;
	int s[2];

	REQUIRE_OP(IORING_OP_POLL_ADD);

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, s));
	ASSERT_NE(NULL, queue_poll(r, s[0], POLLIN | POLLPRI, 0, 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);
	ASSERT_EQ(1, send(s[1], "x", 1, 0));
	EXPECT_CQE(r, 1, POLLIN | POLLPRI, 0);

	ASSERT_NE(NULL, queue_poll(r, s[0], POLLIN | POLLPRI, 0, 2));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_CQE(r, 2, POLLIN, 0);
	close(s[0]);
	close(s[1]);
}

/*
 * FEAT_FAST_POLL: a READ on an empty pipe (no IOSQE_ASYNC) waits by polling,
 * without an io-wq worker, and completes with the data once written.
 */
TEST_F(poll, fast_poll_read)
{
	struct test_ring *r = &self->r;
	char buf[16];
	int nr, wrk;

	REQUIRE_OP(IORING_OP_READ);
	REQUIRE_FAST_POLL();

	memset(buf, 0, sizeof(buf));
	nr = count_threads(&wrk);
	ASSERT_LT(0, nr);
	ASSERT_NE(NULL, queue_read(r, self->p[0], buf, sizeof(buf), 1));
	ASSERT_EQ(1, ring_submit_mode(r, 1));
	EXPECT_NO_CQE(r);
	EXPECT_EQ(nr, count_threads(&wrk));
	EXPECT_EQ(0, wrk);
	ASSERT_EQ(5, write(self->p[1], "hello", 5));
	EXPECT_CQE(r, 1, 5, 0);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
}

#define MANY_PIPES	1000

/*
 * Many reads pending on idle pipes: no io-wq worker thread is created. Each
 * pipe takes two fds; RLIMIT_NOFILE is raised as needed (fewer pipes, with a
 * log line, only if it can't be).
 */
TEST(fast_poll_many_no_workers)
{
	struct io_uring_params p;
	struct io_uring_cqe cqe;
	struct test_ring r;
	struct rlimit rl;
	unsigned int i, n = MANY_PIPES, got = 0;
	rlim_t need = 2 * MANY_PIPES + 64;
	int (*pipes)[2];
	__u64 *bufs;
	bool *seen;
	int nr, wrk;

	REQUIRE_OP(IORING_OP_READ);
	REQUIRE_FAST_POLL();

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	if (rl.rlim_cur < need) {
		struct rlimit want = {
			need, rl.rlim_max > need ? rl.rlim_max : need,
		};

		/* raising the hard limit needs CAP_SYS_RESOURCE */
		if (setrlimit(RLIMIT_NOFILE, &want)) {
			rl.rlim_cur = rl.rlim_max;
			ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
		}
		ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	}
	if (rl.rlim_cur < need) {
		n = (rl.rlim_cur - 64) / 2;
		TH_LOG("RLIMIT_NOFILE can't be raised to %lu: only %u pipes",
		       (unsigned long)need, n);
		ASSERT_LT(16U, n);
	}

	pipes = calloc(n, sizeof(*pipes));
	bufs = calloc(n, sizeof(*bufs));
	seen = calloc(n, sizeof(*seen));
	ASSERT_NE(NULL, pipes);
	ASSERT_NE(NULL, bufs);
	ASSERT_NE(NULL, seen);

	memset(&p, 0, sizeof(p));
	ASSERT_EQ(0, ring_init(&r, 1024, &p));
	ASSERT_LE(n, p.sq_entries);
	ASSERT_LE(n, p.cq_entries);

	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, pipe(pipes[i]));
		ASSERT_NE(NULL, queue_read(&r, pipes[i][0], &bufs[i],
					   sizeof(bufs[i]), i));
	}
	nr = count_threads(&wrk);
	ASSERT_LT(0, nr);
	EXPECT_EQ(0, wrk);
	ASSERT_EQ((int)n, ring_submit_mode(&r, n));
	EXPECT_EQ(0U, ring_cq_ready(&r));
	EXPECT_EQ(nr, count_threads(&wrk));
	EXPECT_EQ(0, wrk);

	for (i = 0; i < n; i++) {
		__u64 v = 0xabcd000000000000ULL | i;

		ASSERT_EQ((int)sizeof(v), write(pipes[i][1], &v, sizeof(v)));
	}
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS)) {
			TH_LOG("only %u of %u reads completed", i, n);
		}
		ASSERT_GT(n, cqe.user_data);
		EXPECT_FALSE(seen[cqe.user_data]);
		seen[cqe.user_data] = true;
		EXPECT_EQ((int)sizeof(__u64), cqe.res);
		EXPECT_EQ(0U, cqe.flags);
		if (bufs[cqe.user_data] == (0xabcd000000000000ULL | cqe.user_data))
			got++;
	}
	EXPECT_EQ(n, got);
	EXPECT_EQ(0U, ring_cq_ready(&r));
	EXPECT_EQ(nr, count_threads(&wrk));
	EXPECT_EQ(0, wrk);

	ring_exit(&r);
	for (i = 0; i < n; i++) {
		close(pipes[i][0]);
		close(pipes[i][1]);
	}
	free(pipes);
	free(bufs);
	free(seen);
}

TEST_HARNESS_MAIN
