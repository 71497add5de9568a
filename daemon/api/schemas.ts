/**
 * The API's one contract for request bodies and queries: zod schemas (zod/mini: the same checks in a
 * tenth of the code the daemon keeps loaded) checked by
 * @hono/zod-validator. A body that fails its schema is a 400 `invalid_request` (or the route's own
 * code) naming the field; malformed JSON is a 400 `invalid_json` (errors.ts). The inferred types are
 * what the typed clients (CLI, dashboard) send.
 */
import * as z from 'zod/mini'
import { zValidator } from '@hono/zod-validator'
import type { ValidationTargets } from 'hono'
import type { ItemInput } from '../vault/Item.js'
import { normalizeTotp } from '../service/totp.js'
import { HttpError } from './errors.js'

/** A required, non-empty string: "NAME is required" / "NAME must be a string". */
const required = (name: string) =>
  z
    .string({ error: iss => (iss.input === undefined || iss.input === null ? `${name} is required` : `${name} must be a string`) })
    .check(z.minLength(1, { error: `${name} is required` }))
/** An optional string; null counts as not given. */
const optional = (name: string) =>
  z.pipe(
    z.nullish(z.string({ error: `${name} must be a string` })),
    z.transform(v => v ?? undefined)
  )

/** A typed section as sent: field name → text (names and values are checked by the vault: itemTypes.ts). */
const typedSection = z.record(z.string(), z.string())

const itemFields = {
  title: z.optional(z.string()),
  username: z.optional(z.string()),
  password: z.optional(z.string()),
  notes: z.optional(z.string()),
  folder: z.optional(z.string()),
  /** a bare base32 secret or an otpauth URI; stored as a URI; null or '' removes it */
  totp: z.optional(z.nullable(z.string())),
  favorite: z.optional(z.boolean()),
  trashed: z.optional(z.boolean()),
  urls: z.optional(z.array(z.string())),
  /** shorthand for `urls: [url]` */
  url: z.optional(z.string()),
  tags: z.optional(z.array(z.string())),
  fields: z.optional(z.array(z.object({ name: z.string(), value: z.string(), hidden: z.optional(z.boolean()) }))),
  /** login (the default), note, card, identity, sshKey or other; the vault checks the name */
  type: z.optional(z.string()),
  /** an ISO 8601 date or date-time; null or '' removes it */
  expiresAt: z.optional(z.nullable(z.string())),
  /** typed fields: only the ones given change; the vault checks names and values (e.g. a card's expiry month) */
  card: z.optional(typedSection),
  identity: z.optional(typedSection),
  sshKey: z.optional(typedSection)
}

export const itemPatchSchema = z.object(itemFields)
export const itemCreateSchema = z.object({ ...itemFields, vault: optional('vault') })
export type ItemPatchBody = z.input<typeof itemPatchSchema>
export type ItemCreateBody = z.input<typeof itemCreateSchema>

/** An item body as the vault takes it: `url` folded into `urls`, a TOTP secret made an otpauth URI. */
export function toItemInput(body: z.output<typeof itemPatchSchema>): ItemInput {
  const { url, fields, type, ...rest } = body
  // an unknown type name is the vault's InvalidItemError (400), which lists the names
  const input: ItemInput = { ...rest, ...(type !== undefined ? { type: type as ItemInput['type'] } : {}) }
  if (url !== undefined && input.urls === undefined) input.urls = [url]
  if (fields !== undefined) input.fields = fields.map(f => ({ name: f.name, value: f.value, hidden: f.hidden === true }))
  if (typeof input.totp === 'string' && input.totp !== '') input.totp = normalizeTotp(input.totp, input.title ?? 'Kith')
  return input
}

export const itemListQuery = z.object({
  vault: z.optional(z.string()),
  q: z.optional(z.string()),
  /** 'true' lists the trash */
  trashed: z.optional(z.string())
})
/** GET /api/items/:id/history and POST /api/items/:id/history/:version/restore */
export const itemHistoryParams = z.object({
  id: required('id'),
  version: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,40}$/, { error: 'version must be a version id from the item history' })))
})
/** POST /api/trash/empty · PATCH /api/trash */
export const trashEmptyBody = z.object({ vault: optional('vault') })
export const trashPatchBody = z.object({
  purgeAfterDays: z.number({ error: 'purgeAfterDays must be a number of days (0: never)' })
})
export const itemDeleteQuery = z.object({ purge: z.optional(z.string()) })
export const itemIdsQuery = z.object({ ids: z.optional(z.string()) })
/** POST /api/devices/:id/grant · /ungrant */
export const vaultAccessBody = z.object({ vault: required('vault') })
/** POST /api/devices/backup-peers: a backup peer's address, for every vault or one */
export const backupPeerBody = z.object({ address: required('address'), vault: z.optional(z.string()) })
/** DELETE /api/devices/:id?alsoAddedBy=1 */
export const deviceRevokeQuery = z.object({ alsoAddedBy: z.optional(z.string()) })

export const passwordBody = z.object({ password: required('password') })

export const vaultCreateBody = z.object({ name: required('name') })

export const settingsPatchBody = z.object({ autoLockMinutes: z.optional(z.number({ error: 'autoLockMinutes must be a number' })) })

/** without oldPassword only after an unlock with the recovery key (and the caller's recent proof) */
export const passwordChangeBody = z.object({ oldPassword: z.optional(required('oldPassword')), newPassword: required('newPassword') })

