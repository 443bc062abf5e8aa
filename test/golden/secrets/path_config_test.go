package hello

import (
	"net/http"
	"testing"

	"github.com/hashicorp/vault/sdk/logical"
)

func TestConfig_CRUD(t *testing.T) {
	b, s := getTestBackend(t)

	resp, err := doRequest(t, b, s, logical.ReadOperation, configPath, nil)
	if got := statusCode(t, logical.ReadOperation, resp, err); got != http.StatusNotFound {
		t.Fatalf("read before create: status %d, want 404", got)
	}

	exists, err := b.pathConfigExistenceCheck(t.Context(), &logical.Request{Storage: s}, nil)
	if err != nil || exists {
		t.Fatalf("existence check before create = %v, %v; want false, nil", exists, err)
	}

	mustConfigure(t, b, s, map[string]interface{}{
		"custom_prefix": "Hi",
		"api_key":       "s3cr3t",
	})
	assertConfig(t, b, s, map[string]interface{}{
		"custom_prefix": "Hi",
		"ttl":           int64(defaultTTL.Seconds()),
		"max_ttl":       int64(defaultMaxTTL.Seconds()),
	})

	exists, err = b.pathConfigExistenceCheck(t.Context(), &logical.Request{Storage: s}, nil)
	if err != nil || !exists {
		t.Fatalf("existence check after create = %v, %v; want true, nil", exists, err)
	}

	// An update changes only the fields it names.
	resp, err = doRequest(t, b, s, logical.UpdateOperation, configPath, map[string]interface{}{"ttl": "30m"})
	if err != nil || resp.IsError() {
		t.Fatalf("update: err=%v resp=%#v", err, resp)
	}
	assertConfig(t, b, s, map[string]interface{}{
		"custom_prefix": "Hi",
		"ttl":           int64(1800),
		"max_ttl":       int64(defaultMaxTTL.Seconds()),
	})

	resp, err = doRequest(t, b, s, logical.DeleteOperation, configPath, nil)
	if err != nil || resp.IsError() {
		t.Fatalf("delete: err=%v resp=%#v", err, resp)
	}
	resp, err = doRequest(t, b, s, logical.ReadOperation, configPath, nil)
	if got := statusCode(t, logical.ReadOperation, resp, err); got != http.StatusNotFound {
		t.Fatalf("read after delete: status %d, want 404", got)
	}
}

func TestConfig_SensitiveFieldNotReturned(t *testing.T) {
	b, s := getTestBackend(t)
	mustConfigure(t, b, s, map[string]interface{}{"custom_prefix": "Hi", "api_key": "s3cr3t"})

	resp, err := doRequest(t, b, s, logical.ReadOperation, configPath, nil)
	if err != nil || resp.IsError() {
		t.Fatalf("read: err=%v resp=%#v", err, resp)
	}
	if _, ok := resp.Data["api_key"]; ok {
		t.Fatal("read returned api_key")
	}
	for k, v := range resp.Data {
		if v == "s3cr3t" {
			t.Fatalf("read returned the api_key value under %q", k)
		}
	}

	// It is still stored: the plugin needs it, only reads must hide it.
	cfg, err := b.getConfig(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.APIKey != "s3cr3t" {
		t.Fatalf("stored api_key = %q, want it kept", cfg.APIKey)
	}
}

func TestConfig_InvalidInput(t *testing.T) {
	tests := []struct {
		name      string
		configure bool
		op        logical.Operation
		data      map[string]interface{}
		wantErr   string
	}{
		{
			name:    "create without custom_prefix",
			op:      logical.CreateOperation,
			data:    map[string]interface{}{"api_key": "s3cr3t"},
			wantErr: "custom_prefix is required",
		},
		{
			name:    "create with blank custom_prefix",
			op:      logical.CreateOperation,
			data:    map[string]interface{}{"custom_prefix": "  "},
			wantErr: "custom_prefix is required",
		},
		{
			name:      "update clearing custom_prefix",
			configure: true,
			op:        logical.UpdateOperation,
			data:      map[string]interface{}{"custom_prefix": ""},
			wantErr:   "custom_prefix is required",
		},
		{
			name:    "ttl above max_ttl",
			op:      logical.CreateOperation,
			data:    map[string]interface{}{"custom_prefix": "Hi", "ttl": "2h", "max_ttl": "1h"},
			wantErr: "ttl must not be greater than max_ttl",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, s := getTestBackend(t)
			if tt.configure {
				mustConfigure(t, b, s, map[string]interface{}{"custom_prefix": "Hi"})
			}

			resp, err := doRequest(t, b, s, tt.op, configPath, tt.data)
			if got := statusCode(t, tt.op, resp, err); got != http.StatusBadRequest {
				t.Fatalf("status %d, want 400 (err=%v resp=%#v)", got, err, resp)
			}
			if got := resp.Error().Error(); got != tt.wantErr {
				t.Fatalf("error = %q, want %q", got, tt.wantErr)
			}
		})
	}
}

func TestConfig_InvalidateDropsCache(t *testing.T) {
	b, s := getTestBackend(t)
	mustConfigure(t, b, s, map[string]interface{}{"custom_prefix": "old"})

	// Simulate another node changing config behind this node's cache.
	entry, err := logical.StorageEntryJSON(configPath, &pluginConfig{CustomPrefix: "new"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(t.Context(), entry); err != nil {
		t.Fatal(err)
	}
	b.InvalidateKey(t.Context(), configPath)

	cfg, err := b.getConfig(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CustomPrefix != "new" {
		t.Errorf("custom_prefix = %q after invalidate, want %q", cfg.CustomPrefix, "new")
	}
}

func assertConfig(t *testing.T, b *backend, s logical.Storage, want map[string]interface{}) {
	t.Helper()
	resp, err := doRequest(t, b, s, logical.ReadOperation, configPath, nil)
	if err != nil || resp == nil || resp.IsError() {
		t.Fatalf("read config: err=%v resp=%#v", err, resp)
	}
	if len(resp.Data) != len(want) {
		t.Errorf("config has keys %v, want %v", resp.Data, want)
	}
	for k, v := range want {
		if resp.Data[k] != v {
			t.Errorf("config[%q] = %#v, want %#v", k, resp.Data[k], v)
		}
	}
}
