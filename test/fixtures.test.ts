import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JsonReport } from '../src/report/json.js'
import { followUpLine } from '../src/report/format.js'
import { ensureBuilt, fakePackageManagers, readJson, repoRoot, runBin, tempDir } from './helpers/cli.js'
import { copyFixtureTree, diffTrees, readTree, storeFixtureTree } from './helpers/tree.js'

/**
 * One test per fixtures/<name>/ that has a before/ tree: the real CLI (bin/) migrates a copy, the
 * whole result must equal after/, the follow-ups must equal report.txt, a second run must change
 * nothing, --dry-run must write nothing, and `git apply` of --patch must give the same tree.
 * UPDATE_FIXTURES=1 rewrites after/ and report.txt from what the tool does.
 */
const fixturesDir = path.join(repoRoot, 'fixtures')
const update = process.env.UPDATE_FIXTURES === '1'
const fixtures = existsSync(fixturesDir)
  ? readdirSync(fixturesDir).filter((name) => existsSync(path.join(fixturesDir, name, 'before'))).sort()
  : []

function extraArgs(name: string): string[] {
  const file = path.join(fixturesDir, name, 'args.json')
  return existsSync(file) ? readJson<string[]>(file) : []
}

function expectedReport(name: string): string[] {
  const file = path.join(fixturesDir, name, 'report.txt')
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []
}

describe('fixtures', () => {
  const temp = tempDir('tsm-fixtures-')
  const pmLog = path.join(temp.dir, 'pm.log')
  let env: Record<string, string>

  beforeAll(() => {
    ensureBuilt()
    env = { PATH: `${fakePackageManagers(temp.dir, pmLog)}${path.delimiter}${process.env.PATH}` }
  })
  afterAll(() => temp.cleanup())

  for (const name of fixtures) {
    it(name, async () => {
      const before = path.join(fixturesDir, name, 'before')
      const work = path.join(temp.dir, name)
      const repo = path.join(work, 'repo')
      copyFixtureTree(before, repo)
      const beforeTree = readTree(repo)
      const args = extraArgs(name)
      const reportFile = path.join(work, 'report.json')
      writeFileSync(pmLog, '')

      const applied = await runBin([repo, '--json', reportFile, ...args], { env })
      expect(applied.exitCode, applied.stderr).toBe(0)
      const report = readJson<JsonReport>(reportFile)
      const followUps = report.followUps.map(followUpLine)
      const afterTree = readTree(repo)

      // The package-manager step runs exactly the command the plan announced, once, only when dependencies change.
      const pmCalls = readFileSync(pmLog, 'utf8').split('\n').filter(Boolean)
      expect(pmCalls).toEqual(report.packageManager?.command ? [report.packageManager.command] : [])

      if (update) {
        storeFixtureTree(repo, path.join(fixturesDir, name, 'after'))
        writeFileSync(path.join(fixturesDir, name, 'report.txt'), followUps.map((line) => `${line}\n`).join(''))
      } else {
        const expectedDir = path.join(fixturesDir, name, 'after')
        expect(existsSync(expectedDir), `${name}: no after/ tree (run with UPDATE_FIXTURES=1 to create it)`).toBe(true)
        const expected = path.join(work, 'expected')
        copyFixtureTree(expectedDir, expected)
        const difference = diffTrees(afterTree, readTree(expected))
        expect(difference, `${name}: result differs from after/`).toBe('')
        expect(followUps).toEqual(expectedReport(name))
      }

      // Idempotent: the tool run on its own output finds nothing to change. In parallel (separate copies):
      // --dry-run and --patch in one run write nothing to the repo.
      const patched = path.join(work, 'patched')
      copyFixtureTree(before, patched)
      const patchFile = path.join(work, 'plan.patch')
      const [second, dryRun] = await Promise.all([
        runBin([repo, '--json', reportFile, ...args], { env }),
        runBin([patched, '--dry-run', '--patch', patchFile, ...args], { env }),
      ])
      expect(second.exitCode, second.stderr).toBe(0)
      const secondReport = readJson<JsonReport>(reportFile)
      expect(secondReport.files.filter((f) => f.status !== 'skipped')).toEqual([])
      // Lines move with the first run's edits, so a follow-up is matched by file and kind.
      const fileAndKind = (f: { file: string; kind: string }) => `${f.file} ${f.kind}`
      const firstKinds = report.followUps.map(fileAndKind)
      const newOnes = secondReport.followUps
        .filter((f) => {
          const at = firstKinds.indexOf(fileAndKind(f))
          if (at >= 0) firstKinds.splice(at, 1)
          return at < 0
        })
        .map(followUpLine)
      expect(newOnes, 'the second run reports nothing the first did not').toEqual([])
      expect(diffTrees(readTree(repo), afterTree)).toBe('')
      expect(dryRun.exitCode, dryRun.stderr).toBe(0)
      expect(diffTrees(readTree(patched), beforeTree), '--dry-run / --patch must not touch the repo').toBe('')
      expect(readFileSync(pmLog, 'utf8').split('\n').filter(Boolean), 'only the first apply runs the package manager').toEqual(pmCalls)

      // git apply of the patch on the untouched copy gives the same tree as apply.
      if (report.files.some((f) => f.status !== 'skipped')) {
        const gitApply = await execa('git', ['apply', '--whitespace=nowarn', patchFile], { cwd: patched, reject: false })
        expect(gitApply.exitCode, gitApply.stderr).toBe(0)
      }
      expect(diffTrees(readTree(patched), afterTree), 'git apply of --patch differs from apply').toBe('')
    })
  }
})
