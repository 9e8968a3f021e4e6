import { performance } from 'node:perf_hooks'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { analyse } from './analysis/index.js'
import type { GeneratedRoute, SocketModel, Withdrawal } from './analysis/model.js'
import type { KeptSocketCause } from './analysis/client/socket-groups.js'
import { namedServerEvents } from './analysis/server-events.js'
import { StagedChanges } from './changeset/staged.js'
import type { DependencyEdits, FileChange } from './changeset/types.js'
import { loadConfig, type ConfigOptions } from './config/load.js'
import type { MigrationConfig } from './config/types.js'
import type { FollowUp } from './followups.js'
import { detectPackageManager, installCommand, type PackageManager } from './pm/detect.js'
import { InputError, MigrationError } from './errors.js'
import { loadRepo, type LoadedRepo, type LoadOptions } from './project/load.js'
import { locateFollowUp } from './project/locate.js'
import { applyStyle } from './style/apply.js'
import { collectVotes, detectFileStyle, emptyVotes, styleFromVotes } from './style/detect.js'
import { formatChanges, loadRepoPrettier } from './style/prettier.js'
import type { CodeStyle } from './style/types.js'
import type { Transform, TransformContext } from './transform.js'
import { runtimeNames } from './verify/known-names.js'
import { describeUnrunnableCode, findUnrunnableCode, isServerStays, strandedCalls, unrunnableFollowUp } from './verify/runnable.js'
import { describeSyntaxFindings, findSyntaxErrors } from './verify/syntax.js'
import { ParsedScripts } from './verify/parsed-scripts.js'
import { unrewrittenEmits } from './verify/unrewritten-emits.js'
import { findNewTypeErrors, typeErrorFollowUp } from './verify/type-errors.js'
import { transforms as registeredTransforms } from '../transforms/index.js'
import { withIdentityRooms } from './analysis/handlers/self-identification.js'
import { eventsOfScripts } from '../transforms/client/kept.js'
import { LIFECYCLE } from '../transforms/client/lifecycle-pair.js'

/** `src/runtime` of this package, from both `src/` (tsx, vitest) and `dist/src/` (the built CLI). */
export const runtimeDir = path.resolve(
  fileURLToPath(new URL('.', import.meta.url)),
  import.meta.url.includes('/dist/') ? '../../src/runtime' : 'runtime',
)

export interface PlanOptions extends LoadOptions {
  /** Transform ids to run (default: all). */
  only?: string[]
  skip?: string[]
  /** A ready config, or where to load it from. */
  config?: MigrationConfig | ConfigOptions
  /** Overrides the registry (tests and in-process callers). */
  transforms?: readonly Transform[]
  /** Overrides the detected package manager. */
  packageManager?: PackageManager
  /** Keep a plan whose output cannot run (see `findUnrunnableCode`), each finding a follow-up, instead of failing. */
  force?: boolean
  /**
   * Events an earlier pass took back to Socket.IO, with why: their generated route would not run, or
   * browser code using them could not move. Their handlers, emits and client calls stay on
   * Socket.IO this time (set by planMigration itself).
   */
  withdrawn?: ReadonlyMap<string, Withdrawal>
  /**
   * Browser code an earlier pass found cannot run on the SSE handle although its events went back to
   * Socket.IO: its socket, and every file sharing it, stays as it was (set by planMigration itself).
   */
  keptSockets?: readonly KeptSocketCause[]
  verbose?(message: string): void
  /** Called as the plan moves on (for the CLI progress line). */
  onStage?(stage: string): void
}

export interface PlanTimings {
  loadMs: number
  analyseMs: number
  transformMs: number
  formatMs: number
}

export interface MigrationPlan {
  repo: LoadedRepo
  model: SocketModel
  config: MigrationConfig
  /** Every file change, sorted by path; none has text equal to the original. */
  changes: FileChange[]
  /** Dependency edits that change package.json. */
  dependencyEdits: DependencyEdits
  followUps: FollowUp[]
  packageManager: { name: PackageManager; source: string }
  /** The command apply runs after writing (undefined when package.json's dependencies do not change). */
  packageManagerCommand: string[] | undefined
  /** True when the app uses Socket.IO but none of it could move: the run writes nothing and the follow-ups say why. */
  nothingMigrated: boolean
  /** Ids of the transforms that ran, in order. */
  transforms: string[]
  timings: PlanTimings
}

