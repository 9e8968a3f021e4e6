import path from 'node:path'
import { Node, SyntaxKind, type SourceFile, type VariableDeclaration } from 'ts-morph'
import { removeSocketIoFromNuxtConfig } from './server/config-edit.js'
import { removeSocketIoEnv } from './server/env-edit.js'
import { isGuard } from '../src/analysis/server/cleanup.js'
import { isIoOnlyFile, isSocketRoutePath, judgeSocketRoute, type IsGone } from '../src/analysis/server/socket-files.js'
import { fileRange, isEditedNode } from '../src/changeset/ranges.js'
import { statementCut } from './shared/statement-removal.js'
import { removeImports, unusedImports } from './shared/unused-imports.js'
import { firstLineOfNode, parentThroughWrappers } from '../src/analysis/server/syntax.js'
import type { IoAccess, IoAugmentation, ServerModel } from '../src/analysis/server/types.js'
import type { ChangeMeta, TextEdit } from '../src/changeset/types.js'
import type { Transform, TransformContext } from '../src/transform.js'
import { exportedNames } from '../src/analysis/symbols.js'
import { docMentions } from '../src/analysis/doc-mentions.js'
import { filesThatMayContain } from '../src/project/search.js'
import { escapeRegExp } from '../src/text/regexp.js'

const ID = 'remove-socket-io'
const meta = (reason: string): ChangeMeta => ({ transform: ID, reason })

/** Env example files the tool keeps in step with the config. */
const ENV_EXAMPLES = ['.env.example', '.env.sample', '.env.template']

/**
 * Removes what is left of Socket.IO once the emits, handlers and clients are migrated: socket route
 * stubs and catch-alls, socket middleware, dead getter/singleton modules, io type augmentations,
 * `docs/SOCKET_IO_*.md`, Socket.IO settings in nuxt.config and .env.example. Whatever still uses the
 * server is reported, and then nothing it depends on (server, types, settings, docs) is removed.
 */
export const removeSocketIo: Transform = {
  id: ID,
  title: 'Remove Socket.IO routes, middleware, augmentations, docs and settings',
  run(ctx) {
    const server = ctx.model.server
    const deleted = (file: string): boolean => ctx.changes.currentText(file) === undefined
    const remove = (file: string, reason: string): void => {
      if (deleted(file)) return
      const unit = ctx.repo.getUnit(file)
      if (unit && ctx.changes.currentText(file) !== unit.originalText) {
        ctx.report({ file, line: 1, code: '' }, {
          kind: 'remove/edited-file-kept',
          reason: `${reason}, but another transform edited it in this run`,
          action: `review the edits, then delete ${file}`,
        })
        return
      }
      ctx.changes.delete(file, meta(reason))
    }

    // Connection handlers kept in their plugin keep the server running; the routes that serve it stay too.
    const keptForHandlers = ctx.model.handlers.connections.some((connection) => !deleted(connection.file))
    removeSocketRoutes(ctx, remove, keptForHandlers)
    // Code that still uses the server after the other transforms keeps it alive: nothing it needs goes.
    const isGone = (node: Node) => isEditedNode(ctx.repo, ctx.changes, node)
    const leftovers = remainingIoAccesses(server, deleted, isGone)
    if (leftovers.length === 0) removeDeadIoModules(ctx, server, deleted, remove, isGone)
    const cleanedImports = new Set<string>()
    const serverGone = leftovers.length === 0 && server.sites.every((site) => deleted(site.file))
    if (serverGone) {
      for (const doc of ctx.repo.glob(['docs/**/SOCKET_IO_*.md', 'SOCKET_IO_*.md'])) remove(doc, 'Socket.IO documentation')
      for (const file of removeAugmentations(ctx, server, deleted, remove, isGone)) cleanedImports.add(file)
      editNuxtConfig(ctx, deleted)
      editEnvExamples(ctx)
      reportStaleDocs(ctx, deleted)
    }
    removeUnusedSocketIoImports(ctx, server, (file) => deleted(file) || cleanedImports.has(file))
    reportLeftovers(ctx, server, deleted, leftovers, keptForHandlers, isGone)
  },
}

