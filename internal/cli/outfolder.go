package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/parbench/parbench/runfiles"
)

// reportManifest, in a folder a report wrote into, lists the files that
// reports wrote there, one name a line. A report overwrites those and no
// others.
const reportManifest = "report-files.txt"

// outFolder is a report's output folder: it hands out the names a report
// may write and remembers them in the manifest.
type outFolder struct {
	dir   string
	owned []string // listed in the manifest: written by an earlier report
	wrote []string // claimed by this report
}

// openOutFolder makes dir if need be and reads its manifest.
func openOutFolder(dir string) (*outFolder, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	o := &outFolder{dir: dir}
	data, err := os.ReadFile(filepath.Join(dir, reportManifest))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			// Only plain names: a manifest cannot hand out a file
			// elsewhere.
			if name := strings.TrimSpace(sc.Text()); name != "" && name == filepath.Base(name) && name != reportManifest {
				o.owned = append(o.owned, name)
			}
		}
	}
	return o, nil
}

// conflicts lists the files of names that are in the folder but were not
// written by a report.
func (o *outFolder) conflicts(names []string) []string {
	var out []string
	for _, n := range names {
		if _, err := os.Lstat(filepath.Join(o.dir, n)); err == nil && !slices.Contains(o.owned, n) {
			out = append(out, n)
		}
	}
	return out
}

// claim returns the path for name, or an error if a file of that name is
// there and no report wrote it.
func (o *outFolder) claim(name string) (string, error) {
	if c := o.conflicts([]string{name}); len(c) > 0 {
		return "", fmt.Errorf("%s exists and was not written by parbench report: not overwritten (-o picks another folder)", filepath.Join(o.dir, name))
	}
	if !slices.Contains(o.wrote, name) {
		o.wrote = append(o.wrote, name)
		// Recorded before the file is written, so that a report stopped
		// half-way still owns what it wrote.
		if err := o.saveManifest(); err != nil {
			return "", err
		}
	}
	return filepath.Join(o.dir, name), nil
}

// remove deletes name if a report wrote it (a stale benchstat.txt, say).
func (o *outFolder) remove(name string) {
	if slices.Contains(o.owned, name) || slices.Contains(o.wrote, name) {
		_ = os.Remove(filepath.Join(o.dir, name))
	}
}

// saveManifest records what this report and earlier ones wrote.
func (o *outFolder) saveManifest() error {
	names := slices.Clone(o.owned)
	for _, n := range o.wrote {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	o.owned = names
	return runfiles.WriteFileAtomic(filepath.Join(o.dir, reportManifest), []byte(strings.Join(names, "\n")+"\n"))
}
