package harness

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"time"

	"github.com/parbench/parbench/strategies"
)

// Strategies for the runner tests. The measurement processes the tests
// start are this test binary, so they know these strategies too.
func init() {
	strategies.Register(strategies.Info{Name: "test-fail", Doc: "fails every batch", New: func() strategies.Strategy { return failing{} }})
	strategies.Register(strategies.Info{Name: "test-wrong", Doc: "returns a wrong sum for the last job", New: func() strategies.Strategy { return wrongSum{} }})
	strategies.Register(strategies.Info{Name: "test-panic", Doc: "panics in its first batch", New: func() strategies.Strategy { return panicking{} }})
	strategies.Register(strategies.Info{Name: "test-probe", Doc: "serial, reporting how its process was set up", New: func() strategies.Strategy { return &probe{} }})
	strategies.Register(strategies.Info{Name: "test-leak", Doc: "serial, leaving a process that holds the output open", New: func() strategies.Strategy { return leaking{} }})
}

type failing struct{}

func (failing) Name() string { return "test-fail" }

func (failing) Run(context.Context, strategies.Workload, int) ([]strategies.Result, error) {
	return nil, errors.New("test strategy fails on purpose")
}

type wrongSum struct{}

func (wrongSum) Name() string { return "test-wrong" }

func (wrongSum) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	rs, err := strategies.Serial{}.Run(ctx, w, workers)
	if err == nil {
		rs[len(rs)-1].Sum++
	}
	return rs, err
}

type panicking struct{}

func (panicking) Name() string { return "test-panic" }

func (panicking) Run(context.Context, strategies.Workload, int) ([]strategies.Result, error) {
	panic("test strategy panics on purpose")
}

// probe runs serially and reports, as metrics, what the measurement
// process found about itself while running the batch.
type probe struct{ metrics []strategies.Metric }

var _ strategies.BatchMetrics = (*probe)(nil)

func (*probe) Name() string { return "test-probe" }

func (p *probe) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	cpus, err := AllowedCPUs()
	if err != nil {
		return nil, err
	}
	var mask float64
	for _, c := range cpus {
		if c < 52 {
			mask += float64(uint64(1) << c)
		}
	}
	measureEnvSet := 0.0
	if _, ok := os.LookupEnv(measureEnv); ok {
		measureEnvSet = 1
	}
	p.metrics = []strategies.Metric{
		{Unit: "test-cpus", Value: float64(len(cpus))},
		{Unit: "test-cpumask", Value: mask},
		{Unit: "test-gomaxprocs", Value: float64(runtime.GOMAXPROCS(0))},
		{Unit: "test-measureenv", Value: measureEnvSet},
	}
	return strategies.Serial{}.Run(ctx, w, workers)
}

func (p *probe) LastBatchMetrics() []strategies.Metric { return p.metrics }

// leaking starts a process that outlives the measurement process and
// holds its stdout and stderr open, as a worker a strategy forgot would.
type leaking struct{}

func (leaking) Name() string { return "test-leak" }

func (leaking) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	cmd := exec.Command("sleep", "60")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return strategies.Serial{}.Run(ctx, w, workers)
}

func init() {
	strategies.Register(strategies.Info{Name: "test-hang", Doc: "serial, then stuck from its second batch on, deaf to cancellation", New: func() strategies.Strategy { return &hanging{} }})
}

// hanging answers its first batch (the warm-up) and then never returns,
// ignoring its context, as a stopped or deadlocked process would.
type hanging struct{ calls int }

func (*hanging) Name() string { return "test-hang" }

func (h *hanging) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	h.calls++
	if h.calls > 1 {
		time.Sleep(time.Hour) // not select{}: the runtime would call that a deadlock and exit
	}
	return strategies.Serial{}.Run(ctx, w, workers)
}
