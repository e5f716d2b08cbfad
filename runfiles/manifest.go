package runfiles

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
)

// A Manifest is a report's hold on its output folder: it hands out the
// names a report may write and records them in ReportManifest, one name a
// line. A report overwrites the files an earlier report recorded and no
// others, so that a report written into a folder of the user's own
// never replaces a file it did not make.
type Manifest struct {
	folder Folder
	owned  []string // listed in the manifest: written by an earlier report
	wrote  []string // claimed by this report
}

// OpenManifest makes the folder if need be and reads its manifest.
func (f Folder) OpenManifest() (*Manifest, error) {
	if err := os.MkdirAll(f.Dir, 0o755); err != nil {
		return nil, err
	}
	m := &Manifest{folder: f}
	data, err := os.ReadFile(f.Path(ReportManifest))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			// Only plain names: a manifest cannot hand out a file
			// elsewhere.
			if name := strings.TrimSpace(sc.Text()); name != "" && name == filepath.Base(name) && name != ReportManifest {
				m.owned = append(m.owned, name)
			}
		}
	}
	return m, nil
}

// Conflicts lists the files of names that are in the folder but were not
// written by a report.
func (m *Manifest) Conflicts(names []string) []string {
	var out []string
	for _, n := range names {
		if _, err := os.Lstat(m.folder.Path(n)); err == nil && !slices.Contains(m.owned, n) {
			out = append(out, n)
		}
	}
	return out
}

// Claim returns the path for name, or an error if a file of that name is
// there and no report wrote it. The name is recorded before the file is
// written, so that a report stopped half-way still owns what it wrote.
func (m *Manifest) Claim(name string) (string, error) {
	if c := m.Conflicts([]string{name}); len(c) > 0 {
		return "", fmt.Errorf("%s exists and was not written by parbench report: not overwritten (-o picks another folder)", m.folder.Path(name))
	}
	if !slices.Contains(m.wrote, name) {
		m.wrote = append(m.wrote, name)
		if err := m.save(); err != nil {
			return "", err
		}
	}
	return m.folder.Path(name), nil
}

// Remove deletes name if a report wrote it (a stale benchstat.txt, say).
func (m *Manifest) Remove(name string) {
	if slices.Contains(m.owned, name) || slices.Contains(m.wrote, name) {
		_ = os.Remove(m.folder.Path(name))
	}
}

// save records what this report and earlier ones wrote.
func (m *Manifest) save() error {
	names := slices.Clone(m.owned)
	for _, n := range m.wrote {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	m.owned = names
	return WriteFileAtomic(m.folder.Path(ReportManifest), []byte(strings.Join(names, "\n")+"\n"))
}
