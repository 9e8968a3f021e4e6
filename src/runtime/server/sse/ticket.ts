import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { SSEUser } from './types'

/**
 * A stream ticket: the authenticated user and an expiry, HMAC-signed. EventSource cannot send
 * headers, so the client trades its credentials for a ticket (POST) and puts that in the URL; a
 * leaked ticket is worth seconds, not a session.
 */
export interface TicketPayload {
  user: SSEUser
  /** ms since epoch */
  exp: number
}

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

function sign(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url')
}

export function createTicket(user: SSEUser, ttlMs: number, secret: string, now = Date.now()): { ticket: string; expiresAt: number } {
  const expiresAt = now + ttlMs
  const body = Buffer.from(JSON.stringify({ user, exp: expiresAt } satisfies TicketPayload)).toString('base64url')
  return { ticket: `${body}.${sign(body, secret)}`, expiresAt }
}

/** The ticket's user, or a reason it is refused. */
export function verifyTicket(ticket: string, secret: string, now = Date.now()): { user: SSEUser } | { error: string } {
  const dot = ticket.indexOf('.')
  if (dot <= 0) return { error: 'Malformed ticket' }
  const body = ticket.slice(0, dot)
  const given = Buffer.from(ticket.slice(dot + 1))
  const expected = Buffer.from(sign(body, secret))
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { error: 'Invalid ticket' }
  let payload: TicketPayload
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TicketPayload
  } catch {
    return { error: 'Malformed ticket' }
  }
  if (typeof payload.exp !== 'number' || payload.exp <= now) return { error: 'Ticket expired' }
  if (!payload.user || (typeof payload.user.id !== 'string' && typeof payload.user.id !== 'number')) return { error: 'Malformed ticket' }
  return { user: payload.user }
}
