// What each type of Vault plugin is, in one table: names, where it mounts, how it is reloaded and named to
// the user. Everything else reads it; a new type is one more row. Pure data: `plugin new` reads it at start-up.

export const PLUGIN_TYPES = ['secret', 'auth', 'database'] as const
/** Vault's own word for the type, as in `sys/plugins/catalog/<type>/<name>`. */
export type PluginType = (typeof PLUGIN_TYPES)[number]

export interface PluginTypeInfo {
  /** The word of binary names and built-in kinds: vault-plugin-<word>-<name>, `plugin new --type <word>`. */
  word: string
  /** How Vault's docs call it. */
  noun: string
  binaryPrefix: string
  /**
   * Where mounts of this type are listed, enabled and tuned. A database plugin is not mounted itself: it runs
   * under Vault's database secrets engine, which is a secrets mount.
   */
  mountApi: 'sys/mounts' | 'sys/auth'
  /** A mount's path as requests (and `sys/plugins/reload/backend`) name it: auth methods live under auth/. */
  requestPath: (path: string) => string
  /** Mount path when none is given: the plugin's own name, or the database engine's. */
  defaultPath: (name: string) => string
}

export const PLUGIN_TYPE: Record<PluginType, PluginTypeInfo> = {
  secret: {
    word: 'secrets',
    noun: 'secrets engine',
    binaryPrefix: 'vault-plugin-secrets-',
    mountApi: 'sys/mounts',
    requestPath: (path) => path,
    defaultPath: (name) => name,
  },
  auth: {
    word: 'auth',
    noun: 'auth method',
    binaryPrefix: 'vault-plugin-auth-',
    mountApi: 'sys/auth',
    requestPath: (path) => `auth/${path}`,
    defaultPath: (name) => name,
  },
  database: {
    word: 'database',
    noun: 'database plugin',
    binaryPrefix: 'vault-plugin-database-',
    mountApi: 'sys/mounts',
    requestPath: (path) => path,
    defaultPath: () => 'database',
  },
}

/** Every word a user may type for a plugin type: Vault's (`secret`) and the kinds' (`secrets`). */
export const PLUGIN_TYPE_WORDS = ['secrets', 'secret', 'auth', 'database'] as const

/** `secrets` or `secret` -> `secret`; undefined for anything else. */
export function parsePluginType(word: string): PluginType | undefined {
  if ((PLUGIN_TYPES as readonly string[]).includes(word)) return word as PluginType
  return PLUGIN_TYPES.find((type) => PLUGIN_TYPE[type].word === word)
}

/** The type a binary name declares (`vault-plugin-auth-x` -> auth), and the plugin name after the prefix. */
export function splitBinaryName(binaryName: string): {type: PluginType; name: string} | undefined {
  for (const type of PLUGIN_TYPES) {
    const prefix = PLUGIN_TYPE[type].binaryPrefix
    if (binaryName.startsWith(prefix)) return {type, name: binaryName.slice(prefix.length)}
  }
  return undefined
}
