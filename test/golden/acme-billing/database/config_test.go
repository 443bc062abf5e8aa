package acmebilling

import (
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/vault/sdk/database/dbplugin/v5"
	"github.com/hashicorp/vault/sdk/helper/template"
)

func TestParseConfig_Defaults(t *testing.T) {
	cfg, err := parseConfig(validConfig(nil))
	if err != nil {
		t.Fatalf("parseConfig: %v", err)
	}
	if cfg.MaxOpenConnections != defaultMaxOpenConnections || cfg.MaxIdleConnections != defaultMaxOpenConnections {
		t.Errorf("connections = %d open, %d idle; want %d each",
			cfg.MaxOpenConnections, cfg.MaxIdleConnections, defaultMaxOpenConnections)
	}
	if cfg.MaxConnectionLifetime != 0 {
		t.Errorf("max_connection_lifetime = %v, want 0 (no limit)", cfg.MaxConnectionLifetime)
	}
	if cfg.UsernameTemplate != defaultUsernameTemplate {
		t.Errorf("username_template = %q, want the default", cfg.UsernameTemplate)
	}
}

// ConnectionSettings is what -connection-settings prints and the API
// reference documents: parseConfig reads no key outside it, and each entry
// is complete.
func TestConnectionSettings(t *testing.T) {
	if _, err := stringField(map[string]interface{}{"not_a_setting": "x"}, "not_a_setting"); err == nil {
		t.Error("parseConfig may read a key ConnectionSettings does not list")
	}
	seen := make(map[string]bool)
	for _, s := range ConnectionSettings {
		if seen[s.Name] {
			t.Errorf("%s is listed twice", s.Name)
		}
		seen[s.Name] = true
		if s.Type != "string" && s.Type != "integer" && s.Type != "duration" {
			t.Errorf("%s has type %q; want string, integer or duration", s.Name, s.Type)
		}
		if s.Description == "" {
			t.Errorf("%s has no description", s.Name)
		}
	}
	for _, name := range []string{"connection_url", "username", "password"} {
		if !seen[name] {
			t.Errorf("%s is not listed", name)
		}
	}
}

func TestParseConfig_ConnectionLimits(t *testing.T) {
	// Vault hands over numbers as int64 or strings, and durations also as
	// seconds.
	cfg, err := parseConfig(validConfig(map[string]interface{}{
		"max_open_connections":    int64(10),
		"max_idle_connections":    "20",
		"max_connection_lifetime": int64(90),
	}))
	if err != nil {
		t.Fatalf("parseConfig: %v", err)
	}
	if cfg.MaxOpenConnections != 10 || cfg.MaxIdleConnections != 10 {
		t.Errorf("connections = %d open, %d idle; want 10 each (idle capped at open)",
			cfg.MaxOpenConnections, cfg.MaxIdleConnections)
	}
	if cfg.MaxConnectionLifetime != 90*time.Second {
		t.Errorf("max_connection_lifetime = %v, want 1m30s", cfg.MaxConnectionLifetime)
	}

	cfg, err = parseConfig(validConfig(map[string]interface{}{"max_connection_lifetime": "5m"}))
	if err != nil || cfg.MaxConnectionLifetime != 5*time.Minute {
		t.Errorf(`max_connection_lifetime "5m" = %v, %v; want 5m0s`, cfg.MaxConnectionLifetime, err)
	}

	if _, err := parseConfig(validConfig(map[string]interface{}{"max_open_connections": int64(-1)})); err == nil {
		t.Error("negative max_open_connections accepted")
	}
}

func TestConfig_RenderedURL(t *testing.T) {
	tests := []struct {
		name          string
		connectionURL string
		want          string
	}{
		{
			name:          "URL escapes special characters",
			connectionURL: "postgresql://{{username}}:{{password}}@db:5432/app",
			want:          "postgresql://vault%40corp:p%40ss%3Aw%2Frd@db:5432/app",
		},
		{
			name:          "DSN takes values as written",
			connectionURL: "host=db user={{username}} password='{{password}}'",
			want:          "host=db user=vault@corp password='p@ss:w/rd'",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config{ConnectionURL: tt.connectionURL, Username: "vault@corp", Password: "p@ss:w/rd"}
			if got := cfg.renderedURL(); got != tt.want {
				t.Errorf("renderedURL() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestConfig_PgxConfig(t *testing.T) {
	cfg := config{ConnectionURL: unreachableURL, Username: "vault@corp", Password: "p@ss:w/rd"}
	connConfig, err := cfg.pgxConfig()
	if err != nil {
		t.Fatalf("pgxConfig: %v", err)
	}
	if connConfig.User != cfg.Username || connConfig.Password != cfg.Password {
		t.Errorf("parsed user/password = %q/%q, want them unescaped", connConfig.User, connConfig.Password)
	}
	if got := connConfig.RuntimeParams["application_name"]; got != applicationName {
		t.Errorf("application_name = %q, want %q", got, applicationName)
	}
}

func TestConfig_SecretValues(t *testing.T) {
	cfg := config{
		ConnectionURL: "postgres://admin:in%2Furl@db/app",
		Password:      "p@ss",
	}
	got := cfg.secretValues()
	for _, secret := range []string{"p@ss", "p%40ss", "in/url", "in%2Furl"} {
		if got[secret] != redacted {
			t.Errorf("secretValues()[%q] = %q, want %q", secret, got[secret], redacted)
		}
	}
}

func TestDefaultUsernameTemplate(t *testing.T) {
	tmpl, err := template.NewTemplate(template.Template(defaultUsernameTemplate))
	if err != nil {
		t.Fatalf("NewTemplate: %v", err)
	}
	metadata := dbplugin.UsernameMetadata{DisplayName: "token-automation", RoleName: "readonly-reporting"}
	// v-<display name, 8>-<role, 8>-<20 random>-<unix time>
	want := regexp.MustCompile(`^v-token-au-readonly-[a-zA-Z0-9]{20}-[0-9]+$`)

	first, err := tmpl.Generate(metadata)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if !want.MatchString(first) {
		t.Errorf("username %q does not match %s", first, want)
	}
	if len(first) > 63 {
		t.Errorf("username %q is %d bytes, over PostgreSQL's 63", first, len(first))
	}
	if err := checkUsername(first); err != nil {
		t.Errorf("checkUsername(%q): %v", first, err)
	}

	second, err := tmpl.Generate(metadata)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if first == second {
		t.Errorf("two usernames are the same: %q", first)
	}
}

func TestCheckUsername(t *testing.T) {
	for _, username := range []string{"", `v-"; DROP ROLE admin; --`, "o'brien", "nul\x00"} {
		if err := checkUsername(username); err == nil {
			t.Errorf("checkUsername(%q) accepted it", username)
		}
	}
	if err := checkUsername("v-token-app-abc123"); err != nil {
		t.Errorf("checkUsername rejected a plain name: %v", err)
	}
}
