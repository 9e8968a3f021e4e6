import type { Transform } from '../src/transform.js'
import { sseRuntime } from './sse-runtime.js'
import { serverEmits } from './server-emits.js'
import { serverHandlers } from './server-handlers.js'
import { clientTransform } from './client.js'
import { removeSocketIo } from './remove-socket-io.js'
import { packages } from './packages.js'

/**
 * Every transform, in the order they run. They stage text edits against each file's original text
 * and read what earlier ones staged through `changes.slice()` / `changes.currentText()`; those not yet
 * on text edits still edit ts-morph trees, which later ones see.
 */
export const transforms: readonly Transform[] = [sseRuntime, serverEmits, serverHandlers, clientTransform, removeSocketIo, packages]
