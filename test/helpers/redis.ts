import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './ports.js'

export interface RedisHandle {
  port: number
  url: string
  /** Shut down cleanly and delete its data. */
  stop(): Promise<void>
  /** SIGKILL, as a crash. The data dir stays for `restart()`. */
  kill(): Promise<void>
  /** Start again on the same port with the same data (append-only file, fsync always). */
  restart(): Promise<void>
}

export function redisAvailable(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0
}

/**
 * Skip reason when redis-server is missing locally; under CI a missing service fails instead.
 * Usage: `const skip = redisSkipReason(); describe.skipIf(skip)(...)`.
 */
export function redisSkipReason(): string | false {
  if (redisAvailable()) return false
  if (process.env.CI === 'true') throw new Error('redis-server is required under CI=true but was not found')
  const reason = 'redis-server not installed: skipping Redis tests'
  console.warn(reason)
  return reason
}

/** True when a Redis server answers PING on 127.0.0.1:`port` within half a second. */
export function pingRedis(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')))
  })
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** A private redis-server on a free 127.0.0.1 port, persisting every write so a kill loses nothing acknowledged. */
export async function startRedis(): Promise<RedisHandle> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'sse-redis-'))
  let child: ChildProcess | undefined

  const launch = async () => {
    const proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--protected-mode', 'yes'],
      { stdio: 'ignore' },
    )
    child = proc
    await waitUntil(() => pingRedis(port), 10_000, `redis-server on ${port}`)
  }
  const exited = (proc: ChildProcess) =>
    proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => proc.once('exit', () => r()))

  await launch()
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      const proc = child
      child = undefined
      if (proc) {
        proc.kill('SIGTERM')
        await exited(proc)
      }
      rmSync(dir, { recursive: true, force: true })
    },
    async kill() {
      const proc = child
      child = undefined
      if (!proc) return
      proc.kill('SIGKILL')
      await exited(proc)
    },
    async restart() {
      if (child) throw new Error('redis-server is still running')
      await launch()
    },
  }
}
