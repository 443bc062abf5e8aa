package acmebilling

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-secure-stdlib/parseutil"
	"github.com/jackc/pgx/v5"
)

const (
	defaultMaxOpenConnections = 4

	// applicationName shows in pg_stat_activity which connections are
	// Vault's, unless connection_url sets application_name itself.
	applicationName = "vault-plugin-database-acme-billing"

	// redacted replaces secrets in errors returned to Vault.
	redacted = "[password]"
)

// A ConnectionSetting is one key of <mount>/config/<name> that this plugin
// reads, beside the database engine's own (plugin_name, allowed_roles,
// verify_connection, ...), which Vault keeps to itself.
type ConnectionSetting struct {
	Name string `json:"name"`
	// Type is string, integer or duration (seconds, or a string such as "5m").
	Type        string      `json:"type"`
	Required    bool        `json:"required,omitempty"`
	Default     interface{} `json:"default,omitempty"`
	Example     interface{} `json:"example,omitempty"`
	Sensitive   bool        `json:"sensitive,omitempty"`
	Description string      `json:"description"`
}

// ConnectionSettings are all the keys parseConfig reads: it refuses to read
// one that is not listed. dbplugin gives Vault no way to describe them, so
// the plugin binary prints this list when run with -connection-settings, and
// `vaultkit plugin docs` writes the API reference from it.
var ConnectionSettings = []ConnectionSetting{
	{Name: "connection_url", Type: "string", Required: true, Example: "postgresql://{{username}}:{{password}}@127.0.0.1:5432/postgres?sslmode=disable",
		Description: "A postgres:// URL or a key=value DSN. {{username}} and {{password}} in it are filled from username and password, so that Vault can show the URL without the password."},
	{Name: "username", Type: "string", Example: "vault",
		Description: "The PostgreSQL user Vault connects as: a superuser, or a role with CREATEROLE. Fills {{username}} in connection_url."},
	{Name: "password", Type: "string", Sensitive: true,
		Description: "The password of username. Fills {{password}} in connection_url; Vault never returns it, and errors never contain it."},
	{Name: "max_open_connections", Type: "integer", Default: defaultMaxOpenConnections,
		Description: "How many connections to PostgreSQL the plugin keeps open at most."},
	{Name: "max_idle_connections", Type: "integer",
		Description: "How many idle connections the plugin keeps. Default: max_open_connections, which is also the most."},
	{Name: "max_connection_lifetime", Type: "duration", Default: 0,
		Description: "How long a connection is used before it is replaced; 0 for no limit."},
	{Name: "username_template", Type: "string",
		Description: "A Go template for the names of the users the plugin creates, with Vault's template functions (truncate, random, unix_time, ...). The default joins v-, the display name, the role, random characters and the time, in at most 63 characters."},
}

// config is the connection configuration an operator writes to
// <mount>/config/<name>; Vault passes it to Initialize.
type config struct {
	// ConnectionURL is a postgres:// URL or a key=value DSN. It may contain
	// {{username}} and {{password}}, filled from Username and Password, so
	// Vault can show the URL without the password.
	ConnectionURL         string
	Username              string
	Password              string
	MaxOpenConnections    int
	MaxIdleConnections    int
	MaxConnectionLifetime time.Duration
	UsernameTemplate      string
}

