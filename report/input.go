package report

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/perf/benchfmt"
)

// BenchFile is the name of the results file in a run folder.
const BenchFile = "bench.txt"

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
			in = Input{Path: filepath.Join(arg, BenchFile), Dir: arg}
			fi, err = os.Stat(in.Path)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				return nil, fmt.Errorf("%s: no %s in this folder (not a parbench run folder?)", arg, BenchFile)
			case err != nil:
				return nil, err
			case fi.IsDir():
				return nil, fmt.Errorf("%s: is a folder, not a results file", in.Path)
			}
		}
		abs, err := filepath.Abs(in.Path)
		if err != nil {
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

// Load reads inputs with benchfmt.Files and builds their report.
//
// A line that cannot be read (a syntax error, a time that is not a positive
// number, a file cut off in the middle of its last line) is skipped and
// listed in Report.InputErrors as "file:line: message"; the rest is still
// reported. The error is for what stops the report: a file that cannot be
// read, no results at all, or results of different workloads.
func Load(inputs []Input, opts *Options) (*Report, error) {
	o := opts.orDefault()
	if err := o.validate(); err != nil {
		return nil, err
	}
	files := benchfmt.Files{}
	for _, in := range inputs {
		files.Paths = append(files.Paths, in.Path)
	}
	var results []*benchfmt.Result
	var inputErrs []error
	for files.Scan() {
		switch rec := files.Result().(type) {
		case *benchfmt.Result:
			results = append(results, rec.Clone())
		case *benchfmt.SyntaxError:
			inputErrs = append(inputErrs, rec)
		}
	}
	if err := files.Err(); err != nil {
		return nil, err
	}
	for _, in := range inputs {
		if err := checkComplete(in.Path); err != nil {
			inputErrs = append(inputErrs, err)
		}
	}
	return build(results, inputs, inputErrs, o)
}

// checkComplete reports a file whose last line has no newline. The harness
// always ends its lines, so such a file was cut off, and benchfmt may have
// skipped the piece without a word.
func checkComplete(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if len(data) == 0 || data[len(data)-1] == '\n' {
		return nil
	}
	line := bytes.Count(data, []byte{'\n'}) + 1
	return &benchfmt.SyntaxError{FileName: path, Line: line, Msg: "last line is incomplete (file truncated?)"}
}
