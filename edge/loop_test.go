package edge

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"edgeae/camera"
	"edgeae/camera/cameratest"
	"edgeae/gpio/gpiotest"
	"edgeae/inspect"
	"edgeae/preprocess/pose"
)

// base is the capture time of the first scripted frame.
var base = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

// frameGap is the time between scripted steps.
const frameGap = 100 * time.Millisecond

// testConfig returns a valid config with short, exact timings and no
// optional outputs.
func testConfig() Config {
	cfg := DefaultConfig()
	cfg.Reject.DelayMS = 200
	cfg.Reject.PulseMS = 30
	cfg.Summary.IntervalS = 0
	cfg.Systemd.Notify = false
	cfg.Reconnect = ReconnectConfig{InitialMS: 100, MaxMS: 400}
	return cfg
}

// stepSpec describes one scripted step of a table case.
type stepSpec struct {
	seq     uint64
	out     *outcome // nil means a passing score
	err     error    // returned by Next instead of a frame
	noImage bool
}

// harness wires a Loop to fakes: virtual clocks, recording lines, a
// scripted camera, a fake inspector and captured serial and slog output.
type harness struct {
	loopClock  *fakeClock
	pulseClock *fakeClock
	reject     *gpiotest.Line
	led        *gpiotest.Line
	serial     *safeBuffer
	logs       *safeBuffer
	insp       *fakeInspector
	opener     *opener

	mu    sync.Mutex
	parts []Part
}

// newHarness builds the fakes. sources contains the steps of each camera
// opening in order. Steps are frameGap apart in time across all sources.
func newHarness(sources ...[]stepSpec) *harness {
	h := &harness{
		loopClock:  newFakeClock(base),
		pulseClock: newFakeClock(base),
		serial:     &safeBuffer{},
		logs:       &safeBuffer{},
		insp:       &fakeInspector{outcomes: map[image.Image]outcome{}, amap: make([]float32, 16)},
		opener:     &opener{},
	}
	h.reject = gpiotest.NewLine("reject GPIO17", h.pulseClock.Now)
	h.led = gpiotest.NewLine("led GPIO27", nil)

	i := 0
	for _, specs := range sources {
		src := &scriptSource{name: fmt.Sprintf("fake%d", len(h.opener.sources)), clock: h.loopClock}
		for _, sp := range specs {
			at := base.Add(time.Duration(i) * frameGap)
			i++

			if sp.err != nil {
				src.steps = append(src.steps, step{at: at, err: sp.err})
				continue
			}

			f := camera.Frame{Seq: sp.seq, Time: at, Name: fmt.Sprintf("%03d.png", sp.seq)}
			if !sp.noImage {
				img := tinyFrame()
				f.Image = img
				o := outcome{score: 0.1, threshold: 0.5}
				if sp.out != nil {
					o = *sp.out
				}
				h.insp.outcomes[img] = o
			}
			src.steps = append(src.steps, step{at: at, frame: f})
		}
		h.opener.sources = append(h.opener.sources, src)
	}
	return h
}

// options returns loop options wired to the harness fakes.
func (h *harness) options() Options {
	return Options{
		Open:        h.opener.open,
		Inspector:   h.insp,
		RejectLine:  h.reject,
		LEDLine:     h.led,
		Serial:      h.serial,
		Logger:      slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Clock:       h.loopClock,
		RejectClock: h.pulseClock,
		OnPart: func(p Part) {
			h.mu.Lock()
			h.parts = append(h.parts, p)
			h.mu.Unlock()
		},
	}
}

// run creates and runs a loop with cfg until the script ends.
func (h *harness) run(t *testing.T, cfg Config) (*Loop, error) {
	t.Helper()

	l, err := New(cfg, h.options())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return l, l.Run(context.Background())
}

// outcomes returns "PASS", "REJECT" or "FAULT:<class>" per logged part.
func (h *harness) outcomes() []string {
	h.mu.Lock()
	defer h.mu.Unlock()

	var out []string
	for _, p := range h.parts {
		if p.Verdict == VerdictFault {
			out = append(out, "FAULT:"+string(p.Fault))
			continue
		}
		out = append(out, string(p.Verdict))
	}
	return out
}

