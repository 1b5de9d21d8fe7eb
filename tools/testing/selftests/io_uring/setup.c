// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring_setup(2) parameter validation, following Linux 6.12 semantics.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <stdio.h>

#include "uring_test.h"

#define MAX_ENTRIES	32768U
#define MAX_CQ_ENTRIES	(2 * MAX_ENTRIES)

/* io_uring_setup() with zeroed params plus @flags/@cq; closes the ring. */
static int try_setup(unsigned int entries, unsigned int flags,
		     unsigned int cq, struct io_uring_params *out)
{
	struct io_uring_params p;
	int fd;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	p.cq_entries = cq;
	fd = io_uring_setup(entries, &p);
	if (fd >= 0) {
		close(fd);
		if (out)
			*out = p;
		return 0;
	}
	return fd;
}

TEST(entries_zero)
{
	EXPECT_EQ(-EINVAL, try_setup(0, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, try_setup(0, IORING_SETUP_CLAMP, 0, NULL));
}

TEST(entries_too_large)
{
	EXPECT_EQ(-EINVAL, try_setup(MAX_ENTRIES + 1, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, try_setup(~0U, 0, 0, NULL));
}

TEST(entries_max)
{
	struct io_uring_params p;

	ASSERT_EQ(0, try_setup(MAX_ENTRIES, 0, 0, &p));
	EXPECT_EQ(MAX_ENTRIES, p.sq_entries);
	EXPECT_EQ(MAX_CQ_ENTRIES, p.cq_entries);
}

TEST(entries_clamp)
{
	struct io_uring_params p;

	ASSERT_EQ(0, try_setup(MAX_ENTRIES + 1, IORING_SETUP_CLAMP, 0, &p));
	EXPECT_EQ(MAX_ENTRIES, p.sq_entries);
	EXPECT_EQ(MAX_CQ_ENTRIES, p.cq_entries);

	ASSERT_EQ(0, try_setup(~0U, IORING_SETUP_CLAMP, 0, &p));
	EXPECT_EQ(MAX_ENTRIES, p.sq_entries);
	EXPECT_EQ(MAX_CQ_ENTRIES, p.cq_entries);
}

TEST(entries_roundup)
{
	static const unsigned int in[] = { 1, 2, 3, 5, 8, 100, 1025 };
	static const unsigned int sq[] = { 1, 2, 4, 8, 8, 128, 2048 };
	struct io_uring_params p;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(in); i++) {
		ASSERT_EQ(0, try_setup(in[i], 0, 0, &p));
		EXPECT_EQ(sq[i], p.sq_entries);
		/* default CQ ring is twice the (rounded) SQ ring */
		EXPECT_EQ(2 * sq[i], p.cq_entries);
	}
}

TEST(cqsize_zero)
{
	EXPECT_EQ(-EINVAL, try_setup(8, IORING_SETUP_CQSIZE, 0, NULL));
	EXPECT_EQ(-EINVAL, try_setup(8, IORING_SETUP_CQSIZE |
				     IORING_SETUP_CLAMP, 0, NULL));
}

TEST(cqsize_smaller_than_sq)
{
	struct io_uring_params p;

	EXPECT_EQ(-EINVAL, try_setup(8, IORING_SETUP_CQSIZE, 4, NULL));
	EXPECT_EQ(-EINVAL, try_setup(8, IORING_SETUP_CQSIZE, 1, NULL));
	/* compared after rounding: sq 9 -> 16, cq 8 stays 8 */
	EXPECT_EQ(-EINVAL, try_setup(9, IORING_SETUP_CQSIZE, 8, NULL));
	/* sq 5 -> 8, cq 5 -> 8: equal is fine */
	ASSERT_EQ(0, try_setup(5, IORING_SETUP_CQSIZE, 5, &p));
	EXPECT_EQ(8U, p.sq_entries);
	EXPECT_EQ(8U, p.cq_entries);
	ASSERT_EQ(0, try_setup(16, IORING_SETUP_CQSIZE, 16, &p));
	EXPECT_EQ(16U, p.sq_entries);
	EXPECT_EQ(16U, p.cq_entries);
}

TEST(cqsize_roundup)
{
	struct io_uring_params p;

	ASSERT_EQ(0, try_setup(8, IORING_SETUP_CQSIZE, 100, &p));
	EXPECT_EQ(8U, p.sq_entries);
	EXPECT_EQ(128U, p.cq_entries);

	/* a CQ ring smaller than the default 2*sq is fine */
	ASSERT_EQ(0, try_setup(4, IORING_SETUP_CQSIZE, 5, &p));
	EXPECT_EQ(4U, p.sq_entries);
	EXPECT_EQ(8U, p.cq_entries);
}

TEST(cqsize_too_large)
{
	struct io_uring_params p;

	EXPECT_EQ(-EINVAL, try_setup(1, IORING_SETUP_CQSIZE,
				     MAX_CQ_ENTRIES + 1, NULL));
	EXPECT_EQ(-EINVAL, try_setup(1, IORING_SETUP_CQSIZE, ~0U, NULL));

	ASSERT_EQ(0, try_setup(1, IORING_SETUP_CQSIZE, MAX_CQ_ENTRIES, &p));
	EXPECT_EQ(1U, p.sq_entries);
	EXPECT_EQ(MAX_CQ_ENTRIES, p.cq_entries);

	ASSERT_EQ(0, try_setup(1, IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP,
			       MAX_CQ_ENTRIES + 1, &p));
	EXPECT_EQ(1U, p.sq_entries);
	EXPECT_EQ(MAX_CQ_ENTRIES, p.cq_entries);

	ASSERT_EQ(0, try_setup(1, IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP,
			       ~0U, &p));
	EXPECT_EQ(MAX_CQ_ENTRIES, p.cq_entries);
}

TEST(resv_nonzero)
{
	struct io_uring_params p;
	unsigned int i, b;
	int fd;

	for (i = 0; i < ARRAY_SIZE(p.resv); i++) {
		for (b = 0; b < 32; b += 31) {
			memset(&p, 0, sizeof(p));
			p.resv[i] = 1U << b;
			fd = io_uring_setup(4, &p);
			if (fd >= 0)
				close(fd);
			EXPECT_EQ(-EINVAL, fd) {
				TH_LOG("resv[%u] = 0x%x accepted", i, 1U << b);
			}
		}
	}
}

TEST(unknown_flags)
{
	unsigned int bit;

	/* every bit above the highest flag known to 6.12 is rejected */
	for (bit = 1; bit; bit <<= 1) {
		if (bit <= IOU_612_LAST_SETUP_FLAG)
			continue;
		EXPECT_EQ(-EINVAL, try_setup(4, bit, 0, NULL)) {
			TH_LOG("setup flag 0x%x accepted", bit);
		}
	}
	EXPECT_EQ(-EINVAL, try_setup(4, IOU_612_LAST_SETUP_FLAG << 1, 0,
				     NULL));
	EXPECT_EQ(-EINVAL, try_setup(4, 1U << 31, 0, NULL));
}

TEST(registered_fd_only_needs_no_mmap)
{
	EXPECT_EQ(-EINVAL, try_setup(4, IORING_SETUP_REGISTERED_FD_ONLY, 0,
				     NULL));
}

TEST(defer_taskrun_needs_single_issuer)
{
	EXPECT_EQ(-EINVAL, try_setup(4, IORING_SETUP_DEFER_TASKRUN, 0, NULL));
	EXPECT_EQ(0, try_setup(4, IORING_SETUP_DEFER_TASKRUN |
			       IORING_SETUP_SINGLE_ISSUER, 0, NULL));
	EXPECT_EQ(0, try_setup(4, IORING_SETUP_SINGLE_ISSUER, 0, NULL));
}

TEST(taskrun_flag_needs_coop_or_defer)
{
	EXPECT_EQ(-EINVAL, try_setup(4, IORING_SETUP_TASKRUN_FLAG, 0, NULL));
	EXPECT_EQ(0, try_setup(4, IORING_SETUP_TASKRUN_FLAG |
			       IORING_SETUP_COOP_TASKRUN, 0, NULL));
	EXPECT_EQ(0, try_setup(4, IORING_SETUP_TASKRUN_FLAG |
			       IORING_SETUP_DEFER_TASKRUN |
			       IORING_SETUP_SINGLE_ISSUER, 0, NULL));
	EXPECT_EQ(0, try_setup(4, IORING_SETUP_COOP_TASKRUN, 0, NULL));
}

TEST(params_fault)
{
	EXPECT_EQ(-EFAULT, io_uring_setup(4, NULL));
	EXPECT_EQ(-EFAULT, io_uring_setup(4, (void *)1));
	/* params are copied in before the entries are looked at */
	EXPECT_EQ(-EFAULT, io_uring_setup(0, NULL));
}

TEST(fd_cloexec)
{
	struct io_uring_params p;
	int fd, fl;

	memset(&p, 0, sizeof(p));
	fd = io_uring_setup(4, &p);
	ASSERT_LE(0, fd);
	fl = fcntl(fd, F_GETFD);
	EXPECT_EQ(FD_CLOEXEC, fl & FD_CLOEXEC);
	fl = fcntl(fd, F_GETFL);
	EXPECT_EQ(O_RDWR, fl & O_ACCMODE);
	close(fd);
}

TEST(features)
{
	struct io_uring_params p;

	ASSERT_EQ(0, try_setup(4, 0, 0, &p));
	EXPECT_EQ(IORING_FEAT_SINGLE_MMAP,
		  p.features & IORING_FEAT_SINGLE_MMAP);
	EXPECT_EQ(IORING_FEAT_NODROP,
		  p.features & IORING_FEAT_NODROP);
	EXPECT_EQ(IORING_FEAT_SUBMIT_STABLE,
		  p.features & IORING_FEAT_SUBMIT_STABLE);
}

/* output-only fields are overwritten, whatever the caller put there */
TEST(output_fields_overwritten)
{
	struct io_uring_params p, ref;
	int fd;

	ASSERT_EQ(0, try_setup(4, 0, 0, &ref));

	memset(&p, 0, sizeof(p));
	p.sq_entries = 1234;
	p.cq_entries = 5678;
	p.features = ~0U;
	memset(&p.sq_off, 0xa5, sizeof(p.sq_off));
	memset(&p.cq_off, 0x5a, sizeof(p.cq_off));
	fd = io_uring_setup(4, &p);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(4U, p.sq_entries);
	EXPECT_EQ(8U, p.cq_entries);
	EXPECT_EQ(ref.features, p.features);
	EXPECT_EQ(0, memcmp(&ref.sq_off, &p.sq_off, sizeof(p.sq_off)));
	EXPECT_EQ(0, memcmp(&ref.cq_off, &p.cq_off, sizeof(p.cq_off)));
}

static bool overlaps(size_t a, size_t alen, size_t b, size_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Check the returned offsets and the initial ring contents. */
static void check_layout(struct __test_metadata *_metadata,
			 unsigned int entries, unsigned int flags)
{
	size_t cqe_sz = sizeof(struct io_uring_cqe) *
			(flags & IORING_SETUP_CQE32 ? 2 : 1);
	struct io_uring_params p;
	struct test_ring r;
	size_t size, cqes_len, arr_len;
	__u32 fields[13];
	unsigned int i, j, n = 0;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	ASSERT_EQ(0, ring_init(&r, entries, &p)) {
		TH_LOG("flags 0x%x", flags);
	}

	size = ring_cq_size(&p);
	if (ring_sq_size(&p) > size)
		size = ring_sq_size(&p);
	cqes_len = cqe_sz * p.cq_entries;
	arr_len = 4 * p.sq_entries;

	EXPECT_EQ(0U, p.sq_off.resv1);
	EXPECT_EQ(0U, p.cq_off.resv1);
	EXPECT_EQ(0U, p.sq_off.user_addr);
	EXPECT_EQ(0U, p.cq_off.user_addr);
	EXPECT_EQ(0U, p.cq_off.cqes % 8);
	EXPECT_LE(p.cq_off.cqes + cqes_len, size);
	if (flags & IORING_SETUP_NO_SQARRAY) {
		EXPECT_EQ(0U, p.sq_off.array);
	} else {
		EXPECT_NE(0U, p.sq_off.array);
		EXPECT_EQ(0U, p.sq_off.array % 4);
		EXPECT_LE(p.sq_off.array + arr_len, size);
		EXPECT_FALSE(overlaps(p.sq_off.array, arr_len,
				      p.cq_off.cqes, cqes_len));
	}

	fields[n++] = p.sq_off.head;
	fields[n++] = p.sq_off.tail;
	fields[n++] = p.sq_off.ring_mask;
	fields[n++] = p.sq_off.ring_entries;
	fields[n++] = p.sq_off.flags;
	fields[n++] = p.sq_off.dropped;
	fields[n++] = p.cq_off.head;
	fields[n++] = p.cq_off.tail;
	fields[n++] = p.cq_off.ring_mask;
	fields[n++] = p.cq_off.ring_entries;
	fields[n++] = p.cq_off.overflow;
	fields[n++] = p.cq_off.flags;
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0U, fields[i] % 4);
		EXPECT_LE(fields[i] + 4, size);
		EXPECT_FALSE(overlaps(fields[i], 4, p.cq_off.cqes, cqes_len));
		if (!(flags & IORING_SETUP_NO_SQARRAY)) {
			EXPECT_FALSE(overlaps(fields[i], 4, p.sq_off.array,
					      arr_len));
		}
		for (j = 0; j < i; j++) {
			EXPECT_NE(fields[i], fields[j]) {
				TH_LOG("offset fields %u and %u collide", i, j);
			}
		}
	}

	EXPECT_EQ(p.sq_entries, *r.sq_entries);
	EXPECT_EQ(p.sq_entries - 1, *r.sq_mask);
	EXPECT_EQ(p.cq_entries, *r.cq_entries);
	EXPECT_EQ(p.cq_entries - 1, *r.cq_mask);
	EXPECT_EQ(0U, *r.sq_head);
	EXPECT_EQ(0U, *r.sq_tail);
	EXPECT_EQ(0U, *r.cq_head);
	EXPECT_EQ(0U, *r.cq_tail);
	EXPECT_EQ(0U, *r.sq_flags);
	EXPECT_EQ(0U, *r.sq_dropped);
	EXPECT_EQ(0U, *r.cq_overflow);
	EXPECT_EQ(0U, *r.cq_flags);
	ring_exit(&r);
}

