//go:build purego || !(arm64 || amd64)

package kernels

// kernelPaths returns the single Go path of builds without assembly.
func kernelPaths() []kernelPath {
	return []kernelPath{{name: "generic", enable: func() func() { return func() {} }}}
}
