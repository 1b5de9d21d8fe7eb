// SPDX-License-Identifier: GPL-2.0
/*
 * Exec in a process that keeps its ring: the ring fd is not close-on-exec,
 * so the new image inherits the ring, maps it again and goes on using it.
 * Follows Linux 6.12 (fs/exec.c: begin_new_exec() calls
 * io_uring_task_cancel() before de_thread()):
 *
 * - Exec cancels every request of the task that execs, whatever it waits
 *   on, and waits for them, so the new image finds their CQEs already
 *   posted: a READ parked on an empty pipe (poll armed) and a POLL_ADD end
 *   with -ECANCELED (io_poll_remove_all()), a TIMEOUT with -ECANCELED
 *   (io_kill_timeouts()), an OPENAT of a FIFO blocked in an io-wq worker
 *   with -EINTR (io_wq_cancel_cb() signals the worker; the open's
 *   -ERESTARTSYS is posted as -EINTR). Data written after the exec is
 *   left for the new image, whose own requests work as usual.
 * - Exec from a second thread: that thread's requests are cancelled as
 *   above. The other thread is killed by de_thread() and exits; exit
 *   (io_uring_files_cancel(), cancel_all false) cancels only requests that
 *   use a ring file, so its READ, POLL_ADD and TIMEOUT stay pending in the
 *   inherited ring. Its blocked OPENAT ends with -EINTR: the worker is a
 *   thread of the process and gets de_thread()'s SIGKILL. A write to the
 *   pipe later wakes its READ and POLL_ADD, which run from the ring's
 *   fallback work because the task is gone and end with -ECANCELED
 *   (io_should_terminate_tw()) without consuming the data; its TIMEOUT is
 *   still there for TIMEOUT_REMOVE.
 * - Registered ring fds: __io_uring_cancel() drops them, and after exec
 *   io_uring_cancel_generic() frees the task's io_uring context, so an
 *   index is -EINVAL until the task uses a ring again, then -EBADF.
 *
 * The process that execs is a child; the new image runs its checks from a
 * constructor (exec_child_ctor) and reports the first failed one as its
 * exit code, which the test names. Every wait is bounded.
 */
#include "kselftest_harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "uring_test.h"

#define WAIT_MS		5000	/* bound for anything that must happen */
#define LONG_MS		15000	/* bound for the exec'ing child as a whole */
#define PENDING_MS	50	/* time given to something that must not happen */

#define EXEC_ENV	"IOU_EXECVE_CHILD"
#define DIR_ENV		"IOU_EXECVE_DIR"

/*
 * user_data: who submitted (WHO_EXEC: the task that execs, WHO_KILLED: the
 * thread that exec kills, WHO_NEW: the new image) and which request.
 */
#define UD_BASE		0xe8ec000000000000ULL
#define UD(who, what)	(UD_BASE | ((__u64)(who) << 8) | (what))
enum { WHO_EXEC, WHO_KILLED, WHO_NEW };
enum { REQ_READ = 1, REQ_POLL, REQ_TIMEOUT, REQ_OPEN, REQ_NOP, REQ_REMOVE };

/* a bit per request in a mask of CQEs seen */
#define SEEN(who, what)	(1U << ((who) * 8 + (what)))

enum { MODE_PROCESS, MODE_THREAD, MODE_REGRING };

/* Exit codes of the child: the first check that failed. */
enum {
	XF_OK = 0,
	XF_SETUP = 10,
	XF_SUBMIT,
	XF_EARLY,
	XF_WORKERS,
	XF_EXEC,
	XF_ENV,
	XF_PARAMS,
	XF_MAP,
	XF_COUNT,
	XF_UNKNOWN,
	XF_READ,
	XF_POLL,
	XF_TIMEOUT,
	XF_OPEN,
	XF_FLAGS,
	XF_FIFO,
	XF_STRAY,
	XF_NOP,
	XF_NEWREAD,
	XF_DATA,
	XF_REMOVE,
	XF_KTIMEOUT,
	XF_KREAD,
	XF_KPOLL,
	XF_PIPE,
	XF_OVERFLOW,
	XF_REGRING_PRE,
	XF_REGRING_EXEC,
	XF_REGRING_USED,
	XF_MAX
};

