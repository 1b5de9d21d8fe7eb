// SPDX-License-Identifier: GPL-2.0
/*
 * Opcodes that wait on something other than a file, following Linux 6.12
 * semantics: IORING_OP_EPOLL_CTL, IORING_OP_FUTEX_WAIT / FUTEX_WAKE /
 * FUTEX_WAITV and IORING_OP_WAITID.
 *
 * SQE layouts (6.12):
 *  EPOLL_CTL:  fd = epoll fd, len = op, off = target fd, addr = epoll_event
 *              (read at prep, not for EPOLL_CTL_DEL); buf_index and
 *              splice_fd_in must be 0.
 *  FUTEX_WAIT/WAKE: addr = futex, addr2 = value (WAIT) / count (WAKE),
 *              addr3 = bitset mask, fd = FUTEX2_* flags; len, futex_flags,
 *              buf_index, file_index must be 0.
 *  FUTEX_WAITV: addr = struct futex_waitv[], len = count (1..128); fd, addr2,
 *              addr3, futex_flags, buf_index, file_index must be 0.
 *  WAITID:     len = idtype, fd = id, file_index = options, addr2 = siginfo;
 *              addr, addr3, buf_index, waitid_flags must be 0.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <linux/futex.h>

#include "uring_test.h"

#define WAIT_MS		5000
#define SHORT_MS	50
#define UD_A		0xa000000000000001ULL
#define UD_B		0xb000000000000002ULL
#define UD_C		0xc000000000000003ULL

#define FUTEX_FL	(FUTEX2_SIZE_U32 | FUTEX2_PRIVATE)
#define MATCH_ANY	0xffffffffULL

#ifndef P_PIDFD
#define P_PIDFD		3
#endif
#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK	O_NONBLOCK
#endif

static struct io_uring_sqe *new_sqe(struct __test_metadata *_metadata,
				    struct test_ring *r, __u8 op, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	ASSERT_NE(NULL, sqe);
	sqe->opcode = op;
	sqe->user_data = ud;
	return sqe;
}

/* Submit the one queued SQE and return the res of its CQE (@ud, flags 0). */
static int run_one(struct __test_metadata *_metadata, struct test_ring *r,
		   __u64 ud)
{
	struct io_uring_cqe cqe;

	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
	EXPECT_EQ(ud, cqe.user_data);
	EXPECT_EQ(0U, cqe.flags);
	return cqe.res;
}

static void expect_cqe(struct __test_metadata *_metadata, struct test_ring *r,
		       __u64 ud, int res)
{
	struct io_uring_cqe cqe;

	ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS)) {
		TH_LOG("no CQE, expected user_data 0x%llx",
		       (unsigned long long)ud);
	}
	EXPECT_EQ(ud, cqe.user_data);
	EXPECT_EQ(res, cqe.res);
	EXPECT_EQ(0U, cqe.flags);
}

static void expect_no_cqe(struct __test_metadata *_metadata,
			  struct test_ring *r)
{
	struct io_uring_cqe cqe;
	int ret = ring_pop_cqe(r, &cqe, SHORT_MS);

	EXPECT_EQ(-ETIME, ret) {
		TH_LOG("unexpected CQE user_data 0x%llx res %d",
		       (unsigned long long)cqe.user_data, cqe.res);
	}
}

/*
 * Pop @n CQEs (any order); each user_data in @ud must appear exactly once,
 * with flags 0 and the matching res in @res.
 */
static void expect_cqes(struct __test_metadata *_metadata, struct test_ring *r,
			unsigned int n, const __u64 *ud, const int *res)
{
	struct io_uring_cqe cqe;
	unsigned int i, j, seen = 0;

	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS)) {
			TH_LOG("CQE %u of %u missing", i + 1, n);
		}
		for (j = 0; j < n; j++) {
			if (!(seen & (1U << j)) && cqe.user_data == ud[j])
				break;
		}
		ASSERT_LT(j, n) {
			TH_LOG("unexpected CQE user_data 0x%llx res %d",
			       (unsigned long long)cqe.user_data, cqe.res);
		}
		seen |= 1U << j;
		EXPECT_EQ(res[j], cqe.res) {
			TH_LOG("user_data 0x%llx", (unsigned long long)ud[j]);
		}
		EXPECT_EQ(0U, cqe.flags);
	}
}

static struct io_uring_sqe *cancel_sqe(struct __test_metadata *_metadata,
				       struct test_ring *r, __u64 target,
				       __u32 flags, __u64 ud)
{
	struct io_uring_sqe *sqe = new_sqe(_metadata, r, IORING_OP_ASYNC_CANCEL,
					   ud);

	sqe->addr = target;
	sqe->cancel_flags = flags;
	return sqe;
}

/* ---------------- IORING_OP_EPOLL_CTL ---------------- */

FIXTURE(epoll) {
	struct test_ring r;
	int epfd;
	int pfd[2];
};

FIXTURE_SETUP(epoll)
{
	self->r.fd = -1;
	self->epfd = -1;
	self->pfd[0] = -1;
	self->pfd[1] = -1;
	if (!uring_op_supported(IORING_OP_EPOLL_CTL))
		SKIP(return, "IORING_OP_EPOLL_CTL not supported");
	ASSERT_EQ(0, ring_init_flags(&self->r, 8, 0));
	self->epfd = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, self->epfd);
	ASSERT_EQ(0, pipe(self->pfd));
}

FIXTURE_TEARDOWN(epoll)
{
	if (self->r.fd >= 0)
		ring_exit(&self->r);
	if (self->epfd >= 0)
		close(self->epfd);
	if (self->pfd[0] >= 0)
		close(self->pfd[0]);
	if (self->pfd[1] >= 0)
		close(self->pfd[1]);
}

