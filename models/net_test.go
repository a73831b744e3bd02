package models

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

func tinyArch() Arch { return Arch{Channels: 1, Height: 8, Width: 8, Widths: []int{2, 3}} }

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		arch Arch
		err  string // substring, "" for valid
	}{
		{"default", DefaultArch(), ""},
		{"rgb", Arch{3, 64, 32, []int{4, 8}}, ""},
		{"channels", Arch{2, 64, 64, []int{4}}, "channels must be 1"},
		{"no widths", Arch{1, 64, 64, nil}, "at least one"},
		{"zero width", Arch{1, 64, 64, []int{4, 0}}, "widths[1] must be > 0"},
		{"height", Arch{1, 60, 64, []int{4, 8, 16}}, "divisible by 2^3 = 8"},
		{"width", Arch{1, 64, 36, []int{4, 8, 16}}, "divisible"},
		{"negative", Arch{1, -8, 8, []int{4}}, "positive"},
	}
	for _, c := range cases {
		err := c.arch.Validate()
		if c.err == "" && err != nil {
			t.Errorf("%s: unexpected error %v", c.name, err)
		}
		if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.err)
		}
		if _, nerr := New(c.arch, 1); (nerr == nil) != (err == nil) {
			t.Errorf("%s: New error %v disagrees with Validate %v", c.name, nerr, err)
		}
	}
	if a := DefaultArch(); a.Channels != 1 || a.Height != 224 || a.Width != 224 || !reflect.DeepEqual(a.Widths, []int{16, 32, 64}) {
		t.Fatalf("DefaultArch = %+v", a)
	}
}

func TestLayersAndParams(t *testing.T) {
	n, err := New(DefaultArch(), 1)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, l := range n.Layers {
		kinds = append(kinds, string(l.Kind))
	}
	want := "conv3x3 relu maxpool2 conv3x3 relu maxpool2 conv3x3 relu maxpool2 convt3x3s2 relu convt3x3s2 relu convt3x3s2 sigmoid"
	if got := strings.Join(kinds, " "); got != want {
		t.Fatalf("layers %q, want %q", got, want)
	}
	if n.EncoderLayers() != 9 {
		t.Fatalf("EncoderLayers = %d", n.EncoderLayers())
	}
	chans := [][2]int{}
	for _, l := range n.Layers {
		if l.Weight != nil {
			chans = append(chans, [2]int{l.In, l.Out})
		}
	}
	if !reflect.DeepEqual(chans, [][2]int{{1, 16}, {16, 32}, {32, 64}, {64, 32}, {32, 16}, {16, 1}}) {
		t.Fatalf("conv channels %v", chans)
	}
	var names []string
	total := 0
	for _, p := range n.Params() {
		names = append(names, p.Name)
		size := 1
		for _, d := range p.Shape {
			size *= d
		}
		if size != len(p.Value) || len(p.Grad) != len(p.Value) {
			t.Fatalf("%s: shape %v, %d values, %d grads", p.Name, p.Shape, len(p.Value), len(p.Grad))
		}
		total += size
	}
	wantNames := "enc0.conv.weight enc0.conv.bias enc1.conv.weight enc1.conv.bias enc2.conv.weight enc2.conv.bias " +
		"dec0.convt.weight dec0.convt.bias dec1.convt.weight dec1.convt.bias dec2.convt.weight dec2.convt.bias"
	if got := strings.Join(names, " "); got != wantNames {
		t.Fatalf("params %q", got)
	}
	if p := n.Params()[6]; !reflect.DeepEqual(p.Shape, []int{64, 32, 3, 3}) {
		t.Fatalf("dec0 weight shape %v, want [64 32 3 3] (PyTorch ConvTranspose2d layout)", p.Shape)
	}
	if total != n.NumParams() {
		t.Fatalf("NumParams %d, sum %d", n.NumParams(), total)
	}
	// Initialisation bounds: 1/sqrt(fanIn) with fanIn = size(1)*9.
	for _, p := range n.Params() {
		fan := p.Shape[0] * 9
		if len(p.Shape) == 4 {
			fan = p.Shape[1] * 9
		} else {
			w := n.Params()[indexOf(n, p.Name)-1]
			fan = w.Shape[1] * 9
		}
		bound := 1 / math.Sqrt(float64(fan))
		var maxAbs float64
		for _, v := range p.Value {
			maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
		}
		if maxAbs > bound || (len(p.Value) > 100 && maxAbs < 0.9*bound) {
			t.Errorf("%s: max |v| = %v, bound %v", p.Name, maxAbs, bound)
		}
	}
}

