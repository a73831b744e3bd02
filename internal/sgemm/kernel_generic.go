package sgemm

// kernelGo is the pure-Go micro-kernel. With pa a packed MR x kc A panel
// and pb a kc x NR B panel whose rows are ldb floats apart (NR when packed,
// the leading dimension of B when read in place) it computes, for i < MR
// and j < NR,
//
//	sum := float32(0)
//	for p := 0; p < kc; p++ {
//		sum += pa[p*MR+i] * pb[p*ldb+j]
//	}
//	if acc { c[i*ldc+j] += sum } else { c[i*ldc+j] = sum }
//
// The 6 x 16 tile is worked as twelve 2 x 4 sub-tiles so that the eight
// accumulators and the operands stay in registers.
func kernelGo(kc int, pa, pb []float32, ldb int, c []float32, ldc int, acc bool) {
	if kc == 0 {
		pb = nil
	}
	pa = pa[:kc*MR]
	if kc > 0 {
		pb = pb[:(kc-1)*ldb+NR]
	}
	for i0 := 0; i0 < MR; i0 += 2 {
		for j0 := 0; j0 < NR; j0 += 4 {
			var c00, c01, c02, c03, c10, c11, c12, c13 float32
			ia, ib := i0, j0
			for p := 0; p < kc; p++ {
				a := pa[ia : ia+2 : ia+2]
				b := pb[ib : ib+4 : ib+4]
				a0, a1 := a[0], a[1]
				b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
				c00 += a0 * b0
				c01 += a0 * b1
				c02 += a0 * b2
				c03 += a0 * b3
				c10 += a1 * b0
				c11 += a1 * b1
				c12 += a1 * b2
				c13 += a1 * b3
				ia += MR
				ib += ldb
			}
			r0 := c[i0*ldc+j0 : i0*ldc+j0+4 : i0*ldc+j0+4]
			r1 := c[(i0+1)*ldc+j0 : (i0+1)*ldc+j0+4 : (i0+1)*ldc+j0+4]
			if acc {
				r0[0] += c00
				r0[1] += c01
				r0[2] += c02
				r0[3] += c03
				r1[0] += c10
				r1[1] += c11
				r1[2] += c12
				r1[3] += c13
			} else {
				r0[0] = c00
				r0[1] = c01
				r0[2] = c02
				r0[3] = c03
				r1[0] = c10
				r1[1] = c11
				r1[2] = c12
				r1[3] = c13
			}
		}
	}
}

// packBTGo packs a full NR-column panel of a transposed B: for p < kc and
// j < NR, dst[p*NR+j] = src[j*lds+p].
func packBTGo(kc int, src []float32, lds int, dst []float32) {
	for j := 0; j < NR; j++ {
		s := src[j*lds : j*lds+kc]
		for p, v := range s {
			dst[p*NR+j] = v
		}
	}
}

// packA6Go packs a full MR-row panel of a non-transposed A: for p < kc and
// i < MR, dst[p*MR+i] = alpha*src[i*lda+p].
func packA6Go(kc int, src []float32, lda int, dst []float32, alpha float32) {
	for i := 0; i < MR; i++ {
		s := src[i*lda : i*lda+kc]
		for p, v := range s {
			dst[p*MR+i] = alpha * v
		}
	}
}
