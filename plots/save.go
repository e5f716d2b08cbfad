package plots

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image/png"
	"io"
	"math"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Format is an output file format.
type Format string

const (
	PNG Format = "png" // raster, at Options.DPI
	SVG Format = "svg" // vector; text as outlines unless Options.SelectableText
	PDF Format = "pdf" // vector; text as outlines
)

// Formats returns the supported formats.
func Formats() []Format { return []Format{PNG, SVG, PDF} }

// ParseFormat returns the format named by s ("png", "svg" or "pdf", in any
// case, with or without a leading dot).
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), ".")))
	for _, ok := range Formats() {
		if f == ok {
			return f, nil
		}
	}
	return "", fmt.Errorf("plots: unknown format %q (want png, svg or pdf)", s)
}

// DefaultDPI is the PNG resolution unless Options say otherwise: a 6.5 inch
// chart is 1300 pixels wide, sharp in print at full column width.
const DefaultDPI = 200

// Options control encoding. The zero value means the figure's own size and
// DefaultDPI.
type Options struct {
	Width, Height vg.Length // both zero: the figure's preferred size
	DPI           int       // PNG only; zero: DefaultDPI
	// Vector formats draw text as glyph outlines, so that a chart looks
	// the same in every viewer without fonts; the text cannot be selected
	// or searched. SelectableText keeps an SVG's text as text with the
	// fonts embedded, which adds about 450 kB. (gonum's PDF backend cannot
	// write non-Latin-1 text such as σ, so PDFs always use outlines.)
	SelectableText bool
}

// Encode draws f and writes it to w in the given format. A PNG is
// width × height inches times DPI pixels and records its DPI in a pHYs
// chunk, so that LaTeX and word processors place it at its intended size.
func (f *Figure) Encode(w io.Writer, format Format, opt Options) (err error) {
	width, height := f.width, f.height
	if opt.Width != 0 || opt.Height != 0 {
		width, height = opt.Width, opt.Height
	}
	if !(width > 0 && height > 0) || math.IsInf(float64(width+height), 0) {
		return fmt.Errorf("plots: invalid size %v × %v", width, height)
	}
	dpi := opt.DPI
	if dpi == 0 {
		dpi = DefaultDPI
	}
	if dpi < 0 || dpi > 2400 {
		return fmt.Errorf("plots: invalid DPI %d (want 1 to 2400)", dpi)
	}
	// The input was validated, so gonum should not panic; if it does all
	// the same, the report must go on without this one chart.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("plots: drawing %q failed: %v", f.title, r)
		}
	}()

	switch format {
	case PNG:
		c := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi))
		f.Draw(draw.New(c))
		return writePNG(w, c, dpi)
	case SVG:
		c := vgsvg.NewWith(vgsvg.UseWH(width, height), vgsvg.EmbedFonts(opt.SelectableText))
		if opt.SelectableText {
			f.Draw(draw.New(c))
		} else {
			f.Draw(draw.New(&outlineText{Canvas: c, w: width, h: height}))
		}
		if _, err := c.WriteTo(w); err != nil {
			return fmt.Errorf("plots: encoding SVG: %w", err)
		}
		return nil
	case PDF:
		c := vgpdf.New(width, height)
		f.Draw(draw.New(&outlineText{Canvas: c, w: width, h: height}))
		if _, err := c.WriteTo(w); err != nil {
			return fmt.Errorf("plots: encoding PDF: %w", err)
		}
		return nil
	}
	_, err = ParseFormat(string(format))
	return err
}

// writePNG encodes the canvas with a pHYs chunk after the IHDR chunk; Go's
// image/png writes none, and without one most tools assume 72 or 96 DPI.
func writePNG(w io.Writer, c *vgimg.Canvas, dpi int) error {
	var buf bytes.Buffer
	if err := png.Encode(&buf, c.Image()); err != nil {
		return fmt.Errorf("plots: encoding PNG: %w", err)
	}
	const ihdrEnd = 8 + 4 + 4 + 13 + 4 // signature, then IHDR's length, type, data and CRC
	b := buf.Bytes()
	if len(b) < ihdrEnd || string(b[12:16]) != "IHDR" {
		return errors.New("plots: encoding PNG: no IHDR chunk")
	}
	ppm := uint32(math.Round(float64(dpi) / 0.0254))
	chunk := make([]byte, 0, 4+4+9+4)
	chunk = binary.BigEndian.AppendUint32(chunk, 9)
	chunk = append(chunk, "pHYs"...)
	chunk = binary.BigEndian.AppendUint32(chunk, ppm)
	chunk = binary.BigEndian.AppendUint32(chunk, ppm)
	chunk = append(chunk, 1) // unit: metre
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	for _, part := range [][]byte{b[:ihdrEnd], chunk, b[ihdrEnd:]} {
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}

// Filename returns a chart's file name: its name, such as "speedup" or a
// timeline's name from the harness, with the format's extension. Path
// separators in name become underscores, so the file stays in the folder
// the caller chose.
func Filename(name string, format Format) string {
	return safeName(name) + "." + string(format)
}

// safeName keeps a name from reaching outside its folder.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '/', '\\', ':', 0:
			return '_'
		}
		return r
	}, s)
}
