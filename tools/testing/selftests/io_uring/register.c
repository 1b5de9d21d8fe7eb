// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring_register(2) basics, following Linux 6.12 semantics:
 * IORING_REGISTER_PROBE, opcode/fd validation, IORING_SETUP_R_DISABLED with
 * IORING_REGISTER_ENABLE_RINGS, IORING_SETUP_SINGLE_ISSUER ownership, and
 * eventfd notification (IORING_REGISTER_EVENTFD{,_ASYNC}, IORING_UNREGISTER_EVENTFD,
 * IORING_CQ_EVENTFD_DISABLED).
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>

#include "uring_test.h"

#define UD	0x5eed0000cafe0000ULL
#define WAIT_MS	2000

/* A probe buffer large enough for the maximum nr_args (256). */
#define PROBE_MAX	256
#define PROBE_SZ(n)	(sizeof(struct io_uring_probe) + (n) * sizeof(struct io_uring_probe_op))

union probe_buf {
	struct io_uring_probe p;
	unsigned char raw[PROBE_SZ(PROBE_MAX)];
};

/* Pop one CQE and check it. */
#define EXPECT_CQE(r, ud, res_, flags_) do {				\
	struct io_uring_cqe __c;					\
	ASSERT_EQ(0, ring_pop_cqe(r, &__c, WAIT_MS));			\
	EXPECT_EQ((__u64)(ud), __c.user_data);				\
	EXPECT_EQ((int)(res_), __c.res);				\
	EXPECT_EQ((unsigned int)(flags_), __c.flags);			\
} while (0)

static int probe(int fd, void *buf, unsigned int nr_args)
{
	return io_uring_register(fd, IORING_REGISTER_PROBE, buf, nr_args);
}

static int enable_rings(int fd)
{
	return io_uring_register(fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0);
}

/* Queue a NOP with @sqe_flags and submit it alone. */
static int submit_nop(struct test_ring *r, __u64 ud, __u8 sqe_flags)
{
	struct io_uring_sqe *sqe = ring_nop(r, ud);

	if (!sqe)
		return -ENOSPC;
	sqe->flags = sqe_flags;
	return ring_submit(r, 1, 0, 0);
}

/* Queue an IORING_OP_READ at the current file position and submit it. */
static int submit_read(struct test_ring *r, int fd, void *buf, unsigned int len,
		       __u64 ud, __u8 sqe_flags)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (!sqe)
		return -ENOSPC;
	sqe->opcode = IORING_OP_READ;
	sqe->flags = sqe_flags;
	sqe->fd = fd;
	sqe->addr = (__u64)(uintptr_t)buf;
	sqe->len = len;
	sqe->off = (__u64)-1;
	sqe->user_data = ud;
	return ring_submit(r, 1, 0, 0);
}

/* Non-blocking read of an eventfd counter: the count, or -errno. */
static long long efd_read(int efd)
{
	uint64_t v;
	ssize_t n = read(efd, &v, sizeof(v));

	if (n < 0)
		return -errno;
	if (n != sizeof(v))
		return -EIO;
	return (long long)v;
}

/* Wait (bounded) for the eventfd to become readable, then read it. */
static long long efd_wait(int efd, int timeout_ms)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };
	int ret = poll(&pfd, 1, timeout_ms);

	if (ret < 0)
		return -errno;
	if (ret == 0)
		return -ETIME;
	return efd_read(efd);
}

/* ------------------------------------------------------------------------ */
/* IORING_REGISTER_PROBE */

TEST(probe_full)
{
	static const unsigned int nrs[] = { IORING_OP_LAST, IORING_OP_LAST + 1, PROBE_MAX };
	struct test_ring r;
	union probe_buf *b;
	unsigned int k, i;

	b = calloc(1, sizeof(*b));
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));

	for (k = 0; k < ARRAY_SIZE(nrs); k++) {
		memset(b, 0, sizeof(*b));
		ASSERT_EQ(0, probe(r.fd, b, nrs[k]));
		EXPECT_EQ(IORING_OP_LAST - 1, b->p.last_op);
		/* ops_len is clamped to the number of opcodes the kernel knows */
		EXPECT_EQ(IORING_OP_LAST, b->p.ops_len);
		EXPECT_EQ(0, b->p.resv);
		EXPECT_EQ(0U, b->p.resv2[0]);
		EXPECT_EQ(0U, b->p.resv2[1]);
		EXPECT_EQ(0U, b->p.resv2[2]);
		for (i = 0; i < IORING_OP_LAST; i++) {
			EXPECT_EQ(i, b->p.ops[i].op);
			EXPECT_EQ(0, b->p.ops[i].resv);
			EXPECT_EQ(0U, b->p.ops[i].resv2);
			/* only "supported" may be reported; which ops is not checked */
			EXPECT_EQ(0U, b->p.ops[i].flags & ~IO_URING_OP_SUPPORTED);
		}
		EXPECT_EQ(IO_URING_OP_SUPPORTED, b->p.ops[IORING_OP_NOP].flags);
		/* nothing past ops_len is written */
		for (i = PROBE_SZ(IORING_OP_LAST); i < sizeof(b->raw); i++) {
			ASSERT_EQ(0, b->raw[i]);
		}
	}

	ring_exit(&r);
	free(b);
}

