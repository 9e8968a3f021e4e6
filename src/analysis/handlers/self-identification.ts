import { Node, SyntaxKind, type Statement } from 'ts-morph'
import type { MigrationConfig, RoomRule } from '../../config/types.js'
import type { HandlerModel, SelfIdentification, SocketHandler } from './types.js'
import { isConsoleCall } from './connection.js'
import { referencedDeclaration } from './scope.js'
import { roomKind } from './room-coupling.js'
import { unwrapExpression } from '../../ast/expression.js'

/**
 * The app's self-identification handler, when there is exactly one and nothing else joins rooms its
 * emits could be confused with. Its room then is the user's own channel and its data the user's id.
 */
export function findSelfIdentification(model: HandlerModel, config: MigrationConfig): SelfIdentification | undefined {
  const found = model.handlers.flatMap((handler) => {
    const identification = selfIdentificationOf(handler)
    return identification ? [identification] : []
  })
  if (found.length !== 1) return undefined
  const [identification] = found as [SelfIdentification]
  if (identification.roomPrefix === undefined) return identification
  if (config.rooms.some((rule) => rule.prefix === identification.roomPrefix && rule.helper !== 'emitToUser')) return undefined
  const own = identification.roomPrefix || '*'
  const otherJoins = [
    ...model.connections.flatMap((connection) => connection.setupUses),
    ...model.handlers.filter((handler) => handler !== identification.handler).flatMap((handler) => handler.uses),
  ].flatMap((use) => (use.kind === 'join' ? use.rooms.map(roomKind) : []))
  // A room named by a bare value joined elsewhere too could be anyone's: its emits cannot be told apart.
  const collides = otherJoins.some((kind) => own === '*' || kind === '*' || kind.startsWith(own) || own.startsWith(kind))
  return collides ? undefined : identification
}

function selfIdentificationOf(handler: SocketHandler): SelfIdentification | undefined {
  const value = handler.payload
  const body = handler.fn.getBody()
  if (handler.kind !== 'event' || !value || handler.ack || handler.positional || !Node.isIdentifier(value.getNameNode()) || !Node.isBlock(body)) return undefined
  // The value: the payload itself (`(userId) => …`) or one field of it (`(data) => … data.userId`), the same one throughout.
  const values = new Set<string>()
  const isValue = (node: Node): boolean => {
    const target = Node.isPropertyAccessExpression(node) && !node.hasQuestionDotToken() ? node.getExpression() : node
    const sent = Node.isIdentifier(target) && referencedDeclaration(target) === value
    if (sent) values.add(node.getText())
    return sent
  }
  const prefixes = new Set<string>()
  const storedKeys: string[] = []
  for (const use of handler.uses) {
    if (use.kind === 'join') {
      const prefix = use.rooms.length === 1 ? roomPrefixOf(use.rooms[0]!, isValue) : undefined
      if (prefix === undefined) return undefined
      prefixes.add(prefix)
    } else if (use.kind === 'data') {
      const assignment = use.node.getParentIfKind(SyntaxKind.BinaryExpression)
      if (!assignment || assignment.getLeft() !== use.node || assignment.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) return undefined
      if (!isValue(unwrapExpression(assignment.getRight()))) return undefined
      storedKeys.push(use.key)
    } else if (!isLogOnly(statementOf(use.node))) {
      return undefined
    }
  }
  if (prefixes.size > 1 || values.size !== 1 || (prefixes.size === 0 && storedKeys.length === 0)) return undefined
  // A handler joining a room the client names (`roomId`) is a room join; only a user's id identifies the client.
  const [sent] = values
  if (!isUserIdName(sent!.slice(sent!.lastIndexOf('.') + 1)) && !storedKeys.some(isUserIdName)) return undefined
  if (!body.getStatements().every((statement) => isJoinOrStore(statement, handler) || isLogOnly(statement))) return undefined
  const [roomPrefix] = prefixes
  return { handler, ...(roomPrefix === undefined ? {} : { roomPrefix }), storedKeys }
}

/** `userId`, `user_id`, `memberId`, `uid`: a name for the id of whoever uses the app. */
function isUserIdName(name: string): boolean {
  return /^(?:(?:user|member|account|profile|player|customer|client)[_-]?id|uid)$/i.test(name)
}

/** `socket.join(userId)` → `''`, `` socket.join(`user_${userId}`) `` → `user_`: the room is the value, after a literal prefix. */
function roomPrefixOf(room: Node, isValue: (node: Node) => boolean): string | undefined {
  const node = unwrapExpression(room)
  if (isValue(node)) return ''
  const asString = Node.isCallExpression(node) && node.getArguments().length === 0 ? node.getExpression() : undefined
  if (Node.isPropertyAccessExpression(asString) && asString.getName() === 'toString' && isValue(unwrapExpression(asString.getExpression()))) return ''
  if (Node.isTemplateExpression(node)) {
    const [span, ...more] = node.getTemplateSpans()
    if (span && more.length === 0 && span.getLiteral().getLiteralText() === '' && isValue(unwrapExpression(span.getExpression()))) return node.getHead().getLiteralText()
  }
  if (Node.isBinaryExpression(node) && node.getOperatorToken().getKind() === SyntaxKind.PlusToken && isValue(unwrapExpression(node.getRight()))) {
    const left = unwrapExpression(node.getLeft())
    if (Node.isStringLiteral(left) || Node.isNoSubstitutionTemplateLiteral(left)) return left.getLiteralValue()
  }
  return undefined
}

/** A statement that is one of the handler's joins or data stores. */
function isJoinOrStore(statement: Statement, handler: SocketHandler): boolean {
  if (!Node.isExpressionStatement(statement)) return false
  const expression = statement.getExpression()
  return handler.uses.some((use) => use.node === expression || use.node.getParent() === expression)
}

function isLogOnly(statement: Node | undefined): boolean {
  return Node.isExpressionStatement(statement) && isConsoleCall(statement.getExpression())
}

/** The statement a node is part of. */
function statementOf(node: Node): Node | undefined {
  return node.getFirstAncestor((ancestor) => Node.isStatement(ancestor))
}

/** The config with the self-identification's room as a user channel: emits into it become `emitToUser`. */
export function withIdentityRooms(config: MigrationConfig, identification: SelfIdentification | undefined): MigrationConfig {
  const prefix = identification?.roomPrefix
  if (prefix === undefined || config.rooms.some((rule) => rule.prefix === prefix)) return config
  const rule: RoomRule = { prefix, helper: 'emitToUser' }
  return { ...config, rooms: [...config.rooms, rule] }
}
