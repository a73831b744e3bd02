// Package modelfile reads and writes the versioned binary container that
// holds a model: opaque metadata bytes (package models stores its
// architecture, preprocessing and score settings there as JSON) and a list
// of named tensors.
//
// # Layout
//
// All integers are little-endian.
//
//	magic        8 bytes  "EDGEAE\x00M"
//	version      uint32   format version, currently 1
//	file size    uint64   total size in bytes, checksum included
//	meta length  uint32
//	meta         bytes
//	tensor count uint32
//	per tensor:
//	  name length uint16, name (UTF-8, 1 to MaxNameLen bytes, unique)
//	  dtype       uint8 (1 float32, 2 int8, 3 int32)
//	  rank        uint8 (at most MaxRank)
//	  dims        rank x uint64
//	  data        product(dims) elements (IEEE 754 bits for float32)
//	checksum     32 bytes SHA-256 of every byte before it
//
// The file size field lets a reader report a truncated file as "N of M
// bytes" before checking anything else. Decoding checks the magic, the
// version, the size and the checksum, in that order. It then checks every
// length against the bytes that remain before allocating, so a damaged or
// hostile file returns an error, and the decoded tensors never need more
// memory than the file itself. The fuzz target FuzzDecode checks that no
// input panics. The encoding is canonical: decoding a valid file and
// encoding the result gives the same bytes.
//
// Write goes through a temporary file in the target folder that is synced
// and then renamed over the target, so a crash or a failed write never
// leaves a partial model at the path.
package modelfile
