// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_OP_NOP throughput.
 *   nop <name> <ops> <depth> <batch> [sqpoll]
 * depth 1 batch 1 is QD1 (one enter per op); depth 128 batch 32 keeps 128
 * in flight and submits/reaps 32 per io_uring_enter.
 */
#define _GNU_SOURCE
#include "bench.h"

static void prep_nop(struct ring *r, struct io_uring_sqe *sqe, void *arg)
{
	sqe->opcode = IORING_OP_NOP;
	sqe->user_data = 0x1234;
}

static int check_nop(struct io_uring_cqe *cqe, void *arg)
{
	if (cqe->res != 0 || cqe->user_data != 0x1234) {
		fprintf(stderr, "bench %s: nop cqe res %d data %llx\n",
			bench_name, cqe->res,
			(unsigned long long)cqe->user_data);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int depth, batch, flags = 0;
	struct ring r;
	uint64_t ops;
	int ret;

	if (argc < 5)
		fail("usage: nop <name> <ops> <depth> <batch> [sqpoll]");
	bench_name = argv[1];
	ops = parse_ul(argv[2], "ops");
	depth = parse_ul(argv[3], "depth");
	batch = parse_ul(argv[4], "batch");
	if (argc > 5 && !strcmp(argv[5], "sqpoll"))
		flags |= IORING_SETUP_SQPOLL;
	else if (argc > 5)
		fail("unknown option %s", argv[5]);

	ret = ring_setup(&r, depth, flags, 1000);
	if (ret == -EINVAL && flags)
		unsupported("setup_sqpoll", -ret);
	if (ret < 0)
		fail("io_uring_setup: %s", strerror(-ret));
	bench_depth(&r, ops, depth, batch, prep_nop, check_nop, NULL);
	return 0;
}
