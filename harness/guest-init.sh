#!/bin/sh
# PID 1 of the test guest: mount the host's userland read-only over 9p,
# chroot into it, run the command named on the kernel command line
# (harness.cmd=<script path on the host>) or a shell, then power off.
/bin/busybox --install -s /bin
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
# devtmpfs lacks what udev would add; the kselftest runner writes to /dev/stdout
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000 hostroot /host ||
	{ echo "@@HARNESS: cannot mount hostroot"; poweroff -f; }
for d in proc sys dev; do mount --bind /$d /host/$d; done
mount -t devpts devpts /host/dev/pts 2>/dev/null

top=
for a in $(cat /proc/cmdline); do
	case "$a" in harness.top=*) top=${a#harness.top=};; esac
done
# The checkout may live under a directory the tmpfs below hides (CI
# clones into /tmp, say): keep it reachable at the same path.
if [ -n "$top" ]; then
	mkdir -p /keep
	mount --bind "/host$top" /keep
fi
for d in tmp root run; do mount -t tmpfs tmpfs /host/$d; done
chmod 1777 /host/tmp
if [ -n "$top" ] && [ ! -d "/host$top/harness" ]; then
	mkdir -p "/host$top"
	mount --bind /keep "/host$top"
fi
hostname guest
ip link set lo up 2>/dev/null

cmd=
for a in $(cat /proc/cmdline); do
	case "$a" in harness.cmd=*) cmd=${a#harness.cmd=};; esac
done
if [ -n "$cmd" ]; then
	# the host's watchdog (qemu.sh) reads this: silence means a hung kernel
	if [ -e /dev/ttyS1 ]; then
		(while :; do echo beat > /dev/ttyS1; sleep 5; done) &
	fi
	echo "@@HARNESS-START"
	chroot /host /bin/bash -c "cd /tmp && exec /bin/bash $cmd" </dev/null
	rc=$?
	echo "@@HARNESS-EXIT=$rc"
else
	echo "@@HARNESS: shell; 'exit' powers off"
	setsid cttyhack chroot /host /bin/bash -l
fi
sync
poweroff -f
