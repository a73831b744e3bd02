package edge

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
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
	reject     *recLine
	led        *recLine
	serial     *safeBuffer
	logs       *safeBuffer
	insp       *fakeInspector
	opener     *opener

	mu    sync.Mutex
	parts []Part
}

// newHarness builds the fakes; sources holds the steps of each camera
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
	h.reject = &recLine{name: "reject GPIO17", clock: h.pulseClock}
	h.led = &recLine{name: "led GPIO27"}

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
		Open:       h.opener.open,
		Inspector:  h.insp,
		RejectLine: h.reject,
		LEDLine:    h.led,
		Serial:     h.serial,
		Logger:     slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Clock:      h.loopClock,
		PulseClock: h.pulseClock,
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

// checkRejectInactive fails unless the reject line's last level is
// inactive.
func checkRejectInactive(t *testing.T, line *recLine) {
	t.Helper()
	if active, ok := line.last(); !ok || active {
		t.Errorf("reject line last level: active=%v set=%v; want inactive", active, ok)
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
	want := [][2]time.Time{
		{base.Add(1*frameGap + delay), base.Add(1*frameGap + delay + width)},
		{base.Add(3*frameGap + delay), base.Add(3*frameGap + delay + width)},
		{base.Add(4*frameGap + delay), base.Add(4*frameGap + delay + width)},
	}
	got := h.reject.pulses()
	if len(got) != len(want) {
		t.Fatalf("pulses = %v; want %v", got, want)
	}
	for i := range want {
		if !got[i][0].Equal(want[i][0]) || !got[i][1].Equal(want[i][1]) {
			t.Errorf("pulse %d = [%s, %s]; want [%s, %s]", i,
				got[i][0].Format(serialTimeLayout), got[i][1].Format(serialTimeLayout),
				want[i][0].Format(serialTimeLayout), want[i][1].Format(serialTimeLayout))
		}
	}
	checkRejectInactive(t, h.reject)

	wantOutcomes := []string{"PASS", "REJECT", "PASS", "REJECT", "FAULT:timeout", "PASS"}
	if got := h.outcomes(); fmt.Sprint(got) != fmt.Sprint(wantOutcomes) {
		t.Errorf("outcomes = %v; want %v", got, wantOutcomes)
	}

	c := l.Counters()
	if c.Inspected != 5 || c.Passed != 3 || c.Rejected != 2 || c.Faults.Timeout != 1 || c.Pulses != 3 {
		t.Errorf("counters = %+v; want 5 inspected, 3 passed, 2 rejected, 1 timeout, 3 pulses", c)
	}
	if c.LateRejects != 0 {
		t.Errorf("LateRejects = %d; want 0", c.LateRejects)
	}
}

func TestLoopFaults(t *testing.T) {
	nan := &outcome{score: math.NaN(), threshold: 0.5}
	infThreshold := &outcome{score: 0.1, threshold: math.Inf(1)}
	inspectErr := &outcome{err: errors.New("model input size mismatch")}
	noPart := &outcome{err: fmt.Errorf("align pose: %w", ErrNoPart)}
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
			if got := len(h.reject.pulses()); got != wantPulses {
				t.Errorf("reject pulses = %d; want %d (one per REJECT or FAULT)", got, wantPulses)
			}
			checkRejectInactive(t, h.reject)

			c := l.Counters()
			wantCount(t, "Faults.Total", c.Faults.Total(), uint64(wantPulses)-c.Rejected)
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
	for _, rec := range h.logRecords(t, "camera disconnected; reopening") {
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
	checkRejectInactive(t, h.reject)
	if on, ok := h.led.last(); !ok || on {
		t.Errorf("LED last level on=%v set=%v; want off", on, ok)
	}
}

func TestLoopShutdownFiresPendingPulse(t *testing.T) {
	src := &scriptSource{name: "fake", block: true, steps: []step{
		{frame: camera.Frame{Seq: 1, Time: time.Now(), Name: "a.png", Image: tinyFrame()}},
	}}
	insp := &fakeInspector{outcomes: map[image.Image]outcome{
		src.steps[0].frame.Image: {score: 1, threshold: 0.5},
	}}
	reject := &recLine{name: "reject", clock: systemClock{}}
	led := &recLine{name: "led"}

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

	if got := len(reject.pulses()); got != 1 {
		t.Errorf("reject pulses after shutdown = %d; want 1 (the pending pulse fires before Run returns)", got)
	}
	checkRejectInactive(t, reject)
	if on, ok := led.last(); !ok || on {
		t.Errorf("LED last level on=%v set=%v; want off", on, ok)
	}
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
	if got := len(h.reject.pulses()); got != 1 {
		t.Errorf("reject pulses = %d; want 1 for the faulted part", got)
	}
	checkRejectInactive(t, h.reject)
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
	if got := len(h.logRecords(t, "write serial log line failed; lines are lost until it recovers")); got != 1 {
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
	checkRejectInactive(t, h.reject)
}
