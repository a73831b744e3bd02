//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// kernelPaths returns the amd64 GemmS8 paths this CPU can run: AVX2 when it
// has AVX2, and always the Go path with useAVX2 forced off.
func kernelPaths() []kernelPath {
	paths := []kernelPath{{name: "generic", enable: func() func() {
		saved := useAVX2
		useAVX2 = false
		return func() { useAVX2 = saved }
	}}}
	if cpu.X86.HasAVX2 {
		paths = append(paths, kernelPath{name: "avx2", enable: func() func() {
			saved := useAVX2
			useAVX2 = true
			return func() { useAVX2 = saved }
		}})
	}
	return paths
}
