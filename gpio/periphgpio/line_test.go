package periphgpio

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	pgpio "periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/physic"
)

// fakePin is a periph.io output pin that records levels and can fail.
type fakePin struct {
	name string

	mu     sync.Mutex
	levels []pgpio.Level
	outErr error
	halts  int
	closes int
}

func (p *fakePin) String() string   { return p.name }
func (p *fakePin) Name() string     { return p.name }
func (p *fakePin) Number() int      { return -1 }
func (p *fakePin) Function() string { return "Out" }

func (p *fakePin) Halt() error {
	p.mu.Lock()
	defer p.mu.Unlock()

	p.halts++
	return nil
}

func (p *fakePin) Out(l pgpio.Level) error {
	p.mu.Lock()
	defer p.mu.Unlock()

	if p.outErr != nil {
		return p.outErr
	}
	p.levels = append(p.levels, l)
	return nil
}

func (p *fakePin) PWM(pgpio.Duty, physic.Frequency) error {
	return errors.New("no PWM")
}

// In, Read, WaitForEdge, Pull and DefaultPull complete gpio.PinIO so the
// fake can be registered in gpioreg.
func (p *fakePin) In(pgpio.Pull, pgpio.Edge) error { return errors.New("output only") }
func (p *fakePin) Read() pgpio.Level               { return pgpio.Low }
func (p *fakePin) WaitForEdge(time.Duration) bool  { return false }
func (p *fakePin) Pull() pgpio.Pull                { return pgpio.PullNoChange }
func (p *fakePin) DefaultPull() pgpio.Pull         { return pgpio.PullNoChange }

// closingPin is a fake of a character-device line, which has Close.
type closingPin struct {
	fakePin
}

func (p *closingPin) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()

	p.closes++
}

func (p *fakePin) recorded() []pgpio.Level {
	p.mu.Lock()
	defer p.mu.Unlock()

	return append([]pgpio.Level(nil), p.levels...)
}

func TestFromPinLevels(t *testing.T) {
	tests := []struct {
		name      string
		activeLow bool
		want      []pgpio.Level
	}{
		{"active high", false, []pgpio.Level{pgpio.Low, pgpio.High, pgpio.Low, pgpio.Low}},
		{"active low", true, []pgpio.Level{pgpio.High, pgpio.Low, pgpio.High, pgpio.High}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pin := &fakePin{name: "GPIO17"}

			line, err := FromPin(pin, Config{Pin: "GPIO17", ActiveLow: tt.activeLow, Role: "reject"})
			if err != nil {
				t.Fatalf("FromPin: %v", err)
			}
			if err := line.Set(true); err != nil {
				t.Fatalf("Set(true): %v", err)
			}
			if err := line.Set(false); err != nil {
				t.Fatalf("Set(false): %v", err)
			}
			if err := line.Release(); err != nil {
				t.Fatalf("Release: %v", err)
			}

			got := pin.recorded()
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("levels = %v, want %v (inactive at open, active, inactive, inactive at release)", got, tt.want)
			}
			if pin.halts != 1 {
				t.Errorf("pin halted %d times, want 1", pin.halts)
			}
		})
	}
}

func TestReleaseClosesCharacterDeviceLine(t *testing.T) {
	pin := &closingPin{fakePin{name: "PQ.05"}}

	line, err := FromPin(pin, Config{Pin: "PQ.05"})
	if err != nil {
		t.Fatalf("FromPin: %v", err)
	}
	if err := line.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if err := line.Release(); err != nil {
		t.Fatalf("second Release: %v", err)
	}

	if pin.closes != 1 || pin.halts != 0 {
		t.Errorf("closes = %d, halts = %d; want the line closed once and not halted", pin.closes, pin.halts)
	}
	if err := line.Set(true); err == nil {
		t.Errorf("Set after Release succeeded")
	}
}

func TestStringNamesRoleAndPin(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Pin: "GPIO17", Role: "reject"}, "reject GPIO17"},
		{Config{Pin: " GPIO27 "}, "gpio GPIO27"},
		{Config{Role: "led"}, "led GPIO5"},
	}
	for _, tt := range tests {
		line, err := FromPin(&fakePin{name: "GPIO5"}, tt.cfg)
		if err != nil {
			t.Fatalf("FromPin: %v", err)
		}
		if got := line.String(); got != tt.want {
			t.Errorf("String = %q, want %q", got, tt.want)
		}
	}
}

func TestFromPinErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"busy errno", syscall.EBUSY, "pin busy"},
		{"busy text", errors.New("bcm283x-gpio (GPIO17): line_request ioctl: device or resource busy"), "stop that process"},
		{"permission errno", syscall.EACCES, "gpio group"},
		{"EPERM", syscall.EPERM, "gpio group"},
		{"permission text", errors.New("need more access: open /dev/gpiomem: permission denied"), "gpio group"},
		{"other", errors.New("bad luck"), "drive inactive: bad luck"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pin := &fakePin{name: "GPIO17", outErr: tt.err}

			_, err := FromPin(pin, Config{Pin: "GPIO17"})
			if err == nil {
				t.Fatalf("FromPin succeeded on a failing pin")
			}
			if !strings.HasPrefix(err.Error(), "periphgpio: GPIO17: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not start with the pin and mention %q", err, tt.want)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("cause not wrapped in %v", err)
			}
		})
	}

	if _, err := FromPin(nil, Config{Pin: "GPIO17"}); err == nil {
		t.Errorf("FromPin accepted a nil pin")
	}
}

func TestSetFailure(t *testing.T) {
	pin := &fakePin{name: "GPIO17"}
	line, err := FromPin(pin, Config{Pin: "GPIO17"})
	if err != nil {
		t.Fatalf("FromPin: %v", err)
	}

	pin.mu.Lock()
	pin.outErr = syscall.EIO
	pin.mu.Unlock()

	if err := line.Set(true); !errors.Is(err, syscall.EIO) {
		t.Errorf("Set = %v, want EIO", err)
	}
	if err := line.Release(); !errors.Is(err, syscall.EIO) {
		t.Errorf("Release = %v, want the failed inactive write", err)
	}
}

func TestParseChipOffset(t *testing.T) {
	tests := []struct {
		name   string
		chip   string
		offset int
		ok     bool
	}{
		{"gpiochip0:17", "gpiochip0", 17, true},
		{"/dev/gpiochip4:0", "/dev/gpiochip4", 0, true},
		{"pinctrl-rp1:27", "pinctrl-rp1", 27, true},
		{"GPIO17", "", 0, false},
		{":17", "", 0, false},
		{"gpiochip0:", "", 0, false},
		{"gpiochip0:-1", "", 0, false},
		{"gpiochip0:x", "", 0, false},
	}
	for _, tt := range tests {
		chip, offset, ok := parseChipOffset(tt.name)
		if chip != tt.chip || offset != tt.offset || ok != tt.ok {
			t.Errorf("parseChipOffset(%q) = %q, %d, %v; want %q, %d, %v", tt.name, chip, offset, ok, tt.chip, tt.offset, tt.ok)
		}
	}
}

func TestChipLineUnknownChip(t *testing.T) {
	_, err := chipLine("gpiochip9", 3, nil)
	if !errors.Is(err, errPinNotFound) || !strings.Contains(err.Error(), "no GPIO character device") {
		t.Errorf("error = %v, want a not-found error saying no chip was opened", err)
	}
}

func TestNotFoundErrorListsNames(t *testing.T) {
	var many []string
	for i := range 30 {
		many = append(many, fmt.Sprintf("GPIO%d", i))
	}

	err := notFoundError("GPIO99", errPinNotFound, many, []string{"bcm283x-gpio: need more access"})
	text := err.Error()

	for _, want := range []string{"periphgpio: GPIO99: pin not found", "GPIO0, GPIO1", "and 6 more", "need more access", "gpioinfo"} {
		if !strings.Contains(text, want) {
			t.Errorf("error %q does not mention %q", text, want)
		}
	}
	if strings.Contains(text, "GPIO29") {
		t.Errorf("error lists more than %d names", maxListedPins)
	}

	empty := notFoundError("x", nil, nil, nil).Error()
	if !strings.Contains(empty, "registered no pins") {
		t.Errorf("error %q does not say that no pins are registered", empty)
	}
}

func TestOpenRegisteredPin(t *testing.T) {
	pin := &fakePin{name: "EDGEAE_TEST_OUT"}
	if err := gpioreg.Register(pin); err != nil {
		t.Fatalf("register fake pin: %v", err)
	}
	defer gpioreg.Unregister(pin.name)

	line, err := Open(Config{Pin: "EDGEAE_TEST_OUT", Role: "reject"})
	if runtime.GOOS != "linux" {
		if err == nil || !strings.Contains(err.Error(), "needs Linux") {
			t.Errorf("Open on %s = %v, want a needs-Linux error", runtime.GOOS, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer line.Release()

	if got := pin.recorded(); len(got) != 1 || got[0] != pgpio.Low {
		t.Errorf("levels after Open = %v, want [Low]", got)
	}
}

func TestOpenUnknownPin(t *testing.T) {
	_, err := Open(Config{Pin: "EDGEAE_NO_SUCH_PIN"})
	if err == nil || !strings.Contains(err.Error(), "EDGEAE_NO_SUCH_PIN") {
		t.Errorf("Open of an unknown pin = %v, want an error naming it", err)
	}
}

func TestOpenEmptyPin(t *testing.T) {
	if _, err := Open(Config{Pin: "  "}); err == nil {
		t.Errorf("Open accepted an empty pin name")
	}
}
