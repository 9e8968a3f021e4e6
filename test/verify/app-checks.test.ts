import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { execa } from 'execa'
import { afterEach, describe, expect, it } from 'vitest'
import { compareRuns, parseDiagnostics, verifyApp, type AppCheckRun } from '../../src/verify/app-checks.js'
import { InputError } from '../../src/errors.js'
import { runInProcess, tempDir } from '../helpers/cli.js'
import { writeRepo } from '../helpers/repo.js'
import { linkNodeModules, repoRoot } from '../helpers/nuxt.js'

let cleanups: (() => void)[] = []
afterEach(() => {
  for (const cleanup of cleanups) cleanup()
  cleanups = []
})

function run(copy: AppCheckRun['copy'], phase: AppCheckRun['phase'], status: AppCheckRun['status'], diagnostics: AppCheckRun['diagnostics'] = []): AppCheckRun {
  return { copy, phase, status, ms: 1, diagnostics }
}

describe('--verify: comparing the app checks of both copies', () => {
  it('reads vue-tsc errors in its plain and pretty forms, each once, with paths relative to the copy', () => {
    const output = [
      '/tmp/x/migrated/server/api/a.post.ts(3,15): error TS2345: Argument of type \'bigint\' is not assignable to parameter of type \'UserId | UserId[]\'.',
      '\x1b[96mapp/pages/b.vue\x1b[0m:12:5 - \x1b[91merror\x1b[0m\x1b[90m TS2304: \x1b[0mCannot find name \'socket\'.',
      // Project references check a file once per project that includes it: the same error twice.
      '/tmp/x/migrated/server/api/a.post.ts(3,15): error TS2345: Argument of type \'bigint\' is not assignable to parameter of type \'UserId | UserId[]\'.',
      'Found 3 errors.',
    ].join('\n')
    expect(parseDiagnostics(output, '/tmp/x/migrated')).toEqual([
      { file: 'server/api/a.post.ts', line: 3, column: 15, code: 'TS2345', message: "Argument of type 'bigint' is not assignable to parameter of type 'UserId | UserId[]'." },
      { file: 'app/pages/b.vue', line: 12, column: 5, code: 'TS2304', message: "Cannot find name 'socket'." },
    ])
  })

  it('finds the errors only the migrated copy has, however their lines moved, and checks only it fails', () => {
    const old = { file: 'a.ts', line: 3, column: 1, code: 'TS2304', message: "Cannot find name 'legacy'." }
    const findings = compareRuns(
      [run('original', 'prepare', 'passed'), run('original', 'typecheck', 'failed', [old]), run('original', 'build', 'passed')],
      [
        run('migrated', 'prepare', 'passed'),
        run('migrated', 'typecheck', 'failed', [{ ...old, line: 9 }, { file: 'b.ts', line: 2, column: 4, code: 'TS2345', message: 'bad' }]),
        { ...run('migrated', 'build', 'failed'), tail: 'ERROR  Could not resolve "socket.io"' },
      ],
    )
    expect(findings.map((f) => `${f.phase} ${f.file}:${f.line} ${f.message.split('\n')[0]}`)).toEqual([
      'typecheck b.ts:2 TS2345: bad',
      'build :0 nuxi build fails on the migrated app and passed before:',
    ])
    // A check that already failed before is not the migration's doing.
    expect(compareRuns([run('original', 'build', 'failed')], [run('migrated', 'build', 'failed')])).toEqual([])
  })

  it('asks for the dependencies to be installed first (exit 2), without touching the tree', async () => {
    const dir = writeRepo({ 'package.json': '{"dependencies":{"nuxt":"^4.4.5","socket.io":"^4.8.1"}}\n', 'nuxt.config.ts': 'export default defineNuxtConfig({})\n' })
    await expect(verifyApp(dir, [], { progress: () => {} })).rejects.toThrow(InputError)
    await expect(verifyApp(dir, [], { progress: () => {} })).rejects.toThrow('need its dependencies installed')
  })
})

