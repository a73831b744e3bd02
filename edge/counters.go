package edge

import (
	"log/slog"
	"slices"
	"time"
)

// FaultCounts counts faults by class.
type FaultCounts struct {
	Timeout      uint64 `json:"timeout"`
	Corrupt      uint64 `json:"corrupt"`
	NoPart       uint64 `json:"no_part"`
	NaN          uint64 `json:"nan"`
	Disconnected uint64 `json:"disconnected"`
	InspectError uint64 `json:"inspect_error"`
	Stale        uint64 `json:"stale"`
}

// Total returns the sum over all classes.
func (f FaultCounts) Total() uint64 {
	return f.Timeout + f.Corrupt + f.NoPart + f.NaN + f.Disconnected + f.InspectError + f.Stale
}

// add increments the counter of class c.
func (f *FaultCounts) add(c FaultClass) {
	switch c {
	case FaultTimeout:
		f.Timeout++
	case FaultCorrupt:
		f.Corrupt++
	case FaultNoPart:
		f.NoPart++
	case FaultNaN:
		f.NaN++
	case FaultDisconnected:
		f.Disconnected++
	case FaultInspectError:
		f.InspectError++
	case FaultStale:
		f.Stale++
	}
}

// Counters is a snapshot of the loop's counters since Run started.
type Counters struct {
	// Inspected counts scored frames: Passed + Rejected.
	Inspected uint64 `json:"inspected"`
	Passed    uint64 `json:"passed"`
	Rejected  uint64 `json:"rejected"`

	// Faults counts faults by class. Each fault also fired a reject pulse.
	Faults FaultCounts `json:"faults"`

	// FramesDropped counts sequence numbers skipped by the source.
	FramesDropped uint64 `json:"frames_dropped"`

	// Reconnects counts successful camera reopens.
	Reconnects uint64 `json:"reconnects"`

	// Pulses counts reject line activations, where overlapping pulses
	// count once. LateRejects counts pulses that started late but within
	// one pulse width. MissedRejects counts rejected or faulted parts whose
	// pulse was not fired because their window had passed or the queue was
	// full. RejectLineErrors counts failed writes to the reject line.
	Pulses           uint64 `json:"pulses"`
	LateRejects      uint64 `json:"late_rejects"`
	MissedRejects    uint64 `json:"missed_rejects"`
	RejectLineErrors uint64 `json:"reject_line_errors"`

	// HeatmapsSaved, HeatmapsDropped and HeatmapsFailed count rejected
	// frames saved, skipped because the saver was busy, and failed.
	HeatmapsSaved   uint64 `json:"heatmaps_saved"`
	HeatmapsDropped uint64 `json:"heatmaps_dropped"`
	HeatmapsFailed  uint64 `json:"heatmaps_failed"`

	// SerialErrors counts serial log lines that could not be written.
	SerialErrors uint64 `json:"serial_errors"`
}

// logAttrs returns the counters as slog attributes.
func (c Counters) logAttrs() []any {
	return []any{
		"inspected", c.Inspected,
		"passed", c.Passed,
		"rejected", c.Rejected,
		slog.Group("faults",
			"total", c.Faults.Total(),
			"timeout", c.Faults.Timeout,
			"corrupt", c.Faults.Corrupt,
			"no_part", c.Faults.NoPart,
			"nan", c.Faults.NaN,
			"disconnected", c.Faults.Disconnected,
			"inspect_error", c.Faults.InspectError,
			"stale", c.Faults.Stale),
		"frames_dropped", c.FramesDropped,
		"reconnects", c.Reconnects,
		"pulses", c.Pulses,
		"late_rejects", c.LateRejects,
		"missed_rejects", c.MissedRejects,
		"reject_line_errors", c.RejectLineErrors,
		"heatmaps_saved", c.HeatmapsSaved,
		"heatmaps_dropped", c.HeatmapsDropped,
		"heatmaps_failed", c.HeatmapsFailed,
		"serial_errors", c.SerialErrors,
	}
}

// latencyWindowSize is how many recent frame latencies the summary
// percentiles cover.
const latencyWindowSize = 4096

// latencyWindow keeps the most recent frame latencies for the summary
// percentiles without allocating per frame.
type latencyWindow struct {
	values  [latencyWindowSize]time.Duration
	n       int
	next    int
	scratch []time.Duration
}

// add records one latency, overwriting the oldest when full.
func (w *latencyWindow) add(d time.Duration) {
	w.values[w.next] = d
	w.next = (w.next + 1) % latencyWindowSize
	if w.n < latencyWindowSize {
		w.n++
	}
}

// percentiles returns the 50th and 99th percentiles of the window and
// clears it. Both are 0 when it is empty.
func (w *latencyWindow) percentiles() (p50, p99 time.Duration) {
	if w.n == 0 {
		return 0, 0
	}

	w.scratch = append(w.scratch[:0], w.values[:w.n]...)
	slices.Sort(w.scratch)
	p50 = w.scratch[(w.n-1)*50/100]
	p99 = w.scratch[(w.n-1)*99/100]

	w.n, w.next = 0, 0
	return p50, p99
}
