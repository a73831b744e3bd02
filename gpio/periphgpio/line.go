package periphgpio

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"syscall"

	pgpio "periph.io/x/conn/v3/gpio"

	"edgeae/gpio"
)

// Config selects and configures one output pin.
type Config struct {
	// Pin names the pin: a periph.io registry name such as "GPIO17", or
	// "<chip>:<offset>" such as "gpiochip0:17".
	Pin string `toml:"pin"`

	// ActiveLow makes the low level the active one, for actuators and LEDs
	// wired to sink current.
	ActiveLow bool `toml:"active_low"`

	// Role names the line's job in String and in errors, such as "reject"
	// or "led". Empty means "gpio".
	Role string `toml:"role"`
}

// Line is an output pin driven through periph.io. It implements gpio.Line
// and is safe for concurrent use.
type Line struct {
	pin      pgpio.PinOut
	name     string
	role     string
	inactive pgpio.Level

	mu       sync.Mutex
	released bool
}

var _ gpio.Line = (*Line)(nil)

// FromPin wraps a periph.io pin and drives it to its inactive level. Open
// calls it after looking the pin up, and tests pass a fake pin.
func FromPin(pin pgpio.PinOut, cfg Config) (*Line, error) {
	name := strings.TrimSpace(cfg.Pin)
	if pin == nil {
		return nil, fmt.Errorf("periphgpio: %s: pin is nil", name)
	}
	if name == "" {
		name = pin.Name()
	}

	role := strings.TrimSpace(cfg.Role)
	if role == "" {
		role = "gpio"
	}

	l := &Line{pin: pin, name: name, role: role, inactive: pgpio.Low}
	if cfg.ActiveLow {
		l.inactive = pgpio.High
	}

	// NOTE: periph.io's character-device driver (gpioioctl, v3.8.5)
	// switches a line to output before it writes the level, and the kernel
	// drives a new output low in between. With ActiveLow on such a line
	// the actuator gets a short active pulse here. The Raspberry Pi
	// memory-mapped driver writes the level first and has no such pulse.
	if err := pin.Out(l.inactive); err != nil {
		return nil, describePinError(name, "drive inactive", err)
	}
	return l, nil
}

// Set drives the line active or inactive. It fails after Release.
func (l *Line) Set(active bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()

	if l.released {
		return fmt.Errorf("periphgpio: %s: line already released", l.name)
	}

	level := l.inactive
	if active {
		level = !l.inactive
	}
	if err := l.pin.Out(level); err != nil {
		return describePinError(l.name, "set level", err)
	}
	return nil
}

// Release drives the line inactive and frees the pin. Calling it again
// does nothing.
func (l *Line) Release() error {
	l.mu.Lock()
	defer l.mu.Unlock()

	if l.released {
		return nil
	}
	l.released = true

	var errs []error
	if err := l.pin.Out(l.inactive); err != nil {
		errs = append(errs, describePinError(l.name, "drive inactive", err))
	}
	if err := freePin(l.pin); err != nil {
		errs = append(errs, describePinError(l.name, "free pin", err))
	}
	return errors.Join(errs...)
}

// String returns "<role> <pin>", such as "reject GPIO17".
func (l *Line) String() string {
	return l.role + " " + l.name
}

// freePin closes a character-device line, which hands it back to the
// kernel, and halts any other pin.
func freePin(pin pgpio.PinOut) error {
	var target any = pin
	if alias, ok := pin.(pgpio.RealPin); ok {
		target = alias.Real()
	}

	if closer, ok := target.(interface{ Close() }); ok {
		closer.Close()
		return nil
	}
	return pin.Halt()
}

// describePinError wraps err with the pin and operation, and for a busy
// pin or missing permission adds what to do. periph.io's Raspberry Pi
// driver formats the cause with %v, which drops the errno, so the kernel's
// message texts are matched too.
func describePinError(pin, op string, err error) error {
	text := strings.ToLower(err.Error())

	switch {
	case errors.Is(err, syscall.EBUSY) || strings.Contains(text, "device or resource busy"):
		return fmt.Errorf("periphgpio: %s: %s: pin busy: another process or a kernel driver (for example a device-tree overlay) has claimed it, so stop that process (gpioinfo shows the consumer) or choose another pin: %w", pin, op, err)
	case errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EPERM) ||
		strings.Contains(text, "permission denied") || strings.Contains(text, "operation not permitted"):
		return fmt.Errorf("periphgpio: %s: %s: permission denied: add the user to the gpio group (sudo usermod -aG gpio $USER, then log in again) or run as root: %w", pin, op, err)
	}
	return fmt.Errorf("periphgpio: %s: %s: %w", pin, op, err)
}
