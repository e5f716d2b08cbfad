package python

import (
	"bytes"
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/parbench/parbench/strategies"
)

// The article's job is sum([(job)^i for i in range(500000)]): a list
// built, then summed, which costs about three times what the same sum over
// a generator does. These tests pin that form, so that a faster kernel
// cannot slip in unnoticed.

// pythonCode is the code of the top-level function name in src: from its
// def line to the next line that is not indented, without its docstring
// and comments.
func pythonCode(t *testing.T, src, name string) string {
	t.Helper()
	start := strings.Index(src, "\ndef "+name+"(")
	if start < 0 {
		t.Fatalf("the program has no top-level function %s", name)
	}
	fn := src[start+1:]
	if end := regexp.MustCompile(`\n[^\s#]`).FindStringIndex(fn); end != nil {
		fn = fn[:end[0]+1]
	}
	fn = regexp.MustCompile(`(?s)^(def [^\n]*\n)\s*""".*?"""\n`).ReplaceAllString(fn, "$1")
	return regexp.MustCompile(`(?m)^\s*#.*\n`).ReplaceAllString(fn, "")
}

// TestKernelSource reads the kernel as embedded: a list comprehension
// inside sum() over a range chunk bounded by KERNEL_CHUNK, which is a
// million, and no other sum.
func TestKernelSource(t *testing.T) {
	fn := pythonCode(t, pythonProgram, "xorsum")
	tests := []struct {
		name string
		re   string
		in   string
		want int // matches
	}{
		{"the chunk bound is a million", `(?m)^KERNEL_CHUNK = 1_000_000$`, pythonProgram, 1},
		{"chunks of KERNEL_CHUNK", `(?m)^\s+for lo in range\(0, n, KERNEL_CHUNK\):$`, fn, 1},
		{"sum of a list comprehension over one chunk",
			`(?m)^\s+s \+= sum\(\[job \^ i for i in range\(lo, min\(lo \+ KERNEL_CHUNK, n\)\)\]\)$`, fn, 1},
		{"one sum", `\bsum\(`, fn, 1},
		{"no generator inside sum", `\bsum\(\s*[^\[\s]`, fn, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := len(regexp.MustCompile(tt.re).FindAllString(tt.in, -1)); got != tt.want {
				t.Errorf("%d matches of %s, want %d, in:\n%s", got, tt.re, tt.want, fn)
			}
		})
	}
}

// kernelCheck loads the program (stdin) as a module and reports what the
// interpreter makes of xorsum, one "key: value" line each: the parse tree
// of its sum's argument, the byte code (a list appended to, and no
// generator), and, with KERNEL_CHUNK set to 1000 and sum watched, the type
// and length of what sum is given for n = 2500, and whether the result is
// the plain sum's.
const kernelCheck = `
import ast, dis, inspect, sys
src = sys.stdin.read()
fn = next(n for n in ast.parse(src).body if isinstance(n, ast.FunctionDef) and n.name == "xorsum")
sums = [n for n in ast.walk(fn) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "sum"]
print("sum calls:", len(sums))
arg = sums[0].args[0] if sums and sums[0].args else None
print("sum argument:", type(arg).__name__)
if isinstance(arg, ast.ListComp):
    e = arg.elt
    xor = isinstance(e, ast.BinOp) and isinstance(e.op, ast.BitXor)
    print("element:", "%s ^ %s" % (e.left.id, e.right.id) if xor else ast.dump(e))
    g = arg.generators
    print("over:", "%s in %s()" % (g[0].target.id, g[0].iter.func.id) if len(g) == 1 else len(g))
print("generator expressions:", sum(isinstance(n, ast.GeneratorExp) for n in ast.walk(fn)))
ns = {"__name__": "parbench_kernel_check"}
exec(compile(src, "parbench_python.py", "exec"), ns)
codes, ops = [ns["xorsum"].__code__], set()
generators = 0
while codes:
    c = codes.pop()
    ops.update(i.opname for i in dis.get_instructions(c))
    generators += bool(c.co_flags & inspect.CO_GENERATOR)
    codes.extend(k for k in c.co_consts if inspect.iscode(k))
print("builds a list:", "LIST_APPEND" in ops)
print("generator code:", generators)
print("chunk:", ns["KERNEL_CHUNK"])
seen, plain = [], sum
def watched(x):
    seen.append("%s %s" % (type(x).__name__, len(x) if hasattr(x, "__len__") else "?"))
    return plain(x)
ns["sum"], ns["KERNEL_CHUNK"] = watched, 1000
got = ns["xorsum"](5, 2500)
print("sum given:", ", ".join(seen))
print("right sum:", got == ns["wrap64"](plain(5 ^ i for i in range(2500))))
`

// TestKernelCompiled asks the interpreter itself: xorsum, parsed and
// compiled by it, sums a list comprehension of job ^ i over a range and
// builds a list; run with a chunk of 1000, it hands sum lists of at most
// 1000 elements and gets the plain sum.
func TestKernelCompiled(t *testing.T) {
	needPython(t)
	in, err := findInterpreter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(in.path, "-I", "-c", kernelCheck)
	cmd.Stdin = strings.NewReader(pythonProgram)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", in.path, err, stderr.Bytes())
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		k, v, _ := strings.Cut(line, ": ")
		got[k] = v
	}
	want := []struct{ key, value string }{
		{"sum calls", "1"},
		{"sum argument", "ListComp"},
		{"element", "job ^ i"},
		{"over", "i in range()"},
		{"generator expressions", "0"},
		{"builds a list", "True"},
		{"generator code", "0"},
		{"chunk", "1000000"},
		{"sum given", "list 1000, list 1000, list 500"},
		{"right sum", "True"},
	}
	for _, w := range want {
		if got[w.key] != w.value {
			t.Errorf("%s: %q, want %q (%s %s)", w.key, got[w.key], w.value, in.implementation, in.version)
		}
	}
}

// TestKernelChunks runs jobs whose n crosses the chunk bound through the
// real program: the chunked sums add up to the closed form.
func TestKernelChunks(t *testing.T) {
	needPython(t)
	w := strategies.Workload{Jobs: 2, N: 1_000_003}
	p := &strategy{mode: "mp"}
	results, err := p.Run(context.Background(), w, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := strategies.Verify(w, results); err != nil {
		t.Fatal(err)
	}
}
