package harness

import (
	"context"
	"fmt"
	"strings"

	"github.com/parbench/parbench/strategies"
)

// A Fault is a measurement process's word that a strategy's workers failed
// and were replaced in one step of a trial; the step itself went on. It is
// sent as soon as the step ends, so the user hears of it while the sweep
// runs.
type Fault struct {
	Trial Trial `json:"trial"`
	// Step is where: "start-up", "warm-up batch 2", "timed batch",
	// "timeline batch", "profile" or "close".
	Step   string   `json:"step"`
	N      int      `json:"n"`
	Causes []string `json:"causes,omitempty"`
}

func (f Fault) String() string {
	s := fmt.Sprintf("%v, %s: %d worker %s", f.Trial, f.Step, f.N, pluralWord(f.N, "fault", "faults"))
	if len(f.Causes) > 0 {
		s += " (" + strings.Join(f.Causes, "; ") + ")"
	}
	return s
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// maxFaultCause bounds each cause a Fault message may carry.
const maxFaultCause = 1 << 10

// check refuses a malformed fault message.
func (f Fault) check() error {
	if f.N < 1 || len(f.Causes) > strategies.MaxFaultCauses || len(f.Causes) > f.N || len(f.Step) > 64 {
		return fmt.Errorf("malformed fault from measurement process: %d faults, %d causes, step of %d bytes", f.N, len(f.Causes), len(f.Step))
	}
	for _, c := range f.Causes {
		if len(c) > maxFaultCause {
			return fmt.Errorf("malformed fault from measurement process: a cause of %d bytes", len(c))
		}
	}
	return nil
}

type faultSinkKey struct{}

// withFaultSink gives the steps of a measurement, deep in its calls, a way
// to send a Fault without a new parameter everywhere.
func withFaultSink(ctx context.Context, send func(Fault)) context.Context {
	return context.WithValue(ctx, faultSinkKey{}, send)
}

// noteFaults sends the faults st met since the last call, if st keeps a
// log of them and there are any.
func noteFaults(ctx context.Context, st strategies.Strategy, t Trial, step string) {
	fl, ok := st.(strategies.FaultLog)
	if !ok {
		return
	}
	f := fl.TakeFaults()
	send, _ := ctx.Value(faultSinkKey{}).(func(Fault))
	if f.N == 0 || send == nil {
		return
	}
	causes := f.Causes
	for i, c := range causes {
		if len(c) > maxFaultCause {
			causes[i] = c[:maxFaultCause]
		}
	}
	send(Fault{Trial: t, Step: step, N: f.N, Causes: causes})
}

// timedStep names the batch after the warm-ups in a Fault.
func timedStep(timeline bool) string {
	if timeline {
		return "timeline batch"
	}
	return "timed batch"
}
