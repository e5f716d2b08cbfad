package harness

import (
	"bytes"

	"github.com/parbench/parbench/runfiles"
)

// timeline is a timeline batch's sample as a timeline CSV holds it.
func timeline(s Sample) runfiles.Timeline {
	t := runfiles.Timeline{Strategy: s.Strategy, Cores: s.Cores, Workers: s.Workers, Jobs: make([]runfiles.Span, len(s.Jobs))}
	for i, j := range s.Jobs {
		t.Jobs[i] = runfiles.Span{Job: j.Job, Worker: j.Worker, Start: j.Start, End: j.End}
	}
	return t
}

// SaveTimeline writes the per-job results of a timeline batch at path, as
// runfiles.WriteTimelineCSV does, through a temporary file.
func SaveTimeline(path string, s Sample) error {
	var b bytes.Buffer
	if err := runfiles.WriteTimelineCSV(&b, timeline(s)); err != nil {
		return err
	}
	return runfiles.WriteFileAtomic(path, b.Bytes())
}