/**
 * With the server gone, Markdown that still says the app runs on Socket.IO, or links a file this run
 * deletes, misleads the next reader; prose cannot be rewritten safely, so each line is reported.
 */
function reportStaleDocs(ctx: TransformContext, deleted: (file: string) => boolean): void {
  const markdown = ctx.repo.glob(['**/*.md'])
  const docs = markdown.filter((doc) => !deleted(doc))
  const deletedFiles = [...ctx.repo.files, ...markdown].filter(deleted)
  for (const doc of docs.sort()) {
    const text = ctx.changes.currentText(doc) ?? ctx.repo.readText(doc)
    if (text === undefined) continue
    for (const mention of docMentions(doc, text, deletedFiles)) {
      const target = { file: doc, line: mention.line, code: mention.code }
      if (mention.linkedDeletedFile !== undefined) {
        ctx.report(target, {
          kind: 'docs/link-to-deleted',
          reason: `links ${mention.linkedDeletedFile}, which the migration deletes`,
          action: 'remove the link, or point it at src/runtime/README.md of tutor-sse-migrate or your own SSE notes',
        })
      } else {
        ctx.report(target, {
          kind: 'docs/mentions-socket-io',
          reason: 'describes Socket.IO, which the app no longer uses',
          action: 'update the text to describe the SSE stream (GET /api/chat/events) and the chat REST routes',
        })
      }
    }
  }
}

function serverDirOf(ctx: TransformContext): string {
  return ctx.repo.relative(ctx.repo.layout.serverDir)
}

/** `server/routes/socket.io.ts`, `server/routes/websocket.ts`, `server/api/socket.io/[...].ts` (§8). */
/** `serverStays`: the Socket.IO server is kept for what could not move, so a route that reaches it still serves it. */
function removeSocketRoutes(ctx: TransformContext, remove: (file: string, reason: string) => void, serverStays: boolean): void {
  const serverDir = serverDirOf(ctx)
  for (const file of ctx.repo.files) {
    if (!file.startsWith(`${serverDir}/`) || !isSocketRoutePath(file.slice(serverDir.length + 1))) continue
    const script = ctx.repo.getUnit(file)?.scripts[0]
    if (!script) continue
    const verdict = judgeSocketRoute(script.sourceFile, ctx.model.server, file)
    if (verdict.action === 'delete' && serverStays && reachesIo(script.sourceFile, ctx.model.server)) continue
    if (verdict.action === 'delete') {
      remove(file, 'Socket.IO route stub: the SSE endpoint replaces it')
    } else if (verdict.action === 'keep' && ctx.model.usesSocketIO) {
      // Only worth a note while the app is being moved off Socket.IO (not on a second run).
      ctx.report({ file, line: 1, code: firstLineOfNode(script.sourceFile.getStatements()[0] ?? script.sourceFile) }, {
        kind: verdict.kind,
        reason: `${verdict.reason}, so it is kept`,
        action: 'Nothing to do for the SSE migration; delete it yourself if nothing uses it any more',
      })
    }
  }
}

function reachesIo(file: SourceFile, server: ServerModel): boolean {
  return file.getDescendants().some((node) => server.isIoExpression(node))
}

/**
 * Socket middleware (`global.io ??= new Server(...)`), getter and singleton modules whose every
 * statement only serves io, once no file left after the migration refers to them.
 */