TEST(probe_partial)
{
	static const unsigned int nrs[] = { 0, 1, 2, 7, IORING_OP_LAST - 1 };
	struct test_ring r;
	union probe_buf *b;
	unsigned int k, i;

	b = calloc(1, sizeof(*b));
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));

	for (k = 0; k < ARRAY_SIZE(nrs); k++) {
		unsigned int nr = nrs[k];

		/*
		 * Only nr_args entries are read (and must be zero) and written;
		 * the rest of the buffer is neither checked nor touched.
		 */
		memset(b, 0, PROBE_SZ(nr));
		memset(b->raw + PROBE_SZ(nr), 0xa5, sizeof(b->raw) - PROBE_SZ(nr));
		ASSERT_EQ(0, probe(r.fd, b, nr));
		EXPECT_EQ(IORING_OP_LAST - 1, b->p.last_op);
		EXPECT_EQ(nr, b->p.ops_len);
		EXPECT_EQ(0, b->p.resv);
		for (i = 0; i < nr; i++) {
			EXPECT_EQ(i, b->p.ops[i].op);
			EXPECT_EQ(0, b->p.ops[i].resv);
			EXPECT_EQ(0U, b->p.ops[i].resv2);
			EXPECT_EQ(0U, b->p.ops[i].flags & ~IO_URING_OP_SUPPORTED);
		}
		if (nr > IORING_OP_NOP) {
			EXPECT_EQ(IO_URING_OP_SUPPORTED, b->p.ops[IORING_OP_NOP].flags);
		}
		for (i = PROBE_SZ(nr); i < sizeof(b->raw); i++) {
			ASSERT_EQ(0xa5, b->raw[i]);
		}
	}

	ring_exit(&r);
	free(b);
}

TEST(probe_nonzero_byte)
{
	struct test_ring r;
	union probe_buf *b, *ref;
	unsigned int nr = IORING_OP_LAST;
	size_t off;

	b = calloc(1, sizeof(*b));
	ref = calloc(1, sizeof(*ref));
	ASSERT_NE(NULL, b);
	ASSERT_NE(NULL, ref);
	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));

	/* any non-zero byte inside the nr_args-sized input is rejected */
	for (off = 0; off < PROBE_SZ(nr); off++) {
		memset(b, 0, sizeof(*b));
		b->raw[off] = (off & 1) ? 0x80 : 0x01;
		*ref = *b;
		ASSERT_EQ(-EINVAL, probe(r.fd, b, nr));
		/* and the buffer is left alone */
		ASSERT_EQ(0, memcmp(b, ref, sizeof(*b)));
	}

	/* same with a short buffer: a set op index in the last entry */
	memset(b, 0, sizeof(*b));
	b->p.ops[1].op = 1;
	ASSERT_EQ(-EINVAL, probe(r.fd, b, 2));
	EXPECT_EQ(0, b->p.ops_len);
	EXPECT_EQ(0, b->p.last_op);

	/* past nr_args (clamped to IORING_OP_LAST) bytes are not inspected */
	memset(b, 0, sizeof(*b));
	b->p.ops[2].flags = 0xffff;
	ASSERT_EQ(0, probe(r.fd, b, 2));
	EXPECT_EQ(2, b->p.ops_len);
	EXPECT_EQ(0xffff, b->p.ops[2].flags);

	memset(b, 0, sizeof(*b));
	b->p.ops[IORING_OP_LAST].op = 0x5a;
	b->p.ops[PROBE_MAX - 1].resv2 = ~0U;
	ASSERT_EQ(0, probe(r.fd, b, PROBE_MAX));
	EXPECT_EQ(IORING_OP_LAST, b->p.ops_len);
	EXPECT_EQ(0x5a, b->p.ops[IORING_OP_LAST].op);
	EXPECT_EQ(~0U, b->p.ops[PROBE_MAX - 1].resv2);

	ring_exit(&r);
	free(ref);
	free(b);
}

TEST(probe_bad_args)
{
	struct test_ring r;
	union probe_buf *b;
	void *ro, *gone;
	long pg = sysconf(_SC_PAGESIZE);

	b = calloc(1, sizeof(*b));
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));

	/* nr_args above 256 is rejected, even with a valid buffer */
	EXPECT_EQ(-EINVAL, probe(r.fd, b, PROBE_MAX + 1));
	EXPECT_EQ(-EINVAL, probe(r.fd, b, 1024));
	EXPECT_EQ(-EINVAL, probe(r.fd, b, UINT_MAX));
	EXPECT_EQ(0, b->p.last_op);
	EXPECT_EQ(0, b->p.ops_len);

	/* NULL arg, whatever nr_args */
	EXPECT_EQ(-EINVAL, probe(r.fd, NULL, 0));
	EXPECT_EQ(-EINVAL, probe(r.fd, NULL, 1));
	EXPECT_EQ(-EINVAL, probe(r.fd, NULL, IORING_OP_LAST));
	EXPECT_EQ(-EINVAL, probe(r.fd, NULL, PROBE_MAX));

	/* unmapped buffer */
	gone = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, gone);
	ASSERT_EQ(0, munmap(gone, pg));
	EXPECT_EQ(-EFAULT, probe(r.fd, gone, IORING_OP_LAST));
	EXPECT_EQ(-EFAULT, probe(r.fd, gone, 0));

	/* readable (all zero) but not writable: fails on copy-out */
	ro = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-EFAULT, probe(r.fd, ro, IORING_OP_LAST));
	munmap(ro, pg);

	/* exactly 256 is fine */
	EXPECT_EQ(0, probe(r.fd, b, PROBE_MAX));
	EXPECT_EQ(IORING_OP_LAST, b->p.ops_len);

	ring_exit(&r);
	free(b);
}

