// SPDX-License-Identifier: GPL-2.0
/*
 * The io_uring worker pool.
 *
 * No worker threads exist yet: every request is issued from the
 * submitting task. The scheduler hooks are therefore never reached with
 * an io_uring worker, but they must exist for kernel/sched/core.c.
 */
#include <linux/sched.h>

#include "io-wq.h"

/* A worker is about to block: nothing to hand over without a pool. */
void io_wq_worker_sleeping(struct task_struct *tsk)
{
}

/* A worker woke up again. */
void io_wq_worker_running(struct task_struct *tsk)
{
}
