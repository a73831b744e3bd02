package folder

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"edgeae/camera"
	"edgeae/internal/testdata"
)

// writePNG writes a width x height gray PNG filled with level.
func writePNG(t *testing.T, path string, width, height int, level uint8) {
	t.Helper()

	img := image.NewGray(image.Rect(0, 0, width, height))
	for i := range img.Pix {
		img.Pix[i] = level
	}

	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeJPEG writes a width x height gray JPEG.
func writeJPEG(t *testing.T, path string, width, height int) {
	t.Helper()

	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, width, height)), nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readAll calls Next until it fails and returns the frames and the error.
func readAll(t *testing.T, src *Source, limit int) ([]camera.Frame, error) {
	t.Helper()

	var frames []camera.Frame
	for range limit {
		frame, err := src.Next(context.Background())
		if err != nil {
			return frames, err
		}
		frames = append(frames, frame)
	}
	return frames, nil
}

func TestReplaySortedThenEOF(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "b.png"), 4, 3, 20)
	writeJPEG(t, filepath.Join(dir, "a.JPG"), 8, 8)
	writePNG(t, filepath.Join(dir, "c.png"), 4, 3, 30)
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("skip me"), 0o644); err != nil {
		t.Fatal(err)
	}

	src, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer src.Close()

	if src.Len() != 3 {
		t.Errorf("Len = %d, want 3", src.Len())
	}

	frames, err := readAll(t, src, 10)
	if !errors.Is(err, io.EOF) {
		t.Fatalf("error after the last file = %v, want io.EOF", err)
	}

	wantNames := []string{"a.JPG", "b.png", "c.png"}
	if len(frames) != len(wantNames) {
		t.Fatalf("got %d frames, want %d", len(frames), len(wantNames))
	}
	for i, frame := range frames {
		if frame.Name != wantNames[i] {
			t.Errorf("frame %d name = %q, want %q", i, frame.Name, wantNames[i])
		}
		if frame.Seq != uint64(i+1) {
			t.Errorf("frame %d Seq = %d, want %d", i, frame.Seq, i+1)
		}
		if frame.Time.IsZero() {
			t.Errorf("frame %d has no time", i)
		}
	}
	if got := frames[1].Image.(*image.Gray).Pix[0]; got != 20 {
		t.Errorf("b.png pixel = %d, want 20", got)
	}
	if got := frames[0].Image.Bounds(); got != image.Rect(0, 0, 8, 8) {
		t.Errorf("a.JPG bounds = %v, want 8x8", got)
	}

	if _, err := src.Next(context.Background()); !errors.Is(err, io.EOF) {
		t.Errorf("Next after EOF = %v, want io.EOF again", err)
	}
}

func TestReplayLoops(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "1.png"), 2, 2, 1)
	writePNG(t, filepath.Join(dir, "2.png"), 2, 2, 2)

	src, err := Open(Config{Dir: dir, Loop: true})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer src.Close()

	frames, err := readAll(t, src, 5)
	if err != nil {
		t.Fatalf("looping replay failed: %v", err)
	}

	wantNames := []string{"1.png", "2.png", "1.png", "2.png", "1.png"}
	for i, frame := range frames {
		if frame.Name != wantNames[i] {
			t.Errorf("frame %d name = %q, want %q", i, frame.Name, wantNames[i])
		}
		if frame.Seq != uint64(i+1) {
			t.Errorf("frame %d Seq = %d, want %d", i, frame.Seq, i+1)
		}
	}
}

