package edge

import (
	"fmt"
	"os"
)

// Watchdog feeds a Linux watchdog device such as /dev/watchdog. Opening the
// device arms it: if no byte is written within the driver's timeout, the
// board resets. A nil *Watchdog ignores every call.
type Watchdog struct {
	f    *os.File
	path string
}

// OpenWatchdog opens the watchdog device at path for writing.
func OpenWatchdog(path string) (*Watchdog, error) {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("open watchdog.device %s (check that the driver is loaded and the service may write it, or leave watchdog.device empty): %w", path, err)
	}
	return &Watchdog{f: f, path: path}, nil
}

// kickByte is written on every Kick. Any byte other than 'V' resets the
// timer.
var kickByte = []byte{'1'}

// Kick resets the watchdog timer by writing one byte.
func (w *Watchdog) Kick() error {
	if w == nil {
		return nil
	}
	if _, err := w.f.Write(kickByte); err != nil {
		return fmt.Errorf("write watchdog %s: %w", w.path, err)
	}
	return nil
}

// Close writes the magic 'V' and closes the device. With drivers that
// support magic close, this disarms the watchdog so a deliberate stop does
// not reset the board.
func (w *Watchdog) Close() error {
	if w == nil {
		return nil
	}

	_, werr := w.f.Write([]byte{'V'})
	cerr := w.f.Close()
	if werr != nil {
		return fmt.Errorf("write magic close to watchdog %s: %w", w.path, werr)
	}
	if cerr != nil {
		return fmt.Errorf("close watchdog %s: %w", w.path, cerr)
	}
	return nil
}
