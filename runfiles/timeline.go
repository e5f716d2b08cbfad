package runfiles

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	return readTimeline(r, name, false)
}

// readTimelineHead reads the configuration of a timeline CSV from its
// header and its first job, without the jobs: what ReadTimelineCSV
// would return for the whole file, if it reads, less its Jobs.
func readTimelineHead(r io.Reader, name string) (Timeline, error) {
	return readTimeline(r, name, true)
}

// readTimeline reads a timeline CSV, or with head only its first job, and
// then returns the configuration without the jobs.
func readTimeline(r io.Reader, name string, head bool) (Timeline, error) {
	var s Timeline
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(timelineHeader)
	first, err := cr.Read()
	if err == io.EOF {
		return s, fmt.Errorf("%s:1: empty file, want the header %s", name, strings.Join(timelineHeader, ","))
	}
	if err != nil {
		return s, csvError(name, err)
	}
	for i, h := range timelineHeader {
		if first[i] != h {
			line, _ := cr.FieldPos(i)
			return s, fmt.Errorf("%s:%d: column %d is %q, want %q", name, line, i+1, first[i], h)
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
		if head {
			s.Jobs = nil
			return s, nil
		}
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

// timelinePrefix starts the name of every timeline CSV.
const timelinePrefix = "timeline-"

// TimelineName is the file name of a timeline, without extension:
// timeline-<strategy>-<cores>, with -w<workers> added when the worker
// count is not the sweep's default for those cores.
func TimelineName(strategy string, cores, workers int, defaultWorkers bool) string {
	name := fmt.Sprintf("%s%s-%d", timelinePrefix, strategy, cores)
	if !defaultWorkers {
		name += "-w" + strconv.Itoa(workers)
	}
	return name
}

// A TimelineFile is one timeline CSV of a run folder, with the
// configuration its rows name (read from its first job) and the execution
// trace of the same batch, where the harness traced it.
type TimelineFile struct {
	// Name is the file's name without its extension, which its chart
	// takes: "timeline-pool-2".
	Name           string
	Path           string
	Strategy       string
	Cores, Workers int
	// Trace is the path of the batch's execution trace, "" for none.
	Trace string
}

// Read reads the file's jobs.
func (tf TimelineFile) Read() (Timeline, error) {
	f, err := os.Open(tf.Path)
	if err != nil {
		return Timeline{}, err
	}
	defer f.Close()
	return ReadTimelineCSV(f, tf.Path)
}

// Timelines lists the folder's timeline CSVs by name, each with its
// configuration and its trace; a file whose configuration cannot be read
// is left out, with an error that names it.
func (f Folder) Timelines() ([]TimelineFile, []error) {
	paths, _ := filepath.Glob(f.Path(timelinePrefix + "*" + timelineExt))
	var out []TimelineFile
	var problems []error
	for _, path := range paths {
		tl, err := readTimelineFileHead(path)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		name := strings.TrimSuffix(filepath.Base(path), timelineExt)
		tf := TimelineFile{Name: name, Path: path, Strategy: tl.Strategy, Cores: tl.Cores, Workers: tl.Workers}
		// The trace of a batch is named as its timeline is.
		trace := filepath.Join(f.ProfileDir(), ProfileTrace+"-"+strings.TrimPrefix(name, timelinePrefix)+".out")
		if isFile(trace) {
			tf.Trace = trace
		}
		out = append(out, tf)
	}
	return out, problems
}

func readTimelineFileHead(path string) (Timeline, error) {
	f, err := os.Open(path)
	if err != nil {
		return Timeline{}, err
	}
	defer f.Close()
	return readTimelineHead(f, path)
}

// isFile reports whether path is a regular file, following links.
func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}