static int epoll_op(struct __test_metadata *_metadata, struct test_ring *r,
		    int epfd, int op, int fd, struct epoll_event *ev)
{
	struct io_uring_sqe *sqe = new_sqe(_metadata, r, IORING_OP_EPOLL_CTL,
					   UD_A);

	sqe->fd = epfd;
	sqe->len = op;
	sqe->off = fd;
	sqe->addr = (__u64)(uintptr_t)ev;
	return run_one(_metadata, r, UD_A);
}

TEST_F(epoll, add_mod_del)
{
	struct epoll_event ev, out[4];

	/* ADD: the registration is live */
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = 0x1234567890ULL;
	EXPECT_EQ(0, epoll_op(_metadata, &self->r, self->epfd, EPOLL_CTL_ADD,
			      self->pfd[0], &ev));
	EXPECT_EQ(0, epoll_wait(self->epfd, out, 4, 0));
	ASSERT_EQ(1, write(self->pfd[1], "x", 1));
	ASSERT_EQ(1, epoll_wait(self->epfd, out, 4, 0));
	EXPECT_EQ((__u32)EPOLLIN, out[0].events);
	EXPECT_EQ(0x1234567890ULL, out[0].data.u64);
	/* a second ADD of the same fd */
	EXPECT_EQ(-EEXIST, epoll_op(_metadata, &self->r, self->epfd,
				    EPOLL_CTL_ADD, self->pfd[0], &ev));

	/* MOD: new data and events */
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 0xabcdefULL;
	EXPECT_EQ(0, epoll_op(_metadata, &self->r, self->epfd, EPOLL_CTL_MOD,
			      self->pfd[0], &ev));
	ASSERT_EQ(1, epoll_wait(self->epfd, out, 4, 0));
	EXPECT_EQ((__u32)EPOLLIN, out[0].events);
	EXPECT_EQ(0xabcdefULL, out[0].data.u64);
	/* edge triggered now: no new edge, no event */
	EXPECT_EQ(0, epoll_wait(self->epfd, out, 4, 0));

	/* the write end, registered for EPOLLOUT */
	ev.events = EPOLLOUT;
	ev.data.u64 = 7;
	EXPECT_EQ(0, epoll_op(_metadata, &self->r, self->epfd, EPOLL_CTL_ADD,
			      self->pfd[1], &ev));
	ASSERT_EQ(1, epoll_wait(self->epfd, out, 4, 0));
	EXPECT_EQ((__u32)EPOLLOUT, out[0].events);
	EXPECT_EQ(7ULL, out[0].data.u64);

	/* DEL: the event is not read, addr may be anything */
	EXPECT_EQ(0, epoll_op(_metadata, &self->r, self->epfd, EPOLL_CTL_DEL,
			      self->pfd[1], (void *)(uintptr_t)8));
	EXPECT_EQ(0, epoll_op(_metadata, &self->r, self->epfd, EPOLL_CTL_DEL,
			      self->pfd[0], NULL));
	ASSERT_EQ(1, write(self->pfd[1], "y", 1));
	EXPECT_EQ(0, epoll_wait(self->epfd, out, 4, 0));
	EXPECT_EQ(-ENOENT, epoll_op(_metadata, &self->r, self->epfd,
				    EPOLL_CTL_DEL, self->pfd[0], NULL));
	EXPECT_EQ(-ENOENT, epoll_op(_metadata, &self->r, self->epfd,
				    EPOLL_CTL_MOD, self->pfd[0], &ev));
}

/* The event is copied at prep: later changes to it do not matter. */
TEST_F(epoll, event_read_at_prep)
{
	struct epoll_event ev, out[2];
	struct io_uring_sqe *sqe;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = 0x55;
	sqe = new_sqe(_metadata, &self->r, IORING_OP_EPOLL_CTL, UD_A);
	sqe->fd = self->epfd;
	sqe->len = EPOLL_CTL_ADD;
	sqe->off = self->pfd[0];
	sqe->addr = (__u64)(uintptr_t)&ev;
	/* forced to a worker: prep runs at submit, the issue later */
	sqe->flags = IOSQE_ASYNC;
	ASSERT_EQ(1, ring_submit(&self->r, 1, 0, 0));
	ev.data.u64 = 0x66;
	expect_cqe(_metadata, &self->r, UD_A, 0);
	ASSERT_EQ(1, write(self->pfd[1], "x", 1));
	ASSERT_EQ(1, epoll_wait(self->epfd, out, 2, 0));
	EXPECT_EQ(0x55ULL, out[0].data.u64);
}

