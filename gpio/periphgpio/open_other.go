//go:build !linux

package periphgpio

import (
	"fmt"
	"strings"
)

// Open fails: periph.io drives GPIO pins only on Linux.
func Open(cfg Config) (*Line, error) {
	return nil, fmt.Errorf("periphgpio: %s: GPIO output needs Linux (a Raspberry Pi or a Jetson); use gpio/gpiotest on other systems", strings.TrimSpace(cfg.Pin))
}