function removeDeadIoModules(
  ctx: TransformContext,
  server: ServerModel,
  deleted: (file: string) => boolean,
  remove: (file: string, reason: string) => void,
  isGone: IsGone,
): void {
  const serverDir = serverDirOf(ctx)
  const connectionAndMiddlewareFiles = new Set([...server.connectionHandlers, ...server.middlewares].map((call) => ctx.repo.unitOf(call.getSourceFile())?.path))
  const candidates = new Set<string>([
    ...server.getters.map((getter) => getter.file),
    ...server.stores.map((store) => store.file),
    ...server.sites.filter((site) => site.kind === 'middleware').map((site) => site.file),
    ...[...server.holders, ...server.containers].map((holder) => ctx.repo.unitOf(holder.getSourceFile())?.path ?? ''),
  ])
  for (const file of [...candidates].sort()) {
    if (!file || deleted(file) || connectionAndMiddlewareFiles.has(file)) continue
    const unit = ctx.repo.getUnit(file)
    const script = unit?.scripts[0]
    if (!unit || unit.kind === 'vue' || !script || !isIoOnlyFile(script.sourceFile, server, isGone)) continue
    const isMiddleware = file.startsWith(`${serverDir}/middleware/`)
    // A server util is auto-imported by name; any other module only through its path.
    if (!isMiddleware && isReferencedElsewhere(ctx, file, exportedNames(script.sourceFile), deleted)) continue
    remove(file, isMiddleware ? 'Socket.IO middleware: the SSE runtime needs no per-request server' : 'only held or returned the Socket.IO server')
  }
}

function isReferencedElsewhere(ctx: TransformContext, file: string, exportNames: Iterable<string>, deleted: (file: string) => boolean): boolean {
  const names = [...exportNames].filter((name) => name !== 'default')
  const stem = path.posix.basename(file).replace(/\.[cm]?[jt]s$/, '')
  const wordsPattern = names.length > 0 ? new RegExp(`\\b(${names.map(escapeRegExp).join('|')})\\b`) : undefined
  // `from '…/stem'`, and a bare `import '…/stem'` or `import('…/stem')`, which would dangle once the file goes.
  const importPattern = new RegExp(`(from|import)\\s*\\(?\\s*['"][^'"]*/${escapeRegExp(stem)}(\\.[cm]?[jt]s)?['"]`)
  return filesThatMayContain(ctx.repo, [...names, stem]).some((other) => {
    if (other === file || deleted(other)) return false
    const text = ctx.changes.currentText(other) ?? ''
    // Substrings first: this can run over every file of the repo.
    const mayName = names.some((name) => text.includes(name))
    return (mayName && (wordsPattern?.test(text) ?? false)) || (text.includes(stem) && importPattern.test(text))
  })
}

/**
 * `declare module 'nitropack' { interface NitroApp { io?: Server } }`, `declare global { var io }`,
 * `declare module 'socket.io'`, with the Socket.IO imports only they used. Returns the files it
 * edited (their imports are cleaned up here).
 */
function removeAugmentations(
  ctx: TransformContext,
  server: ServerModel,
  deleted: (file: string) => boolean,
  remove: (file: string, reason: string) => void,
  isGone: IsGone,
): Set<string> {
  const byFile = new Map<string, IoAugmentation[]>()
  for (const augmentation of server.augmentations) {
    if (deleted(augmentation.file) || isGone(augmentation.node)) continue
    byFile.set(augmentation.file, [...(byFile.get(augmentation.file) ?? []), augmentation])
  }
  const edited = new Set<string>()
  for (const [file, augmentations] of byFile) {
    const sourceFile = augmentations[0]!.node.getSourceFile()
    // A types file that only declared io goes as a whole.
    if (declaresOnlyIo(sourceFile, augmentations)) {
      remove(file, 'only declared the Socket.IO server type')
      continue
    }
    const gone = new Set(augmentations.flatMap(removedByAugmentation))
    stageRemovals(ctx, gone, meta('Socket.IO type augmentations'))
    // Decided with the augmentations staged: a use inside them no longer keeps an import.
    const unused = unusedImports(ctx, sourceFile, (binding, declaration) => declaration.getModuleSpecifierValue() === 'socket.io' && Node.isImportSpecifier(binding))
    const removed = [...unused].filter(([declaration, bindings]) => bindings.length === declaration.getNamedImports().length && !declaration.getDefaultImport() && !declaration.getNamespaceImport()).map(([declaration]) => declaration)
    // A whole import is cut with the removed augmentations next to it, as one run.
    for (const declaration of removed) gone.add(declaration)
    if (removed.length > 0) stageRemovals(ctx, gone, meta('unused Socket.IO imports'))
    removeImports(ctx, sourceFile, new Map([...unused].filter(([declaration]) => !removed.includes(declaration))), meta('unused Socket.IO imports'))
    stayModule(ctx, sourceFile, removed)
    edited.add(file)
  }
  return edited
}

