import { Node, SyntaxKind, type ParameterDeclaration, type Type, type TypeNode } from 'ts-morph'
import type { ZodBodyValidation } from '../../src/analysis/handlers/body-validation.js'

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

/** The parameter's own type, else the one the typed server's event map gives it. */
function payloadType(param: ParameterDeclaration, mapped: EventMapPayload | undefined): Type {
  return param.getTypeNode() || !mapped?.type ? param.getType() : mapped.type
}

/**
 * The lines that read and validate the request body in place of the handler's payload parameter.
 * `readChatBody` (the SSE runtime's) bounds the body by `maxBodyBytes`, as Socket.IO bounded a
 * message by `maxHttpBufferSize`; h3's `readBody` would buffer whatever the client sends.
 */
export function payloadLines(param: ParameterDeclaration, eventName: string, bodyName: string, mapped?: EventMapPayload): string[] {
  const typeNode = param.getTypeNode()
  const typeText = typeNode?.getText() ?? mapped?.text
  const type = payloadType(param, mapped)
  // An untyped handler parameter was `any` (Socket.IO's default listener type): the body stays `any`, as it was.
  const typeArg = `<${typeText ?? 'any'}>`
  const nameNode = param.getNameNode()
  const isIdentifier = Node.isIdentifier(nameNode)
  const target = isIdentifier ? nameNode.getText() : bodyName
  const validation = checks(param, type, target)
  if (!isIdentifier && validation.length === 0) return [`const ${nameNode.getText()} = await readChatBody${typeArg}(${eventName})`]
  const lines = [`const ${target} = await readChatBody${typeArg}(${eventName})`, ...validation]
  if (!isIdentifier) lines.push(`const ${nameNode.getText()} = ${bodyName}`)
  return lines
}

/** The schema the route validates its body with, declared above the handler, and the lines that read the body with it. */
export interface ZodPayloadRead {
  schema: string
  lines: string[]
  /** Fields the schema accepts as anything (`z.any()`): their types say more than it can (`sentAt`, `tags[]`). */
  loose: string[]
}

/**
 * For an app that validates its bodies with zod: a schema built from the payload type, read as the app's
 * routes read theirs (`readValidatedBody(event, schema.parse)`, h3's 400 with the zod issues), after
 * the runtime's `limitRequestBody`, which keeps the `maxBodyBytes` bound `readChatBody` has.
 * Undefined when the type gives nothing a schema can say (untyped, `any`, an index signature): the
 * route then reads the body as other apps' routes do.
 */
export function zodPayloadRead(
  param: ParameterDeclaration,
  eventName: string,
  schemaName: string,
  validation: ZodBodyValidation,
  mapped?: EventMapPayload,
): ZodPayloadRead | undefined {
  const z = validation.zodImport.name
  const loose: string[] = []
  const ctx = { at: param, z, trailingComma: validation.trailingComma, depth: 0, seen: new Set(), path: '', loose }
  const schema = zodOf(payloadType(param, mapped), ctx, param.getTypeNode())
  if (!schema) return undefined
  const { validator } = validation
  const validate = validator.kind === 'method' ? `${schemaName}.parse` : `(${validator.param}) => ${schemaName}.parse(${validator.param})`
  return {
    schema: `const ${schemaName} = ${schema}`,
    lines: [`await limitRequestBody(${eventName})`, `const ${param.getNameNode().getText()} = await readValidatedBody(${eventName}, ${validate})`],
    loose,
  }
}

interface SchemaContext {
  at: Node
  z: string
  trailingComma: boolean
  depth: number
  /** Object types being expanded: a type that contains itself is not expanded again. */
  seen: Set<unknown>
  /** Where in the body the type is (`author.name`), for `loose`. */
  path: string
  loose: string[]
}

/** Nesting beyond which a value is not described further (`z.any()`). */
const MAX_SCHEMA_DEPTH = 4

