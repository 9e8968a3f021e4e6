import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmdirSync,
  unlinkSync,
  writeFileSync,
  type Stats,
} from 'node:fs'
import path from 'node:path'
import { MigrationError } from '../errors.js'
import type { FileChange } from './types.js'

export const STATE_DIR = '.tutor-sse-migrate'
export const JOURNAL_FILE = `${STATE_DIR}/journal.json`

/** What apply replaced, so `--undo` can put the previous tree back without git. */
export interface Journal {
  version: 1
  appliedAt: string
  /** The changes that were applied (undo applies their inverse). */
  changes: FileChange[]
}

function lstatOrUndefined(abs: string): Stats | undefined {
  try {
    return lstatSync(abs)
  } catch {
    return undefined
  }
}

/**
 * Refuses paths that leave the repo or pass through a symlink: apply never writes through a link,
 * so a link pointing outside the repo can never be used to change a file there.
 */
export function assertWritablePath(rootDir: string, relPath: string): string {
  const abs = path.resolve(rootDir, relPath)
  const rel = path.relative(rootDir, abs)
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) throw new MigrationError(`${relPath}: outside the repo`)
  let current = rootDir
  for (const part of rel.split(path.sep)) {
    current = path.join(current, part)
    const stat = lstatOrUndefined(current)
    if (!stat) break
    if (stat.isSymbolicLink()) throw new MigrationError(`${relPath}: ${path.relative(rootDir, current)} is a symlink; the tool never writes through one`)
  }
  return abs
}

/** Byte-exact check that the disk still holds what the changes were computed from. */
function assertUnchanged(rootDir: string, change: FileChange, since: string): void {
  const abs = assertWritablePath(rootDir, change.path)
  const stat = lstatOrUndefined(abs)
  if (change.kind === 'create') {
    if (stat) throw new MigrationError(`${change.path}: created on disk since ${since}`)
    return
  }
  if (!stat?.isFile()) throw new MigrationError(`${change.path}: removed on disk since ${since}`)
  if (!readFileSync(abs).equals(Buffer.from(change.before, 'utf8'))) {
    throw new MigrationError(`${change.path}: changed on disk since ${since}`)
  }
}

