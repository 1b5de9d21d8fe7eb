// SPDX-License-Identifier: GPL-2.0
/*
 * Task-work related ring modes: IORING_SETUP_COOP_TASKRUN, TASKRUN_FLAG,
 * SINGLE_ISSUER and DEFER_TASKRUN (which completions become visible when,
 * IORING_SQ_TASKRUN, who may submit and wait), the setup flag rules around
 * them, and REGISTERED_FD_ONLY | NO_MMAP rings. Follows Linux 6.12.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "uring_test.h"

#define UD		0x7a5c000000000000ULL
/* bound on anything that must happen (the debug kernel under TCG is slow) */
#define WAIT_MS		10000
#define MSG		"hello"
#define MSG_LEN		5

#define DEFER		(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN)

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int try_setup(unsigned int flags)
{
	struct io_uring_params p;
	int fd;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	p.sq_thread_idle = 10;
	fd = io_uring_setup(4, &p);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return fd;
}

static bool setup_supported(unsigned int flags)
{
	return try_setup(flags) != -EINVAL;
}

static unsigned int sq_flags(struct test_ring *r)
{
	return __atomic_load_n(r->sq_flags, __ATOMIC_ACQUIRE);
}

/* Queue a READ of MSG_LEN bytes from @fd into @buf. */
static struct io_uring_sqe *queue_read(struct test_ring *r, int fd, char *buf, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_READ;
		sqe->fd = fd;
		sqe->addr = (__u64)(uintptr_t)buf;
		sqe->len = MSG_LEN;
		sqe->off = (__u64)-1;
		sqe->user_data = ud;
	}
	return sqe;
}

/* Pop one CQE that must already be in the CQ ring, and check it. */
#define EXPECT_READY_CQE(r, ud, res_) do {					\
	struct io_uring_cqe *__c = ring_peek_cqe(r);				\
	ASSERT_NE(NULL, __c);							\
	EXPECT_EQ((__u64)(ud), __c->user_data);					\
	EXPECT_EQ((int)(res_), __c->res);					\
	EXPECT_EQ(0U, __c->flags);						\
	ring_cqe_seen(r);							\
} while (0)

/* ------------------------------------------------------------------------ */
/* setup flag rules */

TEST(setup_rejects)
{
	static const unsigned int bad[] = {
		IORING_SETUP_DEFER_TASKRUN,
		IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
		IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_COOP_TASKRUN,
		IORING_SETUP_TASKRUN_FLAG,
		IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_SINGLE_ISSUER,
		IORING_SETUP_SQPOLL | IORING_SETUP_COOP_TASKRUN,
		IORING_SETUP_SQPOLL | IORING_SETUP_TASKRUN_FLAG,
		IORING_SETUP_SQPOLL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
		IORING_SETUP_SQPOLL | DEFER,
		IORING_SETUP_SQPOLL | DEFER | IORING_SETUP_TASKRUN_FLAG,
		IORING_SETUP_REGISTERED_FD_ONLY,
		IORING_SETUP_REGISTERED_FD_ONLY | DEFER,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, try_setup(bad[i])) {
			TH_LOG("flags 0x%x", bad[i]);
		}
	}
}

/*
 * The flag rules come before the rings are allocated: with NO_MMAP and no
 * memory given (which alone fails with -EFAULT), a bad combination still
 * gets -EINVAL.
 */
TEST(setup_check_order)
{
	EXPECT_EQ(-EFAULT, try_setup(IORING_SETUP_NO_MMAP));
	EXPECT_EQ(-EFAULT, try_setup(IORING_SETUP_NO_MMAP | DEFER));
	EXPECT_EQ(-EFAULT, try_setup(IORING_SETUP_NO_MMAP | IORING_SETUP_REGISTERED_FD_ONLY));
	EXPECT_EQ(-EFAULT, try_setup(IORING_SETUP_NO_MMAP | IORING_SETUP_COOP_TASKRUN |
				     IORING_SETUP_TASKRUN_FLAG));
	EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_NO_MMAP | IORING_SETUP_DEFER_TASKRUN));
	EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_NO_MMAP | IORING_SETUP_TASKRUN_FLAG));
	EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_NO_MMAP | IORING_SETUP_SQPOLL |
				     IORING_SETUP_COOP_TASKRUN));
	EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_NO_MMAP | IORING_SETUP_SQPOLL | DEFER));
}

