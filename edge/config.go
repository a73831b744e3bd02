package edge

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"edgeae/camera"
)

// Config is the line-side runtime configuration, read from a TOML file by
// LoadConfig. build/edgeae.example.toml documents every key.
type Config struct {
	// Model is the model file path. Empty selects the model embedded in the
	// binary.
	Model string `toml:"model"`

	// Threshold, when above 0, replaces the model's calibrated threshold.
	// Line engineers use it to trade false rejects of good parts against
	// missed defects on their own line.
	Threshold float64 `toml:"threshold"`

	Camera    CameraConfig    `toml:"camera"`
	ROI       *ROI            `toml:"roi"`
	Reject    RejectConfig    `toml:"reject"`
	LED       LEDConfig       `toml:"led"`
	Fault     FaultConfig     `toml:"fault"`
	Serial    SerialConfig    `toml:"serial"`
	Summary   SummaryConfig   `toml:"summary"`
	Heatmaps  HeatmapConfig   `toml:"heatmaps"`
	Systemd   SystemdConfig   `toml:"systemd"`
	Watchdog  WatchdogConfig  `toml:"watchdog"`
	Reconnect ReconnectConfig `toml:"reconnect"`
}

// Camera kinds accepted in camera.kind.
const (
	CameraV4L2   = camera.KindV4L2
	CameraFolder = camera.KindFolder
)

// CameraConfig selects and configures the frame source.
type CameraConfig struct {
	// Kind is CameraV4L2 or CameraFolder.
	Kind string `toml:"kind"`

	// Device is the V4L2 device path, such as /dev/video0.
	Device string `toml:"device"`

	// Width and Height are the requested V4L2 capture size in pixels.
	Width  int `toml:"width"`
	Height int `toml:"height"`

	// Format is the V4L2 pixel format: GREY, YUYV or MJPEG.
	Format string `toml:"format"`

	// TimeoutMS is how long to wait for one frame before a timeout fault.
	TimeoutMS int `toml:"timeout_ms"`

	// Dir is the image folder replayed by the folder source.
	Dir string `toml:"dir"`

	// Recursive also replays the images in subfolders of Dir.
	Recursive bool `toml:"recursive"`

	// Loop restarts the folder replay at the first image after the last.
	Loop bool `toml:"loop"`

	// Rate is the folder replay rate in frames per second. Zero replays as
	// fast as the loop takes frames.
	Rate float64 `toml:"rate"`
}

// Timeout returns TimeoutMS as a duration.
func (c CameraConfig) Timeout() time.Duration { return ms(c.TimeoutMS) }

// ROI is an optional region of interest in frame pixels, [X0, X1) x
// [Y0, Y1). The loop crops each frame to it before inspection.
type ROI struct {
	X0 int `toml:"x0"`
	Y0 int `toml:"y0"`
	X1 int `toml:"x1"`
	Y1 int `toml:"y1"`
}

// RejectConfig configures the reject actuator output.
type RejectConfig struct {
	// Pin is the GPIO pin name, such as GPIO17.
	Pin string `toml:"pin"`

	// ActiveLow drives the pin low to reject.
	ActiveLow bool `toml:"active_low"`

	// DelayMS is the conveyor travel time from the camera to the ejector.
	DelayMS int `toml:"delay_ms"`

	// PulseMS is the width of one reject pulse.
	PulseMS int `toml:"pulse_ms"`
}

// Delay returns DelayMS as a duration.
func (c RejectConfig) Delay() time.Duration { return ms(c.DelayMS) }

// Pulse returns PulseMS as a duration.
func (c RejectConfig) Pulse() time.Duration { return ms(c.PulseMS) }

// LEDConfig configures the status LED output.
type LEDConfig struct {
	// Pin is the GPIO pin name. Empty means no LED.
	Pin string `toml:"pin"`

	// ActiveLow drives the pin low to light the LED.
	ActiveLow bool `toml:"active_low"`
}

// Fault actions accepted in fault.action.
const (
	FaultActionReject = "reject"
	FaultActionStop   = "stop"
)

// FaultConfig selects what a fault does besides counting and logging.
type FaultConfig struct {
	// Action is FaultActionReject (pulse and continue) or FaultActionStop
	// (pulse and end the run with an error).
	Action string `toml:"action"`
}

// SerialConfig selects where the per-part log lines go.
type SerialConfig struct {
	// Port is the serial device path. Empty writes to standard output.
	Port string `toml:"port"`

	// Baud is the serial bit rate.
	Baud int `toml:"baud"`
}

// SummaryConfig configures the periodic summary log.
type SummaryConfig struct {
	// IntervalS is the time between summaries in seconds. Zero disables them.
	IntervalS int `toml:"interval_s"`
}

// Interval returns IntervalS as a duration.
func (c SummaryConfig) Interval() time.Duration { return time.Duration(c.IntervalS) * time.Second }