func indexOf(n *Net, name string) int {
	for i, p := range n.Params() {
		if p.Name == name {
			return i
		}
	}
	return -1
}

func TestShapes224(t *testing.T) {
	n, err := New(DefaultArch(), 7)
	if err != nil {
		t.Fatal(err)
	}
	n.SetWorkers(2)
	r := rand.New(rand.NewPCG(1, 2))
	img := randUnit(r, 224*224)
	x := tensor.New(tensor.WithShape(1, 224, 224), tensor.WithBacking(img))

	z, err := n.Encode(x)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual([]int(z.Shape()), []int{64, 28, 28}) {
		t.Fatalf("latent shape %v", z.Shape())
	}
	y, err := n.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual([]int(y.Shape()), []int{1, 224, 224}) {
		t.Fatalf("output shape %v", y.Shape())
	}
	for _, v := range y.Data().([]float32) {
		if !(v >= 0 && v <= 1) {
			t.Fatalf("sigmoid output %v outside [0,1]", v)
		}
	}

	tr, err := n.Trace(x)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr) != len(n.Layers) {
		t.Fatalf("Trace gave %d outputs for %d layers", len(tr), len(n.Layers))
	}
	for i, l := range n.Layers {
		if want := []int{l.Out, l.OutH(), l.OutW()}; !reflect.DeepEqual([]int(tr[i].Shape()), want) {
			t.Fatalf("layer %d (%s) trace shape %v, want %v", i, l.Kind, tr[i].Shape(), want)
		}
	}
	checkSame(t, "Trace encoder output vs Encode", tr[n.EncoderLayers()-1].Data().([]float32), z.Data().([]float32), 1e-5)
	checkSame(t, "Trace output vs Forward", tr[len(tr)-1].Data().([]float32), y.Data().([]float32), 1e-5)

	// Batched input, both parallel modes, and Reconstruct agree.
	img2 := randUnit(r, 224*224)
	xb := tensor.New(tensor.WithShape(2, 1, 224, 224), tensor.WithBacking(append(append([]float32(nil), img...), img2...)))
	for _, mode := range []trainMode{splitBatch, splitGemm} {
		n.parallel = mode
		yb, err := n.Forward(xb)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual([]int(yb.Shape()), []int{2, 1, 224, 224}) {
			t.Fatalf("batched output shape %v", yb.Shape())
		}
		checkSame(t, "batched image 0", yb.Data().([]float32)[:224*224], y.Data().([]float32), 0)
		dst := tensor.New(tensor.WithShape(1, 224, 224), tensor.WithBacking(make([]float32, 224*224)))
		if err := n.Reconstruct(dst, tensor.New(tensor.WithShape(1, 224, 224), tensor.WithBacking(img2))); err != nil {
			t.Fatal(err)
		}
		checkSame(t, "Reconstruct vs batched image 1", dst.Data().([]float32), yb.Data().([]float32)[224*224:], 0)
		zb, err := n.Encode(xb)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual([]int(zb.Shape()), []int{2, 64, 28, 28}) {
			t.Fatalf("batched latent shape %v", zb.Shape())
		}
	}
	if c, h, w := n.InputShape(); c != 1 || h != 224 || w != 224 {
		t.Fatalf("InputShape %d %d %d", c, h, w)
	}
}

