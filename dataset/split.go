package dataset

import "math"

// Split shuffles samples with a generator seeded by seed and moves
// round(holdout*len) of them into held, rounding halves away from zero.
// The rest go to train. When len(samples) >= 2, each part gets at least
// one sample, which in effect clamps holdout to [1/len, 1-1/len]. A NaN or
// negative holdout counts as 0 and one above 1 as 1. With fewer than two
// samples everything goes to train.
//
// Both parts keep the input order. The same samples, holdout and seed give
// the same split on every platform and Go version, because the shuffle
// uses its own SplitMix64 generator rather than math/rand.
func Split(samples []Sample, holdout float64, seed int64) (train, held []Sample) {
	n := len(samples)
	if n < 2 {
		return append([]Sample(nil), samples...), nil
	}

	if math.IsNaN(holdout) || holdout < 0 {
		holdout = 0
	}
	k := int(math.Round(math.Min(holdout, 1) * float64(n)))
	k = min(max(k, 1), n-1)

	// Fisher-Yates shuffle of the indices; the first k are held out.
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	rng := splitMix64{state: uint64(seed)}
	for i := n - 1; i > 0; i-- {
		j := int(rng.below(uint64(i + 1)))
		perm[i], perm[j] = perm[j], perm[i]
	}

	isHeld := make([]bool, n)
	for _, i := range perm[:k] {
		isHeld[i] = true
	}

	train = make([]Sample, 0, n-k)
	held = make([]Sample, 0, k)
	for i, s := range samples {
		if isHeld[i] {
			held = append(held, s)
		} else {
			train = append(train, s)
		}
	}
	return train, held
}

// splitMix64 is the SplitMix64 pseudorandom generator, whose output is
// fixed by its published reference constants.
type splitMix64 struct {
	state uint64
}

// next returns the next 64 random bits.
func (r *splitMix64) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// below returns a uniform value in [0, n) for n > 0. Rejecting draws at or
// above the largest multiple of n removes the modulo bias.
func (r *splitMix64) below(n uint64) uint64 {
	limit := math.MaxUint64 - math.MaxUint64%n
	for {
		if v := r.next(); v < limit {
			return v % n
		}
	}
}
