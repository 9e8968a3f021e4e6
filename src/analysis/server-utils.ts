import path from 'node:path'
import { Node, type ArrowFunction, type FunctionDeclaration, type FunctionExpression } from 'ts-morph'
import type { Repo } from '../project/types.js'

/**
 * `export function name` of a file under the server's utils/ folder, which Nitro auto-imports (and
 * which code may also import explicitly). Files that do not declare the name are never parsed.
 */
export function findServerUtil(repo: Repo, name: string): { file: string; fn: FunctionDeclaration } | undefined {
  const utilsDir = path.posix.join(repo.relative(repo.layout.serverDir), 'utils')
  const declares = new RegExp(`\\bfunction\\s*\\*?\\s*${name.replace(/\$/g, '\\$')}\\b`)
  for (const file of repo.glob(`${utilsDir}/**/*.{ts,js,mts,mjs}`)) {
    if (!declares.test(repo.readText(file) ?? '')) continue
    const fn = repo.getUnit(file)?.scripts[0]?.sourceFile.getFunction(name)
    if (fn?.isExported()) return { file, fn }
  }
  return undefined
}

/**
 * Like `findServerUtil`, and also `export const name = (...) => ...` (or a function expression), the
 * other way apps write a util.
 */
export function findServerUtilFunction(repo: Repo, name: string): { file: string; fn: FunctionDeclaration | ArrowFunction | FunctionExpression } | undefined {
  const declared = findServerUtil(repo, name)
  if (declared) return declared
  const utilsDir = path.posix.join(repo.relative(repo.layout.serverDir), 'utils')
  const declares = new RegExp(`\\bconst\\s+${name.replace(/\$/g, '\\$')}\\b`)
  for (const file of repo.glob(`${utilsDir}/**/*.{ts,js,mts,mjs}`)) {
    if (!declares.test(repo.readText(file) ?? '')) continue
    const declaration = repo.getUnit(file)?.scripts[0]?.sourceFile.getVariableDeclaration(name)
    const init = declaration?.getInitializer()
    const fn = Node.isArrowFunction(init) || Node.isFunctionExpression(init) ? init : undefined
    if (fn && declaration?.getVariableStatement()?.isExported() && declaration.getVariableStatement()?.getDeclarationKind() === 'const') return { file, fn }
  }
  return undefined
}
