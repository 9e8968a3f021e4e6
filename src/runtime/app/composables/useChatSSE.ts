import { computed, getCurrentScope, onScopeDispose, readonly, ref, type Ref } from 'vue'

export interface ChatSSEOptions {
  /** The app's auth token, sent as `Authorization: Bearer` to get a stream ticket and with `send()`. Cookies are always sent. */
  token?: () => string | null | undefined
  /** Where the chat API lives. Default `/api/chat` (stream at `${baseURL}/events`). */
  baseURL?: string
  /** Reconnect backoff in ms: doubles from `min` up to `max`, with jitter. Default 1,000 → 30,000. */
  reconnectDelay?: { min?: number; max?: number }
  /**
   * How many reconnects to try after the stream fails before giving up, as Socket.IO's
   * `reconnectionAttempts`; `connect()` starts again. Default: no limit.
   */
  reconnectAttempts?: number
  /**
   * Not bound to the scope that calls `useChatSSE()`: the handle keeps its claim and listeners until
   * `disconnect()`, as an app-wide socket did (a module singleton, a store, a plugin, a provided value)
   * even when the component that first asked for it unmounts. Listeners registered through it inside
   * a component are still removed with that component.
   */
  detached?: boolean
  /**
   * Events that stay on Socket.IO while the rest of the chat moved to SSE, with the socket that
   * carries them: `emit` and `emitWithAck` of these events go to the socket, and their listeners
   * hear the socket as well as the stream. `connect()` and `disconnect()` also drive the socket, so
   * server code that runs on the socket's own life keeps running (with `events` empty too).
   */
  socketIO?: { socket: KeptSocket; events: readonly string[] }
}

/** The part of a socket.io-client `Socket` the handle drives for the events that stay on Socket.IO. */
export interface KeptSocket {
  connect(): unknown
  disconnect(): unknown
  on(event: string, listener: (...args: any[]) => void): unknown
  off(event: string, listener?: (...args: any[]) => void): unknown
  emit(event: string, ...args: any[]): unknown
  emitWithAck?(event: string, ...args: any[]): Promise<any>
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
  /**
   * `send()` for a result nobody waits for: never rejects; the response goes to `onResult` (where a
   * Socket.IO ack used to be called), a failure to `on('error')` listeners, else `console.error`.
   */
  post<T = unknown>(url: string, body?: unknown, onResult?: (data: T) => void): void
  /** Removes every listener of this handle, or those of one event (`connect`, `disconnect`, `connect_error`: the lifecycle ones). */
  removeAllListeners(event?: string): void
  /** Sends an event that stays on Socket.IO (`socketIO.events`) over its socket; throws for any other event. */
  emit(event: string, ...args: any[]): void
  emitWithAck<T = any>(event: string, ...args: any[]): Promise<T>
}

/**
 * What `on('error', h)` listeners get when a `post()` fails: the shape of the old
 * `socket.emit('error', { message, ... })` reply. The fields of the server's error `data` object are
 * spread in too, so a migrated `createError({ message, data: { roomId } })` reads as `{ message, roomId }` did.
 */
export interface ChatSSEPostError {
  message: string
  /** The HTTP status; 0 when the request never got an answer (network failure). */
  statusCode: number
  /** The `data` of the server's error, if any. */
  data: unknown
  [key: string]: unknown
}

/**
 * An HTTP error from the ticket request or `send()`. Its message is the server's (`createError({ message })`),
 * so code that showed a failed ack's error shows the route's error the same way.
 */
export class ChatSSEHttpError extends Error {
  constructor(
    readonly status: number,
    readonly data: unknown,
  ) {
    super(serverMessage(data) ?? `HTTP ${status}`)
  }

  /** The status under the name `$fetch` errors and h3 errors give it, for code that reads `error.statusCode`. */
  get statusCode(): number {
    return this.status
  }
}

/**
 * 401 and 403: the server refuses the app's credentials. Retrying cannot change that, so the stream
 * stops, as a Socket.IO socket did not reconnect after its auth middleware refused it.
 */
function isRefusal(error: Error): boolean {
  return error instanceof ChatSSEHttpError && (error.status === 401 || error.status === 403)
}

/** Nitro's error handler answers `{ statusCode, statusMessage, message, data }`. */
function serverMessage(data: unknown): string | undefined {
  if (!isRecord(data)) return undefined
  if (typeof data.message === 'string' && data.message) return data.message
  if (typeof data.statusMessage === 'string' && data.statusMessage) return data.statusMessage
  return undefined
}

