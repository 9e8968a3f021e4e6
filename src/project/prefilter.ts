/**
 * A cheap text test run before parsing: only files that can take part in a Socket.IO setup are
 * parsed by ts-morph. It must never reject a Socket.IO file, so it is generous: any mention of a
 * socket, an `io` identifier, an emit, the Nitro app (where io is stored), engine.io or a
 * `new Server(` qualifies. Ordinary components, utils and configs are rejected.
 */
const MAY_USE_SOCKET_IO = /socket|\bio\b|emit|nitroapp|engine\.io|\bServer\s*[<(]/i

export function mayUseSocketIO(text: string): boolean {
  return MAY_USE_SOCKET_IO.test(text)
}
