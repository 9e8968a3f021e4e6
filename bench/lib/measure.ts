/**
 * Run a command once and measure it: wall time, CPU time and peak memory.
 * Peak memory of the main process comes from GNU time (`/usr/bin/time -v`, the kernel's max RSS)
 * when installed, else from the process's own VmHWM sampled in /proc. Because some tools fork
 * workers (jscodeshift), the summed RSS of the whole process tree is sampled too.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { spawnTracked } from './children.js'

export interface Measurement {
  wallMs: number
  /** Peak RSS of the main process, KiB. */
  peakRssKiB: number
  /** Highest sampled sum of the RSS of the process and all its descendants, KiB. */
  treePeakRssKiB: number
  userS: number
  sysS: number
  exitCode: number | null
  /** Killed because it ran past `timeoutMs`. */
  timedOut: boolean
  stdoutBytes: number
  /** Last 4 KiB of stderr (without GNU time's own lines), for error messages. */
  stderrTail: string
  stdout: string
}

const GNU_TIME = '/usr/bin/time'
const SAMPLE_MS = 25

function statusField(pid: number, field: string): number {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8')
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)
    return match ? Number(match[1]) : 0
  } catch {
    return 0
  }
}

/** The pid and all descendants, from the ppid column of /proc/<pid>/stat. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      const list = children.get(ppid) ?? []
      list.push(Number(entry))
      children.set(ppid, list)
    } catch {
      // exited while we looked
    }
  }
  const tree: number[] = []
  const queue = [root]
  while (queue.length > 0 && tree.length < 10_000) {
    const pid = queue.shift() as number
    tree.push(pid)
    queue.push(...(children.get(pid) ?? []))
  }
  return tree
}

function parseGnuTime(stderr: string): { maxRssKiB: number; userS: number; sysS: number } | undefined {
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)
  const user = /User time \(seconds\): ([\d.]+)/.exec(stderr)
  const sys = /System time \(seconds\): ([\d.]+)/.exec(stderr)
  if (!rss || !user || !sys) return undefined
  return { maxRssKiB: Number(rss[1]), userS: Number(user[1]), sysS: Number(sys[1]) }
}

export interface RunOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Kill the run after this long (it then counts as failed). */
  timeoutMs: number
  /** Keep stdout text (otherwise only its size is counted). */
  keepStdout?: boolean
}

export async function measure(command: string, args: readonly string[], options: RunOptions): Promise<Measurement> {
  const useGnuTime = existsSync(GNU_TIME)
  const [cmd, argv] = useGnuTime ? [GNU_TIME, ['-v', command, ...args]] : [command, [...args]]
  const started = performance.now()
  const child = spawnTracked(cmd, argv, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
  const pid = child.pid as number
  let stdoutBytes = 0
  const stdoutChunks: Buffer[] = []
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    stdoutBytes += chunk.length
    if (options.keepStdout) stdoutChunks.push(chunk)
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-64_000)
  })
  let treePeak = 0
  let hwm = 0
  const sample = (): void => {
    const tree = processTree(pid)
    // under GNU time the measured process is its child: skip time's own few hundred KiB
    const measured = useGnuTime ? tree.slice(1) : tree
    const sum = measured.reduce((total, p) => total + statusField(p, 'VmRSS'), 0)
    treePeak = Math.max(treePeak, sum)
    const main = measured[0]
    if (main !== undefined) hwm = Math.max(hwm, statusField(main, 'VmHWM'))
  }
  const sampler = setInterval(sample, SAMPLE_MS)
  let timedOut = false
  const timeout = setTimeout(() => {
    timedOut = true
    // the whole group: under GNU time the measured process is a grandchild
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
  }, options.timeoutMs)
  const exitCode = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  const wallMs = performance.now() - started
  clearInterval(sampler)
  clearTimeout(timeout)
  const gnu = useGnuTime ? parseGnuTime(stderr) : undefined
  const stderrTail = stderr.replace(/(Command exited with non-zero status \d+\n)?\tCommand being timed:[\s\S]*$/, '').slice(-4096)
  return {
    wallMs,
    peakRssKiB: gnu?.maxRssKiB ?? hwm,
    treePeakRssKiB: Math.max(treePeak, gnu?.maxRssKiB ?? hwm),
    userS: gnu?.userS ?? Number.NaN,
    sysS: gnu?.sysS ?? Number.NaN,
    exitCode,
    timedOut,
    stdoutBytes,
    stderrTail,
    stdout: Buffer.concat(stdoutChunks).toString(),
  }
}