static const char *const xf_name[XF_MAX] = {
	[XF_SETUP]	= "pre-exec: ring, pipes or thread setup failed",
	[XF_SUBMIT]	= "pre-exec: submission failed",
	[XF_EARLY]	= "pre-exec: a request that must wait completed",
	[XF_WORKERS]	= "pre-exec: the OPENATs never blocked in io-wq workers",
	[XF_EXEC]	= "execve() failed",
	[XF_ENV]		= "new image: bad environment",
	[XF_PARAMS]	= "new image: could not read the ring's io_uring_params",
	[XF_MAP]		= "new image: mmap of the inherited ring failed",
	[XF_COUNT]	= "new image: not exactly the exec-cancelled CQEs posted",
	[XF_UNKNOWN]	= "new image: a CQE with unexpected or repeated user_data",
	[XF_READ]	= "new image: cancelled READ res is not -ECANCELED",
	[XF_POLL]	= "new image: cancelled POLL_ADD res is not -ECANCELED",
	[XF_TIMEOUT]	= "new image: cancelled TIMEOUT res is not -ECANCELED",
	[XF_OPEN]	= "new image: interrupted OPENAT res is not -EINTR",
	[XF_FLAGS]	= "new image: a CQE has flags",
	[XF_FIFO]	= "new image: a FIFO still has a reader (open not ended)",
	[XF_STRAY]	= "new image: a CQE was posted where none may be",
	[XF_NOP]		= "new image: NOP on the inherited ring failed",
	[XF_NEWREAD]	= "new image: READ on the inherited ring, wrong res",
	[XF_DATA]	= "new image: READ data differs (consumed before?)",
	[XF_REMOVE]	= "new image: TIMEOUT_REMOVE of the killed thread's timeout != 0",
	[XF_KTIMEOUT]	= "new image: killed thread's TIMEOUT res is not -ECANCELED",
	[XF_KREAD]	= "new image: killed thread's READ res is not -ECANCELED",
	[XF_KPOLL]	= "new image: killed thread's POLL_ADD res is not -ECANCELED",
	[XF_PIPE]	= "new image: data written after exec was consumed",
	[XF_OVERFLOW]	= "new image: CQ overflow or dropped SQEs",
	[XF_REGRING_PRE]	= "pre-exec: NOP through the registered ring fd failed",
	[XF_REGRING_EXEC] = "new image: registered ring index is not -EINVAL after exec",
	[XF_REGRING_USED] = "new image: registered ring index is not -EBADF once the ring is used",
};

static const char *xf_str(int code)
{
	if (code > 0 && code < XF_MAX && xf_name[code])
		return xf_name[code];
	return "unknown exit code";
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Reap @pid within @ms; on timeout kill it and reap it if it dies within
 * another @ms (an unkillable child is left rather than hanging the test).
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
 * io-wq workers of this process (threads named iou-wrk-<tid>); *sleeping
 * gets how many of them are in interruptible sleep.
 */
static int count_workers(int *sleeping)
{
	char path[300], buf[512];
	struct dirent *de;
	int fd, n, nr = 0;
	char *p;
	DIR *d;

	*sleeping = 0;
	d = opendir("/proc/self/task");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/stat", de->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		/* "tid (comm) S ..." */
		if (!strstr(buf, "(iou-wrk-"))
			continue;
		nr++;
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'S')
			(*sleeping)++;
	}
	closedir(d);
	return nr;
}

/*
 * Wait (bounded) until @want workers exist and all sleep: each OPENAT is
 * blocked in the FIFO open, so the exec finds it running, not queued
 * (queued work would be cancelled with -ECANCELED instead of -EINTR).
 */
static bool wait_workers_asleep(int want)
{
	long long end = now_ms() + WAIT_MS;
	int nr, sleeping;

	do {
		nr = count_workers(&sleeping);
		if (nr >= want && sleeping == nr)
			return true;
		sleep_ms(5);
	} while (now_ms() < end);
	return false;
}

/* ---- SQEs ---- */

/* static: the requests may outlive the stack frame that queued them */
static char pre_buf[2][16];
static struct __kernel_timespec ts_exec = { .tv_sec = 10 };
/* never fires while the test runs: TIMEOUT_REMOVE must still find it */
static struct __kernel_timespec ts_killed = { .tv_sec = 60 };

