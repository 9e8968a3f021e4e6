import { Node, SyntaxKind } from 'ts-morph'
import type { ScriptEditor } from './editor.js'
import { descendantsOfKind } from '../../src/ast/walk.js'

/** Messages of socket.io-client's connection errors: its transports' failures and its connect timeout. */
const TRANSPORT_ERRORS = new Set(['xhr poll error', 'xhr post error', 'websocket error', 'timeout', 'transporterror', 'parse error', 'server error'])
/** socket.io-client's disconnect reasons. */
const DISCONNECT_REASONS = new Set(['io server disconnect', 'io client disconnect', 'ping timeout', 'transport close', 'transport error', 'parse error', 'forced close'])

/**
 * A `connect_error` or `disconnect` handler that tests Socket.IO's own error messages or disconnect
 * reasons: the stream never produces them, so those branches never run again. Reported at the
 * first such string, naming them all.
 */
export function reportSocketIOStrings(ed: ScriptEditor, event: string, handler: Node): void {
  const known = event === 'connect_error' ? TRANSPORT_ERRORS : event === 'disconnect' ? DISCONNECT_REASONS : undefined
  if (!known) return
  const strings = [...descendantsOfKind(handler, SyntaxKind.StringLiteral), ...descendantsOfKind(handler, SyntaxKind.NoSubstitutionTemplateLiteral)]
    .filter((literal) => known.has(literal.getLiteralValue().trim().toLowerCase()))
    .sort((a, b) => a.getStart() - b.getStart())
  const first = strings[0]
  if (!first) return
  const named = [...new Set(strings.map((literal) => `\`${literal.getLiteralValue()}\``))].join(', ')
  if (event === 'connect_error') {
    ed.report(
      first,
      'client/socket-io-error-strings',
      `this error handler tests ${named}: messages of Socket.IO's transports, which the SSE stream never produces, so that branch never runs. The stream reconnects by itself (with backoff, at most reconnectAttempts times), and a refused ticket request (401/403) reaches this handler as a ChatSSEHttpError with the server's message and its \`status\`, after which the stream stops until connect()`,
      'remove the branch, or tell a refusal from a network failure with `error instanceof ChatSSEHttpError` (`error.status`)',
    )
    return
  }
  ed.report(
    first,
    'client/socket-io-error-strings',
    `this disconnect handler tests ${named}: Socket.IO's disconnect reasons, which the SSE stream never gives; its onClose reason is 'error' (the stream dropped and reconnects by itself) or 'disconnect' (disconnect() was called)`,
    "test 'error' or 'disconnect' instead, or remove the branch",
  )
}
