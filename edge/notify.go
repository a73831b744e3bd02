package edge

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"time"
)

// Notifier sends systemd service notifications (sd_notify protocol) as
// datagrams on the NOTIFY_SOCKET unix socket. A nil *Notifier ignores every
// call, which is what NotifierFromEnv returns outside systemd.
type Notifier struct {
	conn *net.UnixConn
	addr string

	// watchdogEvery is the minimum time between WATCHDOG=1 messages, and 0
	// disables them.
	watchdogEvery time.Duration

	mu           sync.Mutex
	lastWatchdog time.Time
}

// NotifierFromEnv connects to $NOTIFY_SOCKET. It returns nil, nil when the
// variable is unset. WATCHDOG=1 is sent only when $WATCHDOG_USEC is set and
// $WATCHDOG_PID, if set, is this process, at half the WATCHDOG_USEC period
// as systemd recommends.
func NotifierFromEnv() (*Notifier, error) {
	socket := os.Getenv("NOTIFY_SOCKET")
	if socket == "" {
		return nil, nil
	}

	var every time.Duration
	if usec := os.Getenv("WATCHDOG_USEC"); usec != "" {
		n, err := strconv.ParseUint(usec, 10, 63)
		if err != nil || n == 0 {
			return nil, fmt.Errorf("parse WATCHDOG_USEC=%q: must be a positive integer of microseconds, so check WatchdogSec in the unit file", usec)
		}
		every = time.Duration(n) * time.Microsecond / 2
	}
	if pid := os.Getenv("WATCHDOG_PID"); pid != "" && pid != strconv.Itoa(os.Getpid()) {
		every = 0
	}

	return NewNotifier(socket, every)
}

// NewNotifier connects to the notify socket at path ("@name" for an
// abstract socket). watchdogEvery is the minimum time between WATCHDOG=1
// messages, and 0 disables them.
func NewNotifier(path string, watchdogEvery time.Duration) (*Notifier, error) {
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return nil, fmt.Errorf("connect to systemd notify socket %s (unset NOTIFY_SOCKET or set systemd.notify = false when not running under systemd): %w", path, err)
	}
	return &Notifier{conn: conn, addr: path, watchdogEvery: watchdogEvery}, nil
}

// Send sends one notification, such as "READY=1" or "STATUS=running".
func (n *Notifier) Send(state string) error {
	if n == nil {
		return nil
	}
	if _, err := n.conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("send %q to systemd notify socket %s: %w", state, n.addr, err)
	}
	return nil
}

// Ready sends READY=1.
func (n *Notifier) Ready() error { return n.Send("READY=1") }

// Stopping sends STOPPING=1.
func (n *Notifier) Stopping() error { return n.Send("STOPPING=1") }

// Watchdog sends WATCHDOG=1 when at least the watchdog period has passed
// since the last one at time now. It does nothing when the watchdog is off.
func (n *Notifier) Watchdog(now time.Time) error {
	if n == nil || n.watchdogEvery <= 0 {
		return nil
	}

	n.mu.Lock()
	due := n.lastWatchdog.IsZero() || now.Sub(n.lastWatchdog) >= n.watchdogEvery
	if due {
		n.lastWatchdog = now
	}
	n.mu.Unlock()

	if !due {
		return nil
	}
	return n.Send("WATCHDOG=1")
}

// WatchdogEvery returns the minimum time between WATCHDOG=1 messages, 0
// when the watchdog is off.
func (n *Notifier) WatchdogEvery() time.Duration {
	if n == nil {
		return 0
	}
	return n.watchdogEvery
}

// Close closes the socket.
func (n *Notifier) Close() error {
	if n == nil {
		return nil
	}
	return n.conn.Close()
}
