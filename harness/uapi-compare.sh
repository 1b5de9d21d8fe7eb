#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# uapi-compare.sh - prove that our include/uapi/linux/io_uring.h is
# numerically ABI-identical to the stock Linux 6.12 header.
#
# Every name is taken from the STOCK header, so nothing we forget to write
# can slip through:
#   - object-like macros      value, sizeof, signedness, still a #define
#   - enumerators             value, sizeof, signedness, not a #define
#   - enum tags               sizeof, signedness of the underlying type
#   - struct/union tags       sizeof, alignof
#   - every member, including members of anonymous unions/structs and the
#     members of named nested aggregates (path a.b), reached through the
#     public name: offsetof, sizeof (not for [] / [0] arrays), alignof of the
#     member expression, and whether its type is compatible with the stock
#     declared type (__builtin_types_compatible_p, evaluated in both builds)
#   - function-like macros: none in 6.12; if any appear they are listed as
#     skipped (no generic value to compare) and only checked for presence.
#
# A C probe printing "label=value" (value as unsigned long long) is
# generated once from the stock names, built with gcc against a temp
# include dir holding the stock header as linux/io_uring.h, then against
# one holding ours (all other <linux/*.h> come from /usr/include), run,
# and the outputs are diffed.  The same probe is also compiled with -m32
# to assembly (no 32-bit libc needed) and its data table decoded, which
# catches __aligned_u64 vs __u64 style differences invisible on x86-64.
#
# The name sets are compared both ways: a name only in ours also fails.
#
# Finally both headers must compile silently with gcc -Wall -Wextra
# -std=gnu11, with the kernel's own uapi header test flags (-std=c90,
# included twice) and in a C++ translation unit (g++ -Wall -Wextra).
#
# Usage: uapi-compare.sh [-k] [-v] [STOCK_HEADER [OUR_HEADER]]
#   -k  keep the temp dir and print its path
#   -v  print the full probe output of the native build
# Exit status: 0 iff everything is identical and all compile checks pass.

set -euo pipefail

keep=0
verbose=0
while getopts kv opt; do
	case $opt in
	k) keep=1 ;;
	v) verbose=1 ;;
	*) echo "usage: $0 [-k] [-v] [stock.h [ours.h]]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
stock=${1:-$root/build/stock/include/uapi/linux/io_uring.h}
ours=${2:-$root/include/uapi/linux/io_uring.h}
CC=${CC:-gcc}
CXX=${CXX:-g++}

for f in "$stock" "$ours"; do
	[ -r "$f" ] || { echo "uapi compare: cannot read $f" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/uapi-compare.XXXXXX")
cleanup() {
	if [ "$keep" = 1 ]; then
		echo "uapi compare: temp dir kept at $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT

mkdir -p "$tmp/stock/linux" "$tmp/ours/linux"
cp "$stock" "$tmp/stock/linux/io_uring.h"
cp "$ours" "$tmp/ours/linux/io_uring.h"

fail=0
note() { echo "uapi compare: $*"; }
bad() { echo "uapi compare: FAIL: $*"; fail=1; }

# ---------------------------------------------------------------------------
# 1+2: extract names from both headers, generate the probe from stock names
# ---------------------------------------------------------------------------
CC="$CC" python3 - "$tmp" <<'PYEOF'
import os
import re
import subprocess
import sys

tmp = sys.argv[1]
CC = os.environ.get("CC", "gcc")


def strip_comments(text):
    out = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j) or " ")
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text[i] in "\"'":
            q = text[i]
            j = i + 1
            while j < n and text[j] != q:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def macros_of(path):
    """Object-like and function-like macros #defined by the file itself,
    plus identifiers it only tests (configuration knobs)."""
    text = strip_comments(open(path).read()).replace("\\\n", " ")
    obj, func, tested = {}, [], set()
    for line in text.splitlines():
        m = re.match(r"\s*#\s*define\s+([A-Za-z_]\w*)(\()?(.*)$", line)
        if m:
            if m.group(2):
                func.append(m.group(1))
            else:
                obj[m.group(1)] = m.group(3).strip()
            continue
        m = re.match(r"\s*#\s*(?:ifn?def|if|elif)\b(.*)$", line)
        if m:
            tested.update(re.findall(r"[A-Za-z_]\w*", m.group(1)))
    tested -= {"defined"}
    knobs = sorted(t for t in tested if t not in obj and t not in func)
    return obj, func, knobs


