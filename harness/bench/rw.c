// SPDX-License-Identifier: GPL-2.0
/*
 * 4 KiB reads with IORING_OP_READ, or READ_FIXED on a registered file and
 * registered buffers, or READ picking its buffer from a provided buffer ring
 * ("pbuf": IOSQE_BUFFER_SELECT; each buffer goes back once its CQE is seen).
 *   rw <name> <ops> <depth> <batch> <file> [direct] [fixed] [iopoll] [sqpoll]
 *      [pbuf]
 * Offsets are random 4 KiB blocks over the file (or device), from a fixed
 * seed. "direct" opens with O_DIRECT. IOPOLL and SQPOLL rows report
 * "unsupported" when io_uring_setup refuses the flag with EINVAL.
 * Buffers are used round-robin; with out-of-order completions two reads
 * may share one, which is harmless since nobody looks at the data.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/fs.h>
#include "bench.h"

#define BS 4096

struct rw {
	int fd;			/* fd, or 0 = index of the registered file */
	bool fixed;
	bool pbuf;
	struct io_uring_buf_ring *br;	/* pbuf: group 0, depth entries or more */
	unsigned int br_mask;
	uint16_t br_tail;
	uint64_t nblocks;
	uint64_t rnd;
	char *bufs;
	unsigned int depth;
	unsigned int next_buf;
};

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* Hand buffer @bid to the kernel again, at the tail of the ring. */
static void pbuf_give(struct rw *rw, unsigned int bid)
{
	struct io_uring_buf *b = &rw->br->bufs[rw->br_tail & rw->br_mask];

	b->addr = (uintptr_t)(rw->bufs + (size_t)bid * BS);
	b->len = BS;
	b->bid = bid;
	rw->br_tail++;
	__atomic_store_n(&rw->br->tail, rw->br_tail, __ATOMIC_RELEASE);
}

static void pbuf_setup(struct ring *r, struct rw *rw)
{
	struct io_uring_buf_reg reg = { 0 };
	unsigned int entries = 1, i;
	int ret;

	while (entries < rw->depth)
		entries <<= 1;
	if (posix_memalign((void **)&rw->br, 4096, entries * sizeof(struct io_uring_buf)))
		fail("posix_memalign");
	memset(rw->br, 0, entries * sizeof(struct io_uring_buf));
	reg.ring_addr = (uintptr_t)rw->br;
	reg.ring_entries = entries;
	ret = sys_register(r->fd, IORING_REGISTER_PBUF_RING, &reg, 1);
	if (ret == -EINVAL)
		unsupported("register_pbuf_ring", -ret);
	if (ret < 0)
		fail("IORING_REGISTER_PBUF_RING: %s", strerror(-ret));
	rw->br_mask = entries - 1;
	for (i = 0; i < rw->depth; i++)
		pbuf_give(rw, i);
}

static void prep_read(struct ring *r, struct io_uring_sqe *sqe, void *arg)
{
	struct rw *rw = arg;
	unsigned int b = rw->next_buf++ % rw->depth;

	sqe->off = (xorshift(&rw->rnd) % rw->nblocks) * BS;
	if (rw->pbuf) {
		sqe->opcode = IORING_OP_READ;
		sqe->fd = rw->fd;
		sqe->flags = IOSQE_BUFFER_SELECT;
		sqe->buf_group = 0;
		sqe->len = BS;
		return;
	}
	sqe->addr = (uintptr_t)(rw->bufs + (size_t)b * BS);
	sqe->len = BS;
	sqe->user_data = b;
	if (rw->fixed) {
		sqe->opcode = IORING_OP_READ_FIXED;
		sqe->fd = 0;
		sqe->flags = IOSQE_FIXED_FILE;
		sqe->buf_index = b;
	} else {
		sqe->opcode = IORING_OP_READ;
		sqe->fd = rw->fd;
	}
}

