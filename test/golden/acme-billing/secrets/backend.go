package acmebilling

import (
	"strings"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"

	"example.com/vault-plugin-secrets-acme-billing/version"
)

type backend struct {
	*framework.Backend
	configCache
}

func newBackend() *backend {
	b := &backend{}
	b.Backend = &framework.Backend{
		Help: strings.TrimSpace(backendHelp),
		PathsSpecial: &logical.Paths{
			SealWrapStorage: []string{configPath},
		},
		Paths: []*framework.Path{
			pathConfig(b),
			pathHello(b),
			pathCreds(b),
		},
		Secrets: []*framework.Secret{
			secretToken(b),
		},
		BackendType:    logical.TypeLogical,
		RunningVersion: "v" + version.Version,
		Invalidate:     b.invalidate,
	}
	return b
}

// backendHelp is what `vault path-help` shows for the mount.
const backendHelp = "The acme-billing secrets engine for HashiCorp Vault" + `

After "config" is written, "hello" greets with its custom_prefix and "creds"
issues leased tokens that can be renewed and revoked.
`
