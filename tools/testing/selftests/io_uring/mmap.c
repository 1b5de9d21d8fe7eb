// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring ring memory: the three mmap regions, SQE128/CQE32 strides,
 * NO_SQARRAY and NO_MMAP (user memory) rings, following Linux 6.12.
 */
#include "kselftest_harness.h"

#include <signal.h>
#include <sys/wait.h>

#include "uring_test.h"

#define UD	0xdeadbeefcafef00dULL
#define WAIT_MS	2000

static size_t page_sz(void)
{
	return sysconf(_SC_PAGESIZE);
}

static void *map(int fd, size_t len, off_t off)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
}

/* Submit one NOP with @ud and check its completion. */
static void nop_roundtrip(struct __test_metadata *_metadata,
			  struct test_ring *r, __u64 ud)
{
	struct io_uring_cqe cqe;

	ASSERT_NE(NULL, ring_nop(r, ud));
	ASSERT_EQ(1, ring_submit(r, 1, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
	EXPECT_EQ(ud, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	EXPECT_EQ(0U, cqe.flags);
}

FIXTURE(ring) {
	struct io_uring_params p;
	int fd;
	size_t sq_sz, cq_sz, sqes_sz;
};

FIXTURE_SETUP(ring)
{
	memset(&self->p, 0, sizeof(self->p));
	self->fd = io_uring_setup(8, &self->p);
	ASSERT_LE(0, self->fd);
	self->sq_sz = ring_sq_size(&self->p);
	self->cq_sz = ring_cq_size(&self->p);
	self->sqes_sz = ring_sqes_size(&self->p);
	ASSERT_EQ(8 * sizeof(struct io_uring_sqe), self->sqes_sz);
}

FIXTURE_TEARDOWN(ring)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Map the three regions separately and drive a NOP through them. */
TEST_F(ring, three_regions)
{
	struct io_uring_params *p = &self->p;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	char *sq, *cq;
	unsigned int *sq_array;

	sq = map(self->fd, self->sq_sz, IORING_OFF_SQ_RING);
	ASSERT_NE(MAP_FAILED, sq);
	cq = map(self->fd, self->cq_sz, IORING_OFF_CQ_RING);
	ASSERT_NE(MAP_FAILED, cq);
	sqe = map(self->fd, self->sqes_sz, IORING_OFF_SQES);
	ASSERT_NE(MAP_FAILED, sqe);

	EXPECT_EQ(8U, *(unsigned int *)(sq + p->sq_off.ring_entries));
	EXPECT_EQ(7U, *(unsigned int *)(sq + p->sq_off.ring_mask));
	EXPECT_EQ(16U, *(unsigned int *)(cq + p->cq_off.ring_entries));
	EXPECT_EQ(15U, *(unsigned int *)(cq + p->cq_off.ring_mask));

	/* write SQE slot 3 through the SQES mapping, publish it as entry 0 */
	memset(&sqe[3], 0, sizeof(sqe[3]));
	sqe[3].opcode = IORING_OP_NOP;
	sqe[3].user_data = UD;
	sq_array = (unsigned int *)(sq + p->sq_off.array);
	sq_array[0] = 3;
	store_release((unsigned int *)(sq + p->sq_off.tail), 1);

	ASSERT_EQ(1, io_uring_enter(self->fd, 1, 1, IORING_ENTER_GETEVENTS,
				    NULL, 0));
	EXPECT_EQ(1U, load_acquire((unsigned int *)(sq + p->sq_off.head)));
	ASSERT_EQ(1U, load_acquire((unsigned int *)(cq + p->cq_off.tail)));
	cqe = (struct io_uring_cqe *)(cq + p->cq_off.cqes);
	EXPECT_EQ(UD, cqe->user_data);
	EXPECT_EQ(0, cqe->res);
	EXPECT_EQ(0U, cqe->flags);
	store_release((unsigned int *)(cq + p->cq_off.head), 1);
	EXPECT_EQ(0U, *(unsigned int *)(sq + p->sq_off.dropped));
	EXPECT_EQ(0U, *(unsigned int *)(cq + p->cq_off.overflow));

	munmap(sqe, self->sqes_sz);
	munmap(cq, self->cq_sz);
	munmap(sq, self->sq_sz);
}

/* With IORING_FEAT_SINGLE_MMAP both ring offsets map the same memory. */
TEST_F(ring, single_mmap_alias)
{
	struct io_uring_params *p = &self->p;
	size_t sz = self->sq_sz > self->cq_sz ? self->sq_sz : self->cq_sz;
	unsigned int *a, *b;
	char *sq, *cq;

	if (!(p->features & IORING_FEAT_SINGLE_MMAP))
		SKIP(return, "no IORING_FEAT_SINGLE_MMAP");

	sq = map(self->fd, sz, IORING_OFF_SQ_RING);
	ASSERT_NE(MAP_FAILED, sq);
	cq = map(self->fd, sz, IORING_OFF_CQ_RING);
	ASSERT_NE(MAP_FAILED, cq);
	ASSERT_NE(sq, cq);

	EXPECT_EQ(*(unsigned int *)(sq + p->sq_off.ring_entries),
		  *(unsigned int *)(cq + p->sq_off.ring_entries));
	EXPECT_EQ(*(unsigned int *)(sq + p->cq_off.ring_entries),
		  *(unsigned int *)(cq + p->cq_off.ring_entries));

	/* a user-writable field written through one shows in the other */
	a = (unsigned int *)(sq + p->sq_off.array);
	b = (unsigned int *)(cq + p->sq_off.array);
	a[5] = 0x12345678;
	EXPECT_EQ(0x12345678U, b[5]);
	b[5] = 0;
	EXPECT_EQ(0U, a[5]);

	munmap(cq, sz);
	munmap(sq, sz);
}

/*
 * Only the bits in IORING_OFF_MMAP_MASK (0xf8000000) select a region; an
 * offset with no known region in those bits fails. Linux 6.12 reports that
 * from ->get_unmapped_area(), hence ENOMEM rather than EINVAL.
 */
TEST_F(ring, unknown_offset)
{
	static const off_t bad[] = {
		0x18000000, 0x20000000, 0x40000000, 0xf0000000,
		IORING_OFF_PBUF_RING,	/* no provided buffer ring registered */
	};
	unsigned int i;
	void *m;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		m = map(self->fd, page_sz(), bad[i]);
		EXPECT_EQ(MAP_FAILED, m) {
			TH_LOG("offset 0x%lx mapped", (long)bad[i]);
		}
		if (m == MAP_FAILED) {
			EXPECT_EQ(ENOMEM, errno);
		} else {
			munmap(m, page_sz());
		}
	}
}

/*
 * Bits outside IORING_OFF_MMAP_MASK are ignored: 0x4000000 is the SQ ring
 * and IORING_OFF_CQ_RING + one page is still the start of the CQ ring.
 */
TEST_F(ring, offset_low_bits_ignored)
{
	struct io_uring_params *p = &self->p;
	char *m;

	m = map(self->fd, page_sz(), 0x4000000);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(8U, *(unsigned int *)(m + p->sq_off.ring_entries));
	munmap(m, page_sz());

	m = map(self->fd, page_sz(), IORING_OFF_CQ_RING + page_sz());
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(16U, *(unsigned int *)(m + p->cq_off.ring_entries));
	munmap(m, page_sz());
}

/* The ring fd does not accept an address hint. */
TEST_F(ring, address_hint)
{
	void *m, *hint;

	hint = mmap(NULL, page_sz(), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, hint);
	munmap(hint, page_sz());
	m = mmap(hint, page_sz(), PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, IORING_OFF_SQ_RING);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(EINVAL, errno);
	if (m != MAP_FAILED)
		munmap(m, page_sz());
}

/*
 * Linux 6.12 does not check the length against the region size: a longer
 * mapping succeeds, the region is mapped at its start and the pages past
 * the region are not backed (touching them raises SIGBUS).
 */
TEST_F(ring, oversized_length)
{
	size_t len = self->sqes_sz + 64 * page_sz();
	struct io_uring_sqe *sqes;
	int status;
	char *m;
	pid_t pid;

	sqes = map(self->fd, self->sqes_sz, IORING_OFF_SQES);
	ASSERT_NE(MAP_FAILED, sqes);
	sqes[1].user_data = UD;

	m = map(self->fd, len, IORING_OFF_SQES);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(UD, ((struct io_uring_sqe *)m)[1].user_data);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		signal(SIGBUS, SIG_DFL);
		*(volatile char *)(m + len - 1) = 1;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	if (WIFSIGNALED(status)) {
		EXPECT_EQ(SIGBUS, WTERMSIG(status));
	}
	munmap(m, len);

	m = map(self->fd, self->sq_sz + 64 * page_sz(), IORING_OFF_SQ_RING);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(8U, *(unsigned int *)(m + self->p.sq_off.ring_entries));
	munmap(m, self->sq_sz + 64 * page_sz());
	munmap(sqes, self->sqes_sz);
}

TEST(no_sqarray)
{
	struct io_uring_params p;
	struct io_uring_cqe cqe;
	struct test_ring r;
	unsigned int i;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_NO_SQARRAY;
	ASSERT_EQ(0, ring_init(&r, 8, &p));
	EXPECT_EQ(0U, p.sq_off.array);
	ASSERT_EQ(NULL, r.sq_array);

	/* SQEs are consumed in ring order, the index is the tail itself */
	for (i = 0; i < 10; i++)
		nop_roundtrip(_metadata, &r, UD + i);

	/* three at once, wrapping around the 8-entry ring */
	for (i = 0; i < 3; i++) {
		ASSERT_NE(NULL, ring_nop(&r, 100 + i));
	}
	ASSERT_EQ(3, ring_submit(&r, 3, 0, 0));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
		EXPECT_EQ(100 + i, cqe.user_data);
		EXPECT_EQ(0, cqe.res);
	}
	EXPECT_EQ(13U, load_acquire(r.sq_head));
	ring_exit(&r);
}

TEST(sqe128)
{
	struct io_uring_params p;
	struct io_uring_cqe cqe;
	struct test_ring r;
	char *raw;
	void *m;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQE128;
	ASSERT_EQ(0, ring_init(&r, 8, &p));
	EXPECT_EQ(8U * 128, ring_sqes_size(&p));

	m = map(r.fd, 8 * 128, IORING_OFF_SQES);
	ASSERT_NE(MAP_FAILED, m);
	munmap(m, 8 * 128);

	/*
	 * Slot 0 is a NOP; its second 64-byte half holds an invalid opcode,
	 * which is where a 64-byte stride would find entry 1.
	 */
	ASSERT_NE(NULL, ring_nop(&r, 1));
	raw = (char *)r.sqes;
	memset(raw + 64, 0, 64);
	raw[64] = (char)0xff;
	ASSERT_NE(NULL, ring_nop(&r, UD));
	EXPECT_EQ(raw + 128, (char *)&r.sqes[2]);
	ASSERT_EQ(2, ring_submit(&r, 2, 0, 0));

	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
	EXPECT_EQ(1U, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
	EXPECT_EQ(UD, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	ring_exit(&r);
}

TEST(cqe32)
{
	struct io_uring_params p;
	struct io_uring_cqe *cqe;
	struct test_ring r;
	unsigned int i;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQE32;
	ASSERT_EQ(0, ring_init(&r, 4, &p));
	EXPECT_EQ(p.cq_off.cqes + 8 * 32, ring_cq_size(&p));

	/* poison the CQ array: the kernel must write all 32 bytes */
	memset(r.cqes, 0xff, 8 * 32);
	for (i = 0; i < 3; i++) {
		ASSERT_NE(NULL, ring_nop(&r, UD + i));
	}
	ASSERT_EQ(3, ring_submit(&r, 3, 3, IORING_ENTER_GETEVENTS));
	ASSERT_EQ(3U, ring_cq_ready(&r));
	for (i = 0; i < 3; i++) {
		cqe = (struct io_uring_cqe *)((char *)r.cqes + 32 * i);
		EXPECT_EQ(cqe, ring_peek_cqe(&r));
		EXPECT_EQ(UD + i, cqe->user_data);
		EXPECT_EQ(0, cqe->res);
		EXPECT_EQ(0U, cqe->flags);
		EXPECT_EQ(0U, cqe->big_cqe[0]);
		EXPECT_EQ(0U, cqe->big_cqe[1]);
		ring_cqe_seen(&r);
	}
	/* the 4th slot was never written */
	cqe = (struct io_uring_cqe *)((char *)r.cqes + 32 * 3);
	EXPECT_EQ(~0ULL, cqe->user_data);
	ring_exit(&r);
}

FIXTURE(user_mem) {
	void *rings;
	void *sqes;
	size_t len;
};

FIXTURE_SETUP(user_mem)
{
	self->len = page_sz();
	self->rings = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->rings);
	self->sqes = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sqes);
}

FIXTURE_TEARDOWN(user_mem)
{
	munmap(self->rings, self->len);
	munmap(self->sqes, self->len);
}

/* IORING_SETUP_NO_MMAP: rings and SQEs live in our own pages. */
TEST_F(user_mem, no_mmap)
{
	struct io_uring_params p;
	struct test_ring r;
	unsigned int i;
	void *m;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_NO_MMAP;
	p.cq_off.user_addr = (uintptr_t)self->rings;
	p.sq_off.user_addr = (uintptr_t)self->sqes;
	ASSERT_EQ(0, ring_init(&r, 8, &p));
	/* the addresses are echoed back */
	EXPECT_EQ((uintptr_t)self->rings, p.cq_off.user_addr);
	EXPECT_EQ((uintptr_t)self->sqes, p.sq_off.user_addr);
	ASSERT_LE(ring_sq_size(&p), self->len);
	ASSERT_LE(ring_cq_size(&p), self->len);

	EXPECT_EQ(8U, *r.sq_entries);
	EXPECT_EQ(7U, *r.sq_mask);
	EXPECT_EQ(16U, *r.cq_entries);
	EXPECT_EQ(15U, *r.cq_mask);

	for (i = 0; i < 10; i++)
		nop_roundtrip(_metadata, &r, UD + i);

	/* none of the regions can be mmap()ed (6.12: ENOMEM) */
	m = map(r.fd, page_sz(), IORING_OFF_SQ_RING);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(ENOMEM, errno);
	m = map(r.fd, page_sz(), IORING_OFF_CQ_RING);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(ENOMEM, errno);
	m = map(r.fd, page_sz(), IORING_OFF_SQES);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(ENOMEM, errno);
	ring_exit(&r);
}

TEST_F(user_mem, no_mmap_unaligned)
{
	struct io_uring_params p;
	int fd;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_NO_MMAP;
	p.cq_off.user_addr = (uintptr_t)self->rings + 64;
	p.sq_off.user_addr = (uintptr_t)self->sqes;
	fd = io_uring_setup(8, &p);
	EXPECT_EQ(-EINVAL, fd);
	if (fd >= 0)
		close(fd);

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_NO_MMAP;
	p.cq_off.user_addr = (uintptr_t)self->rings;
	p.sq_off.user_addr = (uintptr_t)self->sqes + 64;
	fd = io_uring_setup(8, &p);
	EXPECT_EQ(-EINVAL, fd);
	if (fd >= 0)
		close(fd);

	/* no memory given at all: address 0 cannot be pinned */
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_NO_MMAP;
	fd = io_uring_setup(8, &p);
	EXPECT_EQ(-EFAULT, fd);
	if (fd >= 0)
		close(fd);
}

TEST_HARNESS_MAIN
