package version

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	tests := []struct {
		name       string
		info       Info
		settings   []debug.BuildSetting
		wantCommit string
		wantARM    string
	}{
		{
			name:       "linker commit wins",
			info:       Info{Commit: "fromldflags", Arch: "amd64"},
			settings:   []debug.BuildSetting{{Key: "vcs.revision", Value: "fromgit"}},
			wantCommit: "fromldflags",
		},
		{
			name:       "clean vcs revision",
			info:       Info{Arch: "arm64"},
			settings:   []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "false"}},
			wantCommit: "abc",
		},
		{
			name:       "modified vcs revision",
			info:       Info{Arch: "arm64"},
			settings:   []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "true"}},
			wantCommit: "abc-dirty",
		},
		{
			name:     "GOARM on arm",
			info:     Info{Arch: "arm"},
			settings: []debug.BuildSetting{{Key: "GOARM", Value: "7"}},
			wantARM:  "7",
		},
		{
			name:     "GOARM ignored off arm",
			info:     Info{Arch: "amd64"},
			settings: []debug.BuildSetting{{Key: "GOARM", Value: "7"}},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fromBuildInfo(tt.info, tt.settings)
			if got.Commit != tt.wantCommit {
				t.Errorf("Commit = %q, want %q", got.Commit, tt.wantCommit)
			}
			if got.ARM != tt.wantARM {
				t.Errorf("ARM = %q, want %q", got.ARM, tt.wantARM)
			}
		})
	}
}

func TestGetFillsEveryField(t *testing.T) {
	info := Get()
	if info.Version == "" {
		t.Error("Version is empty")
	}
	if info.Commit == "" {
		t.Error("Commit is empty")
	}
	if info.GoVersion != runtime.Version() {
		t.Errorf("GoVersion = %q, want %q", info.GoVersion, runtime.Version())
	}
	if info.OS != runtime.GOOS || info.Arch != runtime.GOARCH {
		t.Errorf("platform = %s/%s, want %s/%s", info.OS, info.Arch, runtime.GOOS, runtime.GOARCH)
	}
}

func TestPlatform(t *testing.T) {
	tests := []struct {
		info Info
		want string
	}{
		{Info{OS: "linux", Arch: "arm64"}, "linux/arm64"},
		{Info{OS: "linux", Arch: "arm", ARM: "7"}, "linux/arm (GOARM=7)"},
		{Info{OS: "linux", Arch: "amd64"}, "linux/amd64"},
	}
	for _, tt := range tests {
		if got := tt.info.Platform(); got != tt.want {
			t.Errorf("Platform() = %q, want %q", got, tt.want)
		}
	}
}
