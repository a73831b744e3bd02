package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"edgeae/internal/version"
)

func TestPrintVersionFields(t *testing.T) {
	tests := []struct {
		name   string
		info   version.Info
		kernel string
		want   []string
	}{
		{
			name:   "stamped arm64",
			info:   version.Info{Version: "v1.2.0", Commit: "0123abcd", GoVersion: "go1.26.8", OS: "linux", Arch: "arm64"},
			kernel: "arm64-sdot",
			want: []string{
				"edgeae v1.2.0",
				"commit: 0123abcd",
				"go: go1.26.8",
				"platform: linux/arm64",
				"int8 kernels: arm64-sdot",
			},
		},
		{
			name:   "unstamped arm",
			info:   version.Info{Version: "dev", Commit: version.Unknown, GoVersion: "go1.26.8", OS: "linux", Arch: "arm", ARM: "7"},
			kernel: "generic",
			want: []string{
				"edgeae dev",
				"commit: unknown",
				"go: go1.26.8",
				"platform: linux/arm (GOARM=7)",
				"int8 kernels: generic",
			},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := printVersion(&buf, tt.info, tt.kernel); err != nil {
				t.Fatal(err)
			}

			lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(tt.want), buf.String())
			}
			for i, want := range tt.want {
				if lines[i] != want {
					t.Errorf("line %d = %q, want %q", i+1, lines[i], want)
				}
			}
		})
	}
}

func TestVersionRejectsArguments(t *testing.T) {
	err := runVersion(context.Background(), []string{"extra"})
	if !errors.Is(err, errUsage) {
		t.Fatalf("runVersion(extra) = %v, want an error wrapping errUsage", err)
	}
}

func TestVersionRegistered(t *testing.T) {
	cmd, ok := commands["version"]
	if !ok {
		t.Fatal(`no "version" subcommand registered`)
	}
	if cmd.summary == "" {
		t.Error("version subcommand has an empty summary")
	}
}
