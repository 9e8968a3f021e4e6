import { Node, SyntaxKind, type Identifier, type NewExpression } from 'ts-morph'
import type { Repo } from '../../project/types.js'
import { declarationsOf, importSourceOf } from './imports.js'
import { ownReturnStatements } from './syntax.js'
import { unwrapExpression } from '../../ast/expression.js'
import type { AppRedisFactory, IoMemberUse, IoServerSite, RedisAdapterInfo, ServerSiteKind } from './types.js'
import { descendants } from '../../ast/walk.js'
import { declarationsOf as symbolDeclarations } from '../symbols.js'
import { findServerUtil } from '../server-utils.js'

/** Nitro hooks a server can be created in lazily (C3). */
const LAZY_HOOKS = new Set(['request', 'render:response', 'beforeResponse', 'afterResponse'])

/** Describe one `new Server(...)`: its kind, generics, options, and the member uses around it. */
export function describeSite(repo: Repo, creation: NewExpression, file: string, uses: IoMemberUse[]): IoServerSite {
  const args = creation.getArguments()
  const first = args[0] ? unwrapExpression(args[0]) : undefined
  const options = first && Node.isObjectLiteralExpression(first) ? first : args[1]
  const sameFile = uses.filter((use) => use.file === file)
  const usesEngineIo = sameFile.some((use) => use.member === 'bind')
  const attachedOnListen = sameFile.some((use) => use.member === 'attach' && hookNameAround(use.node) === 'listen')
  const standalonePort = first && !Node.isObjectLiteralExpression(first) ? standaloneListenPort(repo, first) : undefined
  const adapterUse = sameFile.find((use) => use.member === 'adapter')
  return {
    kind: classify(repo, creation, file, { usesEngineIo, standalone: standalonePort !== undefined }),
    file,
    creation,
    typeArguments: creation.getTypeArguments().map((argument) => argument.getText()),
    options,
    attachedOnListen,
    standalonePort,
    usesEngineIo,
    redisAdapter: adapterUse ? describeRedisAdapter(repo, adapterUse) : undefined,
  }
}

function classify(repo: Repo, creation: NewExpression, file: string, facts: { usesEngineIo: boolean; standalone: boolean }): ServerSiteKind {
  const serverDir = repo.relative(repo.layout.serverDir)
  if (file.startsWith(`${serverDir}/middleware/`)) return 'middleware'
  if (file.startsWith(`${serverDir}/routes/`) || file.startsWith(`${serverDir}/api/`)) return 'route-module'
  if (facts.standalone) return 'standalone'
  if (facts.usesEngineIo) return 'engine'
  const hook = hookNameAround(creation)
  if (hook !== undefined && LAZY_HOOKS.has(hook)) return 'lazy-hook'
  if (file.startsWith(`${serverDir}/plugins/`)) return 'plugin'
  return 'other'
}

/** The name of the Nitro hook a node sits in: `nitroApp.hooks.hook('listen', ...)` / `hookOnce(...)` → `listen`. */
function hookNameAround(node: Node): string | undefined {
  for (const call of node.getAncestors().filter(Node.isCallExpression)) {
    const callee = call.getExpression()
    if (!Node.isPropertyAccessExpression(callee) || !['hook', 'hookOnce'].includes(callee.getName())) continue
    const first = call.getArguments()[0]
    if (first && Node.isStringLiteral(first)) return first.getLiteralValue()
  }
  return undefined
}

/** For `new Server(httpServer)` where `httpServer = createServer()` and `httpServer.listen(port)`: the port expression (C6). */
function standaloneListenPort(repo: Repo, argument: Node): Node | undefined {
  let server = argument
  if (Node.isIdentifier(argument)) {
    const declaration = declarationsOf(repo, argument).find(Node.isVariableDeclaration)
    const initializer = declaration?.getInitializer()
    if (!declaration || !initializer) return undefined
    server = unwrapExpression(initializer)
    if (!isCreateServerCall(server)) return undefined
    for (const reference of declaration.getNameNode().asKind(SyntaxKind.Identifier)?.findReferencesAsNodes() ?? []) {
      const access = reference.getParent()
      const call = access?.getParent()
      if (Node.isPropertyAccessExpression(access) && access.getName() === 'listen' && Node.isCallExpression(call)) {
        return call.getArguments()[0]
      }
    }
    return undefined
  }
  return undefined
}

function isCreateServerCall(node: Node): boolean {
  if (!Node.isCallExpression(node)) return false
  const callee = unwrapExpression(node.getExpression())
  if (Node.isPropertyAccessExpression(callee)) return callee.getName() === 'createServer'
  if (!Node.isIdentifier(callee) || callee.getText() !== 'createServer') return false
  return symbolDeclarations(callee).some((declaration) => /^(node:)?https?$/.test(importSourceOf(declaration) ?? ''))
}

