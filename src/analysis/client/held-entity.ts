// The one entity a page shows, read back as the argument its loader was called with: what a reset reopens.
import { Node, SyntaxKind, type ParameterDeclaration } from 'ts-morph'
import { localDeclarations } from '../../ast/scope.js'
import { descendantsOfKind } from '../../ast/walk.js'
import { unwrapExpression } from '../../ast/expression.js'

/** How far a value is followed back (`room.data` → `room` → `await Promise.all([...])[0]` → the request). */
const MAX_SOURCE_DEPTH = 12
const EQUALITY = new Set([SyntaxKind.EqualsEqualsEqualsToken, SyntaxKind.ExclamationEqualsEqualsToken, SyntaxKind.EqualsEqualsToken, SyntaxKind.ExclamationEqualsToken])

/** `activeRoom.value` holds what `openRoom(roomId)` fetched; `activeRoom.value.id` is the `roomId` to call it with again. */
export interface HeldEntity {
  /** The ref or state the loader stores the entity in, as code: `activeRoom.value`, `this.board`. */
  holder: string
  /** The entity's property the code compares ids against: the loader's argument. */
  property: string
}

/**
 * The entity a loader with one parameter stores, when two things show which value it was called
 * with. First, it assigns to state declared outside it (`activeRoom.value = room.data`) what a
 * request returned whose URL names that entity by the parameter: the parameter is the URL's last
 * path segment (`/chat/rooms/${roomId}`, not `/chat/rooms/${roomId}/summary`, the summary's id is not
 * the room's). Second, the code compares exactly one property of that state with ids
 * (`message.room_id !== activeRoom.value?.id`): that property is what the page keys the entity by.
 * Anything less is a guess, and the loader stays uncalled.
 */
export function heldEntityOf(fn: Node, param: ParameterDeclaration, root: Node): HeldEntity | undefined {
  for (const assignment of descendantsOfKind(fn, SyntaxKind.BinaryExpression)) {
    if (assignment.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) continue
    const holder = unwrapExpression(assignment.getLeft())
    if (!isOutsideState(holder, fn) || !fetchedBy(assignment.getRight(), param, fn, 0)) continue
    const property = comparedProperty(holder, root)
    if (property) return { holder: holder.getText(), property }
  }
  return undefined
}

/** `ref.value`, `this.name` or a variable, declared outside the function: state the page keeps. */
function isOutsideState(target: Node, fn: Node): boolean {
  if (Node.isPropertyAccessExpression(target)) {
    const object = unwrapExpression(target.getExpression())
    if (Node.isThisExpression(object)) return true
    return target.getName() === 'value' && Node.isIdentifier(object) && declaredOutside(object, fn)
  }
  return Node.isIdentifier(target) && declaredOutside(target, fn)
}

function declaredOutside(id: Node, fn: Node): boolean {
  const decl = Node.isIdentifier(id) ? localDeclarations(id)[0] : undefined
  return decl !== undefined && Node.isVariableDeclaration(decl) && !decl.getAncestors().includes(fn)
}

/** The value is (a property of) the answer of a request whose URL ends with the parameter. */
function fetchedBy(node: Node, param: ParameterDeclaration, fn: Node, depth: number): boolean {
  if (depth > MAX_SOURCE_DEPTH) return false
  const expr = unwrapExpression(node)
  if (Node.isAwaitExpression(expr)) return fetchedBy(expr.getExpression(), param, fn, depth + 1)
  if (Node.isPropertyAccessExpression(expr)) return fetchedBy(expr.getExpression(), param, fn, depth + 1)
  if (Node.isCallExpression(expr)) {
    const url = expr.getArguments()[0]
    if (url && urlEndsWith(url, param)) return true
    // `(await fetch(url)).json()`: a method of the answer.
    const callee = unwrapExpression(expr.getExpression())
    return Node.isPropertyAccessExpression(callee) && fetchedBy(callee.getExpression(), param, fn, depth + 1)
  }
  if (!Node.isIdentifier(expr)) return false
  const decl = localDeclarations(expr)[0]
  if (!decl || !decl.getAncestors().includes(fn)) return false
  const source = Node.isVariableDeclaration(decl) || Node.isBindingElement(decl) ? boundValue(decl) : undefined
  return source !== undefined && fetchedBy(source, param, fn, depth + 1)
}

/**
 * The expression a declared name takes its value from: the initializer, the matching element of
 * `const [room, history] = await Promise.all([…])` or of an array literal, or for `const { data } = …`
 * the whole initializer (the name is a property of it).
 */
function boundValue(decl: Node): Node | undefined {
  if (Node.isVariableDeclaration(decl)) return decl.getInitializer()
  if (!Node.isBindingElement(decl)) return undefined
  const pattern = decl.getParent()
  const whole = boundValue(pattern.getParent())
  if (!whole || !Node.isArrayBindingPattern(pattern)) return whole
  return elementOf(whole, pattern.getElements().indexOf(decl))
}

