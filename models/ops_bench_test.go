package models

import (
	"math/rand/v2"
	"testing"
)

// Benchmarks of the memory-bound layer kernels at the first stage of the
// 224 px model (16 x 224 x 224 conv output).
func BenchmarkOps(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	c, h, w := 16, 224, 224
	x := randF32(r, c*h*w, 1)
	y := make([]float32, c*h*w/4)
	arg := make([]uint8, len(y))
	bias := randF32(r, c, 0.1)
	b.Run("reluPool", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			reluPool(y, arg, x, bias, c, h, w)
		}
		b.ReportMetric(float64(len(x))*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
	})
	dy := randF32(r, len(y), 1)
	dx := make([]float32, len(x))
	db := make([]float32, c)
	b.Run("reluPoolBackward", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			reluPoolBackward(dx, dy, y, arg, db, c, h, w)
		}
		b.ReportMetric(float64(len(x))*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
	})
	col := make([]float32, 16*9*112*112)
	x2 := randF32(r, 16*112*112, 1)
	b.Run("im2col_16x112", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			im2col3x3(col, x2, 16, 112, 112)
		}
		b.ReportMetric(float64(len(col))*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
	})
	b.Run("col2im_16x112", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			col2im3x3(x2, col, 16, 112, 112)
		}
		b.ReportMetric(float64(len(col))*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
	})
	tcol := make([]float32, 16*9*56*56)
	yt := make([]float32, 16*112*112)
	b.Run("col2imT_16x56", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			col2imT(yt, tcol, bias, 16, 56, 56, actReLU)
		}
		b.ReportMetric(float64(len(tcol))*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
	})
	b.Run("im2colT_16x56", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			im2colT(tcol, yt, 16, 56, 56)
		}
		b.ReportMetric(float64(len(tcol))*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
	})
}
