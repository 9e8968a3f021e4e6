import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { SSEUser } from './types'

/**
 * A stream ticket: the authenticated user and an expiry, sealed with AES-256-GCM (authenticated, so
 * it cannot be forged or altered, and encrypted, so the user's fields do not show in access logs).
 * EventSource cannot send headers, so the client trades its credentials for a ticket (POST) and
 * puts that in the URL; a leaked ticket is worth seconds, not a session.
 */
export interface TicketPayload {
  user: SSEUser
  /** ms since epoch */
  exp: number
  /** ms since epoch: `closeUserStreams()` refuses the tickets issued up to its call. */
  iat: number
}

/** A ticket that verified: its user, when it was issued and expires, and its nonce (one use per nonce). */
export interface VerifiedTicket {
  user: SSEUser
  issuedAt: number
  expiresAt: number
  nonce: string
}

const IV_BYTES = 12
const TAG_BYTES = 16

let processSecret: string | undefined
let warned = false

/** The configured secret, or one random secret per process (fine for a single instance only). */
export function ticketSecret(configured: string): string {
  if (configured) return configured
  if (!warned) {
    warned = true
    console.warn('[sse] NUXT_SSE_TICKET_SECRET is not set: using a random secret; tickets will not work across instances or restarts')
  }
  return (processSecret ??= randomBytes(32).toString('base64url'))
}

function keyOf(secret: string): Buffer {
  return createHash('sha256').update(`sse-ticket:${secret}`).digest()
}

/**
 * Connection ids carry a MAC of their user, so a request can prove which connection is its own
 * without a lookup: `getConnectionId(event, owner)` accepts an id only for the user it was issued to.
 */
export function createConnectionId(userKey: string, secret: string): string {
  const id = randomBytes(16).toString('base64url')
  return `${id}.${connectionMac(id, userKey, secret)}`
}

export function connectionIdBelongsTo(connectionId: string, userKey: string, secret: string): boolean {
  const dot = connectionId.indexOf('.')
  if (dot <= 0 || connectionId.length > 128) return false
  const expected = Buffer.from(connectionMac(connectionId.slice(0, dot), userKey, secret))
  const given = Buffer.from(connectionId.slice(dot + 1))
  return given.length === expected.length && timingSafeEqual(given, expected)
}

function connectionMac(id: string, userKey: string, secret: string): string {
  return createHmac('sha256', `sse-connection:${secret}`).update(`${id}\n${userKey}`).digest('base64url').slice(0, 22)
}

export function createTicket(user: SSEUser, ttlMs: number, secret: string, now = Date.now()): { ticket: string; expiresAt: number } {
  const expiresAt = now + ttlMs
  // The random IV doubles as the ticket's nonce: unique per ticket and covered by the auth tag.
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), iv)
  const sealed = Buffer.concat([cipher.update(JSON.stringify({ user, exp: expiresAt, iat: now } satisfies TicketPayload), 'utf8'), cipher.final()])
  return { ticket: Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url'), expiresAt }
}

/**
 * The ticket's contents, or a reason it is refused. Only the canonical encoding is accepted: base64url
 * decoding ignores stray trailing bits, so without this check several strings would be one ticket and
 * escape a single-use check keyed on the text.
 */
export function verifyTicket(ticket: string, secret: string, now = Date.now()): VerifiedTicket | { error: string } {
  const raw = Buffer.from(ticket, 'base64url')
  if (raw.length <= IV_BYTES + TAG_BYTES || raw.toString('base64url') !== ticket) return { error: 'Malformed ticket' }
  let payload: TicketPayload
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), raw.subarray(0, IV_BYTES))
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
    const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8')
    payload = JSON.parse(text) as TicketPayload
  } catch {
    return { error: 'Invalid ticket' }
  }
  if (typeof payload.exp !== 'number' || payload.exp <= now) return { error: 'Ticket expired' }
  if (typeof payload.iat !== 'number') return { error: 'Malformed ticket' }
  if (!payload.user || (typeof payload.user.id !== 'string' && typeof payload.user.id !== 'number')) return { error: 'Malformed ticket' }
  return { user: payload.user, issuedAt: payload.iat, expiresAt: payload.exp, nonce: raw.subarray(0, IV_BYTES).toString('base64url') }
}
