// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_SETUP_IOPOLL: polled O_DIRECT I/O on a null_blk device with a poll
 * queue (/dev/nullb0: queue_mode=2 poll_queues=1 memory_backed=1 bs=4096),
 * which opcodes and files such a ring takes, how io_uring_enter() reaps,
 * IOPOLL with SQPOLL and DEFER_TASKRUN, and teardown with polled I/O in
 * flight. Follows Linux 6.12.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "uring_test.h"

#define UD		0x10b011000000000ULL
/* bound on anything that must happen (the debug kernel under TCG is slow) */
#define WAIT_MS		10000
/* how long something that must not happen yet is given to (wrongly) happen */
#define PENDING_MS	100
#define BS		4096
#define QD		32
#define DEV		"/dev/nullb0"
#define DEV_POLL	"/sys/block/nullb0/queue/io_poll"
#define DEV_INFLIGHT	"/sys/block/nullb0/inflight"
/* the tests write only below this block */
#define PREFILL_BLOCKS	512

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

/*
 * Reap: enter with GETEVENTS until @n CQEs are ready or @ms passed. An
 * IOPOLL ring polls for completions in io_uring_enter() and returns when it
 * should reschedule, so this loops.
 */
static unsigned int reap(struct test_ring *r, unsigned int n, unsigned int ms)
{
	long long end = now_ms() + ms;
	unsigned int ready;

	while ((ready = ring_cq_ready(r)) < n && now_ms() < end)
		io_uring_enter(r->fd, 0, n - ready, IORING_ENTER_GETEVENTS, NULL, 0);
	return ring_cq_ready(r);
}

/* Pop one CQE (reaping for it) and check it. */
#define EXPECT_CQE(r, ud, res_) do {						\
	struct io_uring_cqe *__c;						\
	ASSERT_LE(1U, reap(r, 1, WAIT_MS));					\
	__c = ring_peek_cqe(r);							\
	EXPECT_EQ((__u64)(ud), __c->user_data);					\
	EXPECT_EQ((int)(res_), __c->res);					\
	EXPECT_EQ(0U, __c->flags);						\
	ring_cqe_seen(r);							\
} while (0)

static struct io_uring_sqe *queue_rw(struct test_ring *r, __u8 op, int fd, void *addr,
				     unsigned int len, __u64 off, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = op;
		sqe->fd = fd;
		sqe->addr = (__u64)(uintptr_t)addr;
		sqe->len = len;
		sqe->off = off;
		sqe->user_data = ud;
	}
	return sqe;
}

static int iopoll_init(struct test_ring *r, unsigned int entries, unsigned int flags)
{
	return ring_init_flags(r, entries, IORING_SETUP_IOPOLL | flags);
}

#define IOPOLL_INIT(r, entries, flags) do {					\
	int __ret = iopoll_init(r, entries, flags);				\
	ASSERT_EQ(0, __ret);							\
} while (0)

/* ------------------------------------------------------------------------ */
/* rules that need no device */

/* Nothing in flight: GETEVENTS returns at once, whatever min_complete. */
TEST(getevents_idle)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 1000000 };
	struct io_uring_getevents_arg ga;
	struct test_ring r;

	IOPOLL_INIT(&r, 4, 0);
	ASSERT_EQ(0, arm_alarm(30000));
	EXPECT_EQ(0, io_uring_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0));
	EXPECT_EQ(0, io_uring_enter(r.fd, 0, 8, IORING_ENTER_GETEVENTS, NULL, 0));

	/* the extended argument is checked, but its timeout is not used */
	memset(&ga, 0, sizeof(ga));
	ga.ts = (__u64)(uintptr_t)&ts;
	EXPECT_EQ(0, io_uring_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
				    &ga, sizeof(ga)));
	ga.ts = 8;
	ga.sigmask = 8;
	ga.sigmask_sz = 8;
	EXPECT_EQ(0, io_uring_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
				    &ga, sizeof(ga)));
	EXPECT_EQ(-EINVAL, io_uring_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS |
					  IORING_ENTER_EXT_ARG, &ga, sizeof(ga) - 1));
	EXPECT_EQ(-EFAULT, io_uring_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS |
					  IORING_ENTER_EXT_ARG, (void *)8, sizeof(ga)));
	/* nor is a signal mask */
	EXPECT_EQ(0, io_uring_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS, (void *)8, 8));
	EXPECT_EQ(0, alarm_fired);
	ASSERT_EQ(0, arm_alarm(0));
	ring_exit(&r);
}

