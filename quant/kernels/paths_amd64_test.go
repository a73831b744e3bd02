//go:build !purego

package kernels

import (
	"testing"

	"golang.org/x/sys/cpu"
)

// kernelPaths returns the amd64 GemmS8 paths this CPU can run: the Go path
// with useAVX2 forced off, AVX2 with useAVX512 forced off when the CPU has
// AVX2, and AVX-512 VNNI when it also has AVX-512 F, BW, VL and VNNI.
func kernelPaths() []kernelPath {
	paths := []kernelPath{{name: "generic", enable: func() func() {
		return setAMD64Paths(false, false)
	}}}
	if cpu.X86.HasAVX2 {
		paths = append(paths, kernelPath{name: "avx2", enable: func() func() {
			return setAMD64Paths(true, false)
		}})
	}
	if useAVX512 {
		paths = append(paths, kernelPath{name: "avx512vnni", enable: func() func() {
			return setAMD64Paths(true, true)
		}})
	}
	return paths
}

// setAMD64Paths sets useAVX2 and useAVX512 and returns a function that
// restores them.
func setAMD64Paths(avx2, vnni bool) (restore func()) {
	savedAVX2, savedVNNI := useAVX2, useAVX512
	useAVX2, useAVX512 = avx2, vnni
	return func() { useAVX2, useAVX512 = savedAVX2, savedVNNI }
}

func TestImplementationAMD64(t *testing.T) {
	tests := []struct {
		avx2, vnni bool
		want       string
	}{
		{false, false, "generic"},
		{true, false, "amd64-avx2"},
		{true, true, "amd64-avx512vnni"},
	}
	for _, tt := range tests {
		restore := setAMD64Paths(tt.avx2, tt.vnni)
		got := Implementation()
		restore()
		if got != tt.want {
			t.Errorf("avx2=%v vnni=%v: Implementation() = %q, want %q", tt.avx2, tt.vnni, got, tt.want)
		}
	}
}
