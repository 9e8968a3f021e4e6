import { Node, type ParameterDeclaration, type Type } from 'ts-morph'

const PRIMITIVES = ['string', 'number', 'boolean'] as const
type Primitive = (typeof PRIMITIVES)[number]

/** The primitive a type is (a literal or a union of literals of one primitive counts), if any. */
function primitiveOf(type: Type): Primitive | undefined {
  const parts = type.isUnion() ? type.getUnionTypes() : [type]
  const kinds = new Set<Primitive>()
  for (const part of parts) {
    if (part.isString() || part.isStringLiteral()) kinds.add('string')
    else if (part.isNumber() || part.isNumberLiteral()) kinds.add('number')
    else if (part.isBoolean() || part.isBooleanLiteral()) kinds.add('boolean')
    else if (!part.isUndefined()) return undefined
  }
  return kinds.size === 1 ? [...kinds][0] : undefined
}

/** `if (typeof body?.roomId !== 'number') throw ...` for each primitive property the parameter's type declares. */
function checks(param: ParameterDeclaration, type: Type, body: string): string[] {
  const whole = primitiveOf(type)
  if (whole) {
    return [`if (typeof ${body} !== '${whole}') {\n  throw createError({ statusCode: 400, message: 'The body must be a ${whole}' })\n}`]
  }
  if (type.isAny() || type.isUnknown() || !type.isObject()) return []
  const lines: string[] = []
  for (const prop of type.getProperties()) {
    const name = prop.getName()
    if (!/^[A-Za-z_$][\w$]*$/.test(name)) continue
    const propType = prop.getTypeAtLocation(param)
    const primitive = primitiveOf(propType)
    if (!primitive) continue
    const optional = prop.isOptional() || (propType.isUnion() && propType.getUnionTypes().some((t) => t.isUndefined()))
    const test = optional
      ? `${body}?.${name} !== undefined && typeof ${body}.${name} !== '${primitive}'`
      : `typeof ${body}?.${name} !== '${primitive}'`
    lines.push(`if (${test}) {\n  throw createError({ statusCode: 400, message: '${name} must be a ${primitive}' })\n}`)
  }
  return lines
}

/** The payload type a typed server's event map declares: `Parameters<ClientToServerEvents['event']>[0]`. */
export interface EventMapPayload {
  text: string
  type: Type | undefined
}

/** `Parameters<Events[event]>[0]` resolved through the checker, where the map's declaration is reachable. */
export function eventMapPayload(events: Node, event: string): EventMapPayload {
  const handlerType = events.getType().getProperty(event)?.getTypeAtLocation(events)
  const type = handlerType?.getCallSignatures()[0]?.getParameters()[0]?.getTypeAtLocation(events)
  return { text: `Parameters<${events.getText()}['${event}']>[0]`, type }
}

/**
 * The lines that read and validate the request body in place of the handler's payload parameter.
 * `readChatBody` (the SSE runtime's) bounds the body by `maxBodyBytes`, as Socket.IO bounded a
 * message by `maxHttpBufferSize`; h3's `readBody` would buffer whatever the client sends.
 */
/**
 * The lines that read positional arguments, `(channelId, username)`, from the JSON array the client
 * posts: typed as the parameters declare (else `any`, as they were), defaults kept.
 */
export function positionalLines(params: readonly ParameterDeclaration[], eventName: string, bodyName: string): string[] {
  const types = params.map((param) => param.getTypeNode()?.getText())
  const typeArg = types.every((type) => type !== undefined) ? `<[${types.join(', ')}]>` : '<any[]>'
  const bindings = params.map((param) => {
    const init = param.getInitializer()
    return `${param.getNameNode().getText()}${init ? ` = ${init.getText()}` : ''}`
  })
  return [
    `const ${bodyName} = await readChatBody${typeArg}(${eventName})`,
    `if (!Array.isArray(${bodyName})) {\n  throw createError({ statusCode: 400, message: 'Expected the ${params.length} arguments of the event as a JSON array' })\n}`,
    `const [${bindings.join(', ')}] = ${bodyName}`,
  ]
}

export function payloadLines(param: ParameterDeclaration, eventName: string, bodyName: string, mapped?: EventMapPayload): string[] {
  const typeNode = param.getTypeNode()
  const typeText = typeNode?.getText() ?? mapped?.text
  const type = typeNode || !mapped?.type ? param.getType() : mapped.type
  const typeArg = typeText ? `<${typeText}>` : ''
  const nameNode = param.getNameNode()
  const isIdentifier = Node.isIdentifier(nameNode)
  const target = isIdentifier ? nameNode.getText() : bodyName
  const validation = checks(param, type, target)
  if (!isIdentifier && validation.length === 0) return [`const ${nameNode.getText()} = await readChatBody${typeArg}(${eventName})`]
  const lines = [`const ${target} = await readChatBody${typeArg}(${eventName})`, ...validation]
  if (!isIdentifier) lines.push(`const ${nameNode.getText()} = ${bodyName}`)
  return lines
}
