// SPDX-License-Identifier: GPL-2.0
/*
 * Resource limits that bound what an unprivileged user gets out of
 * io_uring, following Linux 6.12:
 *
 *  - RLIMIT_MEMLOCK: registered buffer pages are charged to the ring
 *    creator's user (unless it had CAP_IPC_LOCK) and to the mm's pinned_vm
 *    (VmPin), through IORING_REGISTER_BUFFERS, _BUFFERS2 and
 *    _BUFFERS_UPDATE; -ENOMEM beyond the limit; the charge is shared by all
 *    rings and processes of the user and comes back on unregister, on
 *    replacement, on ring close and on process exit.
 *  - io-wq workers: IORING_REGISTER_IOWQ_MAX_WORKERS bounds how many block
 *    at once (OPENAT is "bound" work), IORING_{,UN}REGISTER_IOWQ_AFF sets
 *    the CPUs of workers created afterwards.
 *  - RLIMIT_NPROC: caps the worker limits, and io-wq workers and SQPOLL
 *    threads are tasks of the user that fork refuses beyond it.
 *  - RLIMIT_NOFILE: bounds the ring fds, the fds OPENAT installs and the
 *    fixed file table; fd-less rings are bounded by the 16 registered
 *    ring slots of a task instead.
 *
 * Unprivileged cases run in a child that becomes uid/gid 65534 and lowers
 * its own rlimits; it reports a failed check on stderr and through its
 * exit code.
 */
#include "kselftest_harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "uring_test.h"

#define NOBODY		65534
#define UD		0x7111000000000000ULL
#define WAIT_MS		2000
/* bound on anything asynchronous: ring teardown, worker creation */
#define LONG_MS		10000
/* bound on a child's whole run, below the harness's 30 s per test */
#define CHILD_MS	25000
/* time given to a broken worker limit to let an extra worker in */
#define SETTLE_MS	200

/* RLIMIT_MEMLOCK of the unprivileged cases, in pages */
#define MEMLOCK_PAGES	16
/* RLIMIT_NOFILE of the ring count case */
#define NOFILE_LIM	32
/* Per-task registered ring slots in Linux 6.12 (IO_RINGFD_REG_MAX). */
#define RINGFD_MAX	16
#define NR_FIFOS	3
#define MAX_THREADS	64

/* child exit codes */
#define CHILD_OK	42
#define CHILD_FAIL	1
#define CHILD_NOURING	2	/* io_uring_setup() is refused to the user */
#define CHILD_EDROP	3	/* could not become uid 65534 */

#define T_CAP_IPC_LOCK	14

/*
 * Checks made in a child: on failure, say what and where on stderr and
 * exit, the exit code tells the parent.
 */
#define CHILD_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# child %s:%d: %s is false\n",		\
			__func__, __LINE__, #cond);			\
		_exit(CHILD_FAIL);					\
	}								\
} while (0)

#define CHILD_EQ(expected, seen) do {					\
	long long __e = (long long)(expected);				\
	long long __s = (long long)(seen);				\
	if (__e != __s) {						\
		fprintf(stderr, "# child %s:%d: %s is %lld, not %lld\n", \
			__func__, __LINE__, #seen, __s, __e);		\
		_exit(CHILD_FAIL);					\
	}								\
} while (0)

static size_t page_sz(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * @n anonymous pages, faulted in as order-0 pages: 6.12 charges a huge
 * page whole, and only once however many of its pages are registered,
 * which would blur the page counts below.
 */
static char *map_pages(size_t n)
{
	char *p = mmap(NULL, n * page_sz(), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, n * page_sz(), MADV_NOHUGEPAGE);
	memset(p, 0, n * page_sz());
	return p;
}

/* A numeric field ("VmPin:", "CapEff:") of /proc/self/status, or -1. */
static long long status_field(const char *key, int base)
{
	char line[256];
	long long val = -1;
	size_t len = strlen(key);
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, len)) {
			val = strtoll(line + len, NULL, base);
			break;
		}
	}
	fclose(f);
	return val;
}

/* This mm's pinned_vm in pages, as /proc shows it (VmPin, in kB). */
static long vm_pin_pages(void)
{
	long long kb = status_field("VmPin:", 10);

	return kb < 0 ? -1 : (long)(kb * 1024 / page_sz());
}

/* Wait up to @ms for VmPin to read @pages; returns the last value. */
static long wait_vm_pin(long pages, unsigned int ms)
{
	long long end = now_ms() + ms;
	long v;

	while ((v = vm_pin_pages()) != pages && now_ms() < end)
		sleep_ms(5);
	return v;
}

static bool has_cap(int cap)
{
	long long eff = status_field("CapEff:", 16);

	return eff > 0 && (eff & (1LL << cap));
}

static int set_limit(int resource, rlim_t val)
{
	struct rlimit rl = { .rlim_cur = val, .rlim_max = val };

	return setrlimit(resource, &rl) ? -errno : 0;
}

/*
 * Reap @pid within @ms without ever blocking for good: on timeout the child
 * is killed and reaped, and -ETIMEDOUT is returned.
 */
static int wait_child(pid_t pid, unsigned int ms, int *status)
{
	long long end = now_ms() + ms;
	pid_t ret;

	for (;;) {
		ret = waitpid(pid, status, WNOHANG);
		if (ret == pid)
			return 0;
		if (ret < 0)
			return -errno;
		if (now_ms() >= end)
			break;
		sleep_ms(5);
	}
	kill(pid, SIGKILL);
	end = now_ms() + ms;
	while (waitpid(pid, status, WNOHANG) == 0 && now_ms() < end)
		sleep_ms(5);
	return -ETIMEDOUT;
}

/*
 * Run @body(@arg) in a child that is uid/gid 65534 without supplementary
 * groups and so without capabilities. Returns its exit code, 0x100 + the
 * signal that killed it, or -errno.
 */
