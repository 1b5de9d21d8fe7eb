/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * io_uring user ABI: the shared submission/completion ring formats and the
 * argument blocks of io_uring_setup(2), io_uring_enter(2) and
 * io_uring_register(2).
 *
 * Everything in this file is a binary contract with userspace (liburing,
 * fio, language runtimes) and with in-kernel uring_cmd providers.  Values,
 * sizes and offsets must never change; new things are only ever appended.
 */
#ifndef LINUX_IO_URING_H
#define LINUX_IO_URING_H

#include <linux/fs.h>
#include <linux/types.h>

/*
 * Userspace libraries carry their own copy of this file and may be built
 * against old kernel headers that lack <linux/time_types.h>.  Such a build
 * defines UAPI_LINUX_IO_URING_H_SKIP_LINUX_TIME_TYPES_H and supplies
 * struct __kernel_timespec by itself.
 */
#ifndef UAPI_LINUX_IO_URING_H_SKIP_LINUX_TIME_TYPES_H
#include <linux/time_types.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Submission queue entry
 * ------------------------------------------------------------------------
 */

/*
 * One request, 64 bytes (128 with IORING_SETUP_SQE128).  Most slots are
 * reinterpreted per opcode, hence the unions: every alias of a slot has the
 * same offset, and the name only documents which opcode uses it.
 */
struct io_uring_sqe {
	__u8	opcode;		/* enum io_uring_op */
	__u8	flags;		/* IOSQE_* */
	__u16	ioprio;		/* I/O priority, or per-opcode flags */
	__s32	fd;		/* target file (or fixed file index) */
	union {
		__u64	off;	/* file position */
		__u64	addr2;
		struct {
			__u32	cmd_op;	/* IORING_OP_URING_CMD sub-command */
			__u32	__pad1;
		};
	};
	union {
		__u64	addr;	/* buffer or iovec array address */
		__u64	splice_off_in;
		struct {
			__u32	level;	/* sockopt level */
			__u32	optname;
		};
	};
	__u32	len;		/* byte count or iovec count */
	union {			/* per-opcode flag word */
		__u32		rw_flags;
		__u32		fsync_flags;
		__u16		poll_events;	/* legacy 16-bit poll mask */
		__u32		poll32_events;	/* halves swapped on big endian */
		__u32		sync_range_flags;
		__u32		msg_flags;
		__u32		timeout_flags;
		__u32		accept_flags;
		__u32		cancel_flags;
		__u32		open_flags;
		__u32		statx_flags;
		__u32		fadvise_advice;
		__u32		splice_flags;
		__u32		rename_flags;
		__u32		unlink_flags;
		__u32		hardlink_flags;
		__u32		xattr_flags;
		__u32		msg_ring_flags;
		__u32		uring_cmd_flags;
		__u32		waitid_flags;
		__u32		futex_flags;
		__u32		install_fd_flags;
		__u32		nop_flags;
	};
	__u64	user_data;	/* opaque, echoed back in the CQE */
	/*
	 * Packed so that the ARM OABI does not pad this union out to a
	 * word; the layout must stay identical everywhere.
	 */
	union {
		__u16	buf_index;	/* registered buffer slot */
		__u16	buf_group;	/* provided buffer group id */
	} __attribute__((packed));
	__u16	personality;	/* registered credentials id, 0 if none */
	union {
		__s32	splice_fd_in;
		__u32	file_index;	/* direct descriptor slot + 1 */
		__u32	optlen;
		struct {
			__u16	addr_len;
			__u16	__pad3[1];
		};
	};
	union {
		struct {
			__u64	addr3;
			__u64	__pad2[1];
		};
		__u64	optval;
		/*
		 * Start of the free-form command payload for uring_cmd; it
		 * runs to the end of the SQE (80 bytes with SQE128).
		 */
		__u8	cmd[0];
	};
};

/* Bit numbers for sqe->flags */
enum io_uring_sqe_flags_bit {
	IOSQE_FIXED_FILE_BIT		= 0,
	IOSQE_IO_DRAIN_BIT		= 1,
	IOSQE_IO_LINK_BIT		= 2,
	IOSQE_IO_HARDLINK_BIT		= 3,
	IOSQE_ASYNC_BIT			= 4,
	IOSQE_BUFFER_SELECT_BIT		= 5,
	IOSQE_CQE_SKIP_SUCCESS_BIT	= 6,
};

