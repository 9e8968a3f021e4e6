/**
 * What the orchestrator (run.ts) asks the server and client processes over Node IPC, and what they
 * answer. Every request carries an id; the answer repeats it.
 */

/** The payload of every benchmark event: sequence number and the server's `process.hrtime` (ns) at publish. */
export interface BenchPayload {
  s: number
  /** CLOCK_MONOTONIC in ns as a decimal string: the same clock in every process on the machine. */
  t: string
}

export type ServerRequest =
  | { cmd: 'memory' }
  | { cmd: 'room'; room: number; seq: number }
  | { cmd: 'broadcast'; seq: number }
  | { cmd: 'handoff-reset' }
  | { cmd: 'handoff-read' }
  | { cmd: 'flood'; durationMs: number; rooms: number; perTick: number }
  | { cmd: 'cpu' }

export interface MemoryReply { heapUsed: number; rss: number; connections: number }
export interface EmitReply { callNs: number; cpuUs: number }
/**
 * Time spent handing events to local connections since the last reset (the local fan-out function):
 * `ns` until the written bytes reached the kernel, `syncNs` until the function returned, `cpuUs` the
 * process's CPU time over the `ns` span.
 */
export interface HandoffReply { calls: number; ns: number; syncNs: number; cpuUs: number }
export interface FloodReply { emitted: number; wallMs: number }
export interface CpuReply { userUs: number; systemUs: number }

export type ClientRequest =
  | { cmd: 'connect'; kind: 'sse' | 'socketio'; urls: string[]; from: number; to: number; concurrency: number; timeoutMs: number }
  | { cmd: 'reset' }
  | { cmd: 'stats' }
  | { cmd: 'close' }

export interface ConnectReply { open: number; failed: number; firstError?: string; ms: number }

export interface ClientStats {
  open: number
  /** publish→receipt latency of every `bench_room` event, ns. */
  roomLatencyNs: number[]
  /** Per broadcast sequence number: how many clients got it and the slowest publish→receipt, ns. */
  broadcasts: Record<number, { count: number; maxNs: number }>
  /** `bench_flood` deliveries and the receipt time of the first and last (hrtime ns, as strings). */
  flood: { count: number; firstNs: string; lastNs: string }
  /** Streams that ended or errored after opening. */
  dropped: number
}

export type Reply<T> = { id: number; ok: true; result: T } | { id: number; ok: false; error: string }
