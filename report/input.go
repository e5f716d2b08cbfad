package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/perf/benchfmt"

	"github.com/parbench/parbench/runfiles"
)

// An Input is one results file and the run folder it belongs to.
type Input struct {
	// Path is the file in the Go benchmark format.
	Path string
	// Dir is the run folder: where the report of this input alone goes.
	Dir string
}

// FindInputs maps each argument to its input: a run folder stands for the
// bench.txt inside it, and a file is read as it is (the output of
// go test -bench, say). The error names the first argument that is missing,
// a folder without bench.txt, or given twice.
func FindInputs(args []string) ([]Input, error) {
	if len(args) == 0 {
		return nil, errors.New("no run folders given")
	}
	var inputs []Input
	seen := map[string]string{}
	for _, arg := range args {
		fi, err := os.Stat(arg)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("%s: no such file or folder", arg)
		case err != nil:
			return nil, err
		}
		in := Input{Path: arg, Dir: filepath.Dir(arg)}
		if fi.IsDir() {
			in = Input{Path: runfiles.Folder{Dir: arg}.BenchPath(), Dir: arg}
			fi, err = os.Stat(in.Path)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				return nil, fmt.Errorf("%s: no %s in this folder (not a parbench run folder?)", arg, runfiles.BenchFile)
			case err != nil:
				return nil, err
			case fi.IsDir():
				return nil, fmt.Errorf("%s: is a folder, not a results file", in.Path)
			}
		}
		// The same file under two names (results/latest and the run
		// folder it points to, say) is one run, not two machines.
		abs, err := filepath.EvalSymlinks(in.Path)
		if err != nil {
			return nil, err
		}
		if abs, err = filepath.Abs(abs); err != nil {
			return nil, err
		}
		if prev, dup := seen[abs]; dup {
			return nil, fmt.Errorf("%s: given twice (also as %s)", arg, prev)
		}
		seen[abs] = arg
		inputs = append(inputs, in)
	}
	return inputs, nil
}

// Load reads inputs with benchfmt.Files and builds their report. It
// streams: memory grows with the number of samples, not the size of the
// files.
//
// A line that cannot be read (a syntax error, a time that is not a positive
// number, a file cut off in the middle of its last line) is skipped and
// listed in Report.InputErrors as "file:line: message"; the rest is still
// reported. The error is for what stops the report: a file that cannot be
// read, no results at all, or results of different workloads (two
// conflicting settings of a workload key in a row included).
func Load(inputs []Input, opts *Options) (*Report, error) {
	o, scans, err := scanInputs(inputs, opts)
	if err != nil {
		return nil, err
	}
	return loadScanned(inputs, scans, o)
}

// scanInputs checks the options and makes the first pass over each
// input's lines, before any result is read: it finds what benchfmt cannot
// tell, a cut-off last line and a config key set twice in a row (which
// benchfmt settles silently in favour of the last), and the workload each
// input records.
func scanInputs(inputs []Input, opts *Options) (Options, []inputScan, error) {
	o := opts.orDefault()
	if err := o.validate(); err != nil {
		return o, nil, err
	}
	scans := make([]inputScan, len(inputs))
	for i, in := range inputs {
		var err error
		if scans[i], err = scanInput(in.Path); err != nil {
			return o, nil, err
		}
		if len(scans[i].conflicts) > 0 {
			return o, nil, fmt.Errorf("results of different workloads, not comparable: %s", strings.Join(scans[i].conflicts, "; "))
		}
	}
	return o, scans, nil
}

// loadScanned builds the report of inputs, whose scans are done.
func loadScanned(inputs []Input, scans []inputScan, o Options) (*Report, error) {
	var total int64
	truncated := map[string]int{}
	for i, in := range inputs {
		total += scans[i].lines
		if scans[i].truncated > 0 {
			truncated[in.Path] = scans[i].truncated
		}
	}
	files := benchfmt.Files{}
	for _, in := range inputs {
		files.Paths = append(files.Paths, in.Path)
	}
	var read int64
	records := func(yield func(benchfmt.Record) bool) {
		last := time.Now()
		named := map[string]bool{}
		cutOff := func(file string, line int) *benchfmt.SyntaxError {
			named[file] = true
			return &benchfmt.SyntaxError{FileName: file, Line: line, Msg: "last line is incomplete (file truncated?)"}
		}
		for files.Scan() {
			rec := files.Result()
			read++
			if o.Progress != nil && read%1024 == 0 && time.Since(last) > time.Second/4 {
				last = time.Now()
				o.Progress(read, total)
			}
			// A cut-off line is one unreadable line, whatever benchfmt
			// made of the piece: a result, or a syntax error of its own.
			switch r := rec.(type) {
			case *benchfmt.Result:
				if file, line := r.Pos(); line > 0 && truncated[file] == line {
					rec = cutOff(file, line)
				}
			case *benchfmt.SyntaxError:
				if r.Line > 0 && truncated[r.FileName] == r.Line {
					rec = cutOff(r.FileName, r.Line)
				}
			}
			if !yield(rec) {
				return
			}
		}
		for i, in := range inputs {
			if l := scans[i].truncated; l > 0 && !named[in.Path] {
				if !yield(cutOff(in.Path, l)) {
					return
				}
			}
		}
	}
	rep, err := build(records, inputs, o)
	if ferr := files.Err(); ferr != nil {
		return nil, ferr
	}
	if err != nil {
		return nil, err
	}
	rep.ReadRunFolders()
	return rep, nil
}

