package main

import (
	"archive/zip"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// buildSteps says which halves of a platform's release a run does: compile
// the binary (not with -from, whose binaries a -stage run built), and pack it
// into a zip with its SBOM (not with -stage). staged holds the sha256 each
// binary had when -stage wrote it: -from packs only those bytes.
type buildSteps struct {
	compile, pack bool
	staged        map[string]string
}

// buildAll builds and zips the platforms in parallel, one per core.
func buildAll(ctx context.Context, p *project, platforms []string, work string, steps buildSteps, allowedVulns []string, r *reporter) ([]platformResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]platformResult, len(platforms))
	jobs := make(chan int)
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	parallel := min(runtime.NumCPU(), len(platforms))
	r.plan(platforms, parallel)
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				res, err := buildOne(ctx, p, platforms[i], work, steps, allowedVulns, r)
				if err != nil {
					once.Do(func() { first = err })
					cancel()
					continue
				}
				results[i] = res
			}
		}()
	}
feed:
	for i := range platforms {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return results, first
}

func buildOne(ctx context.Context, p *project, platform, work string, steps buildSteps, allowedVulns []string, r *reporter) (platformResult, error) {
	started := time.Now()
	dir, name := stagedBinary(work, p, platform)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return platformResult{}, err
	}
	r.event("build", platform, 0)
	if steps.compile {
		if err := compile(ctx, p, platform, work, filepath.Join(dir, name)); err != nil {
			return platformResult{}, err
		}
	}
	binarySum, err := fileSHA256(filepath.Join(dir, name))
	if err != nil {
		return platformResult{}, err
	}
	if want, ok := steps.staged[platform]; ok && want != binarySum {
		return platformResult{}, &userError{message: fmt.Sprintf("the %s binary in %s changed after -stage built it", platform, work), hint: "run -stage again, and release what it builds"}
	}
	if !steps.pack {
		r.event("built", platform, seconds(started))
		return platformResult{Platform: platform, Binary: name, SHA256: binarySum, Path: filepath.Join(dir, name), Seconds: seconds(started)}, nil
	}
	goos, goarch, _ := strings.Cut(platform, "/")
	base := fmt.Sprintf("%s_%s_%s_%s", p.binary, p.version, goos, goarch)
	zipSum, err := writeZip(filepath.Join(dir, base+".zip"), filepath.Join(dir, name), name)
	if err != nil {
		return platformResult{}, err
	}
	if err := writeSBOM(filepath.Join(dir, base+".cdx.json"), filepath.Join(dir, name), binarySum, p, platform, allowedVulns); err != nil {
		return platformResult{}, err
	}
	r.event("built", platform, seconds(started))
	return platformResult{
		Platform: platform, Zip: base + ".zip", ZipSHA256: zipSum, Binary: name, SHA256: binarySum, Sbom: base + ".cdx.json", Seconds: seconds(started),
		zipPath: filepath.Join(dir, base+".zip"), sbomPath: filepath.Join(dir, base+".cdx.json"),
	}, nil
}

// stagedBinary is the folder and file name of a platform's binary under work.
func stagedBinary(work string, p *project, platform string) (dir, name string) {
	goos, goarch, _ := strings.Cut(platform, "/")
	name = p.binary
	if goos == "windows" {
		name += ".exe"
	}
	return filepath.Join(work, goos+"_"+goarch), name
}

// staged is what a -stage run leaves beside its binaries, so that -from
// releases them only as what they were built as: the binary and version, and
// each platform's binary by its sha256 (what a scanner read in between).
type staged struct {
	Binary   string            `json:"binary"`
	Version  string            `json:"version"`
	Binaries map[string]string `json:"binaries"`
}

const stagedFile = "staged.json"

// writeStaged is the last step of -stage, once every binary is built; a
// -stage run removes the file first, so that a run that fails halfway leaves
// none.
func writeStaged(work string, p *project, built []platformResult) error {
	s := staged{Binary: p.binary, Version: p.version, Binaries: map[string]string{}}
	for _, b := range built {
		s.Binaries[b.Platform] = b.SHA256
	}
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(work, stagedFile), data, 0o644)
}

// checkStaged refuses -from when the folder holds no staged build of this
// binary and version for each platform (the version is stamped in the binary
// and named in the zip, so the two must agree), and returns each binary's
// sha256 as -stage wrote it.
func checkStaged(work string, p *project, platforms []string) (map[string]string, error) {
	data, err := os.ReadFile(filepath.Join(work, stagedFile))
	var s staged
	if err == nil {
		err = json.Unmarshal(data, &s)
	}
	if err != nil {
		return nil, &userError{message: work + " holds no binaries built by -stage", hint: "run this program with -stage " + work + " first"}
	}
	if s.Binary != p.binary || s.Version != p.version {
		return nil, &userError{message: fmt.Sprintf("%s holds %s %s, and the project now describes %s %s", work, s.Binary, s.Version, p.binary, p.version), hint: "run -stage again"}
	}
	for _, platform := range platforms {
		if s.Binaries[platform] == "" {
			return nil, &userError{message: fmt.Sprintf("%s holds no build for %s", work, platform), hint: "run -stage again with the same -platform values"}
		}
	}
	return s.Binaries, nil
}