static int run_as_nobody(int (*body)(void *), void *arg)
{
	int status = 0, ret;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(CHILD_EDROP);
		/* the uid change made us undumpable: keep /proc/self ours */
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
		_exit(body(arg));
	}
	ret = wait_child(pid, CHILD_MS, &status);
	if (ret)
		return ret;
	if (WIFSIGNALED(status))
		return 0x100 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/*
 * The test body of every unprivileged case: @body in a child of uid 65534;
 * skipped if we can't switch users or io_uring is refused to that user.
 */
static void nobody_test(struct __test_metadata *_metadata,
			int (*body)(void *), void *arg)
{
	int ret;

	if (geteuid() != 0)
		SKIP(return, "needs root to become uid %d", NOBODY);
	ret = run_as_nobody(body, arg);
	if (ret == CHILD_NOURING)
		SKIP(return, "io_uring_setup() is refused to uid %d", NOBODY);
	EXPECT_EQ(CHILD_OK, ret) {
		TH_LOG("child: %d (%d: check failed, %d: setresuid, 0x1nn: signal, <0: -errno)",
		       ret, CHILD_FAIL, CHILD_EDROP);
	}
}

/* A ring for the child; io_uring refused to the user skips the test. */
static void child_ring(struct test_ring *r, unsigned int entries,
		       unsigned int flags)
{
	int ret = ring_init_flags(r, entries, flags);

	if (ret == -EPERM)
		_exit(CHILD_NOURING);
	CHILD_EQ(0, ret);
}

static void child_pop(struct test_ring *r, struct io_uring_cqe *cqe,
		      unsigned int ms)
{
	CHILD_EQ(0, ring_pop_cqe(r, cqe, ms));
}

/* ---- registration wrappers ---- */

static int reg_bufs(int fd, const struct iovec *iov, unsigned int nr)
{
	return io_uring_register(fd, IORING_REGISTER_BUFFERS, (void *)iov, nr);
}

static int unreg_bufs(int fd)
{
	return io_uring_register(fd, IORING_UNREGISTER_BUFFERS, NULL, 0);
}

static int reg_bufs2(int fd, const struct iovec *iov, unsigned int nr,
		     unsigned int flags)
{
	struct io_uring_rsrc_register rr;

	memset(&rr, 0, sizeof(rr));
	rr.nr = nr;
	rr.flags = flags;
	rr.data = (__u64)(uintptr_t)iov;
	return io_uring_register(fd, IORING_REGISTER_BUFFERS2, &rr, sizeof(rr));
}

static int upd_bufs(int fd, unsigned int off, const struct iovec *iov,
		    unsigned int nr)
{
	struct io_uring_rsrc_update2 up;

	memset(&up, 0, sizeof(up));
	up.offset = off;
	up.data = (__u64)(uintptr_t)iov;
	up.nr = nr;
	return io_uring_register(fd, IORING_REGISTER_BUFFERS_UPDATE, &up,
				 sizeof(up));
}

static int reg_files_sparse(int fd, unsigned int nr)
{
	struct io_uring_rsrc_register rr;

	memset(&rr, 0, sizeof(rr));
	rr.nr = nr;
	rr.flags = IORING_RSRC_REGISTER_SPARSE;
	return io_uring_register(fd, IORING_REGISTER_FILES2, &rr, sizeof(rr));
}

static int max_workers(int fd, __u32 *vals)
{
	return io_uring_register(fd, IORING_REGISTER_IOWQ_MAX_WORKERS, vals, 2);
}

/* @pages pages of @mem, starting at page @first and @skew bytes in. */
static struct iovec pages_iov(char *mem, size_t first, size_t pages,
			      size_t skew)
{
	struct iovec iov = {
		.iov_base = mem + first * page_sz() + skew,
		.iov_len = pages * page_sz(),
	};

	return iov;
}

/* Register @iov, retrying (bounded) while another ring's charge is going. */
static int reg_bufs_retry(int fd, const struct iovec *iov, unsigned int ms)
{
	long long end = now_ms() + ms;
	int ret;

	while ((ret = reg_bufs(fd, iov, 1)) == -ENOMEM && now_ms() < end)
		sleep_ms(5);
	return ret;
}

/*
 * Wait (bounded) until the user can pin MEMLOCK_PAGES pages through ring
 * @fd: a ring of an earlier test that exited with buffers registered is
 * freed asynchronously and may still hold some. Leaves nothing registered.
 */
static void child_drain_memlock(int fd, char *mem)
{
	struct iovec iov = pages_iov(mem, 0, MEMLOCK_PAGES, 0);
	int ret = reg_bufs_retry(fd, &iov, LONG_MS);

	/* 6.12 charges nothing for the rings themselves, unlike later kernels */
	if (ret)
		fprintf(stderr, "# child: uid %d has part of RLIMIT_MEMLOCK charged already\n",
			NOBODY);
	CHILD_EQ(0, ret);
	CHILD_EQ(0, unreg_bufs(fd));
}

/* ---- threads of this process ---- */

/*
 * Thread ids of this process whose comm starts with @prefix ("iou-wrk-"
 * for io-wq workers, "iou-sqp-" for SQPOLL threads); returns how many
 * there are, or -1 if /proc can't be read.
 */
static int list_threads(const char *prefix, pid_t *tids, int max)
{
	char path[300], comm[32];
	struct dirent *de;
	int fd, n, nr = 0;
	DIR *d;

	d = opendir("/proc/self/task");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, comm, sizeof(comm) - 1);
		close(fd);
		if (n <= 0)
			continue;
		comm[n] = '\0';
		if (strncmp(comm, prefix, strlen(prefix)))
			continue;
		if (tids && nr < max)
			tids[nr] = atoi(de->d_name);
		nr++;
	}
	closedir(d);
	return nr;
}

static int count_workers(void)
{
	return list_threads("iou-wrk-", NULL, 0);
}

/* Wait up to @ms for at least @nr workers; returns how many there are. */
static int wait_workers(int nr, unsigned int ms)
{
	long long end = now_ms() + ms;
	int n;

	while ((n = count_workers()) < nr && now_ms() < end)
		sleep_ms(2);
	return n;
}

/*
 * Wait up to @ms for a worker that is not among @known[0..*nr), add it
 * there and return its tid; 0 if none came.
 */
