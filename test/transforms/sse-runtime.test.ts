import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ts } from 'ts-morph'
import { afterEach, describe, expect, it } from 'vitest'
import { planMigration, runtimeDir } from '../../src/plan.js'
import { packages } from '../../transforms/packages.js'
import { runtimeFiles, sseRuntime } from '../../transforms/sse-runtime.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function app(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'tsm-sse-runtime-'))
  dirs.push(root)
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
    writeFileSync(path.join(root, file), text)
  }
  return root
}

const pkg = (deps: Record<string, string>) => JSON.stringify({ name: 'app', dependencies: { nuxt: '^4.0.0', 'socket.io': '^4.8.1', ...deps } }, null, 2) + '\n'

const PLUGIN = `import { Server } from 'socket.io'

export default defineNitroPlugin((nitroApp) => {
  const io = new Server()
  io.on('connection', (socket) => {
    socket.join('user:1')
  })
})
`

const REDIS_PLUGIN = `import { Server } from 'socket.io'
import { createAdapter } from '@socket.io/redis-adapter'
import Redis from 'ioredis'

export default defineNitroPlugin((nitroApp) => {
  const io = new Server()
  const pub = new Redis(process.env.REDIS_URL)
  const sub = pub.duplicate()
  io.adapter(createAdapter(pub, sub))
})
`

const plan = (root: string) => planMigration(root, { only: ['sse-runtime'] })
const created = (p: Awaited<ReturnType<typeof plan>>) => p.changes.filter((c) => c.kind === 'create').map((c) => c.path).sort()

