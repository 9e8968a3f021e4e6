import { describe, expect, it } from 'vitest'
import { MemoryBroker } from '../../src/runtime/server/sse/memory-broker'
import { defaultSSEConfig, type SSEConfig } from '../../src/runtime/server/sse/config'
import type { LogEntry, Target } from '../../src/runtime/server/sse/types'

function brokerWithLog(logMaxEvents: number, config: Partial<SSEConfig> = {}) {
  const delivered: LogEntry[] = []
  const broker = new MemoryBroker(
    { ...defaultSSEConfig, logMaxEvents, ...config },
    { deliver: (entry) => delivered.push(entry), deliverUnlogged: () => new Set<string>(), control: () => {} },
  )
  return { broker, delivered }
}

const everyone: Target = { kind: 'broadcast', except: [] }

describe('the in-memory replay log', () => {
  it('keeps exactly the newest entries while it rolls over many times, and replays them in order', async () => {
    const { broker, delivered } = brokerWithLog(100)
    for (let i = 0; i < 1_050; i++) await broker.publish('tick', String(i), everyone)

    const kept = delivered.slice(-100)
    const fromInside = await broker.replay(kept[9]!.id)
    expect(fromInside.reset).toBe(false)
    if (!fromInside.reset) expect(fromInside.entries.map((e) => e.data)).toEqual(kept.slice(10).map((e) => e.data))

    const fromNewest = await broker.replay(kept[99]!.id)
    expect(fromNewest).toEqual({ reset: false, entries: [], scanned: 0 })
  })

  it('answers reset for a cursor that rolled out of the log, pointing at the newest entry', async () => {
    const { broker, delivered } = brokerWithLog(100)
    for (let i = 0; i < 1_050; i++) await broker.publish('tick', String(i), everyone)

    // Entry 949 was evicted: a client that saw only up to 948 has lost one.
    expect(await broker.replay(delivered[948]!.id)).toEqual({ reset: true, reason: 'gone', latest: delivered.at(-1)!.id, scanned: 0 })
    const seenUpTo949 = await broker.replay(delivered[949]!.id)
    expect(seenUpTo949.reset).toBe(false)
    if (!seenUpTo949.reset) expect(seenUpTo949.entries.map((e) => e.data)).toEqual(delivered.slice(950).map((e) => e.data))
  })

  it('costs about the same per publish with a full log as with an empty one', async () => {
    const ratio = async () => {
      const { broker } = brokerWithLog(10_000)
      const time = async (count: number) => {
        const start = process.hrtime.bigint()
        for (let i = 0; i < count; i++) await broker.publish('tick', 'x', everyone)
        return Number(process.hrtime.bigint() - start) / count
      }
      const filling = await time(10_000)
      return (await time(20_000)) / filling
    }
    // A busy machine only makes single rounds slower; a cost that grows with the log is slow in every round.
    const ratios = [await ratio(), await ratio(), await ratio()]
    // Evicting by moving every retained entry on each publish made this ~50× slower; allow noise.
    expect(Math.min(...ratios)).toBeLessThan(5)
  })

  it('keeps the log within logMaxBytes however big the events are', async () => {
    const { broker, delivered } = brokerWithLog(10_000, { logMaxBytes: 2 * 1024 * 1024 })
    const big = JSON.stringify('x'.repeat(200 * 1024))
    // 150 events of 200 KB: 30 MB offered, 2 MiB kept.
    for (let i = 0; i < 150; i++) await broker.publish('big', big, everyone)
    const kept = await broker.replay(delivered[139]!.id)
    expect(kept).toMatchObject({ reset: false })
    if (!kept.reset) expect(kept.entries).toHaveLength(10)
    expect(await broker.replay(delivered[100]!.id)).toMatchObject({ reset: true, reason: 'gone' })
    // A cursor at the last evicted entry is the oldest that still replays: what follows it is what is kept.
    let lastEvicted = 149
    while (lastEvicted > 0 && !(await broker.replay(delivered[lastEvicted - 1]!.id)).reset) lastEvicted--
    const keptCount = 149 - lastEvicted
    expect(keptCount * big.length).toBeLessThanOrEqual(2 * 1024 * 1024)
    expect(keptCount).toBeGreaterThanOrEqual(9)
  })

  it('gives up a replay over its byte budget with a reset to the newest entry, skipping what the client is not entitled to', async () => {
    const { broker, delivered } = brokerWithLog(10_000)
    const mine: Target = { kind: 'channels', channels: ['user:1'], except: [] }
    const theirs: Target = { kind: 'channels', channels: ['user:2'], except: [] }
    await broker.publish('start', 'null', everyone)
    for (let i = 0; i < 100; i++) await broker.publish('e', JSON.stringify('y'.repeat(1000)), i % 2 ? mine : theirs)
    const entitled = (entry: LogEntry) => entry.target.kind === 'broadcast' || (entry.target.kind === 'channels' && entry.target.channels.includes('user:1'))
    const within = await broker.replay(delivered[0]!.id, { entitled, maxBytes: 60_000 })
    expect(within).toMatchObject({ reset: false, scanned: 100 })
    if (!within.reset) expect(within.entries).toHaveLength(50)
    expect(await broker.replay(delivered[0]!.id, { entitled, maxBytes: 30_000 })).toMatchObject({ reset: true, reason: 'too-big', latest: delivered.at(-1)!.id })
  })

  it('keeps at most maxSessions closed sessions, dropping the least recently saved', async () => {
    const { broker } = brokerWithLog(100, { maxSessions: 100 })
    for (let i = 0; i < 300; i++) await broker.saveSession({ connectionId: `c${i}`, user: { id: i }, channels: [`user:${i}`] })
    // Saved again, c0 is the most recent now.
    await broker.saveSession({ connectionId: 'c0', user: { id: 0 }, channels: ['user:0'] })
    expect(await broker.loadSession('c0')).toMatchObject({ user: { id: 0 } })
    expect(await broker.loadSession('c299')).toMatchObject({ user: { id: 299 } })
    expect(await broker.loadSession('c200')).toBeUndefined()
    expect(await broker.loadSession('c201')).toMatchObject({ user: { id: 201 } })
  })
})
