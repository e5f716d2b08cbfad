package report

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/parbench/parbench/runfiles"
)

// Workload is the recorded workload, typed. A parameter that was not
// recorded is zero.
type Workload struct {
	Jobs     int   // J: jobs per batch
	N        int64 // iterations per job
	Sleep    time.Duration
	Gap      time.Duration // job i is released at i*Gap
	Checksum int64
}

// parseWorkload reads the pairs of Report.Workload. A value that does not
// parse is left zero, and the error names its key and value.
func parseWorkload(kv [][2]string) (Workload, error) {
	var w Workload
	var errs []error
	for _, p := range kv {
		key, value := p[0], p[1]
		var err error
		switch key {
		case runfiles.KeyJobs:
			w.Jobs, err = strconv.Atoi(value)
		case runfiles.KeyN:
			w.N, err = strconv.ParseInt(value, 10, 64)
		case runfiles.KeySleep:
			w.Sleep, err = time.ParseDuration(value)
		case runfiles.KeyGap:
			w.Gap, err = time.ParseDuration(value)
		case runfiles.KeyChecksum:
			w.Checksum, err = strconv.ParseInt(value, 10, 64)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("workload parameter %s %q: not a %s", key, value, kindOf(key)))
		}
	}
	return w, errors.Join(errs...)
}

func kindOf(key string) string {
	if key == runfiles.KeySleep || key == runfiles.KeyGap {
		return "duration"
	}
	return "whole number"
}

// Title names the workload as the charts do: "XOR-sum: 1024 jobs × 500000
// iterations, sleep 2s, gap 100ms", with what was not recorded left out.
func (w Workload) Title() string {
	t := "XOR-sum"
	if w.Jobs > 0 && w.N > 0 {
		t += fmt.Sprintf(": %d jobs × %d iterations", w.Jobs, w.N)
	}
	if w.Sleep > 0 {
		t += ", sleep " + w.Sleep.String()
	}
	if w.Gap > 0 {
		t += ", gap " + w.Gap.String()
	}
	return t
}

// LastRelease is when the last job of a batch is released, as an offset
// from the batch start.
func (w Workload) LastRelease() time.Duration {
	return time.Duration(max(w.Jobs-1, 0)) * w.Gap
}
