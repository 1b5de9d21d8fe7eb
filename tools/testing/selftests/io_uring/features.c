// SPDX-License-Identifier: GPL-2.0
/*
 * What a kernel says it can do: the exact opcode list of
 * IORING_REGISTER_PROBE and the exact feature mask of io_uring_setup().
 *
 * Other tests skip a case when its opcode or feature is missing, so on
 * their own they cannot notice a kernel that stops offering something.
 * This test pins both lists for the kernel under test, named by the
 * harness in IOU_KERNEL: "stock" must report all of 6.12; "ours" must
 * report exactly what the clean-room implementation offers today, which
 * grows towards 6.12's as features land (update the table with them).
 */
#include "kselftest_harness.h"

#include <stdio.h>
#include <stdlib.h>

#include "uring_test.h"

#define OP(x)	(1ULL << IORING_OP_##x)

/* Every opcode and feature of Linux 6.12. */
#define ALL_612_OPS	((1ULL << IORING_OP_LAST) - 1)
#define ALL_612_FEATS	((IORING_FEAT_MIN_TIMEOUT << 1) - 1)

/* What ours offers today. */
#define OURS_OPS (OP(NOP) | OP(READV) | OP(WRITEV) | OP(FSYNC) |		\
		  OP(READ_FIXED) | OP(WRITE_FIXED) | OP(POLL_ADD) |		\
		  OP(POLL_REMOVE) | OP(SYNC_FILE_RANGE) | OP(TIMEOUT) |		\
		  OP(TIMEOUT_REMOVE) | OP(ASYNC_CANCEL) | OP(LINK_TIMEOUT) |	\
		  OP(FALLOCATE) | OP(OPENAT) | OP(CLOSE) | OP(FILES_UPDATE) |	\
		  OP(STATX) | OP(READ) | OP(WRITE) | OP(FADVISE) |		\
		  OP(MADVISE) | OP(OPENAT2) | OP(EPOLL_CTL) | OP(MSG_RING) |	\
		  OP(WAITID) | OP(FUTEX_WAIT) | OP(FUTEX_WAKE) |		\
		  OP(FUTEX_WAITV) | OP(FIXED_FD_INSTALL) | OP(FTRUNCATE) |	\
		  OP(PROVIDE_BUFFERS) | OP(REMOVE_BUFFERS) |			\
		  OP(READ_MULTISHOT))
#define OURS_FEATS	(ALL_612_FEATS & ~IORING_FEAT_RECVSEND_BUNDLE)

struct expected {
	unsigned long long ops;
	unsigned int feats;
};

/* The lists for the kernel the harness says this is, or NULL. */
static const struct expected *expected_for_kernel(void)
{
	static const struct expected stock = { ALL_612_OPS, ALL_612_FEATS };
	static const struct expected ours = { OURS_OPS, OURS_FEATS };
	const char *k = getenv("IOU_KERNEL");

	if (!k)
		return NULL;
	if (!strcmp(k, "stock"))
		return &stock;
	if (!strcmp(k, "ours"))
		return &ours;
	return NULL;
}

/* The opcodes IORING_REGISTER_PROBE marks supported, as a bit mask. */
static int probe_ops(int fd, unsigned long long *mask, unsigned int *last)
{
	size_t len = sizeof(struct io_uring_probe) +
		     256 * sizeof(struct io_uring_probe_op);
	struct io_uring_probe *p = calloc(1, len);
	int i, ret;

	if (!p)
		return -ENOMEM;
	ret = io_uring_register(fd, IORING_REGISTER_PROBE, p, 256);
	if (ret < 0) {
		free(p);
		return ret;
	}
	*mask = 0;
	*last = p->last_op;
	for (i = 0; i < p->ops_len && i < 64; i++)
		if (p->ops[i].flags & IO_URING_OP_SUPPORTED)
			*mask |= 1ULL << i;
	free(p);
	return 0;
}

/* Opcode numbers set in @bits, for the log. */
static void log_ops(struct __test_metadata *_metadata, const char *what,
		    unsigned long long bits)
{
	char buf[512];
	int i, n = 0;

	buf[0] = 0;
	for (i = 0; i < 64 && n < (int)sizeof(buf) - 8; i++)
		if (bits & (1ULL << i))
			n += snprintf(buf + n, sizeof(buf) - n, " %d", i);
	TH_LOG("%s:%s", what, buf);
}

TEST(probe_lists_exactly_the_expected_opcodes)
{
	const struct expected *want = expected_for_kernel();
	struct io_uring_params p = { };
	unsigned long long ops;
	unsigned int last;
	int fd;

	if (!want)
		SKIP(return, "IOU_KERNEL is not stock or ours: nothing to compare with");
	fd = io_uring_setup(4, &p);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, probe_ops(fd, &ops, &last));
	/* 6.12 reports the last opcode it knows, supported or not */
	EXPECT_EQ((unsigned int)(IORING_OP_LAST - 1), last);
	EXPECT_EQ(want->ops, ops) {
		log_ops(_metadata, "missing", want->ops & ~ops);
		log_ops(_metadata, "unexpected", ops & ~want->ops);
	}
	close(fd);
}

TEST(setup_reports_exactly_the_expected_features)
{
	const struct expected *want = expected_for_kernel();
	struct io_uring_params p = { };
	int fd;

	if (!want)
		SKIP(return, "IOU_KERNEL is not stock or ours: nothing to compare with");
	fd = io_uring_setup(4, &p);
	ASSERT_LE(0, fd);
	EXPECT_EQ(want->feats, p.features) {
		TH_LOG("missing 0x%x, unexpected 0x%x",
		       want->feats & ~p.features, p.features & ~want->feats);
	}
	close(fd);
}

TEST_HARNESS_MAIN
