package runfiles

import "testing"

func TestSlug(t *testing.T) {
	tests := []struct{ label, want string }{
		{"vm", "vm"},
		{"vm [20261125T163730Z-vm]", "vm_20261125T163730Z-vm"},
		{"host a/b c", "host_a_b_c"},
		{"jobs=128 n=500000", "jobs_128_n_500000"},
		{"<script>", "script"},
		{"  ", ""},
	}
	for _, tt := range tests {
		if got := Slug(tt.label); got != tt.want {
			t.Errorf("Slug(%q) = %q, want %q", tt.label, got, tt.want)
		}
	}
}