/* Opcodes without polled issue are refused before their prep runs. */
TEST(ops_not_pollable)
{
	static const __u8 ops[] = {
		IORING_OP_FSYNC, IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE,
		IORING_OP_SYNC_FILE_RANGE, IORING_OP_SENDMSG, IORING_OP_RECVMSG,
		IORING_OP_TIMEOUT, IORING_OP_TIMEOUT_REMOVE, IORING_OP_ACCEPT,
		IORING_OP_ASYNC_CANCEL, IORING_OP_LINK_TIMEOUT, IORING_OP_CONNECT,
		IORING_OP_FALLOCATE, IORING_OP_OPENAT, IORING_OP_CLOSE, IORING_OP_STATX,
		IORING_OP_FADVISE, IORING_OP_MADVISE, IORING_OP_SEND, IORING_OP_RECV,
		IORING_OP_OPENAT2, IORING_OP_EPOLL_CTL, IORING_OP_SPLICE, IORING_OP_TEE,
		IORING_OP_SHUTDOWN, IORING_OP_RENAMEAT, IORING_OP_UNLINKAT,
		IORING_OP_MKDIRAT, IORING_OP_SYMLINKAT, IORING_OP_LINKAT,
		IORING_OP_FSETXATTR, IORING_OP_SETXATTR, IORING_OP_FGETXATTR,
		IORING_OP_GETXATTR, IORING_OP_SOCKET, IORING_OP_SEND_ZC,
		IORING_OP_SENDMSG_ZC, IORING_OP_READ_MULTISHOT, IORING_OP_WAITID,
		IORING_OP_FUTEX_WAIT, IORING_OP_FUTEX_WAKE, IORING_OP_FUTEX_WAITV,
		IORING_OP_FIXED_FD_INSTALL, IORING_OP_FTRUNCATE, IORING_OP_BIND,
		IORING_OP_LISTEN,
	};
	struct io_uring_sqe *sqe;
	struct test_ring r;
	unsigned int i, tested = 0;

	IOPOLL_INIT(&r, 4, 0);
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		if (!uring_op_supported(ops[i]))
			continue;
		tested++;
		/* an SQE its prep would refuse with something else, or take */
		sqe = ring_get_sqe(&r);
		ASSERT_NE(NULL, sqe);
		sqe->opcode = ops[i];
		sqe->fd = -1;
		sqe->user_data = UD + ops[i];
		ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
		ASSERT_EQ(1U, ring_cq_ready(&r)) {
			TH_LOG("opcode %u", ops[i]);
		}
		EXPECT_EQ(-EINVAL, ring_peek_cqe(&r)->res) {
			TH_LOG("opcode %u", ops[i]);
		}
		EXPECT_EQ(UD + ops[i], ring_peek_cqe(&r)->user_data);
		ring_cqe_seen(&r);
	}
	EXPECT_LT(0U, tested);

	/* NOP is pollable and completes at once */
	ASSERT_NE(NULL, ring_nop(&r, UD));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	EXPECT_EQ(1U, ring_cq_ready(&r));
	EXPECT_CQE(&r, UD, 0);
	ring_exit(&r);
}