/** The transforms selected by --only / --skip; an unknown id is bad usage. */
export function selectTransforms(all: readonly Transform[], only?: string[], skip?: string[]): Transform[] {
  const ids = new Set(all.map((t) => t.id))
  for (const id of [...(only ?? []), ...(skip ?? [])]) {
    if (!ids.has(id)) throw new InputError(`unknown transform "${id}" (known: ${[...ids].join(', ') || 'none'}; see --list)`)
  }
  return all.filter((t) => (!only?.length || only.includes(t.id)) && !skip?.includes(t.id))
}

function isConfig(config: PlanOptions['config']): config is MigrationConfig {
  return config !== undefined && 'rooms' in config
}

function sortFollowUps(list: FollowUp[]): FollowUp[] {
  return list.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column))
}

function generatedRoutes(model: SocketModel): GeneratedRoute[] {
  return [...model.eventRoutes.values()].filter((route) => route.status === 'generated')
}

/**
 * When every place the verify stage found lies in a route generated for a Socket.IO event, those
 * events can stay on Socket.IO (the rest of the plan then runs as a hybrid): event → what was found.
 * Undefined when a finding lies anywhere else, since then nothing short of stopping keeps the app whole.
 */
function withdrawableEvents(model: SocketModel, findings: readonly { path: string; line: number; column: number; message: string }[]): Map<string, Withdrawal> | undefined {
  if (findings.length === 0) return undefined
  const eventOf = new Map(generatedRoutes(model).map((route) => [route.file, route.event]))
  const withdraw = new Map<string, Withdrawal>()
  for (const finding of findings) {
    const event = eventOf.get(finding.path)
    if (event === undefined) return undefined
    if (!withdraw.has(event)) withdraw.set(event, { reason: `${finding.path}:${finding.line}:${finding.column}: ${finding.message}`, defect: true })
  }
  return withdraw
}

/** Where the plan left code that cannot run; a verify finding's line is in the planned text, so only its file is named. */
interface WithdrawnPlace {
  file: string
  line?: number
  column?: number
  reason: string
  clientSide: boolean
}

/** File → the app events its socket code sends and hears; undefined where one is named by an expression. */
type ClientEventsByFile = ReadonlyMap<string, string[] | undefined>

/** Read before the transforms run: they edit the code the model points into. */
function clientEventsByFile(model: SocketModel): ClientEventsByFile {
  const byFile = new Map<string, string[] | undefined>()
  for (const file of new Set(model.client.scripts.map((script) => script.unit.path))) {
    const { sent, heard, dynamic } = eventsOfScripts(model.client.scripts.filter((script) => script.unit.path === file))
    byFile.set(file, dynamic ? undefined : [...new Set([...sent, ...heard])].filter((event) => !Object.hasOwn(LIFECYCLE, event)))
  }
  return byFile
}

/**
 * Browser code the plan would leave unable to run (a call the stream handle has no equivalent for,
 * an emit with no route, a new type error) takes the events its file sends and hears back to
 * Socket.IO: the file then keeps its socket for them, and their handlers and emits stay too. Server
 * code that stays while every client moved takes every event of the client back (which of them it
 * serves cannot be told). Undefined when a place lies anywhere else, or names no event.
 */
function clientWithdrawals(clientEvents: ClientEventsByFile, places: readonly WithdrawnPlace[]): Map<string, Withdrawal> | undefined {
  if (places.length === 0) return undefined
  const eventsOf = (file?: string): string[] | undefined => {
    const found = file === undefined ? [...clientEvents.values()] : [clientEvents.get(file)]
    if (found.some((events) => events === undefined)) return undefined
    const events = [...new Set(found.flatMap((events) => events!))]
    return events.length === 0 ? undefined : events
  }
  const withdraw = new Map<string, Withdrawal>()
  for (const place of places) {
    const events = eventsOf(place.clientSide ? place.file : undefined)
    if (!events) return undefined
    const where = place.line === undefined ? place.file : `${place.file}:${place.line}:${place.column}`
    for (const event of events) if (!withdraw.has(event)) withdraw.set(event, { reason: `${where}: ${place.reason}`, defect: false })
  }
  return withdraw
}

