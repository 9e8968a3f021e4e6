/**
 * A cheap text test run before parsing: only files that can take part in a Socket.IO setup are
 * parsed by ts-morph. It must never reject a Socket.IO file, yet an ordinary component calling Vue's
 * `emit('update:…')`, a Node EventEmitter or an IntersectionObserver named `io` must not pass, or a
 * large repo is parsed almost whole. Files that only reach io through another file (a getter, a
 * singleton, a composable returning the socket) are found by `candidates.ts`, which follows imports
 * and auto-imported names from the files this test accepts.
 */
const SIGNALS = [
  // socket.io / socket.io-client / @socket.io/* imports, `$socket`, `appSocket`, `useSocket`, `socket.emit`
  /socket/i,
  /engine\.io/i,
  // where io is stored: `nitroApp.io`, `useNitroApp().io`, `globalThis.io`, `global.io`, `event.context.io`,
  // `socketServer.io`; and `$io` provided by a Nuxt plugin
  /\.\s*io\b|\$io\b/,
  // the Nitro app is where plugins create and hand out the server (C1-C4, A1)
  /nitroapp/i,
  // `new Server(`, `new Server<...>(`, `new Engine(`
  /\bServer\s*[<(]|\bnew\s+(?:Server|Engine)\b/i,
  // the client factory `io(url, opts)`
  /\bio\s*\(/,
  // an io server used by name: only Socket.IO members, so `io.observe(el)` of an IntersectionObserver does not pass
  /\bio\s*!?\s*\??\.\s*(?:to|in|emit|emitWithAck|on|once|off|use|of|except|local|volatile|timeout|compress|fetchSockets|socketsJoin|socketsLeave|disconnectSockets|serverSideEmit|attach|listen|bind|adapter|engine|sockets|close|path|httpServer)\b/,
]

const CASE_SENSITIVE = new RegExp(SIGNALS.filter((signal) => !signal.flags.includes('i')).map((s) => `(?:${s.source})`).join('|'))
const CASE_INSENSITIVE = new RegExp(SIGNALS.filter((signal) => signal.flags.includes('i')).map((s) => `(?:${s.source})`).join('|'), 'i')

/** True when the text itself shows a Socket.IO signal (phase 1 of the candidate selection). */
export function mayUseSocketIO(text: string): boolean {
  return CASE_INSENSITIVE.test(text) || CASE_SENSITIVE.test(text)
}
