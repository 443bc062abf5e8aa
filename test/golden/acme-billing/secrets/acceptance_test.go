package acmebilling

import (
	"fmt"
	"testing"
)

// The acceptance tier: this plugin, built and mounted in a real Vault, driven
// through Vault's HTTP API. `vaultkit plugin test` runs it; by hand, set
// VAULT_ACC=1, VAULT_ADDR, VAULT_TOKEN and VAULT_PLUGIN_MOUNT. Without
// VAULT_ACC these tests skip, as HashiCorp's plugins' acceptance tests do.

func TestAcceptance_ConfigAndPathHello(t *testing.T) {
	client, mount := accClient(t)
	accWrite(t, client, mount+"/config", map[string]interface{}{
		"custom_prefix": "Howdy",
		"api_key":       "acceptance-key",
		"ttl":           "10m",
		"max_ttl":       "1h",
	})

	cfg := accRead(t, client, mount+"/config", nil)
	if got := cfg.Data["custom_prefix"]; got != "Howdy" {
		t.Errorf("custom_prefix = %v, want Howdy", got)
	}
	if got := fmt.Sprint(cfg.Data["ttl"]); got != "600" {
		t.Errorf("ttl = %s, want 600", got)
	}
	if _, ok := cfg.Data["api_key"]; ok {
		t.Error("reading the config returns api_key, which is write-only")
	}

	greeting := accRead(t, client, mount+"/hello", map[string][]string{"name": {"Ada"}})
	if got, want := greeting.Data["message"], "Howdy, hello Ada from vault-plugin-secrets-acme-billing"; got != want {
		t.Errorf("message = %v, want %q", got, want)
	}
}