static struct io_uring_sqe *queue_read(struct test_ring *r, int fd, void *buf,
				       unsigned int len, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_READ;
		sqe->fd = fd;
		sqe->addr = (__u64)(uintptr_t)buf;
		sqe->len = len;
		sqe->off = (__u64)-1;
		sqe->user_data = ud;
	}
	return sqe;
}

/*
 * The four requests of one task, all left pending: a READ of the empty
 * pipe @rfd (poll armed), a POLL_ADD on it, a TIMEOUT, and an OPENAT of
 * the FIFO @fifo that blocks in an io-wq worker until a writer opens it.
 * Returns 0 or an XF_* code.
 */
static int submit_pending(struct test_ring *r, int who, int rfd, const char *fifo,
			  struct __kernel_timespec *ts)
{
	struct io_uring_sqe *sqe;

	if (!queue_read(r, rfd, pre_buf[who], sizeof(pre_buf[who]), UD(who, REQ_READ)))
		return XF_SUBMIT;
	sqe = ring_get_sqe(r);
	if (!sqe)
		return XF_SUBMIT;
	sqe->opcode = IORING_OP_POLL_ADD;
	sqe->fd = rfd;
	sqe->poll32_events = POLLIN;
	sqe->user_data = UD(who, REQ_POLL);
	sqe = ring_get_sqe(r);
	if (!sqe)
		return XF_SUBMIT;
	sqe->opcode = IORING_OP_TIMEOUT;
	sqe->fd = -1;
	sqe->addr = (__u64)(uintptr_t)ts;
	sqe->len = 1;
	sqe->user_data = UD(who, REQ_TIMEOUT);
	sqe = ring_get_sqe(r);
	if (!sqe)
		return XF_SUBMIT;
	sqe->opcode = IORING_OP_OPENAT;
	sqe->fd = AT_FDCWD;
	sqe->addr = (__u64)(uintptr_t)fifo;
	sqe->open_flags = O_RDONLY;
	sqe->flags = IOSQE_ASYNC;
	sqe->user_data = UD(who, REQ_OPEN);
	if (ring_submit(r, 4, 0, 0) != 4)
		return XF_SUBMIT;
	return 0;
}

/* ---- before exec ---- */

struct pre {
	struct test_ring r;
	int params[2];		/* the ring's io_uring_params for the new image */
	int p[2][2];		/* per submitter: the pipe its READ and POLL wait on */
	char fifo[2][96];
	const char *dir;
	int mode;
};

static struct pre pre;

static int keep_on_exec(int fd)
{
	return fcntl(fd, F_SETFD, 0);
}

/*
 * Hand the ring to the new image and exec: the environment names the
 * fds it inherits and the FIFOs' directory, a pipe carries the ring's
 * io_uring_params. Returns an XF_* code (only if the exec failed).
 */
static int do_exec(void)
{
	static char *const argv[] = { "execve-child", NULL };
	static char env[160], dirv[160];
	static char *const envp[] = { env, dirv, NULL };

	if (write(pre.params[1], &pre.r.p, sizeof(pre.r.p)) != sizeof(pre.r.p))
		return XF_SETUP;
	snprintf(env, sizeof(env), EXEC_ENV "=%d,%d,%d,%d,%d,%d,%d", pre.mode, pre.r.fd,
		 pre.params[0], pre.p[0][0], pre.p[0][1], pre.p[1][0], pre.p[1][1]);
	snprintf(dirv, sizeof(dirv), DIR_ENV "=%s", pre.dir);
	execve("/proc/self/exe", argv, envp);
	return XF_EXEC;
}

/* pipes (and FIFOs) in use: one per task with requests pending at exec */
static int nr_pipes(int mode)
{
	return mode == MODE_THREAD ? 2 : mode == MODE_PROCESS ? 1 : 0;
}

