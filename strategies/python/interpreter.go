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
)

// The oldest Python the program is written for.
const minPythonMajor, minPythonMinor = 3, 8

// findPython resolves the interpreter (Env, else python3 on PATH)
// and checks its version. The error is one line saying what is missing.
func findPython(ctx context.Context) (string, error) {
	if !supported {
		return "", fmt.Errorf("the python strategies are not supported on %s", runtime.GOOS)
	}
	name, from := os.Getenv(Env), Env
	if name == "" {
		name, from = "python3", "PATH"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		if from == "PATH" {
			return "", fmt.Errorf("python3 not found on PATH (set %s to an interpreter)", Env)
		}
		return "", fmt.Errorf("%s=%s: no such interpreter", Env, name)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-I", "-c", `import sys; print("%d.%d.%d" % sys.version_info[:3])`)
	out := &headBuffer{limit: 64}
	cmd.Stdout = out
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("%s: asking its version: %v", path, err)
	}
	version := strings.TrimSpace(out.String())
	major, minor, ok := parsePythonVersion(version)
	if !ok {
		return "", fmt.Errorf("%s: version %q is not Python's major.minor.micro", path, version)
	}
	if major != minPythonMajor || minor < minPythonMinor {
		return "", fmt.Errorf("%s is Python %s; the python strategies need %d.%d or newer", path, version, minPythonMajor, minPythonMinor)
	}
	return path, nil
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
