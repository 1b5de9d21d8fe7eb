// SPDX-License-Identifier: GPL-2.0
/*
 * More io_uring_register(2) opcodes, following Linux 6.12 semantics:
 * IORING_{,UN}REGISTER_RING_FDS with IORING_ENTER_REGISTERED_RING,
 * IORING_REGISTER_USE_REGISTERED_RING and IORING_SETUP_REGISTERED_FD_ONLY;
 * IORING_REGISTER_RESTRICTIONS; IORING_REGISTER_IOWQ_MAX_WORKERS and
 * IORING_{,UN}REGISTER_IOWQ_AFF; and the ring counters in
 * /proc/self/fdinfo/<ring fd>.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "uring_test.h"

#define UD	0x2e9150000000beefULL
#define WAIT_MS	2000

/* Per-task registered ring slots in Linux 6.12 (IO_RINGFD_REG_MAX). */
#define RINGFD_MAX	16

/* IORING_RESTRICTION_LAST + IORING_REGISTER_LAST + IORING_OP_LAST in 6.12 */
#define MAX_RESTRICTIONS	(4 + 31 + 58)

/* Pop one CQE and check it. */
#define EXPECT_CQE(r, ud, res_, flags_) do {				\
	struct io_uring_cqe __c;					\
	ASSERT_EQ(0, ring_pop_cqe(r, &__c, WAIT_MS));			\
	EXPECT_EQ((__u64)(ud), __c.user_data);				\
	EXPECT_EQ((int)(res_), __c.res);				\
	EXPECT_EQ((unsigned int)(flags_), __c.flags);			\
} while (0)

/* A probe buffer for IORING_OP_LAST ops. */
union probe_buf {
	struct io_uring_probe p;
	unsigned char raw[sizeof(struct io_uring_probe) +
			  256 * sizeof(struct io_uring_probe_op)];
};

