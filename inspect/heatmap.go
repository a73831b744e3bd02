package inspect

import (
	"image"
	"image/color"
)

// Heatmap renders the detector's last preprocessed input as gray with the
// anomaly map of res blended over it in red. Map values at or above the
// image threshold are fully red. The "mean" score's threshold is not in map
// units, so for it the image's own map maximum sets the scale. The result
// has the model input size, in the aligned pose when pose normalisation is
// on.
func (d *Detector) Heatmap(res Result) *image.RGBA {
	w, h := res.MapWidth, res.MapHeight
	planes := d.Meta.Preprocess.Channels
	out := image.NewRGBA(image.Rect(0, 0, w, h))

	scale := res.Threshold
	if d.Meta.Score.Method == "mean" || !(scale > 0) {
		scale = 0
		for _, v := range res.Map {
			scale = max(scale, float64(v))
		}
	}
	if !(scale > 0) {
		scale = 1
	}

	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var gray float64
			for c := 0; c < planes; c++ {
				gray += float64(d.input[c*w*h+y*w+x])
			}
			gray /= float64(planes)

			alpha := min(1, max(0, float64(res.Map[y*w+x])/scale))
			r := (1-alpha)*gray + alpha
			g := (1 - alpha) * gray
			b := (1 - alpha) * gray
			out.SetRGBA(x, y, color.RGBA{R: to8(r), G: to8(g), B: to8(b), A: 255})
		}
	}
	return out
}

// to8 converts a [0, 1] intensity to an 8-bit channel value.
func to8(v float64) uint8 {
	return uint8(min(255, max(0, v*255+0.5)))
}
