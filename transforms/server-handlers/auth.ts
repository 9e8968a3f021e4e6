import { Node, SyntaxKind, type ObjectLiteralExpression, type VariableDeclaration } from 'ts-morph'
import type { AuthMiddleware, Blocker, HandshakeRead, HttpAuthUtil } from '../../src/analysis/handlers/types.js'
import type { MigrationConfig } from '../../src/config/types.js'
import { isClientSentId } from '../../src/analysis/handlers/socket-uses.js'
import { isConsoleCall } from '../../src/analysis/handlers/connection.js'
import { addRethrow, handshakeExpression, triesCatching } from './rewrite.js'
import { renderStatements, type Replacements } from './render.js'
import { descendantsOfKind } from '../../src/ast/walk.js'
import { replaceSocketIoTypes } from './socket-types.js'
import { isPropertyName } from '../../src/analysis/server/syntax.js'

/** What `authenticateSSE` returns: the keys the middleware stored on the socket, plus `id`. */
export interface AuthShape {
  keys: string[]
  /** The id expression in terms of the keys (`userId`, `user.id`). */
  id: string
}

export function authShape(middleware: AuthMiddleware): AuthShape | undefined {
  const keys = middleware.dataKeys
  const id = keys.includes('userId') ? 'userId' : keys.includes('id') ? 'id' : keys.includes('user') ? 'user.id' : undefined
  return id ? { keys, id } : undefined
}

/** The owner object `subscribe` needs, written with the bindings of the auth keys. */
export function ownerOf(shape: AuthShape, binding: (key: string) => string): string {
  const [key, ...rest] = shape.id.split('.')
  const expr = [binding(key!), ...rest].join('.')
  return expr === 'userId' ? '{ userId }' : `{ userId: ${expr} }`
}

/** Handshake fields that carry a credential (`token`, `accessToken`, `jwt`, `apiKey`, `session`). */
const TOKEN_NAME = /token|jwt|key|session|auth/i

/** `{ id: userId, user, userId }`: what authenticateSSE returns. */
function userObject(shape: AuthShape): string {
  return `{ ${[shape.id === 'id' ? 'id' : `id: ${shape.id}`, ...shape.keys.filter((k) => k !== 'id')].join(', ')} }`
}

/**
 * `authenticateSSE` as a call of the repo's own HTTP auth util: possible when the middleware stores only a value
 * it got from a verification function that util calls too (`const user = await verifyToken(token)` and
 * `requireAuth` calls `verifyToken`), so the util yields the same value. Undefined otherwise.
 */
export function reuseHttpAuth(middleware: AuthMiddleware, shape: AuthShape, util: HttpAuthUtil, eventName: string): string | undefined {
  const verified = verifiedDeclaration(middleware, (callee) => util.calls.includes(callee))
  if (!verified || middleware.assignments.length === 0) return undefined
  const name = verified.getName()
  const onlyVerified = middleware.assignments.every((a) =>
    [a.value, ...a.value.getDescendants()].every((n) => !Node.isIdentifier(n) || n.getText() === name || isPropertyName(n)))
  if (!onlyVerified) return undefined
  const lines = [`const ${name} = await ${util.name}(${eventName})`]
  for (const a of middleware.assignments) {
    if (a.key !== a.value.getText()) lines.push(`const ${a.key} = ${a.value.getText()}`)
  }
  lines.push(`return ${userObject(shape)}`)
  return lines.join('\n')
}

/**
 * The app's own HTTP auth for routes that need only the user's id: the middleware verified the token
 * with a function the util also calls and whose result the util returns (`requireAuth` returning
 * `verifyAccessToken(token)`'s payload), then looked the user up by a field of that result
 * (`getUserWithRoles(payload.userId)`). The util gives that field without the lookup.
 */
