package acmebilling

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/helper/testhelpers/schema"
	"github.com/hashicorp/vault/sdk/logical"

	"example.com/vault-plugin-auth-acme-billing/version"
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
	resp, err := b.HandleRequest(t.Context(), &logical.Request{
		Operation: op,
		Path:      path,
		Data:      data,
		Storage:   s,
	})
	// An answer must match the response schema its operation declares: that
	// schema is what Vault's OpenAPI (and the API docs) publish.
	if err == nil && resp != nil && !resp.IsError() && declaresResponses(b.Route(path), op) {
		schema.ValidateResponse(t, schema.GetResponseSchema(t, b.Route(path), op), resp, true)
	}
	return resp, err
}

// declaresResponses tells whether the path's operation has a response
// schema to check an answer against (help, and paths without one, do not).
func declaresResponses(route *framework.Path, op logical.Operation) bool {
	if route == nil {
		return false
	}
	handler, ok := route.Operations[op]
	return ok && len(handler.Properties().Responses) > 0
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

	if got, want := b.Type(), logical.TypeCredential; got != want {
		t.Errorf("Type() = %v, want %v", got, want)
	}
	if got, want := b.PluginVersion().Version, "v"+version.Version; got != want {
		t.Errorf("PluginVersion() = %q, want %q", got, want)
	}
}

func TestPaths_OperationIDs(t *testing.T) {
	// The OpenAPI document Vault serves for the mount comes from here: every
	// operation must carry the prefix, and no ID may name two operations,
	// so clients generated from it get stable, distinct method names.
	b, s := getTestBackend(t)
	// Root help asks Vault for its version, which the test view lacks.
	b.System().(*logical.StaticSystemView).PluginEnvironment = &logical.PluginEnvironment{}
	resp, err := doRequest(t, b, s, logical.HelpOperation, "", nil)
	if err != nil || resp == nil {
		t.Fatalf("root help: err=%v resp=%#v", err, resp)
	}
	doc, ok := resp.Data["openapi"].(*framework.OASDocument)
	if !ok {
		t.Fatalf("root help has no OpenAPI document: %#v", resp.Data)
	}
	seen := map[string]string{}
	for path, item := range doc.Paths {
		for method, op := range map[string]*framework.OASOperation{"get": item.Get, "post": item.Post, "patch": item.Patch, "delete": item.Delete} {
			if op == nil {
				continue
			}
			where := method + " " + path
			if !strings.HasPrefix(op.OperationID, operationPrefix+"-") {
				t.Errorf("%s: operation ID %q does not start with %q", where, op.OperationID, operationPrefix+"-")
			}
			if other, dup := seen[op.OperationID]; dup {
				t.Errorf("%s and %s share the operation ID %q", where, other, op.OperationID)
			}
			seen[op.OperationID] = where
		}
	}
	if len(seen) < len(b.Paths) {
		t.Errorf("%d operations for %d paths: %v", len(seen), len(b.Paths), seen)
	}
}
