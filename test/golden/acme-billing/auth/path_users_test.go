package acmebilling

import (
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/helper/tokenutil"
	"github.com/hashicorp/vault/sdk/logical"
	"golang.org/x/crypto/bcrypt"
)

// TestMain hashes passwords at bcrypt's lowest cost: the tests check what
// is stored and compared, not how slow it is, and run many times faster.
func TestMain(m *testing.M) {
	passwordCost = bcrypt.MinCost
	os.Exit(m.Run())
}

func TestUsers_CRUD(t *testing.T) {
	b, s := getTestBackend(t)
	path := usersPrefix + "alice"

	resp, err := doRequest(t, b, s, logical.ReadOperation, path, nil)
	if got := statusCode(t, logical.ReadOperation, resp, err); got != http.StatusNotFound {
		t.Fatalf("read before create: status %d, want 404", got)
	}
	assertUserExists(t, b, s, "alice", false)

	mustWriteUser(t, b, s, "alice", map[string]interface{}{
		"password":       "correct horse",
		"token_policies": "dev, Admin,dev",
	})
	assertUser(t, b, s, "alice", map[string]interface{}{
		"token_policies": []string{"admin", "dev"},
		"token_ttl":      int64(0),
		"token_max_ttl":  int64(0),
		"token_type":     "default",
	})
	assertUserExists(t, b, s, "alice", true)
	hashBefore := storedUser(t, s, "alice").PasswordHash

	// An update changes only the fields it names; the password is kept.
	resp, err = doRequest(t, b, s, logical.UpdateOperation, path, map[string]interface{}{"token_ttl": "10m", "token_max_ttl": "1h"})
	if err != nil || resp.IsError() {
		t.Fatalf("update: err=%v resp=%#v", err, resp)
	}
	assertUser(t, b, s, "alice", map[string]interface{}{
		"token_policies": []string{"admin", "dev"},
		"token_ttl":      int64(600),
		"token_max_ttl":  int64(3600),
	})
	if !slices.Equal(storedUser(t, s, "alice").PasswordHash, hashBefore) {
		t.Error("update without password changed the stored hash")
	}

	// Policies also come as a list.
	resp, err = doRequest(t, b, s, logical.UpdateOperation, path, map[string]interface{}{
		"token_policies": []interface{}{"ops"},
		"password":       "battery staple",
	})
	if err != nil || resp.IsError() {
		t.Fatalf("update policies and password: err=%v resp=%#v", err, resp)
	}
	assertUser(t, b, s, "alice", map[string]interface{}{
		"token_policies": []string{"ops"},
		"token_ttl":      int64(600),
		"token_max_ttl":  int64(3600),
	})
	if err := bcrypt.CompareHashAndPassword(storedUser(t, s, "alice").PasswordHash, []byte("battery staple")); err != nil {
		t.Errorf("stored hash does not match the new password: %v", err)
	}

	resp, err = doRequest(t, b, s, logical.DeleteOperation, path, nil)
	if err != nil || resp.IsError() {
		t.Fatalf("delete: err=%v resp=%#v", err, resp)
	}
	resp, err = doRequest(t, b, s, logical.ReadOperation, path, nil)
	if got := statusCode(t, logical.ReadOperation, resp, err); got != http.StatusNotFound {
		t.Fatalf("read after delete: status %d, want 404", got)
	}
}

func TestUsers_List(t *testing.T) {
	b, s := getTestBackend(t)

	resp, err := doRequest(t, b, s, logical.ListOperation, usersPrefix, nil)
	if got := statusCode(t, logical.ListOperation, resp, err); got != http.StatusNotFound {
		t.Fatalf("list with no users: status %d, want 404", got)
	}

	mustWriteUser(t, b, s, "bob", map[string]interface{}{"password": "pw-bob"})
	mustWriteUser(t, b, s, "alice", map[string]interface{}{"password": "pw-alice"})

	resp, err = doRequest(t, b, s, logical.ListOperation, usersPrefix, nil)
	if err != nil || resp == nil || resp.IsError() {
		t.Fatalf("list: err=%v resp=%#v", err, resp)
	}
	keys, _ := resp.Data["keys"].([]string)
	slices.Sort(keys)
	if want := []string{"alice", "bob"}; !slices.Equal(keys, want) {
		t.Errorf("keys = %v, want %v", keys, want)
	}
}

