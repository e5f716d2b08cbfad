// Package report turns parbench results into the tables of a paper: for
// every machine, strategy and core count, the median time per batch with its
// confidence interval, throughput, speedup over the serial strategy on one
// core with an interval of its own, efficiency, and Amdahl and Universal
// Scalability Law fits with what they project past the cores measured.
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
// # Speedup and its interval
//
// Speedup(k) = T(serial, 1 core) / T(strategy, k cores), where T is the
// median wall time of a batch on the same machine. Its interval is a
// percentile bootstrap: both sets of samples are resampled with replacement,
// independently, Options.Resamples times; each resample gives a ratio of
// medians; the interval runs between the (1-c)/2 and (1+c)/2 quantiles of
// those ratios. The random source is seeded (Options.Seed, and the
// configuration's name), so a report is reproducible. The baseline's own
// speedup is exactly 1.
//
// # Scalability models
//
// Both models are fitted to the median speedups of one strategy on one
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
