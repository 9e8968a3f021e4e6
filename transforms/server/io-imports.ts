import path from 'node:path'
import { Node, type ImportDeclaration, type SourceFile } from 'ts-morph'
import type { Repo } from '../../src/project/types.js'
import type { CodeStyle } from '../../src/style/types.js'
import { followImport } from '../../src/analysis/server/imports.js'
import type { ServerModel } from '../../src/analysis/server/types.js'
import { fileRange } from '../../src/changeset/ranges.js'
import type { ChangeMeta, TextEdit } from '../../src/changeset/types.js'
import type { TransformContext } from '../../src/transform.js'
import { importBindingRemovals } from '../shared/statement-edits.js'
import { removeImports, unusedImports } from '../shared/unused-imports.js'

/** Modules that re-export Nitro's auto-imports, server utils included. */
const AUTO_IMPORT_HUBS = new Set(['#imports'])

/**
 * How a file gets the SSE helpers when it imports server utils explicitly (`~~/server/utils/auth`,
 * `../utils/db`, `#imports`): through the import of utils/sse or `#imports` it has, or a new import next
 * to its util imports. Undefined: Nitro auto-imports `server/utils/sse.ts` and nothing is added.
 */
export type HelperImportSource =
  | { kind: 'existing'; declaration: ImportDeclaration }
  | { kind: 'new'; specifier: string; after: ImportDeclaration }

export function helperImportSource(repo: Repo, model: ServerModel, file: SourceFile): HelperImportSource | undefined {
  const utilsDir = `${repo.relative(repo.layout.serverDir)}/utils/`
  const declarations = file.getImportDeclarations()
  const specifierOf = (declaration: ImportDeclaration): string => declaration.getModuleSpecifierValue()
  const existing = declarations.find((declaration) => {
    const target = model.resolveImportSourceFile(file, specifierOf(declaration))
    return target !== undefined && /\/utils\/sse\.(ts|js|mts|mjs)$/.test(target.getFilePath()) && !declaration.isTypeOnly()
  }) ?? declarations.find((declaration) => AUTO_IMPORT_HUBS.has(specifierOf(declaration)) && !declaration.isTypeOnly())
  if (existing) return { kind: 'existing', declaration: existing }
  const utilImport = declarations.find((declaration) => {
    const target = model.resolveImportSourceFile(file, specifierOf(declaration))
    return target !== undefined && repo.relative(target.getFilePath()).startsWith(utilsDir)
  })
  if (!utilImport) return undefined
  return { kind: 'new', specifier: siblingSpecifier(specifierOf(utilImport), 'sse'), after: declarations[declarations.length - 1]! }
}

/** The module specifier the file imports the SSE helpers from. */
export function helperSpecifier(source: HelperImportSource): string {
  return source.kind === 'existing' ? source.declaration.getModuleSpecifierValue() : source.specifier
}

/**
 * The imports of a file whose emits were rewritten: the SSE helpers imported the way it already gets
 * server utils (see `helperImportSource`), and the imports that only served io removed.
 */