static size_t page_sz(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* An address range that is guaranteed to fault. */
static void *bad_ptr(void)
{
	void *p = mmap(NULL, page_sz(), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? (void *)8 : p;
}

static int reg_rings(int fd, struct io_uring_rsrc_update *u, unsigned int nr)
{
	return io_uring_register(fd, IORING_REGISTER_RING_FDS, u, nr);
}

static int unreg_rings(int fd, struct io_uring_rsrc_update *u, unsigned int nr)
{
	return io_uring_register(fd, IORING_UNREGISTER_RING_FDS, u, nr);
}

/* Register @ringfd through ring @fd at @slot (-1U: any). Returns the slot or -errno. */
static int reg_one(int fd, int ringfd, unsigned int slot)
{
	struct io_uring_rsrc_update u = { .offset = slot, .data = (__u64)ringfd };
	int ret = reg_rings(fd, &u, 1);

	return ret == 1 ? (int)u.offset : (ret < 0 ? ret : -EPROTO);
}

static int unreg_one(int fd, unsigned int slot)
{
	struct io_uring_rsrc_update u = { .offset = slot };

	return unreg_rings(fd, &u, 1);
}

/* io_uring_enter() on a registered ring index. */
static int enter_reg(unsigned int slot, unsigned int to_submit, unsigned int min_complete,
		     unsigned int flags)
{
	return io_uring_enter((int)slot, to_submit, min_complete,
			      flags | IORING_ENTER_REGISTERED_RING, NULL, 0);
}

/* Wait (bounded) for and consume one CQE through a registered ring index. */
static int reg_pop_cqe(struct test_ring *r, unsigned int slot, struct io_uring_cqe *out)
{
	struct __kernel_timespec ts = { .tv_sec = WAIT_MS / 1000 };
	struct io_uring_getevents_arg arg = { .ts = (__u64)(uintptr_t)&ts };
	struct io_uring_cqe *cqe;
	int ret;

	cqe = ring_peek_cqe(r);
	if (!cqe) {
		ret = io_uring_enter((int)slot, 0, 1, IORING_ENTER_GETEVENTS |
				     IORING_ENTER_EXT_ARG | IORING_ENTER_REGISTERED_RING,
				     &arg, sizeof(arg));
		if (ret < 0)
			return ret;
		cqe = ring_peek_cqe(r);
		if (!cqe)
			return -ETIME;
	}
	*out = *cqe;
	ring_cqe_seen(r);
	return 0;
}

/* Submit one NOP through registered index @slot and check its CQE. */
static void reg_nop_roundtrip(struct __test_metadata *_metadata, struct test_ring *r,
			      unsigned int slot, __u64 ud)
{
	struct io_uring_cqe cqe;

	ASSERT_NE(NULL, ring_nop(r, ud));
	ring_flush(r);
	ASSERT_EQ(1, enter_reg(slot, 1, 0, 0));
	ASSERT_EQ(0, reg_pop_cqe(r, slot, &cqe));
	EXPECT_EQ(ud, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	EXPECT_EQ(0U, cqe.flags);
}

/* Queue a NOP with @sqe_flags and submit it alone through the ring fd. */
static int submit_nop(struct test_ring *r, __u64 ud, __u8 sqe_flags)
{
	struct io_uring_sqe *sqe = ring_nop(r, ud);

	if (!sqe)
		return -ENOSPC;
	sqe->flags = sqe_flags;
	return ring_submit(r, 1, 0, 0);
}

/* ------------------------------------------------------------------------ */
/* IORING_REGISTER_RING_FDS / IORING_UNREGISTER_RING_FDS */

TEST(ringfd_any_slot)
{
	struct io_uring_rsrc_update u[2];
	struct test_ring r;

	ASSERT_EQ(0, ring_init_flags(&r, 8, 0));
	/* -1U picks the lowest free slot and writes it back; data is kept */
	memset(u, 0, sizeof(u));
	u[0].offset = -1U;
	u[0].data = (__u64)r.fd;
	ASSERT_EQ(1, reg_rings(r.fd, u, 1));
	EXPECT_EQ(0U, u[0].offset);
	EXPECT_EQ(0U, u[0].resv);
	EXPECT_EQ((__u64)r.fd, u[0].data);

	/* the same ring can take several slots */
	u[0].offset = -1U;
	u[1].offset = -1U;
	u[1].data = (__u64)r.fd;
	ASSERT_EQ(2, reg_rings(r.fd, u, 2));
	EXPECT_EQ(1U, u[0].offset);
	EXPECT_EQ(2U, u[1].offset);

	/* enter through each registered index */
	reg_nop_roundtrip(_metadata, &r, 0, UD);
	reg_nop_roundtrip(_metadata, &r, 1, UD + 1);
	reg_nop_roundtrip(_metadata, &r, 2, UD + 2);
	/* the plain fd still works */
	ASSERT_EQ(1, submit_nop(&r, UD + 3, 0));
	EXPECT_CQE(&r, UD + 3, 0, 0);

	/* submit through one index and reap through the normal fd */
	ASSERT_NE(NULL, ring_nop(&r, UD + 4));
	ring_flush(&r);
	ASSERT_EQ(1, enter_reg(2, 1, 1, IORING_ENTER_GETEVENTS));
	EXPECT_CQE(&r, UD + 4, 0, 0);

	/* a freed slot is empty and the lowest free one is reused */
	EXPECT_EQ(1, unreg_one(r.fd, 1));
	EXPECT_EQ(-EBADF, enter_reg(1, 0, 0, 0));
	EXPECT_EQ(1, reg_one(r.fd, r.fd, -1U));
	reg_nop_roundtrip(_metadata, &r, 1, UD + 5);

	EXPECT_EQ(0U, ring_cq_ready(&r));
	ring_exit(&r);
}

TEST(ringfd_explicit_slot)
{
	struct test_ring r;

	ASSERT_EQ(0, ring_init_flags(&r, 8, 0));
	EXPECT_EQ(5, reg_one(r.fd, r.fd, 5));
	EXPECT_EQ(15, reg_one(r.fd, r.fd, 15));
	/* occupied slot */
	EXPECT_EQ(-EBUSY, reg_one(r.fd, r.fd, 5));
	/* out of range slots */
	EXPECT_EQ(-EINVAL, reg_one(r.fd, r.fd, RINGFD_MAX));
	EXPECT_EQ(-EINVAL, reg_one(r.fd, r.fd, -2U));
	/* -1U still finds slot 0 */
	EXPECT_EQ(0, reg_one(r.fd, r.fd, -1U));

	reg_nop_roundtrip(_metadata, &r, 5, UD);
	reg_nop_roundtrip(_metadata, &r, 15, UD + 1);
	reg_nop_roundtrip(_metadata, &r, 0, UD + 2);
	EXPECT_EQ(-EBADF, enter_reg(1, 0, 0, 0));
	EXPECT_EQ(-EBADF, enter_reg(14, 0, 0, 0));
	ring_exit(&r);
}

TEST(ringfd_enter_bad_index)
{
	struct test_ring r;

	ASSERT_EQ(0, ring_init_flags(&r, 8, 0));
	/* this task has an io_uring context now, but no registered rings */
	EXPECT_EQ(-EBADF, enter_reg(0, 0, 0, 0));
	EXPECT_EQ(-EBADF, enter_reg(15, 0, 0, IORING_ENTER_GETEVENTS));
	EXPECT_EQ(-EINVAL, enter_reg(RINGFD_MAX, 0, 0, 0));
	EXPECT_EQ(-EINVAL, enter_reg(~0U, 0, 0, 0));
	EXPECT_EQ(-EINVAL, enter_reg((unsigned int)r.fd + RINGFD_MAX, 0, 0, 0));

	/* unknown enter flags are refused before the index is looked at */
	EXPECT_EQ(-EINVAL, enter_reg(0, 0, 0, 1U << 31));

	/* a failed enter consumed nothing */
	ASSERT_NE(NULL, ring_nop(&r, UD));
	ring_flush(&r);
	EXPECT_EQ(-EBADF, enter_reg(3, 1, 0, 0));
	EXPECT_EQ(0U, load_acquire(r.sq_head));
	ASSERT_EQ(1, io_uring_enter(r.fd, 1, 0, 0, NULL, 0));
	EXPECT_CQE(&r, UD, 0, 0);
	ring_exit(&r);
}

TEST(ringfd_fill_all)
{
	struct io_uring_rsrc_update u[RINGFD_MAX + 1];
	struct test_ring r;
	unsigned int i;

	ASSERT_EQ(0, ring_init_flags(&r, 8, 0));
	memset(u, 0, sizeof(u));
	for (i = 0; i < RINGFD_MAX + 1; i++) {
		u[i].offset = -1U;
		u[i].data = (__u64)r.fd;
	}
	/* more than 16 entries at once is refused */
	EXPECT_EQ(-EINVAL, reg_rings(r.fd, u, RINGFD_MAX + 1));
	EXPECT_EQ(-1U, u[0].offset);
	EXPECT_EQ(-EBADF, enter_reg(0, 0, 0, 0));

	ASSERT_EQ(RINGFD_MAX, reg_rings(r.fd, u, RINGFD_MAX));
	for (i = 0; i < RINGFD_MAX; i++) {
		EXPECT_EQ(i, u[i].offset);
	}
	/* no free slot left */
	EXPECT_EQ(-EBUSY, reg_one(r.fd, r.fd, -1U));
	EXPECT_EQ(-EBUSY, reg_one(r.fd, r.fd, 7));
	for (i = 0; i < RINGFD_MAX; i++) {
		reg_nop_roundtrip(_metadata, &r, i, UD + i);
	}

	/* unregister them all at once (data must be 0) */
	memset(u, 0, sizeof(u));
	for (i = 0; i < RINGFD_MAX; i++)
		u[i].offset = i;
	EXPECT_EQ(-EINVAL, unreg_rings(r.fd, u, RINGFD_MAX + 1));
	EXPECT_EQ(RINGFD_MAX, unreg_rings(r.fd, u, RINGFD_MAX));
	for (i = 0; i < RINGFD_MAX; i++) {
		EXPECT_EQ(-EBADF, enter_reg(i, 0, 0, 0));
	}
	EXPECT_EQ(0, reg_one(r.fd, r.fd, -1U));
	ring_exit(&r);
}

TEST(ringfd_register_bad_args)
{
	struct io_uring_rsrc_update u[3];
	struct test_ring r;
	int pfd[2], closed_fd;

	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(0, ring_init_flags(&r, 8, 0));
	closed_fd = dup(pfd[0]);
	ASSERT_LE(0, closed_fd);
	close(closed_fd);

	/* nr_args must be 1..16 */
	memset(u, 0, sizeof(u));
	u[0].offset = -1U;
	u[0].data = (__u64)r.fd;
	EXPECT_EQ(-EINVAL, reg_rings(r.fd, u, 0));
	EXPECT_EQ(-EINVAL, reg_rings(r.fd, NULL, 0));
	EXPECT_EQ(-EINVAL, reg_rings(r.fd, u, RINGFD_MAX + 1));
	EXPECT_EQ(-EINVAL, reg_rings(r.fd, u, ~0U));
	/* unreadable array */
	EXPECT_EQ(-EFAULT, reg_rings(r.fd, NULL, 1));
	EXPECT_EQ(-EFAULT, reg_rings(r.fd, bad_ptr(), 1));

	/* non-zero resv */
	u[0].resv = 1;
	EXPECT_EQ(-EINVAL, reg_rings(r.fd, u, 1));
	EXPECT_EQ(-1U, u[0].offset);
	u[0].resv = 0;

	/* not an io_uring fd, and not an open fd at all */
	EXPECT_EQ(-EOPNOTSUPP, reg_one(r.fd, pfd[0], -1U));
	EXPECT_EQ(-EOPNOTSUPP, reg_one(r.fd, pfd[1], 3));
	EXPECT_EQ(-EBADF, reg_one(r.fd, closed_fd, -1U));
	EXPECT_EQ(-EBADF, reg_one(r.fd, -1, -1U));

	/* nothing was registered by the failures */
	EXPECT_EQ(-EBADF, enter_reg(0, 0, 0, 0));
	EXPECT_EQ(-EBADF, enter_reg(3, 0, 0, 0));

	/* a failure after the first entry: the count of registered entries */
	memset(u, 0, sizeof(u));
	u[0].offset = -1U;
	u[0].data = (__u64)r.fd;
	u[1].offset = -1U;
	u[1].data = (__u64)pfd[0];
	u[2].offset = -1U;
	u[2].data = (__u64)r.fd;
	EXPECT_EQ(1, reg_rings(r.fd, u, 3));
	EXPECT_EQ(0U, u[0].offset);
	EXPECT_EQ(-1U, u[1].offset);
	EXPECT_EQ(-1U, u[2].offset);
	/* the entries after the failing one were not processed */
	EXPECT_EQ(-EBADF, enter_reg(1, 0, 0, 0));

	u[0].offset = 4;
	u[1].offset = 4;
	u[1].data = (__u64)r.fd;
	EXPECT_EQ(1, reg_rings(r.fd, u, 2));
	EXPECT_EQ(4U, u[0].offset);
	EXPECT_EQ(4U, u[1].offset);

	u[0].offset = 6;
	u[1].offset = -1U;
	u[1].resv = 7;
	EXPECT_EQ(1, reg_rings(r.fd, u, 2));
	EXPECT_EQ(-EBADF, enter_reg(1, 0, 0, 0));

	reg_nop_roundtrip(_metadata, &r, 0, UD);
	reg_nop_roundtrip(_metadata, &r, 4, UD + 1);
	reg_nop_roundtrip(_metadata, &r, 6, UD + 2);

	ring_exit(&r);
	close(pfd[0]);
	close(pfd[1]);
}

/* The kernel cannot write the chosen slot back: the slot is released again. */
TEST(ringfd_register_readonly_array)
{
	struct io_uring_rsrc_update *u;
	struct test_ring r;

	ASSERT_EQ(0, ring_init_flags(&r, 8, 0));
	u = mmap(NULL, page_sz(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, u);
	u[0].offset = -1U;
	u[0].data = (__u64)r.fd;
	u[1].offset = -1U;
	u[1].data = (__u64)r.fd;
	ASSERT_EQ(0, mprotect(u, page_sz(), PROT_READ));

	EXPECT_EQ(-EFAULT, reg_rings(r.fd, u, 1));
	EXPECT_EQ(-EFAULT, reg_rings(r.fd, u, 2));
	EXPECT_EQ(-EBADF, enter_reg(0, 0, 0, 0));
	EXPECT_EQ(0, reg_one(r.fd, r.fd, -1U));
	EXPECT_EQ(1, reg_one(r.fd, r.fd, -1U));
	munmap(u, page_sz());
	ring_exit(&r);
}

TEST(ringfd_unregister)
{
	struct io_uring_rsrc_update u[3];
	struct test_ring r;

	ASSERT_EQ(0, ring_init_flags(&r, 8, 0));
	/* an empty slot is fine */
	EXPECT_EQ(1, unreg_one(r.fd, 0));
	EXPECT_EQ(1, unreg_one(r.fd, RINGFD_MAX - 1));

	ASSERT_EQ(2, reg_one(r.fd, r.fd, 2));
	ASSERT_EQ(3, reg_one(r.fd, r.fd, 3));

	memset(u, 0, sizeof(u));
	EXPECT_EQ(-EINVAL, unreg_rings(r.fd, u, 0));
	EXPECT_EQ(-EINVAL, unreg_rings(r.fd, u, RINGFD_MAX + 1));
	EXPECT_EQ(-EFAULT, unreg_rings(r.fd, NULL, 1));
	EXPECT_EQ(-EFAULT, unreg_rings(r.fd, bad_ptr(), 1));
	u[0].offset = RINGFD_MAX;
	EXPECT_EQ(-EINVAL, unreg_rings(r.fd, u, 1));
	u[0].offset = -1U;
	EXPECT_EQ(-EINVAL, unreg_rings(r.fd, u, 1));
	u[0].offset = 2;
	u[0].resv = 1;
	EXPECT_EQ(-EINVAL, unreg_rings(r.fd, u, 1));
	u[0].resv = 0;
	/* data must be zero on unregister */
	u[0].data = (__u64)r.fd;
	EXPECT_EQ(-EINVAL, unreg_rings(r.fd, u, 1));
	u[0].data = 0;
	reg_nop_roundtrip(_metadata, &r, 2, UD);

	/* partial: the first entry is processed, the second one is bad */
	u[0].offset = 2;
	u[1].offset = 3;
	u[1].data = 1;
	u[2].offset = 3;
	EXPECT_EQ(1, unreg_rings(r.fd, u, 3));
	EXPECT_EQ(-EBADF, enter_reg(2, 0, 0, 0));
	reg_nop_roundtrip(_metadata, &r, 3, UD + 1);

	/* the same slot twice, and an empty one */
	u[0].offset = 3;
	u[1].offset = 3;
	u[1].data = 0;
	u[2].offset = 9;
	EXPECT_EQ(3, unreg_rings(r.fd, u, 3));
	EXPECT_EQ(-EBADF, enter_reg(3, 0, 0, 0));
	ring_exit(&r);
}

/* IORING_REGISTER_USE_REGISTERED_RING: io_uring_register() by index. */
TEST(ringfd_use_registered_ring)
{
	struct io_uring_rsrc_update u;
	union probe_buf *b;
	struct test_ring r;
	int efd;

	b = calloc(1, sizeof(*b));
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, ring_init_flags(&r, 8, 0));
	ASSERT_EQ(0, reg_one(r.fd, r.fd, -1U));

	EXPECT_EQ(0, io_uring_register(0, IORING_REGISTER_USE_REGISTERED_RING |
				       IORING_REGISTER_PROBE, b, IORING_OP_LAST));
	EXPECT_EQ(IORING_OP_LAST, b->p.ops_len);
	EXPECT_EQ(IORING_OP_LAST - 1, b->p.last_op);
	EXPECT_EQ(IORING_OP_NOP, b->p.ops[IORING_OP_NOP].op);
	EXPECT_EQ(IO_URING_OP_SUPPORTED, b->p.ops[IORING_OP_NOP].flags);

	/* a registration done by index applies to the ring: eventfd */
	efd = eventfd(0, EFD_NONBLOCK);
	ASSERT_LE(0, efd);
	EXPECT_EQ(0, io_uring_register(0, IORING_REGISTER_USE_REGISTERED_RING |
				       IORING_REGISTER_EVENTFD, &efd, 1));
	EXPECT_EQ(-EBUSY, io_uring_register(r.fd, IORING_REGISTER_EVENTFD, &efd, 1));
	EXPECT_EQ(0, io_uring_register(r.fd, IORING_UNREGISTER_EVENTFD, NULL, 0));

	/* ring fds can be (un)registered by index too */
	EXPECT_EQ(1, reg_one(r.fd, r.fd, -1U));
	memset(&u, 0, sizeof(u));
	u.offset = -1U;
	u.data = (__u64)r.fd;
	EXPECT_EQ(1, io_uring_register(0, IORING_REGISTER_USE_REGISTERED_RING |
				       IORING_REGISTER_RING_FDS, &u, 1));
	EXPECT_EQ(2U, u.offset);
	u.offset = 1;
	u.data = 0;
	EXPECT_EQ(1, io_uring_register(2, IORING_REGISTER_USE_REGISTERED_RING |
				       IORING_UNREGISTER_RING_FDS, &u, 1));
	/* a slot can unregister itself */
	u.offset = 2;
	EXPECT_EQ(1, io_uring_register(2, IORING_REGISTER_USE_REGISTERED_RING |
				       IORING_UNREGISTER_RING_FDS, &u, 1));
	EXPECT_EQ(-EBADF, enter_reg(1, 0, 0, 0));
	EXPECT_EQ(-EBADF, enter_reg(2, 0, 0, 0));

	/* bad indexes */
	memset(b, 0, sizeof(*b));
	EXPECT_EQ(-EBADF, io_uring_register(1, IORING_REGISTER_USE_REGISTERED_RING |
					    IORING_REGISTER_PROBE, b, IORING_OP_LAST));
	EXPECT_EQ(-EINVAL, io_uring_register(RINGFD_MAX, IORING_REGISTER_USE_REGISTERED_RING |
					     IORING_REGISTER_PROBE, b, IORING_OP_LAST));
	EXPECT_EQ(-EINVAL, io_uring_register(~0U, IORING_REGISTER_USE_REGISTERED_RING |
					     IORING_REGISTER_PROBE, b, IORING_OP_LAST));
	/* the opcode is checked before the index */
	EXPECT_EQ(-EINVAL, io_uring_register(1, IORING_REGISTER_USE_REGISTERED_RING |
					     255, b, 0));
	EXPECT_EQ(-EINVAL, io_uring_register(0, IORING_REGISTER_USE_REGISTERED_RING |
					     255, b, 0));
	/* and the opcode's own checks still apply */
	EXPECT_EQ(-EINVAL, io_uring_register(0, IORING_REGISTER_USE_REGISTERED_RING |
					     IORING_REGISTER_PROBE, NULL, 1));

	reg_nop_roundtrip(_metadata, &r, 0, UD);
	close(efd);
	ring_exit(&r);
	free(b);
}

/* A registered index holds its own reference: the fd can be closed. */
TEST(ringfd_survives_close)
{
	union probe_buf *b;
	struct test_ring r;

	b = calloc(1, sizeof(*b));
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, ring_init_flags(&r, 8, 0));
	ASSERT_EQ(0, reg_one(r.fd, r.fd, -1U));
	ASSERT_EQ(0, close(r.fd));
	r.fd = -1;

	reg_nop_roundtrip(_metadata, &r, 0, UD);
	reg_nop_roundtrip(_metadata, &r, 0, UD + 1);
	EXPECT_EQ(0, io_uring_register(0, IORING_REGISTER_USE_REGISTERED_RING |
				       IORING_REGISTER_PROBE, b, IORING_OP_LAST));
	EXPECT_EQ(IORING_OP_LAST, b->p.ops_len);

	/* dropping the last reference through the index itself */
	EXPECT_EQ(1, io_uring_register(0, IORING_REGISTER_USE_REGISTERED_RING |
				       IORING_UNREGISTER_RING_FDS,
				       &(struct io_uring_rsrc_update){ .offset = 0 }, 1));
	EXPECT_EQ(-EBADF, enter_reg(0, 0, 0, 0));
	ring_exit(&r);
	free(b);
}

/* Ring A's register call can register ring B's fd: the table is per task. */
TEST(ringfd_other_ring)
{
	struct test_ring a, b;

	ASSERT_EQ(0, ring_init_flags(&a, 8, 0));
	ASSERT_EQ(0, ring_init_flags(&b, 8, 0));
	ASSERT_EQ(0, reg_one(a.fd, b.fd, -1U));
	ASSERT_EQ(1, reg_one(b.fd, a.fd, -1U));

	/* index 0 is ring B: its SQ is consumed and its CQ gets the CQE */
	reg_nop_roundtrip(_metadata, &b, 0, UD);
	EXPECT_EQ(1U, load_acquire(b.sq_head));
	EXPECT_EQ(0U, load_acquire(a.sq_head));
	EXPECT_EQ(0U, ring_cq_ready(&a));
	reg_nop_roundtrip(_metadata, &a, 1, UD + 1);
	EXPECT_EQ(1U, load_acquire(a.sq_head));
	EXPECT_EQ(0U, ring_cq_ready(&b));

	/* entering index 0 with ring A's SQE pending submits nothing of A */
	ASSERT_NE(NULL, ring_nop(&a, UD + 2));
	ring_flush(&a);
	EXPECT_EQ(0, enter_reg(0, 1, 0, 0));
	EXPECT_EQ(1U, load_acquire(a.sq_head));
	EXPECT_EQ(1, enter_reg(1, 1, 0, 0));
	EXPECT_CQE(&a, UD + 2, 0, 0);

	/* either ring can unregister any slot of this task */
	EXPECT_EQ(1, unreg_one(b.fd, 0));
	EXPECT_EQ(1, unreg_one(b.fd, 1));
	EXPECT_EQ(-EBADF, enter_reg(0, 0, 0, 0));
	EXPECT_EQ(-EBADF, enter_reg(1, 0, 0, 0));
	ring_exit(&a);
	ring_exit(&b);
}

struct ringfd_thread {
	struct test_ring *r;
	union probe_buf *b;
	/* before the thread has an io_uring task context */
	int enter_notctx;
	int register_notctx;
	int unreg_notctx;
	/* after it got one by submitting */
	int submit_ret;
	struct io_uring_cqe cqe;
	int cqe_ret;
	int enter_tctx;
	int register_tctx;
	/* its own registration */
	int reg_ret;
	int own_enter;
	int own_cqe_ret;
	struct io_uring_cqe own_cqe;
};

static void *ringfd_thread_fn(void *arg)
{
	struct ringfd_thread *t = arg;
	struct test_ring *r = t->r;
	struct __kernel_timespec ts = { .tv_sec = WAIT_MS / 1000 };
	struct io_uring_getevents_arg ea = { .ts = (__u64)(uintptr_t)&ts };

	t->enter_notctx = enter_reg(0, 0, 0, 0);
	t->register_notctx = io_uring_register(0, IORING_REGISTER_USE_REGISTERED_RING |
					       IORING_REGISTER_PROBE, t->b, IORING_OP_LAST);
	/* unregistering without a task context is a no-op returning 0 */
	t->unreg_notctx = unreg_one(r->fd, 0);

	if (!ring_nop(r, UD + 100)) {
		t->submit_ret = -ENOSPC;
		return NULL;
	}
	t->submit_ret = ring_submit(r, 1, 0, 0);
	t->cqe_ret = ring_pop_cqe(r, &t->cqe, WAIT_MS);

	t->enter_tctx = enter_reg(0, 0, 0, 0);
	t->register_tctx = io_uring_register(0, IORING_REGISTER_USE_REGISTERED_RING |
					     IORING_REGISTER_PROBE, t->b, IORING_OP_LAST);

	/* the thread's own table: slot 0 is free for it */
	t->reg_ret = reg_one(r->fd, r->fd, -1U);
	if (t->reg_ret != 0)
		return NULL;
	if (!ring_nop(r, UD + 101)) {
		t->own_enter = -ENOSPC;
		return NULL;
	}
	ring_flush(r);
	t->own_enter = io_uring_enter(0, 1, 1, IORING_ENTER_REGISTERED_RING |
				      IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
				      &ea, sizeof(ea));
	t->own_cqe_ret = ring_pop_cqe(r, &t->own_cqe, WAIT_MS);
	/* left registered: released when the thread exits */
	return NULL;
}

TEST(ringfd_per_task)
{
	struct ringfd_thread t;
	struct test_ring r;
	pthread_t th;

	memset(&t, 0, sizeof(t));
	t.b = calloc(1, sizeof(*t.b));
	ASSERT_NE(NULL, t.b);
	ASSERT_EQ(0, ring_init_flags(&r, 8, 0));
	ASSERT_EQ(0, reg_one(r.fd, r.fd, 0));
	t.r = &r;

	ASSERT_EQ(0, pthread_create(&th, NULL, ringfd_thread_fn, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));

	/* no task context in the new thread: -EINVAL */
	EXPECT_EQ(-EINVAL, t.enter_notctx);
	EXPECT_EQ(-EINVAL, t.register_notctx);
	EXPECT_EQ(0, t.unreg_notctx);
	/* with a context, the parent's index is just an empty slot */
	EXPECT_EQ(1, t.submit_ret);
	EXPECT_EQ(0, t.cqe_ret);
	EXPECT_EQ(UD + 100, t.cqe.user_data);
	EXPECT_EQ(0, t.cqe.res);
	EXPECT_EQ(-EBADF, t.enter_tctx);
	EXPECT_EQ(-EBADF, t.register_tctx);
	EXPECT_EQ(0, t.b->p.ops_len);
	EXPECT_EQ(0, t.reg_ret);
	EXPECT_EQ(1, t.own_enter);
	EXPECT_EQ(0, t.own_cqe_ret);
	EXPECT_EQ(UD + 101, t.own_cqe.user_data);
	EXPECT_EQ(0, t.own_cqe.res);

	/* the parent's slot 0 was neither used nor cleared by the thread */
	reg_nop_roundtrip(_metadata, &r, 0, UD);
	EXPECT_EQ(-EBADF, enter_reg(1, 0, 0, 0));
	ring_exit(&r);
	free(t.b);
}

/* A child process does not inherit the registered ring table. */
TEST(ringfd_not_inherited)
{
	struct test_ring r;
	int status;
	pid_t pid;

	ASSERT_EQ(0, ring_init_flags(&r, 8, 0));
	ASSERT_EQ(0, reg_one(r.fd, r.fd, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int a = enter_reg(0, 0, 0, 0);

		/* no io_uring task context in the child: -EINVAL */
		_exit(a == -EINVAL ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	reg_nop_roundtrip(_metadata, &r, 0, UD);
	ring_exit(&r);
}

/* ------------------------------------------------------------------------ */
/* IORING_SETUP_REGISTERED_FD_ONLY */

FIXTURE(fd_only) {
	void *rings;
	void *sqes;
};

FIXTURE_SETUP(fd_only)
{
	self->rings = mmap(NULL, page_sz(), PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->rings);
	self->sqes = mmap(NULL, page_sz(), PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sqes);
}

FIXTURE_TEARDOWN(fd_only)
{
	munmap(self->rings, page_sz());
	munmap(self->sqes, page_sz());
}

static void fd_only_params(FIXTURE_DATA(fd_only) *self, struct io_uring_params *p,
			   unsigned int flags)
{
	memset(p, 0, sizeof(*p));
	p->flags = flags;
	p->cq_off.user_addr = (uintptr_t)self->rings;
	p->sq_off.user_addr = (uintptr_t)self->sqes;
}

/* The fd number the next open() would get. */
static int lowest_free_fd(void)
{
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* A test_ring view of a ring that has no fd, only a registered index. */
static void fd_only_ring(struct test_ring *r, const struct io_uring_params *p)
{
	memset(r, 0, sizeof(*r));
	r->p = *p;
	r->fd = -1;
	r->user_mem = true;
	r->sq_ring = (void *)(uintptr_t)p->cq_off.user_addr;
	r->cq_ring = r->sq_ring;
	r->sqes = (void *)(uintptr_t)p->sq_off.user_addr;
	ring_set_ptrs(r);
}

TEST_F(fd_only, needs_no_mmap)
{
	struct io_uring_params p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_REGISTERED_FD_ONLY;
	ret = io_uring_setup(8, &p);
	EXPECT_EQ(-EINVAL, ret);
	if (ret >= 0)
		close(ret);
	/* with user memory given, but still without NO_MMAP */
	fd_only_params(self, &p, IORING_SETUP_REGISTERED_FD_ONLY);
	ret = io_uring_setup(8, &p);
	EXPECT_EQ(-EINVAL, ret);
	if (ret >= 0)
		close(ret);
	/* the setup left no registered ring behind */
	EXPECT_EQ(-EINVAL, enter_reg(0, 0, 0, 0));
}

TEST_F(fd_only, returns_index)
{
	struct io_uring_params p;
	struct test_ring helper, r;
	union probe_buf *b;
	int idx, next_fd;

	b = calloc(1, sizeof(*b));
	ASSERT_NE(NULL, b);
	/* occupy slots 0 and 2 so the lowest free index is 1 */
	ASSERT_EQ(0, ring_init_flags(&helper, 4, 0));
	ASSERT_EQ(0, reg_one(helper.fd, helper.fd, 0));
	ASSERT_EQ(2, reg_one(helper.fd, helper.fd, 2));

	/* the lowest free fd number before and after: no fd is installed */
	next_fd = lowest_free_fd();
	ASSERT_LE(0, next_fd);

	fd_only_params(self, &p, IORING_SETUP_REGISTERED_FD_ONLY | IORING_SETUP_NO_MMAP);
	idx = io_uring_setup(8, &p);
	ASSERT_EQ(1, idx);
	EXPECT_EQ(next_fd, lowest_free_fd());

	EXPECT_EQ(IORING_SETUP_REGISTERED_FD_ONLY | IORING_SETUP_NO_MMAP, p.flags);
	EXPECT_EQ(8U, p.sq_entries);
	EXPECT_EQ(16U, p.cq_entries);
	EXPECT_EQ((uintptr_t)self->rings, p.cq_off.user_addr);
	EXPECT_EQ((uintptr_t)self->sqes, p.sq_off.user_addr);
	EXPECT_EQ(IORING_FEAT_REG_REG_RING, p.features & IORING_FEAT_REG_REG_RING);

	fd_only_ring(&r, &p);
	EXPECT_EQ(8U, *r.sq_entries);
	EXPECT_EQ(16U, *r.cq_entries);
	reg_nop_roundtrip(_metadata, &r, 1, UD);
	reg_nop_roundtrip(_metadata, &r, 1, UD + 1);
	EXPECT_EQ(2U, *r.sq_head);
	EXPECT_EQ(2U, *r.cq_tail);
	/* the helper ring saw nothing */
	EXPECT_EQ(0U, load_acquire(helper.sq_head));
	EXPECT_EQ(0U, ring_cq_ready(&helper));

	EXPECT_EQ(0, io_uring_register(1, IORING_REGISTER_USE_REGISTERED_RING |
				       IORING_REGISTER_PROBE, b, IORING_OP_LAST));
	EXPECT_EQ(IORING_OP_LAST, b->p.ops_len);

	/* another one gets the next free index */
	fd_only_params(self, &p, IORING_SETUP_REGISTERED_FD_ONLY | IORING_SETUP_NO_MMAP);
	p.cq_off.user_addr = (uintptr_t)mmap(NULL, page_sz(), PROT_READ | PROT_WRITE,
					     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p.sq_off.user_addr = (uintptr_t)mmap(NULL, page_sz(), PROT_READ | PROT_WRITE,
					     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE((uintptr_t)MAP_FAILED, p.cq_off.user_addr);
	ASSERT_NE((uintptr_t)MAP_FAILED, p.sq_off.user_addr);
	EXPECT_EQ(3, io_uring_setup(4, &p));

	/* dropping the index drops the ring */
	EXPECT_EQ(1, unreg_one(helper.fd, 1));
	EXPECT_EQ(-EBADF, enter_reg(1, 0, 0, 0));
	EXPECT_EQ(1, unreg_one(helper.fd, 3));
	munmap((void *)(uintptr_t)p.cq_off.user_addr, page_sz());
	munmap((void *)(uintptr_t)p.sq_off.user_addr, page_sz());

	ring_exit(&helper);
	free(b);
}

TEST_F(fd_only, no_free_index)
{
	struct io_uring_rsrc_update u[RINGFD_MAX];
	struct io_uring_params p;
	struct test_ring helper, r;
	unsigned int i;
	int next_fd, ret;

	ASSERT_EQ(0, ring_init_flags(&helper, 4, 0));
	memset(u, 0, sizeof(u));
	for (i = 0; i < RINGFD_MAX; i++) {
		u[i].offset = -1U;
		u[i].data = (__u64)helper.fd;
	}
	ASSERT_EQ(RINGFD_MAX, reg_rings(helper.fd, u, RINGFD_MAX));

	next_fd = lowest_free_fd();
	ASSERT_LE(0, next_fd);
	fd_only_params(self, &p, IORING_SETUP_REGISTERED_FD_ONLY | IORING_SETUP_NO_MMAP);
	ret = io_uring_setup(8, &p);
	EXPECT_EQ(-EBUSY, ret);
	EXPECT_EQ(next_fd, lowest_free_fd());

	/* one slot freed: it works again */
	EXPECT_EQ(1, unreg_one(helper.fd, 9));
	fd_only_params(self, &p, IORING_SETUP_REGISTERED_FD_ONLY | IORING_SETUP_NO_MMAP);
	ASSERT_EQ(9, io_uring_setup(8, &p));
	fd_only_ring(&r, &p);
	reg_nop_roundtrip(_metadata, &r, 9, UD);
	/* all slots are released when the helper is done */
	memset(u, 0, sizeof(u));
	for (i = 0; i < RINGFD_MAX; i++)
		u[i].offset = i;
	EXPECT_EQ(RINGFD_MAX, unreg_rings(helper.fd, u, RINGFD_MAX));
	ring_exit(&helper);
}

/* ------------------------------------------------------------------------ */
/* IORING_REGISTER_RESTRICTIONS */

static int reg_restrictions(int fd, struct io_uring_restriction *res, unsigned int nr)
{
	return io_uring_register(fd, IORING_REGISTER_RESTRICTIONS, res, nr);
}

static int enable_rings(int fd)
{
	return io_uring_register(fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0);
}

static struct io_uring_restriction restr(__u16 opcode, __u8 arg)
{
	struct io_uring_restriction res;

	memset(&res, 0, sizeof(res));
	res.opcode = opcode;
	res.sqe_op = arg;
	return res;
}

static int probe(int fd, union probe_buf *b)
{
	memset(b, 0, sizeof(*b));
	return io_uring_register(fd, IORING_REGISTER_PROBE, b, IORING_OP_LAST);
}

TEST(restrictions_not_disabled)
{
	struct io_uring_restriction res = restr(IORING_RESTRICTION_SQE_OP, IORING_OP_NOP);
	struct test_ring r;

	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));
	EXPECT_EQ(-EBADFD, reg_restrictions(r.fd, &res, 1));
	/* the state check comes before any argument check */
	EXPECT_EQ(-EBADFD, reg_restrictions(r.fd, NULL, 0));
	EXPECT_EQ(-EBADFD, reg_restrictions(r.fd, NULL, MAX_RESTRICTIONS + 1));
	/* nothing is restricted */
	ASSERT_EQ(1, submit_nop(&r, UD, IOSQE_IO_LINK));
	EXPECT_CQE(&r, UD, 0, 0);
	ring_exit(&r);

	/* nor once a disabled ring has been enabled */
	ASSERT_EQ(0, ring_init_flags(&r, 4, IORING_SETUP_R_DISABLED));
	ASSERT_EQ(0, enable_rings(r.fd));
	EXPECT_EQ(-EBADFD, reg_restrictions(r.fd, &res, 1));
	ring_exit(&r);
}

TEST(restrictions_bad_args)
{
	struct io_uring_restriction res[MAX_RESTRICTIONS + 1];
	struct test_ring r;
	unsigned int i;

	ASSERT_EQ(0, ring_init_flags(&r, 4, IORING_SETUP_R_DISABLED));
	for (i = 0; i < MAX_RESTRICTIONS + 1; i++)
		res[i] = restr(IORING_RESTRICTION_SQE_OP, IORING_OP_NOP);

	EXPECT_EQ(-EINVAL, reg_restrictions(r.fd, NULL, 1));
	EXPECT_EQ(-EINVAL, reg_restrictions(r.fd, NULL, 0));
	EXPECT_EQ(-EINVAL, reg_restrictions(r.fd, res, MAX_RESTRICTIONS + 1));
	EXPECT_EQ(-EINVAL, reg_restrictions(r.fd, res, ~0U));
	EXPECT_EQ(-EFAULT, reg_restrictions(r.fd, bad_ptr(), 1));

	/* unknown restriction opcode */
	res[1] = restr(IORING_RESTRICTION_LAST, 0);
	EXPECT_EQ(-EINVAL, reg_restrictions(r.fd, res, 2));
	res[1] = restr(0xffff, 0);
	EXPECT_EQ(-EINVAL, reg_restrictions(r.fd, res, 2));
	/* out of range register / SQE opcodes */
	res[1] = restr(IORING_RESTRICTION_REGISTER_OP, IORING_REGISTER_LAST);
	EXPECT_EQ(-EINVAL, reg_restrictions(r.fd, res, 2));
	res[1] = restr(IORING_RESTRICTION_SQE_OP, IORING_OP_LAST);
	EXPECT_EQ(-EINVAL, reg_restrictions(r.fd, res, 2));
	res[1] = restr(IORING_RESTRICTION_SQE_OP, 0xff);
	EXPECT_EQ(-EINVAL, reg_restrictions(r.fd, res, 2));

	/* failures registered nothing: a full-size valid table is accepted */
	res[1] = restr(IORING_RESTRICTION_REGISTER_OP, IORING_REGISTER_LAST - 1);
	res[2] = restr(IORING_RESTRICTION_SQE_OP, IORING_OP_LAST - 1);
	EXPECT_EQ(0, reg_restrictions(r.fd, res, MAX_RESTRICTIONS));

	/* only once, and "busy" is reported before argument checks */
	EXPECT_EQ(-EBUSY, reg_restrictions(r.fd, res, 1));
	EXPECT_EQ(-EBUSY, reg_restrictions(r.fd, NULL, 0));
	EXPECT_EQ(-EBUSY, reg_restrictions(r.fd, res, MAX_RESTRICTIONS + 1));

	ASSERT_EQ(0, enable_rings(r.fd));
	ASSERT_EQ(1, submit_nop(&r, UD, 0));
	EXPECT_CQE(&r, UD, 0, 0);
	ring_exit(&r);
}

/* A rejected table is discarded whole, including its valid leading entries. */
TEST(restrictions_failed_reset)
{
	struct io_uring_restriction res[3];
	struct test_ring r;

	ASSERT_EQ(0, ring_init_flags(&r, 4, IORING_SETUP_R_DISABLED));
	res[0] = restr(IORING_RESTRICTION_SQE_OP, IORING_OP_NOP);
	res[1] = restr(IORING_RESTRICTION_SQE_FLAGS_ALLOWED, IOSQE_IO_LINK);
	res[2] = restr(IORING_RESTRICTION_SQE_OP, 0xff);
	EXPECT_EQ(-EINVAL, reg_restrictions(r.fd, res, 3));

	res[0] = restr(IORING_RESTRICTION_SQE_OP, IORING_OP_TIMEOUT);
	EXPECT_EQ(0, reg_restrictions(r.fd, res, 1));
	ASSERT_EQ(0, enable_rings(r.fd));

	ASSERT_EQ(1, submit_nop(&r, UD, 0));
	EXPECT_CQE(&r, UD, -EACCES, 0);
	ring_exit(&r);
}

TEST(restrictions_sqe_op)
{
	struct io_uring_restriction res[2];
	struct io_uring_sqe *sqe;
	struct test_ring r;
	union probe_buf *b;
	int efd;

	b = calloc(1, sizeof(*b));
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, ring_init_flags(&r, 8, IORING_SETUP_R_DISABLED));
	res[0] = restr(IORING_RESTRICTION_SQE_OP, IORING_OP_NOP);
	res[1] = restr(IORING_RESTRICTION_SQE_OP, IORING_OP_NOP);
	ASSERT_EQ(0, reg_restrictions(r.fd, res, 2));

	/* not enforced until the ring is enabled: register ops work */
	EXPECT_EQ(0, probe(r.fd, b));
	efd = eventfd(0, EFD_NONBLOCK);
	ASSERT_LE(0, efd);
	EXPECT_EQ(0, io_uring_register(r.fd, IORING_REGISTER_EVENTFD, &efd, 1));
	EXPECT_EQ(0, io_uring_register(r.fd, IORING_UNREGISTER_EVENTFD, NULL, 0));

	ASSERT_EQ(0, enable_rings(r.fd));

	ASSERT_EQ(1, submit_nop(&r, UD, 0));
	EXPECT_CQE(&r, UD, 0, 0);
	/* NOP with an injected result still passes the restriction */
	sqe = ring_nop(&r, UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->nop_flags = IORING_NOP_INJECT_RESULT;
	sqe->len = 42;
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	EXPECT_CQE(&r, UD + 1, 42, 0);

	/* other opcodes: -EACCES, before their own SQE checks */
	sqe = ring_get_sqe(&r);
	ASSERT_NE(NULL, sqe);
	sqe->opcode = IORING_OP_TIMEOUT;
	sqe->user_data = UD + 2;
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	EXPECT_CQE(&r, UD + 2, -EACCES, 0);
	sqe = ring_get_sqe(&r);
	ASSERT_NE(NULL, sqe);
	sqe->opcode = IORING_OP_READ;
	sqe->fd = -1;
	sqe->user_data = UD + 3;
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	EXPECT_CQE(&r, UD + 3, -EACCES, 0);

	/* an opcode out of range stays -EINVAL */
	sqe = ring_get_sqe(&r);
	ASSERT_NE(NULL, sqe);
	sqe->opcode = 0xff;
	sqe->user_data = UD + 4;
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	EXPECT_CQE(&r, UD + 4, -EINVAL, 0);

	/* no SQE flags were allowed */
	ASSERT_EQ(1, submit_nop(&r, UD + 5, IOSQE_ASYNC));
	EXPECT_CQE(&r, UD + 5, -EACCES, 0);
	ASSERT_EQ(1, submit_nop(&r, UD + 6, IOSQE_CQE_SKIP_SUCCESS));
	EXPECT_CQE(&r, UD + 6, -EACCES, 0);
	/* flag checks that come earlier win */
	ASSERT_EQ(1, submit_nop(&r, UD + 7, 1U << 7));
	EXPECT_CQE(&r, UD + 7, -EINVAL, 0);
	ASSERT_EQ(1, submit_nop(&r, UD + 8, IOSQE_BUFFER_SELECT));
	EXPECT_CQE(&r, UD + 8, -EOPNOTSUPP, 0);

	/* a refused link head fails the rest of its chain */
	sqe = ring_nop(&r, UD + 9);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_IO_LINK;
	ASSERT_NE(NULL, ring_nop(&r, UD + 10));
	ASSERT_EQ(2, ring_submit(&r, 2, 0, 0));
	EXPECT_CQE(&r, UD + 9, -EACCES, 0);
	EXPECT_CQE(&r, UD + 10, -ECANCELED, 0);

	/* no register opcode was allowed */
	EXPECT_EQ(-EACCES, probe(r.fd, b));
	EXPECT_EQ(-EACCES, io_uring_register(r.fd, IORING_REGISTER_EVENTFD, &efd, 1));
	EXPECT_EQ(-EACCES, io_uring_register(r.fd, IORING_REGISTER_EVENTFD, NULL, 0));
	EXPECT_EQ(-EACCES, enable_rings(r.fd));
	EXPECT_EQ(-EACCES, reg_restrictions(r.fd, res, 1));
	EXPECT_EQ(-EACCES, reg_one(r.fd, r.fd, -1U));
	EXPECT_EQ(-EINVAL, io_uring_register(r.fd, 255, NULL, 0));

	ASSERT_EQ(1, submit_nop(&r, UD + 11, 0));
	EXPECT_CQE(&r, UD + 11, 0, 0);
	close(efd);
	ring_exit(&r);
	free(b);
}

TEST(restrictions_sqe_flags)
{
	struct io_uring_restriction res[3];
	struct io_uring_sqe *sqe;
	struct test_ring r;

	ASSERT_EQ(0, ring_init_flags(&r, 8, IORING_SETUP_R_DISABLED));
	res[0] = restr(IORING_RESTRICTION_SQE_OP, IORING_OP_NOP);
	res[1] = restr(IORING_RESTRICTION_SQE_FLAGS_ALLOWED, IOSQE_IO_LINK);
	res[2] = restr(IORING_RESTRICTION_SQE_FLAGS_REQUIRED, IOSQE_ASYNC);
	ASSERT_EQ(0, reg_restrictions(r.fd, res, 3));
	ASSERT_EQ(0, enable_rings(r.fd));

	/* the required flag is missing */
	ASSERT_EQ(1, submit_nop(&r, UD, 0));
	EXPECT_CQE(&r, UD, -EACCES, 0);
	ASSERT_EQ(1, submit_nop(&r, UD + 1, IOSQE_IO_LINK));
	EXPECT_CQE(&r, UD + 1, -EACCES, 0);
	/* required alone, and required plus allowed */
	ASSERT_EQ(1, submit_nop(&r, UD + 2, IOSQE_ASYNC));
	EXPECT_CQE(&r, UD + 2, 0, 0);
	sqe = ring_nop(&r, UD + 3);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_ASYNC | IOSQE_IO_LINK;
	sqe = ring_nop(&r, UD + 4);
	ASSERT_NE(NULL, sqe);
	sqe->flags = IOSQE_ASYNC;
	ASSERT_EQ(2, ring_submit(&r, 2, 0, 0));
	EXPECT_CQE(&r, UD + 3, 0, 0);
	EXPECT_CQE(&r, UD + 4, 0, 0);
	/* a flag that is neither allowed nor required */
	ASSERT_EQ(1, submit_nop(&r, UD + 5, IOSQE_ASYNC | IOSQE_CQE_SKIP_SUCCESS));
	EXPECT_CQE(&r, UD + 5, -EACCES, 0);
	ASSERT_EQ(1, submit_nop(&r, UD + 6, IOSQE_ASYNC | IOSQE_IO_HARDLINK));
	EXPECT_CQE(&r, UD + 6, -EACCES, 0);
	EXPECT_EQ(0U, ring_cq_ready(&r));
	ring_exit(&r);
}

/* A later SQE_FLAGS_ALLOWED entry replaces an earlier one. */
TEST(restrictions_flags_last_wins)
{
	struct io_uring_restriction res[3];
	struct test_ring r;

	ASSERT_EQ(0, ring_init_flags(&r, 8, IORING_SETUP_R_DISABLED));
	res[0] = restr(IORING_RESTRICTION_SQE_FLAGS_ALLOWED, IOSQE_IO_LINK);
	res[1] = restr(IORING_RESTRICTION_SQE_OP, IORING_OP_NOP);
	res[2] = restr(IORING_RESTRICTION_SQE_FLAGS_ALLOWED, IOSQE_CQE_SKIP_SUCCESS);
	ASSERT_EQ(0, reg_restrictions(r.fd, res, 3));
	ASSERT_EQ(0, enable_rings(r.fd));

	ASSERT_EQ(1, submit_nop(&r, UD, IOSQE_IO_LINK));
	EXPECT_CQE(&r, UD, -EACCES, 0);
	/* allowed: a successful NOP with CQE_SKIP_SUCCESS posts nothing */
	ASSERT_EQ(1, submit_nop(&r, UD + 1, IOSQE_CQE_SKIP_SUCCESS));
	ASSERT_EQ(1, submit_nop(&r, UD + 2, 0));
	EXPECT_CQE(&r, UD + 2, 0, 0);
	EXPECT_EQ(0U, ring_cq_ready(&r));
	ring_exit(&r);
}

TEST(restrictions_register_op)
{
	struct io_uring_restriction res[4];
	__u32 vals[2] = { 0, 0 };
	struct test_ring r;
	union probe_buf *b;

	b = calloc(1, sizeof(*b));
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, ring_init_flags(&r, 8, IORING_SETUP_R_DISABLED));
	res[0] = restr(IORING_RESTRICTION_REGISTER_OP, IORING_REGISTER_PROBE);
	res[1] = restr(IORING_RESTRICTION_REGISTER_OP, IORING_REGISTER_RING_FDS);
	res[2] = restr(IORING_RESTRICTION_REGISTER_OP, IORING_UNREGISTER_RING_FDS);
	res[3] = restr(IORING_RESTRICTION_REGISTER_OP, IORING_REGISTER_RESTRICTIONS);
	ASSERT_EQ(0, reg_restrictions(r.fd, res, 4));
	/* not enforced yet */
	EXPECT_EQ(0, io_uring_register(r.fd, IORING_REGISTER_IOWQ_MAX_WORKERS, vals, 2));
	ASSERT_EQ(0, enable_rings(r.fd));

	EXPECT_EQ(0, probe(r.fd, b));
	EXPECT_EQ(IORING_OP_LAST, b->p.ops_len);
	/* an allowed opcode still validates its arguments */
	EXPECT_EQ(-EINVAL, io_uring_register(r.fd, IORING_REGISTER_PROBE, NULL, 1));
	/* allowed, but the ring is no longer disabled */
	EXPECT_EQ(-EBADFD, reg_restrictions(r.fd, res, 1));

	/* not listed */
	EXPECT_EQ(-EACCES, io_uring_register(r.fd, IORING_REGISTER_IOWQ_MAX_WORKERS, vals, 2));
	EXPECT_EQ(-EACCES, io_uring_register(r.fd, IORING_REGISTER_IOWQ_MAX_WORKERS, NULL, 0));
	EXPECT_EQ(-EACCES, enable_rings(r.fd));
	EXPECT_EQ(-EACCES, io_uring_register(r.fd, IORING_UNREGISTER_IOWQ_AFF, NULL, 0));

	/* the same check applies to calls through a registered index */
	ASSERT_EQ(0, reg_one(r.fd, r.fd, -1U));
	memset(b, 0, sizeof(*b));
	EXPECT_EQ(0, io_uring_register(0, IORING_REGISTER_USE_REGISTERED_RING |
				       IORING_REGISTER_PROBE, b, IORING_OP_LAST));
	EXPECT_EQ(IORING_OP_LAST, b->p.ops_len);
	EXPECT_EQ(-EACCES, io_uring_register(0, IORING_REGISTER_USE_REGISTERED_RING |
					     IORING_REGISTER_IOWQ_MAX_WORKERS, vals, 2));
	EXPECT_EQ(1, unreg_one(r.fd, 0));

	/* no SQE opcode was listed: everything is refused */
	ASSERT_EQ(1, submit_nop(&r, UD, 0));
	EXPECT_CQE(&r, UD, -EACCES, 0);
	ring_exit(&r);
	free(b);
}

/* An empty table (nr_args 0) counts as registered and allows nothing. */
TEST(restrictions_empty)
{
	struct io_uring_restriction res = restr(IORING_RESTRICTION_SQE_OP, IORING_OP_NOP);
	struct test_ring r;
	union probe_buf *b;

	b = calloc(1, sizeof(*b));
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, ring_init_flags(&r, 8, IORING_SETUP_R_DISABLED));
	EXPECT_EQ(0, reg_restrictions(r.fd, &res, 0));
	EXPECT_EQ(-EBUSY, reg_restrictions(r.fd, &res, 1));
	ASSERT_EQ(0, enable_rings(r.fd));
	ASSERT_EQ(1, submit_nop(&r, UD, 0));
	EXPECT_CQE(&r, UD, -EACCES, 0);
	EXPECT_EQ(-EACCES, probe(r.fd, b));
	ring_exit(&r);
	free(b);
}

/* 6.12 does not check the reserved fields of struct io_uring_restriction. */
TEST(restrictions_resv_ignored)
{
	struct io_uring_restriction res[2];
	struct test_ring r;

	ASSERT_EQ(0, ring_init_flags(&r, 8, IORING_SETUP_R_DISABLED));
	res[0] = restr(IORING_RESTRICTION_SQE_OP, IORING_OP_NOP);
	res[0].resv = 0xff;
	res[0].resv2[0] = 1;
	res[0].resv2[2] = ~0U;
	res[1] = restr(IORING_RESTRICTION_SQE_FLAGS_REQUIRED, 0);
	res[1].resv2[1] = 5;
	ASSERT_EQ(0, reg_restrictions(r.fd, res, 2));
	ASSERT_EQ(0, enable_rings(r.fd));
	ASSERT_EQ(1, submit_nop(&r, UD, 0));
	EXPECT_CQE(&r, UD, 0, 0);
	ring_exit(&r);
}

/* ------------------------------------------------------------------------ */
/* IORING_REGISTER_IOWQ_MAX_WORKERS */

static int max_workers(int fd, __u32 *vals)
{
	return io_uring_register(fd, IORING_REGISTER_IOWQ_MAX_WORKERS, vals, 2);
}

#define EXPECT_MAXW(fd, in0, in1, out0, out1) do {			\
	__u32 __v[4] = { (in0), (in1), 0xa5a5a5a5, 0x5a5a5a5a };	\
	EXPECT_EQ(0, max_workers(fd, __v));				\
	EXPECT_EQ((__u32)(out0), __v[0]);				\
	EXPECT_EQ((__u32)(out1), __v[1]);				\
	EXPECT_EQ(0xa5a5a5a5U, __v[2]);					\
	EXPECT_EQ(0x5a5a5a5aU, __v[3]);					\
} while (0)

struct maxw_thread {
	int fd;
	struct test_ring *r;
	pthread_barrier_t *bar;
	int notctx_ret;
	__u32 notctx[2];
	int submit_ret;
	int cqe_ret;
	int tctx_ret;
	__u32 tctx[2];
	int later_ret;
	__u32 later[2];
};

static void *maxw_thread_fn(void *arg)
{
	struct maxw_thread *t = arg;
	struct io_uring_cqe cqe;

	/* no task context yet: nothing to report */
	t->notctx_ret = max_workers(t->r->fd, t->notctx);
	/* attach: the ring's stored limits are applied to the new io-wq */
	if (ring_nop(t->r, UD + 50))
		t->submit_ret = ring_submit(t->r, 1, 0, 0);
	else
		t->submit_ret = -ENOSPC;
	t->cqe_ret = ring_pop_cqe(t->r, &cqe, WAIT_MS);
	if (!t->cqe_ret && (cqe.user_data != UD + 50 || cqe.res))
		t->cqe_ret = -EPROTO;
	t->tctx_ret = max_workers(t->r->fd, t->tctx);
	pthread_barrier_wait(t->bar);
	/* the main thread changes the limits now */
	pthread_barrier_wait(t->bar);
	t->later_ret = max_workers(t->r->fd, t->later);
	return NULL;
}

TEST(iowq_max_workers)
{
	struct test_ring r, r2;
	struct maxw_thread t;
	pthread_barrier_t bar;
	struct rlimit rl;
	__u32 v[2], lim;
	pthread_t th;

	/*
	 * The unbounded default and the clamp come from RLIMIT_NPROC; set a
	 * known value before this task's io-wq is created by its first ring.
	 */
	ASSERT_EQ(0, getrlimit(RLIMIT_NPROC, &rl));
	lim = 4321;
	if (rl.rlim_max < lim)
		lim = rl.rlim_max;
	ASSERT_LT(100U, lim);
	rl.rlim_cur = lim;
	ASSERT_EQ(0, setrlimit(RLIMIT_NPROC, &rl));

	/* bounded default: min(sq_entries of the first ring, 4 * online CPUs) */
	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));
	EXPECT_MAXW(r.fd, 0, 0, 4, lim);
	EXPECT_MAXW(r.fd, 2, 5, 4, lim);
	EXPECT_MAXW(r.fd, 0, 0, 2, 5);
	/* 0 leaves a value unchanged */
	EXPECT_MAXW(r.fd, 0, 9, 2, 5);
	EXPECT_MAXW(r.fd, 3, 0, 2, 9);
	EXPECT_MAXW(r.fd, 0, 0, 3, 9);
	/* clamped to RLIMIT_NPROC */
	EXPECT_MAXW(r.fd, lim + 1000, 0, 3, 9);
	EXPECT_MAXW(r.fd, 0, 0, lim, 9);
	EXPECT_MAXW(r.fd, 2, 0, lim, 9);

	/* values above INT_MAX, bad nr_args, bad pointers */
	v[0] = 0x80000000U;
	v[1] = 0;
	EXPECT_EQ(-EINVAL, max_workers(r.fd, v));
	EXPECT_EQ(0x80000000U, v[0]);
	v[0] = 1;
	v[1] = ~0U;
	EXPECT_EQ(-EINVAL, max_workers(r.fd, v));
	v[0] = v[1] = 0;
	EXPECT_EQ(-EINVAL, io_uring_register(r.fd, IORING_REGISTER_IOWQ_MAX_WORKERS, v, 0));
	EXPECT_EQ(-EINVAL, io_uring_register(r.fd, IORING_REGISTER_IOWQ_MAX_WORKERS, v, 1));
	EXPECT_EQ(-EINVAL, io_uring_register(r.fd, IORING_REGISTER_IOWQ_MAX_WORKERS, v, 3));
	EXPECT_EQ(-EINVAL, io_uring_register(r.fd, IORING_REGISTER_IOWQ_MAX_WORKERS, NULL, 2));
	EXPECT_EQ(-EFAULT, max_workers(r.fd, bad_ptr()));
	/* nothing changed */
	EXPECT_MAXW(r.fd, 0, 0, 2, 9);

	/* the limits belong to this task's io-wq, shared by all its rings */
	ASSERT_EQ(0, ring_init_flags(&r2, 32, 0));
	EXPECT_MAXW(r2.fd, 0, 0, 2, 9);
	ring_exit(&r2);

	/* another thread of the process */
	memset(&t, 0, sizeof(t));
	t.r = &r;
	t.bar = &bar;
	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, 2));
	ASSERT_EQ(0, pthread_create(&th, NULL, maxw_thread_fn, &t));
	pthread_barrier_wait(&bar);
	/* the thread is attached to the ring now: the new limits reach it */
	EXPECT_MAXW(r.fd, 6, 7, 2, 9);
	pthread_barrier_wait(&bar);
	ASSERT_EQ(0, pthread_join(th, NULL));
	pthread_barrier_destroy(&bar);

	EXPECT_EQ(0, t.notctx_ret);
	EXPECT_EQ(0U, t.notctx[0]);
	EXPECT_EQ(0U, t.notctx[1]);
	EXPECT_EQ(1, t.submit_ret);
	EXPECT_EQ(0, t.cqe_ret);
	/*
	 * The ring stored the last non-zero values asked for (lim + 1000 was
	 * later replaced by 2, 9 by nothing), clamped again for the thread.
	 */
	EXPECT_EQ(0, t.tctx_ret);
	EXPECT_EQ(2U, t.tctx[0]);
	EXPECT_EQ(9U, t.tctx[1]);
	EXPECT_EQ(0, t.later_ret);
	EXPECT_EQ(6U, t.later[0]);
	EXPECT_EQ(7U, t.later[1]);
	ring_exit(&r);
}

