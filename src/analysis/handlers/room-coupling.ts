import { Node, SyntaxKind, type CallExpression } from 'ts-morph'
import type { MigrationConfig } from '../../config/types.js'
import type { EmitSite, ServerModel } from '../server/types.js'
import { unwrapExpression } from '../../ast/expression.js'
import type { ConnectionHandler, HandlerModel, SocketHandler } from './types.js'
import type { KeptEmits, Withdrawal } from '../model.js'
import type { UnrecognisedSocketCall } from '../client/types.js'
import { eventName } from '../event-name.js'
import { declarationsOf } from '../symbols.js'

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

/** Where browser code the tool does not migrate sends or hears an event, as `file:line`. */
export type UnrecognisedClientUses = { heard: ReadonlyMap<string, string>; sent: ReadonlyMap<string, string> }

export function unrecognisedClientUses(calls: readonly UnrecognisedSocketCall[]): UnrecognisedClientUses {
  const heard = new Map<string, string>()
  const sent = new Map<string, string>()
  for (const call of calls) {
    const into = call.direction === 'hears' ? heard : sent
    if (!into.has(call.event)) into.set(call.event, `${call.file}:${call.line}`)
  }
  return { heard, sent }
}

/**
 * An event moves end to end or not at all. Rooms joined only by code that stays on Socket.IO (a
 * handler that cannot move, a connection handler whose joins cannot move for want of auth) and
 * rooms named by a socket's id have no SSE channel: nothing subscribes a stream to them. Events
 * heard or sent by browser code the tool does not migrate go on over Socket.IO. So an emit into
 * such rooms or of such an event stays on Socket.IO, and a handler that emits it, or whose event
 * such code sends, stays too, which can keep more rooms on Socket.IO: repeated until nothing
 * changes. A handler kept this way gets a blocker saying so; the io emits kept are returned.
 */
export function coupleRoomsToKeptCode(
  handlers: HandlerModel,
  server: ServerModel,
  config: MigrationConfig,
  unrecognised: UnrecognisedClientUses,
  withdrawn: ReadonlyMap<string, Withdrawal> = new Map(),
): KeptEmits {
  for (const handler of handlers.handlers) {
    const sender = unrecognised.sent.get(handler.event)
    if (handler.kind !== 'event' || !sender) continue
    handler.blockers.push({ node: handler.call, reason: `is sent by ${sender} over a socket the tool does not recognise, which stays on Socket.IO` })
  }
  const socketIds = socketIdStores(handlers)
  keepSocketIdWriters(handlers, server, socketIds)
  const userPrefixes = config.rooms.filter((rule) => rule.helper === 'emitToUser').map((rule) => rule.prefix || ANY)
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
    const roomReason = (room: Node): string | undefined => {
      const store = socketIdRoom(room, socketIds)
      if (store !== undefined) return `a room named by a Socket.IO socket id (${store}), which no SSE connection is in`
      const joiner = onlyOnSocketIO(roomKind(room))
      return joiner && `${joiner}, which no SSE stream can be subscribed to`
    }
    /** Why an emit cannot move, as a clause completing "this emit …". */
    const coupled = (event: Node | undefined, rooms: Node[]): string | undefined => {
      const name = event ? eventName(event) : undefined
      const listener = name === undefined ? undefined : unrecognised.heard.get(name)
      if (listener) return `sends \`${name}\`, which ${listener} hears on a socket the tool does not recognise (it stays on Socket.IO)`
      const back = name === undefined ? undefined : withdrawn.get(name)
      if (back) return `sends \`${name}\`, which stays on Socket.IO (${back.reason})`
      if (rooms.length === 0) return undefined
      const reasons = rooms.map(roomReason)
      return reasons.every((reason) => reason !== undefined) ? `goes to ${reasons[0]}` : undefined
    }
    let changed = false
    for (const site of server.emits) {
      if (kept.has(site.call)) continue
      const why = coupled(site.event, site.rooms)
      if (why) {
        kept.set(site.call, why)
        changed = true
      }
    }
    for (const handler of handlers.handlers) {
      if (handler.kind !== 'event' || stays(handler)) continue
      for (const emit of handlerEmits(handler, server)) {
        const why = coupled(emit.event, emit.rooms)
        if (!why) continue
        handler.blockers.push({ node: emit.node, reason: `has an emit that ${why}` })
        changed = true
        break
      }
    }
    // The other way round: rooms that Socket.IO code which stays sends into need members on
    // Socket.IO. When no code staying there joins rooms of that kind, the handlers joining them stay
    // too; joined by a route instead, they would hold SSE streams that code never reaches, and no
    // socket. The connection handler's joins count as staying: a plugin kept for any handler keeps
    // them. A room named by a socket id needs no join (each socket is in its own), and a room named
    // at run time is only known to be one of the rooms joined by bare names.
    const keptSends = keptEmitRooms(handlers, server, kept, stays).filter(([room]) => socketIdRoom(room, socketIds) === undefined)
    const joinedOnSocketIO = [...keptJoins.keys(), ...handlers.connections.flatMap((connection) => joinKinds(connection.setupUses))]
    const sentByKeptCode = (kind: string): string | undefined => {
      if (joinedOnSocketIO.some((joined) => mayMatch(kind, joined))) return undefined
      return keptSends.find(([room]) => mayMatch(roomKind(room), kind))?.[1]
    }
    for (const handler of handlers.handlers) {
      if (handler.kind !== 'event' || stays(handler)) continue
      const join = handler.uses.find((use) => use.kind === 'join' && use.rooms.some((room) => sentByKeptCode(roomKind(room)) !== undefined))
      if (!join || join.kind !== 'join') continue
      const sender = join.rooms.map((room) => sentByKeptCode(roomKind(room))).find((found) => found !== undefined)
      handler.blockers.push({ node: join.node, reason: `joins rooms that ${sender} sends into on Socket.IO, so the join stays there with it` })
      changed = true
    }
    if (!changed) break
  }
  return kept
}

