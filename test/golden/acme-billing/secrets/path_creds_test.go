package acmebilling

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/vault/sdk/logical"
)

func TestCreds_BeforeConfig(t *testing.T) {
	b, s := getTestBackend(t)

	resp, err := doRequest(t, b, s, logical.ReadOperation, "creds", nil)
	if got := statusCode(t, logical.ReadOperation, resp, err); got != http.StatusBadRequest {
		t.Fatalf("status %d, want 400 (err=%v resp=%#v)", got, err, resp)
	}
}

func TestCreds_Lifecycle(t *testing.T) {
	b, s := getTestBackend(t)
	mustConfigure(t, b, s, map[string]interface{}{"custom_prefix": "Hi", "ttl": "10m", "max_ttl": "1h"})

	resp, err := doRequest(t, b, s, logical.ReadOperation, "creds", nil)
	if err != nil || resp == nil || resp.IsError() {
		t.Fatalf("read creds: err=%v resp=%#v", err, resp)
	}
	if resp.Secret == nil {
		t.Fatal("creds response has no secret (no lease)")
	}
	if got, want := resp.Secret.TTL, 10*time.Minute; got != want {
		t.Errorf("TTL = %v, want %v", got, want)
	}
	if got, want := resp.Secret.MaxTTL, time.Hour; got != want {
		t.Errorf("MaxTTL = %v, want %v", got, want)
	}
	if !resp.Secret.Renewable {
		t.Error("secret is not renewable")
	}
	token, _ := resp.Data["token"].(string)
	if !strings.HasPrefix(token, tokenPrefix) || len(token) <= len(tokenPrefix) {
		t.Errorf("token = %q, want a %q-prefixed random token", token, tokenPrefix)
	}
	secret := resp.Secret

	t.Run("tracked in storage", func(t *testing.T) {
		entry, err := s.Get(t.Context(), credsPrefix+resp.Data["token_id"].(string))
		if err != nil || entry == nil {
			t.Fatalf("token entry: %v, %v", entry, err)
		}
		if strings.Contains(string(entry.Value), token) {
			t.Error("storage holds the raw token")
		}
	})

	t.Run("renew", func(t *testing.T) {
		resp, err := secretRequest(t, b, s, logical.RenewOperation, secret)
		if err != nil || resp == nil || resp.IsError() {
			t.Fatalf("renew: err=%v resp=%#v", err, resp)
		}
		if resp.Secret == nil || resp.Secret.TTL <= 0 {
			t.Fatalf("renew returned no lease: %#v", resp.Secret)
		}
	})

	t.Run("revoke", func(t *testing.T) {
		resp, err := secretRequest(t, b, s, logical.RevokeOperation, secret)
		if err != nil || (resp != nil && resp.IsError()) {
			t.Fatalf("revoke: err=%v resp=%#v", err, resp)
		}
		keys, err := s.List(t.Context(), credsPrefix)
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 0 {
			t.Fatalf("storage still holds %v after revoke", keys)
		}
	})

	t.Run("revoke again is a no-op", func(t *testing.T) {
		resp, err := secretRequest(t, b, s, logical.RevokeOperation, secret)
		if err != nil || (resp != nil && resp.IsError()) {
			t.Fatalf("second revoke: err=%v resp=%#v", err, resp)
		}
	})

	t.Run("renew after revoke fails", func(t *testing.T) {
		resp, err := secretRequest(t, b, s, logical.RenewOperation, secret)
		if err == nil && (resp == nil || !resp.IsError()) {
			t.Fatalf("renew after revoke succeeded: %#v", resp)
		}
	})
}

// secretRequest renews or revokes a lease the way Vault core does: it sends
// back the secret, including the internal data the plugin attached.
func secretRequest(t *testing.T, b *backend, s logical.Storage, op logical.Operation, secret *logical.Secret) (*logical.Response, error) {
	t.Helper()
	copied := *secret
	return b.HandleRequest(t.Context(), &logical.Request{
		Operation: op,
		Storage:   s,
		Secret:    &copied,
	})
}