static int setup_pre(int mode, unsigned int flags, const char *dir)
{
	int i;

	memset(&pre, 0, sizeof(pre));
	pre.mode = mode;
	pre.dir = dir;
	for (i = 0; i < 2; i++) {
		pre.p[i][0] = -1;
		pre.p[i][1] = -1;
		snprintf(pre.fifo[i], sizeof(pre.fifo[i]), "%s/fifo%d", dir, i);
	}
	if (ring_init_flags(&pre.r, 16, flags))
		return XF_SETUP;
	/* ring fds are O_CLOEXEC: this one is to be inherited */
	if (keep_on_exec(pre.r.fd) || pipe2(pre.params, O_CLOEXEC) ||
	    keep_on_exec(pre.params[0]))
		return XF_SETUP;
	/* inherited: the new image writes to them and reads them */
	for (i = 0; i < nr_pipes(mode); i++) {
		if (pipe(pre.p[i]))
			return XF_SETUP;
	}
	return 0;
}

/* The thread that execs, while the main thread waits to be killed. */
static void *exec_thread(void *arg)
{
	int ret;

	ret = submit_pending(&pre.r, WHO_EXEC, pre.p[WHO_EXEC][0], pre.fifo[WHO_EXEC], &ts_exec);
	if (ret)
		return (void *)(uintptr_t)ret;
	/* one worker per task: each has an io-wq of its own */
	if (!wait_workers_asleep(2))
		return (void *)(uintptr_t)XF_WORKERS;
	if (ring_cq_ready(&pre.r))
		return (void *)(uintptr_t)XF_EARLY;
	return (void *)(uintptr_t)do_exec();
}

/* The child: set up, submit, exec. Returns an XF_* code if that fails. */
static int run_pre(int mode, unsigned int flags, const char *dir)
{
	struct io_uring_rsrc_update ru;
	struct io_uring_cqe cqe;
	pthread_t th;
	void *res;
	int ret;

	ret = setup_pre(mode, flags, dir);
	if (ret)
		return ret;

	if (mode == MODE_REGRING) {
		memset(&ru, 0, sizeof(ru));
		ru.offset = -1U;
		ru.data = pre.r.fd;
		if (io_uring_register(pre.r.fd, IORING_REGISTER_RING_FDS, &ru, 1) != 1)
			return XF_SETUP;
		/* it works before the exec; the new image is told the index */
		pre.p[0][0] = ru.offset;
		if (!ring_nop(&pre.r, UD(WHO_EXEC, REQ_NOP)))
			return XF_SETUP;
		ring_flush(&pre.r);
		if (io_uring_enter(ru.offset, 1, 0, IORING_ENTER_REGISTERED_RING, NULL, 0) != 1)
			return XF_REGRING_PRE;
		if (ring_pop_cqe(&pre.r, &cqe, WAIT_MS) || cqe.res ||
		    cqe.user_data != UD(WHO_EXEC, REQ_NOP))
			return XF_REGRING_PRE;
		return do_exec();
	}

	if (mode == MODE_PROCESS) {
		ret = submit_pending(&pre.r, WHO_EXEC, pre.p[WHO_EXEC][0], pre.fifo[WHO_EXEC],
				     &ts_exec);
		if (ret)
			return ret;
		if (!wait_workers_asleep(1))
			return XF_WORKERS;
		if (ring_cq_ready(&pre.r))
			return XF_EARLY;
		return do_exec();
	}

	/* MODE_THREAD: this (main) thread submits first, then is killed */
	ret = submit_pending(&pre.r, WHO_KILLED, pre.p[WHO_KILLED][0], pre.fifo[WHO_KILLED],
			     &ts_killed);
	if (ret)
		return ret;
	if (pthread_create(&th, NULL, exec_thread, NULL))
		return XF_SETUP;
	/* returns only if the exec failed; otherwise de_thread() kills us here */
	if (pthread_join(th, &res))
		return XF_SETUP;
	return (int)(uintptr_t)res;
}

/* ---- after exec, in the new image ---- */

