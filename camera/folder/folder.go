// Package folder replays the images of a folder as a camera.Source, for
// bench runs on recorded parts and for tests with real photos.
//
// Open lists the folder once: the files whose extension matches, sorted by
// name, without subfolders. Files added later are not seen. Each Next call
// reads and decodes one file with image/png or image/jpeg, chosen by the
// file's first bytes. A file that cannot be read or decoded still counts as
// a frame. Next returns an error that wraps camera.ErrCorruptFrame and
// names the file, and the next call moves on to the next file. The loop
// thus handles the fault exactly as it handles a bad camera frame.
//
// After the last file Next returns io.EOF, or starts again at the first
// file when Config.Loop is set. Sequence numbers keep counting across
// loops.
//
// With Config.Rate above zero, frames come at that rate, paced by a
// ticker. The first frame comes at once. A consumer slower than the rate
// gets the next file without waiting, and missed ticks are not made up.
package folder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"edgeae/camera"
)

// Config configures a replay. It is the folder section of camera.Config.
type Config = camera.FolderConfig

// DefaultExtensions are replayed when Config.Extensions is empty.
var DefaultExtensions = []string{".png", ".jpg", ".jpeg"}

// maxPixels bounds the size of a decoded image, so that a file with a
// forged header cannot make Next allocate gigabytes. It is 64 megapixels.
const maxPixels = 64 << 20

// Accepted range of a non-zero Config.Rate in frames per second: from one
// frame a day to one per microsecond.
const (
	minRate = 1.0 / 86400
	maxRate = 1e6
)

// Source replays image files. It implements camera.Source and is not safe
// for concurrent use.
type Source struct {
	dir    string
	files  []string
	loop   bool
	period time.Duration

	ticker *time.Ticker
	next   int
	seq    uint64
	closed bool
}

var _ camera.Source = (*Source)(nil)

// init makes camera.Open handle camera.KindFolder.
func init() {
	camera.Register(camera.KindFolder, func(cfg camera.Config) (camera.Source, error) {
		src, err := Open(cfg.Folder)
		if err != nil {
			return nil, err
		}
		return src, nil
	})
}

// Open lists the images in cfg.Dir. It fails when the folder is missing,
// unreadable or holds no file with a replayed extension, or when cfg.Rate
// is negative or not a number.
func Open(cfg Config) (*Source, error) {
	if strings.TrimSpace(cfg.Dir) == "" {
		return nil, errors.New("folder: dir is empty: set it to the folder of images to replay")
	}

	if math.IsNaN(cfg.Rate) || cfg.Rate < 0 || cfg.Rate > maxRate || (cfg.Rate > 0 && cfg.Rate < minRate) {
		return nil, fmt.Errorf("folder: %s: invalid rate %v: use 0 for as fast as possible, or frames per second between %g and %g", cfg.Dir, cfg.Rate, minRate, float64(maxRate))
	}

	exts := normalizeExtensions(cfg.Extensions)

	files, err := listImages(cfg.Dir, exts, cfg.Recursive)
	if err != nil {
		return nil, err
	}

	var period time.Duration
	if cfg.Rate > 0 {
		period = time.Duration(float64(time.Second) / cfg.Rate)
	}

	return &Source{
		dir:    cfg.Dir,
		files:  files,
		loop:   cfg.Loop,
		period: period,
	}, nil
}

// normalizeExtensions lower-cases the extensions and adds missing leading
// dots. Empty entries are dropped. An empty list means DefaultExtensions.
func normalizeExtensions(exts []string) []string {
	var out []string
	for _, ext := range exts {
		ext = strings.ToLower(strings.TrimSpace(ext))
		if ext == "" || ext == "." {
			continue
		}
		if !strings.HasPrefix(ext, ".") {
			ext = "." + ext
		}
		out = append(out, ext)
	}

	if len(out) == 0 {
		return slices.Clone(DefaultExtensions)
	}
	return out
}

