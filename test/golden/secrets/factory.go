package hello

import (
	"context"
	"fmt"

	"github.com/hashicorp/vault/sdk/logical"
)

var (
	_ logical.Factory = Factory
	_ logical.Backend = (*backend)(nil)
)

// operationPrefix starts the OpenAPI operation ID of every path (for
// example hello-read-configuration), as HashiCorp's plugins name theirs.
const operationPrefix = "hello"

// Factory returns a configured instance of the hello secrets engine.
func Factory(ctx context.Context, conf *logical.BackendConfig) (logical.Backend, error) {
	b := newBackend()
	if err := b.Setup(ctx, conf); err != nil {
		return nil, fmt.Errorf("setting up backend: %w", err)
	}
	return b, nil
}