TEST_F(epoll, errors)
{
	struct test_ring *r = &self->r;
	struct epoll_event ev;
	struct io_uring_sqe *sqe;
	char path[] = "/tmp/iou-epoll-XXXXXX";
	int regfd, closed, ep2;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	regfd = mkstemp(path);
	ASSERT_LE(0, regfd);
	unlink(path);
	closed = open("/dev/null", O_RDONLY);
	ASSERT_LE(0, closed);
	close(closed);

	/* bad descriptors */
	EXPECT_EQ(-EBADF, epoll_op(_metadata, r, -1, EPOLL_CTL_ADD,
				   self->pfd[0], &ev));
	EXPECT_EQ(-EBADF, epoll_op(_metadata, r, closed, EPOLL_CTL_ADD,
				   self->pfd[0], &ev));
	EXPECT_EQ(-EBADF, epoll_op(_metadata, r, self->epfd, EPOLL_CTL_ADD,
				   closed, &ev));
	EXPECT_EQ(-EBADF, epoll_op(_metadata, r, self->epfd, EPOLL_CTL_DEL,
				   -1, NULL));
	/* not an epoll fd; the target checks come first */
	EXPECT_EQ(-EINVAL, epoll_op(_metadata, r, self->pfd[1], EPOLL_CTL_ADD,
				    self->pfd[0], &ev));
	EXPECT_EQ(-EBADF, epoll_op(_metadata, r, self->pfd[1], EPOLL_CTL_ADD,
				   closed, &ev));
	/* itself */
	EXPECT_EQ(-EINVAL, epoll_op(_metadata, r, self->epfd, EPOLL_CTL_ADD,
				    self->epfd, &ev));
	/* a target without poll support */
	EXPECT_EQ(-EPERM, epoll_op(_metadata, r, self->epfd, EPOLL_CTL_ADD,
				   regfd, &ev));
	/* unknown op, with a readable event */
	EXPECT_EQ(-EINVAL, epoll_op(_metadata, r, self->epfd, 99,
				    self->pfd[0], &ev));
	/* unreadable event: EFAULT at prep (any op but DEL) */
	EXPECT_EQ(-EFAULT, epoll_op(_metadata, r, self->epfd, EPOLL_CTL_ADD,
				    self->pfd[0], NULL));
	EXPECT_EQ(-EFAULT, epoll_op(_metadata, r, -1, 99, -1, NULL));
	/* EPOLLEXCLUSIVE is not allowed with MOD */
	EXPECT_EQ(0, epoll_op(_metadata, r, self->epfd, EPOLL_CTL_ADD,
			      self->pfd[0], &ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	EXPECT_EQ(-EINVAL, epoll_op(_metadata, r, self->epfd, EPOLL_CTL_MOD,
				    self->pfd[0], &ev));
	/* a loop of epoll fds */
	ep2 = epoll_create1(0);
	ASSERT_LE(0, ep2);
	ev.events = EPOLLIN;
	EXPECT_EQ(0, epoll_op(_metadata, r, ep2, EPOLL_CTL_ADD, self->epfd,
			      &ev));
	EXPECT_EQ(-ELOOP, epoll_op(_metadata, r, self->epfd, EPOLL_CTL_ADD,
				   ep2, &ev));
	close(ep2);

	/* reserved fields */
	sqe = new_sqe(_metadata, r, IORING_OP_EPOLL_CTL, UD_B);
	sqe->fd = self->epfd;
	sqe->len = EPOLL_CTL_DEL;
	sqe->off = self->pfd[0];
	sqe->buf_index = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_B));
	sqe = new_sqe(_metadata, r, IORING_OP_EPOLL_CTL, UD_B);
	sqe->fd = self->epfd;
	sqe->len = EPOLL_CTL_DEL;
	sqe->off = self->pfd[0];
	sqe->splice_fd_in = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_B));
	/* still registered */
	EXPECT_EQ(0, epoll_op(_metadata, r, self->epfd, EPOLL_CTL_DEL,
			      self->pfd[0], NULL));
	close(regfd);
}

/* ---------------- IORING_OP_FUTEX_* ---------------- */

FIXTURE(futex) {
	struct test_ring r;
	__u32 f[4];
};

FIXTURE_SETUP(futex)
{
	self->r.fd = -1;
	if (!uring_op_supported(IORING_OP_FUTEX_WAIT))
		SKIP(return, "IORING_OP_FUTEX_WAIT not supported");
	if (!uring_op_supported(IORING_OP_FUTEX_WAKE))
		SKIP(return, "IORING_OP_FUTEX_WAKE not supported");
	memset(self->f, 0, sizeof(self->f));
	ASSERT_EQ(0, ring_init_flags(&self->r, 16, 0));
}

FIXTURE_TEARDOWN(futex)
{
	if (self->r.fd >= 0)
		ring_exit(&self->r);
}

static struct io_uring_sqe *futex_sqe(struct __test_metadata *_metadata,
				      struct test_ring *r, __u8 op, void *addr,
				      __u64 val, __u64 mask, __u32 flags,
				      __u64 ud)
{
	struct io_uring_sqe *sqe = new_sqe(_metadata, r, op, ud);

	sqe->addr = (__u64)(uintptr_t)addr;
	sqe->addr2 = val;
	sqe->addr3 = mask;
	sqe->fd = flags;
	return sqe;
}

static long sys_futex_wake(__u32 *addr, int nr, bool private)
{
	long ret = syscall(SYS_futex, addr,
			   private ? FUTEX_WAKE_PRIVATE : FUTEX_WAKE, nr,
			   NULL, NULL, 0);

	return ret < 0 ? -errno : ret;
}

TEST_F(futex, wait_value_mismatch)
{
	self->f[0] = 1;
	futex_sqe(_metadata, &self->r, IORING_OP_FUTEX_WAIT, &self->f[0], 0,
		  MATCH_ANY, FUTEX_FL, UD_A);
	EXPECT_EQ(-EAGAIN, run_one(_metadata, &self->r, UD_A));
	/* shared futex too */
	futex_sqe(_metadata, &self->r, IORING_OP_FUTEX_WAIT, &self->f[0], 2,
		  MATCH_ANY, FUTEX2_SIZE_U32, UD_A);
	EXPECT_EQ(-EAGAIN, run_one(_metadata, &self->r, UD_A));
}

TEST_F(futex, wait_then_wake)
{
	static const __u64 ud[] = { UD_A, UD_B };
	static const int res[] = { 0, 1 };
	struct test_ring *r = &self->r;

	futex_sqe(_metadata, r, IORING_OP_FUTEX_WAIT, &self->f[0], 0,
		  MATCH_ANY, FUTEX_FL, UD_A);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	expect_no_cqe(_metadata, r);
	futex_sqe(_metadata, r, IORING_OP_FUTEX_WAKE, &self->f[0], 1,
		  MATCH_ANY, FUTEX_FL, UD_B);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	expect_cqes(_metadata, r, 2, ud, res);
	expect_no_cqe(_metadata, r);

	/* wait and wake in one batch */
	futex_sqe(_metadata, r, IORING_OP_FUTEX_WAIT, &self->f[0], 0,
		  MATCH_ANY, FUTEX_FL, UD_A);
	futex_sqe(_metadata, r, IORING_OP_FUTEX_WAKE, &self->f[0], 1,
		  MATCH_ANY, FUTEX_FL, UD_B);
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	expect_cqes(_metadata, r, 2, ud, res);

	/* shared (non-private) futexes */
	futex_sqe(_metadata, r, IORING_OP_FUTEX_WAIT, &self->f[0], 0,
		  MATCH_ANY, FUTEX2_SIZE_U32, UD_A);
	futex_sqe(_metadata, r, IORING_OP_FUTEX_WAKE, &self->f[0], 1,
		  MATCH_ANY, FUTEX2_SIZE_U32, UD_B);
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	expect_cqes(_metadata, r, 2, ud, res);
}

