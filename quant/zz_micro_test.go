package quant
import "testing"
func BenchmarkZZRequant(b *testing.B) {
	acc := make([]int32, 12544); dst := make([]int8, len(acc))
	for i := range acc { acc[i] = int32(i*37%5000 - 2500) }
	for b.Loop() { requantizeRow(dst, acc, 5, 1<<30+12345, 9, -128, -128) }
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(acc)), "ns/value")
}
func BenchmarkZZIm2col(b *testing.B) {
	for _, c := range []int{1, 16, 32} {
		h, w := 224/ (map[int]int{1:1,16:2,32:4}[c]), 224/(map[int]int{1:1,16:2,32:4}[c])
		src := make([]int8, c*h*w); rowLen := (c*9+15)/16*16
		rows := 8
		dst := make([]int8, rows*w*rowLen)
		b.Run("", func(b *testing.B) {
			for b.Loop() { im2colRows(dst, src, c, h, w, rowLen, 0, 8, 8+rows) }
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(dst)), "ns/byte")
		})
	}
}
