package testmain

import (
	"context"
	"errors"
	"io"
	"testing"
)

func TestServe(t *testing.T) {
	tests := []struct {
		name       string
		active     bool
		err        error
		wantStatus int
		wantServed bool
	}{
		{"not started in the role", false, nil, 0, false},
		{"served", true, nil, 0, true},
		{"served with an error", true, errors.New("broken pipe"), 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			role := Serve(func() bool { return tt.active }, func(context.Context, io.Reader, io.Writer) error {
				called = true
				return tt.err
			})
			status, served := role()
			if status != tt.wantStatus || served != tt.wantServed || called != tt.active {
				t.Errorf("got status %d, served %v, serve called %v; want %d, %v, %v",
					status, served, called, tt.wantStatus, tt.wantServed, tt.active)
			}
		})
	}
}