/** POST /api/unlock: the password (and the authenticator code when the device has one), or the recovery key */
export const unlockBody = z.object({
  password: z.optional(z.string({ error: 'password must be a string' })),
  totp: optional('totp'),
  recoveryKey: z.optional(required('recoveryKey'))
})

/** POST /api/factors/totp · /api/factors/:id/confirm · PATCH /api/factors/:id */
export const totpAddBody = z.object({ name: optional('name') })
export const totpConfirmBody = z.object({ code: required('code') })
export const factorRenameBody = z.object({ name: required('name') })

export const generateBody = z.object({
  length: z.optional(z.number()),
  lower: z.optional(z.boolean()),
  upper: z.optional(z.boolean()),
  digits: z.optional(z.boolean()),
  symbols: z.optional(z.boolean())
})
export type GenerateBody = z.input<typeof generateBody>

/** POST /api/generate/passphrase */
export const passphraseBody = z.object({
  words: z.optional(z.number({ error: 'words must be a number' })),
  /** a short string, or "digit" for a random digit in each gap */
  separator: z.optional(z.string({ error: 'separator must be a string' })),
  capitalize: z.optional(z.boolean({ error: 'capitalize must be true or false' }))
})
export type PassphraseBody = z.input<typeof passphraseBody>

/** POST /api/strength: the password in the body, never in the URL */
export const strengthBody = z.object({ password: z.string({ error: 'password must be a string' }) })

export const importBody = z.object({
  format: required('format'),
  /** the file, base64-encoded */
  data: required('data').check(z.regex(/^[A-Za-z0-9+/=\r\n]*$/, { error: 'data must be the file in base64' })),
  vault: optional('vault'),
  password: optional('password')
})

export const exportBody = z.object({ format: required('format'), vault: optional('vault'), password: optional('password') })

export const migrateBody = z.object({
  from: required('from'),
  to: required('to'),
  /** one domain, or several */
  orgDomain: z.union([required('orgDomain'), z.array(z.string()).check(z.minLength(1, { error: 'orgDomain needs at least one domain' }))], {
    error: 'orgDomain is required'
  }),
  dryRun: z.optional(z.boolean()),
  /** ids of items that stay whatever the rule says */
  keep: z.optional(z.array(z.string()))
})

export const destroyBody = z.object({ confirm: z.literal(true) })

export const inviteBody = z.object({
  /** the vaults the new device may hold (names); every vault when absent */
  vaults: z.optional(z.array(z.string())),
  ttlSeconds: z.optional(
    z.number({ error: 'ttlSeconds must be a positive number' }).check(z.positive({ error: 'ttlSeconds must be a positive number' }))
  )
})

export const joinBody = z.object({ invitation: required('invitation'), password: required('password'), name: optional('name') })

export const redeemBody = z.object({ code: z.optional(z.string()) })

/** A WebAuthn credential as the browser serialises it; @simplewebauthn/server checks the rest. */
const webauthnCredential = z.looseObject({
  id: required('response.id'),
  rawId: required('response.rawId'),
  type: z.literal('public-key', { error: 'response.type must be "public-key"' }),
  response: z.looseObject({ clientDataJSON: required('response.response.clientDataJSON') }),
  clientExtensionResults: z.optional(z.record(z.string(), z.unknown()))
})
/** POST /api/passkeys/register/options */
export const passkeyOptionsBody = z.object({ name: required('name'), withPassword: z.optional(z.boolean()) })
/** POST /api/passkeys/register and POST /api/passkeys/unlock: the credential, its PRF output (base64url) and, for two factors, the password */
export const passkeyCeremonyBody = z.object({
  response: webauthnCredential,
  prfOutput: optional('prfOutput'),
  password: optional('password'),
  /** the authenticator app's current code, for a password-and-passkey unlock on a device that has one */
  totp: optional('totp'),
  /** the page confirms for the command line (`kith … ` waiting on a device that needs a passkey): the CLI's proof too */
  forCommandLine: z.optional(z.boolean())
})
/** PATCH /api/passkeys/:id */
export const passkeyRenameBody = z.object({ name: required('name') })

/** The message of a failed check: the first issue, naming its field. */
function describe(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code: string }> }): string {
  const issue = error.issues[0]
  if (issue === undefined) return 'the request is not valid'
  const field = issue.path.join('.')
  if (field === '' && issue.code === 'invalid_type') return 'the request body must be a JSON object'
  return field === '' || issue.message.startsWith(String(issue.path[0])) ? issue.message : `${field}: ${issue.message}`
}

/**
 * Validates one part of the request against a schema; a failure throws a 400 with `code`.
 * (Bodies: the app treats a body sent without Content-Type as JSON, so the check always sees it.)
 */
export function valid<T extends z.ZodMiniType, Target extends keyof ValidationTargets>(
  target: Target,
  schema: T,
  code = 'invalid_request',
  message?: string
) {
  return zValidator(target, schema, result => {
    if (!result.success) throw new HttpError(400, code, message ?? describe(result.error))
  })
}

export const jsonBody = <T extends z.ZodMiniType>(schema: T, code?: string, message?: string) => valid('json', schema, code, message)
export const queryOf = <T extends z.ZodMiniType>(schema: T) => valid('query', schema)