/* Map a ring the new image inherited, from the params the old one sent. */
static int ring_attach(struct test_ring *r, int fd, const struct io_uring_params *p)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->p = *p;
	r->sq_ring_sz = ring_sq_size(p);
	r->cq_ring_sz = ring_cq_size(p);
	r->sqes_sz = ring_sqes_size(p);
	if (p->features & IORING_FEAT_SINGLE_MMAP) {
		if (r->cq_ring_sz > r->sq_ring_sz)
			r->sq_ring_sz = r->cq_ring_sz;
		r->cq_ring_sz = r->sq_ring_sz;
	}
	r->sq_ring = ring_mmap(fd, r->sq_ring_sz, IORING_OFF_SQ_RING);
	if (r->sq_ring == MAP_FAILED)
		return -1;
	r->cq_ring = r->sq_ring;
	if (!(p->features & IORING_FEAT_SINGLE_MMAP)) {
		r->cq_ring = ring_mmap(fd, r->cq_ring_sz, IORING_OFF_CQ_RING);
		if (r->cq_ring == MAP_FAILED)
			return -1;
	}
	r->sqes = ring_mmap(fd, r->sqes_sz, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		return -1;
	/* picks up the SQ tail the old image left */
	ring_set_ptrs(r);
	return 0;
}

/*
 * Check one CQE of a pre-exec request against what 6.12 posts for it.
 * @seen tracks user_data already met. Returns 0 or an XF_* code.
 */
static int check_cancelled(const struct io_uring_cqe *cqe, unsigned int *seen)
{
	static const int code[] = {
		[REQ_READ] = XF_READ, [REQ_POLL] = XF_POLL,
		[REQ_TIMEOUT] = XF_TIMEOUT, [REQ_OPEN] = XF_OPEN,
	};
	unsigned int who = (cqe->user_data >> 8) & 0xff;
	unsigned int what = cqe->user_data & 0xff;
	unsigned int bit;

	if ((cqe->user_data & ~0xffffULL) != UD_BASE || who > WHO_KILLED ||
	    what < REQ_READ || what > REQ_OPEN)
		return XF_UNKNOWN;
	bit = SEEN(who, what);
	if (*seen & bit)
		return XF_UNKNOWN;
	*seen |= bit;
	if (cqe->flags)
		return XF_FLAGS;
	if (cqe->res != (what == REQ_OPEN ? -EINTR : -ECANCELED))
		return code[what];
	return 0;
}

/* Nothing is posted for PENDING_MS. */
static bool no_cqe(struct test_ring *r)
{
	return !ring_wait_cqe(r, PENDING_MS, NULL);
}

/* A FIFO with no reader refuses a non-blocking writer with ENXIO. */
static bool fifo_unread(const char *dir, int i)
{
	char path[160];
	int fd;

	snprintf(path, sizeof(path), "%s/fifo%d", dir, i);
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return false;
	}
	return errno == ENXIO;
}

/* Pop the CQE for @ud within WAIT_MS; 0 and its res in *res, or -1. */
static int pop_res(struct test_ring *r, __u64 ud, int *res)
{
	struct io_uring_cqe cqe;

	if (ring_pop_cqe(r, &cqe, WAIT_MS) || cqe.user_data != ud || cqe.flags)
		return -1;
	*res = cqe.res;
	return 0;
}

/*
 * The killed thread's READ, POLL_ADD and TIMEOUT outlived the exec. Remove
 * the TIMEOUT; wake the others with a write to their pipe, which they
 * must leave alone. Returns 0 or an XF_* code.
 */
static int check_killed(struct test_ring *r, int rfd, int wfd)
{
	unsigned int i, seen = 0;
	struct io_uring_cqe cqe;
	struct io_uring_sqe *sqe;
	char buf[16];

	sqe = ring_get_sqe(r);
	if (!sqe)
		return XF_REMOVE;
	sqe->opcode = IORING_OP_TIMEOUT_REMOVE;
	sqe->fd = -1;
	sqe->addr = UD(WHO_KILLED, REQ_TIMEOUT);
	sqe->user_data = UD(WHO_NEW, REQ_REMOVE);
	if (ring_submit(r, 1, 0, 0) != 1)
		return XF_REMOVE;
	for (i = 0; i < 2; i++) {
		if (ring_pop_cqe(r, &cqe, WAIT_MS))
			return (seen & 1) ? XF_KTIMEOUT : XF_REMOVE;
		if (cqe.user_data == UD(WHO_NEW, REQ_REMOVE) && !(seen & 1)) {
			if (cqe.res || cqe.flags)
				return XF_REMOVE;
			seen |= 1;
		} else if (cqe.user_data == UD(WHO_KILLED, REQ_TIMEOUT) && !(seen & 2)) {
			if (cqe.res != -ECANCELED || cqe.flags)
				return XF_KTIMEOUT;
			seen |= 2;
		} else {
			return XF_UNKNOWN;
		}
	}

	if (write(wfd, "killed!!", 8) != 8)
		return XF_PIPE;
	seen = 0;
	for (i = 0; i < 2; i++) {
		if (ring_pop_cqe(r, &cqe, WAIT_MS))
			return (seen & 1) ? XF_KPOLL : XF_KREAD;
		if (cqe.user_data == UD(WHO_KILLED, REQ_READ) && !(seen & 1)) {
			if (cqe.res != -ECANCELED || cqe.flags)
				return XF_KREAD;
			seen |= 1;
		} else if (cqe.user_data == UD(WHO_KILLED, REQ_POLL) && !(seen & 2)) {
			if (cqe.res != -ECANCELED || cqe.flags)
				return XF_KPOLL;
			seen |= 2;
		} else {
			return XF_UNKNOWN;
		}
	}
	/* the data is all still in the pipe */
	if (fcntl(rfd, F_SETFL, O_NONBLOCK) || read(rfd, buf, sizeof(buf)) != 8 ||
	    memcmp(buf, "killed!!", 8))
		return XF_PIPE;
	return 0;
}

