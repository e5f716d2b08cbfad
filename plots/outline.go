package plots

import (
	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// outlineText is a canvas that draws text as filled glyph outlines rather
// than as text in a font. gonum's PDF backend writes text in the WinAnsi
// code page and passes UTF-8 through unconverted, so ×, · and any Greek
// letter (σ and κ of a USL fit) come out as mojibake; an SVG that names
// its font is drawn in whatever font the viewer has, wider or narrower
// than the layout assumed. Outlines look the same in every viewer, need no
// font, and cannot be mangled.
type outlineText struct {
	vg.Canvas
	w, h vg.Length
	buf  sfnt.Buffer
}

func (c *outlineText) Size() (w, h vg.Length) { return c.w, c.h }

// FillString fills the outline of s, with its baseline starting at pt, in
// the current colour. Runes the font lacks are drawn as its .notdef glyph.
func (c *outlineText) FillString(f font.Face, pt vg.Point, s string) {
	if f.Font.Size == 0 || f.Face == nil {
		return
	}
	// At a ppem of one em in font units the glyph coordinates are font
	// units, which scale converts to points.
	upem := f.Face.UnitsPerEm()
	ppem := fixed.Int26_6(upem)
	scale := f.Font.Size / vg.Length(upem)
	at := func(x vg.Length, p fixed.Point26_6) vg.Point {
		return vg.Point{X: x + vg.Length(p.X)*scale, Y: pt.Y - vg.Length(p.Y)*scale} // sfnt's y grows down
	}

	var path vg.Path
	x := pt.X
	var prev sfnt.GlyphIndex
	for i, r := range []rune(s) {
		idx, err := f.Face.GlyphIndex(&c.buf, r)
		if err != nil {
			continue
		}
		if i > 0 {
			if k, err := f.Face.Kern(&c.buf, prev, idx, ppem, xfont.HintingNone); err == nil {
				x += vg.Length(k) * scale
			}
		}
		// The segments live in c.buf: use them before the next call.
		segs, err := f.Face.LoadGlyph(&c.buf, idx, ppem, nil)
		if err == nil {
			for j, seg := range segs {
				switch seg.Op {
				case sfnt.SegmentOpMoveTo:
					if j > 0 {
						path.Close()
					}
					path.Move(at(x, seg.Args[0]))
				case sfnt.SegmentOpLineTo:
					path.Line(at(x, seg.Args[0]))
				case sfnt.SegmentOpQuadTo:
					path.QuadTo(at(x, seg.Args[0]), at(x, seg.Args[1]))
				case sfnt.SegmentOpCubeTo:
					path.CubeTo(at(x, seg.Args[0]), at(x, seg.Args[1]), at(x, seg.Args[2]))
				}
			}
			if len(segs) > 0 {
				path.Close()
			}
		}
		if adv, err := f.Face.GlyphAdvance(&c.buf, idx, ppem, xfont.HintingNone); err == nil {
			x += vg.Length(adv) * scale
		}
		prev = idx
	}
	if len(path) > 0 {
		c.Canvas.Fill(path)
	}
}
