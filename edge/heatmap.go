package edge

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"sync/atomic"
	"time"
)

// maxOverlayAlpha keeps the gray frame visible under the strongest red.
const maxOverlayAlpha = 0.7

// Overlay draws the anomaly map m (w x h, row-major) in red over a gray copy
// of base, at the size of base. The loop uses it only for inspectors that
// cannot draw their own heatmap the way inspect.Detector.Heatmap does. The map is stretched to base with nearest
// neighbour sampling and scaled by its own maximum, so the most anomalous
// pixel gets the strongest red. Non-finite map values are drawn at full
// strength.
//
// NOTE: the map is in the coordinates of the model input. When the detector
// aligns the part's pose before scoring, the red areas are only roughly
// where the defect is on the unaligned frame.
func Overlay(base image.Image, m []float32, w, h int) (*image.RGBA, error) {
	if w <= 0 || h <= 0 || len(m) != w*h {
		return nil, fmt.Errorf("overlay: anomaly map has %d values for %d x %d, expected width*height values", len(m), w, h)
	}

	b := base.Bounds()
	if b.Empty() {
		return nil, fmt.Errorf("overlay: frame bounds %v are empty", b)
	}

	var peak float32
	for _, v := range m {
		if v > peak && !math.IsInf(float64(v), 0) {
			peak = v
		}
	}

	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		my := y * h / b.Dy()
		for x := 0; x < b.Dx(); x++ {
			mx := x * w / b.Dx()
			gray := grayAt(base, b.Min.X+x, b.Min.Y+y)
			a := overlayAlpha(m[my*w+mx], peak)

			i := out.PixOffset(x, y)
			out.Pix[i+0] = uint8(float64(gray)*(1-a) + 255*a + 0.5)
			out.Pix[i+1] = uint8(float64(gray)*(1-a) + 0.5)
			out.Pix[i+2] = uint8(float64(gray)*(1-a) + 0.5)
			out.Pix[i+3] = 255
		}
	}
	return out, nil
}

// overlayAlpha maps one anomaly value to the red opacity.
func overlayAlpha(v, peak float32) float64 {
	f := float64(v)
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return maxOverlayAlpha
	case v <= 0 || peak <= 0:
		return 0
	}
	return math.Min(f/float64(peak), 1) * maxOverlayAlpha
}

// grayAt returns the 8-bit luminance of img at (x, y), with a fast path for
// gray frames.
func grayAt(img image.Image, x, y int) uint8 {
	if g, ok := img.(*image.Gray); ok {
		return g.GrayAt(x, y).Y
	}
	return color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
}

// heatmapQueue is how many rejected frames may wait for the saving worker
// before new ones are skipped.
const heatmapQueue = 4

// savedName matches the files HeatmapStore writes. Only those count against
// the size bound and only those are ever deleted.
var savedName = regexp.MustCompile(`^\d{8}T\d{6}\.\d{3}Z-\d+-(frame|heatmap)\.png$`)

// storedFile is one saved file counted against the bound.
type storedFile struct {
	name string
	size int64
}

// HeatmapRecord is one rejected frame to save.
type HeatmapRecord struct {
	// Frame is the inspected image (after the ROI crop).
	Frame image.Image

	// Overlay is the anomaly map already drawn over the frame, such as
	// inspect.Detector.Heatmap returns. When it is nil, Overlay draws Map
	// (MapWidth x MapHeight) over Frame, and with no map only the frame is
	// saved.
	Overlay             image.Image
	Map                 []float32
	MapWidth, MapHeight int

	// Seq and Time name the files.
	Seq  uint64
	Time time.Time
}

// HeatmapStore saves rejected frames and their anomaly overlays as PNG files
// in one folder from a background goroutine, deleting its oldest files when
// their total size exceeds the bound. Files it did not write are never
// touched.
type HeatmapStore struct {
	dir      string
	maxBytes int64
	log      *slog.Logger

	// files and total belong to the worker goroutine after construction.
	files []storedFile
	total int64

	jobs chan HeatmapRecord
	done chan struct{}

	saved   atomic.Uint64
	dropped atomic.Uint64
	failed  atomic.Uint64
}

// NewHeatmapStore creates dir if needed, counts the files saved there by
// earlier runs and starts the saving goroutine. maxMB bounds the total size
// in MiB. A nil logger means slog.Default(). Call Close to stop it.
func NewHeatmapStore(dir string, maxMB int, log *slog.Logger) (*HeatmapStore, error) {
	if maxMB <= 0 {
		return nil, fmt.Errorf("heatmaps.max_mb = %d: must be between %d and %d", maxMB, minHeatmapMB, maxHeatmapMB)
	}
	return newHeatmapStore(dir, int64(maxMB)<<20, log)
}

