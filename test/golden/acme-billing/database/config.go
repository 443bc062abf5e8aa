package acmebilling

import (
	"errors"
	"fmt"
	"net/url"
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

	cfg.MaxConnectionLifetime, err = parseutil.ParseDurationSecond(raw["max_connection_lifetime"])
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

func stringField(raw map[string]interface{}, key string) (string, error) {
	value, ok := raw[key]
	if !ok || value == nil {
		return "", nil
	}
	s, ok := value.(string)
	if !ok {
		return "", fmt.Errorf("%s must be a string", key)
	}
	return s, nil
}

// intField reads a non-negative integer; zero or absent means the default.
func intField(raw map[string]interface{}, key string, defaultValue int) (int, error) {
	value, ok := raw[key]
	if !ok || value == nil {
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
