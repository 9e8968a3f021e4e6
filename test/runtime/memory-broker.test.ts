import { describe, expect, it } from 'vitest'
import { MemoryBroker } from '../../src/runtime/server/sse/memory-broker'
import { defaultSSEConfig } from '../../src/runtime/server/sse/config'
import type { LogEntry, Target } from '../../src/runtime/server/sse/types'

function brokerWithLog(logMaxEvents: number) {
  const delivered: LogEntry[] = []
  const broker = new MemoryBroker(
    { ...defaultSSEConfig, logMaxEvents },
    { deliver: (entry) => delivered.push(entry), deliverUnlogged: () => {}, control: () => {} },
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
    expect(fromNewest).toEqual({ reset: false, entries: [] })
  })

  it('answers reset for a cursor that rolled out of the log, pointing at the newest entry', async () => {
    const { broker, delivered } = brokerWithLog(100)
    for (let i = 0; i < 1_050; i++) await broker.publish('tick', String(i), everyone)

    // Entry 949 was evicted: a client that saw only up to 948 has lost one.
    expect(await broker.replay(delivered[948]!.id)).toEqual({ reset: true, latest: delivered.at(-1)!.id })
    const seenUpTo949 = await broker.replay(delivered[949]!.id)
    expect(seenUpTo949.reset).toBe(false)
    if (!seenUpTo949.reset) expect(seenUpTo949.entries.map((e) => e.data)).toEqual(delivered.slice(950).map((e) => e.data))
  })

  it('costs about the same per publish with a full log as with an empty one', async () => {
    const { broker } = brokerWithLog(10_000)
    const time = async (count: number) => {
      const start = process.hrtime.bigint()
      for (let i = 0; i < count; i++) await broker.publish('tick', 'x', everyone)
      return Number(process.hrtime.bigint() - start) / count
    }
    const filling = await time(10_000)
    const full = await time(20_000)
    // Evicting by moving every retained entry on each publish made this ~50× slower; allow noise.
    expect(full).toBeLessThan(filling * 5)
  })
})
