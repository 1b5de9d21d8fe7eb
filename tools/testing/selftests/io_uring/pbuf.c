// SPDX-License-Identifier: GPL-2.0
/*
 * Provided buffers ("buffer selection"), following Linux 6.12 semantics:
 * IORING_OP_PROVIDE_BUFFERS / IORING_OP_REMOVE_BUFFERS (legacy groups),
 * IORING_REGISTER_PBUF_RING / IORING_UNREGISTER_PBUF_RING /
 * IORING_REGISTER_PBUF_STATUS (ring-mapped groups, with user memory or
 * IOU_PBUF_RING_MMAP, and IOU_PBUF_RING_INC), IOSQE_BUFFER_SELECT on READ,
 * READV and READ_MULTISHOT, and what happens to a group or a selected
 * buffer while requests are in flight.
 *
 * In 6.12 a legacy buffer stays with a READ that waits for data (it is
 * picked before the read is tried and kept over the poll), while a buffer
 * from a ring is handed back when the read has to wait and picked again
 * when it is retried, unless it was committed at selection (io-wq, or a
 * file that cannot be polled).
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "uring_test.h"

#define UD		0x9bf0000000000000ULL
#define UD_SYNC		0x9bf00000ffffffffULL
#define WAIT_MS		2000
/* how long something that must not be posted is given to (wrongly) appear */
#define PENDING_MS	50

/* 6.12 io_uring/kbuf.c: MAX_BIDS_PER_BGID */
#define IOU_612_MAX_BIDS	65536U

/* an address access_ok() rejects on every 64-bit architecture */
#define KERNEL_ADDR	0xffff800000000000ULL

#define MEM_SZ		(64 * 1024)
#define DATA_SZ		4096

#define F_BUF(bid)	(IORING_CQE_F_BUFFER | \
			 ((unsigned int)(bid) << IORING_CQE_BUFFER_SHIFT))
#define F_MORE		IORING_CQE_F_MORE
#define F_BUF_MORE	IORING_CQE_F_BUF_MORE

#define REQUIRE_OP(op) do {						\
	if (!uring_op_supported(op))					\
		SKIP(return, #op " not supported");			\
} while (0)

/* Submit the @n queued SQEs (in any ring mode). */
#define SUBMIT(r, n)	ASSERT_EQ((int)(n), ring_submit_mode(r, n))

/* Pop one CQE and check all of it. */
#define EXPECT_CQE(r, ud, res_, flags_) do {				\
	struct io_uring_cqe __c;					\
	ASSERT_EQ(0, ring_pop_cqe(r, &__c, WAIT_MS)) {			\
		TH_LOG("no CQE for user_data 0x%llx",			\
		       (unsigned long long)(ud));			\
	}								\
	EXPECT_EQ((__u64)(ud), __c.user_data);				\
	EXPECT_EQ((int)(res_), __c.res);				\
	EXPECT_EQ((unsigned int)(flags_), __c.flags) {			\
		TH_LOG("flags 0x%x (bid %u), want 0x%x", __c.flags,	\
		       __c.flags >> IORING_CQE_BUFFER_SHIFT,		\
		       (unsigned int)(flags_));				\
	}								\
} while (0)

/* No CQE shows up within PENDING_MS. */
#define EXPECT_NO_CQE(r) do {						\
	struct io_uring_cqe *__c = ring_wait_cqe(r, PENDING_MS, NULL);	\
	EXPECT_EQ(NULL, __c) {						\
		TH_LOG("unexpected CQE ud=0x%llx res=%d flags=0x%x",	\
		       (unsigned long long)__c->user_data, __c->res,	\
		       __c->flags);					\
	}								\
} while (0)

/* Queue a READ with IOSQE_BUFFER_SELECT from group @bgid, submit, check. */
#define READ_CQE(r, fd, bgid, len, off, ud, res_, flags_) do {		\
	ASSERT_NE(NULL, sqe_read_sel(r, IORING_OP_READ, fd, bgid, len,	\
				     off, ud));				\
	SUBMIT(r, 1);							\
	EXPECT_CQE(r, ud, res_, flags_);				\
} while (0)

/* @len bytes at @buf hold the stream from offset @off on. */
#define EXPECT_STREAM(buf, len, off)					\
	EXPECT_EQ(-1, stream_mismatch(buf, len, off))
/* @len bytes at @buf are all zero. */
#define EXPECT_ZERO(buf, len)	EXPECT_EQ(-1, zero_mismatch(buf, len))

#define STREAM	(-1ULL)		/* sqe->off of a read from a pipe */

static size_t page_sz(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static void *u64_ptr(__u64 v)
{
	return (void *)(uintptr_t)v;
}

/* ---- data: one byte stream, written into pipes and the memfd ---- */

static unsigned char sbyte(unsigned long off)
{
	return (unsigned char)(off * 29 + (off >> 8) * 7 + 0x33);
}

static long stream_mismatch(const void *buf, size_t len, unsigned long off)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != sbyte(off + i))
			return (long)i;
	}
	return -1;
}

static long zero_mismatch(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i])
			return (long)i;
	}
	return -1;
}

/* Write the next @len bytes of the stream (from *pos on) to @fd. */
static int feed(int fd, unsigned long *pos, size_t len)
{
	unsigned char buf[512];
	size_t i;

	if (len > sizeof(buf))
		return -EINVAL;
	for (i = 0; i < len; i++)
		buf[i] = sbyte(*pos + i);
	if (write(fd, buf, len) != (ssize_t)len)
		return -EIO;
	*pos += len;
	return 0;
}

/* Read what a pipe holds right now (up to @len), without blocking. */
static ssize_t pipe_left(int fd, void *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLIN))
		return 0;
	return read(fd, buf, len);
}

/* The pipe's unread bytes are exactly @len bytes of stream from @off. */
#define EXPECT_PIPE_HOLDS(fd, len, off) do {				\
	unsigned char __b[512];						\
	ssize_t __n = pipe_left(fd, __b, sizeof(__b));			\
	EXPECT_EQ((ssize_t)(len), __n);					\
	if (__n > 0)							\
		EXPECT_STREAM(__b, __n, off);				\
} while (0)

/* ---- SQEs ---- */

static struct io_uring_sqe *sqe_provide(struct test_ring *r, unsigned int bgid,
					__u64 addr, unsigned int len, int nr,
					__u64 bid, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_PROVIDE_BUFFERS;
		sqe->fd = nr;
		sqe->addr = addr;
		sqe->len = len;
		sqe->off = bid;
		sqe->buf_group = bgid;
		sqe->user_data = ud;
	}
	return sqe;
}

static struct io_uring_sqe *sqe_remove(struct test_ring *r, unsigned int bgid,
				       int nr, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_REMOVE_BUFFERS;
		sqe->fd = nr;
		sqe->buf_group = bgid;
		sqe->user_data = ud;
	}
	return sqe;
}

/* @op (READ, READV, READ_MULTISHOT) with IOSQE_BUFFER_SELECT from @bgid. */
static struct io_uring_sqe *sqe_read_sel(struct test_ring *r, unsigned int op,
					 int fd, unsigned int bgid,
					 unsigned int len, __u64 off, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = op;
		sqe->flags = IOSQE_BUFFER_SELECT;
		sqe->fd = fd;
		sqe->len = len;
		sqe->off = off;
		sqe->buf_group = bgid;
		sqe->user_data = ud;
	}
	return sqe;
}

/* Run one queued SQE to completion; its res, or a negative harness error. */
static int run_sync(struct test_ring *r)
{
	struct io_uring_cqe cqe;
	int ret;

	ret = ring_submit_mode(r, 1);
	if (ret != 1)
		return ret < 0 ? ret : -EIO;
	ret = ring_pop_cqe(r, &cqe, WAIT_MS);
	if (ret)
		return ret;
	if (cqe.user_data != UD_SYNC || cqe.flags)
		return -EPROTO;
	return cqe.res;
}

/* PROVIDE_BUFFERS @nr buffers of @len at @addr, ids from @bid: its res. */
static int provide(struct test_ring *r, unsigned int bgid, void *addr,
		   unsigned int len, int nr, unsigned int bid)
{
	if (!sqe_provide(r, bgid, (uintptr_t)addr, len, nr, bid, UD_SYNC))
		return -EBUSY;
	return run_sync(r);
}

static int remove_bufs(struct test_ring *r, unsigned int bgid, int nr)
{
	if (!sqe_remove(r, bgid, nr, UD_SYNC))
		return -EBUSY;
	return run_sync(r);
}

/* ---- ring-mapped groups ---- */

static void buf_reg_init(struct io_uring_buf_reg *reg, __u64 addr,
			 unsigned int entries, unsigned int bgid,
			 unsigned int flags)
{
	memset(reg, 0, sizeof(*reg));
	reg->ring_addr = addr;
	reg->ring_entries = entries;
	reg->bgid = bgid;
	reg->flags = flags;
}

static int reg_ring(struct test_ring *r, struct io_uring_buf_reg *reg)
{
	return io_uring_register(r->fd, IORING_REGISTER_PBUF_RING, reg, 1);
}

static int unreg_ring(struct test_ring *r, unsigned int bgid)
{
	struct io_uring_buf_reg reg;

	buf_reg_init(&reg, 0, 0, bgid, 0);
	return io_uring_register(r->fd, IORING_UNREGISTER_PBUF_RING, &reg, 1);
}

/* The head of ring group @bgid (IORING_REGISTER_PBUF_STATUS), or -errno. */
static int ring_head(struct test_ring *r, unsigned int bgid)
{
	struct io_uring_buf_status st;
	int ret;

	memset(&st, 0, sizeof(st));
	st.buf_group = bgid;
	ret = io_uring_register(r->fd, IORING_REGISTER_PBUF_STATUS, &st, 1);
	return ret < 0 ? ret : (int)st.head;
}

/* Poll ring_head() until it is @head, for up to @ms. The last value seen. */
static int wait_head(struct test_ring *r, unsigned int bgid, int head,
		     unsigned int ms)
{
	struct timespec start;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		ret = ring_head(r, bgid);
		if (ret == head || ring_mode_ms_since(&start) > ms)
			return ret;
		usleep(1000);
	}
}

static off_t pbuf_off(unsigned int bgid)
{
	return (off_t)(IORING_OFF_PBUF_RING |
		       ((__u64)bgid << IORING_OFF_PBUF_SHIFT));
}

/* Map the ring of IOU_PBUF_RING_MMAP group @bgid from the ring fd. */
static void *map_ring(int ring_fd, unsigned int bgid, size_t sz)
{
	return mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		    ring_fd, pbuf_off(bgid));
}

struct pool {
	struct io_uring_buf_ring *br;
	size_t sz;
	unsigned int entries;
	unsigned short tail;	/* ours; published by pool_publish() */
};

static size_t pool_size(unsigned int entries)
{
	size_t sz = (size_t)entries * sizeof(struct io_uring_buf);

	return (sz + page_sz() - 1) & ~(page_sz() - 1);
}

