/**
 * Runtime benchmark: Socket.IO 4.8 (WebSocket transport, plain Node http server) against the shipped
 * SSE runtime (h3 v1 createApp + toNodeListener) and a bare `res.write` SSE server as reference, one
 * instance each, then two instances each with one redis-server (Socket.IO's Redis adapter, the
 * runtime's Redis broker). Servers and the client
 * each run in their own process; everything on 127.0.0.1. Writes bench/results/runtime.{json,svg,md}.
 *
 *   npx tsx bench/runtime/run.ts [--sizes 1000,5000,10000] [--configs sio,sse,bare-sse,sio-redis,sse-redis]
 *                                [--baseline <dir>] [--rounds N]
 *
 * `--baseline <dir>` adds `sse-baseline` (and `sse-redis-baseline`): the same servers on another copy
 * of src/runtime, each run right after its current counterpart at every size, with targets that the
 * current runtime is no worse than it (with `--rounds N`, the median of the N rounds' ratios); results
 * go to bench/results/runtime-vs-baseline.*. Extract the
 * copy inside the project so its imports resolve, e.g.
 *   mkdir -p .bench-baseline && git archive <commit> src/runtime | tar -x -C .bench-baseline
 *   npx tsx bench/runtime/run.ts --configs sse,sse-redis --baseline .bench-baseline/src/runtime
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { killAll } from '../lib/children.js'
import { startIpcProcess, type IpcProcess } from '../lib/ipc-process.js'
import { load1m, machineInfo } from '../lib/machine.js'
import { freePort } from '../../test/helpers/ports.js'
import { createRng } from '../lib/prng.js'
import { redisAvailable } from '../../test/helpers/redis.js'
import { startRedis } from '../lib/redis.js'
import { markdownTable, median, percentileSorted, round } from '../lib/stats.js'
import { chartSvg } from '../lib/svg.js'
import type { ClientStats, ConnectReply, CpuReply, EmitReply, FloodReply, HandoffReply, MemoryReply } from './protocol.js'
import { redisBrokerShipped } from './sse-runtime.js'

const here = dirname(fileURLToPath(import.meta.url))
const resultsDir = resolve(here, '../results')

type ConfigId = 'sio' | 'sse' | 'sse-baseline' | 'bare-sse' | 'sio-redis' | 'sse-redis' | 'sse-redis-baseline'
const CONFIGS: Record<ConfigId, { label: string; server: string; instances: number; redis: boolean; client: 'sse' | 'socketio'; color: string; env?: Record<string, string> }> = {
  sio: { label: 'Socket.IO 4.8', server: 'server-socketio.ts', instances: 1, redis: false, client: 'socketio', color: '#d95f02' },
  sse: { label: 'SSE runtime', server: 'server-sse.ts', instances: 1, redis: false, client: 'sse', color: '#2b7bb9' },
  'sse-baseline': { label: 'SSE runtime (baseline)', server: 'server-sse.ts', instances: 1, redis: false, client: 'sse', color: '#7fbf7b' },
  'bare-sse': { label: 'bare res.write SSE (reference)', server: 'server-bare-sse.ts', instances: 1, redis: false, client: 'sse', color: '#bbbbbb' },
  'sio-redis': { label: 'Socket.IO ×2 + Redis', server: 'server-socketio.ts', instances: 2, redis: true, client: 'socketio', color: '#fdae6b' },
  'sse-redis': { label: 'SSE ×2 + Redis', server: 'server-sse.ts', instances: 2, redis: true, client: 'sse', color: '#9ecae1' },
  'sse-redis-baseline': { label: 'SSE ×2 + Redis (baseline)', server: 'server-sse.ts', instances: 2, redis: true, client: 'sse', color: '#c2e699' },
}

const ROOM_MESSAGES = 300
const ROOM_GAP_MS = 10
const BROADCASTS = 10
const FLOOD_MS = 3000
const WARMUP_CONNECTIONS = 100

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const nsToMs = (ns: number): number => ns / 1e6

interface ScenarioResult {
  config: ConfigId
  connections: number
  /** 1-based: `--rounds` repeats every scenario, alternating the configs. */
  round: number
  held: boolean
  connectMs: number
  failed: number
  dropped: number
  error?: string
  memory?: { heapPerConnKiB: number; rssPerConnKiB: number; baseline: MemoryReply[]; loaded: MemoryReply[] }
  room?: { samples: number; expected: number; p50Ms: number; p99Ms: number; maxMs: number; emitCallMedianMs: number }
  broadcast?: { samples: number; handoffMs: number; handoffSyncMs: number; handoffCpuMs: number; emitCallMs: number; serverCpuMs: number; lastClientMs: number; complete: number }
  flood?: { emitted: number; delivered: number; expected: number; emitPerS: number; deliveriesPerS: number }
}