/* sqe->flags: fd is an index into the registered file table */
#define IOSQE_FIXED_FILE	(1U << IOSQE_FIXED_FILE_BIT)
/* sqe->flags: wait for all earlier requests before starting this one */
#define IOSQE_IO_DRAIN		(1U << IOSQE_IO_DRAIN_BIT)
/* sqe->flags: the next SQE only starts once this one succeeded */
#define IOSQE_IO_LINK		(1U << IOSQE_IO_LINK_BIT)
/* sqe->flags: like IOSQE_IO_LINK, but the chain survives failure */
#define IOSQE_IO_HARDLINK	(1U << IOSQE_IO_HARDLINK_BIT)
/* sqe->flags: skip the inline attempt, punt straight to io-wq */
#define IOSQE_ASYNC		(1U << IOSQE_ASYNC_BIT)
/* sqe->flags: pick a buffer from the group named in sqe->buf_group */
#define IOSQE_BUFFER_SELECT	(1U << IOSQE_BUFFER_SELECT_BIT)
/* sqe->flags: suppress the CQE when the request succeeds */
#define IOSQE_CQE_SKIP_SUCCESS	(1U << IOSQE_CQE_SKIP_SUCCESS_BIT)

/*
 * sqe->file_index value asking the kernel to choose a free direct
 * descriptor slot itself (open, accept, socket, ...).  The chosen slot is
 * returned in cqe->res; -ENFILE means the table is full.
 */
#define IORING_FILE_INDEX_ALLOC		(~0U)

/* ------------------------------------------------------------------------
 * Opcodes (sqe->opcode).  Numbers are ABI, new ones go before _LAST.
 * ------------------------------------------------------------------------
 */
enum io_uring_op {
	IORING_OP_NOP			= 0,
	IORING_OP_READV			= 1,
	IORING_OP_WRITEV		= 2,
	IORING_OP_FSYNC			= 3,
	IORING_OP_READ_FIXED		= 4,
	IORING_OP_WRITE_FIXED		= 5,
	IORING_OP_POLL_ADD		= 6,
	IORING_OP_POLL_REMOVE		= 7,
	IORING_OP_SYNC_FILE_RANGE	= 8,
	IORING_OP_SENDMSG		= 9,
	IORING_OP_RECVMSG		= 10,
	IORING_OP_TIMEOUT		= 11,
	IORING_OP_TIMEOUT_REMOVE	= 12,
	IORING_OP_ACCEPT		= 13,
	IORING_OP_ASYNC_CANCEL		= 14,
	IORING_OP_LINK_TIMEOUT		= 15,
	IORING_OP_CONNECT		= 16,
	IORING_OP_FALLOCATE		= 17,
	IORING_OP_OPENAT		= 18,
	IORING_OP_CLOSE			= 19,
	IORING_OP_FILES_UPDATE		= 20,
	IORING_OP_STATX			= 21,
	IORING_OP_READ			= 22,
	IORING_OP_WRITE			= 23,
	IORING_OP_FADVISE		= 24,
	IORING_OP_MADVISE		= 25,
	IORING_OP_SEND			= 26,
	IORING_OP_RECV			= 27,
	IORING_OP_OPENAT2		= 28,
	IORING_OP_EPOLL_CTL		= 29,
	IORING_OP_SPLICE		= 30,
	IORING_OP_PROVIDE_BUFFERS	= 31,
	IORING_OP_REMOVE_BUFFERS	= 32,
	IORING_OP_TEE			= 33,
	IORING_OP_SHUTDOWN		= 34,
	IORING_OP_RENAMEAT		= 35,
	IORING_OP_UNLINKAT		= 36,
	IORING_OP_MKDIRAT		= 37,
	IORING_OP_SYMLINKAT		= 38,
	IORING_OP_LINKAT		= 39,
	IORING_OP_MSG_RING		= 40,
	IORING_OP_FSETXATTR		= 41,
	IORING_OP_SETXATTR		= 42,
	IORING_OP_FGETXATTR		= 43,
	IORING_OP_GETXATTR		= 44,
	IORING_OP_SOCKET		= 45,
	IORING_OP_URING_CMD		= 46,
	IORING_OP_SEND_ZC		= 47,
	IORING_OP_SENDMSG_ZC		= 48,
	IORING_OP_READ_MULTISHOT	= 49,
	IORING_OP_WAITID		= 50,
	IORING_OP_FUTEX_WAIT		= 51,
	IORING_OP_FUTEX_WAKE		= 52,
	IORING_OP_FUTEX_WAITV		= 53,
	IORING_OP_FIXED_FD_INSTALL	= 54,
	IORING_OP_FTRUNCATE		= 55,
	IORING_OP_BIND			= 56,
	IORING_OP_LISTEN		= 57,

