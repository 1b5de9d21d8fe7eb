// SPDX-License-Identifier: GPL-2.0
/*
 * Ring and task lifetime: closing rings with requests in flight, tasks that
 * exit, get killed or exec with requests in flight, ring fds shared over
 * fork(), refused over SCM_RIGHTS, and mappings that outlive the ring fd.
 * Follows Linux 6.12 semantics.
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "uring_test.h"

#define UD		0x11fe000000000000ULL
#define WAIT_MS		2000
/* how long a request that must stay pending is given to (wrongly) complete */
#define PENDING_MS	50
/* bound on anything asynchronous: child exit, ring teardown */
#define LONG_MS		10000
#define MAX_READS	64

/* child exit codes for failures before the interesting part */
#define CHILD_OK	42
#define CHILD_ESETUP	10
#define CHILD_ESQE	11
#define CHILD_ESUBMIT	12
#define CHILD_ECQE	13
#define CHILD_EEXEC	14

/* read targets; static so they outlive any ring that may still write them */
static char rbuf[MAX_READS][16];

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Reap @pid within @timeout_ms, never blocking. On timeout the child is
 * killed and reaped, and -ETIMEDOUT is returned.
 */
static int wait_child(pid_t pid, unsigned int timeout_ms, int *status)
{
	unsigned int waited = 0;
	pid_t ret;

	for (;;) {
		ret = waitpid(pid, status, WNOHANG);
		if (ret == pid)
			return 0;
		if (ret < 0)
			return -errno;
		if (waited >= timeout_ms)
			break;
		sleep_ms(10);
		waited += 10;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -ETIMEDOUT;
}

/*
 * Wait up to @timeout_ms for the pipe write end @wfd to report POLLERR, i.e.
 * for the last reference to the read end to be gone. Requests hold file
 * references, so this proves the requests on the read end were freed.
 */
static bool wait_no_readers(int wfd, unsigned int timeout_ms)
{
	unsigned int waited = 0;
	struct pollfd pfd;

	for (;;) {
		pfd.fd = wfd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR))
			return true;
		if (waited >= timeout_ms)
			return false;
		sleep_ms(10);
		waited += 10;
	}
}

/* Queue a READ of 16 bytes from @fd into rbuf[@i]. */
static struct io_uring_sqe *queue_read(struct test_ring *r, int fd, unsigned int i)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	if (sqe) {
		sqe->opcode = IORING_OP_READ;
		sqe->fd = fd;
		sqe->addr = (__u64)(uintptr_t)rbuf[i];
		sqe->len = sizeof(rbuf[i]);
		sqe->off = (__u64)-1;
		sqe->user_data = UD + i;
	}
	return sqe;
}

/*
 * Child body: create a ring, submit @nr reads on @rfd (which never get data)
 * and return 0, or a CHILD_E* code. @r is left set up.
 */
static int child_submit_reads(struct test_ring *r, int rfd, unsigned int nr)
{
	unsigned int i;

	if (ring_init_flags(r, MAX_READS, 0))
		return CHILD_ESETUP;
	for (i = 0; i < nr; i++) {
		if (!queue_read(r, rfd, i))
			return CHILD_ESQE;
	}
	if (ring_submit(r, nr, 0, 0) != (int)nr)
		return CHILD_ESUBMIT;
	/* the reads are pending: nothing may have completed */
	if (ring_cq_ready(r))
		return CHILD_ECQE;
	return 0;
}

/* ---- (1) closing a ring with requests in flight ---- */

static void close_with_reads(struct __test_metadata *_metadata, unsigned int nr)
{
	struct test_ring r;
	struct io_uring_cqe *cqe;
	int p[2], err, ret;
	unsigned int i;

	signal(SIGPIPE, SIG_IGN);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, ring_init_flags(&r, MAX_READS, 0));
	for (i = 0; i < nr; i++) {
		ASSERT_NE(NULL, queue_read(&r, p[0], i));
	}
	ASSERT_EQ((int)nr, ring_submit(&r, nr, 0, 0));
	EXPECT_EQ(nr, load_acquire(r.sq_head));

	/* an empty pipe: the reads wait in the kernel */
	cqe = ring_wait_cqe(&r, PENDING_MS, &err);
	EXPECT_EQ(NULL, cqe);
	EXPECT_EQ(-ETIME, err);

	/* drop the fd and all mappings with the reads still pending */
	ring_exit(&r);

	/* data written now must not hurt anyone (readers: us, maybe requests) */
	EXPECT_EQ(8, write(p[1], "lifetime", 8));

	/* once the ring is torn down, the requests drop the read end */
	EXPECT_EQ(0, close(p[0]));
	EXPECT_TRUE(wait_no_readers(p[1], LONG_MS));
	errno = 0;
	ret = write(p[1], "x", 1);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EPIPE, errno);
	close(p[1]);
}

