package acmebilling

import (
	"fmt"
	"strings"
	"testing"
)

// The acceptance tier: this plugin, built and mounted in a real Vault, driven
// through Vault's HTTP API. `vaultkit plugin test` runs it; by hand, set
// VAULT_ACC=1, VAULT_ADDR, VAULT_TOKEN and VAULT_PLUGIN_MOUNT. Without
// VAULT_ACC these tests skip, as HashiCorp's plugins' acceptance tests do.

func TestAcceptance_ConfigAndHello(t *testing.T) {
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

	hello := accRead(t, client, mount+"/hello", map[string][]string{"name": {"Ops"}})
	if got, want := hello.Data["message"], "Howdy, hello Ops from vault-plugin-secrets-acme-billing"; got != want {
		t.Errorf("message = %v, want %q", got, want)
	}
}

func TestAcceptance_CredsLease(t *testing.T) {
	client, mount := accClient(t)
	accWrite(t, client, mount+"/config", map[string]interface{}{"custom_prefix": "Howdy", "ttl": "10m", "max_ttl": "1h"})

	creds := accRead(t, client, mount+"/creds", nil)
	token, _ := creds.Data["token"].(string)
	if !strings.HasPrefix(token, tokenPrefix) {
		t.Errorf("token = %q, want a %q-prefixed token", token, tokenPrefix)
	}
	if !strings.HasPrefix(creds.LeaseID, mount+"/creds/") || !creds.Renewable || creds.LeaseDuration != 600 {
		t.Fatalf("lease %q, renewable %v, %d s: want a renewable 600 s lease under %s/creds/", creds.LeaseID, creds.Renewable, creds.LeaseDuration, mount)
	}

	// Vault's expiration manager renews through the plugin's Renew callback.
	renewed, err := client.Sys().RenewWithContext(t.Context(), creds.LeaseID, 300)
	if err != nil {
		t.Fatalf("renew: %v", err)
	}
	if renewed.LeaseDuration != 300 {
		t.Errorf("renewed for %d s, want 300", renewed.LeaseDuration)
	}

	// Revoking calls the plugin's Revoke callback; the lease is then gone.
	if err := client.Sys().RevokeWithContext(t.Context(), creds.LeaseID); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if _, err := client.Logical().WriteWithContext(t.Context(), "sys/leases/lookup", map[string]interface{}{"lease_id": creds.LeaseID}); err == nil {
		t.Error("the lease can still be looked up after revoke")
	}
}