/** The rooms Socket.IO code that stays sends into, each with where: emits kept on Socket.IO, and the emits of handlers that stay. */
function keptEmitRooms(handlers: HandlerModel, server: ServerModel, kept: ReadonlyMap<CallExpression, string>, stays: (handler: SocketHandler) => boolean): [Node, string][] {
  const sends: [Node, string][] = []
  for (const site of server.emits) {
    if (!kept.has(site.call)) continue
    for (const room of site.rooms) sends.push([room, 'an emit kept on Socket.IO'])
  }
  for (const handler of handlers.handlers) {
    if (!stays(handler)) continue
    const where = `the \`${handler.event}\` handler (it stays on Socket.IO)`
    for (const emit of handlerEmits(handler, server)) for (const room of emit.rooms) sends.push([room, where])
  }
  return sends
}

/** A handler's emits, on its socket and on the io server: the call, its event and the rooms it goes to. */
function handlerEmits(handler: SocketHandler, server: ServerModel): { node: Node; event: Node | undefined; rooms: Node[] }[] {
  const socketEmits = handler.uses.flatMap((use) =>
    use.kind === 'emit-others' || use.kind === 'emit-self' ? [{ node: use.node as Node, event: use.node.getArguments()[0], rooms: use.kind === 'emit-others' ? (use.rooms as Node[]) : [] }] : [],
  )
  const ioEmits = server.emits.filter((site) => isWithin(site.call, handler.fn)).map((site: EmitSite) => ({ node: site.call as Node, event: site.event, rooms: site.rooms }))
  return [...socketEmits, ...ioEmits]
}

/**
 * Where handlers keep socket ids (`online.set(userId, socket.id)`, `online[userId] = socket.id`):
 * the source text of each container. A route would store its SSE connection id there instead.
 */
