// SPDX-License-Identifier: GPL-2.0
/*
 * Who may create rings, following Linux 6.12's io_uring_allowed():
 * kernel.io_uring_disabled = 2: nobody; = 1: tasks with CAP_SYS_ADMIN (in
 * the init user namespace) or in kernel.io_uring_group (in_group_p(): the
 * fsgid or a supplementary group; -1 = no group); = 0: everybody. The check
 * is made by io_uring_setup() only. setup.c covers root with 1 and 2; this
 * file covers unprivileged callers and the group.
 *
 * Also here: buffered writes to one regular file forced to io-wq are
 * serialised per inode (hashed work).
 */
#include "kselftest_harness.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "uring_test.h"

#define WAIT_MS		5000
#define DISABLED_PATH	"/proc/sys/kernel/io_uring_disabled"
#define GROUP_PATH	"/proc/sys/kernel/io_uring_group"

#define NOBODY		65534
#define GID		4242		/* the io_uring group for the tests */
#define GID_OTHER	4243

static int read_int(const char *path, long *v)
{
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f)
		return -errno;
	if (fscanf(f, "%ld", v) != 1)
		ret = -EIO;
	fclose(f);
	return ret;
}

static int write_int(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -errno;
	ret = fprintf(f, "%ld\n", v) > 0 ? 0 : -EIO;
	if (fclose(f))
		ret = -errno;
	return ret;
}

/* ---- credentials of the forked child that tries io_uring_setup() ---- */

enum cap_mode {
	CAP_NONE,		/* switch uid: all capabilities are lost */
	CAP_ROOT_NO_ADMIN,	/* stay uid 0, drop CAP_SYS_ADMIN only */
	CAP_USER_ADMIN,		/* switch uid, keep CAP_SYS_ADMIN effective */
};

struct who {
	uid_t uid;
	gid_t rgid, egid, sgid;
	int ngroups;
	gid_t groups[2];
	long fsgid;		/* -1: leave it (it follows egid) */
	enum cap_mode cap;
};

#define CHILD_OK	0
#define CHILD_EPERM	1
#define CHILD_OTHER	2
#define CHILD_NOCRED	3

static int set_cap_eff(int cap, bool on)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	if (on)
		d[cap / 32].effective |= 1U << (cap % 32);
	else
		d[cap / 32].effective &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &h, d) ? -1 : 0;
}

