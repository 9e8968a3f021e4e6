import { Node, SyntaxKind, type SourceFile, type Type } from 'ts-morph'
import type { AnalysisContext } from '../context.js'
import { serverDirOf } from './event-routes.js'
import type { HttpAuthUtil } from './types.js'
import { descendantsOfKind } from '../../ast/walk.js'
import { findServerUtilFunction } from '../server-utils.js'
import { ownReturnStatements } from '../server/syntax.js'

/** Names an auth util goes by: `requireAuth`, `requireUser`, `getAuthUser`, `ensureSession`, ... */
const AUTH_NAME = /^(require|ensure|assert|get|verify|check)(\w*)(Auth|User|Session)\w*$/

/** A call of a function named like an auth util: files without one are never parsed to look for it. */
const AUTH_CALL_TEXT = /\b(?:require|ensure|assert|get|verify|check)\w*(?:Auth|User|Session)\w*\s*(?:\?\.\s*)?[<(]/

/**
 * `export default defineEventHandler(async (event) => ...)` → the event parameter's name. Read from the
 * syntax: asking for the default export symbol rebuilt the type checker's program for every file parsed.
 */
function eventParamOf(file: SourceFile): string | undefined {
  const exported = file.getStatements().find((statement) => Node.isExportAssignment(statement) && !statement.isExportEquals())
  const call = Node.isExportAssignment(exported) ? exported.getExpression() : undefined
  if (!Node.isCallExpression(call)) return undefined
  const fn = call.getArguments()[0]
  if (!Node.isArrowFunction(fn) && !Node.isFunctionExpression(fn)) return undefined
  return fn.getParameters()[0]?.getName()
}

/**
 * The auth util the repo's API routes call with their event (`await requireAuth(event)`), the one most routes
 * use. The SSE endpoint and the generated routes can then authenticate exactly as the rest of the API does.
 */
export function findHttpAuth(ctx: AnalysisContext): HttpAuthUtil | undefined {
  const serverDir = serverDirOf(ctx)
  const counts = new Map<string, number>()
  /** `name\0specifier` → routes importing the util through that alias (`#server/utils/auth`). */
  const aliasImports = new Map<string, number>()
  for (const file of ctx.repo.glob(`${serverDir}/api/**/*.{ts,js,mts,mjs}`)) {
    if (!AUTH_CALL_TEXT.test(ctx.repo.readText(file) ?? '')) continue
    const source = ctx.repo.getUnit(file)?.scripts[0]?.sourceFile
    const eventName = source && eventParamOf(source)
    if (!source || !eventName) continue
    const names = new Set<string>()
    for (const call of descendantsOfKind(source, SyntaxKind.CallExpression)) {
      const callee = call.getExpression()
      const [arg, ...rest] = call.getArguments()
      if (!Node.isIdentifier(callee) || !AUTH_NAME.test(callee.getText()) || rest.length > 0 || arg?.getText() !== eventName) continue
      names.add(callee.getText())
    }
    for (const name of names) {
      counts.set(name, (counts.get(name) ?? 0) + 1)
      const specifier = source.getImportDeclarations().find((d) => d.getNamedImports().some((i) => i.getName() === name))?.getModuleSpecifierValue()
      if (specifier && !specifier.startsWith('.')) aliasImports.set(`${name}\0${specifier}`, (aliasImports.get(`${name}\0${specifier}`) ?? 0) + 1)
    }
  }
  const [best] = [...counts].sort((a, b) => b[1] - a[1])
  if (!best) return undefined
  const util = findServerUtilFunction(ctx.repo, best[0])
  if (!util) return undefined
  const calls = util.fn
    .getDescendantsOfKind(SyntaxKind.CallExpression)
    .map((call) => call.getExpression())
    .filter(Node.isIdentifier)
    .map((id) => id.getText())
  const [importedAs] = [...aliasImports].filter(([key]) => key.startsWith(`${best[0]}\0`)).sort((a, b) => b[1] - a[1])
  return {
    name: best[0],
    file: util.file,
    calls: [...new Set(calls)],
    routes: best[1],
    returnsResultOf: returnedCallResults(util.fn),
    yields: whatItYields(util.fn),
    refuses: refuses(util.fn),
    async: util.fn.isAsync() || /^Promise\b/.test(util.fn.getReturnTypeNode()?.getText() ?? ''),
    importSpecifier: importedAs?.[0].split('\0')[1],
  }
}

/** `const payload = verifyToken(t); …; return payload` → `verifyToken`: the calls whose result the function returns as it is. */
function returnedCallResults(fn: Node): string[] {
  const names = new Set<string>()
  for (const statement of ownReturnStatements(fn)) {
    let value = statement.getExpression()
    if (Node.isAwaitExpression(value)) value = value.getExpression()
    if (Node.isIdentifier(value)) {
      const declaration = value.getSymbol()?.getDeclarations()[0]
      value = Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined
      if (Node.isAwaitExpression(value)) value = value.getExpression()
    }
    const callee = Node.isCallExpression(value) ? value.getExpression() : undefined
    if (Node.isIdentifier(callee)) names.add(callee.getText())
  }
  return [...names]
}

/**
 * What the util gives its caller: the user's `id` (a string or number: `return decoded.userId`), or a
 * `user` object with an `id`. Read from the types of the values it returns (the analysis has no
 * `Promise` type to unwrap); where a type is not known (a library without types), a returned value
 * named like an id (`userId`, `decoded.sub`) is the id.
 */
function whatItYields(fn: HttpAuthFunction): HttpAuthUtil['yields'] {
  const body = fn.getBody()
  const values = (Node.isBlock(body) ? ownReturnStatements(fn).map((statement) => statement.getExpression()) : [body]).map((value) =>
    Node.isAwaitExpression(value) ? value.getExpression() : value)
  if (values.length === 0 || values.some((value) => value === undefined)) return undefined
  const kinds = new Set(values.map((value) => yieldOf(value!)))
  return kinds.size === 1 ? [...kinds][0] : undefined
}

function yieldOf(value: Node): HttpAuthUtil['yields'] {
  const type = value.getType()
  if (type.isAny() || type.isUnknown()) {
    const name = Node.isPropertyAccessExpression(value) ? value.getName() : Node.isIdentifier(value) ? value.getText() : undefined
    return name !== undefined && /^(?:id|sub|\w*Id)$/.test(name) ? 'id' : undefined
  }
  if (isIdType(type)) return 'id'
  const id = type.getProperty('id')?.getValueDeclaration()?.getType()
  return id && isIdType(id) ? 'user' : undefined
}

/**
 * The util refuses a request itself: it throws (`throw createError({ statusCode: 401 })`), or calls a
 * verification that throws on a bad token (`jwt.verify`). One that only reads what another middleware
 * left on the context (`return event.context.auth?.user?.id`) would let a request without a user through.
 */
function refuses(fn: HttpAuthFunction): boolean {
  if (fn.getDescendantsOfKind(SyntaxKind.ThrowStatement).length > 0) return true
  return fn.getDescendantsOfKind(SyntaxKind.CallExpression).some((call) => /(?:^|\.)(?:verify\w*|createError|sendError)$/.test(call.getExpression().getText()))
}

type HttpAuthFunction = NonNullable<ReturnType<typeof findServerUtilFunction>>['fn']

/** `string`, `number` or a union of them (`string | number`, a string literal). */
function isIdType(type: Type): boolean {
  if (type.isUnion()) return type.getUnionTypes().every(isIdType)
  return type.isString() || type.isNumber() || type.isStringLiteral() || type.isNumberLiteral()
}
