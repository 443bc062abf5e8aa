package main

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
)

// Signing goes through gpg, so the private key stays in the author's keyring
// or agent: this program never reads it. The signature is detached and binary
// over the SHA256SUMS file, as HashiCorp signs its own releases.

// checkSigningKey fails before the builds when gpg or a key that can sign is
// missing, rather than after minutes of building.
func checkSigningKey(ctx context.Context, key string) error {
	out, err := exec.CommandContext(ctx, "gpg", "--batch", "--with-colons", "--list-secret-keys", "--", key).Output()
	if errors.Is(err, exec.ErrNotFound) {
		return &userError{message: "gpg was not found on PATH, and -sign needs it", hint: "install GnuPG (apt install gnupg, brew install gnupg), or release without signing"}
	}
	if err != nil {
		return &userError{message: "gpg has no secret key " + key, hint: "list the keys that can sign with `gpg --list-secret-keys`, or import yours with `gpg --import`"}
	}
	// The "sec" line's 12th field sums up what the whole key can do; an
	// upper-case S means it has a usable (not expired, not revoked) signing key.
	for _, line := range strings.Split(string(out), "\n") {
		fields := strings.Split(line, ":")
		if fields[0] == "sec" && len(fields) > 11 && strings.Contains(fields[11], "S") {
			return nil
		}
	}
	return &userError{message: "gpg key " + key + " has no usable signing key (expired, revoked, or encryption only)", hint: "pass a key that can sign; `gpg --list-secret-keys` shows [S] beside one"}
}

// signFile writes a detached signature of file to file+".sig".
func signFile(ctx context.Context, key, file string) error {
	cmd := exec.CommandContext(ctx, "gpg", "--batch", "--yes", "--local-user", key, "--detach-sign", "--output", file+".sig", file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &userError{message: "gpg could not sign with " + key + ": " + lastLine(stderr.String()), hint: "unlock the key in gpg-agent (sign something once with it), then release again"}
	}
	return nil
}

func lastLine(text string) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	return strings.TrimPrefix(lines[len(lines)-1], "gpg: ")
}