/** Poll `check` every `everyMs` until it returns true or `timeoutMs` passes; false on timeout. */
async function until(check: () => Promise<boolean>, timeoutMs: number, everyMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return true
    await sleep(everyMs)
  }
  return false
}

async function runScenario(config: ConfigId, connections: number, roundNo: number): Promise<ScenarioResult> {
  const spec = CONFIGS[config]
  const result: ScenarioResult = { config, connections, round: roundNo, held: false, connectMs: 0, failed: 0, dropped: 0 }
  const started: { stop(): Promise<void> }[] = []
  try {
    const redis = spec.redis ? await startRedis() : undefined
    if (redis) started.push(redis)
    const servers: IpcProcess[] = []
    for (let i = 0; i < spec.instances; i++) {
      const port = await freePort()
      const server = await startIpcProcess(join(here, spec.server), {
        name: `${config} server ${i}`,
        // BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the servers
        nodeArgs: ['--expose-gc', ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
        env: { PORT: String(port), REDIS_URL: redis?.url ?? '', ...spec.env },
      })
      started.push(server)
      servers.push(server)
    }
    const urls = servers.map((s) => `http://127.0.0.1:${String(s.ready.port)}`)
    const client = await startIpcProcess(join(here, 'client.ts'), { name: `${config} client` })
    started.push(client)
    const publisher = servers[0] as IpcProcess
    const all = <T>(message: Record<string, unknown>, timeoutMs?: number): Promise<T[]> => Promise.all(servers.map((s) => s.request<T>(message, timeoutMs)))

    // Warm-up: open and close a few connections and publish through every path, so lazy compilation
    // and first-use allocations land in the baseline, not in the per-connection figure.
    const warm = await client.request<ConnectReply>({ cmd: 'connect', kind: spec.client, urls, from: 1_000_000, to: 1_000_000 + WARMUP_CONNECTIONS, concurrency: 50, timeoutMs: 30_000 })
    if (warm.failed > 0) throw new Error(`warm-up connections failed: ${warm.firstError}`)
    for (let i = 0; i < 5; i++) {
      await publisher.request({ cmd: 'room', room: 500_000 + i, seq: i })
      await publisher.request({ cmd: 'broadcast', seq: -1 - i })
    }
    await client.request({ cmd: 'close' })
    await sleep(500)
    await client.request({ cmd: 'reset' })
    const baseline = await all<MemoryReply>({ cmd: 'memory' })

    const connect = await client.request<ConnectReply>({ cmd: 'connect', kind: spec.client, urls, from: 0, to: connections, concurrency: 100, timeoutMs: 60_000 }, 600_000)
    result.connectMs = connect.ms
    result.failed = connect.failed
    if (connect.failed > 0) result.error = `${connect.failed} connections failed: ${connect.firstError}`
    await sleep(1000)
    const loaded = await all<MemoryReply>({ cmd: 'memory' })
    const serverSide = loaded.reduce((n, m) => n + m.connections, 0)
    const opened = connect.open
    const sum = (list: MemoryReply[], key: 'heapUsed' | 'rss'): number => list.reduce((n, m) => n + m[key], 0)
    result.memory = {
      heapPerConnKiB: round((sum(loaded, 'heapUsed') - sum(baseline, 'heapUsed')) / opened / 1024, 2),
      rssPerConnKiB: round((sum(loaded, 'rss') - sum(baseline, 'rss')) / opened / 1024, 2),
      baseline,
      loaded,
    }
    if (opened < connections) throw new Error(`only ${opened} of ${connections} connections open (server counts ${serverSide})`)

    // Fan-out latency: a message to one two-person room every ROOM_GAP_MS, all others idle.
    const rng = createRng(connections)
    const rooms = connections / 2
    const callNs: number[] = []
    await client.request({ cmd: 'reset' })
    for (let i = 0; i < ROOM_MESSAGES; i++) {
      const reply = await publisher.request<EmitReply>({ cmd: 'room', room: rng.int(0, rooms - 1), seq: i })
      callNs.push(reply.callNs)
      await sleep(ROOM_GAP_MS)
    }
    let stats = await client.request<ClientStats>({ cmd: 'stats' })
    await until(async () => (stats = await client.request<ClientStats>({ cmd: 'stats' })).roomLatencyNs.length >= ROOM_MESSAGES * 2, 10_000)
    const sorted = Float64Array.from(stats.roomLatencyNs).sort()
    result.room = {
      samples: sorted.length,
      expected: ROOM_MESSAGES * 2,
      p50Ms: round(nsToMs(percentileSorted(sorted, 50)), 3),
      p99Ms: round(nsToMs(percentileSorted(sorted, 99)), 3),
      maxMs: round(nsToMs(sorted[sorted.length - 1] ?? Number.NaN), 3),
      emitCallMedianMs: round(nsToMs(median(callNs)), 3),
    }

    // Broadcast to everyone: the servers' own time and CPU to hand it to every connection, and the
    // time until the last client has it (mostly the client process's speed on 2 cores).
    const handoffs: number[] = []
    const handoffsSync: number[] = []
    const handoffsCpu: number[] = []
    const calls: number[] = []
    const cpus: number[] = []
    const lasts: number[] = []
    let complete = 0
    for (let seq = 0; seq < BROADCASTS; seq++) {
      await client.request({ cmd: 'reset' })
      await all({ cmd: 'handoff-reset' })
      const cpuBefore = await all<CpuReply>({ cmd: 'cpu' })
      const reply = await publisher.request<EmitReply>({ cmd: 'broadcast', seq })
      const got = await until(async () => ((await client.request<ClientStats>({ cmd: 'stats' })).broadcasts[seq]?.count ?? 0) >= connections, 60_000)
      // the other instance may still be handing out when the client has it all; give it a moment
      await sleep(50)
      const cpuAfter = await all<CpuReply>({ cmd: 'cpu' })
      const handoff = await all<HandoffReply>({ cmd: 'handoff-read' })
      stats = await client.request<ClientStats>({ cmd: 'stats' })
      if (got) complete++
      handoffs.push(handoff.reduce((n, h) => n + h.ns, 0))
      handoffsSync.push(handoff.reduce((n, h) => n + h.syncNs, 0))
      handoffsCpu.push(handoff.reduce((n, h) => n + h.cpuUs, 0))
      calls.push(reply.callNs)
      cpus.push(cpuAfter.reduce((n, c, i) => n + c.userUs + c.systemUs - ((cpuBefore[i]?.userUs ?? 0) + (cpuBefore[i]?.systemUs ?? 0)), 0))
      lasts.push(stats.broadcasts[seq]?.maxNs ?? Number.NaN)
      await sleep(200)
    }
    result.broadcast = {
      samples: BROADCASTS,
      complete,
      handoffMs: round(nsToMs(median(handoffs)), 3),
      handoffSyncMs: round(nsToMs(median(handoffsSync)), 3),
      handoffCpuMs: round(median(handoffsCpu) / 1000, 3),
      emitCallMs: round(nsToMs(median(calls)), 3),
      serverCpuMs: round(median(cpus) / 1000, 2),
      lastClientMs: round(nsToMs(median(lasts)), 1),
    }

    // Saturation: the publisher emits room messages as fast as it can for FLOOD_MS; every delivery
    // the client process gets counts, until the stream of deliveries dries up.
    await client.request({ cmd: 'reset' })
    const floodStart = process.hrtime.bigint()
    const flood = await publisher.request<FloodReply>({ cmd: 'flood', durationMs: FLOOD_MS, rooms, perTick: 50 }, FLOOD_MS + 60_000)
    let last = -1
    await until(async () => {
      stats = await client.request<ClientStats>({ cmd: 'stats' }, 60_000)
      const settled = stats.flood.count === last || stats.flood.count >= flood.emitted * 2
      last = stats.flood.count
      return settled
    }, 60_000, 1000)
    const spanNs = Number(BigInt(stats.flood.lastNs) - floodStart)
    result.flood = {
      emitted: flood.emitted,
      delivered: stats.flood.count,
      expected: flood.emitted * 2,
      emitPerS: Math.round(flood.emitted / (flood.wallMs / 1000)),
      deliveriesPerS: Math.round(stats.flood.count / (spanNs / 1e9)),
    }
    result.dropped = stats.dropped
    result.held = result.failed === 0 && result.dropped === 0 && stats.open === connections
    await client.request({ cmd: 'close' })
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error)
  } finally {
    for (const proc of started.reverse()) await proc.stop().catch(() => undefined)
  }
  return result
}