	/* number of opcodes; not a valid opcode itself */
	IORING_OP_LAST
};

/* ------------------------------------------------------------------------
 * Per-opcode flags carried in the SQE
 * ------------------------------------------------------------------------
 */

/* IORING_OP_FSYNC, sqe->fsync_flags: only flush what fdatasync() would */
#define IORING_FSYNC_DATASYNC		(1U << 0)

/* IORING_OP_TIMEOUT / _TIMEOUT_REMOVE / _LINK_TIMEOUT, sqe->timeout_flags */
#define IORING_TIMEOUT_ABS		(1U << 0)	/* absolute deadline */
#define IORING_TIMEOUT_UPDATE		(1U << 1)	/* modify a timeout */
#define IORING_TIMEOUT_BOOTTIME		(1U << 2)	/* CLOCK_BOOTTIME */
#define IORING_TIMEOUT_REALTIME		(1U << 3)	/* CLOCK_REALTIME */
#define IORING_LINK_TIMEOUT_UPDATE	(1U << 4)	/* modify a link timeout */
#define IORING_TIMEOUT_ETIME_SUCCESS	(1U << 5)	/* expiry is not an error */
#define IORING_TIMEOUT_MULTISHOT	(1U << 6)	/* rearm after each expiry */
/* at most one clock selector may be given */
#define IORING_TIMEOUT_CLOCK_MASK	(IORING_TIMEOUT_BOOTTIME | IORING_TIMEOUT_REALTIME)
/* the two flavours of update */
#define IORING_TIMEOUT_UPDATE_MASK	(IORING_TIMEOUT_UPDATE | IORING_LINK_TIMEOUT_UPDATE)

/*
 * IORING_OP_SPLICE / IORING_OP_TEE, sqe->splice_flags: on top of the
 * splice(2) SPLICE_F_* bits, the top bit marks splice_fd_in as a fixed file.
 */
#define SPLICE_F_FD_IN_FIXED		(1U << 31)

/*
 * IORING_OP_POLL_ADD / _POLL_REMOVE command flags.  The poll mask already
 * owns the flag word, so these live in sqe->len instead.
 */
#define IORING_POLL_ADD_MULTI		(1U << 0)	/* keep posting CQEs */
#define IORING_POLL_UPDATE_EVENTS	(1U << 1)	/* replace the mask */
#define IORING_POLL_UPDATE_USER_DATA	(1U << 2)	/* new user_data */
#define IORING_POLL_ADD_LEVEL		(1U << 3)	/* level triggered */

/*
 * IORING_OP_ASYNC_CANCEL and IORING_REGISTER_SYNC_CANCEL, sqe->cancel_flags.
 * Without a key flag the request is matched by user_data.
 */
#define IORING_ASYNC_CANCEL_ALL		(1U << 0)	/* every match, not first */
#define IORING_ASYNC_CANCEL_FD		(1U << 1)	/* match on sqe->fd */
#define IORING_ASYNC_CANCEL_ANY		(1U << 2)	/* match everything */
#define IORING_ASYNC_CANCEL_FD_FIXED	(1U << 3)	/* fd is a fixed slot */
#define IORING_ASYNC_CANCEL_USERDATA	(1U << 4)	/* match on user_data */
#define IORING_ASYNC_CANCEL_OP		(1U << 5)	/* match on opcode */

/*
 * Send/receive family (SEND, SENDMSG, SEND_ZC, SENDMSG_ZC, RECV, RECVMSG),
 * flags carried in sqe->ioprio.
 *
 * POLL_FIRST: arm poll straight away instead of trying the transfer first.
 * MULTISHOT:  receive repeatedly, posting CQEs with IORING_CQE_F_MORE.
 * FIXED_BUF:  data lives in the registered buffer named by sqe->buf_index.
 * REPORT_USAGE: the zero-copy notification CQE tells in cqe->res whether
 *             the data had to be copied after all.
 * BUNDLE:     with IOSQE_BUFFER_SELECT, use several provided buffers in one
 *             go; cqe->flags names the first buffer id and the others that
 *             were used follow it contiguously.
 */
