import { FOLLOW_UP_CATALOGUE, FOLLOW_UP_KINDS, type FollowUpKindEntry } from '../../src/followup-catalogue.js'

/** The heading of the README section that lists every follow-up kind. */
export const FOLLOW_UP_SECTION = '## Follow-up kinds'

export const FOLLOW_UP_TABLE_HEADER = ['| kind | severity | meaning | what to do |', '| --- | --- | --- | --- |']

function severityCell(severity: FollowUpKindEntry['severity']): string {
  if (typeof severity === 'string') return severity
  return Object.entries(severity).map(([level, when]) => `${level} when ${when}`).join('; ')
}

/** The README table rows the catalogue calls for, in catalogue order. */
export function catalogueTableRows(): string[] {
  return FOLLOW_UP_KINDS.map((kind) => {
    const entry: FollowUpKindEntry = FOLLOW_UP_CATALOGUE[kind]
    return `| \`${kind}\` | ${severityCell(entry.severity)} | ${entry.meaning} | ${entry.todo} |`
  })
}

/** The table rows of the README's follow-up section (every `|` line after the header). */
export function readmeTableRows(readme: string): string[] | undefined {
  const lines = readme.split('\n')
  const start = lines.indexOf(FOLLOW_UP_SECTION)
  if (start < 0) return undefined
  const end = lines.findIndex((line, index) => index > start && /^#{1,2} /.test(line))
  const section = lines.slice(start + 1, end < 0 ? undefined : end)
  return section.filter((line) => line.startsWith('|') && !FOLLOW_UP_TABLE_HEADER.includes(line))
}