function writeAtomic(abs: string, bytes: Buffer | string, mode?: number): void {
  const temp = `${abs}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    writeFileSync(temp, bytes, { flag: 'wx' })
    if (mode !== undefined) chmodSync(temp, mode)
    renameSync(temp, abs)
  } catch (error) {
    try {
      unlinkSync(temp)
    } catch {
      // the temp file was never created
    }
    throw error
  }
}

/** Directories created for new files (deepest last), so a rollback can remove them again. */
function ensureDir(dir: string, created: string[]): void {
  const missing: string[] = []
  let current = dir
  while (!lstatOrUndefined(current)) {
    missing.unshift(current)
    current = path.dirname(current)
  }
  for (const d of missing) {
    mkdirSync(d)
    created.push(d)
  }
}

/** Removes directories left empty by deletions, up to (not including) the repo root. */
function pruneEmptyDirs(rootDir: string, dir: string): void {
  let current = dir
  while (current !== rootDir && current.startsWith(rootDir) && readdirSync(current).length === 0) {
    rmdirSync(current)
    current = path.dirname(current)
  }
}

interface Done {
  change: FileChange
  /** Bytes and mode the path had before (undefined: absent). */
  previous?: { bytes: Buffer; mode: number }
}

function restore(rootDir: string, done: Done[], createdDirs: string[]): string[] {
  const failures: string[] = []
  for (const step of [...done].reverse()) {
    const abs = path.join(rootDir, step.change.path)
    try {
      if (step.previous) {
        ensureDir(path.dirname(abs), [])
        writeAtomic(abs, step.previous.bytes, step.previous.mode)
      } else unlinkSync(abs)
    } catch (error) {
      failures.push(`${step.change.path}: ${(error as Error).message}`)
    }
  }
  for (const dir of [...createdDirs].reverse()) {
    try {
      rmdirSync(dir)
    } catch {
      // not empty or already gone: leave it
    }
  }
  return failures
}

export interface ApplyOptions {
  /** Write the undo journal (default true; undo itself does not). */
  journal?: boolean
  /** Ends the "changed on disk since …" refusal; says what the expected content came from. */
  since?: string
  /** Test seam: called before each file is written, may throw to simulate a failing disk. */
  beforeWrite?(change: FileChange): void
}

/**
 * Applies every change or none. Each file is checked byte for byte against the plan first, written
 * through a temp file and a rename, and on any failure every file already written is restored.
 */
export function applyChanges(rootDir: string, changes: readonly FileChange[], options: ApplyOptions = {}): void {
  const since = options.since ?? 'the plan was made; run the tool again'
  for (const change of changes) assertUnchanged(rootDir, change, since)
  if (options.journal !== false && changes.length > 0) writeJournal(rootDir, changes)
  const done: Done[] = []
  const createdDirs: string[] = []
  try {
    for (const change of changes) {
      options.beforeWrite?.(change)
      const abs = path.join(rootDir, change.path)
      const stat = lstatOrUndefined(abs)
      const previous = stat ? { bytes: readFileSync(abs), mode: stat.mode & 0o7777 } : undefined
      if (change.kind === 'delete') {
        unlinkSync(abs)
        done.push({ change, previous })
        pruneEmptyDirs(rootDir, path.dirname(abs))
      } else {
        ensureDir(path.dirname(abs), createdDirs)
        writeAtomic(abs, Buffer.from(change.text, 'utf8'), previous?.mode)
        done.push({ change, previous })
      }
    }
  } catch (error) {
    const failures = restore(rootDir, done, createdDirs)
    if (options.journal !== false) removeJournal(rootDir)
    const cause = error as NodeJS.ErrnoException
    const where = done.length < changes.length ? changes[done.length]?.path : undefined
    const message = failures.length
      ? `writing ${where} failed (${cause.message}) and these files could not be restored: ${failures.join('; ')}`
      : `writing ${where} failed (${cause.message}); every file already written was restored, nothing was changed`
    throw new MigrationError(message, { cause })
  }
}

function writeJournal(rootDir: string, changes: readonly FileChange[]): void {
  const dir = assertWritablePath(rootDir, STATE_DIR)
  try {
    mkdirSync(dir, { recursive: true })
    // Keeps the journal out of git status, so a second run does not see a dirty tree.
    writeFileSync(path.join(dir, '.gitignore'), '*\n')
    const journal: Journal = { version: 1, appliedAt: new Date().toISOString(), changes: [...changes] }
    writeAtomic(path.join(rootDir, JOURNAL_FILE), `${JSON.stringify(journal)}\n`)
  } catch (error) {
    throw new MigrationError(`cannot write the undo journal ${JOURNAL_FILE}: ${(error as Error).message}; nothing was changed`)
  }
}

export function removeJournal(rootDir: string): void {
  try {
    unlinkSync(path.join(rootDir, JOURNAL_FILE))
    unlinkSync(path.join(rootDir, STATE_DIR, '.gitignore'))
    rmdirSync(path.join(rootDir, STATE_DIR))
  } catch {
    // partly absent already
  }
}

export function readJournal(rootDir: string): Journal | undefined {
  let text: string
  try {
    text = readFileSync(path.join(rootDir, JOURNAL_FILE), 'utf8')
  } catch {
    return undefined
  }
  const journal = JSON.parse(text) as Journal
  if (journal.version !== 1 || !Array.isArray(journal.changes)) {
    throw new MigrationError(`${JOURNAL_FILE}: unknown journal format`)
  }
  return journal
}

/** The change that reverts an applied change. */
export function invert(change: FileChange): FileChange {
  const meta = [{ transform: 'undo', reason: 'restore the tree from before the migration' }]
  if (change.kind === 'create') return { kind: 'delete', path: change.path, before: change.text, meta }
  if (change.kind === 'delete') return { kind: 'create', path: change.path, text: change.before, meta }
  return { kind: 'update', path: change.path, before: change.text, text: change.before, meta }
}

/**
 * Restores the tree from before the last apply, all or nothing. Refuses when a file was changed
 * after the migration (the user's later work is never overwritten).
 */
export function undoLastApply(rootDir: string): FileChange[] | undefined {
  const journal = readJournal(rootDir)
  if (!journal) return undefined
  const inverse = journal.changes.map(invert).reverse()
  applyChanges(rootDir, inverse, { journal: false, since: 'the migration; undo would overwrite that work, so nothing was restored' })
  removeJournal(rootDir)
  return inverse
}
