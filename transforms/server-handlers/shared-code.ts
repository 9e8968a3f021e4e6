import path from 'node:path'
import { Node, SyntaxKind, type Identifier, type Statement } from 'ts-morph'
import { isHoistable, isModuleLevel, referencedDeclaration } from '../../src/analysis/handlers/scope.js'
import { mentions } from './render.js'
import { indentOf, indentUnitOf, moveCode } from '../shared/reindent.js'
import type { HelperImport } from './staged-code.js'

/** A relative import specifier as seen from another file; aliases (`#server/`, `~~/`) and packages stay as they are. */
export function respecify(specifier: string, fromFile: string, toFile: string): string {
  if (!specifier.startsWith('.')) return specifier
  const target = path.posix.join(path.posix.dirname(fromFile), specifier)
  const rel = path.posix.relative(path.posix.dirname(toFile), target)
  return rel.startsWith('.') ? rel : `./${rel}`
}

interface ImportEntry {
  defaultName?: string
  namespace?: string
  named: Map<string, { text: string; typeOnly: boolean }>
}

/**
 * The imports and the plugin's own module-level declarations (types, helpers, constants) a piece of transplanted
 * code uses. Declarations move once to a shared server util; every generated file imports them from there.
 */
export class SharedCode {
  /** Declarations moved to the util, in source order, by statement. */
  readonly moved = new Set<Statement>()

  /**
   * `earlier`: a util an earlier run wrote (`server/utils/chat-events.ts`), by exported name → text; a
   * declaration it already holds word for word is imported from it rather than written twice.
   */
  constructor(
    readonly pluginFile: string,
    readonly utilFile: string,
    /** The util's indent unit. */
    readonly unit: string,
    readonly earlier?: { file: string; exports: ReadonlyMap<string, string> },
  ) {}

  /**
   * Import lines for `toFile` covering the refs whose names still appear in `text`, and the SSE
   * helpers of emits an earlier transform rewrote in the code (imported as the plugin imports them).
   */
  importsFor(refs: Identifier[], text: string, toFile: string, helpers: readonly HelperImport[] = []): string[] {
    const imports = new Map<string, ImportEntry>()
    const entry = (spec: string) => imports.get(spec) ?? imports.set(spec, { named: new Map() }).get(spec)!
    for (const helper of helpers) {
      if (mentions(text, helper.name)) entry(respecify(helper.specifier, this.pluginFile, toFile)).named.set(helper.name, { text: helper.name, typeOnly: false })
    }
    for (const ref of refs) {
      const name = ref.getText()
      if (!mentions(text, name)) continue
      const decl = referencedDeclaration(ref)
      if (!decl) continue
      const importDecl = decl.getFirstAncestorByKind(SyntaxKind.ImportDeclaration)
      if (Node.isImportDeclaration(importDecl)) {
        const spec = respecify(importDecl.getModuleSpecifierValue(), this.pluginFile, toFile)
        const e = entry(spec)
        if (Node.isImportClause(decl)) e.defaultName = name
        else if (Node.isNamespaceImport(decl)) e.namespace = name
        else if (Node.isImportSpecifier(decl)) {
          const typeOnly = importDecl.isTypeOnly() || decl.isTypeOnly()
          e.named.set(name, { text: decl.getText().replace(/^type\s+/, ''), typeOnly })
        }
        continue
      }
      const statement = this.earlierHolds(name, decl) ? undefined : this.move(decl)
      const declaring = statement ?? (this.earlierHolds(name, decl) ? declaringStatement(decl) : undefined)
      if (!declaring) continue
      const typeOnly = Node.isInterfaceDeclaration(declaring) || Node.isTypeAliasDeclaration(declaring)
      const util = statement ? this.utilFile : this.earlier!.file
      entry(respecify(`./${path.posix.basename(util).replace(/\.ts$/, '')}`, util, toFile)).named.set(name, { text: name, typeOnly })
    }
    return renderImports(imports)
  }

  /** True when the earlier run's util exports `name` with exactly the text this declaration would get there. */
  private earlierHolds(name: string, decl: Node): boolean {
    const text = this.earlier?.exports.get(name)
    const statement = declaringStatement(decl)
    return text !== undefined && statement !== undefined && exportedText(statement, this.unit) === text
  }

  /** Moves the module-level statement declaring `decl` (and what it needs) to the util. */
  private move(decl: Node): Statement | undefined {
    const statement = declaringStatement(decl)
    if (!statement || (!Node.isSourceFile(statement.getParent()) && !isHoistable(decl))) return undefined
    this.moved.add(statement)
    return statement
  }

  /** The util file's text: imports, then the moved declarations, exported. Undefined when nothing moved. */
  utilText(): string | undefined {
    if (this.moved.size === 0) return undefined
    const statements = [...this.moved]
    // What the moved declarations use themselves comes along too.
    for (let i = 0; i < statements.length; i++) {
      statements[i]!.forEachDescendant((node) => {
        if (!Node.isIdentifier(node)) return
        const decl = referencedDeclaration(node)
        if (!decl || decl.getSourceFile() !== statements[i]!.getSourceFile() || !isModuleLevel(decl) || Node.isImportSpecifier(decl) || Node.isImportClause(decl) || Node.isNamespaceImport(decl)) return
        const statement = this.move(decl)
        if (statement && !statements.includes(statement)) statements.push(statement)
      })
    }
    statements.sort((a, b) => a.getPos() - b.getPos())
    const bodies = statements.map((statement) => exportedText(statement, this.unit))
    const refs = statements.flatMap((s) => s.getDescendants().filter((n): n is Identifier => Node.isIdentifier(n)))
    const importRefs = refs.filter((ref) => {
      const decl = referencedDeclaration(ref)
      return decl !== undefined && (Node.isImportSpecifier(decl) || Node.isImportClause(decl) || Node.isNamespaceImport(decl))
    })
    const text = bodies.join('\n\n')
    const imports = this.importsFor(importRefs, text, this.utilFile)
    return `${imports.length ? imports.join('\n') + '\n\n' : ''}${text}\n`
  }
}

function declaringStatement(decl: Node): Statement | undefined {
  return (Node.isVariableDeclaration(decl) ? decl.getVariableStatement() : decl) as Statement | undefined
}

/**
 * A declaration as the util holds it: exported, at the util's top level (a helper hoisted out of the
 * plugin's function moves out with it) and indented with the util's `unit`.
 */
function exportedText(statement: Statement, unit: string): string {
  const text = moveCode(statement.getText(), { line: indentOf(statement), unit: indentUnitOf(statement.getSourceFile()) }, { line: '', unit })
  return /^export\s/.test(text) ? text : `export ${text}`
}

function renderImports(imports: Map<string, ImportEntry>): string[] {
  const lines: string[] = []
  for (const [spec, e] of [...imports].sort(([a], [b]) => a.localeCompare(b))) {
    const named = [...e.named.values()]
    const allTypes = named.length > 0 && named.every((n) => n.typeOnly) && !e.defaultName && !e.namespace
    const names = named.map((n) => (n.typeOnly && !allTypes ? `type ${n.text}` : n.text)).sort()
    const parts = [e.defaultName, e.namespace ? `* as ${e.namespace}` : undefined, names.length ? `{ ${names.join(', ')} }` : undefined].filter(Boolean)
    if (parts.length) lines.push(`import ${allTypes ? 'type ' : ''}${parts.join(', ')} from '${spec}'`)
  }
  return lines
}