/** `io.adapter(createAdapter(pub, sub))`: which client library and which connection settings (C9). */
function describeRedisAdapter(repo: Repo, use: IoMemberUse): RedisAdapterInfo | undefined {
  const call = use.node
  if (!Node.isCallExpression(call)) return undefined
  const factory = call.getArguments()[0] ? unwrapExpression(call.getArguments()[0]!) : undefined
  if (!factory || !Node.isCallExpression(factory)) return undefined
  const factoryName = unwrapExpression(factory.getExpression())
  const fromRedisAdapter = Node.isIdentifier(factoryName) &&
    symbolDeclarations(factoryName).some((declaration) => importSourceOf(declaration) === '@socket.io/redis-adapter')
  if (!fromRedisAdapter) return undefined
  const pub = factory.getArguments()[0]
  const client = pub ? redisClientOf(repo, pub, 0) : undefined
  const tryStatement = call.getFirstAncestorByKind(SyntaxKind.TryStatement)
  const inTryBlock = tryStatement !== undefined && tryStatement.getTryBlock().containsRange(call.getPos(), call.getEnd())
  const connection = client?.connection ? traceValue(repo, client.connection, 0) : undefined
  return {
    call,
    client: client?.library ?? 'unknown',
    connection,
    connectionText: connection?.getText(),
    connectionIsLiteral: connection !== undefined && (Node.isStringLiteral(connection) || Node.isNoSubstitutionTemplateLiteral(connection)),
    envVars: connection ? envVarsIn(connection) : [],
    runtimeConfigKey: connection ? runtimeConfigKeyOf(repo, connection) : undefined,
    fallsBackToMemory: inTryBlock && tryStatement?.getCatchClause() !== undefined,
    clientFactory: client?.factory,
  }
}

interface RedisClient {
  library: 'ioredis' | 'redis' | 'unknown'
  connection?: Node
  /** The app's own function the client came from (`getRedisClient()`), when it came from one. */
  factory?: AppRedisFactory
}

/** Follow a pub/sub client expression to its construction: `new Redis(url)`, `createClient({ url })`, `pub.duplicate()`. */
function redisClientOf(repo: Repo, expression: Node, depth: number): RedisClient | undefined {
  if (depth > 10) return undefined
  const target = unwrapExpression(expression)
  if (Node.isIdentifier(target)) {
    const declaration = declarationsOf(repo, target).find(Node.isVariableDeclaration)
    const initializer = declaration?.getInitializer()
    return initializer ? redisClientOf(repo, initializer, depth + 1) : undefined
  }
  if (Node.isAwaitExpression(target)) return redisClientOf(repo, target.getExpression(), depth + 1)
  if (Node.isNewExpression(target)) {
    const source = moduleOfCallee(target.getExpression())
    return { library: source === 'ioredis' ? 'ioredis' : 'unknown', connection: target.getArguments()[0] }
  }
  if (Node.isCallExpression(target)) {
    const callee = unwrapExpression(target.getExpression())
    if (Node.isPropertyAccessExpression(callee) && callee.getName() === 'duplicate') {
      return redisClientOf(repo, callee.getExpression(), depth + 1)
    }
    if (Node.isPropertyAccessExpression(callee) && callee.getName() === 'connect') {
      // `createClient(...).connect()` style chains
      return redisClientOf(repo, callee.getExpression(), depth + 1)
    }
    const fromApp = Node.isIdentifier(callee) ? clientFromAppFunction(repo, target, callee, depth) : undefined
    if (fromApp) return fromApp
    const source = moduleOfCallee(callee)
    if (source === 'redis' || source === '@redis/client') {
      const options = target.getArguments()[0]
      const optionsObject = options ? unwrapExpression(options) : undefined
      const url = optionsObject && Node.isObjectLiteralExpression(optionsObject)
        ? optionsObject.getProperty('url')
        : undefined
      const connection = url && Node.isPropertyAssignment(url) ? url.getInitializer() : options
      return { library: 'redis', connection }
    }
  }
  return undefined
}

/**
 * A client returned by a function of the app (imported, local, or auto-imported from its utils):
 * `getRedisClient()` making or caching `new Redis({...})`. When that call takes no arguments and the
 * function is exported from another server file, other code can call it to reach the same Redis
 * with the same settings: it is the client's factory.
 */
function clientFromAppFunction(repo: Repo, call: Node, callee: Identifier, depth: number): RedisClient | undefined {
  const imported = symbolDeclarations(callee)
  const fn = imported.length > 0 ? declarationsOf(repo, callee).find(Node.isFunctionDeclaration) : findServerUtil(repo, callee.getText())?.fn
  const body = fn?.getBody()
  if (!fn || !Node.isBlock(body)) return undefined
  const returned = ownReturnStatements(fn).flatMap((statement) => statement.getExpression() ?? [])
  const client = returned.map((value) => clientHeldBy(repo, value, body, depth + 1)).find((found) => found !== undefined)
  if (!client) return undefined
  const file = repo.unitOf(fn.getSourceFile())?.path
  // One declared beside the Socket.IO code goes with it; only a function of another server file outlives the migration.
  const reusable = Node.isCallExpression(call) && call.getArguments().length === 0 && fn.isExported() && fn.getSourceFile() !== callee.getSourceFile() &&
    file !== undefined && file.startsWith(`${repo.relative(repo.layout.serverDir)}/`)
  if (!reusable || client.library !== 'ioredis') return { library: client.library, connection: client.connection }
  return { ...client, factory: { name: callee.getText(), file, importSpecifier: importSourceOf(imported[0] ?? callee) } }
}

