package edge

import (
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAppendPartLine(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	at := time.Date(2026, 1, 2, 15, 4, 5, 123_456_789, cet)

	tests := []struct {
		name string
		part Part
		want string
	}{
		{
			name: "pass",
			part: Part{Time: at, Seq: 12, Name: "000.png", Scored: true, Score: 0.00451234, Threshold: 0.0039, Verdict: VerdictPass, Latency: 41260 * time.Microsecond},
			want: "2026-01-02T15:04:05.123+01:00 seq=12 name=000.png score=0.00451234 threshold=0.0039 verdict=PASS latency_ms=41.3\n",
		},
		{
			name: "reject in UTC",
			part: Part{Time: at.UTC(), Seq: 13, Name: "/dev/video0#13", Scored: true, Score: 12.5, Threshold: 3, Verdict: VerdictReject, Latency: 7 * time.Millisecond},
			want: "2026-01-02T14:04:05.123Z seq=13 name=/dev/video0#13 score=12.5 threshold=3 verdict=REJECT latency_ms=7.0\n",
		},
		{
			name: "fault without frame",
			part: Part{Time: at, Verdict: VerdictFault, Fault: FaultTimeout, Err: errors.New("frame timed out")},
			want: "2026-01-02T15:04:05.123+01:00 seq=- name=- score=- threshold=- verdict=FAULT latency_ms=0.0 fault=timeout\n",
		},
		{
			name: "NaN score",
			part: Part{Time: at, Seq: 2, Name: "b.png", Scored: true, Score: math.NaN(), Threshold: 0.5, Verdict: VerdictFault, Fault: FaultNaN},
			want: "2026-01-02T15:04:05.123+01:00 seq=2 name=b.png score=NaN threshold=0.5 verdict=FAULT latency_ms=0.0 fault=nan\n",
		},
		{
			name: "name with space is quoted",
			part: Part{Time: at, Seq: 3, Name: "good part.png", Verdict: VerdictFault, Fault: FaultNoPart},
			want: "2026-01-02T15:04:05.123+01:00 seq=3 name=\"good part.png\" score=- threshold=- verdict=FAULT latency_ms=0.0 fault=no_part\n",
		},
		{
			name: "empty name with a frame is quoted",
			part: Part{Time: at, Seq: 4, Verdict: VerdictFault, Fault: FaultStale},
			want: "2026-01-02T15:04:05.123+01:00 seq=4 name=\"\" score=- threshold=- verdict=FAULT latency_ms=0.0 fault=stale\n",
		},
		{
			name: "name with newline is quoted",
			part: Part{Time: at, Seq: 5, Name: "a\nb=c", Verdict: VerdictFault, Fault: FaultCorrupt},
			want: "2026-01-02T15:04:05.123+01:00 seq=5 name=\"a\\nb=c\" score=- threshold=- verdict=FAULT latency_ms=0.0 fault=corrupt\n",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(appendPartLine(nil, &tt.part))
			if got != tt.want {
				t.Errorf("line:\n got %q\nwant %q", got, tt.want)
			}
			if strings.Count(got, "\n") != 1 {
				t.Errorf("line %q has %d newlines; want exactly one", got, strings.Count(got, "\n"))
			}
		})
	}
}

func TestOpenSerial(t *testing.T) {
	w, err := OpenSerial("", 115200)
	if err != nil {
		t.Fatalf("OpenSerial(\"\"): %v", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("close standard output writer: %v", err)
	}

	path := filepath.Join(t.TempDir(), "ttyUSB9")
	_, err = OpenSerial(path, 115200)
	if err == nil || !strings.Contains(err.Error(), "open serial.port "+path) {
		t.Errorf("OpenSerial on a missing device: %v; want an error naming serial.port and the path", err)
	}
}
