import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { Node } from 'ts-morph'
import { afterAll, describe, expect, it } from 'vitest'
import { planMigration, type PlanOptions } from '../../src/plan.js'
import { readJson, repoRoot, tempDir } from '../helpers/cli.js'
import { copyFixtureTree } from '../helpers/tree.js'

/*
 * Transforms read the analysed trees and stage text edits; none may change a tree, or the model's
 * nodes that later transforms read would be rewritten or forgotten under them. After a whole plan
 * of each fixture, every parsed script still has the text it was read with and no node the model
 * holds was forgotten.
 */
const fixturesDir = path.join(repoRoot, 'fixtures')
const fixtures = readdirSync(fixturesDir).filter((name) => existsSync(path.join(fixturesDir, name, 'before'))).sort()

/** The fixture's args.json (`--only a,b`, `--skip c`) as plan options. */
function planOptions(name: string): PlanOptions {
  const file = path.join(fixturesDir, name, 'args.json')
  const args = existsSync(file) ? readJson<string[]>(file) : []
  const options: PlanOptions = {}
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]
    const ids = args[i + 1]?.split(',') ?? []
    if (flag === '--only') options.only = [...(options.only ?? []), ...ids]
    else if (flag === '--skip') options.skip = [...(options.skip ?? []), ...ids]
    else throw new Error(`${name}/args.json: ${flag} has no plan option here`)
    i++
  }
  return options
}

/** The ts-morph nodes reachable from the model through plain objects, arrays, maps and sets. */
function modelNodes(root: unknown): Node[] {
  const nodes = new Set<Node>()
  const seen = new Set<unknown>()
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    if (seen.size > 1_000_000) throw new Error('the model is larger than expected')
    const value = stack.pop()
    if (typeof value !== 'object' || value === null || seen.has(value)) continue
    seen.add(value)
    if (Node.isNode(value)) {
      nodes.add(value)
    } else if (Array.isArray(value) || value instanceof Set) {
      stack.push(...value)
    } else if (value instanceof Map) {
      for (const [key, item] of value) stack.push(key, item)
    } else if ([Object.prototype, null].includes(Object.getPrototypeOf(value))) {
      stack.push(...Object.values(value))
    }
  }
  return [...nodes]
}

describe('transforms leave the analysed trees as they were read', () => {
  const temp = tempDir('tsm-trees-')
  afterAll(() => temp.cleanup())

  for (const name of fixtures) {
    it(name, async () => {
      const repoDir = path.join(temp.dir, name)
      copyFixtureTree(path.join(fixturesDir, name, 'before'), repoDir)
      const plan = await planMigration(repoDir, planOptions(name))

      const changedTrees = [...plan.repo.units.values()].flatMap((unit) =>
        unit.scripts
          .filter((block) => block.sourceFile.wasForgotten() || block.sourceFile.getFullText() !== unit.originalText.slice(block.start, block.end))
          .map(() => unit.path),
      )
      expect(changedTrees, 'scripts whose ts-morph tree a transform changed').toEqual([])
      const forgotten = modelNodes(plan.model).filter((node) => node.wasForgotten())
      expect(forgotten.map((node) => node.getKindName()), 'model nodes forgotten by a tree edit').toEqual([])
    })
  }
})
