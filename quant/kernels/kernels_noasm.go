//go:build purego || !(arm64 || amd64)

package kernels

// implementation returns the name of the GemmS8 path, always the Go one here.
func implementation() string { return "generic" }

// gemmS8Raw sets c[i*ldc+j] = Σ_{p<k} a[i*k+p]·b[j*k+p].
func gemmS8Raw(m, n, k int, a, b []int8, c []int32, ldc int) {
	gemmS8Generic(m, n, k, a, 0, b, 0, c, ldc)
}

// requantize runs Requantize on checked arguments in Go.
func requantize(dst []int8, acc []int32, bias, mult, shift []int32, zeroPoint int32, reluMin int8) {
	requantizeRowsGo(dst, acc, bias, mult, shift, zeroPoint, reluMin)
}

// maxPoolRequantize runs MaxPoolRequantizeS32 on checked arguments in Go.
func maxPoolRequantize(dst []int8, top, bottom []int32, bias, mult, shift, zeroPoint int32, reluMin int8) {
	maxPoolRequantizeGeneric(dst, top, bottom, bias, mult, shift, zeroPoint, reluMin)
}

// gatherRequantizeS2 runs GatherRequantizeS2 on checked arguments in Go.
func gatherRequantizeS2(dst []int8, init []int32, taps *[6][]int32, mult, shift, zeroPoint int32, reluMin int8) {
	gatherRequantizeS2Generic(dst, init, taps, mult, shift, zeroPoint, reluMin)
}

// im2colGray3x3 runs Im2colGray3x3S8 on checked arguments in Go.
func im2colGray3x3(dst, src []int8, h, w, y0, y1 int, zeroPoint int8) {
	im2colGray3x3Generic(dst, src, h, w, y0, y1, zeroPoint)
}