TOKRE = re.compile(r"[A-Za-z_]\w*|\d[\w.]*|\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|\S")


def own_tokens(incdir):
    """Preprocess <linux/io_uring.h> and keep only the tokens that came
    from that file (so __DECLARE_FLEX_ARRAY etc. arrive expanded)."""
    src = "#include <linux/io_uring.h>\n"
    cpp = subprocess.run([CC, "-E", "-std=gnu11", "-I", incdir, "-x", "c", "-"],
                         input=src, capture_output=True, text=True)
    if cpp.returncode:
        sys.stderr.write(cpp.stderr)
        sys.exit("uapi compare: preprocessing failed for " + incdir)
    target = os.path.join(incdir, "linux", "io_uring.h")
    keep, toks = False, []
    for line in cpp.stdout.splitlines():
        m = re.match(r'#\s*\d+\s+"([^"]*)"', line)
        if m:
            keep = os.path.normpath(m.group(1)) == os.path.normpath(target)
            continue
        if keep:
            toks.extend(TOKRE.findall(line))
    # drop attributes and __extension__; they do not name anything
    out, i = [], 0
    while i < len(toks):
        t = toks[i]
        if t in ("__attribute__", "__attribute") and i + 1 < len(toks) and toks[i + 1] == "(":
            depth, i = 0, i + 1
            while True:
                depth += {"(": 1, ")": -1}.get(toks[i], 0)
                i += 1
                if depth == 0:
                    break
            continue
        if t == "__extension__":
            i += 1
            continue
        out.append(t)
        i += 1
    return out


def isident(t):
    return re.match(r"[A-Za-z_]\w*$", t) is not None


class Parser:
    def __init__(self, toks):
        self.t = toks
        self.aggs = []      # (kind, tag, fields)
        self.enums = []     # (tag or None, [enumerators])
        self.skipped = []   # (label, reason)

    def split_decls(self, toks):
        decls, cur, depth = [], [], 0
        for t in toks:
            if t in "([{":
                depth += 1
            elif t in ")]}":
                depth -= 1
            if t == "," and depth == 0:
                decls.append(cur)
                cur = []
            else:
                cur.append(t)
        decls.append(cur)
        return decls

    def declarator(self, toks):
        """-> (name, stars, dims, bitfield)"""
        bitfield = ":" in toks
        if bitfield:
            toks = toks[:toks.index(":")]
        k = toks.index("[") if "[" in toks else len(toks)
        name = toks[k - 1]
        stars = toks[:k - 1].count("*")
        dims, cur = [], None
        for t in toks[k:]:
            if t == "[":
                cur = []
            elif t == "]":
                dims.append(" ".join(cur))
                cur = None
            elif cur is not None:
                cur.append(t)
        return name, stars, dims, bitfield

    def body(self, i):
        """Parse members from just after '{'; return (fields, index after '}').
        A field is (path, type-or-None, dims, bitfield)."""
        t, fields = self.t, []
        while t[i] != "}":
            if t[i] == ";":
                i += 1
                continue
            if t[i] in ("struct", "union") and (t[i + 1] == "{" or
                                              (isident(t[i + 1]) and t[i + 2] == "{")):
                kind, i = t[i], i + 1
                tag = None
                if t[i] != "{":
                    tag, i = t[i], i + 1
                sub, i = self.body(i + 1)
                if tag:
                    self.aggs.append((kind, tag, sub))
                if t[i] == ";":             # anonymous: members lift up
                    fields.extend(sub)
                    i += 1
                    continue
                j = t.index(";", i)
                for d in self.split_decls(t[i:j]):
                    name, stars, dims, bf = self.declarator(d)
                    typ = ("%s %s" % (kind, tag) + " *" * stars) if tag else None
                    fields.append((name, typ, dims, bf))
                    if not dims and not stars:
                        for (p, ty, dm, b) in sub:
                            fields.append((name + "." + p, ty, dm, b))
                i = j + 1
                continue
            j = i
            depth = 0
            while not (t[j] == ";" and depth == 0):
                depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(t[j], 0)
                j += 1
            decls = self.split_decls(t[i:j])
            first = decls[0]
            k = first.index("[") if "[" in first else len(first)
            if ":" in first:
                k = min(k, first.index(":"))
            base = [x for x in first[:k - 1] if x != "*"]
            for d in [first] + [x for x in decls[1:]]:
                name, stars, dims, bf = self.declarator(d)
                typ = " ".join(base) + " *" * stars
                fields.append((name, typ, dims, bf))
            i = j + 1
        return fields, i + 1

    def enum_body(self, i):
        t, names = self.t, []
        j = i
        depth = 0
        while not (t[j] == "}" and depth == 0):
            depth += {"(": 1, ")": -1}.get(t[j], 0)
            j += 1
        for part in self.split_decls(t[i:j]):
            if part:
                names.append(part[0])
        return names, j + 1

    def run(self):
        t, i, n = self.t, 0, len(self.t)
        while i < n:
            if t[i] in ("struct", "union") and i + 2 < n and isident(t[i + 1]) and t[i + 2] == "{":
                kind, tag = t[i], t[i + 1]
                fields, i = self.body(i + 3)
                self.aggs.append((kind, tag, fields))
                continue
            if t[i] == "enum":
                j, tag = i + 1, None
                if isident(t[j]):
                    tag, j = t[j], j + 1
                if t[j] == "{":
                    names, i = self.enum_body(j + 1)
                    self.enums.append((tag, names))
                    continue
            i += 1
        return self


