#!/usr/bin/env node
// Entry for `kith`: runs the TypeScript CLI through tsx's loader, so a fresh clone needs no build step.
import { register } from 'tsx/esm/api'
register()
await import('../daemon/main.ts')