static int check_read(struct io_uring_cqe *cqe, void *arg)
{
	struct rw *rw = arg;

	if (rw->pbuf && cqe->res == BS) {
		if (!(cqe->flags & IORING_CQE_F_BUFFER)) {
			fprintf(stderr, "bench %s: no buffer in cqe flags 0x%x\n",
				bench_name, cqe->flags);
			return 1;
		}
		pbuf_give(rw, cqe->flags >> IORING_CQE_BUFFER_SHIFT);
	}
	if (cqe->res != BS) {
		fprintf(stderr, "bench %s: read cqe res %d (%s)\n", bench_name,
			cqe->res, cqe->res < 0 ? strerror(-cqe->res) : "short");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int depth, batch, flags = 0;
	bool direct = false;
	struct rw rw = { .rnd = 0x9e3779b97f4a7c15ull };
	struct stat st;
	struct ring r;
	uint64_t ops, size;
	int ret;

	if (argc < 6)
		fail("usage: rw <name> <ops> <depth> <batch> <file> [direct] [fixed] [iopoll] [sqpoll]");
	bench_name = argv[1];
	ops = parse_ul(argv[2], "ops");
	depth = parse_ul(argv[3], "depth");
	batch = parse_ul(argv[4], "batch");
	for (int i = 6; i < argc; i++) {
		if (!strcmp(argv[i], "direct"))
			direct = true;
		else if (!strcmp(argv[i], "fixed"))
			rw.fixed = true;
		else if (!strcmp(argv[i], "iopoll"))
			flags |= IORING_SETUP_IOPOLL;
		else if (!strcmp(argv[i], "sqpoll"))
			flags |= IORING_SETUP_SQPOLL;
		else if (!strcmp(argv[i], "pbuf"))
			rw.pbuf = true;
		else
			fail("unknown option %s", argv[i]);
	}

	rw.fd = open(argv[5], O_RDONLY | (direct ? O_DIRECT : 0));
	if (rw.fd < 0)
		fail("open %s: %s", argv[5], strerror(errno));
	if (fstat(rw.fd, &st))
		fail("fstat: %s", strerror(errno));
	size = st.st_size;
	if (S_ISBLK(st.st_mode) && ioctl(rw.fd, BLKGETSIZE64, &size))
		fail("BLKGETSIZE64: %s", strerror(errno));
	rw.nblocks = size / BS;
	if (!rw.nblocks)
		fail("%s is smaller than one block", argv[5]);
	rw.depth = depth;
	if (posix_memalign((void **)&rw.bufs, BS, (size_t)depth * BS))
		fail("posix_memalign");
	memset(rw.bufs, 0, (size_t)depth * BS);

	ret = ring_setup(&r, depth, flags, 1000);
	if (ret == -EINVAL && (flags & IORING_SETUP_IOPOLL))
		unsupported("setup_iopoll", -ret);
	if (ret == -EINVAL && (flags & IORING_SETUP_SQPOLL))
		unsupported("setup_sqpoll", -ret);
	if (ret < 0)
		fail("io_uring_setup: %s", strerror(-ret));
	if (!ring_has_op(&r, rw.fixed ? IORING_OP_READ_FIXED : IORING_OP_READ))
		unsupported("probe_read", EOPNOTSUPP);

	if (rw.fixed) {
		struct iovec *iov = calloc(depth, sizeof(*iov));

		for (unsigned int i = 0; i < depth; i++) {
			iov[i].iov_base = rw.bufs + (size_t)i * BS;
			iov[i].iov_len = BS;
		}
		ret = sys_register(r.fd, IORING_REGISTER_BUFFERS, iov, depth);
		if (ret < 0)
			fail("IORING_REGISTER_BUFFERS: %s", strerror(-ret));
		ret = sys_register(r.fd, IORING_REGISTER_FILES, &rw.fd, 1);
		if (ret < 0)
			fail("IORING_REGISTER_FILES: %s", strerror(-ret));
		free(iov);
	}
	if (rw.pbuf)
		pbuf_setup(&r, &rw);
	bench_depth(&r, ops, depth, batch, prep_read, check_read, &rw);
	return 0;
}
