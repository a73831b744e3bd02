package sgemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// naive computes C = alpha*op(A)*op(B) + beta*C with a float64 triple loop.
func naive(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
			}
			v := float64(alpha) * s
			if beta != 0 {
				v += float64(beta) * float64(c[i*ldc+j])
			}
			c[i*ldc+j] = float32(v)
		}
	}
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.Float64()*2 - 1)
	}
	return s
}

const sentinel = float32(-12345.5)

// guarded returns a slice of n elements with guard bands of sentinels
// before and after, plus the inner slice.
func guarded(n, guard int) (all, inner []float32) {
	all = make([]float32, n+2*guard)
	for i := range all {
		all[i] = sentinel
	}
	return all, all[guard : guard+n : guard+n]
}

// kernels lists the micro-kernels available on this machine.
func kernels() []string {
	if HasAsm() {
		return []string{"go", "asm"}
	}
	return []string{"go"}
}

func withKernel(name string, f func()) {
	old := useAsm
	useAsm = name == "asm"
	defer func() { useAsm = old }()
	f()
}

func TestGemmAgainstNaive(t *testing.T) {
	sizes := []int{0, 1, 3, 15, 16, 17, 33}
	if testing.Short() {
		sizes = []int{0, 1, 3, 17}
	}
	type params struct{ alpha, beta float32 }
	scal := []params{{1, 0}, {1, 1}, {-0.5, 2}}
	r := rand.New(rand.NewPCG(1, 2))
	for _, kn := range kernels() {
		for _, nw := range []int{1, 3} {
			for _, ta := range []bool{false, true} {
				for _, tb := range []bool{false, true} {
					for _, m := range sizes {
						for _, n := range sizes {
							for _, k := range sizes {
								for _, s := range scal {
									name := fmt.Sprintf("%s/w%d/tA=%v/tB=%v/%dx%dx%d/a%gb%g", kn, nw, ta, tb, m, n, k, s.alpha, s.beta)
									withKernel(kn, func() {
										checkOne(t, r, name, nw, ta, tb, m, n, k, s.alpha, s.beta, 3)
									})
								}
							}
						}
					}
				}
			}
		}
	}
}

// TestGemmBlocks crosses the kc, mc and nc block boundaries and the
// parallel split, with padded leading dimensions.
func TestGemmBlocks(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	cases := []struct{ m, n, k int }{
		{mcBlock + 7, 40, kcBlock + 5},
		{13, ncBlock + 21, 2*kcBlock + 1},
		{200, 300, 100},
		{16, 12544, 144},
		{288, 784, 64},
		{9, 20000, 16},
		{64, 288, 3136},
	}
	if testing.Short() {
		cases = cases[:3]
	}
	for _, kn := range kernels() {
		for _, c := range cases {
			for _, nw := range []int{1, 2, 5} {
				for _, ta := range []bool{false, true} {
					for _, tb := range []bool{false, true} {
						name := fmt.Sprintf("%s/w%d/tA=%v/tB=%v/%dx%dx%d", kn, nw, ta, tb, c.m, c.n, c.k)
						withKernel(kn, func() {
							checkOne(t, r, name, nw, ta, tb, c.m, c.n, c.k, 0.75, 0.5, 2)
						})
					}
				}
			}
		}
	}
}

func checkOne(t *testing.T, r *rand.Rand, name string, nw int, ta, tb bool, m, n, k int, alpha, beta float32, pad int) {
	t.Helper()
	ar, ac := m, k
	if ta {
		ar, ac = k, m
	}
	br, bc := k, n
	if tb {
		br, bc = n, k
	}
	lda, ldb, ldc := ac+pad, bc+pad, n+pad
	a := randSlice(r, ar*lda)
	b := randSlice(r, br*ldb)
	const guard = 64
	call, c := guarded(m*ldc, guard)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			c[i*ldc+j] = float32(r.Float64()*2 - 1)
		}
	}
	if beta == 0 {
		// C must not be read when beta is 0.
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				c[i*ldc+j] = float32(math.NaN())
			}
		}
	}
	want := append([]float32(nil), c...)
	naive(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
	GemmN(nw, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)

	for i, v := range call {
		inGuard := i < guard || i >= guard+m*ldc
		inPad := !inGuard && (i-guard)%ldc >= n
		if (inGuard || inPad) && v != sentinel {
			t.Fatalf("%s: wrote outside C at offset %d: %v", name, i-guard, v)
		}
	}
	tol := 1e-5 * float64(k+1)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			g, w := float64(c[i*ldc+j]), float64(want[i*ldc+j])
			if math.Abs(g-w) > tol*(1+math.Abs(w)) || math.IsNaN(g) {
				t.Fatalf("%s: C[%d][%d] = %v, want %v", name, i, j, g, w)
			}
		}
	}
}

