import type { Transform } from '../src/transform.js'

/**
 * Every transform, in the order they run. Later transforms see the ts-morph edits of earlier ones
 * and compose text edits through `changes.currentText()`.
 */
export const transforms: readonly Transform[] = []
