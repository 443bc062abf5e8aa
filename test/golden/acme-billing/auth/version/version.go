// Package version holds the version this plugin reports to Vault.
package version

// Version is a var rather than a const so release builds can stamp it with
// -ldflags "-X example.com/vault-plugin-auth-acme-billing/version.Version=X.Y.Z".
// Vault refuses to run the plugin when this differs from the registered version.
var Version = "0.1.0"
