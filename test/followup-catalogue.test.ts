import { readFileSync } from 'node:fs'
import path from 'node:path'
import fg from 'fast-glob'
import { describe, expect, it } from 'vitest'
import { FOLLOW_UP_KINDS } from '../src/followup-catalogue.js'
import { severityOf, type FollowUpInput } from '../src/followups.js'
import { repoRoot as ROOT } from './helpers/cli.js'
import { catalogueTableRows, FOLLOW_UP_SECTION, FOLLOW_UP_TABLE_HEADER, readmeTableRows } from './helpers/followup-table.js'

/** The tool's own code, where follow-ups are reported (not the runtime it installs, not the catalogue itself). */
function reportingSources(): string[] {
  const files = fg.sync(['src/**/*.ts', 'transforms/**/*.ts'], { cwd: ROOT, ignore: ['src/runtime/**', 'src/followup-catalogue.ts'] })
  return files.map((file) => readFileSync(path.join(ROOT, file), 'utf8'))
}

describe('follow-up catalogue', () => {
  it('the README lists every kind with its severity, meaning and what to do, as the catalogue says', () => {
    const rows = readmeTableRows(readFileSync(path.join(ROOT, 'README.md'), 'utf8'))
    const expected = catalogueTableRows()
    expect(rows, `README.md needs a "${FOLLOW_UP_SECTION}" section with this table:\n${[...FOLLOW_UP_TABLE_HEADER, ...expected].join('\n')}`).toEqual(expected)
  })

  it('every kind is reported somewhere in src/ or transforms/', () => {
    const sources = reportingSources()
    const unused = FOLLOW_UP_KINDS.filter((kind) => !sources.some((text) => ["'", '"', '`'].some((quote) => text.includes(`${quote}${kind}${quote}`))))
    expect(unused, 'catalogue entries no code reports: remove them from src/followup-catalogue.ts and the README').toEqual([])
  })
})

describe('a follow-up\'s severity', () => {
  it('comes from the catalogue, or for a kind with several, from the reporter\'s choice among them', () => {
    expect(severityOf({ kind: 'auth/none', reason: 'r', action: 'a' })).toBe('security')
    expect(severityOf({ kind: 'client/emit-dropped', reason: 'r', action: 'a', severity: 'info' })).toBe('info')
    expect(severityOf({ kind: 'client/emit-dropped', reason: 'r', action: 'a', severity: 'warning' })).toBe('warning')
  })

  it('is checked when the code compiles (npm run typecheck)', () => {
    const inputs: FollowUpInput[] = [
      // @ts-expect-error: a kind the catalogue does not list
      { kind: 'emit/kept-on-socketio', reason: 'r', action: 'a' },
      // @ts-expect-error: a kind with one severity takes it from the catalogue
      { kind: 'auth/none', reason: 'r', action: 'a', severity: 'security' },
      // @ts-expect-error: a kind with several severities needs the reporter's choice
      { kind: 'client/emit-dropped', reason: 'r', action: 'a' },
      // @ts-expect-error: a severity the kind does not have
      { kind: 'client/handshake-field-dropped', reason: 'r', action: 'a', severity: 'info' },
    ]
    expect(inputs).toHaveLength(4)
  })
})