TEST(setup_accepts)
{
	static const unsigned int good[] = {
		IORING_SETUP_SINGLE_ISSUER,
		IORING_SETUP_COOP_TASKRUN,
		IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
		IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER,
		DEFER,
		DEFER | IORING_SETUP_TASKRUN_FLAG,
		DEFER | IORING_SETUP_COOP_TASKRUN,
		DEFER | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
		DEFER | IORING_SETUP_R_DISABLED,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		EXPECT_EQ(0, try_setup(good[i])) {
			TH_LOG("flags 0x%x", good[i]);
		}
	}
}

TEST(setup_accepts_sqpoll)
{
	ASSERT_TRUE(setup_supported(IORING_SETUP_SQPOLL));
	EXPECT_EQ(0, try_setup(IORING_SETUP_SQPOLL | IORING_SETUP_SINGLE_ISSUER));
	EXPECT_EQ(0, try_setup(IORING_SETUP_SQPOLL | IORING_SETUP_SINGLE_ISSUER |
			       IORING_SETUP_R_DISABLED));
}

TEST(setup_accepts_iopoll)
{
	ASSERT_TRUE(setup_supported(IORING_SETUP_IOPOLL));
	EXPECT_EQ(0, try_setup(IORING_SETUP_IOPOLL | DEFER));
	EXPECT_EQ(0, try_setup(IORING_SETUP_IOPOLL | DEFER | IORING_SETUP_TASKRUN_FLAG));
	EXPECT_EQ(0, try_setup(IORING_SETUP_IOPOLL | IORING_SETUP_COOP_TASKRUN |
			       IORING_SETUP_TASKRUN_FLAG));
	EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_IOPOLL | IORING_SETUP_DEFER_TASKRUN));
	EXPECT_EQ(-EINVAL, try_setup(IORING_SETUP_IOPOLL | IORING_SETUP_TASKRUN_FLAG));
}

/* ------------------------------------------------------------------------ */
/* when task work runs, and IORING_SQ_TASKRUN */

/*
 * What a CLONE_VM | CLONE_VFORK child sees right after it wrote to the
 * pipe a read of ours waits on. The read completes through task work of
 * ours; while the child runs we sit in clone() and so cannot run any.
 */
struct observer {
	struct test_ring *r;
	int wfd;
	int write_ret;
	unsigned int sq_flags;
	unsigned int cq_ready;
};

static int observer_fn(void *arg)
{
	struct observer *o = arg;

	o->write_ret = (int)syscall(SYS_write, o->wfd, MSG, MSG_LEN);
	o->sq_flags = __atomic_load_n(o->r->sq_flags, __ATOMIC_ACQUIRE);
	o->cq_ready = load_acquire(o->r->cq_tail) - *o->r->cq_head;
	syscall(SYS_exit, 0);
	return 0;
}

static char observer_stack[256 * 1024] __attribute__((aligned(64)));

/*
 * Run the observer and reap it. Returning from clone() to user space runs
 * our pending (non-deferred) task work.
 */
static int run_observer(struct observer *o)
{
	int status;
	pid_t pid;

	o->write_ret = -1;
	o->sq_flags = ~0U;
	o->cq_ready = ~0U;
	pid = clone(observer_fn, observer_stack + sizeof(observer_stack),
		    CLONE_VM | CLONE_VFORK | SIGCHLD, o);
	if (pid < 0)
		return -errno;
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -ECHILD;
}

FIXTURE(tw) {
	struct test_ring r;
	int pfd[2];
	char buf[16];
};

FIXTURE_VARIANT(tw) {
	unsigned int flags;
	bool defer;
	bool taskrun_flag;
};

FIXTURE_VARIANT_ADD(tw, plain) {
	.flags = 0,
};