export interface LightAuth {
  /** The util, e.g. `requireAuth`. */
  call: string
  /** The field of its result that is the user's id, e.g. `userId`. */
  idField: string
  /** The socket data key the user is stored under, e.g. `user`. */
  userKey: string
  /** The user's id property, e.g. `id` of `user.id`. */
  idProperty: string
  /** Where the app's routes import the util from, when through an alias. */
  importSpecifier?: string
}

export function lightHttpAuth(middleware: AuthMiddleware, shape: AuthShape, util: HttpAuthUtil): LightAuth | undefined {
  const [userKey, idProperty, ...deeper] = shape.id.split('.')
  if (!userKey || !idProperty || deeper.length > 0) return undefined
  const verified = verifiedDeclaration(middleware, (callee) => util.calls.includes(callee) && util.returnsResultOf.includes(callee))
  const stored = middleware.assignments.find((assignment) => assignment.key === userKey)
  if (!verified || !stored) return undefined
  let value: Node | undefined = stored.value
  if (Node.isIdentifier(value)) {
    const declaration = value.getSymbol()?.getDeclarations()[0]
    value = Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined
  }
  if (Node.isAwaitExpression(value)) value = value.getExpression()
  const [key, ...more] = Node.isCallExpression(value) ? value.getArguments() : []
  const byField = Node.isPropertyAccessExpression(key) && key.getExpression().getText() === verified.getName() && more.length === 0
  if (!byField) return undefined
  return { call: util.name, idField: key.getName(), userKey, idProperty, importSpecifier: util.importSpecifier }
}

/** `const payload = [await] verify(token)` in the middleware, where `verify` is a function `accepts` names. */
function verifiedDeclaration(middleware: AuthMiddleware, accepts: (callee: string) => boolean): VariableDeclaration | undefined {
  return descendantsOfKind(middleware.fn, SyntaxKind.VariableDeclaration).find((declaration) => {
    const init = declaration.getInitializer()
    const call = Node.isAwaitExpression(init) ? init.getExpression() : init
    const callee = Node.isCallExpression(call) ? call.getExpression() : undefined
    return Node.isIdentifier(declaration.getNameNode()) && Node.isIdentifier(callee) && accepts(callee.getText())
  })
}

/** `(x as T)` → the outermost wrapper of x. */
function wrapped(node: Node): Node {
  let n = node
  while (Node.isParenthesizedExpression(n.getParent()) || Node.isAsExpression(n.getParent()) || Node.isNonNullExpression(n.getParent())) n = n.getParent()!
  return n
}

function isChainOperator(node: Node | undefined): node is import('ts-morph').BinaryExpression {
  if (!Node.isBinaryExpression(node)) return false
  const kind = node.getOperatorToken().getKind()
  return kind === SyntaxKind.BarBarToken || kind === SyntaxKind.QuestionQuestionToken
}

/** `(a ? b : c)` → `a ? b : c` when the outer parentheses enclose the whole text. */
function withoutParens(text: string): string {
  if (!text.startsWith('(') || !text.endsWith(')')) return text
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++
    else if (text[i] === ')') depth--
    if (depth === 0 && i < text.length - 1) return text
  }
  return text.slice(1, -1)
}

export interface AuthenticateResult {
  /** The function's body statements. */
  body: string
  blockers: Blocker[]
  /** Token sources dropped because HTTP carries them elsewhere or they are not allowed. */
  droppedQuery: Node[]
}

/**
 * The middleware body as `authenticateSSE(event)`: handshake reads become request reads, `socket.data.k = v`
 * becomes `const k = v`, `next()` returns the user, `next(new Error(m))` throws a 401 with the same message.
 */