/*
 * Register group @bgid as a ring of @entries: in our own memory, or (with
 * IOU_PBUF_RING_MMAP in @flags) in the kernel's, mapped from the ring fd.
 * 0 or -errno.
 */
static int pool_init(struct test_ring *r, struct pool *p, unsigned int bgid,
		     unsigned int entries, unsigned int flags)
{
	struct io_uring_buf_reg reg;
	void *mem = NULL;
	int ret;

	memset(p, 0, sizeof(*p));
	p->entries = entries;
	p->sz = pool_size(entries);
	if (!(flags & IOU_PBUF_RING_MMAP)) {
		mem = mmap(NULL, p->sz, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			return -errno;
		memset(mem, 0, p->sz);
	}
	buf_reg_init(&reg, (uintptr_t)mem, entries, bgid, flags);
	ret = reg_ring(r, &reg);
	if (ret) {
		if (mem)
			munmap(mem, p->sz);
		return ret;
	}
	if (flags & IOU_PBUF_RING_MMAP) {
		mem = map_ring(r->fd, bgid, p->sz);
		if (mem == MAP_FAILED) {
			ret = -errno;
			unreg_ring(r, bgid);
			return ret;
		}
	}
	p->br = mem;
	return 0;
}

static void pool_exit(struct pool *p)
{
	if (p->br)
		munmap(p->br, p->sz);
	p->br = NULL;
}

static struct io_uring_buf *pool_slot(struct pool *p, unsigned int idx)
{
	return &p->br->bufs[idx & (p->entries - 1)];
}

/* Fill the next slot; the field by field stores keep bufs[0].resv (tail). */
static void pool_put(struct pool *p, void *addr, unsigned int len,
		     unsigned int bid)
{
	struct io_uring_buf *b = pool_slot(p, p->tail);

	b->addr = (uintptr_t)addr;
	b->len = len;
	b->bid = bid;
	p->tail++;
}

static void pool_publish(struct pool *p)
{
	__atomic_store_n(&p->br->tail, p->tail, __ATOMIC_RELEASE);
}

/* ---- the fixture: a plain ring, a pipe, a memfd and buffer memory ---- */

FIXTURE(pbuf) {
	struct test_ring r;
	int pfd[2];		/* [0] read end, [1] write end */
	unsigned long wr;	/* stream offset of the next byte fed */
	int mfd;		/* memfd: DATA_SZ bytes of stream */
	unsigned char *mem;	/* MEM_SZ bytes, zeroed, page aligned */
};

FIXTURE_SETUP(pbuf)
{
	unsigned char data[DATA_SZ];
	unsigned int i;

	self->pfd[0] = -1;
	self->pfd[1] = -1;
	self->mfd = -1;
	self->mem = MAP_FAILED;
	self->wr = 0;
	ASSERT_EQ(0, ring_init_flags(&self->r, 32, 0));
	ASSERT_EQ(0, pipe2(self->pfd, O_CLOEXEC));
	self->mfd = memfd_create("pbuf", MFD_CLOEXEC);
	ASSERT_LE(0, self->mfd);
	for (i = 0; i < DATA_SZ; i++)
		data[i] = sbyte(i);
	ASSERT_EQ(DATA_SZ, pwrite(self->mfd, data, DATA_SZ, 0));
	self->mem = mmap(NULL, MEM_SZ, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	memset(self->mem, 0, MEM_SZ);
}

FIXTURE_TEARDOWN(pbuf)
{
	ring_exit(&self->r);
	if (self->pfd[0] >= 0)
		close(self->pfd[0]);
	if (self->pfd[1] >= 0)
		close(self->pfd[1]);
	if (self->mfd >= 0)
		close(self->mfd);
	if (self->mem != MAP_FAILED)
		munmap(self->mem, MEM_SZ);
}

/* ---- 7. The probe lists the provided-buffer opcodes ---- */

TEST(probe_lists_ops)
{
	static const unsigned int ops[] = {
		IORING_OP_PROVIDE_BUFFERS, IORING_OP_REMOVE_BUFFERS,
		IORING_OP_READ_MULTISHOT, IORING_OP_READ, IORING_OP_READV,
	};
	struct {
		struct io_uring_probe probe;
		struct io_uring_probe_op ops[256];
	} buf;
	struct test_ring r;
	unsigned int i;

	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));
	memset(&buf, 0, sizeof(buf));
	ASSERT_EQ(0, io_uring_register(r.fd, IORING_REGISTER_PROBE, &buf, 256));
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		ASSERT_LE(ops[i], buf.probe.last_op);
		EXPECT_EQ(ops[i], buf.probe.ops[ops[i]].op);
		EXPECT_EQ(IO_URING_OP_SUPPORTED, buf.probe.ops[ops[i]].flags) {
			TH_LOG("opcode %u not listed as supported", ops[i]);
		}
	}
	ring_exit(&r);
}

/* ---- 1. PROVIDE_BUFFERS and REMOVE_BUFFERS ---- */

/* Success is res 0; groups grow; REMOVE counts what it took. */
TEST_F(pbuf, provide_and_remove)
{
	struct test_ring *r = &self->r;
	__u64 m = (uintptr_t)self->mem;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);
	REQUIRE_OP(IORING_OP_REMOVE_BUFFERS);

	ASSERT_NE(NULL, sqe_provide(r, 1, m, 16, 4, 0, UD + 1));
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 1, 0, 0);
	/* more buffers for the same group, and a second group */
	ASSERT_NE(NULL, sqe_provide(r, 1, m + 1024, 32, 2, 100, UD + 2));
	ASSERT_NE(NULL, sqe_provide(r, 2, m + 2048, 8, 3, 0, UD + 3));
	SUBMIT(r, 2);
	EXPECT_CQE(r, UD + 2, 0, 0);
	EXPECT_CQE(r, UD + 3, 0, 0);
	/* an id already in the group is not refused: both stay */
	ASSERT_NE(NULL, sqe_provide(r, 1, m + 4096, 8, 1, 0, UD + 4));
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 4, 0, 0);

	/* REMOVE takes up to its count and returns how many it took */
	ASSERT_NE(NULL, sqe_remove(r, 2, 2, UD + 5));
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 5, 2, 0);
	ASSERT_NE(NULL, sqe_remove(r, 2, 2, UD + 6));
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 6, 1, 0);
	ASSERT_NE(NULL, sqe_remove(r, 1, IOU_612_MAX_BIDS, UD + 7));
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 7, 7, 0);
	/* an emptied group still exists: 0, not -ENOENT */
	ASSERT_NE(NULL, sqe_remove(r, 1, 1, UD + 8));
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 8, 0, 0);
	ASSERT_NE(NULL, sqe_remove(r, 3, 1, UD + 9));
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 9, -ENOENT, 0);
	/* nothing was written to the buffers */
	EXPECT_ZERO(self->mem, MEM_SZ);
}

/* The prep checks of PROVIDE_BUFFERS, in their 6.12 order. */
TEST_F(pbuf, provide_errors)
{
	struct test_ring *r = &self->r;
	__u64 m = (uintptr_t)self->mem;
	struct io_uring_sqe *sqe;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);
	REQUIRE_OP(IORING_OP_REMOVE_BUFFERS);

#define PROVIDE_FAILS(addr, len, nr, bid, ud, err) do {			\
	ASSERT_NE(NULL, sqe_provide(r, 5, addr, len, nr, bid, ud));	\
	SUBMIT(r, 1);							\
	EXPECT_CQE(r, ud, err, 0);					\
} while (0)

	/* the count: 1 to 65536 */
	PROVIDE_FAILS(m, 16, 0, 0, UD + 1, -E2BIG);
	PROVIDE_FAILS(m, 16, IOU_612_MAX_BIDS + 1, 0, UD + 2, -E2BIG);
	PROVIDE_FAILS(m, 16, -1, 0, UD + 3, -E2BIG);
	/* the length: not 0; the count is checked first */
	PROVIDE_FAILS(m, 0, 1, 0, UD + 4, -EINVAL);
	PROVIDE_FAILS(m, 0, 0, 0, UD + 5, -E2BIG);
	/* the range must not wrap: addr + len * nr == 2^64 does */
	PROVIDE_FAILS(-16ULL, 16, 1, 0, UD + 6, -EOVERFLOW);
	PROVIDE_FAILS(-256ULL, 16, 32, 0, UD + 7, -EOVERFLOW);
	/* one byte less does not wrap, but is no user memory */
	PROVIDE_FAILS(-17ULL, 16, 1, 0, UD + 8, -EFAULT);
	PROVIDE_FAILS(KERNEL_ADDR, 16, 1, 0, UD + 9, -EFAULT);
	/* the first id: at most 65535, and ids must stay below 65536 */
	PROVIDE_FAILS(m, 16, 1, 65536, UD + 10, -E2BIG);
	PROVIDE_FAILS(m, 16, 1, 1ULL << 32, UD + 11, -E2BIG);
	PROVIDE_FAILS(m, 16, 2, 65535, UD + 12, -EINVAL);
	PROVIDE_FAILS(m, 16, IOU_612_MAX_BIDS, 1, UD + 13, -EINVAL);
	/* the address is checked before the id, the length before both */
	PROVIDE_FAILS(KERNEL_ADDR, 16, 1, 65536, UD + 14, -EFAULT);
	PROVIDE_FAILS(m, 0, 1, 65536, UD + 15, -EINVAL);

	/* rw_flags and splice_fd_in must be 0, checked before anything */
	sqe = sqe_provide(r, 5, m, 16, 0, 0, UD + 16);
	ASSERT_NE(NULL, sqe);
	sqe->rw_flags = 1;
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 16, -EINVAL, 0);
	sqe = sqe_provide(r, 5, m, 16, 1, 0, UD + 17);
	ASSERT_NE(NULL, sqe);
	sqe->splice_fd_in = 1;
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 17, -EINVAL, 0);
#undef PROVIDE_FAILS

	/* none of them created the group */
	ASSERT_NE(NULL, sqe_remove(r, 5, 1, UD + 18));
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 18, -ENOENT, 0);
}

/* Ids up to 65535; a group hands its buffers out oldest first. */
TEST_F(pbuf, provide_bid_limits)
{
	struct test_ring *r = &self->r;
	unsigned char *m = self->mem;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);

	ASSERT_EQ(0, provide(r, 3, m, 16, 1, 65535));
	ASSERT_EQ(0, provide(r, 3, m + 64, 16, 2, 65534));
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 48));
	READ_CQE(r, self->pfd[0], 3, 0, STREAM, UD + 1, 16, F_BUF(65535));
	READ_CQE(r, self->pfd[0], 3, 0, STREAM, UD + 2, 16, F_BUF(65534));
	READ_CQE(r, self->pfd[0], 3, 0, STREAM, UD + 3, 16, F_BUF(65535));
	EXPECT_STREAM(m, 16, 0);
	EXPECT_STREAM(m + 64, 16, 16);
	EXPECT_STREAM(m + 80, 16, 32);
	READ_CQE(r, self->pfd[0], 3, 0, STREAM, UD + 4, -ENOBUFS, 0);
}

