package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"

	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3"

	"edgeae/camera"
	_ "edgeae/camera/folder" // registers camera.KindFolder
	_ "edgeae/camera/v4l2"   // registers camera.KindV4L2
	"edgeae/edge"
	"edgeae/gpio"
	"edgeae/gpio/periphgpio"
)

func init() {
	register(command{
		name:    "run",
		summary: "inspect parts on the line: camera in, reject pulses, status LED and serial log out",
		run:     runRun,
	})
}

// runFlags holds the run flags. Each one overrides its config key only
// when it is given on the command line.
type runFlags struct {
	config      string
	model       string
	threshold   float64
	camera      string
	device      string
	folder      string
	recursive   bool
	loop        bool
	rate        float64
	timeoutMS   int
	sim         bool
	rejectPin   string
	delayMS     int
	pulseMS     int
	ledPin      string
	faultAction string
	serial      string
	baud        int
	heatmaps    string
	watchdog    string
}

// newRunFlags defines the run flags.
func newRunFlags() (*flag.FlagSet, *runFlags) {
	fs := newFlagSet("run", "[--config FILE] [flags]")
	f := &runFlags{}
	fs.StringVar(&f.config, "config", "", "TOML configuration file, where build/edgeae.example.toml lists every key (default: built-in defaults)")
	fs.Float64Var(&f.threshold, "threshold", 0, "image score above which a part is rejected, replacing the model's calibrated threshold (threshold; 0 keeps the model's)")
	fs.StringVar(&f.model, "model", "", "model file, float32 or int8 (model; default: the embedded model)")
	fs.StringVar(&f.camera, "camera", "", "frame source: v4l2 or folder (camera.kind; default v4l2, or folder when --folder is given)")
	fs.StringVar(&f.device, "device", "", "V4L2 device path (camera.device; default /dev/video0)")
	fs.StringVar(&f.folder, "folder", "", "image folder to replay (camera.dir)")
	fs.BoolVar(&f.recursive, "recursive", false, "also replay the images in subfolders of --folder, in path order (camera.recursive)")
	fs.BoolVar(&f.loop, "loop", false, "restart the folder replay after the last image (camera.loop)")
	fs.Float64Var(&f.rate, "rate", 0, "folder replay rate in frames per second, 0 for as fast as possible (camera.rate)")
	fs.IntVar(&f.timeoutMS, "timeout-ms", 0, "frame timeout in milliseconds (camera.timeout_ms; default 2000)")
	fs.BoolVar(&f.sim, "sim", false, "simulate the GPIO lines and log their level changes instead of driving pins (without it, a machine with no GPIO fails at start)")
	fs.StringVar(&f.rejectPin, "reject-pin", "", "reject actuator pin, such as GPIO17 (reject.pin; default GPIO17)")
	fs.IntVar(&f.delayMS, "delay-ms", 0, "conveyor travel time from camera to ejector in milliseconds (reject.delay_ms; default 500)")
	fs.IntVar(&f.pulseMS, "pulse-ms", 0, "reject pulse width in milliseconds (reject.pulse_ms; default 50)")
	fs.StringVar(&f.ledPin, "led-pin", "", "status LED pin, such as GPIO27, or empty for no LED (led.pin; default GPIO27)")
	fs.StringVar(&f.faultAction, "fault-action", "", "what a fault does after its reject pulse: reject (keep running) or stop (fault.action; default reject)")
	fs.StringVar(&f.serial, "serial", "", "serial device for the per-part log lines, or empty for standard output (serial.port)")
	fs.IntVar(&f.baud, "baud", 0, "serial bit rate (serial.baud; default 115200)")
	fs.StringVar(&f.heatmaps, "heatmaps", "", "folder for rejected frames and their heatmaps, or empty to save none (heatmaps.dir)")
	fs.StringVar(&f.watchdog, "watchdog", "", "hardware watchdog device, such as /dev/watchdog, or empty for none (watchdog.device)")
	return fs, f
}

