import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { redisSkipReason, startRedis, type RedisHandle } from '../helpers/redis'
import type { Target } from '../../src/runtime/server/sse/types'
import { startInstance, type Instance } from './helpers/instance'
import { json, openRaw, type RawStream } from './helpers/sse-client'

/**
 * A client resumes while events keep coming: whatever is emitted while its replay is read reaches
 * the stream both from the log and live, and must be written once. Several resumes per run, each
 * racing a steady emitter, so the overlap happens every time rather than by luck.
 */
const skip = redisSkipReason()
const instances: Instance[] = []
const streams: RawStream[] = []
const toUser: Target = { kind: 'channels', channels: ['user:1'], except: [] }

afterEach(async () => {
  for (const s of streams.splice(0)) s.close()
  for (const i of instances.splice(0)) await i.close()
})

async function open(instance: Instance, query = '', headers: Record<string, string> = {}): Promise<{ stream: RawStream; connectionId: string }> {
  const stream = await openRaw(`${instance.url}/api/chat/events${query}`, { authorization: 'Bearer token-1', ...headers })
  streams.push(stream)
  expect(stream.status).toBe(200)
  return { stream, connectionId: json<{ connectionId: string }>(await stream.next((f) => f.event === 'connected')).connectionId }
}

/** Resumes `rounds` times on `[emitter, receiver]` instances while `emitter` emits without pause; returns the n seen per round. */
async function resumeUnderLoad(emitter: Instance, receiver: Instance, rounds: number): Promise<{ seen: number[]; emitted: number }[]> {
  const results: { seen: number[]; emitted: number }[] = []
  let current = await open(receiver)
  let n = 0
  await emitter.runtime.emit('n', { n: ++n }, toUser)
  let cursor = (await current.stream.next((f) => f.event === 'n')).id!
  for (let round = 0; round < rounds; round++) {
    const first = n + 1
    current.stream.close()
    await vi.waitFor(() => expect(receiver.runtime.hub.connections.has(current.connectionId)).toBe(false))
    for (let i = 0; i < 20; i++) await emitter.runtime.emit('n', { n: ++n }, toUser)

    let emitting = true
    const deadline = Date.now() + 5_000
    const load = (async () => {
      for (let i = 0; emitting && i < 2_000 && Date.now() < deadline; i++) {
        await emitter.runtime.emit('n', { n: ++n }, toUser)
        if (i % 4 === 0) await new Promise((resolve) => setImmediate(resolve))
      }
    })()
    const resumed = await open(receiver, `?resume=${current.connectionId}`, { 'last-event-id': cursor })
    await new Promise((resolve) => setTimeout(resolve, 30))
    emitting = false
    await load
    await emitter.runtime.emit('end', { n: ++n }, toUser)
    await resumed.stream.next((f) => f.event === 'end', 10_000)
    const frames = resumed.stream.frames.filter((f) => f.event === 'n')
    results.push({ seen: frames.map((f) => json<{ n: number }>(f).n), emitted: n - first })
    cursor = resumed.stream.frames.filter((f) => f.id).at(-1)!.id!
    current = resumed
  }
  return results
}

function expectExactlyOnceInOrder(results: { seen: number[]; emitted: number }[]): void {
  for (const [round, { seen, emitted }] of results.entries()) {
    const duplicates = seen.length - new Set(seen).size
    expect(duplicates, `round ${round}: ${duplicates} events written twice`).toBe(0)
    expect(seen, `round ${round}: in order`).toEqual([...seen].sort((x, y) => x - y))
    expect(seen.length, `round ${round}: nothing lost`).toBe(emitted)
  }
}

describe('replay while events keep coming', () => {
  it('writes each event once, in order, with the memory broker and a log read that takes a while', async () => {
    const instance = await startInstance({ heartbeatMs: 0 })
    instances.push(instance)
    // The in-memory read is synchronous; a pause before it opens the window a big log or a busy
    // process opens in production, so events keep arriving between the hold and the read.
    const broker = instance.runtime.broker
    const read = broker.replay.bind(broker)
    vi.spyOn(broker, 'replay').mockImplementation(async (cursor) => {
      await new Promise((resolve) => setTimeout(resolve, 15))
      return read(cursor)
    })
    expectExactlyOnceInOrder(await resumeUnderLoad(instance, instance, 5))
  })

  describe.skipIf(skip)('with the Redis broker', () => {
    let redis: RedisHandle
    beforeAll(async () => {
      redis = await startRedis()
    })
    afterAll(async () => {
      await redis?.stop()
    })

    it('writes each event once, in order, emitted on one instance and resumed on another', async () => {
      const shared = { redisUrl: redis.url, redisPrefix: 'concurrent', heartbeatMs: 0 }
      const emitter = await startInstance(shared)
      const receiver = await startInstance(shared)
      instances.push(emitter, receiver)
      expectExactlyOnceInOrder(await resumeUnderLoad(emitter, receiver, 5))
    })
  })
})
