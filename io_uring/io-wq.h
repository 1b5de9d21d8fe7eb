/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The worker pool that runs requests which would block. The scheduler
 * calls io_wq_worker_sleeping() and io_wq_worker_running() for tasks with
 * PF_IO_WORKER, so that a worker about to block can hand its queue to a
 * spare worker.
 */
#ifndef IO_URING_IO_WQ_H
#define IO_URING_IO_WQ_H

#include <linux/sched.h>

#ifdef CONFIG_IO_WQ
void io_wq_worker_sleeping(struct task_struct *tsk);
void io_wq_worker_running(struct task_struct *tsk);
#else
/* Without io_uring there are no workers for the scheduler to tell about. */
static inline void io_wq_worker_sleeping(struct task_struct *tsk) { }
static inline void io_wq_worker_running(struct task_struct *tsk) { }
#endif

#endif /* IO_URING_IO_WQ_H */
