/**
 * Checks every code file of real apps twice, with TypeScript's whole lib and with the lib trimmed
 * to what their code can reach (as the migration's type check loads it), and prints per app how
 * much of the lib was kept and any diagnostic the two checks do not share. A tool for us, run by
 * hand on the apps of scripts/corpus/apps.txt (CI has no network to get them):
 *
 *   npx tsx scripts/lib-trimming.ts <git-dir[@commit] | folder>...
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compareWithWholeLib, treeInput, wholeLib } from '../test/helpers/lib-equivalence.js'
import { libLength } from '../src/verify/lib-trimming.js'
import { materialise } from './corpus/materialise.js'

const inputs = process.argv.slice(2)
if (inputs.length === 0) throw new Error('give one or more apps: a git directory (optionally @commit) or a folder')
const whole = libLength(wholeLib().values())
let differing = 0
for (const input of inputs) {
  const work = mkdtempSync(join(tmpdir(), 'lib-trimming-'))
  try {
    materialise(input, work)
    const program = treeInput(work)
    const { whole: expected, trimmed, kept } = compareWithWholeLib(program)
    const lost = expected.filter((diagnostic) => !trimmed.includes(diagnostic))
    const added = trimmed.filter((diagnostic) => !expected.includes(diagnostic))
    differing += lost.length + added.length
    console.log(`${input.padEnd(70)} ${String(program.rootNames.length - 1).padStart(4)} files  lib kept ${Math.round((100 * kept) / whole)} %  diagnostics ${expected.length}  lost ${lost.length}  added ${added.length}`)
    for (const diagnostic of [...lost.map((d) => `  lost:  ${d}`), ...added.map((d) => `  added: ${d}`)]) console.log(diagnostic)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
console.log(`\n${inputs.length} apps: ${differing} diagnostics differ`)
process.exitCode = differing > 0 ? 1 : 0
