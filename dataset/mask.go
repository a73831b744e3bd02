package dataset

import (
	"fmt"
	"image"

	"edgeae/preprocess"
)

// MaskCoverage loads a ground-truth mask and returns, for each pixel of a
// w x h grid (row-major), the fraction of its area covered by defect
// pixels (mask value > 0 in any channel). The mask is resized with the
// exact area filter of package preprocess, so the result does not depend
// on where a thin defect happens to fall between sample points.
//
// NOTE: the mask is only resized. A preprocessing ROI or pose alignment
// is not applied, so pixel-level masks match the model input only when
// the config uses neither.
func MaskCoverage(path string, w, h int) ([]float32, error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("dataset: mask %s: invalid output size %dx%d: width and height must be > 0", path, w, h)
	}

	img, err := preprocess.DecodeFile(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: mask: %w", err)
	}

	b := img.Bounds()
	defect := make([]float32, b.Dx()*b.Dy())
	if gray, ok := img.(*image.Gray); ok {
		for y := range b.Dy() {
			off := gray.PixOffset(b.Min.X, b.Min.Y+y)
			for x, v := range gray.Pix[off : off+b.Dx()] {
				if v > 0 {
					defect[y*b.Dx()+x] = 1
				}
			}
		}
	} else {
		for y := range b.Dy() {
			for x := range b.Dx() {
				r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				if r|g|bl > 0 {
					defect[y*b.Dx()+x] = 1
				}
			}
		}
	}

	coverage := make([]float32, w*h)
	if err := preprocess.ResizePlane(coverage, w, h, defect, b.Dx(), b.Dy(), preprocess.FilterArea); err != nil {
		return nil, fmt.Errorf("dataset: mask %s: %w", path, err)
	}
	return coverage, nil
}

// LoadMask loads a ground-truth mask at w x h (row-major) and marks a
// pixel defective when defect pixels cover more than half of its area (see
// MaskCoverage). A defect thinner than half an output pixel can vanish;
// use MaskCoverage to keep it.
func LoadMask(path string, w, h int) ([]bool, error) {
	coverage, err := MaskCoverage(path, w, h)
	if err != nil {
		return nil, err
	}

	mask := make([]bool, len(coverage))
	for i, c := range coverage {
		mask[i] = c > 0.5
	}
	return mask, nil
}