// logRecords decodes the JSON slog records with the given message.
func (h *harness) logRecords(t *testing.T, msg string) []map[string]any {
	t.Helper()

	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(h.logs.String()))
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("decode log line %q: %v", sc.Text(), err)
		}
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// checkReleased fails unless line was released and is inactive.
func checkReleased(t *testing.T, line *gpiotest.Line) {
	t.Helper()
	if !line.Released() || line.Level() {
		t.Errorf("%s: released=%v active=%v; want released and inactive", line, line.Released(), line.Level())
	}
}

func TestLoopRejectTiming(t *testing.T) {
	reject := &outcome{score: 0.9, threshold: 0.5}
	h := newHarness([]stepSpec{
		{seq: 1},
		{seq: 2, out: reject},
		{seq: 3},
		{seq: 4, out: reject},
		{err: fmt.Errorf("read frame: %w", camera.ErrTimeout)},
		{seq: 5},
	})
	cfg := testConfig()

	l, err := h.run(t, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}

	delay, width := cfg.Reject.Delay(), cfg.Reject.Pulse()
	wantStarts := []time.Time{base.Add(1*frameGap + delay), base.Add(3*frameGap + delay), base.Add(4*frameGap + delay)}
	got := h.reject.Pulses()
	if len(got) != len(wantStarts) {
		t.Fatalf("pulses = %v; want %d starting at %v", got, len(wantStarts), wantStarts)
	}
	for i, want := range wantStarts {
		if !got[i].Start.Equal(want) || got[i].Width != width {
			t.Errorf("pulse %d starts at +%v for %v; want +%v for %v", i, got[i].Start.Sub(base), got[i].Width, want.Sub(base), width)
		}
	}
	checkReleased(t, h.reject)

	wantOutcomes := []string{"PASS", "REJECT", "PASS", "REJECT", "FAULT:timeout", "PASS"}
	if got := h.outcomes(); fmt.Sprint(got) != fmt.Sprint(wantOutcomes) {
		t.Errorf("outcomes = %v; want %v", got, wantOutcomes)
	}

	c := l.Counters()
	if c.Inspected != 5 || c.Passed != 3 || c.Rejected != 2 || c.Faults.Timeout != 1 || c.Pulses != 3 {
		t.Errorf("counters = %+v; want 5 inspected, 3 passed, 2 rejected, 1 timeout, 3 pulses", c)
	}
	wantCount(t, "LateRejects", c.LateRejects, 0)
	wantCount(t, "MissedRejects", c.MissedRejects, 0)
}