// listImages returns the paths, relative to dir, of the regular files in
// dir (and its subfolders when recursive) whose extension is in exts,
// sorted. Hidden files and folders are skipped.
func listImages(dir string, exts []string, recursive bool) ([]string, error) {
	files, err := appendImages(nil, dir, "", exts, recursive)
	if err != nil {
		return nil, err
	}

	if len(files) == 0 {
		hint := "put images there"
		if !recursive {
			hint += ", or replay its subfolders too (--recursive, camera.recursive)"
		}
		return nil, fmt.Errorf("folder: %s: no images with extension %s: %s", dir, strings.Join(exts, ", "), hint)
	}

	slices.Sort(files)
	return files, nil
}

// appendImages appends the images of dir/sub to files, descending into
// subfolders when recursive.
func appendImages(files []string, dir, sub string, exts []string, recursive bool) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(dir, sub))
	if err != nil {
		return nil, fmt.Errorf("folder: %s: cannot list images: %w", filepath.Join(dir, sub), err)
	}

	for _, entry := range entries {
		name := filepath.Join(sub, entry.Name())
		if strings.HasPrefix(entry.Name(), ".") {
			continue
		}

		// Follow symbolic links, and skip anything but regular files and,
		// when recursive, folders.
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		if info.IsDir() && recursive {
			if files, err = appendImages(files, dir, name, exts, recursive); err != nil {
				return nil, err
			}
			continue
		}
		if !info.Mode().IsRegular() || !slices.Contains(exts, strings.ToLower(filepath.Ext(entry.Name()))) {
			continue
		}
		files = append(files, name)
	}
	return files, nil
}

// String returns the folder path.
func (s *Source) String() string {
	return s.dir
}

// Len returns the number of files replayed per pass.
func (s *Source) Len() int {
	return len(s.files)
}

// Next waits for the next tick when a rate is set, then reads and decodes
// the next file. It returns io.EOF after the last file unless the replay
// loops, and an error wrapping camera.ErrCorruptFrame for a file that
// cannot be read or decoded.
func (s *Source) Next(ctx context.Context) (camera.Frame, error) {
	if s.closed {
		return camera.Frame{}, fmt.Errorf("folder: %s: Next called after Close", s.dir)
	}
	if err := ctx.Err(); err != nil {
		return camera.Frame{}, err
	}

	if s.next == len(s.files) {
		if !s.loop {
			return camera.Frame{}, io.EOF
		}
		s.next = 0
	}

	if err := s.pace(ctx); err != nil {
		return camera.Frame{}, err
	}

	name := s.files[s.next]
	s.next++
	s.seq++

	img, err := decodeFile(filepath.Join(s.dir, name))
	if err != nil {
		frame := camera.Frame{Seq: s.seq, Time: time.Now(), Name: name}
		return frame, fmt.Errorf("folder: %s: frame %d (%s): %w: %w", s.dir, s.seq, name, camera.ErrCorruptFrame, err)
	}

	return camera.Frame{
		Image: img,
		Seq:   s.seq,
		Time:  time.Now(),
		Name:  name,
	}, nil
}

// pace waits for the next tick of the rate ticker. The first call starts
// the ticker and returns at once.
func (s *Source) pace(ctx context.Context) error {
	if s.period == 0 {
		return nil
	}

	if s.ticker == nil {
		s.ticker = time.NewTicker(s.period)
		return nil
	}

	select {
	case <-s.ticker.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the rate ticker. Calling it again does nothing.
func (s *Source) Close() error {
	if s.ticker != nil {
		s.ticker.Stop()
	}
	s.closed = true
	return nil
}

// pngSignature starts every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// decodeFile reads an image file and decodes it as PNG or JPEG according
// to its first bytes, rejecting images larger than maxPixels before their
// pixels are decoded.
func decodeFile(path string) (image.Image, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}

	var (
		decodeConfig func(io.Reader) (image.Config, error)
		decode       func(io.Reader) (image.Image, error)
	)
	switch {
	case bytes.HasPrefix(data, pngSignature):
		decodeConfig, decode = png.DecodeConfig, png.Decode
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8}):
		decodeConfig, decode = jpeg.DecodeConfig, jpeg.Decode
	default:
		return nil, errors.New("neither PNG nor JPEG data")
	}

	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, fmt.Errorf("image size %dx%d is outside 1 to %d pixels", cfg.Width, cfg.Height, maxPixels)
	}

	return decode(bytes.NewReader(data))
}
