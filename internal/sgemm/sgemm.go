// Package sgemm is a row-major float32 general matrix multiply for the
// float32 layers of edgeae.
//
//	C = alpha * op(A) * op(B) + beta * C
//
// where op(X) is X or its transpose, op(A) is m x k, op(B) is k x n and C is
// m x n, all stored row-major with leading dimensions lda, ldb and ldc.
//
// The implementation follows the GotoBLAS/BLIS scheme: op(B) is packed in
// kc x nc blocks into column panels NR wide, op(A) in mc x kc blocks into row
// panels MR tall (with alpha folded in), and a register-blocked MR x NR
// micro-kernel multiplies one A panel by one B panel. A non-transposed B
// that serves few A panels (m <= 144) is not packed but read in place, the
// kernel prefetching the next panel: for the wide, short GEMMs of a conv
// layer the copy cost more than the multiply.
//
// The micro-kernel and the two hot packing routines (8x8 register
// transposes) are AVX2+FMA assembly on amd64 CPUs that have it
// (golang.org/x/sys/cpu) and pure Go everywhere else, and always with the
// purego build tag. Each assembly routine documents the Go loop it equals.
//
// Large problems are split along m or n across goroutines of a persistent
// pool; every element of C is computed by the same sequence of operations
// whatever the split, so results do not depend on the number of workers.
// After warm-up a call allocates nothing.
package sgemm

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// Register and cache blocking. MR x NR is the micro-tile; both kernels use
// the same packed layout so that they are interchangeable.
const (
	MR = 6
	NR = 16

	kcBlock = 256  // depth of a packed block: a kc x NR B panel is 16 KiB (L1)
	mcBlock = 144  // rows of a packed A block: mc x kc is 144 KiB (L2)
	ncBlock = 3072 // columns of a packed B block: kc x nc is 3 MiB (L3)

	// minParallelFlops is the smallest 2*m*n*k that is split across
	// goroutines; below it the hand-off costs more than it saves.
	minParallelFlops = 1 << 21
)

var workers atomic.Int32

func init() { workers.Store(int32(runtime.GOMAXPROCS(0))) }

// SetWorkers sets how many goroutines Gemm may use; n < 1 restores the
// default, runtime.GOMAXPROCS(0).
func SetWorkers(n int) {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	workers.Store(int32(n))
}

// Workers reports the number of goroutines Gemm may use.
func Workers() int { return int(workers.Load()) }