static pid_t wait_new_worker(pid_t *known, int *nr, unsigned int ms)
{
	long long end = now_ms() + ms;
	pid_t tids[MAX_THREADS];
	int i, j, n;

	do {
		n = list_threads("iou-wrk-", tids, MAX_THREADS);
		for (i = 0; i < n && i < MAX_THREADS; i++) {
			for (j = 0; j < *nr; j++)
				if (known[j] == tids[i])
					break;
			if (j == *nr && *nr < MAX_THREADS) {
				known[(*nr)++] = tids[i];
				return tids[i];
			}
		}
		sleep_ms(2);
	} while (now_ms() < end);
	return 0;
}

/* ---- FIFOs: an open() for reading blocks its worker until a writer ---- */

struct fifo_dir {
	char dir[64];
	char path[NR_FIFOS][96];
};

/*
 * A directory for the child's FIFOs, made by root for uid 65534 so that
 * the parent can clean up whatever the child leaves.
 */
static int fifo_dir_make(struct fifo_dir *f)
{
	int i;

	snprintf(f->dir, sizeof(f->dir), "/tmp/limits.XXXXXX");
	if (!mkdtemp(f->dir))
		return -errno;
	for (i = 0; i < NR_FIFOS; i++)
		snprintf(f->path[i], sizeof(f->path[i]), "%s/fifo%d", f->dir, i);
	if (geteuid() == 0 && chown(f->dir, NOBODY, NOBODY))
		return -errno;
	return 0;
}

static void fifo_dir_remove(struct fifo_dir *f)
{
	int i;

	for (i = 0; i < NR_FIFOS; i++)
		unlink(f->path[i]);
	rmdir(f->dir);
}

static void child_mkfifos(const struct fifo_dir *f)
{
	int i;

	for (i = 0; i < NR_FIFOS; i++)
		CHILD_EQ(0, mkfifo(f->path[i], 0600) ? -errno : 0);
}

/*
 * Queue an IOSQE_ASYNC OPENAT(O_RDONLY) of FIFO @path: it goes to io-wq as
 * bound work (no file, so 6.12's io_prep_async_work() never marks it
 * unbound), where open() waits for a writer.
 */
static void queue_fifo_open(struct test_ring *r, const char *path, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	CHILD_CHECK(sqe);
	sqe->opcode = IORING_OP_OPENAT;
	sqe->fd = AT_FDCWD;
	sqe->addr = (__u64)(uintptr_t)path;
	sqe->open_flags = O_RDONLY | O_CLOEXEC;
	sqe->flags = IOSQE_ASYNC;
	sqe->user_data = ud;
}

/*
 * A non-blocking open() for writing succeeds only while a reader has the
 * FIFO open or is blocked opening it, and fails with ENXIO otherwise.
 * Returns the fd or -errno.
 */
