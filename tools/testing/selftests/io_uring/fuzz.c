// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded, time-bounded io_uring fuzzer.
 *
 * Worker threads build random but well-formed SQE streams (every opcode
 * number below IORING_OP_LAST, random IOSQE flags, links and drains, bad
 * fds and addresses, fixed files and buffers replaced under the requests),
 * make random registration calls, and close, fork, exec and exit around
 * rings with requests in flight. Rings are set up with random flags.
 *
 * The oracle is mostly the kernel itself (no crash, hang, splat or leak:
 * the harness watches for those); here every syscall must return success
 * or a negative errno, io_uring_enter() never more than it was asked to
 * submit, and every CQE must carry a user_data this program made.
 *
 * Data buffers live in memory the test maps and never unmaps; files live
 * in a mkdtemp() directory under /tmp, removed at the end; no path ever
 * leaves that directory and no fd outside the test's own is touched.
 *
 * Environment:
 *   IOU_FUZZ_SEED     seed (default: from the clock; printed)
 *   IOU_FUZZ_SQES     stop after this many SQEs (default 20000)
 *   IOU_FUZZ_SECS     or after this many seconds (default 20)
 *   IOU_FUZZ_THREADS  workers (default 3); 1 replays a seed, no fork/exec
 *   IOU_FUZZ_SAFE=1   no fork, exec or SQPOLL (for a smoke test on a host)
 *   IOU_FUZZ_FAILNTH=1  instead: fault injection with fail-nth on setup,
 *                     registration and submission
 */
#include "kselftest_harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "uring_test.h"

#define MAX_THREADS	16
#define MAX_ERRNO	4095
#define SLACK_SECS	120	/* teardown allowance on top of IOU_FUZZ_SECS */

struct fuzz_cfg {
	unsigned long long seed;
	unsigned long sqes;
	unsigned int secs;
	unsigned int threads;
	bool safe;
	bool failnth;
};

static struct fuzz_cfg cfg;
static char tmpdir[64];
static int dirfd_tmp = -1;
static long deadline_ms;
static unsigned long sqes_done;		/* atomic */
static unsigned long rings_made;	/* atomic */
static unsigned long failures;		/* atomic */
static unsigned int workers_done;	/* atomic */

/*
 * Where the workers' time goes, summed over threads and printed at the end:
 * the fuzzer's throughput under an emulated debug kernel is what bounds how
 * many SQEs a run can afford, so it should be spent submitting.
 */
enum spent { T_SETUP, T_SUBMIT, T_WAIT, T_REGISTER, T_THREAD, T_FORK,
	     T_DRAIN, T_CLOSE, T_NR };
static const char * const spent_names[T_NR] = {
	"setup", "submit", "wait", "register", "thread", "fork", "drain", "close",
};
static unsigned long spent_ms[T_NR];	/* atomic */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static long spend(enum spent what, long since)
{
	long now = now_ms();

	__atomic_fetch_add(&spent_ms[what], now - since, __ATOMIC_RELAXED);
	return now;
}

static __u64 rnd64(__u64 *s)
{
	__u64 x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static __u32 rnd(__u64 *s, __u32 n)
{
	return n ? (__u32)(rnd64(s) >> 32) % n : 0;
}

/* true with probability 1/n */
static bool one_in(__u64 *s, __u32 n)
{
	return rnd(s, n) == 0;
}

static void bad(const char *fmt, ...)
{
	va_list ap;
	char buf[256];
	int n;

	n = snprintf(buf, sizeof(buf), "# fuzz: BAD: ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
	/* no stdio: a forked child may not get its lock */
	if (write(STDOUT_FILENO, buf, n) < 0)
		return;
}

/* a syscall result must be success (>= 0) or a negative errno */
static void check_ret(const char *what, long ret)
{
	if (ret < -MAX_ERRNO)
		bad("%s returned %ld", what, ret);
}

static bool time_up(void)
{
	return now_ms() >= deadline_ms ||
	       __atomic_load_n(&sqes_done, __ATOMIC_RELAXED) >= cfg.sqes;
}

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

static void load_cfg(void)
{
	const char *v = getenv("IOU_FUZZ_SEED");
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	cfg.seed = ts.tv_sec * 1000003ULL ^ ts.tv_nsec ^ ((__u64)getpid() << 32);
	if (v && *v)
		cfg.seed = strtoull(v, NULL, 0);
	cfg.sqes = env_ul("IOU_FUZZ_SQES", 20000);
	cfg.secs = env_ul("IOU_FUZZ_SECS", 20);
	cfg.threads = env_ul("IOU_FUZZ_THREADS", 3);
	if (cfg.threads < 1)
		cfg.threads = 1;
	if (cfg.threads > MAX_THREADS)
		cfg.threads = MAX_THREADS;
	cfg.safe = env_ul("IOU_FUZZ_SAFE", 0);
	cfg.failnth = env_ul("IOU_FUZZ_FAILNTH", 0);
}

/* ---- the scratch directory ---- */

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(path) && errno != ENOENT ? -1 : 0;
}

static int tmp_create(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/iou-fuzz.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -errno;
	dirfd_tmp = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd_tmp < 0)
		return -errno;
	return mkfifoat(dirfd_tmp, "fifo", 0600) ? -errno : 0;
}

/* requests of closed rings may still create entries for a moment */
static void tmp_remove(void)
{
	int i;

	if (dirfd_tmp >= 0)
		close(dirfd_tmp);
	dirfd_tmp = -1;
	for (i = 0; i < 50 && tmpdir[0]; i++) {
		if (!nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT))
			return;
		usleep(100000);
	}
	ksft_print_msg("fuzz: could not remove %s\n", tmpdir);
}

/* ---- per-worker state ---- */

#define PAGE		4096UL
#define DATA_SZ		(128 * 1024)	/* I/O buffers, fixed buffers in front */
#define SCRATCH_SZ	(64 * 1024)	/* iovecs, timespecs, paths, ... */
#define SLOT_SZ		256
#define NBUF		4		/* fixed buffers of FBUF_SZ each */
#define FBUF_SZ		(16 * 1024)
#define NFIX		8		/* fixed file slots */
#define NVICT		16		/* fds handed to IORING_OP_CLOSE */
#define NRECENT		16
#define NPBUF		3		/* buffer groups the SQEs select from */
#define PBUF_SZ		4096		/* a ring of at most 256 entries */
#define FILE_MAX	(1024 * 1024)	/* bound of offsets and sizes in files */

/* user_data: seq << 16 | UD_* | opcode */
#define UD_FD		(1U << 8)	/* res >= 0 is an fd to close */
#define UD_VICTIM	(1U << 9)	/* a CLOSE of victim[UD_VIDX] */
#define UD_CHILD	(1U << 10)	/* submitted by a forked child */
#define UD_EXT		(1U << 11)	/* MSG_RING data or rsrc tag: any res */
#define UD_VIDX(ud)	(((ud) >> 12) & (NVICT - 1))

struct worker {
	int idx;
	__u64 rng;
	bool child;			/* forked: no fd results, no victims */
	struct test_ring r, r2;		/* r2: target of MSG_RING and polls */
	int pipes[2][2], efd, sock[2], epfd, file;
	int victim[NVICT];		/* -1: free */
	bool fds_scarce;		/* too many fds lost with closed rings */
	__u64 seq, recent[NRECENT];
	int pers[4];
	char *data, *scratch;
	/* provided buffer rings of w->r, groups 0..NPBUF-1, in pbuf_mem */
	char *pbuf_mem;
	struct io_uring_buf_ring *pbuf[NPBUF];	/* NULL: not registered */
	unsigned int pbuf_entries[NPBUF];
	__u16 pbuf_tail[NPBUF];
	unsigned int slot;
	timer_t guard;
	bool has_guard;
	pthread_t th;
};

static struct worker workers[MAX_THREADS];
static int ring_fds[MAX_THREADS];	/* each worker's ring, for the others */
static char *unmapped;			/* PROT_NONE, never mapped */

static const char * const names[] = {
	"f0", "f1", "d0", "d0/f0", "d0/d1", "fifo", "s0", "d0/s1", "",
};

static void *slot(struct worker *w)
{
	void *p = w->scratch + (w->slot++ % (SCRATCH_SZ / SLOT_SZ)) * SLOT_SZ;

	memset(p, 0, SLOT_SZ);
	return p;
}