/**
 * When taking events back changes nothing (the file has none of its own, they are back already, or
 * they are named only at run time), the place keeps its socket: the file and every file sharing its
 * socket stay as they were (see `keptClientFiles`). Server code that stays while every client moved
 * keeps every client socket. Undefined when a place lies outside the browser code, or every socket it
 * names is kept already.
 */
function keptSockets(clientEvents: ClientEventsByFile, model: SocketModel, places: readonly WithdrawnPlace[], earlier: readonly KeptSocketCause[] = []): KeptSocketCause[] | undefined {
  if (places.length === 0) return undefined
  const causes: KeptSocketCause[] = []
  for (const place of places) {
    // A file the client analysis did not see may read a socket it imports; one that does not stops the run.
    if (place.clientSide && !clientEvents.has(place.file) && earlier.some((cause) => cause.file === place.file)) return undefined
    const where = place.line === undefined ? place.file : `${place.file}:${place.line}:${place.column}`
    for (const file of place.clientSide ? [place.file] : [...clientEvents.keys()]) {
      if (!model.keptClient.has(file)) causes.push({ file, where, reason: place.reason })
    }
  }
  return causes.length === 0 ? undefined : causes
}

/**
 * The events browser files kept as they were send and hear, with why, so that their handlers and
 * emits stay on Socket.IO too; every event the server names when one of them names its events only
 * at run time.
 */
function keptClientEvents(clientEvents: ClientEventsByFile, model: SocketModel): Map<string, Withdrawal> {
  const withdraw = new Map<string, Withdrawal>()
  for (const [file, why] of model.keptClient) {
    if (!clientEvents.has(file)) continue
    const events = clientEvents.get(file) ?? [...namedServerEvents(model.server, model.handlers)]
    for (const event of events) if (!withdraw.has(event)) withdraw.set(event, { reason: `${file} keeps its socket as it was (${why})`, defect: false })
  }
  return withdraw
}

/**
 * Events the route table promised a generated route for that the handler transform could not write
 * (it found a blocker only while writing it): the client would post to a route that is not there,
 * so they stay on Socket.IO. Undefined when every promised route is written.
 */
function ungeneratedRoutes(model: SocketModel, changes: readonly FileChange[], repo: LoadedRepo): Map<string, Withdrawal> | undefined {
  const written = new Set(changes.filter((change) => change.kind !== 'delete').map((change) => change.path))
  const missing = generatedRoutes(model).filter((route) => !written.has(route.file) && !repo.exists(route.file))
  return missing.length === 0 ? undefined : new Map(missing.map((route) => [route.event, { reason: `${route.file} could not be written; see this handler's other follow-up`, defect: true }]))
}

/** The events whose generated route the plan writes: their handlers leave Socket.IO. */
function writtenRouteEvents(model: SocketModel, changes: readonly FileChange[]): string[] {
  const created = new Set(changes.filter((change) => change.kind === 'create').map((change) => change.path))
  return generatedRoutes(model).filter((route) => created.has(route.file)).map((route) => route.event)
}

/** The first unit whose parsed script blocks no longer hold the text they were read from. */
function mutatedUnit(repo: LoadedRepo): string | undefined {
  for (const [path, unit] of repo.units) {
    if (unit.scripts.some((block) => block.sourceFile.getFullText() !== unit.originalText.slice(block.start, block.end))) return path
  }
  return undefined
}

