import kleur from 'kleur'
import { filePatchLines } from '../changeset/patch.js'
import type { FileChange } from '../changeset/types.js'
import type { FollowUp } from '../followups.js'
import type { MigrationPlan } from '../plan.js'
import { followUpLine, formatDuration, plural } from './format.js'
import { countPlan } from './json.js'

const VERB: Record<FileChange['kind'], string> = { create: 'create', update: 'change', delete: 'delete' }

function colourLine(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff --git')) return kleur.bold(line)
  if (line.startsWith('@@')) return kleur.cyan(line)
  if (line.startsWith('+')) return kleur.green(line)
  if (line.startsWith('-')) return kleur.red(line)
  if (line.startsWith('new file') || line.startsWith('deleted file')) return kleur.bold(line)
  return line
}

/** The dry-run view: per file a header with who changes it and why, then its coloured unified diff. */
export function renderDryRun(plan: MigrationPlan): string {
  const out: string[] = []
  for (const change of plan.changes) {
    const why = change.meta.map((m) => `${m.transform}: ${m.reason}`).join('; ')
    out.push(kleur.bold().yellow(`${VERB[change.kind]} ${change.path}`) + (why ? kleur.dim(`  (${why})`) : ''))
    out.push(...filePatchLines(change).map(colourLine), '')
  }
  const { remove, add } = plan.dependencyEdits
  if (remove.length + add.length > 0) {
    out.push(kleur.bold('package.json dependencies'))
    for (const dep of remove) out.push(kleur.red(`  - ${dep.name}`) + kleur.dim(`  (${dep.meta.transform}: ${dep.meta.reason})`))
    for (const dep of add) {
      out.push(kleur.green(`  + ${dep.name}@${dep.version}${dep.dev ? ' (dev)' : ''}`) + kleur.dim(`  (${dep.meta.transform}: ${dep.meta.reason})`))
    }
  }
  if (plan.packageManagerCommand) {
    out.push(`apply would then run: ${kleur.bold(plan.packageManagerCommand.join(' '))}  ${kleur.dim(`(${plan.packageManager.name} from ${plan.packageManager.source})`)}`)
  }
  return out.join('\n')
}

function severityColour(followUp: FollowUp): (text: string) => string {
  if (followUp.severity === 'security' || followUp.severity === 'error') return kleur.red
  if (followUp.severity === 'warning') return kleur.yellow
  return kleur.dim
}

export function renderFollowUps(followUps: readonly FollowUp[]): string {
  if (followUps.length === 0) return ''
  const lines = [kleur.bold(`Follow-ups (${followUps.length}):`)]
  for (const followUp of followUps) {
    lines.push(severityColour(followUp)(`  ${followUpLine(followUp)}`))
    if (followUp.code) lines.push(kleur.dim(`      ${followUp.code}`))
    lines.push(`      → ${followUp.action}`)
  }
  return lines.join('\n')
}

/** The closing summary: files created / changed / deleted / untouched, follow-ups, time. */
export function renderSummary(plan: MigrationPlan, options: { applied: boolean; totalMs: number }): string {
  const counts = countPlan(plan)
  const verb = options.applied ? '' : 'would be '
  const parts = [
    `${plural(counts.created, 'file')} ${verb}created`,
    `${counts.updated} ${verb}changed`,
    `${counts.deleted} ${verb}deleted`,
    `${counts.untouched} untouched`,
  ]
  if (counts.skipped) parts.push(`${counts.skipped} skipped (symlinks)`)
  const follow = `${plural(counts.followUps, 'follow-up')}${counts.open ? ` (${counts.open} open${counts.security ? `, ${counts.security} security` : ''})` : ''}`
  return `${parts.join(', ')}; ${follow}; ${formatDuration(options.totalMs)}`
}
