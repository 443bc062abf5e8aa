package hello

import (
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// The acceptance tier: this plugin, built and registered in a real Vault,
// driven through Vault's database/ engine against the PostgreSQL server in
// PG_URL. `vaultkit plugin test` runs it; by hand, set VAULT_ACC=1,
// VAULT_ADDR, VAULT_TOKEN, VAULT_PLUGIN_MOUNT (the engine's mount, database),
// VAULT_PLUGIN_NAME and VAULT_PLUGIN_VERSION (as registered), and PG_URL.

func TestAcceptance_DatabaseEngine(t *testing.T) {
	client, mount := accClient(t)
	admin := adminURL(t)
	suffix := fmt.Sprint(time.Now().UnixNano())

	// A connection with a root user of its own: rotate-root then changes a
	// password that nothing else uses.
	rootUser, rootPassword := "acc_root_"+suffix, "Acc-"+rand.Text()
	adminExec(t, fmt.Sprintf(`CREATE ROLE %q WITH LOGIN CREATEROLE PASSWORD '%s'`, rootUser, rootPassword))
	t.Cleanup(func() { adminExec(t, fmt.Sprintf(`DROP ROLE IF EXISTS %q`, rootUser)) })
	connection, role := "acc-"+suffix, "acc-"+suffix
	accWrite(t, client, mount+"/config/"+connection, map[string]interface{}{
		"plugin_name":       os.Getenv("VAULT_PLUGIN_NAME"),
		"plugin_version":    os.Getenv("VAULT_PLUGIN_VERSION"),
		"connection_url":    templatedURL(admin),
		"username":          rootUser,
		"password":          rootPassword,
		"allowed_roles":     role,
		"verify_connection": true,
	})
	t.Cleanup(func() { _, _ = client.Logical().Delete(mount + "/config/" + connection) })
	accWrite(t, client, mount+"/roles/"+role, map[string]interface{}{
		"db_name":             connection,
		"creation_statements": createStatement,
		"default_ttl":         "10m",
		"max_ttl":             "1h",
	})
	t.Cleanup(func() { _, _ = client.Logical().Delete(mount + "/roles/" + role) })

	// Credentials Vault asked the plugin for: a PostgreSQL role that logs in.
	creds := accRead(t, client, mount+"/creds/"+role, nil)
	username, _ := creds.Data["username"].(string)
	password, _ := creds.Data["password"].(string)
	if err := logIn(t, username, password); err != nil {
		t.Fatalf("logging in with the credentials Vault issued: %v", err)
	}
	if creds.LeaseDuration != 600 || !strings.HasPrefix(creds.LeaseID, mount+"/creds/"+role+"/") {
		t.Errorf("lease %q for %d s, want 600 s under %s/creds/%s/", creds.LeaseID, creds.LeaseDuration, mount, role)
	}

	// Revoking the lease: Vault asks the plugin to drop the role.
	if err := client.Sys().RevokeWithContext(t.Context(), creds.LeaseID); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if roleExists(t, username) {
		t.Errorf("role %q still exists after its lease was revoked", username)
	}

	// rotate-root: the plugin changes the root user's password, which only
	// Vault knows from then on, and issues credentials with the new one.
	accWrite(t, client, mount+"/rotate-root/"+connection, nil)
	if err := logIn(t, rootUser, rootPassword); err == nil {
		t.Error("the root password from before rotate-root still logs in")
	}
	again := accRead(t, client, mount+"/creds/"+role, nil)
	if err := logIn(t, again.Data["username"].(string), again.Data["password"].(string)); err != nil {
		t.Errorf("credentials issued after rotate-root do not log in: %v", err)
	}
	if err := client.Sys().RevokeWithContext(t.Context(), again.LeaseID); err != nil {
		t.Errorf("revoke after rotate-root: %v", err)
	}
}