func TestBadInputs(t *testing.T) {
	n, _ := New(tinyArch(), 1)
	bad := []*tensor.Dense{
		tensor.New(tensor.WithShape(1, 8, 4), tensor.WithBacking(make([]float32, 32))),
		tensor.New(tensor.WithShape(2, 8, 8), tensor.WithBacking(make([]float32, 128))),
		tensor.New(tensor.WithShape(1, 8, 8), tensor.WithBacking(make([]float64, 64))),
		nil,
	}
	good := tensor.New(tensor.WithShape(1, 8, 8), tensor.WithBacking(make([]float32, 64)))
	for i, x := range bad {
		if _, err := n.Forward(x); err == nil {
			t.Errorf("case %d: Forward accepted a bad tensor", i)
		}
		if err := n.Reconstruct(good, x); err == nil {
			t.Errorf("case %d: Reconstruct accepted a bad src", i)
		}
		if err := n.Reconstruct(x, good); err == nil {
			t.Errorf("case %d: Reconstruct accepted a bad dst", i)
		}
	}
	if _, err := n.TrainBatch(make([]float32, 64), make([]float32, 63), 1); err == nil {
		t.Error("TrainBatch accepted a short target")
	}
	if _, err := n.TrainBatch(nil, nil, 0); err == nil {
		t.Error("TrainBatch accepted batch 0")
	}
}

func randUnit(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.Float64())
	}
	return s
}

func checkSame(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: len %d vs %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(float64(got[i] - want[i])); d > tol*(1+math.Abs(float64(want[i]))) {
			t.Fatalf("%s: [%d] %v vs %v", what, i, got[i], want[i])
		}
	}
}

// forward64 is a float64 reference of the whole network built from the
// naive layers: params holds one float64 slice per Param, x one image.
func forward64(n *Net, params [][]float64, x []float64) []float64 {
	pi := 0
	for _, l := range n.Layers {
		switch l.Kind {
		case KindConv3x3:
			x = naiveConv64(x, params[pi], params[pi+1], l.In, l.Out, l.InH, l.InW)
			pi += 2
		case KindConvT3x3S2:
			x = naiveConvT64(x, params[pi], params[pi+1], l.In, l.Out, l.InH, l.InW)
			pi += 2
		case KindReLU:
			y := make([]float64, len(x))
			for i, v := range x {
				y[i] = math.Max(v, 0)
			}
			x = y
		case KindMaxPool2:
			x = naiveMaxPool(x, l.In, l.InH, l.InW)
		case KindSigmoid:
			y := make([]float64, len(x))
			for i, v := range x {
				y[i] = 1 / (1 + math.Exp(-v))
			}
			x = y
		}
	}
	return x
}

// loss64 is the batch MSE of the float64 reference.
func loss64(n *Net, params [][]float64, input, target []float64, batch int) float64 {
	sz := n.inSize()
	var s float64
	for i := 0; i < batch; i++ {
		y := forward64(n, params, input[i*sz:(i+1)*sz])
		for j, v := range y {
			d := v - target[i*sz+j]
			s += d * d
		}
	}
	return s / float64(batch*sz)
}

// TestNetGradients checks every parameter gradient and the input gradient
// of TrainBatch on tiny networks, for a denoising batch (input !=
// target), against central differences of a float64 reference of the
// same network. The float64 loss has no rounding noise to speak of, so the
// only slack needed is for float32 arithmetic in TrainBatch.
func TestNetGradients(t *testing.T) {
	archs := []Arch{tinyArch(), {Channels: 3, Height: 4, Width: 8, Widths: []int{3, 2}}, {Channels: 1, Height: 16, Width: 8, Widths: []int{2, 2, 3}}}
	for _, arch := range archs {
		n, err := New(arch, 42)
		if err != nil {
			t.Fatal(err)
		}
		n.SetWorkers(2)
		r := rand.New(rand.NewPCG(8, 9))
		batch := 2
		sz := n.inSize()
		input := randUnit(r, batch*sz)
		target := randUnit(r, batch*sz)
		dIn := make([]float32, len(input))
		loss, err := n.trainBatch(input, target, batch, dIn)
		if err != nil {
			t.Fatal(err)
		}
		var params [][]float64
		for _, p := range n.Params() {
			params = append(params, to64(p.Value))
		}
		in64, tg64 := to64(input), to64(target)
		if l2 := loss64(n, params, in64, tg64, batch); math.Abs(l2-loss) > 1e-5*l2 {
			t.Fatalf("%+v: TrainBatch loss %v, float64 reference %v", arch, loss, l2)
		}
		f := func() float64 { return loss64(n, params, in64, tg64, batch) }
		for i, p := range n.Params() {
			fdCheckAbs(t, p.Name, params[i], p.Grad, 1e-5, 1e-4, f)
		}
		fdCheckAbs(t, "input", in64, dIn, 1e-5, 1e-4, f)
	}
}

