//go:build linux

package periphgpio

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"periph.io/x/host/v3"
)

// Open initializes the periph.io drivers once per process, looks the pin
// up and drives it to its inactive level.
func Open(cfg Config) (*Line, error) {
	name := strings.TrimSpace(cfg.Pin)
	if name == "" {
		return nil, errors.New(`periphgpio: pin is empty: set it to a name such as "GPIO17" or to "<chip>:<offset>"`)
	}

	state, err := host.Init()
	if err != nil {
		return nil, fmt.Errorf("periphgpio: %s: initialize periph.io drivers: %w", name, err)
	}

	pin, err := lookup(name)
	if err != nil {
		var problems []string
		for _, failure := range state.Failed {
			problems = append(problems, failure.String())
		}
		for _, skipped := range state.Skipped {
			// Only the GPIO drivers explain a missing pin. The others
			// report boards this is not, which is noise here.
			if strings.Contains(skipped.D.String(), "gpio") {
				problems = append(problems, skipped.String())
			}
		}
		problems = append(problems, chipAccessProblems()...)
		return nil, notFoundError(name, err, registeredNames(), problems)
	}

	return FromPin(pin, cfg)
}

// chipAccessProblems reports the GPIO character devices that this user
// cannot open. periph.io only logs those failures and leaves the chip's
// lines out of the registry.
func chipAccessProblems() []string {
	paths, _ := filepath.Glob("/dev/gpiochip*")

	var problems []string
	for _, path := range paths {
		f, err := os.OpenFile(path, os.O_RDONLY, 0)
		if err == nil {
			f.Close()
			continue
		}
		if errors.Is(err, os.ErrPermission) {
			problems = append(problems, fmt.Sprintf("%s: permission denied, add the user to the gpio group (sudo usermod -aG gpio $USER, then log in again)", path))
			continue
		}
		problems = append(problems, err.Error())
	}
	return problems
}
