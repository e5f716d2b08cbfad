package runfiles

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
)

func timelineOfThree() Timeline {
	return Timeline{
		Strategy: "pool", Cores: 2, Workers: 3,
		Jobs: []Span{
			{Job: 0, Worker: 0, Start: 10, End: 2 * time.Millisecond},
			{Job: 2, Worker: 2, Start: 15, End: 3 * time.Millisecond},
			{Job: 1, Worker: 1, Start: time.Millisecond, End: time.Second},
		},
	}
}

func TestTimelineCSVRoundTrip(t *testing.T) {
	want := timelineOfThree()
	var b bytes.Buffer
	if err := WriteTimelineCSV(&b, want); err != nil {
		t.Fatal(err)
	}
	wantText := `strategy,cores,workers,job,worker,start_ns,end_ns
pool,2,3,0,0,10,2000000
pool,2,3,2,2,15,3000000
pool,2,3,1,1,1000000,1000000000
`
	if got := b.String(); got != wantText {
		t.Errorf("WriteTimelineCSV:\n got %q\nwant %q", got, wantText)
	}
	got, err := ReadTimelineCSV(&b, "t.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}
}

func TestTimelineName(t *testing.T) {
	if got, want := TimelineName("perjob", 8, 7, true), "timeline-perjob-8"; got != want {
		t.Errorf("default workers: got %q, want %q", got, want)
	}
	if got, want := TimelineName("perjob", 8, 7, false), "timeline-perjob-8-w7"; got != want {
		t.Errorf("other workers: got %q, want %q", got, want)
	}
}

func TestReadTimelineCSVErrors(t *testing.T) {
	const head = "strategy,cores,workers,job,worker,start_ns,end_ns\n"
	tests := []struct {
		name string
		in   string
		want string // the whole error, name:line first
	}{
		{"empty", "", "t.csv:1: empty file, want the header strategy,cores,workers,job,worker,start_ns,end_ns"},
		{"header only", head, "t.csv: no jobs"},
		{"wrong header", "strategy,cores,workers,job,worker,start,end_ns\npool,1,1,0,0,0,1\n", `t.csv:1: column 6 is "start", want "start_ns"`},
		{"short header", "strategy,cores\n", "t.csv:1: wrong number of fields"},
		{"short row", head + "pool,1,1,0,0,0,1\npool,1,1,1,0,0\n", "t.csv:3: wrong number of fields"},
		{"not a number", head + "pool,1,1,0,0,0,x\n", `t.csv:2: end_ns: strconv.ParseInt: parsing "x": invalid syntax`},
		{"bad cores", head + "pool,0,1,0,0,0,1\n", "t.csv:2: cores 0, workers 1, job 0, worker 0 out of range"},
		{"negative job", head + "pool,1,1,-1,0,0,1\n", "t.csv:2: cores 1, workers 1, job -1, worker 0 out of range"},
		{"negative start", head + "pool,1,1,0,0,-1,1\n", "t.csv:2: job 0 runs from -1 ns to 1 ns"},
		{"end before start", head + "pool,1,1,0,0,0,1\npool,1,1,1,0,5,4\n", "t.csv:3: job 1 runs from 5 ns to 4 ns"},
		{"configuration changes", head + "pool,1,1,0,0,0,1\nserial,1,1,1,0,0,1\n", "t.csv:3: configuration changes mid-file"},
		{"line after a blank line", head + "pool,1,1,0,0,0,1\n\npool,1,1,1,0,0,x\n", `t.csv:4: end_ns: strconv.ParseInt: parsing "x": invalid syntax`},
		{"line after a multi-line field", head + "\"po\nol\",1,1,0,0,0,1\n\"po\nol\",1,1,1,0,0,x\n", `t.csv:4: end_ns: strconv.ParseInt: parsing "x": invalid syntax`},
		{"bad quote", head + "pool,1,1,0,0,0,1\npo\"ol,1,1,1,0,0,1\n", `t.csv:3: bare " in non-quoted-field`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ReadTimelineCSV(strings.NewReader(tt.in), "t.csv")
			if err == nil {
				t.Fatalf("got %+v, want error %q", s, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got error %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzReadTimelineCSV(f *testing.F) {
	// More seeds live in testdata/fuzz/FuzzReadTimelineCSV.
	var b bytes.Buffer
	if err := WriteTimelineCSV(&b, timelineOfThree()); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ReadTimelineCSV(bytes.NewReader(data), "fuzz.csv")
		// The head is a prefix of the file, read by the same checks: it
		// fails where the whole file fails there, and names the
		// configuration of a file that reads.
		head, headErr := readTimelineHead(bytes.NewReader(data), "fuzz.csv")
		if headErr != nil && err == nil {
			t.Fatalf("head: %v, but the whole file reads", headErr)
		}
		if err == nil && (head.Strategy != s.Strategy || head.Cores != s.Cores || head.Workers != s.Workers || head.Jobs != nil) {
			t.Fatalf("head %+v, want the configuration of %+v and no jobs", head, s)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv:") {
				t.Errorf("error %q does not start with the file name", err)
			}
			return
		}
		if len(s.Jobs) == 0 || s.Cores < 1 || s.Workers < 1 {
			t.Fatalf("accepted %+v: want jobs, cores and workers", s)
		}
		for _, j := range s.Jobs {
			if j.Job < 0 || j.Worker < 0 || j.Start < 0 || j.End < j.Start {
				t.Fatalf("accepted job %+v", j)
			}
		}
		// What was accepted is written back and read the same.
		var b bytes.Buffer
		if err := WriteTimelineCSV(&b, s); err != nil {
			t.Fatalf("writing back %+v: %v", s, err)
		}
		again, err := ReadTimelineCSV(&b, "again.csv")
		if err != nil {
			t.Fatalf("reading back what was written: %v\n%s", err, b.Bytes())
		}
		if !reflect.DeepEqual(again, s) {
			t.Fatalf("written back and read:\n got %+v\nwant %+v", again, s)
		}
	})
}
