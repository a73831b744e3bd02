package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"edgeae/dataset"
	"edgeae/inspect"
	"edgeae/metrics"
	"edgeae/preprocess"
)

func init() {
	register(command{
		name:    "eval",
		summary: "score a labelled test split and report AUROC, AUPR, F1 and confusion counts",
		run:     runEval,
	})
}

// evalReport is the JSON written by eval --json.
type evalReport struct {
	Model      string             `json:"model"`
	Format     string             `json:"format"`
	Data       string             `json:"data"`
	ScoreRule  string             `json:"score_method"`
	ImageAUROC *float64           `json:"image_auroc"`
	AUROCNote  string             `json:"image_auroc_note,omitempty"`
	AUPR       *float64           `json:"aupr"`
	Threshold  float64            `json:"threshold"`
	Confusion  metrics.Confusion  `json:"confusion"`
	Precision  float64            `json:"precision"`
	Recall     float64            `json:"recall"`
	F1         float64            `json:"f1"`
	NGood      int                `json:"n_good"`
	NDefective int                `json:"n_defective"`
	Faults     int                `json:"faults"`
	MeanMSE    float64            `json:"mean_test_mse"`
	PerKind    map[string]kindRow `json:"per_kind"`
	PixelAUROC *float64           `json:"pixel_auroc"`
	PixelNote  string             `json:"pixel_auroc_note,omitempty"`
	MeanMillis float64            `json:"mean_latency_ms"`
	Operating  []operatingPoint   `json:"operating_points,omitempty"`
	Images     []imageRow         `json:"images"`
}

// kindRow holds the metrics of one defect kind against the good images.
type kindRow struct {
	N        int      `json:"n"`
	AUROC    *float64 `json:"auroc"`
	Rejected int      `json:"rejected"`
}

// operatingPoint describes the threshold that would catch a share of this
// split's defective images, and what it would cost in good images. It
// describes the split; the model's threshold comes from good images only.
type operatingPoint struct {
	Recall       float64 `json:"recall"`
	Threshold    float64 `json:"threshold"`
	GoodRejected float64 `json:"good_rejected"`
}

// operatingPoints returns, for each target recall, a threshold that
// rejects at least that share of the defective images, and the share of
// good images it rejects too. The threshold lies halfway between the
// lowest defective score it must reject and the next lower score of any
// image, so printing it with a few digits does not move it past either.
func operatingPoints(images []imageRow, recalls []float64) []operatingPoint {
	var good, defective, all []float64
	for _, r := range images {
		if math.IsInf(r.Score, 0) || math.IsNaN(r.Score) {
			continue
		}
		all = append(all, r.Score)
		if r.Defective {
			defective = append(defective, r.Score)
		} else {
			good = append(good, r.Score)
		}
	}
	if len(good) == 0 || len(defective) == 0 {
		return nil
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(defective)))
	sort.Float64s(all)

	var out []operatingPoint
	for _, recall := range recalls {
		k := int(math.Ceil(recall*float64(len(defective)))) - 1
		k = max(0, min(k, len(defective)-1))
		lowest := defective[k]

		// A part is rejected when its score is above the threshold.
		below := sort.SearchFloat64s(all, lowest) - 1
		threshold := lowest / 2
		if below >= 0 {
			threshold = (all[below] + lowest) / 2
		}

		rejected := 0
		for _, g := range good {
			if g > threshold {
				rejected++
			}
		}
		out = append(out, operatingPoint{Recall: recall, Threshold: threshold, GoodRejected: float64(rejected) / float64(len(good))})
	}
	return out
}

// imageRow is the outcome for one test image. A fault has the score +Inf,
// written as null in JSON, which has no infinity.
type imageRow struct {
	Path      string  `json:"path"`
	Kind      string  `json:"kind"`
	Defective bool    `json:"defective"`
	Score     float64 `json:"-"`
	Rejected  bool    `json:"rejected"`
	Fault     string  `json:"fault,omitempty"`
}

// MarshalJSON writes the row with its score, or null for a fault.
func (r imageRow) MarshalJSON() ([]byte, error) {
	type plain imageRow
	out := struct {
		plain
		Score *float64 `json:"score"`
	}{plain: plain(r)}
	if !math.IsInf(r.Score, 0) && !math.IsNaN(r.Score) {
		out.Score = &r.Score
	}
	return json.Marshal(out)
}

