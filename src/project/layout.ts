import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { ts } from 'ts-morph'
import { InputError } from '../errors.js'
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
  if (!existsSync(packageJsonPath)) {
    const below = nuxtAppsBelow(rootDir)
    throw new InputError(below.length > 0
      ? `${dir}: no package.json here; the Nuxt ${below.length === 1 ? 'app below it is' : 'apps below it are'} ${below.join(', ')}: pass ${below.length === 1 ? 'that folder' : 'one of them'}`
      : `${dir}: no package.json here, and no Nuxt app (package.json next to a nuxt.config) in the folders below it (pass the root of a Nuxt app)`)
  }
  const nuxtConfigName = NUXT_CONFIG_NAMES.find((name) => existsSync(path.join(rootDir, name)))
  if (!nuxtConfigName) {
    throw new InputError(`${dir}: not a Nuxt app (no ${NUXT_CONFIG_NAMES.join(', ')} next to package.json)`)
  }
  const nuxt2 = nuxt2Range(packageJsonPath)
  if (nuxt2) {
    throw new InputError(`${dir}: a Nuxt 2 app (package.json: "nuxt": "${nuxt2}"). tutor-sse-migrate migrates Nuxt 3 and 4 apps: the SSE runtime it installs needs their Nitro server and composables. Upgrade the app to Nuxt 3 first, then run the tool again`)
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

/** The `nuxt` range of a package.json when it is Nuxt 2 (`^2.12.2`, `~2.15`, `2.x`, `nuxt-edge`). */
function nuxt2Range(packageJsonPath: string): string | undefined {
  let manifest: { dependencies?: Record<string, unknown>; devDependencies?: Record<string, unknown> }
  try {
    manifest = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as typeof manifest
  } catch {
    return undefined // a malformed package.json is reported by the loader, with its parse error
  }
  const deps = { ...manifest.devDependencies, ...manifest.dependencies }
  if (typeof deps['nuxt-edge'] === 'string') return `nuxt-edge ${deps['nuxt-edge']}`
  const range = deps.nuxt
  if (typeof range !== 'string' || typeof deps.nuxt3 === 'string') return undefined
  return /^\s*[\^~>=v]*\s*2(?:\.|$|\s|\.x)/.test(range) ? range : undefined
}

const SKIPPED_WHEN_SEARCHING = new Set(['node_modules', '.git', '.nuxt', '.output', 'dist', '.cache'])

/** Folders up to three levels below `rootDir` holding a package.json next to a nuxt.config, relative, sorted. */
function nuxtAppsBelow(rootDir: string): string[] {
  const found: string[] = []
  const visit = (dir: string, depth: number): void => {
    if (depth > 3 || found.length >= 20) return
    let entries: string[]
    try {
      entries = readdirSync(dir)
    } catch {
      return
    }
    if (depth > 0 && entries.includes('package.json') && NUXT_CONFIG_NAMES.some((name) => entries.includes(name))) {
      found.push(toPosix(path.relative(rootDir, dir)))
      return
    }
    for (const entry of entries.sort()) {
      if (SKIPPED_WHEN_SEARCHING.has(entry) || entry.startsWith('.')) continue
      const child = path.join(dir, entry)
      if (isDirectory(child)) visit(child, depth + 1)
    }
  }
  visit(rootDir, 0)
  return found
}
