/**
 * Summarise a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function and per module
 * (npm package or repo file), which is what the README's "what dominates" note is written from.
 */
import { readFileSync } from 'node:fs'

interface CpuProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface CpuProfile {
  nodes: CpuProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileSummary {
  totalMs: number
  byModule: { module: string; selfMs: number; pct: number }[]
  topFunctions: { fn: string; module: string; selfMs: number; pct: number }[]
  /**
   * Self time charged to the innermost function of the repo's own code on the stack: which of the
   * tool's functions the time in ts-morph / TypeScript / GC-free library code is spent for.
   */
  byOwnCaller: { fn: string; ms: number; pct: number }[]
}

/** `node_modules/<pkg>` → the package, a repo file → its repo-relative path, else the V8 pseudo-frame. */
export function moduleOf(url: string, repoRoot: string): string {
  if (!url) return '(native / V8)'
  const path = url.replace(/^file:\/\//, '')
  const nm = path.lastIndexOf('/node_modules/')
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/')
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path)
  }
  if (path.startsWith('node:')) return 'node (core)'
  if (path.startsWith(repoRoot)) return path.slice(repoRoot.length + 1)
  return path
}

export function summariseCpuProfile(file: string, repoRoot: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfUs = new Map<number, number>()
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0)
  const modules = new Map<string, number>()
  const functions = new Map<string, { module: string; us: number }>()
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame
    if (!frame) continue
    const module = frame.functionName.startsWith('(') ? frame.functionName : moduleOf(frame.url, repoRoot)
    modules.set(module, (modules.get(module) ?? 0) + us)
    const key = `${frame.functionName || '(anonymous)'} ${module}:${frame.lineNumber + 1}`
    const entry = functions.get(key) ?? { module, us: 0 }
    entry.us += us
    functions.set(key, entry)
  }
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const isOwn = (url: string): boolean => url.includes(repoRoot) && !url.includes('/node_modules/')
  const ownCaller = new Map<number, string>()
  const callerOf = (id: number): string => {
    const cached = ownCaller.get(id)
    if (cached !== undefined) return cached
    const frame = byId.get(id)?.callFrame
    let found: string
    if (!frame) found = '(outside the tool)'
    else if (isOwn(frame.url)) found = `${frame.functionName || '(anonymous)'} ${moduleOf(frame.url, repoRoot)}:${frame.lineNumber + 1}`
    else found = parent.has(id) ? callerOf(parent.get(id) as number) : '(outside the tool)'
    ownCaller.set(id, found)
    return found
  }
  const callers = new Map<string, number>()
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame
    if (frame?.functionName === '(idle)' || frame?.functionName === '(garbage collector)' || frame?.functionName === '(program)') continue
    const caller = callerOf(id)
    callers.set(caller, (callers.get(caller) ?? 0) + us)
  }
  const pct = (us: number): number => Math.round((us / totalUs) * 1000) / 10
  return {
    totalMs: Math.round(totalUs / 1000),
    byModule: [...modules].sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([module, us]) => ({ module, selfMs: Math.round(us / 1000), pct: pct(us) })),
    topFunctions: [...functions].sort((a, b) => b[1].us - a[1].us).slice(0, top)
      .map(([fn, { module, us }]) => ({ fn, module, selfMs: Math.round(us / 1000), pct: pct(us) })),
    byOwnCaller: [...callers].sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([fn, us]) => ({ fn, ms: Math.round(us / 1000), pct: pct(us) })),
  }
}
