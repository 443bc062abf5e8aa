package acmebilling

import (
	"os"
	"testing"

	"github.com/hashicorp/vault/api"
)

// accClient is a client of the Vault the acceptance tier runs against, and
// the path the plugin is mounted at there; it skips the test without VAULT_ACC.
func accClient(t *testing.T) (*api.Client, string) {
	t.Helper()
	if os.Getenv("VAULT_ACC") == "" {
		t.Skip("acceptance test: set VAULT_ACC=1, VAULT_ADDR, VAULT_TOKEN and VAULT_PLUGIN_MOUNT, or run `vaultkit plugin test`")
	}
	mount := os.Getenv("VAULT_PLUGIN_MOUNT")
	if mount == "" {
		t.Fatal("VAULT_PLUGIN_MOUNT is not set: the path the plugin under test is mounted at")
	}
	// api.DefaultConfig reads VAULT_ADDR (and VAULT_CACERT...); NewClient reads VAULT_TOKEN.
	client, err := api.NewClient(api.DefaultConfig())
	if err != nil {
		t.Fatalf("vault client: %v", err)
	}
	return client, mount
}

func accWrite(t *testing.T, client *api.Client, path string, data map[string]interface{}) *api.Secret {
	t.Helper()
	secret, err := client.Logical().WriteWithContext(t.Context(), path, data)
	if err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	return secret
}

func accRead(t *testing.T, client *api.Client, path string, query map[string][]string) *api.Secret {
	t.Helper()
	secret, err := client.Logical().ReadWithDataWithContext(t.Context(), path, query)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if secret == nil {
		t.Fatalf("read %s: nothing there", path)
	}
	return secret
}
