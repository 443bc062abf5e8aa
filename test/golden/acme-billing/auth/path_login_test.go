package acmebilling

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/vault/sdk/logical"
	"golang.org/x/crypto/bcrypt"
)

func TestLogin_Success(t *testing.T) {
	b, s := getTestBackend(t)
	mustWriteUser(t, b, s, "alice", map[string]interface{}{
		"password":       "correct horse",
		"token_policies": "default,dev",
		"token_ttl":      "10m",
		"token_max_ttl":  "1h",
	})

	auth := mustLogin(t, b, s, "alice", "correct horse")

	if want := []string{"default", "dev"}; !slices.Equal(auth.Policies, want) {
		t.Errorf("Policies = %v, want %v", auth.Policies, want)
	}
	if got := auth.Metadata["username"]; got != "alice" {
		t.Errorf(`Metadata["username"] = %q, want "alice"`, got)
	}
	if auth.DisplayName != "alice" {
		t.Errorf("DisplayName = %q, want %q", auth.DisplayName, "alice")
	}
	if auth.Alias == nil || auth.Alias.Name != "alice" {
		t.Errorf("Alias = %#v, want name alice", auth.Alias)
	}
	if got := auth.InternalData["username"]; got != "alice" {
		t.Errorf(`InternalData["username"] = %#v, want "alice"`, got)
	}
	if len(auth.InternalData) != 1 {
		t.Errorf("InternalData = %v, want only the username", auth.InternalData)
	}
	if got, want := auth.TTL, 10*time.Minute; got != want {
		t.Errorf("TTL = %v, want %v", got, want)
	}
	if got, want := auth.MaxTTL, time.Hour; got != want {
		t.Errorf("MaxTTL = %v, want %v", got, want)
	}
	if !auth.Renewable {
		t.Error("token is not renewable")
	}
}

func TestLogin_TTLs(t *testing.T) {
	tests := []struct {
		name       string
		config     map[string]interface{}
		user       map[string]interface{}
		wantTTL    time.Duration
		wantMaxTTL time.Duration
	}{
		{
			name:       "defaults without config",
			wantTTL:    defaultTTL,
			wantMaxTTL: defaultMaxTTL,
		},
		{
			name:       "from config",
			config:     map[string]interface{}{"custom_prefix": "Hi", "ttl": "5m", "max_ttl": "2h"},
			wantTTL:    5 * time.Minute,
			wantMaxTTL: 2 * time.Hour,
		},
		{
			name:       "user overrides config",
			config:     map[string]interface{}{"custom_prefix": "Hi", "ttl": "5m", "max_ttl": "2h"},
			user:       map[string]interface{}{"token_ttl": "1m"},
			wantTTL:    time.Minute,
			wantMaxTTL: 2 * time.Hour,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, s := getTestBackend(t)
			if tt.config != nil {
				mustConfigure(t, b, s, tt.config)
			}
			user := map[string]interface{}{"password": "pw"}
			for k, v := range tt.user {
				user[k] = v
			}
			mustWriteUser(t, b, s, "alice", user)

			auth := mustLogin(t, b, s, "alice", "pw")
			if auth.TTL != tt.wantTTL || auth.MaxTTL != tt.wantMaxTTL {
				t.Errorf("TTL, MaxTTL = %v, %v; want %v, %v", auth.TTL, auth.MaxTTL, tt.wantTTL, tt.wantMaxTTL)
			}
		})
	}
}

func TestLogin_TokenSettings(t *testing.T) {
	b, s := getTestBackend(t)
	mustWriteUser(t, b, s, "alice", map[string]interface{}{
		"password":          "pw",
		"token_type":        "batch",
		"token_max_ttl":     "2h",
		"token_policies":    "dev",
		"token_bound_cidrs": []string{"127.0.0.1/32"},
	})

	resp, err := loginFrom(t, b, s, "127.0.0.1", "alice", "pw")
	if err != nil || resp == nil || resp.Auth == nil {
		t.Fatalf("login from a bound address: err=%v resp=%#v", err, resp)
	}
	auth := resp.Auth
	if auth.TokenType != logical.TokenTypeBatch {
		t.Errorf("TokenType = %v, want batch", auth.TokenType)
	}
	if len(auth.BoundCIDRs) != 1 || auth.BoundCIDRs[0].String() != "127.0.0.1" {
		t.Errorf("BoundCIDRs = %v, want [127.0.0.1]", auth.BoundCIDRs)
	}
	if got, want := auth.MaxTTL, 2*time.Hour; got != want {
		t.Errorf("MaxTTL = %v, want %v", got, want)
	}
	if got, want := auth.TTL, defaultTTL; got != want {
		t.Errorf("TTL = %v, want the default %v", got, want)
	}
}