func TestLoopFaults(t *testing.T) {
	nan := &outcome{score: math.NaN(), threshold: 0.5}
	infThreshold := &outcome{score: 0.1, threshold: math.Inf(1)}
	inspectErr := &outcome{err: errors.New("model input size mismatch")}
	noPart := &outcome{err: fmt.Errorf("inspect: preprocess: %w", pose.ErrNoPart)}
	twoParts := &outcome{err: fmt.Errorf("inspect: preprocess: %w", pose.ErrMultipleParts)}
	border := &outcome{err: fmt.Errorf("inspect: preprocess: %w", pose.ErrTouchesBorder)}
	notFinite := &outcome{err: fmt.Errorf("inspect: %w (NaN)", inspect.ErrNotFinite)}
	panics := &outcome{panicValue: "index out of range"}
	disconnect := fmt.Errorf("dequeue buffer: %w", camera.ErrDisconnected)

	tests := []struct {
		name        string
		sources     [][]stepSpec
		failures    int
		cfg         func(*Config)
		want        []string
		wantInspect int
		check       func(t *testing.T, c Counters)
	}{
		{
			name:        "timeout",
			sources:     [][]stepSpec{{{seq: 1}, {err: camera.ErrTimeout}, {seq: 2}}},
			want:        []string{"PASS", "FAULT:timeout", "PASS"},
			wantInspect: 2,
			check:       func(t *testing.T, c Counters) { wantCount(t, "Faults.Timeout", c.Faults.Timeout, 1) },
		},
		{
			name:        "corrupt frame error",
			sources:     [][]stepSpec{{{seq: 1}, {err: fmt.Errorf("decode MJPEG: %w", camera.ErrCorruptFrame)}, {seq: 3}}},
			want:        []string{"PASS", "FAULT:corrupt", "PASS"},
			wantInspect: 2,
			check:       func(t *testing.T, c Counters) { wantCount(t, "Faults.Corrupt", c.Faults.Corrupt, 1) },
		},
		{
			name:        "frame without image",
			sources:     [][]stepSpec{{{seq: 1, noImage: true}, {seq: 2}}},
			want:        []string{"FAULT:corrupt", "PASS"},
			wantInspect: 1,
			check:       func(t *testing.T, c Counters) { wantCount(t, "Faults.Corrupt", c.Faults.Corrupt, 1) },
		},
		{
			name:        "NaN score",
			sources:     [][]stepSpec{{{seq: 1, out: nan}, {seq: 2}}},
			want:        []string{"FAULT:nan", "PASS"},
			wantInspect: 2,
			check:       func(t *testing.T, c Counters) { wantCount(t, "Faults.NaN", c.Faults.NaN, 1) },
		},
		{
			name:        "infinite threshold",
			sources:     [][]stepSpec{{{seq: 1, out: infThreshold}}},
			want:        []string{"FAULT:nan"},
			wantInspect: 1,
			check:       func(t *testing.T, c Counters) { wantCount(t, "Faults.NaN", c.Faults.NaN, 1) },
		},
		{
			name:        "inspector error",
			sources:     [][]stepSpec{{{seq: 1, out: inspectErr}, {seq: 2}}},
			want:        []string{"FAULT:inspect_error", "PASS"},
			wantInspect: 2,
			check:       func(t *testing.T, c Counters) { wantCount(t, "Faults.InspectError", c.Faults.InspectError, 1) },
		},
		{
			name:        "no part",
			sources:     [][]stepSpec{{{seq: 1, out: noPart}}},
			want:        []string{"FAULT:no_part"},
			wantInspect: 1,
			check:       func(t *testing.T, c Counters) { wantCount(t, "Faults.NoPart", c.Faults.NoPart, 1) },
		},
		{
			name:        "two parts",
			sources:     [][]stepSpec{{{seq: 1, out: twoParts}}},
			want:        []string{"FAULT:no_part"},
			wantInspect: 1,
			check:       func(t *testing.T, c Counters) { wantCount(t, "Faults.NoPart", c.Faults.NoPart, 1) },
		},
		{
			name:        "part touches border",
			sources:     [][]stepSpec{{{seq: 1, out: border}}},
			want:        []string{"FAULT:no_part"},
			wantInspect: 1,
			check:       func(t *testing.T, c Counters) { wantCount(t, "Faults.NoPart", c.Faults.NoPart, 1) },
		},
		{
			name:        "detector reports non-finite score",
			sources:     [][]stepSpec{{{seq: 1, out: notFinite}}},
			want:        []string{"FAULT:nan"},
			wantInspect: 1,
			check:       func(t *testing.T, c Counters) { wantCount(t, "Faults.NaN", c.Faults.NaN, 1) },
		},
		{
			name:        "inspector panic",
			sources:     [][]stepSpec{{{seq: 1, out: panics}, {seq: 2}}},
			want:        []string{"FAULT:inspect_error", "PASS"},
			wantInspect: 2,
			check:       func(t *testing.T, c Counters) { wantCount(t, "Faults.InspectError", c.Faults.InspectError, 1) },
		},
		{
			name:        "repeated seq is stale",
			sources:     [][]stepSpec{{{seq: 1}, {seq: 1}, {seq: 2}}},
			want:        []string{"PASS", "FAULT:stale", "PASS"},
			wantInspect: 2,
			check:       func(t *testing.T, c Counters) { wantCount(t, "Faults.Stale", c.Faults.Stale, 1) },
		},
		{
			name:        "older seq is stale and gap counts drops",
			sources:     [][]stepSpec{{{seq: 1}, {seq: 4}, {seq: 3}, {seq: 5}}},
			want:        []string{"PASS", "PASS", "FAULT:stale", "PASS"},
			wantInspect: 3,
			check: func(t *testing.T, c Counters) {
				wantCount(t, "Faults.Stale", c.Faults.Stale, 1)
				wantCount(t, "FramesDropped", c.FramesDropped, 2)
			},
		},
		{
			name:        "roi outside frame",
			sources:     [][]stepSpec{{{seq: 1}}},
			cfg:         func(c *Config) { c.ROI = &ROI{X0: 0, Y0: 0, X1: 64, Y1: 64} },
			want:        []string{"FAULT:inspect_error"},
			wantInspect: 0,
			check:       func(t *testing.T, c Counters) { wantCount(t, "Faults.InspectError", c.Faults.InspectError, 1) },
		},
		{
			name: "disconnect then reopen",
			sources: [][]stepSpec{
				{{seq: 1}, {err: disconnect}},
				{{seq: 1}, {seq: 2, out: &outcome{score: 2, threshold: 1}}},
			},
			failures:    2,
			want:        []string{"PASS", "FAULT:disconnected", "PASS", "REJECT"},
			wantInspect: 3,
			check: func(t *testing.T, c Counters) {
				wantCount(t, "Faults.Disconnected", c.Faults.Disconnected, 1)
				wantCount(t, "Reconnects", c.Reconnects, 1)
				wantCount(t, "Faults.Stale", c.Faults.Stale, 0)
			},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(tt.sources...)
			h.opener.failures = tt.failures
			cfg := testConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}

			l, err := h.run(t, cfg)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}

			if got := h.outcomes(); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("outcomes = %v; want %v", got, tt.want)
			}
			if got := h.insp.callCount(); got != tt.wantInspect {
				t.Errorf("Inspect calls = %d; want %d", got, tt.wantInspect)
			}

			wantPulses := 0
			for _, o := range tt.want {
				if o != "PASS" {
					wantPulses++
				}
			}
			if got := len(h.reject.Pulses()); got != wantPulses {
				t.Errorf("reject pulses = %d; want %d (one per REJECT or FAULT)", got, wantPulses)
			}
			checkReleased(t, h.reject)

			c := l.Counters()
			wantCount(t, "Faults.Total", c.Faults.Total(), uint64(wantPulses)-c.Rejected)
			wantCount(t, "MissedRejects", c.MissedRejects, 0)
			if got := len(h.logRecords(t, "fault: part rejected")); uint64(got) != c.Faults.Total() {
				t.Errorf("fault log records = %d; want %d", got, c.Faults.Total())
			}
			tt.check(t, c)
		})
	}
}

