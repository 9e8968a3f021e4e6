/**
 * Every process a benchmark starts goes through here, in its own process group, so that an error,
 * Ctrl-C or a normal exit kills it and everything it spawned (jscodeshift workers, servers).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { rmSync } from 'node:fs'

const live = new Set<ChildProcess>()
const tempDirs = new Set<string>()
let hooked = false

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // already gone
  }
}

export function killAll(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const child of live) killGroup(child, signal)
  live.clear()
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
  tempDirs.clear()
}

/** Delete `dir` when the process exits, however it exits (the benchmark's generated repos). */
export function removeOnExit(dir: string): () => void {
  hookExit()
  tempDirs.add(dir)
  return () => {
    tempDirs.delete(dir)
    rmSync(dir, { recursive: true, force: true })
  }
}

function hookExit(): void {
  if (hooked) return
  hooked = true
  process.on('exit', () => killAll())
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      killAll()
      process.exit(130)
    })
  }
  process.on('uncaughtException', (error) => {
    console.error(error)
    killAll()
    process.exit(1)
  })
  process.on('unhandledRejection', (error) => {
    console.error(error)
    killAll()
    process.exit(1)
  })
}

/** spawn() in a new process group, tracked until it exits. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  hookExit()
  const child = spawn(command, args, { ...options, detached: true })
  live.add(child)
  child.once('exit', () => live.delete(child))
  return child
}

/** Stop one tracked child (and its group): SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  killGroup(child, 'SIGTERM')
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
  live.delete(child)
}
