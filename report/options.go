package report

import (
	"errors"
	"fmt"
	"math"
)

// Options configures the statistics and the trust checks. Start from
// DefaultOptions: fields may be added. A nil *Options means DefaultOptions.
type Options struct {
	// Confidence is the level of every interval, such as 0.95.
	Confidence float64
	// Resamples is how many bootstrap resamples estimate a speedup's
	// interval.
	Resamples int
	// Seed seeds the bootstrap; with the same seed a report is the same.
	Seed uint64

	// MinSamples flags configurations with fewer samples.
	MinSamples int
	// MaxCIHalfWidth flags a median whose interval reaches further than
	// this fraction of the median on either side.
	MaxCIHalfWidth float64
	// MinUSLCores is the fewest distinct core counts a USL fit needs;
	// with fewer, only Amdahl is fitted.
	MinUSLCores int
	// MinR2 flags fits that explain less of the measured speedups.
	MinR2 float64
	// MaxLoad flags a run that started with a higher 1-minute load
	// average.
	MaxLoad float64
	// MaxBusyCPUs flags a run that started while other work kept more
	// CPUs' worth busy (sampled from /proc/stat by the harness).
	MaxBusyCPUs float64

	// IncludeFaulted keeps the samples whose batch met worker faults
	// (faults/op > 0) in the statistics. By default they are left out,
	// and each configuration that had them is named in a warning.
	IncludeFaulted bool

	// Progress, if set, is called now and then while Load reads its
	// inputs, with the lines read so far and the lines in all inputs.
	Progress func(read, total int64)
}

// DefaultOptions are the settings parbench reports with.
var DefaultOptions = Options{
	Confidence:     0.95,
	Resamples:      10000,
	Seed:           1,
	MinSamples:     6,
	MaxCIHalfWidth: 0.05,
	MinUSLCores:    6,
	MinR2:          0.9,
	MaxLoad:        1.0,
	MaxBusyCPUs:    0.25,
}

func (o *Options) orDefault() Options {
	if o == nil {
		return DefaultOptions
	}
	return *o
}

// validate reports the first setting that cannot work.
func (o Options) validate() error {
	switch {
	case !(o.Confidence > 0 && o.Confidence < 1):
		return fmt.Errorf("report: confidence %v: want a level between 0 and 1", o.Confidence)
	case o.Resamples < 100:
		return fmt.Errorf("report: %d bootstrap resamples: want at least 100", o.Resamples)
	case o.MinUSLCores < 3:
		return fmt.Errorf("report: USL fits need at least 3 core counts, not %d", o.MinUSLCores)
	case math.IsNaN(o.MaxCIHalfWidth) || math.IsNaN(o.MinR2) || math.IsNaN(o.MaxLoad) || math.IsNaN(o.MaxBusyCPUs):
		return errors.New("report: a threshold is NaN")
	}
	return nil
}
