import { getCurrentScope, onScopeDispose, readonly, ref, type Ref } from 'vue'

export interface ChatSSEOptions {
  /** The app's auth token, sent as `Authorization: Bearer` to get a stream ticket and with `send()`. Cookies are always sent. */
  token?: () => string | null | undefined
  /** Where the chat API lives. Default `/api/chat` (stream at `${baseURL}/events`). */
  baseURL?: string
  /** Reconnect backoff in ms: doubles from `min` up to `max`, with jitter. Default 1,000 → 30,000. */
  reconnectDelay?: { min?: number; max?: number }
}

type Handler = (data: any) => void

export interface ChatSSE {
  connected: Readonly<Ref<boolean>>
  connectionId: Readonly<Ref<string | null>>
  connect(): void
  disconnect(): void
  on<T = any>(event: string, handler: (data: T) => void): () => void
  once<T = any>(event: string, handler: (data: T) => void): () => void
  off(event: string, handler?: (data: any) => void): void
  onOpen(handler: () => void): () => void
  onClose(handler: (reason: string) => void): () => void
  onError(handler: (error: Error) => void): () => void
  onReset(handler: () => void): () => void
  send<T = unknown>(url: string, body?: unknown): Promise<T>
}

/** An HTTP error from the ticket request or `send()`. */
export class ChatSSEHttpError extends Error {
  constructor(
    readonly status: number,
    readonly data: unknown,
  ) {
    super(`HTTP ${status}`)
  }
}

/**
 * The tab's one stream. EventSource's own reconnect would reuse an expired ticket and lose the
 * connection's session, so every reconnect is done here: fresh ticket, same connection id
 * (`resume`), last event id as the cursor, exponential backoff with jitter.
 */
class SharedStream {
  readonly connected = ref(false)
  readonly connectionId = ref<string | null>(null)
  private readonly handlers = new Map<string, Set<Handler>>()
  readonly openHandlers = new Set<() => void>()
  readonly closeHandlers = new Set<(reason: string) => void>()
  readonly errorHandlers = new Set<(error: Error) => void>()
  readonly resetHandlers = new Set<() => void>()
  private source: EventSource | undefined
  private attached = new Set<string>()
  private lastEventId: string | undefined
  private attempt = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  /** Bumped on every (dis)connect, so a ticket fetch that finishes late does not open a stale stream. */
  private generation = 0
  private wanted = false
  users = 0

  constructor(public options: ChatSSEOptions) {}

  get baseURL(): string {
    return (this.options.baseURL ?? '/api/chat').replace(/\/$/, '')
  }

  connect(): void {
    if (this.wanted) return
    this.wanted = true
    void this.open()
  }

  disconnect(reason = 'disconnect'): void {
    this.wanted = false
    this.generation++
    clearTimeout(this.timer)
    this.timer = undefined
    this.closeSource(reason)
    this.attempt = 0
  }

  on(event: string, handler: Handler): () => void {
    let set = this.handlers.get(event)
    if (!set) this.handlers.set(event, (set = new Set()))
    set.add(handler)
    this.attach(event)
    return () => this.off(event, handler)
  }

  off(event: string, handler?: Handler): void {
    if (handler) this.handlers.get(event)?.delete(handler)
    else this.handlers.delete(event)
  }

  authHeaders(): Record<string, string> {
    const token = this.options.token?.()
    return token ? { Authorization: `Bearer ${token}` } : {}
  }

  private async open(): Promise<void> {
    const generation = ++this.generation
    let ticket: string
    try {
      const res = await fetch(`${this.baseURL}/events/ticket`, { method: 'POST', headers: this.authHeaders(), credentials: 'include' })
      if (!res.ok) throw new ChatSSEHttpError(res.status, await res.json().catch(() => null))
      ticket = ((await res.json()) as { ticket: string }).ticket
    } catch (error) {
      if (generation !== this.generation) return
      this.fail(error)
      return
    }
    if (generation !== this.generation) return
    const query = new URLSearchParams({ ticket })
    if (this.connectionId.value) query.set('resume', this.connectionId.value)
    if (this.lastEventId) query.set('lastEventId', this.lastEventId)
    const source = new EventSource(`${this.baseURL}/events?${query}`, { withCredentials: true })
    this.source = source
    this.attached = new Set()
    source.addEventListener('connected', (e) => {
      const info = JSON.parse((e as MessageEvent<string>).data) as { connectionId: string }
      this.attempt = 0
      this.connectionId.value = info.connectionId
      this.connected.value = true
      for (const handler of [...this.openHandlers]) handler()
    })
    source.addEventListener('sse:cursor', (e) => this.track(e as MessageEvent))
    source.addEventListener('reset', (e) => {
      this.track(e as MessageEvent)
      for (const handler of [...this.resetHandlers]) handler()
    })
    source.onerror = () => {
      // Network loss, a server restart or a 401: take over from EventSource and reconnect properly.
      if (this.source !== source) return
      this.closeSource('error')
      this.fail(new Error('The event stream was interrupted'))
    }
    for (const event of this.handlers.keys()) this.attach(event)
  }

