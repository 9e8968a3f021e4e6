import type { FileChange } from '../changeset/types.js'
import { fixedSeverity, type FollowUp } from '../followups.js'
import type { FollowUpKind } from '../followup-catalogue.js'
import { missingHandleMembers } from './handle-members.js'
import { autoImportedNames, isAutoImportPath, platformNames } from './known-names.js'
import { lineAndColumn } from './script-views.js'
import { undeclaredUses } from './undeclared.js'

/** Code the plan would leave that cannot run: a name nothing provides, a member the SSE handle lacks, a new type error. */
export interface RunnableFinding {
  kind: 'verify/undeclared-name' | 'verify/missing-member' | 'verify/type-error'
  path: string
  line: number
  column: number
  code: string
  message: string
  transforms: string[]
}

/** The repo as the plan leaves it, for the names its auto-import folders provide. */
export interface RepoFiles {
  readonly files: readonly string[]
  readText(path: string): string | undefined
}

function count<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>()
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1)
  return counts
}

/** Drop the findings a file already had before the plan (the user's, not ours), by key and count. */
function newOnly<T>(after: readonly T[], before: readonly T[], key: (item: T) => string): T[] {
  const left = count(before, key)
  return after.filter((item) => {
    const n = left.get(key(item)) ?? 0
    if (n === 0) return true
    left.set(key(item), n - 1)
    return false
  })
}

function available(changes: readonly FileChange[], repo: RepoFiles, provided: Iterable<string>, sources: readonly string[]): Set<string> {
  const names = new Set([...platformNames(), ...provided])
  const changed = new Map(changes.map((change) => [change.path, change]))
  for (const path of new Set([...repo.files, ...changed.keys()])) {
    if (!isAutoImportPath(path)) continue
    const change = changed.get(path)
    const text = change ? (change.kind === 'delete' ? undefined : change.text) : repo.readText(path)
    if (text !== undefined) for (const name of autoImportedNames(path, text)) names.add(name)
  }
  // What the app's own code used undeclared, in the files this plan edits or deletes and those it
  // moves code from, resolves somehow (a module's auto-imports, a global the app declares): code
  // moved from there may use it too.
  const before = new Map(changes.flatMap((change) => (change.kind === 'create' ? [] : [[change.path, change.before] as const])))
  for (const source of sources) {
    const text = before.has(source) ? undefined : repo.readText(source)
    if (text !== undefined) before.set(source, text)
  }
  for (const uses of undeclaredUses(before).values()) for (const use of uses) names.add(use.name)
  return names
}

/**
 * Every created or changed script (`.vue` scripts included) that uses a value name nothing declares,
 * imports or auto-imports, or reads a member `useChatSSE()` does not have, unless the file did so
 * already before the plan. `provided`: names the SSE runtime auto-imports, which the sse-runtime
 * transform installs (a run that skips it leaves them to the user). `sources`: the files the Socket.IO
 * code lives in, whose undeclared names the app provides somehow.
 */
export function findUnrunnableCode(changes: readonly FileChange[], repo: RepoFiles, provided: Iterable<string> = [], sources: readonly string[] = []): RunnableFinding[] {
  // The runtime's own files are installed as shipped (only restyled) and type-checked with this package.
  const shipped = (change: FileChange) => change.kind === 'create' && change.meta.every((meta) => meta.transform === 'sse-runtime')
  const written = changes.filter((change): change is Exclude<FileChange, { kind: 'delete' }> => change.kind !== 'delete' && !shipped(change))
  if (written.length === 0) return []
  const transformsOf = (change: FileChange) => [...new Set(change.meta.map((meta) => meta.transform))]
  const findings: RunnableFinding[] = []

  const after = undeclaredUses(new Map(written.map((change) => [change.path, change.text])))
  const earlier = undeclaredUses(new Map(written.flatMap((change) => (change.kind === 'update' ? [[change.path, change.before] as const] : []))))
  const known = available(changes, repo, provided, sources)
  for (const change of written) {
    const uses = newOnly(after.get(change.path) ?? [], earlier.get(change.path) ?? [], (use) => use.name).filter((use) => !known.has(use.name))
    const seen = new Set<string>()
    for (const use of uses) {
      if (seen.has(use.name)) continue
      seen.add(use.name)
      findings.push({
        kind: 'verify/undeclared-name',
        path: change.path,
        ...lineAndColumn(change.text, use.offset),
        code: use.name,
        message: `\`${use.name}\` is used here, but nothing declares, imports or auto-imports it`,
        transforms: transformsOf(change),
      })
    }
  }

  for (const change of written) {
    const before = change.kind === 'update' ? missingHandleMembers(change.path, change.before) : []
    for (const use of newOnly(missingHandleMembers(change.path, change.text), before, (item) => item.code)) {
      findings.push({
        kind: 'verify/missing-member',
        path: change.path,
        line: use.line,
        column: use.column,
        code: use.code,
        message: `\`${use.code}\`: the SSE handle from useChatSSE() has no \`${use.member}\``,
        transforms: transformsOf(change),
      })
    }
  }
  return findings.sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line || a.column - b.column)
}

