package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func ptr(v float64) *float64 { return &v }

func TestCompareScores(t *testing.T) {
	tests := []struct {
		name    string
		want    *float64
		got     *float64
		rel     float64
		wantErr string // "" means the scores match
	}{
		{"equal exact", ptr(0.125), ptr(0.125), 0, ""},
		{"last bit differs exact", ptr(0.1), ptr(0.10000000000000002), 0, "bit-identical"},
		{"within tolerance", ptr(1), ptr(1 + 5e-6), 1e-5, ""},
		{"outside tolerance", ptr(1), ptr(1 + 2e-5), 1e-5, "relative tolerance"},
		{"both faults", nil, nil, 0, ""},
		{"fault expected", nil, ptr(0.5), 1e-5, "want null"},
		{"fault got", ptr(0.5), nil, 1e-5, "score null"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := compareScores(tt.want, tt.got, tt.rel)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("compareScores = %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("compareScores = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestCompareReports(t *testing.T) {
	ref := report{Format: "int8", Images: []imageRow{
		{Path: "test/good/000.png", Kind: "good", Score: ptr(0.1)},
		{Path: "test/defective/000.png", Kind: "defective", Defective: true, Score: ptr(0.3), Rejected: true},
	}}

	tests := []struct {
		name   string
		edit   func(r *report)
		want   int    // number of mismatches
		substr string // text of the first mismatch
	}{
		{"identical", func(r *report) {}, 0, ""},
		{"format", func(r *report) { r.Format = "float32" }, 1, "model format"},
		{"image count", func(r *report) { r.Images = r.Images[:1] }, 1, "1 images, want 2"},
		{"image order", func(r *report) { r.Images[0], r.Images[1] = r.Images[1], r.Images[0] }, 2, "image 0 is"},
		{"verdict", func(r *report) { r.Images[1].Rejected = false }, 1, "rejected = false"},
		{"fault", func(r *report) { r.Images[0].Fault, r.Images[0].Score = "no_part", nil }, 2, "score null"},
		{"score", func(r *report) { r.Images[0].Score = ptr(0.2) }, 1, "bit-identical"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			other := report{Format: ref.Format, Images: append([]imageRow(nil), ref.Images...)}
			tt.edit(&other)

			_, mismatches := compare(ref, other, 0)
			if len(mismatches) != tt.want {
				t.Fatalf("got %d mismatches %q, want %d", len(mismatches), mismatches, tt.want)
			}
			if tt.want > 0 && !strings.Contains(mismatches[0], tt.substr) {
				t.Errorf("first mismatch %q does not contain %q", mismatches[0], tt.substr)
			}
		})
	}
}

func TestCompareFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	ref := write("amd64.json", `{"format":"float32","mean_latency_ms":3,"images":[{"path":"a.png","kind":"good","defective":false,"score":0.5,"rejected":false}]}`)
	near := write("arm64.json", `{"format":"float32","mean_latency_ms":90,"images":[{"path":"a.png","kind":"good","defective":false,"score":0.5000001,"rejected":false}]}`)
	empty := write("empty.json", `{"format":"float32","images":[]}`)

	var out bytes.Buffer
	ok, err := compareFiles(&out, ref, []string{near}, 1e-5)
	if err != nil || !ok {
		t.Fatalf("compareFiles within tolerance = %t, %v, want true, nil; output:\n%s", ok, err, out.String())
	}

	out.Reset()
	ok, err = compareFiles(&out, ref, []string{near}, 0)
	if err != nil || ok {
		t.Fatalf("compareFiles exact = %t, %v, want false, nil; output:\n%s", ok, err, out.String())
	}
	if !strings.HasPrefix(out.String(), "FAIL ") {
		t.Errorf("output %q does not start with FAIL", out.String())
	}

	if _, err := compareFiles(&out, ref, []string{empty}, 0); err == nil || !strings.Contains(err.Error(), "no \"images\"") {
		t.Errorf("compareFiles on an empty report = %v, want an error about missing images", err)
	}
}