/** A failed request as `on('error')` listeners see it. */
function postError(error: unknown): ChatSSEPostError {
  if (!(error instanceof ChatSSEHttpError)) {
    return { message: error instanceof Error ? error.message : String(error), statusCode: 0, data: undefined }
  }
  const data = isRecord(error.data) ? error.data.data : undefined
  return { ...(isRecord(data) ? data : {}), message: error.message, statusCode: error.status, data }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Calls an app handler; one component's failing handler must not stop the others or the stream. */
function safely(what: string, call: () => void): void {
  try {
    call()
  } catch (error) {
    console.error(`[useChatSSE] ${what} handler failed`, error)
  }
}

/**
 * The tab's one stream. EventSource's own reconnect would reuse an expired ticket and lose the
 * connection's session, so every reconnect is done here: fresh ticket, same connection id
 * (`resume`), last event id as the cursor, exponential backoff with jitter. It is open while at
 * least one handle has called `connect()` and not `disconnect()`; only those handles hear it.
 */
class SharedStream {
  readonly connected = ref(false)
  readonly connectionId = ref<string | null>(null)
  /** How many times the stream has opened: lets each open handler run once per open. */
  opens = 0
  /** The handles that want the stream (ref count = size). */
  private readonly claims = new Set<StreamHandle>()
  private source: EventSource | undefined
  private attached = new Set<string>()
  private lastEventId: string | undefined
  private attempt = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  /** Gave up (a refusal, or `reconnectAttempts` used up): nothing opens until a handle calls `connect()`. */
  private stopped = false
  /** Bumped on every (dis)connect, so a ticket fetch that finishes late does not open a stale stream. */
  private generation = 0

  constructor(public options: ChatSSEOptions) {}

  get baseURL(): string {
    return (this.options.baseURL ?? '/api/chat').replace(/\/$/, '')
  }

  claim(handle: StreamHandle): void {
    if (this.claims.has(handle)) return this.resume()
    this.claims.add(handle)
    for (const event of handle.events()) this.attach(event)
    if (this.claims.size === 1) void this.open()
    else this.resume()
  }

  /** `connect()` after the stream gave up: start again with a fresh count of attempts. */
  private resume(): void {
    if (!this.stopped) return
    this.stopped = false
    this.attempt = 0
    void this.open()
  }

  release(handle: StreamHandle): void {
    if (!this.claims.delete(handle) || this.claims.size > 0) return
    this.generation++
    clearTimeout(this.timer)
    this.timer = undefined
    this.closeSource('disconnect')
    this.attempt = 0
    this.stopped = false
  }

  authHeaders(): Record<string, string> {
    const token = this.options.token?.()
    return token ? { Authorization: `Bearer ${token}` } : {}
  }

  private async open(): Promise<void> {
    const generation = ++this.generation
    let ticket: string
    try {
      ;({ ticket } = await postJSON<{ ticket: string }>(`${this.baseURL}/events/ticket`, this.authHeaders(), undefined))
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
    // The server sends one `connected` per stream; any later one (an app event that got the name
    // past the server's check, a proxy replaying bytes) must not replace the id or rerun `onOpen`.
    let opened = false
    source.addEventListener('connected', (e) => {
      if (opened || this.source !== source) return
      opened = true
      // A new stream's `connected` carries the log position it starts at: the cursor before any event.
      this.track(e as MessageEvent)
      const info = JSON.parse((e as MessageEvent<string>).data) as { connectionId: string }
      this.attempt = 0
      this.connectionId.value = info.connectionId
      this.connected.value = true
      this.opens++
      for (const handle of [...this.claims]) handle.deliverOpen()
    })
    source.addEventListener('sse:cursor', (e) => this.track(e as MessageEvent))
    source.addEventListener('reset', (e) => {
      this.track(e as MessageEvent)
      for (const handle of [...this.claims]) handle.deliverReset()
    })
    source.onerror = () => {
      // Network loss, a server restart or a 401: take over from EventSource and reconnect properly.
      if (this.source !== source) return
      this.closeSource('error')
      this.fail(new Error('The event stream was interrupted'))
    }
    for (const handle of this.claims) for (const event of handle.events()) this.attach(event)
  }

  /** One EventSource listener per event name, however many handles listen to it. */
  attach(event: string): void {
    const source = this.source
    if (!source || this.attached.has(event)) return
    this.attached.add(event)
    source.addEventListener(event, (e) => {
      const message = e as MessageEvent<string>
      // EventSource fires its own `error` (and `open`) events without data; only the server's frames are app events.
      if (typeof message.data !== 'string') return
      this.track(message)
      let data: unknown
      try {
        data = JSON.parse(message.data)
      } catch {
        data = message.data
      }
      for (const handle of [...this.claims]) handle.deliver(event, data)
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
      for (const handle of [...this.claims]) handle.deliverClose(reason)
    }
  }

  private fail(error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error))
    // Decided before the listeners run, so one that calls `connect()` from its error handler starts again.
    const stop = isRefusal(err) || this.attempt >= (this.options.reconnectAttempts ?? Infinity)
    this.stopped = stop
    for (const handle of [...this.claims]) handle.deliverError(err)
    if (stop || this.claims.size === 0) return
    const min = this.options.reconnectDelay?.min ?? 1000
    const max = this.options.reconnectDelay?.max ?? 30_000
    const delay = Math.min(max, min * 2 ** this.attempt++)
    // Full jitter on half the delay: tabs that lost the same server do not come back in lockstep.
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = undefined
      if (this.claims.size > 0) void this.open()
    }, delay / 2 + Math.random() * (delay / 2))
  }
}

