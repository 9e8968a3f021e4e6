import { ts } from 'ts-morph'
import { configObject, objectAt, property } from '../src/analysis/server/nuxt-config.js'
import { addSseRedisUrl, addSseSetting } from './server/config-edit.js'
import { addEnvLine, envValue } from './server/env-edit.js'
import type { AppRedisFactory, RedisAdapterInfo } from '../src/analysis/server/types.js'
import type { ChangeMeta } from '../src/changeset/types.js'
import type { Transform, TransformContext } from '../src/transform.js'
import { filesThatMayContain } from '../src/project/search.js'
import { findSfcScripts } from '../src/project/vue.js'
import { listsDependency } from '../src/changeset/package-json.js'

const ID = 'packages'
const meta = (reason: string): ChangeMeta => ({ transform: ID, reason })

/** Packages that exist only for Socket.IO. `engine.io` is in the list because apps add it only for C2-style setups. */
const SOCKET_IO_PACKAGES = ['socket.io', 'socket.io-client', '@socket.io/redis-adapter', 'engine.io', '@types/socket.io', '@types/socket.io-client']

/** The ioredis range the runtime's Redis broker is tested with (this package's own devDependency). */
export const IOREDIS_RANGE = '^5.11.1'

const SSE_REDIS_ENV = 'NUXT_SSE_REDIS_URL'
const ENV_EXAMPLES = ['.env.example', '.env.sample', '.env.template']

/**
 * Removes the Socket.IO packages from package.json once no file left imports them, and moves the
 * Redis adapter's connection to the SSE runtime's Redis broker (ioredis, `runtimeConfig.sse.redisUrl`).
 */
export const packages: Transform = {
  id: ID,
  title: 'Remove the Socket.IO packages; configure the SSE Redis broker when the app used the Redis adapter',
  run(ctx) {
    const packageJson = ctx.changes.currentText('package.json') ?? ''
    const listed = (name: string): boolean => listsDependency(packageJson, name)
    for (const name of SOCKET_IO_PACKAGES) {
      if (!listed(name)) continue
      const importer = survivingImporter(ctx, name)
      if (importer) {
        ctx.report({ file: importer.file, line: importer.line, code: importer.code }, {
          kind: 'packages/still-imported',
          reason: `\`${name}\` is still imported here after the migration, so it stays in package.json`,
          action: `migrate the remaining use (see the other follow-ups), then remove ${name}`,
        })
        continue
      }
      ctx.changes.removeDependency(name, meta(`${name} is no longer used`))
    }
    const adapter = ctx.model.server.sites.map((site) => site.redisAdapter).find((info) => info !== undefined)
    if (adapter) configureRedisBroker(ctx, adapter, listed('ioredis'), packageJson)
    // The sse-runtime transform installs the Redis broker for this dependency alone, so it needs configuring too.
    else if (listed('@socket.io/redis-adapter')) reportUnseenAdapter(ctx, packageJson)
    if (adapter?.client === 'redis' && listed('redis') && !survivingImporter(ctx, 'redis')) {
      ctx.report({ file: 'package.json', line: lineOf(packageJson, '"redis"'), code: '"redis"' }, {
        kind: 'packages/redis-client-unused',
        reason: 'the `redis` client was used by the Socket.IO adapter and nothing imports it any more; the SSE broker uses ioredis',
        action: 'remove `redis` from package.json if no script or tool needs it',
      })
    }
  },
}

function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle)
  return index < 0 ? 1 : text.slice(0, index).split('\n').length
}

/** A follow-up target at a line of a file's text, showing that line. */
function lineIn(file: string, text: string, line: number): { file: string; line: number; code: string } {
  return { file, line, code: text.split('\n')[line - 1]?.trim() ?? '' }
}

/** The first file (other than deleted ones) whose current text imports the package. */
function survivingImporter(ctx: TransformContext, name: string): { file: string; line: number; code: string } | undefined {
  for (const file of filesThatMayContain(ctx.repo, [name])) {
    const text = ctx.changes.currentText(file)
    // Substring first: this can run over every file of the repo, and few of them name the package.
    if (text === undefined || !text.includes(name)) continue
    const offset = importOffset(file, text, name)
    if (offset === undefined) continue
    const line = text.slice(0, offset).split('\n').length
    return { file, line, code: (text.split('\n')[line - 1] ?? '').trim() }
  }
  return undefined
}

/**
 * Where the code (not a comment or a string) imports `name` or a subpath of it: `import`, `export …
 * from`, `import()` or `require()`, as TypeScript's own pre-processor finds them; in a .vue file, in
 * its script blocks.
 */
function importOffset(file: string, text: string, name: string): number | undefined {
  const scripts = file.endsWith('.vue') ? findSfcScripts(text, file).scripts : [{ content: text, start: 0 }]
  for (const script of scripts) {
    const found = ts.preProcessFile(script.content, true, true).importedFiles
      .find((reference) => reference.fileName === name || reference.fileName.startsWith(`${name}/`))
    if (found) return script.start + found.pos
  }
  return undefined
}

