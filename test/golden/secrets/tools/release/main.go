// Command release builds the plugin for each platform Vault runs plugins on
// and writes what an operator installs, laid out as HashiCorp's own releases:
// <binary>_<version>_<os>_<arch>.zip and <binary>_<version>_SHA256SUMS. The
// same commit built with the same Go version gives the same bytes in any
// folder on any machine, so anyone can check a release by rebuilding it.
//
//	go run ./tools/release [-out dist] [-platform linux/amd64,...] [-allow-dirty] [-tag vX.Y.Z] [-sign KEY] [-json]
//
// A scanner can come between building and writing: -stage DIR builds the
// binaries into DIR and stops; -from DIR then releases those same binaries.
//
// Each zip comes with its SBOM (<zip name>.cdx.json, CycloneDX), and with
// -sign the SHA256SUMS file, which lists both, gets a detached OpenPGP
// signature (_SHA256SUMS.sig) made by gpg.
//
// It needs Go alone, git to tell whether the work tree is a commit, and gpg
// to sign. project.go reads the plugin's description in .vaultkit.json (the
// file vaultkit reads too), build.go builds and packs each platform, sbom.go
// writes the SBOMs, sign.go signs, report.go prints progress.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
)

var (
	defaultPlatforms = []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64"}
	// Where Vault runs plugins, and what Go builds without cgo.
	supportedPlatforms = []string{"darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64", "windows/amd64", "windows/arm64"}
	// Every entry gets this time, so a zip does not depend on when it was made.
	zipTime = time.Date(1980, time.January, 1, 0, 0, 0, 0, time.UTC)
	// https://semver.org, without the "v" (Vault's RunningVersion adds it).
	semver = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)?(\+[0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*)?$`)
)

type options struct {
	project, out, tag, sign, stage, from string
	platforms, allowedVulns              []string
	allowDirty, check, json              bool
}

// userError is a problem the user can fix: what went wrong, and what to do.
type userError struct{ message, hint, output string }

func (e *userError) Error() string { return e.message + ": " + e.hint }

type platformResult struct {
	Platform  string `json:"platform"`
	Zip       string `json:"zip"`
	ZipSHA256 string `json:"zipSha256"`
	Binary    string `json:"binary"`
	SHA256    string `json:"sha256"`
	// Sbom is the file name of the binary's CycloneDX SBOM.
	Sbom    string  `json:"sbom"`
	Seconds float64 `json:"seconds"`
	// Path is where a -stage run left the binary.
	Path     string `json:"path,omitempty"`
	zipPath  string
	sbomPath string
}

type result struct {
	Binary  string `json:"binary"`
	Version string `json:"version"`
	Out     string `json:"out"`
	Sums    string `json:"sums"`
	// Signature is the detached signature of Sums; empty when not signed.
	Signature string           `json:"signature,omitempty"`
	Dirty     bool             `json:"dirty"`
	Platforms []platformResult `json:"platforms"`
	// Staged says, in -check's answer, that this program takes -stage and -from.
	Staged  bool    `json:"staged,omitempty"`
	Seconds float64 `json:"seconds"`
}

func main() {
	o := options{}
	flag.StringVar(&o.project, "project", ".", "plugin project folder")
	flag.StringVar(&o.out, "out", "dist", "folder for the zips and the SHA256SUMS file")
	flag.Func("platform", "OS/ARCH to build, repeatable or comma-separated (default "+strings.Join(defaultPlatforms, ",")+")", func(value string) error {
		for _, p := range strings.Split(value, ",") {
			if p = strings.TrimSpace(p); p != "" {
				o.platforms = append(o.platforms, p)
			}
		}
		return nil
	})
	flag.BoolVar(&o.allowDirty, "allow-dirty", false, "release a work tree with uncommitted changes (the release is then not of a commit)")
	flag.StringVar(&o.tag, "tag", "", "refuse unless this tag (vX.Y.Z) names the version the project describes")
	flag.StringVar(&o.sign, "sign", "", "sign SHA256SUMS with this gpg key (id, fingerprint or email)")
	flag.Func("allowed-vuln", "record an advisory the release was let through with, ID=MODULE (repeatable)", func(value string) error {
		o.allowedVulns = append(o.allowedVulns, value)
		return nil
	})
	flag.BoolVar(&o.check, "check", false, "only check (project, version, platforms, work tree, -out, signing key), then exit: nothing is built")
	flag.StringVar(&o.stage, "stage", "", "only build the binaries, into this folder, then exit: nothing is written to -out (a scanner reads them, then -from releases them)")
	flag.StringVar(&o.from, "from", "", "release the binaries a -stage run left in this folder instead of building them")
	flag.BoolVar(&o.json, "json", false, "print progress and the result as JSON lines")
	flag.Parse()
	if len(o.platforms) == 0 {
		o.platforms = defaultPlatforms
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	r := &reporter{json: o.json}
	res, err := release(ctx, o, r)
	cancelled := ctx.Err() != nil
	stop()
	switch {
	case err != nil && cancelled:
		r.fail(&userError{message: "Cancelled", hint: "nothing was written"})
		os.Exit(130)
	case err != nil:
		r.fail(err)
		os.Exit(1)
	}
	r.done(res)
}

func release(ctx context.Context, o options, r *reporter) (*result, error) {
	started := time.Now()
	p, err := readProject(o.project)
	if err != nil {
		return nil, err
	}
	platforms, err := checkPlatforms(o.platforms)
	if err != nil {
		return nil, err
	}
	if o.tag != "" && strings.TrimPrefix(o.tag, "v") != p.version {
		return nil, &userError{message: fmt.Sprintf("tag %s does not name version %s of %s", o.tag, p.version, p.versionFrom), hint: "tag the commit that sets that version"}
	}
	out, err := filepath.Abs(o.out)
	if err != nil {
		return nil, err
	}
	if rel, err := filepath.Rel(p.pluginDir, out); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, &userError{message: out + " is inside the plugin directory " + p.pluginDir, hint: "pass another --out: Vault would see the release files as plugins"}
	}
	dirty, err := workTreeDirty(ctx, p.dir, o.allowDirty, r)
	if err != nil {
		return nil, err
	}
	if err := checkWritable(out); err != nil {
		return nil, err
	}
	if o.sign != "" {
		if err := checkSigningKey(ctx, o.sign); err != nil {
			return nil, err
		}
	}
	if o.check {
		// The platforms it would build: vaultkit scans each of them for vulnerabilities first.
		planned := make([]platformResult, len(platforms))
		for i, platform := range platforms {
			planned[i] = platformResult{Platform: platform}
		}
		return &result{Binary: p.binary, Version: p.version, Out: out, Dirty: dirty, Platforms: planned, Staged: true, Seconds: seconds(started)}, nil
	}
	steps := buildSteps{compile: o.from == "", pack: o.stage == ""}
	work := o.stage
	switch {
	case o.stage != "" && o.from != "":
		return nil, &userError{message: "-stage and -from name the two halves of one release", hint: "pass one of them"}
	case o.from != "":
		work = o.from
		if steps.staged, err = checkStaged(work, p, platforms); err != nil {
			return nil, err
		}
	case o.stage != "":
		if err := os.Remove(filepath.Join(work, stagedFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	default:
		if work, err = os.MkdirTemp("", "release-build-"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(work)
	}

	built, err := buildAll(ctx, p, platforms, work, steps, o.allowedVulns, r)
	if err != nil {
		return nil, err
	}
	if o.stage != "" {
		if err := writeStaged(work, p, built); err != nil {
			return nil, err
		}
		return &result{Binary: p.binary, Version: p.version, Dirty: dirty, Platforms: built, Seconds: seconds(started)}, nil
	}
	sums, signature, err := writeRelease(ctx, p, out, built, o.sign)
	if err != nil {
		return nil, err
	}
	return &result{
		Binary:    p.binary,
		Version:   p.version,
		Out:       out,
		Sums:      sums,
		Signature: signature,
		Dirty:     dirty,
		Platforms: built,
		Seconds:   seconds(started),
	}, nil
}

func checkPlatforms(given []string) ([]string, error) {
	var platforms []string
	for _, p := range given {
		if !slices.Contains(supportedPlatforms, p) {
			return nil, &userError{message: fmt.Sprintf("unknown or unsupported platform %q", p), hint: "pass one of " + strings.Join(supportedPlatforms, ", ")}
		}
		if !slices.Contains(platforms, p) {
			platforms = append(platforms, p)
		}
	}
	return platforms, nil
}

// workTreeDirty refuses a release that is not of a commit unless allowed:
// only a commit can be rebuilt to check the bytes.
func workTreeDirty(ctx context.Context, dir string, allowDirty bool, r *reporter) (bool, error) {
	status, err := exec.CommandContext(ctx, "git", "-C", dir, "status", "--porcelain").Output()
	why := ""
	switch {
	case err != nil:
		why = dir + " is not a git work tree"
	case len(status) > 0:
		why = dir + " has uncommitted changes"
	default:
		return false, nil
	}
	if !allowDirty {
		return true, &userError{message: why + ": the release would not be of a commit", hint: "commit (or stash) first, or pass --allow-dirty"}
	}
	r.warn(why + ": the release is not of a commit")
	return true, nil
}

// checkWritable fails before the builds, not after them.
func checkWritable(out string) error {
	fail := func(err error) error {
		return &userError{message: "cannot write the release to " + out + ": " + err.Error(), hint: "pass another --out, or make it writable"}
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fail(err)
	}
	probe, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".staging-")
	if err != nil {
		return fail(err)
	}
	os.Remove(probe)
	if info, err := os.Stat(out); err == nil {
		if !info.IsDir() {
			return fail(errors.New("not a directory"))
		}
		probe, err := os.CreateTemp(out, ".probe-")
		if err != nil {
			return fail(err)
		}
		probe.Close()
		os.Remove(probe.Name())
	}
	return nil
}