static int child_try(const struct who *w)
{
	struct io_uring_params p;
	int fd;

	if (setgroups(w->ngroups, w->groups))
		return CHILD_NOCRED;
	if (setresgid(w->rgid, w->egid, w->sgid))
		return CHILD_NOCRED;
	if (w->cap == CAP_USER_ADMIN && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return CHILD_NOCRED;
	if (setresuid(w->uid, w->uid, w->uid))
		return CHILD_NOCRED;
	if (w->fsgid >= 0) {
		setfsgid(w->fsgid);
		if ((long)setfsgid(-1) != w->fsgid)
			return CHILD_NOCRED;
	}
	if (w->cap == CAP_ROOT_NO_ADMIN && set_cap_eff(CAP_SYS_ADMIN, false))
		return CHILD_NOCRED;
	if (w->cap == CAP_USER_ADMIN && set_cap_eff(CAP_SYS_ADMIN, true))
		return CHILD_NOCRED;

	memset(&p, 0, sizeof(p));
	fd = io_uring_setup(4, &p);
	if (fd >= 0) {
		close(fd);
		return CHILD_OK;
	}
	return fd == -EPERM ? CHILD_EPERM : CHILD_OTHER;
}

/* Fork, switch credentials, try io_uring_setup(); CHILD_* or -1. */
static int try_setup_as(const struct who *w)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		_exit(child_try(w));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* nobody, primary group @gid, supplementary groups as given */
static struct who user(gid_t gid, int ngroups, gid_t g0, gid_t g1)
{
	struct who w = {
		.uid = NOBODY, .rgid = gid, .egid = gid, .sgid = gid,
		.ngroups = ngroups, .groups = { g0, g1 }, .fsgid = -1,
		.cap = CAP_NONE,
	};

	return w;
}

FIXTURE(sysctl) {
	long orig_disabled;
	long orig_group;
};

FIXTURE_SETUP(sysctl)
{
	struct who w = user(NOBODY, 0, 0, 0);

	self->orig_disabled = -1;
	self->orig_group = LONG_MIN;
	if (access(DISABLED_PATH, F_OK) || access(GROUP_PATH, F_OK))
		SKIP(return, "no kernel.io_uring_disabled / io_uring_group sysctl");
	if (geteuid())
		SKIP(return, "needs root to change the sysctls and switch ids");
	ASSERT_EQ(0, read_int(GROUP_PATH, &self->orig_group));
	ASSERT_EQ(0, read_int(DISABLED_PATH, &self->orig_disabled));
	/* io_uring_disabled is still the original value here */
	if (self->orig_disabled == 0 && try_setup_as(&w) == CHILD_NOCRED)
		SKIP(return, "cannot switch to uid/gid %d", NOBODY);
}

/* Restore both sysctls from the parent, even if the test child died. */
FIXTURE_TEARDOWN_PARENT(sysctl)
{
	long v;

	if (self->orig_group != LONG_MIN) {
		EXPECT_EQ(0, write_int(GROUP_PATH, self->orig_group));
		EXPECT_EQ(0, read_int(GROUP_PATH, &v));
		EXPECT_EQ(self->orig_group, v);
	}
	if (self->orig_disabled >= 0) {
		EXPECT_EQ(0, write_int(DISABLED_PATH, self->orig_disabled));
		EXPECT_EQ(0, read_int(DISABLED_PATH, &v));
		EXPECT_EQ(self->orig_disabled, v);
	}
}

static void set_sysctls(struct __test_metadata *_metadata, long disabled,
			long group)
{
	long v;

	ASSERT_EQ(0, write_int(GROUP_PATH, group));
	ASSERT_EQ(0, read_int(GROUP_PATH, &v));
	ASSERT_EQ(group, v);
	ASSERT_EQ(0, write_int(DISABLED_PATH, disabled));
}

#define EXPECT_SETUP(want, w) do {					\
	struct who __w = (w);						\
	int __r = try_setup_as(&__w);					\
									\
	if (__r == CHILD_NOCRED)					\
		SKIP(return, "cannot switch credentials (line %d)",	\
		     __LINE__);						\
	EXPECT_EQ(want, __r);						\
} while (0)

TEST_F(sysctl, disabled_0_everybody)
{
	set_sysctls(_metadata, 0, -1);
	EXPECT_SETUP(CHILD_OK, user(NOBODY, 0, 0, 0));
	set_sysctls(_metadata, 0, GID);
	EXPECT_SETUP(CHILD_OK, user(NOBODY, 0, 0, 0));
	EXPECT_SETUP(CHILD_OK, user(GID, 0, 0, 0));
}

TEST_F(sysctl, disabled_1_group)
{
	struct who w;

	set_sysctls(_metadata, 1, GID);
	/* not in the group */
	EXPECT_SETUP(CHILD_EPERM, user(NOBODY, 0, 0, 0));
	EXPECT_SETUP(CHILD_EPERM, user(GID_OTHER, 1, NOBODY, 0));
	/* the group as the (e/fs)gid */
	EXPECT_SETUP(CHILD_OK, user(GID, 0, 0, 0));
	/* or as a supplementary group */
	EXPECT_SETUP(CHILD_OK, user(NOBODY, 1, GID, 0));
	EXPECT_SETUP(CHILD_OK, user(NOBODY, 2, GID_OTHER, GID));

	/* the real and saved gids do not count, the fsgid does */
	w = user(NOBODY, 0, 0, 0);
	w.rgid = GID;
	EXPECT_SETUP(CHILD_EPERM, w);
	w = user(NOBODY, 0, 0, 0);
	w.sgid = GID;
	EXPECT_SETUP(CHILD_EPERM, w);
	w.fsgid = GID;
	EXPECT_SETUP(CHILD_OK, w);
	/* an egid in the group with another fsgid is not enough */
	w = user(GID, 0, 0, 0);
	w.rgid = NOBODY;
	w.fsgid = NOBODY;
	EXPECT_SETUP(CHILD_EPERM, w);

	/* another group configured */
	set_sysctls(_metadata, 1, GID_OTHER);
	EXPECT_SETUP(CHILD_EPERM, user(GID, 1, GID, 0));
	EXPECT_SETUP(CHILD_OK, user(NOBODY, 1, GID_OTHER, 0));
}

