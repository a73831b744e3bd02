package edge

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWatchdogKickAndMagicClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "watchdog")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	w, err := OpenWatchdog(path)
	if err != nil {
		t.Fatalf("OpenWatchdog: %v", err)
	}
	for range 3 {
		if err := w.Kick(); err != nil {
			t.Fatalf("Kick: %v", err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "111V" {
		t.Errorf("device content = %q; want %q", got, "111V")
	}
}

func TestOpenWatchdogMissingDevice(t *testing.T) {
	_, err := OpenWatchdog(filepath.Join(t.TempDir(), "absent"))
	if err == nil {
		t.Fatal("OpenWatchdog on a missing path: no error; want one")
	}
}

func TestWatchdogNilIgnoresCalls(t *testing.T) {
	var w *Watchdog
	if err := w.Kick(); err != nil {
		t.Errorf("nil Watchdog Kick: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("nil Watchdog Close: %v", err)
	}
}
