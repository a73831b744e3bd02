package metrics

import (
	"errors"
	"math"
	"slices"
	"testing"
)

const (
	T = true
	F = false
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestAUROC(t *testing.T) {
	tests := []struct {
		name   string
		scores []float64
		labels []bool
		want   float64
	}{
		{
			// Positives 0.35, 0.8 against negatives 0.1, 0.4:
			// 0.35 beats 0.1 only, 0.8 beats both -> 3 of 4 pairs.
			name:   "mixed",
			scores: []float64{0.1, 0.4, 0.35, 0.8},
			labels: []bool{F, F, T, T},
			want:   0.75,
		},
		{
			// Positives 0.5, 0.9 against negatives 0.5, 0.2:
			// 0.5 ties 0.5 (1/2) and beats 0.2, 0.9 beats both -> 3.5 / 4.
			name:   "tie across classes",
			scores: []float64{0.5, 0.5, 0.2, 0.9},
			labels: []bool{T, F, F, T},
			want:   0.875,
		},
		{
			// Every pair is a tie.
			name:   "all tied",
			scores: []float64{0.3, 0.3, 0.3},
			labels: []bool{T, F, F},
			want:   0.5,
		},
		{
			name:   "perfect",
			scores: []float64{0.1, 0.2, 0.8, 0.9},
			labels: []bool{F, F, T, T},
			want:   1,
		},
		{
			name:   "inverted",
			scores: []float64{0.1, 0.2, 0.8, 0.9},
			labels: []bool{T, T, F, F},
			want:   0,
		},
		{
			name:   "infinite scores",
			scores: []float64{math.Inf(-1), math.Inf(1)},
			labels: []bool{F, T},
			want:   1,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AUROC(tt.scores, tt.labels)
			if err != nil {
				t.Fatal(err)
			}
			if !near(got, tt.want) {
				t.Errorf("AUROC = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAUPR(t *testing.T) {
	tests := []struct {
		name   string
		scores []float64
		labels []bool
		want   float64
	}{
		{
			// Descending: 0.8 T (P=1, R=1/2), 0.4 F (P=1/2, R=1/2),
			// 0.35 T (P=2/3, R=1), 0.1 F. AP = 1/2*1 + 1/2*2/3 = 5/6.
			name:   "mixed",
			scores: []float64{0.1, 0.4, 0.35, 0.8},
			labels: []bool{F, F, T, T},
			want:   5.0 / 6,
		},
		{
			// 0.9 T (P=1, R=1/2); the 0.5 group {T, F} is one threshold
			// (P=2/3, R=1); 0.2 F adds no recall. AP = 1/2 + 1/2*2/3 = 5/6.
			name:   "tie group",
			scores: []float64{0.5, 0.5, 0.2, 0.9},
			labels: []bool{T, F, F, T},
			want:   5.0 / 6,
		},
		{
			// The 0.9 group {F, T}: P=1/2, R=1/2. Then 0.1 T: P=2/3, R=1.
			// AP = 1/2*1/2 + 1/2*2/3 = 7/12.
			name:   "tie at the top",
			scores: []float64{0.9, 0.9, 0.1},
			labels: []bool{F, T, T},
			want:   7.0 / 12,
		},
		{
			// One threshold with P = 1/3 and R = 1.
			name:   "all tied",
			scores: []float64{0.3, 0.3, 0.3},
			labels: []bool{T, F, F},
			want:   1.0 / 3,
		},
		{
			name:   "perfect",
			scores: []float64{0.1, 0.2, 0.8, 0.9},
			labels: []bool{F, F, T, T},
			want:   1,
		},
		{
			// Descending: 0.4 F, 0.3 F, 0.2 T (P=1/3, R=1/2), 0.1 T
			// (P=1/2, R=1). AP = 1/2*1/3 + 1/2*1/2 = 5/12.
			name:   "inverted",
			scores: []float64{0.1, 0.2, 0.3, 0.4},
			labels: []bool{T, T, F, F},
			want:   5.0 / 12,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AUPR(tt.scores, tt.labels)
			if err != nil {
				t.Fatal(err)
			}
			if !near(got, tt.want) {
				t.Errorf("AUPR = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRankingErrors(t *testing.T) {
	tests := []struct {
		name   string
		scores []float64
		labels []bool
		want   error // nil: any error
	}{
		{"all defective", []float64{0.1, 0.2}, []bool{T, T}, ErrOneClass},
		{"all good", []float64{0.1, 0.2}, []bool{F, F}, ErrOneClass},
		{"empty", nil, nil, ErrOneClass},
		{"NaN score", []float64{0.1, math.NaN(), 0.3}, []bool{F, T, T}, ErrNaN},
		{"length mismatch", []float64{0.1, 0.2}, []bool{F}, nil},
	}

	metrics := map[string]func([]float64, []bool) (float64, error){"AUROC": AUROC, "AUPR": AUPR}
	for _, tt := range tests {
		for name, metric := range metrics {
			t.Run(name+" "+tt.name, func(t *testing.T) {
				_, err := metric(tt.scores, tt.labels)
				if err == nil {
					t.Fatal("no error")
				}
				if tt.want != nil && !errors.Is(err, tt.want) {
					t.Errorf("error %v, want %v", err, tt.want)
				}
			})
		}
	}
}

func TestConfuse(t *testing.T) {
	// Threshold 0.6, "> threshold" is defective: only 0.9 is predicted
	// defective (0.6 itself is not).
	//   0.2 F -> TN, 0.6 T -> FN, 0.6 F -> TN, 0.9 T -> TP, 0.1 T -> FN.
	c := Confuse([]float64{0.2, 0.6, 0.6, 0.9, 0.1}, []bool{F, T, F, T, T}, 0.6)
	want := Confusion{TP: 1, FP: 0, TN: 2, FN: 2}
	if c != want {
		t.Fatalf("Confuse = %+v, want %+v", c, want)
	}

	// Precision 1/1, recall 1/3, F1 = 2*1/(2*1+0+2) = 1/2, accuracy 3/5.
	checks := []struct {
		name      string
		got, want float64
	}{
		{"precision", c.Precision(), 1},
		{"recall", c.Recall(), 1.0 / 3},
		{"F1", c.F1(), 0.5},
		{"accuracy", c.Accuracy(), 0.6},
	}
	for _, ch := range checks {
		if !near(ch.got, ch.want) {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestConfuseNaNIsPredictedGood(t *testing.T) {
	c := Confuse([]float64{math.NaN(), math.NaN()}, []bool{T, F}, 0.5)
	if want := (Confusion{FN: 1, TN: 1}); c != want {
		t.Errorf("Confuse = %+v, want %+v", c, want)
	}
}

func TestConfusionZeroDivision(t *testing.T) {
	tests := []struct {
		name                         string
		c                            Confusion
		precision, recall, f1, accur float64
	}{
		// Nothing predicted defective: precision 0/0 -> 0.
		{"no predicted defective", Confusion{FN: 2, TN: 1}, 0, 0, 0, 1.0 / 3},
		// No defective samples: recall 0/0 -> 0, F1 = 0/(0+1+0) = 0.
		{"no defective samples", Confusion{FP: 1, TN: 3}, 0, 0, 0, 0.75},
		// Only true negatives: F1 is 0/0 -> 0, accuracy 1.
		{"only true negatives", Confusion{TN: 4}, 0, 0, 0, 1},
		{"empty", Confusion{}, 0, 0, 0, 0},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Precision(); got != tt.precision {
				t.Errorf("precision = %v, want %v", got, tt.precision)
			}
			if got := tt.c.Recall(); got != tt.recall {
				t.Errorf("recall = %v, want %v", got, tt.recall)
			}
			if got := tt.c.F1(); got != tt.f1 {
				t.Errorf("F1 = %v, want %v", got, tt.f1)
			}
			if got := tt.c.Accuracy(); !near(got, tt.accur) {
				t.Errorf("accuracy = %v, want %v", got, tt.accur)
			}
		})
	}
}

func TestSpearman(t *testing.T) {
	tests := []struct {
		name string
		a, b []float64
		want float64
	}{
		{
			// Ranks of b: 5->1, 6->2, the two 7s share (3+4)/2 = 3.5, 8->5.
			// Deviations from the mean rank 3: a (-2,-1,0,1,2),
			// b (-2,-1,0.5,2,0.5). Sum of products 8, sums of squares 10
			// and 9.5, so rho = 8 / sqrt(95).
			name: "tie in b",
			a:    []float64{1, 2, 3, 4, 5},
			b:    []float64{5, 6, 7, 8, 7},
			want: 8 / math.Sqrt(95),
		},
		{
			name: "monotone but not linear",
			a:    []float64{1, 2, 3},
			b:    []float64{1, 10, 100},
			want: 1,
		},
		{
			name: "reversed",
			a:    []float64{0.1, 0.5, 0.9, 2},
			b:    []float64{4, 3, 2, 1},
			want: -1,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Spearman(tt.a, tt.b)
			if err != nil {
				t.Fatal(err)
			}
			if !near(got, tt.want) {
				t.Errorf("Spearman = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSpearmanErrors(t *testing.T) {
	tests := []struct {
		name string
		a, b []float64
		want error // nil: any error
	}{
		{"length mismatch", []float64{1, 2}, []float64{1}, nil},
		{"one pair", []float64{1}, []float64{2}, nil},
		{"constant", []float64{1, 2, 3}, []float64{5, 5, 5}, nil},
		{"NaN in a", []float64{1, math.NaN()}, []float64{1, 2}, ErrNaN},
		{"NaN in b", []float64{1, 2}, []float64{math.NaN(), 2}, ErrNaN},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Spearman(tt.a, tt.b)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestQuantile(t *testing.T) {
	// Sorted: 1 2 3 4, h = 3q.
	values := []float64{4, 1, 3, 2}
	tests := []struct {
		q, want float64
	}{
		{0, 1},
		{0.25, 1.75}, // h = 0.75: 1 + 0.75*(2-1)
		{0.5, 2.5},   // h = 1.5
		{0.9, 3.7},   // h = 2.7: 3 + 0.7*(4-3)
		{1, 4},
	}
	for _, tt := range tests {
		if got := Quantile(values, tt.q); !near(got, tt.want) {
			t.Errorf("Quantile(q=%v) = %v, want %v", tt.q, got, tt.want)
		}
	}

	if !slices.Equal(values, []float64{4, 1, 3, 2}) {
		t.Errorf("Quantile reordered its input to %v", values)
	}
	if got := Quantile([]float64{7}, 0.3); got != 7 {
		t.Errorf("Quantile of one value = %v, want 7", got)
	}
}

func TestQuantileNaN(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
		q      float64
	}{
		{"empty", nil, 0.5},
		{"q below 0", []float64{1, 2}, -0.1},
		{"q above 1", []float64{1, 2}, 1.1},
		{"q NaN", []float64{1, 2}, math.NaN()},
		{"NaN value", []float64{1, math.NaN()}, 0.5},
	}
	for _, tt := range tests {
		if got := Quantile(tt.values, tt.q); !math.IsNaN(got) {
			t.Errorf("%s: Quantile = %v, want NaN", tt.name, got)
		}
	}
}
