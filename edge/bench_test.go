package edge

import (
	"context"
	"image"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"edgeae/camera"
	"edgeae/inspect"
	"edgeae/internal/testdata"
	"edgeae/preprocess"
)

// soakFrames is the number of frames one benchmark iteration pushes
// through the loop.
const soakFrames = 10_000

// soakWarmFrames is the frame after which the soak benchmarks take the
// heap size that later growth is measured from.
const soakWarmFrames = 1000

// soakSource delivers n frames of one shared image, then io.EOF.
type soakSource struct {
	img  image.Image
	n    uint64
	next uint64
}

func (s *soakSource) Next(ctx context.Context) (camera.Frame, error) {
	if s.next >= s.n {
		return camera.Frame{}, io.EOF
	}
	s.next++
	return camera.Frame{Image: s.img, Seq: s.next, Time: time.Now(), Name: "soak.png"}, nil
}

func (s *soakSource) Close() error   { return nil }
func (s *soakSource) String() string { return "soak" }

// soakInspector rejects every tenth frame and returns a shared map, as
// the detector does.
type soakInspector struct {
	calls int
	amap  []float32
}

func (f *soakInspector) Inspect(image.Image) (inspect.Result, error) {
	f.calls++
	score := 0.1
	if f.calls%10 == 0 {
		score = 0.9
	}
	return inspect.Result{Score: score, Threshold: 0.5, Defective: score > 0.5, Map: f.amap, MapWidth: 16, MapHeight: 16}, nil
}

// nopLine is a gpio.Line that does nothing.
type nopLine struct{}

func (nopLine) Set(bool) error { return nil }
func (nopLine) Release() error { return nil }
func (nopLine) String() string { return "nop" }

// BenchmarkLoopSoak pushes soakFrames frames per iteration through the
// full loop (seq check, inspect, decide, reject scheduling, LED, serial
// line, counters) with a fake source and inspector. It reports the p50 and
// p99 of Part.Latency and the wall time per frame between the first and the
// last part, serial line included. It also reports the growth of the live
// heap from the 1000th frame to the end of the run, the maximum over
// iterations, which stays near zero when the loop keeps nothing per frame.
// ns/op includes the start and the shutdown, which waits for the last
// reject pulse.
func BenchmarkLoopSoak(b *testing.B) {
	img := image.NewGray(image.Rect(0, 0, 64, 64))
	soak(b, img, func() Inspector { return &soakInspector{amap: make([]float32, 256)} }, func(c Counters) bool {
		return c.Rejected == soakFrames/10
	})
}

// BenchmarkLoopSoakDetector is BenchmarkLoopSoak with the embedded int8
// detector inspecting a real screw photo in every frame, so its latencies
// are those of a real inspection (pose alignment, reconstruction,
// scoring). One iteration takes about soakFrames x 10 ms.
func BenchmarkLoopSoakDetector(b *testing.B) {
	img, err := preprocess.DecodeFile(filepath.Join(testdata.ScrewDir(b), "test", "good", "000.png"))
	if err != nil {
		b.Fatal(err)
	}
	soak(b, img, func() Inspector {
		det, err := inspect.LoadDefault()
		if err != nil {
			b.Fatal(err)
		}
		return det
	}, func(c Counters) bool { return true })
}

// soak runs the soak benchmark body: every iteration builds a loop around
// a fresh inspector from newInspector, replays soakFrames copies of img and
// checks the counters (no faults, no missed rejects, and countersOK).
func soak(b *testing.B, img image.Image, newInspector func() Inspector, countersOK func(Counters) bool) {
	cfg := DefaultConfig()
	cfg.Summary.IntervalS = 0
	cfg.Systemd.Notify = false
	// A 50 ms delay keeps every pulse start in the future, so none is late,
	// and merges the pulses of close rejects into few activations.
	cfg.Reject.DelayMS = 50
	cfg.Reject.PulseMS = 1

	latencies := make([]time.Duration, 0, soakFrames)
	var warm, end runtime.MemStats
	var growth []float64
	var first, last time.Time
	var busy time.Duration

	for b.Loop() {
		latencies = latencies[:0]

		insp := newInspector()
		l, err := New(cfg, Options{
			Open:       func(context.Context) (camera.Source, error) { return &soakSource{img: img, n: soakFrames}, nil },
			Inspector:  insp,
			RejectLine: nopLine{},
			LEDLine:    nopLine{},
			Serial:     io.Discard,
			Logger:     slog.New(slog.DiscardHandler),
			OnPart: func(p Part) {
				latencies = append(latencies, p.Latency)
				last = time.Now()
				if len(latencies) == 1 {
					first = last
				}
				if len(latencies) == soakWarmFrames {
					runtime.GC()
					runtime.ReadMemStats(&warm)
				}
			},
		})
		if err != nil {
			b.Fatal(err)
		}

		if err := l.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
		c := l.Counters()

		runtime.GC()
		runtime.ReadMemStats(&end)
		growth = append(growth, float64(int64(end.HeapAlloc)-int64(warm.HeapAlloc)))
		busy += last.Sub(first)
		runtime.KeepAlive(insp)

		if c.Inspected != soakFrames || c.Faults.Total() != 0 || c.MissedRejects != 0 || !countersOK(c) {
			b.Fatalf("counters %+v; want %d inspected, no faults and no missed rejects", c, soakFrames)
		}
	}

	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Nanoseconds()), "p50-ns/frame")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Nanoseconds()), "p99-ns/frame")
	b.ReportMetric(slices.Max(growth), "heap-growth-B")
	b.ReportMetric(float64(busy.Nanoseconds())/float64(b.N*(soakFrames-1)), "ns/frame")
	b.ReportMetric(soakFrames, "frames/op")
}