FIXTURE_VARIANT_ADD(tw, single_issuer) {
	.flags = IORING_SETUP_SINGLE_ISSUER,
};

FIXTURE_VARIANT_ADD(tw, coop) {
	.flags = IORING_SETUP_COOP_TASKRUN,
};

FIXTURE_VARIANT_ADD(tw, coop_flag) {
	.flags = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
	.taskrun_flag = true,
};

FIXTURE_VARIANT_ADD(tw, defer) {
	.flags = DEFER,
	.defer = true,
};

FIXTURE_VARIANT_ADD(tw, defer_flag) {
	.flags = DEFER | IORING_SETUP_TASKRUN_FLAG,
	.defer = true,
	.taskrun_flag = true,
};

FIXTURE_VARIANT_ADD(tw, defer_coop_flag) {
	.flags = DEFER | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
	.defer = true,
	.taskrun_flag = true,
};

FIXTURE_SETUP(tw)
{
	self->pfd[0] = self->pfd[1] = -1;
	ASSERT_EQ(0, ring_init_flags(&self->r, 4, variant->flags));
	ASSERT_EQ(0, pipe2(self->pfd, O_CLOEXEC));
}

FIXTURE_TEARDOWN(tw)
{
	ring_exit(&self->r);
	close(self->pfd[0]);
	close(self->pfd[1]);
}

/* Only DEFER_TASKRUN needs GETEVENTS: let it run the work; check the CQE. */
static void reap_read(struct __test_metadata *_metadata, FIXTURE_DATA(tw) *self,
		      const FIXTURE_VARIANT(tw) *variant, __u64 ud)
{
	struct test_ring *r = &self->r;
	unsigned int taskrun = variant->taskrun_flag ? IORING_SQ_TASKRUN : 0;

	if (variant->defer) {
		/* the work waits for the task to ask for completions */
		EXPECT_EQ(0U, ring_cq_ready(r));
		EXPECT_EQ(taskrun, sq_flags(r) & IORING_SQ_TASKRUN);
		EXPECT_EQ(0, io_uring_enter(r->fd, 0, 0, 0, NULL, 0));
		EXPECT_EQ(0U, ring_cq_ready(r));
		EXPECT_EQ(taskrun, sq_flags(r) & IORING_SQ_TASKRUN);
		/* even with min_complete 0 */
		EXPECT_EQ(0, io_uring_enter(r->fd, 0, 0, IORING_ENTER_GETEVENTS, NULL, 0));
	}
	EXPECT_EQ(1U, ring_cq_ready(r));
	EXPECT_EQ(0U, sq_flags(r) & IORING_SQ_TASKRUN);
	EXPECT_READY_CQE(r, ud, MSG_LEN);
	EXPECT_EQ(0, memcmp(self->buf, MSG, MSG_LEN));
	memset(self->buf, 0, sizeof(self->buf));
}

/* A completion by another task's wake up, while we cannot run task work. */
TEST_F(tw, remote_wakeup)
{
	struct test_ring *r = &self->r;
	struct observer o = { .r = r, .wfd = self->pfd[1] };

	ASSERT_NE(NULL, queue_read(r, self->pfd[0], self->buf, UD));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_EQ(0U, ring_cq_ready(r));
	EXPECT_EQ(0U, sq_flags(r) & IORING_SQ_TASKRUN);

	ASSERT_EQ(0, run_observer(&o));
	EXPECT_EQ(MSG_LEN, o.write_ret);
	/* queued for us, not done: the flag tells whether it was asked for */
	EXPECT_EQ(0U, o.cq_ready);
	EXPECT_EQ(variant->taskrun_flag ? IORING_SQ_TASKRUN : 0U,
		  o.sq_flags & IORING_SQ_TASKRUN);
	/* back in user space: done, unless deferred */
	reap_read(_metadata, self, variant, UD);
}

