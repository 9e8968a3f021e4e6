import { describe, expect, it } from 'vitest'
import { escapeRegExp } from '../../src/text/regexp.js'

describe('escapeRegExp', () => {
  it('matches every metacharacter literally', () => {
    const text = String.raw`a.b*c+d?e^f$g{1}(h)|i[j]\k`
    const pattern = new RegExp(`^${escapeRegExp(text)}$`)
    expect(pattern.test(text)).toBe(true)
    expect(pattern.test(text.replace('.', 'X'))).toBe(false)
  })

  it('keeps a package name with a dot and a slash exact', () => {
    const pattern = new RegExp(`"${escapeRegExp('@socket.io/redis-adapter')}"`)
    expect(pattern.test('"@socket.io/redis-adapter": "^8"')).toBe(true)
    expect(pattern.test('"@socketXio/redis-adapter": "^8"')).toBe(false)
  })

  it('counts a `$` identifier as a whole word, not as an end anchor', () => {
    const pattern = new RegExp(`(?<![\\w$])${escapeRegExp('$socket')}(?![\\w$])`, 'g')
    expect('const $socket = io(); $socket.on(); my$socket; $sockets'.match(pattern)).toHaveLength(2)
  })
})
