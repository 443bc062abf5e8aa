package acmebilling

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/sdk/database/dbplugin/v5"
	dbtesting "github.com/hashicorp/vault/sdk/database/dbplugin/v5/testing"
	"github.com/jackc/pgx/v5"
)

// These tests run against the PostgreSQL server in PG_URL, a superuser's
// URL such as postgres://admin:pass@127.0.0.1:5432/postgres?sslmode=disable
// (make test-integration). They create roles with unique names and drop
// them again.

const createStatement = `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`

func TestIntegration_InitializeVerifyConnection(t *testing.T) {
	db := newTestDB(t)
	resp := dbtesting.AssertInitialize(t, db, dbplugin.InitializeRequest{
		Config:           templatedConfig(t, nil),
		VerifyConnection: true,
	})
	if resp.Config["password"] == "" {
		t.Error("returned config lost the password")
	}
	dbtesting.AssertClose(t, db)
}

func TestIntegration_NewUserCanLogIn(t *testing.T) {
	db := initializedDB(t, nil)
	username, password := newUser(t, db, createStatement+`
		GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";`)

	if !strings.HasPrefix(username, "v-token-integrat-") {
		t.Errorf("username %q not from the default username_template", username)
	}
	if err := logIn(t, username, password); err != nil {
		t.Fatalf("logging in as the new user: %v", err)
	}
}

func TestIntegration_NewUserIsOneTransaction(t *testing.T) {
	// A fixed name, so the test can look for the role after the failure.
	roleName := fmt.Sprintf("atomic%d", time.Now().UnixNano())
	db := initializedDB(t, map[string]interface{}{"username_template": "{{ .RoleName }}"})

	_, err := db.NewUser(t.Context(), dbplugin.NewUserRequest{
		UsernameConfig: dbplugin.UsernameMetadata{DisplayName: "token", RoleName: roleName},
		Statements:     dbplugin.Statements{Commands: []string{createStatement, "SELECT * FROM no_such_table;"}},
		Password:       "Pa55word-" + roleName,
		Expiration:     time.Now().Add(time.Hour),
	})
	if err == nil || !strings.Contains(err.Error(), "statement 2 of 2") {
		t.Fatalf("NewUser error = %v, want a failure in statement 2", err)
	}
	if roleExists(t, roleName) {
		t.Errorf("role %q exists although its second statement failed", roleName)
	}
}

func TestIntegration_NewUserErrorsHidePassword(t *testing.T) {
	db := initializedDB(t, nil)
	const password = "kQ8vT2mZ-7xR4wN6p"

	// Unquoted, the password makes PostgreSQL quote part of it in a syntax error.
	_, err := db.NewUser(t.Context(), dbplugin.NewUserRequest{
		UsernameConfig: dbplugin.UsernameMetadata{DisplayName: "token", RoleName: "integration"},
		Statements:     dbplugin.Statements{Commands: []string{`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD {{password}};`}},
		Password:       password,
	})
	if err == nil {
		t.Fatal("NewUser succeeded, want a syntax error")
	}
	t.Logf("error: %v", err)
	for _, part := range strings.Split(password, "-") {
		if strings.Contains(err.Error(), part) {
			t.Errorf("error contains %q from the password: %v", part, err)
		}
	}
}

func TestIntegration_UpdateUserPassword(t *testing.T) {
	db := initializedDB(t, nil)
	username, oldPassword := newUser(t, db, createStatement)

	newPassword := "N3w-" + oldPassword
	dbtesting.AssertUpdateUser(t, db, dbplugin.UpdateUserRequest{
		Username: username,
		Password: &dbplugin.ChangePassword{NewPassword: newPassword},
	})
	if err := logIn(t, username, newPassword); err != nil {
		t.Errorf("logging in with the new password: %v", err)
	}
	if err := logIn(t, username, oldPassword); err == nil {
		t.Error("the old password still works")
	}
}