export function updateIoImports(ctx: TransformContext, file: SourceFile, helpers: readonly string[], style: CodeStyle, meta: ChangeMeta): void {
  const stage = (edit: TextEdit) => {
    const range = fileRange(ctx.repo, file, edit.start, edit.end)
    ctx.changes.edit(range.path, { start: range.start, end: range.end, text: edit.text }, meta)
  }
  const unused = unusedIoBindings(ctx, file)
  const source = helpers.length > 0 ? helperImportSource(ctx.repo, ctx.model.server, file) : undefined
  if (source?.kind === 'existing') {
    const declaration = source.declaration
    const named = declaration.getNamedImports()
    const present = new Set(named.map((specifier) => specifier.getName()))
    const missing = helpers.filter((helper) => !present.has(helper))
    const removed = unused.get(declaration)
    const bindings = declaration.getImportClause()?.getNamedBindings()
    if (missing.length > 0 && removed && bindings) {
      // The helpers join what stays of the import: `import { useNitroApp } from '#imports'` → `import { emitToRoom } from '#imports'`.
      const kept = named.filter((specifier) => !removed.includes(specifier)).map((specifier) => specifier.getText())
      stage({ start: bindings.getStart(), end: bindings.getEnd(), text: `{ ${[...kept, ...missing].join(', ')} }` })
      const defaultImport = declaration.getDefaultImport()
      if (defaultImport && removed.some((binding) => Node.isImportClause(binding))) stage({ start: defaultImport.getStart(), end: bindings.getStart(), text: '' })
      unused.delete(declaration)
    } else if (missing.length > 0) {
      stage(namedImportsAddition(declaration, missing))
    }
  } else if (source?.kind === 'new') {
    const text = `import { ${[...helpers].sort().join(', ')} } from ${style.quote}${source.specifier}${style.quote}${style.semicolons ? ';' : ''}`
    const anchor = source.after
    const removed = unused.get(anchor)
    if (removed && importBindingRemovals(anchor, removed).some((edit) => edit.start <= anchor.getStart() && anchor.getEnd() <= edit.end)) {
      // The import the new one would follow goes: the new one takes its line.
      const previous = anchor.getPreviousSibling()
      stage(previous ? { start: previous.getEnd(), end: anchor.getEnd(), text: `\n${text}` } : { start: anchor.getStart(), end: anchor.getEnd(), text })
      unused.delete(anchor)
    } else {
      stage({ start: anchor.getEnd(), end: anchor.getEnd(), text: `\n${text}` })
    }
  }
  removeImports(ctx, file, unused, meta)
}

/** `import { a } from 'x'` → `import { a, b } from 'x'`; `import x from 'y'` → `import x, { b } from 'y'`. */
function namedImportsAddition(declaration: ImportDeclaration, names: readonly string[]): TextEdit {
  const named = declaration.getNamedImports()
  const last = named[named.length - 1]
  if (last) return { start: last.getEnd(), end: last.getEnd(), text: `, ${names.join(', ')}` }
  const clause = declaration.getImportClause()
  const bindings = clause?.getNamedBindings()
  // `import {} from 'x'`
  if (bindings) return { start: bindings.getStart(), end: bindings.getEnd(), text: `{ ${names.join(', ')} }` }
  const defaultImport = declaration.getDefaultImport()
  if (defaultImport) return { start: defaultImport.getEnd(), end: defaultImport.getEnd(), text: `, { ${names.join(', ')} }` }
  // `import '#imports'`
  const specifier = declaration.getModuleSpecifier()
  return { start: specifier.getStart(), end: specifier.getStart(), text: `{ ${names.join(', ')} } from ` }
}

/** `~~/server/utils/auth` → `~~/server/utils/sse`; keeps a `.js` suffix written for NodeNext. */
function siblingSpecifier(specifier: string, name: string): string {
  const extension = path.posix.extname(specifier)
  const base = path.posix.dirname(specifier)
  const joined = `${base}/${name}${/^\.m?js$/.test(extension) ? extension : ''}`
  return specifier.startsWith('./') && !joined.startsWith('.') ? `./${joined}` : joined
}

/**
 * Import bindings that only served io and are unused now: getters (`getSocketIO`), singletons
 * (`socketServer`), `io` bindings, `socket.io` types, and an explicit `useNitroApp` import.
 */
function unusedIoBindings(ctx: TransformContext, file: SourceFile): Map<ImportDeclaration, Node[]> {
  return unusedImports(ctx, file, (binding, declaration) => servesIo(ctx.repo, ctx.model.server, binding, declaration.getModuleSpecifierValue()))
}

function servesIo(repo: Repo, model: ServerModel, binding: Node, module: string): boolean {
  if (module === 'socket.io') return true
  const name = Node.isImportSpecifier(binding) ? binding.getName() : undefined
  if (name === 'useNitroApp') return true
  const targets = followImport(repo, binding) ?? []
  return targets.some((target) => model.isIoHolder(target) || model.isIoContainer(target) || holdsIoProperty(model, target))
}

/** `export default { io: null as Server | null }` */
function holdsIoProperty(model: ServerModel, target: Node): boolean {
  const literal = Node.isExportAssignment(target) ? target.getExpression() : target
  if (!Node.isObjectLiteralExpression(literal)) return false
  return literal.getProperties().some((property) => model.isIoHolder(property))
}