/* The ring's waiters are ordinary futex waiters, and vice versa. */
TEST_F(futex, interop_with_syscall)
{
	struct test_ring *r = &self->r;

	futex_sqe(_metadata, r, IORING_OP_FUTEX_WAIT, &self->f[1], 0,
		  MATCH_ANY, FUTEX_FL, UD_A);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	expect_no_cqe(_metadata, r);
	EXPECT_EQ(1, sys_futex_wake(&self->f[1], 1, true));
	expect_cqe(_metadata, r, UD_A, 0);

	futex_sqe(_metadata, r, IORING_OP_FUTEX_WAIT, &self->f[1], 0,
		  MATCH_ANY, FUTEX2_SIZE_U32, UD_A);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	expect_no_cqe(_metadata, r);
	EXPECT_EQ(1, sys_futex_wake(&self->f[1], 1, false));
	expect_cqe(_metadata, r, UD_A, 0);
	EXPECT_EQ(0, sys_futex_wake(&self->f[1], 1, false));
}

TEST_F(futex, wake_counts)
{
	static const __u64 ud[] = { UD_A, UD_B, UD_C };
	struct test_ring *r = &self->r;
	struct io_uring_cqe cqe;
	unsigned int i, woken = 0;

	/* nothing waiting */
	futex_sqe(_metadata, r, IORING_OP_FUTEX_WAKE, &self->f[0], 1,
		  MATCH_ANY, FUTEX_FL, 1);
	EXPECT_EQ(0, run_one(_metadata, r, 1));

	for (i = 0; i < 3; i++) {
		futex_sqe(_metadata, r, IORING_OP_FUTEX_WAIT, &self->f[0], 0,
			  MATCH_ANY, FUTEX_FL, ud[i]);
	}
	ASSERT_EQ(3, ring_submit(r, 3, 0, 0));
	expect_no_cqe(_metadata, r);

	/* count 0 wakes nobody (strict) */
	futex_sqe(_metadata, r, IORING_OP_FUTEX_WAKE, &self->f[0], 0,
		  MATCH_ANY, FUTEX_FL, 1);
	EXPECT_EQ(0, run_one(_metadata, r, 1));
	expect_no_cqe(_metadata, r);

	/* count 2: exactly two waiters complete with 0 */
	futex_sqe(_metadata, r, IORING_OP_FUTEX_WAKE, &self->f[0], 2,
		  MATCH_ANY, FUTEX_FL, 1);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
		EXPECT_EQ(0U, cqe.flags);
		if (cqe.user_data == 1) {
			EXPECT_EQ(2, cqe.res);
		} else {
			EXPECT_EQ(0, cqe.res);
			EXPECT_TRUE(cqe.user_data == UD_A ||
				    cqe.user_data == UD_B ||
				    cqe.user_data == UD_C);
			woken++;
		}
	}
	EXPECT_EQ(2U, woken);
	expect_no_cqe(_metadata, r);

	/* a large count wakes what is left */
	futex_sqe(_metadata, r, IORING_OP_FUTEX_WAKE, &self->f[0], INT_MAX,
		  MATCH_ANY, FUTEX_FL, 1);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
		if (cqe.user_data == 1) {
			EXPECT_EQ(1, cqe.res);
		} else {
			EXPECT_EQ(0, cqe.res);
		}
	}
	expect_no_cqe(_metadata, r);
}

TEST_F(futex, bitset_mask)
{
	static const __u64 ud[] = { UD_A, UD_B };
	static const int res[] = { 0, 1 };
	struct test_ring *r = &self->r;

	futex_sqe(_metadata, r, IORING_OP_FUTEX_WAIT, &self->f[2], 0, 0x1,
		  FUTEX_FL, UD_A);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	futex_sqe(_metadata, r, IORING_OP_FUTEX_WAKE, &self->f[2], 1, 0x6,
		  FUTEX_FL, UD_C);
	EXPECT_EQ(0, run_one(_metadata, r, UD_C));
	expect_no_cqe(_metadata, r);
	futex_sqe(_metadata, r, IORING_OP_FUTEX_WAKE, &self->f[2], 1, 0x3,
		  FUTEX_FL, UD_B);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	expect_cqes(_metadata, r, 2, ud, res);
}