func TestIntegration_UpdateUserExpiration(t *testing.T) {
	db := initializedDB(t, nil)
	username, password := newUser(t, db, createStatement)

	expire := func(at time.Time) {
		t.Helper()
		dbtesting.AssertUpdateUser(t, db, dbplugin.UpdateUserRequest{
			Username:   username,
			Expiration: &dbplugin.ChangeExpiration{NewExpiration: at},
		})
	}

	expire(time.Now().Add(-time.Minute))
	if err := logIn(t, username, password); err == nil {
		t.Error("logged in after the expiration")
	}
	expire(time.Now().Add(time.Hour))
	if err := logIn(t, username, password); err != nil {
		t.Errorf("logging in after extending the expiration: %v", err)
	}
}

func TestIntegration_DeleteUserDropsRole(t *testing.T) {
	db := initializedDB(t, nil)
	schema := fmt.Sprintf("acme_billing_it_%d", time.Now().UnixNano())
	adminExec(t, fmt.Sprintf(`CREATE SCHEMA %s; CREATE TABLE %[1]s.items (id int)`, schema))
	t.Cleanup(func() { adminExec(t, fmt.Sprintf("DROP SCHEMA %s CASCADE", schema)) })

	// Privileges on a schema and its tables, and a table the user owns: all
	// of them would make a bare DROP ROLE fail.
	username, password := newUser(t, db, createStatement+fmt.Sprintf(`
		GRANT USAGE, CREATE ON SCHEMA %s TO "{{name}}";
		GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA %[1]s TO "{{name}}";`, schema))
	conn := connectAs(t, username, password)
	if _, err := conn.Exec(t.Context(), fmt.Sprintf("CREATE TABLE %s.owned_by_user (id int)", schema)); err != nil {
		t.Fatalf("creating a table as the new user: %v", err)
	}
	_ = conn.Close(t.Context())

	for range 2 { // the second time the role is gone, which is not an error
		dbtesting.AssertDeleteUser(t, db, dbplugin.DeleteUserRequest{Username: username})
	}
	if roleExists(t, username) {
		t.Errorf("role %q still exists", username)
	}
}

func TestIntegration_DeleteUserWithStatements(t *testing.T) {
	db := initializedDB(t, nil)
	username, _ := newUser(t, db, createStatement)

	dbtesting.AssertDeleteUser(t, db, dbplugin.DeleteUserRequest{
		Username:   username,
		Statements: dbplugin.Statements{Commands: []string{`DROP ROLE IF EXISTS "{{name}}";`}},
	})
	if roleExists(t, username) {
		t.Errorf("role %q still exists", username)
	}
}

func TestIntegration_BadConnectionURLHidesPassword(t *testing.T) {
	admin := adminURL(t)
	password, _ := admin.User.Password()

	wrongDatabase := *admin
	wrongDatabase.Path = "/no_such_database"
	wrongPort := *admin
	wrongPort.Host = "127.0.0.1:1"

	for name, u := range map[string]url.URL{"wrong database": wrongDatabase, "wrong port": wrongPort} {
		t.Run(name, func(t *testing.T) {
			_, err := newTestDB(t).Initialize(t.Context(), dbplugin.InitializeRequest{
				Config:           templatedConfig(t, map[string]interface{}{"connection_url": templatedURL(&u)}),
				VerifyConnection: true,
			})
			if err == nil {
				t.Fatal("Initialize succeeded, want an error")
			}
			t.Logf("error: %v", err)
			if strings.Contains(err.Error(), password) || strings.Contains(err.Error(), escapeUserinfo(password)) {
				t.Errorf("error contains the password: %v", err)
			}
		})
	}
}

// adminURL returns PG_URL parsed, or skips the test when it is not set. It
// fails the test when the server accepts any password.
func adminURL(t *testing.T) *url.URL {
	t.Helper()

	raw := os.Getenv("PG_URL")
	if raw == "" {
		t.Skip("PG_URL is not set")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("PG_URL does not parse: %v", err)
	}
	if err := checkPasswordsMatter(u); err != nil {
		t.Fatal(err)
	}
	return u
}

var (
	trustCheck sync.Once
	trustErr   error
)

