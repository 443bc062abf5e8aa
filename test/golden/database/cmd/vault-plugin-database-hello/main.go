// Command vault-plugin-database-hello serves the hello database plugin to Vault.
// Vault starts it; it is not meant to be run by hand, except as
// `vault-plugin-database-hello -connection-settings`, which prints the settings of
// <mount>/config/<name> it reads as JSON (`vaultkit plugin docs` documents them).
package main

import (
	"encoding/json"
	"os"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/vault/sdk/database/dbplugin/v5"

	// A fixed name, so no plugin name can collide with the imports above.
	backend "example.com/vault-plugin-database-hello"
)

func main() {
	// Vault passes no arguments (unless the catalog entry names some), so
	// this one cannot be mistaken for a start by Vault.
	if len(os.Args) == 2 && os.Args[1] == "-connection-settings" {
		if err := json.NewEncoder(os.Stdout).Encode(backend.ConnectionSettings); err != nil {
			fatal(err)
		}
		return
	}

	// ServeMultiplex calls the factory once before serving and returns
	// without an error value when that fails; checking first turns a broken
	// factory into a logged error and a non-zero exit instead of a panic.
	if _, err := backend.New(); err != nil {
		fatal(err)
	}

	// ServeMultiplex lets one plugin process serve every database connection
	// configured with this plugin (Vault 1.12+) instead of one process each.
	dbplugin.ServeMultiplex(backend.New)
}

func fatal(err error) {
	logger := hclog.New(&hclog.LoggerOptions{})
	logger.Error("plugin shutting down", "error", err)
	os.Exit(1)
}