/* The new image submits on the inherited ring: a NOP and a READ of @rfd. */
static int check_new_io(struct test_ring *r, int wfd, int rfd)
{
	static char new_buf[16];
	int res;

	/* no pre-exec request is left to take this */
	if (write(wfd, "postexec", 8) != 8)
		return XF_PIPE;
	if (!no_cqe(r))
		return XF_STRAY;
	if (!ring_nop(r, UD(WHO_NEW, REQ_NOP)) ||
	    !queue_read(r, rfd, new_buf, sizeof(new_buf), UD(WHO_NEW, REQ_READ)))
		return XF_NOP;
	if (ring_submit(r, 2, 0, 0) != 2)
		return XF_NOP;
	if (pop_res(r, UD(WHO_NEW, REQ_NOP), &res) || res)
		return XF_NOP;
	if (pop_res(r, UD(WHO_NEW, REQ_READ), &res) || res != 8)
		return XF_NEWREAD;
	if (memcmp(new_buf, "postexec", 8))
		return XF_DATA;
	return 0;
}

static int post_regring(struct test_ring *r, int idx)
{
	int res;

	/* the exec freed the task's io_uring context with the table */
	if (io_uring_enter(idx, 0, 0, IORING_ENTER_REGISTERED_RING, NULL, 0) != -EINVAL)
		return XF_REGRING_EXEC;
	/* using the ring by its fd gives the task a new, empty context */
	if (!ring_nop(r, UD(WHO_NEW, REQ_NOP)) || ring_submit(r, 1, 0, 0) != 1)
		return XF_NOP;
	if (pop_res(r, UD(WHO_NEW, REQ_NOP), &res) || res)
		return XF_NOP;
	if (io_uring_enter(idx, 0, 0, IORING_ENTER_REGISTERED_RING, NULL, 0) != -EBADF)
		return XF_REGRING_USED;
	return 0;
}

static int post_exec(void)
{
	int mode, fd, pfd, p[2][2], ret, i, nr;
	struct io_uring_params params;
	const char *env = getenv(EXEC_ENV);
	const char *dir = getenv(DIR_ENV);
	unsigned int seen = 0, want;
	struct test_ring r;

	if (!env || !dir || sscanf(env, "%d,%d,%d,%d,%d,%d,%d", &mode, &fd, &pfd,
				   &p[0][0], &p[0][1], &p[1][0], &p[1][1]) != 7)
		return XF_ENV;
	if (read(pfd, &params, sizeof(params)) != sizeof(params))
		return XF_PARAMS;
	if (ring_attach(&r, fd, &params))
		return XF_MAP;

	if (mode == MODE_REGRING)
		return post_regring(&r, p[0][0]);

	/*
	 * Exec waited for its cancellations, and de_thread() for the killed
	 * thread's worker: the CQEs are all there. All four requests of the
	 * task that execed; of the killed thread's, its OPENAT alone.
	 */
	want = SEEN(WHO_EXEC, REQ_READ) | SEEN(WHO_EXEC, REQ_POLL) |
	       SEEN(WHO_EXEC, REQ_TIMEOUT) | SEEN(WHO_EXEC, REQ_OPEN);
	if (mode == MODE_THREAD)
		want |= SEEN(WHO_KILLED, REQ_OPEN);
	nr = __builtin_popcount(want);
	if (ring_cq_ready(&r) != (unsigned int)nr)
		return XF_COUNT;
	for (i = 0; i < nr; i++) {
		ret = check_cancelled(ring_peek_cqe(&r), &seen);
		if (ret)
			return ret;
		ring_cqe_seen(&r);
	}
	if (seen != want)
		return XF_COUNT;
	if (!no_cqe(&r))
		return XF_STRAY;

	/* the interrupted opens let go of the FIFOs */
	for (i = 0; i < nr_pipes(mode); i++) {
		if (!fifo_unread(dir, i))
			return XF_FIFO;
	}

	if (mode == MODE_THREAD) {
		ret = check_killed(&r, p[1][0], p[1][1]);
		if (ret)
			return ret;
	}
	ret = check_new_io(&r, p[0][1], p[0][0]);
	if (ret)
		return ret;
	if (*r.cq_overflow || *r.sq_dropped)
		return XF_OVERFLOW;
	return 0;
}

