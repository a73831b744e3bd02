//go:build amd64 && !purego

package sgemm

import "golang.org/x/sys/cpu"

// useAsm selects the AVX2+FMA micro-kernel; tests flip it to cover both.
var useAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// HasAsm reports whether the assembly micro-kernel is in use.
func HasAsm() bool { return useAsm }

// kernelAVX2 is the assembly form of kernelGo (see kernel_generic.go): for
// i < 6 and j < 16 it computes
//
//	sum := float32(0)
//	for p := 0; p < kc; p++ {
//		sum += pa[p*6+i] * pb[p*ldb+j]
//	}
//	if acc != 0 { c[i*ldc+j] += sum } else { c[i*ldc+j] = sum }
//
// with one fused multiply-add per p (so the last bits can differ from the
// pure-Go loop, which rounds the product and the sum separately). pa must
// hold 6*kc floats, pb (kc-1)*ldb+16 and c 5*ldc+16. It also prefetches the
// 64 bytes after each B row, the next panel when B is read in place.
//
//go:noescape
func kernelAVX2(kc int, pa, pb *float32, ldb int, c *float32, ldc int, acc int)

// packBTAVX2 is the assembly form of packBTGo for 8*kc8 rows of the panel:
// for p < 8*kc8 and j < 16, dst[p*16+j] = src[j*lds+p].
//
//go:noescape
func packBTAVX2(kc8 int, src *float32, lds int, dst *float32)

func kernel(kc int, pa, pb []float32, ldb int, c []float32, ldc int, acc bool) {
	if !useAsm || kc == 0 {
		kernelGo(kc, pa, pb, ldb, c, ldc, acc)
		return
	}
	// Bounds are checked here once so that the assembly can trust them.
	_ = pa[kc*MR-1]
	_ = pb[(kc-1)*ldb+NR-1]
	_ = c[(MR-1)*ldc+NR-1]
	f := 0
	if acc {
		f = 1
	}
	kernelAVX2(kc, &pa[0], &pb[0], ldb, &c[0], ldc, f)
}

func packBT(kc int, src []float32, lds int, dst []float32) {
	kc8 := kc / 8
	if !useAsm || kc8 == 0 {
		packBTGo(kc, src, lds, dst)
		return
	}
	_ = src[(NR-1)*lds+kc-1]
	_ = dst[kc*NR-1]
	packBTAVX2(kc8, &src[0], lds, &dst[0])
	if r := kc8 * 8; r < kc {
		for j := 0; j < NR; j++ {
			s := src[j*lds+r : j*lds+kc]
			for p, v := range s {
				dst[(r+p)*NR+j] = v
			}
		}
	}
}

// packA6AVX2 is the assembly form of packA6Go for 8*kc8 columns: for
// p < 8*kc8 and i < 6, dst[p*6+i] = alpha*src[i*lda+p]. It writes 2 floats
// past dst[48*kc8-1].
//
//go:noescape
func packA6AVX2(kc8 int, src *float32, lda int, dst *float32, alpha float32)

// packA6 packs a full 6-row panel of a non-transposed A (see packA6Go).
// dst must have room for 2 floats past the panel.
func packA6(kc int, src []float32, lda int, dst []float32, alpha float32) {
	kc8 := kc / 8
	if !useAsm || kc8 == 0 {
		packA6Go(kc, src, lda, dst, alpha)
		return
	}
	_ = src[(MR-1)*lda+kc-1]
	_ = dst[kc*MR+1]
	packA6AVX2(kc8, &src[0], lda, &dst[0], alpha)
	if r := kc8 * 8; r < kc {
		for i := 0; i < MR; i++ {
			s := src[i*lda+r : i*lda+kc]
			for p, v := range s {
				dst[(r+p)*MR+i] = alpha * v
			}
		}
	}
}