/* data plus a PROT_NONE page after it, so copies past the end fault */
static char *map_arena(size_t sz)
{
	char *p = mmap(NULL, sz + PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	mprotect(p + sz, PAGE, PROT_NONE);
	return p;
}

/* ---- a per-thread timer that interrupts a call that may block ---- */

static void on_guard(int sig)
{
}

static void guard_init(struct worker *w)
{
	struct sigevent sev;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGUSR1;
	sev._sigev_un._tid = gettid();
	w->has_guard = !timer_create(CLOCK_MONOTONIC, &sev, &w->guard);
}

static void guard_arm(struct worker *w, unsigned int ms)
{
	struct itimerspec it = { .it_value = { ms / 1000, (ms % 1000) * 1000000L } };

	if (w->has_guard)
		timer_settime(w->guard, 0, &it, NULL);
}

/* ---- fds the worker owns ---- */

static void pool_close(struct worker *w)
{
	int *fds = &w->pipes[0][0], i;

	for (i = 0; i < 9; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

static void pool_open(struct worker *w)
{
	char name[16];

	pool_close(w);
	if (pipe2(w->pipes[0], O_NONBLOCK) || pipe(w->pipes[1]))
		bad("pipe: %d", errno);
	w->efd = eventfd(0, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, w->sock)) {
		w->sock[0] = -1;
		w->sock[1] = -1;
	}
	w->epfd = epoll_create1(0);
	snprintf(name, sizeof(name), "w%d", w->idx);
	w->file = openat(dirfd_tmp, name, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (w->file >= 0 && pwrite(w->file, w->data, 8192, 0) < 0)
		bad("pwrite: %d", errno);
}

/* mostly one of ours, sometimes one that is certainly not open */
static int pick_fd(struct worker *w)
{
	static const int badfd[] = { -1, 1 << 20, INT32_MAX, INT32_MIN };
	int other = ring_fds[rnd(&w->rng, cfg.threads)];

	switch (rnd(&w->rng, 16)) {
	case 0: return badfd[rnd(&w->rng, 4)];
	case 1: case 2: return w->r.fd;
	case 3: return w->r2.fd;
	case 4: return other;
	case 5: return dirfd_tmp;
	default: return (&w->pipes[0][0])[rnd(&w->rng, 9)];
	}
}

/* ---- rings with random setup flags ---- */

static int make_ring(struct worker *w, struct test_ring *r, bool small)
{
	static const __u32 base[] = {
		0, IORING_SETUP_SQPOLL,
		IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
		IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
		IORING_SETUP_SINGLE_ISSUER, IORING_SETUP_SUBMIT_ALL,
	};
	static const __u32 extra[] = {
		IORING_SETUP_CQE32, IORING_SETUP_SQE128, IORING_SETUP_CQSIZE,
		IORING_SETUP_NO_SQARRAY, IORING_SETUP_CLAMP,
		IORING_SETUP_R_DISABLED,
	};
	struct io_uring_params p;
	unsigned int entries = 1U << rnd(&w->rng, small ? 3 : 7);
	int i, ret;

	memset(&p, 0, sizeof(p));
	p.flags = base[rnd(&w->rng, 6)];
	for (i = 0; i < 6; i++)
		if (one_in(&w->rng, i == 5 ? 40 : 5))
			p.flags |= extra[i];
	if ((p.flags & IORING_SETUP_SQPOLL) && (cfg.safe || w->child))
		p.flags &= ~IORING_SETUP_SQPOLL;
	p.sq_thread_idle = 1 + rnd(&w->rng, 50);
	p.cq_entries = entries;		/* CQSIZE: a CQ no bigger than the SQ */
	ret = ring_init(r, entries, &p);
	check_ret("io_uring_setup", ret);
	if (ret) {
		memset(&p, 0, sizeof(p));
		ret = ring_init(r, entries, &p);
	}
	if (ret) {
		bad("io_uring_setup(%u, 0): %d", entries, ret);
		return ret;
	}
	__atomic_fetch_add(&rings_made, 1, __ATOMIC_RELAXED);
	return 0;
}

/* ---- SQE contents ---- */

static __u64 ptr(void *p)
{
	return (__u64)(uintptr_t)p;
}

static __u64 bad_addr(struct worker *w)
{
	switch (rnd(&w->rng, 4)) {
	case 0: return 0;
	case 1: return (__u64)(uintptr_t)unmapped + rnd(&w->rng, 1 << 20);
	case 2: return 0xffff800000000000ULL;
	default: return (__u64)(uintptr_t)w->data + DATA_SZ - rnd(&w->rng, 64);
	}
}

/* a buffer of *len bytes in our data area (or a bad one) */
static __u64 pick_buf(struct worker *w, __u32 *len)
{
	__u32 off;

	*len = one_in(&w->rng, 4) ? rnd(&w->rng, 16384) : rnd(&w->rng, 512);
	if (one_in(&w->rng, 10))
		return bad_addr(w);
	off = rnd(&w->rng, DATA_SZ - *len);
	return (__u64)(uintptr_t)(w->data + off);
}

static __u64 pick_off(struct worker *w)
{
	return one_in(&w->rng, 4) ? (__u64)-1 : rnd(&w->rng, FILE_MAX - 16384);
}

/* a name in our directory; a bad one never points at bytes we read */
static __u64 pick_path(struct worker *w)
{
	if (one_in(&w->rng, 12))
		return one_in(&w->rng, 2) ? ptr(unmapped) : 0xffff800000000000ULL * rnd(&w->rng, 2);
	return (__u64)(uintptr_t)names[rnd(&w->rng, ARRAY_SIZE(names))];
}

static __u64 pick_ts(struct worker *w, bool multishot)
{
	struct __kernel_timespec *ts = slot(w);
	long ns = rnd(&w->rng, 20000000);

	if (one_in(&w->rng, 16))
		return bad_addr(w);
	ts->tv_nsec = multishot ? 1000000 + ns : ns;
	if (one_in(&w->rng, 50))
		ts->tv_nsec = -1;	/* invalid */
	return (__u64)(uintptr_t)ts;
}

static __u64 mk_ud(struct worker *w, __u8 op, __u32 bits)
{
	__u64 ud = (++w->seq << 16) | bits | op;

	if (w->child)
		ud |= UD_CHILD;
	return ud;
}

static __u64 recent_ud(struct worker *w)
{
	return one_in(&w->rng, 8) ? rnd64(&w->rng) : w->recent[rnd(&w->rng, NRECENT)];
}

static __u8 pick_flags(struct worker *w)
{
	static const __u8 flag[] = {
		IOSQE_IO_LINK, IOSQE_IO_HARDLINK, IOSQE_IO_DRAIN, IOSQE_ASYNC,
		IOSQE_CQE_SKIP_SUCCESS, IOSQE_BUFFER_SELECT, IOSQE_FIXED_FILE,
	};
	static const __u8 one_in_n[] = { 6, 16, 24, 6, 10, 40, 8 };
	unsigned int i;
	__u8 f = 0;

	for (i = 0; i < ARRAY_SIZE(flag); i++)
		if (one_in(&w->rng, one_in_n[i]))
			f |= flag[i];
	return f;
}

static __u8 pick_op(struct worker *w)
{
	static const __u8 hot[] = {
		IORING_OP_NOP, IORING_OP_READ, IORING_OP_WRITE,
		IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE, IORING_OP_TIMEOUT,
		IORING_OP_TIMEOUT_REMOVE, IORING_OP_LINK_TIMEOUT,
		IORING_OP_ASYNC_CANCEL, IORING_OP_READ_FIXED,
		IORING_OP_WRITE_FIXED, IORING_OP_FILES_UPDATE,
		IORING_OP_MSG_RING, IORING_OP_CLOSE, IORING_OP_OPENAT,
		IORING_OP_READV,
	};

	if (!cfg.safe && one_in(&w->rng, 200))
		return IORING_OP_LAST + rnd(&w->rng, 4);
	if (one_in(&w->rng, 2))
		return hot[rnd(&w->rng, ARRAY_SIZE(hot))];
	return rnd(&w->rng, IORING_OP_LAST);
}

/* an iovec array of 1..4 entries in scratch memory */
static __u64 pick_iov(struct worker *w, __u32 *nr)
{
	struct iovec *iov = slot(w);
	__u32 i, len;

	*nr = 1 + rnd(&w->rng, 4);
	for (i = 0; i < *nr; i++) {
		iov[i].iov_base = (void *)(uintptr_t)pick_buf(w, &len);
		iov[i].iov_len = len;
	}
	if (one_in(&w->rng, 30))
		*nr = one_in(&w->rng, 2) ? 0 : 1025;
	return (__u64)(uintptr_t)iov;
}

/* a victim fd for IORING_OP_CLOSE: a dup of a pipe end, or a bad fd */
static int pick_victim(struct worker *w, __u32 *bits)
{
	int i = rnd(&w->rng, NVICT);

	if (w->child || w->victim[i] >= 0 || w->fds_scarce || one_in(&w->rng, 4))
		return pick_fd(w) == w->r.fd ? w->r.fd : -1;
	w->victim[i] = dup(w->pipes[1][0]);
	if (w->victim[i] < 0)
		return -1;
	*bits |= UD_VICTIM | (i << 12);
	return w->victim[i];
}

/* never AT_FDCWD: relative names resolve in our directory or nowhere */
static int pick_dirfd(struct worker *w)
{
	return one_in(&w->rng, 10) ? pick_fd(w) : dirfd_tmp;
}

/* the fields of the other opcodes; every pointer is ours or bad */
static void gen_sqe_more(struct worker *w, struct io_uring_sqe *sqe, __u32 *bits)
{
	static const __u8 advice[] = { 0, 1, 2, 3, 4, 8, 20, 21 };
	bool direct = one_in(&w->rng, 3);
	struct sockaddr_un *sun;
	struct msghdr *msg;
	__u64 *p;
	__u32 len;

	switch (sqe->opcode) {	/* network opcodes: mostly on the socket pair */
	case IORING_OP_SENDMSG ... IORING_OP_RECVMSG:
	case IORING_OP_ACCEPT: case IORING_OP_CONNECT:
	case IORING_OP_SEND: case IORING_OP_RECV: case IORING_OP_SHUTDOWN:
	case IORING_OP_URING_CMD ... IORING_OP_SENDMSG_ZC:
	case IORING_OP_BIND: case IORING_OP_LISTEN:
		if (!(sqe->flags & IOSQE_FIXED_FILE) && !one_in(&w->rng, 4))
			sqe->fd = w->sock[rnd(&w->rng, 2)];
		break;
	}
	switch (sqe->opcode) {
	case IORING_OP_FSYNC:
	case IORING_OP_SYNC_FILE_RANGE:
	case IORING_OP_FTRUNCATE:
		sqe->addr = 0;
		sqe->len = sqe->opcode == IORING_OP_FTRUNCATE ? 0 : rnd(&w->rng, 65536);
		sqe->fsync_flags = rnd(&w->rng, 2);
		break;
	case IORING_OP_SHUTDOWN:
	case IORING_OP_LISTEN:
		sqe->addr = 0;
		sqe->off = 0;
		sqe->len = rnd(&w->rng, 3);		/* how, backlog */
		break;
	case IORING_OP_READ_MULTISHOT:
		sqe->flags |= IOSQE_BUFFER_SELECT;
		sqe->buf_group = rnd(&w->rng, 3);
		sqe->addr = 0;
		sqe->len = 0;
		break;
	case IORING_OP_FALLOCATE:
	case IORING_OP_FADVISE:
		sqe->addr = rnd(&w->rng, 65536);	/* the length */
		sqe->len = rnd(&w->rng, 4);		/* mode */
		if (sqe->opcode == IORING_OP_FADVISE)
			sqe->fadvise_advice = rnd(&w->rng, 6);
		break;
	case IORING_OP_MADVISE:	/* length in off: only inside our data */
		sqe->len = 0;
		sqe->off = 1 + rnd(&w->rng, 16384);
		sqe->addr = one_in(&w->rng, 10) ? 0 : ptr(w->data) +
			    (rnd(&w->rng, DATA_SZ - sqe->off) & ~(PAGE - 1));
		sqe->fadvise_advice = advice[rnd(&w->rng, 8)];
		break;
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2:
		sqe->flags &= ~IOSQE_FIXED_FILE;
		sqe->fd = pick_dirfd(w);
		sqe->addr = pick_path(w);
		sqe->open_flags = rnd64(&w->rng) & (O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC |
				  O_NONBLOCK | O_DIRECTORY | O_NOFOLLOW | O_PATH | O_TMPFILE);
		sqe->len = 0600;
		if (sqe->opcode == IORING_OP_OPENAT2) {
			p = slot(w);
			p[0] = sqe->open_flags;
			p[1] = 0600;
			p[2] = rnd(&w->rng, 64);	/* RESOLVE_* */
			sqe->off = ptr(p);
			sqe->len = one_in(&w->rng, 20) ? 8 : 24;
		}
		goto fd_result;
	case IORING_OP_SOCKET:
		sqe->flags &= ~IOSQE_FIXED_FILE;
		sqe->fd = one_in(&w->rng, 2) ? AF_UNIX : AF_INET;
		sqe->off = one_in(&w->rng, 2) ? SOCK_STREAM : SOCK_DGRAM;
		sqe->len = 0;
		sqe->addr = 0;
		sqe->rw_flags = 0;
		goto fd_result;
	case IORING_OP_ACCEPT:
		sqe->addr = 0;
		sqe->off = 0;
		sqe->ioprio = rnd(&w->rng, 2);		/* multishot */
		sqe->accept_flags = rnd(&w->rng, 2) ? SOCK_NONBLOCK : 0;
		goto fd_result;
	case IORING_OP_FIXED_FD_INSTALL:
		sqe->flags |= IOSQE_FIXED_FILE;
		sqe->fd = rnd(&w->rng, NFIX + 1);
		sqe->addr = 0;
		sqe->len = 0;
		sqe->off = 0;
		sqe->install_fd_flags = rnd(&w->rng, 2);
		direct = false;
fd_result:
		if (w->child) {		/* the fd would be the child's */
			memset(sqe, 0, sizeof(*sqe));
			sqe->opcode = IORING_OP_NOP;
		} else if (direct || w->fds_scarce) {
			sqe->file_index = one_in(&w->rng, 2) ? IORING_FILE_INDEX_ALLOC :
					  1 + rnd(&w->rng, NFIX);
		} else {
			sqe->file_index = 0;
			*bits |= UD_FD;
		}
		break;
	case IORING_OP_STATX:
		sqe->fd = pick_dirfd(w);
		sqe->addr = pick_path(w);
		sqe->len = rnd64(&w->rng);		/* mask */
		sqe->off = ptr(slot(w));		/* struct statx fits a slot */
		sqe->statx_flags = rnd64(&w->rng) & 0x7100;	/* AT_* */
		break;
	case IORING_OP_RENAMEAT:
	case IORING_OP_LINKAT:
	case IORING_OP_SYMLINKAT:
	case IORING_OP_UNLINKAT:
	case IORING_OP_MKDIRAT:
		sqe->flags &= ~IOSQE_FIXED_FILE;
		sqe->fd = pick_dirfd(w);
		sqe->addr = pick_path(w);
		sqe->off = pick_path(w);		/* addr2: the new name */
		sqe->len = sqe->opcode == IORING_OP_MKDIRAT ? 0700 : (__u32)pick_dirfd(w);
		if (sqe->opcode == IORING_OP_RENAMEAT)
			sqe->rename_flags = rnd(&w->rng, 4);	/* not WHITEOUT */
		if (sqe->opcode == IORING_OP_LINKAT)
			sqe->hardlink_flags = rnd(&w->rng, 2) * AT_SYMLINK_FOLLOW;
		if (sqe->opcode == IORING_OP_UNLINKAT) {
			sqe->unlink_flags = one_in(&w->rng, 2) ? AT_REMOVEDIR : 0;
			sqe->off = 0;
			sqe->len = 0;
		}
		if (sqe->opcode == IORING_OP_MKDIRAT)
			sqe->off = 0;
		if (sqe->opcode == IORING_OP_SYMLINKAT)
			sqe->len = 0;
		break;
	case IORING_OP_FSETXATTR:
	case IORING_OP_SETXATTR:
	case IORING_OP_FGETXATTR:
	case IORING_OP_GETXATTR:
		sqe->addr = ptr(one_in(&w->rng, 2) ? "user.iouf" : "trusted.iouf");
		sqe->off = pick_buf(w, &len);		/* the value */
		sqe->len = len & 511;
		sqe->xattr_flags = sqe->opcode <= IORING_OP_SETXATTR ? rnd(&w->rng, 3) : 0;
		sqe->addr3 = 0;
		if (sqe->opcode == IORING_OP_SETXATTR || sqe->opcode == IORING_OP_GETXATTR) {
			sqe->addr3 = ptr(slot(w));
			snprintf((char *)(uintptr_t)sqe->addr3, SLOT_SZ, "%s/%s", tmpdir,
				 names[rnd(&w->rng, 4)]);
		}
		break;
	case IORING_OP_SENDMSG:
	case IORING_OP_RECVMSG:
	case IORING_OP_SENDMSG_ZC:
		msg = slot(w);
		msg->msg_iov = (void *)(uintptr_t)pick_iov(w, &len);
		msg->msg_iovlen = len;
		sqe->addr = ptr(msg);
		sqe->len = 1;
		sqe->off = 0;
		sqe->msg_flags = rnd64(&w->rng) &
				 (MSG_DONTWAIT | MSG_WAITALL | MSG_PEEK | MSG_TRUNC);
		break;
	case IORING_OP_SEND:
	case IORING_OP_RECV:
	case IORING_OP_SEND_ZC:
		sqe->msg_flags = rnd64(&w->rng) & (MSG_DONTWAIT | MSG_WAITALL | MSG_PEEK);
		sqe->off = 0;
		break;
	case IORING_OP_CONNECT:
	case IORING_OP_BIND:
		sun = slot(w);
		sun->sun_family = AF_UNIX;
		snprintf(sun->sun_path + 1, 32, "iouf-%d-%u", getpid(), rnd(&w->rng, 4));
		sqe->addr = ptr(sun);
		sqe->off = rnd(&w->rng, sizeof(*sun) + 1);	/* addr2: its length */
		sqe->len = 0;
		break;
	case IORING_OP_SPLICE:
	case IORING_OP_TEE:
		sqe->splice_fd_in = pick_fd(w);
		sqe->splice_off_in = one_in(&w->rng, 2) ? (__u64)-1 : rnd(&w->rng, FILE_MAX);
		sqe->splice_flags = rnd(&w->rng, 16);
		if (sqe->opcode == IORING_OP_TEE) {
			sqe->splice_off_in = 0;
			sqe->off = 0;
		}
		break;
	case IORING_OP_PROVIDE_BUFFERS:	/* nbufs * len inside our data */
		sqe->fd = 1 + rnd(&w->rng, 8);
		sqe->len = 1 + rnd(&w->rng, DATA_SZ / 8);
		sqe->addr = ptr(w->data) + rnd(&w->rng, DATA_SZ - sqe->fd * sqe->len);
		sqe->off = rnd(&w->rng, 16);		/* first buffer id */
		sqe->buf_group = rnd(&w->rng, 3);
		break;
	case IORING_OP_REMOVE_BUFFERS:
		sqe->buf_group = rnd(&w->rng, 3);
		sqe->fd = rnd(&w->rng, 9);
		sqe->addr = 0;
		sqe->len = 0;
		sqe->off = 0;
		break;
	case IORING_OP_FUTEX_WAIT:
	case IORING_OP_FUTEX_WAKE:
	case IORING_OP_FUTEX_WAITV:
		sqe->fd = 2 | (one_in(&w->rng, 2) ? 128 : 0);	/* FUTEX2_SIZE_U32, _PRIVATE */
		sqe->addr = ptr(w->data) + 4 * rnd(&w->rng, 4);
		sqe->off = rnd(&w->rng, 2);		/* value, or count */
		sqe->addr3 = one_in(&w->rng, 8) ? 0 : 0xffffffffU;	/* the mask */
		sqe->futex_flags = 0;
		sqe->len = 0;
		if (sqe->opcode == IORING_OP_FUTEX_WAITV) {
			p = slot(w);
			p[1] = sqe->addr;		/* { val, uaddr, flags } */
			p[2] = sqe->fd;
			sqe->addr = ptr(p);
			sqe->len = 1;
			sqe->fd = 0;
		}
		break;
	case IORING_OP_WAITID:	/* WNOWAIT always: never reap our children */
		sqe->len = rnd(&w->rng, 2) ? P_PID : P_ALL;
		sqe->fd = one_in(&w->rng, 2) ? 0x3ffffff0 : getpid();
		sqe->file_index = WNOWAIT | WEXITED | (one_in(&w->rng, 2) ? WNOHANG : 0);
		sqe->off = ptr(slot(w));
		sqe->addr = 0;
		break;
	case IORING_OP_EPOLL_CTL:
		sqe->fd = one_in(&w->rng, 8) ? pick_fd(w) : w->epfd;
		sqe->len = 1 + rnd(&w->rng, 3);		/* ADD, DEL, MOD */
		sqe->off = one_in(&w->rng, 2) ? w->r.fd : pick_fd(w);
		break;
	case IORING_OP_URING_CMD:	/* on a socket: SIOCINQ, SIOCOUTQ, getsockopt */
		sqe->off = rnd(&w->rng, 3);
		sqe->level = SOL_SOCKET;
		sqe->optname = SO_RCVBUF;
		sqe->optval = ptr(w->data + 256);
		sqe->optlen = 4;
		break;
	}
}

/* Fill @sqe with a random request; @prev is the SQE before it, or NULL. */
static void gen_sqe(struct worker *w, struct io_uring_sqe *sqe,
		    struct io_uring_sqe *prev)
{
	static const __u32 tflags[] = {
		0, 0, 0, IORING_TIMEOUT_ABS, IORING_TIMEOUT_BOOTTIME,
		IORING_TIMEOUT_REALTIME, IORING_TIMEOUT_ETIME_SUCCESS,
		IORING_TIMEOUT_MULTISHOT,
	};
	__u8 op = pick_op(w);
	__u32 len, bits = 0;
	__u64 *v;

	sqe->opcode = op;
	sqe->flags = pick_flags(w);
	sqe->fd = (sqe->flags & IOSQE_FIXED_FILE) ? (int)rnd(&w->rng, NFIX + 2) : pick_fd(w);
	sqe->addr = pick_buf(w, &len);
	sqe->len = len;
	sqe->off = pick_off(w);
	if (one_in(&w->rng, 32))
		sqe->rw_flags = rnd64(&w->rng) & 0x3f;	/* RWF_HIPRI..RWF_APPEND */
	if (sqe->flags & IOSQE_BUFFER_SELECT)
		sqe->buf_group = rnd(&w->rng, 3);
	if (one_in(&w->rng, 20))
		sqe->personality = w->pers[rnd(&w->rng, 4)];
	if (one_in(&w->rng, 40))
		sqe->ioprio = rnd(&w->rng, 8);

	switch (op) {
	case IORING_OP_NOP:
		if (one_in(&w->rng, 4)) {
			sqe->nop_flags = IORING_NOP_INJECT_RESULT;
			sqe->len = (__u32)-rnd(&w->rng, 200);
		}
		sqe->fd = 0;
		break;
	case IORING_OP_READV:
	case IORING_OP_WRITEV:
		sqe->addr = pick_iov(w, &sqe->len);
		break;
	case IORING_OP_READ_FIXED:
	case IORING_OP_WRITE_FIXED:
		sqe->buf_index = rnd(&w->rng, NBUF + 1);
		sqe->addr = ptr(w->data) + (sqe->buf_index % NBUF) * FBUF_SZ +
			    rnd(&w->rng, one_in(&w->rng, 8) ? 4 * FBUF_SZ : FBUF_SZ / 2);
		sqe->len = rnd(&w->rng, FBUF_SZ / 2);
		break;
	case IORING_OP_POLL_ADD:
		sqe->addr = 0;
		sqe->off = 0;
		sqe->buf_index = 0;
		sqe->len = one_in(&w->rng, 3) ? IORING_POLL_ADD_MULTI : 0;
		sqe->poll32_events = rnd64(&w->rng) & (POLLIN | POLLOUT | POLLPRI |
				     POLLERR | POLLHUP | EPOLLET | EPOLLONESHOT);
		if (one_in(&w->rng, 3))
			sqe->fd = one_in(&w->rng, 2) ? w->r.fd : w->r2.fd;
		break;
	case IORING_OP_POLL_REMOVE:
		sqe->addr = recent_ud(w);
		sqe->len = rnd(&w->rng, 8);	/* ADD_MULTI, UPDATE_EVENTS/_USER_DATA */
		sqe->off = (sqe->len & 4) ? mk_ud(w, IORING_OP_POLL_ADD, 0) : 0;
		sqe->poll32_events = (sqe->len & 2) ? POLLIN : 0;
		sqe->fd = -1;
		break;
	case IORING_OP_TIMEOUT:
	case IORING_OP_LINK_TIMEOUT:
		sqe->timeout_flags = one_in(&w->rng, 16) ? rnd64(&w->rng) & 0x6d :
				     tflags[rnd(&w->rng, 8)];
		if (op == IORING_OP_LINK_TIMEOUT)
			sqe->timeout_flags &= ~IORING_TIMEOUT_MULTISHOT;
		sqe->addr = pick_ts(w, sqe->timeout_flags & IORING_TIMEOUT_MULTISHOT);
		sqe->len = one_in(&w->rng, 30) ? 2 : 1;
		sqe->off = op == IORING_OP_LINK_TIMEOUT ? 0 : rnd(&w->rng, 4);
		sqe->fd = -1;
		if (op == IORING_OP_LINK_TIMEOUT && prev && !one_in(&w->rng, 8))
			prev->flags |= IOSQE_IO_LINK;
		break;
	case IORING_OP_TIMEOUT_REMOVE:
		sqe->addr = recent_ud(w);
		sqe->timeout_flags = one_in(&w->rng, 16) ? rnd64(&w->rng) & 0x1f :
				     rnd(&w->rng, 2) * IORING_TIMEOUT_UPDATE << rnd(&w->rng, 2) * 3;
		sqe->off = pick_ts(w, false);
		sqe->len = 0;
		sqe->fd = -1;
		break;
	case IORING_OP_ASYNC_CANCEL:
		sqe->addr = recent_ud(w);
		sqe->cancel_flags = one_in(&w->rng, 2) ? rnd64(&w->rng) & 0x3b : 0;
		sqe->len = rnd(&w->rng, IORING_OP_LAST);
		sqe->off = 0;
		break;
	case IORING_OP_CLOSE:
		sqe->flags &= ~IOSQE_FIXED_FILE;
		sqe->addr = 0;
		sqe->len = 0;
		sqe->off = 0;
		sqe->fd = 0;
		if (one_in(&w->rng, 3))
			sqe->file_index = 1 + rnd(&w->rng, NFIX + 1);
		else
			sqe->fd = pick_victim(w, &bits);
		break;
	case IORING_OP_FILES_UPDATE:
		v = slot(w);
		for (len = 0; len < 4; len++)
			((int *)v)[len] = one_in(&w->rng, 4) ? -1 : pick_fd(w);
		sqe->addr = (__u64)(uintptr_t)v;
		sqe->len = rnd(&w->rng, 5);
		sqe->off = one_in(&w->rng, 4) ? IORING_FILE_INDEX_ALLOC : rnd(&w->rng, NFIX + 2);
		sqe->fd = -1;
		sqe->flags &= ~(IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT);
		break;
	case IORING_OP_MSG_RING:
		sqe->fd = one_in(&w->rng, 4) ? pick_fd(w) : w->r2.fd;
		sqe->addr = one_in(&w->rng, 16) ? 2 : rnd(&w->rng, 2);	/* DATA, SEND_FD */
		sqe->len = rnd64(&w->rng);
		sqe->off = mk_ud(w, 0, UD_EXT);
		sqe->msg_ring_flags = rnd(&w->rng, 2) * IORING_MSG_RING_FLAGS_PASS;
		sqe->personality = 0;
		if (sqe->addr == IORING_MSG_SEND_FD) {
			sqe->msg_ring_flags = rnd(&w->rng, 2) * IORING_MSG_RING_CQE_SKIP;
			sqe->len = 0;
			sqe->addr3 = rnd(&w->rng, NFIX + 1);
			sqe->file_index = one_in(&w->rng, 3) ? IORING_FILE_INDEX_ALLOC :
					  rnd(&w->rng, NFIX + 1);
		} else if (sqe->msg_ring_flags & IORING_MSG_RING_FLAGS_PASS) {
			sqe->file_index = rnd64(&w->rng);	/* the CQE's flags */
		}
		break;
	default:
		gen_sqe_more(w, sqe, &bits);
		break;
	}
	/* opcodes whose result is a new fd: never lose the CQE */
	if (bits & UD_FD)
		sqe->flags &= ~IOSQE_CQE_SKIP_SUCCESS;
	sqe->user_data = mk_ud(w, op, bits);
	w->recent[rnd(&w->rng, NRECENT)] = sqe->user_data;
}

/* ---- registration ---- */

static void *pick_tags(struct worker *w, unsigned int n)
{
	__u64 *tags = slot(w);
	unsigned int i;

	for (i = 0; i < n; i++)
		tags[i] = one_in(&w->rng, 2) ? mk_ud(w, 0, UD_EXT) : 0;
	return one_in(&w->rng, 3) ? NULL : tags;
}

/* Publish up to @n buffers of our data area in group @g's ring. */
static void pbuf_publish(struct worker *w, unsigned int g, unsigned int n)
{
	struct io_uring_buf_ring *br = w->pbuf[g];
	struct io_uring_buf *b;
	__u32 len;

	while (n--) {
		b = &br->bufs[w->pbuf_tail[g] & (w->pbuf_entries[g] - 1)];
		b->addr = pick_buf(w, &len);
		b->len = len;
		b->bid = rnd(&w->rng, 8);
		w->pbuf_tail[g]++;
	}
	__atomic_store_n(&br->tail, w->pbuf_tail[g], __ATOMIC_RELEASE);
}

/*
 * IORING_REGISTER_PBUF_RING on w->r, in our memory or (IOU_PBUF_RING_MMAP)
 * the kernel's, mapped, filled and unmapped again (the group keeps its
 * pages); or its unregistration, or PBUF_STATUS, with random arguments.
 */
static void gen_pbuf(struct worker *w, struct test_ring *r)
{
	struct io_uring_buf_status *st = slot(w);
	struct io_uring_buf_reg *reg = slot(w);
	unsigned int g = rnd(&w->rng, NPBUF + 1), what = rnd(&w->rng, 4);
	void *mem = w->pbuf_mem + (g % NPBUF) * PBUF_SZ, *map;
	off_t off;
	long ret;

	reg->bgid = g;
	reg->ring_entries = 1U << rnd(&w->rng, 9);
	if (one_in(&w->rng, 16))
		reg->ring_entries = rnd64(&w->rng);
	reg->flags = one_in(&w->rng, 3) ? IOU_PBUF_RING_MMAP : 0;
	if (one_in(&w->rng, 3))
		reg->flags |= IOU_PBUF_RING_INC;
	if (reg->flags & IOU_PBUF_RING_INC)
		reg->min_left = rnd(&w->rng, 2) * rnd(&w->rng, 512);
	if (!(reg->flags & IOU_PBUF_RING_MMAP))
		reg->ring_addr = one_in(&w->rng, 20) ? bad_addr(w) : ptr(mem);
	if (what == 0 || r != &w->r) {		/* anything goes, state untouched */
		if (one_in(&w->rng, 2)) {
			st->buf_group = g;
			ret = io_uring_register(r->fd, IORING_REGISTER_PBUF_STATUS, st, 1);
		} else {
			ret = io_uring_register(r->fd, IORING_UNREGISTER_PBUF_RING, reg, 1);
		}
		check_ret("io_uring_register(pbuf)", ret);
		return;
	}
	if (g == NPBUF || (w->pbuf[g] && what == 1)) {
		reg->flags = 0;
		reg->ring_addr = 0;
		reg->min_left = 0;
		ret = io_uring_register(r->fd, IORING_UNREGISTER_PBUF_RING, reg, 1);
		check_ret("io_uring_register(UNREGISTER_PBUF_RING)", ret);
		if (!ret && g < NPBUF)
			w->pbuf[g] = NULL;
		return;
	}
	if (w->pbuf[g]) {			/* replenish it */
		pbuf_publish(w, g, rnd(&w->rng, w->pbuf_entries[g] + 1));
		return;
	}
	if (reg->ring_entries * sizeof(struct io_uring_buf) > PBUF_SZ)
		reg->ring_entries = PBUF_SZ / sizeof(struct io_uring_buf);
	ret = io_uring_register(r->fd, IORING_REGISTER_PBUF_RING, reg, 1);
	check_ret("io_uring_register(PBUF_RING)", ret);
	if (ret)
		return;
	w->pbuf_entries[g] = reg->ring_entries;
	w->pbuf_tail[g] = 0;
	if (!(reg->flags & IOU_PBUF_RING_MMAP)) {
		w->pbuf[g] = mem;
		pbuf_publish(w, g, rnd(&w->rng, reg->ring_entries + 1));
		return;
	}
	/* fill the kernel's ring through a mapping we drop at once */
	off = IORING_OFF_PBUF_RING | ((__u64)g << IORING_OFF_PBUF_SHIFT);
	map = mmap(NULL, PBUF_SZ, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, off);
	if (map == MAP_FAILED) {
		bad("mmap of the PBUF_RING of group %u: %d", g, errno);
		return;
	}
	w->pbuf[g] = map;
	pbuf_publish(w, g, rnd(&w->rng, reg->ring_entries + 1));
	munmap(map, PBUF_SZ);
	w->pbuf[g] = NULL;
	/* unregister it sometimes, so that no stale state is kept */
	if (one_in(&w->rng, 2)) {
		reg->flags = 0;
		reg->min_left = 0;
		check_ret("io_uring_register(UNREGISTER_PBUF_RING)",
			  io_uring_register(r->fd, IORING_UNREGISTER_PBUF_RING, reg, 1));
	}
}

/* a random registration call, or the one numbered @force (0..21) */
static void gen_register(struct worker *w, struct test_ring *r, int force)
{
	struct io_uring_rsrc_update2 *up = slot(w);
	static const __u8 noarg[] = {
		IORING_UNREGISTER_BUFFERS, IORING_UNREGISTER_FILES,
		IORING_UNREGISTER_EVENTFD, IORING_REGISTER_PERSONALITY,
		IORING_REGISTER_PERSONALITY, IORING_UNREGISTER_PERSONALITY,
		IORING_REGISTER_ENABLE_RINGS, IORING_REGISTER_LAST,
		IORING_REGISTER_LAST + 7,
	};
	struct io_uring_sync_cancel_reg *sc;
	bool bufs = force >= 0 ? force & 1 : one_in(&w->rng, 2);
	unsigned int op, nr = 1 + rnd(&w->rng, NFIX), i;
	struct iovec *iov = slot(w);
	int *fds = slot(w);
	void *arg = fds;
	long ret;

	for (i = 0; i < nr; i++) {
		fds[i] = one_in(&w->rng, 8) ? pick_fd(w) : (&w->pipes[0][0])[rnd(&w->rng, 9)];
		if (one_in(&w->rng, 6))
			fds[i] = -1;
		iov[i].iov_base = w->data + (i % NBUF) * FBUF_SZ;
		iov[i].iov_len = FBUF_SZ - (one_in(&w->rng, 4) ? rnd(&w->rng, FBUF_SZ) : 0);
		if (one_in(&w->rng, 30))
			iov[i].iov_base = (void *)(uintptr_t)bad_addr(w);
	}
	switch (force >= 0 ? force : (int)rnd(&w->rng, 22)) {
	case 20: case 21:
		gen_pbuf(w, r);
		return;
	case 0: case 1:		/* FILES or BUFFERS */
		op = bufs ? IORING_REGISTER_BUFFERS : IORING_REGISTER_FILES;
		arg = bufs ? (void *)iov : fds;
		break;
	case 2: case 3:		/* FILES2 or BUFFERS2, tagged, maybe sparse */
		op = bufs ? IORING_REGISTER_BUFFERS2 : IORING_REGISTER_FILES2;
		memset(up, 0, sizeof(*up));
		((struct io_uring_rsrc_register *)up)->nr = nr;
		((struct io_uring_rsrc_register *)up)->flags = one_in(&w->rng, 3);
		if (!((struct io_uring_rsrc_register *)up)->flags)	/* else SPARSE */
			((struct io_uring_rsrc_register *)up)->data = ptr(bufs ? (void *)iov : fds);
		((struct io_uring_rsrc_register *)up)->tags = ptr(pick_tags(w, nr));
		arg = up;
		nr = sizeof(struct io_uring_rsrc_register);
		break;
	case 4: case 5: case 6:	/* FILES_UPDATE2 or BUFFERS_UPDATE */
		op = bufs ? IORING_REGISTER_BUFFERS_UPDATE : IORING_REGISTER_FILES_UPDATE2;
		up->offset = rnd(&w->rng, NFIX + 2);
		up->data = ptr(bufs ? (void *)iov : fds);
		up->tags = ptr(pick_tags(w, nr));
		up->nr = nr;
		arg = up;
		nr = sizeof(*up);
		break;
	case 7:
		op = IORING_REGISTER_FILES_UPDATE;
		up->offset = rnd(&w->rng, NFIX + 2);
		up->data = ptr(fds);		/* io_uring_files_update layout */
		arg = up;
		break;
	case 8:
		op = rnd(&w->rng, 2) ? IORING_REGISTER_EVENTFD : IORING_REGISTER_EVENTFD_ASYNC;
		fds[0] = one_in(&w->rng, 8) ? pick_fd(w) : w->efd;
		nr = 1;
		break;
	case 13:
		op = IORING_REGISTER_PROBE;
		arg = w->data;
		nr = rnd(&w->rng, 257);
		break;
	case 14:
		op = IORING_REGISTER_IOWQ_MAX_WORKERS;
		fds[0] = rnd(&w->rng, 4);
		fds[1] = rnd(&w->rng, 4);
		nr = 2;
		break;
	case 15:
		op = IORING_REGISTER_SYNC_CANCEL;
		sc = arg;
		memset(sc, 0, sizeof(*sc));
		sc->addr = recent_ud(w);
		sc->fd = pick_fd(w);
		sc->flags = rnd(&w->rng, 64) & ~IORING_ASYNC_CANCEL_FD_FIXED;
		sc->opcode = rnd(&w->rng, IORING_OP_LAST);
		sc->timeout.tv_nsec = rnd(&w->rng, 5000000);	/* never -1: forever */
		nr = 1;
		break;
	case 16:
		op = IORING_REGISTER_FILE_ALLOC_RANGE;
		fds[0] = rnd(&w->rng, NFIX);
		fds[1] = rnd(&w->rng, NFIX);
		fds[2] = 0;
		fds[3] = 0;
		nr = 0;
		break;
	case 17:
		op = IORING_REGISTER_CLOCK;
		memset(fds, 0, 16);
		fds[0] = rnd(&w->rng, 8);
		nr = 0;
		break;
	default:		/* 9..12, 18, 19: no argument */
		op = noarg[rnd(&w->rng, ARRAY_SIZE(noarg))];
		arg = NULL;
		nr = op == IORING_UNREGISTER_PERSONALITY ? w->pers[rnd(&w->rng, 4)] : 0;
		break;
	}
	guard_arm(w, 1000);	/* 6.12 may wait for in-flight requests */
	ret = io_uring_register(r->fd, op, arg, nr);
	guard_arm(w, 0);
	check_ret("io_uring_register", ret);
	if (op == IORING_REGISTER_PERSONALITY && ret > 0)
		w->pers[rnd(&w->rng, 4)] = ret;
}

/* ---- submitting and reaping ---- */

static void reap(struct worker *w, struct test_ring *r)
{
	struct io_uring_cqe *cqe;
	unsigned int n = 0, i;
	__u64 ud;
	int res;

	while (r->fd >= 0 && n++ < 4 * r->p.cq_entries && (cqe = ring_peek_cqe(r))) {
		ud = cqe->user_data;
		res = cqe->res;
		ring_cqe_seen(r);
		if (ud & UD_EXT)
			continue;
		if ((ud & 0xff) >= IORING_OP_LAST + 4) {
			bad("CQE with a user_data never submitted: 0x%llx", (unsigned long long)ud);
			continue;
		}
		if (res < -MAX_ERRNO && (ud & 0xff) != IORING_OP_NOP)
			bad("opcode %u completed with %d", (unsigned int)(ud & 0xff), res);
		if (ud & UD_CHILD)
			continue;
		if ((ud & UD_FD) && res > 2)
			close(res);
		i = UD_VIDX(ud);
		if ((ud & UD_VICTIM) && w->victim[i] >= 0) {
			if (res < 0)		/* not closed by the request */
				close(w->victim[i]);
			w->victim[i] = -1;
		}
	}
}

/* flush overflow and task work into the CQ and reap, a few rounds */
static void drain(struct worker *w, struct test_ring *r)
{
	int i;

	for (i = 0; i < 32 && r->fd >= 0; i++) {
		guard_arm(w, 2000);
		io_uring_enter(r->fd, 0, 0, IORING_ENTER_GETEVENTS, NULL, 0);
		guard_arm(w, 0);
		reap(w, r);
		if (!(load_acquire(r->sq_flags) & IORING_SQ_CQ_OVERFLOW) && i >= 2)
			break;
	}
}

static void batch(struct worker *w, struct test_ring *r, bool wait)
{
	struct __kernel_timespec ts = { 0, rnd(&w->rng, 5000000) };
	struct io_uring_getevents_arg arg = { .ts = ptr(&ts) };
	struct io_uring_sqe *sqe, *prev = NULL;
	unsigned int n = 1 + rnd(&w->rng, 24), i, flags = 0, min = 0;
	long t;
	int ret;

	for (i = 0; i < n && (sqe = ring_get_sqe(r)); i++) {
		gen_sqe(w, sqe, prev);
		prev = sqe;
	}
	__atomic_fetch_add(&sqes_done, i, __ATOMIC_RELAXED);
	n = ring_sq_pending(r);
	ring_flush(r);
	if (wait) {
		flags = IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG;
		min = rnd(&w->rng, 4);
	}
	if (r->p.flags & IORING_SETUP_SQPOLL) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (load_acquire(r->sq_flags) & IORING_SQ_NEED_WAKEUP)
			flags |= IORING_ENTER_SQ_WAKEUP;
	}
	t = now_ms();
	guard_arm(w, 2000);
	ret = io_uring_enter(r->fd, n, min, flags, wait ? &arg : NULL, wait ? sizeof(arg) : 0);
	guard_arm(w, 0);
	spend(wait ? T_WAIT : T_SUBMIT, t);
	check_ret("io_uring_enter", ret);
	if (ret > (int)n)
		bad("io_uring_enter(to_submit=%u) returned %d", n, ret);
}

/* a thread that submits to the worker's ring and exits without reaping */
static void *helper_main(void *arg)
{
	struct worker *w = arg;

	batch(w, &w->r, false);
	return NULL;
}

/* a child that submits to the inherited ring, then exits or execs */
static void fork_child(struct worker *w, bool exec)
{
	unsigned long f0 = failures;
	long end = now_ms() + 30000;
	bool killed = false;
	int st = 0;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		w->child = true;
		w->has_guard = false;
		if (exec)
			fcntl(w->r.fd, F_SETFD, 0);	/* keep the ring over exec */
		batch(w, &w->r, one_in(&w->rng, 2));
		if (exec && failures == f0)
			execl("/bin/true", "true", (char *)NULL);
		_exit(failures != f0);
	}
	if (pid < 0)
		return;
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (now_ms() > end) {
			if (killed)
				break;	/* stuck in the kernel: leave it */
			bad("child %d has not exited after 30 s", pid);
			kill(pid, SIGKILL);
			killed = true;
			end += 30000;
		}
		usleep(1000);
	}
	if (WIFEXITED(st) && WEXITSTATUS(st))
		bad("child %d failed", pid);
	/* the child moved the shared SQ tail */
	w->r.sqe_tail = load_acquire(w->r.sq_tail);
}