TEST_F(futex, invalid)
{
	static const __u32 bad_flags[] = {
		0,					/* FUTEX2_SIZE_U8 */
		FUTEX2_SIZE_U8 | FUTEX2_PRIVATE,
		FUTEX2_SIZE_U16 | FUTEX2_PRIVATE,
		FUTEX2_SIZE_U64 | FUTEX2_PRIVATE,
		FUTEX2_SIZE_U32 | FUTEX2_NUMA,
		FUTEX_FL | 0x08,
		FUTEX_FL | 0x100,
		FUTEX_FL | (1U << 31),
	};
	static const __u8 ops[] = { IORING_OP_FUTEX_WAIT, IORING_OP_FUTEX_WAKE };
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	unsigned int i, o;
	char *p = (char *)&self->f[0];

	self->f[0] = 0;
	for (o = 0; o < ARRAY_SIZE(ops); o++) {
		for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
			/* value 1 != *f: a kernel taking the flags won't block */
			futex_sqe(_metadata, r, ops[o], &self->f[0], 1,
				  MATCH_ANY, bad_flags[i], UD_A);
			EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A)) {
				TH_LOG("op %u flags 0x%x", ops[o], bad_flags[i]);
			}
		}
		/* reserved fields */
		sqe = futex_sqe(_metadata, r, ops[o], &self->f[0], 0, MATCH_ANY,
				FUTEX_FL, UD_A);
		sqe->len = 1;
		EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
		sqe = futex_sqe(_metadata, r, ops[o], &self->f[0], 0, MATCH_ANY,
				FUTEX_FL, UD_A);
		sqe->futex_flags = 1;
		EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
		sqe = futex_sqe(_metadata, r, ops[o], &self->f[0], 0, MATCH_ANY,
				FUTEX_FL, UD_A);
		sqe->buf_index = 1;
		EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
		sqe = futex_sqe(_metadata, r, ops[o], &self->f[0], 0, MATCH_ANY,
				FUTEX_FL, UD_A);
		sqe->file_index = 1;
		EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
		/* value and mask must fit the futex size */
		futex_sqe(_metadata, r, ops[o], &self->f[0], 1ULL << 32,
			  MATCH_ANY, FUTEX_FL, UD_A);
		EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
		futex_sqe(_metadata, r, ops[o], &self->f[0], 0, 1ULL << 32,
			  FUTEX_FL, UD_A);
		EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
		/* empty mask */
		futex_sqe(_metadata, r, ops[o], &self->f[0], 0, 0, FUTEX_FL,
			  UD_A);
		EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
		/* misaligned futex */
		futex_sqe(_metadata, r, ops[o], p + 1, 0, MATCH_ANY, FUTEX_FL,
			  UD_A);
		EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	}
	/* unreadable futex word */
	futex_sqe(_metadata, r, IORING_OP_FUTEX_WAIT, NULL, 0, MATCH_ANY,
		  FUTEX_FL, UD_A);
	EXPECT_EQ(-EFAULT, run_one(_metadata, r, UD_A));
	expect_no_cqe(_metadata, r);
}

TEST_F(futex, cancel)
{
	static const __u64 ud1[] = { UD_A, UD_B };
	static const int res1[] = { -ECANCELED, 1 };
	static const __u64 ud2[] = { UD_A, UD_A, UD_B };
	static const int res2[] = { -ECANCELED, -ECANCELED, 2 };
	struct test_ring *r = &self->r;

	futex_sqe(_metadata, r, IORING_OP_FUTEX_WAIT, &self->f[3], 0,
		  MATCH_ANY, FUTEX_FL, UD_A);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	expect_no_cqe(_metadata, r);

	/* unknown user_data */
	cancel_sqe(_metadata, r, UD_C, 0, UD_B);
	EXPECT_EQ(-ENOENT, run_one(_metadata, r, UD_B));
	/* by fd: futex requests have none */
	cancel_sqe(_metadata, r, 0, IORING_ASYNC_CANCEL_FD, UD_B)->fd = r->fd;
	EXPECT_EQ(-ENOENT, run_one(_metadata, r, UD_B));

	/* 6.12: the cancel's res is the number of futex requests found (1) */
	cancel_sqe(_metadata, r, UD_A, 0, UD_B);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	expect_cqes(_metadata, r, 2, ud1, res1);
	/* the waiter is gone from the futex */
	EXPECT_EQ(0, sys_futex_wake(&self->f[3], 1, true));

	/*
	 * CANCEL_ALL, two waiters with the same user_data: res counts each
	 * request cancelled (6.12.y: poll, futex and waitid report how many
	 * they cancelled).
	 */
	futex_sqe(_metadata, r, IORING_OP_FUTEX_WAIT, &self->f[3], 0,
		  MATCH_ANY, FUTEX_FL, UD_A);
	futex_sqe(_metadata, r, IORING_OP_FUTEX_WAIT, &self->f[3], 0,
		  MATCH_ANY, FUTEX_FL, UD_A);
	ASSERT_EQ(2, ring_submit(r, 2, 0, 0));
	cancel_sqe(_metadata, r, UD_A, IORING_ASYNC_CANCEL_ALL, UD_B);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	expect_cqes(_metadata, r, 3, ud2, res2);
	EXPECT_EQ(0, sys_futex_wake(&self->f[3], 1, true));
}

/* ---- FUTEX_WAITV ---- */

static void set_waitv(struct futex_waitv *w, __u32 *addr, __u64 val,
		      __u32 flags)
{
	memset(w, 0, sizeof(*w));
	w->val = val;
	w->uaddr = (__u64)(uintptr_t)addr;
	w->flags = flags;
}

static struct io_uring_sqe *waitv_sqe(struct __test_metadata *_metadata,
				      struct test_ring *r,
				      struct futex_waitv *w, unsigned int nr,
				      __u64 ud)
{
	struct io_uring_sqe *sqe = new_sqe(_metadata, r, IORING_OP_FUTEX_WAITV,
					   ud);

	sqe->addr = (__u64)(uintptr_t)w;
	sqe->len = nr;
	return sqe;
}

TEST_F(futex, waitv)
{
	static const __u64 ud[] = { UD_A, UD_B };
	struct test_ring *r = &self->r;
	struct futex_waitv w[3];
	int res[2];
	unsigned int i, k;

	if (!uring_op_supported(IORING_OP_FUTEX_WAITV))
		SKIP(return, "IORING_OP_FUTEX_WAITV not supported");

	/* res is the index of the futex that was woken */
	for (k = 0; k < 3; k++) {
		for (i = 0; i < 3; i++) {
			set_waitv(&w[i], &self->f[i], 0, FUTEX_FL);
		}
		waitv_sqe(_metadata, r, w, 3, UD_A);
		ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
		expect_no_cqe(_metadata, r);
		futex_sqe(_metadata, r, IORING_OP_FUTEX_WAKE, &self->f[k], 1,
			  MATCH_ANY, FUTEX_FL, UD_B);
		ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
		res[0] = k;
		res[1] = 1;
		expect_cqes(_metadata, r, 2, ud, res);
		/* the other futexes were unqueued */
		for (i = 0; i < 3; i++) {
			EXPECT_EQ(0, sys_futex_wake(&self->f[i], 1, true));
		}
	}

	/* mixed shared / private entries, woken by the syscall */
	set_waitv(&w[0], &self->f[0], 0, FUTEX2_SIZE_U32);
	set_waitv(&w[1], &self->f[1], 0, FUTEX_FL);
	waitv_sqe(_metadata, r, w, 2, UD_A);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	expect_no_cqe(_metadata, r);
	EXPECT_EQ(1, sys_futex_wake(&self->f[0], 1, false));
	expect_cqe(_metadata, r, UD_A, 0);

	/* a single entry */
	set_waitv(&w[0], &self->f[2], 0, FUTEX_FL);
	waitv_sqe(_metadata, r, w, 1, UD_A);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	expect_no_cqe(_metadata, r);
	EXPECT_EQ(1, sys_futex_wake(&self->f[2], 1, true));
	expect_cqe(_metadata, r, UD_A, 0);
}

