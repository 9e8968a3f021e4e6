import { request, type ClientRequest, type IncomingMessage } from 'node:http'

export interface SSEFrame {
  id?: string
  event: string
  data: string
}

/**
 * A raw-HTTP SSE reader for tests: exposes what EventSource hides (status, headers, comments,
 * the raw bytes) and lets a test stop reading or cut the connection.
 */
export interface RawStream {
  status: number
  headers: IncomingMessage['headers']
  /** Non-stream answers (401 ...): the whole body. */
  body: string
  frames: SSEFrame[]
  comments: number
  retry?: number
  ended: Promise<void>
  isEnded(): boolean
  /** Resolves with the first frame (from `from` on) matching; rejects after `timeoutMs`. */
  next(match: (frame: SSEFrame) => boolean, timeoutMs?: number, from?: number): Promise<SSEFrame>
  /** Resolves once `count` frames matching have arrived. */
  collect(match: (frame: SSEFrame) => boolean, count: number, timeoutMs?: number): Promise<SSEFrame[]>
  lastId(): string | undefined
  close(): void
  req: ClientRequest
  res: IncomingMessage
}

export function openRaw(url: string, headers: Record<string, string> = {}, options: { pause?: boolean } = {}): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false })
    req.once('error', reject)
    req.once('response', (res) => {
      const frames: SSEFrame[] = []
      const waiters = new Set<() => void>()
      let buffer = ''
      let ended = false
      let body = ''
      const stream: RawStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: '',
        frames,
        comments: 0,
        ended: new Promise((r) => {
          const done = () => {
            ended = true
            for (const w of waiters) w()
            r()
          }
          res.once('end', done)
          res.once('close', done)
          res.once('error', done)
        }),
        isEnded: () => ended,
        next(match, timeoutMs = 5000, from = 0) {
          return new Promise((resolveFrame, rejectFrame) => {
            const check = () => {
              const found = frames.slice(from).find(match)
              if (found) {
                cleanup()
                resolveFrame(found)
              } else if (ended) {
                cleanup()
                rejectFrame(new Error('stream ended before a matching frame'))
              }
            }
            const timer = setTimeout(() => {
              cleanup()
              rejectFrame(new Error(`no matching frame within ${timeoutMs} ms; got ${frames.map((f) => f.event).join(',')}`))
            }, timeoutMs)
            const cleanup = () => {
              clearTimeout(timer)
              waiters.delete(check)
            }
            waiters.add(check)
            check()
          })
        },
        collect(match, count, timeoutMs = 5000) {
          return new Promise((resolveAll, rejectAll) => {
            const check = () => {
              const found = frames.filter(match)
              if (found.length >= count) {
                cleanup()
                resolveAll(found)
              } else if (ended) {
                cleanup()
                rejectAll(new Error(`stream ended after ${found.length}/${count} frames`))
              }
            }
            const timer = setTimeout(() => {
              cleanup()
              rejectAll(new Error(`only ${frames.filter(match).length}/${count} frames within ${timeoutMs} ms`))
            }, timeoutMs)
            const cleanup = () => {
              clearTimeout(timer)
              waiters.delete(check)
            }
            waiters.add(check)
            check()
          })
        },
        lastId() {
          for (let i = frames.length - 1; i >= 0; i--) if (frames[i]!.id !== undefined) return frames[i]!.id
          return undefined
        },
        close() {
          req.destroy()
          res.destroy()
        },
        req,
        res,
      }
      res.setEncoding('utf8')
      if (stream.status !== 200) {
        res.on('data', (chunk: string) => (body += chunk))
        res.once('end', () => {
          stream.body = body
          resolve(stream)
        })
        return
      }
      res.on('data', (chunk: string) => {
        buffer += chunk
        let end: number
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const frame: SSEFrame = { event: 'message', data: '' }
          let hasData = false
          let onlyComments = true
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue
            onlyComments = false
            const colon = line.indexOf(':')
            const field = colon === -1 ? line : line.slice(0, colon)
            const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
            if (field === 'id') frame.id = value
            else if (field === 'event') frame.event = value
            else if (field === 'retry') stream.retry = Number(value)
            else if (field === 'data') {
              frame.data = hasData ? frame.data + '\n' + value : value
              hasData = true
            }
          }
          if (onlyComments) stream.comments++
          else if (hasData) frames.push(frame)
        }
        for (const w of [...waiters]) w()
      })
      if (options.pause) res.pause()
      resolve(stream)
    })
    req.end()
  })
}

export function json<T = unknown>(frame: SSEFrame): T {
  return JSON.parse(frame.data) as T
}
