package v4l2

import (
	"errors"
	"fmt"
)

// JPEG marker codes (ITU-T T.81 Table B.1) used when scanning a frame.
const (
	markerSOI = 0xD8 // start of image
	markerEOI = 0xD9 // end of image
	markerSOS = 0xDA // start of scan
	markerDHT = 0xC4 // define Huffman tables
	markerTEM = 0x01 // temporary private use, no length field
	markerRST = 0xD0 // first of RST0..RST7, no length field
)

// huffmanTable is one Huffman table specification as a DHT segment stores
// it: the number of codes of each length 1..16 and the symbol values in
// code order.
type huffmanTable struct {
	class  byte // 0 for DC, 1 for AC
	id     byte // destination identifier, 0 for luminance, 1 for chrominance
	counts [16]byte
	values []byte
}

// standardHuffmanTables are the example tables of ITU-T T.81 Annex K.3
// (Tables K.3 to K.6), which UVC cameras assume when a frame has no DHT
// segment.
var standardHuffmanTables = []huffmanTable{
	{
		// Table K.3: luminance DC differences.
		class:  0,
		id:     0,
		counts: [16]byte{0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0},
		values: []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
	},
	{
		// Table K.5: luminance AC coefficients.
		class:  1,
		id:     0,
		counts: [16]byte{0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d},
		values: []byte{
			0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12,
			0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
			0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08,
			0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
			0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16,
			0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
			0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39,
			0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
			0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59,
			0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
			0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79,
			0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
			0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98,
			0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
			0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6,
			0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
			0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4,
			0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
			0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea,
			0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
			0xf9, 0xfa,
		},
	},
	{
		// Table K.4: chrominance DC differences.
		class:  0,
		id:     1,
		counts: [16]byte{0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0},
		values: []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
	},
	{
		// Table K.6: chrominance AC coefficients.
		class:  1,
		id:     1,
		counts: [16]byte{0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77},
		values: []byte{
			0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21,
			0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
			0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91,
			0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
			0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34,
			0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
			0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38,
			0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
			0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58,
			0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
			0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78,
			0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
			0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96,
			0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
			0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4,
			0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
			0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2,
			0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
			0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9,
			0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
			0xf9, 0xfa,
		},
	},
}

// standardDHT is one DHT segment, marker included, that defines all four
// standard tables.
var standardDHT = buildDHT(standardHuffmanTables)

// buildDHT encodes the tables as a single DHT segment (ITU-T T.81 B.2.4.2).
func buildDHT(tables []huffmanTable) []byte {
	length := 2
	for _, t := range tables {
		length += 1 + len(t.counts) + len(t.values)
	}

	segment := []byte{0xFF, markerDHT, byte(length >> 8), byte(length)}
	for _, t := range tables {
		segment = append(segment, t.class<<4|t.id)
		segment = append(segment, t.counts[:]...)
		segment = append(segment, t.values...)
	}
	return segment
}

// errNotJPEG reports data that does not start with a JPEG SOI marker.
var errNotJPEG = errors.New("not a JPEG image: missing SOI marker")

// InsertHuffmanTables returns the JPEG image in frame with the standard
// Huffman tables of ITU-T T.81 Annex K.3 inserted just before the first
// start-of-scan (SOS) segment, unless a DHT segment already comes before
// it. A frame that already defines tables is returned as is (the same
// slice). Otherwise the result is a new slice and frame is not modified.
//
// It returns an error when frame does not start with an SOI marker, when a
// segment runs past the end of frame, or when frame ends or has an EOI
// marker before any SOS segment. Only the headers are checked: the
// entropy-coded data after SOS is not read.
func InsertHuffmanTables(frame []byte) ([]byte, error) {
	sos, hasDHT, err := findFirstScan(frame)
	if err != nil {
		return nil, err
	}

	if hasDHT {
		return frame, nil
	}

	out := make([]byte, 0, len(frame)+len(standardDHT))
	out = append(out, frame[:sos]...)
	out = append(out, standardDHT...)
	out = append(out, frame[sos:]...)
	return out, nil
}

// findFirstScan walks the marker segments of a JPEG image and returns the
// offset of the 0xFF byte that starts the first SOS marker, and whether a
// DHT segment comes before it.
func findFirstScan(frame []byte) (sos int, hasDHT bool, err error) {
	if len(frame) < 2 || frame[0] != 0xFF || frame[1] != markerSOI {
		return 0, false, errNotJPEG
	}

	pos := 2
	for {
		if pos >= len(frame) {
			return 0, false, fmt.Errorf("JPEG headers truncated at byte %d: no SOS segment", pos)
		}
		if frame[pos] != 0xFF {
			return 0, false, fmt.Errorf("JPEG headers invalid: byte %d is 0x%02X, expected a marker", pos, frame[pos])
		}

		// A marker may be preceded by any number of 0xFF fill bytes.
		start := pos
		for pos < len(frame) && frame[pos] == 0xFF {
			start = pos
			pos++
		}
		if pos >= len(frame) {
			return 0, false, fmt.Errorf("JPEG headers truncated at byte %d: no SOS segment", pos)
		}

		marker := frame[pos]
		pos++

		switch {
		case marker == markerSOS:
			return start, hasDHT, nil
		case marker == markerEOI:
			return 0, false, fmt.Errorf("JPEG image ends at byte %d before any SOS segment", start)
		case marker == 0x00:
			return 0, false, fmt.Errorf("JPEG headers invalid: stuffed byte at %d outside entropy-coded data", start)
		case marker == markerSOI, marker == markerTEM, marker >= markerRST && marker <= markerRST+7:
			// Markers without a length field.
			continue
		case marker == markerDHT:
			hasDHT = true
		}

		if pos+2 > len(frame) {
			return 0, false, fmt.Errorf("JPEG segment 0x%02X at byte %d truncated: no length field", marker, start)
		}
		length := int(frame[pos])<<8 | int(frame[pos+1])
		if length < 2 {
			return 0, false, fmt.Errorf("JPEG segment 0x%02X at byte %d has invalid length %d", marker, start, length)
		}
		if pos+length > len(frame) {
			return 0, false, fmt.Errorf("JPEG segment 0x%02X at byte %d truncated: length %d, %d bytes left", marker, start, length, len(frame)-pos)
		}
		pos += length
	}
}
