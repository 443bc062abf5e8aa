package acmebilling

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hashicorp/vault/sdk/database/dbplugin/v5"
	"github.com/jackc/pgx/v5"
)

// NewUser creates a user with the role's creation statements, all in one
// transaction: a failing statement leaves no half-made user behind, which
// is also why the role's rollback statements are not needed.
func (d *DB) NewUser(ctx context.Context, req dbplugin.NewUserRequest) (dbplugin.NewUserResponse, error) {
	if req.CredentialType != dbplugin.CredentialTypePassword {
		return dbplugin.NewUserResponse{}, fmt.Errorf("unsupported credential type %q", req.CredentialType)
	}
	if len(req.Statements.Commands) == 0 {
		return dbplugin.NewUserResponse{}, errors.New("the role has no creation_statements")
	}
	if req.Password == "" {
		return dbplugin.NewUserResponse{}, errors.New("missing password")
	}

	db, usernameTemplate, err := d.pool()
	if err != nil {
		return dbplugin.NewUserResponse{}, err
	}
	username, err := usernameTemplate.Generate(req.UsernameConfig)
	if err != nil {
		return dbplugin.NewUserResponse{}, fmt.Errorf("generating username: %w", err)
	}
	if err := checkUsername(username); err != nil {
		return dbplugin.NewUserResponse{}, err
	}

	statements := renderStatements(req.Statements.Commands, statementValues{
		name:       username,
		password:   req.Password,
		expiration: formatExpiration(req.Expiration),
	})
	err = withTx(ctx, db, func(tx *sql.Tx) error {
		return execStatements(ctx, tx, statements)
	})
	if err != nil {
		return dbplugin.NewUserResponse{}, redact(fmt.Errorf("creating user %q: %w", username, err), req.Password)
	}
	return dbplugin.NewUserResponse{Username: username}, nil
}

// UpdateUser changes a user's password, expiration or both, in one
// transaction. Roles without statements for a change get the defaults.
func (d *DB) UpdateUser(ctx context.Context, req dbplugin.UpdateUserRequest) (dbplugin.UpdateUserResponse, error) {
	if req.Username == "" {
		return dbplugin.UpdateUserResponse{}, errors.New("missing username")
	}
	if req.PublicKey != nil {
		return dbplugin.UpdateUserResponse{}, fmt.Errorf("unsupported credential type %q", dbplugin.CredentialTypeRSAPrivateKey)
	}
	if req.Password == nil && req.Expiration == nil {
		return dbplugin.UpdateUserResponse{}, errors.New("no changes requested")
	}

	var statements []string
	var newPassword string
	if req.Password != nil {
		newPassword = req.Password.NewPassword
		if newPassword == "" {
			return dbplugin.UpdateUserResponse{}, errors.New("missing new password")
		}
		statements = append(statements, renderStatements(
			orDefault(req.Password.Statements.Commands, defaultChangePasswordStatement),
			statementValues{name: req.Username, password: newPassword},
		)...)
	}
	if req.Expiration != nil {
		statements = append(statements, renderStatements(
			orDefault(req.Expiration.Statements.Commands, defaultChangeExpirationStatement),
			statementValues{name: req.Username, expiration: formatExpiration(req.Expiration.NewExpiration)},
		)...)
	}

	db, _, err := d.pool()
	if err != nil {
		return dbplugin.UpdateUserResponse{}, err
	}
	err = withTx(ctx, db, func(tx *sql.Tx) error {
		return execStatements(ctx, tx, statements)
	})
	if err != nil {
		return dbplugin.UpdateUserResponse{}, redact(fmt.Errorf("updating user %q: %w", req.Username, err), newPassword)
	}
	return dbplugin.UpdateUserResponse{}, nil
}

// DeleteUser runs the role's revocation statements, or by default revokes
// the user's privileges and drops it, in one transaction. A user that is
// already gone is not an error: Vault retries revocations.
func (d *DB) DeleteUser(ctx context.Context, req dbplugin.DeleteUserRequest) (dbplugin.DeleteUserResponse, error) {
	if req.Username == "" {
		return dbplugin.DeleteUserResponse{}, errors.New("missing username")
	}

	db, _, err := d.pool()
	if err != nil {
		return dbplugin.DeleteUserResponse{}, err
	}
	err = withTx(ctx, db, func(tx *sql.Tx) error {
		statements := renderStatements(req.Statements.Commands, statementValues{name: req.Username})
		if len(statements) == 0 {
			var err error
			if statements, err = defaultRevocationStatements(ctx, tx, req.Username); err != nil {
				return err
			}
		}
		return execStatements(ctx, tx, statements)
	})
	if err != nil {
		return dbplugin.DeleteUserResponse{}, fmt.Errorf("deleting user %q: %w", req.Username, err)
	}
	return dbplugin.DeleteUserResponse{}, nil
}

