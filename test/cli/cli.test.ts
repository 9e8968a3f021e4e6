import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { execa } from 'execa'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { JsonReport } from '../../src/report/json.js'
import type { Transform } from '../../src/transform.js'
import { fileRange } from '../../src/changeset/ranges.js'
import { writeSocketApp } from '../bad-input/setup.js'
import { binPath, ensureBuilt, fakePackageManagers, readJson, repoRoot, runBin, runInProcess, tempDir } from '../helpers/cli.js'
import { diffTrees, readTree } from '../helpers/tree.js'

let cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups) c()
  cleanups = []
})
function temp(): string {
  const t = tempDir('tsm-cli-')
  cleanups.push(t.cleanup)
  return t.dir
}

const PLUGIN = 'server/plugins/socket.io.ts'
const DOC = 'docs/SOCKET_IO_SETUP.md'
/** A follow-up's file name with characters a workflow command must escape. */
const ODD_FILE = 'server/utils/odd, old.ts'

/** A test transform doing one of each kind of change, idempotently, like the real ones must. */
const demo: Transform = {
  id: 'demo',
  title: 'test: one change of each kind',
  run(ctx) {
    const meta = { transform: 'demo', reason: 'replace Socket.IO' }
    const sourceFile = ctx.repo.getUnit(PLUGIN)?.scripts[0]?.sourceFile
    const socketImport = sourceFile?.getImportDeclarations().find((d) => d.getModuleSpecifierValue() === 'socket.io')
    if (socketImport) {
      ctx.report(socketImport, { kind: 'handlers/dropped', reason: 'the import was removed', action: 'check the plugin' })
      // A stand-in for what it imported: the verify stage refuses code that uses a name nothing declares.
      const range = fileRange(ctx.repo, socketImport)
      ctx.changes.edit(range.path, { start: range.start, end: range.end, text: 'const Server = class { on(..._args: unknown[]) {} }' }, meta)
    }
    ctx.changes.create('server/utils/sse.ts', ctx.applyStyle('export const sse = "on"\n', ctx.styleOf()), meta)
    if (ctx.repo.exists(DOC)) ctx.changes.delete(DOC, meta)
    ctx.changes.removeDependency('socket.io', meta)
  },
}
const warnOnly: Transform = {
  id: 'warn-only',
  title: 'test: leaves a warning',
  run(ctx) {
    ctx.report({ file: ODD_FILE, line: 3, column: 3, code: 'const io = new Server()' }, {
      kind: 'emit/local', reason: 'a 100% "odd" server:\nline two', action: 'migrate it by hand',
    })
  },
}

function app(): string {
  const root = temp()
  writeSocketApp(root, { [DOC]: '# Socket.IO setup\n', 'bun.lock': '{}\n' })
  return root
}

beforeAll(() => ensureBuilt())

describe('CLI through bin/', () => {
  it('--help documents every exit code; --version prints the version', async () => {
    const help = await runBin(['--help'])
    expect(help.exitCode).toBe(0)
    for (const text of ['0  done, or nothing to do', '1  --check found work', '2  bad usage or bad input', '3  the migration failed']) {
      expect(help.stdout).toContain(text)
    }
    for (const flag of ['--dry-run', '--patch', '--check', '--json', '--reporter', '--only', '--skip', '--list', '--allow-dirty', '--force', '--verify', '--no-install', '--package-manager', '--verbose', '--no-color', '--undo', '--config', '--room-prefix']) {
      expect(help.stdout).toContain(flag)
    }
    const version = await runBin(['--version'])
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('bad usage exits 2', async () => {
    expect((await runBin(['--reporter', 'gitlab'])).exitCode).toBe(2)
    expect((await runBin(['--package-manager', 'pip'])).exitCode).toBe(2)
    expect((await runBin(['--no-such-flag'])).exitCode).toBe(2)
  })

  it('stops quietly, with the run\'s own exit code, when the reader of its output goes away (`| head`)', async () => {
    const child = execa('node', [binPath, 'fixtures/tutor-school/before', '--dry-run'], { cwd: repoRoot, env: { NO_COLOR: '1' }, reject: false, timeout: 60_000, buffer: false })
    // Read the first chunk of the diff, then close the pipe the way `head -1` does.
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()))
    child.stdout!.destroy()
    const stderr: string[] = []
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()))
    const result = await child
    expect(stderr.join(''), 'no stack trace').not.toContain('EPIPE')
    expect(result.exitCode).toBe(0)
  })

  it('--list prints the registry', async () => {
    const result = await runBin(['--list'])
    expect(result.exitCode).toBe(0)
    const { transforms } = await import('../../transforms/index.js')
    for (const t of transforms) expect(result.stdout).toContain(t.id)
    if (transforms.length === 0) expect(result.stdout).toContain('no transforms registered')
  })
})

