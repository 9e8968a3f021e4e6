import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { ts } from 'ts-morph'
import { InputError } from './errors.js'
import type { NuxtLayout } from './types.js'

const NUXT_CONFIG_NAMES = ['nuxt.config.ts', 'nuxt.config.js', 'nuxt.config.mjs']

export function toPosix(p: string): string {
  return p.split(path.sep).join('/')
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

/**
 * Reads `srcDir` / `serverDir` from nuxt.config when they are plain string literals. The config is
 * parsed, not regex-matched, so a commented-out `srcDir` does not count.
 */
export function readDirOverrides(configText: string, fileName: string): { srcDir?: string; serverDir?: string } {
  const file = ts.createSourceFile(fileName, configText, ts.ScriptTarget.Latest, false)
  const found: { srcDir?: string; serverDir?: string } = {}
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))) {
      const key = node.name.text
      if ((key === 'srcDir' || key === 'serverDir') && ts.isStringLiteralLike(node.initializer)) {
        found[key] ??= node.initializer.text
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return found
}

/** Finds the Nuxt app layout of `dir`: it must hold package.json and a nuxt.config. */
export function detectLayout(dir: string): NuxtLayout {
  const rootDir = path.resolve(dir)
  if (!existsSync(rootDir)) throw new InputError(`${dir}: no such directory`)
  if (!isDirectory(rootDir)) throw new InputError(`${dir}: not a directory (pass the root of a Nuxt app)`)
  const packageJsonPath = path.join(rootDir, 'package.json')
  if (!existsSync(packageJsonPath)) throw new InputError(`${dir}: no package.json here (pass the root of a Nuxt app)`)
  const nuxtConfigName = NUXT_CONFIG_NAMES.find((name) => existsSync(path.join(rootDir, name)))
  if (!nuxtConfigName) {
    throw new InputError(`${dir}: not a Nuxt app (no ${NUXT_CONFIG_NAMES.join(', ')} next to package.json)`)
  }
  const nuxtConfigPath = path.join(rootDir, nuxtConfigName)
  const overrides = readDirOverrides(readFileSync(nuxtConfigPath, 'utf8'), nuxtConfigPath)
  // Nuxt 4 puts the app in `app/`; a repo without that directory keeps the Nuxt 3 root layout.
  const srcDir = overrides.srcDir
    ? path.resolve(rootDir, overrides.srcDir)
    : isDirectory(path.join(rootDir, 'app'))
      ? path.join(rootDir, 'app')
      : rootDir
  const serverDir = overrides.serverDir ? path.resolve(rootDir, overrides.serverDir) : path.join(rootDir, 'server')
  return {
    rootDir: toPosix(rootDir),
    srcDir: toPosix(srcDir),
    serverDir: toPosix(serverDir),
    nuxtConfigPath: toPosix(nuxtConfigPath),
    packageJsonPath: toPosix(packageJsonPath),
  }
}
