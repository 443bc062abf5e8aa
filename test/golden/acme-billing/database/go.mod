module example.com/vault-plugin-database-acme-billing

go 1.25.7

require (
	github.com/hashicorp/go-hclog v1.6.3
	github.com/hashicorp/go-secure-stdlib/parseutil v0.2.0
	github.com/hashicorp/vault/sdk v0.25.1
	github.com/jackc/pgx/v5 v5.9.1
)