/** Plans the whole migration in memory: load, analyse, run the transforms, collect the ChangeSet. Writes nothing. */
export async function planMigration(dir: string, options: PlanOptions = {}): Promise<MigrationPlan> {
  const verbose = options.verbose ?? (() => {})
  const selected = selectTransforms(options.transforms ?? registeredTransforms, options.only, options.skip)
  let mark = performance.now()
  const lap = (): number => {
    const now = performance.now()
    const ms = Math.round(now - mark)
    mark = now
    return ms
  }
  const repo = loadRepo(dir, options)
  const config = isConfig(options.config) ? options.config : loadConfig(repo.layout.rootDir, options.config)
  const loadMs = lap()
  verbose(`scanned ${repo.files.length} files, ${repo.stats.candidates} candidates parsed; src ${repo.layout.srcDir}, server ${repo.layout.serverDir}`)

  const stage = options.onStage ?? (() => {})
  stage(`analysing ${repo.units.size} of ${repo.files.length} files`)
  let followUps: FollowUp[] = [...repo.notes]
  const model = guard('analysis', () =>
    analyse({ repo, config, report: (target, input) => followUps.push(locateFollowUp(repo, 'analysis', target, input)) }, options.withdrawn, options.keptSockets),
  )
  const clientEvents = clientEventsByFile(model)
  const keptEvents = [...keptClientEvents(clientEvents, model)].filter(([event]) => !options.withdrawn?.has(event))
  if (keptEvents.length > 0) {
    verbose(`analysis: ${[...model.keptClient.keys()].join(', ')} keep their socket as it was; planning again with ${keptEvents.map(([event]) => event).join(', ')} on Socket.IO`)
    return planMigration(dir, { ...options, withdrawn: new Map([...(options.withdrawn ?? []), ...keptEvents]) })
  }
  const analyseMs = lap()

  const changes = new StagedChanges(repo)
  const repoStyle = (() => {
    const votes = emptyVotes()
    for (const unit of repo.units.values()) for (const block of unit.scripts) collectVotes(block.sourceFile.getFullText(), votes)
    return styleFromVotes(votes)
  })()
  const styleOf = (file?: string): CodeStyle => {
    if (file === undefined) return repoStyle
    const text = changes.currentText(file)
    return text === undefined ? repoStyle : detectFileStyle(file, text, repoStyle)
  }
  for (const [index, transform] of selected.entries()) {
    stage(`transform ${index + 1}/${selected.length}: ${transform.id}`)
    const ctx: TransformContext = {
      repo,
      model,
      changes,
      config: withIdentityRooms(config, model.handlers.selfIdentification),
      report: (target, input) => followUps.push(locateFollowUp(repo, transform.id, target, input)),
      styleOf,
      applyStyle,
      runtimeDir,
      verbose: (message) => verbose(`[${transform.id}] ${message}`),
    }
    const started = performance.now()
    await guardAsync(transform.id, () => transform.run(ctx))
    verbose(`[${transform.id}] ${Math.round(performance.now() - started)} ms`)
    // An edit made on a tree instead of staged would never reach the ChangeSet: lost without a word.
    const mutated = mutatedUnit(repo)
    if (mutated) throw new MigrationError(`${transform.id}: changed the ts-morph tree of ${mutated}; a transform stages text edits (ctx.changes.edit) and leaves the trees as the analysis read them`)
  }
  const transformMs = lap()

  stage('collecting changes')
  let fileChanges = guard('engine', () => changes.collect())
  stage('verifying the changed files')
  const parsed = new ParsedScripts()
  const syntaxFindings = findSyntaxErrors(fileChanges, parsed)
  const socketFiles = [...new Set([...model.server.sites, ...model.handlers.handlers, ...model.handlers.middlewares].map((part) => part.file))]
  const unrunnable = syntaxFindings.length > 0 ? [] : findUnrunnableCode(fileChanges, repo, runtimeNames(runtimeDir), socketFiles)
  const handlersRan = selected.some((transform) => transform.id === 'server-handlers')
  const stranded = strandedCalls(followUps, fileChanges.some((change) => change.meta.some((meta) => meta.transform === 'client')))
  const typeErrors = syntaxFindings.length > 0 ? [] : findNewTypeErrors(fileChanges, repo, runtimeDir, verbose, parsed)
  const planned = new Set(fileChanges.map((change) => change.path))
  const places: WithdrawnPlace[] = [
    // A finding's line is in the planned text; only in a file the plan leaves as it was is it a line of the app.
    ...[...unrunnable, ...typeErrors].map((finding) => ({ file: finding.path, ...(planned.has(finding.path) ? {} : { line: finding.line, column: finding.column }), reason: finding.message, clientSide: true })),
    ...stranded.map((followUp) => ({ ...followUp, clientSide: !isServerStays(followUp.kind) })),
  ]
  const withdraw = withdrawableEvents(model, [...syntaxFindings, ...unrunnable, ...typeErrors])
    ?? (handlersRan ? ungeneratedRoutes(model, fileChanges, repo) : undefined)
    ?? (handlersRan && syntaxFindings.length === 0 ? unrewrittenEmits(fileChanges, repo, writtenRouteEvents(model, fileChanges)) : undefined)
    ?? (syntaxFindings.length > 0 ? undefined : clientWithdrawals(clientEvents, places))
  // Each pass withdraws at least one more event or keeps one more socket, so this ends; a finding that does neither stops the run below.
  if (withdraw && !options.force && [...withdraw.keys()].some((event) => !options.withdrawn?.has(event))) {
    verbose(`verify: withdrawing ${[...withdraw.keys()].join(', ')}: what the plan wrote for them would not run; planning again with them on Socket.IO`)
    return planMigration(dir, { ...options, withdrawn: new Map([...(options.withdrawn ?? []), ...withdraw]) })
  }
  const keep = syntaxFindings.length > 0 || options.force ? undefined : keptSockets(clientEvents, model, places, options.keptSockets)
  if (keep) {
    verbose(`verify: ${[...new Set(keep.map((cause) => cause.file))].join(', ')} cannot run on the SSE handle with their events on Socket.IO; planning again with their sockets as they were`)
    return planMigration(dir, { ...options, keptSockets: [...(options.keptSockets ?? []), ...keep] })
  }
  if (syntaxFindings.length > 0) throw new MigrationError(describeSyntaxFindings(syntaxFindings))
  if ((unrunnable.length > 0 || typeErrors.length > 0 || stranded.length > 0) && !options.force) throw new MigrationError(describeUnrunnableCode([...unrunnable, ...typeErrors], stranded))
  followUps.push(...unrunnable.map(unrunnableFollowUp), ...typeErrors.map(typeErrorFollowUp))
  // Only new files (the SSE runtime, an events route) and no code of the app moved onto them: the
  // runtime would serve nothing, so nothing is written and the follow-ups say why each part stays.
  // A run limited to some transforms (`--only sse-runtime`) writes what was asked for.
  const everyTransform = options.transforms === undefined && selected.length === registeredTransforms.length
  const nothingMigrated = everyTransform && fileChanges.length > 0 && fileChanges.every((change) => change.kind === 'create')
  if (nothingMigrated) {
    verbose(`nothing of the app moved onto SSE; dropping the ${fileChanges.length} new file(s) it would have served`)
    fileChanges = []
    // What they say concerns the runtime that is not installed after all.
    followUps = followUps.filter((followUp) => followUp.transform !== 'sse-runtime')
  }
  const prettier = await loadRepoPrettier(repo.layout.rootDir)
  if (prettier) {
    fileChanges = await formatChanges(repo.layout.rootDir, fileChanges, prettier)
    verbose(`formatted the changed files with the repo's own Prettier`)
  }
  const formatMs = lap()
  verbose(`parsed ${repo.units.size} files in all (${repo.units.size - repo.stats.candidates} on demand); load ${loadMs} ms, analysis ${analyseMs} ms, transforms ${transformMs} ms, format ${formatMs} ms`)

  const dependencyEdits = nothingMigrated ? { add: [], remove: [] } : changes.effectiveDependencies()
  const packageManager = options.packageManager
    ? { name: options.packageManager, source: '--package-manager' }
    : detectPackageManager(repo.layout.rootDir)
  const depsChange = dependencyEdits.remove.length + dependencyEdits.add.length > 0
  return {
    repo,
    model,
    config,
    changes: fileChanges,
    dependencyEdits,
    followUps: sortFollowUps(followUps),
    packageManager,
    packageManagerCommand: depsChange ? installCommand(packageManager.name) : undefined,
    nothingMigrated,
    transforms: selected.map((t) => t.id),
    timings: { loadMs, analyseMs, transformMs, formatMs },
  }
}

/** A failing analysis or transform aborts the run loudly (exit 3, nothing written). */
function guard<T>(stage: string, fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    throw wrap(stage, error)
  }
}

async function guardAsync(stage: string, fn: () => void | Promise<void>): Promise<void> {
  try {
    await fn()
  } catch (error) {
    throw wrap(stage, error)
  }
}

function wrap(stage: string, error: unknown): Error {
  if (error instanceof InputError) return error
  const message = error instanceof Error ? error.message : String(error)
  const wrapped = new MigrationError(message.startsWith(`${stage}:`) ? message : `${stage}: ${message}`)
  wrapped.cause = error
  return wrapped
}
