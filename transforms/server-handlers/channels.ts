import { Node, SyntaxKind } from 'ts-morph'
import type { MigrationConfig } from '../../src/config/types.js'
import { isBareRoomName } from '../../src/analysis/server/rooms.js'

/** A room expression in SSE terms: a configured prefix and the id after it, or a channel name kept as is. */
export type Channel =
  | { kind: 'rule'; helper: 'emitToRoom' | 'emitToUser'; id: string }
  | { kind: 'other'; expression: string }

/** `` `room:${id}` `` / `'room:' + id` with a configured prefix → the id expression; otherwise the text itself. */
export function channelOf(room: Node, config: MigrationConfig, render: (node: Node) => string): Channel {
  const bare = config.rooms.find((r) => r.prefix === '')
  if (bare && isBareRoomName(room)) return { kind: 'rule', helper: bare.helper, id: render(room) }
  const parts = prefixAndId(room)
  if (parts) {
    const rule = config.rooms.find((r) => r.prefix === parts.prefix)
    if (rule) return { kind: 'rule', helper: rule.helper, id: render(parts.id) }
  }
  return { kind: 'other', expression: render(room) }
}

function prefixAndId(room: Node): { prefix: string; id: Node } | undefined {
  if (Node.isTemplateExpression(room)) {
    const spans = room.getTemplateSpans()
    const [span] = spans
    if (spans.length === 1 && span && span.getLiteral().getLiteralText() === '') {
      return { prefix: room.getHead().getLiteralText(), id: span.getExpression() }
    }
  }
  if (Node.isBinaryExpression(room) && room.getOperatorToken().getKind() === SyntaxKind.PlusToken) {
    const left = room.getLeft()
    if (Node.isStringLiteral(left)) return { prefix: left.getLiteralValue(), id: room.getRight() }
  }
  return undefined
}

/** The channel name expression, consistent with the emit helpers: `roomChannel(id)`, `userChannel(id)`, or the original text. */
export function channelExpression(channel: Channel): string {
  if (channel.kind === 'other') return channel.expression
  return `${channel.helper === 'emitToRoom' ? 'roomChannel' : 'userChannel'}(${channel.id})`
}

/** The emit call for a set of rooms: one helper when they share one, `emitToChannel` otherwise, `broadcast` for none. */
export function emitCall(channels: Channel[], args: string[], options?: string): string {
  const tail = [...args, ...(options ? [options] : [])].join(', ')
  if (channels.length === 0) return `broadcast(${tail})`
  const helpers = new Set(channels.map((c) => (c.kind === 'rule' ? c.helper : 'emitToChannel')))
  const [helper] = [...helpers]
  if (helpers.size === 1 && helper !== 'emitToChannel') {
    const ids = channels.map((c) => (c.kind === 'rule' ? c.id : ''))
    const target = ids.length === 1 ? ids[0] : `[${ids.join(', ')}]`
    return `${helper}(${target}, ${tail})`
  }
  const names = channels.map(channelExpression)
  const target = names.length === 1 ? names[0] : `[${names.join(', ')}]`
  return `emitToChannel(${target}, ${tail})`
}