static int try_open_writer(const char *path)
{
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Open @path for writing once a reader waits there, within @ms. */
static int open_writer(const char *path, unsigned int ms)
{
	long long end = now_ms() + ms;
	int fd;

	while ((fd = try_open_writer(path)) == -ENXIO && now_ms() < end)
		sleep_ms(1);
	return fd;
}

/* Let the blocked open of FIFO @i complete and check its CQE. */
static void child_release_fifo(struct test_ring *r, const struct fifo_dir *f,
			       int i)
{
	struct io_uring_cqe cqe;
	int wfd;

	wfd = open_writer(f->path[i], LONG_MS);
	CHILD_CHECK(wfd >= 0);
	child_pop(r, &cqe, LONG_MS);
	CHILD_EQ(UD + i, cqe.user_data);
	CHILD_CHECK(cqe.res >= 0);
	close(cqe.res);
	close(wfd);
}

/* ======================================================================== */
/* RLIMIT_MEMLOCK and registered buffers */

/*
 * 6.12 __io_account_mem(): the pages of a buffer are added to the user's
 * locked_vm, and -ENOMEM if that would exceed RLIMIT_MEMLOCK.
 * io_account_mem() also adds them to the mm's pinned_vm (VmPin).
 */
static int memlock_register_body(void *arg)
{
	const size_t ps = page_sz();
	struct test_ring r;
	struct iovec iov[2];
	char *mem;
	long base;
	int i;

	CHILD_EQ(0, set_limit(RLIMIT_MEMLOCK, MEMLOCK_PAGES * ps));
	mem = map_pages(2 * MEMLOCK_PAGES);
	CHILD_CHECK(mem);
	child_ring(&r, 4, 0);
	child_drain_memlock(r.fd, mem);
	base = vm_pin_pages();
	CHILD_CHECK(base >= 0);

	/* exactly the limit */
	iov[0] = pages_iov(mem, 0, MEMLOCK_PAGES, 0);
	CHILD_EQ(0, reg_bufs(r.fd, iov, 1));
	CHILD_EQ(base + MEMLOCK_PAGES, vm_pin_pages());
	CHILD_EQ(0, unreg_bufs(r.fd));
	CHILD_EQ(base, vm_pin_pages());

	/* one page more, and nothing stays charged or registered */
	iov[0] = pages_iov(mem, 0, MEMLOCK_PAGES + 1, 0);
	CHILD_EQ(-ENOMEM, reg_bufs(r.fd, iov, 1));
	CHILD_EQ(base, vm_pin_pages());
	CHILD_EQ(-ENXIO, unreg_bufs(r.fd));
	/* pages are charged, not bytes: a skewed buffer touches one more */
	iov[0] = pages_iov(mem, 0, MEMLOCK_PAGES, 1);
	CHILD_EQ(-ENOMEM, reg_bufs(r.fd, iov, 1));
	iov[0].iov_len -= 1;
	CHILD_EQ(0, reg_bufs(r.fd, iov, 1));
	CHILD_EQ(base + MEMLOCK_PAGES, vm_pin_pages());
	CHILD_EQ(0, unreg_bufs(r.fd));

	/* the limit is on the sum; a failed call gives back what it took */
	iov[0] = pages_iov(mem, 0, MEMLOCK_PAGES / 2, 0);
	iov[1] = pages_iov(mem, MEMLOCK_PAGES / 2, MEMLOCK_PAGES / 2 + 1, 0);
	CHILD_EQ(-ENOMEM, reg_bufs(r.fd, iov, 2));
	CHILD_EQ(base, vm_pin_pages());
	iov[1].iov_len -= ps;
	CHILD_EQ(0, reg_bufs(r.fd, iov, 2));
	CHILD_EQ(base + MEMLOCK_PAGES, vm_pin_pages());
	CHILD_EQ(0, unreg_bufs(r.fd));

	/* unregistering gives the whole charge back, every time */
	iov[0] = pages_iov(mem, MEMLOCK_PAGES, MEMLOCK_PAGES, 0);
	for (i = 0; i < 3; i++) {
		CHILD_EQ(0, reg_bufs(r.fd, iov, 1));
		CHILD_EQ(0, unreg_bufs(r.fd));
	}
	CHILD_EQ(base, vm_pin_pages());

	/* IORING_REGISTER_BUFFERS2 is charged the same way */
	iov[0] = pages_iov(mem, 0, MEMLOCK_PAGES + 1, 0);
	CHILD_EQ(-ENOMEM, reg_bufs2(r.fd, iov, 1, 0));
	CHILD_EQ(-ENXIO, unreg_bufs(r.fd));
	iov[0] = pages_iov(mem, 0, MEMLOCK_PAGES, 0);
	CHILD_EQ(0, reg_bufs2(r.fd, iov, 1, 0));
	CHILD_EQ(base + MEMLOCK_PAGES, vm_pin_pages());
	CHILD_EQ(0, unreg_bufs(r.fd));
	CHILD_EQ(base, vm_pin_pages());

	ring_exit(&r);
	return CHILD_OK;
}

TEST(memlock_register_unregister)
{
	nobody_test(_metadata, memlock_register_body, NULL);
}

/*
 * 6.12 __io_sqe_buffers_update(): a new buffer is pinned and charged
 * (io_sqe_buffer_register()) before the one it replaces is dropped, which,
 * with no request using it, gives its charge back at once. An empty iovec
 * just clears the slot. A sparse table charges nothing.
 */
static int memlock_update_body(void *arg)
{
	const int half = MEMLOCK_PAGES / 2;
	struct iovec iov[2], empty = { NULL, 0 };
	struct test_ring r;
	char *mem;
	long base;

	CHILD_EQ(0, set_limit(RLIMIT_MEMLOCK, MEMLOCK_PAGES * page_sz()));
	mem = map_pages(4 * MEMLOCK_PAGES);
	CHILD_CHECK(mem);
	child_ring(&r, 4, 0);
	child_drain_memlock(r.fd, mem);
	base = vm_pin_pages();
	CHILD_CHECK(base >= 0);

	CHILD_EQ(0, reg_bufs2(r.fd, NULL, 2, IORING_RSRC_REGISTER_SPARSE));
	CHILD_EQ(base, vm_pin_pages());

	iov[0] = pages_iov(mem, 0, half, 0);
	CHILD_EQ(1, upd_bufs(r.fd, 0, iov, 1));
	CHILD_EQ(base + half, vm_pin_pages());
	/* replaced: the old buffer's charge is returned */
	iov[0] = pages_iov(mem, half, half, 0);
	CHILD_EQ(1, upd_bufs(r.fd, 0, iov, 1));
	CHILD_EQ(base + half, vm_pin_pages());
	/* so there is room for another half (if not, 3 halves were charged) */
	iov[0] = pages_iov(mem, 2 * half, half, 0);
	CHILD_EQ(1, upd_bufs(r.fd, 1, iov, 1));
	CHILD_EQ(base + MEMLOCK_PAGES, vm_pin_pages());
	/* a one-page replacement needs its page before the old half goes */
	iov[0] = pages_iov(mem, 3 * half, 1, 0);
	CHILD_EQ(-ENOMEM, upd_bufs(r.fd, 1, iov, 1));
	CHILD_EQ(base + MEMLOCK_PAGES, vm_pin_pages());

	/*
	 * Two entries: clearing slot 0 returns a half, then half + 1 pages
	 * for slot 1 do not fit next to its current half. The update stops
	 * there and reports one entry done.
	 */
	iov[0] = empty;
	iov[1] = pages_iov(mem, 3 * half, half + 1, 0);
	CHILD_EQ(1, upd_bufs(r.fd, 0, iov, 2));
	CHILD_EQ(base + half, vm_pin_pages());
	iov[0] = pages_iov(mem, 3 * half, half, 0);
	CHILD_EQ(1, upd_bufs(r.fd, 0, iov, 1));
	CHILD_EQ(base + MEMLOCK_PAGES, vm_pin_pages());

	CHILD_EQ(0, unreg_bufs(r.fd));
	CHILD_EQ(base, vm_pin_pages());
	ring_exit(&r);
	return CHILD_OK;
}

TEST(memlock_update)
{
	nobody_test(_metadata, memlock_update_body, NULL);
}

/*
 * The charge is the user's, not the ring's: another ring finds the limit
 * used up. Closing the ring frees it asynchronously in 6.12
 * (io_ring_exit_work() -> io_ring_ctx_free() unregisters the buffers), so
 * the charge comes back within a bounded time.
 */
static int memlock_close_body(void *arg)
{
	struct test_ring a, b;
	struct iovec iov[2];
	char *mem;
	long base;

	CHILD_EQ(0, set_limit(RLIMIT_MEMLOCK, MEMLOCK_PAGES * page_sz()));
	mem = map_pages(2 * MEMLOCK_PAGES);
	CHILD_CHECK(mem);
	child_ring(&a, 4, 0);
	child_ring(&b, 4, 0);
	child_drain_memlock(a.fd, mem);
	base = vm_pin_pages();
	CHILD_CHECK(base >= 0);

	iov[0] = pages_iov(mem, 0, MEMLOCK_PAGES, 0);
	CHILD_EQ(0, reg_bufs(a.fd, iov, 1));
	iov[1] = pages_iov(mem, MEMLOCK_PAGES, MEMLOCK_PAGES, 0);
	iov[1].iov_len = 1;
	CHILD_EQ(-ENOMEM, reg_bufs(b.fd, &iov[1], 1));
	CHILD_EQ(base + MEMLOCK_PAGES, vm_pin_pages());

	/* close ring a with its buffers registered */
	ring_exit(&a);
	iov[1].iov_len = MEMLOCK_PAGES * page_sz();
	CHILD_EQ(0, reg_bufs_retry(b.fd, &iov[1], LONG_MS));
	/* a's pages left the mm's pinned_vm too, b's are there */
	CHILD_EQ(base + MEMLOCK_PAGES, wait_vm_pin(base + MEMLOCK_PAGES, LONG_MS));
	CHILD_EQ(0, unreg_bufs(b.fd));
	CHILD_EQ(base, vm_pin_pages());

	/* and a new ring gets all of it */
	child_ring(&a, 4, 0);
	CHILD_EQ(0, reg_bufs(a.fd, iov, 1));
	/* leave no charge behind for the next test */
	CHILD_EQ(0, unreg_bufs(a.fd));
	ring_exit(&a);
	ring_exit(&b);
	return CHILD_OK;
}

TEST(memlock_returned_on_close)
{
	nobody_test(_metadata, memlock_close_body, NULL);
}

/*
 * locked_vm is per user (struct user_struct), shared by all its processes,
 * while pinned_vm is per mm: a process of the same user sees the limit
 * used up by another's buffers that do not show in its own VmPin. The
 * charge comes back when the other process exits.
 */
static int memlock_users_body(void *arg)
{
	const size_t ps = page_sz();
	int ready[2], go[2], status = 0;
	struct test_ring r, g;
	struct pollfd pfd;
	struct iovec iov;
	char *mem, c = 1;
	long base;
	pid_t pid;

	CHILD_EQ(0, set_limit(RLIMIT_MEMLOCK, MEMLOCK_PAGES * ps));
	mem = map_pages(2 * MEMLOCK_PAGES);
	CHILD_CHECK(mem);
	CHILD_EQ(0, pipe2(ready, O_CLOEXEC));
	CHILD_EQ(0, pipe2(go, O_CLOEXEC));
	child_ring(&r, 4, 0);
	pid = fork();
	CHILD_CHECK(pid >= 0);
	if (!pid) {
		/* never outlive the test, whatever happens to our parent */
		alarm(CHILD_MS / 1000);
		close(ready[0]);
		close(go[1]);
		if (ring_init_flags(&g, 4, 0))
			_exit(CHILD_FAIL);
		iov = pages_iov(mem, 0, MEMLOCK_PAGES, 0);
		/* an earlier test's ring may still hold a charge */
		c = reg_bufs_retry(g.fd, &iov, LONG_MS) || unreg_bufs(g.fd);
		iov.iov_len = 3 * MEMLOCK_PAGES / 4 * ps;
		if (!c)
			c = reg_bufs(g.fd, &iov, 1) ? 1 : 0;
		if (write(ready[1], &c, 1) != 1)
			_exit(CHILD_FAIL);
		/* hold the buffer until the parent closes its end */
		if (read(go[0], &c, 1) < 0)
			_exit(CHILD_FAIL);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	pfd.fd = ready[0];
	pfd.events = POLLIN;
	CHILD_EQ(1, poll(&pfd, 1, LONG_MS + WAIT_MS));
	CHILD_EQ(1, read(ready[0], &c, 1));
	CHILD_EQ(0, c);

	base = vm_pin_pages();
	CHILD_CHECK(base >= 0);
	/* the other process holds 3/4 of the limit */
	iov = pages_iov(mem, MEMLOCK_PAGES, MEMLOCK_PAGES / 2, 0);
	CHILD_EQ(-ENOMEM, reg_bufs(r.fd, &iov, 1));
	iov.iov_len = MEMLOCK_PAGES / 4 * ps;
	CHILD_EQ(0, reg_bufs(r.fd, &iov, 1));
	CHILD_EQ(base + MEMLOCK_PAGES / 4, vm_pin_pages());
	CHILD_EQ(0, unreg_bufs(r.fd));

	/* let it exit: its ring goes, and with it the charge */
	close(go[1]);
	CHILD_EQ(0, wait_child(pid, LONG_MS, &status));
	CHILD_CHECK(WIFEXITED(status));
	CHILD_EQ(0, WEXITSTATUS(status));
	iov.iov_len = MEMLOCK_PAGES * ps;
	CHILD_EQ(0, reg_bufs_retry(r.fd, &iov, LONG_MS));
	CHILD_EQ(0, unreg_bufs(r.fd));
	ring_exit(&r);
	return CHILD_OK;
}

TEST(memlock_per_user_across_processes)
{
	nobody_test(_metadata, memlock_users_body, NULL);
}

/*
 * With CAP_IPC_LOCK at ring setup 6.12 leaves ctx->user NULL: no locked_vm
 * charge and no RLIMIT_MEMLOCK check, but io_account_mem() still adds the
 * pages to the mm's pinned_vm.
 */
TEST(pinned_vm_without_memlock_charge)
{
	struct test_ring r;
	struct iovec iov;
	char *mem;
	long base;

	if (!has_cap(T_CAP_IPC_LOCK))
		SKIP(return, "needs CAP_IPC_LOCK");
	ASSERT_EQ(0, set_limit(RLIMIT_MEMLOCK, MEMLOCK_PAGES * page_sz()));
	mem = map_pages(2 * MEMLOCK_PAGES);
	ASSERT_NE(NULL, mem);
	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));
	base = vm_pin_pages();
	ASSERT_LE(0, base);

	iov = pages_iov(mem, 0, 2 * MEMLOCK_PAGES, 0);
	ASSERT_EQ(0, reg_bufs(r.fd, &iov, 1));
	EXPECT_EQ(base + 2 * MEMLOCK_PAGES, vm_pin_pages());
	EXPECT_EQ(0, unreg_bufs(r.fd));
	EXPECT_EQ(base, vm_pin_pages());
	ring_exit(&r);
	munmap(mem, 2 * MEMLOCK_PAGES * page_sz());
}

