import type { FollowUp } from '../followups.js'

function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

const LEVEL: Record<FollowUp['severity'], string> = { error: 'error', security: 'error', warning: 'warning', info: 'notice' }

/** Follow-ups as GitHub Actions workflow commands, so they show up as annotations on the diff. */
export function githubAnnotations(followUps: readonly FollowUp[]): string {
  return followUps
    .map((f) => {
      const props = `file=${escapeProperty(f.file)},line=${f.line},col=${f.column},title=${escapeProperty(`tutor-sse-migrate ${f.kind}`)}`
      return `::${LEVEL[f.severity]} ${props}::${escapeData(`${f.reason}. To do: ${f.action}`)}`
    })
    .join('\n')
}
