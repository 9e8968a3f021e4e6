import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

export const PACKAGE_MANAGERS = ['bun', 'pnpm', 'yarn', 'npm'] as const
export type PackageManager = (typeof PACKAGE_MANAGERS)[number]

const LOCKFILES: [string, PackageManager][] = [
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['package-lock.json', 'npm'],
]

export function isPackageManager(value: string): value is PackageManager {
  return (PACKAGE_MANAGERS as readonly string[]).includes(value)
}

/** The repo's package manager: from the lockfile, then package.json `packageManager`, then npm. */
export function detectPackageManager(rootDir: string): { name: PackageManager; source: string } {
  for (const [file, name] of LOCKFILES) if (existsSync(path.join(rootDir, file))) return { name, source: file }
  try {
    const field = (JSON.parse(readFileSync(path.join(rootDir, 'package.json'), 'utf8')) as { packageManager?: unknown })
      .packageManager
    const name = typeof field === 'string' ? field.split('@')[0] : undefined
    if (name && isPackageManager(name)) return { name, source: 'package.json packageManager' }
  } catch {
    // unreadable package.json was already reported by the loader
  }
  return { name: 'npm', source: 'default' }
}

/**
 * The command that brings the lockfile and node_modules in line with the edited package.json.
 * The tool edits package.json itself (so dry-run, --patch and --no-install show the same file);
 * `<pm> remove x` would then fail under bun and yarn because x is no longer listed, while
 * `<pm> install` removes and adds exactly the packages the edit removed and added.
 */
export function installCommand(pm: PackageManager): string[] {
  return [pm, 'install']
}
