package hello

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"
)

const (
	configPath = "config"

	defaultTTL    = time.Hour
	defaultMaxTTL = 24 * time.Hour
)

// pluginConfig is stored as JSON under configPath. Storage is seal-wrapped
// (see PathsSpecial) because APIKey is a secret.
type pluginConfig struct {
	CustomPrefix string        `json:"custom_prefix"`
	APIKey       string        `json:"api_key"`
	TTL          time.Duration `json:"ttl"`
	MaxTTL       time.Duration `json:"max_ttl"`
}

// configCache keeps the stored configuration in memory, saving a storage
// read and JSON decode on every request. The backend embeds it.
type configCache struct {
	// configLock guards config, which is nil until first read or after a
	// change on another node.
	configLock sync.RWMutex
	config     *pluginConfig
}

func pathConfig(b *backend) *framework.Path {
	return &framework.Path{
		Pattern: configPath,
		DisplayAttrs: &framework.DisplayAttributes{
			OperationPrefix: operationPrefix,
		},
		Fields: map[string]*framework.FieldSchema{
			"custom_prefix": {
				Type:        framework.TypeString,
				Description: "Prefix put in front of every greeting. Required on create.",
			},
			"api_key": {
				Type:        framework.TypeString,
				Description: "Example secret a real engine would use to reach its upstream system.",
				DisplayAttrs: &framework.DisplayAttributes{
					Sensitive: true,
				},
			},
			"ttl": {
				Type:        framework.TypeDurationSecond,
				Description: "Default lease TTL of issued credentials. 0 uses the mount's default.",
				Default:     int(defaultTTL.Seconds()),
			},
			"max_ttl": {
				Type:        framework.TypeDurationSecond,
				Description: "Maximum lease TTL of issued credentials. 0 uses the mount's maximum.",
				Default:     int(defaultMaxTTL.Seconds()),
			},
		},
		Operations: map[logical.Operation]framework.OperationHandler{
			logical.ReadOperation: &framework.PathOperation{
				Callback:    b.pathConfigRead,
				Summary:     "Read the configuration.",
				Description: "Every field but api_key, which is never returned.",
				DisplayAttrs: &framework.DisplayAttributes{
					OperationSuffix: "configuration",
				},
				Responses: map[int][]framework.Response{
					http.StatusOK: {{
						Description: "OK",
						Fields:      configResponseFields,
					}},
				},
			},
			logical.CreateOperation: &framework.PathOperation{
				Callback: b.pathConfigWrite,
				Summary:  "Configure the secrets engine.",
				DisplayAttrs: &framework.DisplayAttributes{
					OperationVerb: "configure",
				},
				Responses: map[int][]framework.Response{
					http.StatusNoContent: {{Description: "No content."}},
				},
			},
			logical.UpdateOperation: &framework.PathOperation{
				Callback:    b.pathConfigWrite,
				Summary:     "Configure the secrets engine.",
				Description: "Creates the configuration, or updates it: omitted fields keep their value.",
				DisplayAttrs: &framework.DisplayAttributes{
					OperationVerb: "configure",
				},
				Responses: map[int][]framework.Response{
					http.StatusNoContent: {{Description: "No content."}},
				},
			},
			logical.DeleteOperation: &framework.PathOperation{
				Callback: b.pathConfigDelete,
				Summary:  "Delete the configuration.",
				DisplayAttrs: &framework.DisplayAttributes{
					OperationSuffix: "configuration",
				},
				Responses: map[int][]framework.Response{
					http.StatusNoContent: {{Description: "No content."}},
				},
			},
		},
		ExistenceCheck:  b.pathConfigExistenceCheck,
		HelpSynopsis:    strings.TrimSpace(pathConfigHelpSyn),
		HelpDescription: strings.TrimSpace(pathConfigHelpDesc),
	}
}

// configResponseFields is what a read returns: the request's fields but
// api_key, as the read handler writes them (durations in seconds).
var configResponseFields = map[string]*framework.FieldSchema{
	"custom_prefix": {Type: framework.TypeString, Description: "Prefix put in front of every greeting.", Required: true, DisplayAttrs: &framework.DisplayAttributes{Value: "Greetings"}},
	"ttl":           {Type: framework.TypeInt64, Description: "Default TTL, in seconds.", Required: true, DisplayAttrs: &framework.DisplayAttributes{Value: 3600}},
	"max_ttl":       {Type: framework.TypeInt64, Description: "Maximum TTL, in seconds.", Required: true, DisplayAttrs: &framework.DisplayAttributes{Value: 86400}},
}

