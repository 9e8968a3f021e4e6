import { Node, SyntaxKind, type CallExpression } from 'ts-morph'
import type { MigrationConfig } from '../../config/types.js'
import type { EmitSite, ServerModel } from '../server/types.js'
import { unwrapExpression } from '../server/syntax.js'
import type { ConnectionHandler, HandlerModel, SocketHandler } from './types.js'

/** A room name with no literal prefix (`socket.join(roomId)`): it may be any name at all. */
const ANY = '*'

/**
 * The kind of a room from its syntax: the literal prefix of `` `room:${id}` `` or `'user:' + id`,
 * the whole name of a literal, or `*` for a name built at run time with no literal prefix.
 */
export function roomKind(room: Node): string {
  const node = unwrapExpression(room)
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return node.getLiteralValue() || ANY
  if (Node.isTemplateExpression(node)) return node.getHead().getLiteralText() || ANY
  if (Node.isBinaryExpression(node) && node.getOperatorToken().getKind() === SyntaxKind.PlusToken) {
    const left = unwrapExpression(node.getLeft())
    if (Node.isStringLiteral(left) || Node.isNoSubstitutionTemplateLiteral(left)) return left.getLiteralValue() || ANY
  }
  return ANY
}

/** Whether a room of the prefixed kind `emitted` may be one of the rooms of kind `joined`. */
function mayMatch(emitted: string, joined: string): boolean {
  return joined === ANY || emitted.startsWith(joined) || joined.startsWith(emitted)
}

/** Emits that must stay on Socket.IO, each with why. */
export type KeptEmits = ReadonlyMap<CallExpression, string>

/**
 * Rooms joined only by code that stays on Socket.IO (a handler that cannot move, a connection
 * handler whose joins cannot move for want of auth) have no SSE channel: nothing subscribes a
 * stream to them. So an emit into such rooms stays on Socket.IO, and a handler that emits into them
 * stays too, which can keep more rooms on Socket.IO: repeated until nothing changes. A handler kept
 * this way gets a blocker saying so; the io emits kept are returned.
 */
export function coupleRoomsToKeptCode(handlers: HandlerModel, server: ServerModel, config: MigrationConfig): KeptEmits {
  const userPrefixes = config.rooms.filter((rule) => rule.helper === 'emitToUser').map((rule) => rule.prefix)
  const connectionMoves = (connection: ConnectionHandler) => handlers.middlewares.length > 0 && connection.setupBlockers.length === 0
  const kept = new Map<CallExpression, string>()
  for (let round = 0; round < 20; round++) {
    const stays = (handler: SocketHandler) => handler.kind === 'event' && handler.blockers.length > 0
    const keptJoins = new Map<string, string>()
    const movedJoins = new Set<string>(userPrefixes)
    for (const connection of handlers.connections) {
      const target = connectionMoves(connection) ? movedJoins : undefined
      for (const kind of joinKinds(connection.setupUses)) {
        if (target) target.add(kind)
        else keptJoins.set(kind, 'the connection handler (its joins stay on Socket.IO)')
      }
    }
    for (const handler of handlers.handlers) {
      for (const kind of joinKinds(handler.uses)) {
        if (stays(handler)) keptJoins.set(kind, `the \`${handler.event}\` handler (it stays on Socket.IO)`)
        else movedJoins.add(kind)
      }
    }
    /** Why rooms of this kind are only on Socket.IO, or undefined when a stream may be subscribed to them. */
    const onlyOnSocketIO = (kind: string): string | undefined => {
      // A name built at run time is only known to be one of the bare names some code joined.
      const candidates = kind === ANY ? (movedJoins.has(ANY) ? [ANY] : []) : [...movedJoins].filter((joined) => mayMatch(kind, joined))
      if (candidates.length > 0) return undefined
      const joiner = kind === ANY ? keptJoins.get(ANY) : [...keptJoins].find(([joined]) => mayMatch(kind, joined))?.[1]
      return joiner ? `rooms joined only by ${joiner}` : undefined
    }
    const coupled = (rooms: Node[]): string | undefined => {
      if (rooms.length === 0) return undefined
      const reasons = rooms.map((room) => onlyOnSocketIO(roomKind(room)))
      return reasons.every((reason) => reason !== undefined) ? reasons[0] : undefined
    }
    let changed = false
    for (const site of server.emits) {
      if (kept.has(site.call)) continue
      const why = coupled(site.rooms)
      if (why) {
        kept.set(site.call, why)
        changed = true
      }
    }
    for (const handler of handlers.handlers) {
      if (handler.kind !== 'event' || stays(handler)) continue
      const socketEmits = handler.uses.flatMap((use) => (use.kind === 'emit-others' ? [{ node: use.node, rooms: use.rooms as Node[] }] : []))
      const ioEmits = server.emits.filter((site) => isWithin(site.call, handler.fn)).map((site: EmitSite) => ({ node: site.call as Node, rooms: site.rooms }))
      for (const emit of [...socketEmits, ...ioEmits]) {
        const why = coupled(emit.rooms)
        if (!why) continue
        handler.blockers.push({ node: emit.node, reason: `emits to ${why}, which no SSE stream can be subscribed to` })
        changed = true
        break
      }
    }
    if (!changed) break
  }
  return kept
}

function joinKinds(uses: SocketHandler['uses']): string[] {
  return uses.flatMap((use) => (use.kind === 'join' ? use.rooms.map(roomKind) : []))
}

function isWithin(node: Node, container: Node): boolean {
  return node.getSourceFile() === container.getSourceFile() && node.getStart() >= container.getStart() && node.getEnd() <= container.getEnd()
}