/** A small real app whose ids are bigints: `room:${id}` took them, `emitToRoom(id)` does not (UserId is string | number). */
const BIGINT_APP: Record<string, string> = {
  'package.json': `${JSON.stringify({ name: 'bigint-app', private: true, type: 'module', dependencies: { nuxt: '^4.4.5', 'socket.io': '^4.8.1' } }, null, 2)}\n`,
  'nuxt.config.ts': "export default defineNuxtConfig({\n  compatibilityDate: '2025-07-15',\n})\n",
  'tsconfig.json': `${JSON.stringify({ files: [], references: ['app', 'server', 'shared', 'node'].map((p) => ({ path: `./.nuxt/tsconfig.${p}.json` })) }, null, 2)}\n`,
  'app/app.vue': '<template>\n  <NuxtPage />\n</template>\n',
  'app/pages/index.vue': '<template>\n  <p>Lessons</p>\n</template>\n',
  '.gitignore': 'node_modules\n.nuxt\n.output\n',
  'server/plugins/socket.io.ts': `import { Server } from 'socket.io'

declare module 'nitropack' {
  interface NitroApp {
    io?: Server
  }
}

export default defineNitroPlugin((nitroApp) => {
  const io = new Server()
  nitroApp.hooks.hook('request', (event) => {
    const server = (event.node.req.socket as { server?: import('node:http').Server }).server
    if (server && !nitroApp.io) {
      io.attach(server)
      nitroApp.io = io
    }
  })
})
`,
  'server/api/lessons/[id]/start.post.ts': `export default defineEventHandler((event) => {
  const lessonId = BigInt(getRouterParam(event, 'id') ?? '0')
  useNitroApp().io?.to(\`room:\${lessonId}\`).emit('lesson_started', { startedAt: Date.now() })
  return { started: true }
})
`,
}

async function installedCopy(files: Record<string, string> | string): Promise<string> {
  const t = tempDir('tsm-verify-')
  cleanups.push(t.cleanup)
  if (typeof files === 'string') {
    cpSync(files, t.dir, { recursive: true })
    if (existsSync(path.join(t.dir, '_gitignore'))) renameSync(path.join(t.dir, '_gitignore'), path.join(t.dir, '.gitignore'))
  } else {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(t.dir, file)), { recursive: true })
      writeFileSync(path.join(t.dir, file), text)
    }
  }
  await linkNodeModules(t.dir)
  const git = (...args: string[]) => execa('git', args, { cwd: t.dir })
  await git('init', '-q')
  await git('add', '-A')
  await git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'init')
  return t.dir
}

/** What git sees changed in the copy (node_modules and build output are ignored). */
async function changedFiles(dir: string): Promise<string> {
  return (await execa('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: dir })).stdout
}

describe('--verify: the app checks on real copies', () => {
  it('passes on tutor-school: every check passes on both copies, and the JSON report has their times', async () => {
    const dir = await installedCopy(path.join(repoRoot, 'fixtures/tutor-school/before'))
    const result = await runInProcess([dir, '--dry-run', '--verify', '--json'])
    expect(result.exitCode, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as { verify: { runs: AppCheckRun[]; findings: unknown[] } }
    expect(report.verify.findings).toEqual([])
    expect(report.verify.runs.map((r) => `${r.copy} ${r.phase} ${r.status}`).sort()).toEqual([
      'migrated build passed', 'migrated prepare passed', 'migrated typecheck passed',
      'original build passed', 'original prepare passed', 'original typecheck passed',
    ])
    expect(report.verify.runs.every((r) => r.ms > 0)).toBe(true)
    expect(result.stderr).toContain('verify: migrated: nuxi typecheck passed')
  }, 600_000)

  it('refuses to apply a migration whose output the app no longer type-checks, naming the new error; --check exits 1', async () => {
    const dir = await installedCopy(BIGINT_APP)
    const applied = await runInProcess([dir, '--verify', '--no-install'])
    expect(applied.exitCode, applied.stderr).toBe(3)
    expect(applied.stderr).toMatch(/server\/api\/lessons\/\[id\]\/start\.post\.ts:3:\d+: typecheck: TS2345: Argument of type 'bigint'/)
    expect(applied.stderr).toContain('nothing was written')
    expect(await changedFiles(dir)).toBe('')

    const checked = await runInProcess([dir, '--check', '--verify', '--json'])
    expect(checked.exitCode).toBe(1)
    const report = JSON.parse(checked.stdout) as { followUps: { kind: string; file: string }[] }
    expect(report.followUps.filter((f) => f.kind === 'verify/app-typecheck').map((f) => f.file)).toEqual(['server/api/lessons/[id]/start.post.ts'])
    expect(readFileSync(path.join(dir, 'server/api/lessons/[id]/start.post.ts'), 'utf8')).toContain('useNitroApp().io')
  }, 600_000)
})