func TestUsers_ReadReturnsTokenFields(t *testing.T) {
	b, s := getTestBackend(t)
	mustWriteUser(t, b, s, "alice", map[string]interface{}{"password": "pw", "token_bound_cidrs": "10.0.0.0/8"})

	resp, err := doRequest(t, b, s, logical.ReadOperation, usersPrefix+"alice", nil)
	if err != nil || resp == nil || resp.IsError() {
		t.Fatalf("read: err=%v resp=%#v", err, resp)
	}
	// Exactly the token_* fields every HashiCorp auth method reads back.
	fields := tokenutil.TokenFields()
	if len(resp.Data) != len(fields) {
		t.Errorf("read returned %v, want the %d token fields", resp.Data, len(fields))
	}
	for key := range fields {
		if _, ok := resp.Data[key]; !ok {
			t.Errorf("read did not return %s", key)
		}
	}
	cidrs := storedUser(t, s, "alice").TokenBoundCIDRs
	if len(cidrs) != 1 || cidrs[0].String() != "10.0.0.0/8" {
		t.Errorf("stored token_bound_cidrs = %v, want [10.0.0.0/8]", cidrs)
	}
}

func TestUsers_PasswordNeverReturned(t *testing.T) {
	b, s := getTestBackend(t)
	mustWriteUser(t, b, s, "alice", map[string]interface{}{"password": "s3cr3t-pw"})

	resp, err := doRequest(t, b, s, logical.ReadOperation, usersPrefix+"alice", nil)
	if err != nil || resp == nil || resp.IsError() {
		t.Fatalf("read: err=%v resp=%#v", err, resp)
	}
	for _, key := range []string{"password", "password_hash"} {
		if _, ok := resp.Data[key]; ok {
			t.Errorf("read returned %s", key)
		}
	}

	// Storage keeps a bcrypt hash, never the password itself.
	entry, err := s.Get(t.Context(), usersPrefix+"alice")
	if err != nil || entry == nil {
		t.Fatalf("user entry: %v, %v", entry, err)
	}
	if strings.Contains(string(entry.Value), "s3cr3t-pw") {
		t.Error("storage holds the raw password")
	}
	if err := bcrypt.CompareHashAndPassword(storedUser(t, s, "alice").PasswordHash, []byte("s3cr3t-pw")); err != nil {
		t.Errorf("stored hash does not match the password: %v", err)
	}
}

func TestUsers_InvalidInput(t *testing.T) {
	tests := []struct {
		name    string
		exists  bool
		op      logical.Operation
		data    map[string]interface{}
		wantErr string
	}{
		{
			name:    "create without password",
			op:      logical.CreateOperation,
			data:    map[string]interface{}{"token_policies": "dev"},
			wantErr: "password is required",
		},
		{
			name:    "create with empty password",
			op:      logical.CreateOperation,
			data:    map[string]interface{}{"password": ""},
			wantErr: "password must not be empty",
		},
		{
			name:    "update clearing password",
			exists:  true,
			op:      logical.UpdateOperation,
			data:    map[string]interface{}{"password": ""},
			wantErr: "password must not be empty",
		},
		{
			name:    "password longer than bcrypt takes",
			op:      logical.CreateOperation,
			data:    map[string]interface{}{"password": strings.Repeat("x", maxPasswordBytes+1)},
			wantErr: "password must be at most 72 bytes",
		},
		{
			name:    "token_ttl above token_max_ttl",
			op:      logical.CreateOperation,
			data:    map[string]interface{}{"password": "pw", "token_ttl": "2h", "token_max_ttl": "1h"},
			wantErr: "'token_ttl' cannot be greater than 'token_max_ttl'",
		},
		{
			name:    "unknown token_type",
			op:      logical.CreateOperation,
			data:    map[string]interface{}{"password": "pw", "token_type": "forever"},
			wantErr: `invalid 'token_type' value "forever"`,
		},
		{
			name:    "token_bound_cidrs not an address",
			op:      logical.CreateOperation,
			data:    map[string]interface{}{"password": "pw", "token_bound_cidrs": "not-a-cidr"},
			wantErr: `error parsing address "not-a-cidr": Unable to convert "not-a-cidr" to an IPv4 or IPv6 address, or a UNIX Socket`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, s := getTestBackend(t)
			if tt.exists {
				mustWriteUser(t, b, s, "alice", map[string]interface{}{"password": "pw"})
			}

			resp, err := doRequest(t, b, s, tt.op, usersPrefix+"alice", tt.data)
			if got := statusCode(t, tt.op, resp, err); got != http.StatusBadRequest {
				t.Fatalf("status %d, want 400 (err=%v resp=%#v)", got, err, resp)
			}
			if got := resp.Error().Error(); got != tt.wantErr {
				t.Fatalf("error = %q, want %q", got, tt.wantErr)
			}
		})
	}
}