/* The submitter wakes its own read up: done by the time write() returns. */
TEST_F(tw, self_wakeup)
{
	struct test_ring *r = &self->r;

	ASSERT_NE(NULL, queue_read(r, self->pfd[0], self->buf, UD + 1));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	ASSERT_EQ(MSG_LEN, write(self->pfd[1], MSG, MSG_LEN));
	reap_read(_metadata, self, variant, UD + 1);

	/* data already there: the read completes inline, no task work */
	ASSERT_EQ(MSG_LEN, write(self->pfd[1], MSG, MSG_LEN));
	ASSERT_NE(NULL, queue_read(r, self->pfd[0], self->buf, UD + 2));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_EQ(0U, sq_flags(r) & IORING_SQ_TASKRUN);
	EXPECT_READY_CQE(r, UD + 2, MSG_LEN);
}

/*
 * DEFER_TASKRUN: submitting without GETEVENTS does not run the deferred
 * work; the NOPs it submits complete at once, the deferred read later.
 */
TEST(defer_submit_without_getevents)
{
	struct test_ring r;
	char buf[16];
	int pfd[2];

	ASSERT_EQ(0, ring_init_flags(&r, 4, DEFER | IORING_SETUP_TASKRUN_FLAG));
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	ASSERT_NE(NULL, queue_read(&r, pfd[0], buf, UD));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	ASSERT_EQ(MSG_LEN, write(pfd[1], MSG, MSG_LEN));
	EXPECT_EQ(IORING_SQ_TASKRUN, sq_flags(&r) & IORING_SQ_TASKRUN);

	ASSERT_NE(NULL, ring_nop(&r, UD + 1));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	EXPECT_EQ(1U, ring_cq_ready(&r));
	EXPECT_EQ(IORING_SQ_TASKRUN, sq_flags(&r) & IORING_SQ_TASKRUN);
	EXPECT_READY_CQE(&r, UD + 1, 0);

	/* submitting with GETEVENTS runs it */
	ASSERT_NE(NULL, ring_nop(&r, UD + 2));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, IORING_ENTER_GETEVENTS));
	EXPECT_EQ(2U, ring_cq_ready(&r));
	EXPECT_EQ(0U, sq_flags(&r) & IORING_SQ_TASKRUN);
	EXPECT_READY_CQE(&r, UD + 2, 0);
	EXPECT_READY_CQE(&r, UD, MSG_LEN);
	EXPECT_EQ(0, memcmp(buf, MSG, MSG_LEN));
	ring_exit(&r);
	close(pfd[0]);
	close(pfd[1]);
}

/* ------------------------------------------------------------------------ */
/* who may submit and wait */

struct intruder {
	struct test_ring *r;
	int submit;
	int getevents;
	int getevents_ext;
	int getevents_badsz;
	int getevents_badarg;
	int getevents_badsig;
	int enter_plain;
	int probe;
	int stop;
	unsigned long tries, eexist;
};

static int probe4(int fd)
{
	char buf[sizeof(struct io_uring_probe) + 4 * sizeof(struct io_uring_probe_op)];

	memset(buf, 0, sizeof(buf));
	return io_uring_register(fd, IORING_REGISTER_PROBE, buf, 4);
}

static void *intruder_fn(void *arg)
{
	struct intruder *t = arg;
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 1000000 };
	struct io_uring_getevents_arg ga;
	int fd = t->r->fd;

	memset(&ga, 0, sizeof(ga));
	ga.ts = (__u64)(uintptr_t)&ts;
	t->submit = io_uring_enter(fd, 1, 0, 0, NULL, 0);
	t->getevents = io_uring_enter(fd, 0, 0, IORING_ENTER_GETEVENTS, NULL, 0);
	t->getevents_ext = io_uring_enter(fd, 0, 1, IORING_ENTER_GETEVENTS |
					  IORING_ENTER_EXT_ARG, &ga, sizeof(ga));
	/* the extended argument is read before ownership is checked */
	t->getevents_badsz = io_uring_enter(fd, 0, 1, IORING_ENTER_GETEVENTS |
					    IORING_ENTER_EXT_ARG, &ga, sizeof(ga) + 8);
	t->getevents_badarg = io_uring_enter(fd, 0, 1, IORING_ENTER_GETEVENTS |
					     IORING_ENTER_EXT_ARG, (void *)8, sizeof(ga));
	/* ... but a signal mask only after it */
	t->getevents_badsig = io_uring_enter(fd, 0, 1, IORING_ENTER_GETEVENTS,
					     (void *)8, 8);
	t->enter_plain = io_uring_enter(fd, 0, 0, 0, NULL, 0);
	t->probe = probe4(fd);
	return NULL;
}