/* Other opcodes marked pollable that need no file: they just work. */
TEST(ops_pollable_no_file)
{
	static char bufs[2][64];
	struct io_uring_sqe *sqe;
	struct test_ring r, t;

	IOPOLL_INIT(&r, 4, 0);
	if (uring_op_supported(IORING_OP_PROVIDE_BUFFERS) &&
	    uring_op_supported(IORING_OP_REMOVE_BUFFERS)) {
		sqe = ring_get_sqe(&r);
		ASSERT_NE(NULL, sqe);
		sqe->opcode = IORING_OP_PROVIDE_BUFFERS;
		sqe->fd = 2;
		sqe->addr = (__u64)(uintptr_t)bufs;
		sqe->len = sizeof(bufs[0]);
		sqe->buf_group = 7;
		sqe->user_data = UD + 1;
		ASSERT_EQ(1, ring_submit(&r, 1, 1, IORING_ENTER_GETEVENTS));
		EXPECT_CQE(&r, UD + 1, 0);
		sqe = ring_get_sqe(&r);
		ASSERT_NE(NULL, sqe);
		sqe->opcode = IORING_OP_REMOVE_BUFFERS;
		sqe->fd = 5;
		sqe->buf_group = 7;
		sqe->user_data = UD + 2;
		ASSERT_EQ(1, ring_submit(&r, 1, 1, IORING_ENTER_GETEVENTS));
		EXPECT_CQE(&r, UD + 2, 2);
	}
	if (uring_op_supported(IORING_OP_MSG_RING)) {
		ASSERT_EQ(0, ring_init_flags(&t, 4, 0));
		sqe = ring_get_sqe(&r);
		ASSERT_NE(NULL, sqe);
		sqe->opcode = IORING_OP_MSG_RING;
		sqe->fd = t.fd;
		sqe->len = 0x55;
		sqe->off = 0xabc;
		sqe->user_data = UD + 3;
		ASSERT_EQ(1, ring_submit(&r, 1, 1, IORING_ENTER_GETEVENTS));
		EXPECT_CQE(&r, UD + 3, 0);
		ASSERT_EQ(1U, ring_cq_ready(&t));
		EXPECT_EQ(0xabcULL, ring_peek_cqe(&t)->user_data);
		EXPECT_EQ(0x55, ring_peek_cqe(&t)->res);
		ring_exit(&t);
	}
	ring_exit(&r);
}

/* Reads and writes need O_DIRECT and a file that can be polled. */
TEST(needs_direct_pollable_file)
{
	static const __u8 ops[] = { IORING_OP_READ, IORING_OP_WRITE, IORING_OP_READV,
				    IORING_OP_WRITEV };
	char path[] = "/tmp/iopoll-bufXXXXXX";
	struct statfs sfs;
	struct test_ring r;
	struct iovec iov;
	unsigned int i, j;
	int fds[3], pfd[2], n = 0;
	void *buf;

	IOPOLL_INIT(&r, 8, 0);
	ASSERT_EQ(0, posix_memalign(&buf, BS, BS));
	memset(buf, 0, BS);
	iov.iov_base = buf;
	iov.iov_len = BS;
	fds[n] = mkstemp(path);
	ASSERT_LE(0, fds[n]);
	ASSERT_EQ(0, ftruncate(fds[n], 4 * BS));
	n++;
	/* O_DIRECT on tmpfs, which has no ->iopoll, if it takes O_DIRECT */
	fds[n] = -1;
	if (!fstatfs(fds[0], &sfs) && sfs.f_type == TMPFS_MAGIC)
		fds[n] = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (fds[n] >= 0)
		n++;
	unlink(path);
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));

	for (j = 0; j < (unsigned int)n; j++) {
		for (i = 0; i < ARRAY_SIZE(ops); i++) {
			bool vec = ops[i] == IORING_OP_READV || ops[i] == IORING_OP_WRITEV;

			ASSERT_NE(NULL, queue_rw(&r, ops[i], fds[j], vec ? (void *)&iov : buf,
						 vec ? 1 : BS, 0, UD + i));
			ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
			EXPECT_CQE(&r, UD + i, -EOPNOTSUPP);
		}
	}
	/* a pipe: no poll arming either, just the error */
	ASSERT_NE(NULL, queue_rw(&r, IORING_OP_READ, pfd[0], buf, 16, (__u64)-1, UD + 10));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	EXPECT_CQE(&r, UD + 10, -EOPNOTSUPP);
	ASSERT_NE(NULL, queue_rw(&r, IORING_OP_WRITE, pfd[1], buf, 16, (__u64)-1, UD + 11));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	EXPECT_CQE(&r, UD + 11, -EOPNOTSUPP);

	for (j = 0; j < (unsigned int)n; j++)
		close(fds[j]);
	close(pfd[0]);
	close(pfd[1]);
	free(buf);
	ring_exit(&r);
}

struct other {
	struct test_ring *r;
	int submit, getevents, badsz, plain;
};

static void *other_fn(void *arg)
{
	struct io_uring_getevents_arg ga;
	struct other *o = arg;

	memset(&ga, 0, sizeof(ga));
	o->submit = io_uring_enter(o->r->fd, 1, 0, 0, NULL, 0);
	o->getevents = io_uring_enter(o->r->fd, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0);
	/* the extended argument is checked first */
	o->badsz = io_uring_enter(o->r->fd, 0, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
				  &ga, sizeof(ga) + 1);
	o->plain = io_uring_enter(o->r->fd, 0, 0, 0, NULL, 0);
	return NULL;
}

