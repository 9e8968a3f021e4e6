import { symlinkSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { StagedChanges } from '../../src/changeset/staged.js'
import { loadRepo } from '../../src/project/load.js'
import { locateFollowUp } from '../../src/project/locate.js'
import { mayUseSocketIO } from '../../src/project/prefilter.js'
import { filesThatMayContain } from '../../src/project/search.js'
import { writeFiles, writeSocketApp } from '../bad-input/setup.js'
import { ensureBuilt, repoRoot, tempDir } from '../helpers/cli.js'

let cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups) c()
  cleanups = []
})
function temp(): string {
  const t = tempDir('tsm-load-')
  cleanups.push(t.cleanup)
  return t.dir
}

const PKG = '{"name":"x"}\n'

describe('Nuxt layout', () => {
  it('Nuxt 4: app/ is the src dir', () => {
    const root = temp()
    writeFiles(root, { 'package.json': PKG, 'nuxt.config.ts': 'export default defineNuxtConfig({})\n', 'app/app.vue': '' })
    const { layout } = loadRepo(root)
    expect(layout).toEqual({
      rootDir: root,
      srcDir: `${root}/app`,
      serverDir: `${root}/server`,
      nuxtConfigPath: `${root}/nuxt.config.ts`,
      packageJsonPath: `${root}/package.json`,
    })
  })

  it('Nuxt 3: without app/ the root is the src dir; nuxt.config.mjs is found', () => {
    const root = temp()
    writeFiles(root, { 'package.json': PKG, 'nuxt.config.mjs': 'export default {}\n', 'pages/index.vue': '' })
    expect(loadRepo(root).layout).toMatchObject({ srcDir: root, serverDir: `${root}/server`, nuxtConfigPath: `${root}/nuxt.config.mjs` })
  })

  it('srcDir and serverDir from nuxt.config; a commented-out override does not count', () => {
    const root = temp()
    writeFiles(root, {
      'package.json': PKG,
      'nuxt.config.ts': "export default defineNuxtConfig({\n  // srcDir: 'nope/',\n  srcDir: 'client/',\n  serverDir: 'backend',\n})\n",
      'app/app.vue': '',
    })
    expect(loadRepo(root).layout).toMatchObject({ srcDir: `${root}/client`, serverDir: `${root}/backend` })
  })
})

describe('scan', () => {
  it('honours .gitignore and always skips node_modules, .nuxt, .output, dist, .git, coverage', () => {
    const root = temp()
    const io = "import { io } from 'socket.io-client'\n"
    writeSocketApp(root, {
      '.gitignore': 'generated/\n*.local.ts\n',
      'generated/socket.ts': io,
      'app/socket.local.ts': io,
      'node_modules/socket.io/index.js': io,
      '.nuxt/socket.ts': io,
      '.output/server/index.mjs': io,
      'dist/socket.js': io,
      'coverage/x.js': io,
      'app/composables/useChat.ts': io,
      'server/utils/format.mts': 'export const format = (n: number) => n.toFixed(2)\n',
    })
    const repo = loadRepo(root)
    expect(repo.files).toEqual([
      'app/app.vue',
      'app/composables/useChat.ts',
      'nuxt.config.ts',
      'server/plugins/socket.io.ts',
      'server/utils/format.mts',
    ])
    // Only files that can matter are parsed.
    expect([...repo.units.keys()].sort()).toEqual(['app/composables/useChat.ts', 'server/plugins/socket.io.ts'])
    expect(repo.glob('**/*.ts')).not.toContain('generated/socket.ts')
  })

  it('the pre-filter keeps every Socket.IO shape and rejects ordinary code', () => {
    for (const code of [
      "import { Server } from 'socket.io'",
      'const io = useNitroApp().io',
      'globalThis.io?.to(room).emit("x")',
      'event.context.appSocket.emit(channel, msg)',
      'const { $socket } = useNuxtApp()',
      'export default async (nitroApp) => {}',
      'const engine = new Engine(); io.bind(engine)',
      'new Server<ClientToServerEvents>()',
    ]) {
      expect(mayUseSocketIO(code), code).toBe(true)
    }
    for (const code of [
      'export const format = (n: number) => n.toFixed(2)',
      "export default defineEventHandler(() => ({ ok: true }))",
      "<template><div class=\"card\">{{ title }}</div></template>",
      'const ratio = width / height',
    ]) {
      expect(mayUseSocketIO(code), code).toBe(false)
    }
  })

  it('parses a file on demand and resolves Nuxt aliases between units', () => {
    const root = temp()
    writeSocketApp(root, {
      'server/utils/rooms.ts': 'export const roomName = (id: number) => `room:${id}`\n',
      'server/api/send.post.ts': "import { roomName } from '~~/server/utils/rooms'\nimport { io } from '#server/plugins/socket.io'\nexport default defineEventHandler(() => io.to(roomName(1)).emit('x'))\n",
    })
    const repo = loadRepo(root)
    expect(repo.units.has('server/utils/rooms.ts')).toBe(false)
    expect(repo.resolveImportPath('server/api/send.post.ts', '~~/server/utils/rooms')).toBe('server/utils/rooms.ts')
    expect(repo.resolveImportPath('server/api/send.post.ts', '#server/plugins/socket.io')).toBe('server/plugins/socket.io.ts')
    expect(repo.resolveImportPath('server/api/send.post.ts', '../utils/rooms')).toBe('server/utils/rooms.ts')
    expect(repo.resolveImportPath('server/api/send.post.ts', 'socket.io')).toBeUndefined()
    expect(repo.getUnit('server/utils/rooms.ts')?.originalText).toContain('roomName')
  })
})

