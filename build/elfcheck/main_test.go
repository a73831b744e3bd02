package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// otherArch returns a release GOARCH that differs from the one running the
// test.
func otherArch() string {
	if runtime.GOARCH == "arm64" {
		return "amd64"
	}
	return "arm64"
}

func TestCheckFile(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs ELF executables: the test binary and /bin/sh of a Linux system")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	text := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(text, []byte("not an executable\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		path    string
		arch    string
		wantErr string // "" means the file passes
	}{
		{"test binary any arch", self, "", ""},
		{"test binary own arch", self, runtime.GOARCH, ""},
		{"test binary wrong arch", self, otherArch(), "built for"},
		{"text file", text, "", "not a readable ELF file"},
		{"missing file", filepath.Join(t.TempDir(), "absent"), "", "not a readable ELF file"},
		{"dynamic shell", "/bin/sh", "", "PT_INTERP"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.path == self && tt.wantErr == "" && hasInterp(t, self) {
				t.Skip("the test binary itself is dynamically linked (a -race or cgo build)")
			}
			if tt.path == "/bin/sh" {
				if _, err := os.Stat(tt.path); err != nil {
					t.Skip("no /bin/sh on this system")
				}
			}

			_, err := checkFile(tt.path, tt.arch)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("checkFile(%s, %q) = %v, want no error", tt.path, tt.arch, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("checkFile(%s, %q) = %v, want an error containing %q", tt.path, tt.arch, err, tt.wantErr)
			}
		})
	}
}

func TestCheckFilesReportsEachFile(t *testing.T) {
	text := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(text, []byte("not an executable\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if checkFiles(&out, []string{text, text}, "") {
		t.Fatal("checkFiles passed two text files")
	}
	if got := strings.Count(out.String(), "FAIL "); got != 2 {
		t.Errorf("output has %d FAIL lines, want 2:\n%s", got, out.String())
	}
}

// hasInterp reports whether the ELF file at path requests a dynamic loader.
func hasInterp(t *testing.T, path string) bool {
	t.Helper()
	_, err := checkFile(path, "")
	return err != nil && strings.Contains(err.Error(), "PT_INTERP")
}