/**
 * What one `useChatSSE()` call returns, as one `io()` socket was: its own connect/disconnect and
 * listeners over the tab's shared stream. A handle hears the stream only while it is connected
 * (between its `connect()` and `disconnect()`); its listeners stay registered across a
 * disconnect, as a Socket.IO socket's do, and hear again after the next `connect()`.
 */
class StreamHandle {
  readonly open = ref(false)
  private claimed = false
  private readonly handlers = new Map<string, Set<Handler>>()
  /** Each open handler with the stream open it last ran for (0: none since this handle connected). */
  private readonly openHandlers = new Map<() => void, number>()
  private readonly closeHandlers = new Set<(reason: string) => void>()
  private readonly errorHandlers = new Set<(error: Error) => void>()
  private readonly resetHandlers = new Set<() => void>()

  constructor(readonly stream: SharedStream) {}

  events(): Iterable<string> {
    return this.handlers.keys()
  }

  connect(): void {
    // Already connected: only a stream that gave up starts again.
    if (this.claimed) return this.stream.claim(this)
    this.claimed = true
    this.stream.claim(this)
    // Joining a stream that is already open: this handle's open handlers still run, as a new socket's `connect` did.
    this.openSoon()
  }

  disconnect(): void {
    if (!this.claimed) return
    this.claimed = false
    for (const handler of this.openHandlers.keys()) this.openHandlers.set(handler, 0)
    this.deliverClose('disconnect')
    this.stream.release(this)
  }

  /** The creating scope is gone: nothing of this handle may run any more. */
  dispose(): void {
    this.handlers.clear()
    this.openHandlers.clear()
    this.closeHandlers.clear()
    this.errorHandlers.clear()
    this.resetHandlers.clear()
    this.disconnect()
  }

  on(event: string, handler: Handler): () => void {
    let set = this.handlers.get(event)
    if (!set) this.handlers.set(event, (set = new Set()))
    set.add(handler)
    if (this.claimed) this.stream.attach(event)
    return () => this.off(event, handler)
  }

  off(event: string, handler?: Handler): void {
    if (handler) this.handlers.get(event)?.delete(handler)
    else this.handlers.delete(event)
  }

  onOpen(handler: () => void): () => void {
    this.openHandlers.set(handler, 0)
    this.openSoon()
    return () => this.openHandlers.delete(handler)
  }

  onClose(handler: (reason: string) => void): () => void {
    this.closeHandlers.add(handler)
    return () => this.closeHandlers.delete(handler)
  }

  onError(handler: (error: Error) => void): () => void {
    this.errorHandlers.add(handler)
    return () => this.errorHandlers.delete(handler)
  }

  onReset(handler: () => void): () => void {
    this.resetHandlers.add(handler)
    return () => this.resetHandlers.delete(handler)
  }