/* The prep checks of REMOVE_BUFFERS; the count errors are -EINVAL here. */
TEST_F(pbuf, remove_errors)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	unsigned int i;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);
	REQUIRE_OP(IORING_OP_REMOVE_BUFFERS);

	ASSERT_EQ(0, provide(r, 4, self->mem, 16, 2, 0));

	/* (one per submit: a failed prep ends the submission) */
	ASSERT_NE(NULL, sqe_remove(r, 4, 0, UD + 1));
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 1, -EINVAL, 0);
	ASSERT_NE(NULL, sqe_remove(r, 4, IOU_612_MAX_BIDS + 1, UD + 2));
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 2, -EINVAL, 0);
	ASSERT_NE(NULL, sqe_remove(r, 4, -1, UD + 3));
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 3, -EINVAL, 0);

	/* addr, len, off, rw_flags and splice_fd_in must be 0 */
	for (i = 0; i < 5; i++) {
		sqe = sqe_remove(r, 4, 1, UD + 10 + i);
		ASSERT_NE(NULL, sqe);
		switch (i) {
		case 0:
			sqe->addr = (uintptr_t)self->mem;
			break;
		case 1:
			sqe->len = 16;
			break;
		case 2:
			sqe->off = 1;
			break;
		case 3:
			sqe->rw_flags = 1;
			break;
		default:
			sqe->splice_fd_in = 1;
			break;
		}
		SUBMIT(r, 1);
		EXPECT_CQE(r, UD + 10 + i, -EINVAL, 0);
	}

	/* the largest count is fine; an unknown group is -ENOENT */
	ASSERT_NE(NULL, sqe_remove(r, 9, IOU_612_MAX_BIDS, UD + 20));
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 20, -ENOENT, 0);
	/* the failed ones took nothing */
	EXPECT_EQ(2, remove_bufs(r, 4, IOU_612_MAX_BIDS));
}

/* REMOVE takes the oldest buffers; the rest are still handed out. */
TEST_F(pbuf, remove_partial)
{
	struct test_ring *r = &self->r;
	unsigned char *m = self->mem;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);
	REQUIRE_OP(IORING_OP_REMOVE_BUFFERS);

	ASSERT_EQ(0, provide(r, 1, m, 32, 5, 0));
	EXPECT_EQ(2, remove_bufs(r, 1, 2));
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 64));
	READ_CQE(r, self->pfd[0], 1, 0, STREAM, UD + 1, 32, F_BUF(2));
	READ_CQE(r, self->pfd[0], 1, 0, STREAM, UD + 2, 32, F_BUF(3));
	EXPECT_STREAM(m + 64, 32, 0);
	EXPECT_STREAM(m + 96, 32, 32);
	EXPECT_ZERO(m, 64);
	EXPECT_EQ(1, remove_bufs(r, 1, 10));
	READ_CQE(r, self->pfd[0], 1, 0, STREAM, UD + 3, -ENOBUFS, 0);
}

/* A ring-mapped group takes neither PROVIDE nor REMOVE: -EINVAL. */
TEST_F(pbuf, provide_remove_on_ring_group)
{
	struct test_ring *r = &self->r;
	struct pool p;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);
	REQUIRE_OP(IORING_OP_REMOVE_BUFFERS);

	ASSERT_EQ(0, pool_init(r, &p, 6, 4, 0));
	ASSERT_NE(NULL, sqe_provide(r, 6, (uintptr_t)self->mem, 16, 1, 0,
				    UD + 1));
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 1, -EINVAL, 0);
	ASSERT_NE(NULL, sqe_remove(r, 6, 1, UD + 2));
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 2, -EINVAL, 0);

	/* the ring is unharmed */
	pool_put(&p, self->mem, 16, 3);
	pool_publish(&p);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 16));
	READ_CQE(r, self->pfd[0], 6, 0, STREAM, UD + 3, 16, F_BUF(3));
	EXPECT_STREAM(self->mem, 16, 0);
	EXPECT_EQ(0, unreg_ring(r, 6));
	pool_exit(&p);
}

/* ---- 2. READ / READV with a legacy group ---- */

/* First provided, first used, across PROVIDEs; then -ENOBUFS. */
TEST_F(pbuf, legacy_read_order)
{
	static const unsigned int bids[] = { 0, 1, 2, 3, 10, 11 };
	static const unsigned int offs[] = { 0, 16, 32, 48, 256, 272 };
	struct test_ring *r = &self->r;
	unsigned char *m = self->mem;
	unsigned int i;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);

	ASSERT_EQ(0, provide(r, 1, m, 16, 4, 0));
	ASSERT_EQ(0, provide(r, 1, m + 256, 16, 2, 10));
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 6 * 16 + 8));
	for (i = 0; i < ARRAY_SIZE(bids); i++) {
		READ_CQE(r, self->pfd[0], 1, 0, STREAM, UD + i, 16,
			 F_BUF(bids[i]));
		EXPECT_STREAM(m + offs[i], 16, 16 * i);
	}
	EXPECT_ZERO(m + 64, 256 - 64);
	EXPECT_ZERO(m + 288, MEM_SZ - 288);
	/* the group is empty now; the failed read takes no data */
	READ_CQE(r, self->pfd[0], 1, 0, STREAM, UD + 10, -ENOBUFS, 0);
	EXPECT_PIPE_HOLDS(self->pfd[0], 8, 96);
}

/* sqe->len limits the read; 0 or more than the buffer means all of it. */
TEST_F(pbuf, legacy_read_len)
{
	struct test_ring *r = &self->r;
	unsigned char *m = self->mem;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);

	ASSERT_EQ(0, provide(r, 2, m, 32, 3, 0));
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 100));
	READ_CQE(r, self->pfd[0], 2, 5, STREAM, UD + 1, 5, F_BUF(0));
	READ_CQE(r, self->pfd[0], 2, 100, STREAM, UD + 2, 32, F_BUF(1));
	READ_CQE(r, self->pfd[0], 2, 32, STREAM, UD + 3, 32, F_BUF(2));
	EXPECT_STREAM(m, 5, 0);
	EXPECT_ZERO(m + 5, 27);		/* the short read used up buffer 0 */
	EXPECT_STREAM(m + 32, 32, 5);
	EXPECT_STREAM(m + 64, 32, 37);
	READ_CQE(r, self->pfd[0], 2, 0, STREAM, UD + 4, -ENOBUFS, 0);
	EXPECT_PIPE_HOLDS(self->pfd[0], 100 - 69, 69);
}

/* From a file: at the offset given; a read at EOF uses up a buffer too. */
TEST_F(pbuf, legacy_read_file)
{
	struct test_ring *r = &self->r;
	unsigned char *m = self->mem;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);

	ASSERT_EQ(0, provide(r, 2, m, 64, 3, 7));
	READ_CQE(r, self->mfd, 2, 0, 10, UD + 1, 64, F_BUF(7));
	READ_CQE(r, self->mfd, 2, 0, DATA_SZ - 20, UD + 2, 20, F_BUF(8));
	READ_CQE(r, self->mfd, 2, 0, DATA_SZ, UD + 3, 0, F_BUF(9));
	EXPECT_STREAM(m, 64, 10);
	EXPECT_STREAM(m + 64, 20, DATA_SZ - 20);
	EXPECT_ZERO(m + 84, MEM_SZ - 84);
	READ_CQE(r, self->mfd, 2, 0, 0, UD + 4, -ENOBUFS, 0);
}

/* -ENOBUFS for an unknown group and for an emptied one; no data taken. */
TEST_F(pbuf, legacy_enobufs)
{
	struct test_ring *r = &self->r;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);

	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 40));
	READ_CQE(r, self->pfd[0], 4, 0, STREAM, UD + 1, -ENOBUFS, 0);
	ASSERT_EQ(0, provide(r, 4, self->mem, 16, 1, 0));
	READ_CQE(r, self->pfd[0], 4, 0, STREAM, UD + 2, 16, F_BUF(0));
	READ_CQE(r, self->pfd[0], 4, 0, STREAM, UD + 3, -ENOBUFS, 0);
	/* buffer selection from group 0 is nothing special */
	READ_CQE(r, self->pfd[0], 0, 0, STREAM, UD + 4, -ENOBUFS, 0);
	EXPECT_STREAM(self->mem, 16, 0);
	EXPECT_PIPE_HOLDS(self->pfd[0], 24, 16);
}

/* With IOSQE_BUFFER_SELECT, sqe->addr of a READ is not looked at. */
TEST_F(pbuf, legacy_sqe_addr_ignored)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);

	ASSERT_EQ(0, provide(r, 1, self->mem + 128, 16, 1, 4));
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 16));
	sqe = sqe_read_sel(r, IORING_OP_READ, self->pfd[0], 1, 0, STREAM,
			   UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->addr = KERNEL_ADDR;
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 1, 16, F_BUF(4));
	EXPECT_STREAM(self->mem + 128, 16, 0);
}

/*
 * A read that fails after the buffer was picked (here: the fd is not open
 * for reading) still reports the buffer, and the buffer is gone.
 */
TEST_F(pbuf, legacy_failed_read_uses_buffer)
{
	struct test_ring *r = &self->r;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);

	ASSERT_EQ(0, provide(r, 1, self->mem, 16, 2, 0));
	READ_CQE(r, self->pfd[1], 1, 0, STREAM, UD + 1, -EBADF, F_BUF(0));
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 16));
	READ_CQE(r, self->pfd[0], 1, 0, STREAM, UD + 2, 16, F_BUF(1));
	READ_CQE(r, self->pfd[0], 1, 0, STREAM, UD + 3, -ENOBUFS, 0);
	EXPECT_ZERO(self->mem, 16);
	EXPECT_STREAM(self->mem + 16, 16, 0);
}

/*
 * READV with buffer selection: exactly one iovec, whose iov_len limits the
 * read like sqe->len of READ (0: the whole buffer); its iov_base is unused.
 */
TEST_F(pbuf, readv_select)
{
	struct test_ring *r = &self->r;
	unsigned char *m = self->mem;
	struct io_uring_sqe *sqe;
	struct iovec iov;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);

	ASSERT_EQ(0, provide(r, 1, m, 32, 4, 0));
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 200));

