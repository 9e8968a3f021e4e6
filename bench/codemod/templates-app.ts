/**
 * Ordinary Nuxt app code: pages, components, composables, stores, server routes, utils and types.
 * Some of it mentions `emit` or `io` without being Socket.IO (Vue emits, EventEmitter,
 * IntersectionObserver), because a codemod's pre-filter has to see those and let them go.
 */
import type { Rng } from '../lib/prng.js'
import { fieldTypes, fields, nouns, verbs } from './words.js'

const camel = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1)

function pickFields(rng: Rng, min: number, max: number): string[] {
  const chosen = new Set<string>(['id'])
  const wanted = rng.int(min, max)
  for (let i = 0; i < wanted * 3 && chosen.size < wanted; i++) chosen.add(rng.pick(fields))
  return [...chosen]
}

export function interfaceDecl(rng: Rng, name: string, exported = true): string {
  const lines = pickFields(rng, 4, 11).map((f) => `  ${f}${rng.chance(0.2) ? '?' : ''}: ${fieldTypes[f] ?? 'string'}`)
  return `${exported ? 'export ' : ''}interface ${name} {\n${lines.join('\n')}\n}\n`
}

/** One helper function of a few typical shapes; `n` keeps names unique inside a file. */
function helperFn(rng: Rng, noun: string, n: number): string {
  const verb = rng.pick(verbs)
  const name = `${verb}${noun}${n}`
  switch (rng.int(0, 4)) {
    case 0:
      return `export function ${name}(items: ${noun}[], query: string): ${noun}[] {
  const needle = query.trim().toLowerCase()
  if (!needle) return items
  return items.filter((item) => String(item.id).includes(needle) || JSON.stringify(item).toLowerCase().includes(needle))
}
`
    case 1:
      return `export async function ${name}(id: number): Promise<${noun} | null> {
  try {
    const data = await $fetch<${noun}>(\`/api/${camel(noun)}s/\${id}\`)
    return data ?? null
  } catch (error) {
    console.warn('[${name}] failed', error)
    return null
  }
}
`
    case 2:
      return `export function ${name}(value: number, locale = 'th-TH'): string {
  const formatter = new Intl.NumberFormat(locale, { maximumFractionDigits: ${rng.int(0, 2)} })
  return value > ${rng.int(1000, 9000)} ? \`\${formatter.format(value / 1000)}k\` : formatter.format(value)
}
`
    case 3:
      return `export const ${name} = (a: ${noun}, b: ${noun}): number => {
  const left = Number(a.id ?? 0)
  const right = Number(b.id ?? 0)
  return left === right ? 0 : left < right ? -1 : 1
}
`
    default:
      return `export function ${name}(input: Partial<${noun}>): string[] {
  const errors: string[] = []
  if (input.id !== undefined && input.id < 0) errors.push('id must be positive')
  if (Object.keys(input).length > ${rng.int(8, 20)}) errors.push('too many fields')
  return errors
}
`
  }
}

function helpers(rng: Rng, noun: string, count: number): string {
  return Array.from({ length: count }, (_, i) => helperFn(rng, noun, i)).join('\n')
}

function templateMarkup(rng: Rng, noun: string, lines: number, withEmit: boolean): string {
  const rows: string[] = []
  for (let i = 0; i < lines; i++) {
    switch (rng.int(0, 3)) {
      case 0:
        rows.push(`    <p class="text-sm text-gray-${rng.int(4, 8)}00">{{ item.${rng.pick(fields)} }}</p>`)
        break
      case 1:
        rows.push(`    <UButton size="sm" variant="ghost" @click="${withEmit ? `emit('select', item.id)` : 'refresh()'}">${noun} ${i}</UButton>`)
        break
      case 2:
        rows.push(`    <div v-if="loading" class="animate-pulse h-${rng.int(2, 8)} w-full" />`)
        break
      default:
        rows.push(`    <NuxtLink :to="\`/${camel(noun)}s/\${item.id}\`" class="hover:underline">{{ item.id }}</NuxtLink>`)
    }
  }
  return `<template>
  <section class="${camel(noun)}-view space-y-${rng.int(1, 6)}">
    <h2 class="text-lg font-semibold">{{ title }}</h2>
    <div v-for="item in items" :key="item.id" class="flex items-center gap-2">
${rows.join('\n')}
    </div>
  </section>
</template>
`
}

