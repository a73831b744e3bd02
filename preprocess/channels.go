package preprocess

import (
	"image"
	"image/color"
)

// rowSource returns the channel rows of source row y (0 is the top row of
// the image bounds). Each returned row has one value per source column. The
// slices are reused by the next call.
type rowSource func(y int) [][]float32

// BT.601 luma weights, applied to the scaled (gamma-encoded) R, G and B.
const (
	lumaR = 0.299
	lumaG = 0.587
	lumaB = 0.114
)

// scale8 maps an 8-bit sample v to v/255.
var scale8 = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(i) / 255
	}
	return t
}()

// luma returns the BT.601 luma of r, g, b, and exactly r for a gray pixel.
func luma(r, g, b float32) float32 {
	if r == g && g == b {
		return r
	}
	// The conversions round each product, so no architecture fuses them
	// into multiply-adds and every board computes the same luma.
	return float32(lumaR*r) + float32(lumaG*g) + float32(lumaB*b)
}

// isGray reports whether every pixel of img has R = G = B by its type, so
// a 3-channel tensor can be made by resizing one plane and copying it.
func isGray(img image.Image) bool {
	switch img.(type) {
	case *image.Gray, *image.Gray16:
		return true
	}
	return false
}

// newRowSource returns a rowSource that applies the channel and bit-depth
// rule (see the package documentation) to img, producing channels rows.
func newRowSource(img image.Image, channels int) rowSource {
	w := img.Bounds().Dx()
	rows := make([][]float32, channels)
	for c := range rows {
		rows[c] = make([]float32, w)
	}

	switch m := img.(type) {
	case *image.Gray:
		return grayRows(m, rows)
	case *image.Gray16:
		return gray16Rows(m, rows)
	case *image.YCbCr:
		return ycbcrRows(m, rows)
	case *image.RGBA:
		return rgbaRows(m, rows)
	case *image.RGBA64:
		return rgba64Rows(m, rows)
	case *image.NRGBA:
		return nrgbaRows(m, rows)
	case *image.NRGBA64:
		return nrgba64Rows(m, rows)
	case *image.Paletted:
		return palettedRows(m, rows)
	}
	return genericRows(img, rows)
}

// store writes one colour pixel as luma (one row) or as R, G, B (three rows).
func store(rows [][]float32, x int, r, g, b float32) {
	if len(rows) == 1 {
		rows[0][x] = luma(r, g, b)
		return
	}
	rows[0][x] = r
	rows[1][x] = g
	rows[2][x] = b
}

// replicate copies row 0 into the other rows, for gray sources.
func replicate(rows [][]float32) [][]float32 {
	for c := 1; c < len(rows); c++ {
		copy(rows[c], rows[0])
	}
	return rows
}

func grayRows(m *image.Gray, rows [][]float32) rowSource {
	b := m.Bounds()
	w := b.Dx()
	return func(y int) [][]float32 {
		off := m.PixOffset(b.Min.X, b.Min.Y+y)
		pix := m.Pix[off : off+w]
		out := rows[0][:len(pix)]
		for x, v := range pix {
			out[x] = scale8[v]
		}
		return replicate(rows)
	}
}

func gray16Rows(m *image.Gray16, rows [][]float32) rowSource {
	b := m.Bounds()
	w := b.Dx()
	return func(y int) [][]float32 {
		pix := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
		out := rows[0]
		for x := range w {
			v := uint16(pix[2*x])<<8 | uint16(pix[2*x+1])
			out[x] = float32(v) / 65535
		}
		return replicate(rows)
	}
}

// ycbcrRows reads JPEG frames. One channel uses the Y sample directly:
// JPEG (JFIF) defines Y with the same BT.601 weights, so this equals the
// luma rule up to the rounding of the RGB conversion. Three channels
// convert with color.YCbCrToRGB, as image.YCbCr.At does.
func ycbcrRows(m *image.YCbCr, rows [][]float32) rowSource {
	b := m.Bounds()
	w := b.Dx()
	return func(y int) [][]float32 {
		sy := b.Min.Y + y
		yOff := m.YOffset(b.Min.X, sy)
		samples := m.Y[yOff : yOff+w]

		if len(rows) == 1 {
			out := rows[0][:len(samples)]
			for x, v := range samples {
				out[x] = scale8[v]
			}
			return rows
		}

		for x, v := range samples {
			cOff := m.COffset(b.Min.X+x, sy)
			r, g, bl := color.YCbCrToRGB(v, m.Cb[cOff], m.Cr[cOff])
			rows[0][x] = scale8[r]
			rows[1][x] = scale8[g]
			rows[2][x] = scale8[bl]
		}
		return rows
	}
}

