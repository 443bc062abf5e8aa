package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
)

// reporter prints progress and the result for people, or as JSON lines for
// programs (vaultkit plugin release).
type reporter struct {
	json bool
	mu   sync.Mutex
}

func (r *reporter) emit(value map[string]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	line, _ := json.Marshal(value)
	fmt.Println(string(line))
}

func (r *reporter) plan(platforms []string, parallel int) {
	if r.json {
		r.emit(map[string]any{"event": "plan", "platforms": platforms, "parallel": parallel})
		return
	}
	fmt.Fprintf(os.Stderr, "building %d platforms, %d at a time\n", len(platforms), parallel)
}

func (r *reporter) event(kind, platform string, took float64) {
	if r.json {
		r.emit(map[string]any{"event": kind, "platform": platform, "seconds": took})
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if kind == "build" {
		fmt.Fprintf(os.Stderr, "building %s\n", platform)
	} else {
		fmt.Fprintf(os.Stderr, "built    %s in %.1f s\n", platform, took)
	}
}

func (r *reporter) warn(message string) {
	if r.json {
		r.emit(map[string]any{"event": "warning", "message": message})
		return
	}
	fmt.Fprintln(os.Stderr, "warning: "+message)
}

func (r *reporter) fail(err error) {
	var ue *userError
	if !errors.As(err, &ue) {
		ue = &userError{message: err.Error()}
	}
	if r.json {
		r.emit(map[string]any{"event": "error", "message": ue.message, "hint": ue.hint, "output": ue.output})
		return
	}
	if ue.output != "" {
		fmt.Fprint(os.Stderr, ue.output)
	}
	if ue.hint != "" {
		fmt.Fprintf(os.Stderr, "release: %s: %s\n", ue.message, ue.hint)
	} else {
		fmt.Fprintf(os.Stderr, "release: %s\n", ue.message)
	}
}

func (r *reporter) done(res *result) {
	if r.json {
		r.emit(map[string]any{"event": "done", "result": res})
		return
	}
	fmt.Printf("%s %s: %d platforms in %.1f s\n", res.Binary, res.Version, len(res.Platforms), res.Seconds)
	if res.Sums == "" {
		// -check: the platforms it would build; -stage: also where it built each binary.
		for _, b := range res.Platforms {
			fmt.Println(strings.TrimSpace(fmt.Sprintf("%-14s %s", b.Platform, b.Path)))
		}
		return
	}
	fmt.Printf("%-14s %-64s  %s\n", "platform", "sha256 of the binary (vault plugin register -sha256)", "zip")
	for _, b := range res.Platforms {
		fmt.Printf("%-14s %s  %s\n", b.Platform, b.SHA256, b.Zip)
	}
	fmt.Println("checksums of the zips and SBOMs: " + res.Sums)
	if res.Signature != "" {
		fmt.Println("signature of the checksums: " + res.Signature)
	}
}
