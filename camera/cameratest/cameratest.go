// Package cameratest provides a scripted camera.Source for tests of code
// that consumes frames, such as the line-side loop.
//
// A Source plays a list of steps in order: a frame, an error, a delay, or a
// hang until the context ends. It records how often it was closed. A
// Factory hands out one scripted Source per Open call, so a test can
// follow a loop through a disconnect, failed reopen attempts and a
// successful reconnect:
//
//	f := cameratest.NewFactory("cam",
//		cameratest.Script{Steps: []cameratest.Step{
//			cameratest.Frame(img), cameratest.Fail(camera.ErrDisconnected),
//		}},
//		cameratest.Script{OpenErr: errors.New("no such device")},
//		cameratest.Script{Steps: []cameratest.Step{cameratest.Frame(img)}},
//	)
//
// The sources behave like the real ones in the points the loop depends
// on: sequence numbers start at 1 and a corrupt frame takes one, an error
// wrapping camera.ErrDisconnected repeats on every later Next call, and a
// finished script returns io.EOF.
package cameratest

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"sync"
	"time"

	"edgeae/camera"
)

// stepKind selects which field of a Step applies.
type stepKind int

const (
	stepFrame stepKind = iota + 1
	stepError
	stepDelay
	stepHang
)

// Step is one entry of a script. Build it with Frame, Fail, Wait or Hang.
type Step struct {
	kind  stepKind
	image image.Image
	err   error
	delay time.Duration
}

// Frame returns a step that delivers img as the next frame.
func Frame(img image.Image) Step {
	return Step{kind: stepFrame, image: img}
}

// Fail returns a step that makes Next return err, wrapped with the source
// name. Pass camera.ErrTimeout, camera.ErrCorruptFrame, camera.ErrDisconnected
// or an error that wraps one of them.
func Fail(err error) Step {
	return Step{kind: stepError, err: err}
}

// Wait returns a step that sleeps for d, or until the context ends, and
// then goes on with the next step in the same Next call.
func Wait(d time.Duration) Step {
	return Step{kind: stepDelay, delay: d}
}

// Hang returns a step that blocks until the context of Next ends, like a
// camera that stopped sending frames with no timeout.
func Hang() Step {
	return Step{kind: stepHang}
}

// Gray returns a width x height image of one gray level, a convenient
// frame for scripts. Sizes below 1 give an empty image.
func Gray(width, height int, level uint8) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, max(width, 0), max(height, 0)))
	for i := range img.Pix {
		img.Pix[i] = level
	}
	return img
}

// Source is a scripted camera.Source. Its methods are safe for concurrent
// use, so a test can inspect it while a loop runs.
type Source struct {
	name string

	mu            sync.Mutex
	steps         []Step
	pos           int
	seq           uint64
	now           func() time.Time
	disconnectErr error
	closes        int
	nexts         int
}

var _ camera.Source = (*Source)(nil)

// New returns a source named name that plays steps in order.
func New(name string, steps ...Step) *Source {
	return &Source{name: name, steps: steps, now: time.Now}
}

// SetClock replaces the clock that stamps Frame.Time. Nil restores
// time.Now.
func (s *Source) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if now == nil {
		now = time.Now
	}
	s.now = now
}

// String returns the source name.
func (s *Source) String() string {
	return s.name
}

