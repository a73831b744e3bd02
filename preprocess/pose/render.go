package pose

import (
	"image"
	"math"
)

// transform maps output pixels to source coordinates. The output centre
// lands on centre, the output +x axis on the unit vector (ax, ay) and the
// output +y axis on (-ay, ax). The mapping is a rotation, never a mirror, so
// it keeps the handedness of the thread.
type transform struct {
	centre Point
	ax, ay float64
	out    image.Point
	scale  float64
}

// placement returns the transform that puts the part of info axis-horizontal,
// head left, in the middle of the output.
func placement(info Info, cfg Config) transform {
	rad := info.Angle * math.Pi / 180
	ax, ay := math.Cos(rad), math.Sin(rad)
	if !info.HeadLeft {
		ax, ay = -ax, -ay
	}
	return transform{centre: info.Center, ax: ax, ay: ay, out: cfg.outputSize(), scale: cfg.scale()}
}

// render samples the output image of t from v with bilinear interpolation.
// For scales below 1 each output pixel averages ceil(1/scale)^2 samples
// spread over its footprint. Samples outside v take the value fill (16-bit
// scale).
func render(v grayView, t transform, fill uint16) image.Image {
	sub := 1
	if t.scale < 1 {
		sub = int(math.Ceil(1/t.scale - 1e-9))
	}

	// Offsets of the sub-samples inside one output pixel, in output pixels.
	offsets := make([]float64, sub)
	for k := range offsets {
		offsets[k] = (float64(k)+0.5)/float64(sub) - 0.5
	}
	weight := 1 / float64(sub*sub)

	nativeFill := float64(fill)
	if !v.deep {
		nativeFill = math.Round(float64(fill) / 257)
	}

	// One output pixel step moves the source point by (ax, ay)/scale along
	// a row and by (-ay, ax)/scale down a column.
	inv := 1 / t.scale
	stepX, stepY := t.ax*inv, t.ay*inv
	halfW, halfH := float64(t.out.X)/2, float64(t.out.Y)/2

	var gray *image.Gray
	var gray16 *image.Gray16
	if v.deep {
		gray16 = image.NewGray16(image.Rect(0, 0, t.out.X, t.out.Y))
	} else {
		gray = image.NewGray(image.Rect(0, 0, t.out.X, t.out.Y))
	}
	row := make([]float64, t.out.X)

	for j := 0; j < t.out.Y; j++ {
		clear(row)

		for _, oy := range offsets {
			for _, ox := range offsets {
				// Source point of output pixel (0, j) plus this sub-sample
				// offset, in pixel-index coordinates (the centre of pixel
				// x is at x, hence the -0.5).
				u := 0.5 + ox - halfW
				w := float64(j) + 0.5 + oy - halfH
				sx := t.centre.X + float64(u*stepX) - float64(w*stepY) - 0.5
				sy := t.centre.Y + float64(u*stepY) + float64(w*stepX) - 0.5
				v.addRow(row, sx, sy, stepX, stepY, nativeFill)
			}
		}

		if v.deep {
			pix := gray16.Pix[j*gray16.Stride:]
			for i, sum := range row {
				q := uint16(math.Min(65535, math.Max(0, math.Round(sum*weight))))
				pix[2*i] = uint8(q >> 8)
				pix[2*i+1] = uint8(q)
			}
			continue
		}
		pix := gray.Pix[j*gray.Stride:]
		for i, sum := range row {
			pix[i] = uint8(math.Min(255, math.Max(0, math.Round(sum*weight))))
		}
	}

	if v.deep {
		return gray16
	}
	return gray
}

// addRow adds to row[i] the bilinear sample of v at (sx + i*dx, sy + i*dy),
// in the native sample scale, with fill for neighbours outside v.
func (v grayView) addRow(row []float64, sx, sy, dx, dy, fill float64) {
	maxX, maxY := float64(v.width-1), float64(v.height-1)

	for i := range row {
		x, y := sx+float64(float64(i)*dx), sy+float64(float64(i)*dy)

		// Fast path: all four neighbours inside, so truncation is floor.
		if !v.deep && x >= 0 && y >= 0 && x < maxX && y < maxY {
			x0, y0 := int(x), int(y)
			fx, fy := x-float64(x0), y-float64(y0)
			k := y0*v.stride + x0
			p00, p10 := float64(v.pix[k]), float64(v.pix[k+1])
			p01, p11 := float64(v.pix[k+v.stride]), float64(v.pix[k+v.stride+1])
			top := p00 + float64((p10-p00)*fx)
			bottom := p01 + float64((p11-p01)*fx)
			row[i] += top + float64((bottom-top)*fy)
			continue
		}
		row[i] += v.bilinear(x, y, fill)
	}
}

// bilinear interpolates v at index coordinates (sx, sy) in the native sample
// scale. Neighbours outside the image take fill.
func (v grayView) bilinear(sx, sy, fill float64) float64 {
	x0f, y0f := math.Floor(sx), math.Floor(sy)
	fx, fy := sx-x0f, sy-y0f
	x0, y0 := int(x0f), int(y0f)

	var p00, p10, p01, p11 float64
	if x0 >= 0 && y0 >= 0 && x0+1 < v.width && y0+1 < v.height {
		p00, p10 = v.native(x0, y0), v.native(x0+1, y0)
		p01, p11 = v.native(x0, y0+1), v.native(x0+1, y0+1)
	} else {
		p00 = v.nativeOr(x0, y0, fill)
		p10 = v.nativeOr(x0+1, y0, fill)
		p01 = v.nativeOr(x0, y0+1, fill)
		p11 = v.nativeOr(x0+1, y0+1, fill)
	}

	top := p00 + float64((p10-p00)*fx)
	bottom := p01 + float64((p11-p01)*fx)
	return top + float64((bottom-top)*fy)
}

// native returns the sample at (x, y) in its own scale (0-255 or 0-65535).
func (v grayView) native(x, y int) float64 {
	if v.deep {
		i := y*v.stride + 2*x
		return float64(uint16(v.pix[i])<<8 | uint16(v.pix[i+1]))
	}
	return float64(v.pix[y*v.stride+x])
}

// nativeOr returns the sample at (x, y), or fill outside the image.
func (v grayView) nativeOr(x, y int, fill float64) float64 {
	if x < 0 || y < 0 || x >= v.width || y >= v.height {
		return fill
	}
	return v.native(x, y)
}