func TestGemmPanicsOnShortSlices(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a short C")
		}
	}()
	Gemm(false, false, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 4), 2, 0, make([]float32, 3), 2)
}

func TestSetWorkers(t *testing.T) {
	old := Workers()
	defer SetWorkers(old)
	SetWorkers(3)
	if Workers() != 3 {
		t.Fatalf("Workers() = %d, want 3", Workers())
	}
	SetWorkers(0)
	if Workers() < 1 {
		t.Fatalf("Workers() = %d after reset", Workers())
	}
}

// TestGemmDeterministicAcrossWorkers checks that the split does not change
// a single bit of the result.
func TestGemmDeterministicAcrossWorkers(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	m, n, k := 70, 1000, 300
	a, b := randSlice(r, m*k), randSlice(r, k*n)
	ref := make([]float32, m*n)
	GemmN(1, false, false, m, n, k, 1, a, k, b, n, 0, ref, n)
	for _, nw := range []int{2, 3, 7} {
		c := make([]float32, m*n)
		GemmN(nw, false, false, m, n, k, 1, a, k, b, n, 0, c, n)
		for i := range c {
			if c[i] != ref[i] {
				t.Fatalf("workers=%d: element %d = %v, single worker %v", nw, i, c[i], ref[i])
			}
		}
	}
}

func TestGemmNoAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	m, n, k := 64, 3136, 288
	a, b, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
	f := func() { GemmN(2, false, false, m, n, k, 1, a, k, b, n, 0, c, n) }
	f()
	if allocs := testing.AllocsPerRun(20, f); allocs != 0 {
		t.Fatalf("Gemm allocates %v times per call", allocs)
	}
}

// Benchmarks at the shapes of the autoencoder's GEMMs for one 224 px image
// (default widths), the heaviest first: conv forward W·col (NN), conv weight
// gradient dY·colᵀ (NT), conv input gradient Wᵀ·dY (TN), transposed-conv
// forward Wᵀ·X (TN) and input gradient W·dcol (NN).
var benchShapes = []struct {
	name    string
	ta, tb  bool
	m, n, k int
}{
	{"enc1_dW_32x144x12544", false, true, 32, 144, 12544},
	{"enc1_dX_144x12544x32", true, false, 144, 12544, 32},
	{"enc1_fwd_32x12544x144", false, false, 32, 12544, 144},
	{"enc2_dW_64x288x3136", false, true, 64, 288, 3136},
	{"enc2_fwd_64x3136x288", false, false, 64, 3136, 288},
	{"enc2_dX_288x3136x64", true, false, 288, 3136, 64},
	{"enc0_dWt_9x16x50176", false, true, 9, 16, 50176},
	{"enc0_fwd_16x50176x9", false, false, 16, 50176, 9},
	{"dec0_fwd_288x784x64", true, false, 288, 784, 64},
	{"dec1_dX_32x3136x144", false, false, 32, 3136, 144},
	{"square_512", false, false, 512, 512, 512},
}

func BenchmarkGemm(b *testing.B) {
	for _, kn := range kernels() {
		for _, nw := range []int{1, Workers()} {
			for _, s := range benchShapes {
				b.Run(fmt.Sprintf("%s/w%d/%s", kn, nw, s.name), func(b *testing.B) {
					r := rand.New(rand.NewPCG(9, 10))
					ar, ac := s.m, s.k
					if s.ta {
						ar, ac = s.k, s.m
					}
					br, bc := s.k, s.n
					if s.tb {
						br, bc = s.n, s.k
					}
					A, B, C := randSlice(r, ar*ac), randSlice(r, br*bc), make([]float32, s.m*s.n)
					withKernel(kn, func() {
						b.ResetTimer()
						for i := 0; i < b.N; i++ {
							GemmN(nw, s.ta, s.tb, s.m, s.n, s.k, 1, A, ac, B, bc, 0, C, s.n)
						}
						b.StopTimer()
					})
					flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
					b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}
