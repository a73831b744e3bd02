package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func randF32(r *rand.Rand, n int, scale float64) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32((2*r.Float64() - 1) * scale)
	}
	return s
}

func to64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

// naiveConv is a direct 3x3, stride 1, padding 1 convolution in float64.
func naiveConv(x, w, b []float32, in, out, h, wd int) []float64 {
	return naiveConv64(to64(x), to64(w), to64(b), in, out, h, wd)
}

func naiveConv64(x, w, b []float64, in, out, h, wd int) []float64 {
	y := make([]float64, out*h*wd)
	for o := 0; o < out; o++ {
		for yy := 0; yy < h; yy++ {
			for xx := 0; xx < wd; xx++ {
				s := b[o]
				for c := 0; c < in; c++ {
					for ky := 0; ky < 3; ky++ {
						for kx := 0; kx < 3; kx++ {
							sy, sx := yy+ky-1, xx+kx-1
							if sy < 0 || sy >= h || sx < 0 || sx >= wd {
								continue
							}
							s += x[c*h*wd+sy*wd+sx] * w[((o*in+c)*3+ky)*3+kx]
						}
					}
				}
				y[o*h*wd+yy*wd+xx] = s
			}
		}
	}
	return y
}

// naiveConvT is a direct 3x3, stride 2, padding 1, output padding 1
// transposed convolution (PyTorch semantics) in float64: every input
// element scatters W[i][o] into the output at (2iy-1+ky, 2ix-1+kx).
func naiveConvT(x, w, b []float32, in, out, hi, wi int) []float64 {
	return naiveConvT64(to64(x), to64(w), to64(b), in, out, hi, wi)
}

func naiveConvT64(x, w, b []float64, in, out, hi, wi int) []float64 {
	ho, wo := 2*hi, 2*wi
	y := make([]float64, out*ho*wo)
	for o := 0; o < out; o++ {
		for i := 0; i < ho*wo; i++ {
			y[o*ho*wo+i] = b[o]
		}
	}
	for c := 0; c < in; c++ {
		for iy := 0; iy < hi; iy++ {
			for ix := 0; ix < wi; ix++ {
				v := x[c*hi*wi+iy*wi+ix]
				for o := 0; o < out; o++ {
					for ky := 0; ky < 3; ky++ {
						for kx := 0; kx < 3; kx++ {
							oy, ox := 2*iy-1+ky, 2*ix-1+kx
							if oy < 0 || oy >= ho || ox < 0 || ox >= wo {
								continue
							}
							y[o*ho*wo+oy*wo+ox] += v * w[((c*out+o)*3+ky)*3+kx]
						}
					}
				}
			}
		}
	}
	return y
}

func naiveMaxPool(x []float64, c, h, w int) []float64 {
	y := make([]float64, c*h*w/4)
	for ch := 0; ch < c; ch++ {
		for oy := 0; oy < h/2; oy++ {
			for ox := 0; ox < w/2; ox++ {
				m := math.Inf(-1)
				for dy := 0; dy < 2; dy++ {
					for dx := 0; dx < 2; dx++ {
						m = math.Max(m, x[ch*h*w+(2*oy+dy)*w+2*ox+dx])
					}
				}
				y[ch*(h/2)*(w/2)+oy*(w/2)+ox] = m
			}
		}
	}
	return y
}

func checkClose(t *testing.T, name string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: len %d, want %d", name, len(got), len(want))
	}
	for i := range want {
		if d := math.Abs(float64(got[i]) - want[i]); d > tol*(1+math.Abs(want[i])) || math.IsNaN(float64(got[i])) {
			t.Fatalf("%s: [%d] = %v, want %v", name, i, got[i], want[i])
		}
	}
}

var convCases = []struct{ in, out, h, w int }{
	{1, 1, 2, 2},
	{1, 2, 4, 4},
	{3, 5, 6, 8},
	{2, 3, 8, 2},
	{4, 7, 10, 6},
	{16, 20, 12, 12}, // wide enough for full GEMM tiles
	{1, 16, 6, 6},    // dW computed transposed (In*9 < 16 <= Out)
}

