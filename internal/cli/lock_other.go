//go:build !unix

package cli

import "os"

// processAlive reports whether process pid exists, as far as
// os.FindProcess can tell.
func processAlive(pid int) bool {
	_, err := os.FindProcess(pid)
	return err == nil
}
