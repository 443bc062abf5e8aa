import HandlebarsRuntime from 'handlebars/runtime'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {UserError} from '../errors.js'
import {PACKAGE_ROOT} from '../paths.js'
import {COMPILE_OPTIONS, templateKey} from './compile-options.js'
import {helpers} from './helpers.js'

export type TemplateContext = Record<string, unknown>
type Render = (context: TemplateContext) => string
type Env = typeof HandlebarsRuntime

function withHelpers<T extends Env>(env: T): T {
  for (const [name, helper] of Object.entries(helpers)) {
    // Handlebars passes its options object last; helpers take only the template's arguments.
    env.registerHelper(name, (...args: unknown[]) => (helper as (...a: unknown[]) => unknown)(...args.slice(0, -1)))
  }
  return env
}

const runtime = withHelpers(HandlebarsRuntime.create())
const precompiled = new Map<string, Promise<Map<string, unknown>>>()
let compiler: Promise<{compile: (source: string) => Render}> | undefined

/**
 * The templates of a chain of built-in layers (common, shared layers, a kind), precompiled by the build into
 * dist/templates/<top layer>.js and keyed by templateKey of their source; a kind loads the one module of its chain.
 */
export function loadPrecompiled(top: string): Promise<Map<string, unknown>> {
  let loaded = precompiled.get(top)
  if (!loaded) {
    loaded = import(pathToFileURL(join(PACKAGE_ROOT, 'dist', 'templates', `${top}.js`)).href).then(
      (module: {default: Map<string, unknown>}) => module.default,
      () => new Map(),
    )
    precompiled.set(top, loaded)
  }
  return loaded
}

/** The full Handlebars compiler, loaded only for a template the build did not precompile. */
export function loadCompiler() {
  compiler ??= import('handlebars').then(({default: Handlebars}) => {
    const env = withHelpers(Handlebars.create())
    return {compile: (source: string) => env.compile(source, COMPILE_OPTIONS)}
  })
  return compiler
}

/** `layers`: the built-in layers the template may come from, lowest first (see builtinLayers). */
export async function compileTemplate(source: string, layers: readonly string[] = []): Promise<Render> {
  const spec = layers.length > 0 ? (await loadPrecompiled(layers.at(-1)!)).get(templateKey(source)) : undefined
  if (spec) return runtime.template(spec as TemplateSpecification)
  return (await loadCompiler()).compile(source)
}

type TemplateSpecification = Parameters<Env['template']>[0]

/** Renders one template; strict, so a missing answer is an error rather than an empty string. */
export async function renderString(
  source: string,
  context: TemplateContext,
  origin: string,
  layers: readonly string[] = [],
): Promise<string> {
  try {
    return (await compileTemplate(source, layers))(context)
  } catch (error) {
    throw new UserError(`Template ${origin} failed to render: ${(error as Error).message.split('\n')[0]}`, 'fix the template')
  }
}