func TestCorruptFileIsAFrame(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "a.png"), 2, 2, 1)
	if err := os.WriteFile(filepath.Join(dir, "b.png"), []byte("\x89PNG\r\n\x1a\ngarbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "c.jpg"), []byte("plain text"), 0o644); err != nil {
		t.Fatal(err)
	}
	writePNG(t, filepath.Join(dir, "d.png"), 2, 2, 4)

	src, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer src.Close()

	if _, err := src.Next(context.Background()); err != nil {
		t.Fatalf("first frame: %v", err)
	}

	for _, name := range []string{"b.png", "c.jpg"} {
		_, err := src.Next(context.Background())
		if !errors.Is(err, camera.ErrCorruptFrame) {
			t.Fatalf("%s: error = %v, want ErrCorruptFrame", name, err)
		}
		if !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), dir) {
			t.Errorf("error %q does not name the folder and %s", err, name)
		}
	}

	frame, err := src.Next(context.Background())
	if err != nil {
		t.Fatalf("frame after corrupt files: %v", err)
	}
	if frame.Name != "d.png" || frame.Seq != 4 {
		t.Errorf("frame = %s seq %d, want d.png seq 4 (corrupt files count as frames)", frame.Name, frame.Seq)
	}
}

func TestFileRemovedAfterOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.png")
	writePNG(t, path, 2, 2, 1)

	src, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer src.Close()

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Next(context.Background()); !errors.Is(err, camera.ErrCorruptFrame) {
		t.Errorf("error = %v, want ErrCorruptFrame for a vanished file", err)
	}
}

// forgedPNG returns a PNG signature and IHDR chunk that claim a huge
// image, with no pixel data after them.
func forgedPNG(width, height uint32) []byte {
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:4], width)
	binary.BigEndian.PutUint32(ihdr[4:8], height)
	ihdr[8] = 8 // bit depth
	ihdr[9] = 0 // gray

	chunk := append([]byte("IHDR"), ihdr[:]...)
	var out bytes.Buffer
	out.Write(pngSignature)
	_ = binary.Write(&out, binary.BigEndian, uint32(len(ihdr)))
	out.Write(chunk)
	_ = binary.Write(&out, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return out.Bytes()
}

func TestHugeImageRejected(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "huge.png"), forgedPNG(100000, 100000), 0o644); err != nil {
		t.Fatal(err)
	}

	src, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer src.Close()

	_, err = src.Next(context.Background())
	if !errors.Is(err, camera.ErrCorruptFrame) || !strings.Contains(err.Error(), "100000x100000") {
		t.Errorf("error = %v, want ErrCorruptFrame naming the size", err)
	}
}

func TestOpenRejects(t *testing.T) {
	empty := t.TempDir()
	onlyText := t.TempDir()
	if err := os.WriteFile(filepath.Join(onlyText, "a.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	subdirOnly := t.TempDir()
	if err := os.Mkdir(filepath.Join(subdirOnly, "dir.png"), 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(empty, "missing")

	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"empty dir field", Config{}, "dir is empty"},
		{"missing folder", Config{Dir: missing}, missing},
		{"empty folder", Config{Dir: empty}, empty},
		{"no matching extension", Config{Dir: onlyText}, ".png, .jpg, .jpeg"},
		{"subfolder with image name", Config{Dir: subdirOnly}, subdirOnly},
		{"negative rate", Config{Dir: onlyText, Rate: -1}, "invalid rate"},
		{"NaN rate", Config{Dir: onlyText, Rate: math.NaN()}, "invalid rate"},
		{"rate too high", Config{Dir: onlyText, Rate: 1e9}, "invalid rate"},
		{"rate too low", Config{Dir: onlyText, Rate: 1e-9}, "invalid rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(tt.cfg)
			if err == nil {
				t.Fatalf("Open accepted %+v", tt.cfg)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestExtensionsNormalized(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "a.PNG"), 2, 2, 1)
	writeJPEG(t, filepath.Join(dir, "b.jpg"), 2, 2)

	src, err := Open(Config{Dir: dir, Extensions: []string{"png", " ", "."}})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer src.Close()

	if src.Len() != 1 {
		t.Errorf("Len = %d, want 1 (only the .PNG file)", src.Len())
	}
}

func TestSymlinkFollowed(t *testing.T) {
	target := filepath.Join(t.TempDir(), "real.png")
	writePNG(t, target, 2, 2, 1)

	dir := t.TempDir()
	if err := os.Symlink(target, filepath.Join(dir, "link.png")); err != nil {
		t.Skipf("cannot create symlinks here: %v", err)
	}

	src, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer src.Close()

	if src.Len() != 1 {
		t.Errorf("Len = %d, want 1", src.Len())
	}
}

func TestRatePacesFrames(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "a.png"), 2, 2, 1)

	const rate = 200 // frames per second, a 5 ms period
	src, err := Open(Config{Dir: dir, Loop: true, Rate: rate})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer src.Close()

	start := time.Now()
	if _, err := readAll(t, src, 5); err != nil {
		t.Fatalf("Next: %v", err)
	}
	elapsed := time.Since(start)

	// The first frame comes at once and each of the other four waits for a
	// tick. A ticker never fires early, so only a lower bound is safe.
	if minimum := 4 * time.Second / rate; elapsed < minimum-time.Millisecond {
		t.Errorf("5 frames at %d/s took %v, want at least %v", rate, elapsed, minimum)
	}
}

func TestRateWaitHonorsContext(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "a.png"), 2, 2, 1)

	src, err := Open(Config{Dir: dir, Loop: true, Rate: 0.01})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer src.Close()

	if _, err := src.Next(context.Background()); err != nil {
		t.Fatalf("first frame: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()

	if _, err := src.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Next during a 100 s tick wait = %v, want context.DeadlineExceeded", err)
	}
}

