#!/usr/bin/env python3
"""Turn the guest logs of `make bench` into the ratio table.

    report.py <outdir> <elapsed seconds> <log>...

Logs are named <mode>-<kernel>-<run>.log (mode icount or wall). Writes
<outdir>/results.csv, results.md and raw.csv, prints the markdown table,
and exits non-zero on a harness failure: a guest that did not finish, a
kernel splat, a workload that failed, a workload missing from a log, or a
workload the stock kernel (the reference) did not run.
"""
import csv
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from verdict import after_last_reboot  # noqa: E402

SPLAT = re.compile(
    r"BUG:|WARNING:|UBSAN:|kernel BUG at|Oops|general protection fault|"
    r"Kernel panic|possible circular locking|possible recursive locking|"
    r"inconsistent lock state|suspicious RCU usage|"
    r"INFO: task .* blocked for more than|detected stall|self-detected stall|"
    r"soft lockup|hard LOCKUP|list_(add|del) corruption|refcount_t:|"
    r"Unable to handle kernel")
BENCH = re.compile(r"^BENCH name=(\S+) (.*)$")
KERNELS = ("stock", "ours")


def sig3(x):
    """x to 3 significant figures, without an exponent."""
    if x == 0:
        return "0"
    s = float(f"{x:.3g}")
    return f"{s:.0f}" if abs(s) >= 100 else f"{s:.3g}"


def parse_log(path):
    rows, order, problems, stderr = {}, [], [], []
    qemu_rc = None
    finished = False
    with open(path, errors="replace") as f:
        lines = [l.rstrip("\r\n").replace("\r", "") for l in f]
    lines = after_last_reboot(lines)
    for line in lines:
        if line.startswith("@@QEMU-RC="):
            qemu_rc = int(line.split("=", 1)[1])
        elif line.startswith("@@HARNESS-EXIT="):
            finished = True
        elif line.startswith("@@BENCH-ERROR"):
            problems.append(line[2:])
        elif line.startswith("@@BENCH-STDERR"):
            stderr.append(line[len("@@BENCH-STDERR "):])
            continue
        m = BENCH.match(line)
        if m:
            name, rest = m.groups()
            kv = dict(re.findall(r"(\w+)=(\S+)", rest))
            rows[name] = kv
            order.append(name)
            continue
        if SPLAT.search(line) and not line.startswith("@@BENCH-STDERR"):
            problems.append("kernel splat: " + line)
    if not finished or qemu_rc != 0:
        problems.append(f"guest did not finish cleanly (qemu status {qemu_rc})")
    return rows, order, problems, stderr


