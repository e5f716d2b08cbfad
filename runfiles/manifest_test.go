package runfiles

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestManifest(t *testing.T) {
	f := Folder{Dir: filepath.Join(t.TempDir(), "report")}
	m, err := f.OpenManifest()
	if err != nil {
		t.Fatal(err)
	}
	// A file of the user's, in the folder before any report.
	writeFile(t, f.Path("notes.txt"), []byte("mine"))
	if got := m.Conflicts([]string{SummaryText, "notes.txt"}); !slices.Equal(got, []string{"notes.txt"}) {
		t.Errorf("conflicts %q, want the user's file alone", got)
	}
	if _, err := m.Claim("notes.txt"); err == nil || !strings.Contains(err.Error(), "notes.txt exists and was not written by parbench report") {
		t.Errorf("claiming the user's file: %v, want a refusal naming it", err)
	}
	for _, name := range []string{SummaryText, ChartSpeedup + ".png", SummaryText} {
		path, err := m.Claim(name)
		if err != nil || path != f.Path(name) {
			t.Fatalf("Claim(%s) = %q, %v; want %q", name, path, err, f.Path(name))
		}
		writeFile(t, path, []byte("report"))
	}
	if got, _ := os.ReadFile(f.Path(ReportManifest)); string(got) != "speedup.png\nsummary.txt\n" {
		t.Errorf("%s holds %q, want each claimed name once, sorted", ReportManifest, got)
	}

	// A later report owns what the first wrote, and no more.
	later, err := f.OpenManifest()
	if err != nil {
		t.Fatal(err)
	}
	if got := later.Conflicts([]string{SummaryText, ChartSpeedup + ".png", "notes.txt"}); !slices.Equal(got, []string{"notes.txt"}) {
		t.Errorf("a later report's conflicts %q, want the user's file alone", got)
	}
	later.Remove(ChartSpeedup + ".png")
	later.Remove("notes.txt")
	if _, err := os.Stat(f.Path(ChartSpeedup + ".png")); err == nil {
		t.Error("Remove left a file a report wrote")
	}
	if _, err := os.Stat(f.Path("notes.txt")); err != nil {
		t.Errorf("Remove took the user's file: %v", err)
	}
}

// TestManifestPlainNamesOnly: a manifest that names a file elsewhere hands
// out nothing there.
func TestManifestPlainNamesOnly(t *testing.T) {
	f := Folder{Dir: t.TempDir()}
	writeFile(t, f.Path(ReportManifest), []byte("../outside.txt\nsub/x.txt\nsummary.txt\n\n"+ReportManifest+"\n"))
	writeFile(t, f.Path("sub/x.txt"), nil)
	writeFile(t, f.Path(SummaryText), nil)
	writeFile(t, f.Path(ReportManifest+".keep"), nil)
	m, err := f.OpenManifest()
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Conflicts([]string{SummaryText, "sub"}); !slices.Equal(got, []string{"sub"}) {
		t.Errorf("conflicts %q, want sub alone: only summary.txt is a plain name the manifest lists", got)
	}
	if _, err := m.Claim(ReportManifest); err == nil {
		t.Error("the manifest handed out itself")
	}
}