describe('.vue script blocks', () => {
  const SFC = `<template>
  <div>{{ count }}</div>
</template>

<script lang="ts">
export default { name: 'Chat' }
</script>

<script setup lang="ts">
import { io } from 'socket.io-client'
const socket = io()
socket.on('new_message', () => {})
</script>

<style scoped>
div { color: red }
</style>
`

  it('gives one source file per block, edits map back into the SFC, the rest is untouched', () => {
    const root = temp()
    writeSocketApp(root, { 'app/pages/chat.vue': SFC })
    const repo = loadRepo(root)
    const unit = repo.units.get('app/pages/chat.vue')!
    expect(unit.scripts.map((b) => [b.setup, b.lang, b.sourceFile.getFilePath().slice(root.length)])).toEqual([
      [false, 'ts', '/app/pages/chat.vue.script.ts'],
      [true, 'ts', '/app/pages/chat.vue.setup.ts'],
    ])
    const setup = unit.scripts[1]!.sourceFile
    setup.getImportDeclarations()[0]!.setModuleSpecifier('~/composables/useChatSSE')
    unit.scripts[0]!.sourceFile.insertStatements(0, '// options block')
    const changes = new StagedChanges(repo)
    const [change] = changes.collect()
    expect(change?.kind === 'update' && change.text).toBe(
      SFC.replace("from 'socket.io-client'", "from '~/composables/useChatSSE'").replace(
        "<script lang=\"ts\">\n",
        '<script lang="ts">\n// options block\n',
      ),
    )
    expect(repo.unitOf(setup)?.path).toBe('app/pages/chat.vue')
  })

  it('maps follow-up lines inside a block to lines of the .vue file', () => {
    const root = temp()
    writeSocketApp(root, { 'app/pages/chat.vue': SFC })
    const repo = loadRepo(root)
    const setup = repo.units.get('app/pages/chat.vue')!.scripts[1]!.sourceFile
    const call = setup.getStatements()[2]!
    const followUp = locateFollowUp(repo, 'client', call, { kind: 'client/unknown-use', reason: 'r', action: 'a' })
    expect(followUp).toMatchObject({ file: 'app/pages/chat.vue', line: 12, column: 1, code: "socket.on('new_message', () => {})" })
  })

  it('a ts-morph edit after a whole-file write of a .vue is a conflict, never lost (the write is staged as text)', () => {
    const root = temp()
    writeSocketApp(root, { 'app/pages/chat.vue': SFC })
    const repo = loadRepo(root)
    const changes = new StagedChanges(repo)
    const current = changes.currentText('app/pages/chat.vue')!
    const written = current.replace('<div>{{ count }}</div>', '<p>{{ count }}</p>')
    changes.write('app/pages/chat.vue', written, current, { transform: 't', reason: 'r' })
    expect(changes.currentText('app/pages/chat.vue')).toBe(written)
    repo.units.get('app/pages/chat.vue')!.scripts[1]!.sourceFile.insertStatements(0, '// later')
    expect(() => changes.currentText('app/pages/chat.vue')).toThrow(/conflicting edits of app\/pages\/chat\.vue/)
    expect(() => changes.collect()).toThrow(/conflicting edits of app\/pages\/chat\.vue/)
  })

  it('a .vue file the SFC parser cannot read stops the run naming file:line:col', () => {
    const root = temp()
    writeSocketApp(root, { 'app/pages/broken.vue': "<template>\n  <div>\n</template>\n<script setup>\nimport { io } from 'socket.io-client'\n</script>\n" })
    expect(() => loadRepo(root)).toThrow(/^app\/pages\/broken\.vue:2:3: syntax error: Element is missing end tag/)
  })
})

