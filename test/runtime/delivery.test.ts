import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { broadcast, emitToChannel, emitToConnection, emitToRoom, emitToUser } from '../../src/runtime/server/utils/sse'
import { useSSERuntime } from '../../src/runtime/server/sse/runtime'
import { startTestServer, type TestServer } from './helpers/app'
import { json, openRaw, type RawStream, type SSEFrame } from './helpers/sse-client'

vi.mock('../../src/runtime/server/utils/sse-hooks', () => import('./helpers/hooks'))

let server: TestServer
const streams: RawStream[] = []

async function connect(userId: number, extra: Record<string, string> = {}): Promise<{ stream: RawStream; connectionId: string }> {
  const stream = await openRaw(`${server.url}/api/chat/events`, { authorization: `Bearer token-${userId}`, ...extra })
  streams.push(stream)
  expect(stream.status).toBe(200)
  const connected = await stream.next((f) => f.event === 'connected')
  return { stream, connectionId: json<{ connectionId: string }>(connected).connectionId }
}

const named = (name: string) => (f: SSEFrame) => f.event === name

beforeEach(async () => {
  server = await startTestServer({ heartbeatMs: 100 })
})

afterEach(async () => {
  for (const s of streams.splice(0)) s.close()
  await server.close()
})

describe('the event stream', () => {
  it('answers with SSE headers, a retry hint, a connected event and heartbeat comments', async () => {
    const { stream, connectionId } = await connect(1)
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/)
    expect(stream.headers['cache-control']).toContain('no-cache')
    expect(stream.headers['connection']).toBe('keep-alive')
    expect(stream.headers['x-accel-buffering']).toBe('no')
    expect(stream.headers['content-encoding']).toBe('identity')
    expect(stream.retry).toBe(3000)
    // Random, and sealed to its user (see getConnectionId).
    expect(connectionId).toMatch(/^[\w-]{22}\.[\w-]{22}$/)
    const connected = json<{ userId: number }>(stream.frames[0]!)
    expect(connected.userId).toBe(1)
    await vi.waitFor(() => expect(stream.comments).toBeGreaterThanOrEqual(3), { timeout: 2000, interval: 50 })
  })

  it('delivers to a user, a room, a channel and everyone, honouring except', async () => {
    const a1 = await connect(1)
    const a2 = await connect(1)
    const b = await connect(2)
    const c = await connect(3)

    await emitToUser(1, 'to_user', { n: 1 })
    await emitToRoom(1, 'to_room', { n: 2 })
    await emitToChannel('room:3', 'to_channel', { n: 3 })
    await broadcast('to_all', { n: 4 })
    await emitToRoom(1, 'room_except', { n: 5 }, { except: a1.connectionId })
    await broadcast('all_except', { n: 6 }, { except: [b.connectionId, c.connectionId] })
    await emitToConnection(a2.connectionId, 'direct', { n: 7 })
    await emitToUser([2, 3], 'to_users', { n: 8 })
    await broadcast('done')

    await Promise.all([a1, a2, b, c].map((x) => x.stream.next(named('done'))))
    const events = (s: RawStream) => s.frames.filter((f) => f.event !== 'connected' && f.event !== 'done').map((f) => f.event)
    expect(events(a1.stream)).toEqual(['to_user', 'to_room', 'to_all', 'all_except'])
    expect(events(a2.stream)).toEqual(['to_user', 'to_room', 'to_all', 'room_except', 'all_except', 'direct'])
    expect(events(b.stream)).toEqual(['to_room', 'to_all', 'room_except', 'to_users'])
    expect(events(c.stream)).toEqual(['to_channel', 'to_all', 'to_users'])
    // One id per emit, the same for every receiver, increasing.
    const ids = a2.stream.frames.filter((f) => f.id).map((f) => f.id!)
    expect(new Set(ids).size).toBe(ids.length)
    expect(b.stream.frames.find((f) => f.event === 'to_room')!.id).toBe(a1.stream.frames.find((f) => f.event === 'to_room')!.id)
    expect(json(a1.stream.frames.find((f) => f.event === 'to_user')!)).toEqual({ n: 1 })
  })

  it('never gives user B any of user A’s private events over 1,000 random emits', async () => {
    const a = await connect(1)
    const b = await connect(2)
    const c = await connect(3)
    let forB = 0
    let seed = 42
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    for (let i = 0; i < 1000; i++) {
      const pick = random()
      if (pick < 0.3) await emitToUser(1, 'private', { i, owner: 1 })
      else if (pick < 0.5) await emitToRoom(2, 'private', { i, owner: 1 }) // only user 1 may join room 2 (not joined here)
      else if (pick < 0.6) await emitToConnection(a.connectionId, 'private', { i, owner: 1 })
      else if (pick < 0.7) await emitToRoom(3, 'private', { i, owner: 3 })
      else if (pick < 0.8) await emitToUser(2, 'mine', { i }).then(() => forB++)
      else await emitToRoom(1, 'room1', { i }, { except: b.connectionId })
    }
    await broadcast('done')
    await Promise.all([a, b, c].map((x) => x.stream.next(named('done'), 10_000)))
    expect(b.stream.frames.filter((f) => f.event === 'private')).toEqual([])
    expect(b.stream.frames.filter((f) => f.event === 'room1')).toEqual([])
    expect(b.stream.frames.filter((f) => f.event === 'mine')).toHaveLength(forB)
    expect(c.stream.frames.filter((f) => f.event === 'private').every((f) => json<{ owner: number }>(f).owner === 3)).toBe(true)
    expect(forB).toBeGreaterThan(50)
  })

  it('cannot be used to forge fields or events with newlines', async () => {
    const { stream } = await connect(1)
    await emitToUser(1, 'msg', { text: 'hi\n\nevent: admin\ndata: {"pwned":true}\n\nid: 99999999999999-0\r\nretry: 1' })
    await emitToUser(1, 'msg\nevent: admin', { text: 'bad name' })
    await emitToUser(1, 'msg\r', { text: 'bad name' })
    await emitToUser(1, 'done')
    await stream.next(named('done'))
    expect(stream.frames.map((f) => f.event)).toEqual(['connected', 'msg', 'done'])
    expect(json<{ text: string }>(stream.frames[1]!).text).toContain('\n\nevent: admin')
    expect(stream.retry).toBe(3000)
    expect(stream.frames.every((f) => f.id === undefined || /^\d+-\d+$/.test(f.id))).toBe(true)
  })

  it('drops a client that stops reading, keeping server memory bounded', async () => {
    await server.close()
    // A small log, so what is measured is the connection's queue, not the replay log.
    server = await startTestServer({ heartbeatMs: 0, maxQueueBytes: 256 * 1024, maxEventBytes: 64 * 1024, logMaxEvents: 50 })
    const slow = await openRaw(`${server.url}/api/chat/events`, { authorization: 'Bearer token-2' }, { pause: true })
    streams.push(slow)
    const reader = await connect(1)
    const payload = { text: 'x'.repeat(16 * 1024) }
    global.gc?.()
    const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers
    let peakQueue = 0
    // 4,000 × 16 KiB = 64 MiB offered to a client that reads nothing.
    for (let i = 0; i < 4000; i++) {
      await emitToUser(2, 'bulk', payload)
      if (i % 50 === 0) await emitToUser(1, 'tick', { i })
      const res = [...useSSERuntime().hub.connections.values()].find((c) => c.user.id === 2)
      peakQueue = Math.max(peakQueue, (res as unknown as { res: { writableLength: number } } | undefined)?.res.writableLength ?? 0)
      await new Promise((r) => setImmediate(r))
    }
    await vi.waitFor(() => expect(useSSERuntime().hub.connections.size).toBe(1), { timeout: 5000, interval: 50 })
    global.gc?.()
    const after = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers
    const growthMiB = (after - before) / 2 ** 20
    console.log(`slow client dropped; peak queue ${(peakQueue / 1024).toFixed(0)} KiB; heap+buffers growth ${growthMiB.toFixed(1)} MiB for 64 MiB offered`)
    expect(peakQueue).toBeLessThanOrEqual(256 * 1024)
    expect(growthMiB).toBeLessThan(16)
    // The reading client of the same instance is unaffected.
    expect([...useSSERuntime().hub.connections.values()].map((c) => c.user.id)).toEqual([1])
    await reader.stream.collect(named('tick'), 80, 5000)
  })
})
