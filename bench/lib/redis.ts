/** A throwaway redis-server on a free 127.0.0.1 port, without persistence, for the broker runs. */
import { spawnSync } from 'node:child_process'
import { createConnection } from 'node:net'
import { spawnTracked, stopChild } from './children.js'
import { freePort } from './ports.js'

export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')))
  })
}

export async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort()
  const child = spawnTracked('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxclients', '1000'], { stdio: 'ignore' })
  const deadline = Date.now() + 10_000
  while (!(await ping(port))) {
    if (Date.now() > deadline) {
      await stopChild(child)
      throw new Error(`redis-server did not answer on port ${port}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { url: `redis://127.0.0.1:${port}`, stop: () => stopChild(child) }
}