/* ======================================================================== */
/* io-wq worker limits: IORING_REGISTER_IOWQ_MAX_WORKERS */

struct maxw_arg {
	const struct fifo_dir *f;
	bool set;
	__u32 bound, unbound;
	int workers;		/* exact count, or 0: one per blocked open */
};

/*
 * Three opens that block in io-wq. 6.12 io_wq_enqueue() and
 * io_wq_dec_running() add a worker whenever the running ones block and
 * work is queued, but only below acct->max_workers of the work's kind
 * (io_wq_create_worker(), create_worker_cb()); the rest wait in the queue,
 * which workers take from the head.
 */
static int maxw_body(void *arg)
{
	const struct maxw_arg *a = arg;
	const struct fifo_dir *f = a->f;
	int busy = a->workers ? a->workers : NR_FIFOS;
	struct test_ring r;
	__u32 v[2];
	int i, n;

	child_mkfifos(f);
	child_ring(&r, 8, 0);
	if (a->set) {
		v[0] = a->bound;
		v[1] = a->unbound;
		CHILD_EQ(0, max_workers(r.fd, v));
	}
	CHILD_EQ(0, count_workers());
	for (i = 0; i < NR_FIFOS; i++)
		queue_fifo_open(&r, f->path[i], UD + i);
	CHILD_EQ(NR_FIFOS, ring_submit(&r, NR_FIFOS, 0, 0));

	n = wait_workers(busy, LONG_MS);
	CHILD_CHECK(n >= busy);
	/* give a broken limit the time to let more workers in */
	sleep_ms(SETTLE_MS);
	n = count_workers();
	if (a->workers)
		CHILD_EQ(a->workers, n);
	else
		CHILD_CHECK(n >= NR_FIFOS);
	CHILD_EQ(0, ring_cq_ready(&r));
	/* the opens beyond the limit are queued: no reader in their FIFOs */
	for (i = NR_FIFOS - 1; i >= busy; i--)
		CHILD_EQ(-ENXIO, try_open_writer(f->path[i]));

	/* one by one, in queue order, every open completes */
	for (i = 0; i < NR_FIFOS; i++)
		child_release_fifo(&r, f, i);
	if (a->workers)
		CHILD_EQ(a->workers, count_workers());
	CHILD_EQ(0, ring_cq_ready(&r));
	ring_exit(&r);
	return CHILD_OK;
}