/** The nodes an augmentation's removal takes: its io members, and each interface, `var` statement or block they leave empty. */
function removedByAugmentation(augmentation: IoAugmentation): Node[] {
  const block = augmentation.node
  if (!Node.isModuleDeclaration(block)) return []
  const gone = new Set<Node>(augmentation.members.filter((member) => Node.isVariableDeclaration(member) || Node.isPropertySignature(member) || Node.isStatement(member)))
  for (const member of [...gone]) {
    const parent = member.getParent()
    if (Node.isVariableDeclaration(member)) {
      const statement = member.getVariableStatement()
      if (statement && statement.getDeclarations().every((declaration) => gone.has(declaration))) gone.add(statement)
    } else if (parent && Node.isInterfaceDeclaration(parent) && parent.getMembers().every((other) => gone.has(other))) {
      gone.add(parent)
    }
  }
  if (block.getStatements().every((statement) => gone.has(statement))) gone.add(block)
  return [...gone]
}

/**
 * Stages the removal of the outermost `gone` nodes, a run of removed siblings as one cut (as ts-morph
 * cut them). Staged again with more nodes, a longer run supersedes the cuts inside it.
 */
function stageRemovals(ctx: TransformContext, gone: ReadonlySet<Node>, changeMeta: ChangeMeta): void {
  const staged = new Set<string>()
  for (const node of gone) {
    if (node.getAncestors().some((ancestor) => gone.has(ancestor))) continue
    const cut = Node.isVariableDeclaration(node) ? declarationRemoval(node, gone) : statementCut(node, (sibling) => gone.has(sibling))
    const range = fileRange(ctx.repo, node, cut.start, cut.end)
    const key = `${range.start}:${range.end}`
    if (staged.has(key)) continue
    staged.add(key)
    ctx.changes.edit(range.path, { start: range.start, end: range.end, text: cut.text }, changeMeta, { supersedes: true })
  }
}

/** One declaration of a `var a, io` list that keeps others: with the comma after it, or before it when none that stays follows. */
function declarationRemoval(declaration: VariableDeclaration, gone: ReadonlySet<Node>): TextEdit {
  const list = declaration.getParentOrThrow().getChildrenOfKind(SyntaxKind.VariableDeclaration)
  const index = list.indexOf(declaration)
  const keptAfter = list.slice(index + 1).some((other) => !gone.has(other))
  if (keptAfter) return { start: declaration.getStart(), end: list[index + 1]!.getStart(), text: '' }
  return { start: list[index - 1]!.getEnd(), end: declaration.getEnd(), text: '' }
}

/** The file has an import or export (other than the `removed` imports), so TypeScript treats it as a module, not a global script. */
function isModule(sourceFile: SourceFile, removed: readonly Node[] = []): boolean {
  return sourceFile.getStatements().some(
    (statement) =>
      (Node.isImportDeclaration(statement) && !removed.includes(statement)) ||
      Node.isImportEqualsDeclaration(statement) ||
      Node.isExportDeclaration(statement) ||
      Node.isExportAssignment(statement) ||
      (Node.isExportable(statement) && statement.isExported()),
  )
}

/**
 * A module that loses its last import must stay a module: as a script, its `declare module 'nitropack'`
 * would replace the package's types instead of augmenting them, and its declarations would turn global.
 */
function stayModule(ctx: TransformContext, sourceFile: SourceFile, removed: readonly Node[]): void {
  if (!isModule(sourceFile) || isModule(sourceFile, removed)) return
  const text = sourceFile.getFullText()
  const range = fileRange(ctx.repo, sourceFile, text.length, text.length)
  ctx.changes.edit(range.path, { start: range.start, end: range.end, text: text.endsWith('\n') ? 'export {}\n' : '\nexport {}\n' }, meta('unused Socket.IO imports'))
}

