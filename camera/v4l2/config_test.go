package v4l2

import (
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		fourcc  uint32
		timeout time.Duration
	}{
		{"defaults", Config{Device: "/dev/video0", Width: 640, Height: 480, Format: "GREY"}, fourCCGrey, 2 * time.Second},
		{"lower case yuyv", Config{Device: "/dev/video0", Width: 640, Height: 480, Format: "yuyv"}, fourCCYUYV, 2 * time.Second},
		{"mjpeg rounds timeout up", Config{Device: "/dev/video0", Width: 640, Height: 480, Format: "MJPEG", Timeout: 1500 * time.Millisecond}, fourCCMJPEG, 2 * time.Second},
		{"whole seconds kept", Config{Device: "/dev/video0", Width: 640, Height: 480, Format: "MJPG", Timeout: 3 * time.Second}, fourCCMJPEG, 3 * time.Second},
		{"tiny timeout becomes one second", Config{Device: "/dev/video0", Width: 1, Height: 1, Format: "GREY", Timeout: time.Nanosecond}, fourCCGrey, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := parseConfig(tt.cfg)
			if err != nil {
				t.Fatalf("parseConfig: %v", err)
			}
			if req.fourcc != tt.fourcc {
				t.Errorf("fourcc = %s, want %s", fourCCString(req.fourcc), fourCCString(tt.fourcc))
			}
			if req.timeout != tt.timeout {
				t.Errorf("timeout = %v, want %v", req.timeout, tt.timeout)
			}
		})
	}
}

func TestParseConfigRejects(t *testing.T) {
	valid := Config{Device: "/dev/video0", Width: 640, Height: 480, Format: "GREY"}

	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"empty device", func(c *Config) { c.Device = " " }, "device is empty"},
		{"zero width", func(c *Config) { c.Width = 0 }, "invalid frame size"},
		{"negative height", func(c *Config) { c.Height = -1 }, "invalid frame size"},
		{"huge width", func(c *Config) { c.Width = 1 << 20 }, "invalid frame size"},
		{"unknown format", func(c *Config) { c.Format = "RGB24" }, "unsupported pixel format"},
		{"empty format", func(c *Config) { c.Format = "" }, "unsupported pixel format"},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, "negative timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.change(&cfg)

			_, err := parseConfig(cfg)
			if err == nil {
				t.Fatalf("parseConfig accepted %+v", cfg)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestFourCC(t *testing.T) {
	if got := fourCC("YUYV"); got != 0x56595559 {
		t.Errorf("fourCC(YUYV) = %#x, want 0x56595559", got)
	}
	if got := fourCCString(fourCC("MJPG")); got != "MJPG" {
		t.Errorf("round trip of MJPG = %q", got)
	}
	if got := fourCCString(0x00000001); got != "????" {
		t.Errorf("non-printable code shown as %q, want ????", got)
	}
}
