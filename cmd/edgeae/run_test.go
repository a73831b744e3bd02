package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"edgeae/edge"
)

func TestRunConfigFlagsOverrideFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "edgeae.toml")
	text := "[reject]\ndelay_ms = 250\npulse_ms = 20\n[camera]\nkind = \"folder\"\ndir = \"/srv/a\"\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, cfg edge.Config)
	}{
		{"file values", []string{"--config", path}, func(t *testing.T, cfg edge.Config) {
			if cfg.Reject.DelayMS != 250 || cfg.Reject.PulseMS != 20 || cfg.Camera.Dir != "/srv/a" {
				t.Errorf("reject %+v, camera dir %q; want the file's values", cfg.Reject, cfg.Camera.Dir)
			}
		}},
		{"flag beats file", []string{"--config", path, "--pulse-ms", "35"}, func(t *testing.T, cfg edge.Config) {
			if cfg.Reject.PulseMS != 35 || cfg.Reject.DelayMS != 250 {
				t.Errorf("reject %+v; want pulse_ms 35 from the flag and delay_ms 250 from the file", cfg.Reject)
			}
		}},
		{"folder flag selects folder kind", []string{"--folder", "/srv/b"}, func(t *testing.T, cfg edge.Config) {
			if cfg.Camera.Kind != edge.CameraFolder || cfg.Camera.Dir != "/srv/b" {
				t.Errorf("camera %+v; want a folder replay of /srv/b", cfg.Camera)
			}
		}},
		{"empty led pin disables the LED", []string{"--led-pin", ""}, func(t *testing.T, cfg edge.Config) {
			if cfg.LED.Pin != "" {
				t.Errorf("led.pin = %q; want empty", cfg.LED.Pin)
			}
		}},
		{"defaults without file", nil, func(t *testing.T, cfg edge.Config) {
			if cfg.Camera.Kind != edge.CameraV4L2 || cfg.Reject.PulseMS != 50 {
				t.Errorf("config %+v; want the defaults", cfg)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, f := newRunFlags()
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			cfg, err := runConfig(fs, f)
			if err != nil {
				t.Fatalf("runConfig: %v", err)
			}
			tt.check(t, cfg)
		})
	}
}

func TestRunRejectsInvalidValues(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--pulse-ms", "0"}, "reject.pulse_ms = 0: must be between 1 and 10000"},
		{[]string{"--camera", "usb"}, `camera.kind = "usb": must be one of v4l2, folder`},
		{[]string{"--fault-action", "ignore"}, `fault.action = "ignore"`},
		{[]string{"--sim", "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			err := runRun(context.Background(), tt.args)
			if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("runRun error = %v; want a usage error containing %q", err, tt.want)
			}
		})
	}
}

func TestRunFolderReplaySimulated(t *testing.T) {
	data, model := trainSmall(t)

	// Replay the 6 test images and one file that is not an image.
	dir := t.TempDir()
	for _, kind := range []string{"good", "defective"} {
		entries, err := os.ReadDir(filepath.Join(data, "test", kind))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			target, err := filepath.EvalSymlinks(filepath.Join(data, "test", kind, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, filepath.Join(dir, kind+"_"+e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "zz_broken.png"), []byte("not a PNG"), 0o600); err != nil {
		t.Fatal(err)
	}

	// The per-part lines go to standard output when no serial port is set.
	outPath := filepath.Join(t.TempDir(), "stdout")
	out, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = out
	heatmaps := filepath.Join(t.TempDir(), "rejects")
	err = runRun(context.Background(), []string{
		"--sim", "--folder", dir, "--model", model,
		"--delay-ms", "300", "--pulse-ms", "10", "--heatmaps", heatmaps,
	})
	os.Stdout = stdout
	out.Close()
	if err != nil {
		t.Fatalf("runRun: %v", err)
	}

	data2, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data2), "\n"), "\n")
	if len(lines) != 7 {
		t.Fatalf("got %d serial lines; want 7:\n%s", len(lines), data2)
	}

	line := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d) seq=\d+ name=\S+ score=\S+ threshold=\S+ verdict=(PASS|REJECT|FAULT) latency_ms=\d+\.\d( fault=\w+)?$`)
	rejects := 0
	for _, l := range lines[:6] {
		if !line.MatchString(l) {
			t.Errorf("line %q does not match the serial format", l)
		}
		if strings.Contains(l, "verdict=FAULT") {
			t.Errorf("line %q: a readable test image faulted", l)
		}
		if strings.Contains(l, "verdict=REJECT") {
			rejects++
		}
	}
	if !strings.Contains(lines[6], "verdict=FAULT") || !strings.HasSuffix(lines[6], "fault=corrupt") {
		t.Errorf("last line %q; want a corrupt-frame fault for zz_broken.png", lines[6])
	}

	saved, err := filepath.Glob(filepath.Join(heatmaps, "*-heatmap.png"))
	if err != nil {
		t.Fatal(err)
	}
	if len(saved) != rejects {
		t.Errorf("%d heatmaps saved; want one per REJECT line (%d)", len(saved), rejects)
	}
}

func TestOpenLinesWithoutGPIOFails(t *testing.T) {
	if reason := gpioUnavailable(); reason == "" {
		t.Skip("this machine has GPIO, so the missing-GPIO error cannot be tested")
	}

	cfg := edge.DefaultConfig()
	_, _, err := openLines(cfg, false)
	if err == nil {
		t.Fatal("openLines without GPIO and without --sim returned no error; a line with no reject output must not start")
	}
	for _, want := range []string{"reject.pin GPIO17", "--sim"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestOpenLinesSimulated(t *testing.T) {
	var logs strings.Builder
	previous := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	defer slog.SetDefault(previous)

	cfg := edge.DefaultConfig()
	reject, led, err := openLines(cfg, true)
	if err != nil {
		t.Fatalf("openLines: %v", err)
	}

	if !strings.Contains(reject.String(), "simulated") || led == nil || !strings.Contains(led.String(), "simulated") {
		t.Errorf("lines %v and %v; want both simulated", reject, led)
	}

	if err := reject.Set(true); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if err := releaseLines(reject, led); err != nil {
		t.Fatalf("releaseLines: %v", err)
	}
	if got := strings.Count(logs.String(), `msg="simulated GPIO level change" line="reject GPIO17"`); got != 2 {
		t.Errorf("%d reject level changes logged; want 2 (active, then inactive at release):\n%s", got, logs.String())
	}
	if err := reject.Set(true); err == nil {
		t.Error("Set after release: no error; want one")
	}
}