/** Element `index` of an array literal, also awaited or inside `Promise.all(…)`. */
function elementOf(node: Node, index: number): Node | undefined {
  let expr = unwrapExpression(node)
  if (Node.isAwaitExpression(expr)) expr = unwrapExpression(expr.getExpression())
  if (Node.isCallExpression(expr) && unwrapExpression(expr.getExpression()).getText() === 'Promise.all') expr = unwrapExpression(expr.getArguments()[0] ?? expr)
  return Node.isArrayLiteralExpression(expr) ? expr.getElements()[index] : undefined
}

/** `` `${base}/rooms/${roomId}` `` or `'/rooms/' + roomId`, optionally with a query: the parameter names the resource. */
function urlEndsWith(node: Node, param: ParameterDeclaration): boolean {
  const parts = urlParts(unwrapExpression(node))
  const at = parts.findIndex((part) => typeof part !== 'string' && isParam(part, param))
  if (at <= 0) return false
  const before = parts[at - 1]
  const after = parts.slice(at + 1).find((part) => part !== '')
  return typeof before === 'string' && before.endsWith('/') && (after === undefined || (typeof after === 'string' && /^[?#]/.test(after)))
}

/** A URL as its literal text and the expressions between, in order; no literal text means it is not a URL. */
function urlParts(expr: Node): (string | Node)[] {
  if (Node.isTemplateExpression(expr)) {
    const parts: (string | Node)[] = [expr.getHead().getLiteralText()]
    for (const span of expr.getTemplateSpans()) parts.push(span.getExpression(), span.getLiteral().getLiteralText())
    return parts
  }
  if (Node.isBinaryExpression(expr) && expr.getOperatorToken().getKind() === SyntaxKind.PlusToken) {
    return [...urlParts(unwrapExpression(expr.getLeft())), ...urlParts(unwrapExpression(expr.getRight()))]
  }
  if (Node.isStringLiteral(expr) || Node.isNoSubstitutionTemplateLiteral(expr)) return [expr.getLiteralText()]
  return [expr]
}

/** The parameter itself, or passed alone through a conversion (`encodeURIComponent(id)`, `String(id)`). */
function isParam(node: Node, param: ParameterDeclaration): boolean {
  const expr = unwrapExpression(node)
  if (Node.isCallExpression(expr) && expr.getArguments().length === 1) return isParam(expr.getArguments()[0]!, param)
  return Node.isIdentifier(expr) && localDeclarations(expr)[0]?.compilerNode === param.compilerNode
}

/** The one property of the holder the code compares with something other than a literal: `id` of `activeRoom.value?.id !== message.room_id`. */
function comparedProperty(holder: Node, root: Node): string | undefined {
  const compared = new Set<string>()
  for (const comparison of descendantsOfKind(root, SyntaxKind.BinaryExpression)) {
    if (!EQUALITY.has(comparison.getOperatorToken().getKind())) continue
    const sides = [unwrapExpression(comparison.getLeft()), unwrapExpression(comparison.getRight())]
    const properties = sides.map((side) => (Node.isPropertyAccessExpression(side) && sameState(side.getExpression(), holder) ? side.getName() : undefined))
    for (const [i, property] of properties.entries()) {
      const other = sides[1 - i]!
      if (property && properties[1 - i] === undefined && !isLiteral(other)) compared.add(property)
    }
  }
  return compared.size === 1 ? [...compared][0] : undefined
}

/** Both name the same state: `activeRoom.value` of one declaration, or `this.board`. */
function sameState(node: Node, holder: Node): boolean {
  const a = unwrapExpression(node)
  if (Node.isPropertyAccessExpression(a) && Node.isPropertyAccessExpression(holder)) {
    if (a.getName() !== holder.getName()) return false
    const [x, y] = [unwrapExpression(a.getExpression()), unwrapExpression(holder.getExpression())]
    if (Node.isThisExpression(x) && Node.isThisExpression(y)) return true
    return Node.isIdentifier(x) && Node.isIdentifier(y) && sameDeclaration(x, y)
  }
  return Node.isIdentifier(a) && Node.isIdentifier(holder) && sameDeclaration(a, holder)
}

function sameDeclaration(a: Node, b: Node): boolean {
  const declA = Node.isIdentifier(a) ? localDeclarations(a)[0] : undefined
  return declA !== undefined && Node.isIdentifier(b) && declA.compilerNode === localDeclarations(b)[0]?.compilerNode
}

function isLiteral(node: Node): boolean {
  return Node.isLiteralExpression(node) || Node.isTrueLiteral(node) || Node.isFalseLiteral(node) || Node.isNullLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node) || (Node.isIdentifier(node) && node.getText() === 'undefined')
}
