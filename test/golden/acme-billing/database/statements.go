package acmebilling

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

const (
	defaultChangePasswordStatement   = `ALTER ROLE "{{name}}" WITH PASSWORD '{{password}}';`
	defaultChangeExpirationStatement = `ALTER ROLE "{{name}}" VALID UNTIL '{{expiration}}';`

	// expirationFormat is a timestamp with offset, as VALID UNTIL takes it.
	expirationFormat = "2006-01-02 15:04:05-0700"
)

// statementValues are the values for the placeholders in a statement.
// Fields left empty are not substituted.
type statementValues struct {
	name       string
	password   string
	expiration string
}

// renderStatements fills {{name}}, {{password}} and {{expiration}} into
// each statement. {{username}} is the same as {{name}}, for statements
// written for other Vault database plugins.
func renderStatements(statements []string, values statementValues) []string {
	var pairs []string
	if values.name != "" {
		pairs = append(pairs, "{{name}}", values.name, "{{username}}", values.name)
	}
	if values.password != "" {
		pairs = append(pairs, "{{password}}", values.password)
	}
	if values.expiration != "" {
		pairs = append(pairs, "{{expiration}}", values.expiration)
	}
	replacer := strings.NewReplacer(pairs...)

	rendered := make([]string, len(statements))
	for i, statement := range statements {
		rendered[i] = replacer.Replace(statement)
	}
	return rendered
}

// orDefault returns statements, or def when the role gave none.
func orDefault(statements []string, def string) []string {
	if len(statements) == 0 {
		return []string{def}
	}
	return statements
}

// formatExpiration formats t for VALID UNTIL. A zero time means the
// credential does not expire.
func formatExpiration(t time.Time) string {
	if t.IsZero() {
		return "infinity"
	}
	return t.UTC().Format(expirationFormat)
}

// checkUsername refuses names that would break out of the "{{name}}"
// quoting in statements. The name comes from username_template, which may
// use a display name Vault took from an auth method.
func checkUsername(username string) error {
	if username == "" {
		return errors.New("username_template produced an empty username")
	}
	if strings.ContainsAny(username, "\"'\x00") {
		return fmt.Errorf("username %q from username_template contains a quote or NUL character", username)
	}
	return nil
}

// withTx runs fn in a transaction and commits it when fn succeeds, so a
// failed statement leaves the database as it was.
func withTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("starting transaction: %w", err)
	}
	// A no-op once Commit has succeeded.
	defer func() { _ = tx.Rollback() }()

	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing transaction: %w", err)
	}
	return nil
}

// execStatements runs each statement whole. Without query arguments pgx
// uses PostgreSQL's simple query protocol, which accepts several
// semicolon-separated commands and DO blocks in one string, so nothing here
// has to split SQL.
func execStatements(ctx context.Context, tx *sql.Tx, statements []string) error {
	for i, statement := range statements {
		if strings.TrimSpace(statement) == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, statement); err != nil {
			return fmt.Errorf("statement %d of %d: %w", i+1, len(statements), err)
		}
	}
	return nil
}

// quotedFragment matches the "..." parts PostgreSQL copies from a statement
// into its error messages, such as the token a syntax error is "at or near".
var quotedFragment = regexp.MustCompile(`"[^"]*"`)

// minLeakLength is the shortest quoted fragment of a secret that redact
// hides; shorter ones give little away and are often ordinary tokens.
const minLeakLength = 4

// redact removes a credential Vault generated from err, whole or as a
// fragment PostgreSQL quoted: a syntax error in a statement can show part
// of the password, and the sanitizer middleware only knows the configured
// one.
func redact(err error, secret string) error {
	if err == nil || secret == "" {
		return err
	}
	message := err.Error()
	scrubbed := quotedFragment.ReplaceAllStringFunc(message, func(quoted string) string {
		if inner := quoted[1 : len(quoted)-1]; len(inner) >= minLeakLength && strings.Contains(secret, inner) {
			return `"` + redacted + `"`
		}
		return quoted
	})
	scrubbed = strings.ReplaceAll(scrubbed, secret, redacted)
	if scrubbed == message {
		return err
	}
	return errors.New(scrubbed)
}