// wantCount fails when a counter differs from want.
func wantCount(t *testing.T, name string, got, want uint64) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %d; want %d", name, got, want)
	}
}

func TestLoopReconnectBackoff(t *testing.T) {
	h := newHarness(
		[]stepSpec{{seq: 1}, {err: camera.ErrDisconnected}},
		[]stepSpec{{seq: 1}},
	)
	h.opener.failures = 4
	cfg := testConfig()

	l, err := h.run(t, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}

	var backoffs []time.Duration
	for _, rec := range h.logRecords(t, "camera disconnected, reopening") {
		backoffs = append(backoffs, time.Duration(rec["backoff"].(float64)))
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 400 * time.Millisecond, 400 * time.Millisecond}
	if fmt.Sprint(backoffs) != fmt.Sprint(want) {
		t.Errorf("backoffs = %v; want %v", backoffs, want)
	}

	if got := len(h.logRecords(t, "reopen camera failed")); got != 4 {
		t.Errorf("reopen failure logs = %d; want 4", got)
	}
	recs := h.logRecords(t, "camera reconnected")
	if len(recs) != 1 || recs[0]["attempt"] != float64(5) {
		t.Errorf("reconnected logs = %v; want one with attempt 5", recs)
	}

	wantCount(t, "Reconnects", l.Counters().Reconnects, 1)
	first := h.opener.sources[0].(*scriptSource)
	if first.closed != 1 {
		t.Errorf("disconnected source closed %d times; want 1", first.closed)
	}
}

