/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal raw io_uring helpers for the io_uring selftests (no liburing).
 *
 * All syscall wrappers return the syscall result on success and -errno on
 * failure. Ring indices shared with the kernel are accessed with
 * acquire/release atomics, as required by the io_uring ABI.
 */
#ifndef __SELFTEST_IO_URING_TEST_H
#define __SELFTEST_IO_URING_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <linux/io_uring.h>
#include <linux/time_types.h>

/* Highest setup flag defined by Linux 6.12. */
#define IOU_612_LAST_SETUP_FLAG	IORING_SETUP_NO_SQARRAY

static inline int io_uring_setup(unsigned int entries,
				 struct io_uring_params *p)
{
	long ret = syscall(__NR_io_uring_setup, entries, p);

	return ret < 0 ? -errno : (int)ret;
}

static inline int io_uring_enter(int fd, unsigned int to_submit,
				 unsigned int min_complete, unsigned int flags,
				 void *arg, size_t argsz)
{
	long ret = syscall(__NR_io_uring_enter, fd, to_submit, min_complete,
			   flags, arg, argsz);

	return ret < 0 ? -errno : (int)ret;
}

static inline int io_uring_register(int fd, unsigned int opcode, void *arg,
				    unsigned int nr_args)
{
	long ret = syscall(__NR_io_uring_register, fd, opcode, arg, nr_args);

	return ret < 0 ? -errno : (int)ret;
}

static inline unsigned int load_acquire(const unsigned int *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void store_release(unsigned int *p, unsigned int v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

struct test_ring {
	int fd;
	struct io_uring_params p;
	bool user_mem;		/* IORING_SETUP_NO_MMAP: memory is the caller's */

	void *sq_ring;
	size_t sq_ring_sz;
	void *cq_ring;
	size_t cq_ring_sz;
	struct io_uring_sqe *sqes;
	size_t sqes_sz;

	unsigned int *sq_head, *sq_tail, *sq_mask, *sq_entries;
	unsigned int *sq_flags, *sq_dropped, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask, *cq_entries;
	unsigned int *cq_overflow, *cq_flags;
	struct io_uring_cqe *cqes;

	unsigned int sqe_tail;	/* local tail, published by ring_flush() */
	unsigned int sqe_shift;	/* 1 for SQE128 */
	unsigned int cqe_shift;	/* 1 for CQE32 */
};

/* Region sizes derived from the parameters returned by io_uring_setup(). */
static inline size_t ring_sq_size(const struct io_uring_params *p)
{
	return p->sq_off.array + p->sq_entries * sizeof(__u32);
}

static inline size_t ring_cq_size(const struct io_uring_params *p)
{
	size_t cqe = sizeof(struct io_uring_cqe);

	if (p->flags & IORING_SETUP_CQE32)
		cqe *= 2;
	return p->cq_off.cqes + p->cq_entries * cqe;
}

static inline size_t ring_sqes_size(const struct io_uring_params *p)
{
	size_t sqe = sizeof(struct io_uring_sqe);

	if (p->flags & IORING_SETUP_SQE128)
		sqe *= 2;
	return p->sq_entries * sqe;
}

static inline void ring_set_ptrs(struct test_ring *r)
{
	struct io_uring_params *p = &r->p;
	char *sq = r->sq_ring, *cq = r->cq_ring;

	r->sq_head = (unsigned int *)(sq + p->sq_off.head);
	r->sq_tail = (unsigned int *)(sq + p->sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + p->sq_off.ring_mask);
	r->sq_entries = (unsigned int *)(sq + p->sq_off.ring_entries);
	r->sq_flags = (unsigned int *)(sq + p->sq_off.flags);
	r->sq_dropped = (unsigned int *)(sq + p->sq_off.dropped);
	r->sq_array = NULL;
	if (!(p->flags & IORING_SETUP_NO_SQARRAY))
		r->sq_array = (unsigned int *)(sq + p->sq_off.array);

	r->cq_head = (unsigned int *)(cq + p->cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p->cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + p->cq_off.ring_mask);
	r->cq_entries = (unsigned int *)(cq + p->cq_off.ring_entries);
	r->cq_overflow = (unsigned int *)(cq + p->cq_off.overflow);
	r->cq_flags = (unsigned int *)(cq + p->cq_off.flags);
	r->cqes = (struct io_uring_cqe *)(cq + p->cq_off.cqes);

	r->sqe_shift = !!(p->flags & IORING_SETUP_SQE128);
	r->cqe_shift = !!(p->flags & IORING_SETUP_CQE32);
	r->sqe_tail = *r->sq_tail;
}

static inline void *ring_mmap(int fd, size_t len, off_t off)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, fd, off);
}

