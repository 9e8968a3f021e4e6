import { Node } from 'ts-morph'

/**
 * Event names the SSE runtime sends on every stream and the client acts on (connection id, `onOpen`,
 * `onReset`, replay cursor); the runtime refuses to emit them. Must match `RESERVED_EVENTS` in
 * src/runtime/server/sse/frame.ts.
 */
export const RESERVED_STREAM_EVENTS: readonly string[] = ['connected', 'reset', 'sse:cursor']

/** The prefix an app event of a reserved name travels under on the stream, on both sides. */
const APP_PREFIX = 'app:'

/** The name an app event travels under on the stream. */
export function streamEventName(name: string): string {
  return RESERVED_STREAM_EVENTS.includes(name) ? `${APP_PREFIX}${name}` : name
}

export interface RenamedEventLiteral {
  from: string
  to: string
  /** The new literal in the quotes of the old one. */
  text: string
}

/** An event-name literal the stream needs under another name; undefined for any other argument. */
export function renamedEventLiteral(node: Node | undefined): RenamedEventLiteral | undefined {
  if (!node || !(Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node))) return undefined
  const from = node.getLiteralValue()
  const to = streamEventName(from)
  if (to === from) return undefined
  const quote = node.getText()[0]!
  return { from, to, text: `${quote}${to}${quote}` }
}

/** The follow-up saying why an event now has another name on the wire. */
export function renamedEventNote(renamed: RenamedEventLiteral): { reason: string; action: string } {
  return {
    reason: `\`${renamed.from}\` is an event name the SSE stream itself sends (reserved: ${RESERVED_STREAM_EVENTS.join(', ')}), so this event now travels as \`${renamed.to}\` on both the server and the client`,
    action: `nothing to do, unless code outside this app listens for \`${renamed.from}\`: it must listen for \`${renamed.to}\``,
  }
}