TEST_F(futex, waitv_invalid)
{
	struct test_ring *r = &self->r;
	struct futex_waitv w[FUTEX_WAITV_MAX + 1];
	struct io_uring_sqe *sqe;
	unsigned int i;

	if (!uring_op_supported(IORING_OP_FUTEX_WAITV))
		SKIP(return, "IORING_OP_FUTEX_WAITV not supported");
	for (i = 0; i <= FUTEX_WAITV_MAX; i++) {
		set_waitv(&w[i], &self->f[i % 4], 0, FUTEX_FL);
	}

	/* a value differs: EAGAIN */
	self->f[1] = 5;
	waitv_sqe(_metadata, r, w, 3, UD_A);
	EXPECT_EQ(-EAGAIN, run_one(_metadata, r, UD_A));
	self->f[1] = 0;

	/* count 0 or above FUTEX_WAITV_MAX */
	waitv_sqe(_metadata, r, w, 0, UD_A);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	waitv_sqe(_metadata, r, w, FUTEX_WAITV_MAX + 1, UD_A);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));

	/* reserved SQE fields */
	sqe = waitv_sqe(_metadata, r, w, 2, UD_A);
	sqe->fd = FUTEX_FL;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	sqe = waitv_sqe(_metadata, r, w, 2, UD_A);
	sqe->addr2 = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	sqe = waitv_sqe(_metadata, r, w, 2, UD_A);
	sqe->addr3 = MATCH_ANY;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	sqe = waitv_sqe(_metadata, r, w, 2, UD_A);
	sqe->futex_flags = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	sqe = waitv_sqe(_metadata, r, w, 2, UD_A);
	sqe->buf_index = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	sqe = waitv_sqe(_metadata, r, w, 2, UD_A);
	sqe->file_index = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));

	/* bad entries */
	w[1].__reserved = 1;
	waitv_sqe(_metadata, r, w, 2, UD_A);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	w[1].__reserved = 0;
	w[1].flags = FUTEX2_SIZE_U64 | FUTEX2_PRIVATE;
	waitv_sqe(_metadata, r, w, 2, UD_A);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	w[1].flags = FUTEX_FL | FUTEX2_NUMA;
	waitv_sqe(_metadata, r, w, 2, UD_A);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	w[1].flags = FUTEX_FL;
	w[1].val = 1ULL << 32;
	waitv_sqe(_metadata, r, w, 2, UD_A);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	w[1].val = 0;
	w[1].uaddr = (__u64)(uintptr_t)&self->f[1] + 2;
	waitv_sqe(_metadata, r, w, 2, UD_A);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	w[1].uaddr = 0;
	waitv_sqe(_metadata, r, w, 2, UD_A);
	EXPECT_EQ(-EFAULT, run_one(_metadata, r, UD_A));
	w[1].uaddr = (__u64)(uintptr_t)&self->f[1];
	/* unreadable array */
	waitv_sqe(_metadata, r, NULL, 2, UD_A);
	EXPECT_EQ(-EFAULT, run_one(_metadata, r, UD_A));
	expect_no_cqe(_metadata, r);
	/* nothing was left queued on the futexes */
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(0, sys_futex_wake(&self->f[i], 1, true));
	}
}

TEST_F(futex, waitv_cancel)
{
	static const __u64 ud[] = { UD_A, UD_B };
	static const int res[] = { -ECANCELED, 1 };
	struct test_ring *r = &self->r;
	struct futex_waitv w[2];

	if (!uring_op_supported(IORING_OP_FUTEX_WAITV))
		SKIP(return, "IORING_OP_FUTEX_WAITV not supported");
	set_waitv(&w[0], &self->f[0], 0, FUTEX_FL);
	set_waitv(&w[1], &self->f[1], 0, FUTEX_FL);
	waitv_sqe(_metadata, r, w, 2, UD_A);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	expect_no_cqe(_metadata, r);
	cancel_sqe(_metadata, r, UD_A, 0, UD_B);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	expect_cqes(_metadata, r, 2, ud, res);
	EXPECT_EQ(0, sys_futex_wake(&self->f[0], 1, true));
	EXPECT_EQ(0, sys_futex_wake(&self->f[1], 1, true));
}

/* ---------------- IORING_OP_WAITID ---------------- */

FIXTURE(waitid) {
	struct test_ring r;
	pid_t child;
	int gate;		/* write end: closing it lets the child exit */
};

FIXTURE_SETUP(waitid)
{
	self->r.fd = -1;
	self->child = -1;
	self->gate = -1;
	if (!uring_op_supported(IORING_OP_WAITID))
		SKIP(return, "IORING_OP_WAITID not supported");
	ASSERT_EQ(0, ring_init_flags(&self->r, 8, 0));
}

FIXTURE_TEARDOWN(waitid)
{
	if (self->gate >= 0)
		close(self->gate);
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	if (self->r.fd >= 0)
		ring_exit(&self->r);
}