FIXTURE(max_workers) {
	struct fifo_dir f;
};

FIXTURE_VARIANT(max_workers) {
	bool set;
	__u32 bound, unbound;
	int workers;
};

FIXTURE_VARIANT_ADD(max_workers, bound1_unbound1) {
	.set = true, .bound = 1, .unbound = 1, .workers = 1,
};

FIXTURE_VARIANT_ADD(max_workers, bound2) {
	.set = true, .bound = 2, .unbound = 0, .workers = 2,
};

/* OPENAT is bound work: a limit on unbound workers leaves it alone */
FIXTURE_VARIANT_ADD(max_workers, unbound1) {
	.set = true, .bound = 0, .unbound = 1, .workers = 0,
};

/* no limit set: min(8 SQ entries, 4 * CPUs) bound workers may run */
FIXTURE_VARIANT_ADD(max_workers, unset) {
	.set = false, .workers = 0,
};

FIXTURE_SETUP(max_workers)
{
	ASSERT_EQ(0, fifo_dir_make(&self->f));
}

FIXTURE_TEARDOWN(max_workers)
{
	fifo_dir_remove(&self->f);
}

TEST_F(max_workers, blocked_opens)
{
	struct maxw_arg a = {
		.f = &self->f,
		.set = variant->set,
		.bound = variant->bound,
		.unbound = variant->unbound,
		.workers = variant->workers,
	};

	nobody_test(_metadata, maxw_body, &a);
}

/* ======================================================================== */
/* io-wq worker affinity: IORING_{,UN}REGISTER_IOWQ_AFF */

struct aff_arg {
	const struct fifo_dir *f;
	int cpu;
};

static void child_affinity(pid_t tid, cpu_set_t *set)
{
	CPU_ZERO(set);
	CHILD_EQ(0, sched_getaffinity(tid, sizeof(*set), set) ? -errno : 0);
}

/* Submit the blocking open of FIFO @i; return the new worker it got. */
static pid_t child_open_new_worker(struct test_ring *r, const struct fifo_dir *f,
				   int i, pid_t *known, int *nr)
{
	pid_t tid;

	queue_fifo_open(r, f->path[i], UD + i);
	CHILD_EQ(1, ring_submit(r, 1, 0, 0));
	tid = wait_new_worker(known, nr, LONG_MS);
	CHILD_CHECK(tid > 0);
	return tid;
}

/*
 * 6.12 io_wq_cpu_affinity() only changes wq->cpu_mask, which
 * io_init_new_worker() applies to each worker it creates; workers that
 * exist keep their CPUs. Unregistering restores the cpuset's CPUs of the
 * task (cpuset_cpus_allowed()), which is also the mask before any
 * registration.
 */
