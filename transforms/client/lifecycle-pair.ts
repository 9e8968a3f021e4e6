import type { CallExpression } from 'ts-morph'

/** socket.io-client's own lifecycle events and the stream's signals that replace them. */
export const LIFECYCLE: Record<string, string> = { connect: 'onOpen', disconnect: 'onClose', connect_error: 'onError' }

/**
 * `socket.on('connect', h)` … `socket.off('connect', h)`: the stream has no `off` for its signals;
 * `onOpen(h)` returns the function that removes `h`. The pair keeps that function in a variable
 * (or, in an Options API component, in its data) and calls it where `off` was.
 */
export interface LifecyclePair {
  on: CallExpression
  off: CallExpression
  /** Where the remover is kept: `stopOnConnect` or `this.stopOnConnect`. */
  holder: string
}