/* ------------------------------------------------------------------------ */
/* opcode and fd validation */

TEST(unknown_opcode)
{
	static const unsigned int ops[] = {
		IORING_REGISTER_LAST, IORING_REGISTER_LAST + 1, 100, 255, 256,
		0x7fffffff, IORING_REGISTER_LAST | IORING_REGISTER_USE_REGISTERED_RING,
		255 | IORING_REGISTER_USE_REGISTERED_RING, UINT_MAX,
	};
	union probe_buf *b;
	struct test_ring r;
	int pfd[2];
	unsigned int i;

	b = calloc(1, sizeof(*b));
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));
	ASSERT_EQ(0, pipe(pfd));

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		EXPECT_EQ(-EINVAL, io_uring_register(r.fd, ops[i], NULL, 0));
		EXPECT_EQ(-EINVAL, io_uring_register(r.fd, ops[i], b, 1));
		/* the opcode is validated before the fd is looked up */
		EXPECT_EQ(-EINVAL, io_uring_register(-1, ops[i], NULL, 0));
		EXPECT_EQ(-EINVAL, io_uring_register(pfd[0], ops[i], NULL, 0));
	}
	/* the ring is still usable */
	ASSERT_EQ(1, submit_nop(&r, UD, 0));
	EXPECT_CQE(&r, UD, 0, 0);

	close(pfd[0]);
	close(pfd[1]);
	ring_exit(&r);
	free(b);
}

TEST(bad_fd)
{
	char path[] = "/tmp/io_uring_register.XXXXXX";
	union probe_buf *b;
	int pfd[2], efd, tfd, nfd, closed;

	b = calloc(1, sizeof(*b));
	ASSERT_NE(NULL, b);

	ASSERT_EQ(0, pipe(pfd));
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	nfd = open("/dev/null", O_RDWR);
	ASSERT_LE(0, nfd);
	tfd = mkstemp(path);
	ASSERT_LE(0, tfd);
	unlink(path);
	/* a free fd number (nothing is opened after this) */
	closed = dup(nfd);
	ASSERT_LE(0, closed);
	close(closed);

	/* fds that are not open */
	EXPECT_EQ(-EBADF, probe(-1, b, IORING_OP_LAST));
	EXPECT_EQ(-EBADF, probe(INT_MAX, b, IORING_OP_LAST));
	EXPECT_EQ(-EBADF, probe(closed, b, IORING_OP_LAST));
	EXPECT_EQ(-EBADF, enable_rings(closed));
	EXPECT_EQ(-EBADF, io_uring_register(closed, IORING_UNREGISTER_EVENTFD, NULL, 0));

	/* open fds that are not io_uring instances */
	EXPECT_EQ(-EOPNOTSUPP, probe(pfd[0], b, IORING_OP_LAST));
	EXPECT_EQ(-EOPNOTSUPP, probe(pfd[1], b, IORING_OP_LAST));
	EXPECT_EQ(-EOPNOTSUPP, probe(efd, b, IORING_OP_LAST));
	EXPECT_EQ(-EOPNOTSUPP, probe(nfd, b, IORING_OP_LAST));
	EXPECT_EQ(-EOPNOTSUPP, probe(tfd, b, IORING_OP_LAST));
	EXPECT_EQ(-EOPNOTSUPP, enable_rings(tfd));
	EXPECT_EQ(-EOPNOTSUPP, io_uring_register(pfd[0], IORING_REGISTER_EVENTFD, &efd, 1));
	/* the fd is looked up before the opcode's own argument checks */
	EXPECT_EQ(-EOPNOTSUPP, probe(nfd, NULL, 0));
	EXPECT_EQ(-EBADF, probe(closed, NULL, 0));
	/* nothing was written */
	EXPECT_EQ(0, b->p.ops_len);
	EXPECT_EQ(0, b->p.last_op);

	close(tfd);
	close(nfd);
	close(efd);
	close(pfd[0]);
	close(pfd[1]);
	free(b);
}

/* ------------------------------------------------------------------------ */
/* IORING_SETUP_R_DISABLED and IORING_REGISTER_ENABLE_RINGS */

