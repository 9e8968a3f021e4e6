/**
 * Event ids have the shape of Redis stream ids, `<ms>-<seq>`, with both brokers, so a cursor means
 * the same thing whichever broker issued it and a cursor from before a restart is recognisably old.
 */
export interface EventId {
  ms: number
  seq: number
}

const ID = /^(\d{1,15})-(\d{1,15})$/

/** The largest `seq` an id can carry and still parse: `<ms>-MAX_SEQ` is after every id of that ms. */
export const MAX_SEQ = 10 ** 15 - 1

export function parseEventId(value: string): EventId | undefined {
  const match = ID.exec(value)
  if (!match) return undefined
  return { ms: Number(match[1]), seq: Number(match[2]) }
}

export function formatEventId(id: EventId): string {
  return `${id.ms}-${id.seq}`
}

export function compareEventIds(a: EventId, b: EventId): number {
  return a.ms - b.ms || a.seq - b.seq
}

/** Monotonic ids for the in-memory log: never repeat, never go back even if the clock does. */
export function createIdGenerator(now: () => number = Date.now): () => EventId {
  let last: EventId = { ms: now(), seq: 0 }
  return () => {
    const ms = now()
    last = ms > last.ms ? { ms, seq: 0 } : { ms: last.ms, seq: last.seq + 1 }
    return last
  }
}
