package acmebilling

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/helper/policyutil"
	"github.com/hashicorp/vault/sdk/helper/tokenutil"
	"github.com/hashicorp/vault/sdk/logical"
	"golang.org/x/crypto/bcrypt"
)

const (
	usersPrefix = "users/"

	// maxPasswordBytes is bcrypt's input limit: it ignores every byte after
	// the 72nd, so longer passwords are refused rather than cut short.
	maxPasswordBytes = 72
)

// passwordCost is bcrypt's work factor for stored hashes. Tests lower it
// (see TestMain): at the default cost, hashing dominates their run time.
var passwordCost = bcrypt.DefaultCost

// userEntry is stored as JSON under usersPrefix + name. Only a bcrypt hash
// of the password is kept, so storage never holds the password itself.
// TokenParams holds the token_* settings of the tokens the user gets, as in
// Vault's userpass.
type userEntry struct {
	tokenutil.TokenParams

	PasswordHash []byte `json:"password_hash"`
}

func pathUsersList(b *backend) *framework.Path {
	return &framework.Path{
		Pattern: "users/?$",
		DisplayAttrs: &framework.DisplayAttributes{
			OperationPrefix: operationPrefix,
			OperationSuffix: "users",
		},
		Operations: map[logical.Operation]framework.OperationHandler{
			logical.ListOperation: &framework.PathOperation{
				Callback: b.pathUsersList,
				Summary:  "List the users.",
				Responses: map[int][]framework.Response{
					http.StatusOK: {{
						Description: "OK",
						Fields: map[string]*framework.FieldSchema{
							"keys": {Type: framework.TypeStringSlice, Description: "The users' names."},
						},
					}},
				},
			},
		},
		HelpSynopsis:    strings.TrimSpace(pathUsersListHelpSyn),
		HelpDescription: strings.TrimSpace(pathUsersListHelpDesc),
	}
}

func pathUsers(b *backend) *framework.Path {
	p := &framework.Path{
		Pattern: usersPrefix + framework.GenericNameRegex("name"),
		DisplayAttrs: &framework.DisplayAttributes{
			OperationPrefix: operationPrefix,
			OperationSuffix: "user",
		},
		Fields: map[string]*framework.FieldSchema{
			"name": {
				Type:        framework.TypeString,
				Description: "Name of the user; the username it logs in with.",
				Required:    true,
			},
			"password": {
				Type:        framework.TypeString,
				Description: "Password of the user, at most 72 bytes. Required on create. Only its bcrypt hash is stored.",
				DisplayAttrs: &framework.DisplayAttributes{
					Sensitive: true,
				},
			},
		},
		Operations: map[logical.Operation]framework.OperationHandler{
			logical.ReadOperation: &framework.PathOperation{
				Callback:    b.pathUserRead,
				Summary:     "Read a user.",
				Description: "The user's token settings; the password is never returned.",
			},
			logical.CreateOperation: &framework.PathOperation{
				Callback: b.pathUserWrite,
				Summary:  "Create a user.",
				Responses: map[int][]framework.Response{
					http.StatusNoContent: {{Description: "No content."}},
				},
			},
			logical.UpdateOperation: &framework.PathOperation{
				Callback:    b.pathUserWrite,
				Summary:     "Create or update a user.",
				Description: "Omitted fields keep their value.",
				Responses: map[int][]framework.Response{
					http.StatusNoContent: {{Description: "No content."}},
				},
			},
			logical.DeleteOperation: &framework.PathOperation{
				Callback:    b.pathUserDelete,
				Summary:     "Delete a user.",
				Description: "Tokens it got from login can no longer be renewed.",
				Responses: map[int][]framework.Response{
					http.StatusNoContent: {{Description: "No content."}},
				},
			},
		},
		ExistenceCheck:  b.pathUserExistenceCheck,
		HelpSynopsis:    strings.TrimSpace(pathUsersHelpSyn),
		HelpDescription: strings.TrimSpace(pathUsersHelpDesc),
	}
	// token_policies, token_ttl, token_bound_cidrs, token_type, ...: the
	// settings every HashiCorp auth method takes for the tokens it issues.
	tokenutil.AddTokenFields(p.Fields)
	// A read answers with the token settings: every field but the name and password.
	readFields := map[string]*framework.FieldSchema{}
	for name, field := range p.Fields {
		if name != "name" && name != "password" {
			readFields[name] = field
		}
	}
	p.Operations[logical.ReadOperation].(*framework.PathOperation).Responses = map[int][]framework.Response{
		http.StatusOK: {{Description: "OK", Fields: readFields}},
	}
	return p
}

