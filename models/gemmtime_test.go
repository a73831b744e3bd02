package models

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"edgeae/internal/sgemm"
)

func TestGemmInSitu(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	type key struct {
		ta, tb  bool
		m, n, k int
	}
	times := map[key]time.Duration{}
	var total time.Duration
	gemm = func(nw int, ta, tb bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
		t0 := time.Now()
		sgemm.GemmN(nw, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		d := time.Since(t0)
		times[key{ta, tb, m, n, k}] += d
		total += d
	}
	defer func() { gemm = sgemm.GemmN }()
	n, _ := New(DefaultArch(), 1)
	n.SetWorkers(1)
	r := rand.New(rand.NewPCG(1, 2))
	in := randUnit(r, 8*n.inSize())
	n.TrainBatch(in, in, 8)
	clear(times)
	total = 0
	t0 := time.Now()
	const reps = 3
	for i := 0; i < reps; i++ {
		n.TrainBatch(in, in, 8)
	}
	all := time.Since(t0)
	var keys []key
	for k := range times {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return times[keys[i]] > times[keys[j]] })
	for _, k := range keys {
		d := times[k] / (reps * 8)
		fmt.Printf("%v %v %4dx%6dx%6d %7.3f ms %6.1f GFLOP/s\n", k.ta, k.tb, k.m, k.n, k.k, d.Seconds()*1e3, 2*float64(k.m*k.n*k.k)/d.Seconds()/1e9)
	}
	fmt.Printf("per image: all %.2f ms, gemm %.2f ms\n", all.Seconds()*1e3/(reps*8), total.Seconds()*1e3/(reps*8))
}