#define READV_CQE(iovp, nr, ud, res_, flags_) do {			\
	sqe = sqe_read_sel(r, IORING_OP_READV, self->pfd[0], 1, nr,	\
			   STREAM, ud);					\
	ASSERT_NE(NULL, sqe);						\
	sqe->addr = (uintptr_t)(iovp);					\
	SUBMIT(r, 1);							\
	EXPECT_CQE(r, ud, res_, flags_);				\
} while (0)

	iov.iov_base = m + 8192;
	iov.iov_len = 0;
	READV_CQE(&iov, 1, UD + 1, 32, F_BUF(0));
	iov.iov_len = 8;
	READV_CQE(&iov, 1, UD + 2, 8, F_BUF(1));
	iov.iov_len = 1000;
	READV_CQE(&iov, 1, UD + 3, 32, F_BUF(2));
	EXPECT_EQ((void *)(m + 8192), iov.iov_base);
	EXPECT_EQ(1000U, iov.iov_len);
	EXPECT_STREAM(m, 32, 0);
	EXPECT_STREAM(m + 32, 8, 32);
	EXPECT_ZERO(m + 40, 24);
	EXPECT_STREAM(m + 64, 32, 40);
	EXPECT_ZERO(m + 8192, 64);

	/* not one iovec, or one that cannot be read: refused at prep */
	READV_CQE(&iov, 2, UD + 4, -EINVAL, 0);
	READV_CQE(&iov, 0, UD + 5, -EINVAL, 0);
	READV_CQE(u64_ptr(KERNEL_ADDR), 1, UD + 6, -EFAULT, 0);
	/* and they did not take buffer 3 */
	iov.iov_len = 0;
	READV_CQE(&iov, 1, UD + 7, 32, F_BUF(3));
	EXPECT_STREAM(m + 96, 32, 72);
	READV_CQE(&iov, 1, UD + 8, -ENOBUFS, 0);
#undef READV_CQE
}

/*
 * Opcodes without buffer selection refuse IOSQE_BUFFER_SELECT before their
 * prep: -EOPNOTSUPP (not -EINVAL), and no buffer is taken.
 */
TEST_F(pbuf, buffer_select_refused)
{
	static const unsigned int ops[] = {
		IORING_OP_NOP, IORING_OP_WRITE, IORING_OP_WRITEV,
		IORING_OP_READ_FIXED, IORING_OP_WRITE_FIXED, IORING_OP_FSYNC,
	};
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	struct iovec iov = { self->mem + 4096, 16 };
	unsigned int i;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);
	REQUIRE_OP(IORING_OP_REMOVE_BUFFERS);

	ASSERT_EQ(0, provide(r, 1, self->mem, 16, 1, 0));
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		sqe = sqe_read_sel(r, ops[i], self->pfd[1], 1, 16, STREAM,
				   UD + i);
		ASSERT_NE(NULL, sqe);
		if (ops[i] == IORING_OP_WRITEV) {
			sqe->addr = (uintptr_t)&iov;
			sqe->len = 1;
		} else {
			sqe->addr = (uintptr_t)iov.iov_base;
		}
		SUBMIT(r, 1);
		EXPECT_CQE(r, UD + i, -EOPNOTSUPP, 0);
	}
	EXPECT_EQ(1, remove_bufs(r, 1, 10));
	EXPECT_PIPE_HOLDS(self->pfd[0], 0, 0);
}

/* ---- 3. Ring-mapped groups ---- */

/* IORING_REGISTER_PBUF_RING argument checks, in their 6.12 order. */
TEST_F(pbuf, ring_register_errors)
{
	struct test_ring *r = &self->r;
	struct io_uring_buf_reg reg;
	size_t ps = page_sz();
	unsigned char *ro, *hole;
	__u64 m = (uintptr_t)self->mem;
	struct pool p;

	ro = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	hole = mmap(NULL, ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	munmap(hole, ps);

/* (a registration that wrongly succeeds is undone, not to spoil the rest) */
#define REG_FAILS(err) do {						\
	int __ret = reg_ring(r, &reg);					\
	EXPECT_EQ(err, __ret);						\
	if (!__ret)							\
		unreg_ring(r, reg.bgid);				\
} while (0)

	/* the argument itself */
	buf_reg_init(&reg, m, 8, 1, 0);
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_REGISTER_PBUF_RING,
					     NULL, 1));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_REGISTER_PBUF_RING,
					     &reg, 0));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_REGISTER_PBUF_RING,
					     &reg, 2));
	EXPECT_EQ(-EFAULT, io_uring_register(r->fd, IORING_REGISTER_PBUF_RING,
					     u64_ptr(KERNEL_ADDR), 1));
	/* resv, then flags */
	reg.resv[0] = 1;
	REG_FAILS(-EINVAL);
	buf_reg_init(&reg, m, 8, 1, 0);
	reg.resv[4] = 1;
	REG_FAILS(-EINVAL);
	buf_reg_init(&reg, m, 8, 1, 4);
	REG_FAILS(-EINVAL);
	buf_reg_init(&reg, m, 8, 1, 0x8000);
	REG_FAILS(-EINVAL);
	/*
	 * The address: needed and page aligned, or none with MMAP; 6.12
	 * checks it before the entries. (Since 6.13, where pbuf rings are
	 * memory regions, the entries come first, so the second case is
	 * -EINVAL there, and an unaligned user address is taken: these two
	 * fail on such a kernel.)
	 */
	buf_reg_init(&reg, 0, 8, 1, 0);
	REG_FAILS(-EFAULT);
	buf_reg_init(&reg, 0, 3, 1, 0);
	REG_FAILS(-EFAULT);
	buf_reg_init(&reg, m + 64, 8, 1, 0);
	REG_FAILS(-EINVAL);
	buf_reg_init(&reg, m, 8, 1, IOU_PBUF_RING_MMAP);
	REG_FAILS(-EINVAL);
	/* the entries: a power of two below 65536 */
	buf_reg_init(&reg, m, 0, 1, 0);
	REG_FAILS(-EINVAL);
	buf_reg_init(&reg, m, 3, 1, 0);
	REG_FAILS(-EINVAL);
	buf_reg_init(&reg, 0, 6, 1, IOU_PBUF_RING_MMAP);
	REG_FAILS(-EINVAL);
	buf_reg_init(&reg, m, 65536, 1, 0);
	REG_FAILS(-EINVAL);
	buf_reg_init(&reg, 0, 1U << 17, 1, IOU_PBUF_RING_MMAP);
	REG_FAILS(-EINVAL);
	/* min_left only with IOU_PBUF_RING_INC */
	buf_reg_init(&reg, m, 8, 1, 0);
	reg.min_left = 1;
	REG_FAILS(-EINVAL);
	/* memory that cannot be pinned for writing */
	buf_reg_init(&reg, (uintptr_t)hole, 8, 1, 0);
	REG_FAILS(-EFAULT);
	buf_reg_init(&reg, (uintptr_t)ro, 8, 1, 0);
	REG_FAILS(-EFAULT);
	/* none of that registered anything */
	EXPECT_EQ(-ENOENT, unreg_ring(r, 1));
	EXPECT_EQ(-ENOENT, ring_head(r, 1));

	/* fine; a second ring for the group is -EEXIST, either kind */
	buf_reg_init(&reg, m, 8, 1, 0);
	EXPECT_EQ(0, reg_ring(r, &reg));
	REG_FAILS(-EEXIST);
	buf_reg_init(&reg, m + ps, 8, 1, 0);
	REG_FAILS(-EEXIST);
	buf_reg_init(&reg, 0, 8, 1, IOU_PBUF_RING_MMAP);
	REG_FAILS(-EEXIST);
	/* one entry, and the largest ring */
	buf_reg_init(&reg, m + ps, 1, 2, 0);
	EXPECT_EQ(0, reg_ring(r, &reg));
	ASSERT_EQ(0, pool_init(r, &p, 3, 32768, IOU_PBUF_RING_MMAP));
	EXPECT_EQ(0, ring_head(r, 3));
	EXPECT_EQ(0, unreg_ring(r, 3));
	pool_exit(&p);
	EXPECT_EQ(0, unreg_ring(r, 2));
	EXPECT_EQ(0, unreg_ring(r, 1));
#undef REG_FAILS
	munmap(ro, ps);
}

/*
 * A group with legacy buffers cannot become a ring (-EEXIST), but an
 * emptied legacy group is replaced by one.
 */
TEST_F(pbuf, ring_register_over_legacy)
{
	struct test_ring *r = &self->r;
	struct pool p, q;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);
	REQUIRE_OP(IORING_OP_REMOVE_BUFFERS);

	ASSERT_EQ(0, provide(r, 6, self->mem, 16, 1, 0));
	EXPECT_EQ(-EEXIST, pool_init(r, &p, 6, 4, 0));
	/* used up by a read */
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 16));
	READ_CQE(r, self->pfd[0], 6, 0, STREAM, UD + 1, 16, F_BUF(0));
	ASSERT_EQ(0, pool_init(r, &p, 6, 4, 0));
	/* emptied by REMOVE_BUFFERS */
	ASSERT_EQ(0, provide(r, 7, self->mem, 16, 2, 0));
	EXPECT_EQ(2, remove_bufs(r, 7, 2));
	ASSERT_EQ(0, pool_init(r, &q, 7, 4, IOU_PBUF_RING_MMAP));

	pool_put(&p, self->mem + 64, 16, 5);
	pool_publish(&p);
	pool_put(&q, self->mem + 128, 16, 6);
	pool_publish(&q);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 32));
	READ_CQE(r, self->pfd[0], 6, 0, STREAM, UD + 2, 16, F_BUF(5));
	READ_CQE(r, self->pfd[0], 7, 0, STREAM, UD + 3, 16, F_BUF(6));
	EXPECT_STREAM(self->mem + 64, 16, 16);
	EXPECT_STREAM(self->mem + 128, 16, 32);
	EXPECT_EQ(0, unreg_ring(r, 6));
	EXPECT_EQ(0, unreg_ring(r, 7));
	pool_exit(&p);
	pool_exit(&q);
}

/*
 * Buffers are used in ring order, with the ids written in the entries;
 * sqe->len limits a read, but the buffer is used up all the same; the head
 * counts buffers (and wraps over the ring); tail == head is -ENOBUFS.
 */
TEST_F(pbuf, ring_read_order)
{
	struct test_ring *r = &self->r;
	unsigned char *m = self->mem;
	struct pool p;

	ASSERT_EQ(0, pool_init(r, &p, 9, 4, 0));
	pool_put(&p, m, 16, 7);
	pool_put(&p, m + 64, 16, 3);
	pool_put(&p, m + 128, 32, 5);
	pool_publish(&p);
	EXPECT_EQ(0, ring_head(r, 9));
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 200));

	READ_CQE(r, self->pfd[0], 9, 0, STREAM, UD + 1, 16, F_BUF(7));
	READ_CQE(r, self->pfd[0], 9, 8, STREAM, UD + 2, 8, F_BUF(3));
	READ_CQE(r, self->pfd[0], 9, 100, STREAM, UD + 3, 32, F_BUF(5));
	EXPECT_EQ(3, ring_head(r, 9));
	EXPECT_STREAM(m, 16, 0);
	EXPECT_STREAM(m + 64, 8, 16);
	EXPECT_ZERO(m + 72, 56);
	EXPECT_STREAM(m + 128, 32, 24);
	/* the kernel leaves the entries alone */
	EXPECT_EQ((__u64)(uintptr_t)(m + 64), pool_slot(&p, 1)->addr);
	EXPECT_EQ(16U, pool_slot(&p, 1)->len);
	EXPECT_EQ(3U, pool_slot(&p, 1)->bid);

	READ_CQE(r, self->pfd[0], 9, 0, STREAM, UD + 4, -ENOBUFS, 0);
	EXPECT_EQ(3, ring_head(r, 9));

	/* wrap around the 4 entries */
	pool_put(&p, m + 256, 16, 20);
	pool_put(&p, m + 320, 16, 21);
	pool_put(&p, m + 384, 16, 22);
	pool_publish(&p);
	READ_CQE(r, self->pfd[0], 9, 0, STREAM, UD + 5, 16, F_BUF(20));
	READ_CQE(r, self->pfd[0], 9, 0, STREAM, UD + 6, 16, F_BUF(21));
	READ_CQE(r, self->pfd[0], 9, 0, STREAM, UD + 7, 16, F_BUF(22));
	EXPECT_STREAM(m + 256, 16, 56);
	EXPECT_STREAM(m + 320, 16, 72);
	EXPECT_STREAM(m + 384, 16, 88);
	EXPECT_EQ(6, ring_head(r, 9));
	READ_CQE(r, self->pfd[0], 9, 0, STREAM, UD + 8, -ENOBUFS, 0);
	EXPECT_PIPE_HOLDS(self->pfd[0], 200 - 104, 104);
	EXPECT_EQ(0, unreg_ring(r, 9));
	pool_exit(&p);
}