  private attach(event: string): void {
    const source = this.source
    if (!source || this.attached.has(event)) return
    this.attached.add(event)
    source.addEventListener(event, (e) => {
      const message = e as MessageEvent<string>
      this.track(message)
      let data: unknown
      try {
        data = JSON.parse(message.data)
      } catch {
        data = message.data
      }
      for (const handler of [...(this.handlers.get(event) ?? [])]) {
        try {
          handler(data)
        } catch (error) {
          console.error(`[useChatSSE] handler for ${event} failed`, error)
        }
      }
    })
  }

  private track(message: MessageEvent): void {
    if (message.lastEventId) this.lastEventId = message.lastEventId
  }

  private closeSource(reason: string): void {
    const source = this.source
    this.source = undefined
    source?.close()
    if (this.connected.value) {
      this.connected.value = false
      for (const handler of [...this.closeHandlers]) handler(reason)
    }
  }

  private fail(error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error))
    for (const handler of [...this.errorHandlers]) handler(err)
    if (!this.wanted) return
    const min = this.options.reconnectDelay?.min ?? 1000
    const max = this.options.reconnectDelay?.max ?? 30_000
    const delay = Math.min(max, min * 2 ** this.attempt++)
    // Full jitter on half the delay: tabs that lost the same server do not come back in lockstep.
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = undefined
      if (this.wanted) void this.open()
    }, delay / 2 + Math.random() * (delay / 2))
  }
}

let shared: SharedStream | undefined

function inert(): ChatSSE {
  const noop = () => () => {}
  return {
    connected: readonly(ref(false)),
    connectionId: readonly(ref<string | null>(null)),
    connect() {},
    disconnect() {},
    on: noop,
    once: noop,
    off() {},
    onOpen: noop,
    onClose: noop,
    onError: noop,
    onReset: noop,
    send: () => Promise.reject(new Error('useChatSSE().send() is not available during server-side rendering')),
  }
}

/**
 * The chat's server-sent events. Every caller shares one stream per tab; handlers registered inside
 * a component are removed when it unmounts, and the stream closes when the last such component goes.
 * A no-op during SSR.
 */
export function useChatSSE(options: ChatSSEOptions = {}): ChatSSE {
  if (typeof window === 'undefined') return inert()
  const stream = (shared ??= new SharedStream(options))
  if (options.token) stream.options = { ...stream.options, token: options.token }

  const disposers = new Set<() => void>()
  const track = (dispose: () => void) => {
    const wrapped = () => {
      disposers.delete(wrapped)
      dispose()
    }
    disposers.add(wrapped)
    return wrapped
  }
  const inSet = <T>(set: Set<T>, handler: T) => {
    set.add(handler)
    return track(() => set.delete(handler))
  }

  if (getCurrentScope()) {
    stream.users++
    onScopeDispose(() => {
      for (const dispose of [...disposers]) dispose()
      if (--stream.users === 0) stream.disconnect('unmount')
    })
  }

  return {
    connected: readonly(stream.connected),
    connectionId: readonly(stream.connectionId),
    connect: () => stream.connect(),
    disconnect: () => stream.disconnect(),
    on: (event, handler) => track(stream.on(event, handler)),
    once(event, handler) {
      const dispose = track(
        stream.on(event, (data) => {
          dispose()
          handler(data)
        }),
      )
      return dispose
    },
    off: (event, handler) => stream.off(event, handler),
    onOpen: (handler) => inSet(stream.openHandlers, handler),
    onClose: (handler) => inSet(stream.closeHandlers, handler),
    onError: (handler) => inSet(stream.errorHandlers, handler),
    onReset: (handler) => inSet(stream.resetHandlers, handler),
    async send<T>(url: string, body?: unknown): Promise<T> {
      const headers: Record<string, string> = { 'Content-Type': 'application/json', ...stream.authHeaders() }
      if (stream.connectionId.value) headers['x-sse-connection-id'] = stream.connectionId.value
      const res = await fetch(url, { method: 'POST', headers, credentials: 'include', body: JSON.stringify(body ?? {}) })
      const text = await res.text()
      const data: unknown = text ? JSON.parse(text) : undefined
      if (!res.ok) throw new ChatSSEHttpError(res.status, data)
      return data as T
    },
  }
}
