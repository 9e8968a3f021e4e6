import { Node, SyntaxKind, type SourceFile, type Statement } from 'ts-morph'
import { isWithin } from '../../src/analysis/handlers/scope.js'
import { plumbingVariables, usesAny } from '../../src/analysis/server/socket-files.js'
import type { ServerModel } from '../../src/analysis/server/types.js'

/** `export default defineNitroPlugin((nitroApp) => {...})` / `export default (nitroApp) => {...}` → the function body's statements. */
function pluginBody(file: SourceFile): { container: Statement; statements: Statement[] } | undefined {
  for (const statement of file.getStatements()) {
    if (!Node.isExportAssignment(statement)) continue
    let fn: Node | undefined = statement.getExpression()
    if (Node.isCallExpression(fn)) fn = fn.getArguments()[0]
    if (!Node.isArrowFunction(fn) && !Node.isFunctionExpression(fn)) return undefined
    const body = fn.getBody()
    return Node.isBlock(body) ? { container: statement, statements: body.getStatements() } : undefined
  }
  return undefined
}

/** The names a statement declares (variables, functions, classes, types). */
function declaredNames(statement: Statement): Node[] {
  if (Node.isVariableStatement(statement)) return statement.getDeclarations().map((d) => d.getNameNode())
  if (Node.hasName(statement)) return [statement.getNameNode()]
  return []
}

/** A log line about the socket server itself (`console.log('[Socket.IO] ready')`). */
function isSocketLog(statement: Statement): boolean {
  return Node.isExpressionStatement(statement) && /^console\.\w+\(/.test(statement.getText()) && /socket/i.test(statement.getText())
}

/** `(event.node.req as T).auth = event.context.auth`: hands Nitro's auth to the middleware's `socket.request.auth`. */
function feedsSocketRequest(statement: Statement, requestKeys: readonly string[]): boolean {
  return statement.getDescendants().some((node) => {
    if (!Node.isBinaryExpression(node) || node.getOperatorToken().getText() !== '=') return false
    const target = node.getLeft()
    return Node.isPropertyAccessExpression(target) && requestKeys.includes(target.getName()) && /\.node\.req\b/.test(target.getExpression().getText())
  })
}

/**
 * Statements of the file holding the connection handler that have nothing to do with Socket.IO: no io server in
 * them, and not only used by code that has one. Deleting the file would lose them, so it is kept when any exist.
 */
export function unrelatedStatements(file: SourceFile, server: ServerModel, requestKeys: readonly string[], isGone: (node: Node) => boolean): Statement[] {
  const markers = [
    ...server.accesses.map((a) => a.node),
    ...server.holders,
    ...server.augmentations.map((a) => a.node),
    ...server.connectionHandlers,
    ...server.middlewares,
  ].filter((node) => node.getSourceFile() === file && !isGone(node))
  const plugin = pluginBody(file)
  const candidates = [
    ...file.getStatements().filter((s) => !Node.isImportDeclaration(s) && s !== plugin?.container),
    ...(plugin?.statements ?? []),
  ]
  // Variables that exist only for the server (`const engine = new Engine()`) and what uses them (the Nitro
  // route of Socket.IO's Nuxt recipe that hands requests to that engine) are its plumbing.
  const plumbing = plumbingVariables(file, server, isGone)
  const related = new Set(candidates.filter((s) => isSocketLog(s) || feedsSocketRequest(s, requestKeys) || usesAny(s, plumbing) || markers.some((m) => isWithin(m, s))))
  // A declaration only used by Socket.IO code here (or by nothing) goes with it; one used by another file stays.
  // A statement that only runs such code (`const ok = await initSocket()`, a retry in a `ready` hook) goes too.
  // Repeat until nothing changes.
  for (let changed = true; changed; ) {
    changed = false
    for (const statement of candidates) {
      if (related.has(statement)) continue
      const names = declaredNames(statement)
      const goes = names.length > 0 ? onlyUsedBy(names, statement, related) : onlyRunsRelated(statement, related) || onlyFeedsRelated(statement, related)
      if (goes) {
        related.add(statement)
        changed = true
      }
    }
  }
  return candidates.filter((s) => !related.has(s))
}

/** Every read of the names outside the statement is inside related code; writes do not count (see onlyFeedsRelated). */
function onlyUsedBy(names: Node[], statement: Statement, related: ReadonlySet<Statement>): boolean {
  return names
    .flatMap((name) => (Node.isIdentifier(name) ? name.findReferencesAsNodes() : []))
    .filter((ref) => !isWithin(ref, statement) && !isAssignedTo(ref))
    .every((ref) => [...related].some((s) => isWithin(ref, s)))
}

/** `x = …`, `x ??= …`: the reference is written, not read. */
function isAssignedTo(ref: Node): boolean {
  const parent = ref.getParent()
  return Node.isBinaryExpression(parent) && parent.getLeft() === ref && ASSIGNMENTS.has(parent.getOperatorToken().getKind())
}

const ASSIGNMENTS = new Set([SyntaxKind.EqualsToken, SyntaxKind.QuestionQuestionEqualsToken, SyntaxKind.BarBarEqualsToken])

/**
 * A statement that only stores something for the Socket.IO code: it writes variables a related
 * statement declares, and calls nothing but Nitro hook registrations and logs
 * (`nitroApp.hooks.hook('request', (event) => { httpServer ??= event.node.req.socket.server })`).
 */
function onlyFeedsRelated(statement: Statement, related: ReadonlySet<Statement>): boolean {
  if (!statement.getDescendantsOfKind(SyntaxKind.CallExpression).every((call) => isLogOrHookRegistration(call.getExpression()))) return false
  const writes = statement.getDescendantsOfKind(SyntaxKind.Identifier).filter(isAssignedTo)
  return writes.length > 0 && writes.every((ref) => {
    const declaration = ref.getSymbol()?.getDeclarations()[0]
    return declaration !== undefined && [...related].some((s) => isWithin(declaration, s))
  })
}

/** A function or variable that a related statement declares (the Socket.IO initialiser of the plugin). */
function declaredByRelated(target: Node, related: ReadonlySet<Statement>): boolean {
  const name = Node.hasName(target) ? target.getNameNode() : undefined
  return name !== undefined && [...related].some((s) => declaredNames(s).includes(name))
}

/**
 * Every call in the statement is of something a related statement declares, a `console` log or a
 * Nitro hook registration, and at least one is of the former: `if (!ok) nitroApp.hooks.hook('ready', init)`.
 */
function onlyRunsRelated(statement: Statement, related: ReadonlySet<Statement>): boolean {
  let runs = false
  for (const call of statement.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression()
    const target = Node.isIdentifier(callee) ? callee.getSymbol()?.getDeclarations()[0] : undefined
    if (target && declaredByRelated(target, related)) runs = true
    else if (!isLogOrHookRegistration(callee)) return false
  }
  return runs
}

/** `console.log`, `nitroApp.hooks.hook(...)`: calls that neither need nor feed the Socket.IO code. */
function isLogOrHookRegistration(callee: Node): boolean {
  return /^console\.\w+$/.test(callee.getText()) || (Node.isPropertyAccessExpression(callee) && /^hook(?:Once)?$/.test(callee.getName()))
}