#define IORING_RECVSEND_POLL_FIRST	(1U << 0)
#define IORING_RECV_MULTISHOT		(1U << 1)
#define IORING_RECVSEND_FIXED_BUF	(1U << 2)
#define IORING_SEND_ZC_REPORT_USAGE	(1U << 3)
#define IORING_RECVSEND_BUNDLE		(1U << 4)

/*
 * Set in the res of a zero-copy notification CQE (IORING_CQE_F_NOTIF) when
 * IORING_SEND_ZC_REPORT_USAGE was asked for and some data got copied.  Test
 * it as a flag; the remaining bits of res are reserved.
 */
#define IORING_NOTIF_USAGE_ZC_COPIED	(1U << 31)

/* IORING_OP_ACCEPT flags, carried in sqe->ioprio */
#define IORING_ACCEPT_MULTISHOT		(1U << 0)	/* keep accepting */
#define IORING_ACCEPT_DONTWAIT		(1U << 1)	/* fail instead of poll */
#define IORING_ACCEPT_POLL_FIRST	(1U << 2)	/* poll before first try */

/* IORING_OP_MSG_RING: what to deliver to the target ring (sqe->addr) */
enum io_uring_msg_ring_flags {
	IORING_MSG_DATA		= 0,	/* a CQE with res = len, data = off */
	IORING_MSG_SEND_FD	= 1,	/* a copy of one of our fixed files */
};

/* IORING_OP_MSG_RING, sqe->msg_ring_flags */
#define IORING_MSG_RING_CQE_SKIP	(1U << 0)	/* no CQE on the target */
#define IORING_MSG_RING_FLAGS_PASS	(1U << 1)	/* file_index -> cqe->flags */

/* IORING_OP_FIXED_FD_INSTALL, sqe->install_fd_flags: leave O_CLOEXEC off */
#define IORING_FIXED_FD_NO_CLOEXEC	(1U << 0)

/* IORING_OP_NOP, sqe->nop_flags: complete with sqe->len as the result */
#define IORING_NOP_INJECT_RESULT	(1U << 0)

/*
 * IORING_OP_URING_CMD, sqe->uring_cmd_flags.  The top byte is kept for
 * the kernel's own use.  FIXED means the payload is the registered buffer
 * given in sqe->buf_index.
 */
#define IORING_URING_CMD_FIXED		(1U << 0)
#define IORING_URING_CMD_MASK		IORING_URING_CMD_FIXED

/* ------------------------------------------------------------------------
 * Completion queue entry
 * ------------------------------------------------------------------------
 */

struct io_uring_cqe {
	__u64	user_data;	/* copied from the SQE */
	__s32	res;		/* result, or -errno */
	__u32	flags;		/* IORING_CQE_F_* */

	/* 16 extra bytes exist only on IORING_SETUP_CQE32 rings */
	__u64	big_cqe[];
};

/*
 * cqe->flags
 *
 * BUFFER:        a provided buffer was consumed; its id is in the top 16 bits
 * MORE:          the request stays armed and more CQEs will follow
 * SOCK_NONEMPTY: the socket still had data queued after this receive
 * NOTIF:         zero-copy notification (buffer released), not a send result
 * BUF_MORE:      the buffer came from an incrementally consumed ring
 *                (IOU_PBUF_RING_INC) and still belongs to the kernel
 */
#define IORING_CQE_F_BUFFER		(1U << 0)
#define IORING_CQE_F_MORE		(1U << 1)
#define IORING_CQE_F_SOCK_NONEMPTY	(1U << 2)
#define IORING_CQE_F_NOTIF		(1U << 3)
#define IORING_CQE_F_BUF_MORE		(1U << 4)

/* cqe->flags >> this gives the buffer id when IORING_CQE_F_BUFFER is set */
#define IORING_CQE_BUFFER_SHIFT		16

/* ------------------------------------------------------------------------
 * io_uring_setup(2)
 * ------------------------------------------------------------------------
 */

/* io_uring_params->flags */
#define IORING_SETUP_IOPOLL		(1U << 0)	/* busy-poll completions */
#define IORING_SETUP_SQPOLL		(1U << 1)	/* kernel thread submits */
#define IORING_SETUP_SQ_AFF		(1U << 2)	/* pin it: sq_thread_cpu */
#define IORING_SETUP_CQSIZE		(1U << 3)	/* cq_entries is given */
#define IORING_SETUP_CLAMP		(1U << 4)	/* clamp oversized rings */
#define IORING_SETUP_ATTACH_WQ		(1U << 5)	/* share wq_fd's io-wq */
#define IORING_SETUP_R_DISABLED		(1U << 6)	/* wait for ENABLE_RINGS */
#define IORING_SETUP_SUBMIT_ALL		(1U << 7)	/* don't stop on errors */
/*
 * Don't interrupt the submitter with an IPI to run completion work; let it
 * run on the next natural kernel entry instead.
 */