/* io_uring_group = -1 (the default) is no group at all. */
TEST_F(sysctl, disabled_1_no_group)
{
	set_sysctls(_metadata, 1, -1);
	EXPECT_SETUP(CHILD_EPERM, user(NOBODY, 0, 0, 0));
	EXPECT_SETUP(CHILD_EPERM, user(GID, 2, GID, 0));
	EXPECT_SETUP(CHILD_EPERM, user((gid_t)-2, 0, 0, 0));
	/* a group equal to the caller's gid works */
	set_sysctls(_metadata, 1, NOBODY);
	EXPECT_SETUP(CHILD_OK, user(NOBODY, 0, 0, 0));
}

/* With 1 it is CAP_SYS_ADMIN that matters, not uid 0. */
TEST_F(sysctl, disabled_1_capability)
{
	struct who w;

	set_sysctls(_metadata, 1, GID);
	w = user(0, 0, 0, 0);
	w.uid = 0;
	w.cap = CAP_ROOT_NO_ADMIN;
	EXPECT_SETUP(CHILD_EPERM, w);
	/* uid 0 without CAP_SYS_ADMIN, in the group */
	w.egid = GID;
	EXPECT_SETUP(CHILD_OK, w);

	/* nobody, not in the group, but with CAP_SYS_ADMIN */
	w = user(NOBODY, 0, 0, 0);
	w.cap = CAP_USER_ADMIN;
	EXPECT_SETUP(CHILD_OK, w);
}

TEST_F(sysctl, disabled_2_group_too)
{
	struct io_uring_params p;

	set_sysctls(_metadata, 2, GID);
	EXPECT_SETUP(CHILD_EPERM, user(GID, 0, 0, 0));
	EXPECT_SETUP(CHILD_EPERM, user(NOBODY, 1, GID, 0));
	/* root (in the group as well) */
	ASSERT_EQ(0, setegid(GID));
	memset(&p, 0, sizeof(p));
	EXPECT_EQ(-EPERM, io_uring_setup(4, &p));
	ASSERT_EQ(0, setegid(0));
}

/* In a child: use the inherited ring as nobody, then try a new one. */
static int child_inherited(struct test_ring *r)
{
	struct io_uring_cqe cqe;

	if (setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return CHILD_NOCRED;
	if (!ring_nop(r, 0x78) || ring_submit(r, 1, 0, 0) != 1)
		return CHILD_OTHER;
	if (ring_pop_cqe(r, &cqe, WAIT_MS) || cqe.user_data != 0x78 || cqe.res)
		return CHILD_OTHER;
	return io_uring_setup(4, NULL) == -EPERM ? CHILD_OK : CHILD_OTHER;
}

/* Only io_uring_setup() checks: existing rings keep working. */
TEST_F(sysctl, existing_rings_unaffected)
{
	struct io_uring_cqe cqe;
	struct test_ring r;
	int fds[1], pfd[2], status;
	pid_t pid;

	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));
	set_sysctls(_metadata, 2, -1);
	ASSERT_EQ(0, pipe(pfd));
	fds[0] = pfd[0];
	EXPECT_EQ(0, io_uring_register(r.fd, IORING_REGISTER_FILES, fds, 1));
	ASSERT_NE(NULL, ring_nop(&r, 0x77));
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
	EXPECT_EQ(0x77ULL, cqe.user_data);
	EXPECT_EQ(0, cqe.res);

	/* nor is an inherited ring in an unprivileged child */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(child_inherited(&r));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == CHILD_NOCRED) {
		SKIP(goto out, "cannot switch credentials");
	}
	EXPECT_EQ(CHILD_OK, WEXITSTATUS(status));
out:
	close(pfd[0]);
	close(pfd[1]);
	ring_exit(&r);
}

/* ---------------- hashed buffered writes ---------------- */

#define NW	16
#define WSZ	4096

FIXTURE(hashed) {
	struct test_ring r;
	char path[64];
	int fd;
	char *buf;
};

