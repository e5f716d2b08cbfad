package python

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/parbench/parbench/strategies/internal/childproc"
)

// The oldest Python the program is written for.
const minPythonMajor, minPythonMinor = 3, 8

// identityQuery makes an interpreter say what it is, in the form
// parseIdentity reads: its implementation, as the platform module names it,
// and its version.
const identityQuery = `import platform, sys; print(platform.python_implementation(), "%d.%d.%d" % sys.version_info[:3])`

// interpreter is a Python interpreter found and checked.
type interpreter struct {
	path           string
	implementation string // "CPython", "PyPy"
	version        string // "3.11.7"
}

// findInterpreter resolves the interpreter (Env, else python3 on PATH),
// asks it what it is and checks its version. The error is one line saying
// what is missing.
func findInterpreter(ctx context.Context) (interpreter, error) {
	if !childproc.Supported {
		return interpreter{}, fmt.Errorf("the python strategies are not supported on %s", runtime.GOOS)
	}
	name, from := os.Getenv(Env), Env
	if name == "" {
		name, from = "python3", "PATH"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		if from == "PATH" {
			return interpreter{}, fmt.Errorf("python3 not found on PATH (set %s to an interpreter)", Env)
		}
		return interpreter{}, fmt.Errorf("%s=%s: no such interpreter", Env, name)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-I", "-c", identityQuery)
	out := &childproc.HeadBuffer{Limit: 128}
	cmd.Stdout = out
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return interpreter{}, ctx.Err()
		}
		return interpreter{}, fmt.Errorf("%s: asking what it is: %v", path, err)
	}
	answer := strings.TrimSpace(out.String())
	impl, version, major, minor, ok := parseIdentity(answer)
	if !ok {
		return interpreter{}, fmt.Errorf("%s: answered %q, want Python's implementation and major.minor.micro", path, answer)
	}
	if major != minPythonMajor || minor < minPythonMinor {
		return interpreter{}, fmt.Errorf("%s is %s %s; the python strategies need %d.%d or newer", path, impl, version, minPythonMajor, minPythonMinor)
	}
	return interpreter{path: path, implementation: impl, version: version}, nil
}

// parseIdentity reads the answer to identityQuery, "CPython 3.11.7": an
// implementation name (a letter, then letters and digits, at most 32) and a
// version of three decimal numbers, each spelt one way.
func parseIdentity(s string) (impl, version string, major, minor int, ok bool) {
	impl, version, found := strings.Cut(s, " ")
	if !found || !isName(impl) {
		return "", "", 0, 0, false
	}
	major, minor, ok = parsePythonVersion(version)
	if !ok {
		return "", "", 0, 0, false
	}
	return impl, version, major, minor, true
}

func isName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i, c := range s {
		letter := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// parsePythonVersion reads "3.11.7".
func parsePythonVersion(s string) (major, minor int, ok bool) {
	f := strings.Split(s, ".")
	if len(f) != 3 {
		return 0, 0, false
	}
	v := make([]int, 3)
	for i, x := range f {
		n, err := strconv.Atoi(x)
		if err != nil || n < 0 || strconv.Itoa(n) != x {
			return 0, 0, false
		}
		v[i] = n
	}
	return v[0], v[1], true
}
