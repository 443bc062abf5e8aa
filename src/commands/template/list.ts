import {BaseCommand} from '../../lib/cli/base-command.js'
import {color} from '../../lib/cli/output.js'
import {discoverKinds} from '../../lib/templates/search-path.js'

export interface KindListing {
  name: string
  pluginType: string
  description: string
  /** "builtin", "template-path" (VAULTKIT_TEMPLATE_PATH), "config" (the config file) or "flag". */
  source: string
  origin: string
  dir: string
  extends?: string
}

export default class TemplateList extends BaseCommand {
  static override summary = 'List every kind: built-in, and from VAULTKIT_TEMPLATE_PATH and the config file'
  static override description =
    'Shows each kind plugin new can render, with its plugin type, description and where it comes from. External kinds are found in the folders of VAULTKIT_TEMPLATE_PATH (colon-separated) and in "templatePath" of ~/.config/vaultkit/config.json (or $XDG_CONFIG_HOME/vaultkit/config.json).'

  static override examples = ['<%= config.bin %> <%= command.id %>', 'VAULTKIT_TEMPLATE_PATH=~/kinds <%= config.bin %> <%= command.id %> --json']

  async run(): Promise<{kinds: KindListing[]}> {
    await this.parse(TemplateList)
    const {kinds} = discoverKinds()
    const listing = kinds.map((k) => ({
      name: k.manifest.name,
      pluginType: k.manifest.pluginType,
      description: k.manifest.description,
      source: k.source,
      origin: k.origin,
      dir: k.dir,
      ...(k.manifest.extends ? {extends: k.manifest.extends} : {}),
    }))
    const width = Math.max(...listing.map((k) => k.name.length))
    for (const kind of listing) {
      const from = kind.source === 'builtin' ? 'built-in' : `${kind.dir} (${kind.origin})`
      this.log(`${color.bold(kind.name.padEnd(width))}  ${kind.pluginType.padEnd(8)}  ${kind.description}`)
      this.log(`${' '.repeat(width)}  ${color.dim(`from ${from}${kind.extends ? `, extends ${kind.extends}` : ''}`)}`)
    }
    return {kinds: listing}
  }
}
