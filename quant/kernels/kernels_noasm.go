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
