import type { Transform } from '../src/transform.js'
import { sseRuntime } from './sse-runtime.js'
import { serverEmits } from './server-emits.js'
import { serverHandlers } from './server-handlers.js'
import { clientTransform } from './client.js'
import { removeSocketIo } from './remove-socket-io.js'
import { packages } from './packages.js'

/**
 * Every transform, in the order they run. Later transforms see the ts-morph edits of earlier ones
 * and compose text edits through `changes.currentText()`.
 */
export const transforms: readonly Transform[] = [sseRuntime, serverEmits, serverHandlers, clientTransform, removeSocketIo, packages]
