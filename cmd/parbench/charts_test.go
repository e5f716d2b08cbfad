package main

import "testing"

func TestFileSlug(t *testing.T) {
	tests := []struct{ label, want string }{
		{"vm", "vm"},
		{"vm [20261125T163730Z-vm]", "vm_20261125T163730Z-vm"},
		{"host a/b c", "host_a_b_c"},
		{"  ", ""},
	}
	for _, tt := range tests {
		if got := fileSlug(tt.label); got != tt.want {
			t.Errorf("fileSlug(%q) = %q, want %q", tt.label, got, tt.want)
		}
	}
}
