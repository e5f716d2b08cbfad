// Package report turns parbench results into the tables of a paper: for
// every machine, strategy and core count, the median time per batch with its
// confidence interval, throughput, speedup over the baseline with an
// interval of its own, efficiency, and Amdahl and Universal Scalability Law
// fits with what they project past the cores measured; and what can make
// those figures wrong: each CPU's speed over the run, pairs that fall into
// two groups, speedups the machine does not allow and what was measured
// that explains them, and the faults met.
//
// The pipeline is the one golang.org/x/perf suggests: benchfmt reads the Go
// benchmark format (Load, or FromResults for results already in memory),
// benchproc projects each result onto a machine, a configuration and a
// workload, and benchmath summarizes and compares the samples (median,
// distribution-free confidence interval, Mann-Whitney U test). Fits are
// least squares solved with gonum/mat. Nothing here prints: problems that don't stop the
// analysis are returned as Report.Warnings, and problems in input files as
// Report.InputErrors, each "file:line: message".
//
// The rest of a run folder is read through runfiles.Folder, once, when the
// report is loaded (Report.Evidence): the execution traces of the timeline
// batches, which the loss accounting splits, the timelines, whose charts
// read their jobs when drawn, and the CPU profiles, broken down by
// category for the overhead chart and the breakdown table.
//
// The model and its presentation live in files of their own: the files
// that compute the rows, the losses, the fits and the checks print
// nothing, and the writers render them: WriteText (summary.txt),
// WriteMarkdown (summary.md), WriteCSV, WriteJSON, WriteHTML (report.html,
// which opens no file while it is written) and WriteArrivalBound; the
// charts' data is computed here for the command line to hand to plots.
//
// # Two kinds of run
//
// Where the baseline ran decides what a speedup means, and each machine's
// description says which kind its run is (Machine.Kind). In the own-cpus
// kind (the header says baseline: own-cpus) the baseline half of every
// pair ran in the configuration's own measurement process, on its own
// CPUs one at a time, its rate the mean of the per-CPU rates: a speedup at
// k is relative to the mean speed of one CPU of that configuration's CPUs,
// and ideal is k whatever their speeds. In the first-cpu kind (every run
// before per-CPU baselines, and go test output) the baseline was a serial
// batch pinned to the first CPU, and a slow first CPU inflates every
// speedup. Both are read; figures that only the own-cpus kind measures
// (the meter, the copies' own rates) are absent from the other.
//
// # Speedup and its interval
//
// Paired (samples that carry their baseline half, baseline-ns/op): the
// pairs' ratios T(baseline half) / T(batch) summarized by
// pairstat.DefaultEstimator, the 20%-trimmed mean with Yuen's interval.
// The median of ratios and the ratio of totals are kept beside it
// (Row.Estimates), and pairstat.TwoModes says when the pairs fall into two
// groups (CheckBimodal): a pool given one CPU in some batches and two in
// others, or a run whose machine changed state half way.
//
// Unpaired: Speedup(k) = T(serial, 1 core) / T(strategy, k cores), where
// T is the median wall time of a batch on the same machine. Its interval
// is a percentile bootstrap: both sets of samples are resampled with
// replacement, independently, Options.Resamples times; each resample gives
// a ratio of medians; the interval runs between the (1-c)/2 and (1+c)/2
// quantiles of those ratios. The random source is seeded (Options.Seed,
// and the configuration's name), so a report is reproducible. The
// baseline's own speedup is exactly 1.
//
// # The machine's ceiling
//
// k independent copies of the serial batch at once. In the own-cpus kind
// its speedup is attainable: the baseline half over the copies' own rates
// summed (copies-ns/op), so that CPUs of different speeds do not make it
// a measure of the slowest; the join figure (over the time until the last
// copy finished, what a static split of the work can reach) is kept
// beside it (Row.Join). In the first-cpu kind it is the join figure.
// Efficiency vs the ceiling is against the attainable figure.
//
// # The per-CPU speed meter
//
// In the own-cpus kind every baseline half, and a calibration at the
// start and at the end, times pinned work on each CPU (the CPUSpeed
// lines). Meter has each CPU's speed relative to the fastest over the
// run and the stretches in which one was slower than the meter's own
// noise allows (see MeterWindow for how they are found), each warned
// about (CheckCPUSpeed). In the first-cpu kind the baseline's batches,
// all on the first CPU, are a meter of that CPU alone: BaselineStretches
// are where they slowed.
//
// # Speedups the machine does not allow
//
// A speedup whose interval lies wholly above k (own-cpus), or above the
// ceiling's interval, is flagged (CheckImpossible) with what was measured
// that can explain it: a slow stretch of the first CPU under the
// baseline that the configuration's own batches did not share, a slow
// stretch of one of its CPUs during its pairs, or bimodal pairs, each
// with what its pairs outside that stretch give; or "no measured cause".
//
// # Faults
//
// Worker faults (faults/op on a sample: a strategy's workers that failed
// and were replaced) and failed measurement processes (ProcessFault
// lines, whose pairs were discarded) share the fault table (Faults),
// by configuration and by core count; core counts the sweep gave up on
// (Machine.GivenUp) are named, and the run is not partial for them.
//
// # Scalability models
//
// Both models are fitted to the speedups of one strategy on one
// machine, one point per core count:
//
//	USL:    S(N) = λN / (1 + σ(N-1) + κN(N-1))
//	Amdahl: S(N) = λN / (1 + σ(N-1))       (κ = 0; σ is the serial fraction)
//
// Both are linear in 1/λ, σ/λ and κ/λ once written as N/S, so they are
// fitted by weighted linear least squares (gonum/mat) with weights that make
// each residual count as its error in the speedup, to first order, and with
// λ > 0, 0 <= σ <= 1, κ >= 0 enforced exactly (see FitModel). R² is computed
// on the speedups themselves. The baseline is not fitted: it uses one thread
// by design.
//
// λ is the speedup of one core over the serial baseline (below 1 when a
// strategy's machinery costs something even without parallelism). σ is
// contention, κ coherency (crosstalk); the USL predicts a peak at
// N* = sqrt((1-σ)/κ). Projections to 2x and 4x the machine's cores are the
// model's extrapolation, not measurements.
package report
