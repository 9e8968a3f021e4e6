import { Node, SyntaxKind, ts, type NewExpression, type SourceFile } from 'ts-morph'
import type { AnalysisContext } from '../context.js'
import type { Repo } from '../../project/types.js'
import { findAugmentations } from './augmentations.js'
import { walkChain } from './chains.js'
import { resolveModule } from './imports.js'
import { IoResolver, withImportedFiles } from './io-resolver.js'
import { describeSite } from './sites.js'
import { unwrapExpression } from '../../ast/expression.js'
import type { EmitSite, IoAccess, IoGetter, IoMemberUse, ServerModel } from './types.js'
import { descendantsOfKind, descendantsWhere } from '../../ast/walk.js'

export type { ServerModel } from './types.js'

const ASSIGNMENTS = new Set([SyntaxKind.EqualsToken, SyntaxKind.QuestionQuestionEqualsToken, SyntaxKind.BarBarEqualsToken])

/** Build the model of the io server side: where it is created, every expression yielding it, and every emit. */
export function analyseServer(ctx: AnalysisContext): ServerModel {
  const { repo } = ctx
  const unitFiles = [...repo.units.values()].flatMap((unit) => unit.scripts.map((script) => script.sourceFile))
  const files = withImportedFiles(repo, unitFiles)
  const resolver = new IoResolver(repo, files)
  resolver.solve()
  const containers = resolver.containers()

  const model: ServerModel = {
    sites: [],
    accesses: [],
    stores: [...resolver.stores].map(([node, channel]) => ({ node, channel, file: pathOf(repo, node.getSourceFile()) })),
    emits: [],
    connectionHandlers: [],
    middlewares: [],
    memberUses: [],
    augmentations: [],
    getters: [],
    holders: [...resolver.holders],
    containers,
    socketIoImporters: [],
    isIoExpression: (node) => resolver.isIo(node),
    isIoHolder: (node) => resolver.holders.has(node) || resolver.getters.has(node),
    isIoContainer: (node) => containers.includes(Node.isExportAssignment(node) ? unwrapExpression(node.getExpression()) : node),
    resolveImportSourceFile: (from, specifier) => resolveModule(repo, from, specifier),
  }

  const creations: { node: NewExpression; file: string }[] = []
  for (const file of files) {
    const path = pathOf(repo, file)
    if (file.getImportDeclarations().some((declaration) => declaration.getModuleSpecifierValue() === 'socket.io')) {
      model.socketIoImporters.push(path)
    }
    model.augmentations.push(...findAugmentations(resolver, file, path))
    for (const node of descendantsWhere(file, mayBeValue)) {
      if (!isValuePosition(node) || !resolver.isIo(node)) continue
      const access: IoAccess = { node, kind: resolver.accessKind(node), file: path }
      model.accesses.push(access)
      if (Node.isNewExpression(node)) creations.push({ node, file: path })
      const chain = walkChain(node, path)
      if (chain.emit) model.emits.push(chain.emit)
      if (chain.connectionHandler) model.connectionHandlers.push(chain.connectionHandler)
      if (chain.middleware) model.middlewares.push(chain.middleware)
      if (chain.memberUse) model.memberUses.push(chain.memberUse)
    }
  }
  for (const shimEmit of findShimEmits(resolver, files, model.memberUses, (file) => pathOf(repo, file))) {
    model.accesses.push({ node: shimEmit.receiver, kind: 'shim', file: shimEmit.file })
    model.emits.push(shimEmit)
  }
  model.sites = creations.map(({ node, file }) => describeSite(repo, node, file, model.memberUses))
  model.getters = [...resolver.getters].map((declaration) => describeGetter(repo, declaration))
  return model
}

/**
 * A6: `event.context.appSocket.emit = io.emit.bind(io)` makes `<channel>.emit(e, d)` an `io.emit`.
 * Finds the channels rebound that way and every `emit` call on them.
 */