TEST(defer_other_thread)
{
	struct intruder t;
	struct test_ring r;
	pthread_t th;

	ASSERT_EQ(0, ring_init_flags(&r, 4, DEFER));
	ASSERT_NE(NULL, ring_nop(&r, UD));
	ring_flush(&r);
	memset(&t, 0, sizeof(t));
	t.r = &r;
	ASSERT_EQ(0, pthread_create(&th, NULL, intruder_fn, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EEXIST, t.submit);
	EXPECT_EQ(0U, load_acquire(r.sq_head));
	EXPECT_EQ(-EEXIST, t.getevents);
	EXPECT_EQ(-EEXIST, t.getevents_ext);
	EXPECT_EQ(-EINVAL, t.getevents_badsz);
	EXPECT_EQ(-EFAULT, t.getevents_badarg);
	EXPECT_EQ(-EEXIST, t.getevents_badsig);
	EXPECT_EQ(0, t.enter_plain);
	EXPECT_EQ(-EEXIST, t.probe);

	/* the owner submits what the SQ holds */
	ASSERT_EQ(1, io_uring_enter(r.fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0));
	EXPECT_READY_CQE(&r, UD, 0);
	EXPECT_EQ(0, probe4(r.fd));
	ring_exit(&r);
}

/* SINGLE_ISSUER without DEFER_TASKRUN: anyone may wait. */
struct waiter {
	struct test_ring *r;
	int ret;
	unsigned int ready;
};

static void *waiter_fn(void *arg)
{
	struct __kernel_timespec ts = { .tv_sec = WAIT_MS / 1000 };
	struct io_uring_getevents_arg ga;
	struct waiter *w = arg;

	memset(&ga, 0, sizeof(ga));
	ga.ts = (__u64)(uintptr_t)&ts;
	w->ret = io_uring_enter(w->r->fd, 0, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
				&ga, sizeof(ga));
	w->ready = ring_cq_ready(w->r);
	return NULL;
}

TEST(single_issuer_wait_other_thread)
{
	struct test_ring r;
	struct waiter w;
	struct intruder t;
	pthread_t th;
	char buf[16];
	int pfd[2];

	ASSERT_EQ(0, ring_init_flags(&r, 4, IORING_SETUP_SINGLE_ISSUER));
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));

	memset(&t, 0, sizeof(t));
	t.r = &r;
	ASSERT_EQ(0, pthread_create(&th, NULL, intruder_fn, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EEXIST, t.submit);
	EXPECT_EQ(0, t.getevents);
	EXPECT_EQ(-ETIME, t.getevents_ext);
	EXPECT_EQ(-EINVAL, t.getevents_badsz);
	EXPECT_EQ(-EFAULT, t.getevents_badarg);
	EXPECT_EQ(-EFAULT, t.getevents_badsig);
	EXPECT_EQ(0, t.enter_plain);
	EXPECT_EQ(-EEXIST, t.probe);

	/* another thread waits for the owner's read, which the owner completes */
	ASSERT_NE(NULL, queue_read(&r, pfd[0], buf, UD));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	memset(&w, 0, sizeof(w));
	w.r = &r;
	ASSERT_EQ(0, pthread_create(&th, NULL, waiter_fn, &w));
	ASSERT_EQ(MSG_LEN, write(pfd[1], MSG, MSG_LEN));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(1U, w.ready);
	EXPECT_READY_CQE(&r, UD, MSG_LEN);
	ring_exit(&r);
	close(pfd[0]);
	close(pfd[1]);
}

