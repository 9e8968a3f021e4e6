import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { FileChange } from '../changeset/types.js'

interface PrettierApi {
  format(text: string, options: Record<string, unknown>): Promise<string> | string
  resolveConfig(file: string): Promise<Record<string, unknown> | null>
  getFileInfo(file: string, options: { ignorePath?: string }): Promise<{ ignored: boolean; inferredParser: string | null }>
}

const FORMATTED = /\.(m?[jt]s|vue)$/

/** The repo's own Prettier, only when it is installed in the repo's node_modules. */
export async function loadRepoPrettier(rootDir: string): Promise<PrettierApi | undefined> {
  let resolved: string
  try {
    resolved = createRequire(path.join(rootDir, 'package.json')).resolve('prettier')
  } catch {
    return undefined
  }
  // Node resolution walks up past the repo; a Prettier from a parent directory is not the repo's.
  if (path.relative(path.join(rootDir, 'node_modules'), resolved).startsWith('..')) return undefined
  const mod = (await import(pathToFileURL(resolved).href)) as PrettierApi & { default?: PrettierApi }
  return mod.default ?? mod
}

/** Runs the repo's Prettier over the created and updated script files; untouched files stay as they are. */
export async function formatChanges(rootDir: string, changes: FileChange[], prettier: PrettierApi): Promise<FileChange[]> {
  const out: FileChange[] = []
  for (const change of changes) {
    if (change.kind === 'delete' || !FORMATTED.test(change.path)) {
      out.push(change)
      continue
    }
    const file = path.join(rootDir, change.path)
    const info = await prettier.getFileInfo(file, { ignorePath: path.join(rootDir, '.prettierignore') })
    if (info.ignored || !info.inferredParser) {
      out.push(change)
      continue
    }
    const config = (await prettier.resolveConfig(file)) ?? {}
    const text = await prettier.format(change.text, { ...config, filepath: file })
    if (change.kind === 'update' && text === change.before) continue
    out.push({ ...change, text })
  }
  return out
}