func (b *backend) pathUsersList(ctx context.Context, req *logical.Request, _ *framework.FieldData) (*logical.Response, error) {
	names, err := req.Storage.List(ctx, usersPrefix)
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	return logical.ListResponse(names), nil
}

func (b *backend) pathUserExistenceCheck(ctx context.Context, req *logical.Request, d *framework.FieldData) (bool, error) {
	user, err := getUser(ctx, req.Storage, d.Get("name").(string))
	if err != nil {
		return false, err
	}
	return user != nil, nil
}

func (b *backend) pathUserRead(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	user, err := getUser(ctx, req.Storage, d.Get("name").(string))
	if err != nil {
		return nil, err
	}
	if user == nil {
		return nil, nil
	}
	data := map[string]interface{}{}
	user.PopulateTokenData(data)
	return &logical.Response{Data: data}, nil
}

// pathUserWrite serves both create and update, like pathConfigWrite: a
// missing stored user is a create either way.
func (b *backend) pathUserWrite(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	name := d.Get("name").(string)

	// Hash before taking the lock: bcrypt is slow on purpose.
	var passwordHash []byte
	if v, ok := d.GetOk("password"); ok {
		password := v.(string)
		if password == "" {
			return logical.ErrorResponse("password must not be empty"), nil
		}
		if len(password) > maxPasswordBytes {
			return logical.ErrorResponse("password must be at most %d bytes", maxPasswordBytes), nil
		}
		var err error
		passwordHash, err = bcrypt.GenerateFromPassword([]byte(password), passwordCost)
		if err != nil {
			return nil, fmt.Errorf("hashing password: %w", err)
		}
	}

	b.userLock.Lock()
	defer b.userLock.Unlock()

	user, err := getUser(ctx, req.Storage, name)
	if err != nil {
		return nil, err
	}
	if user == nil {
		user = &userEntry{}
	}

	if passwordHash != nil {
		user.PasswordHash = passwordHash
	}
	if err := user.ParseTokenFields(req, d); err != nil {
		return logical.ErrorResponse(err.Error()), nil
	}
	user.TokenPolicies = policyutil.SanitizePolicies(user.TokenPolicies, policyutil.DoNotAddDefaultPolicy)

	if len(user.PasswordHash) == 0 {
		return logical.ErrorResponse("password is required"), nil
	}

	entry, err := logical.StorageEntryJSON(usersPrefix+name, user)
	if err != nil {
		return nil, fmt.Errorf("encoding user: %w", err)
	}
	if err := req.Storage.Put(ctx, entry); err != nil {
		return nil, fmt.Errorf("storing user: %w", err)
	}
	return nil, nil
}

func (b *backend) pathUserDelete(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	b.userLock.Lock()
	defer b.userLock.Unlock()

	if err := req.Storage.Delete(ctx, usersPrefix+d.Get("name").(string)); err != nil {
		return nil, fmt.Errorf("deleting user: %w", err)
	}
	return nil, nil
}

// getUser returns the stored user, or nil if there is none. Users are not
// cached: login and renew must see a deletion at once, on every node.
func getUser(ctx context.Context, s logical.Storage, name string) (*userEntry, error) {
	entry, err := s.Get(ctx, usersPrefix+name)
	if err != nil {
		return nil, fmt.Errorf("reading user: %w", err)
	}
	if entry == nil {
		return nil, nil
	}
	user := new(userEntry)
	if err := entry.DecodeJSON(user); err != nil {
		return nil, fmt.Errorf("decoding user: %w", err)
	}
	return user, nil
}

const pathUsersListHelpSyn = `
List the users.
`

const pathUsersListHelpDesc = `
Lists the names of the users that can log in on "login".
`

const pathUsersHelpSyn = `
Manage the users that can log in.
`

const pathUsersHelpDesc = `
Each user has a password, kept only as a bcrypt hash and never returned,
and the token_* settings of the tokens it gets on login: token_policies,
token_ttl and token_max_ttl (0 takes ttl and max_ttl from "config"),
token_bound_cidrs, token_type and the others Vault's auth methods share.
Deleting a user stops the renewal of tokens it already has; revoke them to
end them at once.
`
