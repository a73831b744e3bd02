//go:build !amd64 || purego

package sgemm

// useAsm is false without the assembly kernel.
var useAsm = false

// HasAsm reports whether the assembly micro-kernel is in use.
func HasAsm() bool { return useAsm }

func kernel(kc int, pa, pb []float32, ldb int, c []float32, ldc int, acc bool) {
	kernelGo(kc, pa, pb, ldb, c, ldc, acc)
}

func packBT(kc int, src []float32, lds int, dst []float32) {
	packBTGo(kc, src, lds, dst)
}

func packA6(kc int, src []float32, lda int, dst []float32, alpha float32) {
	packA6Go(kc, src, lda, dst, alpha)
}
