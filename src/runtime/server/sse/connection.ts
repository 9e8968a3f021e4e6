import type { ServerResponse } from 'node:http'
import type { SSEUser } from './types'

/**
 * One open stream. Writes go straight to the Node response; Node's own write buffer is the send
 * queue, and a client whose buffer passes `maxQueueBytes` is dropped instead of growing memory.
 */
export class Connection {
  readonly channels = new Set<string>()
  /** While replaying, live events wait here so the stream stays in log order. */
  private held: { chunk: Buffer | string; id: string | undefined }[] | undefined = []
  private heldBytes = 0
  private lastId: string | undefined
  closed = false

  constructor(
    readonly id: string,
    readonly user: SSEUser,
    readonly userKey: string,
    private readonly res: ServerResponse,
    private readonly maxQueueBytes: number,
  ) {}

  /** Write an event (or a comment when `id` is undefined). Events the client already got are skipped. */
  send(chunk: Buffer | string, id?: string): void {
    if (this.closed) return
    if (this.held) {
      this.held.push({ chunk, id })
      this.heldBytes += chunk.length
      if (this.heldBytes > this.maxQueueBytes) this.drop()
      return
    }
    this.write(chunk, id)
  }

  /** Write replayed events, then the live events held meanwhile that were not part of the replay. */
  finishReplay(
    replayed: { chunk: Buffer | string; id: string }[],
    cursor: string | undefined,
    isAfter: (id: string, cursor: string) => boolean,
  ): void {
    const held = this.held ?? []
    this.held = undefined
    this.heldBytes = 0
    this.lastId = cursor
    for (const item of replayed) this.write(item.chunk, item.id)
    for (const item of held) {
      // Unlogged events and comments have no id and always go; logged ones only if not replayed.
      if (item.id === undefined || this.lastId === undefined || isAfter(item.id, this.lastId)) this.write(item.chunk, item.id)
    }
  }

  /** Write before replay starts (retry hint, `connected`), bypassing the hold. */
  writeNow(chunk: string): void {
    if (!this.closed) this.write(chunk, undefined)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.held = undefined
    this.res.end()
  }

  private write(chunk: Buffer | string, id: string | undefined): void {
    if (this.closed) return
    if (this.res.writableLength + chunk.length > this.maxQueueBytes) {
      this.drop()
      return
    }
    if (id !== undefined) this.lastId = id
    this.res.write(chunk)
  }

  /** The client is not reading: cut it off. It reconnects and resumes from its cursor. */
  private drop(): void {
    if (this.closed) return
    this.closed = true
    this.held = undefined
    this.res.destroy()
  }
}
