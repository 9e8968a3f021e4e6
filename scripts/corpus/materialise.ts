import { cpSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { basename, dirname, join } from 'node:path'

/** What is never copied from an app: dependencies, build output, git. */
export const SKIPPED_DIRS = new Set(['node_modules', '.git', '.nuxt', '.output', '.data', 'dist', '.vercel', '.netlify'])

function isGitDir(path: string): boolean {
  return existsSync(join(path, 'HEAD')) && existsSync(join(path, 'objects'))
}

/** Put the app's files in `target`: a git directory exported at a commit, or a folder copied. */
export function materialise(input: string, target: string): void {
  const [path, commit] = input.includes('@') && !existsSync(input) ? [input.slice(0, input.lastIndexOf('@')), input.slice(input.lastIndexOf('@') + 1)] : [input, undefined]
  mkdirSync(target, { recursive: true })
  if (isGitDir(path)) return exportCommit(path, commit ?? 'HEAD', target)
  if (!statSync(path).isDirectory()) throw new Error(`${input}: neither a git directory nor a folder`)
  cpSync(path, target, { recursive: true, filter: (source) => !SKIPPED_DIRS.has(basename(source)) })
}

/**
 * The files of `commit`, written under `target`. Mirrors may lack the largest blobs (binaries, LFS
 * pointers' targets), which makes `git archive` fail, so blobs are read with `cat-file --batch` and
 * missing ones are skipped.
 */
function exportCommit(gitDir: string, commit: string, target: string): void {
  const listing = execFileSync('git', ['--git-dir', gitDir, 'ls-tree', '-r', '-z', commit], { maxBuffer: 1 << 28 }).toString('utf8')
  const entries = listing.split('\0').filter(Boolean).flatMap((record) => {
    const match = /^(\d+) blob ([0-9a-f]+)\t(.+)$/s.exec(record)
    return match && match[1] !== '120000' ? [{ sha: match[2] as string, path: match[3] as string }] : []
  })
  const output = execFileSync('git', ['--git-dir', gitDir, 'cat-file', '--batch'], { input: entries.map((entry) => entry.sha).join('\n') + '\n', maxBuffer: 2 ** 31 })
  let offset = 0
  for (const entry of entries) {
    const end = output.indexOf(0x0a, offset)
    const header = output.subarray(offset, end).toString('utf8')
    offset = end + 1
    if (header.endsWith(' missing')) continue
    const size = Number(header.split(' ')[2])
    const file = join(target, entry.path)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, output.subarray(offset, offset + size))
    offset += size + 1
  }
}

