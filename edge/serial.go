package edge

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"go.bug.st/serial"
)

// OpenSerial opens the per-part log output: the serial port at path with
// 8 data bits, no parity and one stop bit, or standard output when path is
// empty. Closing the standard output writer does nothing.
func OpenSerial(path string, baud int) (io.WriteCloser, error) {
	if path == "" {
		return nopCloser{os.Stdout}, nil
	}

	port, err := serial.Open(path, &serial.Mode{BaudRate: baud, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit})
	if err != nil {
		return nil, fmt.Errorf("open serial.port %s at %d baud (check the device path and that the service may open it, for example as a member of the dialout group): %w", path, baud, err)
	}
	return port, nil
}

// nopCloser is a WriteCloser whose Close does nothing.
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// serialTimeLayout is RFC 3339 with milliseconds.
const serialTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// appendPartLine appends the serial log line of p, with its newline, to
// buf. The package doc describes the format.
func appendPartLine(buf []byte, p *Part) []byte {
	buf = p.Time.AppendFormat(buf, serialTimeLayout)

	buf = append(buf, " seq="...)
	if p.Seq == 0 {
		buf = append(buf, '-')
	} else {
		buf = strconv.AppendUint(buf, p.Seq, 10)
	}

	buf = append(buf, " name="...)
	buf = appendName(buf, p.Name, p.Seq == 0)

	buf = append(buf, " score="...)
	buf = appendScore(buf, p.Score, p.Scored)

	buf = append(buf, " threshold="...)
	buf = appendScore(buf, p.Threshold, p.Scored)

	buf = append(buf, " verdict="...)
	buf = append(buf, p.Verdict...)

	buf = append(buf, " latency_ms="...)
	buf = strconv.AppendFloat(buf, float64(p.Latency)/float64(time.Millisecond), 'f', 1, 64)

	if p.Verdict == VerdictFault {
		buf = append(buf, " fault="...)
		buf = append(buf, p.Fault...)
	}
	return append(buf, '\n')
}

// appendName appends a frame name, "-" when there is no frame, and a Go
// quoted string when the name would break the space-separated fields.
func appendName(buf []byte, name string, noFrame bool) []byte {
	switch {
	case noFrame && name == "":
		return append(buf, '-')
	case name == "" || name == "-" || strings.ContainsAny(name, " \t\r\n\"=") || !strconv.CanBackquote(name):
		return strconv.AppendQuote(buf, name)
	}
	return append(buf, name...)
}

// appendScore appends a score with 6 significant digits, or "-" when the
// frame was not scored.
func appendScore(buf []byte, v float64, scored bool) []byte {
	if !scored {
		return append(buf, '-')
	}
	return strconv.AppendFloat(buf, v, 'g', 6, 64)
}
