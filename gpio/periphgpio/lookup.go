package periphgpio

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	pgpio "periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3/gpioioctl"
)

// maxListedPins bounds the pin names listed in a not-found error.
const maxListedPins = 24

// errPinNotFound marks a name found neither in the periph.io registry nor
// on a GPIO chip.
var errPinNotFound = errors.New("pin not found")

// lookup finds a pin by registry name or as "<chip>:<offset>". It returns
// an error wrapping errPinNotFound for an unknown name.
func lookup(name string) (pgpio.PinOut, error) {
	if pin := gpioreg.ByName(name); pin != nil {
		return pin, nil
	}

	chip, offset, ok := parseChipOffset(name)
	if !ok {
		return nil, errPinNotFound
	}
	return chipLine(chip, offset, gpioioctl.Chips)
}

// parseChipOffset splits "<chip>:<offset>" at the last colon. It reports
// false unless the chip is non-empty and the offset a non-negative
// decimal number.
func parseChipOffset(name string) (chip string, offset int, ok bool) {
	i := strings.LastIndexByte(name, ':')
	if i <= 0 {
		return "", 0, false
	}

	offset, err := strconv.Atoi(name[i+1:])
	if err != nil || offset < 0 {
		return "", 0, false
	}
	return name[:i], offset, true
}

// chipLine returns line offset of the chip whose kernel name, label or
// path is chip.
func chipLine(chip string, offset int, chips []*gpioioctl.GPIOChip) (pgpio.PinOut, error) {
	var known []string
	for _, c := range chips {
		if c == nil {
			continue
		}
		known = append(known, fmt.Sprintf("%s (%s, %s, %d lines)", c.Name(), c.Label(), c.Path(), c.LineCount()))

		if chip != c.Name() && chip != c.Label() && chip != c.Path() {
			continue
		}
		if offset >= c.LineCount() {
			return nil, fmt.Errorf("chip %s has %d lines, so offset %d does not exist: %w", chip, c.LineCount(), offset, errPinNotFound)
		}
		return c.ByNumber(offset), nil
	}

	if len(known) == 0 {
		return nil, fmt.Errorf("no GPIO character device was opened: %w", errPinNotFound)
	}
	return nil, fmt.Errorf("no GPIO chip named %s; chips: %s: %w", chip, strings.Join(known, "; "), errPinNotFound)
}

// registeredNames returns the names of the pins in the periph.io
// registry.
func registeredNames() []string {
	var names []string
	for _, pin := range gpioreg.All() {
		names = append(names, pin.Name())
	}
	return names
}

// notFoundError explains an unknown pin name: the registered names (at
// most maxListedPins of them), the problems that kept drivers or chips
// from loading, and where to find valid names.
func notFoundError(name string, cause error, registered, problems []string) error {
	var b strings.Builder

	fmt.Fprintf(&b, "periphgpio: %s: ", name)
	if cause == nil || cause == errPinNotFound {
		b.WriteString("pin not found; ")
	} else {
		fmt.Fprintf(&b, "%v; ", cause)
	}

	switch {
	case len(registered) == 0:
		b.WriteString("periph.io registered no pins")
	case len(registered) > maxListedPins:
		fmt.Fprintf(&b, "registered pins: %s and %d more", strings.Join(registered[:maxListedPins], ", "), len(registered)-maxListedPins)
	default:
		fmt.Fprintf(&b, "registered pins: %s", strings.Join(registered, ", "))
	}

	if len(problems) > 0 {
		fmt.Fprintf(&b, "; problems: %s", strings.Join(problems, "; "))
	}

	b.WriteString(`; run gpioinfo (package gpiod) to see the line names, and use a line name or "<chip>:<offset>"`)
	return errors.New(b.String())
}
