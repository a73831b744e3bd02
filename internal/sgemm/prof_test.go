package sgemm

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkProfC2(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	A, B, C := randSlice(r, 32*144), randSlice(r, 144*12544), make([]float32, 32*12544)
	dY, col, dW := randSlice(r, 32*12544), randSlice(r, 144*12544), make([]float32, 32*144)
	for i := 0; i < b.N; i++ {
		GemmN(1, false, false, 32, 12544, 144, 1, A, 144, B, 12544, 0, C, 12544)
		GemmN(1, false, true, 32, 144, 12544, 1, dY, 12544, col, 12544, 0, dW, 144)
	}
}
