package longtest

import "testing"

func TestSkipFollowsTheEnvironment(t *testing.T) {
	tests := []struct {
		value   string
		skipped bool
	}{
		{"", true},
		{"1", false},
	}
	for _, tt := range tests {
		t.Run("PARBENCH_TEST_ALL="+tt.value, func(t *testing.T) {
			t.Setenv(Env, tt.value)
			ran := false
			t.Run("inner", func(t *testing.T) {
				Skip(t, "a test of Skip")
				ran = true
			})
			if ran == tt.skipped {
				t.Errorf("ran %v, want skipped %v", ran, tt.skipped)
			}
		})
	}
}
