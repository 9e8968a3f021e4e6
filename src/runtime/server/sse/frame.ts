import type { LogEntry, Target } from './types'

/**
 * Event names go on an `event:` line unescaped, so they are restricted to a safe alphabet; data is
 * JSON, whose string escaping leaves no raw CR or LF, so neither can start a forged field or event.
 */
const EVENT_NAME = /^[A-Za-z0-9_.:\-/]{1,128}$/

/**
 * The event names the runtime itself sends and the client acts on: `connected` (connection id,
 * `onOpen`), `reset` (`onReset`) and `sse:cursor` (moves the replay cursor). An app event of one of
 * these names would drive the client's state, so emitting one is refused.
 */
export const RESERVED_EVENTS: readonly string[] = Object.freeze(['connected', 'reset', 'sse:cursor'])

/** Throws for a reserved name: a bug in the emitting code, thrown to it rather than logged and dropped. */
export function assertNotReserved(event: string): void {
  if (RESERVED_EVENTS.includes(event)) {
    throw new TypeError(`[sse] cannot emit ${JSON.stringify(event)}: the event names ${RESERVED_EVENTS.map((name) => JSON.stringify(name)).join(', ')} are reserved by the SSE runtime`)
  }
}

export function assertEventName(event: string): void {
  if (typeof event !== 'string' || !EVENT_NAME.test(event)) {
    throw new TypeError(`[sse] invalid event name ${JSON.stringify(event)}: use 1-128 of A-Z a-z 0-9 _ . : - /`)
  }
}

export function serialiseData(data: unknown): string {
  const text = JSON.stringify(data === undefined ? null : data)
  // JSON.stringify returns undefined for functions and symbols; they have no wire form.
  return text === undefined ? 'null' : text
}

export function encodeEvent(entry: Pick<LogEntry, 'id' | 'event' | 'data'>): string {
  return `id: ${entry.id}\nevent: ${entry.event}\ndata: ${entry.data}\n\n`
}

/** An event no listener handles that only moves the client's cursor (EventSource keeps the last id it saw). */
export function encodeCursor(id: string): string {
  return `id: ${id}\nevent: sse:cursor\ndata: null\n\n`
}

export function encodeRetry(ms: number): string {
  return `retry: ${Math.round(ms)}\n\n`
}

export const HEARTBEAT = ':\n\n'

/**
 * One event's bytes, encoded once per emit and shared by every connection: `data` is the SSE text,
 * `chunked` the same bytes as one HTTP/1.1 chunk (`<hex size>\r\n<data>\r\n`). `data` is a view
 * into `chunked`, so both cost one allocation.
 */
export interface Frame {
  readonly data: Buffer
  readonly chunked: Buffer
}

/** `text` must not be empty: an empty chunk would end a chunked body (every SSE frame has content). */
export function encodeFrame(text: string): Frame {
  const size = Buffer.byteLength(text)
  const head = `${size.toString(16)}\r\n`
  const chunked = Buffer.allocUnsafe(head.length + size + 2)
  chunked.write(head, 0, 'latin1')
  chunked.write(text, head.length, 'utf8')
  chunked.write('\r\n', head.length + size, 'latin1')
  return { data: chunked.subarray(head.length, head.length + size), chunked }
}

export function isEntitled(target: Target, connectionId: string, channels: readonly string[]): boolean {
  switch (target.kind) {
    case 'connection':
      return target.connectionId === connectionId
    case 'broadcast':
      return !target.except.includes(connectionId)
    case 'channels':
      return !target.except.includes(connectionId) && target.channels.some((c) => channels.includes(c))
  }
}