  /**
   * Socket.IO's `removeAllListeners([event])`: every listener of this handle, or those of one event,
   * where `connect`, `disconnect` and `connect_error` name the open, close and error listeners.
   */
  removeAllListeners(event?: string): void {
    if (event === undefined || event === 'connect') this.openHandlers.clear()
    if (event === undefined || event === 'disconnect') this.closeHandlers.clear()
    if (event === undefined || event === 'connect_error') this.errorHandlers.clear()
    if (event === undefined) {
      this.resetHandlers.clear()
      this.handlers.clear()
    } else this.handlers.delete(event)
  }

  /**
   * On a microtask, so handlers registered right after `connect()` (as they were after `io()`) are
   * included; each runs at most once per open of the stream.
   */
  private openSoon(): void {
    if (this.claimed && this.stream.connected.value) queueMicrotask(() => this.deliverOpen())
  }

  deliverOpen(): void {
    if (!this.claimed || !this.stream.connected.value) return
    this.open.value = true
    const open = this.stream.opens
    for (const [handler, seen] of [...this.openHandlers]) {
      if (seen === open || !this.openHandlers.has(handler)) continue
      this.openHandlers.set(handler, open)
      safely('open', handler)
    }
  }

  deliverClose(reason: string): void {
    if (!this.open.value) return
    this.open.value = false
    for (const handler of [...this.closeHandlers]) safely('close', () => handler(reason))
  }

  deliverError(error: Error): void {
    for (const handler of [...this.errorHandlers]) safely('error', () => handler(error))
  }

  deliverReset(): void {
    for (const handler of [...this.resetHandlers]) safely('reset', handler)
  }

  /** A `post()` failed: this handle's `error` listeners get it whether or not it is connected (the request was its own). */
  reportPostFailure(url: string, error: unknown): void {
    const failure = postError(error)
    const listeners = this.handlers.get('error')
    if (listeners && listeners.size > 0) this.deliver('error', failure)
    else console.error(`[useChatSSE] POST ${url} failed: ${failure.message}`, failure)
  }

  deliver(event: string, data: unknown): void {
    for (const handler of [...(this.handlers.get(event) ?? [])]) safely(event, () => handler(data))
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
    post() {},
    removeAllListeners() {},
    emit() {},
    emitWithAck: () => Promise.reject(new Error('useChatSSE().emitWithAck() is not available during server-side rendering')),
  }
}

/** A listener lives until its disposer runs, its handle is disposed, or the scope that registered it (if any) is. */
function scoped(dispose: () => void): () => void {
  if (getCurrentScope()) onScopeDispose(dispose)
  return dispose
}

/**
 * The chat's server-sent events, with Socket.IO's per-socket semantics over one shared stream per
 * tab. Each call is its own handle: `connect()` claims the stream and `disconnect()` releases only
 * this handle's claim (the stream closes when no handle claims it); a disconnected handle hears
 * nothing. `onOpen` handlers run on every open of the stream while the handle is connected, and
 * once (on a microtask) when registered on, or connecting to, a stream that is already open.
 * Listeners registered inside a component (effect scope) are removed when that scope is disposed;
 * the handle itself is disconnected and cleared when the scope that created it is disposed, unless
 * it is `detached`. A handle created outside any scope, or detached, lives until `disconnect()`.
 * A no-op during SSR.
 */