function socketIdStores(handlers: HandlerModel): SocketIds {
  const stores = new Map<string, Node[]>()
  const reads = new Set<Node>()
  const store = (container: string, use: Node) => stores.set(container, [...(stores.get(container) ?? []), use])
  const uses = [...handlers.connections.flatMap((connection) => connection.setupUses), ...handlers.handlers.flatMap((handler) => handler.uses)]
  for (const use of uses) {
    if (use.kind !== 'id') continue
    reads.add(use.node)
    const parent = use.node.getParent()
    if (Node.isCallExpression(parent) && parent.getArguments()[1] === use.node) {
      const callee = parent.getExpression()
      if (Node.isPropertyAccessExpression(callee) && callee.getName() === 'set') store(callee.getExpression().getText(), use.node)
    } else if (Node.isBinaryExpression(parent) && parent.getRight() === use.node && parent.getOperatorToken().getKind() === SyntaxKind.EqualsToken) {
      const left = parent.getLeft()
      if (Node.isElementAccessExpression(left)) store(left.getExpression().getText(), use.node)
    }
  }
  return { stores, reads }
}

/** `socket.id` reads, and the source text of the containers handlers store them in, with the uses that store them. */
interface SocketIds {
  reads: ReadonlySet<Node>
  stores: ReadonlyMap<string, Node[]>
}

/**
 * An emit into a room read from a store of socket ids stays on Socket.IO, so the ids stored there
 * must stay Socket.IO ids: a route would store its SSE connection id instead. The handlers that
 * store them stay too.
 */
function keepSocketIdWriters(handlers: HandlerModel, server: ServerModel, ids: SocketIds): void {
  const rooms = [...server.emits.flatMap((site) => site.rooms), ...handlers.handlers.flatMap((handler) => handler.uses.flatMap((use) => (use.kind === 'emit-others' ? use.rooms : [])))]
  const read = new Set(rooms.flatMap((room) => socketIdStoreOf(room, ids) ?? []))
  for (const handler of handlers.handlers) {
    if (handler.kind !== 'event') continue
    const write = handler.uses.find((use) => use.kind === 'id' && [...read].some((store) => ids.stores.get(store)!.includes(use.node)))
    if (write) handler.blockers.push({ node: write.node, reason: 'stores its socket id where an emit that stays on Socket.IO reads it as a room; a route would store an SSE connection id there' })
  }
}

/** The room is a socket's id (`socket.id`, `online.get(userId)` of a store above): how, as source text; undefined otherwise. */
function socketIdRoom(room: Node, ids: SocketIds): string | undefined {
  const node = unwrapExpression(room)
  if (ids.reads.has(node)) return `\`${node.getText()}\``
  const store = socketIdStoreOf(room, ids)
  return store === undefined ? undefined : `read from \`${store}\``
}

/** The store of socket ids the room is read from (`online.get(userId)`, `online[userId]`, a const holding either). */
function socketIdStoreOf(room: Node, ids: SocketIds, depth = 0): string | undefined {
  const node = unwrapExpression(room)
  const callee = Node.isCallExpression(node) ? node.getExpression() : undefined
  const container = callee && Node.isPropertyAccessExpression(callee) && callee.getName() === 'get' ? callee.getExpression() : Node.isElementAccessExpression(node) ? node.getExpression() : undefined
  if (container && ids.stores.has(container.getText())) return container.getText()
  if (!Node.isIdentifier(node) || depth >= 2) return undefined
  for (const declaration of declarationsOf(node)) {
    const init = Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined
    const found = init ? socketIdStoreOf(init, ids, depth + 1) : undefined
    if (found) return found
  }
  return undefined
}

function joinKinds(uses: SocketHandler['uses']): string[] {
  return uses.flatMap((use) => (use.kind === 'join' ? use.rooms.map(roomKind) : []))
}

function isWithin(node: Node, container: Node): boolean {
  return node.getSourceFile() === container.getSourceFile() && node.getStart() >= container.getStart() && node.getEnd() <= container.getEnd()
}
