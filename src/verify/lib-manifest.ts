import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ts } from 'ts-morph'
import { DEFAULT_LIB, isBrowserLib, readLib } from './lib-files.js'
import { wordsOf } from './words.js'

/**
 * What depends on what among the top-level declarations of TypeScript's lib files, so that a check
 * can load only the declarations its code can reach (see lib-trimming.ts). Reading it off the lib
 * costs a parse of the whole lib, the very cost the trimming saves: the build writes it beside
 * dist/ (see write-lib-manifest.ts), and a run computes it only when that file is missing or was
 * written for another TypeScript.
 */
export interface LibManifest {
  /** This file's layout: a manifest written by another version of this tool is computed again. */
  format: number
  /** The TypeScript whose lib this describes: ts-morph's own. */
  typescript: string
  /**
   * The files in the order a program loads them, which is the order their declarations merge in
   * (an interface's later declarations' overloads come first): a packed lib keeps it.
   */
  order: string[]
  files: Record<string, LibFileManifest>
}

export interface LibFileManifest {
  /** The text's length, a cheap check that the lib read at run time is the one described. */
  length: number
  /** The lib files its `/// <reference lib>` lines load. */
  references: string[]
  /** In module form (`export {}` with `declare global`): its module-local names cannot share a file with others. */
  module: boolean
  /** Where the declarations start: before them, only `/// <reference>` lines. */
  prologueEnd: number
  declarations: LibDeclaration[]
}

export interface LibDeclaration {
  start: number
  end: number
  /** The global names it declares (or augments). */
  names: string[]
  /** Lib names it needs whenever it is loaded. */
  refs: string[]
  /**
   * Parts it needs only when their name is used: an interface's members (a member nobody names
   * can only matter through a type nobody names), a namespace's declarations. An empty name (a
   * signature, a `[Symbol.iterator]` member the language reaches by itself) is always followed.
   */
  parts: LibPart[]
}

export interface LibPart {
  name: string
  refs: string[]
}

const MANIFEST_FILE = fileURLToPath(new URL('../../lib-manifest.json', import.meta.url))
const MANIFEST_FORMAT = 1

function identifiers(text: string): string[] {
  return [...wordsOf([text])]
}

function declaredNames(statement: ts.Statement): string[] {
  if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.flatMap((declaration) => (ts.isIdentifier(declaration.name) ? [declaration.name.text] : []))
  const name = (statement as ts.Statement & { name?: ts.Node }).name
  return name && (ts.isIdentifier(name) || ts.isStringLiteral(name)) ? [name.text] : []
}

function memberName(member: ts.TypeElement): string {
  const name = member.name
  return name && (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) ? name.text : ''
}

/** A lib file in module form (`export {}` with `declare global`) keeps module-local names: it is loaded whole or not at all. */
function isModule(source: ts.SourceFile): boolean {
  return source.statements.some((statement) => ts.isExportDeclaration(statement) || ts.isImportDeclaration(statement) || ts.isExportAssignment(statement))
}

function referencedLibs(text: string): string[] {
  return [...text.matchAll(LIB_REFERENCE)].map((match) => `lib.${match[1]!.toLowerCase()}.d.ts`).filter((name) => !isBrowserLib(name))
}

function describeLibFile(fileName: string, text: string): LibFileManifest {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest)
  const statements = source.statements
  const prologueEnd = statements[0]?.getStart(source) ?? text.length
  const slice = (node: ts.Node) => text.slice(node.getStart(source), node.end)
  const file = { length: text.length, references: referencedLibs(text), prologueEnd }
  if (isModule(source)) {
    const names = statements.flatMap((statement) =>
      ts.isModuleDeclaration(statement) && statement.body && ts.isModuleBlock(statement.body) ? statement.body.statements.flatMap(declaredNames) : declaredNames(statement),
    )
    return { ...file, module: true, declarations: [{ start: prologueEnd, end: text.length, names, refs: identifiers(text.slice(prologueEnd)), parts: [] }] }
  }
  const declarations = statements.map((statement): LibDeclaration => {
    const base = { start: statement.getStart(source), end: statement.end, names: declaredNames(statement) }
    if (ts.isInterfaceDeclaration(statement)) {
      const header = [...(statement.typeParameters ?? []), ...(statement.heritageClauses ?? [])]
      return { ...base, refs: identifiers(header.map(slice).join(' ')), parts: statement.members.map((member) => ({ name: memberName(member), refs: identifiers(slice(member)) })) }
    }
    if (ts.isModuleDeclaration(statement) && statement.body && ts.isModuleBlock(statement.body)) {
      const parts = statement.body.statements.flatMap((inner) => {
        const names = declaredNames(inner)
        const refs = identifiers(slice(inner))
        return names.length > 0 ? names.map((name) => ({ name, refs })) : [{ name: '', refs }]
      })
      return { ...base, refs: [], parts }
    }
    return { ...base, refs: identifiers(slice(statement)), parts: [] }
  })
  return { ...file, module: false, declarations }
}