static inline void ring_exit(struct test_ring *r)
{
	if (!r->user_mem) {
		if (r->sqes && r->sqes != MAP_FAILED)
			munmap(r->sqes, r->sqes_sz);
		if (r->cq_ring && r->cq_ring != MAP_FAILED &&
		    r->cq_ring != r->sq_ring)
			munmap(r->cq_ring, r->cq_ring_sz);
		if (r->sq_ring && r->sq_ring != MAP_FAILED)
			munmap(r->sq_ring, r->sq_ring_sz);
	}
	if (r->fd >= 0)
		close(r->fd);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

/*
 * Set up a ring with the given params (@p may be NULL for defaults) and map
 * it. With IORING_SETUP_NO_MMAP the caller passes its own memory in
 * p->cq_off.user_addr (rings) and p->sq_off.user_addr (SQEs).
 * Returns 0 or -errno; on success @p (if given) holds the kernel's output.
 */
static inline int ring_init(struct test_ring *r, unsigned int entries,
			    struct io_uring_params *p)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (p)
		r->p = *p;
	ret = io_uring_setup(entries, &r->p);
	if (ret < 0)
		return ret;
	r->fd = ret;
	if (p)
		*p = r->p;

	r->sq_ring_sz = ring_sq_size(&r->p);
	r->cq_ring_sz = ring_cq_size(&r->p);
	r->sqes_sz = ring_sqes_size(&r->p);

	if (r->p.flags & IORING_SETUP_NO_MMAP) {
		r->user_mem = true;
		r->sq_ring = (void *)(uintptr_t)r->p.cq_off.user_addr;
		r->cq_ring = r->sq_ring;
		r->sqes = (void *)(uintptr_t)r->p.sq_off.user_addr;
		ring_set_ptrs(r);
		return 0;
	}

	if (r->p.features & IORING_FEAT_SINGLE_MMAP) {
		if (r->cq_ring_sz > r->sq_ring_sz)
			r->sq_ring_sz = r->cq_ring_sz;
		r->cq_ring_sz = r->sq_ring_sz;
	}
	r->sq_ring = ring_mmap(r->fd, r->sq_ring_sz, IORING_OFF_SQ_RING);
	if (r->sq_ring == MAP_FAILED)
		goto err;
	if (r->p.features & IORING_FEAT_SINGLE_MMAP) {
		r->cq_ring = r->sq_ring;
	} else {
		r->cq_ring = ring_mmap(r->fd, r->cq_ring_sz,
				       IORING_OFF_CQ_RING);
		if (r->cq_ring == MAP_FAILED)
			goto err;
	}
	r->sqes = ring_mmap(r->fd, r->sqes_sz, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		goto err;
	ring_set_ptrs(r);
	return 0;
err:
	ret = -errno;
	ring_exit(r);
	return ret;
}

static inline int ring_init_flags(struct test_ring *r, unsigned int entries,
				  unsigned int flags)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	return ring_init(r, entries, &p);
}

/* Number of SQEs queued locally but not yet consumed by the kernel. */
static inline unsigned int ring_sq_pending(struct test_ring *r)
{
	return r->sqe_tail - load_acquire(r->sq_head);
}

/* Next free SQE (zeroed), or NULL if the SQ ring is full. */
static inline struct io_uring_sqe *ring_get_sqe(struct test_ring *r)
{
	unsigned int idx, n = r->p.sq_entries;
	struct io_uring_sqe *sqe;

	if (r->sqe_tail - load_acquire(r->sq_head) >= n)
		return NULL;
	idx = r->sqe_tail & (n - 1);
	sqe = &r->sqes[idx << r->sqe_shift];
	memset(sqe, 0, sizeof(*sqe) << r->sqe_shift);
	if (r->sq_array)
		r->sq_array[idx] = idx;
	r->sqe_tail++;
	return sqe;
}

static inline struct io_uring_sqe *ring_nop(struct test_ring *r, __u64 data)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_NOP;
		sqe->user_data = data;
	}
	return sqe;
}

