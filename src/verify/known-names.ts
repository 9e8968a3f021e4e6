/**
 * Names a Nuxt app's code may use without declaring or importing them: the platform's globals and
 * what Nuxt, Nitro, Vue and h3 auto-import. The app's own auto-imports come from its files.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

const BROWSER_GLOBALS = [
  'window', 'document', 'navigator', 'location', 'history', 'screen', 'localStorage', 'sessionStorage', 'indexedDB', 'caches',
  'alert', 'confirm', 'prompt', 'open', 'print', 'scrollTo', 'scrollBy', 'getComputedStyle', 'matchMedia', 'requestAnimationFrame',
  'cancelAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback', 'innerWidth', 'innerHeight', 'devicePixelRatio', 'self',
  'EventSource', 'WebSocket', 'XMLHttpRequest', 'Notification', 'Audio', 'Image', 'Option', 'FileReader', 'DOMParser',
  'IntersectionObserver', 'ResizeObserver', 'MutationObserver', 'HTMLElement', 'HTMLInputElement', 'HTMLTextAreaElement',
  'HTMLDivElement', 'HTMLAudioElement', 'HTMLVideoElement', 'HTMLCanvasElement', 'HTMLImageElement', 'Element', 'Node',
  'NodeList', 'KeyboardEvent', 'MouseEvent', 'FocusEvent', 'InputEvent', 'DragEvent', 'ClipboardEvent', 'PointerEvent',
  'TouchEvent', 'MediaStream', 'MediaRecorder', 'RTCPeerConnection', 'RTCSessionDescription', 'RTCIceCandidate', 'Worker',
  'SharedWorker', 'ServiceWorker', 'Storage', 'StorageEvent', 'customElements', 'visualViewport', 'getSelection',
]

const NODE_MODULE_SCOPE = ['require', 'module', 'exports', '__dirname', '__filename', 'global', 'globalThis', 'undefined', 'NaN', 'Infinity']

const VUE = [
  'ref', 'shallowRef', 'reactive', 'shallowReactive', 'readonly', 'shallowReadonly', 'computed', 'watch', 'watchEffect',
  'watchPostEffect', 'watchSyncEffect', 'toRef', 'toRefs', 'toValue', 'toRaw', 'unref', 'isRef', 'isReactive', 'isReadonly',
  'isProxy', 'markRaw', 'triggerRef', 'customRef', 'effectScope', 'getCurrentScope', 'onScopeDispose', 'nextTick', 'provide',
  'inject', 'hasInjectionContext', 'onMounted', 'onUnmounted', 'onBeforeMount', 'onBeforeUnmount', 'onUpdated', 'onBeforeUpdate',
  'onActivated', 'onDeactivated', 'onErrorCaptured', 'onRenderTracked', 'onRenderTriggered', 'onServerPrefetch',
  'getCurrentInstance', 'useAttrs', 'useSlots', 'useModel', 'useTemplateRef', 'useId', 'useCssModule', 'useCssVars',
  'defineComponent', 'defineAsyncComponent', 'resolveComponent', 'h', 'defineProps', 'defineEmits', 'defineExpose',
  'defineModel', 'defineSlots', 'defineOptions', 'withDefaults', '$ref', '$computed',
]

const NUXT_AND_NITRO = [
  'definePageMeta', 'defineNuxtConfig', 'defineNuxtPlugin', 'defineNuxtRouteMiddleware', 'defineNuxtComponent', 'defineAppConfig',
  'defineRouteRules', 'useAppConfig', 'useNuxtApp', 'tryUseNuxtApp', 'useRuntimeConfig', 'useState', 'clearNuxtState',
  'useFetch', 'useLazyFetch', 'useAsyncData', 'useLazyAsyncData', 'refreshNuxtData', 'clearNuxtData', 'useNuxtData', '$fetch',
  'useCookie', 'refreshCookie', 'useRequestHeaders', 'useRequestHeader', 'useRequestEvent', 'useRequestURL', 'useRequestFetch',
  'useResponseHeader', 'setResponseStatus', 'useRoute', 'useRouter', 'navigateTo', 'abortNavigation', 'addRouteMiddleware',
  'useError', 'showError', 'clearError', 'createError', 'isNuxtError', 'useHead', 'useHeadSafe', 'useSeoMeta', 'useServerHead',
  'useServerSeoMeta', 'onNuxtReady', 'useLoadingIndicator', 'callOnce', 'reloadNuxtApp', 'prerenderRoutes', 'useHydration',
  'onBeforeRouteLeave', 'onBeforeRouteUpdate', 'useLink', 'preloadComponents', 'preloadRouteComponents', 'prefetchComponents',
  'defineNitroPlugin', 'defineNitroConfig', 'defineTask', 'runTask', 'useStorage', 'useNitroApp', 'useEvent', 'defineCachedFunction',
  'defineCachedEventHandler', 'cachedFunction', 'cachedEventHandler', 'defineRenderHandler', 'defineRouteMeta', 'getRouteRules',
  'defineWebSocketHandler', 'defineStore', 'storeToRefs', 'acceptHMRUpdate', 'useDatabase',
]

const H3 = [
  'defineEventHandler', 'eventHandler', 'defineLazyEventHandler', 'lazyEventHandler', 'defineRequestMiddleware',
  'defineResponseMiddleware', 'createError', 'isError', 'H3Error', 'sendError', 'readBody', 'readRawBody', 'readValidatedBody',
  'readFormData', 'readMultipartFormData', 'getQuery', 'getValidatedQuery', 'getRouterParam', 'getRouterParams',
  'getValidatedRouterParams', 'getMethod', 'isMethod', 'assertMethod', 'getHeader', 'getHeaders', 'getRequestHeader',
  'getRequestHeaders', 'getResponseHeader', 'getResponseHeaders', 'setHeader', 'setHeaders', 'setResponseHeader',
  'setResponseHeaders', 'appendHeader', 'appendHeaders', 'appendResponseHeader', 'appendResponseHeaders', 'removeResponseHeader',
  'clearResponseHeaders', 'setResponseStatus', 'getResponseStatus', 'getResponseStatusText', 'getCookie', 'setCookie',
  'deleteCookie', 'parseCookies', 'splitCookiesString', 'sendRedirect', 'sendStream', 'sendNoContent', 'send', 'sendWebResponse',
  'createEventStream', 'getRequestURL', 'getRequestIP', 'getRequestHost', 'getRequestProtocol', 'getRequestPath',
  'getRequestWebStream', 'toWebRequest', 'proxyRequest', 'sendProxy', 'fetchWithEvent', 'getProxyRequestHeaders', 'getSession',
  'useSession', 'updateSession', 'clearSession', 'sealSession', 'unsealSession', 'handleCors', 'appendCorsHeaders',
  'appendCorsPreflightHeaders', 'isPreflightRequest', 'isCorsOriginAllowed', 'serveStatic', 'fromNodeMiddleware', 'toNodeListener',
  'createApp', 'createRouter', 'getRouterParams', 'handleCacheHeaders', 'writeEarlyHints', 'defaultContentType', 'isStream',
]

let known: Set<string> | undefined

/** What Vue, Nuxt, Nitro and h3 auto-import: names the app's code uses without declaring them. */
export function frameworkNames(): readonly string[] {
  return [...new Set([...VUE, ...NUXT_AND_NITRO, ...H3])]
}