// compile builds one platform's binary with the release's flags.
func compile(ctx context.Context, p *project, platform, work, binary string) error {
	goos, goarch, _ := strings.Cut(platform, "/")
	// An empty build id and -trimpath keep the folder and the machine out of
	// the binary; the version is stamped as `make build` does. No VCS stamp:
	// it would depend on the checkout (a source archive has no .git) and on
	// GOFLAGS, which may turn it off on one machine and not on another.
	// -s -w drop the symbol table and DWARF, as release builds commonly do:
	// a third smaller, linked twice as fast; panics still show stack traces.
	ldflags := append([]string{"-s", "-w", "-buildid="}, p.ldflags...)
	if p.versionVariable != "" {
		ldflags = append(ldflags, "-X", p.versionVariable+"="+p.version)
	}
	args := []string{"build", "-trimpath", "-buildvcs=false", "-ldflags", strings.Join(ldflags, " ")}
	if len(p.tags) > 0 {
		args = append(args, "-tags", strings.Join(p.tags, ","))
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "-o", binary, p.main)...)
	cmd.Dir = p.dir
	cgo := "CGO_ENABLED=0"
	if p.cgo {
		cgo = "CGO_ENABLED=1"
	}
	// go build's own work files go under work too, so that they go with it
	// even when a signal ends go build before it can remove them.
	cmd.Env = append(os.Environ(), cgo, "GOOS="+goos, "GOARCH="+goarch, "GOTMPDIR="+work)
	cmd.Cancel = func() error {
		if runtime.GOOS == "windows" {
			return cmd.Process.Kill()
		}
		return cmd.Process.Signal(os.Interrupt)
	}
	cmd.WaitDelay = 10 * time.Second
	if output, err := cmd.CombinedOutput(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &userError{message: "go build for " + platform + " failed", hint: "fix the errors above and release again", output: string(output)}
	}
	return nil
}

// writeZip writes one entry with a fixed time and mode; Go's deflate gives the
// same bytes for the same input and Go version. The fastest level: the zip is
// about a tenth larger than at the default level, and written three times faster.
func writeZip(path, binary, name string) (string, error) {
	in, err := os.Open(binary)
	if err != nil {
		return "", err
	}
	defer in.Close()
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	hash := sha256.New()
	zw := zip.NewWriter(io.MultiWriter(f, hash))
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	header := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime}
	header.SetMode(0o755)
	w, err := zw.CreateHeader(header)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(w, in); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return hex.EncodeToString(hash.Sum(nil)), f.Close()
}

// writeRelease stages the files beside out, then renames them into place, the
// SHA256SUMS file last: an interrupted run leaves no half-written release. The
// sums list the zips and the SBOMs, so a signature over them covers both.
func writeRelease(ctx context.Context, p *project, out string, built []platformResult, signingKey string) (sums, signature string, err error) {
	staging, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".staging-")
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(staging)
	var lines, files []string
	for _, b := range built {
		sbomSum, err := fileSHA256(b.sbomPath)
		if err != nil {
			return "", "", err
		}
		for _, f := range []struct{ from, name, sum string }{{b.zipPath, b.Zip, b.ZipSHA256}, {b.sbomPath, b.Sbom, sbomSum}} {
			if err := copyFile(f.from, filepath.Join(staging, f.name)); err != nil {
				return "", "", err
			}
			lines = append(lines, f.sum+"  "+f.name+"\n")
			files = append(files, f.name)
		}
	}
	slices.Sort(lines)
	name := fmt.Sprintf("%s_%s_SHA256SUMS", p.binary, p.version)
	if err := os.WriteFile(filepath.Join(staging, name), []byte(strings.Join(lines, "")), 0o644); err != nil {
		return "", "", err
	}
	if signingKey != "" {
		if err := signFile(ctx, signingKey, filepath.Join(staging, name)); err != nil {
			return "", "", err
		}
		files = append(files, name+".sig")
		signature = filepath.Join(out, name+".sig")
	}
	// A new folder is renamed whole; into an existing one file by file, the
	// sums last, since they are what marks a release as there.
	// MkdirTemp made the folder private; a release folder is for others to read.
	if err := os.Chmod(staging, 0o755); err != nil {
		return "", "", err
	}
	if err := os.Rename(staging, out); err == nil {
		return filepath.Join(out, name), signature, nil
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", "", err
	}
	for _, f := range files {
		if err := os.Rename(filepath.Join(staging, f), filepath.Join(out, f)); err != nil {
			return "", "", err
		}
	}
	if signingKey == "" {
		// An earlier signature of these sums would no longer hold.
		os.Remove(filepath.Join(out, name+".sig"))
	}
	return filepath.Join(out, name), signature, os.Rename(filepath.Join(staging, name), filepath.Join(out, name))
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	hash := sha256.New()
	if _, err := io.Copy(hash, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(hash.Sum(nil)), nil
}

func seconds(since time.Time) float64 {
	return float64(time.Since(since).Milliseconds()/10) / 100
}