/*
 * From a file, which cannot be polled, the buffer is committed when it is
 * picked: a read at EOF uses one up as well.
 */
TEST_F(pbuf, ring_read_file)
{
	struct test_ring *r = &self->r;
	unsigned char *m = self->mem;
	struct pool p;

	ASSERT_EQ(0, pool_init(r, &p, 2, 4, 0));
	pool_put(&p, m, 64, 1);
	pool_put(&p, m + 64, 64, 2);
	pool_put(&p, m + 128, 64, 3);
	pool_publish(&p);
	READ_CQE(r, self->mfd, 2, 0, 100, UD + 1, 64, F_BUF(1));
	READ_CQE(r, self->mfd, 2, 0, DATA_SZ - 10, UD + 2, 10, F_BUF(2));
	READ_CQE(r, self->mfd, 2, 0, DATA_SZ, UD + 3, 0, F_BUF(3));
	EXPECT_EQ(3, ring_head(r, 2));
	EXPECT_STREAM(m, 64, 100);
	EXPECT_STREAM(m + 64, 10, DATA_SZ - 10);
	EXPECT_ZERO(m + 74, MEM_SZ - 74);
	READ_CQE(r, self->mfd, 2, 0, 0, UD + 4, -ENOBUFS, 0);
	EXPECT_EQ(0, unreg_ring(r, 2));
	pool_exit(&p);
}

/*
 * A read that fails after picking from a ring: on a pollable file the
 * buffer goes back (no flags, head unchanged); on one that cannot be polled
 * it was committed at selection and is reported and used up.
 */
TEST_F(pbuf, ring_failed_read)
{
	struct test_ring *r = &self->r;
	char path[64];
	struct pool p;
	int wfd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", self->mfd);
	wfd = open(path, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, wfd);
	ASSERT_EQ(0, pool_init(r, &p, 2, 4, 0));
	pool_put(&p, self->mem, 16, 1);
	pool_put(&p, self->mem + 16, 16, 2);
	pool_publish(&p);

	READ_CQE(r, self->pfd[1], 2, 0, STREAM, UD + 1, -EBADF, 0);
	EXPECT_EQ(0, ring_head(r, 2));
	READ_CQE(r, wfd, 2, 0, 0, UD + 2, -EBADF, F_BUF(1));
	EXPECT_EQ(1, ring_head(r, 2));
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 16));
	READ_CQE(r, self->pfd[0], 2, 0, STREAM, UD + 3, 16, F_BUF(2));
	EXPECT_ZERO(self->mem, 16);
	EXPECT_STREAM(self->mem + 16, 16, 0);
	EXPECT_EQ(0, unreg_ring(r, 2));
	pool_exit(&p);
	close(wfd);
}

/* IORING_UNREGISTER_PBUF_RING: checks, and the group is gone after it. */
TEST_F(pbuf, ring_unregister)
{
	struct test_ring *r = &self->r;
	struct io_uring_buf_reg reg;
	struct pool p;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);

	EXPECT_EQ(-ENOENT, unreg_ring(r, 4));
	ASSERT_EQ(0, provide(r, 5, self->mem, 16, 1, 0));
	EXPECT_EQ(-EINVAL, unreg_ring(r, 5));

	ASSERT_EQ(0, pool_init(r, &p, 4, 4, 0));
	buf_reg_init(&reg, 0, 0, 4, IOU_PBUF_RING_MMAP);
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_UNREGISTER_PBUF_RING,
					     &reg, 1));
	buf_reg_init(&reg, 0, 0, 4, 0);
	reg.resv[2] = 1;
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_UNREGISTER_PBUF_RING,
					     &reg, 1));
	buf_reg_init(&reg, 0, 0, 4, 0);
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_UNREGISTER_PBUF_RING,
					     &reg, 2));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_UNREGISTER_PBUF_RING,
					     NULL, 1));
	EXPECT_EQ(-EFAULT, io_uring_register(r->fd, IORING_UNREGISTER_PBUF_RING,
					     u64_ptr(KERNEL_ADDR), 1));
	/* ring_addr and ring_entries are not looked at */
	buf_reg_init(&reg, 12345, 3, 4, 0);
	EXPECT_EQ(0, io_uring_register(r->fd, IORING_UNREGISTER_PBUF_RING,
				       &reg, 1));
	EXPECT_EQ(-ENOENT, unreg_ring(r, 4));
	EXPECT_EQ(-ENOENT, ring_head(r, 4));

	/* buffers published to the old ring are not used */
	pool_put(&p, self->mem + 64, 16, 1);
	pool_publish(&p);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 16));
	READ_CQE(r, self->pfd[0], 4, 0, STREAM, UD + 1, -ENOBUFS, 0);
	pool_exit(&p);
	/* the group id can be registered again */
	ASSERT_EQ(0, pool_init(r, &p, 4, 8, IOU_PBUF_RING_MMAP));
	pool_put(&p, self->mem + 128, 16, 2);
	pool_publish(&p);
	READ_CQE(r, self->pfd[0], 4, 0, STREAM, UD + 2, 16, F_BUF(2));
	EXPECT_STREAM(self->mem + 128, 16, 0);
	EXPECT_ZERO(self->mem + 64, 16);
	EXPECT_EQ(1, ring_head(r, 4));
	EXPECT_EQ(0, unreg_ring(r, 4));
	pool_exit(&p);
	/* the legacy group was left alone */
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 16));
	READ_CQE(r, self->pfd[0], 5, 0, STREAM, UD + 3, 16, F_BUF(0));
	EXPECT_STREAM(self->mem, 16, 16);
}

/* IORING_REGISTER_PBUF_STATUS: checks, and the head it reports. */
TEST_F(pbuf, ring_status)
{
	struct test_ring *r = &self->r;
	struct io_uring_buf_status st;
	struct pool p;
	unsigned int i;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);

	EXPECT_EQ(-ENOENT, ring_head(r, 3));
	ASSERT_EQ(0, provide(r, 5, self->mem, 16, 1, 0));
	EXPECT_EQ(-EINVAL, ring_head(r, 5));
	ASSERT_EQ(0, pool_init(r, &p, 3, 8, 0));
	EXPECT_EQ(0, ring_head(r, 3));
	/* the group is 32 bits here: no truncation to 16 */
	EXPECT_EQ(-ENOENT, ring_head(r, 0x10003));

	memset(&st, 0, sizeof(st));
	st.buf_group = 3;
	st.resv[7] = 1;
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_REGISTER_PBUF_STATUS,
					     &st, 1));
	st.resv[7] = 0;
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_REGISTER_PBUF_STATUS,
					     &st, 0));
	EXPECT_EQ(-EINVAL, io_uring_register(r->fd, IORING_REGISTER_PBUF_STATUS,
					     NULL, 1));
	EXPECT_EQ(-EFAULT, io_uring_register(r->fd, IORING_REGISTER_PBUF_STATUS,
					     u64_ptr(KERNEL_ADDR), 1));

	for (i = 0; i < 5; i++)
		pool_put(&p, self->mem + 64 + 16 * i, 16, i);
	pool_publish(&p);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 32));
	READ_CQE(r, self->pfd[0], 3, 0, STREAM, UD + 1, 16, F_BUF(0));
	READ_CQE(r, self->pfd[0], 3, 0, STREAM, UD + 2, 16, F_BUF(1));
	memset(&st, 0, sizeof(st));
	st.buf_group = 3;
	st.head = 99;
	EXPECT_EQ(0, io_uring_register(r->fd, IORING_REGISTER_PBUF_STATUS,
				       &st, 1));
	EXPECT_EQ(2U, st.head);
	EXPECT_EQ(3U, st.buf_group);
	EXPECT_ZERO(st.resv, sizeof(st.resv));
	EXPECT_EQ(0, unreg_ring(r, 3));
	pool_exit(&p);
}

/*
 * IOU_PBUF_RING_MMAP: the kernel's ring memory, mapped from the ring fd at
 * IORING_OFF_PBUF_RING | bgid << IORING_OFF_PBUF_SHIFT. 6.12 fails a map of
 * a group that has no such ring in ->get_unmapped_area(): ENOMEM.
 */
TEST_F(pbuf, ring_mmap)
{
	struct test_ring *r = &self->r;
	size_t ps = page_sz();
	struct pool p, u;
	void *m;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);

	ASSERT_EQ(0, pool_init(r, &p, 3, 8, IOU_PBUF_RING_MMAP));
	EXPECT_ZERO(p.br, ps);
	pool_put(&p, self->mem, 16, 11);
	pool_put(&p, self->mem + 16, 16, 12);
	pool_publish(&p);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 32));
	READ_CQE(r, self->pfd[0], 3, 0, STREAM, UD + 1, 16, F_BUF(11));
	READ_CQE(r, self->pfd[0], 3, 0, STREAM, UD + 2, 16, F_BUF(12));
	EXPECT_STREAM(self->mem, 32, 0);
	EXPECT_EQ(2, ring_head(r, 3));

	/* a second mapping shows the same memory */
	m = map_ring(r->fd, 3, ps);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(0, memcmp(m, p.br, ps));
	munmap(m, ps);

	/* no mapping for an unknown group, a user-memory ring or legacy */
	ASSERT_EQ(0, pool_init(r, &u, 4, 8, 0));
	ASSERT_EQ(0, provide(r, 5, self->mem + 64, 16, 1, 0));
	m = map_ring(r->fd, 6, ps);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(ENOMEM, errno);
	m = map_ring(r->fd, 4, ps);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(ENOMEM, errno);
	m = map_ring(r->fd, 5, ps);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(ENOMEM, errno);

	EXPECT_EQ(0, unreg_ring(r, 3));
	EXPECT_EQ(0, unreg_ring(r, 4));
	pool_exit(&p);
	pool_exit(&u);
}

/*
 * IOU_PBUF_RING_INC: a read takes what it needs from the head buffer and
 * moves its addr/len on; IORING_CQE_F_BUF_MORE while the buffer has bytes
 * left, the same id again next time, the head moves when it is used up.
 */