/**
 * Follow-ups that leave a Socket.IO call on a socket that became an SSE handle (an emit with no route
 * to go to, a member the handle lacks): that code throws, or does nothing, once
 * the socket is gone, in files this check cannot see into (the consumer of a composable, a template).
 */
export const STRANDED_ON_HANDLE: ReadonlySet<FollowUpKind> = new Set<FollowUpKind>([
  'client/emit-no-route', 'client/emit-many-args', 'client/route-params', 'client/emit-dropped',
  'client/unsupported-member', 'client/manager', 'client/dynamic-event',
])

/** Follow-ups saying Socket.IO server code stays: what it emits or does on a disconnect reaches no client once they moved to SSE. */
const SERVER_STAYS: ReadonlySet<FollowUpKind> = new Set<FollowUpKind>(['io/server-kept', 'io/unmigrated-use', 'handlers/plugin-kept'])

/** A follow-up saying Socket.IO server code stays (rather than a call left on the client's handle). */
export function isServerStays(kind: FollowUpKind): boolean {
  return SERVER_STAYS.has(kind)
}

/** A client socket kept beside the stream for the events that stay, or left as it was: kept server code still has a client. */
const SOCKET_KEPT: ReadonlySet<FollowUpKind> = new Set<FollowUpKind>(['client/socket-kept', 'client/socket-stays'])
/** Server code whose events nobody can name: even a kept socket does not know to listen to them. */
const SERVER_STAYS_UNSEEN: ReadonlySet<FollowUpKind> = new Set<FollowUpKind>(['io/unmigrated-use'])

/**
 * What the plan would leave calling Socket.IO on one side while the other moved: client calls on
 * what is now the SSE handle, and, when the client moved (`clientMoved`), server code that stays,
 * unless the client keeps its socket for the events that stay; then only server code whose events
 * cannot be told.
 */
export function strandedCalls(followUps: readonly FollowUp[], clientMoved: boolean): FollowUp[] {
  const serverStays = followUps.some((followUp) => SOCKET_KEPT.has(followUp.kind)) ? SERVER_STAYS_UNSEEN : SERVER_STAYS
  return followUps.filter((followUp) => followUp.severity !== 'info'
    && (STRANDED_ON_HANDLE.has(followUp.kind) || (clientMoved && serverStays.has(followUp.kind))))
}

/** The message of a run stopped because its output could not run. */
export function describeUnrunnableCode(findings: readonly RunnableFinding[], stranded: readonly FollowUp[] = []): string {
  const count = findings.length + stranded.length
  return [
    `verify: the migration would leave code that cannot run (${count} ${count === 1 ? 'place' : 'places'}); nothing was written:`,
    ...findings.map((finding) => `  ${finding.path}:${finding.line}:${finding.column}: ${finding.message} (edited by ${finding.transforms.join(', ') || 'unknown transform'})`),
    ...stranded.map((followUp) => `  ${followUp.file}:${followUp.line}:${followUp.column}: ${followUp.reason} (${followUp.kind}; ${SERVER_STAYS.has(followUp.kind) ? 'the clients moved to SSE, so this Socket.IO server code reaches none of them' : 'the socket here is now an SSE handle'})`),
    'Part of the app cannot be migrated yet and the rest depends on it. Run with --dry-run --force to see the',
    'whole plan and its follow-ups, fix what they name and run again, or apply with --force and finish these by hand.',
  ].join('\n')
}

/** A verify finding kept by `--force`: open work at the place it names, with what happens there. */
export function findingFollowUp(finding: RunnableFinding, consequence: string, action: string): FollowUp {
  return {
    kind: finding.kind,
    transform: 'verify',
    file: finding.path,
    line: finding.line,
    column: finding.column,
    code: finding.code,
    reason: `${finding.message} (written by ${finding.transforms.join(', ') || 'an unknown transform'}); ${consequence}`,
    action,
    severity: fixedSeverity(finding.kind),
  }
}

/** Code that would fail when it runs, kept by `--force`. */
export function unrunnableFollowUp(finding: RunnableFinding): FollowUp {
  return findingFollowUp(finding, 'this fails when it runs', 'finish this part of the migration by hand (see the other follow-ups of the file), or restore the code it replaced')
}
