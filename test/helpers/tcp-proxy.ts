import { createConnection, createServer, type Socket } from 'node:net'
import { freePort } from './ports.js'

export interface CuttableProxy {
  port: number
  url: string
  /** Destroys every open connection and refuses new ones: the network is gone for the client. */
  cut(): void
  /** Accepts connections again. */
  restore(): void
  close(): Promise<void>
}

/**
 * A TCP proxy on 127.0.0.1 in front of `targetPort`. It lets a test cut a browser's connection the
 * way a network failure does (the server sees the socket close, the client a network error),
 * without relying on browser network emulation.
 */
export async function startCuttableProxy(targetPort: number): Promise<CuttableProxy> {
  const port = await freePort()
  const open = new Set<Socket>()
  let refusing = false

  const server = createServer((client) => {
    if (refusing) {
      client.destroy()
      return
    }
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort })
    open.add(client)
    open.add(upstream)
    const drop = () => {
      client.destroy()
      upstream.destroy()
      open.delete(client)
      open.delete(upstream)
    }
    client.on('error', drop)
    upstream.on('error', drop)
    client.on('close', drop)
    upstream.on('close', drop)
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    cut() {
      refusing = true
      for (const socket of open) socket.destroy()
      open.clear()
    },
    restore() {
      refusing = false
    },
    close() {
      for (const socket of open) socket.destroy()
      open.clear()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
