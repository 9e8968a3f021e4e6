import { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { encodeEvent, encodeFrame, type Frame } from './frame'
import type { LogEntry, SSEUser } from './types'

/**
 * How a connection's bytes reach the client. `res.write` on an HTTP/1.1 response corks the socket,
 * writes the chunk header, the data and the CRLF as three buffered writes and schedules one
 * `process.nextTick` to uncork, for every connection and every event. Once the headers are out the
 * body is just bytes on the socket, so the runtime frames each event once and writes the same
 * Buffer to every socket itself: 'chunked' or 'raw' (a response Node did not chunk, e.g. an
 * HTTP/1.0 client's: the body runs to the end of the connection). 'response' (`res.write`) is the
 * fallback wherever the socket is not plainly ours: no socket yet, HEAD (no body), not Node's own
 * `ServerResponse` (HTTP/2 compat, unenv's mocks in Nitro's internal fetch) or not Node itself.
 */
type WriteMode = 'chunked' | 'raw' | 'response'

const isNode = !('bun' in process.versions) && !('deno' in process.versions)

function writeModeOf(res: ServerResponse): WriteMode {
  if (!isNode || !(res instanceof ServerResponse) || !res.socket || !res.headersSent || res.req?.method === 'HEAD') return 'response'
  return res.chunkedEncoding ? 'chunked' : 'raw'
}

/**
 * Sockets written in this tick stay corked until one shared `process.nextTick` uncorks them all:
 * the emitting code only queues bytes (the syscalls run right after it, as with `res.write`), and
 * several events to one connection in one tick leave in one `writev`.
 */
let corked: Connection[] = []

function uncorkAll(): void {
  const list = corked
  corked = []
  for (const connection of list) connection.uncork()
}

/** An event to replay: a log entry, or a `reset` (without an id when the log could not say where it stands). */
export interface ReplayItem {
  id: string | undefined
  event: string
  data: string
}

/**
 * One open stream. Node's socket write buffer is the send queue, and a client whose buffer passes
 * `maxQueueBytes` is dropped instead of growing memory. An idle connection holds only these fields
 * and its channel array: there can be tens of thousands.
 */
export class Connection {
  /**
   * The channels joined, each once. Replaced (never changed in place) on every change: it is an
   * exact-size array (a Set of two strings costs several times as much), and a saved session can
   * keep it as it is.
   */
  channels: readonly string[]
  /** While replaying, live events wait here so the stream stays in log order; allocated on the first one. */
  private held: { frame: Frame; id: string | undefined }[] | undefined
  /** Bytes held while replaying; -1 once the replay is written. */
  private heldBytes = 0
  /**
   * The last id the replay wrote, until a live event passes it. With Redis an entry can be read by the
   * replay before its pub/sub message arrives here: that late copy must not be written a second time.
   */
  private replayedUpTo: { id: string; isAfter: (id: string, cursor: string) => boolean } | undefined
  private mode: WriteMode = 'response'
  /** The socket this connection corked in the current tick, until `uncorkAll` runs. */
  private corkedSocket: Socket | undefined
  closed = false
  /** Ended by `closeUserStreams`: its session is deleted, not saved, so it cannot be resumed. */
  forget = false

  constructor(
    readonly id: string,
    readonly user: SSEUser,
    readonly userKey: string,
    readonly res: ServerResponse,
    /** Unsent bytes beyond which the client is dropped (the runtime's `maxQueueBytes`). */
    private readonly maxQueueBytes: number,
    channels: Iterable<string>,
  ) {
    this.channels = [...new Set(channels)]
  }

  /** Add channels; returns the ones that were not joined yet. Linear in both lists, however long. */
  join(channels: readonly string[]): string[] {
    const joined = new Set(this.channels)
    const added: string[] = []
    for (const channel of channels) {
      if (joined.has(channel)) continue
      joined.add(channel)
      added.push(channel)
    }
    if (added.length > 0) this.channels = this.channels.concat(added)
    return added
  }

  /** Remove channels; returns the ones that were joined. */
  leave(channels: readonly string[]): string[] {
    const leaving = new Set(channels)
    const removed = this.channels.filter((channel) => leaving.has(channel))
    if (removed.length > 0) this.channels = this.channels.filter((channel) => !leaving.has(channel))
    return removed
  }

  /** Call once the headers are flushed: from then on events can go straight to the socket. */
  start(): void {
    this.mode = writeModeOf(this.res)
  }

  /** Write an event (or a comment when `id` is undefined). Events the client already got are skipped. */
  send(frame: Frame, id?: string): void {
    if (this.closed) return
    if (this.heldBytes >= 0) {
      this.held ??= []
      this.held.push({ frame, id })
      this.heldBytes += frame.data.length
      if (this.heldBytes > this.maxQueueBytes) this.drop()
      return
    }
    if (this.replayedUpTo && id !== undefined) {
      if (!this.replayedUpTo.isAfter(id, this.replayedUpTo.id)) return
      // Live delivery is in log order: nothing older can follow this one.
      this.replayedUpTo = undefined
    }
    this.write(frame)
  }

  /**
   * Write replayed events, then the live events held meanwhile that were not part of the replay.
   * Each event is encoded as it is written, and whenever half of `maxQueueBytes` is waiting to be
   * sent the replay waits for the socket to drain: a replay is bounded by `maxReplayBytes`, not by
   * the send queue, so a client that missed more than the queue holds still gets all of it.
   */
  async finishReplay(replayed: readonly ReplayItem[], cursor: string | undefined, isAfter: (id: string, cursor: string) => boolean): Promise<void> {
    const max = this.maxQueueBytes
    let lastId = cursor
    for (const item of replayed) {
      if (this.closed) return
      const frame = encodeFrame(item.id === undefined ? `event: ${item.event}\ndata: ${item.data}\n\n` : encodeEvent(item as LogEntry))
      if (this.unsentBytes() + frame.data.length > max / 2) await this.drained()
      if (this.closed) return
      this.write(frame)
      if (item.id !== undefined) lastId = item.id
    }
    // The held events fit the queue (holding more drops the client), once it has drained.
    if (this.heldBytes > 0 && this.unsentBytes() + this.heldBytes > max) await this.drained()
    if (this.closed) return
    const held = this.held
    this.held = undefined
    this.heldBytes = -1
    const replayedAny = replayed.length > 0
    for (const item of held ?? []) {
      // Unlogged events and comments have no id and always go; logged ones only if not replayed.
      if (item.id === undefined || lastId === undefined || isAfter(item.id, lastId)) {
        this.write(item.frame)
        if (item.id !== undefined) lastId = item.id
      }
    }
    if (replayedAny && lastId !== undefined) this.replayedUpTo = { id: lastId, isAfter }
  }

  /** Bytes written but not yet sent, in whichever buffer this connection writes to. */
  private unsentBytes(): number {
    const socket = this.mode === 'response' ? null : this.res.socket
    return socket ? socket.writableLength : this.res.writableLength
  }

  /** Resolves once the queued bytes are sent (or the stream is gone). */
  private drained(): Promise<void> {
    const target = (this.mode === 'response' ? null : this.res.socket) ?? this.res
    this.uncork()
    if (!target.writableNeedDrain) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        target.off('drain', done)
        target.off('close', done)
        resolve()
      }
      target.on('drain', done)
      target.on('close', done)
    })
  }

  /** Write before replay starts (retry hint, `connected`), bypassing the hold. */
  writeNow(text: string): void {
    if (!this.closed) this.write(encodeFrame(text))
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.held = undefined
    // Queued bytes go out before the end of the body (Node writes `0\r\n\r\n` for a chunked one, or
    // closes a raw one): nothing was written through `res`, so its own state is just "headers sent".
    this.uncork()
    this.res.end()
  }

  /** Release this tick's cork (called by `uncorkAll`, and before closing). */
  uncork(): void {
    const socket = this.corkedSocket
    if (!socket) return
    this.corkedSocket = undefined
    socket.uncork()
  }

  private write(frame: Frame): void {
    if (this.closed) return
    const max = this.maxQueueBytes
    const socket = this.mode === 'response' ? null : this.res.socket
    if (!socket) {
      if (this.res.writableLength + frame.data.length > max) return this.drop()
      this.res.write(frame.data)
      return
    }
    // Ended or destroyed under us: its 'close' is on the way and cleans up; writing now would error.
    if (!socket.writable) return
    if (socket.writableLength + frame.data.length > max) return this.drop()
    if (!this.corkedSocket) {
      this.corkedSocket = socket
      socket.cork()
      if (corked.push(this) === 1) process.nextTick(uncorkAll)
    }
    socket.write(this.mode === 'chunked' ? frame.chunked : frame.data)
  }

  /** The client is not reading: cut it off. It reconnects and resumes from its cursor. */
  private drop(): void {
    if (this.closed) return
    this.closed = true
    this.held = undefined
    this.corkedSocket = undefined
    this.res.destroy()
  }
}