// fdCheckAbs compares grad with central differences of f over the
// float64 values v. The error is measured against the largest gradient of
// the tensor (MSE gradients are small numbers). Where the one-sided
// differences disagree a ReLU or max-pool switched inside [-h, h]; such
// elements are skipped, at most one or 3% of them.
func fdCheckAbs(t *testing.T, name string, v []float64, grad []float32, h float64, tol float64, f func() float64) {
	t.Helper()
	var scale float64
	for _, g := range grad {
		scale = math.Max(scale, math.Abs(float64(g)))
	}
	scale = math.Max(scale, 1e-9)
	f0 := f()
	worst, skipped := 0.0, 0
	for i := range v {
		orig := v[i]
		v[i] = orig + h
		up := f()
		v[i] = orig - h
		down := f()
		v[i] = orig
		if math.Abs((up-f0)-(f0-down))/h > tol*scale {
			skipped++
			continue
		}
		num := (up - down) / (2 * h)
		err := math.Abs(num-float64(grad[i])) / scale
		worst = math.Max(worst, err)
		if err > tol {
			t.Fatalf("%s[%d]: analytic %.7g, numeric %.7g (error %.2g of max |grad| %.3g)", name, i, grad[i], num, err, scale)
		}
	}
	if skipped > max(1, len(v)*3/100) {
		t.Fatalf("%s: %d of %d elements sit on a kink", name, skipped, len(v))
	}
	t.Logf("%s: worst error %.2g of max |grad| %.3g over %d elements (%d kinks skipped)", name, worst, scale, len(v), skipped)
}

func TestDeterminism(t *testing.T) {
	arch := Arch{Channels: 1, Height: 32, Width: 32, Widths: []int{4, 8}}
	r := rand.New(rand.NewPCG(10, 11))
	batch := 5
	in := randUnit(r, batch*32*32)
	run := func(workers int, mode trainMode) ([]float64, []Param) {
		n, err := New(arch, 99)
		if err != nil {
			t.Fatal(err)
		}
		n.SetWorkers(workers)
		n.parallel = mode
		opt := NewAdam(1e-3)
		var losses []float64
		for step := 0; step < 3; step++ {
			l, err := n.TrainBatch(in, in, batch)
			if err != nil {
				t.Fatal(err)
			}
			losses = append(losses, l)
			opt.Step(n.Params())
		}
		return losses, n.Params()
	}
	l1, p1 := run(1, splitBatch)
	for _, c := range []struct {
		w    int
		mode trainMode
	}{{1, splitBatch}, {2, splitBatch}, {3, splitBatch}, {2, splitGemm}} {
		l2, p2 := run(c.w, c.mode)
		if !reflect.DeepEqual(l1, l2) {
			t.Fatalf("workers %d mode %d: losses %v, want %v", c.w, c.mode, l2, l1)
		}
		for i := range p1 {
			if !reflect.DeepEqual(p1[i].Value, p2[i].Value) || !reflect.DeepEqual(p1[i].Grad, p2[i].Grad) {
				t.Fatalf("workers %d mode %d: %s differs", c.w, c.mode, p1[i].Name)
			}
		}
	}
	if !(l1[2] < l1[0]) {
		t.Errorf("loss did not decrease over 3 Adam steps: %v", l1)
	}
	// Different seeds give different weights.
	a, _ := New(arch, 1)
	b, _ := New(arch, 2)
	if reflect.DeepEqual(a.Params()[0].Value, b.Params()[0].Value) {
		t.Fatal("seeds 1 and 2 gave the same weights")
	}
}

