package acmebilling

import (
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/hashicorp/vault/api"
)

// The acceptance tier: this plugin, built and mounted in a real Vault, driven
// through Vault's HTTP API. `vaultkit plugin test` runs it; by hand, set
// VAULT_ACC=1, VAULT_ADDR, VAULT_TOKEN and VAULT_PLUGIN_MOUNT (the path the
// auth method is enabled at, without auth/). Without VAULT_ACC these tests
// skip, as HashiCorp's plugins' acceptance tests do.

func TestAcceptance_LoginRenewAndRefusal(t *testing.T) {
	client, mount := accClient(t)
	auth := "auth/" + mount
	accWrite(t, client, auth+"/users/acc-alice", map[string]interface{}{
		"password":       "correct horse",
		"token_policies": "default,acc-dev",
		"token_ttl":      "10m",
		"token_max_ttl":  "1h",
	})

	stored := accRead(t, client, auth+"/users/acc-alice", nil)
	if _, ok := stored.Data["password"]; ok {
		t.Error("reading the user returns its password")
	}

	// A login through Vault: the token Vault made from the plugin's Auth.
	login := accWrite(t, client, auth+"/login", map[string]interface{}{"username": "acc-alice", "password": "correct horse"})
	if login == nil || login.Auth == nil || login.Auth.ClientToken == "" {
		t.Fatalf("login returned no token: %#v", login)
	}
	if !slices.Contains(login.Auth.Policies, "acc-dev") || !slices.Contains(login.Auth.Policies, "default") {
		t.Errorf("policies = %v, want default and acc-dev", login.Auth.Policies)
	}
	if login.Auth.LeaseDuration != 600 || !login.Auth.Renewable {
		t.Errorf("token lease %d s, renewable %v: want a renewable 600 s token", login.Auth.LeaseDuration, login.Auth.Renewable)
	}

	user, err := client.Clone()
	if err != nil {
		t.Fatal(err)
	}
	user.SetToken(login.Auth.ClientToken)
	self, err := user.Auth().Token().LookupSelfWithContext(t.Context())
	if err != nil {
		t.Fatalf("lookup-self with the new token: %v", err)
	}
	if path, _ := self.Data["path"].(string); path != auth+"/login" {
		t.Errorf("token path = %q, want %s/login", path, auth)
	}

	// Vault renews through the plugin's Renew callback.
	renewed, err := user.Auth().Token().RenewSelfWithContext(t.Context(), 300)
	if err != nil {
		t.Fatalf("renew-self: %v", err)
	}
	if renewed.Auth == nil {
		t.Fatal("renew-self returned no auth")
	}
	if renewed.Auth.LeaseDuration != 300 {
		t.Errorf("renewed for %d s, want 300", renewed.Auth.LeaseDuration)
	}

	_, err = client.Logical().WriteWithContext(t.Context(), auth+"/login", map[string]interface{}{"username": "acc-alice", "password": "wrong"})
	var response *api.ResponseError
	if !errors.As(err, &response) || response.StatusCode != http.StatusForbidden {
		t.Errorf("login with a wrong password: %v, want permission denied (403)", err)
	}
}
