# Merged into `vault server -dev` by `make dev`. Dev only: never use this
# file for a real server.

# A relative path works: Vault makes it absolute against its own working
# directory at startup (not this file's), and `make dev` runs from the
# project root. Start Vault elsewhere and you need an absolute path. The path
# must not pass through a symlink (macOS /tmp, /var): Vault compares it with
# the symlink-resolved path of the binary and refuses the plugin.
plugin_directory = "./vault/plugins"

# -dev already listens on 127.0.0.1:8200, and every listener also gets a
# cluster port at port+1 (8201), so this one must avoid both; it takes 8210
# and 8211.
listener "tcp" {
  address     = "127.0.0.1:8210"
  tls_disable = true
}

api_addr = "http://127.0.0.1:8210"

# Dev only: Vault and its plugins skip mlock, so no IPC_LOCK capability is
# needed. Keep mlock on a real server unless it uses integrated storage.
disable_mlock = true
