// Package plots draws parbench's charts: speedup, efficiency, throughput and
// batch time against cores (Speedup, Efficiency, Throughput, Time), a worker
// timeline of one batch as a Gantt chart (Timeline), stacked bars of where
// CPU time goes (Overhead) and of where efficiency goes (EfficiencyLoss),
// and each CPU's speed relative to the fastest over a run (CPUSpeed).
//
// The package draws the data it is given and knows nothing of result files,
// flags or statistics: the caller converts report rows into Series (one per
// strategy and machine, with an optional fitted model as a function of
// cores), timeline records into Spans and profiles into Breakdowns, and
// chooses where each chart is written (Filename adds the extension).
//
// Every chart function validates and copies its input first: NaN, Inf,
// empty input, a confidence interval that does not contain its median and
// other impossible input are errors that name the series and the point, and
// no figure is returned with an error. A chart function returns a *Figure,
// which lays out the title, the plot, a legend that never covers data
// (beside the plot, or below it in columns when its entries are too wide
// or too many to stand beside it, the figure growing to hold them) and a
// caption. Figure.Encode writes it as PNG (at
// DefaultDPI, 200 dots per inch, with the resolution recorded in the file),
// SVG or PDF. Vector formats draw text as glyph outlines so that they look
// the same everywhere without fonts.
//
// Styling is fixed so that charts can be compared: a strategy gets the same
// colour and marker in every chart (see StrategyStyle), and with several
// machines in one chart each machine gets its own line dash and marker fill,
// with "strategy @ machine" in the legend. Speedup, efficiency and
// throughput start at zero; so does time, unless it spans a factor of 20 or
// more, when it is drawn on a log scale. The cores axis has integer ticks
// and starts at zero, so the ideal speedup line runs through the origin; it
// switches to a log2 scale (ticks 1, 2, 4, ..., 128) when the cores span a
// factor of 32 or more, unless Chart.XScale says otherwise.
//
// The stacked bar charts draw a panel per strategy (small multiples) in a
// grid, the panels sharing the y axis and the slots of the x axis, and
// the figure grows a row at a time: a single plot with a group of bars per
// strategy would give each of about 200 configurations on 128 CPUs a
// slot too narrow to read. Every core count gets a tick; a label where
// all fit, else the first, the last and the powers of two between them
// that keep labels apart.
//
// The numbers each chart is built from (axes, ticks, the plotted series,
// the sampled fits and reference lines, timeline bars, stacked shares) are
// computed apart from the drawing, and the golden tests in testdata check
// them; go test -update rewrites the golden files. go test -out DIR also
// writes every chart the tests draw to DIR, to be looked at.
package plots
