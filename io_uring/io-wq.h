/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The worker pool that runs requests which would block.
 *
 * Each task that submits blocking work gets one pool, shared by all its
 * rings. Workers are threads of that task (create_io_thread()), so they
 * share its files, memory and credentials. Work is either bounded (regular
 * files and block devices: completes in finite time, so the number of
 * workers is capped) or unbounded (pipes, sockets: may wait forever, so
 * every such work may get its own worker). Hashed work, buffered writes to
 * one inode, runs one at a time per hash.
 *
 * The scheduler calls io_wq_worker_sleeping() and io_wq_worker_running()
 * for tasks with PF_IO_WORKER.
 */
#ifndef IO_URING_IO_WQ_H
#define IO_URING_IO_WQ_H

#include <linux/list.h>
#include <linux/sched.h>
#include <uapi/linux/io_uring.h>

struct io_wq;

enum {
	IO_WQ_WORK_UNBOUND	= BIT(0),	/* may block indefinitely */
	IO_WQ_WORK_HASHED	= BIT(1),	/* serialise with same-hash work */
	IO_WQ_WORK_CANCEL	= BIT(2),	/* run it only to cancel it */
};

/* IO_WQ_BOUND and IO_WQ_UNBOUND come from the uapi (IOWQ_MAX_WORKERS) */
#define IO_WQ_TYPES	2

struct io_wq_work {
	struct list_head	list;
	unsigned int		flags;		/* IO_WQ_WORK_* */
	unsigned int		hash;
};

/*
 * What the pool's owner does with a work item. The pool owns a work item
 * from io_wq_enqueue() until it calls ->cancel() or ->done(), and may look
 * at it until then; ->run() must not free it.
 */
struct io_wq_ops {
	/* run @work; called in a worker, may block */
	void (*run)(struct io_wq_work *work);
	/* the pool is done with @work, which has run */
	void (*done)(struct io_wq_work *work);
	/* @work will never run: finish it as cancelled */
	void (*cancel)(struct io_wq_work *work);
};

enum io_wq_cancel {
	IO_WQ_CANCEL_OK,	/* was pending, has been cancelled */
	IO_WQ_CANCEL_RUNNING,	/* was running, has been interrupted */
	IO_WQ_CANCEL_NOTFOUND,
};

typedef bool (io_wq_match_fn)(struct io_wq_work *work, void *data);

struct io_wq *io_wq_create(unsigned int bounded, const struct io_wq_ops *ops);
void io_wq_enqueue(struct io_wq *wq, struct io_wq_work *work);
void io_wq_hash_work(struct io_wq_work *work, void *key);
enum io_wq_cancel io_wq_cancel(struct io_wq *wq, io_wq_match_fn *match,
			       void *data, bool all, struct list_head *cancelled,
			       unsigned int *nr_pending);
void io_wq_cancel_list(const struct io_wq_ops *ops, struct list_head *works);
int io_wq_max_workers(struct io_wq *wq, int *counts);
int io_wq_set_affinity(struct io_wq *wq, const struct cpumask *mask);
void io_wq_exit(struct io_wq *wq, bool drain);
bool io_wq_current_is_worker(void);
bool io_wq_worker_stopped(void);

#ifdef CONFIG_IO_WQ
void io_wq_worker_sleeping(struct task_struct *tsk);
void io_wq_worker_running(struct task_struct *tsk);
#else
/* Without io_uring there are no workers for the scheduler to tell about. */
static inline void io_wq_worker_sleeping(struct task_struct *tsk) { }
static inline void io_wq_worker_running(struct task_struct *tsk) { }
#endif

#endif /* IO_URING_IO_WQ_H */
