/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * io_uring's hooks into process lifetime: exit and exec cancel a task's
 * requests, fork starts without io_uring state, and SCM_RIGHTS refuses to
 * pass ring file descriptors.
 */
#ifndef _LINUX_IO_URING_H
#define _LINUX_IO_URING_H

#include <linux/sched.h>
#include <linux/xarray.h>
#include <uapi/linux/io_uring.h>

#if defined(CONFIG_IO_URING)
void __io_uring_cancel(bool cancel_all);
void __io_uring_free(struct task_struct *tsk);
void io_uring_unreg_ringfd(void);
const char *io_uring_get_opcode(u8 opcode);
bool io_is_uring_fops(struct file *file);

/* Called on exit: cancel requests that use the files being dropped. */
static inline void io_uring_files_cancel(void)
{
	if (current->io_uring)
		__io_uring_cancel(false);
}

/* Called on exec: cancel everything the task has in flight. */
static inline void io_uring_task_cancel(void)
{
	if (current->io_uring)
		__io_uring_cancel(true);
}

static inline void io_uring_free(struct task_struct *tsk)
{
	if (tsk->io_uring)
		__io_uring_free(tsk);
}
#else
static inline void io_uring_task_cancel(void)
{
}

static inline void io_uring_files_cancel(void)
{
}

static inline void io_uring_free(struct task_struct *tsk)
{
}

static inline const char *io_uring_get_opcode(u8 opcode)
{
	return "";
}

static inline bool io_is_uring_fops(struct file *file)
{
	return false;
}
#endif

#endif /* _LINUX_IO_URING_H */