/* A DEFER_TASKRUN ring created disabled belongs to the task enabling it. */
struct enabler {
	struct test_ring *r;
	int rfd;		/* the data pipe */
	int up, down;		/* to and from the main thread */
	int enable, submit, getevents, wait_read, probe;
	struct io_uring_cqe cqe[2];
	char buf[16];
};

static int wait_byte(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&pfd, 1, WAIT_MS) != 1)
		return -ETIME;
	return read(fd, &c, 1) == 1 ? 0 : -EIO;
}

static void *enabler_fn(void *arg)
{
	struct __kernel_timespec ts = { .tv_sec = WAIT_MS / 1000 };
	struct io_uring_getevents_arg ga;
	struct enabler *e = arg;
	struct test_ring *r = e->r;

	memset(&ga, 0, sizeof(ga));
	ga.ts = (__u64)(uintptr_t)&ts;
	e->enable = io_uring_register(r->fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0);
	/* the creator queued a read before; add a NOP */
	if (ring_nop(r, UD + 1))
		e->submit = ring_submit(r, 2, 1, IORING_ENTER_GETEVENTS);
	if (ring_peek_cqe(r)) {
		e->cqe[0] = *ring_peek_cqe(r);
		ring_cqe_seen(r);
	}
	e->probe = probe4(r->fd);
	if (write(e->up, "r", 1) != 1 || wait_byte(e->down))
		return NULL;
	e->wait_read = io_uring_enter(r->fd, 0, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
				      &ga, sizeof(ga));
	if (ring_peek_cqe(r)) {
		e->cqe[1] = *ring_peek_cqe(r);
		ring_cqe_seen(r);
	}
	return NULL;
}

TEST(defer_r_disabled_enabler_owns)
{
	int pfd[2], up[2], down[2];
	struct enabler e;
	struct test_ring r;
	pthread_t th;

	ASSERT_EQ(0, ring_init_flags(&r, 4, DEFER | IORING_SETUP_R_DISABLED));
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(up, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(down, O_CLOEXEC));
	memset(&e, 0, sizeof(e));
	e.r = &r;
	e.up = up[1];
	e.down = down[0];
	ASSERT_NE(NULL, queue_read(&r, pfd[0], e.buf, UD));
	ring_flush(&r);
	EXPECT_EQ(-EBADFD, io_uring_enter(r.fd, 1, 0, 0, NULL, 0));

	ASSERT_EQ(0, pthread_create(&th, NULL, enabler_fn, &e));
	EXPECT_EQ(0, wait_byte(up[0]));
	/* the creator is a stranger now */
	EXPECT_EQ(-EEXIST, io_uring_enter(r.fd, 1, 0, 0, NULL, 0));
	EXPECT_EQ(-EEXIST, io_uring_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0));
	EXPECT_EQ(-EEXIST, probe4(r.fd));
	EXPECT_EQ(-EEXIST, io_uring_register(r.fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0));
	/* its write queues the read's completion for the owner to run */
	EXPECT_EQ(MSG_LEN, write(pfd[1], MSG, MSG_LEN));
	EXPECT_EQ(0U, ring_cq_ready(&r));
	EXPECT_EQ(1, write(down[1], "g", 1));
	ASSERT_EQ(0, pthread_join(th, NULL));

	EXPECT_EQ(0, e.enable);
	EXPECT_EQ(2, e.submit);
	EXPECT_EQ(UD + 1, e.cqe[0].user_data);
	EXPECT_EQ(0, e.cqe[0].res);
	EXPECT_EQ(0, e.probe);
	EXPECT_EQ(0, e.wait_read);
	EXPECT_EQ(UD, e.cqe[1].user_data);
	EXPECT_EQ(MSG_LEN, e.cqe[1].res);
	EXPECT_EQ(0, memcmp(e.buf, MSG, MSG_LEN));
	ring_exit(&r);
	close(pfd[0]);
	close(pfd[1]);
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
}

/* ------------------------------------------------------------------------ */
/* IORING_SETUP_REGISTERED_FD_ONLY | IORING_SETUP_NO_MMAP */

