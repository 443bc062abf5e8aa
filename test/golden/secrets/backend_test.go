package hello

import (
	"slices"
	"testing"
)

func TestBackend_PathsSpecial(t *testing.T) {
	b, _ := getTestBackend(t)
	special := b.SpecialPaths()

	// Every path needs a token; only the config holds a secret.
	if len(special.Unauthenticated) != 0 {
		t.Errorf("Unauthenticated = %v, want none", special.Unauthenticated)
	}
	if got, want := special.SealWrapStorage, []string{configPath}; !slices.Equal(got, want) {
		t.Errorf("SealWrapStorage = %v, want %v", got, want)
	}
}
