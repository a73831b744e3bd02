package cameratest_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"edgeae/camera"
	"edgeae/camera/cameratest"
)

func TestScriptPlaysInOrder(t *testing.T) {
	img := cameratest.Gray(4, 3, 9)
	clock := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

	src := cameratest.New("cam",
		cameratest.Frame(img),
		cameratest.Fail(camera.ErrTimeout),
		cameratest.Fail(camera.ErrCorruptFrame),
		cameratest.Wait(time.Millisecond),
		cameratest.Frame(img),
	)
	src.SetClock(func() time.Time { return clock })
	ctx := context.Background()

	first, err := src.Next(ctx)
	if err != nil {
		t.Fatalf("step 1: %v", err)
	}
	if first.Seq != 1 || first.Name != "cam#1" || !first.Time.Equal(clock) || first.Image != img {
		t.Errorf("step 1 frame = %+v, want seq 1 named cam#1 at the fake time", first)
	}

	if _, err := src.Next(ctx); !errors.Is(err, camera.ErrTimeout) {
		t.Errorf("step 2 error = %v, want ErrTimeout", err)
	}

	_, err = src.Next(ctx)
	if !errors.Is(err, camera.ErrCorruptFrame) || !strings.Contains(err.Error(), "frame 2") {
		t.Errorf("step 3 error = %v, want ErrCorruptFrame for frame 2", err)
	}

	last, err := src.Next(ctx)
	if err != nil {
		t.Fatalf("steps 4 and 5: %v", err)
	}
	if last.Seq != 3 {
		t.Errorf("Seq after a corrupt frame = %d, want 3", last.Seq)
	}

	if _, err := src.Next(ctx); !errors.Is(err, io.EOF) {
		t.Errorf("after the script: %v, want io.EOF", err)
	}
	if src.Nexts() != 5 || src.Remaining() != 0 {
		t.Errorf("Nexts = %d, Remaining = %d, want 5 and 0", src.Nexts(), src.Remaining())
	}
}

func TestDisconnectRepeats(t *testing.T) {
	src := cameratest.New("cam",
		cameratest.Fail(camera.ErrDisconnected),
		cameratest.Frame(cameratest.Gray(1, 1, 0)),
	)

	for i := range 3 {
		if _, err := src.Next(context.Background()); !errors.Is(err, camera.ErrDisconnected) {
			t.Errorf("call %d: %v, want ErrDisconnected", i+1, err)
		}
	}
	if src.Remaining() != 1 {
		t.Errorf("Remaining = %d, want 1: a gone device plays no more steps", src.Remaining())
	}
}

func TestHangUntilContextEnds(t *testing.T) {
	src := cameratest.New("cam", cameratest.Hang())

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Millisecond)
	defer cancel()

	if _, err := src.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Next = %v, want context.DeadlineExceeded", err)
	}
}

func TestWaitHonorsContext(t *testing.T) {
	src := cameratest.New("cam", cameratest.Wait(time.Hour), cameratest.Frame(cameratest.Gray(1, 1, 0)))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	if _, err := src.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Next = %v, want context.Canceled", err)
	}
}

func TestCloseCounted(t *testing.T) {
	src := cameratest.New("cam", cameratest.Frame(cameratest.Gray(1, 1, 0)))

	_ = src.Close()
	_ = src.Close()

	if src.Closes() != 2 {
		t.Errorf("Closes = %d, want 2", src.Closes())
	}
	if _, err := src.Next(context.Background()); err == nil {
		t.Errorf("Next after Close succeeded")
	}
}

func TestFactoryReopens(t *testing.T) {
	img := cameratest.Gray(2, 2, 1)
	openErr := errors.New("no such device")

	f := cameratest.NewFactory("cam",
		cameratest.Script{Steps: []cameratest.Step{cameratest.Frame(img), cameratest.Fail(camera.ErrDisconnected)}},
		cameratest.Script{OpenErr: openErr},
		cameratest.Script{Steps: []cameratest.Step{cameratest.Frame(img)}},
	)
	ctx := context.Background()

	first, err := f.Open()
	if err != nil {
		t.Fatalf("open 1: %v", err)
	}
	if _, err := first.Next(ctx); err != nil {
		t.Fatalf("open 1 frame: %v", err)
	}
	if _, err := first.Next(ctx); !errors.Is(err, camera.ErrDisconnected) {
		t.Fatalf("open 1 second call = %v, want ErrDisconnected", err)
	}
	_ = first.Close()

	if _, err := f.Open(); !errors.Is(err, openErr) {
		t.Errorf("open 2 = %v, want the scripted open error", err)
	}

	third, err := f.Open()
	if err != nil {
		t.Fatalf("open 3: %v", err)
	}
	frame, err := third.Next(ctx)
	if err != nil || frame.Seq != 1 {
		t.Errorf("open 3 frame = seq %d, %v; want seq 1 from a fresh source", frame.Seq, err)
	}

	if _, err := f.Open(); !errors.Is(err, camera.ErrDisconnected) {
		t.Errorf("open past the scripts = %v, want ErrDisconnected", err)
	}

	if f.Opens() != 4 {
		t.Errorf("Opens = %d, want 4", f.Opens())
	}
	sources := f.Sources()
	if len(sources) != 2 || sources[0].Closes() != 1 || sources[1].Closes() != 0 {
		t.Errorf("sources = %d with closes, want 2 with the first closed once", len(sources))
	}
}

func TestGrayClampsSize(t *testing.T) {
	if img := cameratest.Gray(-3, 2, 5); img.Bounds().Dx() != 0 {
		t.Errorf("Gray with negative width = %v, want an empty image", img.Bounds())
	}
}