describe('sse-runtime transform', () => {
  it('installs the runtime with the in-memory broker into a Nuxt 4 app', async () => {
    const root = app({ 'package.json': pkg({}), 'nuxt.config.ts': 'export default defineNuxtConfig({})\n', 'server/plugins/socket.io.ts': PLUGIN, 'app/app.vue': '<template><div /></template>\n' })
    const result = await plan(root)
    const paths = created(result)
    expect(paths).toEqual(expect.arrayContaining([
      'app/composables/useChatSSE.ts',
      'server/api/chat/events.get.ts',
      'server/api/chat/events/ticket.post.ts',
      'server/plugins/sse.ts',
      'server/utils/sse-hooks.ts',
      'server/utils/sse.ts',
      'server/sse/hub.ts',
      'server/sse/memory-broker.ts',
    ]))
    expect(paths.some((p) => p.includes('redis'))).toBe(false)
    // An app without ioredis must still build: nothing installed imports it.
    expect(result.changes.filter((c) => c.kind === 'create' && c.text.includes('ioredis'))).toEqual([])
    expect(result.dependencyEdits.add).toEqual([])
    // Same style as the runtime: copied byte for byte.
    const sse = result.changes.find((c) => c.path === 'server/utils/sse.ts')!
    expect(sse.kind === 'create' && sse.text).toBe(readFileSync(path.join(runtimeDir, 'server/utils/sse.ts'), 'utf8'))
    expect(result.followUps.filter((f) => f.transform === 'sse-runtime')).toEqual([])
  })

  it('adds the Redis broker when the app used the Redis adapter; one follow-up, at the nuxt.config line, says what to configure', async () => {
    const root = app({
      'package.json': pkg({ '@socket.io/redis-adapter': '^8.2.1', ioredis: '^5.3.0' }),
      'nuxt.config.ts': 'export default defineNuxtConfig({})\n',
      'server/plugins/socket.io.ts': REDIS_PLUGIN,
      'app/app.vue': '<template><div /></template>\n',
    })
    const result = await plan(root)
    expect(created(result)).toEqual(expect.arrayContaining(['server/sse/redis-broker.ts', 'server/plugins/sse-redis.ts']))
    expect(result.dependencyEdits.add).toEqual([]) // ioredis is already there
    expect(result.followUps).toEqual([])
    const both = await planMigration(root, { only: ['sse-runtime', 'packages'], transforms: [sseRuntime, packages] })
    const config = both.changes.find((c) => c.path === 'nuxt.config.ts')
    const configLines = config?.kind === 'update' ? config.text.split('\n') : []
    const notes = both.followUps.filter((f) => /REDIS|TICKET/.test(f.reason + f.action))
    expect(notes.map((f) => `${f.file}:${f.line} ${f.severity} ${f.kind}`)).toEqual([`nuxt.config.ts:${configLines.findIndex((l) => l.includes('sse: {')) + 1} warning packages/sse-redis-config`])
    expect(notes[0]!.reason).toContain('process.env.REDIS_URL')
    expect(notes[0]!.action).toContain('set NUXT_SSE_REDIS_URL to the same Redis as REDIS_URL')
    expect(notes[0]!.action).toContain('NUXT_SSE_TICKET_SECRET')
    expect(notes[0]!.action).toContain('appendonly yes')
  })

  it('asks for every Redis setting when package.json lists the adapter but the analysis found no adapter call', async () => {
    const root = app({
      'package.json': pkg({ '@socket.io/redis-adapter': '^8.2.1' }),
      'nuxt.config.ts': '// app config\nexport default defineNuxtConfig({})\n',
      'server/plugins/socket.io.ts': PLUGIN,
      'app/app.vue': '<template><div /></template>\n',
    })
    const both = await planMigration(root, { only: ['sse-runtime', 'packages'], transforms: [sseRuntime, packages] })
    expect(created(both)).toContain('server/plugins/sse-redis.ts')
    const notes = both.followUps.filter((f) => f.kind === 'packages/sse-redis-config')
    expect(notes.map((f) => `${f.file}:${f.line}`)).toEqual(['nuxt.config.ts:2'])
    expect(notes[0]!.action).toContain('set NUXT_SSE_REDIS_URL to the Redis the Socket.IO adapter used')
    expect(notes[0]!.action).toContain('NUXT_SSE_TICKET_SECRET')
  })

  it('still asks for the shared ticket secret and appendonly when the adapter used a fixed Redis URL', async () => {
    const root = app({
      'package.json': pkg({ '@socket.io/redis-adapter': '^8.2.1', ioredis: '^5.3.0' }),
      'nuxt.config.ts': 'export default defineNuxtConfig({})\n',
      'server/plugins/socket.io.ts': REDIS_PLUGIN.replace('new Redis(process.env.REDIS_URL)', "new Redis('redis://cache:6379')"),
      'app/app.vue': '<template><div /></template>\n',
    })
    const both = await planMigration(root, { only: ['sse-runtime', 'packages'], transforms: [sseRuntime, packages] })
    const config = both.changes.find((c) => c.path === 'nuxt.config.ts')
    expect(config?.kind === 'update' && config.text).toContain("redisUrl: 'redis://cache:6379'")
    const notes = both.followUps.filter((f) => f.kind === 'packages/sse-redis-config')
    expect(notes).toHaveLength(1)
    expect(notes[0]!.action).not.toContain('set NUXT_SSE_REDIS_URL')
    expect(notes[0]!.action).toContain('NUXT_SSE_TICKET_SECRET')
    expect(notes[0]!.action).toContain('appendonly yes')
  })

  it('adds ioredis when the adapter ran on node-redis clients', async () => {
    const root = app({
      'package.json': pkg({ '@socket.io/redis-adapter': '^8.2.1', redis: '^4.6.0' }),
      'nuxt.config.ts': 'export default defineNuxtConfig({})\n',
      'server/plugins/socket.io.ts': REDIS_PLUGIN.replace("import Redis from 'ioredis'", "import { createClient } from 'redis'").replace('new Redis(process.env.REDIS_URL)', 'createClient({ url: process.env.REDIS_URL })'),
      'app/app.vue': '<template><div /></template>\n',
    })
    const result = await plan(root)
    expect(result.dependencyEdits.add.map((d) => [d.name, d.dev])).toEqual([['ioredis', false]])
    // Together with the packages transform (which adds ioredis for the adapter too): one agreed edit.
    const both = await planMigration(root, { only: ['sse-runtime', 'packages'], transforms: [sseRuntime, packages] })
    expect(both.dependencyEdits.add.map((d) => d.name)).toEqual(['ioredis'])
  })

  it('maps server/ and app/ onto a Nuxt 3 layout with a custom serverDir', async () => {
    const root = app({
      'package.json': pkg({}),
      'nuxt.config.ts': "export default defineNuxtConfig({ serverDir: 'backend' })\n",
      'backend/plugins/socket.io.ts': PLUGIN,
      'pages/index.vue': '<template><div /></template>\n',
    })
    const paths = created(await plan(root))
    expect(paths).toContain('composables/useChatSSE.ts')
    expect(paths).toContain('backend/api/chat/events.get.ts')
    expect(paths.some((p) => p.startsWith('server/') || p.startsWith('app/'))).toBe(false)
  })

  it('writes the runtime in the app’s own style, still valid TypeScript', async () => {
    const styled = `import { Server } from "socket.io";\n\nexport default defineNitroPlugin((nitroApp) => {\n    const io = new Server();\n    io.on("connection", (socket) => {\n        socket.join("user:1");\n    });\n});\n`
    const root = app({ 'package.json': pkg({}), 'nuxt.config.ts': 'export default defineNuxtConfig({});\n', 'server/plugins/socket.io.ts': styled, 'app/app.vue': '<template><div /></template>\n' })
    const result = await plan(root)
    const files = result.changes.filter((c) => c.kind === 'create')
    expect(files.length).toBe(runtimeFiles(runtimeDir).length - 2)
    for (const file of files) {
      const text = file.kind === 'create' ? file.text : ''
      const source = ts.createSourceFile(file.path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
      const diagnostics = (source as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics
      expect(diagnostics.map((d) => `${file.path}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)).toEqual([])
      expect(text).not.toMatch(/from '|;;/)
      if (/^import /m.test(text)) expect(text).toMatch(/ from "[^"]+";\n/)
    }
    const hub = files.find((f) => f.path === 'server/sse/hub.ts')!
    expect(hub.kind === 'create' && hub.text).toMatch(/\n {8}this\.connections\.set\(connection\.id, connection\);\n/)
  })

  it('leaves an existing different file alone and reports it', async () => {
    const root = app({
      'package.json': pkg({}),
      'nuxt.config.ts': 'export default defineNuxtConfig({})\n',
      'server/plugins/socket.io.ts': PLUGIN,
      'server/utils/sse.ts': 'export const mine = 1\n',
      'app/app.vue': '<template><div /></template>\n',
    })
    const result = await plan(root)
    expect(result.changes.find((c) => c.path === 'server/utils/sse.ts')).toBeUndefined()
    expect(result.followUps.find((f) => f.kind === 'runtime/file-exists')?.file).toBe('server/utils/sse.ts')
  })

  it('connects the Redis broker through the app\'s own auto-imported client factory, with no Redis URL to set', async () => {
    const root = app({
      'package.json': pkg({ '@socket.io/redis-adapter': '^8.3.0', ioredis: '^5.4.1' }),
      'nuxt.config.ts': "export default defineNuxtConfig({\n  runtimeConfig: { redisHost: 'localhost' },\n})\n",
      'server/utils/cache.ts': "import Redis from 'ioredis'\n\nlet shared: Redis | null = null\n\nexport function sharedRedis() {\n  if (!shared) shared = new Redis({ host: useRuntimeConfig().redisHost })\n  return shared\n}\n",
      'server/plugins/socket.io.ts': "import { Server } from 'socket.io'\nimport { createAdapter } from '@socket.io/redis-adapter'\n\nexport default defineNitroPlugin(() => {\n  const io = new Server()\n  io.adapter(createAdapter(sharedRedis(), sharedRedis().duplicate()))\n})\n",
      'app/app.vue': '<template><div /></template>\n',
    })
    const result = await planMigration(root, { only: ['sse-runtime', 'packages'] })
    const plugin = result.changes.find((c) => c.path === 'server/plugins/sse-redis.ts')
    expect(plugin?.kind === 'create' && plugin.text).toContain('new RedisBroker(config, sink, config.redisUrl ? undefined : (options) => sharedRedis().duplicate(options))')
    expect(plugin?.kind === 'create' && plugin.text).not.toContain('import { sharedRedis }')
    const config = result.changes.find((c) => c.path === 'nuxt.config.ts')
    expect(config?.kind === 'update' && config.text).toContain("ticketSecret: ''")
    expect(config?.kind === 'update' && config.text).not.toContain('redisUrl')
    const followUp = result.followUps.find((f) => f.kind === 'packages/sse-redis-config')
    expect(followUp?.reason).toContain('connects through `sharedRedis()` (server/utils/cache.ts)')
  })

  it('does nothing in an app without Socket.IO', async () => {
    const root = app({ 'package.json': JSON.stringify({ name: 'app', dependencies: { nuxt: '^4.0.0' } }), 'nuxt.config.ts': 'export default defineNuxtConfig({})\n', 'app/app.vue': '<template><div /></template>\n' })
    expect((await plan(root)).changes).toEqual([])
  })
})
