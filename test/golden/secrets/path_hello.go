package hello

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"
)

func pathHello(b *backend) *framework.Path {
	return &framework.Path{
		Pattern: "hello",
		DisplayAttrs: &framework.DisplayAttributes{
			OperationPrefix: operationPrefix,
			OperationSuffix: "greeting",
		},
		Fields: map[string]*framework.FieldSchema{
			"name": {
				Type:        framework.TypeString,
				Description: "Who to greet.",
				Default:     "world",
				Query:       true,
			},
		},
		Operations: map[logical.Operation]framework.OperationHandler{
			logical.ReadOperation: &framework.PathOperation{
				Callback:    b.pathHelloRead,
				Summary:     "Return a greeting.",
				Description: "The greeting starts with the configured prefix; it answers 400 until the secrets engine is configured.",
				Responses: map[int][]framework.Response{
					http.StatusOK: {{
						Description: "OK",
						Fields: map[string]*framework.FieldSchema{
							"message": {Type: framework.TypeString, Description: "The greeting.", Required: true},
						},
					}},
				},
			},
		},
		HelpSynopsis:    strings.TrimSpace(pathHelloHelpSyn),
		HelpDescription: strings.TrimSpace(pathHelloHelpDesc),
	}
}

func (b *backend) pathHelloRead(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	cfg, err := b.getConfig(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		return notConfiguredResponse(req), nil
	}
	return &logical.Response{
		Data: map[string]interface{}{
			"message": fmt.Sprintf("%s, hello %s from vault-plugin-secrets-hello", cfg.CustomPrefix, d.Get("name").(string)),
		},
	}, nil
}

// notConfiguredResponse is a 400 rather than a 404 or 500 so the user sees
// what to do next; MountPoint (e.g. "hello/") makes the hint copy-pasteable.
func notConfiguredResponse(req *logical.Request) *logical.Response {
	return logical.ErrorResponse("the plugin is not configured yet: write %s%s first", req.MountPoint, configPath)
}

const pathHelloHelpSyn = `
Return a greeting.
`

const pathHelloHelpDesc = `
Reading this path returns a message that starts with the custom_prefix set
on "config". It fails with a 400 until "config" has been written.
`