/* fds of CQEs lost with closed rings stay open: watch their number */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static void ring_cycle(struct worker *w)
{
	/*
	 * Setting rings up and tearing them down, threads, forks and execs
	 * cost far more than SQEs under an emulated debug kernel: they are
	 * kept rare enough that most of the time goes to submitting.
	 */
	unsigned int budget = 50 + rnd(&w->rng, 1000), i, what, nv;
	bool forks = cfg.threads > 1 && !cfg.safe;
	long t = now_ms();
	pthread_t th;

	pool_open(w);
	w->fds_scarce = count_fds() > 512;
	if (make_ring(w, &w->r, false) || make_ring(w, &w->r2, true)) {
		ring_exit(&w->r);
		usleep(100000);
		return;
	}
	ring_fds[w->idx] = w->r.fd;
	for (i = 0; i < 2; i++)		/* mostly with fixed files and buffers */
		gen_register(w, &w->r, i | rnd(&w->rng, 2) << 1);
	t = spend(T_SETUP, t);
	for (i = 0; i < budget && !time_up(); i++) {
		what = rnd(&w->rng, 100);
		if (what < 72) {
			batch(w, &w->r, !one_in(&w->rng, 3));
		} else if (what < 79) {
			batch(w, &w->r2, one_in(&w->rng, 2));
		} else if (what < 93) {
			gen_register(w, one_in(&w->rng, 4) ? &w->r2 : &w->r, -1);
			t = spend(T_REGISTER, t);
		} else if (what < 94 && !pthread_create(&th, NULL, helper_main, w)) {
			pthread_join(th, NULL);
			t = spend(T_THREAD, t);
		} else if (what < 95 && forks && one_in(&w->rng, 12)) {
			fork_child(w, one_in(&w->rng, 3));
			t = spend(T_FORK, t);
		}
		if (what < 97 || one_in(&w->rng, 4)) {	/* else let the CQ fill */
			reap(w, &w->r);
			reap(w, &w->r2);
		}
		t = now_ms();
	}
	drain(w, &w->r);
	drain(w, &w->r2);
	t = spend(T_DRAIN, t);
	ring_fds[w->idx] = -1;
	/* close with requests in flight, in either order */
	ring_exit(one_in(&w->rng, 2) ? &w->r : &w->r2);
	ring_exit(&w->r);
	ring_exit(&w->r2);
	spend(T_CLOSE, t);
	for (nv = 0; nv < NVICT; nv++)
		w->victim[nv] = -1;	/* CQE lost with the ring: leave the fd */
	memset(w->pbuf, 0, sizeof(w->pbuf));	/* gone with the ring */
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	guard_init(w);
	while (!time_up())
		ring_cycle(w);
	pool_close(w);
	if (w->has_guard)
		timer_delete(w->guard);
	__atomic_fetch_add(&workers_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Wait for the workers, saying every minute how far the run got: a run
 * cut short by its timeout still tells how many SQEs it ran.
 */
static void wait_workers(void)
{
	long start = now_ms(), next = start + 60000;
	unsigned int i;

	while (__atomic_load_n(&workers_done, __ATOMIC_ACQUIRE) < cfg.threads) {
		usleep(100000);
		if (now_ms() < next)
			continue;
		next += 60000;
		ksft_print_msg("fuzz: progress %lds sqes=%lu rings=%lu workers done %u/%u\n",
			       (now_ms() - start) / 1000, sqes_done, rings_made,
			       workers_done, cfg.threads);
	}
	for (i = 0; i < cfg.threads; i++)
		pthread_join(workers[i].th, NULL);
}

/*
 * ---- IOU_FUZZ_FAILNTH: every allocation of a call fails in turn ----
 *
 * Writing n to /proc/thread-self/fail-nth makes the n-th fault injection
 * point this thread passes fail; reading it back gives 0 once it did.
 * Each call is repeated with n = 1, 2, ... until it runs without the
 * fault being consumed; every result must be success or an errno, and
 * whatever succeeded is undone (the harness checks kmemleak afterwards).
 */
#define NTH_MAX		200
#define NTH_SQES	16	/* the SQ of an NTH_ENTER ring, all submitted */

enum { NTH_SETUP, NTH_REG, NTH_ENTER };

struct nth {
	int kind;
	unsigned int arg;		/* setup flags, register opcode */
	struct test_ring r;
	struct io_uring_params p;
	void *argp;
	unsigned int nr;
	int fds[4], pipe[2], efd, file;
	struct iovec iov[2];
	__u64 tags[4];
	struct io_uring_rsrc_register rr;
	struct io_uring_rsrc_update2 up;
	struct io_uring_buf_reg reg;
	char buf[8192];
	char page[PAGE] __attribute__((aligned(PAGE)));
};

static int nth_fd = -1;

static void nth_set(int n)
{
	char b[16];
	int len = snprintf(b, sizeof(b), "%d", n);

	if (pwrite(nth_fd, b, len, 0) != len)
		bad("writing fail-nth: %d", errno);
}

static int nth_left(void)
{
	char b[16] = "";
	int left = -1;

	if (pread(nth_fd, b, sizeof(b) - 1, 0) > 0)
		left = atoi(b);
	nth_set(0);
	return left;
}

static struct io_uring_sqe *nth_sqe(struct test_ring *r, __u8 op, int fd, void *addr,
				    __u32 len, __u8 flags)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (!sqe)
		return NULL;
	sqe->opcode = op;
	sqe->fd = fd;
	sqe->addr = ptr(addr);
	sqe->len = len;
	sqe->flags = flags;
	sqe->user_data = op | (op == IORING_OP_OPENAT ? UD_FD : 0);
	return sqe;
}

/* everything but the call itself, fault-free */
static int nth_prep(struct nth *c)
{
	static struct __kernel_timespec ts = { .tv_nsec = 1000000 };
	struct io_uring_sqe *sqe;

	memset(&c->p, 0, sizeof(c->p));
	c->p.flags = c->arg;
	c->p.sq_thread_idle = 10;
	c->p.cq_entries = 64;
	if (c->kind == NTH_SETUP)
		return 0;
	if (ring_init_mode(&c->r, NTH_SQES, c->kind == NTH_ENTER ? c->arg : 0))
		return -1;
	if (c->kind == NTH_ENTER) {
		nth_sqe(&c->r, IORING_OP_NOP, 0, NULL, 0, IOSQE_IO_LINK);
		nth_sqe(&c->r, IORING_OP_READ, c->file, c->buf, 4096, 0);
		nth_sqe(&c->r, IORING_OP_READ, c->pipe[0], c->buf, 16, 0);
		nth_sqe(&c->r, IORING_OP_READ, c->pipe[0], c->buf, 16, IOSQE_ASYNC);
		nth_sqe(&c->r, IORING_OP_WRITE, c->pipe[1], c->buf, 16, IOSQE_IO_DRAIN);
		nth_sqe(&c->r, IORING_OP_POLL_ADD, c->efd, NULL, IORING_POLL_ADD_MULTI, 0);
		nth_sqe(&c->r, IORING_OP_TIMEOUT, -1, &ts, 1, 0);
		sqe = nth_sqe(&c->r, IORING_OP_OPENAT, dirfd_tmp, "f0", 0600, 0);
		if (sqe)
			sqe->open_flags = O_RDWR | O_CREAT;
		/* a legacy buffer group, made by the first PROVIDE, used by a READ */
		sqe = nth_sqe(&c->r, IORING_OP_PROVIDE_BUFFERS, 4, c->buf, 64, IOSQE_IO_LINK);
		if (sqe)
			sqe->buf_group = 1;
		sqe = nth_sqe(&c->r, IORING_OP_READ, c->file, NULL, 0, IOSQE_BUFFER_SELECT);
		if (sqe)
			sqe->buf_group = 1;
		ring_flush(&c->r);
		return 0;
	}
	/* updates need a table to update */
	if (c->arg == IORING_REGISTER_FILES_UPDATE2 || c->arg == IORING_REGISTER_BUFFERS_UPDATE) {
		c->rr = (struct io_uring_rsrc_register){ .nr = 4,
			.flags = IORING_RSRC_REGISTER_SPARSE };
		if (io_uring_register(c->r.fd, c->arg == IORING_REGISTER_BUFFERS_UPDATE ?
				      IORING_REGISTER_BUFFERS2 : IORING_REGISTER_FILES2,
				      &c->rr, sizeof(c->rr)))
			return -1;
	}
	c->fds[0] = c->pipe[0];
	c->fds[1] = c->file;
	c->fds[2] = c->efd;
	c->fds[3] = c->r.fd;			/* RING_FDS */
	c->iov[0] = (struct iovec){ c->buf, 4096 };
	c->iov[1] = (struct iovec){ c->buf + 4096, 4096 };
	c->tags[0] = 1;
	c->tags[1] = 1;
	c->rr = (struct io_uring_rsrc_register){ .nr = 2, .tags = ptr(c->tags) };
	c->up = (struct io_uring_rsrc_update2){ .offset = 1, .nr = 2, .tags = ptr(c->tags) };
	c->argp = c->fds;
	c->nr = 2;
	switch (c->arg) {
	case IORING_REGISTER_BUFFERS:
		c->argp = c->iov;
		break;
	case IORING_REGISTER_FILES2:
	case IORING_REGISTER_BUFFERS2:
		c->rr.data = ptr(c->arg == IORING_REGISTER_FILES2 ? (void *)c->fds : c->iov);
		c->argp = &c->rr;
		c->nr = sizeof(c->rr);
		break;
	case IORING_REGISTER_FILES_UPDATE2:
	case IORING_REGISTER_BUFFERS_UPDATE:
		c->up.data = ptr(c->arg == IORING_REGISTER_FILES_UPDATE2 ? (void *)c->fds : c->iov);
		c->argp = &c->up;
		c->nr = sizeof(c->up);
		break;
	case IORING_REGISTER_EVENTFD:
	case IORING_REGISTER_EVENTFD_ASYNC:
		c->argp = &c->efd;
		c->nr = 1;
		break;
	case IORING_REGISTER_PERSONALITY:
		c->argp = NULL;
		c->nr = 0;
		break;
	case IORING_REGISTER_PROBE:
		/* a probe must start zeroed; an earlier run may have filled it */
		memset(c->buf, 0, sizeof(c->buf));
		c->argp = c->buf;
		c->nr = 64;
		break;
	case IORING_REGISTER_RING_FDS:
		c->up = (struct io_uring_rsrc_update2){ .offset = -1U, .data = c->r.fd };
		c->argp = &c->up;
		c->nr = 1;
		break;
	case IORING_REGISTER_PBUF_RING:	/* pinned: a page of our own */
		c->reg = (struct io_uring_buf_reg){ .ring_addr = ptr(c->page),
			.ring_entries = 64, .bgid = 3 };
		c->argp = &c->reg;
		c->nr = 1;
		break;
	}
	return 0;
}

static long nth_call(struct nth *c)
{
	if (c->kind == NTH_SETUP)
		return io_uring_setup(8, &c->p);
	if (c->kind == NTH_REG)
		return io_uring_register(c->r.fd, c->arg, c->argp, c->nr);
	return io_uring_enter(c->r.fd, NTH_SQES, 0, 0, NULL, 0);
}

static void nth_undo(struct nth *c, long ret)
{
	struct io_uring_cqe *cqe;

	if (c->kind == NTH_SETUP) {
		if (ret >= 0)
			close(ret);
		return;
	}
	if (c->kind == NTH_ENTER) {
		if (ret > NTH_SQES)
			bad("io_uring_enter(%d) returned %ld", NTH_SQES, ret);
		while ((cqe = ring_wait_cqe(&c->r, 20, NULL))) {
			if ((cqe->user_data & UD_FD) && cqe->res > 2)
				close(cqe->res);
			ring_cqe_seen(&c->r);
		}
	}
	if (c->kind == NTH_REG && c->arg == IORING_REGISTER_PERSONALITY && ret > 0)
		io_uring_register(c->r.fd, IORING_UNREGISTER_PERSONALITY, NULL, ret);
	if (c->kind == NTH_REG && c->arg == IORING_REGISTER_RING_FDS && ret == 1)
		io_uring_register(c->r.fd, IORING_UNREGISTER_RING_FDS, &c->up, 1);
	ring_exit(&c->r);	/* drops tables, eventfd, ring fds */
}

static void failnth_one(struct nth *c, const char *what)
{
	int n, left = -1;
	long ret;

	for (n = 1; n <= NTH_MAX && now_ms() < deadline_ms; n++) {
		if (nth_prep(c)) {
			bad("fail-nth %s: setting up without faults failed", what);
			ring_exit(&c->r);
			return;
		}
		nth_set(n);
		ret = nth_call(c);
		left = nth_left();
		check_ret(what, ret);
		nth_undo(c, ret);
		__atomic_fetch_add(&sqes_done, c->kind == NTH_ENTER ? 8 : 0, __ATOMIC_RELAXED);
		if (left > 0) {		/* the call ran without a fault */
			if (ret < 0)
				bad("%s failed with %ld and no fault injected", what, ret);
			break;
		}
	}
	ksft_print_msg("fuzz: fail-nth %s 0x%x: %d runs, %s\n", what, c->arg, n,
		       left > 0 ? "the last without a fault" : "stopped early");
}

static void run_failnth(void)
{
	static const __u32 setup[] = {
		0, IORING_SETUP_SQPOLL,
		IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
		IORING_SETUP_CQE32 | IORING_SETUP_SQE128 | IORING_SETUP_CQSIZE,
	};
	static const __u32 reg[] = {
		IORING_REGISTER_FILES, IORING_REGISTER_FILES2, IORING_REGISTER_BUFFERS,
		IORING_REGISTER_BUFFERS2, IORING_REGISTER_FILES_UPDATE2,
		IORING_REGISTER_BUFFERS_UPDATE, IORING_REGISTER_EVENTFD,
		IORING_REGISTER_EVENTFD_ASYNC, IORING_REGISTER_PERSONALITY,
		IORING_REGISTER_PROBE, IORING_REGISTER_RING_FDS,
		IORING_REGISTER_PBUF_RING,
	};
	static const __u32 enter[] = {
		0, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
		IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
	};
	static struct nth c;
	unsigned int i;

	memset(&c, 0, sizeof(c));
	c.r.fd = -1;
	c.efd = eventfd(0, 0);
	c.file = openat(dirfd_tmp, "n0", O_RDWR | O_CREAT, 0600);
	if (pipe2(c.pipe, O_NONBLOCK) || c.efd < 0 || c.file < 0 ||
	    pwrite(c.file, c.buf, sizeof(c.buf), 0) < 0) {
		bad("fail-nth: no pipe, eventfd or file: %d", errno);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(setup); i++) {
		c.kind = NTH_SETUP;
		c.arg = setup[i];
		if (!(c.arg & IORING_SETUP_SQPOLL) || !cfg.safe)
			failnth_one(&c, "io_uring_setup");
	}
	for (i = 0; i < ARRAY_SIZE(reg); i++) {
		c.kind = NTH_REG;
		c.arg = reg[i];
		failnth_one(&c, "io_uring_register");
	}
	for (i = 0; i < ARRAY_SIZE(enter); i++) {
		c.kind = NTH_ENTER;
		c.arg = enter[i];
		failnth_one(&c, "io_uring_enter");
	}
	close(c.pipe[0]);
	close(c.pipe[1]);
	close(c.efd);
	close(c.file);
}

/* ---- the test ---- */


static int start_workers(void)
{
	struct sigaction sa = { .sa_handler = on_guard };	/* no SA_RESTART */
	unsigned int i;
	struct worker *w;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	if (sigaction(SIGUSR1, &sa, NULL))
		return -errno;
	unmapped = mmap(NULL, 2 << 20, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (unmapped == MAP_FAILED)
		return -errno;
	for (i = 0; i < cfg.threads; i++)
		ring_fds[i] = -1;
	for (i = 0; i < cfg.threads; i++) {
		w = &workers[i];
		memset(w, 0, sizeof(*w));
		memset(w->pipes, -1, 9 * sizeof(int));	/* pipes .. file */
		memset(w->victim, -1, sizeof(w->victim));
		w->r.fd = -1;
		w->r2.fd = -1;
		w->idx = i;
		w->rng = cfg.seed * 0x9e3779b97f4a7c15ULL + i + 1;
		w->data = map_arena(DATA_SZ);
		w->scratch = map_arena(SCRATCH_SZ);
		w->pbuf_mem = map_arena(NPBUF * PBUF_SZ);
		if (!w->data || !w->scratch || !w->pbuf_mem)
			return -ENOMEM;
		if (pthread_create(&w->th, NULL, worker_main, w))
			return -EAGAIN;
	}
	return 0;
}

TEST(fuzz)
{
	unsigned int i;

	ksft_print_msg("fuzz: seed=%llu (replay: IOU_FUZZ_SEED) threads=%u sqes<=%lu secs<=%u\n",
		       cfg.seed, cfg.threads, cfg.sqes, cfg.secs);
	deadline_ms = now_ms() + cfg.secs * 1000L;
	ASSERT_EQ(0, tmp_create());
	if (cfg.failnth) {
		nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
		if (nth_fd < 0) {
			tmp_remove();
			SKIP(return, "no /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION=n)");
		}
		run_failnth();
		close(nth_fd);
	} else {
		ASSERT_EQ(0, start_workers());
		wait_workers();
	}
	tmp_remove();
	ksft_print_msg("fuzz: seed=%llu sqes=%lu rings=%lu\n", cfg.seed,
		       sqes_done, rings_made);
	ksft_print_msg("fuzz: time spent (ms, all workers):");
	for (i = 0; i < T_NR; i++)
		printf(" %s=%lu", spent_names[i], spent_ms[i]);
	printf("\n");
	ASSERT_EQ(0UL, failures);
}

/* after the harness registered the test: its timeout follows IOU_FUZZ_SECS */
static void __attribute__((constructor(KSELFTEST_PRIO_TEST + 1))) fuzz_init(void)
{
	load_cfg();
	_fuzz_object.timeout = cfg.secs + SLACK_SECS;
}

TEST_HARNESS_MAIN