/* IOPOLL with DEFER_TASKRUN: only the owner may reap. */
TEST(defer_taskrun)
{
	struct test_ring r;
	struct other o;
	pthread_t th;

	IOPOLL_INIT(&r, 4, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);
	memset(&o, 0, sizeof(o));
	o.r = &r;
	ASSERT_EQ(0, pthread_create(&th, NULL, other_fn, &o));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EEXIST, o.submit);
	EXPECT_EQ(-EEXIST, o.getevents);
	EXPECT_EQ(-EINVAL, o.badsz);
	EXPECT_EQ(0, o.plain);

	ASSERT_NE(NULL, ring_nop(&r, UD));
	ASSERT_EQ(1, ring_submit(&r, 1, 1, IORING_ENTER_GETEVENTS));
	EXPECT_CQE(&r, UD, 0);
	EXPECT_EQ(0, io_uring_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0));
	ring_exit(&r);

	/* without it, anyone may */
	IOPOLL_INIT(&r, 4, IORING_SETUP_SINGLE_ISSUER);
	memset(&o, 0, sizeof(o));
	o.r = &r;
	ASSERT_EQ(0, pthread_create(&th, NULL, other_fn, &o));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EEXIST, o.submit);
	EXPECT_EQ(0, o.getevents);
	EXPECT_EQ(-EINVAL, o.badsz);
	EXPECT_EQ(0, o.plain);
	ring_exit(&r);
}

/* ------------------------------------------------------------------------ */
/* polled I/O on /dev/nullb0 */