const (
	roleExistsQuery = `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`

	// grantedSchemasQuery finds the schemas in this database where the role
	// holds privileges on the schema or on a table, view, sequence or
	// function in it.
	grantedSchemasQuery = `
SELECT n.nspname
FROM pg_namespace n, pg_roles r
WHERE r.rolname = $1
  AND (EXISTS (SELECT 1 FROM aclexplode(n.nspacl) a WHERE a.grantee = r.oid)
    OR EXISTS (SELECT 1 FROM pg_class c, aclexplode(c.relacl) a
               WHERE c.relnamespace = n.oid AND a.grantee = r.oid)
    OR EXISTS (SELECT 1 FROM pg_proc p, aclexplode(p.proacl) a
               WHERE p.pronamespace = n.oid AND a.grantee = r.oid))
ORDER BY n.nspname`

	// ownsObjectsQuery tells whether the role owns objects (or default
	// privileges) in this database, which DROP ROLE refuses to orphan.
	ownsObjectsQuery = `
SELECT EXISTS (
  SELECT 1
  FROM pg_shdepend d JOIN pg_roles r ON d.refobjid = r.oid
  WHERE r.rolname = $1 AND d.deptype = 'o'
    AND d.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()))`
)

// defaultRevocationStatements builds the statements that take a user's
// privileges away and drop it: DROP ROLE fails while any remain. Ownership
// is reassigned to the connecting user only when the role owns something,
// because REASSIGN OWNED needs privileges a non-superuser admin may lack.
// Privileges in other databases are out of reach of this connection; DROP
// ROLE then fails and says so.
func defaultRevocationStatements(ctx context.Context, tx *sql.Tx, username string) ([]string, error) {
	var exists bool
	if err := tx.QueryRowContext(ctx, roleExistsQuery, username).Scan(&exists); err != nil {
		return nil, fmt.Errorf("looking up role: %w", err)
	}
	if !exists {
		return nil, nil
	}

	schemas, err := queryStrings(ctx, tx, grantedSchemasQuery, username)
	if err != nil {
		return nil, fmt.Errorf("looking up granted privileges: %w", err)
	}
	var ownsObjects bool
	if err := tx.QueryRowContext(ctx, ownsObjectsQuery, username).Scan(&ownsObjects); err != nil {
		return nil, fmt.Errorf("looking up owned objects: %w", err)
	}
	var database string
	if err := tx.QueryRowContext(ctx, "SELECT current_database()").Scan(&database); err != nil {
		return nil, fmt.Errorf("looking up current database: %w", err)
	}

	role := quoteIdentifier(username)
	var statements []string
	for _, schema := range schemas {
		schema := quoteIdentifier(schema)
		statements = append(statements,
			fmt.Sprintf("REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA %s FROM %s", schema, role),
			fmt.Sprintf("REVOKE ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA %s FROM %s", schema, role),
			fmt.Sprintf("REVOKE ALL PRIVILEGES ON ALL FUNCTIONS IN SCHEMA %s FROM %s", schema, role),
			fmt.Sprintf("REVOKE ALL PRIVILEGES ON SCHEMA %s FROM %s", schema, role),
		)
	}
	statements = append(statements,
		fmt.Sprintf("REVOKE ALL PRIVILEGES ON DATABASE %s FROM %s", quoteIdentifier(database), role))
	if ownsObjects {
		statements = append(statements,
			fmt.Sprintf("REASSIGN OWNED BY %s TO CURRENT_USER", role),
			fmt.Sprintf("DROP OWNED BY %s", role),
		)
	}
	statements = append(statements, fmt.Sprintf("DROP ROLE IF EXISTS %s", role))
	return statements, nil
}

func queryStrings(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	var values []string
	for rows.Next() {
		var value string
		if err := rows.Scan(&value); err != nil {
			return nil, err
		}
		values = append(values, value)
	}
	return values, rows.Err()
}

// quoteIdentifier quotes a role or schema name for use in SQL.
func quoteIdentifier(name string) string {
	return pgx.Identifier{name}.Sanitize()
}