/* Fork a child that exits with @code once *gate is closed (or at once). */
static pid_t spawn(int code, int *gate)
{
	int p[2];
	pid_t pid;
	char c;

	if (gate && pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (gate) {
			close(p[1]);
			while (read(p[0], &c, 1) < 0 && errno == EINTR)
				;
		}
		_exit(code);
	}
	if (gate) {
		close(p[0]);
		*gate = p[1];
	}
	return pid;
}

static struct io_uring_sqe *waitid_sqe(struct __test_metadata *_metadata,
				       struct test_ring *r, int which, int id,
				       int options, siginfo_t *si, __u64 ud)
{
	struct io_uring_sqe *sqe = new_sqe(_metadata, r, IORING_OP_WAITID, ud);

	sqe->len = which;
	sqe->fd = id;
	sqe->file_index = options;
	sqe->addr2 = (__u64)(uintptr_t)si;
	return sqe;
}

static void expect_exited(struct __test_metadata *_metadata,
			  const siginfo_t *si, pid_t pid, int code)
{
	EXPECT_EQ(SIGCHLD, si->si_signo);
	EXPECT_EQ(0, si->si_errno);
	EXPECT_EQ(CLD_EXITED, si->si_code);
	EXPECT_EQ(pid, si->si_pid);
	EXPECT_EQ(getuid(), si->si_uid);
	EXPECT_EQ(code, si->si_status);
}

/* si_signo, si_errno, si_code, si_pid, si_uid, si_status all written 0 */
static void expect_zero_si(struct __test_metadata *_metadata,
			   const siginfo_t *si)
{
	EXPECT_EQ(0, si->si_signo);
	EXPECT_EQ(0, si->si_errno);
	EXPECT_EQ(0, si->si_code);
	EXPECT_EQ(0, si->si_pid);
	EXPECT_EQ(0U, si->si_uid);
	EXPECT_EQ(0, si->si_status);
}

TEST_F(waitid, child_exits)
{
	struct test_ring *r = &self->r;
	siginfo_t si;

	self->child = spawn(42, &self->gate);
	ASSERT_LT(0, self->child);
	memset(&si, 0xff, sizeof(si));
	waitid_sqe(_metadata, r, P_PID, self->child, WEXITED, &si, UD_A);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	expect_no_cqe(_metadata, r);

	close(self->gate);
	self->gate = -1;
	expect_cqe(_metadata, r, UD_A, 0);
	expect_exited(_metadata, &si, self->child, 42);
	/* it was reaped */
	EXPECT_EQ(-1, waitpid(self->child, NULL, WNOHANG));
	EXPECT_EQ(ECHILD, errno);
	self->child = -1;
}

TEST_F(waitid, already_exited)
{
	struct test_ring *r = &self->r;
	siginfo_t si;
	pid_t pid;

	pid = spawn(3, NULL);
	ASSERT_LT(0, pid);
	self->child = pid;
	/* wait (without reaping) until it is a zombie */
	memset(&si, 0, sizeof(si));
	ASSERT_EQ(0, waitid(P_PID, pid, &si, WEXITED | WNOWAIT));

	/* WNOWAIT leaves it waitable */
	memset(&si, 0xff, sizeof(si));
	waitid_sqe(_metadata, r, P_PID, pid, WEXITED | WNOWAIT, &si, UD_A);
	EXPECT_EQ(0, run_one(_metadata, r, UD_A));
	expect_exited(_metadata, &si, pid, 3);

	/* P_ALL, no siginfo */
	waitid_sqe(_metadata, r, P_ALL, 0, WEXITED, NULL, UD_B);
	EXPECT_EQ(0, run_one(_metadata, r, UD_B));
	EXPECT_EQ(-1, waitpid(pid, NULL, WNOHANG));
	EXPECT_EQ(ECHILD, errno);
	self->child = -1;

	/* no children left */
	waitid_sqe(_metadata, r, P_ALL, 0, WEXITED, &si, UD_C);
	EXPECT_EQ(-ECHILD, run_one(_metadata, r, UD_C));
}

TEST_F(waitid, wnohang)
{
	struct test_ring *r = &self->r;
	siginfo_t si;

	self->child = spawn(9, &self->gate);
	ASSERT_LT(0, self->child);

	/* nothing to reap yet: res 0 and a zeroed siginfo */
	memset(&si, 0xff, sizeof(si));
	waitid_sqe(_metadata, r, P_PID, self->child, WEXITED | WNOHANG, &si,
		   UD_A);
	EXPECT_EQ(0, run_one(_metadata, r, UD_A));
	expect_zero_si(_metadata, &si);

	close(self->gate);
	self->gate = -1;
	memset(&si, 0xff, sizeof(si));
	waitid_sqe(_metadata, r, P_PID, self->child, WEXITED, &si, UD_B);
	EXPECT_EQ(0, run_one(_metadata, r, UD_B));
	expect_exited(_metadata, &si, self->child, 9);
	self->child = -1;
}

TEST_F(waitid, pidfd)
{
	struct test_ring *r = &self->r;
	siginfo_t si;
	int pidfd, nbfd;

	self->child = spawn(77, &self->gate);
	ASSERT_LT(0, self->child);
	pidfd = syscall(SYS_pidfd_open, self->child, 0);
	if (pidfd < 0)
		SKIP(return, "pidfd_open: %s", strerror(errno));
	nbfd = syscall(SYS_pidfd_open, self->child, PIDFD_NONBLOCK);
	ASSERT_LE(0, nbfd);

	/*
	 * A non-blocking pidfd implies WNOHANG; unlike waitid(2) io_uring
	 * does not turn "nothing yet" into EAGAIN.
	 */
	memset(&si, 0xff, sizeof(si));
	waitid_sqe(_metadata, r, P_PIDFD, nbfd, WEXITED, &si, UD_A);
	EXPECT_EQ(0, run_one(_metadata, r, UD_A));
	expect_zero_si(_metadata, &si);

	memset(&si, 0xff, sizeof(si));
	waitid_sqe(_metadata, r, P_PIDFD, pidfd, WEXITED, &si, UD_B);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	expect_no_cqe(_metadata, r);
	close(self->gate);
	self->gate = -1;
	expect_cqe(_metadata, r, UD_B, 0);
	expect_exited(_metadata, &si, self->child, 77);
	self->child = -1;

	/* a pidfd of a reaped child */
	waitid_sqe(_metadata, r, P_PIDFD, pidfd, WEXITED, &si, UD_C);
	EXPECT_EQ(-ECHILD, run_one(_metadata, r, UD_C));
	/* not a pidfd */
	waitid_sqe(_metadata, r, P_PIDFD, r->fd, WEXITED, &si, UD_C);
	EXPECT_EQ(-EBADF, run_one(_metadata, r, UD_C));
	close(pidfd);
	close(nbfd);
}

