package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// project is what a release needs, from the plugin's description: the
// `plugin` object of .vaultkit.json, which vaultkit plugin new and plugin
// init write and every vaultkit command reads.
type project struct {
	dir, module, main, binary, version, pluginDir string
	// versionFrom says where the version came from, for messages.
	versionFrom string
	// versionVariable is set with -ldflags -X; empty when the plugin has none.
	versionVariable string
	tags, ldflags   []string
	cgo             bool
}

type description struct {
	Main    string `json:"main"`
	Binary  string `json:"binary"`
	Version struct {
		From     string `json:"from"`
		File     string `json:"file"`
		Value    string `json:"value"`
		Variable string `json:"variable"`
	} `json:"version"`
	Build struct {
		Tags    []string `json:"tags"`
		Ldflags []string `json:"ldflags"`
		Cgo     bool     `json:"cgo"`
	} `json:"build"`
	PluginDirectory string `json:"pluginDirectory"`
}

var versionTag = regexp.MustCompile(`^v(\d+\.\d+\.\d+)$`)

// readProject reads the description and the files it points at.
func readProject(dir string) (*project, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	goMod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return nil, &userError{message: dir + " has no go.mod", hint: "run the release from the plugin project's folder"}
	}
	module := regexp.MustCompile(`(?m)^module\s+"?([^"\s]+)`).FindSubmatch(goMod)
	if module == nil {
		return nil, &userError{message: "go.mod has no module line", hint: "fix go.mod"}
	}
	raw, err := os.ReadFile(filepath.Join(dir, ".vaultkit.json"))
	if err != nil {
		return nil, &userError{message: ".vaultkit.json is missing: it describes the plugin to release", hint: "run `vaultkit plugin init` once"}
	}
	var file struct {
		Plugin *description `json:"plugin"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		return nil, &userError{message: ".vaultkit.json is not valid JSON: " + err.Error(), hint: "fix it"}
	}
	d := file.Plugin
	if d == nil || d.Main == "" || d.Binary == "" || d.PluginDirectory == "" {
		return nil, &userError{message: ".vaultkit.json does not describe the plugin (plugin.main, binary, pluginDirectory)", hint: "run `vaultkit plugin init` once"}
	}
	p := &project{dir: dir, module: string(module[1]), main: d.Main, binary: d.Binary, tags: d.Build.Tags, ldflags: d.Build.Ldflags, cgo: d.Build.Cgo, pluginDir: d.PluginDirectory}
	if !filepath.IsAbs(p.pluginDir) {
		p.pluginDir = filepath.Join(dir, p.pluginDir)
	}
	if p.version, p.versionFrom, err = readVersion(dir, d); err != nil {
		return nil, err
	}
	if d.Version.From != "none" {
		p.versionVariable = d.Version.Variable
	}
	if !semver.MatchString(p.version) {
		message := fmt.Sprintf("the version %q (%s) is not a semantic version", p.version, p.versionFrom)
		if d.Version.From == "file" {
			message = fmt.Sprintf("%s sets Version = %q, which is not a semantic version", p.versionFrom, p.version)
		}
		return nil, &userError{message: message, hint: "Vault needs MAJOR.MINOR.PATCH such as 1.2.3: fix " + p.versionFrom}
	}
	return p, nil
}

// readVersion finds the version a release is named for. A plugin that
// reports none is released under the nearest vX.Y.Z tag of the commit.
func readVersion(dir string, d *description) (version, from string, err error) {
	switch d.Version.From {
	case "file":
		text, err := os.ReadFile(filepath.Join(dir, d.Version.File))
		if err != nil {
			return "", "", &userError{message: d.Version.File + " is missing", hint: ".vaultkit.json says the plugin's version lives there"}
		}
		m := regexp.MustCompile(`\bVersion\s*=\s*"v?([^"]*)"`).FindSubmatch(text)
		if m == nil {
			return "", "", &userError{message: d.Version.File + ` does not set Version = "X.Y.Z"`, hint: "restore the Version variable"}
		}
		return string(m[1]), d.Version.File, nil
	case "value":
		return strings.TrimPrefix(d.Version.Value, "v"), ".vaultkit.json", nil
	case "git-tag", "none":
		tag, err := nearestVersionTag(dir)
		if err != nil {
			return "", "", err
		}
		return tag, "the nearest git tag", nil
	}
	return "", "", &userError{message: fmt.Sprintf(".vaultkit.json: plugin.version.from is %q", d.Version.From), hint: "use file, value, git-tag or none"}
}

// nearestVersionTag is the nearest vX.Y.Z tag the checked-out commit descends from.
func nearestVersionTag(dir string) (string, error) {
	out, err := exec.Command("git", "-C", dir, "describe", "--tags", "--abbrev=0", "--match", "v[0-9]*.[0-9]*.[0-9]*").Output()
	if m := versionTag.FindStringSubmatch(strings.TrimSpace(string(out))); err == nil && m != nil {
		return m[1], nil
	}
	return "", &userError{message: "the plugin has no version of its own, and the commit no vX.Y.Z tag to name the release", hint: "tag the commit to release (git tag v0.1.0)"}
}