func TestNextAfterClose(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "a.png"), 2, 2, 1)

	src, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := src.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := src.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := src.Next(context.Background()); err == nil {
		t.Errorf("Next after Close succeeded")
	}
}

func TestCameraOpenFolderKind(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "a.png"), 2, 2, 1)

	src, err := camera.Open(camera.Config{Kind: "folder", Folder: camera.FolderConfig{Dir: dir}})
	if err != nil {
		t.Fatalf("camera.Open: %v", err)
	}
	defer src.Close()

	if src.String() != dir {
		t.Errorf("String = %q, want %q", src.String(), dir)
	}
}

func TestScrewPhotos(t *testing.T) {
	dir := filepath.Join(testdata.ScrewDir(t), "test", "good")

	src, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer src.Close()

	if src.Len() != 21 {
		t.Errorf("Len = %d, want the 21 good test photos", src.Len())
	}

	frames, err := readAll(t, src, 3)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	for _, frame := range frames {
		if frame.Image.Bounds() != image.Rect(0, 0, 1024, 1024) {
			t.Errorf("%s bounds = %v, want 1024x1024", frame.Name, frame.Image.Bounds())
		}
		if _, ok := frame.Image.(*image.Gray); !ok {
			t.Errorf("%s decoded as %T, want *image.Gray", frame.Name, frame.Image)
		}
	}
	if frames[0].Name != "000.png" {
		t.Errorf("first photo = %q, want 000.png", frames[0].Name)
	}
}

func TestRecursiveReplay(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"good", "defective", ".hidden"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writePNG(t, filepath.Join(dir, "top.png"), 2, 2, 1)
	writePNG(t, filepath.Join(dir, "good", "000.png"), 2, 2, 2)
	writePNG(t, filepath.Join(dir, "defective", "000.png"), 2, 2, 3)
	writePNG(t, filepath.Join(dir, ".hidden", "000.png"), 2, 2, 4)

	tests := []struct {
		recursive bool
		want      []string
	}{
		{false, []string{"top.png"}},
		{true, []string{filepath.Join("defective", "000.png"), filepath.Join("good", "000.png"), "top.png"}},
	}
	for _, tt := range tests {
		src, err := Open(Config{Dir: dir, Recursive: tt.recursive})
		if err != nil {
			t.Fatalf("Open(recursive=%v): %v", tt.recursive, err)
		}
		frames, err := readAll(t, src, 10)
		src.Close()
		if !errors.Is(err, io.EOF) {
			t.Fatalf("replay (recursive=%v) ended with %v, want io.EOF", tt.recursive, err)
		}

		var got []string
		for _, f := range frames {
			got = append(got, f.Name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("recursive=%v replayed %q, want %q", tt.recursive, got, tt.want)
		}
	}
}
