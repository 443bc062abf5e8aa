package hello

import (
	"strings"
	"testing"
)

// The acceptance test of creds/: a lease that Vault's expiration manager
// renews and revokes through the plugin (see acceptance_test.go).

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