TEST(close_ring_one_read_inflight)
{
	close_with_reads(_metadata, 1);
}

TEST(close_ring_64_reads_inflight)
{
	close_with_reads(_metadata, MAX_READS);
}

/* The ring fd goes away first, the mapping later: both orders are fine. */
TEST(munmap_before_close_with_reads_inflight)
{
	struct test_ring r;
	unsigned int i;
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, ring_init_flags(&r, MAX_READS, 0));
	for (i = 0; i < 4; i++) {
		ASSERT_NE(NULL, queue_read(&r, p[0], i));
	}
	ASSERT_EQ(4, ring_submit(&r, 4, 0, 0));
	EXPECT_EQ(0U, ring_cq_ready(&r));

	/* unmap first, then the fd is the last reference */
	EXPECT_EQ(0, munmap(r.sqes, r.sqes_sz));
	if (r.cq_ring != r.sq_ring) {
		EXPECT_EQ(0, munmap(r.cq_ring, r.cq_ring_sz));
	}
	EXPECT_EQ(0, munmap(r.sq_ring, r.sq_ring_sz));
	EXPECT_EQ(0, close(r.fd));

	EXPECT_EQ(0, close(p[0]));
	EXPECT_TRUE(wait_no_readers(p[1], LONG_MS));
	close(p[1]);
}

/* ---- (2) a task exiting or killed with requests in flight ---- */

TEST(child_exit_with_read_inflight)
{
	struct test_ring r;
	int p[2], status, ret;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* the parent keeps the write end open: no EOF, the read waits */
		ret = child_submit_reads(&r, p[0], 2);
		_exit(ret ? ret : CHILD_OK);
	}
	ASSERT_EQ(0, wait_child(pid, LONG_MS, &status));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(CHILD_OK, WEXITSTATUS(status));

	/* the child's ring and its requests are gone: nothing holds the read end */
	EXPECT_EQ(0, close(p[0]));
	EXPECT_TRUE(wait_no_readers(p[1], LONG_MS));
	close(p[1]);
}

TEST(child_killed_with_read_inflight)
{
	struct test_ring r;
	int p[2], sync[2], status, ret;
	struct pollfd pfd;
	char c = 0;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(sync));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(sync[0]);
		ret = child_submit_reads(&r, p[0], 8);
		c = ret ? ret : CHILD_OK;
		if (write(sync[1], &c, 1) != 1 || ret)
			_exit(ret ? ret : CHILD_ESETUP);
		/* wait to be killed; bounded in case the parent fails */
		sleep_ms(LONG_MS);
		_exit(CHILD_OK);
	}
	close(sync[1]);
	pfd.fd = sync[0];
	pfd.events = POLLIN;
	pfd.revents = 0;
	EXPECT_EQ(1, poll(&pfd, 1, LONG_MS));
	EXPECT_EQ(1, read(sync[0], &c, 1));
	EXPECT_EQ(CHILD_OK, c);
	EXPECT_EQ(0, kill(pid, SIGKILL));

	ASSERT_EQ(0, wait_child(pid, LONG_MS, &status));
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));

	EXPECT_EQ(0, close(p[0]));
	EXPECT_TRUE(wait_no_readers(p[1], LONG_MS));
	close(p[1]);
	close(sync[0]);
}

/* ---- (3) execve() with requests in flight ---- */

TEST(ring_fd_is_cloexec)
{
	struct test_ring r;

	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));
	EXPECT_EQ(FD_CLOEXEC, fcntl(r.fd, F_GETFD));
	ring_exit(&r);
}

static void exec_with_read(struct __test_metadata *_metadata, bool keep_fd)
{
	struct test_ring r;
	int p[2], status, ret;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		ret = child_submit_reads(&r, p[0], 4);
		if (ret)
			_exit(ret);
		/* optionally let the ring fd survive the exec */
		if (keep_fd && fcntl(r.fd, F_SETFD, 0))
			_exit(CHILD_ESETUP);
		execl("/bin/true", "true", (char *)NULL);
		_exit(CHILD_EEXEC);
	}
	ASSERT_EQ(0, wait_child(pid, LONG_MS, &status));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	EXPECT_EQ(0, close(p[0]));
	EXPECT_TRUE(wait_no_readers(p[1], LONG_MS));
	close(p[1]);
}

TEST(exec_with_read_inflight)
{
	exec_with_read(_metadata, false);
}

TEST(exec_with_read_inflight_fd_inherited)
{
	exec_with_read(_metadata, true);
}