func TestLoopCancelDuringBackoff(t *testing.T) {
	h := newHarness([]stepSpec{{seq: 1}, {err: camera.ErrDisconnected}})
	h.opener.failures = 1 << 30

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.opener.onFail = func(n int) {
		if n == 3 {
			cancel()
		}
	}

	l, err := New(testConfig(), h.options())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := l.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}

	if got := h.insp.callCount(); got != 1 {
		t.Errorf("Inspect calls = %d; want 1 (nothing scored while disconnected)", got)
	}
	wantCount(t, "Reconnects", l.Counters().Reconnects, 0)
	checkReleased(t, h.reject)
	checkReleased(t, h.led)
}

func TestLoopShutdownFiresPendingPulse(t *testing.T) {
	src := &scriptSource{name: "fake", block: true, steps: []step{
		{frame: camera.Frame{Seq: 1, Time: time.Now(), Name: "a.png", Image: tinyFrame()}},
	}}
	insp := &fakeInspector{outcomes: map[image.Image]outcome{
		src.steps[0].frame.Image: {score: 1, threshold: 0.5},
	}}
	reject := gpiotest.NewLine("reject", nil)
	led := gpiotest.NewLine("led", nil)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	cfg := testConfig()
	cfg.Reject.DelayMS = 50
	cfg.Reject.PulseMS = 10
	l, err := New(cfg, Options{
		Open:       (&opener{sources: []camera.Source{src}}).open,
		Inspector:  insp,
		RejectLine: reject,
		LEDLine:    led,
		Serial:     io.Discard,
		Logger:     slog.New(slog.DiscardHandler),
		OnPart:     func(Part) { cancel() },
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}

	if err := l.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}

	if got := len(reject.Pulses()); got != 1 {
		t.Errorf("reject pulses after shutdown = %d; want 1 (the pending pulse fires before Run returns)", got)
	}
	checkReleased(t, reject)
	checkReleased(t, led)
	if src.closed != 1 {
		t.Errorf("source closed %d times; want 1", src.closed)
	}
}

func TestLoopFaultActionStop(t *testing.T) {
	h := newHarness([]stepSpec{{seq: 1}, {err: camera.ErrTimeout}, {seq: 2}})
	cfg := testConfig()
	cfg.Fault.Action = FaultActionStop

	l, err := h.run(t, cfg)
	if !errors.Is(err, ErrFaultStop) || !errors.Is(err, camera.ErrTimeout) {
		t.Fatalf("Run error = %v; want ErrFaultStop wrapping camera.ErrTimeout", err)
	}

	if got := h.insp.callCount(); got != 1 {
		t.Errorf("Inspect calls = %d; want 1", got)
	}
	if got := len(h.reject.Pulses()); got != 1 {
		t.Errorf("reject pulses = %d; want 1 for the faulted part", got)
	}
	checkReleased(t, h.reject)
	wantCount(t, "Faults.Timeout", l.Counters().Faults.Timeout, 1)
}