describe('prefetch on a second thread', () => {
  it('yields the same scan, snapshot and candidates as reading on the main thread', async () => {
    ensureBuilt()
    // The worker exists only in the build (dist/); the sources run without it.
    const built = (file: string) => pathToFileURL(path.join(repoRoot, 'dist/src/project', file)).href
    const { startPrefetch } = (await import(built('prefetch.js'))) as typeof import('../../src/project/prefetch.js')
    const { loadRepo: loadBuilt } = (await import(built('load.js'))) as typeof import('../../src/project/load.js')
    const root = temp()
    writeSocketApp(root, {
      'app/composables/useLegacy.ts': Buffer.concat([Buffer.from('// caf'), Buffer.from([0xe9]), Buffer.from("\nimport { io } from 'socket.io-client'\n")]),
      'app/components/Plain.vue': '<script setup lang="ts">\nconst a = 1\n</script>\n',
      'server/utils/emitter.ts': "import { EventEmitter } from 'node:events'\nexport const bus = new EventEmitter()\nbus.emit('x')\n",
    })
    const prefetched = await startPrefetch(root)
    expect(prefetched).toBeDefined()
    const viaWorker = loadBuilt(root, { prefetched })
    const direct = loadBuilt(root)
    expect(viaWorker.files).toEqual(direct.files)
    expect(viaWorker.symlinks).toEqual(direct.symlinks)
    expect([...viaWorker.units.keys()]).toEqual([...direct.units.keys()])
    expect(viaWorker.units.size).toBeGreaterThan(0)
    expect(viaWorker.stats).toEqual(direct.stats)
    expect(viaWorker.notes).toEqual(direct.notes)
    for (const file of direct.files) expect(viaWorker.snapshots.get(file), file).toEqual(direct.snapshots.get(file))
  })

  it('is not used for another directory than the one loaded', async () => {
    ensureBuilt()
    const { startPrefetch } = (await import(pathToFileURL(path.join(repoRoot, 'dist/src/project/prefetch.js')).href)) as typeof import('../../src/project/prefetch.js')
    const { loadRepo: loadBuilt } = (await import(pathToFileURL(path.join(repoRoot, 'dist/src/project/load.js')).href)) as typeof import('../../src/project/load.js')
    const first = temp()
    const second = temp()
    writeSocketApp(first, { 'server/utils/only-in-first.ts': "import { Server } from 'socket.io'\nexport const io = new Server()\n" })
    writeSocketApp(second, {})
    const repo = loadBuilt(second, { prefetched: await startPrefetch(first) })
    expect(repo.files).not.toContain('server/utils/only-in-first.ts')
  })
})

describe('glob', () => {
  it('answers script patterns under a directory from the scan, with the same ignores and no symlinks', () => {
    const root = temp()
    writeFiles(root, {
      'package.json': PKG,
      'nuxt.config.ts': 'export default defineNuxtConfig({})\n',
      '.gitignore': 'server/api/generated/\n',
      'server/api/a.get.ts': 'export default 1\n',
      'server/api/deep/b.post.js': 'export default 2\n',
      'server/api/generated/c.ts': 'export default 3\n',
      'server/api/readme.md': '# not a script\n',
      'server/routes/d.ts': 'export default 4\n',
    })
    symlinkSync(path.join(root, 'server/routes/d.ts'), path.join(root, 'server/api/link.ts'))
    const repo = loadRepo(root)
    expect(repo.glob('server/api/**/*.{ts,js}')).toEqual(['server/api/a.get.ts', 'server/api/deep/b.post.js'])
    expect(repo.glob(['server/api/**/*.{ts}', 'server/routes/**/*.{ts}'])).toEqual(['server/api/a.get.ts', 'server/routes/d.ts'])
    // Anything else still walks the disk.
    expect(repo.glob('server/api/**/*.md')).toEqual(['server/api/readme.md'])
  })
})

describe('filesThatMayContain', () => {
  it('narrows a search for Socket.IO text to the parsed units, and searches everything for any other text', () => {
    const root = temp()
    writeSocketApp(root, {
      'server/utils/redis.ts': "import Redis from 'ioredis'\nexport const redis = new Redis()\n",
      'app/utils/format.ts': 'export const format = (n: number) => String(n)\n',
    })
    const repo = loadRepo(root)
    expect(filesThatMayContain(repo, ['socket.io'])).toEqual(['server/plugins/socket.io.ts'])
    // Every file with Socket.IO text is a unit: that is what the pre-filter guarantees.
    for (const file of repo.files) {
      if (/socket/i.test(repo.readText(file) ?? '')) expect(repo.units.has(file), file).toBe(true)
    }
    expect(filesThatMayContain(repo, ['ioredis'])).toEqual(repo.files)
    expect(filesThatMayContain(repo, ['socket.io', 'ioredis'])).toEqual(repo.files)
  })
})