// unpremultiply8 returns c/a for an 8-bit premultiplied sample, and 0 when
// the pixel is fully transparent.
func unpremultiply8(c, a uint8) float32 {
	if a == 0 {
		return 0
	}
	return float32(c) / float32(a)
}

// unpremultiply16 is unpremultiply8 for 16-bit samples.
func unpremultiply16(c, a uint32) float32 {
	if a == 0 {
		return 0
	}
	return float32(float64(c) / float64(a))
}

func rgbaRows(m *image.RGBA, rows [][]float32) rowSource {
	b := m.Bounds()
	w := b.Dx()
	return func(y int) [][]float32 {
		pix := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := range w {
			p := pix[4*x : 4*x+4 : 4*x+4]
			store(rows, x, unpremultiply8(p[0], p[3]), unpremultiply8(p[1], p[3]), unpremultiply8(p[2], p[3]))
		}
		return rows
	}
}

func rgba64Rows(m *image.RGBA64, rows [][]float32) rowSource {
	b := m.Bounds()
	w := b.Dx()
	return func(y int) [][]float32 {
		pix := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := range w {
			p := pix[8*x : 8*x+8 : 8*x+8]
			r := uint32(p[0])<<8 | uint32(p[1])
			g := uint32(p[2])<<8 | uint32(p[3])
			bl := uint32(p[4])<<8 | uint32(p[5])
			a := uint32(p[6])<<8 | uint32(p[7])
			store(rows, x, unpremultiply16(r, a), unpremultiply16(g, a), unpremultiply16(bl, a))
		}
		return rows
	}
}

func nrgbaRows(m *image.NRGBA, rows [][]float32) rowSource {
	b := m.Bounds()
	w := b.Dx()
	return func(y int) [][]float32 {
		pix := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := range w {
			p := pix[4*x : 4*x+3 : 4*x+3]
			store(rows, x, scale8[p[0]], scale8[p[1]], scale8[p[2]])
		}
		return rows
	}
}

func nrgba64Rows(m *image.NRGBA64, rows [][]float32) rowSource {
	b := m.Bounds()
	w := b.Dx()
	return func(y int) [][]float32 {
		pix := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := range w {
			p := pix[8*x : 8*x+6 : 8*x+6]
			r := uint16(p[0])<<8 | uint16(p[1])
			g := uint16(p[2])<<8 | uint16(p[3])
			bl := uint16(p[4])<<8 | uint16(p[5])
			store(rows, x, float32(r)/65535, float32(g)/65535, float32(bl)/65535)
		}
		return rows
	}
}

// palettedRows converts the palette once. Indices beyond the palette read
// as black (image.Paletted.At would panic on them).
func palettedRows(m *image.Paletted, rows [][]float32) rowSource {
	var palette [256][3]float32
	for i, c := range m.Palette {
		if i == len(palette) {
			break
		}
		r, g, bl := unpremultipliedRGB(c)
		palette[i] = [3]float32{r, g, bl}
	}

	b := m.Bounds()
	w := b.Dx()
	return func(y int) [][]float32 {
		off := m.PixOffset(b.Min.X, b.Min.Y+y)
		for x, idx := range m.Pix[off : off+w] {
			p := palette[idx]
			store(rows, x, p[0], p[1], p[2])
		}
		return rows
	}
}

// genericRows reads any other image type through At, one interface call
// per pixel.
func genericRows(img image.Image, rows [][]float32) rowSource {
	b := img.Bounds()
	w := b.Dx()
	return func(y int) [][]float32 {
		for x := range w {
			r, g, bl := unpremultipliedRGB(img.At(b.Min.X+x, b.Min.Y+y))
			store(rows, x, r, g, bl)
		}
		return rows
	}
}

// unpremultipliedRGB returns the colour of c scaled to [0, 1] with alpha
// removed. Non-premultiplied colour types keep their stored values, so a
// transparent NRGBA pixel keeps its colour, while a fully transparent
// premultiplied colour (and a nil colour) reads as black.
func unpremultipliedRGB(c color.Color) (r, g, b float32) {
	switch c := c.(type) {
	case nil:
		return 0, 0, 0
	case color.NRGBA:
		return scale8[c.R], scale8[c.G], scale8[c.B]
	case color.NRGBA64:
		return float32(c.R) / 65535, float32(c.G) / 65535, float32(c.B) / 65535
	case color.Gray:
		return scale8[c.Y], scale8[c.Y], scale8[c.Y]
	case color.Gray16:
		v := float32(c.Y) / 65535
		return v, v, v
	}

	r16, g16, b16, a16 := c.RGBA()
	return unpremultiply16(r16, a16), unpremultiply16(g16, a16), unpremultiply16(b16, a16)
}