#define IORING_SETUP_COOP_TASKRUN	(1U << 8)
/*
 * Raise IORING_SQ_TASKRUN in the SQ ring flags when deferred work is
 * waiting, so a COOP_TASKRUN user knows when to enter the kernel.
 */
#define IORING_SETUP_TASKRUN_FLAG	(1U << 9)
#define IORING_SETUP_SQE128		(1U << 10)	/* 128-byte SQEs */
#define IORING_SETUP_CQE32		(1U << 11)	/* 32-byte CQEs */
/* only the creating task may ever submit */
#define IORING_SETUP_SINGLE_ISSUER	(1U << 12)
/*
 * Keep completion work queued until the submitter waits for events, so it
 * runs in one batch exactly when needed.
 */
#define IORING_SETUP_DEFER_TASKRUN	(1U << 13)
/* userspace supplied the ring memory; nothing needs to be mmap()ed */
#define IORING_SETUP_NO_MMAP		(1U << 14)
/*
 * Don't hand out a normal fd: register the ring in itself and return the
 * registered index (for IORING_REGISTER_USE_REGISTERED_RING / ENTER).
 */
#define IORING_SETUP_REGISTERED_FD_ONLY	(1U << 15)
/* SQ ring has no index array; SQEs are consumed in ring order */
#define IORING_SETUP_NO_SQARRAY		(1U << 16)

/*
 * Where the fields of the SQ ring live, as byte offsets from the start of
 * its mapping.  Filled in by io_uring_setup(2).
 */
struct io_sqring_offsets {
	__u32	head;
	__u32	tail;
	__u32	ring_mask;
	__u32	ring_entries;
	__u32	flags;		/* IORING_SQ_* */
	__u32	dropped;
	__u32	array;
	__u32	resv1;
	__u64	user_addr;	/* ring memory, with IORING_SETUP_NO_MMAP */
};

/* SQ ring flags word, written by the kernel */
#define IORING_SQ_NEED_WAKEUP		(1U << 0)	/* SQPOLL thread sleeps */
#define IORING_SQ_CQ_OVERFLOW		(1U << 1)	/* CQEs were held back */
#define IORING_SQ_TASKRUN		(1U << 2)	/* work awaits an enter */

/* Same idea for the CQ ring */
struct io_cqring_offsets {
	__u32	head;
	__u32	tail;
	__u32	ring_mask;
	__u32	ring_entries;
	__u32	overflow;
	__u32	cqes;
	__u32	flags;		/* IORING_CQ_* */
	__u32	resv1;
	__u64	user_addr;	/* ring memory, with IORING_SETUP_NO_MMAP */
};

/* CQ ring flags word, written by the application */
#define IORING_CQ_EVENTFD_DISABLED	(1U << 0)	/* mute the eventfd */

/*
 * mmap(2) offsets selecting which region of the ring fd to map.  For a
 * provided buffer ring allocated by the kernel, the group id goes in the
 * bits above IORING_OFF_PBUF_SHIFT.
 */
#define IORING_OFF_SQ_RING		0ULL
#define IORING_OFF_CQ_RING		0x8000000ULL
#define IORING_OFF_SQES			0x10000000ULL
#define IORING_OFF_PBUF_RING		0x80000000ULL
#define IORING_OFF_PBUF_SHIFT		16
#define IORING_OFF_MMAP_MASK		0xf8000000ULL

/* io_uring_setup(2) argument: requested config in, ring geometry out */
struct io_uring_params {
	__u32	sq_entries;
	__u32	cq_entries;
	__u32	flags;		/* IORING_SETUP_* */
	__u32	sq_thread_cpu;
	__u32	sq_thread_idle;	/* ms before the SQPOLL thread sleeps */
	__u32	features;	/* IORING_FEAT_*, output */
	__u32	wq_fd;		/* ring to share io-wq with (ATTACH_WQ) */
	__u32	resv[3];
	struct io_sqring_offsets	sq_off;
	struct io_cqring_offsets	cq_off;
};

