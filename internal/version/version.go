// Package version reports which build of edgeae is running: the release
// version and commit that build/build.sh stamps in with the linker, and the
// Go toolchain and target that the runtime reports.
package version

import (
	"runtime"
	"runtime/debug"
)

// Version and Commit are set at link time by build/build.sh:
//
//	go build -ldflags "-X edgeae/internal/version.Version=v1.2.0 -X edgeae/internal/version.Commit=<sha>"
//
// A plain go build leaves Version at "dev". Commit then falls back to the
// revision that the go command records from git (see Get).
var (
	Version = "dev"
	Commit  = ""
)

// Unknown is shown for a field that the build did not record.
const Unknown = "unknown"

// Info describes one build of the binary.
type Info struct {
	Version   string // release version, such as v1.2.0-3-gabc1234-dirty, or "dev"
	Commit    string // full git commit hash, or "unknown"
	GoVersion string // Go toolchain that built the binary, such as go1.26.8
	OS        string // GOOS
	Arch      string // GOARCH
	ARM       string // GOARM level ("7") for GOARCH=arm, else ""
}

// Get returns the build information of the running binary. Commit comes
// from the linker flag, or else from the vcs.revision that the go command
// stores when it builds inside a git work tree.
func Get() Info {
	info := Info{
		Version:   Version,
		Commit:    Commit,
		GoVersion: runtime.Version(),
		OS:        runtime.GOOS,
		Arch:      runtime.GOARCH,
	}

	if bi, ok := debug.ReadBuildInfo(); ok {
		info = fromBuildInfo(info, bi.Settings)
	}
	if info.Version == "" {
		info.Version = "dev"
	}
	if info.Commit == "" {
		info.Commit = Unknown
	}
	return info
}

// fromBuildInfo fills the commit (when the linker flag left it empty) and
// the GOARM level from the build settings that the go command records.
func fromBuildInfo(info Info, settings []debug.BuildSetting) Info {
	var revision string
	var modified bool
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		case "GOARM":
			if info.Arch == "arm" {
				info.ARM = s.Value
			}
		}
	}

	if info.Commit == "" && revision != "" {
		info.Commit = revision
		if modified {
			info.Commit += "-dirty"
		}
	}
	return info
}

// Platform returns GOOS/GOARCH, with the GOARM level for 32-bit ARM, such
// as "linux/arm64" or "linux/arm (GOARM=7)".
func (i Info) Platform() string {
	p := i.OS + "/" + i.Arch
	if i.ARM != "" {
		p += " (GOARM=" + i.ARM + ")"
	}
	return p
}