func TestConvForward(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, c := range convCases {
		for _, nw := range []int{1, 2} {
			t.Run(fmt.Sprintf("%dx%dx%dx%d/w%d", c.in, c.out, c.h, c.w, nw), func(t *testing.T) {
				l := &Layer{Kind: KindConv3x3, In: c.in, Out: c.out, InH: c.h, InW: c.w,
					Weight: randF32(r, c.out*c.in*9, 1), Bias: randF32(r, c.out, 1)}
				x := randF32(r, c.in*c.h*c.w, 1)
				y := make([]float32, c.out*c.h*c.w)
				col := make([]float32, c.in*9*c.h*c.w)
				convForward(l, x, y, col, true, nw)
				want := naiveConv(x, l.Weight, l.Bias, c.in, c.out, c.h, c.w)
				checkClose(t, "conv", y, want, 1e-5)

				// Fused bias + ReLU + max-pool against ReLU then pool.
				convForward(l, x, y, col, false, nw)
				pooled := make([]float32, len(y)/4)
				arg := make([]uint8, len(pooled))
				reluPool(pooled, arg, y, l.Bias, c.out, c.h, c.w)
				rl := make([]float64, len(want))
				for i, v := range want {
					rl[i] = math.Max(v, 0)
				}
				checkClose(t, "reluPool", pooled, naiveMaxPool(rl, c.out, c.h, c.w), 1e-5)
			})
		}
	}
}

func TestConvTForward(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	cases := []struct{ in, out, hi, wi int }{
		{1, 1, 1, 1},
		{2, 3, 3, 4},
		{4, 1, 2, 2},
		{1, 2, 5, 3},
		{8, 6, 4, 4},
		{20, 16, 6, 7},
	}
	for _, c := range cases {
		for _, a := range []act{actNone, actReLU, actSigmoid} {
			t.Run(fmt.Sprintf("%dx%dx%dx%d/act%d", c.in, c.out, c.hi, c.wi, a), func(t *testing.T) {
				l := &Layer{Kind: KindConvT3x3S2, In: c.in, Out: c.out, InH: c.hi, InW: c.wi,
					Weight: randF32(r, c.in*c.out*9, 1), Bias: randF32(r, c.out, 1)}
				x := randF32(r, c.in*c.hi*c.wi, 1)
				y := make([]float32, c.out*4*c.hi*c.wi)
				col := make([]float32, c.out*9*c.hi*c.wi)
				convTForward(l, x, y, col, a, 2)
				want := naiveConvT(x, l.Weight, l.Bias, c.in, c.out, c.hi, c.wi)
				for i, v := range want {
					switch a {
					case actReLU:
						want[i] = math.Max(v, 0)
					case actSigmoid:
						want[i] = 1 / (1 + math.Exp(-v))
					}
				}
				checkClose(t, "convT", y, want, 1e-5)
			})
		}
	}
}

func TestSimpleLayers(t *testing.T) {
	x := []float32{-1, 2, 0.5, -3, 4, 4, 0, -0.25}
	y := make([]float32, len(x))
	relu(y, x)
	checkClose(t, "relu", y, []float64{0, 2, 0.5, 0, 4, 4, 0, 0}, 0)
	p := make([]float32, 2)
	maxPool(p, x, 1, 2, 4) // rows (-1 2 .5 -3) (4 4 0 -.25)
	checkClose(t, "maxpool", p, []float64{4, 0.5}, 0)
	s := []float32{0, 2, -2}
	sigmoidInPlace(s)
	checkClose(t, "sigmoid", s, []float64{0.5, 1 / (1 + math.Exp(-2)), 1 / (1 + math.Exp(2))}, 1e-7)

	// Ties go to the first element in scan order, as in PyTorch.
	arg := make([]uint8, 2)
	reluPool(p, arg, []float32{1, 5, 5, 5, 2, 2, 2, 2}, nil, 1, 2, 4)
	if arg[0] != 1 || arg[1] != 0 {
		t.Fatalf("tie-breaking args = %v, want [1 0]", arg)
	}
}

// dot64 is Σ r_i * y_i with float64 accumulation: the scalar whose
// gradient with respect to y is r.
func dot64(r, y []float32) float64 {
	var s float64
	for i := range r {
		s += float64(r[i]) * float64(y[i])
	}
	return s
}

// fdCheck compares analytic gradient grad of f with respect to the
// elements of v against central differences.
func fdCheck(t *testing.T, name string, v []float32, grad []float32, h float64, tol float64, f func() float64) {
	t.Helper()
	worst := 0.0
	for i := range v {
		orig := v[i]
		v[i] = orig + float32(h)
		up := f()
		v[i] = orig - float32(h)
		down := f()
		v[i] = orig
		// Use the perturbation actually applied in float32.
		step := float64(orig+float32(h)) - float64(orig-float32(h))
		num := (up - down) / step
		err := math.Abs(num-float64(grad[i])) / math.Max(1, math.Max(math.Abs(num), math.Abs(float64(grad[i]))))
		worst = math.Max(worst, err)
		if err > tol {
			t.Fatalf("%s[%d]: analytic %v, numeric %v (rel err %.2g)", name, i, grad[i], num, err)
		}
	}
	t.Logf("%s: worst relative error %.2g over %d elements", name, worst, len(v))
}

