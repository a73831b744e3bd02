package edge

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"sync"
	"time"

	"edgeae/camera"
	"edgeae/gpio"
	"edgeae/inspect"
)

// fakeClock is a virtual gpio.Clock whose timers fire at once and move the
// clock to their deadline, so pulse and backoff times are exact without
// real waiting. Only one goroutine should wait on it, or the waits of one
// move the time seen by the other.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

var _ gpio.Clock = (*fakeClock)(nil)

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{now: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimerAt(deadline time.Time) gpio.Timer {
	c.mu.Lock()
	if deadline.After(c.now) {
		c.now = deadline
	}
	now := c.now
	c.mu.Unlock()

	ch := make(chan time.Time, 1)
	ch <- now
	return firedTimer{ch}
}

// set moves the clock to t, forwards or backwards.
func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// firedTimer is a gpio.Timer that has already fired.
type firedTimer struct{ ch chan time.Time }

func (t firedTimer) C() <-chan time.Time { return t.ch }
func (t firedTimer) Stop() bool          { return false }

// step is one scripted result of Source.Next, returned when the clock
// reads at.
type step struct {
	at    time.Time
	frame camera.Frame
	err   error
}

// scriptSource is a camera.Source that returns scripted steps. Before each
// step it moves clock (when set) to the step's time. After the script it
// returns io.EOF, or blocks until ctx is done when block is set.
type scriptSource struct {
	name  string
	steps []step
	clock *fakeClock
	block bool

	mu     sync.Mutex
	next   int
	closed int
}

func (s *scriptSource) Next(ctx context.Context) (camera.Frame, error) {
	s.mu.Lock()
	if s.next >= len(s.steps) {
		s.mu.Unlock()
		if s.block {
			<-ctx.Done()
			return camera.Frame{}, ctx.Err()
		}
		return camera.Frame{}, io.EOF
	}
	st := s.steps[s.next]
	s.next++
	s.mu.Unlock()

	if s.clock != nil && !st.at.IsZero() {
		s.clock.set(st.at)
	}
	return st.frame, st.err
}

func (s *scriptSource) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed++
	return nil
}

func (s *scriptSource) String() string { return s.name }

// opener returns a camera factory that hands out the given sources in
// order, failing failures times before each source after the first. When
// onFail is set it is called with the number of failures so far.
type opener struct {
	mu       sync.Mutex
	sources  []camera.Source
	failures int
	failed   int
	opened   int
	onFail   func(n int)
}

func (o *opener) open(ctx context.Context) (camera.Source, error) {
	o.mu.Lock()
	defer o.mu.Unlock()

	if o.opened > 0 && o.failed < o.failures {
		o.failed++
		if o.onFail != nil {
			o.onFail(o.failed)
		}
		return nil, fmt.Errorf("open fake camera: %w", errors.New("no such device"))
	}
	if o.opened >= len(o.sources) {
		return nil, errors.New("open fake camera: no more scripted sources")
	}
	o.failed = 0
	src := o.sources[o.opened]
	o.opened++
	return src, nil
}

// outcome is what the fake inspector does for one image.
type outcome struct {
	score, threshold float64
	err              error
	panicValue       any
}

// fakeInspector returns the outcome registered for each image pointer and
// counts its calls.
type fakeInspector struct {
	mu       sync.Mutex
	outcomes map[image.Image]outcome
	calls    int
	amap     []float32
}

func (f *fakeInspector) Inspect(img image.Image) (inspect.Result, error) {
	f.mu.Lock()
	f.calls++
	o, ok := f.outcomes[img]
	f.mu.Unlock()

	if !ok {
		return inspect.Result{}, fmt.Errorf("fake inspector: unexpected image %p", img)
	}
	if o.panicValue != nil {
		panic(o.panicValue)
	}
	if o.err != nil {
		return inspect.Result{}, o.err
	}
	return inspect.Result{
		Score:     o.score,
		Threshold: o.threshold,
		Defective: o.score > o.threshold,
		Map:       f.amap,
		MapWidth:  4,
		MapHeight: 4,
		Latency:   time.Millisecond,
	}, nil
}

// callCount returns the number of Inspect calls.
func (f *fakeInspector) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// tinyFrame returns a new 8x8 gray image. Each call returns a distinct
// pointer so the fake inspector can tell frames apart.
func tinyFrame() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 3)
	}
	return img
}

// safeBuffer is an io.Writer that is safe to read while the loop writes.
type safeBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