/** Keeps only references to names some lib declaration declares: the rest cannot reach anything. */
function withLibRefsOnly(files: Record<string, LibFileManifest>): Record<string, LibFileManifest> {
  const declared = new Set<string>()
  for (const file of Object.values(files)) {
    for (const declaration of file.declarations) {
      for (const name of declaration.names) declared.add(name)
      for (const part of declaration.parts) if (part.name !== '') declared.add(part.name)
    }
  }
  const keep = (refs: string[]) => refs.filter((ref) => declared.has(ref))
  return Object.fromEntries(
    Object.entries(files).map(([name, file]) => [
      name,
      { ...file, declarations: file.declarations.map((declaration) => ({ ...declaration, refs: keep(declaration.refs), parts: declaration.parts.map((part) => ({ name: part.name, refs: keep(part.refs) })) })) },
    ]),
  )
}

/** The lib files in the order a program over `root` loads them: TypeScript sorts them by its own list of libs. */
function loadOrder(root: string, readLib: (fileName: string) => string | undefined): string[] {
  const LIB_DIR = '/lib'
  const read = (fileName: string) => (fileName === '/main.ts' ? '' : fileName.startsWith(`${LIB_DIR}/`) ? readLib(fileName.slice(LIB_DIR.length + 1)) : undefined)
  const host: ts.CompilerHost = {
    getSourceFile: (fileName, languageVersion) => {
      const text = read(fileName)
      return text === undefined ? undefined : ts.createSourceFile(fileName, text, languageVersion)
    },
    getDefaultLibFileName: () => `${LIB_DIR}/${root}`,
    getDefaultLibLocation: () => LIB_DIR,
    writeFile: () => undefined,
    getCurrentDirectory: () => '/',
    getCanonicalFileName: (fileName) => fileName,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (fileName) => read(fileName) !== undefined,
    readFile: read,
  }
  const program = ts.createProgram({ rootNames: ['/main.ts'], options: { lib: [root], noEmit: true, types: [] }, host })
  return program.getSourceFiles().flatMap((file) => (file.fileName.startsWith(`${LIB_DIR}/`) ? [file.fileName.slice(LIB_DIR.length + 1)] : []))
}

/** Describes the lib files `root` loads (a file name such as `lib.esnext.d.ts`). */
export function describeLib(root: string, readLib: (fileName: string) => string | undefined): LibManifest {
  const files: Record<string, LibFileManifest> = {}
  for (const name of libFileNames(root, readLib)) {
    const text = readLib(name)
    if (text !== undefined) files[name] = describeLibFile(name, text)
  }
  return { format: MANIFEST_FORMAT, typescript: ts.version, order: loadOrder(root, readLib).filter((name) => name in files), files: withLibRefsOnly(files) }
}

const LIB_REFERENCE = /^\/\/\/\s*<reference\s+lib="([^"]+)"/gm

/**
 * The lib files `root` loads (itself and what its `/// <reference lib>` lines load, and so on), by
 * file name. From the newest ECMAScript lib, that is every language lib TypeScript ships.
 */
export function libFileNames(root: string, readLib: (fileName: string) => string | undefined): string[] {
  const names = new Set<string>()
  const visit = (name: string) => {
    if (names.has(name)) return
    const text = readLib(name)
    if (text === undefined) return
    names.add(name)
    for (const reference of referencedLibs(text)) visit(reference)
  }
  visit(root)
  return [...names]
}

/** Writes the manifest the build ships beside dist/src. */
export function writeLibManifest(file = MANIFEST_FILE): void {
  writeFileSync(file, `${JSON.stringify(describeLib(DEFAULT_LIB, readLib))}\n`)
}

/** The manifest in `file` when it describes the lib the check loads (this layout, this TypeScript, the same lengths). */
export function readShippedManifest(file = MANIFEST_FILE): LibManifest | undefined {
  if (!existsSync(file)) return undefined
  const shipped = JSON.parse(readFileSync(file, 'utf8')) as LibManifest
  const fits = shipped.format === MANIFEST_FORMAT && shipped.typescript === ts.version && Object.entries(shipped.files).every(([name, described]) => readLib(name)?.length === described.length)
  return fits ? shipped : undefined
}

let loaded: LibManifest | undefined
/** The manifest of this TypeScript's lib: the one the build wrote, else computed here once per process. */
export function libManifest(): LibManifest {
  loaded ??= readShippedManifest() ?? describeLib(DEFAULT_LIB, readLib)
  return loaded
}
