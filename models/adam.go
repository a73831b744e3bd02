package models

import "math"

// Adam is the Adam optimizer with PyTorch's update rule (no weight decay,
// no AMSGrad):
//
//	m = β1·m + (1-β1)·g
//	v = β2·v + (1-β2)·g²
//	p -= LR/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + Eps)
//
// Moments are kept in float64 and keyed by the position of each Param in
// the slice passed to Step, so the same Params order must be used on every
// step.
type Adam struct {
	LR, Beta1, Beta2, Eps float64

	t    int
	m, v [][]float64
}

// NewAdam returns Adam with PyTorch's defaults: β1 0.9, β2 0.999, ε 1e-8.
func NewAdam(lr float64) *Adam {
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// Steps returns how many steps have been taken.
func (o *Adam) Steps() int { return o.t }

// Step updates every Param.Value from its Grad.
func (o *Adam) Step(params []Param) {
	if len(o.m) != len(params) {
		o.m = make([][]float64, len(params))
		o.v = make([][]float64, len(params))
	}
	o.t++
	bc1 := 1 - math.Pow(o.Beta1, float64(o.t))
	bc2 := 1 - math.Pow(o.Beta2, float64(o.t))
	stepSize := o.LR / bc1
	sqrtBC2 := math.Sqrt(bc2)
	b1, b2 := o.Beta1, o.Beta2
	for i, p := range params {
		if len(o.m[i]) != len(p.Value) {
			o.m[i] = make([]float64, len(p.Value))
			o.v[i] = make([]float64, len(p.Value))
		}
		m, v := o.m[i], o.v[i]
		g := p.Grad[:len(p.Value)]
		for j := range p.Value {
			gj := float64(g[j])
			m[j] = b1*m[j] + (1-b1)*gj
			v[j] = b2*v[j] + (1-b2)*gj*gj
			denom := math.Sqrt(v[j])/sqrtBC2 + o.Eps
			p.Value[j] = float32(float64(p.Value[j]) - stepSize*m[j]/denom)
		}
	}
}
