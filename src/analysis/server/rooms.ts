import { Node, SyntaxKind } from 'ts-morph'
import type { RoomRule } from '../../config/types.js'
import { unwrapExpression } from './syntax.js'

/**
 * Where one `.to(...)` / `.in(...)` argument sends an event.
 * - `helper`: a prefixed room (`` `room:${id}` ``, `'user:' + id`) mapped by a rule; `id` is the source text of the id
 * - `channel`: any other single room expression, kept as written (`` `course:${id}` ``, bare ids, computed names)
 * - `channels`: an expression yielding several rooms (`io.to(rooms)`), spread into a union
 */
export type RoomTarget =
  | { kind: 'helper'; helper: RoomRule['helper']; id: string; rule: RoomRule }
  | { kind: 'channel'; text: string }
  | { kind: 'channels'; text: string }

/** Classify the argument of `.to()` / `.in()`; an array literal yields one target per element. */
export function classifyRooms(argument: Node, rules: readonly RoomRule[]): RoomTarget[] {
  const target = unwrapExpression(argument)
  if (Node.isArrayLiteralExpression(target)) return target.getElements().flatMap((element) => classifyRooms(element, rules))
  if (Node.isSpreadElement(target)) return [{ kind: 'channels', text: target.getExpression().getText() }]
  for (const rule of rules) {
    const id = idAfterPrefix(target, rule.prefix)
    if (id !== undefined) return [{ kind: 'helper', helper: rule.helper, id, rule }]
  }
  return [{ kind: isSingleRoom(target) ? 'channel' : 'channels', text: argument.getText() }]
}

/** Source text of what follows the prefix, or undefined when the room is not `<prefix><id>`. */
function idAfterPrefix(node: Node, prefix: string): string | undefined {
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
      return parenthesiseIfNeeded(only.getExpression())
    }
    // `room:${a}-${b}`: the id is the rest of the template
    return '`' + node.getText().slice(1 + prefix.length)
  }
  if (Node.isBinaryExpression(node) && node.getOperatorToken().getKind() === SyntaxKind.PlusToken) {
    const left = unwrapExpression(node.getLeft())
    if ((Node.isStringLiteral(left) || Node.isNoSubstitutionTemplateLiteral(left)) && left.getLiteralValue() === prefix) {
      return parenthesiseIfNeeded(node.getRight())
    }
  }
  return undefined
}

/** Wrap ids that are not plain operands, so `emitToRoom(a ? b : c, ...)` keeps its meaning in any position. */
function parenthesiseIfNeeded(node: Node): string {
  const text = node.getText()
  return Node.isBinaryExpression(node) || Node.isConditionalExpression(node) ? `(${text})` : text
}

/**
 * True when the expression is certainly one room name: strings, templates, concatenations, and
 * identifiers/calls that are not typed as arrays. `io.to(rooms)` with `rooms: string[]` is several.
 */
function isSingleRoom(node: Node): boolean {
  if (
    Node.isStringLiteral(node) ||
    Node.isNoSubstitutionTemplateLiteral(node) ||
    Node.isTemplateExpression(node) ||
    Node.isBinaryExpression(node) ||
    Node.isNumericLiteral(node)
  ) {
    return true
  }
  const type = node.getType()
  return !type.isArray() && !type.isTuple()
}