func TestUsers_NamePattern(t *testing.T) {
	for _, name := range []string{"-alice", "alice-", "a/b", "al ice"} {
		t.Run(name, func(t *testing.T) {
			b, s := getTestBackend(t)

			// A name outside framework.GenericNameRegex matches no path.
			resp, err := doRequest(t, b, s, logical.CreateOperation, usersPrefix+name, map[string]interface{}{"password": "pw"})
			if got := statusCode(t, logical.CreateOperation, resp, err); got != http.StatusNotFound {
				t.Fatalf("status %d, want 404 (err=%v resp=%#v)", got, err, resp)
			}
		})
	}
}

// mustWriteUser creates or updates a user and fails the test on any error.
func mustWriteUser(t *testing.T, b *backend, s logical.Storage, name string, data map[string]interface{}) {
	t.Helper()
	resp, err := doRequest(t, b, s, logical.CreateOperation, usersPrefix+name, data)
	if err != nil || (resp != nil && resp.IsError()) {
		t.Fatalf("writing user %q: err=%v resp=%#v", name, err, resp)
	}
}

// storedUser reads a user straight from storage, past the API that hides
// the password hash.
func storedUser(t *testing.T, s logical.Storage, name string) *userEntry {
	t.Helper()
	user, err := getUser(t.Context(), s, name)
	if err != nil || user == nil {
		t.Fatalf("stored user %q: %v, %v", name, user, err)
	}
	return user
}

func assertUserExists(t *testing.T, b *backend, s logical.Storage, name string, want bool) {
	t.Helper()
	req := &logical.Request{Operation: logical.CreateOperation, Path: usersPrefix + name, Storage: s}
	d := &framework.FieldData{Raw: map[string]interface{}{"name": name}, Schema: pathUsers(b).Fields}
	exists, err := b.pathUserExistenceCheck(t.Context(), req, d)
	if err != nil || exists != want {
		t.Fatalf("existence check for %q = %v, %v; want %v, nil", name, exists, err, want)
	}
}

func assertUser(t *testing.T, b *backend, s logical.Storage, name string, want map[string]interface{}) {
	t.Helper()
	resp, err := doRequest(t, b, s, logical.ReadOperation, usersPrefix+name, nil)
	if err != nil || resp == nil || resp.IsError() {
		t.Fatalf("read user %q: err=%v resp=%#v", name, err, resp)
	}
	for k, v := range want {
		if wantList, ok := v.([]string); ok {
			if got, _ := resp.Data[k].([]string); !slices.Equal(got, wantList) {
				t.Errorf("user[%q] = %#v, want %#v", k, resp.Data[k], v)
			}
			continue
		}
		if resp.Data[k] != v {
			t.Errorf("user[%q] = %#v, want %#v", k, resp.Data[k], v)
		}
	}
}
