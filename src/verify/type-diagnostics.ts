import { ts } from 'ts-morph'

/**
 * Diagnostics that say what the check could not load rather than what the code does: a name or a
 * global type nothing here declares (the names check judges those, knowing the auto-imports), a
 * type definition file, a package's type (each package is a module of `any`, whose names are no
 * types), type arguments to what only the packages' types make generic (`ref<T>()`), and an
 * implicit `any`, which only the installed packages' types would prevent. They never count, even
 * when new.
 */
const ENVIRONMENT_CODES = new Set([
  2304, 2552, 2580, 2581, 2582, 2583, 2584, 2591, 2592, 2593, 2503, 2318, 2688, 2709, 2347,
  7005, 7006, 7008, 7010, 7011, 7015, 7016, 7017, 7018, 7019, 7022, 7023, 7024, 7031, 7034, 7053,
])
/** `Namespace '"h3"' has no exported member 'H3Event'`: a type read from a package. */
const PACKAGE_NAMESPACE = 2694

/** Property does not exist (did you mean …): on `this` outside a class, Vue's types decide what `this` holds. */
const MISSING_PROPERTY = new Set([2339, 2551])

export function isEnvironmentDiagnostic(diagnostic: ts.Diagnostic, message: string, source: ts.SourceFile): boolean {
  if (ENVIRONMENT_CODES.has(diagnostic.code)) return true
  if (diagnostic.code === PACKAGE_NAMESPACE) return message.startsWith(`Namespace '"`)
  return MISSING_PROPERTY.has(diagnostic.code) && diagnostic.start !== undefined && isOnThisOutsideClass(source, diagnostic.start)
}

function isOnThisOutsideClass(source: ts.SourceFile, position: number): boolean {
  let node: ts.Node = source
  for (let inner = childAt(node, position); inner; inner = childAt(node, position)) node = inner
  const access = node.parent
  if (!access || !ts.isPropertyAccessExpression(access) || access.expression.kind !== ts.SyntaxKind.ThisKeyword) return false
  for (let scope: ts.Node | undefined = access; scope; scope = scope.parent) if (ts.isClassLike(scope)) return false
  return true
}

function childAt(node: ts.Node, position: number): ts.Node | undefined {
  return ts.forEachChild(node, (child) => (child.getStart() <= position && position < child.getEnd() ? child : undefined))
}
