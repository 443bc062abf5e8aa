package hello

import (
	"strings"
	"sync"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"

	"example.com/vault-plugin-auth-hello/version"
)

type backend struct {
	*framework.Backend
	configCache

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

// backendHelp is what `vault path-help` shows for the mount.
const backendHelp = "The hello auth method for HashiCorp Vault" + `

Operators manage users with a password and policies on "users/<name>";
clients exchange a username and password for a renewable Vault token on
"login". "config" sets the default token TTLs and the prefix "hello" greets
with.
`
