import { Node, SyntaxKind, type SourceFile } from 'ts-morph'
import type { Withdrawal } from '../analysis/model.js'
import type { FileChange } from '../changeset/types.js'
import { unwrapExpression } from '../ast/expression.js'
import { descendantsOfKind } from '../ast/walk.js'
import { nodeLocation } from '../project/locate.js'
import type { Repo } from '../project/types.js'
import { escapeRegExp } from '../text/regexp.js'

const EMITS = new Set(['emit', 'emitWithAck'])
/** A Socket.IO server of its own (a backend beside the Nuxt app): its emits go to clients, not to a handler. */
const SERVER_PACKAGE = /\bfrom\s*['"]socket\.io['"]|\brequire\(\s*['"]socket\.io['"]\s*\)/

/**
 * Events whose handler the plan moves into a route while browser code still emits them over
 * Socket.IO: `x.emit('event', …)` in a file the plan leaves as it is. The analysis follows a socket through imports, composables, stores, plugins and
 * inject; code that reaches one another way (a window property, an argument of a helper) is not
 * seen, and its emits would go to a handler that is no longer there. Each such event stays on
 * Socket.IO, with where it is still sent. Undefined when there is none.
 */
export function unrewrittenEmits(changes: readonly FileChange[], repo: Repo, routedEvents: readonly string[]): Map<string, Withdrawal> | undefined {
  if (routedEvents.length === 0) return undefined
  // A file the plan changes was read by the client transform; what it leaves there the members check judges.
  const changed = new Set(changes.map((change) => change.path))
  const mention = new RegExp(`\\.(?:emit|emitWithAck)\\(\\s*(['"\`])(?:${routedEvents.map(escapeRegExp).join('|')})\\1`)
  const found = new Map<string, Withdrawal>()
  for (const file of repo.files) {
    if (changed.has(file) || file.split('/').includes('node_modules')) continue
    const text = repo.readText(file)
    if (text === undefined || !mention.test(text) || SERVER_PACKAGE.test(text)) continue
    // Parsed as the analysis parses it (once, kept), and left as it is by the plan.
    const unit = repo.getUnit(file)
    if (!unit || unit.absPath.startsWith(`${repo.layout.serverDir}/`)) continue
    for (const block of unit.scripts) {
      const known = classifiedNames(block.sourceFile)
      for (const call of descendantsOfKind(block.sourceFile, SyntaxKind.CallExpression)) {
        const callee = call.getExpression()
        if (!Node.isPropertyAccessExpression(callee) || !EMITS.has(callee.getName()) || isClassified(callee.getExpression(), known)) continue
        const event = call.getArguments()[0]
        if (!event || !(Node.isStringLiteral(event) || Node.isNoSubstitutionTemplateLiteral(event))) continue
        const name = event.getLiteralValue()
        if (!routedEvents.includes(name) || found.has(name)) continue
        const at = nodeLocation(repo, call)
        found.set(name, { reason: `${at ? `${at.file}:${at.line}:${at.column}` : file} still emits it over Socket.IO, in code the migration did not rewrite (it reaches the socket in a way the tool does not follow)`, defect: false })
      }
    }
  }
  return found.size > 0 ? found : undefined
}

/**
 * Names the file binds to something the analysis saw made (`const bus = useBus()`, `new Emitter()`)
 * or imported: it told sockets among them apart already, so an emit on one is not a socket it missed.
 */
function classifiedNames(source: SourceFile): Set<string> {
  const names = new Set<string>()
  for (const declaration of descendantsOfKind(source, SyntaxKind.VariableDeclaration)) {
    const init = declaration.getInitializer()
    const value = init && unwrapExpression(init)
    if (value && (Node.isCallExpression(value) || Node.isNewExpression(value) || Node.isAwaitExpression(value)) && Node.isIdentifier(declaration.getNameNode())) names.add(declaration.getName())
  }
  for (const declaration of source.getImportDeclarations()) {
    const defaultImport = declaration.getDefaultImport()
    if (defaultImport) names.add(defaultImport.getText())
    const namespace = declaration.getNamespaceImport()
    if (namespace) names.add(namespace.getText())
    for (const named of declaration.getNamedImports()) names.add((named.getAliasNode() ?? named.getNameNode()).getText())
  }
  return names
}

/** The receiver is, or is read off, a name in `known`. */
function isClassified(receiver: Node, known: ReadonlySet<string>): boolean {
  let root = unwrapExpression(receiver)
  while (Node.isPropertyAccessExpression(root) || Node.isElementAccessExpression(root) || Node.isCallExpression(root)) root = unwrapExpression(root.getExpression())
  return Node.isIdentifier(root) && known.has(root.getText())
}