// Gemm computes C = alpha*op(A)*op(B) + beta*C with row-major storage, using
// up to Workers() goroutines. op(A) is m x k (A is k x m when transA), op(B)
// is k x n (B is n x k when transB). When beta is 0, C is not read, so it
// may hold NaNs. It panics when a slice is too short for its dimensions.
func Gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	GemmN(Workers(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// GemmN is Gemm with an explicit goroutine count (nw < 1 means 1). Callers
// that already run one GEMM per core use GemmN(1, ...).
func GemmN(nw int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkArgs(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	j := getJob()
	*j = job{
		transA: transA, transB: transB,
		m: m, n: n, k: k,
		alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
		beta: beta, c: c, ldc: ldc,
	}
	j.plan(nw)
	if j.parts == 1 {
		j.runPart(0)
	} else {
		j.runParallel()
	}
	*j = job{}
	putJob(j)
}

func checkArgs(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("sgemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMat("a", a, ar, ac, lda)
	checkMat("b", b, br, bc, ldb)
	checkMat("c", c, m, n, ldc)
}

func checkMat(name string, x []float32, rows, cols, ld int) {
	if ld < max(cols, 1) {
		panic(fmt.Sprintf("sgemm: ld%s=%d < %d columns", name, ld, cols))
	}
	if rows == 0 || cols == 0 {
		return
	}
	if need := (rows-1)*ld + cols; len(x) < need {
		panic(fmt.Sprintf("sgemm: len(%s)=%d < %d needed for %dx%d with ld=%d", name, len(x), need, rows, cols, ld))
	}
}

// scaleC sets C = beta*C (C = 0 when beta is 0, whatever C held).
func scaleC(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// job is one Gemm call, possibly split into parts along m or n.
type job struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int

	splitN bool // parts are column ranges (else row ranges)
	parts  int
	unit   int // rows or columns per part, a multiple of MR or NR

	next atomic.Int32
	wg   sync.WaitGroup
}

// Free lists of jobs and packing buffers. They are channels rather than
// sync.Pools because a Pool is emptied by every GC and is per-P, so a
// helper goroutine on another P would often allocate fresh multi-megabyte
// buffers; with these, steady-state calls allocate nothing.
var (
	freeJobs    = make(chan *job, 64)
	freeBuffers = make(chan *buffers, 64)
)

func getJob() *job {
	select {
	case j := <-freeJobs:
		return j
	default:
		return new(job)
	}
}

func putJob(j *job) {
	select {
	case freeJobs <- j:
	default:
	}
}

func getBuffers() *buffers {
	select {
	case b := <-freeBuffers:
		return b
	default:
		return &buffers{
			pa: make([]float32, (mcBlock+MR-1)/MR*MR*kcBlock+8),
			pb: make([]float32, (ncBlock+NR-1)/NR*NR*kcBlock),
		}
	}
}

func putBuffers(b *buffers) {
	select {
	case freeBuffers <- b:
	default:
	}
}

// plan decides how many parts the job is split into.
func (j *job) plan(nw int) {
	j.parts = 1
	if nw <= 1 || 2*j.m*j.n*j.k < minParallelFlops {
		return
	}
	// Split the longer side of C; a split along n repacks all of A per part
	// and one along m repacks all of B, so the shorter side is cheaper to
	// repeat.
	j.splitN = j.n >= j.m
	size, tile := j.m, MR
	if j.splitN {
		size, tile = j.n, NR
	}
	tiles := (size + tile - 1) / tile
	parts := min(nw, tiles)
	if parts <= 1 {
		return
	}
	j.parts = parts
	j.unit = (tiles + parts - 1) / parts * tile
	j.parts = (size + j.unit - 1) / j.unit
}

// runParallel hands the job to idle pool goroutines and works on it too.
// Parts are claimed dynamically; the WaitGroup counts participants, so the
// job is not reused until every helper has let go of it.
func (j *job) runParallel() {
	startPool()
	for h := 1; h < j.parts; h++ {
		j.wg.Add(1)
		select {
		case poolCh <- j:
		default:
			j.wg.Done() // no idle helper: the caller does the part itself
		}
	}
	j.work()
	j.wg.Wait()
}

func (j *job) work() {
	for {
		p := int(j.next.Add(1)) - 1
		if p >= j.parts {
			return
		}
		j.runPart(p)
	}
}

func (j *job) runPart(p int) {
	m0, m1, n0, n1 := 0, j.m, 0, j.n
	if j.parts > 1 {
		if j.splitN {
			n0, n1 = p*j.unit, min((p+1)*j.unit, j.n)
		} else {
			m0, m1 = p*j.unit, min((p+1)*j.unit, j.m)
		}
	}
	ws := getBuffers()
	gemmBlock(ws, j, m0, m1, n0, n1)
	putBuffers(ws)
}

var (
	poolOnce sync.Once
	poolCh   chan *job
)

// startPool starts the helper goroutines once; they live for the process
// and block on the channel when idle, so they cost no CPU.
func startPool() {
	poolOnce.Do(func() {
		n := max(runtime.NumCPU(), runtime.GOMAXPROCS(0), 2) * 2
		poolCh = make(chan *job)
		for i := 0; i < n; i++ {
			go func() {
				for j := range poolCh {
					j.work()
					j.wg.Done()
				}
			}()
		}
	})
}

// buffers are one goroutine's packing buffers.
type buffers struct {
	pa  []float32 // packed A block: mcBlock/MR panels of kc x MR, plus 8 floats of slack for packA6
	pb  []float32 // packed B block: ncBlock/NR panels of kc x NR
	tmp [MR * NR]float32
}

// gemmBlock computes rows [m0,m1) and columns [n0,n1) of C.
func gemmBlock(ws *buffers, j *job, m0, m1, n0, n1 int) {
	if j.beta != 0 && j.beta != 1 {
		scaleC(m1-m0, n1-n0, j.beta, j.c[m0*j.ldc+n0:], j.ldc)
	}
	// A non-transposed B is read in place when its rows serve few A
	// panels: packing would cost a full copy of B for little reuse, and the
	// kernel prefetches the next panel. Only a ragged last panel is packed.
	direct := !j.transB && m1-m0 <= directMaxM
	for jc := n0; jc < n1; jc += ncBlock {
		nc := min(ncBlock, n1-jc)
		for pc := 0; pc < j.k; pc += kcBlock {
			kc := min(kcBlock, j.k-pc)
			var bsrc []float32
			ldb := NR
			if direct {
				bsrc, ldb = j.b[pc*j.ldb+jc:], j.ldb
				if full := nc / NR * NR; full < nc {
					packB(ws.pb[full*kc:], j.b, j.ldb, false, pc, kc, jc+full, nc-full)
				}
			} else {
				packB(ws.pb, j.b, j.ldb, j.transB, pc, kc, jc, nc)
				bsrc = ws.pb
			}
			acc := pc > 0 || j.beta != 0
			for ic := m0; ic < m1; ic += mcBlock {
				mc := min(mcBlock, m1-ic)
				packA(ws.pa, j.a, j.lda, j.transA, ic, mc, pc, kc, j.alpha)
				macroKernel(ws, mc, nc, kc, bsrc, ldb, j.c[ic*j.ldc+jc:], j.ldc, acc)
			}
		}
	}
}

// directMaxM is the largest row count for which B is read in place.
var directMaxM = mcBlock

// macroKernel multiplies the packed mc x kc A block by the kc x nc B block
// into C (c starts at the block's top-left element). B is either packed
// (ldb == NR: panel r at b[r*NR*kc:]) or read in place (ldb > NR: panel r at
// b[r*NR:], with a ragged last panel packed at ws.pb[r*NR*kc:]).
func macroKernel(ws *buffers, mc, nc, kc int, b []float32, ldb int, c []float32, ldc int, acc bool) {
	for jr := 0; jr < nc; jr += NR {
		nr := min(NR, nc-jr)
		var pb []float32
		pldb := ldb
		switch {
		case ldb == NR:
			pb = b[jr*kc : jr*kc+kc*NR]
		case nr < NR:
			pb, pldb = ws.pb[jr*kc:jr*kc+kc*NR], NR
		default:
			pb = b[jr : jr+(kc-1)*ldb+NR]
		}
		for ir := 0; ir < mc; ir += MR {
			mr := min(MR, mc-ir)
			pa := ws.pa[ir*kc : ir*kc+kc*MR]
			if mr == MR && nr == NR {
				kernel(kc, pa, pb, pldb, c[ir*ldc+jr:], ldc, acc)
				continue
			}
			// Edge tile: compute the full tile into tmp, then merge the
			// valid part.
			kernel(kc, pa, pb, pldb, ws.tmp[:], NR, false)
			for i := 0; i < mr; i++ {
				row := c[(ir+i)*ldc+jr : (ir+i)*ldc+jr+nr]
				t := ws.tmp[i*NR : i*NR+nr]
				if acc {
					for jj, v := range t {
						row[jj] += v
					}
				} else {
					copy(row, t)
				}
			}
		}
	}
}

// packA packs rows [i0,i0+mc) and columns [p0,p0+kc) of op(A), scaled by
// alpha, into panels of MR rows: panel r holds op(A)[i0+r*MR+i][p0+p] at
// dst[r*MR*kc + p*MR + i], zero-padded past mc.
func packA(dst, a []float32, lda int, trans bool, i0, mc, p0, kc int, alpha float32) {
	for r := 0; r*MR < mc; r++ {
		panel := dst[r*MR*kc : (r+1)*MR*kc : len(dst)]
		rows := min(MR, mc-r*MR)
		base := i0 + r*MR
		if trans {
			// op(A)[i][p] = a[p*lda+i]: each p reads MR consecutive floats.
			for p := 0; p < kc; p++ {
				src := a[(p0+p)*lda+base:]
				d := panel[p*MR : p*MR+MR]
				if rows == MR {
					src = src[:MR]
					d[0] = alpha * src[0]
					d[1] = alpha * src[1]
					d[2] = alpha * src[2]
					d[3] = alpha * src[3]
					d[4] = alpha * src[4]
					d[5] = alpha * src[5]
					continue
				}
				for i := 0; i < MR; i++ {
					if i < rows {
						d[i] = alpha * src[i]
					} else {
						d[i] = 0
					}
				}
			}
			continue
		}
		// op(A)[i][p] = a[i*lda+p]: row i is contiguous in p.
		if rows == MR {
			packA6(kc, a[base*lda+p0:], lda, panel[:cap(panel)], alpha)
			continue
		}
		for i := 0; i < MR; i++ {
			if i >= rows {
				for p := 0; p < kc; p++ {
					panel[p*MR+i] = 0
				}
				continue
			}
			src := a[(base+i)*lda+p0 : (base+i)*lda+p0+kc]
			for p, v := range src {
				panel[p*MR+i] = alpha * v
			}
		}
	}
}

// packB packs rows [p0,p0+kc) and columns [j0,j0+nc) of op(B) into panels of
// NR columns: panel r holds op(B)[p0+p][j0+r*NR+j] at dst[r*NR*kc + p*NR + j],
// zero-padded past nc.
func packB(dst, b []float32, ldb int, trans bool, p0, kc, j0, nc int) {
	for r := 0; r*NR < nc; r++ {
		panel := dst[r*NR*kc : (r+1)*NR*kc]
		cols := min(NR, nc-r*NR)
		base := j0 + r*NR
		if !trans {
			// op(B)[p][j] = b[p*ldb+j]: each p copies NR consecutive floats.
			for p := 0; p < kc; p++ {
				d := panel[p*NR : p*NR+NR]
				src := b[(p0+p)*ldb+base:]
				n := copy(d[:cols], src[:cols])
				clear(d[n:])
			}
			continue
		}
		// op(B)[p][j] = b[j*ldb+p]: column j of the panel is contiguous in p.
		if cols == NR {
			packBT(kc, b[base*ldb+p0:], ldb, panel)
			continue
		}
		for j := 0; j < NR; j++ {
			if j >= cols {
				for p := 0; p < kc; p++ {
					panel[p*NR+j] = 0
				}
				continue
			}
			src := b[(base+j)*ldb+p0 : (base+j)*ldb+p0+kc]
			for p, v := range src {
				panel[p*NR+j] = v
			}
		}
	}
}