function findShimEmits(resolver: IoResolver, files: SourceFile[], uses: IoMemberUse[], pathOf: (file: SourceFile) => string): EmitSite[] {
  const shimChannels = new Set<string>()
  for (const use of uses) {
    if (use.member !== 'emit' || !Node.isPropertyAccessExpression(use.node)) continue
    const assignment = use.node.getFirstAncestor(
      (ancestor) => Node.isBinaryExpression(ancestor) && ancestor.getOperatorToken().getKind() === SyntaxKind.EqualsToken,
    )
    if (!assignment || !Node.isBinaryExpression(assignment)) continue
    const target = unwrapExpression(assignment.getLeft())
    if (!Node.isPropertyAccessExpression(target) || target.getName() !== 'emit') continue
    const channel = resolver.channelOf(unwrapExpression(target.getExpression()))
    if (channel) shimChannels.add(channel)
  }
  if (shimChannels.size === 0) return []
  const emits: EmitSite[] = []
  for (const file of files) {
    for (const call of descendantsOfKind(file, SyntaxKind.CallExpression)) {
      const callee = unwrapExpression(call.getExpression())
      if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'emit') continue
      const receiver = unwrapExpression(callee.getExpression())
      const channel = resolver.channelOf(receiver)
      if (!channel || !shimChannels.has(channel)) continue
      const [event, ...data] = call.getArguments()
      emits.push({ file: pathOf(file), call, receiver, method: 'emit', rooms: [], except: [], modifiers: [], event, data })
    }
  }
  return emits
}

function pathOf(repo: Repo, file: SourceFile): string {
  return repo.unitOf(file)?.path ?? repo.relative(file.getFilePath())
}

/** The commonest cases of `isValuePosition`, checked on the parse tree before a node is wrapped. */
function mayBeValue(node: ts.Node): boolean {
  const isIdentifier = ts.isIdentifier(node)
  if (!isIdentifier && !ts.isPropertyAccessExpression(node) && !ts.isElementAccessExpression(node) && !ts.isCallExpression(node) && !ts.isNewExpression(node)) {
    return false
  }
  const parent = node.parent
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false
  return !(isIdentifier && ts.isCallExpression(parent) && parent.expression === node)
}

/** Expressions that can be io values read by code (not declaration names, assignment targets, types or member names). */
function isValuePosition(node: Node): boolean {
  if (
    !Node.isIdentifier(node) &&
    !Node.isPropertyAccessExpression(node) &&
    !Node.isElementAccessExpression(node) &&
    !Node.isCallExpression(node) &&
    !Node.isNewExpression(node)
  ) {
    return false
  }
  const parent = node.getParent()
  if (!parent) return false
  if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === node) return false
  if (Node.isCallExpression(parent) && parent.getExpression() === node && Node.isIdentifier(node)) return false
  if (
    (Node.isVariableDeclaration(parent) ||
      Node.isParameterDeclaration(parent) ||
      Node.isBindingElement(parent) ||
      Node.isFunctionDeclaration(parent) ||
      Node.isPropertyAssignment(parent) ||
      Node.isPropertySignature(parent) ||
      Node.isPropertyDeclaration(parent) ||
      Node.isMethodDeclaration(parent) ||
      Node.isShorthandPropertyAssignment(parent)) &&
    parent.getNameNode() === node
  ) {
    return false
  }
  if (Node.isImportSpecifier(parent) || Node.isImportClause(parent) || Node.isExportSpecifier(parent) || Node.isNamespaceImport(parent)) return false
  // Inside a type (also `typeof x` and `extends X<T>`), walked on the parse tree: no wrapper per ancestor.
  for (let ancestor = node.compilerNode.parent; ancestor; ancestor = ancestor.parent) if (ts.isTypeNode(ancestor)) return false
  // Assignment targets (`nitroApp.io = io`) are stores, not reads.
  return !(Node.isBinaryExpression(parent) && parent.getLeft() === node && ASSIGNMENTS.has(parent.getOperatorToken().getKind()))
}

function describeGetter(repo: Repo, declaration: Node): IoGetter {
  const name = Node.isFunctionDeclaration(declaration) || Node.isVariableDeclaration(declaration) ? declaration.getName() ?? 'default' : 'default'
  const exported = Node.isFunctionDeclaration(declaration)
    ? declaration.isExported()
    : Node.isVariableDeclaration(declaration) && (declaration.getVariableStatement()?.isExported() ?? false)
  return { file: pathOf(repo, declaration.getSourceFile()), declaration, name, exported }
}