static int aff_body(void *arg)
{
	const struct aff_arg *a = arg;
	cpu_set_t one, full, set;
	pid_t known[MAX_THREADS], w0, w1, w2;
	struct test_ring r;
	int i, nr = 0;

	child_mkfifos(a->f);
	child_ring(&r, 8, 0);
	CHILD_EQ(0, count_workers());

	/* a worker made before any registration: the full mask */
	w0 = child_open_new_worker(&r, a->f, 0, known, &nr);
	child_affinity(w0, &full);
	CHILD_CHECK(CPU_ISSET(a->cpu, &full));
	CHILD_CHECK(CPU_COUNT(&full) >= 2);

	CPU_ZERO(&one);
	CPU_SET(a->cpu, &one);
	CHILD_EQ(0, io_uring_register(r.fd, IORING_REGISTER_IOWQ_AFF, &one,
				      sizeof(one)));
	/* w0 is blocked in open(): untouched */
	child_affinity(w0, &set);
	CHILD_CHECK(CPU_EQUAL(&set, &full));
	/* a new one gets just the registered CPU */
	w1 = child_open_new_worker(&r, a->f, 1, known, &nr);
	child_affinity(w1, &set);
	CHILD_CHECK(CPU_EQUAL(&set, &one));

	CHILD_EQ(0, io_uring_register(r.fd, IORING_UNREGISTER_IOWQ_AFF, NULL, 0));
	/* w1 keeps its single CPU ... */
	child_affinity(w1, &set);
	CHILD_CHECK(CPU_EQUAL(&set, &one));
	child_affinity(w0, &set);
	CHILD_CHECK(CPU_EQUAL(&set, &full));
	/* ... and a new one gets the full mask again */
	w2 = child_open_new_worker(&r, a->f, 2, known, &nr);
	child_affinity(w2, &set);
	CHILD_CHECK(CPU_EQUAL(&set, &full));

	for (i = 0; i < NR_FIFOS; i++)
		child_release_fifo(&r, a->f, i);
	ring_exit(&r);
	return CHILD_OK;
}

FIXTURE(fifos) {
	struct fifo_dir f;
};

FIXTURE_SETUP(fifos)
{
	ASSERT_EQ(0, fifo_dir_make(&self->f));
}

FIXTURE_TEARDOWN(fifos)
{
	fifo_dir_remove(&self->f);
}

TEST_F(fifos, iowq_affinity_new_workers)
{
	struct aff_arg a = { .f = &self->f };
	cpu_set_t set;

	ASSERT_EQ(0, sched_getaffinity(0, sizeof(set), &set));
	if (CPU_COUNT(&set) < 2 || sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs 2 CPUs: a one-CPU mask is the full mask on 1");
	/* the first CPU we may use; CPU 0 unless a cpuset says otherwise */
	while (!CPU_ISSET(a.cpu, &set))
		a.cpu++;
	nobody_test(_metadata, aff_body, &a);
}

/* ======================================================================== */
/* RLIMIT_NPROC: io-wq workers and SQPOLL threads are the user's tasks */

/*
 * 6.12 io_wq_create() starts the unbound limit at RLIMIT_NPROC and
 * io_wq_max_workers() clamps both limits to it; the bound limit starts at
 * min(SQ entries, 4 * online CPUs) (io_init_wq_offload()).
 */
static int nproc_caps_body(void *arg)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct test_ring r;
	__u32 v[2];

	/* before the ring: its io-wq is made at setup */
	CHILD_EQ(0, set_limit(RLIMIT_NPROC, 3));
	child_ring(&r, 8, 0);
	v[0] = 0;
	v[1] = 0;
	CHILD_EQ(0, max_workers(r.fd, v));
	CHILD_EQ(cpus * 4 < 8 ? cpus * 4 : 8, v[0]);
	CHILD_EQ(3, v[1]);
	v[0] = 64;
	v[1] = 64;
	CHILD_EQ(0, max_workers(r.fd, v));
	v[0] = 0;
	v[1] = 0;
	CHILD_EQ(0, max_workers(r.fd, v));
	CHILD_EQ(3, v[0]);
	CHILD_EQ(3, v[1]);
	/* below the cap, values are taken as they are */
	v[0] = 2;
	v[1] = 1;
	CHILD_EQ(0, max_workers(r.fd, v));
	v[0] = 0;
	v[1] = 0;
	CHILD_EQ(0, max_workers(r.fd, v));
	CHILD_EQ(2, v[0]);
	CHILD_EQ(1, v[1]);
	ring_exit(&r);
	return CHILD_OK;
}

TEST(nproc_caps_max_workers)
{
	nobody_test(_metadata, nproc_caps_body, NULL);
}

/*
 * RLIMIT_NPROC 1: this process is all the tasks the user may have (or
 * more, if uid 65534 runs others), so copy_process() refuses every new
 * task with -EAGAIN, io-wq workers included (create_io_thread(), no
 * CAP_SYS_RESOURCE/CAP_SYS_ADMIN). 6.12 retries a few times
 * (io_should_retry_thread()), then, with no worker at all, cancels the
 * queued work (create_worker_cont()): -ECANCELED. Inline work still runs.
 */
static int nproc_workers_body(void *arg)
{
	struct io_uring_cqe cqe;
	struct io_uring_sqe *sqe;
	struct test_ring r;
	__u32 v[2] = { 0, 0 };

	CHILD_EQ(0, set_limit(RLIMIT_NPROC, 1));
	child_ring(&r, 4, 0);
	CHILD_EQ(0, max_workers(r.fd, v));
	CHILD_EQ(4, v[0]);
	CHILD_EQ(1, v[1]);

	CHILD_CHECK(ring_nop(&r, UD));
	CHILD_EQ(1, ring_submit(&r, 1, 0, 0));
	child_pop(&r, &cqe, WAIT_MS);
	CHILD_EQ(UD, cqe.user_data);
	CHILD_EQ(0, cqe.res);

	sqe = ring_nop(&r, UD + 1);
	CHILD_CHECK(sqe);
	sqe->flags = IOSQE_ASYNC;
	CHILD_EQ(1, ring_submit(&r, 1, 0, 0));
	child_pop(&r, &cqe, LONG_MS);
	CHILD_EQ(UD + 1, cqe.user_data);
	CHILD_EQ(-ECANCELED, cqe.res);
	CHILD_EQ(0, count_workers());
	ring_exit(&r);
	return CHILD_OK;
}

TEST(nproc_refuses_io_workers)
{
	nobody_test(_metadata, nproc_workers_body, NULL);
}

/*
 * 6.12 needs no capability for IORING_SETUP_SQPOLL (io_sq_offload_create()
 * only asks the LSM), but the SQ thread is made by create_io_thread(), so
 * RLIMIT_NPROC applies: -EAGAIN from io_uring_setup(). A ring without a
 * thread is still fine.
 */
