/** A throwaway redis-server on a free 127.0.0.1 port, without persistence, for the broker runs. */
import { freePort } from '../../test/helpers/ports.js'
import { pingRedis } from '../../test/helpers/redis.js'
import { spawnTracked, stopChild } from './children.js'

export async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort()
  const child = spawnTracked('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxclients', '1000'], { stdio: 'ignore' })
  const deadline = Date.now() + 10_000
  while (!(await pingRedis(port))) {
    if (Date.now() > deadline) {
      await stopChild(child)
      throw new Error(`redis-server did not answer on port ${port}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { url: `redis://127.0.0.1:${port}`, stop: () => stopChild(child) }
}
