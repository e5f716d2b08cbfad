package runfiles

import "strings"

// Slug makes a label (a machine's, a workload's) usable in a file name and
// an HTML id: runs of anything but letters, digits, dots and dashes become
// one underscore, and none is left at either end. It may be "".
func Slug(label string) string {
	var b strings.Builder
	under := false
	for _, r := range label {
		ok := r == '.' || r == '-' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z')
		switch {
		case ok:
			b.WriteRune(r)
			under = false
		case !under:
			b.WriteByte('_')
			under = true
		}
	}
	return strings.Trim(b.String(), "_")
}
