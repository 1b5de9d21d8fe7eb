// SPDX-License-Identifier: GPL-2.0
/*
 * Ping-pong over two pipes between two threads, each with its own ring.
 *   pipe <name> <round trips>
 * Thread A: write 1 byte to pipe 1 and read the answer from pipe 2 (both
 * submitted together, the read first so that it is waiting); thread B:
 * read from pipe 1, then write to pipe 2. A read of an empty pipe cannot
 * complete inline: stock io_uring arms a poll (fast poll) and retries on
 * wake-up; a kernel without poll hands it to an io-wq worker.
 * One op = one round trip (two reads and two writes).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include "bench.h"

static int p1[2], p2[2];
static uint64_t trips;

static void submit_rw(struct ring *r, int op, int fd, char *buf,
		      uint64_t data)
{
	struct io_uring_sqe *sqe = ring_sqe(r);

	sqe->opcode = op;
	sqe->fd = fd;
	sqe->addr = (uintptr_t)buf;
	sqe->len = 1;
	sqe->off = -1ull;	/* pipes: current position */
	sqe->user_data = data;
}

static void reap(struct ring *r, unsigned int n)
{
	while (n) {
		struct io_uring_cqe *cqe = ring_peek_cqe(r);

		if (!cqe) {
			ring_submit_wait(r, n);
			continue;
		}
		if (cqe->res != 1)
			fail("pipe %s res %d (%s)",
			     cqe->user_data ? "write" : "read", cqe->res,
			     cqe->res < 0 ? strerror(-cqe->res) : "short");
		ring_cqe_seen(r);
		n--;
	}
}

static void *thread_b(void *arg)
{
	struct ring r;
	char c;
	int ret = ring_setup(&r, 8, 0, 0);

	if (ret < 0)
		fail("io_uring_setup: %s", strerror(-ret));
	__atomic_store_n((int *)arg, 1, __ATOMIC_RELEASE);
	for (uint64_t i = 0; i < trips; i++) {
		submit_rw(&r, IORING_OP_READ, p1[0], &c, 0);
		ring_submit_wait(&r, 1);
		reap(&r, 1);
		submit_rw(&r, IORING_OP_WRITE, p2[1], &c, 1);
		ring_submit_wait(&r, 1);
		reap(&r, 1);
	}
	return NULL;
}

static void run_a(struct ring *r, uint64_t n)
{
	char out = 'x', in;

	for (uint64_t i = 0; i < n; i++) {
		submit_rw(r, IORING_OP_READ, p2[0], &in, 0);
		submit_rw(r, IORING_OP_WRITE, p1[1], &out, 1);
		ring_submit_wait(r, 2);
		reap(r, 2);
	}
}

int main(int argc, char **argv)
{
	uint64_t ops, warm, t0;
	pthread_t tb;
	int ready = 0, ret;
	struct ring r;

	if (argc < 3)
		fail("usage: pipe <name> <round trips>");
	bench_name = argv[1];
	ops = parse_ul(argv[2], "ops");
	warm = ops / 16 + 1;
	trips = warm + ops;
	if (pipe(p1) || pipe(p2))
		fail("pipe: %s", strerror(errno));

	ret = ring_setup(&r, 8, 0, 0);
	if (ret < 0)
		fail("io_uring_setup: %s", strerror(-ret));
	if (!ring_has_op(&r, IORING_OP_READ) ||
	    !ring_has_op(&r, IORING_OP_WRITE))
		unsupported("probe_read_write", EOPNOTSUPP);
	if (pthread_create(&tb, NULL, thread_b, &ready))
		fail("pthread_create");
	while (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE))
		sched_yield();
	run_a(&r, warm);
	t0 = now_ns();
	run_a(&r, ops);
	report(ops, now_ns() - t0);
	pthread_join(tb, NULL);
	return 0;
}
