import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { execa } from 'execa'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { JsonReport } from '../../src/report/json.js'
import { ensureBuilt, readJson, runBin, runInProcess, tempDir } from '../helpers/cli.js'
import { diffTrees, readTree } from '../helpers/tree.js'
import { createFiles, markPlugin, writeFiles, writeSocketApp } from './setup.js'

let cleanups: (() => void)[] = []
function temp(): string {
  const t = tempDir('tsm-bad-')
  cleanups.push(t.cleanup)
  return t.dir
}
afterEach(() => {
  for (const cleanup of cleanups) cleanup()
  cleanups = []
})
beforeAll(() => ensureBuilt())

/** Runs the CLI and asserts that the tree under `root` is byte-identical afterwards. */
async function runUnchanged(root: string, run: () => ReturnType<typeof runBin>) {
  const before = readTree(root)
  const result = await run()
  expect(diffTrees(readTree(root), before), 'the tree must be byte-identical').toBe('')
  return result
}

describe('bad input (through bin/)', () => {
  it('a missing directory: exit 2', async () => {
    const dir = path.join(temp(), 'nope')
    const result = await runBin([dir, '--dry-run'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain(`${dir}: no such directory`)
  })

  it('a file instead of a directory: exit 2', async () => {
    const root = temp()
    writeFiles(root, { 'file.txt': 'x' })
    const result = await runUnchanged(root, () => runBin([path.join(root, 'file.txt')]))
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('file.txt: not a directory')
  })

  it('no package.json: exit 2', async () => {
    const root = temp()
    writeFiles(root, { 'nuxt.config.ts': 'export default {}\n' })
    const result = await runUnchanged(root, () => runBin([root]))
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('no package.json here')
  })

  it('no package.json at the root given: exit 2, naming the Nuxt apps in the folders below', async () => {
    const root = temp()
    writeFiles(root, {
      'apps/web/package.json': '{"dependencies":{"nuxt":"^4.0.0"}}\n',
      'apps/web/nuxt.config.ts': 'export default defineNuxtConfig({})\n',
      'apps/api/package.json': '{}\n',
      'docs/site/package.json': '{}\n',
      'docs/site/nuxt.config.js': 'export default {}\n',
      'node_modules/x/package.json': '{}\n',
      'node_modules/x/nuxt.config.ts': '',
    })
    const result = await runUnchanged(root, () => runBin([root]))
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('no package.json here; the Nuxt apps below it are apps/web, docs/site: pass one of them')
  })

  it('a Nuxt 2 app: exit 2, saying the tool needs Nuxt 3 or 4', async () => {
    const root = temp()
    writeSocketApp(root, { 'package.json': '{ "name": "app", "dependencies": { "nuxt": "^2.12.2", "socket.io": "^2.5.0" } }\n' })
    const result = await runUnchanged(root, () => runBin([root, '--dry-run']))
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('a Nuxt 2 app (package.json: "nuxt": "^2.12.2"). tutor-sse-migrate migrates Nuxt 3 and 4 apps')
  })

  it('a malformed package.json: exit 2 naming the file', async () => {
    const root = temp()
    writeSocketApp(root, { 'package.json': '{ "name": "app", }' })
    const result = await runUnchanged(root, () => runBin([root]))
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain(`${root}/package.json: malformed package.json`)
  })

  it('not a Nuxt repo: exit 2', async () => {
    const root = temp()
    writeFiles(root, { 'package.json': '{"name":"lib"}\n', 'index.ts': "import { io } from 'socket.io-client'\n" })
    const result = await runUnchanged(root, () => runBin([root]))
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('not a Nuxt app (no nuxt.config.ts, nuxt.config.js, nuxt.config.mjs next to package.json)')
  })

  it('no Socket.IO at all: exit 0, nothing to migrate', async () => {
    const root = temp()
    writeFiles(root, {
      'package.json': '{"name":"app","dependencies":{"nuxt":"^4.0.0"}}\n',
      'nuxt.config.ts': 'export default defineNuxtConfig({})\n',
      'app/components/Btn.vue': "<script setup lang=\"ts\">\nconst emit = defineEmits(['click'])\n</script>\n",
    })
    const result = await runUnchanged(root, () => runBin([root]))
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('nothing to migrate: this repo does not use Socket.IO')
  })

  it('a syntax error in a file that uses Socket.IO: exit 2 naming file:line:col', async () => {
    // Migrating code the parser only half understood could misplace edits; the user fixes the file first.
    const root = temp()
    writeSocketApp(root, { 'server/api/notify.post.ts': "import { Server } from 'socket.io'\nexport default defineEventHandler(() => {\n  const = new Server()\n})\n" })
    const result = await runUnchanged(root, () => runBin([root]))
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/server\/api\/notify\.post\.ts:3:9: syntax error: Variable declaration expected/)
    expect(result.stdout).toBe('')
  })

  it('a non-UTF-8 file that may use Socket.IO: left untouched and reported', async () => {
    const root = temp()
    const latin1 = Buffer.concat([Buffer.from("// caf"), Buffer.from([0xe9]), Buffer.from("\nimport { io } from 'socket.io-client'\n")])
    writeSocketApp(root, { 'app/composables/useLegacy.ts': latin1 })
    const report = path.join(temp(), 'report.json')
    // --dry-run: the real transforms may migrate the rest of the app; this case is about the file they cannot read.
    const result = await runUnchanged(root, () => runBin([root, '--dry-run', '--json', report]))
    expect(result.exitCode).toBe(0)
    const followUp = readJson<JsonReport>(report).followUps.find((f) => f.kind === 'input/not-utf8')
    expect(followUp).toMatchObject({ file: 'app/composables/useLegacy.ts', severity: 'warning' })
    expect(result.stdout).toContain('app/composables/useLegacy.ts:1:1 warning input/not-utf8')
  })

  it('a symlink pointing outside the repo is never followed', async () => {
    const root = temp()
    const outside = temp()
    writeFiles(outside, { 'secret.ts': "import { Server } from 'socket.io'\nexport const io = new Server(\n" })
    writeSocketApp(root)
    symlinkSync(path.join(outside, 'secret.ts'), path.join(root, 'server/plugins/linked.ts'))
    const report = path.join(temp(), 'report.json')
    // The outside file has a syntax error: parsing it would fail the run, so exit 0 proves it was not read.
    const result = await runUnchanged(root, () => runBin([root, '--dry-run', '--json', report]))
    expect(result.exitCode, result.stderr).toBe(0)
    expect(readJson<JsonReport>(report).files).toContainEqual({
      path: 'server/plugins/linked.ts',
      status: 'skipped',
      reasons: [{ transform: 'engine', reason: 'symlink: never followed or written through' }],
    })
  })

  it('an unknown --only id: exit 2 naming it', async () => {
    const root = temp()
    writeSocketApp(root)
    const result = await runUnchanged(root, () => runBin([root, '--only', 'no-such-transform']))
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('unknown transform "no-such-transform"')
  })

  it('a bad config file: exit 2 naming it', async () => {
    const root = temp()
    writeSocketApp(root, { 'tutor-sse-migrate.config.json': '{ "rooms": [{ "prefix": "chat_", "helper": "emitToEveryone" }] }' })
    const result = await runUnchanged(root, () => runBin([root, '--dry-run']))
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('tutor-sse-migrate.config.json: rooms[0] must be')
  })
})

describe('bad input at apply time (in-process with test transforms)', () => {
  it('a dirty git tree: exit 2 naming the files; --dry-run, --patch and --check still run', async () => {
    const root = temp()
    writeSocketApp(root)
    const git = (...args: string[]) => execa('git', args, { cwd: root })
    await git('init', '-q')
    await git('add', '-A')
    await git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'init')
    writeFileSync(path.join(root, 'app/app.vue'), '<template><div /></template>\n')
    writeFileSync(path.join(root, 'notes.md'), 'wip\n')
    const result = await runUnchanged(root, () => runInProcess([root], { transforms: [markPlugin] }))
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('uncommitted changes')
    expect(result.stderr).toContain('app/app.vue')
    expect(result.stderr).toContain('notes.md')
    for (const flag of ['--dry-run', '--check']) {
      const other = await runUnchanged(root, () => runInProcess([root, flag], { transforms: [markPlugin] }))
      expect(other.exitCode).toBe(flag === '--check' ? 1 : 0)
    }
    const patched = await runInProcess([root, '--patch', path.join(temp(), 'p.patch')], { transforms: [markPlugin] })
    expect(patched.exitCode).toBe(0)
    const forced = await runInProcess([root, '--allow-dirty', '--no-install'], { transforms: [markPlugin] })
    expect(forced.exitCode, forced.stderr).toBe(0)
    expect(readFileSync(path.join(root, 'server/plugins/socket.io.ts'), 'utf8')).toMatch(/^\/\/ migrated\n/)
  })

  it('an unwritable path at apply time: every written file restored, exit 3', async () => {
    const root = temp()
    // `zz` is a file, so creating zz/new.ts fails after the plugin was already rewritten.
    writeSocketApp(root, { zz: 'not a directory\n' })
    const result = await runUnchanged(root, () =>
      runInProcess([root, '--no-install'], { transforms: [markPlugin, createFiles({ 'zz/new.ts': 'export {}\n' })] }),
    )
    expect(result.exitCode).toBe(3)
    expect(result.stderr).toContain('writing zz/new.ts failed')
    expect(result.stderr).toContain('every file already written was restored')
  })

  it('a write failing after files and directories were created: all of them removed, exit 3 (also as root)', async () => {
    const root = temp()
    // `zz` is a regular file, so creating zz/new.ts fails with ENOTDIR whatever the user's permissions.
    writeSocketApp(root, { zz: 'not a directory\n' })
    const created = { 'server/api/chat/events.get.ts': 'export {}\n', 'server/utils/sse.ts': 'export {}\n', 'zz/new.ts': 'export {}\n' }
    const result = await runUnchanged(root, () => runInProcess([root, '--no-install'], { transforms: [markPlugin, createFiles(created)] }))
    expect(result.exitCode).toBe(3)
    expect(result.stderr).toContain('writing zz/new.ts failed')
    for (const made of ['server/api/chat/events.get.ts', 'server/api/chat', 'server/api', 'server/utils/sse.ts', 'server/utils']) {
      expect(existsSync(path.join(root, made)), `${made} is removed by the rollback`).toBe(false)
    }
  })

  it('a file changed on disk after it was read: exit 3, nothing written', async () => {
    const root = temp()
    writeSocketApp(root)
    const editor = {
      id: 'concurrent-editor',
      title: 'test: someone edits the plugin while the plan is made',
      run() {
        writeFileSync(path.join(root, 'server/plugins/socket.io.ts'), '// edited by hand\n')
      },
    }
    const before = readTree(root)
    const result = await runInProcess([root, '--no-install'], { transforms: [markPlugin, editor] })
    expect(result.exitCode).toBe(3)
    expect(result.stderr).toContain('server/plugins/socket.io.ts: changed on disk since the plan was made')
    before.set('server/plugins/socket.io.ts', Buffer.from('// edited by hand\n'))
    expect(diffTrees(readTree(root), before)).toBe('')
  })

  it('a transform writing through a symlink that leaves the repo: exit 3, the outside file untouched', async () => {
    const root = temp()
    const outside = temp()
    writeFiles(outside, { 'target.ts': 'export const original = 1\n' })
    writeSocketApp(root)
    mkdirSync(path.join(root, 'server/utils'), { recursive: true })
    symlinkSync(path.join(outside, 'target.ts'), path.join(root, 'server/utils/sse.ts'))
    const result = await runUnchanged(root, () =>
      runInProcess([root, '--no-install'], { transforms: [createFiles({ 'server/utils/sse.ts': 'export {}\n' })] }),
    )
    expect(result.exitCode).toBe(3)
    expect(result.stderr).toContain('server/utils/sse.ts is a symlink; the tool never writes through one')
    expect(readFileSync(path.join(outside, 'target.ts'), 'utf8')).toBe('export const original = 1\n')
  })

  it('a transform that throws: exit 3 naming it, nothing written', async () => {
    const root = temp()
    writeSocketApp(root)
    const broken = { id: 'broken', title: 'test: throws', run: () => { throw new Error('boom') } }
    const result = await runUnchanged(root, () => runInProcess([root], { transforms: [markPlugin, broken] }))
    expect(result.exitCode).toBe(3)
    expect(result.stderr).toContain('error: broken: boom')
    expect(result.stderr).toContain('nothing was written')
  })
})
