package camera_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"edgeae/camera"
)

// stubSource is the smallest camera.Source, for registry tests.
type stubSource struct{ name string }

func (s stubSource) Next(context.Context) (camera.Frame, error) {
	return camera.Frame{}, camera.ErrTimeout
}
func (s stubSource) Close() error   { return nil }
func (s stubSource) String() string { return s.name }

func TestOpenRegisteredKind(t *testing.T) {
	camera.Register("stub-test", func(cfg camera.Config) (camera.Source, error) {
		return stubSource{name: cfg.Folder.Dir}, nil
	})

	src, err := camera.Open(camera.Config{Kind: " STUB-test ", Folder: camera.FolderConfig{Dir: "x"}})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if src.String() != "x" {
		t.Errorf("String = %q, want the config passed through", src.String())
	}

	found := false
	for _, kind := range camera.Kinds() {
		found = found || kind == "stub-test"
	}
	if !found {
		t.Errorf("Kinds() = %v, want stub-test in it", camera.Kinds())
	}
}

func TestOpenRejectsKinds(t *testing.T) {
	tests := []struct {
		kind string
		want string
	}{
		{"", "source kind is empty"},
		{"webcam", `unknown source kind "webcam"`},
		{"v4l2", "import edgeae/camera/v4l2"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			_, err := camera.Open(camera.Config{Kind: tt.kind})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestSentinelsDistinct(t *testing.T) {
	sentinels := []error{camera.ErrTimeout, camera.ErrCorruptFrame, camera.ErrDisconnected}
	for i, a := range sentinels {
		for j, b := range sentinels {
			if i != j && errors.Is(a, b) {
				t.Errorf("%v matches %v", a, b)
			}
		}
	}
}