// inputScan is what a pass over an input's lines found.
type inputScan struct {
	lines     int64
	truncated int      // the line number of a last line without a newline, or 0
	conflicts []string // a key set to different values with no result between
	// recorded holds the first value of each workload key, and of the
	// preset, that the input sets.
	recorded map[string]string
}

// maxConflicts bounds the conflicts one scan lists.
const maxConflicts = 3

// scanInput reads path line by line, in constant memory whatever the
// lengths of its lines.
func scanInput(path string) (inputScan, error) {
	var sc inputScan
	f, err := os.Open(path)
	if err != nil {
		return sc, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	// Config keys set since the last result, with the value and line.
	type setting struct {
		value string
		line  int
	}
	pending := map[string]setting{}
	for {
		line, err := readLinePrefix(br, 4<<10)
		if err == io.EOF && line == nil {
			return sc, nil
		}
		if err != nil && err != io.EOF {
			return sc, fmt.Errorf("%s: %w", path, err)
		}
		sc.lines++
		n := int(sc.lines)
		if err == io.EOF {
			sc.truncated = n
		}
		text := strings.TrimRight(string(line.text), "\r\n")
		switch {
		case strings.HasPrefix(text, "Benchmark"):
			clear(pending)
		case line.long:
		default:
			key, value, ok := configLine(text)
			if !ok {
				break
			}
			if prev, set := pending[key]; set && prev.value != value && slices.Contains(runfiles.WorkloadKeys, key) && len(sc.conflicts) < maxConflicts {
				sc.conflicts = append(sc.conflicts, fmt.Sprintf("%s %s (%s:%d) vs %s (%s:%d)", key, prev.value, path, prev.line, value, path, n))
			}
			pending[key] = setting{value, n}
			if _, seen := sc.recorded[key]; !seen && (key == runfiles.KeyPreset || slices.Contains(runfiles.WorkloadKeys, key)) {
				if sc.recorded == nil {
					sc.recorded = map[string]string{}
				}
				sc.recorded[key] = value
			}
		}
		if err == io.EOF {
			return sc, nil
		}
	}
}

// prefixLine is the start of one line, and whether it went on past it.
type prefixLine struct {
	text []byte
	long bool
}

// readLinePrefix reads one line and keeps at most max bytes of it; err is
// io.EOF for a last line without a newline (with a non-nil line).
func readLinePrefix(br *bufio.Reader, max int) (*prefixLine, error) {
	var l prefixLine
	for {
		chunk, err := br.ReadSlice('\n')
		if room := max - len(l.text); room > 0 {
			l.text = append(l.text, chunk[:min(len(chunk), room)]...)
		}
		if len(chunk) > max {
			l.long = true
		}
		switch {
		case err == bufio.ErrBufferFull:
			l.long = true
			continue
		case err == io.EOF && len(l.text) == 0 && !l.long:
			return nil, io.EOF
		case err != nil:
			return &l, err
		}
		return &l, nil
	}
}

// configLine splits a config line "key: value" as benchfmt's reader does:
// the key starts with a lower-case letter and holds no space or upper-case
// letter; the value, if any, follows spaces or tabs.
func configLine(text string) (key, value string, ok bool) {
	for i, r := range text {
		if (i == 0 && !unicode.IsLower(r)) || unicode.IsSpace(r) || unicode.IsUpper(r) {
			return "", "", false
		}
		if i > 0 && r == ':' {
			key, value = text[:i], text[i+1:]
			break
		}
	}
	if key == "" {
		return "", "", false
	}
	if value != "" && value[0] != ' ' && value[0] != '\t' {
		return "", "", false
	}
	return key, strings.TrimSpace(value), true
}
