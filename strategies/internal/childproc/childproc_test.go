package childproc

import "testing"

func TestHeadBuffer(t *testing.T) {
	tests := []struct {
		name   string
		limit  int
		writes []string
		want   string
	}{
		{"under the limit", 10, []string{"pan", "ic"}, "panic"},
		{"at the limit", 5, []string{"panic"}, "panic"},
		{"past the limit in one write", 5, []string{"panic: boom"}, "panic... (6 more bytes)"},
		{"past the limit over writes", 4, []string{"ab", "cd", "ef", "g"}, "abcd... (3 more bytes)"},
		{"no room at all", 0, []string{"x"}, "... (1 more bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &HeadBuffer{Limit: tt.limit}
			for _, w := range tt.writes {
				if n, err := h.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v; want %d, nil", w, n, err, len(w))
				}
			}
			if got := h.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}