TEST_F(pbuf, ring_inc)
{
	struct test_ring *r = &self->r;
	unsigned char *m = self->mem;
	struct io_uring_buf *b;
	struct pool p;

	ASSERT_EQ(0, pool_init(r, &p, 2, 2, IOU_PBUF_RING_INC));
	pool_put(&p, m, 64, 9);
	pool_put(&p, m + 256, 16, 10);
	pool_publish(&p);
	b = pool_slot(&p, 0);

	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 10));
	READ_CQE(r, self->pfd[0], 2, 0, STREAM, UD + 1, 10,
		 F_BUF(9) | F_BUF_MORE);
	EXPECT_EQ((__u64)(uintptr_t)(m + 10), b->addr);
	EXPECT_EQ(54U, b->len);
	EXPECT_EQ(0, ring_head(r, 2));
	/* sqe->len limits it; only what was read is taken */
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 20));
	READ_CQE(r, self->pfd[0], 2, 4, STREAM, UD + 2, 4,
		 F_BUF(9) | F_BUF_MORE);
	READ_CQE(r, self->pfd[0], 2, 0, STREAM, UD + 3, 16,
		 F_BUF(9) | F_BUF_MORE);
	EXPECT_EQ((__u64)(uintptr_t)(m + 30), b->addr);
	EXPECT_EQ(34U, b->len);
	/* more data than the rest: the buffer is used up, no BUF_MORE */
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 40));
	READ_CQE(r, self->pfd[0], 2, 0, STREAM, UD + 4, 34, F_BUF(9));
	EXPECT_EQ(0U, b->len);
	EXPECT_EQ(1, ring_head(r, 2));
	EXPECT_STREAM(m, 64, 0);
	EXPECT_ZERO(m + 64, 64);
	/* the next buffer, used up in one go */
	READ_CQE(r, self->pfd[0], 2, 0, STREAM, UD + 5, 6,
		 F_BUF(10) | F_BUF_MORE);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 20));
	READ_CQE(r, self->pfd[0], 2, 0, STREAM, UD + 6, 10, F_BUF(10));
	EXPECT_STREAM(m + 256, 16, 64);
	EXPECT_EQ(2, ring_head(r, 2));
	READ_CQE(r, self->pfd[0], 2, 0, STREAM, UD + 7, -ENOBUFS, 0);
	EXPECT_PIPE_HOLDS(self->pfd[0], 10, 80);
	EXPECT_EQ(0, unreg_ring(r, 2));
	pool_exit(&p);
}

/*
 * IOU_PBUF_RING_INC on a file that cannot be polled: what is committed at
 * selection is the length asked for (all of the buffer for len 0), not what
 * was read.
 */
TEST_F(pbuf, ring_inc_file)
{
	struct test_ring *r = &self->r;
	unsigned char *m = self->mem;
	struct io_uring_buf *b;
	struct pool p;

	ASSERT_EQ(0, pool_init(r, &p, 2, 2, IOU_PBUF_RING_INC));
	pool_put(&p, m, 64, 4);
	pool_put(&p, m + 256, 64, 5);
	pool_publish(&p);
	b = pool_slot(&p, 0);

	READ_CQE(r, self->mfd, 2, 16, 0, UD + 1, 16, F_BUF(4) | F_BUF_MORE);
	EXPECT_EQ((__u64)(uintptr_t)(m + 16), b->addr);
	EXPECT_EQ(48U, b->len);
	/* 5 bytes read, all 48 committed */
	READ_CQE(r, self->mfd, 2, 0, DATA_SZ - 5, UD + 2, 5, F_BUF(4));
	EXPECT_EQ(0U, b->len);
	EXPECT_EQ(1, ring_head(r, 2));
	EXPECT_STREAM(m, 16, 0);
	EXPECT_STREAM(m + 16, 5, DATA_SZ - 5);
	READ_CQE(r, self->mfd, 2, 0, 0, UD + 3, 64, F_BUF(5));
	EXPECT_STREAM(m + 256, 64, 0);
	EXPECT_EQ(2, ring_head(r, 2));
	EXPECT_EQ(0, unreg_ring(r, 2));
	pool_exit(&p);
}

/*
 * min_left (6.12.y stable): with IOU_PBUF_RING_INC a buffer counts as used
 * up once fewer than min_left bytes of it are left.
 */
TEST_F(pbuf, ring_inc_min_left)
{
	struct test_ring *r = &self->r;
	struct io_uring_buf_reg reg;
	struct io_uring_buf_ring *br;
	size_t ps = page_sz();

	br = mmap(NULL, ps, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, br);
	memset(br, 0, ps);
	buf_reg_init(&reg, (uintptr_t)br, 2, 2, IOU_PBUF_RING_INC);
	reg.min_left = 16;
	ASSERT_EQ(0, reg_ring(r, &reg));
	br->bufs[0].addr = (uintptr_t)self->mem;
	br->bufs[0].len = 64;
	br->bufs[0].bid = 1;
	br->bufs[1].addr = (uintptr_t)self->mem + 64;
	br->bufs[1].len = 64;
	br->bufs[1].bid = 2;
	__atomic_store_n(&br->tail, 2, __ATOMIC_RELEASE);

	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 40));
	READ_CQE(r, self->pfd[0], 2, 0, STREAM, UD + 1, 40,
		 F_BUF(1) | F_BUF_MORE);
	EXPECT_EQ(24U, br->bufs[0].len);
	/* 14 of 24 left: below min_left, so this buffer is done */
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 10));
	READ_CQE(r, self->pfd[0], 2, 0, STREAM, UD + 2, 10, F_BUF(1));
	EXPECT_EQ(0U, br->bufs[0].len);
	EXPECT_EQ(1, ring_head(r, 2));
	/* exactly min_left left: kept */
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 48));
	READ_CQE(r, self->pfd[0], 2, 0, STREAM, UD + 3, 48,
		 F_BUF(2) | F_BUF_MORE);
	EXPECT_EQ(1, ring_head(r, 2));
	EXPECT_STREAM(self->mem, 50, 0);
	EXPECT_STREAM(self->mem + 64, 48, 50);
	EXPECT_EQ(0, unreg_ring(r, 2));
	munmap(br, ps);
}

/* ---- 4. READ_MULTISHOT ---- */

/*
 * One CQE per read with F_MORE, ids in ring order. When the ring is empty
 * the request stays armed; the next data ends it with -ENOBUFS (no F_MORE)
 * and stays in the pipe.
 */
TEST_F(pbuf, mshot_until_enobufs)
{
	struct test_ring *r = &self->r;
	unsigned char *m = self->mem;
	unsigned int i;
	struct pool p;

	REQUIRE_OP(IORING_OP_READ_MULTISHOT);

	ASSERT_EQ(0, pool_init(r, &p, 1, 4, 0));
	for (i = 0; i < 4; i++)
		pool_put(&p, m + 64 * i, 32, 10 + i);
	pool_publish(&p);
	ASSERT_NE(NULL, sqe_read_sel(r, IORING_OP_READ_MULTISHOT, self->pfd[0],
				     1, 0, 0, UD + 1));
	SUBMIT(r, 1);
	EXPECT_NO_CQE(r);
	EXPECT_EQ(0, ring_head(r, 1));

	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 10));
	EXPECT_CQE(r, UD + 1, 10, F_BUF(10) | F_MORE);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 10));
	EXPECT_CQE(r, UD + 1, 10, F_BUF(11) | F_MORE);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 40));
	EXPECT_CQE(r, UD + 1, 32, F_BUF(12) | F_MORE);
	EXPECT_CQE(r, UD + 1, 8, F_BUF(13) | F_MORE);
	EXPECT_NO_CQE(r);
	EXPECT_EQ(4, ring_head(r, 1));
	EXPECT_STREAM(m, 10, 0);
	EXPECT_STREAM(m + 64, 10, 10);
	EXPECT_STREAM(m + 128, 32, 20);
	EXPECT_STREAM(m + 192, 8, 52);

	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 5));
	EXPECT_CQE(r, UD + 1, -ENOBUFS, 0);
	EXPECT_NO_CQE(r);
	EXPECT_PIPE_HOLDS(self->pfd[0], 5, 60);
	EXPECT_EQ(0, unreg_ring(r, 1));
	pool_exit(&p);
}

/* Data already there at submission, more than the ring holds. */
TEST_F(pbuf, mshot_data_first)
{
	struct test_ring *r = &self->r;
	struct pool p;

	REQUIRE_OP(IORING_OP_READ_MULTISHOT);

	ASSERT_EQ(0, pool_init(r, &p, 1, 2, IOU_PBUF_RING_MMAP));
	pool_put(&p, self->mem, 16, 0);
	pool_put(&p, self->mem + 16, 16, 1);
	pool_publish(&p);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 40));
	ASSERT_NE(NULL, sqe_read_sel(r, IORING_OP_READ_MULTISHOT, self->pfd[0],
				     1, 0, 0, UD + 1));
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 1, 16, F_BUF(0) | F_MORE);
	EXPECT_CQE(r, UD + 1, 16, F_BUF(1) | F_MORE);
	EXPECT_CQE(r, UD + 1, -ENOBUFS, 0);
	EXPECT_NO_CQE(r);
	EXPECT_STREAM(self->mem, 32, 0);
	EXPECT_PIPE_HOLDS(self->pfd[0], 8, 32);
	EXPECT_EQ(0, unreg_ring(r, 1));
	pool_exit(&p);
}

/* EOF (the writer closes) ends it: res 0, no F_MORE, no buffer. */
TEST_F(pbuf, mshot_eof)
{
	struct test_ring *r = &self->r;
	struct pool p;

	REQUIRE_OP(IORING_OP_READ_MULTISHOT);

	ASSERT_EQ(0, pool_init(r, &p, 1, 4, 0));
	pool_put(&p, self->mem, 32, 3);
	pool_put(&p, self->mem + 32, 32, 4);
	pool_publish(&p);
	ASSERT_NE(NULL, sqe_read_sel(r, IORING_OP_READ_MULTISHOT, self->pfd[0],
				     1, 0, 0, UD + 1));
	SUBMIT(r, 1);
	EXPECT_NO_CQE(r);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 5));
	EXPECT_CQE(r, UD + 1, 5, F_BUF(3) | F_MORE);
	close(self->pfd[1]);
	self->pfd[1] = -1;
	EXPECT_CQE(r, UD + 1, 0, 0);
	EXPECT_NO_CQE(r);
	EXPECT_EQ(1, ring_head(r, 1));
	EXPECT_STREAM(self->mem, 5, 0);
	EXPECT_EQ(0, unreg_ring(r, 1));
	pool_exit(&p);
}

