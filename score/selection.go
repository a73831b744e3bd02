package score

// maxValue returns the largest value of a non-empty slice.
func maxValue(values []float32) float32 {
	m := values[0]
	for _, v := range values[1:] {
		if v > m {
			m = v
		}
	}
	return m
}

// meanOfLargest returns the mean of the k largest values, 1 <= k <=
// len(values). It reorders values in place with quickselect (expected
// linear time) instead of sorting. values must not contain NaN.
func meanOfLargest(values []float32, k int) float64 {
	n := len(values)
	if k < n {
		selectNth(values, n-k)
	}

	var sum float64
	for _, v := range values[n-k:] {
		sum += float64(v)
	}
	return sum / float64(k)
}

// selectNth reorders a so that a[nth] is the value a sorted copy would
// hold there, with a[:nth] <= a[nth] <= a[nth+1:]. It is quickselect with
// a median-of-three pivot and a three-way partition. The partition keeps
// the elements equal to the pivot out of the range searched next, so runs
// of equal values (a mostly flat error map) do not slow it down.
func selectNth(a []float32, nth int) {
	lo, hi := 0, len(a)-1

	for lo < hi {
		// Median of three: sort a[lo], a[mid], a[hi] and pivot on a[mid].
		mid := lo + (hi-lo)/2
		if a[mid] < a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		pivot := a[mid]

		// Three-way partition: [lo, lt) < pivot, [lt, gt] == pivot,
		// (gt, hi] > pivot.
		lt, i, gt := lo, lo, hi
		for i <= gt {
			switch {
			case a[i] < pivot:
				a[lt], a[i] = a[i], a[lt]
				lt++
				i++
			case a[i] > pivot:
				a[i], a[gt] = a[gt], a[i]
				gt--
			default:
				i++
			}
		}

		switch {
		case nth < lt:
			hi = lt - 1
		case nth > gt:
			lo = gt + 1
		default:
			return
		}
	}
}