/* ------------------------------------------------------------------------ */
/* IORING_REGISTER_IOWQ_AFF / IORING_UNREGISTER_IOWQ_AFF */

static int iowq_aff(int fd, void *mask, unsigned int len)
{
	return io_uring_register(fd, IORING_REGISTER_IOWQ_AFF, mask, len);
}

static int iowq_unaff(int fd)
{
	return io_uring_register(fd, IORING_UNREGISTER_IOWQ_AFF, NULL, 0);
}

struct aff_thread {
	struct test_ring *r;
	cpu_set_t *set;
	int aff_notctx;
	int unaff_notctx;
	int submit_ret;
	int cqe_ret;
	int aff_tctx;
	int unaff_tctx;
};

static void *aff_thread_fn(void *arg)
{
	struct aff_thread *t = arg;
	struct io_uring_cqe cqe;

	t->aff_notctx = iowq_aff(t->r->fd, t->set, sizeof(*t->set));
	t->unaff_notctx = iowq_unaff(t->r->fd);
	if (ring_nop(t->r, UD + 60))
		t->submit_ret = ring_submit(t->r, 1, 0, 0);
	else
		t->submit_ret = -ENOSPC;
	t->cqe_ret = ring_pop_cqe(t->r, &cqe, WAIT_MS);
	t->aff_tctx = iowq_aff(t->r->fd, t->set, sizeof(*t->set));
	t->unaff_tctx = iowq_unaff(t->r->fd);
	return NULL;
}

