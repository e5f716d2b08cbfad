//go:build unix

package cli

import (
	"context"
	"os/exec"
	"strconv"
	"syscall"
)

// limitedCommand runs name with args through sh, which lowers its
// address-space limit to memory bytes and execs it: the limit then holds
// for it and every process it starts (go tool benchstat runs benchstat as
// a child). The process leads a group of its own, which a cancelled ctx
// kills whole.
func limitedCommand(ctx context.Context, memory int64, name string, args []string) *exec.Cmd {
	script := `ulimit -v ` + strconv.FormatInt(memory>>10, 10) + ` || exit 125; exec "$@"`
	cmd := exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", script, "sh", name}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killProcessGroup(cmd.Process.Pid) }
	return cmd
}

// killProcessGroup kills the group led by pid; a group already gone is
// not an error.
func killProcessGroup(pid int) error {
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil && err != syscall.ESRCH {
		return err
	}
	return nil
}