/**
 * The zod schema of a type: primitives, literals (a union of string literals as `z.enum`), arrays,
 * objects of named properties (intersections of them too) and unions of those, with `.nullable()`
 * for `| null`. Undefined for anything else (`any`, functions, library classes such as `Date`, index
 * signatures, enums, tuples).
 */
function zodOf(type: Type, ctx: SchemaContext, typeNode?: TypeNode): string | undefined {
  if (ctx.depth > MAX_SCHEMA_DEPTH || type.isAny() || type.isUnknown()) return undefined
  const parts = type.isUnion() ? type.getUnionTypes() : [type]
  const element = arrayElementNode(typeNode, ctx.depth)
  if (element) {
    const path = `${ctx.path}[]`
    const schema = zodOf(element.getType(), { ...ctx, depth: ctx.depth + 1, path }, element)
    if (!schema) markLoose(ctx, path)
    return `${ctx.z}.array(${schema ?? `${ctx.z}.any()`})${parts.some((part) => part.isNull()) ? '.nullable()' : ''}`
  }
  // An enum's values would pass, but `'text'` is not a `Kind.Text` where the code expects the enum.
  if (parts.some((part) => part.isEnumLiteral() || part.isEnum())) return undefined
  const nullable = parts.some((part) => part.isNull())
  let rest = parts.filter((part) => !part.isNull() && !part.isUndefined())
  // The checker spells `boolean` as `true | false`.
  const bools = rest.filter((part) => part.isBooleanLiteral())
  const members: string[] = []
  if (bools.length === 2) {
    members.push(`${ctx.z}.boolean()`)
    rest = rest.filter((part) => !part.isBooleanLiteral())
  }
  if (members.length === 0 && rest.length > 1 && rest.every((part) => part.isStringLiteral())) {
    const order = literalOrder(type, typeNode)
    const values = rest.map((part) => String(part.getLiteralValue()))
    values.sort((a, b) => rank(order, a) - rank(order, b))
    members.push(`${ctx.z}.enum([${values.map(quote).join(', ')}])`)
    rest = []
  }
  for (const part of rest) {
    const member = memberOf(part, ctx)
    if (!member) return undefined
    members.push(member)
  }
  if (members.length === 0) return undefined
  const schema = members.length === 1 ? members[0]! : `${ctx.z}.union([${members.join(', ')}])`
  return nullable ? `${schema}.nullable()` : schema
}

/** One member of a union (or the whole type). */
function memberOf(type: Type, ctx: SchemaContext): string | undefined {
  const { z } = ctx
  if (type.isString()) return `${z}.string()`
  if (type.isNumber()) return `${z}.number()`
  if (type.isBoolean()) return `${z}.boolean()`
  if (type.isStringLiteral()) return `${z}.literal(${quote(String(type.getLiteralValue()))})`
  if (type.isNumberLiteral()) return `${z}.literal(${String(type.getLiteralValue())})`
  if (type.isBooleanLiteral()) return `${z}.literal(${type.getText()})`
  return objectOf(type, ctx)
}