/* Multishot with a legacy group: ids in order, then -ENOBUFS. */
TEST_F(pbuf, mshot_legacy)
{
	struct test_ring *r = &self->r;

	REQUIRE_OP(IORING_OP_READ_MULTISHOT);
	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);

	ASSERT_EQ(0, provide(r, 2, self->mem, 16, 2, 5));
	ASSERT_NE(NULL, sqe_read_sel(r, IORING_OP_READ_MULTISHOT, self->pfd[0],
				     2, 0, 0, UD + 1));
	SUBMIT(r, 1);
	EXPECT_NO_CQE(r);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 40));
	EXPECT_CQE(r, UD + 1, 16, F_BUF(5) | F_MORE);
	EXPECT_CQE(r, UD + 1, 16, F_BUF(6) | F_MORE);
	EXPECT_CQE(r, UD + 1, -ENOBUFS, 0);
	EXPECT_NO_CQE(r);
	EXPECT_STREAM(self->mem, 32, 0);
	EXPECT_PIPE_HOLDS(self->pfd[0], 8, 32);
}

/* READ_MULTISHOT argument checks. */
TEST_F(pbuf, mshot_errors)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	struct pool p;

	REQUIRE_OP(IORING_OP_READ_MULTISHOT);

	ASSERT_EQ(0, pool_init(r, &p, 1, 4, 0));
	pool_put(&p, self->mem, 32, 0);
	pool_publish(&p);

	/* buffer selection is required */
	sqe = sqe_read_sel(r, IORING_OP_READ_MULTISHOT, self->pfd[0], 1, 0, 0,
			   UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->flags = 0;
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 1, -EINVAL, 0);
	/* no address, no length */
	sqe = sqe_read_sel(r, IORING_OP_READ_MULTISHOT, self->pfd[0], 1, 0, 0,
			   UD + 2);
	ASSERT_NE(NULL, sqe);
	sqe->addr = (uintptr_t)self->mem;
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 2, -EINVAL, 0);
	ASSERT_NE(NULL, sqe_read_sel(r, IORING_OP_READ_MULTISHOT, self->pfd[0],
				     1, 16, 0, UD + 3));
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 3, -EINVAL, 0);
	/* a file that cannot be polled */
	ASSERT_NE(NULL, sqe_read_sel(r, IORING_OP_READ_MULTISHOT, self->mfd,
				     1, 0, 0, UD + 4));
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 4, -EBADFD, 0);
	/* an unknown group: -ENOBUFS at once, even with nothing to read */
	ASSERT_NE(NULL, sqe_read_sel(r, IORING_OP_READ_MULTISHOT, self->pfd[0],
				     7, 0, 0, UD + 5));
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 5, -ENOBUFS, 0);
	EXPECT_EQ(0, ring_head(r, 1));
	EXPECT_ZERO(self->mem, MEM_SZ);
	EXPECT_EQ(0, unreg_ring(r, 1));
	pool_exit(&p);
}

/* ---- 5. Lifetime: groups and buffers going away under requests ---- */

/*
 * A READ waiting on a pipe does not hold a ring buffer: after the group is
 * unregistered, the data makes it retry the selection, which fails with
 * -ENOBUFS; the data stays in the pipe, the old buffers are not written.
 */
TEST_F(pbuf, unregister_while_read_waits)
{
	struct test_ring *r = &self->r;
	struct pool p;

	ASSERT_EQ(0, pool_init(r, &p, 1, 2, 0));
	pool_put(&p, self->mem, 32, 0);
	pool_put(&p, self->mem + 32, 32, 1);
	pool_publish(&p);
	ASSERT_NE(NULL, sqe_read_sel(r, IORING_OP_READ, self->pfd[0], 1, 0,
				     STREAM, UD + 1));
	SUBMIT(r, 1);
	EXPECT_NO_CQE(r);
	EXPECT_EQ(0, ring_head(r, 1));
	EXPECT_EQ(0, unreg_ring(r, 1));
	pool_exit(&p);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 20));
	EXPECT_CQE(r, UD + 1, -ENOBUFS, 0);
	EXPECT_PIPE_HOLDS(self->pfd[0], 20, 0);
	EXPECT_ZERO(self->mem, MEM_SZ);
}

/*
 * From io-wq (IOSQE_ASYNC) the ring buffer is committed when picked, and
 * the READ keeps it while it waits: unregistering the group (and unmapping
 * the ring) does not take it away, the data lands in it.
 */
TEST_F(pbuf, unregister_while_async_read_holds)
{
	struct test_ring *r = &self->r;
	struct io_uring_sqe *sqe;
	struct pool p;

	ASSERT_EQ(0, pool_init(r, &p, 1, 2, 0));
	pool_put(&p, self->mem, 32, 4);
	pool_put(&p, self->mem + 32, 32, 5);
	pool_publish(&p);
	sqe = sqe_read_sel(r, IORING_OP_READ, self->pfd[0], 1, 0, STREAM,
			   UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->flags |= IOSQE_ASYNC;
	SUBMIT(r, 1);
	ASSERT_EQ(1, wait_head(r, 1, 1, WAIT_MS));
	EXPECT_NO_CQE(r);
	EXPECT_EQ(0, unreg_ring(r, 1));
	pool_exit(&p);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 20));
	EXPECT_CQE(r, UD + 1, 20, F_BUF(4));
	EXPECT_STREAM(self->mem, 20, 0);
	EXPECT_ZERO(self->mem + 20, MEM_SZ - 20);
}

/*
 * The pages of an IOU_PBUF_RING_MMAP ring stay with a mapping after the
 * group is unregistered (and after the ring fd is closed): they can be read
 * and written, and are not the memory of a new ring for the same group.
 */
TEST_F(pbuf, mmap_outlives_unregister)
{
	struct test_ring *r = &self->r;
	struct pool old, cur;
	unsigned int i;

	ASSERT_EQ(0, pool_init(r, &old, 2, 1024, IOU_PBUF_RING_MMAP));
	for (i = 0; i < 1024; i++)
		pool_put(&old, self->mem + i, 1, i);
	pool_publish(&old);
	EXPECT_EQ(0, unreg_ring(r, 2));
	EXPECT_EQ(-ENOENT, ring_head(r, 2));
	/* no new mapping of it */
	EXPECT_EQ(MAP_FAILED, map_ring(r->fd, 2, old.sz));
	EXPECT_EQ(ENOMEM, errno);

	/* the old mapping still holds what was written, and takes more */
	EXPECT_EQ((__u64)(uintptr_t)(self->mem + 1023), pool_slot(&old, 1023)->addr);
	EXPECT_EQ(1023U, pool_slot(&old, 1023)->bid);
	EXPECT_EQ(1024, old.br->tail);
	pool_put(&old, self->mem + 4096, 16, 7);
	pool_publish(&old);
	EXPECT_EQ(1025, old.br->tail);

	/* a new ring for the group gets fresh, zeroed memory */
	ASSERT_EQ(0, pool_init(r, &cur, 2, 1024, IOU_PBUF_RING_MMAP));
	EXPECT_NE((void *)old.br, (void *)cur.br);
	EXPECT_ZERO(cur.br, cur.sz);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 16));
	READ_CQE(r, self->pfd[0], 2, 0, STREAM, UD + 1, -ENOBUFS, 0);
	pool_put(&cur, self->mem + 8192, 16, 9);
	pool_publish(&cur);
	READ_CQE(r, self->pfd[0], 2, 0, STREAM, UD + 2, 16, F_BUF(9));
	EXPECT_STREAM(self->mem + 8192, 16, 0);
	EXPECT_ZERO(self->mem + 4096, 16);
	EXPECT_EQ(1025, old.br->tail);

	/* close the ring while its buffer ring is still mapped */
	ring_exit(r);
	cur.br->bufs[5].len = 77;
	EXPECT_EQ(77U, cur.br->bufs[5].len);
	old.br->bufs[6].len = 78;
	pool_exit(&cur);
	EXPECT_EQ(78U, old.br->bufs[6].len);
	pool_exit(&old);
}

/*
 * A READ waiting on a pipe keeps the legacy buffer it picked: REMOVE_BUFFERS
 * does not see it, and the data lands in it later.
 */
TEST_F(pbuf, remove_while_read_holds_legacy)
{
	struct test_ring *r = &self->r;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);
	REQUIRE_OP(IORING_OP_REMOVE_BUFFERS);

	ASSERT_EQ(0, provide(r, 1, self->mem, 32, 2, 0));
	ASSERT_NE(NULL, sqe_read_sel(r, IORING_OP_READ, self->pfd[0], 1, 0,
				     STREAM, UD + 1));
	SUBMIT(r, 1);
	EXPECT_NO_CQE(r);
	EXPECT_EQ(1, remove_bufs(r, 1, 10));
	EXPECT_EQ(0, remove_bufs(r, 1, 10));
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 20));
	EXPECT_CQE(r, UD + 1, 20, F_BUF(0));
	EXPECT_STREAM(self->mem, 20, 0);
	READ_CQE(r, self->pfd[0], 1, 0, STREAM, UD + 2, -ENOBUFS, 0);
}

/*
 * Waiting READs each hold a legacy buffer, so a third one finds the group
 * empty at once; waiting READs on a ring hold nothing, and it is the data
 * that decides who gets a buffer.
 */
TEST_F(pbuf, waiters_and_buffers)
{
	struct test_ring *r = &self->r;
	unsigned char *m = self->mem;
	struct io_uring_cqe cqe[3];
	unsigned int i, nbuf = 0, nfail = 0, seen = 0;
	struct pool p;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);

	ASSERT_EQ(0, provide(r, 1, m, 32, 2, 0));
	for (i = 0; i < 2; i++)
		ASSERT_NE(NULL, sqe_read_sel(r, IORING_OP_READ, self->pfd[0],
					     1, 0, STREAM, UD + i));
	SUBMIT(r, 2);
	EXPECT_NO_CQE(r);
	READ_CQE(r, self->pfd[0], 1, 0, STREAM, UD + 2, -ENOBUFS, 0);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 64));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe[i], WAIT_MS));
		ASSERT_GT(UD + 2, cqe[i].user_data);
		/* READ n picked buffer n; who reads first is not fixed */
		EXPECT_EQ(F_BUF(cqe[i].user_data - UD), cqe[i].flags);
		EXPECT_EQ(32, cqe[i].res);
		seen |= 1U << (cqe[i].user_data - UD);
	}
	EXPECT_EQ(3U, seen);
	EXPECT_TRUE(stream_mismatch(m, 64, 0) == -1 ||
		    (stream_mismatch(m, 32, 32) == -1 &&
		     stream_mismatch(m + 32, 32, 0) == -1));

	/* the same with a ring: three wait, two get the data */
	memset(m, 0, 64);
	ASSERT_EQ(0, pool_init(r, &p, 2, 2, 0));
	pool_put(&p, m, 32, 0);
	pool_put(&p, m + 32, 32, 1);
	pool_publish(&p);
	for (i = 0; i < 3; i++)
		ASSERT_NE(NULL, sqe_read_sel(r, IORING_OP_READ, self->pfd[0],
					     2, 0, STREAM, UD + 10 + i));
	SUBMIT(r, 3);
	EXPECT_NO_CQE(r);
	EXPECT_EQ(0, ring_head(r, 2));
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 64));
	seen = 0;
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe[i], WAIT_MS));
		ASSERT_LE(UD + 10, cqe[i].user_data);
		ASSERT_GT(UD + 13, cqe[i].user_data);
		seen |= 1U << (cqe[i].user_data - UD - 10);
		if (cqe[i].res == -ENOBUFS) {
			EXPECT_EQ(0U, cqe[i].flags);
			nfail++;
		} else {
			/* buffers go in ring order, to reads in data order */
			EXPECT_EQ(32, cqe[i].res);
			EXPECT_EQ(F_BUF(nbuf), cqe[i].flags);
			nbuf++;
		}
	}
	EXPECT_EQ(7U, seen);
	EXPECT_EQ(2U, nbuf);
	EXPECT_EQ(1U, nfail);
	EXPECT_STREAM(m, 64, 64);
	EXPECT_EQ(2, ring_head(r, 2));
	EXPECT_EQ(0, unreg_ring(r, 2));
	pool_exit(&p);
}

