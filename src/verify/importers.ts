import path from 'node:path'
import { isScriptPath } from './script-views.js'
import type { RepoSide, SideResolver } from './type-program.js'

/**
 * `from '…'`, `import '…'` and `import('…')`: read off the text, a `.vue` file's too, since parsing
 * every candidate (its template first, for a `.vue` one) cost more than the check of its imports.
 */
const IMPORT_SPECIFIER = /(?:\bfrom|\bimport\s*\(?)\s*['"]([^'"\n]+)['"]/g

/** The name an import of a file usually spells: `useChat` for `composables/useChat.ts`, `auth` for `auth/index.ts`. */
function stemOf(relPath: string): string {
  const base = path.posix.basename(relPath).replace(/\.[^.]+$/, '')
  return base === 'index' ? path.posix.basename(path.posix.dirname(relPath)) : base
}

/**
 * The files of `side` that use one of `targets` directly: they import it, or they use by name what it
 * exports from one of Nuxt's auto-import folders (`autoImported`: target → those names). File → the
 * targets it uses. A file is read only when its text names a target at all.
 */
export function directImporters(side: RepoSide, resolver: SideResolver, targets: ReadonlySet<string>, autoImported: ReadonlyMap<string, readonly string[]>): Map<string, Set<string>> {
  const stems = [...new Set([...targets].map(stemOf))]
  const byName = [...autoImported].flatMap(([target, names]) => names.map((name) => ({ target, pattern: new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\b`) })))
  const importers = new Map<string, Set<string>>()
  const add = (file: string, target: string) => {
    const used = importers.get(file) ?? new Set<string>()
    used.add(target)
    importers.set(file, used)
  }
  for (const file of side.files) {
    if (targets.has(file) || !isScriptPath(file)) continue
    const text = side.text(file)
    if (text === undefined) continue
    for (const { target, pattern } of byName) if (pattern.test(text)) add(file, target)
    if (!stems.some((stem) => text.includes(stem))) continue
    const absFile = path.posix.join(side.rootDir, file)
    for (const [, specifier] of text.matchAll(IMPORT_SPECIFIER)) {
      const resolution = resolver.resolve(specifier!, absFile)
      if (resolution.kind !== 'file') continue
      const target = resolver.relative(resolution.path).replace(/\.vue\.ts$/, '.vue')
      if (targets.has(target)) add(file, target)
    }
  }
  return importers
}
