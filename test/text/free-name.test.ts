import { describe, expect, it } from 'vitest'
import { freeName } from '../../src/text/free-name.js'

describe('freeName: a name the code it is added to does not use', () => {
  it('keeps the preferred name when nothing uses it', () => {
    expect(freeName('event', new Set(['e', 'events', 'event2']))).toBe('event')
  })

  it('numbers from 2, past every numbered name already taken', () => {
    expect(freeName('event', new Set(['event']))).toBe('event2')
    expect(freeName('event', new Set(['event', 'event2', 'event3']))).toBe('event4')
  })

  it('takes the first free number, not one past the highest', () => {
    expect(freeName('stream', new Set(['stream', 'stream3']))).toBe('stream2')
  })

  it('appends the number to a name that ends in a digit', () => {
    expect(freeName('v1', new Set(['v1']))).toBe('v12')
  })

  it('asks a predicate when taken depends on more than the name itself', () => {
    const identifiers = new Set(['chatEventRoutes', 'chatEventRoute2'])
    const withTable = (name: string) => identifiers.has(name) || identifiers.has(`${name}s`)
    expect(freeName('chatEventRoute', withTable)).toBe('chatEventRoute3')
  })
})