TEST(r_disabled)
{
	struct io_uring_getevents_arg ea = { 0 };
	struct __kernel_timespec ts = { .tv_nsec = 1000000 };
	union probe_buf *b;
	struct test_ring r;
	int dummy = 0;

	b = calloc(1, sizeof(*b));
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, ring_init_flags(&r, 4, IORING_SETUP_R_DISABLED));
	EXPECT_EQ(IORING_SETUP_R_DISABLED, r.p.flags & IORING_SETUP_R_DISABLED);

	/* every io_uring_enter() fails while disabled, and no SQE is consumed */
	ASSERT_NE(NULL, ring_nop(&r, UD));
	EXPECT_EQ(-EBADFD, ring_submit(&r, 1, 0, 0));
	EXPECT_EQ(-EBADFD, ring_submit(&r, 1, 1, IORING_ENTER_GETEVENTS));
	EXPECT_EQ(-EBADFD, io_uring_enter(r.fd, 0, 0, 0, NULL, 0));
	EXPECT_EQ(-EBADFD, io_uring_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0));
	ea.ts = (__u64)(uintptr_t)&ts;
	EXPECT_EQ(-EBADFD, io_uring_enter(r.fd, 0, 1, IORING_ENTER_GETEVENTS |
					  IORING_ENTER_EXT_ARG, &ea, sizeof(ea)));
	EXPECT_EQ(0U, load_acquire(r.sq_head));
	EXPECT_EQ(0U, ring_cq_ready(&r));

	/* registration works on a disabled ring */
	EXPECT_EQ(0, probe(r.fd, b, IORING_OP_LAST));
	EXPECT_EQ(IORING_OP_LAST, b->p.ops_len);

	/* ENABLE_RINGS takes no arguments */
	EXPECT_EQ(-EINVAL, io_uring_register(r.fd, IORING_REGISTER_ENABLE_RINGS, &dummy, 0));
	EXPECT_EQ(-EINVAL, io_uring_register(r.fd, IORING_REGISTER_ENABLE_RINGS, NULL, 1));
	EXPECT_EQ(-EINVAL, io_uring_register(r.fd, IORING_REGISTER_ENABLE_RINGS, &dummy, 1));
	/* ... and a rejected call leaves the ring disabled */
	EXPECT_EQ(-EBADFD, ring_submit(&r, 1, 0, 0));

	ASSERT_EQ(0, enable_rings(r.fd));
	/* the SQE queued while disabled is submitted now */
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	EXPECT_EQ(1U, load_acquire(r.sq_head));
	EXPECT_CQE(&r, UD, 0, 0);
	ASSERT_EQ(1, submit_nop(&r, UD + 1, 0));
	EXPECT_CQE(&r, UD + 1, 0, 0);

	/* enabling twice fails, argument checks still come first */
	EXPECT_EQ(-EBADFD, enable_rings(r.fd));
	EXPECT_EQ(-EINVAL, io_uring_register(r.fd, IORING_REGISTER_ENABLE_RINGS, NULL, 1));
	EXPECT_EQ(-EBADFD, enable_rings(r.fd));

	ASSERT_EQ(1, submit_nop(&r, UD + 2, 0));
	EXPECT_CQE(&r, UD + 2, 0, 0);

	ring_exit(&r);
	free(b);
}

TEST(enable_not_disabled)
{
	struct test_ring r;
	int dummy = 0;

	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));
	EXPECT_EQ(-EBADFD, enable_rings(r.fd));
	EXPECT_EQ(-EINVAL, io_uring_register(r.fd, IORING_REGISTER_ENABLE_RINGS, &dummy, 0));
	EXPECT_EQ(-EINVAL, io_uring_register(r.fd, IORING_REGISTER_ENABLE_RINGS, NULL, 1));
	ASSERT_EQ(1, submit_nop(&r, UD, 0));
	EXPECT_CQE(&r, UD, 0, 0);
	ring_exit(&r);
}

/* ------------------------------------------------------------------------ */
/* IORING_SETUP_SINGLE_ISSUER */

struct issuer_thread {
	struct test_ring *r;
	union probe_buf *b;
	int enable_ret;
	int submit_ret;
	unsigned int sq_head;
	int enter_ret;
	int getevents_ret;
	int probe_ret;
	int cqe_ret;
	struct io_uring_cqe cqe;
	int reenable_ret;
};

/* A non-owner thread of a SINGLE_ISSUER ring. */
static void *intruder_fn(void *arg)
{
	struct issuer_thread *t = arg;
	struct test_ring *r = t->r;

	if (!ring_nop(r, UD + 1)) {
		t->submit_ret = -ENOSPC;
		return NULL;
	}
	t->submit_ret = ring_submit(r, 1, 0, 0);
	t->sq_head = load_acquire(r->sq_head);
	/* entering without submitting is not an ownership problem */
	t->enter_ret = io_uring_enter(r->fd, 0, 0, 0, NULL, 0);
	t->getevents_ret = io_uring_enter(r->fd, 0, 0, IORING_ENTER_GETEVENTS, NULL, 0);
	/* any registration from a non-owner fails */
	t->probe_ret = probe(r->fd, t->b, IORING_OP_LAST);
	t->reenable_ret = enable_rings(r->fd);
	return NULL;
}

/* Enables an R_DISABLED SINGLE_ISSUER ring, becoming its owner. */
static void *enabler_fn(void *arg)
{
	struct issuer_thread *t = arg;
	struct test_ring *r = t->r;

	t->enable_ret = enable_rings(r->fd);
	if (t->enable_ret)
		return NULL;
	/* submits the SQE the creator queued while the ring was disabled */
	t->submit_ret = ring_submit(r, 1, 0, 0);
	t->sq_head = load_acquire(r->sq_head);
	t->cqe_ret = ring_pop_cqe(r, &t->cqe, WAIT_MS);
	t->reenable_ret = enable_rings(r->fd);
	t->probe_ret = probe(r->fd, t->b, IORING_OP_LAST);
	return NULL;
}

