import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { AppRedisFactory } from '../src/analysis/server/types.js'
import { listsDependency } from '../src/changeset/package-json.js'
import type { CodeStyle } from '../src/style/types.js'
import type { Transform, TransformContext } from '../src/transform.js'
// The same range as the packages transform, which also adds ioredis for the Redis adapter: one edit, no conflict.
import { IOREDIS_RANGE } from './packages.js'

const ID = 'sse-runtime'

/** The plugin that makes the Redis broker available. */
const REDIS_PLUGIN = 'server/plugins/sse-redis.ts'

/** Files of the runtime that only apps running several instances (Socket.IO's Redis adapter) get. */
const REDIS_FILES = new Set(['server/sse/redis-broker.ts', REDIS_PLUGIN])

/** The runtime file the app fills in with its own auth and channels. */
const APP_HOOKS = 'server/utils/sse-hooks.ts'

/** The stream route, which passes the app's hooks to the runtime. */
export const STREAM_ROUTE = 'server/api/chat/events.get.ts'

/**
 * The stream route of an app whose hooks export `connectionClosed` (its Socket.IO `disconnect` handler did
 * work): it imports and passes that hook too. Undefined when the text is not the runtime's route.
 */
export function withConnectionClosed(route: string): string | undefined {
  const imported = /\{ authenticateSSE, canSubscribe, channelsForConnection \}/
  const passed = /\{ authenticateSSE, channelsForConnection, canSubscribe \}/
  if (!imported.test(route) || !passed.test(route)) return undefined
  return route
    .replace(imported, '{ authenticateSSE, canSubscribe, channelsForConnection, connectionClosed }')
    .replace(passed, '{ authenticateSSE, channelsForConnection, canSubscribe, connectionClosed }')
}

/** True when the app's hooks file (as this run leaves it so far) exports `connectionClosed`. */
function exportsConnectionClosed(ctx: TransformContext): boolean {
  const hooks = ctx.changes.currentText(targetPath(ctx, APP_HOOKS))
  return hooks !== undefined && /^export\s+(?:async\s+)?function\s+connectionClosed\b/m.test(hooks)
}

/** The style the runtime is written in: a repo with this style gets the files byte for byte. */
const RUNTIME_STYLE: CodeStyle = { quote: "'", semicolons: false, indent: '  ' }

function sameStyle(a: CodeStyle, b: CodeStyle): boolean {
  return a.quote === b.quote && a.semicolons === b.semicolons && a.indent === b.indent
}

/** Runtime files (`server/…`, `app/…`), relative to the runtime dir, sorted. */
export function runtimeFiles(runtimeDir: string): string[] {
  const out: string[] = []
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(runtimeDir, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`
      if (entry.isDirectory()) walk(child)
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(child)
    }
  }
  walk('server')
  walk('app')
  return out.sort()
}

/**
 * Whether the app needs the Redis broker, and why: it set up Socket.IO's Redis adapter (seen by the
 * analysis), or at least depends on `@socket.io/redis-adapter` (the adapter call may live where the
 * analysis could not follow it). A single-instance app gets the in-memory broker and no ioredis.
 */
export function redisNeed(ctx: TransformContext): { needed: boolean; reason: string; factory?: AppRedisFactory } {
  const adapter = ctx.model.server.sites.find((site) => site.redisAdapter)?.redisAdapter
  if (adapter) {
    return { needed: true, reason: `the Socket.IO server used a Redis adapter (${adapter.client} clients)`, factory: adapter.clientFactory }
  }
  const pkg = ctx.repo.readText(ctx.repo.relative(ctx.repo.layout.packageJsonPath))
  if (pkg && listsDependency(pkg, '@socket.io/redis-adapter', ['dependencies', 'devDependencies', 'optionalDependencies'])) {
    return { needed: true, reason: 'package.json depends on @socket.io/redis-adapter' }
  }
  return { needed: false, reason: 'no Socket.IO Redis adapter in use' }
}

/** `server/utils/sse.ts` → `<serverDir>/utils/sse.ts`, `app/…` → `<srcDir>/…`, repo-relative. */
export function targetPath(ctx: TransformContext, file: string): string {
  const [top, ...rest] = file.split('/')
  const base = ctx.repo.relative(top === 'server' ? ctx.repo.layout.serverDir : ctx.repo.layout.srcDir)
  return [base, ...rest].filter(Boolean).join('/')
}

export const sseRuntime: Transform = {
  id: ID,
  title: 'Install the SSE runtime: stream endpoint, ticket route, emitter utils, app hooks and the useChatSSE composable',
  run(ctx) {
    // A migrated repo no longer uses Socket.IO but has the runtime: a re-run still checks its files.
    if (!ctx.model.usesSocketIO && !ctx.repo.exists(targetPath(ctx, 'server/sse/runtime.ts'))) return
    const redis = redisNeed(ctx)
    ctx.verbose(`broker: ${redis.needed ? 'redis' : 'memory'} (${redis.reason})`)
    const style = ctx.styleOf()
    for (const file of runtimeFiles(ctx.runtimeDir)) {
      if (REDIS_FILES.has(file) && !redis.needed) continue
      const target = targetPath(ctx, file)
      const source = file === REDIS_PLUGIN && redis.factory ? appRedisPlugin(redis.factory, target) : readFileSync(path.join(ctx.runtimeDir, file), 'utf8')
      // The formatter would only add noise (`{ }`) to code already in the repo's style.
      const styled = sameStyle(style, RUNTIME_STYLE) ? source : ctx.applyStyle(source, style)
      // A later run finds the route the run that wrote `connectionClosed` left.
      const text = file === STREAM_ROUTE && exportsConnectionClosed(ctx) ? (withConnectionClosed(styled) ?? styled) : styled
      const current = ctx.changes.currentText(target)
      if (current === text) continue
      // The hooks are the app's to edit (auth, channels): once there, they are never compared.
      if (file === APP_HOOKS && ctx.repo.exists(target)) continue
      if (current !== undefined) {
        ctx.report(
          { file: target, line: 1 },
          {
            kind: 'runtime/file-exists',
            reason: `${target} already exists and differs from the SSE runtime file the migration installs`,
            action: `Compare it with ${file} of tutor-sse-migrate's runtime and merge by hand (the rest of the runtime imports it)`,
          },
        )
        continue
      }
      ctx.changes.create(target, text, { transform: ID, reason: `SSE runtime (${file})` })
    }
    if (redis.needed) addIoredis(ctx, redis)
    reportLogoutRoutes(ctx)
  },
}

