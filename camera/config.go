package camera

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Source kinds accepted in Config.Kind.
const (
	KindV4L2   = "v4l2"
	KindFolder = "folder"
)

// Config selects and configures one frame source. Only the section that
// matches Kind is read.
type Config struct {
	// Kind is KindV4L2 or KindFolder.
	Kind string `toml:"kind"`

	// V4L2 configures a camera when Kind is KindV4L2.
	V4L2 V4L2Config `toml:"v4l2"`

	// Folder configures an image-folder replay when Kind is KindFolder.
	Folder FolderConfig `toml:"folder"`
}

// V4L2Config configures a Video4Linux2 camera (package camera/v4l2).
type V4L2Config struct {
	// Device is the video device node, for example "/dev/video0".
	Device string `toml:"device"`

	// Width and Height are the requested frame size in pixels. The driver
	// must grant exactly this size, or opening fails.
	Width  int `toml:"width"`
	Height int `toml:"height"`

	// Format is the pixel format: "GREY", "YUYV" or "MJPEG".
	Format string `toml:"format"`

	// Timeout is the longest wait for one frame before Next returns
	// ErrTimeout. Zero means 2 s. It is rounded up to whole seconds.
	Timeout time.Duration `toml:"timeout"`
}

// FolderConfig configures an image-folder replay (package camera/folder).
type FolderConfig struct {
	// Dir is the folder with the images.
	Dir string `toml:"dir"`

	// Recursive also replays the images in the subfolders of Dir, in the
	// order of their paths relative to Dir (so test/good/000.png comes
	// before test/good/001.png and after nothing of test/defective).
	Recursive bool `toml:"recursive"`

	// Loop restarts at the first image after the last one instead of
	// returning io.EOF.
	Loop bool `toml:"loop"`

	// Rate is the replay speed in frames per second. Zero delivers frames as
	// fast as Next is called.
	Rate float64 `toml:"rate"`

	// Extensions lists the file extensions to replay, with or without the
	// leading dot, compared without case. Empty means .png, .jpg and .jpeg.
	Extensions []string `toml:"extensions"`
}

// OpenFunc opens a source of one kind from its configuration.
type OpenFunc func(cfg Config) (Source, error)

// registry maps a kind to its opener. Implementations fill it from init
// functions through Register.
var registry = struct {
	sync.Mutex
	open map[string]OpenFunc
}{open: map[string]OpenFunc{}}

// Register makes a source kind available to Open. Packages call it from an
// init function. Registering the same kind twice replaces the earlier
// opener.
func Register(kind string, open OpenFunc) {
	registry.Lock()
	defer registry.Unlock()

	registry.open[kind] = open
}

// Kinds returns the registered source kinds, sorted.
func Kinds() []string {
	registry.Lock()
	defer registry.Unlock()

	kinds := make([]string, 0, len(registry.open))
	for kind := range registry.open {
		kinds = append(kinds, kind)
	}
	slices.Sort(kinds)
	return kinds
}

// Open opens the source that cfg.Kind names. The kind's package must be
// imported (for example with a blank import of edgeae/camera/v4l2).
func Open(cfg Config) (Source, error) {
	kind := strings.ToLower(strings.TrimSpace(cfg.Kind))
	if kind == "" {
		return nil, errors.New(`camera: source kind is empty: set kind to "v4l2" or "folder"`)
	}

	registry.Lock()
	open, ok := registry.open[kind]
	registry.Unlock()

	if ok {
		return open(cfg)
	}

	if kind == KindV4L2 || kind == KindFolder {
		return nil, fmt.Errorf("camera: source kind %q is not compiled in: import edgeae/camera/%s in the program", kind, kind)
	}
	return nil, fmt.Errorf("camera: unknown source kind %q: use one of %v", cfg.Kind, Kinds())
}
