import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
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

export function createTicket(user: SSEUser, ttlMs: number, secret: string, now = Date.now()): { ticket: string; expiresAt: number } {
  const expiresAt = now + ttlMs
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), iv)
  const sealed = Buffer.concat([cipher.update(JSON.stringify({ user, exp: expiresAt } satisfies TicketPayload), 'utf8'), cipher.final()])
  return { ticket: Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url'), expiresAt }
}

/** The ticket's user, or a reason it is refused. */
export function verifyTicket(ticket: string, secret: string, now = Date.now()): { user: SSEUser } | { error: string } {
  const raw = Buffer.from(ticket, 'base64url')
  if (raw.length <= IV_BYTES + TAG_BYTES) return { error: 'Malformed ticket' }
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
  if (!payload.user || (typeof payload.user.id !== 'string' && typeof payload.user.id !== 'number')) return { error: 'Malformed ticket' }
  return { user: payload.user }
}
