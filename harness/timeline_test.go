package harness

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parbench/parbench/runfiles"
	"github.com/parbench/parbench/strategies"
)

func timelineSample() Sample {
	return Sample{
		Trial: Trial{Strategy: "pool", Cores: 2, Workers: 3},
		Jobs: []strategies.Result{
			{Job: 0, Worker: 0, Start: 10, End: 2 * time.Millisecond},
			{Job: 2, Worker: 2, Start: 15, End: 3 * time.Millisecond},
			{Job: 1, Worker: 1, Start: time.Millisecond, End: time.Second},
		},
	}
}

func TestSaveTimeline(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "timeline-pool-2-w3.csv")
	want := timelineSample()
	if err := SaveTimeline(path, want); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := runfiles.ReadTimelineCSV(f, path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, timeline(want)) {
		t.Errorf("read back:\n got %+v\nwant %+v", got, want)
	}
	checkOnlyFiles(t, dir, "timeline-pool-2-w3.csv")
}

// checkOnlyFiles fails unless dir holds exactly the named files: no
// temporary file may be left behind.
func checkOnlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Errorf("%s holds %q, want only %q", dir, got, names)
	}
}