/* Why /dev/nullb0 cannot be used for polled I/O, or NULL if it can. */
static const char *nullb_problem(void)
{
	char c = 0;
	int f;

	if (access(DEV, F_OK))
		return "no " DEV " (boot with null_blk.queue_mode=2 null_blk.poll_queues=1 ...)";
	f = open(DEV_POLL, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return "no " DEV_POLL;
	if (read(f, &c, 1) != 1)
		c = 0;
	close(f);
	if (c != '1')
		return DEV_POLL " is not 1 (null_blk needs poll_queues=1)";
	return NULL;
}

/* Requests in flight on nullb0 (reads + writes), or -1. */
static int nullb_inflight(void)
{
	unsigned int rd, wr;
	char buf[64];
	ssize_t n;
	int f = open(DEV_INFLIGHT, O_RDONLY | O_CLOEXEC);

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

	while ((n = nullb_inflight()) != 0 && now_ms() < end)
		sleep_ms(5);
	return n;
}

static void fill(void *buf, unsigned int seed)
{
	unsigned int *p = buf, i;

	for (i = 0; i < BS / sizeof(*p); i++)
		p[i] = seed * 0x9e3779b1U + i;
}

FIXTURE(dev) {
	struct test_ring r;
	int fd;
	char *wbuf;	/* QD blocks */
	char *rbuf;	/* QD blocks */
};

FIXTURE_SETUP(dev)
{
	const char *why;
	unsigned int i;
	int ret;

	self->fd = -1;
	self->wbuf = self->rbuf = NULL;
	memset(&self->r, 0, sizeof(self->r));
	self->r.fd = -1;
	ret = iopoll_init(&self->r, 2 * QD, 0);
	ASSERT_EQ(0, ret);
	why = nullb_problem();
	if (why)
		SKIP(return, "%s", why);
	self->fd = open(DEV, O_RDWR | O_DIRECT | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, posix_memalign((void **)&self->wbuf, BS, QD * BS));
	ASSERT_EQ(0, posix_memalign((void **)&self->rbuf, BS, QD * BS));
	memset(self->rbuf, 0, QD * BS);
	/*
	 * Back the blocks the tests write with memory first, with plain
	 * (not polled) writes: 6.12's null_blk allocates a missing page in
	 * ->poll() under the RCU read lock iocb_bio_iopoll() holds, which
	 * warns "sleeping function called from invalid context".
	 */
	memset(self->wbuf, 0, QD * BS);
	for (i = 0; i < PREFILL_BLOCKS / QD; i++) {
		ASSERT_EQ(QD * BS, pwrite(self->fd, self->wbuf, QD * BS, (off_t)i * QD * BS));
	}
}

FIXTURE_TEARDOWN(dev)
{
	ring_exit(&self->r);
	if (self->fd >= 0)
		close(self->fd);
	free(self->wbuf);
	free(self->rbuf);
}

enum { PLAIN, VEC, FIXED };

static __u8 rw_op(int kind, bool write)
{
	switch (kind) {
	case VEC:
		return write ? IORING_OP_WRITEV : IORING_OP_READV;
	case FIXED:
		return write ? IORING_OP_WRITE_FIXED : IORING_OP_READ_FIXED;
	default:
		return write ? IORING_OP_WRITE : IORING_OP_READ;
	}
}

/* Queue one 4 KiB read or write of @buf at block @blk. */
static struct io_uring_sqe *queue_blk(struct test_ring *r, int kind, bool write, int fd,
				      char *buf, struct iovec *iov, unsigned int blk, __u64 ud,
				      __u16 buf_index)
{
	struct io_uring_sqe *sqe;

	if (kind == VEC) {
		iov->iov_base = buf;
		iov->iov_len = BS;
		return queue_rw(r, rw_op(kind, write), fd, iov, 1, (__u64)blk * BS, ud);
	}
	sqe = queue_rw(r, rw_op(kind, write), fd, buf, BS, (__u64)blk * BS, ud);
	if (sqe && kind == FIXED)
		sqe->buf_index = buf_index;
	return sqe;
}

static int register_bufs(FIXTURE_DATA(dev) *self)
{
	struct iovec iov[2] = {
		{ .iov_base = self->wbuf, .iov_len = QD * BS },
		{ .iov_base = self->rbuf, .iov_len = QD * BS },
	};

	return io_uring_register(self->r.fd, IORING_REGISTER_BUFFERS, iov, 2);
}

/* Every kind of read and write, one at a time, data checked. */
TEST_F(dev, rw_qd1)
{
	struct test_ring *r = &self->r;
	struct iovec iov;
	int w, rd;

	ASSERT_EQ(0, register_bufs(self));
	for (w = PLAIN; w <= FIXED; w++) {
		for (rd = PLAIN; rd <= FIXED; rd++) {
			unsigned int blk = 1 + w * 3 + rd;

			fill(self->wbuf, blk * 31 + 7);
			memset(self->rbuf, 0, BS);
			ASSERT_NE(NULL, queue_blk(r, w, true, self->fd, self->wbuf, &iov, blk,
						  UD + blk, 0));
			/* submit and wait in one call */
			ASSERT_EQ(1, ring_submit(r, 1, 1, IORING_ENTER_GETEVENTS));
			EXPECT_CQE(r, UD + blk, BS);
			ASSERT_NE(NULL, queue_blk(r, rd, false, self->fd, self->rbuf, &iov, blk,
						  UD + 100 + blk, 1));
			ASSERT_EQ(1, ring_submit(r, 1, 1, IORING_ENTER_GETEVENTS));
			EXPECT_CQE(r, UD + 100 + blk, BS);
			EXPECT_EQ(0, memcmp(self->wbuf, self->rbuf, BS)) {
				TH_LOG("write kind %d, read kind %d", w, rd);
			}
		}
	}
}

/* QD reads or writes at once, of every kind. */
TEST_F(dev, rw_qd32)
{
	struct test_ring *r = &self->r;
	struct iovec iov[QD];
	struct io_uring_cqe *cqe;
	unsigned char seen[QD];
	unsigned int i, base;
	int kind, pass, ret;

	ASSERT_EQ(0, register_bufs(self));
	for (kind = PLAIN; kind <= FIXED; kind++) {
		base = 64 + kind * QD;
		for (pass = 0; pass < 2; pass++) {
			bool write = !pass;

			for (i = 0; i < QD; i++) {
				char *buf = (write ? self->wbuf : self->rbuf) + i * BS;

				if (write)
					fill(buf, base + i);
				else
					memset(buf, 0, BS);
				ASSERT_NE(NULL, queue_blk(r, kind, write, self->fd, buf, &iov[i],
							  base + i, UD + i, write ? 0 : 1));
			}
			ret = ring_submit(r, QD, QD, IORING_ENTER_GETEVENTS);
			ASSERT_EQ(QD, ret);
			ASSERT_EQ((unsigned int)QD, reap(r, QD, WAIT_MS));
			memset(seen, 0, sizeof(seen));
			while ((cqe = ring_peek_cqe(r))) {
				i = (unsigned int)(cqe->user_data - UD);
				ASSERT_GT((unsigned int)QD, i);
				EXPECT_EQ(0, seen[i]++);
				EXPECT_EQ(BS, cqe->res);
				EXPECT_EQ(0U, cqe->flags);
				ring_cqe_seen(r);
			}
		}
		for (i = 0; i < QD; i++) {
			EXPECT_EQ(0, memcmp(self->wbuf + i * BS, self->rbuf + i * BS, BS)) {
				TH_LOG("kind %d block %u", kind, i);
			}
		}
	}
}

/* Polled completions are only found by polling: GETEVENTS does it. */
TEST_F(dev, no_cqe_without_getevents)
{
	struct test_ring *r = &self->r;
	unsigned int i;

	fill(self->wbuf, 1234);
	ASSERT_NE(NULL, queue_rw(r, IORING_OP_WRITE, self->fd, self->wbuf, BS, 200 * BS, UD));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	sleep_ms(PENDING_MS);
	EXPECT_EQ(0U, ring_cq_ready(r));
	EXPECT_LT(0, nullb_inflight());
	/* a non-GETEVENTS enter does not poll either */
	EXPECT_EQ(0, io_uring_enter(r->fd, 0, 0, 0, NULL, 0));
	EXPECT_EQ(0U, ring_cq_ready(r));
	EXPECT_CQE(r, UD, BS);

	/* min_complete 0 polls too (without spinning): a loop of them reaps */
	ASSERT_NE(NULL, queue_rw(r, IORING_OP_READ, self->fd, self->rbuf, BS, 200 * BS, UD + 1));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	for (i = 0; i < 100000 && !ring_cq_ready(r); i++) {
		ASSERT_EQ(0, io_uring_enter(r->fd, 0, 0, IORING_ENTER_GETEVENTS, NULL, 0));
	}
	EXPECT_CQE(r, UD + 1, BS);
	EXPECT_EQ(0, memcmp(self->wbuf, self->rbuf, BS));
}

/* The block layer's alignment rules give -EINVAL, found by polling. */
TEST_F(dev, unaligned)
{
	struct test_ring *r = &self->r;

	ASSERT_NE(NULL, queue_rw(r, IORING_OP_READ, self->fd, self->rbuf, BS, 512, UD));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD, -EINVAL);
	ASSERT_NE(NULL, queue_rw(r, IORING_OP_READ, self->fd, self->rbuf, 512, 0, UD + 1));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD + 1, -EINVAL);
	ASSERT_NE(NULL, queue_rw(r, IORING_OP_WRITE, self->fd, self->wbuf + 1, BS, 0, UD + 2));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD + 2, -EINVAL);
	/* an aligned one still works after them */
	ASSERT_NE(NULL, queue_rw(r, IORING_OP_READ, self->fd, self->rbuf, BS, 0, UD + 3));
	ASSERT_EQ(1, ring_submit(r, 1, 1, IORING_ENTER_GETEVENTS));
	EXPECT_CQE(r, UD + 3, BS);
}