function describe(r: ScenarioResult): string {
  if (r.error && !r.room) return `${CONFIGS[r.config].label} @ ${r.connections}: ERROR ${r.error}`
  return `${CONFIGS[r.config].label.padEnd(22)} @ ${String(r.connections).padStart(5)}: connect ${(r.connectMs / 1000).toFixed(1)} s, `
    + `heap/conn ${r.memory?.heapPerConnKiB} KiB, rss/conn ${r.memory?.rssPerConnKiB} KiB, room p50/p99/max ${r.room?.p50Ms}/${r.room?.p99Ms}/${r.room?.maxMs} ms, `
    + `broadcast hand-off ${r.broadcast?.handoffMs} ms (cpu ${r.broadcast?.handoffCpuMs}, sync ${r.broadcast?.handoffSyncMs}, window cpu ${r.broadcast?.serverCpuMs} ms, last client ${r.broadcast?.lastClientMs} ms), `
    + `${r.flood?.deliveriesPerS} deliveries/s, held ${r.held}${r.error ? `, ERROR ${r.error}` : ''}`
}

function ratio(a: number | undefined, b: number | undefined): number {
  return a === undefined || b === undefined ? Number.NaN : round(a / b, 2)
}

function targetsFor(results: ScenarioResult[], sizes: number[]): { name: string; target: string; measured: number | string; met: boolean }[] {
  const find = (config: ConfigId, n: number): ScenarioResult | undefined => results.find((r) => r.config === config && r.connections === n)
  const out: { name: string; target: string; measured: number | string; met: boolean }[] = []
  for (const n of sizes) {
    const sio = find('sio', n)
    const sse = find('sse', n)
    if (!sio || !sse) continue
    const heap = ratio(sse.memory?.heapPerConnKiB, sio.memory?.heapPerConnKiB)
    const rss = ratio(sse.memory?.rssPerConnKiB, sio.memory?.rssPerConnKiB)
    const p99 = ratio(sse.room?.p99Ms, sio.room?.p99Ms)
    const handoff = ratio(sse.broadcast?.handoffMs, sio.broadcast?.handoffMs)
    const handoffCpu = ratio(sse.broadcast?.handoffCpuMs, sio.broadcast?.handoffCpuMs)
    out.push({ name: `heap per connection SSE/Socket.IO at ${n}`, target: '≤ 0.5', measured: heap, met: heap <= 0.5 })
    out.push({ name: `RSS per connection SSE/Socket.IO at ${n}`, target: '≤ 0.8', measured: rss, met: rss <= 0.8 })
    out.push({ name: `room p99 SSE/Socket.IO at ${n}`, target: '≤ 1', measured: p99, met: p99 <= 1 })
    out.push({ name: `server time per broadcast SSE/Socket.IO at ${n} (wall)`, target: '≤ 0.1', measured: handoff, met: handoff <= 0.1 })
    out.push({ name: `server time per broadcast SSE/Socket.IO at ${n} (CPU)`, target: '≤ 0.1', measured: handoffCpu, met: handoffCpu <= 0.1 })
    const redis = find('sse-redis', n)
    if (redis?.room) {
      const added = round(redis.room.p99Ms - (sse.room?.p99Ms ?? Number.NaN), 3)
      out.push({ name: `Redis broker adds to SSE room p99 at ${n} (ms)`, target: '≤ 2', measured: added, met: added <= 2 })
    }
  }
  for (const n of sizes) for (const [current, baseline] of [['sse', 'sse-baseline'], ['sse-redis', 'sse-redis-baseline']] as const) {
    // Each round's pair ran back to back; the median of the rounds' ratios damps one noisy round.
    const pairs = results.filter((r) => r.config === current && r.connections === n).flatMap((now) => {
      const before = results.find((r) => r.config === baseline && r.connections === n && r.round === now.round)
      return before ? [{ now, before }] : []
    })
    if (pairs.length === 0) continue
    // "no worse" allows what two runs of the same code differ by on this machine
    const noWorse = (name: string, pick: (r: ScenarioResult) => number | undefined, higherIsBetter = false): void => {
      const r = round(median(pairs.map(({ now, before }) => ratio(pick(now), pick(before)))), 2)
      const rounds = pairs.length > 1 ? `, median of ${pairs.length} rounds` : ''
      out.push({ name: `${name} ${CONFIGS[current].label}/baseline at ${n}${rounds}`, target: higherIsBetter ? '≥ 0.9' : '≤ 1.1', measured: r, met: higherIsBetter ? r >= 0.9 : r <= 1.1 })
    }
    noWorse('heap per connection', (r) => r.memory?.heapPerConnKiB)
    noWorse('RSS per connection', (r) => r.memory?.rssPerConnKiB)
    noWorse('room p99', (r) => r.room?.p99Ms)
    noWorse('deliveries per second', (r) => r.flood?.deliveriesPerS, true)
  }
  const largest = Math.max(...sizes)
  const sse = find('sse', largest)
  if (sse) out.push({ name: `SSE holds ${largest} connections (no failure, no drop)`, target: 'yes', measured: sse.held ? 'yes' : `no (${sse.error ?? `failed ${sse.failed}, dropped ${sse.dropped}`})`, met: sse.held })
  return out
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '1000,5000,10000' },
      configs: { type: 'string', default: 'sio,sse,bare-sse,sio-redis,sse-redis' },
      baseline: { type: 'string' },
      rounds: { type: 'string', default: '1' },
    },
  })
  const sizes = values.sizes.split(',').map(Number)
  let configs = values.configs.split(',') as ConfigId[]
  if (values.baseline) {
    const dir = resolve(values.baseline)
    if (!existsSync(join(dir, 'server/sse/stream.ts'))) throw new Error(`--baseline ${values.baseline}: no server/sse/stream.ts there; give the src/runtime folder of the copy`)
    for (const [current, baseline] of [['sse', 'sse-baseline'], ['sse-redis', 'sse-redis-baseline']] as const) {
      CONFIGS[baseline].env = { SSE_RUNTIME_DIR: dir }
      configs = configs.filter((c) => c !== baseline)
      if (configs.includes(current)) configs.splice(configs.indexOf(current) + 1, 0, baseline)
    }
  } else if (configs.some((c) => c.endsWith('-baseline'))) {
    throw new Error('the -baseline configs need --baseline <dir>')
  }
  const outName = values.baseline ? 'runtime-vs-baseline' : 'runtime'
  const skipped: string[] = []
  if (configs.some((c) => CONFIGS[c].redis) && !redisAvailable()) {
    if (process.env.CI === 'true') throw new Error('redis-server is required under CI=true')
    skipped.push('the two-instance Redis runs: redis-server is not installed')
    configs = configs.filter((c) => !CONFIGS[c].redis)
  }
  if (configs.includes('sse-redis') && !redisBrokerShipped()) {
    skipped.push('SSE ×2 + Redis: the runtime does not ship its Redis broker (src/runtime/server/plugins/sse-redis.ts)')
    configs = configs.filter((c) => c !== 'sse-redis' && c !== 'sse-redis-baseline')
  }
  for (const reason of skipped) console.warn(`skipping ${reason}`)
  const machine = machineInfo()
  const results: ScenarioResult[] = []
  const rounds = Number(values.rounds)
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 10) throw new Error(`--rounds ${values.rounds}: give a whole number from 1 to 10`)
  for (let roundNo = 1; roundNo <= rounds; roundNo++) {
    for (const n of sizes) {
      for (const config of configs) {
        const r = await runScenario(config, n, roundNo)
        results.push(r)
        console.log(describe(r))
      }
    }
  }
  const targets = targetsFor(results, sizes)
  const loadAtEnd = load1m()
  mkdirSync(resultsDir, { recursive: true })
  writeFileSync(join(resultsDir, `${outName}.json`), `${JSON.stringify({ machine: { ...machine, loadAtEnd }, skipped, targets, results }, null, 2)}\n`)

  const groups = sizes.map((n) => `${n.toLocaleString('en-US')} conns`)
  const series = (pick: (r: ScenarioResult) => number | undefined) => configs.map((c) => ({
    name: CONFIGS[c].label,
    color: CONFIGS[c].color,
    values: sizes.map((n) => pick(results.find((r) => r.config === c && r.connections === n) ?? ({} as ScenarioResult)) ?? Number.NaN),
  }))
  writeFileSync(join(resultsDir, `${outName}.svg`), chartSvg(`${values.baseline ? 'SSE runtime vs its baseline copy' : 'SSE runtime vs Socket.IO'} — ${machine.cpus} cores, ${machine.memoryGiB} GiB, ${machine.date.slice(0, 10)}`, [
    { title: 'Server heap per idle connection (after GC)', unit: 'KiB', groups, series: series((r) => r.memory?.heapPerConnKiB) },
    { title: 'Server RSS per idle connection', unit: 'KiB', groups, series: series((r) => r.memory?.rssPerConnKiB) },
    { title: 'Two-person room: publish → receipt p99', unit: 'ms', groups, series: series((r) => r.room?.p99Ms) },
    { title: 'Broadcast: server CPU time to hand it to every connection (median)', unit: 'ms', log: true, groups, series: series((r) => r.broadcast?.handoffCpuMs) },
    { title: 'Room deliveries per second at saturation', unit: 'deliveries/s', groups, series: series((r) => r.flood?.deliveriesPerS) },
  ]))
  const rows = results.map((r) => [
    rounds > 1 ? `${CONFIGS[r.config].label}, round ${r.round}` : CONFIGS[r.config].label, r.connections.toLocaleString('en-US'),
    r.memory?.heapPerConnKiB ?? '–', r.memory?.rssPerConnKiB ?? '–',
    r.room ? `${r.room.p50Ms} / ${r.room.p99Ms} / ${r.room.maxMs}` : '–',
    r.broadcast ? `${r.broadcast.handoffMs} / ${r.broadcast.handoffCpuMs} / ${r.broadcast.handoffSyncMs}` : '–',
    r.broadcast?.serverCpuMs ?? '–',
    r.broadcast?.lastClientMs ?? '–',
    r.flood ? r.flood.deliveriesPerS.toLocaleString('en-US') : '–',
    r.held ? 'yes' : `**no**${r.error ? ` (${r.error.slice(0, 80)})` : ''}`,
  ])
  const table = markdownTable(['server', 'connections', 'heap KiB/conn', 'RSS KiB/conn', 'room p50 / p99 / max ms', 'broadcast hand-off ms: wall / CPU / sync part', 'broadcast server CPU ms (until last client)', 'broadcast last client ms', 'deliveries/s', 'held'], rows)
  const targetTable = markdownTable(['target', 'wanted', 'measured', 'met'], targets.map((t) => [t.name, t.target, t.measured, t.met ? 'yes' : '**no**']))
  const md = `Run ${machine.date} on ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}; 1-minute load average ${machine.loadAtStart} at the start, ${loadAtEnd} at the end.${skipped.length ? `\n\nSkipped: ${skipped.join('; ')}.` : ''}\n\n${table}\n\n${targetTable}\n`
  writeFileSync(join(resultsDir, `${outName}.md`), md)
  console.log(`\n${md}`)
  console.log(`wrote ${join(resultsDir, `${outName}.json`)}, ${outName}.svg, ${outName}.md`)
}

main().then(() => killAll(), (error: unknown) => {
  console.error(error instanceof Error ? error.stack : error)
  killAll()
  process.exitCode = 1
})
