package preprocess

// Config describes how a decoded image becomes a model input tensor. It is
// stored in the model file so that training, evaluation and the line-side
// runtime apply exactly the same steps.
type Config struct {
	// Width and Height are the model input size in pixels.
	Width  int `json:"width"`
	Height int `json:"height"`

	// Channels is 1 (gray) or 3 (RGB).
	Channels int `json:"channels"`

	// Resize names the resampling filter: "area" or "bilinear".
	Resize string `json:"resize"`

	// Pose, when non-nil, aligns the part before resizing.
	Pose *PoseConfig `json:"pose,omitempty"`

	// ROI, when non-empty, crops the frame before any other step
	// (pixel coordinates in the source image).
	ROI *Rect `json:"roi,omitempty"`
}

// Rect is a pixel rectangle [X0, X1) x [Y0, Y1).
type Rect struct {
	X0 int `json:"x0"`
	Y0 int `json:"y0"`
	X1 int `json:"x1"`
	Y1 int `json:"y1"`
}
