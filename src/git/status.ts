import { STATE_DIR } from '../changeset/apply.js'

/**
 * Uncommitted changes under `dir` (paths as git prints them), or undefined when `dir` is not in a
 * git work tree (or git is missing): a repo without git is fine, apply keeps its own journal.
 */
export async function uncommittedChanges(dir: string): Promise<string[] | undefined> {
  const { execa } = await import('execa')
  const inside = await execa('git', ['rev-parse', '--is-inside-work-tree'], { cwd: dir, reject: false })
  if (inside.exitCode !== 0 || inside.stdout.trim() !== 'true') return undefined
  const status = await execa('git', ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', '.'], {
    cwd: dir,
    reject: false,
  })
  if (status.exitCode !== 0) return undefined
  const entries = status.stdout.split('\0').filter(Boolean)
  const paths: string[] = []
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!
    const code = entry.slice(0, 2)
    paths.push(entry.slice(3))
    // A rename or copy is followed by its source path.
    if (code.includes('R') || code.includes('C')) i++
  }
  return paths.filter((p) => !p.split('/').includes(STATE_DIR))
}