TEST(single_issuer_other_thread)
{
	struct issuer_thread t;
	struct test_ring r;
	pthread_t th;

	memset(&t, 0, sizeof(t));
	t.b = calloc(1, sizeof(*t.b));
	ASSERT_NE(NULL, t.b);
	ASSERT_EQ(0, ring_init_flags(&r, 4, IORING_SETUP_SINGLE_ISSUER));

	/* the creator owns the ring from setup on, before it submits anything */
	t.r = &r;
	ASSERT_EQ(0, pthread_create(&th, NULL, intruder_fn, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EEXIST, t.submit_ret);
	EXPECT_EQ(0U, t.sq_head);
	EXPECT_EQ(0, t.enter_ret);
	EXPECT_EQ(0, t.getevents_ret);
	EXPECT_EQ(-EEXIST, t.probe_ret);
	EXPECT_EQ(0, t.b->p.ops_len);
	EXPECT_EQ(-EEXIST, t.reenable_ret);
	EXPECT_EQ(0U, ring_cq_ready(&r));

	/* the creator submits the SQE the other thread queued */
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	EXPECT_CQE(&r, UD + 1, 0, 0);
	ASSERT_EQ(1, submit_nop(&r, UD + 2, 0));
	EXPECT_CQE(&r, UD + 2, 0, 0);
	EXPECT_EQ(0, probe(r.fd, t.b, IORING_OP_LAST));
	EXPECT_EQ(IORING_OP_LAST, t.b->p.ops_len);

	/* still refused for another thread after the owner has submitted */
	memset(t.b, 0, sizeof(*t.b));
	ASSERT_EQ(0, pthread_create(&th, NULL, intruder_fn, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EEXIST, t.submit_ret);
	EXPECT_EQ(2U, t.sq_head);
	EXPECT_EQ(-EEXIST, t.probe_ret);
	EXPECT_EQ(0, t.b->p.ops_len);
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	EXPECT_CQE(&r, UD + 1, 0, 0);

	ring_exit(&r);
	free(t.b);
}

TEST(single_issuer_r_disabled)
{
	struct issuer_thread t;
	struct test_ring r;
	pthread_t th;

	memset(&t, 0, sizeof(t));
	t.b = calloc(1, sizeof(*t.b));
	ASSERT_NE(NULL, t.b);
	ASSERT_EQ(0, ring_init_flags(&r, 4, IORING_SETUP_SINGLE_ISSUER |
				     IORING_SETUP_R_DISABLED));

	ASSERT_NE(NULL, ring_nop(&r, UD));
	EXPECT_EQ(-EBADFD, ring_submit(&r, 1, 0, 0));
	EXPECT_EQ(0U, load_acquire(r.sq_head));
	/* no owner yet: the creator may still register */
	EXPECT_EQ(0, probe(r.fd, t.b, IORING_OP_LAST));
	EXPECT_EQ(IORING_OP_LAST, t.b->p.ops_len);
	memset(t.b, 0, sizeof(*t.b));

	t.r = &r;
	ASSERT_EQ(0, pthread_create(&th, NULL, enabler_fn, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, t.enable_ret);
	EXPECT_EQ(1, t.submit_ret);
	EXPECT_EQ(1U, t.sq_head);
	ASSERT_EQ(0, t.cqe_ret);
	EXPECT_EQ(UD, t.cqe.user_data);
	EXPECT_EQ(0, t.cqe.res);
	EXPECT_EQ(0U, t.cqe.flags);
	EXPECT_EQ(-EBADFD, t.reenable_ret);
	EXPECT_EQ(0, t.probe_ret);
	EXPECT_EQ(IORING_OP_LAST, t.b->p.ops_len);

	/* the enabling thread owns the ring: the creator is now refused */
	memset(t.b, 0, sizeof(*t.b));
	ASSERT_EQ(1U, load_acquire(r.sq_head));
	ASSERT_NE(NULL, ring_nop(&r, UD + 1));
	EXPECT_EQ(-EEXIST, ring_submit(&r, 1, 0, 0));
	EXPECT_EQ(1U, load_acquire(r.sq_head));
	EXPECT_EQ(0, io_uring_enter(r.fd, 0, 0, 0, NULL, 0));
	EXPECT_EQ(-EEXIST, probe(r.fd, t.b, IORING_OP_LAST));
	EXPECT_EQ(0, t.b->p.ops_len);
	/* ownership is checked before the ring state */
	EXPECT_EQ(-EEXIST, enable_rings(r.fd));
	EXPECT_EQ(0U, ring_cq_ready(&r));

	ring_exit(&r);
	free(t.b);
}

/* ------------------------------------------------------------------------ */
/* eventfd notification */

FIXTURE(evfd) {
	struct test_ring r;
	int efd;
	int pfd[2];
};

FIXTURE_SETUP(evfd)
{
	self->efd = -1;
	self->pfd[0] = self->pfd[1] = -1;
	ASSERT_EQ(0, ring_init_flags(&self->r, 32, 0));
	self->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ASSERT_LE(0, self->efd);
	ASSERT_EQ(0, pipe2(self->pfd, O_CLOEXEC));
}

FIXTURE_TEARDOWN(evfd)
{
	ring_exit(&self->r);
	if (self->efd >= 0)
		close(self->efd);
	if (self->pfd[0] >= 0)
		close(self->pfd[0]);
	if (self->pfd[1] >= 0)
		close(self->pfd[1]);
}

static int reg_evfd(struct test_ring *r, int efd, bool async)
{
	return io_uring_register(r->fd, async ? IORING_REGISTER_EVENTFD_ASYNC :
				 IORING_REGISTER_EVENTFD, &efd, 1);
}

static int unreg_evfd(struct test_ring *r)
{
	return io_uring_register(r->fd, IORING_UNREGISTER_EVENTFD, NULL, 0);
}

TEST_F(evfd, nop_signals)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;

	ASSERT_EQ(0, reg_evfd(r, self->efd, false));
	/* registering does not signal */
	EXPECT_EQ(-EAGAIN, efd_read(self->efd));

	ASSERT_EQ(1, submit_nop(r, UD, 0));
	EXPECT_CQE(r, UD, 0, 0);
	EXPECT_EQ(1, efd_read(self->efd));
	EXPECT_EQ(-EAGAIN, efd_read(self->efd));

	/* one completion per submission: the counter accumulates */
	ASSERT_EQ(1, submit_nop(r, UD + 1, 0));
	ASSERT_EQ(1, submit_nop(r, UD + 2, 0));
	EXPECT_CQE(r, UD + 1, 0, 0);
	EXPECT_CQE(r, UD + 2, 0, 0);
	EXPECT_EQ(2, efd_read(self->efd));

	/* entering without new completions does not signal */
	EXPECT_EQ(0, io_uring_enter(r->fd, 0, 0, IORING_ENTER_GETEVENTS, NULL, 0));
	EXPECT_EQ(-EAGAIN, efd_read(self->efd));

	/* a failed request still posts a CQE and signals */
	sqe = ring_get_sqe(r);
	ASSERT_NE(NULL, sqe);
	sqe->opcode = IORING_OP_LAST;
	sqe->user_data = UD + 3;
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	EXPECT_CQE(r, UD + 3, -EINVAL, 0);
	EXPECT_EQ(1, efd_read(self->efd));
}

/* A completion punted to io-wq signals a normal eventfd too. */
TEST_F(evfd, iowq_nop_signals)
{
	struct test_ring *r = &self->r;

	ASSERT_EQ(0, reg_evfd(r, self->efd, false));
	ASSERT_EQ(1, submit_nop(r, UD, IOSQE_ASYNC));
	EXPECT_CQE(r, UD, 0, 0);
	/* the signal may trail the CQE slightly when posted by a worker */
	EXPECT_EQ(1, efd_wait(self->efd, WAIT_MS));
	EXPECT_EQ(-EAGAIN, efd_read(self->efd));
}

/* A read that has to wait for data (poll-driven) signals when it completes. */
TEST_F(evfd, pipe_read_signals)
{
	struct test_ring *r = &self->r;
	char buf[16] = { 0 };

	ASSERT_EQ(0, reg_evfd(r, self->efd, false));
	ASSERT_EQ(1, submit_read(r, self->pfd[0], buf, sizeof(buf), UD, 0));
	EXPECT_EQ(0U, ring_cq_ready(r));
	EXPECT_EQ(-EAGAIN, efd_read(self->efd));

	ASSERT_EQ(5, write(self->pfd[1], "hello", 5));
	EXPECT_CQE(r, UD, 5, 0);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(1, efd_wait(self->efd, WAIT_MS));
	EXPECT_EQ(-EAGAIN, efd_read(self->efd));
}

/* The ring holds its own reference: closing the registered fd is fine. */
TEST_F(evfd, registered_fd_closed)
{
	struct test_ring *r = &self->r;
	int dfd = dup(self->efd);

	ASSERT_LE(0, dfd);
	ASSERT_EQ(0, reg_evfd(r, dfd, false));
	close(dfd);
	ASSERT_EQ(1, submit_nop(r, UD, 0));
	EXPECT_CQE(r, UD, 0, 0);
	EXPECT_EQ(1, efd_read(self->efd));
	EXPECT_EQ(0, unreg_evfd(r));
}

TEST_F(evfd, register_busy)
{
	struct test_ring *r = &self->r;
	int efd2, bad = -1;

	efd2 = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ASSERT_LE(0, efd2);

	ASSERT_EQ(0, reg_evfd(r, self->efd, false));
	EXPECT_EQ(-EBUSY, reg_evfd(r, self->efd, false));
	EXPECT_EQ(-EBUSY, reg_evfd(r, efd2, false));
	EXPECT_EQ(-EBUSY, reg_evfd(r, efd2, true));
	/* busy is reported before the argument is read */
	EXPECT_EQ(-EBUSY, io_uring_register(r->fd, IORING_REGISTER_EVENTFD, NULL, 1));
	EXPECT_EQ(-EBUSY, io_uring_register(r->fd, IORING_REGISTER_EVENTFD_ASYNC, &bad, 1));
	/* ... but after the nr_args check */
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_REGISTER_EVENTFD, &efd2, 2));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_REGISTER_EVENTFD_ASYNC, &efd2, 0));

	/* the first registration is still the active one */
	ASSERT_EQ(1, submit_nop(r, UD, 0));
	EXPECT_CQE(r, UD, 0, 0);
	EXPECT_EQ(1, efd_read(self->efd));
	EXPECT_EQ(-EAGAIN, efd_read(efd2));

	close(efd2);
}