function styleBlock(rng: Rng, noun: string): string {
  return `
<style scoped>
.${camel(noun)}-view {
  padding: ${rng.int(4, 24)}px;
  border-radius: ${rng.int(2, 12)}px;
}
</style>
`
}

/** A `<script setup>` component; `withEmit` adds defineEmits/emit (the Vue kind, not Socket.IO). */
export function component(rng: Rng, noun: string, withEmit: boolean): string {
  const props = pickFields(rng, 1, 4).map((f) => `  ${f}?: ${fieldTypes[f] ?? 'string'}`)
  const emits = withEmit
    ? `const emit = defineEmits<{
  (e: 'update:modelValue', value: string): void
  (e: 'select', id: number): void
}>()
`
    : ''
  const watchers = withEmit
    ? `watch(search, (value) => emit('update:modelValue', value))
`
    : ''
  return `<script setup lang="ts">
import { computed, ref, watch } from 'vue'

${interfaceDecl(rng, noun, false)}
const props = defineProps<{
  title: string
  items: ${noun}[]
${props.join('\n')}
}>()
${emits}const search = ref('')
const loading = ref(false)
const visible = computed(() => props.items.filter((item) => JSON.stringify(item).includes(search.value)))

function refresh(): void {
  loading.value = true
  setTimeout(() => { loading.value = false }, ${rng.int(50, 500)})
}
${watchers}
${helpers(rng, noun, rng.int(0, 5)).replace(/^export /gm, '')}
</script>

${templateMarkup(rng, noun, rng.chance(0.05) ? rng.int(40, 120) : rng.int(4, 20), withEmit)}${rng.chance(0.6) ? styleBlock(rng, noun) : ''}`
}

/** An Options API component using `this.$emit`. */
export function optionsComponent(rng: Rng, noun: string): string {
  return `<script lang="ts">
import { defineComponent, type PropType } from 'vue'

${interfaceDecl(rng, noun)}
export default defineComponent({
  name: '${noun}Panel',
  props: {
    items: { type: Array as PropType<${noun}[]>, required: true },
    title: { type: String, default: '${noun}s' },
  },
  emits: ['close', 'select'],
  data() {
    return { search: '', loading: false }
  },
  methods: {
    close() {
      this.$emit('close')
    },
    select(id: number) {
      this.$emit('select', id)
    },
    refresh() {
      this.loading = true
      setTimeout(() => { this.loading = false }, ${rng.int(50, 500)})
    },
  },
})
</script>

${templateMarkup(rng, noun, rng.int(3, 12), false)}`
}

export function page(rng: Rng, noun: string, feature: string): string {
  return `<script setup lang="ts">
import { computed } from 'vue'

${interfaceDecl(rng, noun, false)}
definePageMeta({ layout: '${rng.pick(['default', 'dashboard', 'auth'])}', middleware: ['auth'] })

const route = useRoute()
const { data: items, pending: loading, refresh } = await useFetch<${noun}[]>('/api/${feature}', {
  query: { page: computed(() => Number(route.query.page ?? 1)) },
  default: () => [],
})
const title = computed(() => \`${noun}s (\${items.value.length})\`)

useHead({ title: '${noun}s' })
${helpers(rng, noun, rng.int(2, 7)).replace(/^export /gm, '')}
</script>

${templateMarkup(rng, noun, rng.int(8, 30), false)}${styleBlock(rng, noun)}`
}

export function composable(rng: Rng, noun: string): string {
  const name = `use${noun}${rng.pick(['s', 'State', 'Query', 'Actions', 'Filters'])}`
  return `import { computed, ref } from 'vue'

${interfaceDecl(rng, noun)}
export function ${name}() {
  const items = ref<${noun}[]>([])
  const error = ref<string | null>(null)
  const loading = ref(false)
  const count = computed(() => items.value.length)

  async function load(): Promise<void> {
    loading.value = true
    try {
      items.value = await $fetch<${noun}[]>('/api/${camel(noun)}s')
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e)
    } finally {
      loading.value = false
    }
  }

  return { items, error, loading, count, load }
}

${helpers(rng, noun, rng.int(1, 4))}`
}

