package strategies

import (
	"runtime"
	"testing"
	"time"
)

func TestRegistry(t *testing.T) {
	names := Names()
	if len(names) == 0 || names[0] != "serial" {
		t.Fatalf("Names() = %v, want serial first", names)
	}
	for _, want := range names {
		if !Known(want) {
			t.Errorf("strategy %q not registered", want)
		}
		if Doc(want) == "" {
			t.Errorf("strategy %q has no description", want)
		}
		s, err := New(want)
		if err != nil {
			t.Fatal(err)
		}
		if s.Name() != want {
			t.Errorf("New(%q).Name() = %q", want, s.Name())
		}
	}
	if _, err := New("nope"); err == nil {
		t.Error(`New("nope") succeeded, want an error`)
	}
}

// waitGoroutines fails the test unless the goroutine count returns to
// before within a second: a strategy must leave nothing running.
func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines left running, want %d:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}