/* ---- (4) ring fds cannot be passed with SCM_RIGHTS ---- */

static int send_fds(int sock, const int *fds, unsigned int nr)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))];
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = CMSG_SPACE(nr * sizeof(int)),
	};
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(nr * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, nr * sizeof(int));
	return sendmsg(sock, &msg, 0) < 0 ? -errno : 1;
}

TEST(scm_rights_ring_fd_refused)
{
	struct test_ring r;
	struct io_uring_cqe cqe;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *cm;
	int sv[2], p[2], fds[2], got, ret;
	char c;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));

	/* the ring fd alone, and the ring fd after a good fd, both fail */
	EXPECT_EQ(-EINVAL, send_fds(sv[0], &r.fd, 1));
	fds[0] = p[0];
	fds[1] = r.fd;
	EXPECT_EQ(-EINVAL, send_fds(sv[0], fds, 2));
	/* nothing was queued by the failed sends */
	ret = recv(sv[1], &c, 1, MSG_DONTWAIT);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EAGAIN, errno);

	/* control: a pipe fd passes */
	EXPECT_EQ(1, send_fds(sv[0], &p[0], 1));
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = &c;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	ASSERT_EQ(1, recvmsg(sv[1], &msg, MSG_DONTWAIT));
	EXPECT_EQ('x', c);
	cm = CMSG_FIRSTHDR(&msg);
	ASSERT_NE(NULL, cm);
	EXPECT_EQ(SOL_SOCKET, cm->cmsg_level);
	EXPECT_EQ(SCM_RIGHTS, cm->cmsg_type);
	memcpy(&got, CMSG_DATA(cm), sizeof(got));
	EXPECT_GE(got, 0);
	close(got);

	/* the ring itself is unaffected */
	ASSERT_NE(NULL, ring_nop(&r, UD));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
	EXPECT_EQ(UD, cqe.user_data);
	EXPECT_EQ(0, cqe.res);

	ring_exit(&r);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

/* ---- (5) a ring fd inherited over fork() ---- */

TEST(fork_child_submits_on_inherited_ring)
{
	struct test_ring r;
	struct io_uring_cqe cqe;
	struct io_uring_sqe *sqe;
	bool seen[2] = { false, false };
	int status, ret, i;
	pid_t pid;

	ASSERT_EQ(0, ring_init_flags(&r, 8, 0));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* the child uses the inherited fd and shared mappings */
		if (!ring_nop(&r, UD + 1))
			_exit(CHILD_ESQE);
		sqe = ring_nop(&r, UD + 2);
		if (!sqe)
			_exit(CHILD_ESQE);
		sqe->flags = IOSQE_ASYNC;
		/* wait for both, so the async one is posted before exit */
		ret = ring_submit(&r, 2, 2, IORING_ENTER_GETEVENTS);
		if (ret != 2)
			_exit(CHILD_ESUBMIT);
		if (ring_cq_ready(&r) != 2)
			_exit(CHILD_ECQE);
		_exit(CHILD_OK);
	}
	ASSERT_EQ(0, wait_child(pid, LONG_MS, &status));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(CHILD_OK, WEXITSTATUS(status));

	/* the child's submissions are visible in the shared rings */
	EXPECT_EQ(2U, load_acquire(r.sq_head));
	ASSERT_EQ(2U, ring_cq_ready(&r));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
		EXPECT_EQ(0, cqe.res);
		EXPECT_EQ(0U, cqe.flags);
		ASSERT_TRUE(cqe.user_data == UD + 1 || cqe.user_data == UD + 2);
		EXPECT_FALSE(seen[cqe.user_data - UD - 1]);
		seen[cqe.user_data - UD - 1] = true;
	}

	/* the parent keeps using the ring (its local tail is behind: resync) */
	r.sqe_tail = load_acquire(r.sq_tail);
	ASSERT_NE(NULL, ring_nop(&r, UD + 3));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
	EXPECT_EQ(UD + 3, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	ring_exit(&r);
}