export function renderAuthenticate(middleware: AuthMiddleware, shape: AuthShape, config: MigrationConfig, eventName: string, unit: string): AuthenticateResult {
  const replacements: Replacements = new Map()
  const blockers: Blocker[] = []
  const droppedQuery: Node[] = []
  const removeOperand = (read: Node): boolean => {
    const operand = wrapped(read)
    const chain = operand.getParent()
    if (!isChainOperator(chain)) return false
    const other = chain.getLeft() === operand ? chain.getRight() : chain.getLeft()
    const standalone = !isChainOperator(chain.getParent()) && !Node.isParenthesizedExpression(chain.getParent())
    replacements.set(chain, (render) => (standalone ? withoutParens(render(other)) : render(other)))
    return true
  }
  const chainRoot = (read: Node) => {
    let root = wrapped(read)
    while (isChainOperator(root.getParent())) root = root.getParent()!
    return root
  }
  // A client that names its own user is not authentication; such a middleware is reported, never carried over.
  const clientIds = middleware.reads.filter((r) => (r.kind === 'auth' || r.kind === 'query') && isClientSentId(r.name))
  for (const read of clientIds) blockers.push({ node: read.node, reason: `trusts \`${read.node.getText()}\`, which the client chooses, to say who the user is` })
  const otherAuth = middleware.reads.filter((r) => r.kind === 'auth' && !clientIds.includes(r) && !TOKEN_NAME.test(r.name))
  for (const read of otherAuth) blockers.push({ node: read.node, reason: `reads \`${read.node.getText()}\`, which a plain HTTP request does not carry` })
  // Over HTTP the client's `auth.token` travels as `Authorization: Bearer`, and so does a query token unless allowed.
  const isToken = (r: HandshakeRead) => !clientIds.includes(r) && TOKEN_NAME.test(r.name)
  const bearer = middleware.reads.filter((r) => isToken(r) && (r.kind === 'auth' || (r.kind === 'query' && !config.allowQueryToken)))
  const bearerRead = { kind: 'auth', node: middleware.fn, name: 'token' } as const
  const chainsWithBearer = new Set<Node>()
  for (const read of middleware.reads) {
    if (clientIds.includes(read) || otherAuth.includes(read)) continue
    if (!bearer.includes(read)) {
      replacements.set(read.node, () => handshakeExpression(read, eventName))
      continue
    }
    if (read.kind === 'query') droppedQuery.push(read.node)
    const root = chainRoot(read.node)
    const rest = bearer.reduce((text, r) => text.replace(r.node.getText(), ''), root.getText())
    const headerElsewhere = root !== wrapped(read.node) && rest.toLowerCase().includes('authorization')
    if ((headerElsewhere || chainsWithBearer.has(root)) && removeOperand(read.node)) continue
    chainsWithBearer.add(root)
    replacements.set(read.node, () => handshakeExpression(bearerRead, eventName))
  }
  const declared = new Set(descendantsOfKind(middleware.fn, SyntaxKind.VariableDeclaration).map((d) => d.getName()))
  for (const assignment of middleware.assignments) {
    const value = assignment.value
    const same = Node.isIdentifier(value) && value.getText() === assignment.key
    if (!same && declared.has(assignment.key)) {
      blockers.push({ node: assignment.node, reason: `stores \`${assignment.key}\` on the socket while a local variable has that name` })
      continue
    }
    replacements.set(assignment.node, (render) => (same ? '' : `const ${assignment.key} = ${render(value)}`))
  }
  const user = userObject(shape)
  for (const call of middleware.nextCalls) {
    const parent = call.node.getParent()
    const statement = Node.isExpressionStatement(parent) || Node.isReturnStatement(parent) ? parent : undefined
    if (!statement) {
      blockers.push({ node: call.node, reason: 'calls `next` inside an expression' })
      continue
    }
    if (!call.refusal) {
      const outside = middleware.assignments.find((a) => !a.node.getParent()!.getDescendants().includes(call.node))
      if (outside) blockers.push({ node: call.node, reason: 'lets the connection in outside the block that stores the user' })
      replacements.set(statement, () => `return ${user}`)
      continue
    }
    const message = call.refusal.message
    replacements.set(statement, (render) => `throw createError({ statusCode: 401, message: ${message ? render(message) : `'Authentication failed'`} })`)
    // A `return` right after `next(error)` can no longer run.
    const following = statement.getNextSibling()
    if (Node.isReturnStatement(following) && !following.getExpression()) replacements.set(following, () => '')
  }
  // A refusal inside a `try` would land in that try's `catch` and be answered with the catch's own message.
  const refusalTries = new Set(middleware.nextCalls.filter((call) => call.refusal).flatMap((call) => triesCatching(call.node, middleware.fn)))
  for (const tryStatement of refusalTries) addRethrow(tryStatement, replacements)
  dropCredentialLogs(middleware.fn, bearer.map((read) => read.node), replacements)
  replaceSocketIoTypes(middleware.fn, replacements, blockers)
  const body = middleware.fn.getBody()
  const statements = Node.isBlock(body) ? body.getStatements() : []
  return { body: renderStatements(statements, replacements, unit), blockers, droppedQuery }
}