// runRun loads the configuration and the detector, opens the outputs and
// runs the frame loop until SIGINT or SIGTERM, or until a folder replay
// ends.
func runRun(ctx context.Context, args []string) error {
	fs, f := newRunFlags()
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}

	cfg, err := runConfig(fs, f)
	if err != nil {
		return err
	}

	det, modelName, err := loadDetector(cfg.Model)
	if err != nil {
		return fmt.Errorf("load model: %w", err)
	}
	if cfg.Threshold > 0 {
		slog.Info("threshold overridden by the configuration", "model_threshold", det.Meta.Threshold, "threshold", cfg.Threshold)
		det.Meta.Threshold = cfg.Threshold
	}
	slog.Info("model loaded", "model", modelName, "format", det.Meta.Format, "threshold", det.Meta.Threshold)

	rejectLine, ledLine, err := openLines(cfg, f.sim)
	if err != nil {
		return err
	}

	out, err := edge.OpenSerial(cfg.Serial.Port, cfg.Serial.Baud)
	if err != nil {
		return errors.Join(err, releaseLines(rejectLine, ledLine))
	}
	defer out.Close()

	srcCfg := cfg.Camera.SourceConfig()
	loop, err := edge.New(cfg, edge.Options{
		Open:       func(context.Context) (camera.Source, error) { return camera.Open(srcCfg) },
		Inspector:  det,
		RejectLine: rejectLine,
		LEDLine:    ledLine,
		Serial:     out,
	})
	if err != nil {
		return errors.Join(err, releaseLines(rejectLine, ledLine))
	}

	// Run releases both lines whatever way it ends.
	return loop.Run(ctx)
}

// runConfig reads the config file, applies the flags given on the command
// line over it and validates the result.
func runConfig(fs *flag.FlagSet, f *runFlags) (edge.Config, error) {
	cfg := edge.DefaultConfig()
	if f.config != "" {
		loaded, err := edge.LoadConfig(f.config)
		if err != nil {
			return edge.Config{}, err
		}
		cfg = loaded
	}

	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })

	overrides := []struct {
		flag  string
		apply func()
	}{
		{"model", func() { cfg.Model = f.model }},
		{"threshold", func() { cfg.Threshold = f.threshold }},
		{"camera", func() { cfg.Camera.Kind = f.camera }},
		{"device", func() { cfg.Camera.Device = f.device }},
		{"folder", func() { cfg.Camera.Dir = f.folder }},
		{"recursive", func() { cfg.Camera.Recursive = f.recursive }},
		{"loop", func() { cfg.Camera.Loop = f.loop }},
		{"rate", func() { cfg.Camera.Rate = f.rate }},
		{"timeout-ms", func() { cfg.Camera.TimeoutMS = f.timeoutMS }},
		{"reject-pin", func() { cfg.Reject.Pin = f.rejectPin }},
		{"delay-ms", func() { cfg.Reject.DelayMS = f.delayMS }},
		{"pulse-ms", func() { cfg.Reject.PulseMS = f.pulseMS }},
		{"led-pin", func() { cfg.LED.Pin = f.ledPin }},
		{"fault-action", func() { cfg.Fault.Action = f.faultAction }},
		{"serial", func() { cfg.Serial.Port = f.serial }},
		{"baud", func() { cfg.Serial.Baud = f.baud }},
		{"heatmaps", func() { cfg.Heatmaps.Dir = f.heatmaps }},
		{"watchdog", func() { cfg.Watchdog.Device = f.watchdog }},
	}
	for _, o := range overrides {
		if given[o.flag] {
			o.apply()
		}
	}

	// A folder on the command line means a folder replay unless the
	// source kind is given too.
	if given["folder"] && !given["camera"] {
		cfg.Camera.Kind = edge.CameraFolder
	}

	if err := cfg.Validate(); err != nil {
		where := "flags"
		if f.config != "" {
			where = f.config + " and flags"
		}
		return edge.Config{}, fmt.Errorf("%w: invalid configuration (%s):\n%w", errUsage, where, err)
	}
	return cfg, nil
}