func (b *backend) pathConfigExistenceCheck(ctx context.Context, req *logical.Request, _ *framework.FieldData) (bool, error) {
	cfg, err := b.getConfig(ctx, req.Storage)
	if err != nil {
		return false, err
	}
	return cfg != nil, nil
}

func (b *backend) pathConfigRead(ctx context.Context, req *logical.Request, _ *framework.FieldData) (*logical.Response, error) {
	cfg, err := b.getConfig(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		return nil, nil
	}
	return &logical.Response{
		Data: map[string]interface{}{
			"custom_prefix": cfg.CustomPrefix,
			"ttl":           int64(cfg.TTL.Seconds()),
			"max_ttl":       int64(cfg.MaxTTL.Seconds()),
		},
	}, nil
}

// pathConfigWrite serves both create and update: Vault only routes a write
// to create when the existence check says there is no config yet, so a
// missing stored config is treated as a create either way.
func (b *backend) pathConfigWrite(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	b.configLock.Lock()
	defer b.configLock.Unlock()

	cfg, err := readConfig(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	isNew := cfg == nil
	if isNew {
		cfg = &pluginConfig{}
	}

	if v, ok := d.GetOk("custom_prefix"); ok {
		cfg.CustomPrefix = strings.TrimSpace(v.(string))
	}
	if v, ok := d.GetOk("api_key"); ok {
		cfg.APIKey = v.(string)
	}
	// Field defaults apply on create only; an update keeps the stored TTLs.
	if _, ok := d.GetOk("ttl"); ok || isNew {
		cfg.TTL = time.Duration(d.Get("ttl").(int)) * time.Second
	}
	if _, ok := d.GetOk("max_ttl"); ok || isNew {
		cfg.MaxTTL = time.Duration(d.Get("max_ttl").(int)) * time.Second
	}

	if cfg.CustomPrefix == "" {
		return logical.ErrorResponse("custom_prefix is required"), nil
	}
	if cfg.MaxTTL > 0 && cfg.TTL > cfg.MaxTTL {
		return logical.ErrorResponse("ttl must not be greater than max_ttl"), nil
	}

	entry, err := logical.StorageEntryJSON(configPath, cfg)
	if err != nil {
		return nil, fmt.Errorf("encoding config: %w", err)
	}
	if err := req.Storage.Put(ctx, entry); err != nil {
		return nil, fmt.Errorf("storing config: %w", err)
	}
	b.config = cfg
	return nil, nil
}

func (b *backend) pathConfigDelete(ctx context.Context, req *logical.Request, _ *framework.FieldData) (*logical.Response, error) {
	b.configLock.Lock()
	defer b.configLock.Unlock()

	if err := req.Storage.Delete(ctx, configPath); err != nil {
		return nil, fmt.Errorf("deleting config: %w", err)
	}
	b.config = nil
	return nil, nil
}

// invalidate drops the cached config when another node (a performance
// standby or replica) changes it, so this node re-reads storage.
func (c *configCache) invalidate(_ context.Context, key string) {
	if key == configPath {
		c.configLock.Lock()
		c.config = nil
		c.configLock.Unlock()
	}
}

// getConfig returns a copy of the configuration, or nil if none is stored.
// Callers get a copy so they cannot modify the cache without the lock.
func (c *configCache) getConfig(ctx context.Context, s logical.Storage) (*pluginConfig, error) {
	c.configLock.RLock()
	cached := c.config
	c.configLock.RUnlock()
	if cached != nil {
		cfg := *cached
		return &cfg, nil
	}

	c.configLock.Lock()
	defer c.configLock.Unlock()
	cfg, err := readConfig(ctx, s)
	if err != nil || cfg == nil {
		return nil, err
	}
	c.config = cfg
	cp := *cfg
	return &cp, nil
}

// readConfig bypasses the cache; callers must hold configLock.
func readConfig(ctx context.Context, s logical.Storage) (*pluginConfig, error) {
	entry, err := s.Get(ctx, configPath)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	if entry == nil {
		return nil, nil
	}
	cfg := new(pluginConfig)
	if err := entry.DecodeJSON(cfg); err != nil {
		return nil, fmt.Errorf("decoding config: %w", err)
	}
	return cfg, nil
}

const pathConfigHelpSyn = `
Configure the hello secrets engine.
`

const pathConfigHelpDesc = `
The configuration must be written before "hello" or "creds" can be read.
custom_prefix is required and starts every greeting. api_key is stored
seal-wrapped and is never returned. ttl and max_ttl set the leases of
credentials issued by "creds".
`