func TestAdamTwoSteps(t *testing.T) {
	value := []float32{1, -2}
	grad := []float32{0.5, -1}
	params := []Param{{Name: "p", Shape: []int{2}, Value: value, Grad: grad}}
	o := NewAdam(0.1)
	if o.Beta1 != 0.9 || o.Beta2 != 0.999 || o.Eps != 1e-8 {
		t.Fatalf("defaults %+v", o)
	}
	// Step 1: m = 0.1g, v = 0.001g², the bias corrections give m̂ = g,
	// v̂ = g², so p -= 0.1·g/(|g|+1e-8): 1 -> 0.9, -2 -> -1.9.
	o.Step(params)
	checkSame(t, "step 1", value, []float32{0.900000002, -1.900000001}, 1e-7)
	// Step 2 with g = (0.1, 0.2):
	//   m = 0.9·0.05 + 0.1·0.1 = 0.055,  v = 0.999·0.00025 + 0.001·0.01 = 0.00025975
	//   p = 0.9 - (0.1/0.19)·0.055 / (sqrt(0.00025975)/sqrt(0.001999) + 1e-8) = 0.8196959
	//   m = 0.9·(-0.1) + 0.1·0.2 = -0.07, v = 0.999·0.001 + 0.001·0.04 = 0.001039
	//   p = -1.9 + (0.1/0.19)·0.07 / (sqrt(0.001039)/sqrt(0.001999) + 1e-8) = -1.8488974
	grad[0], grad[1] = 0.1, 0.2
	o.Step(params)
	checkSame(t, "step 2", value, []float32{0.8196959, -1.8488974}, 1e-7)
	if o.Steps() != 2 {
		t.Fatalf("Steps = %d", o.Steps())
	}
}

func TestClone(t *testing.T) {
	n, _ := New(tinyArch(), 3)
	r := rand.New(rand.NewPCG(1, 1))
	in := randUnit(r, 2*64)
	if _, err := n.TrainBatch(in, in, 2); err != nil {
		t.Fatal(err)
	}
	c := n.Clone()
	for i, p := range n.Params() {
		q := c.Params()[i]
		if p.Name != q.Name || !reflect.DeepEqual(p.Value, q.Value) || !reflect.DeepEqual(p.Grad, q.Grad) {
			t.Fatalf("clone differs at %s", p.Name)
		}
	}
	orig := c.Params()[0].Value[0]
	c.Params()[0].Value[0] = orig + 1
	c.Arch.Widths[0] = 99
	if n.Params()[0].Value[0] == c.Params()[0].Value[0] || n.Arch.Widths[0] == 99 {
		t.Fatal("clone shares storage with the original")
	}
	c.Params()[0].Value[0] = orig
	c.Arch.Widths[0] = n.Arch.Widths[0]
	l1, _ := n.TrainBatch(in, in, 2)
	l2, _ := c.TrainBatch(in, in, 2)
	if l1 != l2 {
		t.Fatalf("clone loss %v, original %v", l2, l1)
	}
}

func TestReconstructNoAllocs(t *testing.T) {
	for _, workers := range []int{1, 2} {
		n, _ := New(DefaultArch(), 1)
		n.SetWorkers(workers)
		r := rand.New(rand.NewPCG(1, 1))
		src := tensor.New(tensor.WithShape(1, 224, 224), tensor.WithBacking(randUnit(r, 224*224)))
		dst := tensor.New(tensor.WithShape(1, 224, 224), tensor.WithBacking(make([]float32, 224*224)))
		if err := n.Reconstruct(dst, src); err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(5, func() {
			if err := n.Reconstruct(dst, src); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Fatalf("workers %d: Reconstruct allocates %v times per call", workers, allocs)
		}
	}
}

func TestReplacedWeights(t *testing.T) {
	n, _ := New(tinyArch(), 1)
	// A loader may swap in new slices rather than copy into the old ones.
	w := make([]float32, len(n.Layers[0].Weight))
	for i := range w {
		w[i] = 0.5
	}
	n.Layers[0].Weight = w
	if p := n.Params()[0]; &p.Value[0] != &w[0] {
		t.Fatal("Params does not see the replaced weight slice")
	}
	n.Layers[0].Bias = []float32{1}
	x := tensor.New(tensor.WithShape(1, 8, 8), tensor.WithBacking(make([]float32, 64)))
	if _, err := n.Forward(x); err == nil || !strings.Contains(err.Error(), "layer 0") {
		t.Fatalf("Forward with a short bias: %v", err)
	}
	if _, err := n.TrainBatch(make([]float32, 64), make([]float32, 64), 1); err == nil {
		t.Fatal("TrainBatch accepted a short bias")
	}
}