/** `z.object({ ... })` of an object type whose properties the app declares itself. */
function objectOf(type: Type, ctx: SchemaContext): string | undefined {
  const plain = type.isObject() || (type.isIntersection() && type.getIntersectionTypes().every((part) => part.isObject()))
  if (!plain || type.isTuple() || ctx.seen.has(type.compilerType)) return undefined
  if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0 || type.getStringIndexType() || type.getNumberIndexType()) return undefined
  // `Date`, `Map`, `Buffer`: declared by a library, not a shape of plain JSON.
  const declarations = (type.getSymbol() ?? type.getAliasSymbol())?.getDeclarations() ?? []
  if (declarations.some((d) => d.getSourceFile().getFilePath().includes('/node_modules/'))) return undefined
  const props = type.getProperties()
  if (props.length === 0) return undefined
  const inner: SchemaContext = { ...ctx, depth: ctx.depth + 1, seen: new Set([...ctx.seen, type.compilerType]) }
  const lines = props.map((prop) => {
    const propType = prop.getTypeAtLocation(ctx.at)
    const declaration = prop.getDeclarations()[0]
    const typeNode = Node.isPropertySignature(declaration) ? declaration.getTypeNode() : undefined
    const name = prop.getName()
    const path = ctx.path ? `${ctx.path}.${name}` : name
    const schema = zodOf(propType, { ...inner, path }, typeNode)
    if (!schema) markLoose(ctx, path)
    const optional = prop.isOptional() || (propType.isUnion() && propType.getUnionTypes().some((t) => t.isUndefined()))
    const value = schema ? `${schema}${optional ? '.optional()' : ''}` : `${ctx.z}.any()`
    return `${/^[A-Za-z_$][\w$]*$/.test(name) ? name : quote(name)}: ${value}`
  })
  const body = lines.map((line) => `  ${line.replace(/\n/g, '\n  ')}`).join(',\n')
  return `${ctx.z}.object({\n${body}${ctx.trailingComma ? ',' : ''}\n})`
}

/**
 * The element type of an array the source spells `T[]`, `readonly T[]`, `Array<T>`, `T[] | null` or
 * through a type alias. Read from the syntax: the analysis' checker has no lib, so it knows no `Array`.
 */
function arrayElementNode(node: Node | undefined, depth: number): TypeNode | undefined {
  if (!node || depth > MAX_SCHEMA_DEPTH) return undefined
  if (Node.isArrayTypeNode(node)) return node.getElementTypeNode()
  if (Node.isParenthesizedTypeNode(node) || (Node.isTypeOperatorTypeNode(node) && node.getOperator() === SyntaxKind.ReadonlyKeyword)) {
    return arrayElementNode(node.getTypeNode(), depth)
  }
  if (Node.isUnionTypeNode(node)) {
    const [only, ...rest] = node.getTypeNodes().filter((member) => !isNullishTypeNode(member))
    return only && rest.length === 0 ? arrayElementNode(only, depth) : undefined
  }
  if (!Node.isTypeReference(node)) return undefined
  const [argument, ...more] = node.getTypeArguments()
  const name = node.getTypeName().getText()
  if ((name === 'Array' || name === 'ReadonlyArray') && argument && more.length === 0) return argument
  const alias = node.getTypeName().getSymbol()?.getDeclarations().find(Node.isTypeAliasDeclaration)
  return alias && alias.getTypeParameters().length === 0 ? arrayElementNode(alias.getTypeNode(), depth + 1) : undefined
}

function isNullishTypeNode(node: TypeNode): boolean {
  if (node.getKind() === SyntaxKind.UndefinedKeyword) return true
  return Node.isLiteralTypeNode(node) && node.getLiteral().getKind() === SyntaxKind.NullKeyword
}

/** `path` is `z.any()`, and so is everything inside it noted so far. */
function markLoose(ctx: SchemaContext, path: string): void {
  const inside = (loose: string) => loose.startsWith(`${path}.`) || loose.startsWith(`${path}[`)
  ctx.loose.splice(0, ctx.loose.length, ...ctx.loose.filter((loose) => !inside(loose)), path)
}

/** The string literals of a union in the order the source writes them (the checker orders them its own way). */
function literalOrder(type: Type, typeNode: TypeNode | undefined): string[] {
  const alias = type.getAliasSymbol()?.getDeclarations()[0]
  const node = typeNode && Node.isUnionTypeNode(typeNode) ? typeNode : Node.isTypeAliasDeclaration(alias) ? alias.getTypeNode() : undefined
  if (!Node.isUnionTypeNode(node)) return []
  return node.getTypeNodes().flatMap((member) => {
    const literal = Node.isLiteralTypeNode(member) ? member.getLiteral() : undefined
    return Node.isStringLiteral(literal) ? [literal.getLiteralValue()] : []
  })
}

function rank(order: string[], value: string): number {
  const index = order.indexOf(value)
  return index === -1 ? order.length : index
}

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}