/*
 * Close the ring while requests hold buffers (a legacy one, a committed
 * ring one) or wait with a multishot read on a mapped ring: nothing breaks,
 * the requests go with the ring and read nothing after it is gone.
 */
TEST_F(pbuf, close_ring_with_held_buffers)
{
	struct test_ring *r = &self->r;
	int pb[2], pc[2];
	unsigned long wb = 0, wc = 0;
	struct io_uring_sqe *sqe;
	struct pool p, q;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);
	REQUIRE_OP(IORING_OP_READ_MULTISHOT);

	ASSERT_EQ(0, pipe2(pb, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(pc, O_CLOEXEC));
	ASSERT_EQ(0, provide(r, 1, self->mem, 32, 1, 0));
	ASSERT_EQ(0, pool_init(r, &p, 2, 2, 0));
	pool_put(&p, self->mem + 64, 32, 1);
	pool_publish(&p);
	ASSERT_EQ(0, pool_init(r, &q, 3, 2, IOU_PBUF_RING_MMAP));
	pool_put(&q, self->mem + 128, 32, 2);
	pool_publish(&q);

	ASSERT_NE(NULL, sqe_read_sel(r, IORING_OP_READ, self->pfd[0], 1, 0,
				     STREAM, UD + 1));
	sqe = sqe_read_sel(r, IORING_OP_READ, pb[0], 2, 0, STREAM, UD + 2);
	ASSERT_NE(NULL, sqe);
	sqe->flags |= IOSQE_ASYNC;
	ASSERT_NE(NULL, sqe_read_sel(r, IORING_OP_READ_MULTISHOT, pc[0], 3, 0,
				     0, UD + 3));
	SUBMIT(r, 3);
	ASSERT_EQ(1, wait_head(r, 2, 1, WAIT_MS));
	EXPECT_NO_CQE(r);

	/* the mapped buffer ring keeps the file, so the ring, alive */
	ring_exit(r);
	q.br->bufs[1].len = 5;
	pool_exit(&q);
	/* now it is gone; the reads are cancelled, not run */
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 16));
	ASSERT_EQ(0, feed(pb[1], &wb, 16));
	ASSERT_EQ(0, feed(pc[1], &wc, 16));
	EXPECT_PIPE_HOLDS(self->pfd[0], 16, 0);
	EXPECT_PIPE_HOLDS(pb[0], 16, 0);
	EXPECT_PIPE_HOLDS(pc[0], 16, 0);
	EXPECT_ZERO(self->mem, MEM_SZ);
	pool_exit(&p);
	close(pb[0]);
	close(pb[1]);
	close(pc[0]);
	close(pc[1]);
}

/*
 * READV with buffer selection only reads the caller's iovec: the array stays
 * as it was and can be used again, by a READV with selection that has to
 * wait and by a plain READV after it.
 */
TEST_F(pbuf, readv_iovec_intact)
{
	struct test_ring *r = &self->r;
	unsigned char *m = self->mem;
	struct io_uring_sqe *sqe;
	struct iovec *iov, saved[2];

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);

	iov = malloc(2 * sizeof(*iov));
	ASSERT_NE(NULL, iov);
	iov[0].iov_base = m + 2048;
	iov[0].iov_len = 16;
	iov[1].iov_base = m + 4096;
	iov[1].iov_len = 16;
	memcpy(saved, iov, sizeof(saved));
	ASSERT_EQ(0, provide(r, 1, m, 32, 2, 0));

	/* waits for data, then reads into buffer 0 (16 bytes: iov_len) */
	sqe = sqe_read_sel(r, IORING_OP_READV, self->pfd[0], 1, 1, STREAM,
			   UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->addr = (uintptr_t)iov;
	SUBMIT(r, 1);
	EXPECT_NO_CQE(r);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 20));
	EXPECT_CQE(r, UD + 1, 16, F_BUF(0));
	EXPECT_EQ(0, memcmp(saved, iov, sizeof(saved)));
	EXPECT_STREAM(m, 16, 0);

	/* a plain READV with the same array */
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 28));
	sqe = ring_get_sqe(r);
	ASSERT_NE(NULL, sqe);
	sqe->opcode = IORING_OP_READV;
	sqe->fd = self->pfd[0];
	sqe->addr = (uintptr_t)iov;
	sqe->len = 2;
	sqe->off = STREAM;
	sqe->user_data = UD + 2;
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 2, 32, 0);
	EXPECT_STREAM(m + 2048, 16, 16);
	EXPECT_STREAM(m + 4096, 16, 32);
	EXPECT_EQ(0, memcmp(saved, iov, sizeof(saved)));

	/* and selection again, with data ready */
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 16));
	sqe = sqe_read_sel(r, IORING_OP_READV, self->pfd[0], 1, 1, STREAM,
			   UD + 3);
	ASSERT_NE(NULL, sqe);
	sqe->addr = (uintptr_t)iov;
	SUBMIT(r, 1);
	EXPECT_CQE(r, UD + 3, 16, F_BUF(1));
	EXPECT_STREAM(m + 32, 16, 48);
	EXPECT_EQ(0, memcmp(saved, iov, sizeof(saved)));
	free(iov);
}

/* ---- 6. The basic cases in every ring mode ---- */

FIXTURE(pmodes) {
	struct test_ring r;
	int pfd[2];
	unsigned long wr;
	unsigned char *mem;
};

RING_MODE_VARIANTS(pmodes);

FIXTURE_SETUP(pmodes)
{
	self->pfd[0] = -1;
	self->pfd[1] = -1;
	self->mem = MAP_FAILED;
	self->wr = 0;
	ASSERT_EQ(0, ring_init_mode(&self->r, 16, variant->setup_flags));
	ASSERT_EQ(0, pipe2(self->pfd, O_CLOEXEC));
	self->mem = mmap(NULL, MEM_SZ, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	memset(self->mem, 0, MEM_SZ);
}

FIXTURE_TEARDOWN(pmodes)
{
	ring_exit(&self->r);
	if (self->pfd[0] >= 0)
		close(self->pfd[0]);
	if (self->pfd[1] >= 0)
		close(self->pfd[1]);
	if (self->mem != MAP_FAILED)
		munmap(self->mem, MEM_SZ);
}

TEST_F(pmodes, legacy_read)
{
	struct test_ring *r = &self->r;
	unsigned char *m = self->mem;

	REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);

	ASSERT_EQ(0, provide(r, 1, m, 32, 3, 0));
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 40));
	READ_CQE(r, self->pfd[0], 1, 0, STREAM, UD + 1, 32, F_BUF(0));
	READ_CQE(r, self->pfd[0], 1, 0, STREAM, UD + 2, 8, F_BUF(1));
	/* one that waits for data */
	ASSERT_NE(NULL, sqe_read_sel(r, IORING_OP_READ, self->pfd[0], 1, 0,
				     STREAM, UD + 3));
	SUBMIT(r, 1);
	EXPECT_NO_CQE(r);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 10));
	EXPECT_CQE(r, UD + 3, 10, F_BUF(2));
	READ_CQE(r, self->pfd[0], 1, 0, STREAM, UD + 4, -ENOBUFS, 0);
	EXPECT_STREAM(m, 32, 0);
	EXPECT_STREAM(m + 32, 8, 32);
	EXPECT_STREAM(m + 64, 10, 40);
}

TEST_F(pmodes, ring_read)
{
	struct test_ring *r = &self->r;
	unsigned char *m = self->mem;
	struct pool p;

	ASSERT_EQ(0, pool_init(r, &p, 2, 4, 0));
	pool_put(&p, m, 32, 5);
	pool_put(&p, m + 32, 32, 6);
	pool_put(&p, m + 64, 32, 7);
	pool_publish(&p);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 40));
	READ_CQE(r, self->pfd[0], 2, 0, STREAM, UD + 1, 32, F_BUF(5));
	READ_CQE(r, self->pfd[0], 2, 0, STREAM, UD + 2, 8, F_BUF(6));
	ASSERT_NE(NULL, sqe_read_sel(r, IORING_OP_READ, self->pfd[0], 2, 0,
				     STREAM, UD + 3));
	SUBMIT(r, 1);
	EXPECT_NO_CQE(r);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 10));
	EXPECT_CQE(r, UD + 3, 10, F_BUF(7));
	EXPECT_EQ(3, ring_head(r, 2));
	READ_CQE(r, self->pfd[0], 2, 0, STREAM, UD + 4, -ENOBUFS, 0);
	EXPECT_STREAM(m, 32, 0);
	EXPECT_STREAM(m + 32, 8, 32);
	EXPECT_STREAM(m + 64, 10, 40);
	EXPECT_EQ(0, unreg_ring(r, 2));
	pool_exit(&p);
}

TEST_F(pmodes, mshot_read)
{
	struct test_ring *r = &self->r;
	struct pool p;

	REQUIRE_OP(IORING_OP_READ_MULTISHOT);

	ASSERT_EQ(0, pool_init(r, &p, 3, 2, IOU_PBUF_RING_MMAP));
	pool_put(&p, self->mem, 16, 1);
	pool_put(&p, self->mem + 16, 16, 2);
	pool_publish(&p);
	ASSERT_NE(NULL, sqe_read_sel(r, IORING_OP_READ_MULTISHOT, self->pfd[0],
				     3, 0, 0, UD + 1));
	SUBMIT(r, 1);
	EXPECT_NO_CQE(r);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 10));
	EXPECT_CQE(r, UD + 1, 10, F_BUF(1) | F_MORE);
	ASSERT_EQ(0, feed(self->pfd[1], &self->wr, 20));
	EXPECT_CQE(r, UD + 1, 16, F_BUF(2) | F_MORE);
	EXPECT_CQE(r, UD + 1, -ENOBUFS, 0);
	EXPECT_STREAM(self->mem, 10, 0);
	EXPECT_STREAM(self->mem + 16, 16, 10);
	EXPECT_PIPE_HOLDS(self->pfd[0], 4, 26);
	EXPECT_EQ(2, ring_head(r, 3));
	EXPECT_EQ(0, unreg_ring(r, 3));
	pool_exit(&p);
}

TEST_HARNESS_MAIN
