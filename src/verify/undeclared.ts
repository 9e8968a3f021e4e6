import { ts } from 'ts-morph'
import { findSfcScripts } from '../project/vue.js'
import { isScriptPath, scriptKindOf } from './script-views.js'

/** A value name a file uses that nothing in it declares or imports. */
export interface UndeclaredUse {
  name: string
  offset: number
}

// No lib and no module resolution: the check is about names this file itself binds, and it stays
// cheap. An import binds its name whatever its module holds; globals are the caller's to subtract.
const OPTIONS: ts.CompilerOptions = {
  noLib: true,
  noResolve: true,
  allowJs: true,
  checkJs: true,
  types: [],
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleDetection: ts.ModuleDetectionKind.Force,
  jsx: ts.JsxEmit.Preserve,
  noEmit: true,
}

/**
 * A `.vue` file's script blocks at their own offsets, everything else blanked (line breaks kept), so
 * positions map one to one and names declared in `<script>` are seen by `<script setup>`.
 */
export function vueScriptText(path: string, text: string): { text: string; kind: ts.ScriptKind } {
  const { scripts } = findSfcScripts(text, path)
  const chars = text.replace(/[^\n]/g, ' ').split('')
  for (const script of scripts) for (let i = 0; i < script.content.length; i++) chars[script.start + i] = script.content[i]!
  return { text: chars.join(''), kind: scripts.some((script) => script.lang === 'ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS }
}

/** Names in value positions: not a member, a key, a declared name, a label or anything inside a type. */
function valueIdentifiers(source: ts.SourceFile): ts.Identifier[] {
  const found: ts.Identifier[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isTypeNode(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isHeritageClause(node)
      || ts.isImportDeclaration(node) || ts.isExportDeclaration(node) || ts.isImportEqualsDeclaration(node)) return
    if (ts.isIdentifier(node)) {
      if (isValueUse(node)) found.push(node)
      return
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

function isValueUse(id: ts.Identifier): boolean {
  const parent = id.parent
  if (ts.isPropertyAccessExpression(parent) && parent.name === id) return false
  if (ts.isQualifiedName(parent) && parent.right === id) return false
  if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isGetAccessor(parent)
    || ts.isSetAccessor(parent) || ts.isEnumMember(parent) || ts.isPropertySignature(parent) || ts.isJsxAttribute(parent)) && parent.name === id) return false
  if (ts.isBindingElement(parent) && (parent.propertyName === id || parent.name === id)) return false
  if ((ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent) || ts.isFunctionExpression(parent)
    || ts.isClassDeclaration(parent) || ts.isClassExpression(parent) || ts.isEnumDeclaration(parent) || ts.isModuleDeclaration(parent)) && parent.name === id) return false
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent) || ts.isMetaProperty(parent)) return false
  if (ts.isJsxOpeningElement(parent) || ts.isJsxSelfClosingElement(parent) || ts.isJsxClosingElement(parent)) return false
  return true
}

/** path → every value name it uses undeclared, first use first. Files of other kinds are left out. */
export function undeclaredUses(files: ReadonlyMap<string, string>): Map<string, UndeclaredUse[]> {
  const virtual = new Map<string, { path: string; text: string; kind: ts.ScriptKind }>()
  for (const [path, text] of files) {
    if (!isScriptPath(path)) continue
    const view = path.endsWith('.vue') ? vueScriptText(path, text) : { text, kind: scriptKindOf(path) ?? ts.ScriptKind.TS }
    const name = `/verify/${path}${view.kind === ts.ScriptKind.TS && path.endsWith('.vue') ? '.ts' : path.endsWith('.vue') ? '.js' : ''}`
    virtual.set(name, { path, ...view })
  }
  const host: ts.CompilerHost = {
    getSourceFile: (name, language) => {
      const file = virtual.get(name)
      return file ? ts.createSourceFile(name, file.text, language, true, file.kind) : undefined
    },
    getDefaultLibFileName: () => 'lib.d.ts',
    writeFile: () => undefined,
    getCurrentDirectory: () => '/',
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (name) => virtual.has(name),
    readFile: (name) => virtual.get(name)?.text,
  }
  const program = ts.createProgram([...virtual.keys()], OPTIONS, host)
  // Resolving names needs the binder only: no file is type-checked.
  const checker = program.getTypeChecker()
  const result = new Map<string, UndeclaredUse[]>()
  for (const [name, file] of virtual) {
    const source = program.getSourceFile(name)
    if (!source) continue
    const uses: UndeclaredUse[] = []
    for (const id of valueIdentifiers(source)) {
      const symbol = ts.isShorthandPropertyAssignment(id.parent) ? checker.getShorthandAssignmentValueSymbol(id.parent) : checker.getSymbolAtLocation(id)
      if (!symbol) uses.push({ name: id.text, offset: id.getStart(source) })
    }
    result.set(file.path, uses)
  }
  return result
}
