package acmebilling

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/helper/cidrutil"
	"github.com/hashicorp/vault/sdk/helper/policyutil"
	"github.com/hashicorp/vault/sdk/logical"
	"golang.org/x/crypto/bcrypt"
)

const loginPath = "login"

// dummyPasswordHash is checked when the username is unknown, so that case
// costs the same bcrypt work as a wrong password and response times do not
// tell them apart. Its cost must stay equal to passwordCost.
const dummyPasswordHash = "$2a$10$SNWJrAQy7oS2rmkLBsT2u.5e7aA61yiKkuSvnrSJU3shvHQC7o3P."

// validUsername matches the names "users/<name>" accepts. Other usernames
// cannot exist, and must never reach storage as part of a key.
var validUsername = regexp.MustCompile("^" + framework.GenericNameRegex("name") + "$")

func pathLogin(b *backend) *framework.Path {
	return &framework.Path{
		Pattern: loginPath,
		DisplayAttrs: &framework.DisplayAttributes{
			OperationPrefix: operationPrefix,
			OperationVerb:   "login",
		},
		Fields: map[string]*framework.FieldSchema{
			"username": {
				Type:        framework.TypeString,
				Description: "Name of the user logging in.",
			},
			"password": {
				Type:        framework.TypeString,
				Description: "Password of the user logging in.",
				DisplayAttrs: &framework.DisplayAttributes{
					Sensitive: true,
				},
			},
		},
		Operations: map[logical.Operation]framework.OperationHandler{
			logical.UpdateOperation: &framework.PathOperation{
				Callback:    b.pathLoginUpdate,
				Summary:     "Log in with a username and password.",
				Description: "A token with the user's policies and token settings, under `auth`; a wrong password and an unknown user get the same denial.",
				Responses: map[int][]framework.Response{
					http.StatusOK: {{Description: "OK: the token is in the response's auth."}},
				},
			},
			// Vault asks for the alias before login runs, for identity and
			// lockout bookkeeping; it must not touch the credentials.
			logical.AliasLookaheadOperation: &framework.PathOperation{
				Callback: b.pathLoginAliasLookahead,
				Responses: map[int][]framework.Response{
					http.StatusOK: {{Description: "OK: the alias is in the response's auth."}},
				},
			},
		},
		HelpSynopsis:    strings.TrimSpace(pathLoginHelpSyn),
		HelpDescription: strings.TrimSpace(pathLoginHelpDesc),
	}
}

func (b *backend) pathLoginAliasLookahead(_ context.Context, _ *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	username := d.Get("username").(string)
	if username == "" {
		return logical.ErrorResponse("username is required"), nil
	}
	return &logical.Response{
		Auth: &logical.Auth{
			Alias: &logical.Alias{Name: username},
		},
	}, nil
}

func (b *backend) pathLoginUpdate(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	username := d.Get("username").(string)
	password := d.Get("password").(string)
	if username == "" || password == "" {
		return logical.ErrorResponse("username and password are required"), nil
	}

	user, err := b.authenticate(ctx, req.Storage, username, password)
	if err != nil {
		return nil, err
	}
	if user == nil {
		// One error for an unknown user and a wrong password alike.
		return nil, logical.ErrPermissionDenied
	}

	// Vault refuses a token with bound CIDRs used from elsewhere; refusing
	// the login too, as userpass does, says so before a token is issued.
	if len(user.TokenBoundCIDRs) > 0 {
		if req.Connection == nil || !cidrutil.RemoteAddrIsOk(req.Connection.RemoteAddr, user.TokenBoundCIDRs) {
			return nil, logical.ErrPermissionDenied
		}
	}

	auth := &logical.Auth{
		Metadata:    map[string]string{"username": username},
		DisplayName: username,
		Alias:       &logical.Alias{Name: username},
		// Internal data comes back on renew; never put the password here.
		InternalData: map[string]interface{}{"username": username},
	}
	user.PopulateTokenAuth(auth)
	if err := b.applyDefaultTTLs(ctx, req.Storage, auth); err != nil {
		return nil, err
	}
	return &logical.Response{Auth: auth}, nil
}

// authenticate returns the user when the password is right, and nil when
// the username or the password is wrong. Both cases run one bcrypt
// comparison, which compares the hashes in constant time.
func (b *backend) authenticate(ctx context.Context, s logical.Storage, username, password string) (*userEntry, error) {
	var user *userEntry
	if validUsername.MatchString(username) {
		var err error
		if user, err = getUser(ctx, s, username); err != nil {
			return nil, err
		}
	}

	hash := []byte(dummyPasswordHash)
	if user != nil {
		hash = user.PasswordHash
	}
	err := bcrypt.CompareHashAndPassword(hash, []byte(password))
	if err != nil && !errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		b.Logger().Warn("unusable password hash", "username", username, "error", err)
	}
	// bcrypt ignores bytes after the 72nd, so without the length check a
	// longer password would match on its first 72 bytes.
	if err != nil || user == nil || len(password) > maxPasswordBytes {
		return nil, nil
	}
	return user, nil
}

// pathLoginRenew only sets the backend's TTLs: Vault core applies the
// requested increment and caps the token at MaxTTL from its issue time.
// framework.LeaseExtend did the same but is deprecated.
func (b *backend) pathLoginRenew(ctx context.Context, req *logical.Request, _ *framework.FieldData) (*logical.Response, error) {
	if req.Auth == nil {
		return nil, errors.New("request has no auth")
	}
	username, ok := req.Auth.InternalData["username"].(string)
	if !ok || username == "" {
		return nil, errors.New("token is missing internal username")
	}

	user, err := getUser(ctx, req.Storage, username)
	if err != nil {
		return nil, err
	}
	if user == nil {
		// A deleted user's tokens must not live on through renewal.
		return nil, logical.ErrPermissionDenied
	}
	// Core stores the policies login returned, plus "default", as
	// TokenPolicies; EquivalentPolicies ignores "default".
	if !policyutil.EquivalentPolicies(user.TokenPolicies, req.Auth.TokenPolicies) {
		return logical.ErrorResponse("the policies of user %q changed since login: log in again", username), nil
	}

	resp := &logical.Response{Auth: req.Auth}
	resp.Auth.Period = user.TokenPeriod
	resp.Auth.TTL = user.TokenTTL
	resp.Auth.MaxTTL = user.TokenMaxTTL
	if err := b.applyDefaultTTLs(ctx, req.Storage, resp.Auth); err != nil {
		return nil, err
	}
	return resp, nil
}

// applyDefaultTTLs fills the TTLs a user left at 0 from config, else from
// the defaults: login works before config is written. A periodic token
// needs none.
func (b *backend) applyDefaultTTLs(ctx context.Context, s logical.Storage, auth *logical.Auth) error {
	if auth.Period > 0 {
		return nil
	}
	ttl, maxTTL := defaultTTL, defaultMaxTTL
	cfg, err := b.getConfig(ctx, s)
	if err != nil {
		return err
	}
	if cfg != nil {
		ttl, maxTTL = cfg.TTL, cfg.MaxTTL
	}
	if auth.TTL == 0 {
		auth.TTL = ttl
	}
	if auth.MaxTTL == 0 {
		auth.MaxTTL = maxTTL
	}
	return nil
}

const pathLoginHelpSyn = `
Log in with a username and password.
`

const pathLoginHelpDesc = `
Exchanges the username and password of a user on "users/<name>" for a
Vault token with that user's token_* settings. A wrong username and a wrong
password both get "permission denied", as does a login from outside the
user's token_bound_cidrs. Renewing the token fails once the user is deleted
or its token_policies change.
`