def main():
    outdir, elapsed, logs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    # data[mode][kernel][name] = list of ns/op; status[kernel][name] = why
    data = {"icount": {k: {} for k in KERNELS}, "wall": {k: {} for k in KERNELS}}
    unsupported = {k: {} for k in KERNELS}
    failures = []
    messages = []   # the workloads' stderr: explains failures
    order = []
    raw = []
    for path in logs:
        mode, kernel, run = os.path.basename(path)[:-4].split("-")
        rows, names, problems, stderr = parse_log(path)
        messages.extend(f"{mode}/{kernel}/run {run}: {x}" for x in stderr)
        for n in names:
            if n not in order:
                order.append(n)
        for p in problems:
            failures.append(f"{mode}/{kernel}/run {run}: {p}")
        for name, kv in rows.items():
            st = kv.get("status")
            if st == "unsupported":
                unsupported[kernel][name] = kv.get("why", "?")
                raw.append([mode, kernel, run, name, "", "", "unsupported " + kv.get("why", "")])
                continue
            if st is not None:
                failures.append(f"{mode}/{kernel}/run {run}: {name} {st} (rc {kv.get('rc')})")
                raw.append([mode, kernel, run, name, "", "", st])
                continue
            ops, ns = int(kv["ops"]), int(kv["ns"])
            data[mode][kernel].setdefault(name, []).append(ns / ops)
            raw.append([mode, kernel, run, name, ops, ns, ""])
    # every log must hold every row
    for path in logs:
        rows = parse_log(path)[0]
        for n in order:
            if n not in rows:
                failures.append(f"{os.path.basename(path)}: no result for {n}")
    for n, why in unsupported["stock"].items():
        failures.append(f"stock (the reference) did not run {n}: {why}")
    def cell(mode, k, name):
        v = data[mode][k].get(name)
        if not v:
            return None
        return statistics.median(v)

    def spread(mode, k, name):
        v = data[mode][k].get(name)
        if not v or len(v) < 2:
            return None
        return (max(v) - min(v)) / statistics.median(v) * 100

    table = []
    for name in order:
        r = {"workload": name}
        for k in KERNELS:
            r[f"{k}_instr_per_op"] = cell("icount", k, name)
            r[f"{k}_wall_ns_per_op"] = cell("wall", k, name)
            r[f"{k}_wall_spread_pct"] = spread("wall", k, name)
            r[f"{k}_wall_runs"] = len(data["wall"][k].get(name, []))
        s, o = r["stock_instr_per_op"], r["ours_instr_per_op"]
        r["ratio"] = o / s if s and o else None
        s, o = r["stock_wall_ns_per_op"], r["ours_wall_ns_per_op"]
        r["wall_ratio"] = o / s if s and o else None
        notes = [f"{k}: n/a ({unsupported[k][name]})" for k in KERNELS
                 if name in unsupported[k]]
        r["note"] = "; ".join(notes)
        table.append(r)

    fields = ["workload", "stock_instr_per_op", "ours_instr_per_op", "ratio",
              "stock_wall_ns_per_op", "stock_wall_spread_pct", "stock_wall_runs",
              "ours_wall_ns_per_op", "ours_wall_spread_pct", "ours_wall_runs",
              "wall_ratio", "note"]
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(fields)
        for r in table:
            w.writerow(["" if r[x] is None else
                        (f"{r[x]:.4g}" if isinstance(r[x], float) else r[x])
                        for x in fields])
    with open(os.path.join(outdir, "raw.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["mode", "kernel", "run", "workload", "ops", "ns", "status"])
        w.writerows(raw)

    def fmt_i(v):
        return "n/a" if v is None else sig3(v)

    def fmt_w(v, sp):
        if v is None:
            return "n/a"
        s = sig3(v)
        return s if sp is None else f"{s} ±{sp / 2:.1f}%"

    def fmt_r(v):
        return "" if v is None else f"{v:.2f}"

    runs = max([r["stock_wall_runs"] for r in table] + [0])
    md = []
    md.append("| workload | stock instr/op | ours instr/op | ours/stock "
              f"| stock wall ns/op | ours wall ns/op | ours/stock wall |")
    md.append("|---|---:|---:|---:|---:|---:|---:|")
    for r in table:
        md.append("| {} | {} | {} | {} | {} | {} | {} |".format(
            r["workload"], fmt_i(r["stock_instr_per_op"]),
            fmt_i(r["ours_instr_per_op"]), fmt_r(r["ratio"]),
            fmt_w(r["stock_wall_ns_per_op"], r["stock_wall_spread_pct"]),
            fmt_w(r["ours_wall_ns_per_op"], r["ours_wall_spread_pct"]),
            fmt_r(r["wall_ratio"])))
    md.append("")
    md.append("instr/op: guest instructions per operation under "
              "`-icount shift=0` (one boot per kernel, deterministic). "
              "Ratio < 1.00: ours is cheaper.")
    if runs:
        md.append(f"wall ns/op: median of {runs} interleaved boots per kernel "
                  "under multi-threaded TCG with 2 vCPUs, ± half the spread "
                  "((max - min) / median).")
    notes = [f"- {r['workload']}: {r['note']}" for r in table if r["note"]]
    if notes:
        md.append("")
        md.append("n/a: the kernel refused what the workload needs (detected at run time):")
        md.extend(notes)
    md.append("")
    md.append(f"Run took {elapsed // 60} min {elapsed % 60} s.")
    text = "\n".join(md) + "\n"
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write(text)
    print(text)
    if failures:
        print("HARNESS FAILURE:")
        for x in failures[:40]:
            print("  " + x)
        for x in messages[:40]:
            print("  " + x)
        sys.exit(1)


if __name__ == "__main__":
    main()