// HeatmapConfig configures saving of rejected frames.
type HeatmapConfig struct {
	// Dir is the folder for the PNG files. Empty disables saving.
	Dir string `toml:"dir"`

	// MaxMB bounds the total size of the saved files in MiB.
	MaxMB int `toml:"max_mb"`
}

// SystemdConfig configures the systemd notify protocol.
type SystemdConfig struct {
	// Notify sends READY=1, WATCHDOG=1 and STOPPING=1 when NOTIFY_SOCKET
	// is set.
	Notify bool `toml:"notify"`
}

// WatchdogConfig configures the hardware watchdog device.
type WatchdogConfig struct {
	// Device is the watchdog device path, such as /dev/watchdog. Empty
	// disables it.
	Device string `toml:"device"`
}

// ReconnectConfig bounds the exponential backoff between camera reopen
// attempts.
type ReconnectConfig struct {
	InitialMS int `toml:"initial_ms"`
	MaxMS     int `toml:"max_ms"`
}

// Initial returns InitialMS as a duration.
func (c ReconnectConfig) Initial() time.Duration { return ms(c.InitialMS) }

// Max returns MaxMS as a duration.
func (c ReconnectConfig) Max() time.Duration { return ms(c.MaxMS) }

// DefaultConfig returns the configuration used for keys missing from the
// file. It matches build/edgeae.example.toml.
func DefaultConfig() Config {
	return Config{
		Camera: CameraConfig{
			Kind:      CameraV4L2,
			Device:    "/dev/video0",
			Width:     1280,
			Height:    720,
			Format:    "YUYV",
			TimeoutMS: 2000,
		},
		Reject:    RejectConfig{Pin: "GPIO17", DelayMS: 500, PulseMS: 50},
		LED:       LEDConfig{Pin: "GPIO27"},
		Fault:     FaultConfig{Action: FaultActionReject},
		Serial:    SerialConfig{Baud: 115200},
		Summary:   SummaryConfig{IntervalS: 60},
		Heatmaps:  HeatmapConfig{MaxMB: 512},
		Systemd:   SystemdConfig{Notify: true},
		Reconnect: ReconnectConfig{InitialMS: 500, MaxMS: 30000},
	}
}

// LoadConfig reads a TOML file over DefaultConfig. It rejects unknown keys
// but does not validate values, so call Validate after applying flags.
func LoadConfig(path string) (Config, error) {
	cfg := DefaultConfig()

	md, err := toml.DecodeFile(path, &cfg)
	if err != nil {
		return Config{}, fmt.Errorf("read config %s: %w", path, err)
	}

	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		keys := make([]string, len(undecoded))
		for i, k := range undecoded {
			keys[i] = k.String()
		}
		return Config{}, fmt.Errorf("read config %s: unknown key %s: check the spelling against build/edgeae.example.toml", path, strings.Join(keys, ", "))
	}
	return cfg, nil
}

// Limits of the numeric keys, shared by Validate and its messages.
const (
	minFrameSide, maxFrameSide = 16, 16384
	minTimeoutMS, maxTimeoutMS = 10, 60000
	maxRate                    = 1000
	maxDelayMS                 = 60000
	minPulseMS, maxPulseMS     = 1, 10000
	maxSummaryS                = 86400
	minHeatmapMB, maxHeatmapMB = 1, 1 << 20
	minBackoffMS, maxBackoffMS = 10, 600000
)

// serialBauds lists the accepted serial.baud values.
var serialBauds = []int{1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600}

// cameraFormats lists the accepted camera.format values.
var cameraFormats = []string{"GREY", "YUYV", "MJPEG"}

// Validate checks every value and returns all problems joined, each naming
// the key, the value and the allowed range.
func (c *Config) Validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	add(c.validateCamera())
	if math.IsNaN(c.Threshold) || math.IsInf(c.Threshold, 0) || c.Threshold < 0 {
		add(fmt.Errorf("threshold = %v: must be 0 (use the model's calibrated threshold) or a positive score", c.Threshold))
	}

	if c.ROI != nil {
		add(c.validateROI())
	}

	add(checkPin("reject.pin", c.Reject.Pin, true))
	add(checkRange("reject.delay_ms", c.Reject.DelayMS, 0, maxDelayMS))
	add(checkRange("reject.pulse_ms", c.Reject.PulseMS, minPulseMS, maxPulseMS))
	add(checkPin("led.pin", c.LED.Pin, false))
	if c.LED.Pin != "" && strings.EqualFold(c.LED.Pin, c.Reject.Pin) {
		add(fmt.Errorf("led.pin = %q: must differ from reject.pin", c.LED.Pin))
	}

	add(checkOneOf("fault.action", c.Fault.Action, []string{FaultActionReject, FaultActionStop}))
	add(checkOneOfInt("serial.baud", c.Serial.Baud, serialBauds))
	add(checkRange("summary.interval_s", c.Summary.IntervalS, 0, maxSummaryS))

	if c.Heatmaps.Dir != "" {
		add(checkRange("heatmaps.max_mb", c.Heatmaps.MaxMB, minHeatmapMB, maxHeatmapMB))
	}

	add(checkRange("reconnect.initial_ms", c.Reconnect.InitialMS, minBackoffMS, maxBackoffMS))
	add(checkRange("reconnect.max_ms", c.Reconnect.MaxMS, minBackoffMS, maxBackoffMS))
	if c.Reconnect.MaxMS < c.Reconnect.InitialMS {
		add(fmt.Errorf("reconnect.max_ms = %d: must be at least reconnect.initial_ms (%d)", c.Reconnect.MaxMS, c.Reconnect.InitialMS))
	}

	return errors.Join(errs...)
}