export function useChatSSE(options: ChatSSEOptions = {}): ChatSSE {
  if (typeof window === 'undefined') return inert()
  const stream = (shared ??= new SharedStream(options))
  if (options.token) stream.options = { ...stream.options, token: options.token }
  if (options.reconnectAttempts !== undefined) stream.options = { ...stream.options, reconnectAttempts: options.reconnectAttempts }
  const handle = new StreamHandle(stream)
  if (getCurrentScope() && !options.detached) onScopeDispose(() => handle.dispose())
  const kept = options.socketIO
  const socket = kept?.socket
  const isKept = (event: string): boolean => socket !== undefined && kept!.events.includes(event)
  /** Listens on the stream, and on the socket too for an event that stays on Socket.IO. */
  const listen = (event: string, handler: Handler): (() => void) => {
    const dispose = handle.on(event, handler)
    if (!isKept(event)) return dispose
    socket!.on(event, handler)
    return () => {
      dispose()
      socket!.off(event, handler)
    }
  }
  const socketFor = (event: string): KeptSocket => {
    if (!isKept(event)) throw new Error(`useChatSSE(): \`${event}\` moved off Socket.IO; post it to its route with send() or post()`)
    return socket!
  }

  return {
    connected: readonly(handle.open),
    connectionId: computed(() => (handle.open.value ? stream.connectionId.value : null)),
    connect() {
      handle.connect()
      socket?.connect()
    },
    disconnect() {
      handle.disconnect()
      socket?.disconnect()
    },
    on: (event, handler) => scoped(listen(event, handler)),
    once(event, handler) {
      const dispose = scoped(
        listen(event, (data) => {
          dispose()
          handler(data)
        }),
      )
      return dispose
    },
    off(event, handler) {
      handle.off(event, handler)
      if (isKept(event)) socket!.off(event, handler)
    },
    removeAllListeners(event) {
      handle.removeAllListeners(event)
      for (const name of event === undefined ? kept?.events ?? [] : [event]) if (isKept(name)) socket!.off(name)
    },
    onOpen: (handler) => scoped(handle.onOpen(handler)),
    onClose: (handler) => scoped(handle.onClose(handler)),
    onError: (handler) => scoped(handle.onError(handler)),
    onReset: (handler) => scoped(handle.onReset(handler)),
    send: <T>(url: string, body?: unknown) => request<T>(stream, url, body),
    post<T>(url: string, body?: unknown, onResult?: (data: T) => void) {
      request<T>(stream, url, body).then(
        (data) => onResult && safely(`POST ${url} result`, () => onResult(data)),
        (error: unknown) => handle.reportPostFailure(url, error),
      )
    },
    emit(event, ...args) {
      socketFor(event).emit(event, ...args)
    },
    emitWithAck(event, ...args) {
      const target = socketFor(event)
      if (!target.emitWithAck) return Promise.reject(new Error('useChatSSE(): the kept socket has no emitWithAck (socket.io-client < 4.6)'))
      return target.emitWithAck(event, ...args)
    },
  }
}

/** POST JSON with the stream's connection id and the token; rejects with `ChatSSEHttpError` on an HTTP error. */
function request<T>(stream: SharedStream, url: string, body: unknown): Promise<T> {
  const headers = stream.authHeaders()
  if (stream.connectionId.value) headers['x-sse-connection-id'] = stream.connectionId.value
  return postJSON<T>(url, headers, body ?? {})
}

/** The part of Nuxt's `$fetch` (ofetch) the chat's requests use. */
type AppFetch = (url: string, options: { method: 'POST'; headers: Record<string, string>; credentials: RequestCredentials; body?: unknown }) => Promise<unknown>

/**
 * Nuxt's global `$fetch`, read at every request: apps replace it in a plugin (to handle an expired
 * session, to add headers), and the chat's requests must go through that replacement as their
 * other requests do. Undefined outside Nuxt.
 */
function appFetch(): AppFetch | undefined {
  const candidate: unknown = Reflect.get(globalThis, '$fetch')
  return typeof candidate === 'function' ? (candidate as AppFetch) : undefined
}

/**
 * A POST through the app's `$fetch`, else `fetch`. Either way an HTTP error rejects with
 * `ChatSSEHttpError` (the status and the server's message); a network failure rejects as it came.
 */
async function postJSON<T>(url: string, headers: Record<string, string>, body: unknown): Promise<T> {
  const viaApp = appFetch()
  if (viaApp) {
    try {
      return (await viaApp(url, { method: 'POST', headers, credentials: 'include', ...(body === undefined ? {} : { body }) })) as T
    } catch (error) {
      throw httpErrorOf(error) ?? error
    }
  }
  const json = body === undefined ? {} : { headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) }
  const res = await fetch(url, { method: 'POST', headers, credentials: 'include', ...json })
  const text = await res.text()
  const data: unknown = text ? parseJson(text) : undefined
  if (!res.ok) throw new ChatSSEHttpError(res.status, data)
  return data as T
}

/** `$fetch`'s FetchError carries the answer's `status` and parsed body (`data`); without a status there was no answer. */
function httpErrorOf(error: unknown): ChatSSEHttpError | undefined {
  if (!isRecord(error)) return undefined
  const status = typeof error.status === 'number' ? error.status : error.statusCode
  return typeof status === 'number' && status >= 400 ? new ChatSSEHttpError(status, error.data) : undefined
}

/** An error page from a proxy is not JSON: keep its text rather than fail on it. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