/** Where the adapter's Redis URL came from, in words and as the env var that set it. */
interface RedisSource {
  /** The expression for `runtimeConfig.sse.redisUrl`. */
  value: string
  /** The env var that configured the old adapter, e.g. `NUXT_REDIS_URL` / `REDIS_URL`. */
  envVar?: string
  described: string
  /** True when the adapter used a fixed URL: the broker then gets the same URL and nothing is left to do. */
  literal: boolean
}

function redisSource(adapter: RedisAdapterInfo, configText: string | undefined): RedisSource {
  const connection = adapter.connectionText
  if (connection !== undefined && adapter.connectionIsLiteral) {
    return { value: connection, described: `the literal ${connection}`, literal: true }
  }
  if (adapter.runtimeConfigKey) {
    const key = adapter.runtimeConfigKey
    const envVar = `NUXT_${key.replace(/\./g, '_').replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`
    return { value: runtimeConfigLiteral(configText, key) ?? "''", envVar, described: `runtimeConfig.${key} (${envVar})`, literal: false }
  }
  const envVar = adapter.envVars[0]
  if (envVar) return { value: "''", envVar, described: `process.env.${envVar}`, literal: false }
  return { value: "''", described: connection !== undefined ? `\`${connection}\`` : 'settings the tool could not find', literal: false }
}

/** The literal default of `runtimeConfig.<key>` in nuxt.config (`redisUrl: ''` → `''`). */
function runtimeConfigLiteral(configText: string | undefined, key: string): string | undefined {
  if (!configText) return undefined
  const file = ts.createSourceFile('nuxt.config.ts', configText, ts.ScriptTarget.Latest, true)
  const path = key.split('.')
  const object = objectAt(configObject(file), ['runtimeConfig', ...path.slice(0, -1)], file)
  const initializer = object ? property(object, path[path.length - 1]!, file)?.initializer : undefined
  return initializer && (ts.isStringLiteral(initializer) || ts.isNoSubstitutionTemplateLiteral(initializer)) ? initializer.getText(file) : undefined
}

/**
 * The Socket.IO Redis adapter becomes the SSE runtime's Redis broker: ioredis is a dependency,
 * `runtimeConfig.sse.redisUrl` exists (env `NUXT_SSE_REDIS_URL`) with the same default, the env
 * example documents it next to the variable the adapter used, and one follow-up at that nuxt.config
 * line lists what every environment must set.
 */
function configureRedisBroker(ctx: TransformContext, adapter: RedisAdapterInfo, hasIoredis: boolean, packageJson: string): void {
  if (!hasIoredis) ctx.changes.addDependency('ioredis', IOREDIS_RANGE, false, meta('the SSE runtime\'s Redis broker uses ioredis'))
  if (adapter.clientFactory) return configureAppRedisBroker(ctx, adapter.clientFactory, packageJson)
  const configPath = ctx.repo.relative(ctx.repo.layout.nuxtConfigPath)
  const configText = ctx.changes.currentText(configPath)
  const source = redisSource(adapter, configText)
  let configLine = 1
  if (configText !== undefined) {
    const withUrl = addSseRedisUrl(configText, source.value, `Redis for the SSE broker (several instances); env ${SSE_REDIS_ENV}. Empty: in-memory, one instance.`)
    // Empty here on purpose: with Redis set, the runtime refuses to start until every instance has the same secret.
    const text = addSseSetting(withUrl, 'ticketSecret', "''", `Seals stream tickets; with Redis, required and the same on every instance; env ${SSE_SECRET_ENV}.`)
    if (text !== configText) ctx.changes.write(configPath, text, configText, meta('the SSE runtime reads its Redis URL and ticket secret from runtimeConfig.sse'))
    configLine = sseBlockLine(text)
  }
  for (const file of ENV_EXAMPLES) {
    const before = ctx.changes.currentText(file)
    if (before === undefined) continue
    const value = source.envVar ? envValue(before, source.envVar) ?? '' : ''
    const withUrl = addEnvLine(before, SSE_REDIS_ENV, value, source.envVar, `Redis for the SSE runtime (same server as ${source.envVar ?? 'the Socket.IO adapter'}); empty: in-memory`)
    const text = addEnvLine(withUrl, SSE_SECRET_ENV, '', SSE_REDIS_ENV, 'Required with Redis: the same random string on every instance, at least 32 characters (openssl rand -base64 32)')
    if (text !== before) ctx.changes.write(file, text, before, meta(`documents ${SSE_REDIS_ENV} and ${SSE_SECRET_ENV}`))
  }
  const where = configText !== undefined
    ? lineIn(configPath, ctx.changes.currentText(configPath) ?? configText, configLine)
    : lineIn('package.json', packageJson, lineOf(packageJson, '"@socket.io/redis-adapter"'))
  const url = source.literal
    ? `runtimeConfig.sse.redisUrl now names the same Redis, and ${SSE_REDIS_ENV} overrides it`
    : `the SSE runtime's Redis broker reads ${SSE_REDIS_ENV} (runtimeConfig.sse.redisUrl)`
  ctx.report(where, {
    kind: REDIS_CONFIG_KIND,
    reason: `the Socket.IO Redis adapter was configured from ${source.described}; ${url}. ${SEVERAL_INSTANCES}`,
    action: redisConfigAction(source.literal ? undefined : `set ${SSE_REDIS_ENV} to the same Redis as ${source.envVar ?? 'the adapter'}`),
  })
}

