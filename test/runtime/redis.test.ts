import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { redisSkipReason, startRedis, type RedisHandle } from '../helpers/redis'
import type { SSERuntime } from '../../src/runtime/server/sse/runtime'
import type { Target } from '../../src/runtime/server/sse/types'
import { canSubscribe } from './helpers/hooks'
import { startInstance, type Instance } from './helpers/instance'
import { json, openRaw, type RawStream, type SSEFrame } from './helpers/sse-client'

const skip = redisSkipReason()
let redis: RedisHandle
let prefix = 0
const instances: Instance[] = []
const streams: RawStream[] = []

async function twoInstances(config: Record<string, unknown> = {}): Promise<[Instance, Instance]> {
  const shared = { redisUrl: redis.url, redisPrefix: `t${++prefix}`, heartbeatMs: 0, ...config }
  const a = await startInstance(shared)
  const b = await startInstance(shared)
  instances.push(a, b)
  return [a, b]
}

async function open(instance: Instance, userId: number, query = '', headers: Record<string, string> = {}): Promise<{ stream: RawStream; connectionId: string }> {
  const stream = await openRaw(`${instance.url}/api/chat/events${query}`, { authorization: `Bearer token-${userId}`, ...headers })
  streams.push(stream)
  expect(stream.status).toBe(200)
  return { stream, connectionId: json<{ connectionId: string }>(await stream.next((f) => f.event === 'connected')).connectionId }
}

const toUser = (id: number): Target => ({ kind: 'channels', channels: [`user:${id}`], except: [] })
const toRoom = (id: number, except: string[] = []): Target => ({ kind: 'channels', channels: [`room:${id}`], except })
const emit = (runtime: SSERuntime, event: string, data: unknown, target: Target) => runtime.emit(event, data, target)
const payloads = (frames: SSEFrame[], event: string) => frames.filter((f) => f.event === event).map((f) => json<{ n: number }>(f).n)