TEST_F(waitid, errors)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	siginfo_t si;

	/* no children at all */
	waitid_sqe(_metadata, r, P_ALL, 0, WEXITED, &si, UD_A);
	EXPECT_EQ(-ECHILD, run_one(_metadata, r, UD_A));
	waitid_sqe(_metadata, r, P_ALL, 0, WEXITED | WNOHANG, &si, UD_A);
	EXPECT_EQ(-ECHILD, run_one(_metadata, r, UD_A));
	/* not our child */
	waitid_sqe(_metadata, r, P_PID, getppid(), WEXITED, &si, UD_A);
	EXPECT_EQ(-ECHILD, run_one(_metadata, r, UD_A));
	waitid_sqe(_metadata, r, P_PID, 1, WEXITED, &si, UD_A);
	EXPECT_EQ(-ECHILD, run_one(_metadata, r, UD_A));

	/* options */
	waitid_sqe(_metadata, r, P_ALL, 0, 0, &si, UD_A);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	waitid_sqe(_metadata, r, P_ALL, 0, WNOHANG, &si, UD_A);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	waitid_sqe(_metadata, r, P_ALL, 0, WEXITED | 0x10000, &si, UD_A);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	/* idtype / id */
	waitid_sqe(_metadata, r, 99, 0, WEXITED, &si, UD_A);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	waitid_sqe(_metadata, r, P_PID, 0, WEXITED, &si, UD_A);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	waitid_sqe(_metadata, r, P_PID, -5, WEXITED, &si, UD_A);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	waitid_sqe(_metadata, r, P_PGID, -1, WEXITED, &si, UD_A);
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));

	/* reserved SQE fields */
	sqe = waitid_sqe(_metadata, r, P_ALL, 0, WEXITED, &si, UD_A);
	sqe->addr = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	sqe = waitid_sqe(_metadata, r, P_ALL, 0, WEXITED, &si, UD_A);
	sqe->addr3 = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	sqe = waitid_sqe(_metadata, r, P_ALL, 0, WEXITED, &si, UD_A);
	sqe->buf_index = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
	sqe = waitid_sqe(_metadata, r, P_ALL, 0, WEXITED, &si, UD_A);
	sqe->waitid_flags = 1;
	EXPECT_EQ(-EINVAL, run_one(_metadata, r, UD_A));
}

TEST_F(waitid, bad_siginfo)
{
	struct test_ring *r = &self->r;
	pid_t pid;

	pid = spawn(1, NULL);
	ASSERT_LT(0, pid);
	self->child = pid;
	/* the child is reaped, but the siginfo cannot be written */
	waitid_sqe(_metadata, r, P_PID, pid, WEXITED, (void *)(uintptr_t)8,
		   UD_A);
	EXPECT_EQ(-EFAULT, run_one(_metadata, r, UD_A));
	EXPECT_EQ(-1, waitpid(pid, NULL, WNOHANG));
	EXPECT_EQ(ECHILD, errno);
	self->child = -1;
}

TEST_F(waitid, cancel)
{
	static const __u64 ud[] = { UD_A, UD_B };
	static const int res[] = { -ECANCELED, 1 };
	struct test_ring *r = &self->r;
	siginfo_t si;
	int status;

	self->child = spawn(5, &self->gate);
	ASSERT_LT(0, self->child);
	memset(&si, 0xff, sizeof(si));
	waitid_sqe(_metadata, r, P_PID, self->child, WEXITED, &si, UD_A);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	expect_no_cqe(_metadata, r);

	cancel_sqe(_metadata, r, UD_C, 0, UD_B);
	EXPECT_EQ(-ENOENT, run_one(_metadata, r, UD_B));
	/* 6.12: the cancel's res is the number of WAITIDs found (1) */
	cancel_sqe(_metadata, r, UD_A, 0, UD_B);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	expect_cqes(_metadata, r, 2, ud, res);
	/* a cancelled WAITID still writes a zeroed siginfo */
	expect_zero_si(_metadata, &si);

	/* the child was not reaped */
	close(self->gate);
	self->gate = -1;
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(5, WEXITSTATUS(status));
	self->child = -1;
}

/* Two children, P_ALL: each WAITID reaps one. */
TEST_F(waitid, p_all_two_children)
{
	struct test_ring *r = &self->r;
	siginfo_t si[2];
	pid_t c2;
	int g2 = -1;

	self->child = spawn(11, &self->gate);
	ASSERT_LT(0, self->child);
	c2 = spawn(12, &g2);
	ASSERT_LT(0, c2);

	memset(si, 0xff, sizeof(si));
	waitid_sqe(_metadata, r, P_ALL, 0, WEXITED, &si[0], UD_A);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	expect_no_cqe(_metadata, r);
	close(g2);
	expect_cqe(_metadata, r, UD_A, 0);
	expect_exited(_metadata, &si[0], c2, 12);

	waitid_sqe(_metadata, r, P_ALL, 0, WEXITED, &si[1], UD_B);
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	expect_no_cqe(_metadata, r);
	close(self->gate);
	self->gate = -1;
	expect_cqe(_metadata, r, UD_B, 0);
	expect_exited(_metadata, &si[1], self->child, 11);
	self->child = -1;
}

TEST_HARNESS_MAIN