TEST(ring_layout)
{
	check_layout(_metadata, 1, 0);
	check_layout(_metadata, 8, 0);
	check_layout(_metadata, 64, 0);
	check_layout(_metadata, 4096, 0);
	check_layout(_metadata, 8, IORING_SETUP_NO_SQARRAY);
	check_layout(_metadata, 8, IORING_SETUP_CQE32);
	check_layout(_metadata, 8, IORING_SETUP_SQE128);
	check_layout(_metadata, 256, IORING_SETUP_CQE32 |
		     IORING_SETUP_SQE128 | IORING_SETUP_NO_SQARRAY);
}

/*
 * kernel.io_uring_disabled: 0 = enabled, 1 = only CAP_SYS_ADMIN or the
 * io_uring_group may create rings, 2 = nobody may. The original value is
 * restored in the parent, even if the test child dies.
 */
#define DISABLED_PATH	"/proc/sys/kernel/io_uring_disabled"

FIXTURE(disabled) {
	int orig;
};

static int read_disabled(void)
{
	FILE *f = fopen(DISABLED_PATH, "r");
	int v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int write_disabled(int v)
{
	FILE *f = fopen(DISABLED_PATH, "w");
	int ret;

	if (!f)
		return -errno;
	ret = fprintf(f, "%d\n", v) > 0 ? 0 : -EIO;
	if (fclose(f))
		ret = -errno;
	return ret;
}

FIXTURE_SETUP(disabled)
{
	self->orig = -1;
	if (access(DISABLED_PATH, F_OK))
		SKIP(return, DISABLED_PATH " not present");
	if (geteuid())
		SKIP(return, "needs root");
	self->orig = read_disabled();
	ASSERT_LE(0, self->orig);
}

FIXTURE_TEARDOWN_PARENT(disabled)
{
	if (self->orig >= 0) {
		EXPECT_EQ(0, write_disabled(self->orig));
	}
	if (self->orig >= 0) {
		EXPECT_EQ(self->orig, read_disabled());
	}
}

TEST_F(disabled, disabled_2_eperm)
{
	ASSERT_EQ(0, write_disabled(2));
	EXPECT_EQ(-EPERM, try_setup(4, 0, 0, NULL));
	/* the sysctl is checked before anything else */
	EXPECT_EQ(-EPERM, try_setup(0, 0, 0, NULL));
	EXPECT_EQ(-EPERM, io_uring_setup(4, NULL));

	ASSERT_EQ(0, write_disabled(0));
	EXPECT_EQ(0, try_setup(4, 0, 0, NULL));
}

TEST_F(disabled, disabled_1_admin_allowed)
{
	ASSERT_EQ(0, write_disabled(1));
	/* we are root, so CAP_SYS_ADMIN lets us through */
	EXPECT_EQ(0, try_setup(4, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, try_setup(0, 0, 0, NULL));
}

TEST_F(disabled, disabled_invalid_values)
{
	/* proc_dointvec_minmax: 0..2 only */
	EXPECT_EQ(-EINVAL, write_disabled(3));
	EXPECT_EQ(-EINVAL, write_disabled(-1));
	EXPECT_EQ(self->orig, read_disabled());
}

TEST_HARNESS_MAIN