/**
 * Log lines that print the credential (`tokenPreview: token.substring(0, 20)`) lose what they print
 * of it: once every request carries the token, each would write a piece of it to the logs. Whether
 * there was one (`!!token`, the test of `token ? … : …`) is still printed.
 */
function dropCredentialLogs(fn: Node, credentials: readonly Node[], replacements: Replacements): void {
  const holders = new Set(
    descendantsOfKind(fn, SyntaxKind.VariableDeclaration)
      .filter((declaration) => {
        const init = declaration.getInitializer()
        return init !== undefined && credentials.some((read) => init === read || init.containsRange(read.getPos(), read.getEnd()))
      })
      .map((declaration) => declaration.getName()),
  )
  const isCredential = (node: Node) =>
    credentials.includes(node) || (Node.isIdentifier(node) && holders.has(node.getText()) && !isPropertyName(node) && !Node.isVariableDeclaration(node.getParent()))
  const leaks = (node: Node) => [node, ...node.getDescendants()].some((n) => isCredential(n) && !onlyTested(n))
  for (const call of descendantsOfKind(fn, SyntaxKind.CallExpression)) {
    const statement = call.getParent()
    if (!isConsoleCall(call) || !Node.isExpressionStatement(statement)) continue
    const args = call.getArguments()
    if (args.some((arg) => leaks(arg) && !Node.isObjectLiteralExpression(arg))) {
      replacements.set(statement, () => '')
      continue
    }
    for (const object of args.filter(Node.isObjectLiteralExpression)) {
      const dropped = new Set<Node>(object.getProperties().filter(leaks))
      if (dropped.size > 0) replacements.set(object, (render) => withoutProperties(object, dropped, render))
    }
  }
}

/** `!token`, `Boolean(token)`, the test of `token ? a : b`: only whether there is one. */
function onlyTested(node: Node): boolean {
  const parent = node.getParent()
  if (Node.isPrefixUnaryExpression(parent)) return parent.getOperatorToken() === SyntaxKind.ExclamationToken
  if (Node.isConditionalExpression(parent)) return parent.getCondition() === node
  return Node.isCallExpression(parent) && parent.getExpression().getText() === 'Boolean'
}

/** The object literal without some of its properties, each removed with the separator after it (before it, for the last). */
function withoutProperties(object: ObjectLiteralExpression, dropped: ReadonlySet<Node>, render: (node: Node) => string): string {
  const text = object.getSourceFile().getFullText()
  const properties = object.getProperties()
  let out = ''
  let cursor = object.getStart()
  let kept = false
  properties.forEach((property, i) => {
    if (!dropped.has(property)) {
      out += text.slice(cursor, property.getStart()) + render(property)
      cursor = property.getEnd()
      kept = true
      return
    }
    const next = properties[i + 1]
    if (next || !kept) out += text.slice(cursor, next ? property.getStart() : object.getStart() + 1)
    cursor = next ? next.getStart() : property.getEnd()
  })
  return out + text.slice(cursor, object.getEnd())
}
