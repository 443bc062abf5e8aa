/**
 * Shared layers under built-in kinds (and the kinds that extend them): `framework` holds what the plugins
 * built on the SDK's framework.Backend have in common (config and hello paths, their tests, the Makefile).
 * No imports: the build's precompile script reads this file too.
 */
const SHARED_LAYERS: Record<string, string[]> = {secrets: ['framework'], auth: ['framework']}

/** The built-in layers under a built-in kind, lowest first. */
export const builtinChain = (kind: string): string[] => ['common', ...(SHARED_LAYERS[kind] ?? []), kind]
