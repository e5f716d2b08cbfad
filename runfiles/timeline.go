package runfiles

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Timeline is one recorded batch of a configuration: when each job ran
// and on which worker, as a timeline CSV holds it.
type Timeline struct {
	Strategy       string
	Cores, Workers int
	Jobs           []Span
}

// Span is one job of a timeline. Start and End are offsets from the batch
// start.
type Span struct {
	Job        int64
	Worker     int
	Start, End time.Duration
}

// timelineHeader is the first row of a timeline CSV.
var timelineHeader = []string{"strategy", "cores", "workers", "job", "worker", "start_ns", "end_ns"}

// WriteTimelineCSV writes the per-job results of a timeline batch, one row
// per job, times in nanoseconds from the batch start.
func WriteTimelineCSV(w io.Writer, s Timeline) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(timelineHeader); err != nil {
		return err
	}
	for _, j := range s.Jobs {
		row := []string{s.Strategy, strconv.Itoa(s.Cores), strconv.Itoa(s.Workers),
			strconv.FormatInt(j.Job, 10), strconv.Itoa(j.Worker),
			strconv.FormatInt(j.Start.Nanoseconds(), 10), strconv.FormatInt(j.End.Nanoseconds(), 10)}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadTimelineCSV reads what WriteTimelineCSV wrote. name is used in
// errors, which carry name:line.
func ReadTimelineCSV(r io.Reader, name string) (Timeline, error) {
	var s Timeline
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(timelineHeader)
	head, err := cr.Read()
	if err == io.EOF {
		return s, fmt.Errorf("%s:1: empty file, want the header %s", name, strings.Join(timelineHeader, ","))
	}
	if err != nil {
		return s, csvError(name, err)
	}
	for i, h := range timelineHeader {
		if head[i] != h {
			line, _ := cr.FieldPos(i)
			return s, fmt.Errorf("%s:%d: column %d is %q, want %q", name, line, i+1, head[i], h)
		}
	}
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return s, csvError(name, err)
		}
		// Not a counter: the reader skips blank lines, and a quoted
		// field may span lines.
		line, _ := cr.FieldPos(0)
		var n [6]int64
		for i := range n {
			if n[i], err = strconv.ParseInt(row[i+1], 10, 64); err != nil {
				return s, fmt.Errorf("%s:%d: %s: %w", name, line, timelineHeader[i+1], err)
			}
		}
		cores, workers, job, worker, start, end := n[0], n[1], n[2], n[3], n[4], n[5]
		switch {
		case cores < 1 || workers < 1 || job < 0 || worker < 0 || cores > 1<<20 || worker > 1<<31:
			return s, fmt.Errorf("%s:%d: cores %d, workers %d, job %d, worker %d out of range", name, line, cores, workers, job, worker)
		case start < 0 || end < start:
			return s, fmt.Errorf("%s:%d: job %d runs from %d ns to %d ns", name, line, job, start, end)
		}
		if len(s.Jobs) == 0 {
			s.Strategy, s.Cores, s.Workers = row[0], int(cores), int(workers)
		} else if row[0] != s.Strategy || int(cores) != s.Cores || int(workers) != s.Workers {
			return s, fmt.Errorf("%s:%d: configuration changes mid-file", name, line)
		}
		s.Jobs = append(s.Jobs, Span{Job: job, Worker: int(worker), Start: time.Duration(start), End: time.Duration(end)})
	}
	if len(s.Jobs) == 0 {
		return s, fmt.Errorf("%s: no jobs", name)
	}
	return s, nil
}

// csvError puts a csv.Reader error in name:line form.
func csvError(name string, err error) error {
	if pe, ok := err.(*csv.ParseError); ok {
		return fmt.Errorf("%s:%d: %w", name, pe.Line, pe.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// TimelineName is the file name of a timeline, without extension:
// timeline-<strategy>-<cores>, with -w<workers> added when the worker
// count is not the sweep's default for those cores.
func TimelineName(strategy string, cores, workers int, defaultWorkers bool) string {
	if defaultWorkers {
		return fmt.Sprintf("timeline-%s-%d", strategy, cores)
	}
	return fmt.Sprintf("timeline-%s-%d-w%d", strategy, cores, workers)
}