def describe(incdir, path):
    obj, func, knobs = macros_of(path)
    p = Parser(own_tokens(incdir)).run()
    names = set()
    names |= {"macro " + m for m in obj}
    names |= {"macro " + m + "()" for m in func}
    for tag, ens in p.enums:
        if tag:
            names.add("enum " + tag)
        names |= {"enumerator " + e for e in ens}
    for kind, tag, fields in p.aggs:
        names.add("%s %s" % (kind, tag))
        names |= {"%s %s.%s" % (kind, tag, f[0]) for f in fields}
    return obj, func, knobs, p, names


s_obj, s_func, s_knobs, s_p, s_names = describe(os.path.join(tmp, "stock"),
                                                os.path.join(tmp, "stock/linux/io_uring.h"))
o_obj, o_func, o_knobs, o_p, o_names = describe(os.path.join(tmp, "ours"),
                                                os.path.join(tmp, "ours/linux/io_uring.h"))

with open(os.path.join(tmp, "names.diff"), "w") as fh:
    for n in sorted(s_names - o_names):
        fh.write("missing in ours: %s\n" % n)
    for n in sorted(o_names - s_names):
        fh.write("only in ours:    %s\n" % n)
    for k in s_knobs:
        if k not in o_knobs:
            fh.write("config knob not honoured by ours: %s\n" % k)
with open(os.path.join(tmp, "knobs"), "w") as fh:
    fh.write("".join(k + "\n" for k in s_knobs))

# Which valued macros are integer constant expressions?  One trial compile;
# anything gcc rejects is reported as skipped, not silently dropped.
valued = [m for m in s_obj if s_obj[m] != ""]
empty = [m for m in s_obj if s_obj[m] == ""]
trial = ["#include <linux/io_uring.h>"]
lineof = {}
for m in valued:
    lineof[len(trial) + 1] = m
    trial.append("unsigned long long __t_%s = (unsigned long long)(%s);" % (m, m))
r = subprocess.run([CC, "-std=gnu11", "-fsyntax-only", "-I", os.path.join(tmp, "stock"),
                    "-x", "c", "-"], input="\n".join(trial) + "\n",
                   capture_output=True, text=True)
nonint = set()
for ln in re.findall(r"^<stdin>:(\d+):\d+: error", r.stderr, re.M):
    if int(ln) in lineof:
        nonint.add(lineof[int(ln)])

labels, exprs = [], []


def add(label, expr):
    labels.append(label)
    exprs.append(expr)


def add_defined(label, name):
    labels.append(label)
    exprs.append("\n#ifdef %s\n\t1ULL\n#else\n\t0ULL\n#endif\n\t" % name)


