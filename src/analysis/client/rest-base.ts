// How the app's browser code builds the URLs of its own REST calls.
import { Node, SyntaxKind, ts, type CallExpression } from 'ts-morph'
import type { AnalysisContext } from '../context.js'
import { configObject, objectAt, property } from '../server/nuxt-config.js'
import { declarationOf } from './syntax.js'
import type { RestBase } from './types.js'
import { unwrapExpression } from '../../ast/expression.js'
import { descendantsOfKind } from '../../ast/walk.js'

/** The app's requests whose first argument is the URL. */
const REQUESTS = new Set(['$fetch', '$fetch.raw', 'useFetch', 'useLazyFetch', 'fetch'])

/** A REST call of the app: which public runtime-config key its URL starts with, and the path after it. */
interface BasedCall {
  key: string
  path: string
}

/**
 * The base is the key most of the app's based calls use, provided those calls reach route files
 * under `server/api` (more of them than not) and its default in nuxt.config, when it has one, is
 * `/api`: a base that names another server is not where the generated routes are.
 */
export function findRestBase(ctx: AnalysisContext): RestBase | undefined {
  const { layout } = ctx.repo
  const apiDir = `${ctx.repo.relative(layout.serverDir)}/api`
  const tally = new Map<string, { reached: number; missed: number }>()
  for (const unit of ctx.repo.units.values()) {
    if (!unit.absPath.startsWith(`${layout.srcDir}/`) || unit.absPath.startsWith(`${layout.serverDir}/`)) continue
    for (const block of unit.scripts) {
      if (!block.sourceFile.getFullText().includes('.public')) continue
      for (const call of descendantsOfKind(block.sourceFile, SyntaxKind.CallExpression)) {
        const based = basedCall(call)
        if (!based) continue
        const counts = tally.get(based.key) ?? { reached: 0, missed: 0 }
        if (reachesRouteFile(ctx, apiDir, based.path)) counts.reached++
        else counts.missed++
        tally.set(based.key, counts)
      }
    }
  }
  const [best] = [...tally].filter(([, c]) => c.reached > c.missed).sort(([, a], [, b]) => b.reached - a.reached)
  if (!best || !defaultIsApi(ctx, best[0])) return undefined
  return { key: best[0] }
}

/** `$fetch(`${config.public.apiBase}/chat/rooms`)` or `$fetch(useRuntimeConfig().public.apiBase + '/chat/rooms')`. */
function basedCall(call: CallExpression): BasedCall | undefined {
  if (!REQUESTS.has(call.getExpression().getText())) return undefined
  const url = call.getArguments()[0]
  if (!url) return undefined
  if (Node.isTemplateExpression(url) && url.getHead().getLiteralText() === '') {
    const [first] = url.getTemplateSpans()
    const key = first ? publicKey(first.getExpression()) : undefined
    return key && first ? { key, path: first.getLiteral().getLiteralText() } : undefined
  }
  if (Node.isBinaryExpression(url) && url.getOperatorToken().getKind() === SyntaxKind.PlusToken) {
    const key = publicKey(url.getLeft())
    const right = url.getRight()
    const path = Node.isStringLiteral(right) || Node.isNoSubstitutionTemplateLiteral(right) ? right.getLiteralValue() : Node.isTemplateExpression(right) ? right.getHead().getLiteralText() : undefined
    return key && path !== undefined ? { key, path } : undefined
  }
  return undefined
}

/** `config.public.apiBase` (config from `useRuntimeConfig()`) or `useRuntimeConfig().public.apiBase`: `apiBase`. */
export function publicKey(node: Node): string | undefined {
  const access = unwrapExpression(node)
  if (!Node.isPropertyAccessExpression(access)) return undefined
  const pub = unwrapExpression(access.getExpression())
  if (!Node.isPropertyAccessExpression(pub) || pub.getName() !== 'public') return undefined
  return isRuntimeConfig(pub.getExpression()) ? access.getName() : undefined
}

/** `useRuntimeConfig()`, or a variable initialised with it. */
export function isRuntimeConfig(node: Node): boolean {
  const expr = unwrapExpression(node)
  if (Node.isCallExpression(expr)) return expr.getExpression().getText() === 'useRuntimeConfig'
  const decl = Node.isIdentifier(expr) ? declarationOf(expr) : undefined
  const init = decl && Node.isVariableDeclaration(decl) ? decl.getInitializer() : undefined
  return init !== undefined && Node.isCallExpression(unwrapExpression(init)) && isRuntimeConfig(init)
}

/** `/chat/rooms/` (before `${roomId}`): `server/api/chat/rooms` is a folder or `rooms.get.ts` a route file. */
function reachesRouteFile(ctx: AnalysisContext, apiDir: string, path: string): boolean {
  const segments = path.split('?')[0]!.split('/').filter(Boolean)
  if (segments.length === 0) return false
  const target = `${apiDir}/${segments.join('/')}`
  return ctx.repo.exists(target) || ctx.repo.files.some((file) => file.startsWith(`${target}.`))
}

/** The key's default in nuxt.config's `runtimeConfig.public`, when it has a literal one, is `/api` (alone or after an origin). */
function defaultIsApi(ctx: AnalysisContext, key: string): boolean {
  const text = ctx.repo.readText(ctx.repo.relative(ctx.repo.layout.nuxtConfigPath))
  if (text === undefined) return true
  const file = ts.createSourceFile('nuxt.config.ts', text, ts.ScriptTarget.Latest, true)
  const publicConfig = objectAt(configObject(file), ['runtimeConfig', 'public'], file)
  const initializer = publicConfig ? property(publicConfig, key, file)?.initializer : undefined
  if (!initializer) return true
  const literals: string[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) literals.push(node.text)
    node.forEachChild(visit)
  }
  visit(initializer)
  return literals.length === 0 || literals.some((literal) => /^(https?:\/\/[^/]+)?\/api\/?$/.test(literal))
}