/* io_uring_params->features: what this kernel can do */
#define IORING_FEAT_SINGLE_MMAP		(1U << 0)	/* SQ+CQ in one mapping */
#define IORING_FEAT_NODROP		(1U << 1)	/* CQEs never lost */
#define IORING_FEAT_SUBMIT_STABLE	(1U << 2)	/* data copied at submit */
#define IORING_FEAT_RW_CUR_POS		(1U << 3)	/* off == -1 is f_pos */
#define IORING_FEAT_CUR_PERSONALITY	(1U << 4)	/* submitter's creds */
#define IORING_FEAT_FAST_POLL		(1U << 5)	/* internal poll retry */
#define IORING_FEAT_POLL_32BITS		(1U << 6)	/* poll32_events */
#define IORING_FEAT_SQPOLL_NONFIXED	(1U << 7)	/* SQPOLL w/o fixed files */
#define IORING_FEAT_EXT_ARG		(1U << 8)	/* IORING_ENTER_EXT_ARG */
#define IORING_FEAT_NATIVE_WORKERS	(1U << 9)	/* io-wq are user threads */
#define IORING_FEAT_RSRC_TAGS		(1U << 10)	/* tagged resources */
#define IORING_FEAT_CQE_SKIP		(1U << 11)	/* IOSQE_CQE_SKIP_SUCCESS */
#define IORING_FEAT_LINKED_FILE		(1U << 12)	/* late file lookup */
#define IORING_FEAT_REG_REG_RING	(1U << 13)	/* register via ring idx */
#define IORING_FEAT_RECVSEND_BUNDLE	(1U << 14)	/* RECVSEND_BUNDLE */
#define IORING_FEAT_MIN_TIMEOUT		(1U << 15)	/* min_wait_usec */

/* ------------------------------------------------------------------------
 * io_uring_enter(2)
 * ------------------------------------------------------------------------
 */

#define IORING_ENTER_GETEVENTS		(1U << 0)	/* wait for min_complete */
#define IORING_ENTER_SQ_WAKEUP		(1U << 1)	/* kick the SQPOLL thread */
#define IORING_ENTER_SQ_WAIT		(1U << 2)	/* wait for SQ space */
#define IORING_ENTER_EXT_ARG		(1U << 3)	/* arg is getevents_arg */
#define IORING_ENTER_REGISTERED_RING	(1U << 4)	/* fd is a ring index */
#define IORING_ENTER_ABS_TIMER		(1U << 5)	/* ts is absolute */

/* Argument block when IORING_ENTER_EXT_ARG is passed */
struct io_uring_getevents_arg {
	__u64	sigmask;	/* sigset_t pointer */
	__u32	sigmask_sz;
	__u32	min_wait_usec;	/* IORING_FEAT_MIN_TIMEOUT */
	__u64	ts;		/* struct __kernel_timespec pointer */
};

/* ------------------------------------------------------------------------
 * io_uring_register(2)
 * ------------------------------------------------------------------------
 */

enum io_uring_register_op {
	/* fixed buffers and files, original interface */
	IORING_REGISTER_BUFFERS			= 0,
	IORING_UNREGISTER_BUFFERS		= 1,
	IORING_REGISTER_FILES			= 2,
	IORING_UNREGISTER_FILES			= 3,
	/* completion notification through an eventfd */
	IORING_REGISTER_EVENTFD			= 4,
	IORING_UNREGISTER_EVENTFD		= 5,
	IORING_REGISTER_FILES_UPDATE		= 6,
	IORING_REGISTER_EVENTFD_ASYNC		= 7,
	/* capability query, credentials, locking down the ring */
	IORING_REGISTER_PROBE			= 8,
	IORING_REGISTER_PERSONALITY		= 9,
	IORING_UNREGISTER_PERSONALITY		= 10,
	IORING_REGISTER_RESTRICTIONS		= 11,
	IORING_REGISTER_ENABLE_RINGS		= 12,
	/* resource tables with per-entry tags */
	IORING_REGISTER_FILES2			= 13,
	IORING_REGISTER_FILES_UPDATE2		= 14,
	IORING_REGISTER_BUFFERS2		= 15,
	IORING_REGISTER_BUFFERS_UPDATE		= 16,
	/* io-wq worker CPU mask and pool limits */
	IORING_REGISTER_IOWQ_AFF		= 17,
	IORING_UNREGISTER_IOWQ_AFF		= 18,
	IORING_REGISTER_IOWQ_MAX_WORKERS	= 19,
	/* ring fds registered with the ring itself */
	IORING_REGISTER_RING_FDS		= 20,
	IORING_UNREGISTER_RING_FDS		= 21,
	/* provided buffer rings */
	IORING_REGISTER_PBUF_RING		= 22,
	IORING_UNREGISTER_PBUF_RING		= 23,
	/* blocking cancellation */
	IORING_REGISTER_SYNC_CANCEL		= 24,
	/* slot window used by IORING_FILE_INDEX_ALLOC */
	IORING_REGISTER_FILE_ALLOC_RANGE	= 25,
	/* head position of a provided buffer ring */
	IORING_REGISTER_PBUF_STATUS		= 26,
	/* NAPI busy polling */
	IORING_REGISTER_NAPI			= 27,
	IORING_UNREGISTER_NAPI			= 28,
	/* clock used for waits and timeouts */
	IORING_REGISTER_CLOCK			= 29,
	/* copy another ring's fixed buffer table */
	IORING_REGISTER_CLONE_BUFFERS		= 30,