static int enter_reg(int idx, unsigned int to_submit, unsigned int min, unsigned int flags)
{
	return io_uring_enter(idx, to_submit, min, flags | IORING_ENTER_REGISTERED_RING, NULL, 0);
}

static int lowest_free_fd(void)
{
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return fd;
}

struct reg_user {
	int idx;
	int ret;
};

static void *reg_user_fn(void *arg)
{
	struct reg_user *u = arg;

	/* a thread that never used io_uring has no registered rings */
	u->ret = enter_reg(u->idx, 0, 0, 0);
	return NULL;
}

TEST(registered_fd_only_defer)
{
	struct io_uring_rsrc_update upd;
	struct io_uring_params p;
	struct test_ring r, helper;
	struct reg_user u;
	void *rings, *sqes;
	long pg = sysconf(_SC_PAGESIZE);
	int idx, next_fd, pfd[2];
	pthread_t th;
	char buf[16];

	rings = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sqes = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rings);
	ASSERT_NE(MAP_FAILED, sqes);
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	next_fd = lowest_free_fd();

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_REGISTERED_FD_ONLY | IORING_SETUP_NO_MMAP | DEFER |
		  IORING_SETUP_TASKRUN_FLAG;
	p.cq_off.user_addr = (uintptr_t)rings;
	p.sq_off.user_addr = (uintptr_t)sqes;
	idx = io_uring_setup(8, &p);
	/* an index among the registered rings of this task, not an fd */
	ASSERT_EQ(0, idx);
	EXPECT_EQ(next_fd, lowest_free_fd());
	EXPECT_EQ((uintptr_t)rings, p.cq_off.user_addr);
	EXPECT_EQ((uintptr_t)sqes, p.sq_off.user_addr);

	/* a view of the user memory (ring_init() would want an fd) */
	memset(&r, 0, sizeof(r));
	r.p = p;
	r.fd = -1;
	r.user_mem = true;
	r.sq_ring = rings;
	r.cq_ring = rings;
	r.sqes = sqes;
	ring_set_ptrs(&r);
	EXPECT_EQ(8U, *r.sq_entries);
	EXPECT_EQ(16U, *r.cq_entries);

	ASSERT_NE(NULL, queue_read(&r, pfd[0], buf, UD));
	ASSERT_NE(NULL, ring_nop(&r, UD + 1));
	ring_flush(&r);
	ASSERT_EQ(2, enter_reg(idx, 2, 0, 0));
	EXPECT_EQ(1U, ring_cq_ready(&r));
	EXPECT_READY_CQE(&r, UD + 1, 0);
	ASSERT_EQ(MSG_LEN, write(pfd[1], MSG, MSG_LEN));
	EXPECT_EQ(0U, ring_cq_ready(&r));
	EXPECT_EQ(IORING_SQ_TASKRUN, sq_flags(&r) & IORING_SQ_TASKRUN);
	EXPECT_EQ(0, enter_reg(idx, 0, 1, IORING_ENTER_GETEVENTS));
	EXPECT_EQ(0U, sq_flags(&r) & IORING_SQ_TASKRUN);
	EXPECT_READY_CQE(&r, UD, MSG_LEN);
	EXPECT_EQ(0, memcmp(buf, MSG, MSG_LEN));
	u.idx = idx;
	u.ret = 0;
	ASSERT_EQ(0, pthread_create(&th, NULL, reg_user_fn, &u));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EINVAL, u.ret);

	/* unregistering the index drops the ring */
	ASSERT_EQ(0, ring_init_flags(&helper, 2, 0));
	memset(&upd, 0, sizeof(upd));
	upd.offset = (unsigned int)idx;
	EXPECT_EQ(1, io_uring_register(helper.fd, IORING_UNREGISTER_RING_FDS, &upd, 1));
	EXPECT_EQ(-EBADF, enter_reg(idx, 0, 0, 0));
	ring_exit(&helper);
	close(pfd[0]);
	close(pfd[1]);
	munmap(rings, pg);
	munmap(sqes, pg);
}

/* ------------------------------------------------------------------------ */
/* stress */