func TestLogin_PeriodicTokenKeepsNoTTL(t *testing.T) {
	b, s := getTestBackend(t)
	mustWriteUser(t, b, s, "alice", map[string]interface{}{"password": "pw", "token_period": "30m"})

	auth := mustLogin(t, b, s, "alice", "pw")
	if auth.Period != 30*time.Minute || auth.TTL != 0 || auth.MaxTTL != 0 {
		t.Errorf("Period, TTL, MaxTTL = %v, %v, %v; want 30m, 0, 0", auth.Period, auth.TTL, auth.MaxTTL)
	}
}

func TestLogin_BoundCIDRs(t *testing.T) {
	b, s := getTestBackend(t)
	mustWriteUser(t, b, s, "alice", map[string]interface{}{"password": "pw", "token_bound_cidrs": "10.0.0.0/8"})

	for name, from := range map[string]string{"without connection information": "", "from another network": "192.168.1.7"} {
		t.Run(name, func(t *testing.T) {
			resp, err := loginFrom(t, b, s, from, "alice", "pw")
			if !errors.Is(err, logical.ErrPermissionDenied) {
				t.Fatalf("login from %q outside token_bound_cidrs: err=%v resp=%#v, want permission denied", from, err, resp)
			}
		})
	}
	if resp, err := loginFrom(t, b, s, "10.1.2.3", "alice", "pw"); err != nil || resp == nil || resp.Auth == nil {
		t.Fatalf("login from inside token_bound_cidrs: err=%v resp=%#v", err, resp)
	}
}

func TestLogin_Denied(t *testing.T) {
	// Every case must look the same to the client: which part was wrong
	// is not revealed.
	tests := []struct {
		name     string
		username string
		password string
	}{
		{name: "wrong password", username: "alice", password: "wrong"},
		{name: "unknown user", username: "mallory", password: "correct horse"},
		{name: "username no user can have", username: "../config", password: "correct horse"},
		{name: "right password with extra bytes past bcrypt's limit", username: "long", password: strings.Repeat("p", maxPasswordBytes) + "extra"},
	}
	b, s := getTestBackend(t)
	mustWriteUser(t, b, s, "alice", map[string]interface{}{"password": "correct horse"})
	mustWriteUser(t, b, s, "long", map[string]interface{}{"password": strings.Repeat("p", maxPasswordBytes)})

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := login(t, b, s, tt.username, tt.password)
			if resp != nil {
				t.Errorf("response = %#v, want none", resp)
			}
			if !errors.Is(err, logical.ErrPermissionDenied) || err.Error() != logical.ErrPermissionDenied.Error() {
				t.Fatalf("err = %v, want exactly %v", err, logical.ErrPermissionDenied)
			}
			if got := statusCode(t, logical.UpdateOperation, resp, err); got != http.StatusForbidden {
				t.Errorf("status %d, want 403", got)
			}
		})
	}
}

func TestLogin_MissingInput(t *testing.T) {
	b, s := getTestBackend(t)

	for _, data := range []map[string]interface{}{
		{"username": "alice"},
		{"password": "pw"},
		{},
	} {
		resp, err := doRequest(t, b, s, logical.UpdateOperation, loginPath, data)
		if got := statusCode(t, logical.UpdateOperation, resp, err); got != http.StatusBadRequest {
			t.Fatalf("login with %v: status %d, want 400 (err=%v resp=%#v)", data, got, err, resp)
		}
	}
}

// The dummy hash only hides unknown users if checking it costs as much as
// checking a real one.
func TestLogin_DummyHashCostMatchesUsers(t *testing.T) {
	cost, err := bcrypt.Cost([]byte(dummyPasswordHash))
	if err != nil {
		t.Fatalf("dummy hash: %v", err)
	}
	// Compared with the default, not passwordCost, which TestMain lowers.
	if cost != bcrypt.DefaultCost {
		t.Fatalf("dummy hash cost = %d, want bcrypt.DefaultCost (%d)", cost, bcrypt.DefaultCost)
	}
}

