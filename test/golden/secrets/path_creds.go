package hello

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"
)

const (
	secretTokenType = "hello_token"
	credsPrefix     = "creds/"
	tokenPrefix     = "hello_"
)

// issuedToken records a live credential. A real engine would create the
// credential in its upstream system instead; storing only a hash keeps the
// token itself out of Vault's storage.
type issuedToken struct {
	TokenSHA256 string    `json:"token_sha256"`
	IssuedAt    time.Time `json:"issued_at"`
}

func pathCreds(b *backend) *framework.Path {
	return &framework.Path{
		Pattern: "creds",
		DisplayAttrs: &framework.DisplayAttributes{
			OperationPrefix: operationPrefix,
			OperationVerb:   "generate",
			OperationSuffix: "credentials",
		},
		Operations: map[logical.Operation]framework.OperationHandler{
			logical.ReadOperation: &framework.PathOperation{
				Callback:    b.pathCredsRead,
				Summary:     "Issue a leased token.",
				Description: "Each read issues a new token under a lease of the configured ttl, renewable up to max_ttl; revoking the lease revokes the token.",
				Responses: map[int][]framework.Response{
					http.StatusOK: {{
						Description: "OK",
						Fields:      secretTokenFields,
					}},
				},
			},
		},
		HelpSynopsis:    strings.TrimSpace(pathCredsHelpSyn),
		HelpDescription: strings.TrimSpace(pathCredsHelpDesc),
	}
}

// secretTokenFields is the data of an issued token: the lease's secret, and
// the response schema of creds.
var secretTokenFields = map[string]*framework.FieldSchema{
	"token": {
		Type:        framework.TypeString,
		Description: "The issued token.",
		Required:    true,
	},
	"token_id": {
		Type:        framework.TypeString,
		Description: "Identifier of the issued token; not secret.",
		Required:    true,
	},
}

func secretToken(b *backend) *framework.Secret {
	return &framework.Secret{
		Type:   secretTokenType,
		Fields: secretTokenFields,
		Renew:  b.secretTokenRenew,
		Revoke: b.secretTokenRevoke,
	}
}

func (b *backend) pathCredsRead(ctx context.Context, req *logical.Request, _ *framework.FieldData) (*logical.Response, error) {
	cfg, err := b.getConfig(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		return notConfiguredResponse(req), nil
	}

	id := rand.Text()
	token := tokenPrefix + rand.Text()
	sum := sha256.Sum256([]byte(token))
	entry, err := logical.StorageEntryJSON(credsPrefix+id, issuedToken{
		TokenSHA256: hex.EncodeToString(sum[:]),
		IssuedAt:    time.Now().UTC(),
	})
	if err != nil {
		return nil, fmt.Errorf("encoding token entry: %w", err)
	}
	if err := req.Storage.Put(ctx, entry); err != nil {
		return nil, fmt.Errorf("storing token entry: %w", err)
	}

	resp := b.Secret(secretTokenType).Response(
		map[string]interface{}{"token": token, "token_id": id},
		// Internal data comes back on renew and revoke; never put the token here.
		map[string]interface{}{"token_id": id},
	)
	resp.Secret.TTL = cfg.TTL
	resp.Secret.MaxTTL = cfg.MaxTTL
	return resp, nil
}

// secretTokenRenew only sets the backend's TTLs: Vault core applies the
// requested increment and caps the lease at MaxTTL from its issue time.
// framework.LeaseExtend did the same but is deprecated.
func (b *backend) secretTokenRenew(ctx context.Context, req *logical.Request, _ *framework.FieldData) (*logical.Response, error) {
	id, err := tokenID(req)
	if err != nil {
		return nil, err
	}
	entry, err := req.Storage.Get(ctx, credsPrefix+id)
	if err != nil {
		return nil, fmt.Errorf("reading token entry: %w", err)
	}
	if entry == nil {
		return logical.ErrorResponse("token %q no longer exists", id), nil
	}

	ttl, maxTTL := defaultTTL, defaultMaxTTL
	cfg, err := b.getConfig(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	// Leases outlive a deleted config; they keep renewing with the defaults.
	if cfg != nil {
		ttl, maxTTL = cfg.TTL, cfg.MaxTTL
	}

	resp := &logical.Response{Secret: req.Secret}
	resp.Secret.TTL = ttl
	resp.Secret.MaxTTL = maxTTL
	return resp, nil
}

// secretTokenRevoke succeeds when the token is already gone: a failing
// revoke would leave Vault retrying the lease forever.
func (b *backend) secretTokenRevoke(ctx context.Context, req *logical.Request, _ *framework.FieldData) (*logical.Response, error) {
	id, err := tokenID(req)
	if err != nil {
		return nil, err
	}
	if err := req.Storage.Delete(ctx, credsPrefix+id); err != nil {
		return nil, fmt.Errorf("deleting token entry: %w", err)
	}
	return nil, nil
}

func tokenID(req *logical.Request) (string, error) {
	if req.Secret == nil {
		return "", errors.New("request has no secret")
	}
	id, ok := req.Secret.InternalData["token_id"].(string)
	if !ok || id == "" {
		return "", errors.New("secret is missing internal token_id")
	}
	return id, nil
}

const pathCredsHelpSyn = `
Issue a leased token.
`

const pathCredsHelpDesc = `
Each read issues a new random token with a lease whose TTLs come from
"config". Renewing the lease keeps the token; revoking it, or letting the
lease expire, deletes it.
`