static void *spammer_fn(void *arg)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 0 };
	struct io_uring_getevents_arg ga;
	struct intruder *t = arg;
	int ret;

	memset(&ga, 0, sizeof(ga));
	ga.ts = (__u64)(uintptr_t)&ts;
	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		ret = io_uring_enter(t->r->fd, 1 + (t->tries & 7), 0, 0, NULL, 0);
		t->tries++;
		if (ret == -EEXIST)
			t->eexist++;
		ret = io_uring_enter(t->r->fd, 0, 1, IORING_ENTER_GETEVENTS |
				     IORING_ENTER_EXT_ARG, &ga, sizeof(ga));
		t->tries++;
		if (ret == -EEXIST)
			t->eexist++;
	}
	return NULL;
}

/*
 * The owner of a DEFER_TASKRUN ring submits and reaps NOPs and pipe reads
 * while another thread keeps trying to submit and wait.
 */
TEST(stress_defer_intruder)
{
	struct __kernel_timespec ts = { .tv_sec = WAIT_MS / 1000 };
	struct io_uring_getevents_arg ga;
	struct io_uring_cqe *cqe;
	struct intruder t;
	struct test_ring r;
	unsigned int rounds = 0, done = 0, dup = 0, bad = 0, sqes = 0, i, k, n;
	unsigned char seen[8];
	long long end;
	pthread_t th;
	char buf[16];
	int pfd[2], ret;
	__u64 base = UD;

	ASSERT_EQ(0, ring_init_flags(&r, 16, DEFER | IORING_SETUP_TASKRUN_FLAG));
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	memset(&t, 0, sizeof(t));
	t.r = &r;
	memset(&ga, 0, sizeof(ga));
	ga.ts = (__u64)(uintptr_t)&ts;
	ASSERT_EQ(0, pthread_create(&th, NULL, spammer_fn, &t));
	end = now_ms() + WAIT_MS;
	while (!__atomic_load_n(&t.tries, __ATOMIC_RELAXED) && now_ms() < end)
		sched_yield();

	end = now_ms() + 300;
	while (now_ms() < end || rounds < 50) {
		/* n - 1 NOPs and one read, completed by the owner's own write */
		n = 2 + rounds % 7;
		for (k = 0; k + 1 < n; k++) {
			ASSERT_NE(NULL, ring_nop(&r, base + k));
		}
		ASSERT_NE(NULL, queue_read(&r, pfd[0], buf, base + k));
		ret = ring_submit(&r, n, 0, 0);
		ASSERT_EQ((int)n, ret);
		sqes += n;
		ASSERT_EQ(1, write(pfd[1], "x", 1));
		ret = io_uring_enter(r.fd, 0, n, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
				     &ga, sizeof(ga));
		ASSERT_EQ(0, ret);
		memset(seen, 0, sizeof(seen));
		while ((cqe = ring_peek_cqe(&r))) {
			i = (unsigned int)(cqe->user_data - base);
			if (i >= n)
				bad++;
			else if (seen[i]++)
				dup++;
			else if (cqe->res != (i == n - 1 ? 1 : 0) || cqe->flags)
				bad++;
			done++;
			ring_cqe_seen(&r);
		}
		for (i = 0; i < n; i++) {
			ASSERT_EQ(1, seen[i]);
		}
		base += n;
		rounds++;
	}
	__atomic_store_n(&t.stop, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(0, pthread_join(th, NULL));

	EXPECT_EQ(sqes, done);
	EXPECT_EQ(0U, dup);
	EXPECT_EQ(0U, bad);
	EXPECT_EQ(sqes, load_acquire(r.sq_head));
	EXPECT_EQ(0U, *r.sq_dropped);
	EXPECT_EQ(0U, *r.cq_overflow);
	EXPECT_LT(0UL, t.tries);
	/* every single try of the other thread was refused */
	EXPECT_EQ(t.tries, t.eexist);
	EXPECT_EQ(0U, ring_cq_ready(&r));
	ring_exit(&r);
	close(pfd[0]);
	close(pfd[1]);
}

TEST_HARNESS_MAIN
