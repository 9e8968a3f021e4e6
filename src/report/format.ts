import type { FollowUp } from '../followups.js'

/** One line per follow-up, the format of fixtures' report.txt: `file:line:col severity kind — reason`. */
export function followUpLine(followUp: FollowUp): string {
  return `${followUp.file}:${followUp.line}:${followUp.column} ${followUp.severity} ${followUp.kind} — ${followUp.reason}`
}

/** Open work: warnings and security follow-ups (info entries were done on purpose). */
export function isOpen(followUp: FollowUp): boolean {
  return followUp.severity !== 'info'
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}
