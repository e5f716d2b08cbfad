//go:build !unix

package python

import "errors"

const supported = false

func rawMonotonic() (int64, error) {
	return 0, errors.New("no machine-wide monotonic clock on this platform")
}