/* The device opened without O_DIRECT cannot be polled. */
TEST_F(dev, buffered_device)
{
	struct test_ring *r = &self->r;
	int fd = open(DEV, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, queue_rw(r, IORING_OP_READ, fd, self->rbuf, BS, 0, UD));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD, -EOPNOTSUPP);
	close(fd);
}

/* IOPOLL + SQPOLL: the SQ thread issues and polls; nobody enters. */
TEST_F(dev, sqpoll)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 20000000 };
	struct io_uring_getevents_arg ga;
	struct io_uring_params p;
	struct test_ring s;
	long long end;
	unsigned int i;
	int ret;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_IOPOLL | IORING_SETUP_SQPOLL;
	p.sq_thread_idle = 2000;
	ret = ring_init(&s, 16, &p);
	ASSERT_EQ(0, ret);

	/* GETEVENTS is a plain wait here: its timeout counts */
	memset(&ga, 0, sizeof(ga));
	ga.ts = (__u64)(uintptr_t)&ts;
	EXPECT_EQ(-ETIME, io_uring_enter(s.fd, 0, 1, IORING_ENTER_GETEVENTS |
					 IORING_ENTER_EXT_ARG, &ga, sizeof(ga)));

	for (i = 0; i < 8; i++) {
		fill(self->wbuf + i * BS, 500 + i);
		ASSERT_NE(NULL, queue_rw(&s, IORING_OP_WRITE, self->fd, self->wbuf + i * BS, BS,
					 (__u64)(300 + 2 * i) * BS, UD + i));
	}
	ring_flush(&s);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (*s.sq_flags & IORING_SQ_NEED_WAKEUP) {
		EXPECT_EQ(0, io_uring_enter(s.fd, 0, 0, IORING_ENTER_SQ_WAKEUP, NULL, 0));
	}
	end = now_ms() + WAIT_MS;
	while (ring_cq_ready(&s) < 8 && now_ms() < end)
		sleep_ms(1);
	ASSERT_EQ(8U, ring_cq_ready(&s));
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(UD + i, ring_peek_cqe(&s)->user_data);
		EXPECT_EQ(BS, ring_peek_cqe(&s)->res);
		ring_cqe_seen(&s);
	}

	for (i = 0; i < 8; i++) {
		ASSERT_NE(NULL, queue_rw(&s, IORING_OP_READ, self->fd, self->rbuf + i * BS, BS,
					 (__u64)(300 + 2 * i) * BS, UD + 10 + i));
	}
	ring_flush(&s);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (*s.sq_flags & IORING_SQ_NEED_WAKEUP) {
		EXPECT_EQ(0, io_uring_enter(s.fd, 0, 0, IORING_ENTER_SQ_WAKEUP, NULL, 0));
	}
	end = now_ms() + WAIT_MS;
	while (ring_cq_ready(&s) < 8 && now_ms() < end)
		sleep_ms(1);
	ASSERT_EQ(8U, ring_cq_ready(&s));
	while (ring_peek_cqe(&s)) {
		EXPECT_EQ(BS, ring_peek_cqe(&s)->res);
		ring_cqe_seen(&s);
	}
	EXPECT_EQ(0, memcmp(self->wbuf, self->rbuf, 8 * BS));
	ring_exit(&s);
}