n_const = 0
skipped = []
for m in s_obj:
    if m in empty:
        add_defined("const %s:defined" % m, m)
        n_const += 1
        continue
    if m in nonint:
        skipped.append("macro %s: not an integer constant expression" % m)
        add_defined("const %s:defined" % m, m)
        continue
    n_const += 1
    add("const %s" % m, "(unsigned long long)(%s)" % m)
    add("const %s:sizeof" % m, "sizeof(%s)" % m)
    add("const %s:signed" % m, "((__typeof__(%s))-1 < (__typeof__(%s))0)" % (m, m))
    add_defined("const %s:macro" % m, m)
for m in s_func:
    skipped.append("macro %s(): function-like, no generic value; presence only" % m)
    add_defined("const %s():macro" % m, m)

n_enum_tags = 0
for tag, ens in s_p.enums:
    if tag:
        n_enum_tags += 1
        add("enum %s:sizeof" % tag, "sizeof(enum %s)" % tag)
        add("enum %s:signed" % tag, "((enum %s)-1 < (enum %s)0)" % (tag, tag))
    for e in ens:
        n_const += 1
        add("const %s" % e, "(unsigned long long)(%s)" % e)
        add("const %s:sizeof" % e, "sizeof(%s)" % e)
        add("const %s:signed" % e, "((__typeof__(%s))-1 < (__typeof__(%s))0)" % (e, e))
        add_defined("const %s:macro" % e, e)

n_struct = n_field = 0
typechecks = []
for kind, tag, fields in s_p.aggs:
    T = "%s %s" % (kind, tag)
    n_struct += 1
    add(T + ":sizeof", "sizeof(%s)" % T)
    add(T + ":alignof", "__alignof__(%s)" % T)
    for path, typ, dims, bf in fields:
        L = "%s.%s" % (T, path)
        mem = "((%s *)0)->%s" % (T, path)
        n_field += 1
        if bf:
            skipped.append("%s: bit-field, offsetof impossible; sizeof skipped" % L)
            continue
        flex = bool(dims) and dims[0] in ("", "0")
        add(L + ":offsetof", "__builtin_offsetof(%s, %s)" % (T, path))
        if not flex:
            add(L + ":sizeof", "sizeof(%s)" % mem)
        add(L + ":alignof", "__alignof__(%s%s)" % (mem, "[0]" if flex else ""))
        if typ is not None:
            full = typ + "".join("[%s]" % d for d in dims)
            add(L + ":stocktype", "__builtin_types_compatible_p(__typeof__(%s), %s)"
                % (mem, full))
            typechecks.append(L + ":stocktype")

with open(os.path.join(tmp, "probe.c"), "w") as fh:
    fh.write("/* generated by harness/uapi-compare.sh from the stock header */\n")
    fh.write("#include <linux/io_uring.h>\n\n")
    fh.write("const unsigned long long uapi_vals[] = {\n")
    for e in exprs:
        fh.write("\t%s,\n" % e)
    fh.write("};\n\n#ifndef PROBE_NO_MAIN\n#include <stdio.h>\n\n")
    fh.write("static const char *const uapi_names[] = {\n")
    for l in labels:
        fh.write('\t"%s",\n' % l)
    fh.write("};\n\nint main(void)\n{\n\tunsigned int i;\n\n")
    fh.write("\tfor (i = 0; i < sizeof(uapi_vals) / sizeof(uapi_vals[0]); i++)\n")
    fh.write('\t\tprintf("%s=%llu\\n", uapi_names[i], uapi_vals[i]);\n')
    fh.write("\treturn 0;\n}\n#endif\n")

with open(os.path.join(tmp, "labels"), "w") as fh:
    fh.write("".join(l + "\n" for l in labels))
with open(os.path.join(tmp, "typechecks"), "w") as fh:
    fh.write("".join(l + "\n" for l in typechecks))
with open(os.path.join(tmp, "skipped"), "w") as fh:
    fh.write("".join(s + "\n" for s in skipped))
with open(os.path.join(tmp, "counts"), "w") as fh:
    fh.write("%d %d %d %d %d %d\n" % (n_const, n_struct, n_field, n_enum_tags,
                                      len(s_func), len(labels)))
PYEOF

read -r n_const n_struct n_field n_enum_tags n_func n_labels < "$tmp/counts"

if [ -s "$tmp/names.diff" ]; then
	bad "name sets differ:"
	sed 's/^/    /' "$tmp/names.diff"
fi
if [ -s "$tmp/skipped" ]; then
	note "skipped (listed, not silently dropped):"
	sed 's/^/    /' "$tmp/skipped"