// newHeatmapStore is NewHeatmapStore with the bound in bytes.
func newHeatmapStore(dir string, maxBytes int64, log *slog.Logger) (*HeatmapStore, error) {
	if log == nil {
		log = slog.Default()
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create heatmaps.dir %s: %w", dir, err)
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read heatmaps.dir %s: %w", dir, err)
	}

	s := &HeatmapStore{
		dir:      dir,
		maxBytes: maxBytes,
		log:      log,
		jobs:     make(chan HeatmapRecord, heatmapQueue),
		done:     make(chan struct{}),
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !savedName.MatchString(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		s.files = append(s.files, storedFile{e.Name(), info.Size()})
		s.total += info.Size()
	}
	sort.Slice(s.files, func(i, j int) bool { return s.files[i].name < s.files[j].name })
	s.prune()

	go s.run()
	return s, nil
}

// Submit queues one rejected frame for saving and returns false when the
// queue is full. It copies rec.Map, because the detector reuses it.
func (s *HeatmapStore) Submit(rec HeatmapRecord) bool {
	if rec.Overlay == nil {
		rec.Map = append([]float32(nil), rec.Map...)
	}

	select {
	case s.jobs <- rec:
		return true
	default:
		s.dropped.Add(1)
		return false
	}
}

// Close saves the queued frames and stops the goroutine. Submit must not
// be called after Close.
func (s *HeatmapStore) Close() {
	close(s.jobs)
	<-s.done
}

// Saved returns the number of frames saved.
func (s *HeatmapStore) Saved() uint64 { return s.saved.Load() }

// Dropped returns the number of frames skipped because the queue was full.
func (s *HeatmapStore) Dropped() uint64 { return s.dropped.Load() }

// Failed returns the number of frames that could not be saved.
func (s *HeatmapStore) Failed() uint64 { return s.failed.Load() }

// run is the saving goroutine.
func (s *HeatmapStore) run() {
	defer close(s.done)

	for rec := range s.jobs {
		if err := s.save(rec); err != nil {
			s.failed.Add(1)
			s.log.Error("save rejected frame failed", "dir", s.dir, "seq", rec.Seq, "err", err)
			continue
		}
		s.saved.Add(1)
	}
}

// save writes the frame and overlay PNGs of one record and prunes old
// files.
func (s *HeatmapStore) save(rec HeatmapRecord) error {
	stem := fmt.Sprintf("%s-%010d", rec.Time.UTC().Format("20060102T150405.000Z"), rec.Seq)

	overlay := rec.Overlay
	if overlay == nil && len(rec.Map) > 0 {
		drawn, err := Overlay(rec.Frame, rec.Map, rec.MapWidth, rec.MapHeight)
		if err != nil {
			return err
		}
		overlay = drawn
	}

	files := []struct {
		name string
		img  image.Image
	}{{stem + "-frame.png", rec.Frame}}
	if overlay != nil {
		files = append(files, struct {
			name string
			img  image.Image
		}{stem + "-heatmap.png", overlay})
	}

	for _, f := range files {
		size, err := writePNG(s.dir, f.name, f.img)
		if err != nil {
			return err
		}
		s.files = append(s.files, storedFile{f.name, size})
		s.total += size
	}

	s.prune()
	return nil
}

// prune deletes the oldest saved files until the total is within the bound.
func (s *HeatmapStore) prune() {
	for s.total > s.maxBytes && len(s.files) > 0 {
		old := s.files[0]
		s.files = s.files[1:]
		s.total -= old.size

		err := os.Remove(filepath.Join(s.dir, old.name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			s.log.Warn("delete old heatmap file failed", "dir", s.dir, "file", old.name, "err", err)
		}
	}
}

// writePNG encodes img to dir/name through a temporary file and a rename,
// so a power cut never leaves a truncated PNG under the final name. It
// returns the file size.
func writePNG(dir, name string, img image.Image) (int64, error) {
	tmp, err := os.CreateTemp(dir, ".heatmap-*.tmp")
	if err != nil {
		return 0, fmt.Errorf("create temporary file in heatmaps.dir %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name())

	if err := png.Encode(tmp, img); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("encode %s: %w", name, err)
	}

	info, err := tmp.Stat()
	if err != nil {
		tmp.Close()
		return 0, fmt.Errorf("stat %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("write %s: %w", tmp.Name(), err)
	}

	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return 0, fmt.Errorf("rename %s to %s: %w", tmp.Name(), name, err)
	}
	return info.Size(), nil
}
