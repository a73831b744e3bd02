package sgemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func TestShapesTiming(t *testing.T) {
	shapes := []struct {
		name    string
		ta, tb  bool
		m, n, k int
	}{
		{"c1 fwd", false, false, 16, 50176, 9},
		{"c2 fwd", false, false, 32, 12544, 144},
		{"c3 fwd", false, false, 64, 3136, 288},
		{"t1 fwd", true, false, 288, 784, 64},
		{"t2 fwd", true, false, 144, 3136, 32},
		{"t3 fwd", true, false, 9, 12544, 16},
		{"t3 dW", false, true, 16, 9, 12544},
		{"t3 dX", false, false, 16, 12544, 9},
		{"t2 dW", false, true, 32, 144, 3136},
		{"t2 dX", false, false, 32, 3136, 144},
		{"t1 dW", false, true, 64, 288, 784},
		{"t1 dX", false, false, 64, 784, 288},
		{"c3 dW", false, true, 64, 288, 3136},
		{"c3 dcol", true, false, 288, 3136, 64},
		{"c2 dW", false, true, 32, 144, 12544},
		{"c2 dcol", true, false, 144, 12544, 32},
		{"c1 dW", false, true, 16, 9, 50176},
	}
	r := rand.New(rand.NewPCG(1, 1))
	var total time.Duration
	for _, s := range shapes {
		A, B, C := randSlice(r, s.m*s.k), randSlice(r, s.k*s.n), make([]float32, s.m*s.n)
		lda, ldb := s.k, s.n
		if s.ta {
			lda = s.m
		}
		if s.tb {
			ldb = s.k
		}
		GemmN(1, s.ta, s.tb, s.m, s.n, s.k, 1, A, lda, B, ldb, 0, C, s.n)
		const reps = 20
		t0 := time.Now()
		for i := 0; i < reps; i++ {
			GemmN(1, s.ta, s.tb, s.m, s.n, s.k, 1, A, lda, B, ldb, 0, C, s.n)
		}
		d := time.Since(t0) / reps
		total += d
		fmt.Printf("%-8s %4dx%6dx%6d  %8.3f ms  %6.1f GFLOP/s\n", s.name, s.m, s.n, s.k, d.Seconds()*1e3, 2*float64(s.m*s.n*s.k)/d.Seconds()/1e9)
	}
	fmt.Printf("total %.2f ms per image\n", total.Seconds()*1e3)
}
