package edge

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// listenNotify listens on a unixgram socket at path, as systemd does.
func listenNotify(t *testing.T, path string) *net.UnixConn {
	t.Helper()

	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatalf("listen on %s: %v", path, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// readNotify returns the datagrams already queued on conn. Every datagram
// was sent before the call, so the short deadline only ends the read.
func readNotify(t *testing.T, conn *net.UnixConn) []string {
	t.Helper()

	var msgs []string
	buf := make([]byte, 512)
	for {
		if err := conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		n, err := conn.Read(buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return msgs
			}
			t.Fatalf("read notify socket: %v", err)
		}
		msgs = append(msgs, string(buf[:n]))
	}
}

func TestNotifierSends(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "notify.sock")
	conn := listenNotify(t, sock)

	n, err := NewNotifier(sock, time.Second)
	if err != nil {
		t.Fatalf("NewNotifier: %v", err)
	}
	defer n.Close()

	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	calls := []func() error{
		n.Ready,
		func() error { return n.Watchdog(now) },
		func() error { return n.Watchdog(now.Add(500 * time.Millisecond)) },
		func() error { return n.Watchdog(now.Add(time.Second)) },
		func() error { return n.Send("STATUS=inspecting") },
		n.Stopping,
	}
	for i, call := range calls {
		if err := call(); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}

	want := []string{"READY=1", "WATCHDOG=1", "WATCHDOG=1", "STATUS=inspecting", "STOPPING=1"}
	got := readNotify(t, conn)
	if len(got) != len(want) {
		t.Fatalf("messages = %q; want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("message %d = %q; want %q", i, got[i], want[i])
		}
	}
}

func TestNotifierNilIgnoresCalls(t *testing.T) {
	var n *Notifier
	for name, err := range map[string]error{
		"Ready":    n.Ready(),
		"Stopping": n.Stopping(),
		"Watchdog": n.Watchdog(time.Now()),
		"Close":    n.Close(),
	} {
		if err != nil {
			t.Errorf("nil Notifier %s: %v; want nil", name, err)
		}
	}
}

func TestNotifierFromEnv(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "notify.sock")
	listenNotify(t, sock)

	tests := []struct {
		name      string
		socket    string
		usec      string
		pid       string
		wantNil   bool
		wantEvery time.Duration
		wantErr   bool
	}{
		{name: "unset", wantNil: true},
		{name: "no watchdog", socket: sock, wantEvery: 0},
		{name: "watchdog half period", socket: sock, usec: "3000000", wantEvery: 1500 * time.Millisecond},
		{name: "watchdog for this pid", socket: sock, usec: "2000000", pid: strconv.Itoa(os.Getpid()), wantEvery: time.Second},
		{name: "watchdog for another pid", socket: sock, usec: "2000000", pid: "1", wantEvery: 0},
		{name: "bad usec", socket: sock, usec: "ten", wantErr: true},
		{name: "missing socket", socket: filepath.Join(t.TempDir(), "absent.sock"), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("NOTIFY_SOCKET", tt.socket)
			t.Setenv("WATCHDOG_USEC", tt.usec)
			t.Setenv("WATCHDOG_PID", tt.pid)

			n, err := NotifierFromEnv()
			if tt.wantErr {
				if err == nil {
					t.Fatalf("NotifierFromEnv: no error; want one")
				}
				return
			}
			if err != nil {
				t.Fatalf("NotifierFromEnv: %v", err)
			}
			defer n.Close()

			if (n == nil) != tt.wantNil {
				t.Fatalf("NotifierFromEnv returned %v; want nil = %v", n, tt.wantNil)
			}
			if got := n.WatchdogEvery(); got != tt.wantEvery {
				t.Errorf("WatchdogEvery = %v; want %v", got, tt.wantEvery)
			}
		})
	}
}
