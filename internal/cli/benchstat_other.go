//go:build !unix

package cli

import (
	"context"
	"os/exec"
)

// limitedCommand runs name with args; elsewhere than unix no memory limit
// is set, and a cancelled ctx kills the process alone.
func limitedCommand(ctx context.Context, _ int64, name string, args []string) *exec.Cmd {
	return exec.CommandContext(ctx, name, args...)
}

func killProcessGroup(int) error { return nil }