// checkPasswordsMatter logs in once with a wrong password. A server that
// lets it in (trust authentication, initdb's default for local
// connections) would make the password and expiration tests fail as if
// the plugin were wrong.
func checkPasswordsMatter(admin *url.URL) error {
	trustCheck.Do(func() {
		wrong := *admin
		wrong.User = url.UserPassword(admin.User.Username(), "not-the-password-"+fmt.Sprint(time.Now().UnixNano()))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, wrong.String())
		if err != nil {
			return
		}
		_ = conn.Close(ctx)
		trustErr = fmt.Errorf("the PostgreSQL server at %s accepts any password (trust authentication), so these tests cannot tell an old or expired password from a valid one: in pg_hba.conf set the METHOD of the host lines for 127.0.0.1/32 and ::1/128 to scram-sha-256, give the user in PG_URL that password (ALTER ROLE ... PASSWORD '...'), then reload PostgreSQL (SELECT pg_reload_conf())", admin.Host)
	})
	return trustErr
}

// templatedURL is u with its credentials replaced by the placeholders, the
// form Vault's documentation recommends for connection_url.
func templatedURL(u *url.URL) string {
	withoutUser := *u
	withoutUser.User = nil
	return strings.Replace(withoutUser.String(), "://", "://{{username}}:{{password}}@", 1)
}

// templatedConfig is the configuration for PG_URL, with overrides applied.
func templatedConfig(t *testing.T, overrides map[string]interface{}) map[string]interface{} {
	t.Helper()

	admin := adminURL(t)
	password, _ := admin.User.Password()
	config := map[string]interface{}{
		"connection_url": templatedURL(admin),
		"username":       admin.User.Username(),
		"password":       password,
	}
	for k, v := range overrides {
		config[k] = v
	}
	return config
}

func initializedDB(t *testing.T, overrides map[string]interface{}) dbplugin.Database {
	t.Helper()

	db := newTestDB(t)
	dbtesting.AssertInitialize(t, db, dbplugin.InitializeRequest{
		Config:           templatedConfig(t, overrides),
		VerifyConnection: true,
	})
	return db
}

// newUser creates a user as Vault would for a role and drops it when the
// test ends.
func newUser(t *testing.T, db dbplugin.Database, statements string) (username, password string) {
	t.Helper()

	password = fmt.Sprintf("Pa55-%d", time.Now().UnixNano())
	resp := dbtesting.AssertNewUser(t, db, dbplugin.NewUserRequest{
		UsernameConfig: dbplugin.UsernameMetadata{DisplayName: "token", RoleName: "integration"},
		Statements:     dbplugin.Statements{Commands: []string{statements}},
		Password:       password,
		Expiration:     time.Now().Add(time.Hour),
	})
	t.Cleanup(func() {
		// DROP OWNED first, or a failed test would leave the role behind.
		if roleExists(t, resp.Username) {
			role := quoteIdentifier(resp.Username)
			adminExec(t, fmt.Sprintf("DROP OWNED BY %s; DROP ROLE %[1]s", role))
		}
	})
	return resp.Username, password
}

func connectAs(t *testing.T, username, password string) *pgx.Conn {
	t.Helper()

	conn, err := connect(t, username, password)
	if err != nil {
		t.Fatalf("connecting as %s: %v", username, err)
	}
	return conn
}

func connect(t *testing.T, username, password string) (*pgx.Conn, error) {
	t.Helper()

	u := adminURL(t)
	u.User = url.UserPassword(username, password)
	// Not t.Context(): cleanups connect too, after it is canceled.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return pgx.Connect(ctx, u.String())
}

// logIn connects as username and runs a query, as an application would.
func logIn(t *testing.T, username, password string) error {
	t.Helper()

	conn, err := connect(t, username, password)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.Background()) }()

	var one int
	return conn.QueryRow(t.Context(), "SELECT 1").Scan(&one)
}

func adminExec(t *testing.T, sql string) {
	t.Helper()

	admin := adminURL(t)
	password, _ := admin.User.Password()
	conn := connectAs(t, admin.User.Username(), password)
	defer func() { _ = conn.Close(context.Background()) }()
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Errorf("%s: %v", sql, err)
	}
}

func roleExists(t *testing.T, username string) bool {
	t.Helper()

	admin := adminURL(t)
	password, _ := admin.User.Password()
	conn := connectAs(t, admin.User.Username(), password)
	defer func() { _ = conn.Close(context.Background()) }()

	var exists bool
	if err := conn.QueryRow(context.Background(), roleExistsQuery, username).Scan(&exists); err != nil {
		t.Fatalf("looking up role %q: %v", username, err)
	}
	return exists
}
