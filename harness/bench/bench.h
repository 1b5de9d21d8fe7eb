/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw io_uring helpers for the `make bench` programs (no liburing).
 *
 * Every program prints one line per workload:
 *   BENCH name=<row> ops=<N> ns=<guest CLOCK_MONOTONIC ns>
 * or, when the kernel lacks a feature the row needs (found out at run time,
 * from the errno of io_uring_setup or from IORING_REGISTER_PROBE):
 *   BENCH name=<row> status=unsupported why=<what was refused>
 * and exits 0. Any other error is a failure: message on stderr, exit 1.
 * Under `-icount shift=0` one guest ns is one guest instruction.
 */
#ifndef BENCH_H
#define BENCH_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <bits/types/struct_iovec.h>	/* not sys/uio.h: its RWF_* clash with linux/fs.h */
#include <linux/io_uring.h>

#define EXIT_FAIL 1

static const char *bench_name = "?";

#define fail(...) do {							\
	fprintf(stderr, "bench %s: ", bench_name);			\
	fprintf(stderr, __VA_ARGS__);					\
	fprintf(stderr, "\n");						\
	exit(EXIT_FAIL);						\
} while (0)

static inline void unsupported(const char *why, int err)
{
	printf("BENCH name=%s status=unsupported why=%s:%s\n", bench_name,
	       why, strerrorname_np(err) ? strerrorname_np(err) : "?");
	fflush(stdout);
	exit(0);
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static inline void report(uint64_t ops, uint64_t ns)
{
	printf("BENCH name=%s ops=%llu ns=%llu\n", bench_name,
	       (unsigned long long)ops, (unsigned long long)ns);
	fflush(stdout);
}

static inline int sys_setup(unsigned int entries, struct io_uring_params *p)
{
	long r = syscall(__NR_io_uring_setup, entries, p);

	return r < 0 ? -errno : (int)r;
}

static inline int sys_enter(int fd, unsigned int to_submit,
			    unsigned int min_complete, unsigned int flags)
{
	long r = syscall(__NR_io_uring_enter, fd, to_submit, min_complete,
			 flags, NULL, 0);

	return r < 0 ? -errno : (int)r;
}

static inline int sys_register(int fd, unsigned int op, void *arg,
			       unsigned int nr)
{
	long r = syscall(__NR_io_uring_register, fd, op, arg, nr);

	return r < 0 ? -errno : (int)r;
}

struct ring {
	int fd;
	unsigned int flags;
	unsigned int *sq_head, *sq_tail, *sq_mask, *sq_flags, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned int sq_local_tail;	/* prepared, not yet published */
	unsigned int sq_pub_tail;	/* published to the kernel */
};

/*
 * Set up and map a ring. Returns 0, or -errno from io_uring_setup (the
 * caller decides whether that means "unsupported"); mapping failures are
 * fatal.
 */
static inline int ring_setup(struct ring *r, unsigned int entries,
			     unsigned int flags, unsigned int sq_idle_ms)
{
	struct io_uring_params p;
	size_t sq_sz, cq_sz;
	void *sq, *cq;
	int fd;

	memset(&p, 0, sizeof(p));
	memset(r, 0, sizeof(*r));
	p.flags = flags;
	p.sq_thread_idle = sq_idle_ms;
	fd = sys_setup(entries, &p);
	if (fd < 0)
		return fd;
	r->fd = fd;
	r->flags = flags;
	sq_sz = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	cq_sz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP) {
		if (cq_sz > sq_sz)
			sq_sz = cq_sz;
		cq_sz = sq_sz;
	}
	sq = mmap(NULL, sq_sz, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		fail("mmap sq ring: %s", strerror(errno));
	cq = sq;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
		cq = mmap(NULL, cq_sz, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_CQ_RING);
		if (cq == MAP_FAILED)
			fail("mmap cq ring: %s", strerror(errno));
	}
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
		       IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		fail("mmap sqes: %s", strerror(errno));
	r->sq_head = (unsigned int *)((char *)sq + p.sq_off.head);
	r->sq_tail = (unsigned int *)((char *)sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)((char *)sq + p.sq_off.ring_mask);
	r->sq_flags = (unsigned int *)((char *)sq + p.sq_off.flags);
	r->sq_array = (unsigned int *)((char *)sq + p.sq_off.array);
	r->cq_head = (unsigned int *)((char *)cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)((char *)cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)((char *)cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes);
	/* identity SQ array, set once */
	for (unsigned int i = 0; i < p.sq_entries; i++)
		r->sq_array[i] = i;
	r->sq_local_tail = r->sq_pub_tail = *r->sq_tail;
	return 0;
}

static inline struct io_uring_sqe *ring_sqe(struct ring *r)
{
	struct io_uring_sqe *sqe;

	sqe = &r->sqes[r->sq_local_tail & *r->sq_mask];
	r->sq_local_tail++;
	memset(sqe, 0, sizeof(*sqe));
	return sqe;
}

