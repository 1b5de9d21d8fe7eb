# gdb script for iprof.sh: break on a function, single-step one call of it,
# and count instructions per function (by the symbol each pc falls in).
import bisect
import collections
import os

import gdb

port = os.environ["IPROF_PORT"]
func = os.environ["IPROF_FUNC"]
skip = int(os.environ["IPROF_SKIP"])
top = int(os.environ["IPROF_TOP"])

gdb.execute("set pagination off")
gdb.execute("set confirm off")
for _ in range(100):
    try:
        gdb.execute("target remote :%s" % port, to_string=True)
        break
    except gdb.error:
        import time
        time.sleep(0.5)
gdb.execute("hbreak %s" % func, to_string=True)
if skip:
    gdb.execute("ignore 1 %d" % skip, to_string=True)
gdb.execute("continue", to_string=True)
gdb.execute("delete", to_string=True)


def reg(name):
    return int(gdb.parse_and_eval("(unsigned long)$%s" % name))


ret = int(gdb.parse_and_eval("*(unsigned long *)$rsp"))
sp0 = reg("rsp")
# IPROF_CYCLE=1: count from this call to the next one, user space included
cycle = os.environ.get("IPROF_CYCLE") == "1"
start_pc = reg("pc")
pcs = collections.Counter()
steps = 0
# IPROF_CALLERS: a function whose callers (return addresses) to count
callee = os.environ.get("IPROF_CALLERS")
callee_pc = None
if callee:
    callee_pc = int(gdb.parse_and_eval("(unsigned long)&%s" % callee))
callers = collections.Counter()
while True:
    pc = reg("pc")
    if cycle:
        if pc == start_pc and steps:
            break
    elif pc == ret and reg("rsp") > sp0:
        break
    if pc == callee_pc:
        callers[int(gdb.parse_and_eval("*(unsigned long *)$rsp"))] += 1
    pcs[pc] += 1
    steps += 1
    gdb.execute("stepi", to_string=True)
for addr, n in callers.most_common(10):
    where = gdb.execute("info symbol 0x%x" % addr, to_string=True).strip()
    print("IPROF caller of %s: %d x %s" % (callee, n, where))

# pc -> function, from the symbol table
syms = []
for line in gdb.execute("maint print msymbols", to_string=True).splitlines():
    parts = line.split()
    if len(parts) >= 3 and parts[1] in ("T", "t", "W", "w"):
        try:
            syms.append((int(parts[2], 16), parts[3] if len(parts) > 3 else "?"))
        except ValueError:
            pass
syms.sort()
addrs = [a for a, _ in syms]
per_func = collections.Counter()
for pc, n in pcs.items():
    i = bisect.bisect_right(addrs, pc) - 1
    if pc < 1 << 63:
        per_func["(user space)"] += n
        continue
    per_func[syms[i][1] if i >= 0 else hex(pc)] += n
print("IPROF %s: %d instructions in one %s" %
      (func, steps, "cycle" if cycle else "call"))
for name, n in per_func.most_common(top):
    print("%7d  %s" % (n, name))
detail = os.environ.get("IPROF_DETAIL")
if detail:
    # every instruction of one function, with how often it ran
    print("IPROF detail of %s:" % detail)
    for pc in sorted(pcs):
        i = bisect.bisect_right(addrs, pc) - 1
        if i >= 0 and syms[i][1] == detail:
            insn = gdb.execute("x/i 0x%x" % pc, to_string=True).strip()
            print("%5d  %s" % (pcs[pc], insn.split(":", 1)[-1].strip()))
gdb.execute("kill", to_string=True)
