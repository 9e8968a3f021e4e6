import { writeLibManifest } from './lib-manifest.js'

// Run by the build: the manifest the type check reads instead of parsing the whole lib each run.
writeLibManifest()
