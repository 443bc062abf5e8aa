package acmebilling

import (
	"strings"
	"testing"

	"github.com/hashicorp/vault/sdk/database/dbplugin/v5"
	"github.com/hashicorp/vault/sdk/logical"

	"example.com/vault-plugin-database-acme-billing/version"
)

// newTestDB returns the plugin as Vault sees it: wrapped in the error
// sanitizer middleware.
func newTestDB(t *testing.T) dbplugin.Database {
	t.Helper()

	raw, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	db, ok := raw.(dbplugin.Database)
	if !ok {
		t.Fatalf("New returned %T, not a dbplugin.Database", raw)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// unreachableURL points at a port nothing listens on; tests that use it
// never verify the connection unless they expect the failure.
const unreachableURL = "postgres://{{username}}:{{password}}@127.0.0.1:1/postgres?sslmode=disable"

func TestDB_Type(t *testing.T) {
	got, err := newTestDB(t).Type()
	if err != nil || got != typeName {
		t.Errorf("Type() = %q, %v; want %q, nil", got, err, typeName)
	}
}

func TestDB_PluginVersion(t *testing.T) {
	versioner, ok := newTestDB(t).(logical.PluginVersioner)
	if !ok {
		t.Fatal("the wrapped plugin does not implement logical.PluginVersioner")
	}
	if got, want := versioner.PluginVersion().Version, "v"+version.Version; got != want {
		t.Errorf("PluginVersion() = %q, want %q", got, want)
	}
}

func TestInitialize_InvalidConfig(t *testing.T) {
	tests := []struct {
		name    string
		config  map[string]interface{}
		wantErr string
	}{
		{
			name:    "missing connection_url",
			config:  map[string]interface{}{"username": "admin", "password": "secret"},
			wantErr: "connection_url is required",
		},
		{
			name:    "template without username",
			config:  map[string]interface{}{"connection_url": unreachableURL, "password": "secret"},
			wantErr: "username is not set",
		},
		{
			name:    "template without password",
			config:  map[string]interface{}{"connection_url": unreachableURL, "username": "admin"},
			wantErr: "password is not set",
		},
		{
			name:    "username_template does not parse",
			config:  validConfig(map[string]interface{}{"username_template": "{{ .RoleName"}),
			wantErr: "invalid username_template",
		},
		{
			name:    "username_template does not run",
			config:  validConfig(map[string]interface{}{"username_template": "{{ .NoSuchField }}"}),
			wantErr: "invalid username_template",
		},
		{
			name:    "max_open_connections not a number",
			config:  validConfig(map[string]interface{}{"max_open_connections": "many"}),
			wantErr: "invalid max_open_connections",
		},
		{
			name:    "max_connection_lifetime not a duration",
			config:  validConfig(map[string]interface{}{"max_connection_lifetime": "soon"}),
			wantErr: "invalid max_connection_lifetime",
		},
		{
			name:    "connection_url does not parse",
			config:  validConfig(map[string]interface{}{"connection_url": "postgres://{{username}}:{{password}}@127.0.0.1:notaport/postgres"}),
			wantErr: "unable to parse connection url",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newTestDB(t).Initialize(t.Context(), dbplugin.InitializeRequest{Config: tt.config})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Initialize error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestInitialize_WithoutVerifyDoesNotConnect(t *testing.T) {
	config := validConfig(nil)
	resp, err := newTestDB(t).Initialize(t.Context(), dbplugin.InitializeRequest{Config: config})
	if err != nil {
		t.Fatalf("Initialize: %v", err)
	}

	// Vault saves this config and initializes from it after a restart.
	if resp.Config["password"] != config["password"] {
		t.Errorf("returned config lost the password: %v", resp.Config)
	}
	if got := resp.Config[dbplugin.SupportedCredentialTypesKey]; len(got.([]interface{})) != 1 {
		t.Errorf("supported credential types = %v, want only password", got)
	}
}

func TestInitialize_ErrorsHidePassword(t *testing.T) {
	const password = "s3cr3t-p@ss/word"
	tests := []struct {
		name          string
		connectionURL string
	}{
		{"templated URL that does not connect", unreachableURL},
		{"password written into the URL", "postgres://admin:" + escapeUserinfo(password) + "@127.0.0.1:1/postgres"},
		{"URL that does not parse", "postgres://{{username}}:{{password}}@127.0.0.1:port/postgres"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newTestDB(t).Initialize(t.Context(), dbplugin.InitializeRequest{
				Config: map[string]interface{}{
					"connection_url": tt.connectionURL,
					"username":       "admin",
					"password":       password,
				},
				VerifyConnection: true,
			})
			if err == nil {
				t.Fatal("Initialize succeeded, want an error")
			}
			t.Logf("error: %v", err)
			for _, secret := range []string{password, escapeUserinfo(password)} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error contains the password: %v", err)
				}
			}
		})
	}
}

func TestUsers_BeforeInitialize(t *testing.T) {
	db := newTestDB(t)
	ctx := t.Context()

	_, err := db.NewUser(ctx, dbplugin.NewUserRequest{
		Statements: dbplugin.Statements{Commands: []string{`CREATE ROLE "{{name}}"`}},
		Password:   "secret",
	})
	if err == nil || !strings.Contains(err.Error(), errNotInitialized.Error()) {
		t.Errorf("NewUser error = %v, want %q", err, errNotInitialized)
	}
	_, err = db.DeleteUser(ctx, dbplugin.DeleteUserRequest{Username: "someone"})
	if err == nil || !strings.Contains(err.Error(), errNotInitialized.Error()) {
		t.Errorf("DeleteUser error = %v, want %q", err, errNotInitialized)
	}
}

func TestUsers_InvalidRequests(t *testing.T) {
	db := newTestDB(t)
	ctx := t.Context()
	if _, err := db.Initialize(ctx, dbplugin.InitializeRequest{Config: validConfig(nil)}); err != nil {
		t.Fatalf("Initialize: %v", err)
	}
	create := dbplugin.Statements{Commands: []string{`CREATE ROLE "{{name}}"`}}

	tests := []struct {
		name    string
		call    func() error
		wantErr string
	}{
		{"NewUser without statements", func() error {
			_, err := db.NewUser(ctx, dbplugin.NewUserRequest{Password: "secret"})
			return err
		}, "no creation_statements"},
		{"NewUser with a key pair", func() error {
			_, err := db.NewUser(ctx, dbplugin.NewUserRequest{
				Statements: create, CredentialType: dbplugin.CredentialTypeRSAPrivateKey,
			})
			return err
		}, "unsupported credential type"},
		{"UpdateUser without changes", func() error {
			_, err := db.UpdateUser(ctx, dbplugin.UpdateUserRequest{Username: "someone"})
			return err
		}, "no changes requested"},
		{"UpdateUser without username", func() error {
			_, err := db.UpdateUser(ctx, dbplugin.UpdateUserRequest{Password: &dbplugin.ChangePassword{NewPassword: "x"}})
			return err
		}, "missing username"},
		{"UpdateUser with empty password", func() error {
			_, err := db.UpdateUser(ctx, dbplugin.UpdateUserRequest{Username: "someone", Password: &dbplugin.ChangePassword{}})
			return err
		}, "missing new password"},
		{"DeleteUser without username", func() error {
			_, err := db.DeleteUser(ctx, dbplugin.DeleteUserRequest{})
			return err
		}, "missing username"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// validConfig is a config Initialize accepts, with overrides applied.
func validConfig(overrides map[string]interface{}) map[string]interface{} {
	config := map[string]interface{}{
		"connection_url": unreachableURL,
		"username":       "admin",
		"password":       "secret",
	}
	for k, v := range overrides {
		config[k] = v
	}
	return config
}