/** Every statement is a `socket.io` import, an empty `export {}`, or an augmentation made only of io members. */
function declaresOnlyIo(sourceFile: SourceFile, augmentations: IoAugmentation[]): boolean {
  const ioMembers = new Set(augmentations.flatMap((augmentation) => augmentation.members))
  return sourceFile.getStatements().every((statement) => {
    if (Node.isImportDeclaration(statement)) return statement.getModuleSpecifierValue() === 'socket.io'
    if (Node.isExportDeclaration(statement)) return statement.getNamedExports().length === 0 && !statement.getModuleSpecifier()
    const augmentation = augmentations.find((candidate) => candidate.node === statement)
    if (!augmentation || !Node.isModuleDeclaration(statement)) return false
    return statement.getStatements().every((inner) => {
      if (Node.isInterfaceDeclaration(inner)) return inner.getMembers().every((member) => ioMembers.has(member))
      if (Node.isVariableStatement(inner)) return inner.getDeclarations().every((declaration) => ioMembers.has(declaration))
      return ioMembers.has(inner)
    })
  })
}

/** The Socket.IO settings of nuxt.config, the websocket flag when nothing else uses WebSockets. */
function editNuxtConfig(ctx: TransformContext, deleted: (file: string) => boolean): void {
  const configPath = ctx.repo.relative(ctx.repo.layout.nuxtConfigPath)
  const before = ctx.changes.currentText(configPath)
  if (before === undefined) return
  const others = (needles: string[]): string[] =>
    filesThatMayContain(ctx.repo, needles)
      .filter((file) => file !== configPath && !deleted(file))
      .map((file) => ctx.changes.currentText(file) ?? '')
  const { text, removed } = removeSocketIoFromNuxtConfig(before, {
    removeWebsocketFlag: !others(['defineWebSocket', 'websocket']).some((text) => /\b(defineWebSocketHandler|defineWebSocket)\s*\(|\bwebsocket\s*:\s*\{/.test(text)),
    isKeyUnused: (key) => {
      const word = new RegExp(`\\b${escapeRegExp(key)}\\b`)
      return !others([key]).some((text) => text.includes(key) && word.test(text))
    },
  })
  if (text !== before) ctx.changes.write(configPath, text, before, meta(`removed ${removed.join(', ')}`))
}

function editEnvExamples(ctx: TransformContext): void {
  for (const file of ENV_EXAMPLES) {
    const before = ctx.changes.currentText(file)
    if (before === undefined) continue
    const { text, removed } = removeSocketIoEnv(before)
    if (removed.length > 0) ctx.changes.write(file, text, before, meta(`removed ${removed.join(', ')}`))
  }
}

/** `import type { Server } from 'socket.io'` left unused in a file that stays (and whose imports are not cleaned up yet). */
function removeUnusedSocketIoImports(ctx: TransformContext, server: ServerModel, skip: (file: string) => boolean): void {
  for (const file of server.socketIoImporters) {
    if (skip(file)) continue
    const sourceFile = ctx.repo.getUnit(file)?.scripts[0]?.sourceFile
    if (!sourceFile) continue
    const unused = unusedImports(ctx, sourceFile, (binding, declaration) =>
      declaration.getModuleSpecifierValue() === 'socket.io' && Node.isImportSpecifier(binding) && !declaration.getDefaultImport() && !declaration.getNamespaceImport())
    if (unused.size === 0) continue
    removeImports(ctx, sourceFile, unused, meta('unused Socket.IO imports'))
    stayModule(ctx, sourceFile, [...unused].filter(([declaration, bindings]) => bindings.length === declaration.getNamedImports().length).map(([declaration]) => declaration))
  }
}

/**
 * Uses of the server in files that stay, other than its own plumbing: reads in routes and utils that
 * the emit transform could not migrate (reported emits, io passed around). Creation files and the
 * connection handler belong to the handler transform; stores and getter bodies only pass io along.
 */
function remainingIoAccesses(server: ServerModel, deleted: (file: string) => boolean, isGone: IsGone): IoAccess[] {
  const creationFiles = new Set(server.sites.map((site) => site.file))
  const plumbing = [...server.connectionHandlers, ...server.middlewares, ...server.getters.map((getter) => getter.declaration)]
  return server.accesses.filter((access) => {
    const node = access.node
    if (deleted(access.file) || creationFiles.has(access.file) || access.kind === 'creation' || isGone(node)) return false
    if (plumbing.some((outer) => outer.getSourceFile() === node.getSourceFile() && outer.containsRange(node.getPos(), node.getEnd()))) {
      return false
    }
    return !passesIoAlong(node)
  })
}

/** `x = io`, `{ io }`, `{ io: io }`, `const alias = io`: the value is only handed on; the alias's own uses are what count. */
function passesIoAlong(node: Node): boolean {
  const { parent, child } = parentThroughWrappers(node)
  if (!parent) return false
  if (Node.isBinaryExpression(parent)) return parent.getRight() === child && parent.getOperatorToken().getText().endsWith('=')
  if (Node.isPropertyAssignment(parent) || Node.isShorthandPropertyAssignment(parent)) return true
  return Node.isVariableDeclaration(parent) && parent.getInitializer() === child
}

/** Every use of the server that survives in a file that stays is open work, and so is a server kept for it. */
function reportLeftovers(ctx: TransformContext, server: ServerModel, deleted: (file: string) => boolean, leftovers: IoAccess[], keptForHandlers: boolean, isGone: IsGone): void {
  const handlerFiles = new Set([...server.connectionHandlers, ...server.middlewares].map((call) => ctx.repo.unitOf(call.getSourceFile())?.path))
  const emitReceivers = new Set(server.emits.map((emit) => emit.receiver))
  // The handler transform reports the files it keeps; a kept file without handlers is reported here.
  for (const site of server.sites) {
    if (deleted(site.file) || handlerFiles.has(site.file)) continue
    ctx.report(isGone(site.creation) ? { file: site.file, line: 1 } : site.creation, {
      kind: 'io/server-kept',
      reason:
        leftovers.length > 0
          ? `the Socket.IO server is kept because ${leftovers.length} place(s) still use it (see the other follow-ups)`
          : 'the Socket.IO server is still created here: the file also does things that are not Socket.IO plumbing, so it was not removed',
      action: 'Migrate the remaining uses, move what the file still needs elsewhere, then delete the Socket.IO server code',
    })
  }
  // Reported emits were reported by the emit transform already; `if (!io)` guards only protect the uses reported.
  for (const access of leftovers) {
    if (emitReceivers.has(access.node) || isGuard(access.node)) continue
    if (keptForHandlers && isTruthTest(access.node)) {
      ctx.report(access.node, {
        kind: 'io/existence-check',
        reason: 'only checks whether the Socket.IO server exists; it keeps working while the server stays for the handlers that could not move',
        action: 'nothing to do now; it goes with the Socket.IO server',
      })
      continue
    }
    ctx.report(access.node, {
      kind: 'io/unmigrated-use',
      reason: `uses the Socket.IO server (${access.kind}) in a way the tool does not migrate`,
      action: 'Replace it with the SSE runtime (emitToUser/emitToRoom/emitToChannel/broadcast from server/utils/sse) or remove it',
    })
  }
}

/** `io ? a : b`, `!io`, `if (io)`, `if (io && chat)`: a test of whether the server exists, which sends nothing. */
function isTruthTest(node: Node): boolean {
  const { parent, child } = parentThroughWrappers(node)
  if (!parent) return false
  if (Node.isConditionalExpression(parent)) return parent.getCondition() === child
  if (Node.isPrefixUnaryExpression(parent)) return parent.getOperatorToken() === SyntaxKind.ExclamationToken
  if (Node.isIfStatement(parent)) return parent.getExpression() === child
  if (Node.isBinaryExpression(parent) && parent.getOperatorToken().getKind() === SyntaxKind.AmpersandAmpersandToken) return isTruthTest(parent)
  return false
}
