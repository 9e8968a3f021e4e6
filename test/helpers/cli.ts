import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import fg from 'fast-glob'
import { execa, execaSync } from 'execa'
import { main } from '../../src/cli.js'
import type { RunEnvironment } from '../../src/run.js'

export const repoRoot = path.resolve(fileURLToPath(new URL('../..', import.meta.url)))
export const binPath = path.join(repoRoot, 'bin/tutor-sse-migrate.js')

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix = 'tsm-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * bin/ loads dist/; rebuild when a source file is newer than the build, so running one test file
 * directly (without `npm test`'s pretest build) still exercises the current code.
 */
export function ensureBuilt(): void {
  const built = path.join(repoRoot, 'dist/src/cli.js')
  const builtAt = (() => {
    try {
      return statSync(built).mtimeMs
    } catch {
      return 0
    }
  })()
  const sources = fg.sync(['src/**/*.ts', 'transforms/**/*.ts', '!src/runtime/**'], { cwd: repoRoot, absolute: true })
  if (sources.every((file) => statSync(file).mtimeMs <= builtAt)) return
  const lock = path.join(os.tmpdir(), 'tutor-sse-migrate-build.lock')
  const deadline = Date.now() + 120_000
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'))
      break
    } catch {
      // A lock older than a build can take was left by a killed run.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
      if (age > 120_000) rmSync(lock, { force: true })
      else if (Date.now() > deadline) throw new Error(`ensureBuilt: ${lock} held for 2 minutes`)
      else execaSync('sleep', ['0.2'])
    }
  }
  try {
    // Other people's in-progress type errors must not stop the build from emitting.
    execaSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repoRoot, reject: false })
  } finally {
    rmSync(lock, { force: true })
  }
}

/** A PATH directory with fake bun/npm/pnpm/yarn that append their argv to `log` and succeed. */
export function fakePackageManagers(dir: string, log: string): string {
  const bin = path.join(dir, 'fake-bin')
  mkdirSync(bin, { recursive: true })
  for (const name of ['bun', 'npm', 'pnpm', 'yarn']) {
    const file = path.join(bin, name)
    writeFileSync(file, `#!/bin/sh\necho "${name} $*" >> "${log}"\n`)
    chmodSync(file, 0o755)
  }
  return bin
}

export interface CliResult {
  exitCode: number
  stdout: string
  stderr: string
}

/** Runs the real CLI through bin/, as a user would. */
export async function runBin(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const result = await execa('node', [binPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { NO_COLOR: '1', ...options.env },
    reject: false,
    timeout: 60_000,
  })
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr }
}

class Capture extends Writable {
  text = ''
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString()
    done()
  }
}

/** Runs the CLI in-process (same `main` as bin/), optionally with test transforms instead of the registry. */
export async function runInProcess(
  args: string[],
  overrides: Pick<RunEnvironment, 'transforms'> = {},
): Promise<CliResult> {
  const stdout = new Capture()
  const stderr = new Capture()
  const exitCode = await main(['node', 'tutor-sse-migrate', ...args], { ...overrides, stdout, stderr, env: { NO_COLOR: '1' } })
  return { exitCode, stdout: stdout.text, stderr: stderr.text }
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T
}