describe.skipIf(skip)('Redis broker: several instances', () => {
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(async () => {
    await redis?.stop()
  })
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close()
    for (const i of instances.splice(0)) await i.close()
  })

  it('delivers across instances to users, rooms, everyone and one connection, honouring except', async () => {
    const [a, b] = await twoInstances()
    const one = await open(a, 1)
    const two = await open(b, 2)
    await emit(a.runtime, 'for_2', { n: 1 }, toUser(2))
    await emit(b.runtime, 'room_1', { n: 2 }, toRoom(1))
    await emit(a.runtime, 'all', { n: 3 }, { kind: 'broadcast', except: [] })
    await emit(b.runtime, 'direct', { n: 4 }, { kind: 'connection', connectionId: one.connectionId })
    await emit(a.runtime, 'room_except', { n: 5 }, toRoom(1, [two.connectionId]))
    await emit(b.runtime, 'done', null, { kind: 'broadcast', except: [] })
    await Promise.all([one, two].map((x) => x.stream.next((f) => f.event === 'done')))
    const events = (s: RawStream) => s.frames.map((f) => f.event).filter((e) => e !== 'connected' && e !== 'done')
    expect(events(one.stream)).toEqual(['room_1', 'all', 'direct', 'room_except'])
    expect(events(two.stream)).toEqual(['for_2', 'room_1', 'all'])
    // Both instances give the same event the same id: the shared log's.
    expect(two.stream.frames.find((f) => f.event === 'all')!.id).toBe(one.stream.frames.find((f) => f.event === 'all')!.id)
  })

  it('subscribes a connection held by another instance, only for its own user', async () => {
    const [a, b] = await twoInstances()
    const one = await open(b, 1)
    await expect(a.runtime.changeSubscription('subscribe', one.connectionId, ['room:2'], { userId: 2 }, canSubscribe)).rejects.toMatchObject({ statusCode: 403 })
    await expect(a.runtime.changeSubscription('subscribe', one.connectionId, ['room:4'], { userId: 1 }, canSubscribe)).rejects.toMatchObject({ statusCode: 403 })
    await a.runtime.changeSubscription('subscribe', one.connectionId, ['room:2'], { userId: 1 }, canSubscribe)
    await emit(a.runtime, 'in_room_2', { n: 1 }, toRoom(2))
    await one.stream.next((f) => f.event === 'in_room_2')
  })

  it('replays on another instance: every missed event once, in order, with the joined channels', async () => {
    const [a, b] = await twoInstances()
    const one = await open(a, 1)
    await b.runtime.changeSubscription('subscribe', one.connectionId, ['room:2'], { userId: 1 }, canSubscribe)
    await emit(a.runtime, 'seen', { n: 0 }, toRoom(2))
    const cursor = (await one.stream.next((f) => f.event === 'seen')).id!
    one.stream.close()
    await vi.waitFor(() => expect(a.runtime.hub.connections.size).toBe(0))
    const expected: number[] = []
    for (let n = 1; n <= 40; n++) {
      const from = n % 2 ? a.runtime : b.runtime
      const kind = n % 5
      if (kind === 0) await emit(from, 'missed', { n }, toRoom(2))
      else if (kind === 1) await emit(from, 'missed', { n }, toUser(1))
      else if (kind === 2) await emit(from, 'missed', { n }, { kind: 'connection', connectionId: one.connectionId })
      else if (kind === 3) await emit(from, 'other', { n }, toUser(2))
      else await emit(from, 'other', { n }, toRoom(3))
      if (kind < 3) expected.push(n)
    }
    const resumed = await open(b, 1, `?resume=${one.connectionId}`, { 'last-event-id': cursor })
    expect(resumed.connectionId).toBe(one.connectionId)
    await emit(a.runtime, 'live', { n: 41 }, toRoom(2))
    await resumed.stream.next((f) => f.event === 'live')
    expect(payloads(resumed.stream.frames, 'missed')).toEqual(expected)
    expect(resumed.stream.frames.filter((f) => f.event === 'other')).toEqual([])
  })

  it('resets a cursor trimmed out of the shared log', async () => {
    const [a, b] = await twoInstances({ logMaxEvents: 10 })
    const one = await open(a, 1)
    await emit(a.runtime, 'e', { n: 0 }, toUser(1))
    const cursor = (await one.stream.next((f) => f.event === 'e')).id!
    for (let n = 1; n <= 300; n++) await emit(b.runtime, 'e', { n }, toUser(3))
    const late = await open(b, 1, '', { 'last-event-id': cursor })
    const reset = await late.stream.next((f) => f.event === 'reset')
    expect(reset.id).toMatch(/^\d+-\d+$/)
  })

  it('loses nothing replay can recover when Redis is killed and restarted mid-stream', async () => {
    const [a, b] = await twoInstances()
    const local = await open(a, 1)
    const remote = await open(b, 1)
    const total = 90
    let cursor: string | undefined
    for (let n = 1; n <= total; n++) {
      if (n === 30) {
        cursor = (await remote.stream.next((f) => f.event === 'n' && json<{ n: number }>(f).n === 29)).id
        await redis.kill()
      }
      if (n === 60) await redis.restart()
      await emit(a.runtime, 'n', { n }, toUser(1))
      await new Promise((r) => setTimeout(r, 10))
    }
    const all = Array.from({ length: total }, (_, i) => i + 1)
    // Local delivery never stopped, and nothing arrived twice.
    await local.stream.collect((f) => f.event === 'n', total, 5000)
    expect(payloads(local.stream.frames, 'n')).toEqual(all)
    // The other instance got the outage's events once Redis was back, in order.
    await remote.stream.collect((f) => f.event === 'n', total, 15_000)
    expect(payloads(remote.stream.frames, 'n')).toEqual(all)
    // A client that was away from event 30 on gets the rest from the log, on either instance.
    for (const instance of [a, b]) {
      const back = await open(instance, 1, '', { 'last-event-id': cursor! })
      await back.stream.collect((f) => f.event === 'n', total - 29, 5000)
      await emit(a.runtime, 'tail', null, toUser(1))
      await back.stream.next((f) => f.event === 'tail')
      expect(payloads(back.stream.frames, 'n')).toEqual(all.slice(29))
    }
    // The local client's cursor moved past the outage's events too (no id was lost).
    const last = local.stream.lastId()!
    const again = await open(a, 1, '', { 'last-event-id': last })
    await emit(a.runtime, 'after', null, toUser(1))
    await again.stream.next((f) => f.event === 'after')
    expect(again.stream.frames.filter((f) => f.event === 'n' || f.event === 'reset')).toEqual([])
  })

  it('delivers each outage event exactly once, in order, to a stream that resumed on the instance during the outage', async () => {
    const [a] = await twoInstances()
    const writer = (a.runtime.broker as unknown as { writer: import('ioredis').Redis }).writer
    const first = await open(a, 1)
    for (let n = 1; n <= 5; n++) await emit(a.runtime, 'n', { n }, toUser(1))
    const cursor = (await first.stream.next((f) => f.event === 'n' && json<{ n: number }>(f).n === 5)).id!
    // Only the log's writer is cut: replay still reads the log, which lacks the events emitted now.
    writer.disconnect()
    await vi.waitFor(() => expect(writer.status).toBe('end'))
    for (let n = 6; n <= 20; n++) await emit(a.runtime, 'n', { n }, toUser(1))
    const resumed = await open(a, 1, '', { 'last-event-id': cursor })
    const fresh = await open(a, 1)
    for (let n = 21; n <= 25; n++) await emit(a.runtime, 'n', { n }, toUser(1))
    await resumed.stream.collect((f) => f.event === 'n', 20)
    await writer.connect()
    await vi.waitFor(() => expect((a.runtime.broker as unknown as { outbox: unknown[] }).outbox).toHaveLength(0))
    await emit(a.runtime, 'done', null, toUser(1))
    for (const { stream } of [first, resumed, fresh]) await stream.next((f) => f.event === 'done', 10_000)
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)
    expect(payloads(first.stream.frames, 'n')).toEqual(range(1, 25))
    expect(payloads(resumed.stream.frames, 'n')).toEqual(range(6, 25))
    // A fresh stream is owed what was emitted after it opened, not the outage's earlier events.
    expect(payloads(fresh.stream.frames, 'n')).toEqual(range(21, 25))
    // The resumed stream's cursor moved past the outage: a reconnect from its last id replays nothing.
    const again = await open(a, 1, '', { 'last-event-id': resumed.stream.lastId()! })
    await emit(a.runtime, 'after', null, toUser(1))
    await again.stream.next((f) => f.event === 'after')
    expect(again.stream.frames.filter((f) => f.event === 'n' || f.event === 'reset')).toEqual([])
  })
})
