import type { ServerResponse } from 'node:http'
import { createError, getHeader, getQuery, isError, type H3Event } from 'h3'
import { compareEventIds, parseEventId } from './ids'
import { Connection, type ReplayItem } from './connection'
import { encodeRetry, isEntitled } from './frame'
import { logError, userKey, useSSERuntime, type SSERuntime } from './runtime'
import { connectionIdBelongsTo, createConnectionId, ticketSecret, verifyTicket } from './ticket'
import type { SSEHooks, SSEUser } from './types'

export function userChannel(id: string | number): string {
  return `user:${id}`
}

function queryString(event: H3Event, name: string): string | undefined {
  const value = getQuery(event)[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** 503 with `Retry-After` while the runtime shuts down: the client's reconnect then finds another instance. */
function refuseWhileClosing(event: H3Event, runtime: SSERuntime): void {
  if (!runtime.closing) return
  event.node.res.setHeader('Retry-After', '1')
  throw createError({ statusCode: 503, statusMessage: 'Service Unavailable', message: 'The server is shutting down; reconnect shortly' })
}

const ADMISSION_ERRORS = { used: 'Ticket already used', revoked: 'Ticket revoked' } as const

/**
 * `?ticket=` when present (and then only it), else the app's own `authenticateSSE`. Every refusal is
 * a 401. A ticket opens one stream: a URL copied from a log, a proxy or a browser history is worth
 * nothing once the client used it, and `closeUserStreams()` (logout) refuses the user's earlier ones.
 */
async function authenticate(event: H3Event, runtime: SSERuntime, hooks: SSEHooks): Promise<SSEUser> {
  const ticket = queryString(event, 'ticket')
  if (ticket) {
    const result = verifyTicket(ticket, ticketSecret(runtime.config.ticketSecret))
    if ('error' in result) throw createError({ statusCode: 401, statusMessage: 'Unauthorized', message: result.error })
    let admission: 'ok' | keyof typeof ADMISSION_ERRORS
    try {
      admission = await runtime.broker.admitTicket(result, userKey(result.user.id))
    } catch (error) {
      // Unchecked, a ticket could be used twice: refuse, and let the client retry shortly.
      logError('checking a ticket', error)
      event.node.res.setHeader('Retry-After', '1')
      throw createError({ statusCode: 503, statusMessage: 'Service Unavailable', message: 'Tickets cannot be checked right now; retry shortly' })
    }
    if (admission !== 'ok') throw createError({ statusCode: 401, statusMessage: 'Unauthorized', message: ADMISSION_ERRORS[admission] })
    return result.user
  }
  try {
    const user = await hooks.authenticateSSE(event)
    if (!user || (typeof user.id !== 'string' && typeof user.id !== 'number')) throw new Error('No user')
    return user
  } catch (error) {
    if (isError(error) && (error.statusCode === 401 || error.statusCode === 403)) throw error
    throw createError({ statusCode: 401, statusMessage: 'Unauthorized', message: error instanceof Error ? error.message : 'Authentication failed' })
  }
}

/**
 * The restored channels the user may still be in. A session outlives its stream, and access can be
 * revoked meanwhile (removed from a room): without this check every resume would bring the room's
 * events back. Channels this connect grants anyway (`fresh`) need no check; a failing
 * `canSubscribe` counts as a refusal, so an outage of the app's access check cannot widen access.
 */
async function stillAllowed(restored: readonly string[], fresh: readonly string[], user: SSEUser, hooks: SSEHooks): Promise<string[]> {
  const skip = new Set(fresh)
  const candidates = restored.filter((channel) => !skip.has(channel) && (skip.add(channel), true))
  const allowed = await Promise.all(
    candidates.map((channel) =>
      hooks.canSubscribe(user, channel).then(
        (ok) => ok === true,
        (error: unknown) => {
          logError(`checking ${JSON.stringify(channel)} on resume`, error)
          return false
        },
      ),
    ),
  )
  return candidates.filter((_, i) => allowed[i])
}

function isAfter(id: string, cursor: string): boolean {
  const a = parseEventId(id)
  const b = parseEventId(cursor)
  return !a || !b || compareEventIds(a, b) > 0
}

/**
 * The open streams by response, for `onStreamEnd`. One shared listener function and a weak entry
 * per stream cost less than a closure (and its context) per stream; the entry goes with the response.
 */
const streams = new WeakMap<ServerResponse, { connection: Connection; runtime: SSERuntime; closed: SSEHooks['connectionClosed'] }>()

/**
 * The app's `connectionClosed` for one ended stream. Teardown never waits for it and never sees it
 * fail: an async hook runs on while other streams end, and a throw or rejection is logged.
 */
async function runConnectionClosed(hook: NonNullable<SSEHooks['connectionClosed']>, user: SSEUser): Promise<void> {
  try {
    await hook(user)
  } catch (error) {
    logError('in connectionClosed', error)
  }
}

/**
 * A stream's response closed (client gone, socket error, `res.end()` on a kept-alive socket,
 * `destroy()`): its 'close' covers every way a stream ends; 'error' only guards against an
 * unhandled one. Removes the connection from every index and saves its session.
 */
function onStreamEnd(this: ServerResponse): void {
  const stream = streams.get(this)
  this.off('close', onStreamEnd)
  this.off('error', onStreamEnd)
  if (!stream) return
  streams.delete(this)
  const { connection, runtime, closed } = stream
  connection.close()
  const { hub, broker } = runtime
  hub.remove(connection)
  if (closed) void runConnectionClosed(closed, connection.user)
  if (connection.forget) {
    broker.deleteSession(connection.id).catch((error: unknown) => logError('deleting a session', error))
    return
  }
  // The session outlives the stream for `sessionTtlMs`, so a reconnect can resume it.
  if (!runtime.closing && !hub.connections.has(connection.id)) {
    broker.saveSession({ connectionId: connection.id, user: connection.user, channels: connection.channels }).catch((error: unknown) => logError('saving a session', error))
  }
}

/**
 * Serve `GET /api/chat/events`: authenticate (a 401 JSON answer opens no stream), restore or start
 * the connection's session, replay what it missed, then leave the stream open for live events.
 * Resolves once the replay is written, with the response still open: h3 sees it handled (the
 * headers are sent) and lets go of the event, so an idle stream holds only its `Connection` and
 * Node's socket, request and response, not the H3Event, its context and this function's frame.
 * `runtime` is this process's unless a test runs several.
 */
export async function handleEventStream(event: H3Event, hooks: SSEHooks, runtime: SSERuntime = useSSERuntime()): Promise<void> {
  const { config, hub, broker } = runtime
  refuseWhileClosing(event, runtime)
  const user = await authenticate(event, runtime, hooks)
  const key = userKey(user.id)

  // A resume keeps the connection id and the channels joined before, if the session is this user's
  // (the id itself says whose it is). A stream that is still open is not taken over: the new one
  // gets the channels under a new id, so a resume URL copied from a log cannot hijack a live stream.
  const secret = ticketSecret(config.ticketSecret)
  const resumeId = queryString(event, 'resume')
  const session = resumeId && connectionIdBelongsTo(resumeId, key, secret) ? await broker.loadSession(resumeId).catch(() => undefined) : undefined
  const restored = session && userKey(session.user.id) === key ? session : undefined
  const resumed = restored && !restored.live ? restored : undefined
  const connectionId = resumed?.connectionId ?? createConnectionId(key, secret)
  const fresh = [userChannel(user.id), ...(await hooks.channelsForConnection(event, user))]
  const channels = [...fresh, ...(await stillAllowed(restored?.channels ?? [], fresh, user, hooks))].slice(0, config.maxChannelsPerConnection)
  const clientCursor = getHeader(event, 'last-event-id') || queryString(event, 'lastEventId')
  // A connection registered before the broker reads the log could miss what is published meanwhile.
  await broker.ready()
  // A new stream starts at the log's newest entry, read before it registers: `connected` carries that
  // id, so a client whose stream drops before its first event resumes from it instead of losing the
  // gap, and the replay below picks up what is published between this read and the registration.
  const startId = clientCursor ? undefined : await broker.latestId().catch(() => undefined)
  const cursor = clientCursor || startId
  const wait = clientCursor ? runtime.replayAllowance.waitFor(key) : 0
  if (wait > 0) {
    event.node.res.setHeader('Retry-After', String(Math.ceil(wait / 1000)))
    throw createError({ statusCode: 429, statusMessage: 'Too Many Requests', message: 'Too many replays of missed events; retry later' })
  }

  const { req, res } = event.node
  // The client may have gone while the hooks ran: a 'close' listener added now would never fire.
  if (req.destroyed || res.destroyed || res.writableEnded) return
  // Shutdown may have begun while the hooks ran: the closed runtime's hub is not watched any more.
  refuseWhileClosing(event, runtime)
  const connection = new Connection(connectionId, user, key, res, config.maxQueueBytes, channels)

  hub.connections.get(connectionId)?.close()
  const open = hub.userConnections(key).filter((c) => c.id !== connectionId)
  // Over the cap, the oldest streams go (a reloaded tab must not be locked out by its own dead stream).
  for (const old of open.slice(0, Math.max(0, open.length - config.maxConnectionsPerUser + 1))) {
    old.close()
    hub.remove(old)
  }

  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
    'Content-Encoding': 'identity',
  })
  res.socket?.setNoDelay?.(true)
  res.flushHeaders()
  connection.start()

  // The hook itself, not the hooks object: an idle stream keeps as little as it can.
  streams.set(res, { connection, runtime, closed: hooks.connectionClosed })
  res.on('close', onStreamEnd)
  res.on('error', onStreamEnd)

  // Live events are held from here until the replay is written. `connected` goes out once the
  // session is saved, so a client that has it can `subscribe` through any instance.
  hub.add(connection)
  // Events of an outage not in the log yet: taken in the same tick as the registration, so each is
  // either here or delivered live. A resuming client is owed them; a fresh one is not.
  const unlogged = (broker.claimUnlogged?.(connectionId) ?? []).filter((item) => clientCursor && isEntitled(item.target, connectionId, connection.channels))
  try {
    await broker.saveSession({ connectionId, user, channels: connection.channels, live: true })
  } catch (error) {
    logError('saving a session', error)
  }
  connection.writeNow(encodeRetry(config.retryMs))
  connection.writeNow(`${startId ? `id: ${startId}\n` : ''}event: connected\ndata: ${JSON.stringify({ connectionId, userId: user.id, resumed: Boolean(resumed) })}\n\n`)

  let replayed: ReplayItem[] = []
  if (cursor) {
    try {
      const result = await broker.replay(cursor, {
        entitled: (entry) => isEntitled(entry.target, connectionId, connection.channels),
        maxBytes: config.maxReplayBytes,
      })
      runtime.replayAllowance.spend(key, result.scanned)
      if (result.reset) {
        const reason = result.reason === 'too-big'
          ? 'More events were missed than one replay sends; reload your state.'
          : 'The events since your last one are no longer available; reload your state.'
        replayed = [{ id: result.latest, event: 'reset', data: JSON.stringify({ reason }) }]
      } else {
        replayed = [...result.entries]
      }
    } catch (error) {
      logError('replaying', error)
      replayed = [{ id: undefined, event: 'reset', data: JSON.stringify({ reason: 'Replay failed; reload your state.' }) }]
    }
  }
  for (const item of unlogged) replayed.push({ id: undefined, event: item.event, data: item.data })
  await connection.finishReplay(replayed, cursor, isAfter)
}
