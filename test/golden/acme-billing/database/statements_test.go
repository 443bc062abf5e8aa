package acmebilling

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestRenderStatements(t *testing.T) {
	values := statementValues{name: "v-app-1", password: "pw", expiration: "2030-01-02 03:04:05+0000"}
	tests := []struct {
		name      string
		statement string
		want      string
	}{
		{
			name:      "creation",
			statement: `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`,
			want:      `CREATE ROLE "v-app-1" WITH LOGIN PASSWORD 'pw' VALID UNTIL '2030-01-02 03:04:05+0000';`,
		},
		{
			name:      "username is an alias of name",
			statement: `GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{username}}";`,
			want:      `GRANT SELECT ON ALL TABLES IN SCHEMA public TO "v-app-1";`,
		},
		{
			name:      "every occurrence",
			statement: `{{name}} {{name}}`,
			want:      `v-app-1 v-app-1`,
		},
		{
			name:      "unknown placeholders stay",
			statement: `SELECT '{{other}}'`,
			want:      `SELECT '{{other}}'`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := renderStatements([]string{tt.statement}, values)
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("renderStatements(%q) = %q, want %q", tt.statement, got, tt.want)
			}
		})
	}
}

func TestRenderStatements_EmptyValuesNotSubstituted(t *testing.T) {
	got := renderStatements([]string{`DROP ROLE "{{name}}" -- {{password}}`}, statementValues{name: "u"})
	if want := `DROP ROLE "u" -- {{password}}`; got[0] != want {
		t.Errorf("got %q, want %q", got[0], want)
	}
}

func TestOrDefault(t *testing.T) {
	if got := orDefault(nil, defaultChangePasswordStatement); !slices.Equal(got, []string{defaultChangePasswordStatement}) {
		t.Errorf("orDefault(nil) = %q, want the default", got)
	}
	custom := []string{"ALTER USER x"}
	if got := orDefault(custom, defaultChangePasswordStatement); !slices.Equal(got, custom) {
		t.Errorf("orDefault(custom) = %q, want %q", got, custom)
	}
}

func TestDefaultStatements(t *testing.T) {
	got := renderStatements(
		[]string{defaultChangePasswordStatement, defaultChangeExpirationStatement},
		statementValues{name: "u", password: "pw", expiration: "infinity"},
	)
	want := []string{
		`ALTER ROLE "u" WITH PASSWORD 'pw';`,
		`ALTER ROLE "u" VALID UNTIL 'infinity';`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestFormatExpiration(t *testing.T) {
	if got := formatExpiration(time.Time{}); got != "infinity" {
		t.Errorf("formatExpiration(zero) = %q, want infinity", got)
	}
	berlin := time.FixedZone("CET", 3600)
	at := time.Date(2030, 1, 2, 4, 4, 5, 0, berlin)
	if got, want := formatExpiration(at), "2030-01-02 03:04:05+0000"; got != want {
		t.Errorf("formatExpiration = %q, want %q", got, want)
	}
}

func TestRedact(t *testing.T) {
	const secret = "Ab3-cD4eF5gH6"
	tests := []struct {
		name string
		err  error
		want string
	}{
		{
			name: "whole secret",
			err:  fmt.Errorf("creating user: %w", errors.New(`invalid input syntax for type integer: "Ab3-cD4eF5gH6"`)),
			want: `creating user: invalid input syntax for type integer: "[password]"`,
		},
		{
			name: "quoted fragment",
			err:  errors.New(`syntax error at or near "cD4eF5gH6"`),
			want: `syntax error at or near "[password]"`,
		},
		{
			name: "short fragment stays",
			err:  errors.New(`syntax error at or near "Ab3"`),
			want: `syntax error at or near "Ab3"`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redact(tt.err, secret).Error(); got != tt.want {
				t.Errorf("redact = %q, want %q", got, tt.want)
			}
		})
	}

	// Errors without the secret keep their chain for errors.Is and As.
	plain := fmt.Errorf("creating user %q: %w", "v-app", errors.New(`relation "items" does not exist`))
	if got := redact(plain, secret); got != plain {
		t.Errorf("redact changed an error without the secret: %v", got)
	}
	if redact(nil, secret) != nil {
		t.Error("redact(nil) is not nil")
	}
}