FIXTURE_SETUP(hashed)
{
	self->r.fd = -1;
	self->fd = -1;
	self->buf = NULL;
	if (!uring_op_supported(IORING_OP_WRITE))
		SKIP(return, "IORING_OP_WRITE not supported");
	ASSERT_EQ(0, ring_init_flags(&self->r, 2 * NW, 0));
	snprintf(self->path, sizeof(self->path), "/tmp/iou-hashed-XXXXXX");
	self->fd = mkstemp(self->path);
	ASSERT_LE(0, self->fd);
	self->buf = malloc(NW * WSZ);
	ASSERT_NE(NULL, self->buf);
}

FIXTURE_TEARDOWN(hashed)
{
	if (self->fd >= 0) {
		close(self->fd);
		unlink(self->path);
	}
	free(self->buf);
	if (self->r.fd >= 0)
		ring_exit(&self->r);
}

static void fill(char *p, unsigned int i)
{
	unsigned int k;

	for (k = 0; k < WSZ; k++)
		p[k] = (char)(i * 37 + k * 11 + 1);
}

static void queue_write(struct __test_metadata *_metadata, struct test_ring *r,
			int fd, const void *buf, __u64 off, __u64 ud)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);

	ASSERT_NE(NULL, sqe);
	sqe->opcode = IORING_OP_WRITE;
	sqe->flags = IOSQE_ASYNC;
	sqe->fd = fd;
	sqe->addr = (__u64)(uintptr_t)buf;
	sqe->len = WSZ;
	sqe->off = off;
	sqe->user_data = ud;
}

/* 16 async writes to different offsets of one file: all land. */
TEST_F(hashed, writes_different_offsets)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe cqe;
	unsigned int i, seen = 0;
	char want[WSZ], *got;
	struct stat st;

	for (i = 0; i < NW; i++) {
		fill(self->buf + i * WSZ, i);
		queue_write(_metadata, r, self->fd, self->buf + i * WSZ,
			    (__u64)i * WSZ, i);
	}
	ASSERT_EQ(NW, ring_submit(r, NW, 0, 0));
	for (i = 0; i < NW; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
		ASSERT_LT(cqe.user_data, (__u64)NW);
		EXPECT_EQ(0U, seen & (1U << cqe.user_data));
		seen |= 1U << cqe.user_data;
		EXPECT_EQ(WSZ, cqe.res);
		EXPECT_EQ(0U, cqe.flags);
	}
	EXPECT_EQ((1U << NW) - 1, seen);

	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ((off_t)NW * WSZ, st.st_size);
	got = malloc(NW * WSZ);
	ASSERT_NE(NULL, got);
	ASSERT_EQ(NW * WSZ, pread(self->fd, got, NW * WSZ, 0));
	for (i = 0; i < NW; i++) {
		fill(want, i);
		EXPECT_EQ(0, memcmp(want, got + i * WSZ, WSZ)) {
			TH_LOG("block %u", i);
		}
	}
	free(got);
}

/*
 * 6.12 hashes io-wq work for buffered writes to a regular file by inode:
 * they run one at a time, in submission order, and each CQE is posted by
 * the worker as its write finishes. So 16 overlapping writes complete in
 * submission order and the last one submitted wins. (Counting iou-wrk
 * threads would prove nothing: IOSQE_ASYNC work is "concurrent", so io-wq
 * may start extra workers that just stall on the busy hash.)
 */
TEST_F(hashed, overlapping_writes_serialised)
{
	struct test_ring *r = &self->r;
	struct io_uring_cqe cqe;
	char want[WSZ], got[WSZ];
	unsigned int i;
	struct stat st;

	for (i = 0; i < NW; i++) {
		fill(self->buf + i * WSZ, 100 + i);
		queue_write(_metadata, r, self->fd, self->buf + i * WSZ, 0, i);
	}
	ASSERT_EQ(NW, ring_submit(r, NW, 0, 0));
	for (i = 0; i < NW; i++) {
		ASSERT_EQ(0, ring_pop_cqe(r, &cqe, WAIT_MS));
		EXPECT_EQ((__u64)i, cqe.user_data);
		EXPECT_EQ(WSZ, cqe.res);
		EXPECT_EQ(0U, cqe.flags);
	}
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ((off_t)WSZ, st.st_size);
	fill(want, 100 + NW - 1);
	ASSERT_EQ(WSZ, pread(self->fd, got, WSZ, 0));
	EXPECT_EQ(0, memcmp(want, got, WSZ));
}

TEST_HARNESS_MAIN
