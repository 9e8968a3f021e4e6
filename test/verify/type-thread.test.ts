import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { execa } from 'execa'
import { afterEach, describe, expect, it } from 'vitest'
import { ensureBuilt, repoRoot, tempDir } from '../helpers/cli.js'

const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()))

/** A process that starts the type check's thread (whatever the machine's load), does `then`, and returns. */
function script(then: string): string {
  const thread = pathToFileURL(path.join(repoRoot, 'dist/src/verify/type-thread.js')).href
  return `const { startTypeCheckThread, checkProgram } = await import(${JSON.stringify(thread)})
startTypeCheckThread({ evenWhenBusy: true })
${then}
console.log('done')`
}

const request = `{ input: { rootDir: '/r', options: { noEmit: true, types: [] }, rootNames: ['/r/a.ts'], texts: new Map([['/r/a.ts', 'export const n: number = "one"\\n']]), resolutions: new Map() }, files: ['/r/a.ts'], continues: false }`

describe('the type check thread', () => {
  // A CLI run that needed no check (a second run, nothing to migrate) never ended: the thread held it.
  it('never keeps the process alive: it exits with no check asked, and after a check', async () => {
    ensureBuilt()
    for (const then of ['', `const { result, on } = await checkProgram(${request}); console.log(on, result.get('/r/a.ts').map((d) => d.code).join())`]) {
      const { dir, cleanup } = tempDir('tsm-thread-')
      cleanups.push(cleanup)
      const file = path.join(dir, 'run.mjs')
      writeFileSync(file, script(then))
      const run = await execa('node', [file], { timeout: 30_000, reject: false })
      expect(run.timedOut, then || 'no check').toBe(false)
      expect(run.exitCode).toBe(0)
      expect(run.stdout).toMatch(/done$/)
      if (then) expect(run.stdout).toContain('a worker thread 2322')
    }
  })
})
