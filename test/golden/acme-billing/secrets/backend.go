package acmebilling

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"

	"example.com/vault-plugin-secrets-acme-billing/version"
)

var (
	_ logical.Factory = Factory
	_ logical.Backend = (*backend)(nil)
)

// Factory returns a configured instance of the acme-billing secrets engine.
func Factory(ctx context.Context, conf *logical.BackendConfig) (logical.Backend, error) {
	b := newBackend()
	if err := b.Setup(ctx, conf); err != nil {
		return nil, fmt.Errorf("setting up backend: %w", err)
	}
	return b, nil
}

type backend struct {
	*framework.Backend

	// configLock guards config, a cache of the stored configuration that
	// saves a storage read and JSON decode on every request.
	configLock sync.RWMutex
	config     *pluginConfig
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

// invalidate drops the cached config when another node (a performance
// standby or replica) changes it, so this node re-reads storage.
func (b *backend) invalidate(_ context.Context, key string) {
	if key == configPath {
		b.configLock.Lock()
		b.config = nil
		b.configLock.Unlock()
	}
}

// backendHelp is what `vault path-help` shows for the mount.
const backendHelp = "The acme-billing secrets engine for HashiCorp Vault" + `

After "config" is written, "hello" greets with its custom_prefix and "creds"
issues leased tokens that can be renewed and revoked.
`
