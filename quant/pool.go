package quant

import "sync/atomic"

// scratch is one worker's temporary buffers, reused by every phase.
type scratch struct {
	// cols holds the im2col rows of a convolution chunk or the
	// pixel-major input of a transposed convolution chunk.
	cols []int8

	// acc holds the accumulators of a convolution chunk or one output
	// plane of a transposed convolution.
	acc []int32
}

// phase is one parallel step of a frame, split into chunks that can run in
// any order on any worker. A phase ends before the next one starts.
type phase struct {
	chunks int
	run    func(s *scratch, chunk int)
	next   atomic.Int64
}

// work runs chunks of ph until none is left.
func (ph *phase) work(s *scratch) {
	for {
		chunk := int(ph.next.Add(1) - 1)
		if chunk >= ph.chunks {
			return
		}
		ph.run(s, chunk)
	}
}

// pool is a fixed set of goroutines that run phases with the caller.
// Sending a *phase on a channel and receiving the completion token do not
// allocate, so a frame runs without heap allocations.
type pool struct {
	// scratch[0] belongs to the calling goroutine, scratch[i] to the
	// goroutine that receives on start[i-1].
	scratch []*scratch
	start   []chan *phase
	done    chan struct{}
}

// newPool starts workers-1 goroutines and gives every worker scratch
// buffers of the given sizes.
func newPool(workers, colsSize, accSize int) *pool {
	p := &pool{done: make(chan struct{})}
	for range workers {
		p.scratch = append(p.scratch, &scratch{cols: make([]int8, colsSize), acc: make([]int32, accSize)})
	}
	for i := 1; i < workers; i++ {
		start := make(chan *phase)
		p.start = append(p.start, start)
		go runWorker(start, p.done, p.scratch[i])
	}
	return p
}

// runWorker runs every phase received on start with s and reports each
// completion on done, until start is closed. It holds no reference to the
// pool or the engine, so an unreachable engine can be cleaned up.
func runWorker(start <-chan *phase, done chan<- struct{}, s *scratch) {
	for ph := range start {
		ph.work(s)
		done <- struct{}{}
	}
}

// run executes ph on the calling goroutine and as many pool goroutines as
// it has chunks to share, and returns when every chunk is done.
func (p *pool) run(ph *phase) {
	ph.next.Store(0)
	helpers := min(len(p.start), ph.chunks-1)
	for _, start := range p.start[:max(helpers, 0)] {
		start <- ph
	}
	ph.work(p.scratch[0])
	for range max(helpers, 0) {
		<-p.done
	}
}

// stop ends the pool goroutines. The pool keeps working on the calling
// goroutine alone.
func (p *pool) stop() {
	for _, start := range p.start {
		close(start)
	}
	p.start = nil
	p.scratch = p.scratch[:1]
}

// workers returns the number of goroutines that run a phase, the caller
// included.
func (p *pool) workers() int {
	return len(p.start) + 1
}
