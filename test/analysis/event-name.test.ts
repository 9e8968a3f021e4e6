import { Node, Project } from 'ts-morph'
import { describe, expect, it } from 'vitest'
import { eventName, resolveEventNamesIn } from '../../src/analysis/event-name.js'
import { loadRepo } from '../../src/project/load.js'
import { writeRepo } from '../helpers/repo.js'

/** The event name of every `socket.emit(...)` in the code, in order. */
function emittedNames(code: string): (string | undefined)[] {
  const file = new Project({ useInMemoryFileSystem: true }).createSourceFile('a.ts', code)
  return file.getDescendants().filter(Node.isCallExpression).filter((call) => call.getExpression().getText() === 'socket.emit').map((call) => eventName(call.getArguments()[0]))
}

describe('eventName', () => {
  it('reads literals and the constants an app names its events with', () => {
    expect(emittedNames(`
      enum Events { Join = 'join', Count = 1 }
      const EVENTS = { leave: 'leave', 'say-hi': 'hi' } as const
      const TYPING = 'typing'
      const ALIAS = TYPING
      socket.emit('a'); socket.emit(\`b\`); socket.emit(Events.Join); socket.emit(EVENTS.leave); socket.emit(EVENTS['say-hi'])
      socket.emit(TYPING); socket.emit(ALIAS); socket.emit(TYPING as string)
    `)).toEqual(['a', 'b', 'join', 'leave', 'hi', 'typing', 'typing', 'typing'])
  })

  it('gives up on names whose value can change or is not a string', () => {
    expect(emittedNames(`
      enum Events { Count = 1 }
      let current = 'join'
      const EVENTS = { leave: 'leave' }
      function send(name: string) { socket.emit(name) }
      socket.emit(Events.Count); socket.emit(current); socket.emit(EVENTS.missing); socket.emit(\`room:\${current}\`); socket.emit(Unknown.x)
    `)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined])
  })

  it('follows a constant imported through any of Nuxt\'s aliases, #shared included', () => {
    const repo = loadRepo(writeRepo({
      'shared/events.ts': `export const EVENTS = { notice: 'notice' } as const\n`,
      'server/utils/events.ts': `export const ALERT = 'alert'\n`,
      'server/api/notify.post.ts': [
        `import { EVENTS } from '#shared/events'`,
        `import { EVENTS as ROOT_EVENTS } from '~~/shared/events'`,
        `import { ALERT } from '#server/utils/events'`,
        `export default defineEventHandler(() => { socket.emit(EVENTS.notice); socket.emit(ROOT_EVENTS.notice); socket.emit(ALERT) })`,
        '',
      ].join('\n'),
    }))
    resolveEventNamesIn(repo)
    const file = repo.getUnit('server/api/notify.post.ts')!.scripts[0]!.sourceFile
    const emits = file.getDescendants().filter(Node.isCallExpression).filter((call) => call.getExpression().getText() === 'socket.emit')
    expect(emits.map((call) => eventName(call.getArguments()[0]))).toEqual(['notice', 'notice', 'alert'])
  })
})