func TestLoopSerialLines(t *testing.T) {
	h := newHarness([]stepSpec{
		{seq: 1, out: &outcome{score: 0.25, threshold: 0.5}},
		{seq: 2, out: &outcome{score: 0.75, threshold: 0.5}},
		{err: camera.ErrTimeout},
	})

	if _, err := h.run(t, testConfig()); err != nil {
		t.Fatalf("Run: %v", err)
	}

	want := []string{
		"2026-03-04T10:00:00.000Z seq=1 name=001.png score=0.25 threshold=0.5 verdict=PASS latency_ms=0.0",
		"2026-03-04T10:00:00.100Z seq=2 name=002.png score=0.75 threshold=0.5 verdict=REJECT latency_ms=0.0",
		"2026-03-04T10:00:00.200Z seq=- name=- score=- threshold=- verdict=FAULT latency_ms=0.0 fault=timeout",
	}
	got := strings.Split(strings.TrimSuffix(h.serial.String(), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("serial output has %d lines; want %d:\n%s", len(got), len(want), h.serial.String())
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) {
	return 0, errors.New("write /dev/ttyS0: input/output error")
}

func TestLoopSerialFailureKeepsInspecting(t *testing.T) {
	h := newHarness([]stepSpec{{seq: 1}, {seq: 2, out: &outcome{score: 1, threshold: 0.5}}, {seq: 3}})
	opts := h.options()
	opts.Serial = failingWriter{}

	l, err := New(testConfig(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := l.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}

	c := l.Counters()
	wantCount(t, "SerialErrors", c.SerialErrors, 3)
	wantCount(t, "Inspected", c.Inspected, 3)
	wantCount(t, "Pulses", c.Pulses, 1)
	if got := len(h.logRecords(t, "write serial log line failed, so lines are lost until it recovers")); got != 1 {
		t.Errorf("serial failure logs = %d; want 1", got)
	}
}

func TestLoopNotifyAndWatchdog(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "notify.sock")
	conn := listenNotify(t, sock)

	n, err := NewNotifier(sock, time.Nanosecond)
	if err != nil {
		t.Fatalf("NewNotifier: %v", err)
	}

	wdPath := filepath.Join(t.TempDir(), "watchdog")
	if err := os.WriteFile(wdPath, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	h := newHarness([]stepSpec{{err: camera.ErrTimeout}, {seq: 1}, {seq: 2}})
	opts := h.options()
	opts.Notifier = n
	cfg := testConfig()
	cfg.Watchdog.Device = wdPath

	l, err := New(cfg, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := l.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}

	msgs := readNotify(t, conn)
	var ready, stopping, watchdog int
	for i, m := range msgs {
		switch m {
		case "READY=1":
			ready++
			if i == 0 || msgs[i-1] != "WATCHDOG=1" {
				t.Errorf("READY=1 at message %d; want it after the timeout fault and a WATCHDOG=1: %v", i, msgs)
			}
		case "STOPPING=1":
			stopping++
		case "WATCHDOG=1":
			watchdog++
		}
	}
	if ready != 1 || stopping != 1 || watchdog < 3 {
		t.Errorf("notify messages %v: READY=1 x%d, STOPPING=1 x%d, WATCHDOG=1 x%d; want 1, 1, at least 3", msgs, ready, stopping, watchdog)
	}
	if msgs[len(msgs)-1] != "STOPPING=1" {
		t.Errorf("last notify message = %q; want STOPPING=1", msgs[len(msgs)-1])
	}

	data, err := os.ReadFile(wdPath)
	if err != nil {
		t.Fatal(err)
	}
	kicks := strings.TrimSuffix(string(data), "V")
	if !strings.HasSuffix(string(data), "V") || len(kicks) < 4 || strings.Trim(kicks, "1") != "" {
		t.Errorf("watchdog device content = %q; want at least four kicks then the magic V", data)
	}
}

func TestLoopSavesRejectedHeatmaps(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rejects")
	h := newHarness([]stepSpec{{seq: 1}, {seq: 2, out: &outcome{score: 1, threshold: 0.5}}, {seq: 3, out: nan}})
	cfg := testConfig()
	cfg.Heatmaps = HeatmapConfig{Dir: dir, MaxMB: 1}

	l, err := h.run(t, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}

	names, err := filepath.Glob(filepath.Join(dir, "*.png"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"20260304T100000.100Z-0000000002-frame.png",
		"20260304T100000.100Z-0000000002-heatmap.png",
	}
	for i := range names {
		names[i] = filepath.Base(names[i])
	}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Errorf("saved files = %v; want %v", names, want)
	}
	wantCount(t, "HeatmapsSaved", l.Counters().HeatmapsSaved, 1)
}

var nan = &outcome{score: math.NaN(), threshold: 0.5}

func TestNewRejectsBadOptions(t *testing.T) {
	h := newHarness()
	tests := []struct {
		name   string
		mutate func(*Options, *Config)
		want   string
	}{
		{"missing open", func(o *Options, _ *Config) { o.Open = nil }, "Options.Open is nil"},
		{"missing inspector", func(o *Options, _ *Config) { o.Inspector = nil }, "Options.Inspector is nil"},
		{"missing reject line", func(o *Options, _ *Config) { o.RejectLine = nil }, "Options.RejectLine is nil"},
		{"invalid config", func(_ *Options, c *Config) { c.Reject.PulseMS = 0 }, "reject.pulse_ms = 0: must be between 1 and 10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, cfg := h.options(), testConfig()
			tt.mutate(&opts, &cfg)

			_, err := New(cfg, opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %v; want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLoopFirstOpenFailure(t *testing.T) {
	h := newHarness()

	_, err := h.run(t, testConfig())
	if err == nil || !strings.Contains(err.Error(), "open camera") {
		t.Fatalf("Run error = %v; want an open camera error", err)
	}
	checkReleased(t, h.reject)
}

func TestLoopRejectCaptureTimes(t *testing.T) {
	tests := []struct {
		name       string
		capture    time.Time
		wantPulses int
		wantMissed uint64
		wantStart  time.Time
	}{
		{"window long passed is missed", base.Add(-10 * time.Second), 0, 1, time.Time{}},
		{"capture in the future is rescheduled from now", base.Add(time.Hour), 1, 0, base.Add(200 * time.Millisecond)},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness()
			img := tinyFrame()
			h.insp.outcomes[img] = outcome{score: 1, threshold: 0.5}
			h.opener.sources = []camera.Source{&scriptSource{name: "fake", clock: h.loopClock, steps: []step{
				{at: base, frame: camera.Frame{Seq: 1, Time: tt.capture, Name: "a.png", Image: img}},
			}}}

			l, err := h.run(t, testConfig())
			if err != nil {
				t.Fatalf("Run: %v", err)
			}

			pulses := h.reject.Pulses()
			if len(pulses) != tt.wantPulses {
				t.Fatalf("pulses = %v; want %d", pulses, tt.wantPulses)
			}
			if tt.wantPulses > 0 && !pulses[0].Start.Equal(tt.wantStart) {
				t.Errorf("pulse starts at +%v; want +%v", pulses[0].Start.Sub(base), tt.wantStart.Sub(base))
			}
			wantCount(t, "MissedRejects", l.Counters().MissedRejects, tt.wantMissed)
			if tt.wantMissed > 0 && len(h.logRecords(t, "reject pulse not fired: the part passed the ejector unrejected, so increase reject.delay_ms or reduce the load")) != 1 {
				t.Error("missed reject was not logged")
			}
			checkReleased(t, h.reject)
		})
	}
}

func TestLoopWithCameraTestFactory(t *testing.T) {
	good, bad, after := cameratest.Gray(8, 8, 10), cameratest.Gray(8, 8, 20), cameratest.Gray(8, 8, 30)
	factory := cameratest.NewFactory("cam0",
		cameratest.Script{Steps: []cameratest.Step{
			cameratest.Frame(good),
			cameratest.Fail(camera.ErrCorruptFrame),
			cameratest.Frame(bad),
			cameratest.Fail(camera.ErrDisconnected),
		}},
		cameratest.Script{OpenErr: errors.New("no such device")},
		cameratest.Script{Steps: []cameratest.Step{cameratest.Frame(after)}},
	)

	// Each reading of the clock moves it 1 ms, so a fault after a frame
	// happens after its capture, as on a real line. The reject actuator
	// shares the clock, so its timers cannot run ahead of frames that are
	// still to come, and queued pulses are never dropped.
	h := newHarness()
	ticking := &tickingClock{fakeClock: h.loopClock, tick: time.Millisecond}
	factory.SetClock(ticking.Now)
	h.insp.outcomes[good] = outcome{score: 0.1, threshold: 0.5}
	h.insp.outcomes[bad] = outcome{score: 0.9, threshold: 0.5}
	h.insp.outcomes[after] = outcome{score: 0.2, threshold: 0.5}

	opts := h.options()
	opts.Clock = ticking
	opts.RejectClock = ticking
	opts.Open = func(context.Context) (camera.Source, error) { return factory.Open() }
	l, err := New(testConfig(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := l.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}

	want := []string{"PASS", "FAULT:corrupt", "REJECT", "FAULT:disconnected", "PASS"}
	if got := h.outcomes(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("outcomes = %v; want %v", got, want)
	}

	c := l.Counters()
	wantCount(t, "Reconnects", c.Reconnects, 1)
	wantCount(t, "FramesDropped", c.FramesDropped, 0)
	wantCount(t, "MissedRejects", c.MissedRejects, 0)
	wantCount(t, "Faults.Stale", c.Faults.Stale, 0)
	if got := factory.Opens(); got != 3 {
		t.Errorf("factory opens = %d; want 3 (first, failed reopen, reopen)", got)
	}
	for i, src := range factory.Sources() {
		if src.Closes() != 1 {
			t.Errorf("source %d closed %d times; want 1", i, src.Closes())
		}
	}
	checkReleased(t, h.reject)
}

// tickingClock is a fakeClock that moves forward by tick on every Now call.
type tickingClock struct {
	*fakeClock
	tick time.Duration
}

func (c *tickingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.tick)
	return c.now
}

// renderingInspector is a fakeInspector that also draws heatmaps, as
// inspect.Detector does.
type renderingInspector struct {
	*fakeInspector
	rendered int
}

func (r *renderingInspector) Heatmap(res inspect.Result) *image.RGBA {
	r.rendered++
	return image.NewRGBA(image.Rect(0, 0, res.MapWidth, res.MapHeight))
}

func TestLoopUsesDetectorHeatmap(t *testing.T) {
	dir := t.TempDir()
	h := newHarness([]stepSpec{{seq: 1, out: &outcome{score: 1, threshold: 0.5}}, {seq: 2}})
	insp := &renderingInspector{fakeInspector: h.insp}
	opts := h.options()
	opts.Inspector = insp
	cfg := testConfig()
	cfg.Heatmaps = HeatmapConfig{Dir: dir, MaxMB: 1}

	l, err := New(cfg, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := l.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}

	if insp.rendered != 1 {
		t.Errorf("Heatmap calls = %d; want 1 (rejected frames only)", insp.rendered)
	}
	f, err := os.Open(filepath.Join(dir, "20260304T100000.000Z-0000000001-heatmap.png"))
	if err != nil {
		t.Fatalf("open saved heatmap: %v", err)
	}
	defer f.Close()
	cfgImg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("decode saved heatmap: %v", err)
	}
	if cfgImg.Width != 4 || cfgImg.Height != 4 {
		t.Errorf("saved heatmap is %dx%d; want the detector's 4x4", cfgImg.Width, cfgImg.Height)
	}
	wantCount(t, "HeatmapsSaved", l.Counters().HeatmapsSaved, 1)
}

func TestLoopLogsPeriodicSummary(t *testing.T) {
	// 25 passing frames 100 ms apart span 2.4 s of loop time, so a 1 s
	// interval gives two summaries. The clock reads the time of the last
	// frame at the start of each iteration, so the summaries come after
	// the frames at 1.0 s and 2.0 s: 11 and 21 frames.
	var specs []stepSpec
	for i := range 25 {
		specs = append(specs, stepSpec{seq: uint64(i + 1)})
	}
	h := newHarness(specs)
	cfg := testConfig()
	cfg.Summary.IntervalS = 1

	if _, err := h.run(t, cfg); err != nil {
		t.Fatalf("Run: %v", err)
	}

	recs := h.logRecords(t, "summary")
	if len(recs) != 2 {
		t.Fatalf("%d summary records; want 2", len(recs))
	}
	if recs[0]["inspected"] != float64(11) || recs[1]["inspected"] != float64(21) {
		t.Errorf("summaries report inspected %v and %v; want 11 and 21", recs[0]["inspected"], recs[1]["inspected"])
	}
	for _, key := range []string{"latency_p50", "latency_p99", "faults", "pulses"} {
		if _, ok := recs[0][key]; !ok {
			t.Errorf("summary record has no %s: %v", key, recs[0])
		}
	}

	final := h.logRecords(t, "edge loop stopped")
	if len(final) != 1 || final[0]["inspected"] != float64(25) {
		t.Errorf("final summary %v; want one record with inspected 25", final)
	}
}
