import type { ChangeMeta, FileChange } from '../changeset/types.js'
import type { FollowUp } from '../followups.js'
import type { MigrationPlan, PlanTimings } from '../plan.js'
import { isOpen } from './format.js'
import type { AppVerification } from '../verify/app-checks.js'

/** Bump on any incompatible change to the report's shape. */
export const REPORT_SCHEMA_VERSION = 1

export type RunMode = 'apply' | 'dry-run' | 'patch' | 'check'

export type RunResult = 'applied' | 'planned' | 'nothing-to-migrate' | 'nothing-migrated' | 'up-to-date' | 'needs-work' | 'failed'

export interface JsonReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION
  tool: { name: 'tutor-sse-migrate'; version: string }
  mode: RunMode
  root: string | null
  result: RunResult
  exitCode: number
  transforms: string[]
  files: { path: string; status: 'created' | 'updated' | 'deleted' | 'skipped'; reasons: ChangeMeta[] }[]
  dependencies: { remove: string[]; add: { name: string; version: string; dev: boolean }[] }
  packageManager: { name: string; source: string; command: string | null; ran: boolean } | null
  followUps: FollowUp[]
  counts: {
    created: number
    updated: number
    deleted: number
    untouched: number
    skipped: number
    followUps: number
    open: number
    security: number
    /** Parts withdrawn because what the tool wrote for them would not have run. */
    errors: number
    info: number
  }
  timings: PlanTimings & { applyMs: number; totalMs: number }
  error: { message: string } | null
  /** `--verify`: each check on each copy with its time and result, and what only the migrated copy fails; null without it. */
  verify: AppVerification | null
}

const STATUS: Record<FileChange['kind'], 'created' | 'updated' | 'deleted'> = { create: 'created', update: 'updated', delete: 'deleted' }

export interface ReportInput {
  version: string
  mode: RunMode
  result: RunResult
  exitCode: number
  plan?: MigrationPlan
  packageManagerRan?: boolean
  applyMs?: number
  appChecks?: AppVerification
  totalMs: number
  error?: string
}

/** Counts of a plan: created / updated / deleted files, untouched scanned source files, follow-ups. */
export function countPlan(plan: MigrationPlan): JsonReport['counts'] {
  const touched = new Set(plan.changes.map((c) => c.path))
  return {
    created: plan.changes.filter((c) => c.kind === 'create').length,
    updated: plan.changes.filter((c) => c.kind === 'update').length,
    deleted: plan.changes.filter((c) => c.kind === 'delete').length,
    untouched: plan.repo.files.filter((f) => !touched.has(f)).length,
    skipped: plan.repo.symlinks.length,
    followUps: plan.followUps.length,
    open: plan.followUps.filter(isOpen).length,
    security: plan.followUps.filter((f) => f.severity === 'security').length,
    errors: plan.followUps.filter((f) => f.severity === 'error').length,
    info: plan.followUps.filter((f) => f.severity === 'info').length,
  }
}

export function buildJsonReport(input: ReportInput): JsonReport {
  const { plan } = input
  const zeroTimings = { loadMs: 0, analyseMs: 0, transformMs: 0, formatMs: 0 }
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'tutor-sse-migrate', version: input.version },
    mode: input.mode,
    root: plan?.repo.layout.rootDir ?? null,
    result: input.result,
    exitCode: input.exitCode,
    transforms: plan?.transforms ?? [],
    files: plan
      ? [
          ...plan.changes.map((c) => ({ path: c.path, status: STATUS[c.kind], reasons: c.meta })),
          ...plan.repo.symlinks.map((p) => ({
            path: p,
            status: 'skipped' as const,
            reasons: [{ transform: 'engine', reason: 'symlink: never followed or written through' }],
          })),
        ]
      : [],
    dependencies: plan
      ? {
          remove: plan.dependencyEdits.remove.map((d) => d.name),
          add: plan.dependencyEdits.add.map(({ name, version, dev }) => ({ name, version, dev })),
        }
      : { remove: [], add: [] },
    packageManager: plan
      ? {
          name: plan.packageManager.name,
          source: plan.packageManager.source,
          command: plan.packageManagerCommand?.join(' ') ?? null,
          ran: input.packageManagerRan ?? false,
        }
      : null,
    followUps: plan?.followUps ?? [],
    counts: plan
      ? countPlan(plan)
      : { created: 0, updated: 0, deleted: 0, untouched: 0, skipped: 0, followUps: 0, open: 0, security: 0, errors: 0, info: 0 },
    timings: { ...(plan?.timings ?? zeroTimings), applyMs: Math.round(input.applyMs ?? 0), totalMs: Math.round(input.totalMs) },
    error: input.error ? { message: input.error } : null,
    verify: input.appChecks ?? null,
  }
}