// Next plays steps until one yields a frame or an error. It returns io.EOF
// when the script is done, and ctx.Err() when ctx ends during a Wait or
// Hang step. Calling Next after Close returns an error.
func (s *Source) Next(ctx context.Context) (camera.Frame, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.nexts++
	if s.closes > 0 {
		return camera.Frame{}, fmt.Errorf("cameratest: %s: Next called after Close", s.name)
	}
	if s.disconnectErr != nil {
		return camera.Frame{}, s.disconnectErr
	}

	for s.pos < len(s.steps) {
		if err := ctx.Err(); err != nil {
			return camera.Frame{}, err
		}

		step := s.steps[s.pos]
		s.pos++

		switch step.kind {
		case stepFrame:
			s.seq++
			return camera.Frame{
				Image: step.image,
				Seq:   s.seq,
				Time:  s.now(),
				Name:  fmt.Sprintf("%s#%d", s.name, s.seq),
			}, nil

		case stepError:
			return camera.Frame{}, s.fail(step.err)

		case stepDelay:
			if err := s.sleep(ctx, step.delay); err != nil {
				return camera.Frame{}, err
			}

		case stepHang:
			s.mu.Unlock()
			<-ctx.Done()
			s.mu.Lock()
			return camera.Frame{}, ctx.Err()
		}
	}
	return camera.Frame{}, io.EOF
}

// fail wraps a scripted error, counts a corrupt frame as a frame, and
// makes a disconnect permanent. The caller holds s.mu.
func (s *Source) fail(err error) error {
	if err == nil {
		err = errors.New("scripted failure")
	}

	if errors.Is(err, camera.ErrCorruptFrame) {
		s.seq++
		return fmt.Errorf("cameratest: %s: frame %d: %w", s.name, s.seq, err)
	}

	wrapped := fmt.Errorf("cameratest: %s: %w", s.name, err)
	if errors.Is(err, camera.ErrDisconnected) {
		s.disconnectErr = wrapped
	}
	return wrapped
}

// sleep waits for d without holding s.mu. The caller holds s.mu.
func (s *Source) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Unlock()
	defer s.mu.Lock()

	timer := time.NewTimer(d)
	defer timer.Stop()

	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close records the call. Every call counts, so a test can catch a double
// Close.
func (s *Source) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.closes++
	return nil
}

// Closes returns how often Close was called.
func (s *Source) Closes() int {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.closes
}

// Nexts returns how often Next was called.
func (s *Source) Nexts() int {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.nexts
}

// Remaining returns the number of steps not yet played.
func (s *Source) Remaining() int {
	s.mu.Lock()
	defer s.mu.Unlock()

	return len(s.steps) - s.pos
}

// Script is the outcome of one Factory.Open call: the error OpenErr if it
// is set, otherwise a Source that plays Steps.
type Script struct {
	OpenErr error
	Steps   []Step
}

// Factory opens scripted sources in order, one Script per Open call. Its
// methods are safe for concurrent use.
type Factory struct {
	name string

	mu      sync.Mutex
	scripts []Script
	now     func() time.Time
	opens   int
	sources []*Source
}

// NewFactory returns a factory whose sources are all named name.
func NewFactory(name string, scripts ...Script) *Factory {
	return &Factory{name: name, scripts: scripts}
}

// Open returns the next script's source or open error. When every script
// has been used it returns an error that wraps camera.ErrDisconnected, as
// a camera that never comes back would.
func (f *Factory) Open() (camera.Source, error) {
	f.mu.Lock()
	defer f.mu.Unlock()

	f.opens++
	if f.opens > len(f.scripts) {
		return nil, fmt.Errorf("cameratest: %s: open %d: no script left: %w", f.name, f.opens, camera.ErrDisconnected)
	}

	script := f.scripts[f.opens-1]
	if script.OpenErr != nil {
		return nil, fmt.Errorf("cameratest: %s: open %d: %w", f.name, f.opens, script.OpenErr)
	}

	src := New(f.name, script.Steps...)
	src.SetClock(f.now)
	f.sources = append(f.sources, src)
	return src, nil
}

// SetClock sets the clock of the sources opened from now on. Nil restores
// time.Now.
func (f *Factory) SetClock(now func() time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()

	f.now = now
}

// Opens returns how often Open was called, failed calls included.
func (f *Factory) Opens() int {
	f.mu.Lock()
	defer f.mu.Unlock()

	return f.opens
}

// Sources returns the sources opened so far, in order.
func (f *Factory) Sources() []*Source {
	f.mu.Lock()
	defer f.mu.Unlock()

	return append([]*Source(nil), f.sources...)
}