// openLines opens the reject and LED lines: simulated with sim, real pins
// otherwise. Without sim, a machine with no GPIO is an error. The LED line
// is nil when led.pin is empty.
func openLines(cfg edge.Config, sim bool) (reject, led gpio.Line, err error) {
	// Without a reject line no part could be kicked off the conveyor, so a
	// missing GPIO stops the start instead of falling back to simulation.
	if !sim {
		if reason := gpioUnavailable(); reason != "" {
			return nil, nil, fmt.Errorf("open reject.pin %s: no GPIO on this machine (%s): run on the board, check that the user is in the gpio group, or pass --sim to simulate the lines",
				cfg.Reject.Pin, reason)
		}
	}

	open := openPin
	if sim {
		open = openSimLine
	}

	reject, err = open("reject", cfg.Reject.Pin, cfg.Reject.ActiveLow)
	if err != nil {
		return nil, nil, fmt.Errorf("open reject.pin %s: %w", cfg.Reject.Pin, err)
	}

	if cfg.LED.Pin != "" {
		led, err = open("led", cfg.LED.Pin, cfg.LED.ActiveLow)
		if err != nil {
			return nil, nil, errors.Join(fmt.Errorf("open led.pin %s: %w", cfg.LED.Pin, err), reject.Release())
		}
	}
	return reject, led, nil
}

// releaseLines releases the lines opened by openLines when the loop never
// ran.
func releaseLines(reject, led gpio.Line) error {
	var errs []error
	errs = append(errs, reject.Release())
	if led != nil {
		errs = append(errs, led.Release())
	}
	return errors.Join(errs...)
}

// gpioUnavailable initialises the periph.io host drivers and returns why
// no GPIO pin can be driven, or "" when periph.io registered pins or a GPIO
// character device exists (periphgpio also opens "<chip>:<offset>" pins).
func gpioUnavailable() string {
	state, err := host.Init()
	if err != nil {
		return "periph.io host init failed: " + err.Error()
	}
	if len(gpioreg.All()) > 0 {
		return ""
	}
	if chips, _ := filepath.Glob("/dev/gpiochip*"); len(chips) > 0 {
		return ""
	}

	reason := "periph.io registered no GPIO pins and there is no /dev/gpiochip device"
	if state != nil && len(state.Failed) > 0 {
		reason += fmt.Sprintf(", and these drivers failed to load: %v", state.Failed)
	}
	return reason
}

// openPin opens a real output pin named pin for role ("reject" or "led").
func openPin(role, pin string, activeLow bool) (gpio.Line, error) {
	line, err := periphgpio.Open(periphgpio.Config{Pin: pin, ActiveLow: activeLow, Role: role})
	if err != nil {
		return nil, err
	}
	return line, nil
}

// openSimLine returns a simulated line that logs each level change.
func openSimLine(role, pin string, activeLow bool) (gpio.Line, error) {
	return &simLine{name: role + " " + pin, activeLow: activeLow, log: slog.Default()}, nil
}

// simLine is a gpio.Line without hardware. It logs every level change: the
// reject line at Info level, so each simulated pulse shows, and the LED at
// Debug level, because its blinking would flood the log.
type simLine struct {
	name      string
	activeLow bool
	log       *slog.Logger

	mu       sync.Mutex
	active   bool
	released bool
}

func (s *simLine) Set(active bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	if s.released {
		return fmt.Errorf("simulated line %s: set after release", s.name)
	}
	if active == s.active {
		return nil
	}
	s.active = active

	level := slog.LevelInfo
	if len(s.name) >= 3 && s.name[:3] == "led" {
		level = slog.LevelDebug
	}
	s.log.Log(context.Background(), level, "simulated GPIO level change", "line", s.name, "active", active, "active_low", s.activeLow)
	return nil
}

func (s *simLine) Release() error {
	if err := s.Set(false); err != nil {
		return err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.released = true
	return nil
}

func (s *simLine) String() string { return s.name + " (simulated)" }
