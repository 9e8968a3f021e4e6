import { Node, SyntaxKind } from 'ts-morph'
import type { RoomRule } from '../../config/types.js'
import { unwrapExpression } from '../../ast/expression.js'
import { declarationsOf as symbolDeclarations } from '../symbols.js'

/**
 * Where one `.to(...)` / `.in(...)` argument sends an event.
 * - `helper`: a prefixed room (`` `room:${id}` ``, `'user:' + id`) mapped by a rule; `id` is the source text of the id
 * - `channel`: any other single room expression, kept as written (`` `course:${id}` ``, bare ids, computed names)
 * - `channels`: an expression yielding several rooms (`io.to(rooms)` with `rooms: string[]`), spread into a union
 * - `unknown`: an expression that may be one room or several (`io.to(getRooms())`)
 */
export type RoomTarget =
  | { kind: 'helper'; helper: RoomRule['helper']; id: string; rule: RoomRule }
  | { kind: 'channel' | 'channels' | 'unknown'; text: string }

/** Classify the argument of `.to()` / `.in()`; an array literal yields one target per element. */
export function classifyRooms(argument: Node, rules: readonly RoomRule[]): RoomTarget[] {
  const target = unwrapExpression(argument)
  if (Node.isArrayLiteralExpression(target)) return target.getElements().flatMap((element) => classifyRooms(element, rules))
  if (Node.isSpreadElement(target)) return [{ kind: 'channels', text: target.getExpression().getText() }]
  for (const rule of rules) {
    const id = idAfterPrefix(target, rule.prefix)
    if (id !== undefined) return [{ kind: 'helper', helper: rule.helper, id, rule }]
  }
  const arity = roomArity(target)
  return [{ kind: arity === 'one' ? 'channel' : arity === 'many' ? 'channels' : 'unknown', text: argument.getText() }]
}

/**
 * Source text of what follows the prefix, or undefined when the room is not `<prefix><id>`. The empty
 * prefix (rooms named by the id alone) takes only a name with no literal part: `userId`, `` `${id}` ``.
 */
function idAfterPrefix(node: Node, prefix: string): string | undefined {
  if (prefix === '') return bareId(node)
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) {
    const value = node.getLiteralValue()
    if (!value.startsWith(prefix) || value.length === prefix.length) return undefined
    const quote = node.getText()[0] ?? "'"
    return `${quote}${node.getText().slice(1 + prefix.length)}`
  }
  if (Node.isTemplateExpression(node)) {
    const head = node.getHead().getLiteralText()
    if (!head.startsWith(prefix)) return undefined
    const spans = node.getTemplateSpans()
    const only = spans[0]
    if (head === prefix && spans.length === 1 && only && only.getLiteral().getLiteralText() === '') {
      return definedId(only.getExpression())
    }
    // `room:${a}-${b}`: the id is the rest of the template
    return '`' + node.getText().slice(1 + prefix.length)
  }
  if (Node.isBinaryExpression(node) && node.getOperatorToken().getKind() === SyntaxKind.PlusToken) {
    const left = unwrapExpression(node.getLeft())
    if ((Node.isStringLiteral(left) || Node.isNoSubstitutionTemplateLiteral(left)) && left.getLiteralValue() === prefix) {
      return definedId(node.getRight())
    }
  }
  return undefined
}

/** A room named by a value alone (`userId`, `user.id.toString()`), with no literal text in its name. */
export function isBareRoomName(room: Node): boolean {
  return bareId(unwrapExpression(room)) !== undefined
}

/** The id of a room named by a value alone: any expression whose name does not start with literal text. */
function bareId(node: Node): string | undefined {
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node) || Node.isNumericLiteral(node)) return undefined
  if (Node.isTemplateExpression(node)) {
    if (node.getHead().getLiteralText() !== '') return undefined
    const [span, ...more] = node.getTemplateSpans()
    return span && more.length === 0 && span.getLiteral().getLiteralText() === '' ? definedId(span.getExpression()) : node.getText()
  }
  if (Node.isBinaryExpression(node) && node.getOperatorToken().getKind() === SyntaxKind.PlusToken) {
    const left = unwrapExpression(node.getLeft())
    if (Node.isStringLiteral(left) || Node.isNoSubstitutionTemplateLiteral(left)) return undefined
  }
  return definedId(node)
}

/** h3 readers typed `string | undefined`, which a template hole accepted and a helper's id does not. */
const MAYBE_UNDEFINED_READERS = new Set(['getRouterParam', 'getCookie', 'getHeader', 'getRequestHeader'])

