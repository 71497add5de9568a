/**
 * The table of this device's unlock methods: for each, its slot (UnlockSlot.ts, the root key
 * wrapped under that method's key) and a small public record — kind, name, when it was made and
 * last used, and whatever public data the method needs while locked (a passkey's credential id,
 * public key, counter and PRF salt). Nothing in the record is secret; a thief of the data directory
 * learns which methods exist, as a LUKS header says which slots are in use.
 *
 * keyring/slot/<id>   the slot bytes (the password's is `slot/password`, as before this table)
 * keyring/method/<id> JSON {v: 1, kind, name, createdAt, lastUsedAt, public}
 */
import type { StorageAdapter, StorageOp } from '../storage/StorageAdapter.js'
import { keyringLayout } from '../storage/storageLayout.js'

export const UNLOCK_METHOD_KINDS = ['password', 'passkey', 'password+passkey', 'recovery-key'] as const
export type UnlockMethodKind = (typeof UNLOCK_METHOD_KINDS)[number]

export interface UnlockMethodInfo {
  id: string
  kind: UnlockMethodKind
  name: string
  /** ISO time; null for a password slot made before this table */
  createdAt: string | null
  lastUsedAt: string | null
  /** public data the method needs while locked (never a secret) */
  public: Record<string, unknown>
}

/** The password slot keeps its old key, so a keyring made before this table reads as it is. */
export const PASSWORD_METHOD_ID = 'password'

const DEFAULT_NAMES: Record<UnlockMethodKind, string> = {
  password: 'Master password',
  passkey: 'Passkey',
  'password+passkey': 'Password and passkey',
  'recovery-key': 'Recovery key'
}

const VERSION = 1
const encode = (info: UnlockMethodInfo): Uint8Array =>
  new TextEncoder().encode(
    JSON.stringify({
      v: VERSION,
      kind: info.kind,
      name: info.name,
      createdAt: info.createdAt,
      lastUsedAt: info.lastUsedAt,
      public: info.public
    })
  )

function decode(id: string, bytes: Uint8Array): UnlockMethodInfo | undefined {
  try {
    const raw = JSON.parse(new TextDecoder().decode(bytes)) as Partial<UnlockMethodInfo> & { v?: number }
    if (raw.v !== VERSION || !UNLOCK_METHOD_KINDS.includes(raw.kind as UnlockMethodKind)) return undefined
    const kind = raw.kind as UnlockMethodKind
    return {
      id,
      kind,
      name: typeof raw.name === 'string' ? raw.name : DEFAULT_NAMES[kind],
      createdAt: typeof raw.createdAt === 'string' ? raw.createdAt : null,
      lastUsedAt: typeof raw.lastUsedAt === 'string' ? raw.lastUsedAt : null,
      public: raw.public !== null && typeof raw.public === 'object' ? (raw.public as Record<string, unknown>) : {}
    }
  } catch {
    return undefined
  }
}

const methodKey = keyringLayout.method

export function newMethodInfo(
  id: string,
  kind: UnlockMethodKind,
  name?: string,
  publicData: Record<string, unknown> = {}
): UnlockMethodInfo {
  return { id, kind, name: name?.trim() || DEFAULT_NAMES[kind], createdAt: new Date().toISOString(), lastUsedAt: null, public: publicData }
}

export class UnlockMethods {
  constructor(private readonly storage: StorageAdapter) {}

  /**
   * Every method with a slot, oldest first (the password first). A slot whose record is missing or
   * unreadable still counts, as its kind's default: losing a name must not lose a way in.
   */
  async list(): Promise<UnlockMethodInfo[]> {
    const infos = new Map<string, UnlockMethodInfo>()
    for await (const [key, value] of this.storage.entries('method/')) {
      const id = key.slice('method/'.length)
      const info = decode(id, value)
      if (info !== undefined) infos.set(id, info)
    }
    const out: UnlockMethodInfo[] = []
    for await (const key of this.storage.keys('slot/')) {
      const id = key.slice('slot/'.length)
      out.push(infos.get(id) ?? { ...newMethodInfo(id, id === PASSWORD_METHOD_ID ? 'password' : 'passkey'), createdAt: null })
    }
    return out.sort((a, b) =>
      a.id === PASSWORD_METHOD_ID ? -1 : b.id === PASSWORD_METHOD_ID ? 1 : (a.createdAt ?? '').localeCompare(b.createdAt ?? '')
    )
  }

  async get(id: string): Promise<{ info: UnlockMethodInfo; slot: Uint8Array } | undefined> {
    const [slot, record] = await this.storage.getMany([keyringLayout.slot(id), methodKey(id)])
    if (slot === undefined) return undefined
    const info =
      (record === undefined ? undefined : decode(id, record)) ??
      ({ ...newMethodInfo(id, id === PASSWORD_METHOD_ID ? 'password' : 'passkey'), createdAt: null } satisfies UnlockMethodInfo)
    return { info, slot }
  }

  /** The operations that store a method (its slot too, when given). */
  putOps(info: UnlockMethodInfo, slot?: Uint8Array): StorageOp[] {
    const ops: StorageOp[] = [{ type: 'put', key: methodKey(info.id), value: encode(info) }]
    if (slot !== undefined) ops.push({ type: 'put', key: keyringLayout.slot(info.id), value: slot })
    return ops
  }

  removeOps(id: string): StorageOp[] {
    return [
      { type: 'del', key: keyringLayout.slot(id) },
      { type: 'del', key: methodKey(id) }
    ]
  }

  async update(info: UnlockMethodInfo): Promise<void> {
    await this.storage.batch(this.putOps(info))
  }
}