	/* number of opcodes; not a valid opcode itself */
	IORING_REGISTER_LAST,

	/* or-ed into the opcode: fd is a registered ring index */
	IORING_REGISTER_USE_REGISTERED_RING	= 1U << 31
};

/* io-wq worker pools, index of IORING_REGISTER_IOWQ_MAX_WORKERS's array */
enum io_wq_type {
	IO_WQ_BOUND	= 0,	/* bounded work, e.g. regular file I/O */
	IO_WQ_UNBOUND	= 1,	/* may block indefinitely, e.g. sockets */
};

/* IORING_REGISTER_FILES_UPDATE argument; superseded by io_uring_rsrc_update */
struct io_uring_files_update {
	__u32		offset;
	__u32		resv;
	__aligned_u64	fds;	/* __s32 array */
};

/* Skip this slot in a file table update (value in the fd array) */
#define IORING_REGISTER_FILES_SKIP	(-2)

/* io_uring_rsrc_register->flags: start with nr empty slots, data unused */
#define IORING_RSRC_REGISTER_SPARSE	(1U << 0)

/* IORING_REGISTER_FILES2 / _BUFFERS2 argument */
struct io_uring_rsrc_register {
	__u32		nr;
	__u32		flags;		/* IORING_RSRC_REGISTER_* */
	__u64		resv2;
	__aligned_u64	data;		/* fds or iovecs */
	__aligned_u64	tags;		/* __u64 per entry, may be 0 */
};

struct io_uring_rsrc_update {
	__u32		offset;
	__u32		resv;
	__aligned_u64	data;
};

/* IORING_REGISTER_FILES_UPDATE2 / _BUFFERS_UPDATE argument */
struct io_uring_rsrc_update2 {
	__u32		offset;
	__u32		resv;
	__aligned_u64	data;
	__aligned_u64	tags;
	__u32		nr;
	__u32		resv2;
};

/* io_uring_probe_op->flags: the opcode is implemented */
#define IO_URING_OP_SUPPORTED		(1U << 0)

struct io_uring_probe_op {
	__u8	op;
	__u8	resv;
	__u16	flags;		/* IO_URING_OP_* */
	__u32	resv2;
};

/* IORING_REGISTER_PROBE argument, filled in by the kernel */
struct io_uring_probe {
	__u8	last_op;	/* highest opcode known to the kernel */
	__u8	ops_len;	/* entries of ops[] filled in */
	__u16	resv;
	__u32	resv2[3];
	struct io_uring_probe_op ops[];
};

/* IORING_REGISTER_RESTRICTIONS: one allow/require rule */
struct io_uring_restriction {
	__u16	opcode;		/* enum io_uring_register_restriction_op */
	union {
		__u8	register_op;	/* RESTRICTION_REGISTER_OP */
		__u8	sqe_op;		/* RESTRICTION_SQE_OP */
		__u8	sqe_flags;	/* RESTRICTION_SQE_FLAGS_* */
	};
	__u8	resv;
	__u32	resv2[3];
};

/* io_uring_restriction->opcode */
enum io_uring_register_restriction_op {
	IORING_RESTRICTION_REGISTER_OP		= 0,	/* allow register op */
	IORING_RESTRICTION_SQE_OP		= 1,	/* allow SQE opcode */
	IORING_RESTRICTION_SQE_FLAGS_ALLOWED	= 2,	/* allow SQE flags */
	IORING_RESTRICTION_SQE_FLAGS_REQUIRED	= 3,	/* demand SQE flags */