/* Closing the ring with polled I/O in flight: the ring's exit reaps it. */
TEST_F(dev, close_inflight)
{
	struct test_ring *r = &self->r;
	unsigned int i;

	ASSERT_EQ(0, wait_nullb_idle(WAIT_MS));
	for (i = 0; i < QD; i++) {
		/* not adjacent, so that nothing merges */
		ASSERT_NE(NULL, queue_rw(r, IORING_OP_READ, self->fd, self->rbuf + i * BS, BS,
					 (__u64)(1000 + 2 * i) * BS, UD + i));
	}
	ASSERT_EQ(QD, ring_submit(r, QD, 0, 0));
	EXPECT_LT(0, nullb_inflight());
	EXPECT_EQ(0U, ring_cq_ready(r));
	ring_exit(r);
	EXPECT_EQ(0, wait_nullb_idle(WAIT_MS));

	/* a new ring works */
	IOPOLL_INIT(r, 4, 0);
	ASSERT_NE(NULL, queue_rw(r, IORING_OP_READ, self->fd, self->rbuf, BS, 0, UD));
	ASSERT_EQ(1, ring_submit(r, 1, 1, IORING_ENTER_GETEVENTS));
	EXPECT_CQE(r, UD, BS);
}

/* A process exiting with polled I/O in flight. */
TEST_F(dev, exit_inflight)
{
	struct test_ring c;
	long long end;
	unsigned int i;
	int status;
	pid_t pid, ret;

	ASSERT_EQ(0, wait_nullb_idle(WAIT_MS));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (iopoll_init(&c, QD, 0))
			_exit(10);
		for (i = 0; i < QD; i++) {
			if (!queue_rw(&c, IORING_OP_READ, self->fd, self->rbuf + i * BS, BS,
				      (__u64)(2000 + 2 * i) * BS, UD + i))
				_exit(11);
		}
		if (ring_submit(&c, QD, 0, 0) != QD)
			_exit(12);
		if (nullb_inflight() <= 0)
			_exit(13);
		_exit(0);
	}
	end = now_ms() + WAIT_MS;
	while (!(ret = waitpid(pid, &status, WNOHANG)) && now_ms() < end)
		sleep_ms(5);
	if (ret != pid) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	ASSERT_EQ(pid, ret);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, wait_nullb_idle(WAIT_MS));
}

TEST_HARNESS_MAIN
