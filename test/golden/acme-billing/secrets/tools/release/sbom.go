package main

import (
	"crypto/sha1"
	"debug/buildinfo"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
)

// An SBOM (CycloneDX 1.6 JSON) for one platform's binary, written from the
// build information the Go linker embeds in it: exactly the modules that were
// linked, with their go.sum hashes, the Go release and the build settings.
// Nothing in it depends on the time or the machine, so a release stays
// byte-reproducible.

type cdxHash struct {
	Alg     string `json:"alg"`
	Content string `json:"content"`
}

type cdxProperty struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type cdxComponent struct {
	Type       string        `json:"type"`
	Ref        string        `json:"bom-ref"`
	Name       string        `json:"name"`
	Version    string        `json:"version,omitempty"`
	Purl       string        `json:"purl,omitempty"`
	Hashes     []cdxHash     `json:"hashes,omitempty"`
	Properties []cdxProperty `json:"properties,omitempty"`
}

type cdxDependency struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn"`
}

type cdxVulnerability struct {
	ID       string `json:"id"`
	Source   any    `json:"source"`
	Analysis any    `json:"analysis"`
	Affects  []any  `json:"affects,omitempty"`
}

type cdxBOM struct {
	Format          string             `json:"bomFormat"`
	SpecVersion     string             `json:"specVersion"`
	SerialNumber    string             `json:"serialNumber"`
	Version         int                `json:"version"`
	Metadata        any                `json:"metadata"`
	Components      []cdxComponent     `json:"components"`
	Dependencies    []cdxDependency    `json:"dependencies"`
	Vulnerabilities []cdxVulnerability `json:"vulnerabilities,omitempty"`
}

// writeSBOM writes the SBOM of binary (sha256 binarySum) to path. allowed are
// the advisories the release was let through with (-allowed-vuln ID=MODULE,
// from vaultkit plugin release --allow-vuln ID): recorded, so that an
// operator sees them.
func writeSBOM(path, binary, binarySum string, p *project, platform string, allowed []string) error {
	info, err := buildinfo.ReadFile(binary)
	if err != nil {
		return fmt.Errorf("reading the build information of %s: %w", binary, err)
	}
	mainRef := purl(info.Main.Path, "v"+p.version)
	main := cdxComponent{
		Type:    "application",
		Ref:     mainRef,
		Name:    p.binary,
		Version: p.version,
		Purl:    mainRef,
		Hashes:  []cdxHash{{Alg: "SHA-256", Content: binarySum}},
		Properties: []cdxProperty{
			{Name: "cdx:gomod:binary:name", Value: p.binary},
			{Name: "go:module", Value: info.Main.Path},
			{Name: "go:package", Value: info.Path},
			{Name: "go:platform", Value: platform},
			{Name: "go:version", Value: info.GoVersion},
		},
	}
	for _, s := range info.Settings {
		main.Properties = append(main.Properties, cdxProperty{Name: "go:build:" + s.Key, Value: s.Value})
	}
	// The standard library is linked too, and has advisories of its own.
	std := cdxComponent{Type: "library", Name: "std", Version: info.GoVersion, Purl: purl("std", info.GoVersion)}
	std.Ref = std.Purl
	components := []cdxComponent{std}
	depends := []string{std.Ref}
	for _, dep := range info.Deps {
		used := dep
		if dep.Replace != nil {
			used = dep.Replace
		}
		c := cdxComponent{Type: "library", Name: used.Path, Version: used.Version, Purl: purl(used.Path, used.Version)}
		c.Ref = c.Purl
		if sum, ok := strings.CutPrefix(used.Sum, "h1:"); ok {
			if raw, err := base64.StdEncoding.DecodeString(sum); err == nil {
				c.Hashes = []cdxHash{{Alg: "SHA-256", Content: hex.EncodeToString(raw)}}
			}
			c.Properties = append(c.Properties, cdxProperty{Name: "go:sum", Value: used.Sum})
		}
		if dep.Replace != nil {
			c.Properties = append(c.Properties, cdxProperty{Name: "go:replaces", Value: dep.Path + "@" + dep.Version})
		}
		components = append(components, c)
		depends = append(depends, c.Ref)
	}
	bom := cdxBOM{
		Format:      "CycloneDX",
		SpecVersion: "1.6",
		// Derived from the binary's hash: the same binary, the same serial number.
		SerialNumber: "urn:uuid:" + uuidV5(binarySum),
		Version:      1,
		Metadata: map[string]any{
			"component": main,
			"tools": map[string]any{"components": []map[string]string{
				{"type": "application", "name": "tools/release", "description": "the plugin's release program (go run ./tools/release)"},
			}},
		},
		Components:   components,
		Dependencies: []cdxDependency{{Ref: mainRef, DependsOn: depends}},
	}
	for _, a := range allowed {
		id, module, _ := strings.Cut(a, "=")
		if module == "stdlib" {
			// govulncheck's name for the standard library; the component is std.
			module = "std"
		}
		v := cdxVulnerability{
			ID:     id,
			Source: map[string]string{"name": "Go Vulnerability Database", "url": "https://pkg.go.dev/vuln/" + id},
			Analysis: map[string]any{
				"state":  "exploitable",
				"detail": "The plugin calls the vulnerable code; the release was let through with --allow-vuln " + id + ".",
			},
		}
		if ref := componentRef(components, module); ref != "" {
			v.Affects = []any{map[string]string{"ref": ref}}
		}
		bom.Vulnerabilities = append(bom.Vulnerabilities, v)
	}
	text, err := json.MarshalIndent(bom, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(text, '\n'), 0o644)
}

func componentRef(components []cdxComponent, module string) string {
	i := slices.IndexFunc(components, func(c cdxComponent) bool { return c.Name == module })
	if i < 0 {
		return ""
	}
	return components[i].Ref
}

// purl is the package URL of a Go module (github.com/purl-spec: type golang).
func purl(path, version string) string {
	segments := strings.Split(path, "/")
	for i, s := range segments {
		segments[i] = url.PathEscape(s)
	}
	return "pkg:golang/" + strings.Join(segments, "/") + "@" + url.PathEscape(version) + "?type=module"
}

// uuidV5 is the RFC 9562 name-based UUID of name in the URL namespace.
func uuidV5(name string) string {
	namespace, _ := hex.DecodeString("6ba7b8119dad11d180b400c04fd430c8")
	sum := sha1.Sum(append(namespace, name...))
	sum[6] = sum[6]&0x0f | 0x50
	sum[8] = sum[8]&0x3f | 0x80
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
