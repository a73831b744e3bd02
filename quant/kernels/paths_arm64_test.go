//go:build !purego

package kernels

import (
	"os"
	"testing"

	"golang.org/x/sys/cpu"
)

// kernelPaths returns the arm64 GemmS8 paths this CPU can run: SDOT when it
// has ASIMDDP, and always the SMULL path with useSDOT forced off.
func kernelPaths() []kernelPath {
	paths := []kernelPath{{name: "neon", enable: func() func() {
		saved := useSDOT
		useSDOT = false
		return func() { useSDOT = saved }
	}}}
	if cpu.ARM64.HasASIMDDP {
		paths = append(paths, kernelPath{name: "sdot", enable: func() func() {
			saved := useSDOT
			useSDOT = true
			return func() { useSDOT = saved }
		}})
	}
	return paths
}

func TestSDOTSelectionFollowsEnvironment(t *testing.T) {
	want := cpu.ARM64.HasASIMDDP && !sdotDisabled(os.Getenv("EDGEAE_NOSDOT"))
	if useSDOT != want {
		t.Errorf("useSDOT = %v, want %v (ASIMDDP %v, EDGEAE_NOSDOT=%q)",
			useSDOT, want, cpu.ARM64.HasASIMDDP, os.Getenv("EDGEAE_NOSDOT"))
	}
	t.Logf("ASIMDDP %v, EDGEAE_NOSDOT=%q, path %s", cpu.ARM64.HasASIMDDP, os.Getenv("EDGEAE_NOSDOT"), Implementation())
}

func TestSDOTDisabledValues(t *testing.T) {
	tests := []struct {
		value string
		want  bool
	}{
		{"", false},
		{"0", false},
		{"1", true},
		{"true", true},
	}
	for _, tt := range tests {
		if got := sdotDisabled(tt.value); got != tt.want {
			t.Errorf("sdotDisabled(%q) = %v, want %v", tt.value, got, tt.want)
		}
	}
}