func TestLogin_AliasLookahead(t *testing.T) {
	b, s := getTestBackend(t)

	resp, err := doRequest(t, b, s, logical.AliasLookaheadOperation, loginPath, map[string]interface{}{"username": "alice"})
	if err != nil || resp == nil || resp.IsError() {
		t.Fatalf("alias lookahead: err=%v resp=%#v", err, resp)
	}
	if resp.Auth == nil || resp.Auth.Alias == nil || resp.Auth.Alias.Name != "alice" {
		t.Fatalf("alias lookahead returned %#v, want alias alice", resp.Auth)
	}
}

func TestLogin_Renew(t *testing.T) {
	b, s := getTestBackend(t)
	mustWriteUser(t, b, s, "alice", map[string]interface{}{"password": "pw", "token_policies": "dev", "token_ttl": "10m", "token_max_ttl": "1h"})
	auth := mustLogin(t, b, s, "alice", "pw")

	t.Run("renew", func(t *testing.T) {
		resp, err := renewRequest(t, b, s, auth)
		if err != nil || resp == nil || resp.IsError() {
			t.Fatalf("renew: err=%v resp=%#v", err, resp)
		}
		if resp.Auth == nil || resp.Auth.TTL != 10*time.Minute || resp.Auth.MaxTTL != time.Hour {
			t.Fatalf("renew returned %#v, want TTL 10m, MaxTTL 1h", resp.Auth)
		}
	})

	t.Run("renew uses the user's current ttl", func(t *testing.T) {
		mustWriteUser(t, b, s, "alice", map[string]interface{}{"token_ttl": "20m"})
		resp, err := renewRequest(t, b, s, auth)
		if err != nil || resp == nil || resp.IsError() {
			t.Fatalf("renew: err=%v resp=%#v", err, resp)
		}
		if got, want := resp.Auth.TTL, 20*time.Minute; got != want {
			t.Errorf("TTL = %v, want %v", got, want)
		}
	})

	t.Run("renew after policies changed fails", func(t *testing.T) {
		mustWriteUser(t, b, s, "alice", map[string]interface{}{"token_policies": "dev,ops"})

		resp, err := renewRequest(t, b, s, auth)
		if got := statusCode(t, logical.RenewOperation, resp, err); got != http.StatusBadRequest {
			t.Fatalf("status %d, want 400 (err=%v resp=%#v)", got, err, resp)
		}
	})

	t.Run("renew after the user was deleted fails", func(t *testing.T) {
		if _, err := doRequest(t, b, s, logical.DeleteOperation, usersPrefix+"alice", nil); err != nil {
			t.Fatal(err)
		}
		resp, err := renewRequest(t, b, s, auth)
		if !errors.Is(err, logical.ErrPermissionDenied) {
			t.Fatalf("renew after delete: err=%v resp=%#v, want permission denied", err, resp)
		}
	})
}

func login(t *testing.T, b *backend, s logical.Storage, username, password string) (*logical.Response, error) {
	t.Helper()
	return doRequest(t, b, s, logical.UpdateOperation, loginPath, map[string]interface{}{
		"username": username,
		"password": password,
	})
}

// loginFrom logs in from a client address, as Vault passes it to the
// plugin; "" sends no connection information at all.
func loginFrom(t *testing.T, b *backend, s logical.Storage, addr, username, password string) (*logical.Response, error) {
	t.Helper()
	req := &logical.Request{
		Operation: logical.UpdateOperation,
		Path:      loginPath,
		Data:      map[string]interface{}{"username": username, "password": password},
		Storage:   s,
	}
	if addr != "" {
		req.Connection = &logical.Connection{RemoteAddr: addr}
	}
	return b.HandleRequest(t.Context(), req)
}

// mustLogin logs in and returns the auth, failing the test on any error.
func mustLogin(t *testing.T, b *backend, s logical.Storage, username, password string) *logical.Auth {
	t.Helper()
	resp, err := login(t, b, s, username, password)
	if err != nil || resp == nil || resp.IsError() || resp.Auth == nil {
		t.Fatalf("login as %q: err=%v resp=%#v", username, err, resp)
	}
	return resp.Auth
}

// renewRequest renews a token the way Vault core does: it sends back the
// auth from login, with the policies core recorded on the token (login's
// plus "default") and the internal data the plugin attached.
func renewRequest(t *testing.T, b *backend, s logical.Storage, auth *logical.Auth) (*logical.Response, error) {
	t.Helper()
	copied := *auth
	copied.TokenPolicies = append(slices.Clone(auth.Policies), "default")
	return b.HandleRequest(t.Context(), &logical.Request{
		Operation: logical.RenewOperation,
		Path:      loginPath,
		Auth:      &copied,
		Storage:   s,
	})
}