	IORING_RESTRICTION_LAST
};

/* IORING_REGISTER_CLOCK argument */
struct io_uring_clock_register {
	__u32	clockid;	/* CLOCK_MONOTONIC or CLOCK_BOOTTIME */
	__u32	__resv[3];
};

/* io_uring_clone_buffers->flags */
enum {
	/* src_fd is a registered ring index, not a plain fd */
	IORING_REGISTER_SRC_REGISTERED	= 1,
};

/* IORING_REGISTER_CLONE_BUFFERS argument */
struct io_uring_clone_buffers {
	__u32	src_fd;
	__u32	flags;
	__u32	pad[6];
};

/* IORING_REGISTER_FILE_ALLOC_RANGE argument: slots [off, off + len) */
struct io_uring_file_index_range {
	__u32	off;
	__u32	len;
	__u64	resv;
};

/* IORING_REGISTER_SYNC_CANCEL argument; mirrors an ASYNC_CANCEL SQE */
struct io_uring_sync_cancel_reg {
	__u64				addr;		/* user_data key */
	__s32				fd;
	__u32				flags;		/* IORING_ASYNC_CANCEL_* */
	struct __kernel_timespec	timeout;	/* -1/-1: forever */
	__u8				opcode;
	__u8				pad[7];
	__u64				pad2[3];
};

/* IORING_(UN)REGISTER_NAPI argument */
struct io_uring_napi {
	__u32	busy_poll_to;		/* busy poll timeout, usec */
	__u8	prefer_busy_poll;
	__u8	pad[3];
	__u64	resv;
};

/* ------------------------------------------------------------------------
 * Provided buffer rings
 * ------------------------------------------------------------------------
 */

/* One buffer handed to the kernel */
struct io_uring_buf {
	__u64	addr;
	__u32	len;
	__u16	bid;		/* buffer id reported back in cqe->flags */
	__u16	resv;
};

/*
 * The ring is an array of io_uring_buf; the producer tail is stored in
 * the otherwise unused resv field of entry 0, so the ring needs no
 * separate header and a power-of-two count fills whole pages.
 */
struct io_uring_buf_ring {
	union {
		struct {
			__u64	resv1;
			__u32	resv2;
			__u16	resv3;
			__u16	tail;
		};
		__DECLARE_FLEX_ARRAY(struct io_uring_buf, bufs);
	};
};

/*
 * io_uring_buf_reg->flags
 *
 * MMAP: the kernel allocates the ring; ring_addr must be 0 and userspace
 *       maps it at IORING_OFF_PBUF_RING | (bgid << IORING_OFF_PBUF_SHIFT).
 * INC:  a buffer may be consumed piecewise across several completions
 *       (see IORING_CQE_F_BUF_MORE) instead of whole per completion.
 */
enum io_uring_register_pbuf_ring_flags {
	IOU_PBUF_RING_MMAP	= 1,
	IOU_PBUF_RING_INC	= 2,
};

/* IORING_(UN)REGISTER_PBUF_RING argument */
struct io_uring_buf_reg {
	__u64	ring_addr;
	__u32	ring_entries;	/* power of two */
	__u16	bgid;		/* buffer group id */
	__u16	flags;		/* IOU_PBUF_RING_* */
	__u32	min_left;
	__u32	resv[5];
};

/* IORING_REGISTER_PBUF_STATUS argument */
struct io_uring_buf_status {
	__u32	buf_group;	/* in */
	__u32	head;		/* out: kernel's consumer position */
	__u32	resv[8];
};

/* ------------------------------------------------------------------------
 * Data formats of individual opcodes
 * ------------------------------------------------------------------------
 */

/*
 * Header at the start of each buffer filled by multishot IORING_OP_RECVMSG.
 * It is followed by the name, the control data and then the payload.
 */
struct io_uring_recvmsg_out {
	__u32	namelen;
	__u32	controllen;
	__u32	payloadlen;
	__u32	flags;
};

/* IORING_OP_URING_CMD on a socket: values of sqe->cmd_op */
enum io_uring_socket_op {
	SOCKET_URING_OP_SIOCINQ		= 0,
	SOCKET_URING_OP_SIOCOUTQ	= 1,
	SOCKET_URING_OP_GETSOCKOPT	= 2,
	SOCKET_URING_OP_SETSOCKOPT	= 3,
};

#ifdef __cplusplus
}
#endif

#endif /* LINUX_IO_URING_H */