/** The client an expression holds: built right there, or assigned to the variable it names (`client = new Redis(...)` in `body`). */
function clientHeldBy(repo: Repo, expression: Node, body: Node, depth: number): RedisClient | undefined {
  const direct = redisClientOf(repo, expression, depth)
  const target = unwrapExpression(expression)
  if (direct || !Node.isIdentifier(target)) return direct
  for (const assignment of body.getDescendantsOfKind(SyntaxKind.BinaryExpression)) {
    const operator = assignment.getOperatorToken().getKind()
    if (operator !== SyntaxKind.EqualsToken && operator !== SyntaxKind.QuestionQuestionEqualsToken) continue
    if (assignment.getLeft().getText() !== target.getText()) continue
    const client = redisClientOf(repo, assignment.getRight(), depth + 1)
    if (client) return client
  }
  return undefined
}

function moduleOfCallee(callee: Node): string | undefined {
  const target = unwrapExpression(callee)
  const identifier = Node.isPropertyAccessExpression(target) ? target.getExpression() : target
  if (!Node.isIdentifier(identifier)) return undefined
  for (const declaration of symbolDeclarations(identifier)) {
    const source = importSourceOf(declaration)
    if (source) return source
  }
  return undefined
}

/** `process.env.REDIS_URL` → `REDIS_URL` (also `process.env['X']`). */
function envVarsIn(node: Node): string[] {
  const names = new Set<string>()
  for (const access of [node, ...descendants(node)]) {
    if (!Node.isPropertyAccessExpression(access) && !Node.isElementAccessExpression(access)) continue
    const object = access.getExpression()
    if (object.getText() !== 'process.env') continue
    if (Node.isPropertyAccessExpression(access)) names.add(access.getName())
    else {
      const argument = access.getArgumentExpression()
      if (argument && Node.isStringLiteral(argument)) names.add(argument.getLiteralValue())
    }
  }
  return [...names]
}

/**
 * Follow a value back to where it is written: a `const` to its initializer, a function parameter to
 * the argument of the function's only call in the file (`useRedisAdapter(io, config.redisUrl)`).
 */
function traceValue(repo: Repo, node: Node, depth: number): Node {
  const target = unwrapExpression(node)
  if (depth > 10 || !Node.isIdentifier(target)) return node
  const declaration = declarationsOf(repo, target)[0]
  if (Node.isVariableDeclaration(declaration)) {
    const initializer = declaration.getInitializer()
    return initializer && isConstant(declaration) ? traceValue(repo, initializer, depth + 1) : node
  }
  if (!Node.isParameterDeclaration(declaration)) return node
  const fn = declaration.getParent()
  const name = Node.isFunctionDeclaration(fn) ? fn.getNameNode() : undefined
  if (!Node.isFunctionDeclaration(fn) || !name) return node
  const index = fn.getParameters().indexOf(declaration)
  const calls = fn
    .getSourceFile()
    .getDescendantsOfKind(SyntaxKind.CallExpression)
    .filter((call) => {
      const callee = unwrapExpression(call.getExpression())
      return Node.isIdentifier(callee) && symbolDeclarations(callee).includes(fn)
    })
  const argument = calls.length === 1 ? calls[0]!.getArguments()[index] : undefined
  return argument ? traceValue(repo, argument, depth + 1) : node
}

function isConstant(declaration: Node): boolean {
  return Node.isVariableDeclaration(declaration) && declaration.getVariableStatement()?.getDeclarationKind() === 'const'
}

/** `useRuntimeConfig().redisUrl`, `config.redis.url` with `const config = useRuntimeConfig()` → `redisUrl`, `redis.url`. */
function runtimeConfigKeyOf(repo: Repo, node: Node): string | undefined {
  const names: string[] = []
  let current = unwrapExpression(node)
  for (let depth = 0; depth < 10 && Node.isPropertyAccessExpression(current); depth++) {
    names.unshift(current.getName())
    current = unwrapExpression(current.getExpression())
  }
  if (names.length === 0) return undefined
  const base = traceValue(repo, current, 0)
  const call = unwrapExpression(base)
  if (!Node.isCallExpression(call)) return undefined
  const callee = unwrapExpression(call.getExpression())
  return Node.isIdentifier(callee) && callee.getText() === 'useRuntimeConfig' ? names.join('.') : undefined
}
