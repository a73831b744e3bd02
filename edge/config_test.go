package edge

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// examplePath is the documented example configuration.
const examplePath = "../build/edgeae.example.toml"

func TestExampleConfigMatchesDefaults(t *testing.T) {
	cfg, err := LoadConfig(examplePath)
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("example config is invalid: %v", err)
	}
	if want := DefaultConfig(); !reflect.DeepEqual(cfg, want) {
		t.Errorf("example config differs from DefaultConfig:\n got %+v\nwant %+v", cfg, want)
	}
}

func TestExampleConfigListsEveryKey(t *testing.T) {
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)

	for _, key := range configKeys(reflect.TypeOf(Config{}), "") {
		table, name := "", key
		if i := strings.LastIndex(key, "."); i >= 0 {
			table, name = key[:i], key[i+1:]
		}

		section := text
		if table != "" {
			loc := regexp.MustCompile(`(?m)^#? ?\[` + regexp.QuoteMeta(table) + `\]\s*$`).FindStringIndex(text)
			if loc == nil {
				t.Errorf("example config has no [%s] table", table)
				continue
			}
			section = text[loc[1]:]
			if next := regexp.MustCompile(`(?m)^#? ?\[\w+\]\s*$`).FindStringIndex(section); next != nil {
				section = section[:next[0]]
			}
		}

		if !regexp.MustCompile(`(?m)^#? ?` + regexp.QuoteMeta(name) + ` = `).MatchString(section) {
			t.Errorf("example config does not list %s", key)
		}
	}
}

// configKeys returns the dotted TOML key of every leaf field of t.
func configKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		key := prefix + f.Tag.Get("toml")

		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct {
			keys = append(keys, configKeys(ft, key+".")...)
			continue
		}
		keys = append(keys, key)
	}
	return keys
}

func TestLoadConfigOverridesDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "edgeae.toml")
	text := `
model = "/opt/edgeae/screw.eae"
[camera]
kind = "folder"
dir = "/srv/replay"
rate = 12.5
[roi]
x0 = 10
y0 = 20
x1 = 110
y1 = 220
[reject]
delay_ms = 750
`
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}

	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}

	want := DefaultConfig()
	want.Model = "/opt/edgeae/screw.eae"
	want.Camera.Kind, want.Camera.Dir, want.Camera.Rate = CameraFolder, "/srv/replay", 12.5
	want.ROI = &ROI{X0: 10, Y0: 20, X1: 110, Y1: 220}
	want.Reject.DelayMS = 750
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("config:\n got %+v\nwant %+v", cfg, want)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
	}{
		{"unknown key", "[reject]\npulse = 50\n", "unknown key reject.pulse"},
		{"unknown table", "[camra]\nkind = \"v4l2\"\n", "unknown key camra"},
		{"wrong type", "[reject]\npulse_ms = \"fifty\"\n", "pulse_ms"},
		{"syntax error", "[reject\n", "read config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "edgeae.toml")
			if err := os.WriteFile(path, []byte(tt.text), 0o600); err != nil {
				t.Fatal(err)
			}

			_, err := LoadConfig(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadConfig error = %v; want it to contain %q", err, tt.want)
			}
		})
	}

	if _, err := LoadConfig(filepath.Join(t.TempDir(), "absent.toml")); err == nil {
		t.Error("LoadConfig on a missing file: no error; want one")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string // empty means valid
	}{
		{"defaults", func(c *Config) {}, ""},
		{"folder camera", func(c *Config) { c.Camera = CameraConfig{Kind: CameraFolder, Dir: "/srv", TimeoutMS: 100} }, ""},
		{"no LED", func(c *Config) { c.LED.Pin = "" }, ""},
		{"zero delay", func(c *Config) { c.Reject.DelayMS = 0 }, ""},
		{"summary off", func(c *Config) { c.Summary.IntervalS = 0 }, ""},
		{"stop action", func(c *Config) { c.Fault.Action = FaultActionStop }, ""},
		{"roi inside frame", func(c *Config) { c.ROI = &ROI{X0: 0, Y0: 0, X1: 1280, Y1: 720} }, ""},
		{"threshold override", func(c *Config) { c.Threshold = 0.01 }, ""},
		{"threshold negative", func(c *Config) { c.Threshold = -1 }, "threshold = -1: must be 0"},

		{"camera kind", func(c *Config) { c.Camera.Kind = "usb" }, `camera.kind = "usb": must be one of v4l2, folder`},
		{"camera device", func(c *Config) { c.Camera.Device = "" }, `camera.device = "": must name a V4L2 device`},
		{"camera width", func(c *Config) { c.Camera.Width = 8 }, "camera.width = 8: must be between 16 and 16384"},
		{"camera height", func(c *Config) { c.Camera.Height = 20000 }, "camera.height = 20000: must be between 16 and 16384"},
		{"camera format", func(c *Config) { c.Camera.Format = "RGB3" }, `camera.format = "RGB3": must be one of GREY, YUYV, MJPEG`},
		{"camera timeout", func(c *Config) { c.Camera.TimeoutMS = 0 }, "camera.timeout_ms = 0: must be between 10 and 60000"},
		{"folder dir", func(c *Config) { c.Camera.Kind, c.Camera.Dir = CameraFolder, "" }, `camera.dir = "": must name an image folder`},
		{"folder rate", func(c *Config) { c.Camera = CameraConfig{Kind: CameraFolder, Dir: "/srv", TimeoutMS: 100, Rate: -1} }, "camera.rate = -1: must be between 0 and 1000"},
		{"roi empty", func(c *Config) { c.ROI = &ROI{X0: 10, Y0: 10, X1: 10, Y1: 20} }, "x1 must be greater than x0"},
		{"roi negative", func(c *Config) { c.ROI = &ROI{X0: -1, Y0: 0, X1: 10, Y1: 20} }, "x0 and y0 must be at least 0"},
		{"roi outside camera", func(c *Config) { c.ROI = &ROI{X0: 0, Y0: 0, X1: 2000, Y1: 20} }, "must fit inside camera.width x camera.height (1280 x 720)"},
		{"reject pin", func(c *Config) { c.Reject.Pin = "" }, `reject.pin = "": must name a GPIO pin`},
		{"reject pin spaces", func(c *Config) { c.Reject.Pin = "GPIO 17" }, `reject.pin = "GPIO 17": must be a pin name without spaces`},
		{"reject delay", func(c *Config) { c.Reject.DelayMS = -5 }, "reject.delay_ms = -5: must be between 0 and 60000"},
		{"reject pulse zero", func(c *Config) { c.Reject.PulseMS = 0 }, "reject.pulse_ms = 0: must be between 1 and 10000"},
		{"reject pulse long", func(c *Config) { c.Reject.PulseMS = 10001 }, "reject.pulse_ms = 10001: must be between 1 and 10000"},
		{"led on reject pin", func(c *Config) { c.LED.Pin = "gpio17" }, `led.pin = "gpio17": must differ from reject.pin`},
		{"fault action", func(c *Config) { c.Fault.Action = "ignore" }, `fault.action = "ignore": must be one of reject, stop`},
		{"serial baud", func(c *Config) { c.Serial.Baud = 1000 }, "serial.baud = 1000: must be one of 1200, 2400"},
		{"summary interval", func(c *Config) { c.Summary.IntervalS = -1 }, "summary.interval_s = -1: must be between 0 and 86400"},
		{"heatmap bound", func(c *Config) { c.Heatmaps = HeatmapConfig{Dir: "/var/lib/edgeae", MaxMB: 0} }, "heatmaps.max_mb = 0: must be between 1 and 1048576"},
		{"backoff initial", func(c *Config) { c.Reconnect.InitialMS = 5 }, "reconnect.initial_ms = 5: must be between 10 and 600000"},
		{"backoff max below initial", func(c *Config) { c.Reconnect = ReconnectConfig{InitialMS: 1000, MaxMS: 500} }, "reconnect.max_ms = 500: must be at least reconnect.initial_ms (1000)"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.mutate(&cfg)

			err := cfg.Validate()
			if tt.want == "" {
				if err != nil {
					t.Errorf("Validate: %v; want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate error = %v; want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Reject.PulseMS = 0
	cfg.Serial.Baud = 7
	cfg.Fault.Action = ""

	err := cfg.Validate()
	if err == nil {
		t.Fatal("Validate: nil; want three problems")
	}
	for _, key := range []string{"reject.pulse_ms", "serial.baud", "fault.action"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("Validate error %q does not name %s", err, key)
		}
	}
}
