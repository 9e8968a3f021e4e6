/**
 * A benchmark process (server or client) driven over Node IPC: started through tsx with the file
 * descriptor limit raised to the hard limit, request/answer by id, each request with a deadline.
 */
import type { ChildProcess } from 'node:child_process'
import { spawnTracked, stopChild } from './children.js'

export interface IpcProcess {
  child: ChildProcess
  ready: Record<string, unknown>
  request<T>(message: Record<string, unknown>, timeoutMs?: number): Promise<T>
  stop(): Promise<void>
}

export async function startIpcProcess(script: string, options: { env?: NodeJS.ProcessEnv; nodeArgs?: string[]; name: string; readyTimeoutMs?: number }): Promise<IpcProcess> {
  // `ulimit -n` of the hard limit for 10,000 sockets; `exec` keeps the IPC channel's descriptor.
  const child = spawnTracked('bash', ['-c', 'ulimit -n "$(ulimit -Hn)"; exec "$@"', 'bash', process.execPath, ...(options.nodeArgs ?? []), '--import', import.meta.resolve('tsx'), script], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>()
  let nextId = 1
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => {
      const error = new Error(`${options.name} exited (code ${code}, signal ${signal})`)
      for (const waiter of pending.values()) {
        clearTimeout(waiter.timer)
        waiter.reject(error)
      }
      pending.clear()
      reject(error)
    })
  })
  exited.catch(() => undefined)
  const ready = await Promise.race([
    new Promise<Record<string, unknown>>((resolve) => {
      child.on('message', (message: { id?: number; ok?: boolean; result?: unknown; error?: string; ready?: boolean }) => {
        if (message.ready) return resolve(message as Record<string, unknown>)
        const waiter = message.id === undefined ? undefined : pending.get(message.id)
        if (!waiter || message.id === undefined) return
        pending.delete(message.id)
        clearTimeout(waiter.timer)
        if (message.ok) waiter.resolve(message.result)
        else waiter.reject(new Error(`${options.name}: ${message.error}`))
      })
    }),
    exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${options.name} not ready in time`)), options.readyTimeoutMs ?? 30_000).unref()),
  ])
  return {
    child,
    ready,
    request<T>(message: Record<string, unknown>, timeoutMs = 120_000): Promise<T> {
      const id = nextId++
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id)
          reject(new Error(`${options.name}: no answer to ${String(message.cmd)} in ${timeoutMs} ms`))
        }, timeoutMs)
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer })
        child.send({ ...message, id })
      })
    },
    stop: () => stopChild(child),
  }
}