// validateCamera checks the [camera] keys that the selected kind uses.
func (c *Config) validateCamera() error {
	cam := c.Camera
	if err := checkOneOf("camera.kind", cam.Kind, []string{CameraV4L2, CameraFolder}); err != nil {
		return err
	}

	var errs []error
	errs = append(errs, checkRange("camera.timeout_ms", cam.TimeoutMS, minTimeoutMS, maxTimeoutMS))

	switch cam.Kind {
	case CameraV4L2:
		if cam.Device == "" {
			errs = append(errs, errors.New(`camera.device = "": must name a V4L2 device such as /dev/video0`))
		}
		errs = append(errs,
			checkRange("camera.width", cam.Width, minFrameSide, maxFrameSide),
			checkRange("camera.height", cam.Height, minFrameSide, maxFrameSide),
			checkOneOf("camera.format", cam.Format, cameraFormats))
	case CameraFolder:
		if cam.Dir == "" {
			errs = append(errs, errors.New(`camera.dir = "": must name an image folder when camera.kind = "folder"`))
		}
		if !(cam.Rate >= 0 && cam.Rate <= maxRate) {
			errs = append(errs, fmt.Errorf("camera.rate = %g: must be between 0 and %d frames per second", cam.Rate, maxRate))
		}
	}
	return errors.Join(errs...)
}

// validateROI checks that the [roi] rectangle is non-empty and, for a V4L2
// camera, inside the capture size.
func (c *Config) validateROI() error {
	r := *c.ROI
	var errs []error

	if r.X0 < 0 || r.Y0 < 0 {
		errs = append(errs, fmt.Errorf("roi = (%d,%d)-(%d,%d): x0 and y0 must be at least 0", r.X0, r.Y0, r.X1, r.Y1))
	}
	if r.X1 <= r.X0 || r.Y1 <= r.Y0 {
		errs = append(errs, fmt.Errorf("roi = (%d,%d)-(%d,%d): x1 must be greater than x0 and y1 greater than y0", r.X0, r.Y0, r.X1, r.Y1))
	}
	if c.Camera.Kind == CameraV4L2 && (r.X1 > c.Camera.Width || r.Y1 > c.Camera.Height) {
		errs = append(errs, fmt.Errorf("roi = (%d,%d)-(%d,%d): must fit inside camera.width x camera.height (%d x %d)", r.X0, r.Y0, r.X1, r.Y1, c.Camera.Width, c.Camera.Height))
	}
	return errors.Join(errs...)
}

// checkRange rejects v outside [lo, hi].
func checkRange(key string, v, lo, hi int) error {
	if v < lo || v > hi {
		return fmt.Errorf("%s = %d: must be between %d and %d", key, v, lo, hi)
	}
	return nil
}

// checkOneOf rejects v unless it is one of allowed.
func checkOneOf(key, v string, allowed []string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("%s = %q: must be one of %s", key, v, strings.Join(allowed, ", "))
}

// checkOneOfInt rejects v unless it is one of allowed.
func checkOneOfInt(key string, v int, allowed []int) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = strconv.Itoa(a)
	}
	return fmt.Errorf("%s = %d: must be one of %s", key, v, strings.Join(names, ", "))
}

// checkPin rejects an empty required pin and pin names with spaces.
func checkPin(key, pin string, required bool) error {
	if pin == "" && required {
		return fmt.Errorf(`%s = "": must name a GPIO pin such as GPIO17`, key)
	}
	if strings.ContainsAny(pin, " \t") {
		return fmt.Errorf("%s = %q: must be a pin name without spaces, such as GPIO17", key, pin)
	}
	return nil
}

// ms converts milliseconds to a duration.
func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// SourceConfig returns the camera.Config that camera.Open takes for this
// [camera] table.
func (c CameraConfig) SourceConfig() camera.Config {
	return camera.Config{
		Kind: c.Kind,
		V4L2: camera.V4L2Config{
			Device:  c.Device,
			Width:   c.Width,
			Height:  c.Height,
			Format:  c.Format,
			Timeout: c.Timeout(),
		},
		Folder: camera.FolderConfig{
			Dir:       c.Dir,
			Recursive: c.Recursive,
			Loop:      c.Loop,
			Rate:      c.Rate,
		},
	}
}
