package acmebilling

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"

	"example.com/vault-plugin-auth-acme-billing/version"
)

var (
	_ logical.Factory = Factory
	_ logical.Backend = (*backend)(nil)
)

// Factory returns a configured instance of the acme-billing auth method.
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

	// userLock serializes user writes, so two concurrent updates of one
	// user cannot each keep a field the other one changed.
	userLock sync.Mutex
}

func newBackend() *backend {
	b := &backend{}
	b.Backend = &framework.Backend{
		Help: strings.TrimSpace(backendHelp),
		PathsSpecial: &logical.Paths{
			// Login is called by clients that have no token yet.
			Unauthenticated: []string{loginPath},
			SealWrapStorage: []string{configPath},
		},
		Paths: []*framework.Path{
			pathConfig(b),
			pathHello(b),
			pathUsersList(b),
			pathUsers(b),
			pathLogin(b),
		},
		AuthRenew:      b.pathLoginRenew,
		BackendType:    logical.TypeCredential,
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
const backendHelp = "The acme-billing auth method for HashiCorp Vault" + `

Operators manage users with a password and policies on "users/<name>";
clients exchange a username and password for a renewable Vault token on
"login". "config" sets the default token TTLs and the prefix "hello" greets
with.
`