static int sqpoll_nproc_body(void *arg)
{
	struct io_uring_params p;
	struct io_uring_cqe cqe;
	struct test_ring r, r2;
	int ret;

	child_ring(&r, 4, RING_MODE_SQPOLL);
	CHILD_CHECK(ring_nop(&r, UD));
	CHILD_EQ(1, ring_submit_mode(&r, 1));
	child_pop(&r, &cqe, WAIT_MS);
	CHILD_EQ(UD, cqe.user_data);
	CHILD_EQ(0, cqe.res);
	CHILD_EQ(1, list_threads("iou-sqp-", NULL, 0));

	CHILD_EQ(0, set_limit(RLIMIT_NPROC, 1));
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL;
	ret = io_uring_setup(4, &p);
	if (ret >= 0)
		close(ret);
	CHILD_EQ(-EAGAIN, ret);
	CHILD_EQ(1, list_threads("iou-sqp-", NULL, 0));
	child_ring(&r2, 4, 0);
	CHILD_CHECK(ring_nop(&r2, UD + 1));
	CHILD_EQ(1, ring_submit(&r2, 1, 0, 0));
	child_pop(&r2, &cqe, WAIT_MS);
	CHILD_EQ(UD + 1, cqe.user_data);
	CHILD_EQ(0, cqe.res);
	/* the existing SQ thread goes on working */
	CHILD_CHECK(ring_nop(&r, UD + 2));
	CHILD_EQ(1, ring_submit_mode(&r, 1));
	child_pop(&r, &cqe, WAIT_MS);
	CHILD_EQ(UD + 2, cqe.user_data);
	CHILD_EQ(0, cqe.res);
	ring_exit(&r2);
	ring_exit(&r);
	return CHILD_OK;
}

TEST(sqpoll_unprivileged_nproc)
{
	nobody_test(_metadata, sqpoll_nproc_body, NULL);
}

/* ======================================================================== */
/* RLIMIT_NOFILE */

/* How many fd numbers below @limit are free. */
static int free_fds(int limit)
{
	int fd, nr = 0;

	for (fd = 0; fd < limit; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
			nr++;
	return nr;
}

static void child_openat(struct test_ring *r, const char *path, int flags,
			 __u32 file_index, __u64 ud, int res)
{
	struct io_uring_cqe cqe;
	struct io_uring_sqe *sqe;

	sqe = ring_get_sqe(r);
	CHILD_CHECK(sqe);
	sqe->opcode = IORING_OP_OPENAT;
	sqe->fd = AT_FDCWD;
	sqe->addr = (__u64)(uintptr_t)path;
	sqe->open_flags = flags;
	sqe->file_index = file_index;
	sqe->user_data = ud;
	CHILD_EQ(1, ring_submit(r, 1, 0, 0));
	child_pop(r, &cqe, WAIT_MS);
	CHILD_EQ(ud, cqe.user_data);
	CHILD_EQ(res, cqe.res);
}

/*
 * A ring is an fd: io_uring_install_fd() fails with -EMFILE once the fds
 * below RLIMIT_NOFILE are taken, as does OPENAT into the fd table
 * (io_openat2() with the limit read at prep). The fixed file table is
 * bounded by RLIMIT_NOFILE itself (io_sqe_files_register()), not by free
 * fds. Rings set up with IORING_SETUP_REGISTERED_FD_ONLY take no fd but
 * one of the task's 16 registered ring slots
 * (io_ring_add_registered_file()): -EBUSY beyond.
 */
static int nofile_body(void *arg)
{
	const size_t ps = page_sz();
	struct io_uring_params p;
	int fds[NOFILE_LIM], nr, i, ret;
	struct test_ring r;
	char *mem;

	mem = map_pages(2 * (RINGFD_MAX + 1));
	CHILD_CHECK(mem);
	CHILD_EQ(0, set_limit(RLIMIT_NOFILE, NOFILE_LIM));
	child_ring(&r, 4, 0);

	nr = free_fds(NOFILE_LIM);
	CHILD_CHECK(nr > 0 && nr < NOFILE_LIM);
	for (i = 0; i < nr; i++) {
		memset(&p, 0, sizeof(p));
		fds[i] = io_uring_setup(1, &p);
		CHILD_CHECK(fds[i] >= 0 && fds[i] < NOFILE_LIM);
	}
	memset(&p, 0, sizeof(p));
	ret = io_uring_setup(1, &p);
	if (ret >= 0)
		close(ret);
	CHILD_EQ(-EMFILE, ret);

	/* nor can a request install an fd */
	child_openat(&r, "/dev/null", O_RDONLY | O_CLOEXEC, 0, UD, -EMFILE);
	/* the fixed table may be as large as the limit, fds in use or not */
	CHILD_EQ(-EMFILE, reg_files_sparse(r.fd, NOFILE_LIM + 1));
	CHILD_EQ(0, reg_files_sparse(r.fd, NOFILE_LIM));
	child_openat(&r, "/dev/null", O_RDONLY, NOFILE_LIM, UD + 1, 0);

	/* one ring closed, one more ring */
	close(fds[nr - 1]);
	memset(&p, 0, sizeof(p));
	ret = io_uring_setup(1, &p);
	CHILD_EQ(fds[nr - 1], ret);

	/* fd-less rings: as many as there are registered ring slots */
	for (i = 0; i <= RINGFD_MAX; i++) {
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_NO_MMAP | IORING_SETUP_REGISTERED_FD_ONLY;
		p.cq_off.user_addr = (__u64)(uintptr_t)(mem + 2 * i * ps);
		p.sq_off.user_addr = (__u64)(uintptr_t)(mem + (2 * i + 1) * ps);
		ret = io_uring_setup(1, &p);
		CHILD_EQ(i < RINGFD_MAX ? i : -EBUSY, ret);
	}
	for (i = 0; i < nr; i++)
		close(fds[i]);
	ring_exit(&r);
	return CHILD_OK;
}

TEST(rings_bounded_by_nofile)
{
	nobody_test(_metadata, nofile_body, NULL);
}

TEST_HARNESS_MAIN
