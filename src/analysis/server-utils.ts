import path from 'node:path'
import type { FunctionDeclaration } from 'ts-morph'
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
