package preprocess

import (
	"strings"
	"testing"
)

func TestResizePlane(t *testing.T) {
	tests := []struct {
		name           string
		src            []float32
		sw, sh, dw, dh int
		filter         string
		want           []float32
	}{
		{
			// Each 2x2 block averages to its own value.
			name: "area 2x2 blocks",
			src: []float32{
				0.1, 0.1, 0.9, 0.9,
				0.1, 0.1, 0.9, 0.9,
				0.4, 0.4, 0.6, 0.6,
				0.4, 0.4, 0.6, 0.6,
			},
			sw: 4, sh: 4, dw: 2, dh: 2, filter: FilterArea,
			want: []float32{0.1, 0.9, 0.4, 0.6},
		},
		{
			// Each output pixel covers two pixels of a 2x2 checkerboard.
			name: "area checkerboard",
			src:  []float32{0, 1, 1, 0},
			sw:   2, sh: 2, dw: 1, dh: 2, filter: FilterArea,
			want: []float32{0.5, 0.5},
		},
		{
			// Output 0 covers source [0, 1.5): (1*1 + 2*0.5)/1.5 = 4/3.
			// Output 1 covers [1.5, 3): (2*0.5 + 3*1)/1.5 = 8/3.
			name: "area fractional coverage",
			src:  []float32{1, 2, 3},
			sw:   3, sh: 1, dw: 2, dh: 1, filter: FilterArea,
			want: []float32{4.0 / 3, 8.0 / 3},
		},
		{
			// Outputs cover [0, 2/3), [2/3, 4/3) and [4/3, 2): the middle
			// one takes one third of each source pixel.
			name: "area upscale",
			src:  []float32{0, 1},
			sw:   2, sh: 1, dw: 3, dh: 1, filter: FilterArea,
			want: []float32{0, 0.5, 1},
		},
		{
			// Centres map to (i+0.5)/2 - 0.5 = -0.25, 0.25, 0.75, 1.25,
			// clamped to [0, 1].
			name: "bilinear upscale row",
			src:  []float32{0, 1},
			sw:   2, sh: 1, dw: 4, dh: 1, filter: FilterBilinear,
			want: []float32{0, 0.25, 0.75, 1},
		},
		{
			// The source is f(x, y) = 4x + 8y at its pixel centres, and
			// bilinear interpolation of a linear function is exact, so
			// output (x, y) = 4 cx + 8 cy with cx, cy from {0, 0.25, 0.75, 1}.
			name: "bilinear upscale plane",
			src:  []float32{0, 4, 8, 12},
			sw:   2, sh: 2, dw: 4, dh: 4, filter: FilterBilinear,
			want: []float32{
				0, 1, 3, 4,
				2, 3, 5, 6,
				6, 7, 9, 10,
				8, 9, 11, 12,
			},
		},
		{
			// 4 -> 2: centres map to 0.5 and 2.5, halfway between pixels.
			name: "bilinear downscale",
			src:  []float32{0, 2, 4, 6},
			sw:   4, sh: 1, dw: 2, dh: 1, filter: FilterBilinear,
			want: []float32{1, 5},
		},
		{
			name: "bilinear same size copies",
			src:  []float32{0.3, 0.7, 0.1},
			sw:   3, sh: 1, dw: 3, dh: 1, filter: FilterBilinear,
			want: []float32{0.3, 0.7, 0.1},
		},
		{
			name: "empty filter means area",
			src:  []float32{1, 3},
			sw:   2, sh: 1, dw: 1, dh: 1, filter: "",
			want: []float32{2},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := make([]float32, tt.dw*tt.dh)
			if err := ResizePlane(dst, tt.dw, tt.dh, tt.src, tt.sw, tt.sh, tt.filter); err != nil {
				t.Fatal(err)
			}
			if !closeTo(dst, tt.want, 1e-6) {
				t.Errorf("got %v, want %v", dst, tt.want)
			}
		})
	}
}

func TestResizePlaneAreaConstant(t *testing.T) {
	// Weights must sum to 1 for every output pixel at awkward ratios too.
	sizes := [][4]int{{1024, 1024, 224, 224}, {37, 23, 5, 4}, {7, 3, 10, 11}, {5, 5, 5, 5}}
	for _, s := range sizes {
		sw, sh, dw, dh := s[0], s[1], s[2], s[3]
		src := make([]float32, sw*sh)
		for i := range src {
			src[i] = 0.7
		}

		dst := make([]float32, dw*dh)
		if err := ResizePlane(dst, dw, dh, src, sw, sh, FilterArea); err != nil {
			t.Fatal(err)
		}
		for i, v := range dst {
			if v < 0.7-1e-6 || v > 0.7+1e-6 {
				t.Errorf("%dx%d -> %dx%d: dst[%d] = %v, want 0.7", sw, sh, dw, dh, i, v)
				break
			}
		}
	}
}

func TestResizePlaneErrors(t *testing.T) {
	tests := []struct {
		name           string
		dst, src       int
		dw, dh, sw, sh int
		filter         string
		wantErr        string
	}{
		{"unknown filter", 4, 4, 2, 2, 2, 2, "lanczos", "unknown filter"},
		{"zero size", 0, 4, 0, 2, 2, 2, "area", "must be > 0"},
		{"short source", 4, 3, 2, 2, 2, 2, "area", "source has 3 values"},
		{"short destination", 3, 4, 2, 2, 2, 2, "area", "destination has 3 values"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ResizePlane(make([]float32, tt.dst), tt.dw, tt.dh, make([]float32, tt.src), tt.sw, tt.sh, tt.filter)
			if err == nil {
				t.Fatalf("ResizePlane returned no error, want %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}
