package acmebilling

import (
	"slices"
	"testing"
)

func TestBackend_PathsSpecial(t *testing.T) {
	b, _ := getTestBackend(t)
	special := b.SpecialPaths()

	// Clients log in before they have a token; nothing else is open.
	if got, want := special.Unauthenticated, []string{loginPath}; !slices.Equal(got, want) {
		t.Errorf("Unauthenticated = %v, want %v", got, want)
	}
	if got, want := special.SealWrapStorage, []string{configPath}; !slices.Equal(got, want) {
		t.Errorf("SealWrapStorage = %v, want %v", got, want)
	}
}