TEST_F(evfd, unregister)
{
	struct test_ring *r = &self->r;
	int dummy = 0;

	ASSERT_EQ(0, reg_evfd(r, self->efd, false));
	/* UNREGISTER_EVENTFD takes no arguments */
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_UNREGISTER_EVENTFD, &dummy, 0));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_UNREGISTER_EVENTFD, NULL, 1));
	/* ... and the failed calls left it registered */
	ASSERT_EQ(1, submit_nop(r, UD, 0));
	EXPECT_CQE(r, UD, 0, 0);
	EXPECT_EQ(1, efd_read(self->efd));

	ASSERT_EQ(0, unreg_evfd(r));
	ASSERT_EQ(1, submit_nop(r, UD + 1, 0));
	EXPECT_CQE(r, UD + 1, 0, 0);
	EXPECT_EQ(-EAGAIN, efd_read(self->efd));

	EXPECT_EQ(-ENXIO, unreg_evfd(r));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_UNREGISTER_EVENTFD, NULL, 1));

	/* registering again works and signals again */
	ASSERT_EQ(0, reg_evfd(r, self->efd, false));
	ASSERT_EQ(1, submit_nop(r, UD + 2, 0));
	EXPECT_CQE(r, UD + 2, 0, 0);
	EXPECT_EQ(1, efd_read(self->efd));
	ASSERT_EQ(0, unreg_evfd(r));
	EXPECT_EQ(-ENXIO, unreg_evfd(r));
}

