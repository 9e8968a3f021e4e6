import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import fg from 'fast-glob'
import { ts } from 'ts-morph'
import { describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '..')

/** Repo-relative file → the repo files it imports (type-only imports and re-exports too). */
function importGraph(dirs: readonly string[]): Map<string, string[]> {
  const files = fg.sync(dirs.map((dir) => `${dir}/**/*.ts`), { cwd: root }).sort()
  const graph = new Map<string, string[]>()
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(path.join(root, file), 'utf8'), true, true)
    const targets = importedFiles
      .map(({ fileName }) => fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => resolveRelative(file, specifier))
      .filter((target): target is string => target !== undefined)
    graph.set(file, [...new Set(targets)])
  }
  return graph
}

/** `./x.js`, `./x` or `./dir` from a file → the repo-relative `.ts` file it loads. */
function resolveRelative(from: string, specifier: string): string | undefined {
  const base = path.posix.join(path.posix.dirname(from), specifier).replace(/\.js$/, '')
  return [`${base}.ts`, `${base}/index.ts`].find((candidate) => existsSync(path.join(root, candidate)))
}

/** The strongly connected components with more than one file (or a file importing itself), each sorted (Tarjan). */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (file: string): void => {
    index.set(file, index.size)
    low.set(file, index.get(file)!)
    stack.push(file)
    onStack.add(file)
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target)
        low.set(file, Math.min(low.get(file)!, low.get(target)!))
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!))
      }
    }
    if (low.get(file) !== index.get(file)) return
    const component: string[] = []
    let member: string
    do {
      member = stack.pop()!
      onStack.delete(member)
      component.push(member)
    } while (member !== file)
    if (component.length > 1 || graph.get(file)?.includes(file)) found.push(component.sort())
  }
  for (const file of graph.keys()) if (!index.has(file)) visit(file)
  return found.sort((a, b) => a[0]!.localeCompare(b[0]!))
}

describe('import cycles', () => {
  const found = cycles(importGraph(['src', 'transforms']))
  const key = (files: readonly string[]): string => files.join(' ↔ ')

  it('src/ and transforms/ have none', () => {
    expect(found.map(key)).toEqual([])
  })

  it('finds the files of a cycle and none that only import into it', () => {
    const graph = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]])
    expect(cycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']])
  })
})
