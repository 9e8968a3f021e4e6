import { spawn, type ChildProcess } from 'node:child_process'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Copies `fixtures/<name>/before` into a fresh temp dir and returns the app dir inside it. */
export async function copyFixture(name: string): Promise<{ appDir: string, cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), `e2e-${name}-`))
  const appDir = join(root, 'app')
  await cp(join(repoRoot, 'fixtures', name, 'before'), appDir, { recursive: true })
  return { appDir, cleanup: () => rm(root, { recursive: true, force: true }) }
}

/**
 * Gives the app this project's installed packages as a hard-linked copy: no per-test install, and
 * unlike a symlink the packages resolve from inside the app dir, which Nuxt's build relies on.
 */
export async function linkNodeModules(appDir: string): Promise<void> {
  await execa('cp', ['-al', join(repoRoot, 'node_modules'), join(appDir, 'node_modules')])
}

export interface CommandResult {
  /** Undefined when the command was killed (timeout). */
  exitCode: number | undefined
  /** stdout and stderr interleaved, for failure messages. */
  output: string
}

async function run(file: string, args: string[], options: { cwd?: string, env: Record<string, string>, timeoutMs: number }): Promise<CommandResult> {
  const result = await execa(file, args, { cwd: options.cwd, env: options.env, timeout: options.timeoutMs, reject: false, all: true })
  const timedOut = result.timedOut ? `\n(killed after ${options.timeoutMs} ms)` : ''
  return { exitCode: result.exitCode, output: `${result.all}${timedOut}` }
}

/** Runs the real CLI the way a user would, through `bin/`. Never throws; the caller asserts the exit code. */
export function runCli(args: string[], timeoutMs = 120_000): Promise<CommandResult> {
  return run('node', [join(repoRoot, 'bin/tutor-sse-migrate.js'), ...args], { env: { NO_COLOR: '1' }, timeoutMs })
}

/** `nuxi <command>` in the app dir with the app's (linked) Nuxt. Never throws; the caller asserts the exit code. */
export function nuxi(appDir: string, command: 'typecheck' | 'build', timeoutMs: number): Promise<CommandResult> {
  return run('node', [join(appDir, 'node_modules/@nuxt/cli/bin/nuxi.mjs'), command], {
    cwd: appDir,
    env: { NUXT_TELEMETRY_DISABLED: '1', CI: 'true', NO_COLOR: '1' },
    timeoutMs,
  })
}

export interface RunningServer {
  url: string
  port: number
  /** Everything the server printed so far (stdout and stderr). */
  output(): string
  /** SIGTERM, then wait for the process to exit; resolves with how long that took in ms (SIGKILL after `killAfterMs`). */
  stop(killAfterMs?: number): Promise<number>
}

const running = new Set<ChildProcess>()

/** Boots `node .output/server/index.mjs` on 127.0.0.1:`port` and waits until it listens. */
export async function startBuiltServer(appDir: string, port: number, env: Record<string, string> = {}, timeoutMs = 20_000): Promise<RunningServer> {
  const child = spawn(process.execPath, [join(appDir, '.output/server/index.mjs')], {
    cwd: appDir,
    env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: String(port), NITRO_PORT: String(port), NITRO_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve()
    child.once('exit', () => {
      running.delete(child)
      resolve()
    })
  })

  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + timeoutMs
  while (!output.includes('Listening on')) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before listening:\n${output}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`server did not listen within ${timeoutMs} ms:\n${output}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }

  return {
    url,
    port,
    output: () => output,
    async stop(killAfterMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return 0
      const started = performance.now()
      child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs)
      await exited
      clearTimeout(killer)
      return performance.now() - started
    },
  }
}

/** Last resort for a failed test: no server outlives the test file. */
export function killAllServers(): void {
  for (const child of running) child.kill('SIGKILL')
  running.clear()
}
