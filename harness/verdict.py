#!/usr/bin/env python3
"""Read a guest log of a kselftest run; print failures, splats and the
closing 'N passed, N failed, N skipped' line; exit non-zero on any
failure, splat, hang or empty run.

  verdict.py LOG QEMU_STATUS [SKIPS]

With SKIPS (a file of "binary: case" patterns, fnmatch style, '#'
comments), a case that skips without being listed there fails the run
too: a kernel that stops offering a feature must not pass by skipping
the tests of it. Each kernel has its own list (harness/skips/)."""
import fnmatch
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
RUN = re.compile(r"^#\s+RUN\s+(\S+)")


def after_last_reboot(lines):
    """qemu.sh boots again a guest that crashed before its command ran."""
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].startswith("@@HARNESS-REBOOT"):
            return lines[i + 1:]
    return lines


def read_skips(path):
    pats = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                pats.append(line)
    return pats


def main():
    path, qemu_rc = sys.argv[1], int(sys.argv[2])
    allowed = read_skips(sys.argv[3]) if len(sys.argv) > 3 else None
    unexpected_skips = []
    with open(path, errors="replace") as f:
        lines = [l.rstrip("\r\n").replace("\r", "") for l in f]
    lines = after_last_reboot(lines)

    passed = failed = skipped = 0
    problems = []
    splats = []
    current = None
    inner_fail = 0
    finished = False
    hung = False
    hung_in = None
    case = None
    for line in lines:
        if line.startswith("@@HARNESS-EXIT="):
            finished = True
        if line.startswith("@@HARNESS-HUNG"):
            hung = True
            hung_in = f"{current}: {case}" if current and case else current
        m = RUN.match(line)
        if m:
            case = m.group(1)
        if SPLAT.search(line) and not line.startswith("#"):
            splats.append(line)
        m = START.match(line)
        if m:
            current, inner_fail, case = m.group(2), 0, None
            continue
        m = INNER.match(line)
        if m:
            status, name, rest = m.groups()
            if "# SKIP" in rest:
                skipped += 1
                key = f"{current}: {name}"
                if allowed is not None and not any(
                        fnmatch.fnmatchcase(key, p) for p in allowed):
                    unexpected_skips.append(f"{key}{rest}")
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
    for u in unexpected_skips:
        print(f"UNEXPECTED SKIP {u}")
    if unexpected_skips:
        print(f"{len(unexpected_skips)} case(s) skipped that {sys.argv[3]} does not allow")
    if splats:
        print(f"kernel splat: {len(splats)} line(s), first ones:")
        for s in splats[:20]:
            print(f"  {s}")
    if hung:
        what = f"test '{hung_in}'" if hung_in else "the run (outside any test)"
        print(f"{what} hung the kernel: the guest's heartbeat stopped")
    elif not finished:
        where = f" while running '{current}'" if current else ""
        print(f"guest did not finish (hang, panic or timeout{where}); qemu status {qemu_rc}")
    total = passed + failed + skipped
    if total == 0:
        print("no test ran")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    ok = (finished and not splats and failed == 0 and total > 0 and
          not unexpected_skips)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