/** A composable with an IntersectionObserver named `io`: not Socket.IO. */
export function intersectionComposable(rng: Rng, noun: string): string {
  return `import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

export function useVisible${noun}(target: Ref<HTMLElement | null>) {
  const visible = ref(false)
  let io: IntersectionObserver | null = null

  onMounted(() => {
    io = new IntersectionObserver((entries) => {
      visible.value = entries.some((entry) => entry.isIntersecting)
    }, { threshold: ${rng.int(1, 9) / 10} })
    if (target.value) io.observe(target.value)
  })

  onBeforeUnmount(() => {
    io?.disconnect()
    io = null
  })

  return { visible }
}
`
}

export function store(rng: Rng, noun: string): string {
  return `import { defineStore } from 'pinia'

${interfaceDecl(rng, noun)}
export const use${noun}Store = defineStore('${camel(noun)}', {
  state: () => ({
    items: [] as ${noun}[],
    selectedId: null as number | null,
    loading: false,
  }),
  getters: {
    selected: (state) => state.items.find((item) => item.id === state.selectedId) ?? null,
    total: (state) => state.items.length,
  },
  actions: {
    async fetchAll() {
      this.loading = true
      try {
        this.items = await $fetch<${noun}[]>('/api/${camel(noun)}s')
      } finally {
        this.loading = false
      }
    },
    select(id: number | null) {
      this.selectedId = id
    },
  },
})

${helpers(rng, noun, rng.int(0, 3))}`
}

export function serverRoute(rng: Rng, noun: string, method: string): string {
  const read = method === 'get'
    ? `const query = getQuery(event)
  const limit = Math.min(Number(query.limit ?? ${rng.int(10, 50)}), 100)`
    : `const body = await readBody<Partial<${noun}>>(event)
  if (!body || typeof body !== 'object') throw createError({ statusCode: 400, statusMessage: 'Invalid body' })`
  return `import { defineEventHandler, createError${method === 'get' ? ', getQuery' : ', readBody'} } from 'h3'

${interfaceDecl(rng, noun, false)}
export default defineEventHandler(async (event) => {
  const user = event.context.user as { id: number } | undefined
  if (!user) throw createError({ statusCode: 401, statusMessage: 'Unauthorized' })
  ${read}
  const db = useDatabase()
  const rows = await db.sql\`SELECT * FROM ${camel(noun)}s WHERE owner_id = \${user.id}\`
  return { ok: true, items: (rows.rows ?? []) as unknown as ${noun}[] }
})

${helpers(rng, noun, rng.int(0, 2)).replace(/^export /gm, '')}`
}

/** A server util with a Node EventEmitter calling `.emit`: not Socket.IO. */
export function eventEmitterUtil(rng: Rng, noun: string): string {
  return `import { EventEmitter } from 'node:events'

${interfaceDecl(rng, noun)}
const bus = new EventEmitter()
bus.setMaxListeners(${rng.int(10, 100)})

export function on${noun}Changed(listener: (item: ${noun}) => void): () => void {
  bus.on('${camel(noun)}:changed', listener)
  return () => bus.off('${camel(noun)}:changed', listener)
}

export function emit${noun}Changed(item: ${noun}): void {
  bus.emit('${camel(noun)}:changed', item)
}
`
}

export function util(rng: Rng, noun: string): string {
  return `${interfaceDecl(rng, noun)}
${helpers(rng, noun, rng.int(1, 6))}`
}

export function types(rng: Rng, noun: string): string {
  const extra = Array.from({ length: rng.int(1, 4) }, (_, i) => interfaceDecl(rng, `${noun}${rng.pick(nouns)}${i}`)).join('\n')
  return `${interfaceDecl(rng, noun)}
${extra}
export type ${noun}Id = ${noun}['id']
`
}
