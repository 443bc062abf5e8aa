module example.com/vault-plugin-auth-acme-billing

go 1.25.7

require (
	github.com/hashicorp/go-hclog v1.6.3
	github.com/hashicorp/vault/api v1.23.0
	github.com/hashicorp/vault/sdk v0.25.1
	golang.org/x/crypto v0.49.0
)
