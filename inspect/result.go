package inspect

import "time"

// Result is the outcome of inspecting one image.
type Result struct {
	// Score is the image anomaly score; higher means more anomalous.
	Score float64

	// Threshold is the calibrated score above which a part is defective.
	Threshold float64

	// Defective reports Score > Threshold.
	Defective bool

	// Map is the per-pixel anomaly map at the model input resolution
	// (MapWidth x MapHeight, row-major). It is owned by the detector and
	// overwritten by the next call; copy it to keep it.
	Map                 []float32
	MapWidth, MapHeight int

	// Latency is the time spent in preprocessing, inference and scoring.
	Latency time.Duration
}