/**
 * The adapter's clients came from the app's own function, which the broker connects through: Redis
 * needs no new setting. What is new is the ticket secret every instance must share; runtimeConfig
 * gets it (empty: the app refuses to start until it is set) and the env example documents it.
 */
function configureAppRedisBroker(ctx: TransformContext, factory: AppRedisFactory, packageJson: string): void {
  const configPath = ctx.repo.relative(ctx.repo.layout.nuxtConfigPath)
  const configText = ctx.changes.currentText(configPath)
  let where = lineIn('package.json', packageJson, lineOf(packageJson, '"@socket.io/redis-adapter"'))
  if (configText !== undefined) {
    const text = addSseSetting(configText, 'ticketSecret', "''", `Seals stream tickets; required, and the same on every instance; env ${SSE_SECRET_ENV}.`)
    if (text !== configText) ctx.changes.write(configPath, text, configText, meta('the SSE runtime reads its ticket secret from runtimeConfig.sse'))
    where = lineIn(configPath, text, sseBlockLine(text))
  }
  for (const file of ENV_EXAMPLES) {
    const before = ctx.changes.currentText(file)
    if (before === undefined) continue
    const text = addEnvLine(before, SSE_SECRET_ENV, '', undefined, 'Required: the same random string on every instance, at least 32 characters (openssl rand -base64 32)')
    if (text !== before) ctx.changes.write(file, text, before, meta(`documents ${SSE_SECRET_ENV}`))
  }
  ctx.report(where, {
    kind: REDIS_CONFIG_KIND,
    reason: `the SSE runtime's Redis broker connects through \`${factory.name}()\` (${factory.file}), as the Socket.IO adapter did: the same Redis, with no new setting. Instances accept each other's stream tickets only with one shared ${SSE_SECRET_ENV}: without it, the app refuses to start`,
    action: redisConfigAction(undefined),
  })
}

/** The line of nuxt.config's `sse: {` block, where the follow-ups about it point (else `defineNuxtConfig`). */
function sseBlockLine(configText: string): number {
  const sse = configText.search(/\bsse\s*:\s*\{/)
  return sse < 0 ? lineOf(configText, 'defineNuxtConfig') : configText.slice(0, sse).split('\n').length
}

const REDIS_CONFIG_KIND = 'packages/sse-redis-config'

const SSE_SECRET_ENV = 'NUXT_SSE_TICKET_SECRET'

const SEVERAL_INSTANCES =
  'Several instances share events only through that Redis, and accept each other\'s stream tickets only with one shared NUXT_SSE_TICKET_SECRET: with Redis set and no secret, the app refuses to start'

/** Everything a user of the Redis broker must do, after `first` (the broker's URL, when it is not set yet). */
function redisConfigAction(first: string | undefined): string {
  const steps = [
    ...(first ? [first] : []),
    'set NUXT_SSE_TICKET_SECRET to one random string of at least 32 characters (openssl rand -base64 32), the same on every instance',
    'run that Redis with appendonly yes so a restart keeps the replay log',
  ]
  return `In every environment (.env, CI, hosting): ${steps.join('; ')}`
}

/**
 * package.json lists the Redis adapter but the analysis found no `io.adapter(createAdapter(...))` (it may live
 * where the analysis cannot follow it): the broker is installed, but nothing says which Redis it should use.
 */
function reportUnseenAdapter(ctx: TransformContext, packageJson: string): void {
  const configPath = ctx.repo.relative(ctx.repo.layout.nuxtConfigPath)
  const configText = ctx.changes.currentText(configPath)
  const where = configText !== undefined
    ? lineIn(configPath, configText, lineOf(configText, 'defineNuxtConfig'))
    : lineIn('package.json', packageJson, lineOf(packageJson, '"@socket.io/redis-adapter"'))
  ctx.report(where, {
    kind: REDIS_CONFIG_KIND,
    reason: `package.json depends on @socket.io/redis-adapter, but the tool did not find where the adapter is set up, so the SSE runtime's Redis broker has no URL (${SSE_REDIS_ENV}, runtimeConfig.sse.redisUrl). ${SEVERAL_INSTANCES}`,
    action: redisConfigAction(`set ${SSE_REDIS_ENV} to the Redis the Socket.IO adapter used`),
  })
}
