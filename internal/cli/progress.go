package cli

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/parbench/parbench/harness"
	"golang.org/x/term"
)

// progressPrinter shows where a sweep is on stderr: one line rewritten in
// place on a terminal, and a plain line per configuration otherwise (logs
// and CI keep every line readable).
type progressPrinter struct {
	w        io.Writer
	terminal bool
	last     time.Time
	drawn    bool
}

func newProgressPrinter(w io.Writer) *progressPrinter {
	p := &progressPrinter{w: w}
	// A character device is not enough: /dev/null is one too, and a line
	// rewritten in place there is only noise for whatever reads it.
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.terminal = true
	}
	return p
}

func (p *progressPrinter) update(pr harness.Progress) {
	round := fmt.Sprintf("round %d/%d", pr.Round+1, pr.Rounds)
	if pr.Target > 0 && pr.Round >= pr.Rounds {
		round = fmt.Sprintf("round %d (extra)", pr.Round+1)
	}
	if pr.Round < 0 {
		round = "timeline"
	}
	if pr.Pass != "" {
		round = pr.Pass
	}
	eta := "ETA --"
	if pr.ETA > 0 {
		eta = "ETA " + fmtDuration(pr.ETA)
	}
	line := fmt.Sprintf("[%d/%d] %s %-40s elapsed %s %s", pr.Done, pr.Total, round, pr.Trial, fmtDuration(pr.Elapsed), eta)
	if pr.Target > 0 && pr.Round >= 0 {
		worst := "worst ±--"
		if !math.IsNaN(pr.Worst) {
			worst = fmt.Sprintf("worst ±%s (%v)", fmtPct(pr.Worst), pr.WorstTrial)
		}
		line += fmt.Sprintf(", target ±%s: %s", fmtPct(pr.Target), worst)
	}
	if p.terminal {
		// Rewriting more than ten times a second only costs CPU.
		if time.Since(p.last) < 100*time.Millisecond {
			return
		}
		p.last = time.Now()
		fmt.Fprintf(p.w, "\r\x1b[K%s", line)
		p.drawn = true
		return
	}
	// One line per configuration: when its sample is in, or when an
	// untimed timeline batch starts.
	if pr.Sampled || pr.Round < 0 {
		fmt.Fprintln(p.w, line)
	}
}

func (p *progressPrinter) finish() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

func fmtDuration(d time.Duration) string {
	d = d.Round(time.Second)
	if d >= time.Hour {
		return fmt.Sprintf("%dh%02dm%02ds", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}

// fmtPct formats a fraction as a percent: 0.031 is "3.1%".
func fmtPct(f float64) string {
	if math.IsInf(f, 1) {
		return "∞"
	}
	return strconv.FormatFloat(100*f, 'f', 1, 64) + "%"
}
