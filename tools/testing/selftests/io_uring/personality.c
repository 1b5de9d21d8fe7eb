// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_REGISTER_PERSONALITY: credentials registered once and named by
 * id in sqe->personality, so that requests run as the registering task
 * was, whatever the submitter's credentials are now.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "uring_test.h"

#define UD	0x7e750a11ULL
#define WAIT_MS	2000

static int reg_personality(int fd)
{
	return io_uring_register(fd, IORING_REGISTER_PERSONALITY, NULL, 0);
}

static int unreg_personality(int fd, unsigned int id)
{
	return io_uring_register(fd, IORING_UNREGISTER_PERSONALITY, NULL, id);
}

/* Submit one OPENAT(path, O_RDONLY) as @personality; return its result. */
static int open_as(struct test_ring *r, const char *path, __u16 personality,
		   __u8 sqe_flags)
{
	struct io_uring_sqe *sqe = ring_get_sqe(r);
	struct io_uring_cqe cqe;
	int ret;

	if (!sqe)
		return -ENOSPC;
	sqe->opcode = IORING_OP_OPENAT;
	sqe->fd = AT_FDCWD;
	sqe->addr = (unsigned long)path;
	sqe->open_flags = O_RDONLY | O_CLOEXEC;
	sqe->personality = personality;
	sqe->flags = sqe_flags;
	sqe->user_data = UD;
	ret = ring_submit(r, 1, 0, 0);
	if (ret != 1)
		return ret < 0 ? ret : -EIO;
	ret = ring_pop_cqe(r, &cqe, WAIT_MS);
	if (ret)
		return ret;
	if (cqe.user_data != UD)
		return -EPROTO;
	if (cqe.res >= 0)
		close(cqe.res);
	return cqe.res;
}

TEST(register_args)
{
	struct test_ring r;
	int a, b;

	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));
	EXPECT_EQ(-EINVAL, io_uring_register(r.fd, IORING_REGISTER_PERSONALITY,
					     &r, 0));
	EXPECT_EQ(-EINVAL, io_uring_register(r.fd, IORING_REGISTER_PERSONALITY,
					     NULL, 1));
	a = reg_personality(r.fd);
	b = reg_personality(r.fd);
	EXPECT_LT(0, a);
	EXPECT_LT(0, b);
	EXPECT_NE(a, b);

	EXPECT_EQ(-EINVAL, io_uring_register(r.fd, IORING_UNREGISTER_PERSONALITY,
					     &r, a));
	EXPECT_EQ(0, unreg_personality(r.fd, a));
	EXPECT_EQ(-EINVAL, unreg_personality(r.fd, a));
	EXPECT_EQ(-EINVAL, unreg_personality(r.fd, 0));
	EXPECT_EQ(-EINVAL, unreg_personality(r.fd, 65535));
	EXPECT_EQ(0, unreg_personality(r.fd, b));
	ring_exit(&r);
}

TEST(unknown_id_fails_request)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqe;
	struct test_ring r;
	int id;

	ASSERT_EQ(0, ring_init_flags(&r, 4, 0));
	sqe = ring_nop(&r, UD);
	ASSERT_NE(NULL, sqe);
	sqe->personality = 1;
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
	EXPECT_EQ(UD, cqe.user_data);
	EXPECT_EQ(-EINVAL, cqe.res);

	/* a registered one works, and stops working once unregistered */
	id = reg_personality(r.fd);
	ASSERT_LT(0, id);
	sqe = ring_nop(&r, UD + 1);
	ASSERT_NE(NULL, sqe);
	sqe->personality = id;
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
	EXPECT_EQ(UD + 1, cqe.user_data);
	EXPECT_EQ(0, cqe.res);

	ASSERT_EQ(0, unreg_personality(r.fd, id));
	sqe = ring_nop(&r, UD + 2);
	ASSERT_NE(NULL, sqe);
	sqe->personality = id;
	ASSERT_EQ(1, ring_submit(&r, 1, 0, 0));
	ASSERT_EQ(0, ring_pop_cqe(&r, &cqe, WAIT_MS));
	EXPECT_EQ(UD + 2, cqe.user_data);
	EXPECT_EQ(-EINVAL, cqe.res);
	ring_exit(&r);
}

/*
 * Root registers its credentials, then drops to nobody: a root-only file
 * opens only with the personality. Runs in a child, which can drop its
 * privileges for good.
 */
static int personality_child(const char *path)
{
	struct test_ring r;
	int id, ret;

	if (ring_init_flags(&r, 4, 0))
		return 10;
	id = reg_personality(r.fd);
	if (id <= 0)
		return 11;
	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return 12;
	ret = open_as(&r, path, 0, 0);
	if (ret != -EACCES)
		return 13;
	ret = open_as(&r, path, id, 0);
	if (ret < 0)
		return 14;
	/* and again from a worker */
	ret = open_as(&r, path, id, IOSQE_ASYNC);
	if (ret < 0)
		return 15;
	ret = open_as(&r, path, 0, IOSQE_ASYNC);
	if (ret != -EACCES)
		return 16;
	ring_exit(&r);
	return 0;
}

TEST(credentials_used)
{
	char path[] = "/tmp/iou-personality-XXXXXX";
	int fd, status;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root to switch credentials");
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, chmod(path, 0600));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(personality_child(path));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	unlink(path);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