func TestConvBackward(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, c := range append(convCases[:5:5], convCases[6]) {
		t.Run(fmt.Sprintf("%dx%dx%dx%d", c.in, c.out, c.h, c.w), func(t *testing.T) {
			l := &Layer{Kind: KindConv3x3, In: c.in, Out: c.out, InH: c.h, InW: c.w,
				Weight: randF32(r, c.out*c.in*9, 1), Bias: randF32(r, c.out, 1)}
			x := randF32(r, c.in*c.h*c.w, 1)
			proj := randF32(r, c.out*c.h*c.w, 1)
			y := make([]float32, len(proj))
			col := make([]float32, c.in*9*c.h*c.w)
			f := func() float64 {
				convForward(l, x, y, col, true, 1)
				return dot64(proj, y)
			}
			f()
			dw, db, dx := make([]float32, len(l.Weight)), make([]float32, len(l.Bias)), make([]float32, len(x))
			dcol := make([]float32, len(col))
			convBackward(l, col, proj, dw, db, dx, dcol, make([]float32, len(dw)), 2)
			fdCheck(t, "dW", l.Weight, dw, 1e-2, 1e-3, f)
			fdCheck(t, "db", l.Bias, db, 1e-2, 1e-3, f)
			fdCheck(t, "dx", x, dx, 1e-2, 1e-3, f)
		})
	}
}

func TestConvTBackward(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	cases := []struct{ in, out, hi, wi int }{{1, 1, 1, 1}, {2, 3, 3, 4}, {4, 1, 2, 2}, {3, 5, 4, 3}, {16, 1, 3, 3}}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%dx%dx%dx%d", c.in, c.out, c.hi, c.wi), func(t *testing.T) {
			l := &Layer{Kind: KindConvT3x3S2, In: c.in, Out: c.out, InH: c.hi, InW: c.wi,
				Weight: randF32(r, c.in*c.out*9, 1), Bias: randF32(r, c.out, 1)}
			x := randF32(r, c.in*c.hi*c.wi, 1)
			proj := randF32(r, c.out*4*c.hi*c.wi, 1)
			y := make([]float32, len(proj))
			col := make([]float32, c.out*9*c.hi*c.wi)
			f := func() float64 {
				convTForward(l, x, y, col, actNone, 1)
				return dot64(proj, y)
			}
			dw, db, dx := make([]float32, len(l.Weight)), make([]float32, len(l.Bias)), make([]float32, len(x))
			dy := append([]float32(nil), proj...)
			convTBackward(l, x, dy, dw, db, dx, col, make([]float32, len(dw)), 2)
			fdCheck(t, "dW", l.Weight, dw, 1e-2, 1e-3, f)
			fdCheck(t, "db", l.Bias, db, 1e-2, 1e-3, f)
			fdCheck(t, "dx", x, dx, 1e-2, 1e-3, f)
		})
	}
}

func TestActivationBackward(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for _, a := range []act{actReLU, actSigmoid} {
		// Keep inputs away from the ReLU kink so that differences are exact.
		x := randF32(r, 50, 2)
		for i, v := range x {
			if math.Abs(float64(v)) < 0.05 {
				x[i] = 0.5
			}
		}
		proj := randF32(r, len(x), 1)
		y := make([]float32, len(x))
		apply := func() {
			switch a {
			case actReLU:
				relu(y, x)
			case actSigmoid:
				copy(y, x)
				sigmoidInPlace(y)
			}
		}
		f := func() float64 { apply(); return dot64(proj, y) }
		apply()
		g := append([]float32(nil), proj...)
		actBackward(g, y, a)
		fdCheck(t, fmt.Sprintf("act%d", a), x, g, 1e-3, 2e-3, f)
	}
}

func TestReluPoolBackward(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	c, h, w := 3, 6, 8
	x := randF32(r, c*h*w, 1)
	// Distinct values spaced well apart so that no perturbation changes
	// the winner or crosses zero.
	perm := r.Perm(len(x))
	for i, p := range perm {
		x[i] = float32(p-len(x)/3) * 0.1
	}
	bias := []float32{0.05, -0.3, 0.2}
	proj := randF32(r, c*h*w/4, 1)
	y := make([]float32, len(proj))
	arg := make([]uint8, len(proj))
	f := func() float64 { reluPool(y, arg, x, bias, c, h, w); return dot64(proj, y) }
	f()
	dx := make([]float32, len(x))
	db := make([]float32, c)
	reluPoolBackward(dx, proj, y, arg, db, c, h, w)
	fdCheck(t, "dx", x, dx, 1e-3, 2e-3, f)
	fdCheck(t, "db", bias, db, 1e-3, 2e-3, f)
}
