package train

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress prints training progress: a single redrawn bar with loss and
// ETA on a terminal, or one plain line per epoch otherwise.
type progress struct {
	w        io.Writer
	terminal bool
	epochs   int
	batches  int
	drawn    bool
}

// newProgress returns a progress printer; a nil writer discards output.
func newProgress(w io.Writer, terminal bool, epochs, batches int) *progress {
	if w == nil {
		w = io.Discard
	}
	return &progress{w: w, terminal: terminal, epochs: epochs, batches: batches}
}

// update redraws the bar after a batch (terminal only).
func (p *progress) update(epoch, batch int, loss float64, elapsed time.Duration) {
	if !p.terminal {
		return
	}

	done := float64((epoch-1)*p.batches+batch) / float64(p.epochs*p.batches)
	const width = 30
	filled := int(done * width)
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	fmt.Fprintf(p.w, "\repoch %d/%d [%s] %3.0f%% loss %.6f ETA %s ",
		epoch, p.epochs, bar, 100*done, loss, eta(done, elapsed))
	p.drawn = true
}

// epochDone prints the epoch's average loss: as a plain line when output
// is not a terminal.
func (p *progress) epochDone(epoch int, loss float64, elapsed time.Duration) {
	if p.terminal {
		return
	}
	done := float64(epoch) / float64(p.epochs)
	fmt.Fprintf(p.w, "epoch %d/%d loss %.6f elapsed %s ETA %s\n",
		epoch, p.epochs, loss, elapsed.Round(time.Second), eta(done, elapsed))
}

// done ends the bar's line so later output starts on a fresh line.
func (p *progress) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

// eta estimates the remaining time from the fraction done so far.
func eta(done float64, elapsed time.Duration) time.Duration {
	if done <= 0 {
		return 0
	}
	return time.Duration(float64(elapsed) * (1 - done) / done).Round(time.Second)
}