fi
[ "$n_func" = 0 ] && note "function-like macros in stock: none"
note "probe: $n_labels checks (incl. $n_enum_tags tagged enum types)"

# ---------------------------------------------------------------------------
# 3: build and run the probe against each header, diff
# ---------------------------------------------------------------------------
build_run() {	# $1 = stock|ours
	if ! "$CC" -std=gnu11 -O0 -w -I "$tmp/$1" "$tmp/probe.c" -o "$tmp/probe-$1" \
		2> "$tmp/probe-$1.err"; then
		bad "probe does not compile against $1 header:"
		head -40 "$tmp/probe-$1.err" | sed 's/^/    /'
		return 1
	fi
	"$tmp/probe-$1" > "$tmp/out-$1"
}

native_ok=1
build_run stock || native_ok=0
build_run ours || native_ok=0
if [ "$native_ok" = 1 ]; then
	[ "$verbose" = 1 ] && cat "$tmp/out-stock"
	# sanity of the generator itself: every stock member has its stock type
	if grep -q ':stocktype=0$' "$tmp/out-stock"; then
		bad "generator bug: stock fields not matching their own type:"
		grep ':stocktype=0$' "$tmp/out-stock" | sed 's/^/    /'
	fi
	if [ "$(wc -l < "$tmp/out-stock")" != "$n_labels" ]; then
		bad "probe printed $(wc -l < "$tmp/out-stock") lines, expected $n_labels"
	fi
	if ! diff -u "$tmp/out-stock" "$tmp/out-ours" > "$tmp/native.diff"; then
		bad "native (x86-64) probe output differs (- stock, + ours):"
		grep '^[-+][^-+]' "$tmp/native.diff" | head -80 | sed 's/^/    /'
	fi
fi

# Decode the probe's data table from -m32 assembly (no 32-bit libc needed).
decode_asm() {	# $1 = .s file, $2 = labels file
	python3 - "$1" "$2" <<'PYEOF'
import re
import struct
import sys

asm = open(sys.argv[1]).read().splitlines()
labels = open(sys.argv[2]).read().splitlines()
size = {".byte": 1, ".value": 2, ".short": 2, ".2byte": 2, ".long": 4,
        ".4byte": 4, ".int": 4, ".quad": 8, ".8byte": 8}
data, inside = bytearray(), False
for line in asm:
    s = line.strip()
    if re.match(r"uapi_vals:$", s):
        inside = True
        continue
    if not inside:
        continue
    m = re.match(r"(\.\w+)\s+(.*)$", s)
    if not m or (m.group(1) not in size and m.group(1) not in (".zero", ".skip")):
        if data:
            break
        continue
    d, arg = m.group(1), m.group(2)
    if d in (".zero", ".skip"):
        data += bytes(int(arg, 0))
        continue
    for v in arg.split(","):
        n = size[d]
        data += (int(v.strip(), 0) & ((1 << (8 * n)) - 1)).to_bytes(n, "little")
if len(data) != 8 * len(labels):
    sys.exit("uapi compare: could not decode -m32 table (%d bytes for %d labels)"
             % (len(data), len(labels)))
for i, l in enumerate(labels):
    print("%s=%d" % (l, struct.unpack_from("<Q", data, 8 * i)[0]))
PYEOF
}

m32_inc=""
multiarch=$("$CC" -print-multiarch 2>/dev/null || true)
[ -n "$multiarch" ] && [ -d "/usr/include/$multiarch" ] && m32_inc="-idirafter /usr/include/$multiarch"
m32_ok=1
for h in stock ours; do
	# shellcheck disable=SC2086
	if ! "$CC" -m32 -std=gnu11 -O0 -w -S -DPROBE_NO_MAIN -I "$tmp/$h" $m32_inc \
		"$tmp/probe.c" -o "$tmp/probe32-$h.s" 2> "$tmp/probe32-$h.err"; then
		if [ "$h" = stock ]; then
			m32_ok=0	# toolchain problem, not a header problem
		else
			m32_ok=2
			bad "-m32 probe does not compile against ours header"
		fi
		break
	fi
	if ! decode_asm "$tmp/probe32-$h.s" "$tmp/labels" > "$tmp/out32-$h"; then
		m32_ok=2
		bad "-m32 data table of the $h probe could not be decoded"
		break
	fi