TEST(iowq_affinity)
{
	struct aff_thread t;
	unsigned char *big;
	struct test_ring r;
	cpu_set_t set;
	unsigned long word;
	pthread_t th;
	int dummy = 0;

	ASSERT_EQ(0, sched_getaffinity(0, sizeof(set), &set));
	ASSERT_LT(0, CPU_COUNT(&set));
	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));

	/* unregister with nothing set */
	EXPECT_EQ(0, iowq_unaff(r.fd));
	EXPECT_EQ(0, iowq_unaff(r.fd));

	EXPECT_EQ(0, iowq_aff(r.fd, &set, sizeof(set)));
	/* a mask shorter than the kernel's cpumask is zero-extended */
	memcpy(&word, &set, sizeof(word));
	if (word) {
		EXPECT_EQ(0, iowq_aff(r.fd, &word, sizeof(word)));
	}
	/* a longer one is cut to the kernel's cpumask size: the tail is ignored */
	big = calloc(1, 8192);
	ASSERT_NE(NULL, big);
	memcpy(big, &set, sizeof(set));
	memset(big + 4096, 0xff, 4096);
	EXPECT_EQ(0, iowq_aff(r.fd, big, 8192));
	/* so the length may exceed the readable memory */
	EXPECT_EQ(0, iowq_aff(r.fd, big, 1U << 30));
	/* 6.12: an empty mask is a subset of the allowed CPUs */
	memset(big, 0, 8192);
	EXPECT_EQ(0, iowq_aff(r.fd, big, 8192));

	/* argument checks */
	EXPECT_EQ(-EINVAL, iowq_aff(r.fd, &set, 0));
	EXPECT_EQ(-EINVAL, iowq_aff(r.fd, NULL, sizeof(set)));
	EXPECT_EQ(-EINVAL, iowq_aff(r.fd, NULL, 0));
	EXPECT_EQ(-EFAULT, iowq_aff(r.fd, bad_ptr(), sizeof(set)));
	EXPECT_EQ(-EINVAL, io_uring_register(r.fd, IORING_UNREGISTER_IOWQ_AFF, &dummy, 0));
	EXPECT_EQ(-EINVAL, io_uring_register(r.fd, IORING_UNREGISTER_IOWQ_AFF, NULL, 1));

	EXPECT_EQ(0, iowq_unaff(r.fd));

	/* the affinity belongs to the calling task's io-wq */
	memset(&t, 0, sizeof(t));
	t.r = &r;
	t.set = &set;
	ASSERT_EQ(0, pthread_create(&th, NULL, aff_thread_fn, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EINVAL, t.aff_notctx);
	EXPECT_EQ(-EINVAL, t.unaff_notctx);
	EXPECT_EQ(1, t.submit_ret);
	EXPECT_EQ(0, t.cqe_ret);
	EXPECT_EQ(0, t.aff_tctx);
	EXPECT_EQ(0, t.unaff_tctx);

	/* io-wq work still completes with an affinity set */
	EXPECT_EQ(0, iowq_aff(r.fd, &set, sizeof(set)));
	ASSERT_EQ(1, submit_nop(&r, UD, IOSQE_ASYNC));
	EXPECT_CQE(&r, UD, 0, 0);
	EXPECT_EQ(0, iowq_unaff(r.fd));
	free(big);
	ring_exit(&r);
}

