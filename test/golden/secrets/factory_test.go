package hello

import (
	"net/http"
	"testing"

	"github.com/hashicorp/vault/sdk/logical"

	"example.com/vault-plugin-secrets-hello/version"
)

// getTestBackend returns a backend on fresh in-memory storage, as Vault
// would hand it to the plugin for a new mount.
func getTestBackend(t *testing.T) (*backend, logical.Storage) {
	t.Helper()

	config := logical.TestBackendConfig()
	config.StorageView = new(logical.InmemStorage)

	b, err := Factory(t.Context(), config)
	if err != nil {
		t.Fatalf("Factory: %v", err)
	}
	return b.(*backend), config.StorageView
}

// doRequest sends a request through HandleRequest, as Vault's router would.
func doRequest(t *testing.T, b *backend, s logical.Storage, op logical.Operation, path string, data map[string]interface{}) (*logical.Response, error) {
	t.Helper()
	return b.HandleRequest(t.Context(), &logical.Request{
		Operation: op,
		Path:      path,
		Data:      data,
		Storage:   s,
	})
}

// mustConfigure writes config and fails the test on any error.
func mustConfigure(t *testing.T, b *backend, s logical.Storage, data map[string]interface{}) {
	t.Helper()
	resp, err := doRequest(t, b, s, logical.CreateOperation, configPath, data)
	if err != nil || (resp != nil && resp.IsError()) {
		t.Fatalf("writing config: err=%v resp=%#v", err, resp)
	}
}

// statusCode maps a backend result to the HTTP status Vault would send.
func statusCode(t *testing.T, op logical.Operation, resp *logical.Response, err error) int {
	t.Helper()
	code, _ := logical.RespondErrorCommon(&logical.Request{Operation: op}, resp, err)
	if code == 0 {
		return http.StatusOK
	}
	return code
}

func TestFactory(t *testing.T) {
	b, _ := getTestBackend(t)

	if got, want := b.Type(), logical.TypeLogical; got != want {
		t.Errorf("Type() = %v, want %v", got, want)
	}
	if got, want := b.PluginVersion().Version, "v"+version.Version; got != want {
		t.Errorf("PluginVersion() = %q, want %q", got, want)
	}
}

func TestPaths_OperationIDs(t *testing.T) {
	// Every path names its OpenAPI operations, so clients generated from
	// Vault's OpenAPI document get stable method names.
	b, _ := getTestBackend(t)
	for _, p := range b.Paths {
		if p.DisplayAttrs == nil || p.DisplayAttrs.OperationPrefix != operationPrefix {
			t.Errorf("path %q: DisplayAttrs.OperationPrefix is not %q", p.Pattern, operationPrefix)
		}
	}
}