TEST(fork_child_single_issuer_refused)
{
	struct test_ring r;
	struct io_uring_cqe cqe;
	int status, ret;
	pid_t pid;

	ASSERT_EQ(0, ring_init_flags(&r, 8, IORING_SETUP_SINGLE_ISSUER));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (!ring_nop(&r, UD + 1))
			_exit(CHILD_ESQE);
		ret = ring_submit(&r, 1, 0, 0);
		/* only the creating task may submit */
		_exit(ret == -EEXIST ? CHILD_OK : CHILD_ESUBMIT);
	}
	ASSERT_EQ(0, wait_child(pid, LONG_MS, &status));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(CHILD_OK, WEXITSTATUS(status));

	/* the child's SQE was not consumed and nothing was posted */
	EXPECT_EQ(0U, load_acquire(r.sq_head));
	EXPECT_EQ(0U, ring_cq_ready(&r));

	/* the submitter submits the SQE the child queued, plus its own */
	r.sqe_tail = load_acquire(r.sq_tail);
	ASSERT_EQ(1U, r.sqe_tail);
	ASSERT_NE(NULL, ring_nop(&r, UD + 2));
	ASSERT_EQ(2, ring_submit(&r, 2, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
	EXPECT_EQ(UD + 1, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
	EXPECT_EQ(UD + 2, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	ring_exit(&r);
}

/* ---- (6) the mapping outlives the ring fd ---- */

TEST(mapping_outlives_fd)
{
	struct test_ring r;
	struct io_uring_cqe *cqe;
	int fd, nullfd;

	ASSERT_EQ(0, ring_init_flags(&r, 8, 0));
	ASSERT_NE(NULL, ring_nop(&r, UD));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	ASSERT_EQ(1U, ring_cq_ready(&r));

	fd = r.fd;
	ASSERT_EQ(0, close(fd));
	r.fd = -1;

	/* the rings are still mapped and readable */
	EXPECT_EQ(1U, load_acquire(r.sq_head));
	EXPECT_EQ(1U, load_acquire(r.sq_tail));
	EXPECT_EQ(0U, load_acquire(r.cq_head));
	EXPECT_EQ(1U, load_acquire(r.cq_tail));
	EXPECT_EQ(8U, *r.sq_entries);
	EXPECT_EQ(16U, *r.cq_entries);
	cqe = ring_peek_cqe(&r);
	ASSERT_NE(NULL, cqe);
	EXPECT_EQ(UD, cqe->user_data);
	EXPECT_EQ(0, cqe->res);
	ring_cqe_seen(&r);

	/* without an fd there is no way to submit: an SQE just sits there */
	ASSERT_NE(NULL, ring_nop(&r, UD + 1));
	ring_flush(&r);
	EXPECT_EQ(-EBADF, io_uring_enter(fd, 1, 0, 0, NULL, 0));
	nullfd = open("/dev/null", O_RDONLY);
	ASSERT_GE(nullfd, 0);
	EXPECT_EQ(-EOPNOTSUPP, io_uring_enter(nullfd, 1, 0, 0, NULL, 0));
	close(nullfd);
	sleep_ms(PENDING_MS);
	EXPECT_EQ(1U, load_acquire(r.sq_head));
	EXPECT_EQ(1U, load_acquire(r.cq_tail));
	EXPECT_EQ(0U, *r.sq_dropped);

	/* unmapping drops the last reference */
	EXPECT_EQ(0, munmap(r.sqes, r.sqes_sz));
	if (r.cq_ring != r.sq_ring) {
		EXPECT_EQ(0, munmap(r.cq_ring, r.cq_ring_sz));
	}
	EXPECT_EQ(0, munmap(r.sq_ring, r.sq_ring_sz));
}

/* ---- (7) IOSQE_ASYNC NOP flood ---- */

#define FLOOD	256
#define BATCH	64

TEST(async_nop_flood)
{
	struct io_uring_params p;
	struct test_ring r;
	struct io_uring_cqe cqe;
	struct io_uring_sqe *sqe;
	static bool seen[FLOOD];
	unsigned int i, b, idx;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = FLOOD;
	ASSERT_EQ(0, ring_init(&r, BATCH, &p));
	ASSERT_EQ((unsigned int)FLOOD, p.cq_entries);

	for (b = 0; b < FLOOD / BATCH; b++) {
		for (i = 0; i < BATCH; i++) {
			sqe = ring_nop(&r, UD + b * BATCH + i);
			ASSERT_NE(NULL, sqe);
			sqe->flags = IOSQE_ASYNC;
		}
		ASSERT_EQ(BATCH, ring_submit(&r, BATCH, 0, 0));
		EXPECT_EQ((b + 1) * BATCH, load_acquire(r.sq_head));
	}

	for (i = 0; i < FLOOD; i++) {
		ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
		EXPECT_EQ(0, cqe.res);
		EXPECT_EQ(0U, cqe.flags);
		ASSERT_GE(cqe.user_data, UD);
		ASSERT_LT(cqe.user_data, UD + FLOOD);
		idx = cqe.user_data - UD;
		EXPECT_FALSE(seen[idx]);
		seen[idx] = true;
	}
	EXPECT_EQ(0U, ring_cq_ready(&r));
	EXPECT_EQ(0U, *r.cq_overflow);
	EXPECT_EQ(0U, *r.sq_dropped);
	ring_exit(&r);
}

TEST_HARNESS_MAIN