/* With SQPOLL the affinity applies to the SQ thread's io-wq. */
TEST(iowq_affinity_sqpoll)
{
	struct io_uring_params p;
	struct test_ring r;
	cpu_set_t set;
	int ret;

	ASSERT_EQ(0, sched_getaffinity(0, sizeof(set), &set));
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL;
	p.sq_thread_idle = 10;
	ret = ring_init(&r, 4, &p);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(0, iowq_aff(r.fd, &set, sizeof(set)));
	EXPECT_EQ(0, iowq_unaff(r.fd));
	EXPECT_EQ(0, iowq_unaff(r.fd));
	EXPECT_EQ(-EINVAL, iowq_aff(r.fd, &set, 0));
	EXPECT_EQ(-EFAULT, iowq_aff(r.fd, bad_ptr(), sizeof(set)));
	ring_exit(&r);
}

/* ------------------------------------------------------------------------ */
/* /proc/self/fdinfo/<ring fd> */

struct fdinfo {
	long sq_mask, sq_head, sq_tail, cq_mask, cq_head, cq_tail, sqes, cqes;
};

/* Value of the "Key:" line (decimal or 0x hex), or -1 if absent. */
static long fdinfo_val(const char *buf, const char *key)
{
	size_t klen = strlen(key);
	const char *line = buf;
	char *end;

	while (line && *line) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			unsigned long v = strtoul(line + klen + 1, &end, 0);

			if (end == line + klen + 1)
				return -1;
			return (long)v;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

static int read_fdinfo(int fd, struct fdinfo *fi)
{
	static char buf[65536];
	char path[64];
	size_t len = 0;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -errno;
	while (len < sizeof(buf) - 1) {
		n = read(f, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(f);
	buf[len] = '\0';
	fi->sq_mask = fdinfo_val(buf, "SqMask");
	fi->sq_head = fdinfo_val(buf, "SqHead");
	fi->sq_tail = fdinfo_val(buf, "SqTail");
	fi->cq_mask = fdinfo_val(buf, "CqMask");
	fi->cq_head = fdinfo_val(buf, "CqHead");
	fi->cq_tail = fdinfo_val(buf, "CqTail");
	fi->sqes = fdinfo_val(buf, "SQEs");
	fi->cqes = fdinfo_val(buf, "CQEs");
	return 0;
}

#define EXPECT_FDINFO(fd, sqm, sqh, sqt, cqm, cqh, cqt) do {		\
	struct fdinfo __fi;						\
	ASSERT_EQ(0, read_fdinfo(fd, &__fi));				\
	EXPECT_EQ((long)(sqm), __fi.sq_mask);				\
	EXPECT_EQ((long)(sqh), __fi.sq_head);				\
	EXPECT_EQ((long)(sqt), __fi.sq_tail);				\
	EXPECT_EQ((long)(cqm), __fi.cq_mask);				\
	EXPECT_EQ((long)(cqh), __fi.cq_head);				\
	EXPECT_EQ((long)(cqt), __fi.cq_tail);				\
	EXPECT_EQ((long)((sqt) - (sqh)), __fi.sqes);			\
	EXPECT_EQ((long)((cqt) - (cqh)), __fi.cqes);			\
} while (0)

TEST(fdinfo_counters)
{
	struct io_uring_cqe cqe;
	struct test_ring r;
	unsigned int i;

	ASSERT_EQ(0, ring_init_flags(&r, 8, 0));
	EXPECT_FDINFO(r.fd, 7, 0, 0, 15, 0, 0);

	/* 5 submitted, 3 reaped */
	for (i = 0; i < 5; i++) {
		ASSERT_NE(NULL, ring_nop(&r, UD + i));
	}
	ASSERT_EQ(5, ring_submit(&r, 5, 0, 0));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
	}
	EXPECT_FDINFO(r.fd, 7, 5, 5, 15, 3, 5);
	EXPECT_EQ(5U, *r.sq_head);
	EXPECT_EQ(3U, *r.cq_head);
	EXPECT_EQ(5U, *r.cq_tail);

	/* published but not yet submitted SQEs */
	ASSERT_NE(NULL, ring_nop(&r, UD + 5));
	ASSERT_NE(NULL, ring_nop(&r, UD + 6));
	ring_flush(&r);
	EXPECT_FDINFO(r.fd, 7, 5, 7, 15, 3, 5);

	ASSERT_EQ(2, io_uring_enter(r.fd, 2, 0, 0, NULL, 0));
	EXPECT_FDINFO(r.fd, 7, 7, 7, 15, 3, 7);

	/* the head the application stores is what is shown */
	store_release(r.cq_head, 7);
	EXPECT_FDINFO(r.fd, 7, 7, 7, 15, 7, 7);

	/* counters are free running, not masked */
	for (i = 0; i < 30; i++) {
		ASSERT_NE(NULL, ring_nop(&r, UD + 100 + i));
		ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
		ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
	}
	EXPECT_FDINFO(r.fd, 7, 37, 37, 15, 37, 37);
	ring_exit(&r);
}

TEST(fdinfo_sizes)
{
	struct io_uring_params p;
	struct test_ring r;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 100;
	ASSERT_EQ(0, ring_init(&r, 2, &p));
	ASSERT_EQ(128U, p.cq_entries);
	EXPECT_FDINFO(r.fd, 1, 0, 0, 127, 0, 0);
	ASSERT_NE(NULL, ring_nop(&r, UD));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	EXPECT_FDINFO(r.fd, 1, 1, 1, 127, 0, 1);
	ring_exit(&r);

	/* NO_SQARRAY and big SQEs/CQEs do not change the counters */
	ASSERT_EQ(0, ring_init_flags(&r, 16, IORING_SETUP_NO_SQARRAY |
				     IORING_SETUP_SQE128 | IORING_SETUP_CQE32));
	ASSERT_NE(NULL, ring_nop(&r, UD));
	ASSERT_NE(NULL, ring_nop(&r, UD + 1));
	ring_flush(&r);
	EXPECT_FDINFO(r.fd, 15, 0, 2, 31, 0, 0);
	ASSERT_EQ(2, io_uring_enter(r.fd, 2, 0, 0, NULL, 0));
	EXPECT_FDINFO(r.fd, 15, 2, 2, 31, 0, 2);
	ring_exit(&r);
}

/* A registered index does not change the ring fd's fdinfo. */
TEST(fdinfo_registered_ring)
{
	struct test_ring r;

	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));
	ASSERT_EQ(0, reg_one(r.fd, r.fd, -1U));
	reg_nop_roundtrip(_metadata, &r, 0, UD);
	reg_nop_roundtrip(_metadata, &r, 0, UD + 1);
	EXPECT_FDINFO(r.fd, 3, 2, 2, 7, 2, 2);
	ring_exit(&r);
}

TEST_HARNESS_MAIN