__attribute__((constructor)) static void exec_child_ctor(void)
{
	if (getenv(EXEC_ENV))
		_exit(post_exec());
}

/* ---- the tests ---- */

FIXTURE(execve) {
	char dir[64];
};

FIXTURE_VARIANT(execve) {
	int mode;
	unsigned int setup_flags;
};

/* the task that execs is the only thread */
FIXTURE_VARIANT_ADD(execve, process) {
	.mode = MODE_PROCESS,
};

/* the same with DEFER_TASKRUN: exec runs the ring's deferred task work */
FIXTURE_VARIANT_ADD(execve, process_defer_taskrun) {
	.mode = MODE_PROCESS,
	.setup_flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
};

/* a second thread execs; the main thread has requests of its own */
FIXTURE_VARIANT_ADD(execve, second_thread) {
	.mode = MODE_THREAD,
};

FIXTURE_SETUP(execve)
{
	char path[96];
	int i;

	snprintf(self->dir, sizeof(self->dir), "/tmp/iou-execve-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/fifo%d", self->dir, i);
		ASSERT_EQ(0, mkfifo(path, 0600));
	}
}

FIXTURE_TEARDOWN(execve)
{
	char path[96];
	int i, fd;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/fifo%d", self->dir, i);
		/* release an opener still blocked, should a kernel leave one */
		fd = open(path, O_WRONLY | O_NONBLOCK);
		if (fd >= 0)
			close(fd);
		unlink(path);
	}
	rmdir(self->dir);
}

static void run_exec_child(struct __test_metadata *_metadata, int mode, unsigned int flags,
			   const char *dir)
{
	int status = 0, ret;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(run_pre(mode, flags, dir));
	ret = wait_child(pid, LONG_MS, &status);
	ASSERT_EQ(0, ret) {
		TH_LOG("the exec'ing child did not exit within %u ms", LONG_MS);
	}
	ASSERT_TRUE(WIFEXITED(status)) {
		TH_LOG("the exec'ing child died of signal %d", WTERMSIG(status));
	}
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("exit code %d: %s", WEXITSTATUS(status), xf_str(WEXITSTATUS(status)));
	}
}

/*
 * Requests pending at exec (READ and POLL_ADD on a pipe, TIMEOUT, OPENAT
 * blocked in a worker) are cancelled with their 6.12 results before the
 * new image runs; the new image maps the inherited ring and uses it.
 */
TEST_F(execve, pending_requests_cancelled_ring_kept)
{
	run_exec_child(_metadata, variant->mode, variant->setup_flags, self->dir);
}

/*
 * A ring fd registered with IORING_REGISTER_RING_FDS does not survive the
 * exec, though the ring does: the index is unknown to the new image.
 */
TEST(registered_ring_fd_gone_after_exec)
{
	char dir[] = "/tmp/iou-execve-XXXXXX";

	ASSERT_NE(NULL, mkdtemp(dir));
	run_exec_child(_metadata, MODE_REGRING, 0, dir);
	rmdir(dir);
}

TEST_HARNESS_MAIN