/* Publish locally queued SQEs to the kernel. */
static inline void ring_flush(struct test_ring *r)
{
	store_release(r->sq_tail, r->sqe_tail);
}

/* Publish SQEs and call io_uring_enter(to_submit, wait_nr, flags). */
static inline int ring_submit(struct test_ring *r, unsigned int to_submit,
			      unsigned int wait_nr, unsigned int flags)
{
	ring_flush(r);
	return io_uring_enter(r->fd, to_submit, wait_nr, flags, NULL, 0);
}

static inline unsigned int ring_cq_ready(struct test_ring *r)
{
	return load_acquire(r->cq_tail) - *r->cq_head;
}

static inline struct io_uring_cqe *ring_cqe_at(struct test_ring *r,
					       unsigned int idx)
{
	return &r->cqes[(idx & (r->p.cq_entries - 1)) << r->cqe_shift];
}

/* First unconsumed CQE or NULL; does not consume it. */
static inline struct io_uring_cqe *ring_peek_cqe(struct test_ring *r)
{
	unsigned int head = *r->cq_head;

	if (head == load_acquire(r->cq_tail))
		return NULL;
	return ring_cqe_at(r, head);
}

static inline void ring_cqe_seen(struct test_ring *r)
{
	store_release(r->cq_head, *r->cq_head + 1);
}

/*
 * Wait up to @timeout_ms for a CQE using IORING_ENTER_EXT_ARG, so a test can
 * never block forever. Returns the CQE (not consumed) or NULL on timeout or
 * error; *err (if non-NULL) gets 0 or the -errno from io_uring_enter().
 */
static inline struct io_uring_cqe *ring_wait_cqe(struct test_ring *r,
						 unsigned int timeout_ms,
						 int *err)
{
	struct __kernel_timespec ts = {
		.tv_sec = timeout_ms / 1000,
		.tv_nsec = (timeout_ms % 1000) * 1000000L,
	};
	struct io_uring_getevents_arg arg = {
		.ts = (__u64)(uintptr_t)&ts,
	};
	struct io_uring_cqe *cqe;
	int i, ret = -ETIME;

	/* bounded: a kernel returning 0 without posting must not hang us */
	for (i = 0; i < 4 && !(cqe = ring_peek_cqe(r)); i++) {
		ret = io_uring_enter(r->fd, 0, 1, IORING_ENTER_GETEVENTS |
				     IORING_ENTER_EXT_ARG, &arg, sizeof(arg));
		if (ret < 0 && ret != -EINTR)
			break;
	}
	cqe = ring_peek_cqe(r);
	if (err)
		*err = cqe ? 0 : (ret < 0 ? ret : -ETIME);
	return cqe;
}

/* Copy out and consume one CQE (16-byte part). Returns 0 or -errno. */
static inline int ring_pop_cqe(struct test_ring *r, struct io_uring_cqe *out,
			       unsigned int timeout_ms)
{
	struct io_uring_cqe *cqe;
	int err;

	cqe = ring_wait_cqe(r, timeout_ms, &err);
	if (!cqe)
		return err ? err : -ETIME;
	*out = *cqe;
	ring_cqe_seen(r);
	return 0;
}

/*
 * Whether the kernel implements @opcode, per IORING_REGISTER_PROBE on a
 * scratch ring. Tests of an opcode the kernel under test lacks SKIP and
 * name it; they never pass silently.
 */
static inline bool uring_op_supported(unsigned int opcode)
{
	struct {
		struct io_uring_probe probe;
		struct io_uring_probe_op ops[256];
	} buf;
	struct io_uring_params p;
	int fd, ret;

	memset(&p, 0, sizeof(p));
	fd = io_uring_setup(1, &p);
	if (fd < 0)
		return false;
	memset(&buf, 0, sizeof(buf));
	ret = io_uring_register(fd, IORING_REGISTER_PROBE, &buf, 256);
	close(fd);
	if (ret < 0 || opcode > buf.probe.last_op)
		return false;
	return buf.probe.ops[opcode].flags & IO_URING_OP_SUPPORTED;
}

/* Whether io_uring_setup() reports @feature (IORING_FEAT_*). */
static inline bool uring_has_feature(unsigned int feature)
{
	struct io_uring_params p;
	int fd;

	memset(&p, 0, sizeof(p));
	fd = io_uring_setup(1, &p);
	if (fd < 0)
		return false;
	close(fd);
	return p.features & feature;
}

