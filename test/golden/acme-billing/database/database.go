package acmebilling

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/hashicorp/vault/sdk/database/dbplugin/v5"
	"github.com/hashicorp/vault/sdk/helper/template"
	"github.com/hashicorp/vault/sdk/logical"
	"github.com/jackc/pgx/v5/stdlib"

	"example.com/vault-plugin-database-acme-billing/version"
)

const (
	// typeName names this plugin in Vault's metrics and logs.
	typeName = "acme-billing"

	// defaultUsernameTemplate keeps names unique and within PostgreSQL's
	// 63-byte identifier limit, and shows which role issued them.
	defaultUsernameTemplate = `{{ printf "v-%s-%s-%s-%s" (.DisplayName | truncate 8) (.RoleName | truncate 8) (random 20) (unix_time) | truncate 63 }}`
)

var (
	_ dbplugin.Database       = (*DB)(nil)
	_ logical.PluginVersioner = (*DB)(nil)
	_ dbplugin.Factory        = New
)

var errNotInitialized = errors.New("plugin is not initialized")

// New returns a DB for dbplugin.ServeMultiplex, wrapped so that no error
// sent back to Vault contains the configured password.
func New() (interface{}, error) {
	db := &DB{}
	return dbplugin.NewDatabaseErrorSanitizerMiddleware(db, db.secretValues), nil
}

// DB manages users in one PostgreSQL server for one Vault database
// connection.
type DB struct {
	// mu guards everything below. Vault calls the plugin concurrently, and
	// Initialize may replace the pool while other calls run.
	mu               sync.RWMutex
	db               *sql.DB
	usernameTemplate template.StringTemplate
	secrets          map[string]string
}

// Initialize checks the configuration, opens the connection pool and, when
// Vault asks for it, checks that PostgreSQL accepts the credentials.
func (d *DB) Initialize(ctx context.Context, req dbplugin.InitializeRequest) (dbplugin.InitializeResponse, error) {
	cfg, err := parseConfig(req.Config)

	// Record the secrets before any further check can fail, so the error
	// sanitizer scrubs them from that failure too.
	d.mu.Lock()
	d.secrets = cfg.secretValues()
	d.mu.Unlock()

	if err != nil {
		return dbplugin.InitializeResponse{}, err
	}

	usernameTemplate, err := template.NewTemplate(template.Template(cfg.UsernameTemplate))
	if err != nil {
		return dbplugin.InitializeResponse{}, fmt.Errorf("invalid username_template: %w", err)
	}
	// A template can parse and still fail to run, e.g. on an unknown field.
	if _, err := usernameTemplate.Generate(dbplugin.UsernameMetadata{}); err != nil {
		return dbplugin.InitializeResponse{}, fmt.Errorf("invalid username_template: %w", err)
	}

	connConfig, err := cfg.pgxConfig()
	if err != nil {
		return dbplugin.InitializeResponse{}, err
	}
	// sql.DB connects lazily; without verify_connection nothing is dialed.
	db := stdlib.OpenDB(*connConfig)
	db.SetMaxOpenConns(cfg.MaxOpenConnections)
	db.SetMaxIdleConns(cfg.MaxIdleConnections)
	db.SetConnMaxLifetime(cfg.MaxConnectionLifetime)

	if req.VerifyConnection {
		if err := db.PingContext(ctx); err != nil {
			_ = db.Close()
			return dbplugin.InitializeResponse{}, fmt.Errorf("verifying connection: %w", err)
		}
	}

	d.mu.Lock()
	previous := d.db
	d.db = db
	d.usernameTemplate = usernameTemplate
	d.mu.Unlock()
	if previous != nil {
		_ = previous.Close()
	}

	// Vault stores what is returned here and passes it to Initialize again
	// after a restart, so it must keep the password.
	resp := dbplugin.InitializeResponse{Config: maps.Clone(req.Config)}
	resp.SetSupportedCredentialTypes([]dbplugin.CredentialType{dbplugin.CredentialTypePassword})
	return resp, nil
}

// Type names the plugin in Vault's metrics and logs; nothing depends on it.
func (d *DB) Type() (string, error) {
	return typeName, nil
}

// Close closes the connection pool. Vault calls it when the connection is
// removed or reconfigured.
func (d *DB) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()

	if d.db == nil {
		return nil
	}
	err := d.db.Close()
	d.db = nil
	if err != nil {
		return fmt.Errorf("closing connection pool: %w", err)
	}
	return nil
}

// PluginVersion reports the version that `vault plugin register -version`
// must match.
func (d *DB) PluginVersion() logical.PluginVersion {
	return logical.PluginVersion{Version: "v" + version.Version}
}

// secretValues maps each secret to its replacement for the error sanitizer.
func (d *DB) secretValues() map[string]string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.secrets
}

// pool returns the connection pool and the username template together, so
// a concurrent Initialize cannot hand out a mix of old and new.
func (d *DB) pool() (*sql.DB, template.StringTemplate, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()

	if d.db == nil {
		return nil, template.StringTemplate{}, errNotInitialized
	}
	return d.db, d.usernameTemplate, nil
}