/**
 * The id of `` `room:${id}` `` as a helper argument. A hole took `undefined` (`room:undefined`); a
 * helper's id is typed, so a router param of the route's own `[param]` segment (always present) gets
 * `!`, and any other value that may be undefined is passed through `String()` as the template did.
 */
function definedId(node: Node): string {
  const source = maybeUndefinedSource(withoutParentheses(node))
  if (source === undefined) return parenthesiseIfNeeded(node)
  if (source.routeParam !== undefined && routeSegments(node).has(source.routeParam)) return `${node.getText()}!`
  return `String(${node.getText()})`
}

/** Where a value that may be `undefined` comes from, or undefined when nothing says it may be. */
function maybeUndefinedSource(node: Node): { routeParam?: string } | undefined {
  if (Node.isPropertyAccessExpression(node) || Node.isElementAccessExpression(node) || Node.isCallExpression(node)) {
    if (node.hasQuestionDotToken()) return {}
  }
  if (Node.isCallExpression(node)) {
    const callee = unwrapExpression(node.getExpression())
    if (!Node.isIdentifier(callee) || !MAYBE_UNDEFINED_READERS.has(callee.getText())) return undefined
    const name = node.getArguments()[1]
    const param = callee.getText() === 'getRouterParam' && name && Node.isStringLiteral(name) ? name.getLiteralValue() : undefined
    return param === undefined ? {} : { routeParam: param }
  }
  if (!Node.isIdentifier(node)) return undefined
  for (const declaration of symbolDeclarations(node)) {
    if (!Node.isVariableDeclaration(declaration) || declaration.getTypeNode()) continue
    const initializer = declaration.getInitializer()
    if (initializer) return maybeUndefinedSource(withoutParentheses(initializer))
  }
  return undefined
}

/** Parentheses only: `x!` and `x as string` say the author knows the value is there. */
function withoutParentheses(node: Node): Node {
  return Node.isParenthesizedExpression(node) ? withoutParentheses(node.getExpression()) : node
}

/** The `[param]` segments of the route file holding `node` (`server/api/rooms/[id]/close.post.ts` → `id`). */
function routeSegments(node: Node): Set<string> {
  return new Set([...node.getSourceFile().getFilePath().matchAll(/\[(?:\.\.\.)?([^\]/]+)\]/g)].map((match) => match[1]!))
}

/** Wrap ids that are not plain operands, so `emitToRoom(a ? b : c, ...)` keeps its meaning in any position. */
function parenthesiseIfNeeded(node: Node): string {
  const text = node.getText()
  return Node.isBinaryExpression(node) || Node.isConditionalExpression(node) ? `(${text})` : text
}

/** Array methods that return arrays. */
const ARRAY_RETURNING = new Set(['map', 'filter', 'concat', 'slice', 'flat', 'flatMap'])

/**
 * Whether an expression is one room name or several, from syntax alone (the analysis has no type
 * checker for the user's libraries): literals and concatenations are one, array literals and
 * variables declared as arrays are several, anything else is unknown.
 */
function roomArity(node: Node): 'one' | 'many' | 'unknown' {
  if (
    Node.isStringLiteral(node) ||
    Node.isNoSubstitutionTemplateLiteral(node) ||
    Node.isTemplateExpression(node) ||
    Node.isBinaryExpression(node) ||
    Node.isNumericLiteral(node)
  ) {
    return 'one'
  }
  if (Node.isArrayLiteralExpression(node)) return 'many'
  if (Node.isCallExpression(node)) {
    const callee = unwrapExpression(node.getExpression())
    if (Node.isIdentifier(callee) && callee.getText() === 'String') return 'one'
    if (Node.isPropertyAccessExpression(callee)) {
      if (callee.getName() === 'toString') return 'one'
      if (ARRAY_RETURNING.has(callee.getName())) return 'many'
    }
    return 'unknown'
  }
  if (!Node.isIdentifier(node)) return 'unknown'
  for (const declaration of symbolDeclarations(node)) {
    if (!Node.isVariableDeclaration(declaration) && !Node.isParameterDeclaration(declaration)) continue
    const typeNode = declaration.getTypeNode()
    if (typeNode) return isArrayType(typeNode) ? 'many' : 'one'
    const initializer = declaration.getInitializer()
    if (initializer) return roomArity(unwrapExpression(initializer))
  }
  return 'unknown'
}

function isArrayType(typeNode: Node): boolean {
  if (Node.isArrayTypeNode(typeNode) || Node.isTupleTypeNode(typeNode)) return true
  if (Node.isTypeOperatorTypeNode(typeNode)) return isArrayType(typeNode.getTypeNode())
  return Node.isTypeReference(typeNode) && /^(Readonly)?Array$/.test(typeNode.getTypeName().getText())
}
