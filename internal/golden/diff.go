package golden

import (
	"fmt"
	"strings"
)

// contextLines is how many unchanged lines a hunk shows either side of a
// change, as diff -u does.
const contextLines = 3

// maxDiffLines bounds what Diff shows; the whole output is in the .got-*
// file beside the golden file.
const maxDiffLines = 200

// maxCells bounds the line-matching table: past it, the lines between the
// common head and tail are shown as one change instead of matched.
const maxCells = 1 << 22

// op is one line of an edit script: ' ' kept, '-' only in want, '+' only
// in got.
type op struct {
	kind byte
	line string
}

// Diff is a unified diff from want to got, the way diff -u shows one: an
// inserted line is one '+' line, not a change of every line after it.
// It is empty when want and got are equal.
func Diff(want, got string) string {
	if want == got {
		return ""
	}
	w, g := splitLines(want), splitLines(got)
	ops := editScript(w, g)
	var b strings.Builder
	b.WriteString("--- want\n+++ got\n")
	shown := 0
	for _, h := range hunks(ops) {
		fmt.Fprintf(&b, "@@ -%s +%s @@\n", span(h.wantStart, h.wantLen), span(h.gotStart, h.gotLen))
		for _, o := range ops[h.from:h.to] {
			if shown == maxDiffLines {
				fmt.Fprintf(&b, "... (diff cut at %d lines)\n", maxDiffLines)
				return b.String()
			}
			b.WriteByte(o.kind)
			b.WriteString(o.line)
			b.WriteByte('\n')
			shown++
		}
	}
	return b.String()
}

// splitLines splits s into lines; a final newline ends the last line
// rather than starting an empty one.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// editScript matches the lines of w and g by a longest common subsequence,
// after taking off the lines they share at the head and the tail.
func editScript(w, g []string) []op {
	var head, tail []op
	for len(w) > 0 && len(g) > 0 && w[0] == g[0] {
		head = append(head, op{' ', w[0]})
		w, g = w[1:], g[1:]
	}
	for len(w) > 0 && len(g) > 0 && w[len(w)-1] == g[len(g)-1] {
		tail = append(tail, op{' ', w[len(w)-1]})
		w, g = w[:len(w)-1], g[:len(g)-1]
	}
	ops := head
	if (len(w)+1)*(len(g)+1) > maxCells {
		for _, l := range w {
			ops = append(ops, op{'-', l})
		}
		for _, l := range g {
			ops = append(ops, op{'+', l})
		}
	} else {
		ops = append(ops, lcsScript(w, g)...)
	}
	for i := len(tail) - 1; i >= 0; i-- {
		ops = append(ops, tail[i])
	}
	return ops
}

// lcsScript is the edit script of a longest common subsequence of w and g,
// by the textbook table of suffix lengths.
func lcsScript(w, g []string) []op {
	n, m := len(w), len(g)
	cols := m + 1
	t := make([]int32, (n+1)*cols)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if w[i] == g[j] {
				t[i*cols+j] = t[(i+1)*cols+j+1] + 1
			} else {
				t[i*cols+j] = max(t[(i+1)*cols+j], t[i*cols+j+1])
			}
		}
	}
	var ops []op
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case w[i] == g[j]:
			ops = append(ops, op{' ', w[i]})
			i, j = i+1, j+1
		case t[(i+1)*cols+j] >= t[i*cols+j+1]:
			ops = append(ops, op{'-', w[i]})
			i++
		default:
			ops = append(ops, op{'+', g[j]})
			j++
		}
	}
	for ; i < n; i++ {
		ops = append(ops, op{'-', w[i]})
	}
	for ; j < m; j++ {
		ops = append(ops, op{'+', g[j]})
	}
	return ops
}

// hunk is a run of ops[from:to] with its place in want and in got (lines
// counted from 1).
type hunk struct {
	from, to                             int
	wantStart, wantLen, gotStart, gotLen int
}

// hunks groups the changes of ops with contextLines of kept lines around
// each, merging changes whose context would overlap.
func hunks(ops []op) []hunk {
	var hs []hunk
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		// last is the hunk's last change: a later change joins it unless
		// more than twice the context of kept lines lies between them.
		last := i
		for j := i + 1; j < len(ops); {
			if ops[j].kind != ' ' {
				last = j
				j++
				continue
			}
			k := j
			for k < len(ops) && ops[k].kind == ' ' {
				k++
			}
			if k == len(ops) || k-j > 2*contextLines {
				break
			}
			j = k
		}
		to := min(len(ops), last+1+contextLines)
		hs = append(hs, place(ops, max(0, i-contextLines), to))
		i = to
	}
	return hs
}

// place counts where ops[from:to] starts in want and in got.
func place(ops []op, from, to int) hunk {
	h := hunk{from: from, to: to, wantStart: 1, gotStart: 1}
	for _, o := range ops[:from] {
		if o.kind != '+' {
			h.wantStart++
		}
		if o.kind != '-' {
			h.gotStart++
		}
	}
	for _, o := range ops[from:to] {
		if o.kind != '+' {
			h.wantLen++
		}
		if o.kind != '-' {
			h.gotLen++
		}
	}
	return h
}

// span is a hunk header's "start,len", where an empty side names the line
// before it, as diff -u does.
func span(start, n int) string {
	if n == 0 {
		start--
	}
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}
