import { afterEach, describe, expect, it, vi } from 'vitest'
import { broadcast, emitToConnection, emitToRoom, emitToUser } from '../../src/runtime/server/utils/sse'
import { useSSERuntime } from '../../src/runtime/server/sse/runtime'
import { startTestServer, type TestServer } from './helpers/app'
import { json, openRaw, type RawStream, type SSEFrame } from './helpers/sse-client'

vi.mock('../../src/runtime/server/utils/sse-hooks', () => import('./helpers/hooks'))

let server: TestServer
const streams: RawStream[] = []

async function open(userId: number, query = '', headers: Record<string, string> = {}): Promise<{ stream: RawStream; connectionId: string }> {
  const stream = await openRaw(`${server.url}/api/chat/events${query}`, { authorization: `Bearer token-${userId}`, ...headers })
  streams.push(stream)
  expect(stream.status).toBe(200)
  return { stream, connectionId: json<{ connectionId: string }>(await stream.next((f) => f.event === 'connected')).connectionId }
}

const payloads = (frames: SSEFrame[], event: string) => frames.filter((f) => f.event === event).map((f) => json<{ n: number }>(f).n)

afterEach(async () => {
  for (const s of streams.splice(0)) s.close()
  await server.close()
})

describe('replay', () => {
  it('replays every missed event once, in order, with the channels joined before', async () => {
    server = await startTestServer()
    const a = await open(1)
    const other = await open(2)
    // Joined on demand (not at connect time): a resume must keep it.
    await useSSERuntime().changeSubscription('subscribe', a.connectionId, ['room:2'], { userId: 1 }, async () => true)
    await emitToRoom(2, 'seen', { n: 0 })
    const seen = await a.stream.next((f) => f.event === 'seen')
    a.stream.close()
    await vi.waitFor(() => expect(useSSERuntime().hub.connections.has(a.connectionId)).toBe(false))

    const expected: number[] = []
    for (let n = 1; n <= 60; n++) {
      const kind = n % 6
      if (kind === 0) await emitToRoom(2, 'missed', { n })
      else if (kind === 1) await emitToUser(1, 'missed', { n })
      else if (kind === 2) await emitToConnection(a.connectionId, 'missed', { n })
      else if (kind === 3) await broadcast('missed', { n })
      else if (kind === 4) await emitToUser(2, 'not_mine', { n })
      else await emitToConnection(other.connectionId, 'not_mine', { n })
      if (kind < 4) expected.push(n)
    }

    const resumed = await open(1, `?resume=${a.connectionId}`, { 'last-event-id': seen.id! })
    expect(resumed.connectionId).toBe(a.connectionId)
    await emitToRoom(2, 'live', { n: 61 })
    await resumed.stream.next((f) => f.event === 'live')
    expect(payloads(resumed.stream.frames, 'missed')).toEqual(expected)
    expect(resumed.stream.frames.filter((f) => f.event === 'not_mine')).toEqual([])
    expect(resumed.stream.frames.map((f) => f.event).at(-1)).toBe('live')
    // Ids strictly increase across replay and live.
    const ids = resumed.stream.frames.filter((f) => f.id).map((f) => f.id!.split('-').map(BigInt) as [bigint, bigint])
    for (let i = 1; i < ids.length; i++) {
      const [ms, seq] = ids[i]!
      const [prevMs, prevSeq] = ids[i - 1]!
      expect(ms > prevMs || (ms === prevMs && seq > prevSeq)).toBe(true)
    }
  })

  it('accepts the cursor as ?lastEventId= and never replays another connection’s events', async () => {
    server = await startTestServer()
    const a = await open(1)
    const first = await open(1)
    await emitToUser(1, 'mark')
    const mark = await first.stream.next((f) => f.event === 'mark')
    await emitToConnection(a.connectionId, 'for_a_only')
    await emitToUser(1, 'both')
    first.stream.close()
    // Another connection of the same user, resuming its own session, does not get a's direct events.
    const again = await open(1, `?resume=${first.connectionId}&lastEventId=${mark.id}`)
    await emitToUser(1, 'live')
    await again.stream.next((f) => f.event === 'live')
    expect(again.stream.frames.map((f) => f.event)).toEqual(['connected', 'both', 'live'])
  })

  it('does not resume another user’s session', async () => {
    server = await startTestServer()
    const a = await open(1)
    await useSSERuntime().changeSubscription('subscribe', a.connectionId, ['room:2'], { userId: 1 }, async () => true)
    await emitToUser(2, 'mark')
    a.stream.close()
    const b = await open(2, `?resume=${a.connectionId}`)
    expect(b.connectionId).not.toBe(a.connectionId)
    await emitToRoom(2, 'room2')
    await emitToUser(2, 'done')
    await b.stream.next((f) => f.event === 'done')
    expect(b.stream.frames.map((f) => f.event)).toEqual(['connected', 'done'])
  })

  it('sends reset when the cursor is older than the log, and moves the cursor forward', async () => {
    server = await startTestServer({ logMaxEvents: 5 })
    const a = await open(1)
    await emitToUser(1, 'e', { n: 0 })
    const cursor = (await a.stream.next((f) => f.event === 'e')).id!
    a.stream.close()
    for (let n = 1; n <= 10; n++) await emitToUser(1, 'e', { n })
    const late = await open(1, `?resume=${a.connectionId}`, { 'last-event-id': cursor })
    const reset = await late.stream.next((f) => f.event === 'reset')
    expect(reset.id).toBeDefined()
    expect(late.stream.frames.filter((f) => f.event === 'e')).toEqual([])
    // A reconnect with the cursor the reset gave replays normally.
    await emitToUser(1, 'e', { n: 11 })
    const again = await open(1, `?resume=${a.connectionId}`, { 'last-event-id': reset.id! })
    await emitToUser(1, 'e', { n: 12 })
    await again.stream.next((f) => f.event === 'e' && json<{ n: number }>(f).n === 12)
    expect(payloads(again.stream.frames, 'e')).toEqual([11, 12])
    // A cursor from before this process started (or garbage) also resets.
    for (const stale of [`${Date.now() - 3_600_000}-0`, 'not-an-id']) {
      const s = await open(1, `?lastEventId=${stale}`)
      await s.stream.next((f) => f.event === 'reset')
    }
  })

  it('expires the log by age', async () => {
    server = await startTestServer({ logMaxAgeMs: 100 })
    const a = await open(1)
    await emitToUser(1, 'e', { n: 0 })
    const cursor = (await a.stream.next((f) => f.event === 'e')).id!
    a.stream.close()
    await emitToUser(1, 'e', { n: 1 })
    await new Promise((r) => setTimeout(r, 250))
    const late = await open(1, '', { 'last-event-id': cursor })
    await late.stream.next((f) => f.event === 'reset')
  })

  it('does not take over a stream that is still open: the resume gets its channels under a new id', async () => {
    server = await startTestServer()
    const a = await open(1)
    await useSSERuntime().changeSubscription('subscribe', a.connectionId, ['room:2'], { userId: 1 }, async () => true)
    // A resume URL copied from a log (or a client that reconnects before the server saw its old stream go).
    const again = await open(1, `?resume=${a.connectionId}`)
    expect(again.connectionId).not.toBe(a.connectionId)
    await emitToRoom(2, 'room2', { n: 1 })
    await again.stream.next((f) => f.event === 'room2')
    await a.stream.next((f) => f.event === 'room2')
    expect(a.stream.isEnded()).toBe(false)
    // Once the old stream has gone, its id can be resumed, with its channels.
    a.stream.close()
    await vi.waitFor(() => expect(useSSERuntime().hub.connections.has(a.connectionId)).toBe(false))
    expect((await useSSERuntime().broker.loadSession(a.connectionId))?.channels).toEqual(['user:1', 'room:1', 'room:2'])
    const resumed = await open(1, `?resume=${a.connectionId}`)
    expect(resumed.connectionId).toBe(a.connectionId)
  })
})