/* ---- Ring modes: one test, run in each way a ring can run its work ---- */

/* An SQPOLL thread of a test ring sleeps after this long without work. */
#define RING_MODE_SQ_IDLE_MS	50
/* How long ring_submit_mode() waits for the SQ thread to take the SQEs. */
#define RING_MODE_WAIT_MS	5000

#define RING_MODE_DEFAULT	0
/* SQEs are issued by the SQ thread, asynchronously to io_uring_enter() */
#define RING_MODE_SQPOLL	IORING_SETUP_SQPOLL
/* completions that need task work are posted only when the task waits */
#define RING_MODE_DEFER		(IORING_SETUP_SINGLE_ISSUER | \
				 IORING_SETUP_DEFER_TASKRUN)
/* task work without interrupting the task, flagged in sq_flags */
#define RING_MODE_COOP		(IORING_SETUP_COOP_TASKRUN | \
				 IORING_SETUP_TASKRUN_FLAG)

/*
 * The variants of a fixture whose tests run once per ring mode; its
 * FIXTURE_SETUP makes the ring with ring_init_mode(variant->setup_flags).
 */
#define RING_MODE_VARIANTS(fixture)					\
	FIXTURE_VARIANT(fixture) {					\
		unsigned int setup_flags;				\
	};								\
	FIXTURE_VARIANT_ADD(fixture, default) {				\
		.setup_flags = RING_MODE_DEFAULT,			\
	};								\
	FIXTURE_VARIANT_ADD(fixture, sqpoll) {				\
		.setup_flags = RING_MODE_SQPOLL,			\
	};								\
	FIXTURE_VARIANT_ADD(fixture, defer) {				\
		.setup_flags = RING_MODE_DEFER,				\
	};								\
	FIXTURE_VARIANT_ADD(fixture, coop) {				\
		.setup_flags = RING_MODE_COOP,				\
	}

static inline int ring_init_mode(struct test_ring *r, unsigned int entries,
				 unsigned int flags)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	if (flags & IORING_SETUP_SQPOLL)
		p.sq_thread_idle = RING_MODE_SQ_IDLE_MS;
	return ring_init(r, entries, &p);
}

static inline long ring_mode_ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 +
	       (b.tv_nsec - a->tv_nsec) / 1000000;
}

/*
 * ring_submit(r, n, 0, 0) for a ring in any mode. On an SQPOLL ring enter
 * only wakes the SQ thread (if it sleeps) and returns @n at once; the
 * thread takes the SQEs on its own. Wait until it has consumed them: 6.12
 * moves the SQ head only after issuing the whole batch, so from then on
 * the requests are issued (polls armed, timespecs read), as after a plain
 * submit. -ETIME if that does not happen within RING_MODE_WAIT_MS;
 * otherwise what io_uring_enter() returned.
 */
static inline int ring_submit_mode(struct test_ring *r, unsigned int n)
{
	unsigned int flags = 0;
	struct timespec start;
	int ret;

	if (!(r->p.flags & IORING_SETUP_SQPOLL))
		return ring_submit(r, n, 0, 0);
	ring_flush(r);
	/* the tail store before the flags load; the SQ thread does the reverse */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (load_acquire(r->sq_flags) & IORING_SQ_NEED_WAKEUP)
		flags |= IORING_ENTER_SQ_WAKEUP;
	ret = io_uring_enter(r->fd, n, 0, flags, NULL, 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (ret >= 0 && ring_sq_pending(r)) {
		if (ring_mode_ms_since(&start) > RING_MODE_WAIT_MS)
			return -ETIME;
		usleep(1000);
	}
	return ret;
}

/* ---- A one-shot SIGALRM, to interrupt a wait that must end early ---- */

static volatile sig_atomic_t alarm_fired;

static inline void on_alarm(int sig)
{
	alarm_fired = 1;
}

/* Arm SIGALRM (no SA_RESTART) to fire once after @ms; 0 disarms. */
static inline int arm_alarm(unsigned int ms)
{
	struct itimerval it;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	if (sigaction(SIGALRM, &sa, NULL))
		return -errno;
	alarm_fired = 0;
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	return setitimer(ITIMER_REAL, &it, NULL) ? -errno : 0;
}

#endif /* __SELFTEST_IO_URING_TEST_H */
