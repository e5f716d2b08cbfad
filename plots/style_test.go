package plots

import (
	"fmt"
	"testing"
)

func TestKnownStrategyStyles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		color string
		m     Marker
	}{
		{"serial", "#000000", MarkerCircle},
		{"pool", "#0072b2", MarkerSquare},
		{"perjob", "#d55e00", MarkerTriangleUp},
		{"perjob-unbounded", "#cc79a7", MarkerTriangleDown},
		{"procpool", "#009e73", MarkerDiamond},
	} {
		s := StrategyStyle(tc.name)
		if got := hexColor(s.Color); got != tc.color || s.Marker != tc.m {
			t.Errorf("%s: got %s %v, want %s %v", tc.name, got, s.Marker, tc.color, tc.m)
		}
	}
}

func TestShippedStrategyStylesDistinct(t *testing.T) {
	seen := map[Style]string{}
	for _, k := range knownStrategies {
		if other, dup := seen[k.style]; dup {
			t.Errorf("%s and %s share the style %s %v", k.name, other, hexColor(k.style.Color), k.style.Marker)
		}
		seen[k.style] = k.name
	}
}

func TestUnknownStrategyStyles(t *testing.T) {
	known := map[Style]string{}
	for _, k := range knownStrategies {
		known[k.style] = k.name
	}
	for i := range 50 {
		name := fmt.Sprintf("strategy-%d", i)
		a, b := StrategyStyle(name), StrategyStyle(name)
		if a != b {
			t.Fatalf("%s: styled %v, then %v", name, a, b)
		}
		if k, ok := known[a]; ok {
			t.Errorf("%s: takes the style of %s, a strategy parbench ships", name, k)
		}
		if a.Marker < 0 || a.Marker >= numMarkers {
			t.Errorf("%s: marker %v out of range", name, a.Marker)
		}
	}
}

func TestCompareStrategies(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"serial", "pool", -1},
		{"procpool", "perjob", 1},
		{"pool", "perjob", 1}, // by name, as strategies.Names() and the tables order them
		{"procpool", "aaa", 1},
		{"aaa", "serial", 1},
		{"aaa", "bbb", -1},
		{"pool", "pool", 0},
	} {
		if got := compareStrategies(tc.a, tc.b); got != tc.want {
			t.Errorf("compare(%q, %q): got %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
