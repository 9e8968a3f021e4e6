import { cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** Directories a tree comparison never looks into: the tool's own journal and git's metadata. */
const SKIPPED = new Set(['.tutor-sse-migrate', '.git'])

/** Fixture trees keep their .gitignore as `_gitignore`, so it cannot hide fixture files from this repo's git. */
export const STORED_GITIGNORE = '_gitignore'

/**
 * Every file of a tree (path → bytes; symlinks as `-> target`), repo-relative posix paths.
 * `ignoreTopLevel`: entries of the root left out as well (an app's `node_modules`, its build output).
 */
export function readTree(root: string, ignoreTopLevel: readonly string[] = []): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (SKIPPED.has(entry.name) || (prefix === '' && ignoreTopLevel.includes(entry.name))) continue
      const abs = path.join(dir, entry.name)
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name
      if (entry.isSymbolicLink()) files.set(rel, Buffer.from(`-> ${readlinkSync(abs)}`))
      else if (entry.isDirectory()) walk(abs, rel)
      else files.set(rel, readFileSync(abs))
    }
  }
  walk(root, '')
  return files
}

/** The files of a stored fixture tree (`fixtures/<name>/after`) as the app has them: `_gitignore` read as `.gitignore`. */
export function readStoredTree(root: string): Map<string, Buffer> {
  return new Map([...readTree(root)].map(([file, bytes]) => [file.split('/').map((part) => (part === STORED_GITIGNORE ? '.gitignore' : part)).join('/'), bytes]))
}

/** A readable account of how two trees differ, or '' when they are identical. */
export function diffTrees(actual: Map<string, Buffer>, expected: Map<string, Buffer>): string {
  const lines: string[] = []
  for (const [file, bytes] of expected) {
    const got = actual.get(file)
    if (!got) lines.push(`missing: ${file}`)
    else if (!got.equals(bytes)) lines.push(`differs: ${file}\n${firstDifference(got.toString('utf8'), bytes.toString('utf8'))}`)
  }
  for (const file of actual.keys()) if (!expected.has(file)) lines.push(`unexpected: ${file}`)
  return lines.join('\n')
}

function firstDifference(actual: string, expected: string): string {
  const a = actual.split('\n')
  const e = expected.split('\n')
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i] !== e[i]) return `  line ${i + 1}\n  expected: ${JSON.stringify(e[i])}\n  actual:   ${JSON.stringify(a[i])}`
  }
  return '  (line endings or trailing bytes differ)'
}

/** Copies a fixture tree, restoring `_gitignore` files to `.gitignore`. */
export function copyFixtureTree(from: string, to: string): void {
  cpSync(from, to, { recursive: true, verbatimSymlinks: true })
  renameAll(to, STORED_GITIGNORE, '.gitignore')
}

/** Replaces a fixture tree with `from` (UPDATE_FIXTURES), storing `.gitignore` files as `_gitignore`. */
export function storeFixtureTree(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true })
  mkdirSync(to, { recursive: true })
  for (const [file, bytes] of readTree(from)) {
    const stored = file.split('/').map((part) => (part === '.gitignore' ? STORED_GITIGNORE : part)).join('/')
    mkdirSync(path.dirname(path.join(to, stored)), { recursive: true })
    writeFileSync(path.join(to, stored), bytes)
  }
}

function renameAll(root: string, fromName: string, toName: string): void {
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const abs = path.join(root, entry.name)
    if (entry.isDirectory() && !lstatSync(abs).isSymbolicLink()) renameAll(abs, fromName, toName)
    else if (entry.name === fromName) {
      writeFileSync(path.join(root, toName), readFileSync(abs))
      rmSync(abs)
    }
  }
}
