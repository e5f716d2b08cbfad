# parbench: `make bench` measures this machine, `make test` checks the code.
# Go 1.26 is the only prerequisite; modules come from the Go module proxy.

GO      ?= go
BIN     := bin/parbench
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X github.com/parbench/parbench/internal/cli.version=$(VERSION) -X github.com/parbench/parbench/internal/cli.commit=$(COMMIT)

# Extra flags for parbench run, e.g. make bench RUNFLAGS='-cpu 1,2,4 -count 20'.
RUNFLAGS ?=

# The strategies make bench and bench-quick run, named so that a strategy
# added later (the libraries; python-mp and python-pool, which also need
# python3) does not slip into their time budget; bench-libs and bench-all
# run the rest.
BENCH_STRATEGIES := serial,pool,perjob,perjob-unbounded,procpool

.PHONY: all build test test-all bench bench-quick bench-libs bench-all plan check clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/parbench

# Every package's tests under the race detector, within 3 minutes on 2
# cores: the unit, golden and fuzz-seed tests, the conformance suite over
# every registered strategy, and real end-to-end sweeps. The long ones (the
# browser, the busy-thread sweeps, the synthetic big-machine reports) skip
# with a line that names make test-all.
test:
	$(GO) test -race ./...

# make test with the long tests too; CI runs it.
test-all:
	PARBENCH_TEST_ALL=1 $(GO) test -race ./...

# The main job: the default sweep on this machine, every batch paired with a
# baseline half on its own CPUs, run until every speedup's 95% interval is
# within ±3% or the timed sweep's budget of 240 s is spent; then the
# profiling pass, the report and the charts in the same run folder
# (results/latest points at it). On 2 cores the whole target finishes
# within 5 minutes: the budget is most of them, since every configuration
# is sampled until the sweep ends.
BENCHFLAGS ?= -precision 3% -budget 240s -profile -profiletime 500ms
bench: build
	$(BIN) run -strategy $(BENCH_STRATEGIES) $(BENCHFLAGS) $(RUNFLAGS)

# What make bench would do, without doing it: the plan, with estimates from
# a calibration of about a second on this machine. For another machine:
# make plan RUNFLAGS='-assume-cpus 128 -assume-smt 2'.
plan: build
	$(BIN) run -dry-run -strategy $(BENCH_STRATEGIES) $(BENCHFLAGS) $(RUNFLAGS)

# The same pipeline, small enough for under a minute on 2 cores.
bench-quick: build
	$(BIN) run -strategy $(BENCH_STRATEGIES) -count 6 -profile -profiletime 500ms $(RUNFLAGS)

# Which pool should I use? serial, pool, static and every library strategy
# on the cpu and on the fine workload: preset libs is two sweeps (libs-cpu,
# libs-fine), each with its profiles and report in a run folder of its own,
# then one report of both (a section per workload and the table across
# them) in results/report-<UTC time>-libs.
bench-libs: build
	$(BIN) run -preset libs -profile $(RUNFLAGS)

# Every preset, each into a run folder of its own, then the libs presets
# with their profiles.
PRESETS := cpu seed fine wait oversub
bench-all: build
	@for p in $(PRESETS); do \
		echo "== preset $$p"; \
		$(BIN) run -preset $$p $(RUNFLAGS) || exit 1; \
	done
	@$(MAKE) --no-print-directory bench-libs

check:
	@out=$$(gofmt -l . | grep -v '^vendor/'); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf bin
