//go:build !linux

package v4l2

import "fmt"

// openDevice fails on every OS but Linux, where V4L2 exists.
func openDevice(path string) (device, error) {
	return nil, fmt.Errorf("v4l2: %s: %w", path, errNeedsLinux)
}