export function platformNames(): ReadonlySet<string> {
  known ??= new Set([...Object.getOwnPropertyNames(globalThis), ...BROWSER_GLOBALS, ...NODE_MODULE_SCOPE, ...VUE, ...NUXT_AND_NITRO, ...H3])
  return known
}

/** The folders Nuxt and Nitro auto-import from, at the root (Nuxt 3) or under the src dir (Nuxt 4). */
const AUTO_IMPORT_DIR = /^(?:[\w-]+\/)?(?:composables|utils)\/|^(?:[\w-]+\/)?server\/utils\/|^shared\/(?:utils|types)\//

const EXPORTED = /\bexport\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:function\s*\*?|const|let|var|class|enum)\s+([A-Za-z_$][\w$]*)/g
const EXPORT_LIST = /\bexport\s*\{([^}]*)\}/g

export function isAutoImportPath(path: string): boolean {
  return AUTO_IMPORT_DIR.test(path) && /\.(?:[cm]?[jt]s)$/.test(path)
}

/** What one auto-imported file makes available: its named exports, and its camelCased name for a default export. */
export function autoImportedNames(path: string, text: string): string[] {
  const names: string[] = []
  for (const match of text.matchAll(EXPORTED)) if (match[1]) names.push(match[1])
  for (const match of text.matchAll(EXPORT_LIST)) {
    for (const part of (match[1] ?? '').split(',')) {
      const name = part.trim().split(/\s+as\s+/).pop()?.trim()
      if (name && name !== 'default') names.push(name)
    }
  }
  if (/\bexport\s+default\b/.test(text)) {
    const base = path.slice(path.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '')
    names.push(base.replace(/[-_.](\w)/g, (_, c: string) => c.toUpperCase()))
  }
  return names
}

const runtimeNamesByDir = new Map<string, string[]>()

/** What the shipped runtime's auto-imported files export (`emitToRoom`, `readChatBody`, `useChatSSE`…). */
export function runtimeNames(runtimeDir: string): string[] {
  const known = runtimeNamesByDir.get(runtimeDir)
  if (known) return known
  const names = ['server/utils', 'app/composables'].flatMap((dir) =>
    readdirSync(path.join(runtimeDir, dir))
      .filter((name) => name.endsWith('.ts'))
      .flatMap((name) => autoImportedNames(`${dir}/${name}`, readFileSync(path.join(runtimeDir, dir, name), 'utf8'))),
  )
  runtimeNamesByDir.set(runtimeDir, names)
  return names
}