describe('CLI modes (in-process, test transforms)', () => {
  it('--dry-run prints created, changed and deleted files, package.json edits and the package-manager command; writes nothing', async () => {
    const root = app()
    const before = readTree(root)
    const result = await runInProcess([root, '--dry-run'], { transforms: [demo] })
    expect(result.exitCode, result.stderr).toBe(0)
    expect(diffTrees(readTree(root), before)).toBe('')
    const out = result.stdout
    expect(out).toContain('create server/utils/sse.ts  (demo: replace Socket.IO)')
    expect(out).toContain("+export const sse = 'on'")
    expect(out).toContain(`delete ${DOC}`)
    expect(out).toContain('-# Socket.IO setup')
    expect(out).toContain(`change ${PLUGIN}`)
    expect(out).toContain("-import { Server } from 'socket.io'")
    expect(out).toContain('-    "socket.io": "^4.8.1"')
    expect(out).toContain('  - socket.io  (demo: replace Socket.IO)')
    expect(out).toContain('apply would then run: bun install  (bun from bun.lock)')
    expect(out).toContain('1 file would be created, 2 would be changed, 1 would be deleted, 2 untouched; 1 follow-up;')
    expect(out).not.toContain('\x1b[')
  })

  it('colours only when asked: FORCE_COLOR on, --no-color and NO_COLOR off', async () => {
    const root = app()
    const { main } = await import('../../src/cli.js')
    const { Writable } = await import('node:stream')
    const capture = () => Object.assign(new Writable({ write: (c, _e, done) => { (capture.text += c.toString()); done() } }))
    capture.text = ''
    const stdout = capture()
    await main(['node', 'x', root, '--dry-run'], { transforms: [demo], stdout, stderr: capture(), env: { FORCE_COLOR: '1' } })
    expect(capture.text).toContain('\x1b[32m+export const sse')
    capture.text = ''
    await main(['node', 'x', root, '--dry-run', '--no-color'], { transforms: [demo], stdout: capture(), stderr: capture(), env: { FORCE_COLOR: '1' } })
    expect(capture.text).not.toContain('\x1b[')
    capture.text = ''
    await main(['node', 'x', root, '--dry-run'], { transforms: [demo], stdout: capture(), stderr: capture(), env: { FORCE_COLOR: '1', NO_COLOR: '1' } })
    expect(capture.text).not.toContain('\x1b[')
  })

  it('--patch writes a patch that git apply accepts and that equals apply', async () => {
    const patched = app()
    const applied = app()
    const patchFile = path.join(temp(), 'plan.patch')
    const patch = await runInProcess([patched, '--patch', patchFile], { transforms: [demo] })
    expect(patch.exitCode, patch.stderr).toBe(0)
    expect(patch.stdout).toContain(`patch written to ${patchFile} (4 files; apply with git apply)`)
    const gitApply = await execa('git', ['apply', '--check', patchFile], { cwd: patched, reject: false })
    expect(gitApply.exitCode, gitApply.stderr).toBe(0)
    await execa('git', ['apply', patchFile], { cwd: patched })
    const result = await runInProcess([applied, '--no-install'], { transforms: [demo] })
    expect(result.exitCode, result.stderr).toBe(0)
    expect(diffTrees(readTree(patched), readTree(applied))).toBe('')
    const toStdout = await runInProcess([app(), '--patch', '-'], { transforms: [demo] })
    expect(toStdout.stdout).toMatch(/^diff --git a\/docs\/SOCKET_IO_SETUP.md b\/docs\/SOCKET_IO_SETUP.md\ndeleted file mode 100644\n/)
    expect(toStdout.stdout).not.toContain('would be created')
    expect(toStdout.stderr).toContain('1 file would be created')
  })

  it('--check: exit 1 while work remains, 0 once applied; open follow-ups keep it at 1', async () => {
    const root = app()
    const check = await runInProcess([root, '--check'], { transforms: [demo] })
    expect(check.exitCode).toBe(1)
    expect(check.stdout).toContain(`check: 4 files still need changes: ${DOC}, package.json, ${PLUGIN}, server/utils/sse.ts`)
    expect((await runInProcess([root, '--no-install'], { transforms: [demo] })).exitCode).toBe(0)
    const again = await runInProcess([root, '--check'], { transforms: [demo] })
    expect(again.exitCode, again.stdout).toBe(0)
    expect(again.stdout).toContain('nothing to migrate: this repo does not use Socket.IO')
    expect((await runInProcess([root, '--check'], { transforms: [demo, warnOnly] })).exitCode).toBe(1)
  })

  it('--json: a versioned report on stdout, human output moved to stderr', async () => {
    const root = app()
    const result = await runInProcess([root, '--json', '--dry-run'], { transforms: [demo, warnOnly] })
    expect(result.exitCode).toBe(0)
    const report = JSON.parse(result.stdout) as JsonReport
    expect(report).toMatchObject({
      schemaVersion: 1,
      tool: { name: 'tutor-sse-migrate' },
      mode: 'dry-run',
      result: 'planned',
      exitCode: 0,
      transforms: ['demo', 'warn-only'],
      dependencies: { remove: ['socket.io'], add: [] },
      packageManager: { name: 'bun', source: 'bun.lock', command: 'bun install', ran: false },
      counts: { created: 1, updated: 2, deleted: 1, untouched: 2, followUps: 2, open: 1, security: 0, errors: 0, info: 1 },
      error: null,
    })
    expect(report.files).toEqual([
      { path: DOC, status: 'deleted', reasons: [{ transform: 'demo', reason: 'replace Socket.IO' }] },
      { path: 'package.json', status: 'updated', reasons: [{ transform: 'demo', reason: 'replace Socket.IO' }] },
      { path: PLUGIN, status: 'updated', reasons: [{ transform: 'demo', reason: 'replace Socket.IO' }] },
      { path: 'server/utils/sse.ts', status: 'created', reasons: [{ transform: 'demo', reason: 'replace Socket.IO' }] },
    ])
    expect(report.followUps[0]).toEqual({
      kind: 'handlers/dropped', transform: 'demo', file: PLUGIN, line: 1, column: 1, code: "import { Server } from 'socket.io'",
      reason: 'the import was removed', action: 'check the plugin', severity: 'info',
    })
    expect(Object.keys(report.timings).sort()).toEqual(['analyseMs', 'applyMs', 'formatMs', 'loadMs', 'totalMs', 'transformMs'])
    expect(result.stderr).toContain('create server/utils/sse.ts')
  })

  it('--json <file> also records failures', async () => {
    const root = temp()
    const file = path.join(temp(), 'r.json')
    const result = await runInProcess([path.join(root, 'missing'), '--json', file])
    expect(result.exitCode).toBe(2)
    expect(readJson<JsonReport>(file)).toMatchObject({ result: 'failed', exitCode: 2, error: { message: expect.stringContaining('no such directory') } })
  })

  it('--reporter github prints escaped workflow annotations', async () => {
    const root = app()
    const result = await runInProcess([root, '--dry-run', '--reporter', 'github'], { transforms: [demo, warnOnly] })
    expect(result.stdout).toContain(
      `::notice file=${PLUGIN},line=1,col=1,title=tutor-sse-migrate handlers/dropped::the import was removed. To do: check the plugin`,
    )
    expect(result.stdout).toContain(
      `::warning file=server/utils/odd%2C old.ts,line=3,col=3,title=tutor-sse-migrate emit/local::a 100%25 "odd" server:%0Aline two. To do: migrate it by hand`,
    )
  })

  it('stops with exit 3, writing nothing, when a transform changes a tree instead of staging its edit', async () => {
    const root = app()
    const before = readTree(root)
    const treeEditor: Transform = {
      id: 'tree-editor',
      title: 'test: edits a ts-morph tree',
      run(ctx) {
        ctx.repo.getUnit(PLUGIN)?.scripts[0]?.sourceFile.insertStatements(0, '// edited in place')
      },
    }
    const result = await runInProcess([root], { transforms: [treeEditor] })
    expect(result.exitCode).toBe(3)
    expect(result.stderr).toContain(`tree-editor: changed the ts-morph tree of ${PLUGIN}; a transform stages text edits (ctx.changes.edit)`)
    expect(diffTrees(readTree(root), before)).toBe('')
  })

  it('--only and --skip choose transforms', async () => {
    const root = app()
    const only = JSON.parse((await runInProcess([root, '--json', '--dry-run', '--only', 'warn-only'], { transforms: [demo, warnOnly] })).stdout) as JsonReport
    expect(only.transforms).toEqual(['warn-only'])
    expect(only.files).toEqual([])
    const skip = JSON.parse((await runInProcess([root, '--json', '--dry-run', '--skip', 'warn-only,demo'], { transforms: [demo, warnOnly] })).stdout) as JsonReport
    expect(skip.transforms).toEqual([])
  })

  it('apply runs the detected package manager after writing, or the one given; --no-install skips it', async () => {
    const root = app()
    const log = path.join(temp(), 'pm.log')
    const savedPath = process.env.PATH
    process.env.PATH = `${fakePackageManagers(path.dirname(log), log)}${path.delimiter}${savedPath}`
    try {
      const applied = await runInProcess([root], { transforms: [demo] })
      expect(applied.exitCode, applied.stderr).toBe(0)
      expect(readFileSync(log, 'utf8')).toBe('bun install\n')
      const other = app()
      await runInProcess([other, '--package-manager', 'pnpm'], { transforms: [demo] })
      expect(readFileSync(log, 'utf8')).toBe('bun install\npnpm install\n')
      const skipped = app()
      const noInstall = await runInProcess([skipped, '--no-install'], { transforms: [demo] })
      expect(noInstall.stdout).toContain('skipped the package-manager step (--no-install); run: bun install')
      expect(readFileSync(log, 'utf8')).toBe('bun install\npnpm install\n')
    } finally {
      process.env.PATH = savedPath
    }
  })

  it('after apply: the git tree only shows the migration, a second run changes nothing, --undo restores the tree', async () => {
    const root = app()
    const git = (...args: string[]) => execa('git', args, { cwd: root })
    await git('init', '-q')
    await git('add', '-A')
    await git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'init')
    const before = readTree(root)
    expect((await runInProcess([root, '--no-install'], { transforms: [demo] })).exitCode).toBe(0)
    const after = readTree(root)
    const status = (await git('status', '--porcelain', '--untracked-files=all')).stdout
    expect(status.split('\n').sort()).toEqual([` D ${DOC}`, ' M package.json', ` M ${PLUGIN}`, '?? server/utils/sse.ts'])
    await git('add', '-A')
    await git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'migrated')
    const second = await runInProcess([root, '--no-install'], { transforms: [demo] })
    expect(second.exitCode, second.stderr).toBe(0)
    expect(second.stdout).toContain('nothing to migrate: this repo does not use Socket.IO')
    expect(diffTrees(readTree(root), after)).toBe('')
    const undo = await runInProcess([root, '--undo'])
    expect(undo.exitCode, undo.stderr).toBe(0)
    expect(undo.stdout).toContain('undo: 4 files back as they were before the migration')
    expect(undo.stdout).toContain('package.json is restored; run bun install to bring the lockfile and node_modules back in line')
    expect(diffTrees(readTree(root), before)).toBe('')
    expect(existsSync(path.join(root, '.tutor-sse-migrate'))).toBe(false)
    const nothing = await runInProcess([root, '--undo'])
    expect(nothing.exitCode).toBe(2)
    expect(nothing.stderr).toContain('nothing to undo')
  })

  it('uses the repo style for new files and runs the repo\'s own Prettier on changed files only', async () => {
    const root = app()
    writeSocketApp(root, {
      [PLUGIN]: 'import { Server } from "socket.io";\nexport default defineNitroPlugin(() => {\n    const io = new Server();\n});\n',
      'app/other.ts': 'export const untouched = "socket"\n',
      // A stand-in for the repo's Prettier: it marks what it formatted, so the test sees which files went through it.
      'node_modules/prettier/package.json': '{"name":"prettier","type":"module","main":"index.js"}',
      'node_modules/prettier/index.js': [
        'export async function format(text, options) { return text.startsWith("// prettier") ? text : `// prettier ${options.semi}\\n${text}` }',
        'export async function resolveConfig() { return { semi: false } }',
        'export async function getFileInfo() { return { ignored: false, inferredParser: "typescript" } }',
      ].join('\n'),
    })
    const report = JSON.parse((await runInProcess([root, '--json', '--dry-run'], { transforms: [demo] })).stdout) as JsonReport
    expect(report.files.map((f) => f.path)).not.toContain('app/other.ts')
    const result = await runInProcess([root, '--dry-run'], { transforms: [demo] })
    expect(result.stdout).toContain('+// prettier false\n+export const sse = "on";')
    expect(result.stdout).toContain("+// prettier false\n+const Server = class { on(..._args: unknown[]) {} }\n export default defineNitroPlugin")
  })

  it('shows a progress line on a TTY once a run takes over a second, never when piped', async () => {
    const root = app()
    const { main } = await import('../../src/cli.js')
    const { Writable } = await import('node:stream')
    const tty = () => {
      const stream = Object.assign(new Writable({ write: (c, _e, done) => { stream.text += c.toString(); done() } }), { isTTY: true, text: '' })
      return stream
    }
    const slow: Transform = { id: 'slow', title: 'test: slow', run: () => new Promise((resolve) => setTimeout(resolve, 1100)) }
    const stderr = tty()
    await main(['node', 'x', root, '--dry-run'], { transforms: [slow, demo], stdout: tty(), stderr, env: {} })
    expect(stderr.text).toContain('transform 2/2: demo')
    expect(stderr.text).toContain('\r\x1b[2K')
    const piped = Object.assign(tty(), { isTTY: false })
    await main(['node', 'x', root, '--dry-run'], { transforms: [slow, demo], stdout: tty(), stderr: piped, env: {} })
    expect(piped.text, 'no progress line when stderr is not a terminal').toBe('')
  })
})