TEST_F(evfd, unregister_none)
{
	struct test_ring *r = &self->r;

	EXPECT_EQ(-ENXIO, unreg_evfd(r));
	/* argument checks come first */
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_UNREGISTER_EVENTFD, NULL, 1));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_UNREGISTER_EVENTFD,
					     &self->efd, 0));
	EXPECT_EQ(-ENXIO, unreg_evfd(r));
}

TEST_F(evfd, register_bad_args)
{
	static const unsigned int regs[] = {
		IORING_REGISTER_EVENTFD, IORING_REGISTER_EVENTFD_ASYNC,
	};
	struct test_ring *r = &self->r;
	int bad = -1, closed, tfd;
	char path[] = "/tmp/io_uring_register.XXXXXX";
	unsigned int i;
	void *gone;
	long pg = sysconf(_SC_PAGESIZE);

	tfd = mkstemp(path);
	ASSERT_LE(0, tfd);
	unlink(path);
	/* a free fd number (nothing is opened after this) */
	closed = dup(self->efd);
	ASSERT_LE(0, closed);
	close(closed);
	gone = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, gone);
	ASSERT_EQ(0, munmap(gone, pg));

	for (i = 0; i < ARRAY_SIZE(regs); i++) {
		unsigned int op = regs[i];

		/* nr_args must be exactly 1 */
		EXPECT_EQ(-EINVAL, io_uring_register(r->fd, op, &self->efd, 0));
		EXPECT_EQ(-EINVAL, io_uring_register(r->fd, op, &self->efd, 2));
		EXPECT_EQ(-EINVAL, io_uring_register(r->fd, op, &self->efd, UINT_MAX));
		EXPECT_EQ(-EINVAL, io_uring_register(r->fd, op, NULL, 0));
		/* unreadable argument */
		EXPECT_EQ(-EFAULT, io_uring_register(r->fd, op, NULL, 1));
		EXPECT_EQ(-EFAULT, io_uring_register(r->fd, op, gone, 1));
		/* fds that are not open */
		EXPECT_EQ(-EBADF, io_uring_register(r->fd, op, &bad, 1));
		EXPECT_EQ(-EBADF, io_uring_register(r->fd, op, &closed, 1));
		/* open fds that are not eventfds */
		EXPECT_EQ(-EINVAL, io_uring_register(r->fd, op, &self->pfd[0], 1));
		EXPECT_EQ(-EINVAL, io_uring_register(r->fd, op, &tfd, 1));
		EXPECT_EQ(-EINVAL, io_uring_register(r->fd, op, &r->fd, 1));
	}

	/* none of that left anything registered */
	EXPECT_EQ(-ENXIO, unreg_evfd(r));
	ASSERT_EQ(1, submit_nop(r, UD, 0));
	EXPECT_CQE(r, UD, 0, 0);
	EXPECT_EQ(-EAGAIN, efd_read(self->efd));
	EXPECT_EQ(0, reg_evfd(r, self->efd, false));
	EXPECT_EQ(0, unreg_evfd(r));

	close(tfd);
}

/*
 * IORING_REGISTER_EVENTFD_ASYNC: in 6.12 only completions posted from an
 * io-wq worker signal. Inline completions don't, and neither do
 * completions that run from task_work in the submitter (e.g. a pipe read
 * that armed poll and was retried after data arrived).
 */
TEST_F(evfd, async_inline_nop_no_signal)
{
	struct test_ring *r = &self->r;

	ASSERT_EQ(0, reg_evfd(r, self->efd, true));
	ASSERT_EQ(1, submit_nop(r, UD, 0));
	EXPECT_CQE(r, UD, 0, 0);
	EXPECT_EQ(-EAGAIN, efd_read(self->efd));
	ASSERT_EQ(1, submit_nop(r, UD + 1, 0));
	EXPECT_CQE(r, UD + 1, 0, 0);
	EXPECT_EQ(-EAGAIN, efd_read(self->efd));

	/* an io-wq completion does signal, exactly once */
	ASSERT_EQ(1, submit_nop(r, UD + 2, IOSQE_ASYNC));
	EXPECT_CQE(r, UD + 2, 0, 0);
	EXPECT_EQ(1, efd_wait(self->efd, WAIT_MS));
	EXPECT_EQ(-EAGAIN, efd_read(self->efd));

	/* unregistering works the same for the async flavour */
	ASSERT_EQ(0, unreg_evfd(r));
	EXPECT_EQ(-ENXIO, unreg_evfd(r));
}

TEST_F(evfd, async_iowq_read_signals)
{
	struct test_ring *r = &self->r;
	char buf[16] = { 0 };

	ASSERT_EQ(0, reg_evfd(r, self->efd, true));
	/* data is there: the io-wq worker completes the read itself */
	ASSERT_EQ(3, write(self->pfd[1], "abc", 3));
	ASSERT_EQ(1, submit_read(r, self->pfd[0], buf, sizeof(buf), UD, IOSQE_ASYNC));
	EXPECT_CQE(r, UD, 3, 0);
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	EXPECT_EQ(1, efd_wait(self->efd, WAIT_MS));
	EXPECT_EQ(-EAGAIN, efd_read(self->efd));

	/* the same read issued inline does not signal */
	ASSERT_EQ(3, write(self->pfd[1], "def", 3));
	ASSERT_EQ(1, submit_read(r, self->pfd[0], buf, sizeof(buf), UD + 1, 0));
	EXPECT_CQE(r, UD + 1, 3, 0);
	EXPECT_EQ(0, memcmp(buf, "def", 3));
	EXPECT_EQ(-EAGAIN, efd_read(self->efd));
}

