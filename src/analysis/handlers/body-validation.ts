import path from 'node:path'
import { Node, SyntaxKind, type CallExpression, type ImportDeclaration, type SourceFile } from 'ts-morph'
import type { Repo } from '../../project/types.js'
import { descendantsOfKind } from '../../ast/walk.js'
import { declarationsOf } from '../server/imports.js'
import { declarationsOf as ownDeclarationsOf } from '../symbols.js'
import { listsDependency } from '../../changeset/package-json.js'

/** zod's entry points with the classic API (`z.string().optional()`); `zod/mini` has another one. */
const ZOD_SPECIFIER = /^zod(?:\/v3|\/v4)?$/

/** A route that may validate its body: files without one of these are never parsed. */
const VALIDATION_TEXT = /\breadValidatedBody\s*\(|(?<!\bJSON\s*)\.\s*(?:safeParse|parse)(?:Async)?\s*\(/

/** How the app's API routes validate request bodies with zod, for the routes generated next to them. */
export interface ZodBodyValidation {
  /** zod's namespace as the routes import it: `import { z } from 'zod'`. */
  zodImport: { kind: 'named' | 'namespace' | 'default'; name: string; specifier: string }
  /**
   * What the routes pass to `readValidatedBody`: the schema's method (`schema.parse`) or an arrow
   * (`(body) => schema.parse(body)`, with its parameter's name). Routes that parse `readBody`'s result
   * themselves count as `method`: a ZodError thrown in a handler answers 500, h3's `readValidatedBody` 400.
   */
  validator: { kind: 'method' } | { kind: 'arrow'; param: string }
  /** The app's multi-line `z.object({ ... })` literals end with a comma. */
  trailingComma: boolean
  /** How many API route files validate a body with zod. */
  routes: number
}

/**
 * The app's zod validation of request bodies, when package.json depends on zod and some API route
 * validates its body with a zod schema: `readValidatedBody(event, schema.parse)`, the same with an
 * arrow, or `schema.parse(await readBody(event))` / `safeParse`.
 */
export function findZodBodyValidation(repo: Repo): ZodBodyValidation | undefined {
  const packageJson = repo.readText(repo.relative(repo.layout.packageJsonPath))
  if (packageJson === undefined || !listsDependency(packageJson, 'zod', ['dependencies', 'devDependencies'])) return undefined
  const serverDir = repo.relative(repo.layout.serverDir)
  const validators = new Map<string, number>()
  const imports: ImportDeclaration[] = []
  const objects: boolean[] = []
  let routes = 0
  for (const file of repo.glob(`${serverDir}/api/**/*.{ts,js,mts,mjs}`)) {
    if (!VALIDATION_TEXT.test(repo.readText(file) ?? '')) continue
    const source = repo.getUnit(file)?.scripts[0]?.sourceFile
    if (!source) continue
    const found = validationsIn(repo, source, serverDir)
    if (found.length === 0) continue
    routes++
    for (const { validator, schemaFile } of found) {
      if (validator) validators.set(JSON.stringify(validator), (validators.get(JSON.stringify(validator)) ?? 0) + 1)
      for (const from of new Set([source, schemaFile])) {
        imports.push(...zodImports(from))
        objects.push(...objectLiteralCommas(from))
      }
    }
  }
  if (routes === 0) return undefined
  const [validator] = [...validators].sort((a, b) => b[1] - a[1])
  return {
    zodImport: importShape(imports),
    validator: validator ? (JSON.parse(validator[0]) as ZodBodyValidation['validator']) : { kind: 'method' },
    trailingComma: objects.filter(Boolean).length > objects.length / 2,
    routes,
  }
}

interface Validation {
  /** Undefined for a route that parses the body itself (`schema.parse(await readBody(event))`). */
  validator?: ZodBodyValidation['validator']
  /** The file declaring the schema (its zod import is the app's too). */
  schemaFile: SourceFile
}

/** The body validations of one route file with a zod schema. */
function validationsIn(repo: Repo, source: SourceFile, serverDir: string): Validation[] {
  const found: Validation[] = []
  const readsBody = /\breadBody\s*[<(]/.test(source.getFullText())
  for (const call of descendantsOfKind(source, SyntaxKind.CallExpression)) {
    const callee = call.getExpression()
    if (Node.isIdentifier(callee) && callee.getText() === 'readValidatedBody') {
      const read = validatorOf(repo, call, serverDir)
      if (read) found.push(read)
      continue
    }
    // `schema.parse(await readBody(event))`, `schema.safeParse(body)` beside a `readBody`.
    if (!readsBody || !Node.isPropertyAccessExpression(callee) || !/^(?:safeParse|parse)(?:Async)?$/.test(callee.getName()) || callee.getExpression().getText() === 'JSON') continue
    if (call.getFirstAncestorByKind(SyntaxKind.CallExpression)?.getExpression().getText() === 'readValidatedBody') continue
    const schemaFile = zodSchemaFile(repo, callee.getExpression(), serverDir)
    if (schemaFile) found.push({ schemaFile })
  }
  return found
}

/** `readValidatedBody(event, schema.parse)` / `readValidatedBody(event, (body) => schema.parse(body))` with a zod schema. */
function validatorOf(repo: Repo, call: CallExpression, serverDir: string): Validation | undefined {
  const fn = call.getArguments()[1]
  if (Node.isPropertyAccessExpression(fn) && fn.getName() === 'parse') {
    const schemaFile = zodSchemaFile(repo, fn.getExpression(), serverDir)
    return schemaFile && { validator: { kind: 'method' }, schemaFile }
  }
  if (!Node.isArrowFunction(fn) || fn.getParameters().length !== 1) return undefined
  const param = fn.getParameters()[0]!.getNameNode()
  let body: Node | undefined = fn.getBody()
  if (Node.isBlock(body)) {
    const [only, ...rest] = body.getStatements()
    body = rest.length === 0 && Node.isReturnStatement(only) ? only.getExpression() : undefined
  }
  if (!Node.isIdentifier(param) || !Node.isCallExpression(body)) return undefined
  const parse = body.getExpression()
  const args = body.getArguments()
  if (!Node.isPropertyAccessExpression(parse) || parse.getName() !== 'parse' || args.length !== 1 || args[0]!.getText() !== param.getText()) return undefined
  const schemaFile = zodSchemaFile(repo, parse.getExpression(), serverDir)
  return schemaFile && { validator: { kind: 'arrow', param: param.getText() }, schemaFile }
}

/**
 * The file declaring `schema` when it is built with zod (`const schema = z.object(...)`, here, imported,
 * or auto-imported from the server's utils/), else undefined.
 */
function zodSchemaFile(repo: Repo, schema: Node, serverDir: string): SourceFile | undefined {
  if (!Node.isIdentifier(schema)) return undefined
  let declarations = declarationsOf(repo, schema)
  if (declarations.length === 0) declarations = autoImportedDeclarations(repo, schema.getText(), serverDir)
  for (const declaration of declarations) {
    if (!Node.isVariableDeclaration(declaration)) continue
    const root = chainRoot(declaration.getInitializer())
    const zod = root && ownDeclarationsOf(root).find((d) => Node.isImportSpecifier(d) || Node.isNamespaceImport(d) || Node.isImportClause(d))
    const specifier = zod?.getFirstAncestorByKind(SyntaxKind.ImportDeclaration)?.getModuleSpecifierValue()
    if (specifier && ZOD_SPECIFIER.test(specifier)) return declaration.getSourceFile()
  }
  return undefined
}

/** `export const name` of the server's utils/, which Nitro auto-imports into routes. */
function autoImportedDeclarations(repo: Repo, name: string, serverDir: string): Node[] {
  const declares = new RegExp(`\\bexport\\s+const\\s+${name.replace(/\$/g, '\\$')}\\b`)
  for (const file of repo.glob(`${path.posix.join(serverDir, 'utils')}/**/*.{ts,js,mts,mjs}`)) {
    if (!declares.test(repo.readText(file) ?? '')) continue
    const declaration = repo.getUnit(file)?.scripts[0]?.sourceFile.getVariableDeclaration(name)
    if (declaration) return [declaration]
  }
  return []
}

/** `z` of `z.object({...}).strict()`: the identifier a chain of calls and property reads starts from. */
function chainRoot(node: Node | undefined): Node | undefined {
  while (node && (Node.isCallExpression(node) || Node.isPropertyAccessExpression(node))) node = node.getExpression()
  return Node.isIdentifier(node) ? node : undefined
}

function zodImports(file: SourceFile): ImportDeclaration[] {
  return file.getImportDeclarations().filter((d) => ZOD_SPECIFIER.test(d.getModuleSpecifierValue()) && !d.isTypeOnly())
}

/** The most common way the files import zod's namespace; `import { z } from 'zod'` when none does. */
function importShape(imports: ImportDeclaration[]): ZodBodyValidation['zodImport'] {
  const counts = new Map<string, number>()
  for (const declaration of imports) {
    const specifier = declaration.getModuleSpecifierValue()
    const named = declaration.getNamedImports().find((i) => i.getName() === 'z' && !i.isTypeOnly())
    const namespace = declaration.getNamespaceImport()
    const defaultImport = declaration.getDefaultImport()
    const shape: ZodBodyValidation['zodImport'] | undefined = named
      ? { kind: 'named', name: named.getAliasNode()?.getText() ?? 'z', specifier }
      : namespace
        ? { kind: 'namespace', name: namespace.getText(), specifier }
        : defaultImport
          ? { kind: 'default', name: defaultImport.getText(), specifier }
          : undefined
    if (shape) counts.set(JSON.stringify(shape), (counts.get(JSON.stringify(shape)) ?? 0) + 1)
  }
  const [best] = [...counts].sort((a, b) => b[1] - a[1])
  return best ? (JSON.parse(best[0]) as ZodBodyValidation['zodImport']) : { kind: 'named', name: 'z', specifier: 'zod' }
}

/** For each multi-line object literal passed to an `.object(...)` call: whether its last property has a comma. */
function objectLiteralCommas(file: SourceFile): boolean[] {
  const commas: boolean[] = []
  for (const call of descendantsOfKind(file, SyntaxKind.CallExpression)) {
    const callee = call.getExpression()
    const [shape] = call.getArguments()
    if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'object' || !Node.isObjectLiteralExpression(shape)) continue
    if (shape.getProperties().length === 0 || !shape.getText().includes('\n')) continue
    commas.push(shape.compilerNode.properties.hasTrailingComma)
  }
  return commas
}

/** The import line for zod's namespace. */
export function zodImportLine({ kind, name, specifier }: ZodBodyValidation['zodImport']): string {
  const clause = kind === 'named' ? (name === 'z' ? '{ z }' : `{ z as ${name} }`) : kind === 'namespace' ? `* as ${name}` : name
  return `import ${clause} from '${specifier}'`
}
