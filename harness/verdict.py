#!/usr/bin/env python3
"""Read a guest log of a kselftest run; print failures, splats and the
closing 'N passed, N failed, N skipped' line; exit non-zero on any
failure, splat, hang or empty run."""
import re
import sys

SPLAT = re.compile(
    r"BUG:|WARNING:|UBSAN:|kernel BUG at|Oops|general protection fault|"
    r"Kernel panic|possible circular locking|possible recursive locking|"
    r"inconsistent lock state|suspicious RCU usage|"
    r"INFO: task .* blocked for more than|detected stall|self-detected stall|"
    r"soft lockup|hard LOCKUP|list_(add|del) corruption|refcount_t:|"
    r"DEBUG_LOCKS_WARN_ON|Unable to handle kernel")
OUTER = re.compile(r"^(not ok|ok) \d+ selftests: (\S+): (\S+)(.*)$")
INNER = re.compile(r"^# (not ok|ok) \d+ (\S+)(.*)$")
START = re.compile(r"^# selftests: (\S+): (\S+)$")


def after_last_reboot(lines):
    """qemu.sh boots again a guest that crashed before its command ran."""
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].startswith("@@HARNESS-REBOOT"):
            return lines[i + 1:]
    return lines


def main():
    path, qemu_rc = sys.argv[1], int(sys.argv[2])
    with open(path, errors="replace") as f:
        lines = [l.rstrip("\r\n").replace("\r", "") for l in f]
    lines = after_last_reboot(lines)

    passed = failed = skipped = 0
    problems = []
    splats = []
    current = None
    inner_fail = 0
    finished = False
    for line in lines:
        if line.startswith("@@HARNESS-EXIT="):
            finished = True
        if SPLAT.search(line) and not line.startswith("#"):
            splats.append(line)
        m = START.match(line)
        if m:
            current, inner_fail = m.group(2), 0
            continue
        m = INNER.match(line)
        if m:
            status, name, rest = m.groups()
            if "# SKIP" in rest:
                skipped += 1
            elif status == "ok":
                passed += 1
            else:
                failed += 1
                inner_fail += 1
                problems.append(f"FAIL {current}: {name}{rest}")
            continue
        m = OUTER.match(line)
        if m:
            status, _, binary, rest = m.groups()
            if status == "not ok" and not inner_fail and "# SKIP" not in rest:
                failed += 1
                problems.append(f"FAIL {binary}: exited badly{rest}")
            current = None

    for p in problems:
        print(p)
    if splats:
        print(f"kernel splat: {len(splats)} line(s), first ones:")
        for s in splats[:20]:
            print(f"  {s}")
    if not finished:
        where = f" while running '{current}'" if current else ""
        print(f"guest did not finish (hang, panic or timeout{where}); qemu status {qemu_rc}")
    total = passed + failed + skipped
    if total == 0:
        print("no test ran")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    ok = finished and not splats and failed == 0 and total > 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