TEST_F(evfd, async_poll_read_no_signal)
{
	struct test_ring *r = &self->r;
	char buf[16] = { 0 };

	/* the read waits in poll, not in a worker, only with fast poll */
	if (!(r->p.features & IORING_FEAT_FAST_POLL))
		SKIP(return, "no IORING_FEAT_FAST_POLL: the read completes in a worker");
	ASSERT_EQ(0, reg_evfd(r, self->efd, true));
	ASSERT_EQ(1, submit_read(r, self->pfd[0], buf, sizeof(buf), UD, 0));
	EXPECT_EQ(0U, ring_cq_ready(r));

	ASSERT_EQ(5, write(self->pfd[1], "hello", 5));
	EXPECT_CQE(r, UD, 5, 0);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(-EAGAIN, efd_read(self->efd));

	/* the counter holds exactly the io-wq completion's signal */
	ASSERT_EQ(1, submit_nop(r, UD + 1, IOSQE_ASYNC));
	EXPECT_CQE(r, UD + 1, 0, 0);
	EXPECT_EQ(1, efd_wait(self->efd, WAIT_MS));
	EXPECT_EQ(-EAGAIN, efd_read(self->efd));
}

/*
 * A worker that completes while the submitter is still submitting (here:
 * a batch of inline NOPs behind an IOSQE_ASYNC one) signals an async-only
 * eventfd all the same. Racy by nature, so tried many times.
 */
TEST_F(evfd, async_signal_during_submit)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe c;
	int round, i, seen;

	ASSERT_EQ(0, reg_evfd(r, self->efd, true));
	/* start the worker first, so that it is quick to answer */
	ASSERT_EQ(1, submit_nop(r, UD, IOSQE_ASYNC));
	EXPECT_CQE(r, UD, 0, 0);
	ASSERT_EQ(1, efd_wait(self->efd, WAIT_MS));

	for (round = 0; round < 40; round++) {
		sqe = ring_nop(r, UD + 1);
		ASSERT_NE(NULL, sqe);
		sqe->flags = IOSQE_ASYNC;
		for (i = 0; i < 30; i++)
			ASSERT_NE(NULL, ring_nop(r, UD + 2));
		ASSERT_EQ(31, ring_submit(r, 31, 0, 0));
		for (i = 0, seen = 0; i < 31; i++) {
			ASSERT_EQ(0, ring_pop_cqe(r, &c, WAIT_MS));
			seen += c.user_data == UD + 1;
		}
		ASSERT_EQ(1, seen);
		/* one signal: the worker's; the inline NOPs give none */
		ASSERT_EQ(1, efd_wait(self->efd, WAIT_MS)) TH_LOG("round %d", round);
		ASSERT_EQ(-EAGAIN, efd_read(self->efd));
	}
}

TEST_F(evfd, cq_eventfd_disabled)
{
	struct test_ring *r = &self->r;

	EXPECT_EQ(0U, __atomic_load_n(r->cq_flags, __ATOMIC_RELAXED));
	ASSERT_EQ(0, reg_evfd(r, self->efd, false));

	__atomic_store_n(r->cq_flags, IORING_CQ_EVENTFD_DISABLED, __ATOMIC_RELEASE);
	ASSERT_EQ(1, submit_nop(r, UD, 0));
	EXPECT_CQE(r, UD, 0, 0);
	ASSERT_EQ(1, submit_nop(r, UD + 1, 0));
	EXPECT_CQE(r, UD + 1, 0, 0);
	EXPECT_EQ(-EAGAIN, efd_read(self->efd));
	/* the kernel leaves the application's flag alone */
	EXPECT_EQ(IORING_CQ_EVENTFD_DISABLED, __atomic_load_n(r->cq_flags, __ATOMIC_RELAXED));

	/* re-enabled: the next completion signals, suppressed ones are not replayed */
	__atomic_store_n(r->cq_flags, 0, __ATOMIC_RELEASE);
	ASSERT_EQ(1, submit_nop(r, UD + 2, 0));
	EXPECT_CQE(r, UD + 2, 0, 0);
	EXPECT_EQ(1, efd_read(self->efd));
	EXPECT_EQ(-EAGAIN, efd_read(self->efd));
}

TEST_F(evfd, cq_eventfd_disabled_async)
{
	struct test_ring *r = &self->r;

	ASSERT_EQ(0, reg_evfd(r, self->efd, true));
	__atomic_store_n(r->cq_flags, IORING_CQ_EVENTFD_DISABLED, __ATOMIC_RELEASE);
	ASSERT_EQ(1, submit_nop(r, UD, IOSQE_ASYNC));
	EXPECT_CQE(r, UD, 0, 0);
	/* a worker's signal could trail its CQE: allow it some time to show */
	EXPECT_EQ(-ETIME, efd_wait(self->efd, 200));
	EXPECT_EQ(-EAGAIN, efd_read(self->efd));
}

TEST_HARNESS_MAIN