/**
 * The Redis plugin of an app whose Socket.IO adapter got its clients from the app's own function: the
 * broker connects the same way (server, database, password from the app's settings), so no Redis
 * setting is new. NUXT_SSE_REDIS_URL still takes precedence when set.
 */
function appRedisPlugin(factory: AppRedisFactory, pluginPath: string): string {
  const specifier = factory.importSpecifier?.startsWith('.')
    ? relativeSpecifier(pluginPath, factory.file)
    : factory.importSpecifier
  return [
    "import { RedisBroker } from '../sse/redis-broker'",
    "import { registerRedisBroker } from '../sse/runtime'",
    ...(specifier ? [`import { ${factory.name} } from '${specifier}'`] : []),
    '',
    '/**',
    ` * The SSE broker shares events through the app's own Redis, the one the Socket.IO adapter used: it`,
    ` * connects as \`${factory.name}()\` does, unless NUXT_SSE_REDIS_URL names another Redis.`,
    ' */',
    'export default defineNitroPlugin(() => {',
    '  registerRedisBroker(',
    `    (config, sink) => new RedisBroker(config, sink, config.redisUrl ? undefined : (options) => ${factory.name}().duplicate(options)),`,
    '    { appRedis: true },',
    '  )',
    '})',
    '',
  ].join('\n')
}

/** `server/plugins/sse-redis.ts` → `server/utils/redis.ts` as `../utils/redis`. */
function relativeSpecifier(from: string, to: string): string {
  const relative = path.posix.relative(path.posix.dirname(from), to).replace(/\.(m?[jt]s)$/, '')
  return relative.startsWith('.') ? relative : `./${relative}`
}

/** A server file named for logging out: `logout.post.ts`, `sign-out.ts`, `api/auth/signout/index.ts`. */
const LOGOUT_FILE = /(?:^|\/)(?:log-?out|sign-?out)(?:\/index)?(?:\.(?:get|post|put|delete|patch))?\.(?:ts|js|mjs|mts)$/i

/**
 * Where the app logs users out on the server, open streams and unused stream tickets outlive the
 * session unless the route calls `closeUserStreams`. Which expression is the user id differs per
 * app (often only the session being destroyed knows it), so each such route is reported.
 */
function reportLogoutRoutes(ctx: TransformContext): void {
  const serverDir = ctx.repo.relative(ctx.repo.layout.serverDir)
  for (const file of ctx.repo.files) {
    if (!file.startsWith(serverDir ? `${serverDir}/` : '') || !LOGOUT_FILE.test(file)) continue
    const text = ctx.repo.readText(file)
    if (text === undefined || text.includes('closeUserStreams')) continue
    const index = text.search(/defineEventHandler|eventHandler\(/)
    ctx.report(
      { file, line: index < 0 ? 1 : text.slice(0, index).split('\n').length },
      {
        kind: 'runtime/logout-keeps-streams',
        reason: 'this route logs users out, but the user\'s open SSE streams stay open and the stream tickets issued to them stay usable until they expire',
        action: 'Call `await closeUserStreams(<the user\'s id>)` here (from server/utils/sse.ts) once the user is known',
      },
    )
  }
}

/**
 * ioredis for the broker. What to configure (NUXT_SSE_REDIS_URL, the ticket secret, appendonly) is one follow-up
 * of the packages transform, which points at the nuxt.config it edits for the broker's URL.
 */
function addIoredis(ctx: TransformContext, redis: ReturnType<typeof redisNeed>): void {
  const pkg = ctx.repo.readText(ctx.repo.relative(ctx.repo.layout.packageJsonPath))
  if (!pkg || !listsDependency(pkg, 'ioredis', ['dependencies', 'devDependencies', 'optionalDependencies'])) {
    ctx.changes.addDependency('ioredis', IOREDIS_RANGE, false, {
      transform: ID,
      reason: `the SSE Redis broker uses ioredis (${redis.reason})`,
    })
  }
}
