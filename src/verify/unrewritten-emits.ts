import path from 'node:path'
import { ts } from 'ts-morph'
import type { Withdrawal } from '../analysis/model.js'
import type { FileChange } from '../changeset/types.js'
import { escapeRegExp } from '../text/regexp.js'
import { isScriptPath, lineAndColumn, scriptViews } from './script-views.js'

/** The repo, as far as this check reads it. */
export interface EmitCheckRepo {
  readonly files: readonly string[]
  readonly layout: { readonly rootDir: string; readonly serverDir: string }
  readText(path: string): string | undefined
}

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
export function unrewrittenEmits(changes: readonly FileChange[], repo: EmitCheckRepo, routedEvents: readonly string[]): Map<string, Withdrawal> | undefined {
  if (routedEvents.length === 0) return undefined
  const serverDir = path.posix.relative(repo.layout.rootDir, repo.layout.serverDir)
  // A file the plan changes was read by the client transform; what it leaves there the members check judges.
  const changed = new Set(changes.map((change) => change.path))
  const mention = new RegExp(`\\.(?:emit|emitWithAck)\\(\\s*(['"\`])(?:${routedEvents.map(escapeRegExp).join('|')})\\1`)
  const found = new Map<string, Withdrawal>()
  for (const file of repo.files) {
    if (changed.has(file) || !isScriptPath(file) || file.split('/').includes('node_modules') || (serverDir !== '' && !serverDir.startsWith('..') && file.startsWith(`${serverDir}/`))) continue
    const text = repo.readText(file)
    if (text === undefined || !mention.test(text) || SERVER_PACKAGE.test(text)) continue
    for (const view of scriptViews(file, text)) {
      const known = classifiedNames(view.source)
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && EMITS.has(node.expression.name.text) && !isClassified(node.expression.expression, known)) {
          const [event] = node.arguments
          if (event && ts.isStringLiteralLike(event) && routedEvents.includes(event.text) && !found.has(event.text)) {
            const { line, column } = lineAndColumn(text, view.start + node.getStart(view.source))
            found.set(event.text, { reason: `${file}:${line}:${column} still emits it over Socket.IO, in code the migration did not rewrite (it reaches the socket in a way the tool does not follow)`, defect: false })
          }
        }
        ts.forEachChild(node, visit)
      }
      visit(view.source)
    }
  }
  return found.size > 0 ? found : undefined
}

/**
 * Names the file binds to something the analysis saw made (`const bus = useBus()`, `new Emitter()`)
 * or imported: it told sockets among them apart already, so an emit on one is not a socket it missed.
 */
function classifiedNames(source: ts.SourceFile): Set<string> {
  const names = new Set<string>()
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      const init = skipOuterExpressions(node.initializer)
      if (ts.isCallExpression(init) || ts.isNewExpression(init) || ts.isAwaitExpression(init)) names.add(node.name.text)
    }
    if (ts.isImportClause(node) && node.name) names.add(node.name.text)
    if (ts.isImportSpecifier(node) || ts.isNamespaceImport(node)) names.add(node.name.text)
    ts.forEachChild(node, visit)
  }
  visit(source)
  return names
}

/** The receiver is, or is read off, a name in `known`. */
function isClassified(receiver: ts.Expression, known: ReadonlySet<string>): boolean {
  let root = skipOuterExpressions(receiver)
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root) || ts.isCallExpression(root)) root = skipOuterExpressions(root.expression)
  return ts.isIdentifier(root) && known.has(root.text)
}

function skipOuterExpressions(node: ts.Expression): ts.Expression {
  let current = node
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isNonNullExpression(current) || ts.isTypeAssertionExpression(current) || ts.isSatisfiesExpression(current)) current = current.expression
  return current
}
