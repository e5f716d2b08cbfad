package report

import "math"

// bootMedian is benchmath's median (the R8 quantile at 0.5, as
// go-moremath's Sample.Quantile computes it on sorted values) in expected
// linear time: two order statistics found by selection instead of a sort.
// The bootstrap takes one per resample, and a sort per resample made a
// report of many samples take minutes. It reorders xs.
func bootMedian(xs []float64) float64 {
	n := len(xs)
	switch n {
	case 0:
		return math.NaN()
	case 1:
		return xs[0]
	}
	kf, frac := math.Modf(1/3.0 + 0.5*(float64(n)+1/3.0))
	k := int(kf)
	if k <= 0 {
		k = 1 // not reached for n >= 1; as Quantile's xs[0]
		frac = 0
	}
	if k >= n {
		return selectKth(xs, n-1)
	}
	lo := selectKth(xs, k-1)
	// After selection everything from k on is at least lo: the next
	// order statistic is their minimum.
	hi := xs[k]
	for _, v := range xs[k+1:] {
		if v < hi {
			hi = v
		}
	}
	return lo + frac*(hi-lo)
}

// selectKth reorders xs so that xs[k] is its k-th smallest value (from 0),
// nothing before it larger and nothing after it smaller, and returns it.
// The pivot is the median of three, so sorted and constant inputs stay
// linear.
func selectKth(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		// Median of three into xs[mid].
		if xs[mid] < xs[lo] {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if xs[hi] < xs[lo] {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if xs[hi] < xs[mid] {
			xs[hi], xs[mid] = xs[mid], xs[hi]
		}
		pivot := xs[mid]
		i, j := lo, hi
		for i <= j {
			for xs[i] < pivot {
				i++
			}
			for xs[j] > pivot {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}
