import { Node, SyntaxKind, type CallExpression } from 'ts-morph'
import { stringValue } from '../../src/analysis/client/resolve.js'
import type { SocketMemberUse } from '../../src/analysis/client/types.js'
import type { ScriptEditor } from './editor.js'
import { rewriteEmit } from './emit.js'

/** socket.io-client's own lifecycle events and the stream's signals that replace them. */
const LIFECYCLE: Record<string, string> = { connect: 'onOpen', disconnect: 'onClose', connect_error: 'onError' }
/** Members with the same meaning under another name on the stream. */
const RENAMED: Record<string, string> = { open: 'connect', close: 'disconnect', removeListener: 'off' }
/** Members the stream has under the same name and signature. */
const SAME = new Set(['connect', 'disconnect'])
/** Events whose emit in an open handler (re)joins rooms. */
const JOIN_EVENT = /^join([_\-.:]?room)?$|^joinRoom$/i

/** Rewrites one `socket.<member>` onto the stream returned by useChatSSE(). */
export function rewriteMember(ed: ScriptEditor, use: SocketMemberUse): void {
  const { access, name, call } = use
  if (name === 'connected') {
    access.replaceWithText(`${access.getText()}.value`)
    return
  }
  if (name === 'disconnected') {
    const check = `${receiverWithDot(use)}connected.value === false`
    access.replaceWithText(needsParens(access) ? `(${check})` : check)
    return
  }
  if (name === 'id') {
    access.replaceWithText(`${receiverWithDot(use)}connectionId.value`)
    return
  }
  if (!call) {
    unsupported(ed, use, `\`${name}\` is read without being called`)
    return
  }
  if (name === 'on' || name === 'once' || name === 'off') return rewriteListener(ed, use, call)
  if (name === 'emit' || name === 'emitWithAck') return rewriteEmit(ed, access, call, name === 'emitWithAck')
  if (SAME.has(name)) return
  const renamed = RENAMED[name]
  if (renamed) {
    access.getNameNode().replaceWithText(renamed)
    return
  }
  if (name === 'removeAllListeners' && call.getArguments().length === 1) {
    access.getNameNode().replaceWithText('off')
    return
  }
  unsupported(ed, use, `the stream of useChatSSE() has no counterpart for \`${name}\``)
}

function rewriteListener(ed: ScriptEditor, use: SocketMemberUse, call: CallExpression): void {
  const [eventArg, handler] = call.getArguments()
  const event = stringValue(eventArg)
  const signal = event === undefined ? undefined : LIFECYCLE[event]
  if (!signal) return // an app event: `on`/`once`/`off` mean the same on the stream
  if (use.name !== 'on' || !handler) {
    unsupported(ed, use, `\`${use.name}('${event}')\` has no counterpart: the stream's ${signal}() returns the function that removes the listener`)
    return
  }
  if (event === 'connect') reportRejoin(ed, handler)
  call.replaceWithText(`${receiverWithDot(use)}${signal}(${handler.getText()})`)
}

/** An open handler that emits `join_room` also does the first join, so it is kept; say so, since the runtime restores rooms on resume. */
function reportRejoin(ed: ScriptEditor, handler: Node): void {
  for (const inner of handler.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = inner.getExpression()
    if (!Node.isPropertyAccessExpression(callee) || !['emit', 'emitWithAck'].includes(callee.getName())) continue
    const event = stringValue(inner.getArguments()[0])
    if (event === undefined || !JOIN_EVENT.test(event)) continue
    ed.report(
      inner,
      'client/rejoin-kept',
      `\`${event}\` is sent every time the stream opens; the SSE runtime restores a resumed connection's rooms itself, but this call also does the first join, so it was kept`,
      'nothing to do; remove it only if the server already joins these rooms when the stream opens',
      'info',
    )
  }
}

function receiverWithDot(use: SocketMemberUse): string {
  return `${use.access.getExpression().getText()}${use.access.hasQuestionDotToken() ? '?.' : '.'}`
}

/** `!socket.disconnected` → `!(stream.connected.value === false)`. */
function needsParens(node: Node): boolean {
  const parent = node.getParent()
  return parent !== undefined && (Node.isPrefixUnaryExpression(parent) || Node.isPropertyAccessExpression(parent) || Node.isBinaryExpression(parent))
}

function unsupported(ed: ScriptEditor, use: SocketMemberUse, why: string): void {
  ed.report(use.call ?? use.access, `client/unsupported-member`, `${why}; left as is`, 'rewrite it by hand with the API of useChatSSE() (see app/composables/useChatSSE.ts)')
}