/* Publish the prepared SQEs; returns how many were new. */
static inline unsigned int ring_flush(struct ring *r)
{
	unsigned int n = r->sq_local_tail - r->sq_pub_tail;

	if (n)
		__atomic_store_n(r->sq_tail, r->sq_local_tail, __ATOMIC_RELEASE);
	r->sq_pub_tail = r->sq_local_tail;
	return n;
}

/*
 * Submit what was prepared and wait for at least @wait completions.
 * With SQPOLL, wake the thread if it sleeps, and enter only to wait.
 */
static inline void ring_submit_wait(struct ring *r, unsigned int wait)
{
	unsigned int n = ring_flush(r);
	unsigned int flags = wait ? IORING_ENTER_GETEVENTS : 0;
	int ret;

	if (r->flags & IORING_SETUP_SQPOLL) {
		if (n && (__atomic_load_n(r->sq_flags, __ATOMIC_ACQUIRE) &
			  IORING_SQ_NEED_WAKEUP))
			flags |= IORING_ENTER_SQ_WAKEUP;
		if (!flags)
			return;
		n = 0;
	} else if (!n && !wait) {
		return;
	}
	do {
		ret = sys_enter(r->fd, n, wait, flags);
	} while (ret == -EINTR);
	if (ret < 0)
		fail("io_uring_enter(%u, %u, %#x): %s", n, wait, flags,
		     strerror(-ret));
	if (!(r->flags & IORING_SETUP_SQPOLL) && (unsigned int)ret != n)
		fail("io_uring_enter submitted %d of %u", ret, n);
}

static inline struct io_uring_cqe *ring_peek_cqe(struct ring *r)
{
	unsigned int head = *r->cq_head;

	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return NULL;
	return &r->cqes[head & *r->cq_mask];
}

static inline void ring_cqe_seen(struct ring *r)
{
	__atomic_store_n(r->cq_head, *r->cq_head + 1, __ATOMIC_RELEASE);
}

/* Does the kernel list @op in IORING_REGISTER_PROBE? */
static inline bool ring_has_op(struct ring *r, unsigned int op)
{
	size_t sz = sizeof(struct io_uring_probe) +
		    256 * sizeof(struct io_uring_probe_op);
	struct io_uring_probe *p = calloc(1, sz);
	bool ok;

	if (!p)
		fail("calloc");
	int ret = sys_register(r->fd, IORING_REGISTER_PROBE, p, 256);

	if (ret < 0)
		fail("IORING_REGISTER_PROBE: %s", strerror(-ret));
	ok = op <= p->last_op && (p->ops[op].flags & IO_URING_OP_SUPPORTED);
	free(p);
	return ok;
}

static inline unsigned long parse_ul(const char *s, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end)
		fail("bad %s '%s'", what, s);
	return v;
}

#endif

/*
 * The common driver: keep @depth requests in flight, submit and reap in
 * batches of @batch (every enter submits what the last reap freed and waits
 * for min(batch, in flight) completions), until @ops have completed.
 * @prep fills one SQE, @check validates one CQE (non-zero: fatal).
 */
typedef void (*prep_fn)(struct ring *r, struct io_uring_sqe *sqe, void *arg);
typedef int (*check_fn)(struct io_uring_cqe *cqe, void *arg);

static inline void run_depth(struct ring *r, uint64_t ops, unsigned int depth,
			     unsigned int batch, prep_fn prep, check_fn check,
			     void *arg)
{
	uint64_t issued = 0, done = 0;
	unsigned int inflight = 0;

	while (done < ops) {
		unsigned int want, reaped = 0;

		while (inflight < depth && issued < ops) {
			prep(r, ring_sqe(r), arg);
			inflight++;
			issued++;
		}
		want = inflight < batch ? inflight : batch;
		/* completions already posted need no wait */
		ring_submit_wait(r, want);
		while (reaped < batch) {
			struct io_uring_cqe *cqe = ring_peek_cqe(r);

			if (!cqe) {
				if (reaped >= want)
					break;
				/* SQPOLL, or a wake-up before all arrived */
				ring_submit_wait(r, want - reaped);
				continue;
			}
			if (check(cqe, arg))
				exit(EXIT_FAIL);
			ring_cqe_seen(r);
			reaped++;
		}
		inflight -= reaped;
		done += reaped;
	}
}

/* Untimed warm-up of ops/16, then the timed run, then the BENCH line. */
static inline void bench_depth(struct ring *r, uint64_t ops,
			       unsigned int depth, unsigned int batch,
			       prep_fn prep, check_fn check, void *arg)
{
	uint64_t t0;

	run_depth(r, ops / 16 + 1, depth, batch, prep, check, arg);
	t0 = now_ns();
	run_depth(r, ops, depth, batch, prep, check, arg);
	report(ops, now_ns() - t0);
}