// parseConfig validates the raw configuration and fills in defaults. Values
// arrive as Vault decoded them from JSON and gRPC, so numbers may be int64 or
// strings and durations may be seconds or strings such as "5m". The password
// is set even when an error is returned, so the caller can scrub it.
func parseConfig(raw map[string]interface{}) (config, error) {
	var cfg config
	var err error

	if cfg.Password, err = stringField(raw, "password"); err != nil {
		return cfg, err
	}
	if cfg.ConnectionURL, err = stringField(raw, "connection_url"); err != nil {
		return cfg, err
	}
	if cfg.Username, err = stringField(raw, "username"); err != nil {
		return cfg, err
	}
	if cfg.UsernameTemplate, err = stringField(raw, "username_template"); err != nil {
		return cfg, err
	}

	if cfg.ConnectionURL == "" {
		return cfg, errors.New("connection_url is required")
	}
	// Substituting a placeholder into itself would let the URL change shape.
	for _, value := range []string{cfg.Username, cfg.Password} {
		if strings.Contains(value, "{{username}}") || strings.Contains(value, "{{password}}") {
			return cfg, errors.New("username and password must not contain {{username}} or {{password}}")
		}
	}
	if strings.Contains(cfg.ConnectionURL, "{{username}}") && cfg.Username == "" {
		return cfg, errors.New("connection_url contains {{username}} but username is not set")
	}
	if strings.Contains(cfg.ConnectionURL, "{{password}}") && cfg.Password == "" {
		return cfg, errors.New("connection_url contains {{password}} but password is not set")
	}

	if cfg.MaxOpenConnections, err = intField(raw, "max_open_connections", defaultMaxOpenConnections); err != nil {
		return cfg, err
	}
	if cfg.MaxIdleConnections, err = intField(raw, "max_idle_connections", cfg.MaxOpenConnections); err != nil {
		return cfg, err
	}
	// database/sql would silently lower it too; doing it here keeps the
	// parsed config truthful.
	cfg.MaxIdleConnections = min(cfg.MaxIdleConnections, cfg.MaxOpenConnections)

	lifetime, err := setting(raw, "max_connection_lifetime")
	if err != nil {
		return cfg, err
	}
	cfg.MaxConnectionLifetime, err = parseutil.ParseDurationSecond(lifetime)
	if err != nil {
		return cfg, fmt.Errorf("invalid max_connection_lifetime: %w", err)
	}
	if cfg.MaxConnectionLifetime < 0 {
		return cfg, errors.New("max_connection_lifetime must not be negative")
	}

	if cfg.UsernameTemplate == "" {
		cfg.UsernameTemplate = defaultUsernameTemplate
	}
	return cfg, nil
}

// renderedURL fills {{username}} and {{password}} into the connection URL.
// In a URL they are escaped, so a password such as "p@ss/word" keeps the URL
// intact; a key=value DSN takes them as written.
func (c config) renderedURL() string {
	username, password := c.Username, c.Password
	if isURL(c.ConnectionURL) {
		username, password = escapeUserinfo(username), escapeUserinfo(password)
	}
	return strings.NewReplacer("{{username}}", username, "{{password}}", password).Replace(c.ConnectionURL)
}

// pgxConfig parses the rendered connection URL for the pgx driver.
func (c config) pgxConfig() (*pgx.ConnConfig, error) {
	connConfig, err := pgx.ParseConfig(c.renderedURL())
	if err != nil {
		return nil, fmt.Errorf("parsing connection_url: %w", err)
	}
	if _, ok := connConfig.RuntimeParams["application_name"]; !ok {
		connConfig.RuntimeParams["application_name"] = applicationName
	}
	return connConfig, nil
}

// secretValues lists every form in which the password may appear in an
// error: as given, as escaped into the URL, and one written into
// connection_url directly instead of through {{password}}.
func (c config) secretValues() map[string]string {
	secrets := make(map[string]string)
	add := func(secret string) {
		if secret != "" {
			secrets[secret] = redacted
			secrets[escapeUserinfo(secret)] = redacted
		}
	}

	add(c.Password)
	if u, err := url.Parse(c.ConnectionURL); err == nil && u.User != nil {
		if password, ok := u.User.Password(); ok {
			add(password)
		}
	}
	return secrets
}

func isURL(connectionURL string) bool {
	return strings.HasPrefix(connectionURL, "postgres://") || strings.HasPrefix(connectionURL, "postgresql://")
}

// escapeUserinfo escapes s for the user or password part of a URL.
func escapeUserinfo(s string) string {
	return url.User(s).String()
}

// setting reads one key of the raw configuration. A key missing from
// ConnectionSettings is a mistake in this plugin, not in the configuration:
// every parse fails with it, so the first test run shows it.
func setting(raw map[string]interface{}, key string) (interface{}, error) {
	if !slices.ContainsFunc(ConnectionSettings, func(s ConnectionSetting) bool { return s.Name == key }) {
		return nil, fmt.Errorf("the plugin reads %s, which ConnectionSettings does not list", key)
	}
	return raw[key], nil
}

func stringField(raw map[string]interface{}, key string) (string, error) {
	value, err := setting(raw, key)
	if err != nil || value == nil {
		return "", err
	}
	s, ok := value.(string)
	if !ok {
		return "", fmt.Errorf("%s must be a string", key)
	}
	return s, nil
}

// intField reads a non-negative integer; zero or absent means the default.
func intField(raw map[string]interface{}, key string, defaultValue int) (int, error) {
	value, err := setting(raw, key)
	if err != nil {
		return 0, err
	}
	if value == nil {
		return defaultValue, nil
	}
	n, err := parseutil.SafeParseInt(value)
	if err != nil {
		return 0, fmt.Errorf("invalid %s: %w", key, err)
	}
	if n < 0 {
		return 0, fmt.Errorf("%s must not be negative", key)
	}
	if n == 0 {
		return defaultValue, nil
	}
	return n, nil
}