// runEval scores every test image and prints the metrics.
func runEval(ctx context.Context, args []string) error {
	fs := newFlagSet("eval", "--data DIR [--model MODEL] [--json FILE] [--heatmaps DIR]")
	data := fs.String("data", "", "dataset root in MVTec AD layout; test/ is scored (required)")
	model := fs.String("model", "", "model file, float32 or int8 (default: the embedded model)")
	jsonOut := fs.String("json", "", "write the report as JSON to this file")
	heatmaps := fs.String("heatmaps", "", "write each test image with its anomaly map overlaid as PNG into this folder")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" {
		return fmt.Errorf("%w: --data is required", errUsage)
	}

	det, name, err := loadDetector(*model)
	if err != nil {
		return err
	}
	samples, err := dataset.Test(*data)
	if err != nil {
		return err
	}
	if *heatmaps != "" {
		if err := os.MkdirAll(*heatmaps, 0o755); err != nil {
			return fmt.Errorf("eval: create heatmap folder: %w", err)
		}
	}

	rep, err := evaluate(ctx, det, samples, *heatmaps)
	if err != nil {
		return err
	}
	rep.Model, rep.Data = name, *data

	printReport(os.Stdout, rep)
	if *jsonOut != "" {
		buf, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return fmt.Errorf("eval: encode report: %w", err)
		}
		if err := os.WriteFile(*jsonOut, append(buf, '\n'), 0o644); err != nil {
			return fmt.Errorf("eval: write report: %w", err)
		}
	}
	return nil
}

// evaluate inspects every sample. A file that cannot be decoded or a part
// that cannot be found is reported as a fault and scored +Inf, because the
// line-side runtime rejects such parts.
func evaluate(ctx context.Context, det *inspect.Detector, samples []dataset.Sample, heatmapDir string) (*evalReport, error) {
	rep := &evalReport{
		Format:    det.Meta.Format,
		ScoreRule: det.Meta.Score.Method,
		Threshold: det.Meta.Threshold,
		PerKind:   map[string]kindRow{},
	}

	var mseSum, latency float64
	var inspected int
	var pixelScores []float64
	var pixelLabels []bool

	// Pixel AUROC needs masks in the model's frame, which pose alignment
	// and regions of interest would have to warp too.
	// NOTE: masks are not warped, so pixel AUROC is only computed for models
	// without pose normalisation and without a region of interest.
	withMasks := det.Meta.Preprocess.Pose == nil && det.Meta.Preprocess.ROI == nil
	hasMask := false
	for _, s := range samples {
		hasMask = hasMask || s.MaskPath != ""
	}
	withMasks = withMasks && hasMask

	for _, s := range samples {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		row := imageRow{Path: s.Path, Kind: s.Kind, Defective: s.Defective}

		img, err := preprocess.DecodeFile(s.Path)
		var res inspect.Result
		if err == nil {
			res, err = det.Inspect(img)
		}
		if err != nil {
			row.Score, row.Rejected, row.Fault = math.Inf(1), true, err.Error()
			rep.Faults++
			slog.Warn("image not inspected; counted as rejected", "file", s.Path, "err", err)
			rep.Images = append(rep.Images, row)
			continue
		}

		row.Score, row.Rejected = res.Score, res.Defective
		mseSum += mse(det.Input(), det.Reconstruction())
		latency += float64(res.Latency.Microseconds()) / 1000
		inspected++

		if withMasks {
			pixelScores, pixelLabels, err = appendPixels(pixelScores, pixelLabels, s, res)
			if err != nil {
				return nil, err
			}
		}

		if heatmapDir != "" {
			if err := writeHeatmap(heatmapDir, s, img, det, res); err != nil {
				return nil, err
			}
		}
		rep.Images = append(rep.Images, row)
	}

	if inspected > 0 {
		rep.MeanMSE = mseSum / float64(inspected)
		rep.MeanMillis = latency / float64(inspected)
	}
	summarise(rep, pixelScores, pixelLabels)
	return rep, nil
}

// appendPixels adds the anomaly map of one inspected sample and its mask
// labels to the pixel-level lists. A good image without a mask counts as
// all good pixels; a defective image without a mask is left out.
func appendPixels(scores []float64, labels []bool, s dataset.Sample, res inspect.Result) ([]float64, []bool, error) {
	switch {
	case s.MaskPath != "":
		mask, err := dataset.LoadMask(s.MaskPath, res.MapWidth, res.MapHeight)
		if err != nil {
			return nil, nil, err
		}
		for i, m := range mask {
			scores = append(scores, float64(res.Map[i]))
			labels = append(labels, m)
		}
	case !s.Defective:
		for _, v := range res.Map {
			scores = append(scores, float64(v))
			labels = append(labels, false)
		}
	}
	return scores, labels, nil
}

