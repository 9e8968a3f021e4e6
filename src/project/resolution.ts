import path from 'node:path'
import { ts, type ResolutionHostFactory } from 'ts-morph'

/**
 * True for a bare package specifier (`h3`, `socket.io`, `@socket.io/redis-adapter`, `node:fs`). Nuxt's
 * aliases (`~/`, `@/`, `~~/`, `@@/`, `#server/`, …) and relative paths are the repo's own files.
 */
export function isPackageSpecifier(specifier: string): boolean {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('~') || specifier.startsWith('#')) return false
  return !(specifier.startsWith('@/') || specifier.startsWith('@@/'))
}

/** Resolves import specifiers to the repo's own files, once per (directory, specifier). */
export interface RepoResolver {
  resolve(specifier: string, containingFile: string): ts.ResolvedModuleFull | undefined
  /** For ts-morph: the program is rebuilt after every edit, and each rebuild resolves every import again. */
  readonly hostFactory: ResolutionHostFactory
}

/**
 * Package imports are never followed: the analysis reads which package a name comes from off the
 * import declaration, and loading node_modules' declaration files into the type checker (with every
 * failed lookup on the way) made each program rebuild cost more than the whole analysis.
 */
export function createRepoResolver(getOptions: () => ts.CompilerOptions): RepoResolver {
  const cache = new Map<string, ts.ResolvedModuleFull | undefined>()
  const resolve = (specifier: string, containingFile: string): ts.ResolvedModuleFull | undefined => {
    if (isPackageSpecifier(specifier)) return undefined
    // An alias means the same file from anywhere in the repo; a relative path depends on the directory.
    const key = specifier.startsWith('.') ? `${path.dirname(containingFile)}\0${specifier}` : specifier
    if (cache.has(key)) return cache.get(key)
    const resolved = ts.resolveModuleName(specifier, containingFile, getOptions(), ts.sys).resolvedModule
    cache.set(key, resolved)
    return resolved
  }
  return {
    resolve,
    hostFactory: () => ({
      resolveModuleNames: (moduleNames, containingFile) => moduleNames.map((name) => resolve(name, containingFile)),
    }),
  }
}