done
if [ "$m32_ok" = 1 ]; then
	if ! diff -u "$tmp/out32-stock" "$tmp/out32-ours" > "$tmp/m32.diff"; then
		bad "-m32 (i386) probe output differs (- stock, + ours):"
		grep '^[-+][^-+]' "$tmp/m32.diff" | head -80 | sed 's/^/    /'
	else
		note "i386 (-m32) layout: identical"
	fi
elif [ "$m32_ok" = 0 ]; then
	note "i386 (-m32) pass skipped: compiler cannot build the stock probe with -m32:"
	head -5 "$tmp/probe32-stock.err" | sed 's/^/    /'
fi

# The stock header honours "skip <linux/time_types.h>" knobs; so must ours.
if grep -qx UAPI_LINUX_IO_URING_H_SKIP_LINUX_TIME_TYPES_H "$tmp/knobs"; then
	for h in stock ours; do
		printf '%s\n' 'struct __kernel_timespec { long long tv_sec; long long tv_nsec; };' \
			'#include <linux/io_uring.h>' |
		"$CC" -std=gnu11 -fsyntax-only -DUAPI_LINUX_IO_URING_H_SKIP_LINUX_TIME_TYPES_H \
			-I "$tmp/$h" -x c - 2> "$tmp/knob-$h.err" && echo ok > "$tmp/knob-$h" ||
			echo fail > "$tmp/knob-$h"
	done
	if ! cmp -s "$tmp/knob-stock" "$tmp/knob-ours"; then
		bad "SKIP_LINUX_TIME_TYPES_H knob behaves differently:"
		sed 's/^/    /' "$tmp/knob-ours.err"
	fi
fi

# ---------------------------------------------------------------------------
# Compile hygiene: C (gnu11 -Wall -Wextra), kernel uapi hdrtest, C++
# ---------------------------------------------------------------------------
hygiene() {	# $1 = name, then the command (reads a TU from stdin)
	local name=$1
	shift
	local h out_s out_o rc_s rc_o
	for h in stock ours; do
		if printf '#include <linux/io_uring.h>\n' |
			"$@" -I "$tmp/$h" > "$tmp/hyg-$h.out" 2>&1; then
			echo 0 > "$tmp/hyg-$h.rc"
		else
			echo 1 > "$tmp/hyg-$h.rc"
		fi
	done
	rc_s=$(cat "$tmp/hyg-stock.rc")
	rc_o=$(cat "$tmp/hyg-ours.rc")
	out_s=$(wc -l < "$tmp/hyg-stock.out")
	out_o=$(wc -l < "$tmp/hyg-ours.out")
	if [ "$rc_o" = 0 ] && [ "$out_o" = 0 ]; then
		note "$name: ours clean (stock: rc=$rc_s, $out_s diagnostic lines)"
	else
		bad "$name: ours rc=$rc_o with diagnostics (stock: rc=$rc_s, $out_s lines):"
		head -30 "$tmp/hyg-ours.out" | sed 's/^/    /'
	fi
}

hygiene "gcc -std=gnu11 -Wall -Wextra" \
	"$CC" -std=gnu11 -Wall -Wextra -fsyntax-only -x c -
# Mirrors usr/include/Makefile's hdrtest: c90, included twice (guard check).
# shellcheck disable=SC2016	# $0/$@ are for the inner sh
hygiene "uapi hdrtest (-std=c90, double include)" \
	sh -c '"$0" -std=c90 -Wall -Werror=implicit-function-declaration -fsyntax-only \
		-x c /dev/null -include linux/io_uring.h -include linux/io_uring.h "$@" </dev/null' "$CC"
if command -v "$CXX" > /dev/null 2>&1; then
	hygiene "g++ -Wall -Wextra (C++)" \
		"$CXX" -Wall -Wextra -fsyntax-only -x c++ -
	hygiene "g++ -std=c++11 -Wall -Wextra (C++)" \
		"$CXX" -std=c++11 -Wall -Wextra -fsyntax-only -x c++ -
else
	note "C++ check skipped: $CXX not found"
fi

if [ "$fail" != 0 ]; then
	echo "uapi compare: $n_const constants, $n_struct structs, $n_field fields: DIFFERENT"
	exit 1
fi
echo "uapi compare: $n_const constants, $n_struct structs, $n_field fields: identical"