// summarise computes the image-level and per-kind metrics of rep.Images.
func summarise(rep *evalReport, pixelScores []float64, pixelLabels []bool) {
	scores := make([]float64, len(rep.Images))
	labels := make([]bool, len(rep.Images))
	for i, r := range rep.Images {
		scores[i], labels[i] = r.Score, r.Defective
		if r.Defective {
			rep.NDefective++
		} else {
			rep.NGood++
		}
	}

	rep.ImageAUROC, rep.AUROCNote = optional(metrics.AUROC(scores, labels))
	rep.AUPR, _ = optional(metrics.AUPR(scores, labels))
	rep.Confusion = metrics.Confuse(scores, labels, rep.Threshold)
	rep.Precision, rep.Recall, rep.F1 = rep.Confusion.Precision(), rep.Confusion.Recall(), rep.Confusion.F1()
	rep.Operating = operatingPoints(rep.Images, []float64{0.5, 0.8, 0.9, 0.95})

	kinds := map[string]bool{}
	for _, r := range rep.Images {
		if r.Defective {
			kinds[r.Kind] = true
		}
	}
	for kind := range kinds {
		var ks []float64
		var kl []bool
		row := kindRow{}
		for _, r := range rep.Images {
			if r.Kind == kind || !r.Defective {
				ks, kl = append(ks, r.Score), append(kl, r.Defective)
			}
			if r.Kind == kind {
				row.N++
				if r.Rejected {
					row.Rejected++
				}
			}
		}
		row.AUROC, _ = optional(metrics.AUROC(ks, kl))
		rep.PerKind[kind] = row
	}

	if len(pixelScores) > 0 {
		rep.PixelAUROC, rep.PixelNote = optional(metrics.AUROC(pixelScores, pixelLabels))
	} else {
		rep.PixelNote = "no ground-truth masks in this split, or the model aligns or crops the part, which the masks do not follow"
	}
}

// optional turns a metric and its error into a nullable JSON value and the
// reason it is undefined.
func optional(v float64, err error) (*float64, string) {
	if err != nil {
		return nil, err.Error()
	}
	return &v, ""
}

// mse returns the mean squared difference of two equal-length slices.
func mse(a, b []float32) float64 {
	var sum float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		sum += d * d
	}
	return sum / float64(len(a))
}

// printReport writes the human-readable summary.
func printReport(w io.Writer, rep *evalReport) {
	fmt.Fprintf(w, "model      %s (%s, score %s)\n", rep.Model, rep.Format, rep.ScoreRule)
	fmt.Fprintf(w, "data       %s: %d good, %d defective, %d faults\n", rep.Data, rep.NGood, rep.NDefective, rep.Faults)
	fmt.Fprintf(w, "image AUROC %s   AUPR %s\n", fmtOpt(rep.ImageAUROC, rep.AUROCNote), fmtOpt(rep.AUPR, ""))
	fmt.Fprintf(w, "threshold  %.6g: TP %d FP %d TN %d FN %d, precision %.3f recall %.3f F1 %.3f\n",
		rep.Threshold, rep.Confusion.TP, rep.Confusion.FP, rep.Confusion.TN, rep.Confusion.FN,
		rep.Precision, rep.Recall, rep.F1)
	for _, op := range rep.Operating {
		fmt.Fprintf(w, "  to reject %3.0f%% of these defective images: threshold %.8g, rejects %.0f%% of good images\n",
			100*op.Recall, op.Threshold, 100*op.GoodRejected)
	}
	fmt.Fprintf(w, "pixel AUROC %s\n", fmtOpt(rep.PixelAUROC, rep.PixelNote))
	fmt.Fprintf(w, "mean test MSE %.6g, mean latency %.1f ms per image\n", rep.MeanMSE, rep.MeanMillis)

	kinds := make([]string, 0, len(rep.PerKind))
	for k := range rep.PerKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		r := rep.PerKind[k]
		fmt.Fprintf(w, "  kind %-20s n %3d  AUROC %s  rejected %d\n", k, r.N, fmtOpt(r.AUROC, "undefined"), r.Rejected)
	}
}

// fmtOpt formats a nullable metric, or "undefined (reason)".
func fmtOpt(v *float64, note string) string {
	if v == nil {
		if note == "" {
			return "undefined"
		}
		return "undefined (" + note + ")"
	}
	return strconv.FormatFloat(*v, 'f', 4, 64)
}

// parseWidths parses a comma-separated list of positive channel widths.
func parseWidths(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || v < 1 {
			return nil, fmt.Errorf("%q is not a positive integer", part)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, errors.New("no widths given")
	}
	return out, nil
}
