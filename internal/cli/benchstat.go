package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parbench/parbench/report"
	"github.com/parbench/parbench/runfiles"
)

// benchstat's bounds. It reads only lines the report accepted (see
// report.WriteBenchstatInputs), so on sound input it needs a fraction of
// these; they are there so that no input can make it take the machine.
var (
	// benchstatTimeout bounds each benchstat invocation.
	benchstatTimeout = time.Minute
	// benchstatMemory bounds benchstat's address space, in bytes, where
	// the system can (a ulimit set by the shell that execs it).
	benchstatMemory int64 = 4 << 30
)

// benchstatWaitDelay is how long benchstat's output pipes may stay open
// after it has exited or been killed (a grandchild holding them) before
// they are closed and its process group is killed.
const benchstatWaitDelay = 500 * time.Millisecond

// runBenchstat runs the command once per view and returns the outputs,
// each under a heading with the exact command, or nil for no views. A
// view whose benchstat printed nothing (go tool benchstat exits 0 when its
// child is killed) is left out with a warning. The error is for a
// benchstat that failed, timed out, was killed, or for ctx's end; every
// process it started is gone when it returns.
func runBenchstat(ctx context.Context, command []string, views []report.BenchstatView) (text []byte, warnings []string, err error) {
	if len(views) == 0 {
		return nil, nil, nil
	}
	var out bytes.Buffer
	for _, v := range views {
		args := append(command[1:len(command):len(command)], v.Args...)
		stdout, err := runBenchstatOnce(ctx, command[0], args)
		if err != nil {
			return nil, warnings, fmt.Errorf("%s: %w", strings.Join(command, " "), err)
		}
		if len(bytes.TrimSpace(stdout)) == 0 {
			warnings = append(warnings, fmt.Sprintf("%s printed nothing for %q (killed, or out of its %d MiB memory limit?): left out of %s",
				strings.Join(command, " "), v.Title, benchstatMemory>>20, runfiles.BenchstatText))
			continue
		}
		if out.Len() > 0 {
			out.WriteString("\n")
		}
		fmt.Fprintf(&out, "# %s\n# %s\n\n", v.Title, shellQuote(append(command[:len(command):len(command)], v.Args...)))
		out.Write(stdout)
	}
	if out.Len() == 0 {
		return nil, warnings, nil
	}
	return out.Bytes(), warnings, nil
}

// runBenchstatOnce runs one benchstat in a process group of its own under
// the time and memory bounds, and kills the group when it ends, times out
// or ctx is done.
func runBenchstatOnce(ctx context.Context, name string, args []string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, benchstatTimeout)
	defer cancel()
	cmd := limitedCommand(ctx, benchstatMemory, name, args)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = benchstatWaitDelay
	err := cmd.Run()
	if cmd.Process != nil {
		// What it left behind goes with it.
		_ = killProcessGroup(cmd.Process.Pid)
	}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, fmt.Errorf("still running after %v: killed", benchstatTimeout)
	case ctx.Err() != nil:
		return nil, fmt.Errorf("interrupted: %w", context.Cause(ctx))
	case err != nil:
		if msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n"); msg != "" {
			err = fmt.Errorf("%w: %s", err, msg)
		}
		return nil, err
	}
	return stdout.Bytes(), nil
}
