/**
 * The part of a benchmark server that does not depend on Socket.IO or SSE: answering the
 * orchestrator's IPC requests, timing emits, reading memory after GC.
 */
import type { BenchPayload, CpuReply, EmitReply, FloodReply, HandoffReply, MemoryReply, Reply, ServerRequest } from './protocol.js'

export interface BenchServer {
  connections(): number
  /** Publish `bench_room` to the two-person room `room`. */
  room(room: number, payload: BenchPayload): void | Promise<void>
  /** Publish `bench_broadcast` to every connection. */
  broadcast(payload: BenchPayload): void | Promise<void>
  /** Publish `bench_flood` to `room` (saturation run). */
  flood(room: number, payload: BenchPayload): void | Promise<void>
}

const gc = (globalThis as { gc?: () => void }).gc

/**
 * Time spent in the server's local fan-out function (wrapped by each server): `syncNs` until it
 * returns, `ns` until the bytes it wrote were handed to the kernel (see probeHandoff), and the CPU
 * time of that same span, which other work on the machine does not inflate the way it does wall time.
 */
export const handoff = { calls: 0, ns: 0n, syncNs: 0n, cpuUs: 0 }

/**
 * Wrap `owner[name]` so every call adds to `handoff` the time until the bytes are handed to the
 * sockets. Node's `ServerResponse.write` corks the socket and writes it in a `process.nextTick`,
 * so the fan-out's syscalls run after the function returns: the clock stops in a tick queued after
 * theirs (the queue is FIFO), not when the function returns.
 */
export function probeHandoff<T extends object>(owner: T, name: keyof T & string): void {
  const original = owner[name] as unknown as (...args: unknown[]) => unknown
  if (typeof original !== 'function') throw new Error(`no function ${name} to probe`)
  Object.defineProperty(owner, name, {
    configurable: true,
    writable: true,
    value: function timed(this: unknown, ...args: unknown[]): unknown {
      const cpu = process.cpuUsage()
      const started = process.hrtime.bigint()
      try {
        return original.apply(this, args)
      } finally {
        handoff.calls++
        handoff.syncNs += process.hrtime.bigint() - started
        process.nextTick(() => {
          handoff.ns += process.hrtime.bigint() - started
          const used = process.cpuUsage(cpu)
          handoff.cpuUs += used.user + used.system
        })
      }
    },
  })
}

function payload(seq: number): BenchPayload {
  return { s: seq, t: process.hrtime.bigint().toString() }
}

async function memoryAfterGc(server: BenchServer): Promise<MemoryReply> {
  if (!gc) throw new Error('start the server with --expose-gc')
  // Several passes with turns of the event loop in between, so finalizers and weak callbacks run.
  for (let i = 0; i < 4; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const usage = process.memoryUsage()
  return { heapUsed: usage.heapUsed, rss: usage.rss, connections: server.connections() }
}

async function timedEmit(emit: () => void | Promise<void>): Promise<EmitReply> {
  const cpu = process.cpuUsage()
  const started = process.hrtime.bigint()
  await emit()
  const callNs = Number(process.hrtime.bigint() - started)
  const used = process.cpuUsage(cpu)
  return { callNs, cpuUs: used.user + used.system }
}

async function flood(server: BenchServer, durationMs: number, rooms: number, perTick: number): Promise<FloodReply> {
  const started = Date.now()
  let emitted = 0
  // Bounded by time and by count; yields every tick so sockets get written and heartbeats run.
  while (Date.now() - started < durationMs && emitted < 50_000_000) {
    for (let i = 0; i < perTick; i++) {
      void server.flood((emitted * 7919) % rooms, payload(emitted))
      emitted++
    }
    await new Promise((resolve) => setImmediate(resolve))
  }
  return { emitted, wallMs: Date.now() - started }
}

async function handle(server: BenchServer, request: ServerRequest): Promise<unknown> {
  switch (request.cmd) {
    case 'memory': return memoryAfterGc(server)
    case 'room': return timedEmit(() => server.room(request.room, payload(request.seq)))
    case 'broadcast': return timedEmit(() => server.broadcast(payload(request.seq)))
    case 'handoff-reset':
      handoff.calls = 0
      handoff.ns = 0n
      handoff.syncNs = 0n
      handoff.cpuUs = 0
      return null
    case 'handoff-read': return { calls: handoff.calls, ns: Number(handoff.ns), syncNs: Number(handoff.syncNs), cpuUs: handoff.cpuUs } satisfies HandoffReply
    case 'flood': return flood(server, request.durationMs, request.rooms, request.perTick)
    case 'cpu': {
      const usage = process.cpuUsage()
      return { userUs: usage.user, systemUs: usage.system } satisfies CpuReply
    }
  }
}

/** Answer the orchestrator's requests; exit when it goes away. */
export function serveIpc(server: BenchServer, ready: Record<string, unknown>): void {
  if (!process.send) throw new Error('a benchmark server must be started with an IPC channel')
  process.on('message', (message: { id: number } & ServerRequest) => {
    handle(server, message).then(
      (result) => process.send?.({ id: message.id, ok: true, result } satisfies Reply<unknown>),
      (error: unknown) => process.send?.({ id: message.id, ok: false, error: String(error instanceof Error ? error.stack : error) } satisfies Reply<unknown>),
    )
  })
  // exit normally (not by the signal) so `--cpu-prof` profiles get written
  process.on('disconnect', () => process.exit(0))
  process.on('SIGTERM', () => process.exit(0))
  process.send({ ready: true, ...ready })
}

/** The user of a benchmark connection and its room: users 2r and 2r+1 share room r. */
export function roomOfUser(userId: number): number {
  return Math.floor(userId / 2)
}
