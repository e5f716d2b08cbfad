package cli

import (
	"bytes"
	"testing"

	"github.com/parbench/parbench/harness"
)

func TestFaultReporter(t *testing.T) {
	var b bytes.Buffer
	fr := &faultReporter{w: &b}
	if fr.summary() != "" {
		t.Errorf("summary %q with no faults, want none", fr.summary())
	}
	tr := harness.Trial{Strategy: "procpool", Cores: 2, Workers: 2}
	fr.note(harness.Fault{Trial: tr, Step: "warm-up batch 1", N: 1, Causes: []string{"worker pid 7 running job 3: killed"}})
	fr.note(harness.Fault{Trial: tr, Step: "timed batch", N: 2})
	want := "parbench: warning: worker fault: procpool cores=2 workers=2, warm-up batch 1: 1 worker fault (worker pid 7 running job 3: killed)\n" +
		"parbench: warning: worker fault: procpool cores=2 workers=2, timed batch: 2 worker faults\n"
	if got := b.String(); got != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", got, want)
	}
	if got, want := fr.summary(), "parbench: warning: 3 worker faults in this run (listed above); samples with faults carry faults/op > 0"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}
