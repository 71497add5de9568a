/** Shared by the interop tests: where the public corpus lives, tricky vault items, and a normaliser for round trips. */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Item } from '../../daemon/vault/Item.js'
import type { ImportedItem } from '../../daemon/interop/types.js'

const here = dirname(fileURLToPath(import.meta.url))
/** The repository root: two levels above test/interop/. */
export const REPO_ROOT = resolve(here, '../..')
/** The shared corpus of real exports, `../shared/interop/public/` from the repository root. */
export const CORPUS_DIR = resolve(REPO_ROOT, '../shared/interop/public')
/** This suite's own fixtures. */
export const FIXTURES_DIR = resolve(REPO_ROOT, 'test/fixtures/interop')

/** True when the corpus is present; otherwise says so loudly (the tests that need it are skipped). */
export function corpusAvailable(): boolean {
  if (existsSync(join(CORPUS_DIR, 'EXPECTED.json'))) return true
  console.warn(
    `\n${'!'.repeat(78)}\n!! interop corpus NOT FOUND at ${CORPUS_DIR}\n!! the tests against real exports are SKIPPED\n${'!'.repeat(78)}\n`
  )
  return false
}

export function corpusFile(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(join(CORPUS_DIR, rel)))
}

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES_DIR, name)))
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

const base: Omit<Item, 'id' | 'title'> = {
  vault: 'Personal',
  attachments: [],
  username: '',
  password: '',
  urls: [],
  notes: '',
  totp: null,
  fields: [],
  tags: [],
  folder: '',
  favorite: false,
  trashed: false,
  createdAt: '2023-04-05T06:07:08.901Z',
  updatedAt: '2024-05-06T07:08:09.012Z',
  type: 'login',
  expiresAt: null
}

/** Items that exercise every field: multi-line notes, quotes, Unicode, several URLs, hidden fields, TOTP, nested folders, trash, tags. */
export function trickyItems(): Item[] {
  return [
    {
      ...base,
      id: 'b7c5a1a2-0d7e-4a55-9d7e-1c1c1c1c1c01',
      title: 'Bank — Ünïcødé 銀行 🏦',
      username: 'ann@example.com',
      password: ' p"\'<>&;,\\ `~ pass ',
      urls: ['https://bank.example/login', 'https://m.bank.example/?a=1&b=2', 'androidapp://com.example.bank'],
      notes: 'Line one, with a comma\n\tindented "quoted" line\nשלום עולם — RTL\n<xml> & ]]> stuff\n\nlast line after blank',
      totp: 'otpauth://totp/Bank:ann%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Bank&algorithm=SHA256&digits=8&period=60',
      fields: [
        { name: 'PIN', value: '0042', hidden: true },
        { name: 'Security question', value: 'First pet?\nRex, "the dog"', hidden: false },
        { name: 'Empty', value: '', hidden: false }
      ],
      tags: ['finance', 'ünïcødé', '2fa'],
      folder: 'Money/Banks/EU',
      favorite: true
    },
    {
      ...base,
      id: 'b7c5a1a2-0d7e-4a55-9d7e-1c1c1c1c1c02',
      title: 'Mail',
      username: 'bob',
      password: 'hunter2',
      urls: ['https://mail.example.com'],
      folder: 'Work'
    },
    {
      ...base,
      id: 'b7c5a1a2-0d7e-4a55-9d7e-1c1c1c1c1c03',
      title: 'Old forum',
      username: 'bob',
      password: 'gone',
      urls: ['https://forum.example'],
      folder: 'Work/Old',
      trashed: true,
      tags: ['old']
    },
    { ...base, id: 'b7c5a1a2-0d7e-4a55-9d7e-1c1c1c1c1c04', title: 'Deleted at root', username: 'z', password: 'z', trashed: true },
    {
      ...base,
      id: 'b7c5a1a2-0d7e-4a55-9d7e-1c1c1c1c1c05',
      title: 'Wi-Fi note',
      type: 'note',
      notes: 'SSID: home\nKey: in the hidden field',
      fields: [{ name: 'WPA key', value: 'correct horse battery staple', hidden: true }]
    },
    { ...base, id: 'b7c5a1a2-0d7e-4a55-9d7e-1c1c1c1c1c06', title: 'Only a title', type: 'note' },
    {
      ...base,
      id: 'b7c5a1a2-0d7e-4a55-9d7e-1c1c1c1c1c07',
      title: 'Server',
      username: 'root',
      password: 'tab\tin\tpassword',
      urls: ['ssh://10.0.0.1:22'],
      folder: 'Work',
      fields: [
        { name: 'Host key', value: 'ssh-ed25519 AAAA…', hidden: false },
        { name: 'sudo', value: 's3cr3t', hidden: true }
      ],
      tags: ['servers']
    }
  ]
}

/** made with `ssh-keygen -t ed25519 -C me@laptop`; FINGERPRINT is what `ssh-keygen -l` printed for it */
export const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAQkwfgk6b7mr6k9zLWGBZj5ub6s8/dHsi3QANeDRFhs me@laptop'
export const FINGERPRINT = 'SHA256:wbI0pBhtejRVOAnFua+mJirEx9Erls/JWpA4dIOEeGE'

const typedBase = {
  vault: 'Personal',
  attachments: [],
  username: '',
  password: '',
  urls: [],
  notes: '',
  totp: null,
  fields: [],
  tags: [],
  folder: '',
  favorite: false,
  trashed: false,
  createdAt: '2024-01-02T03:04:05.000Z',
  updatedAt: '2024-02-03T04:05:06.000Z',
  expiresAt: null
} satisfies Partial<Item>

const identity = {
  honorific: 'Dr',
  firstName: 'Jane',
  middleName: '',
  lastName: 'Doe',
  company: 'Acme',
  email: 'jane@example.com',
  phone: '+1 555 0100',
  address1: '1 Main St',
  address2: '',
  address3: '',
  city: 'Springfield',
  state: 'IL',
  postalCode: '62701',
  country: 'US',
  ssn: '078-05-1120',
  passportNumber: 'X1234567',
  licenseNumber: '',
  username: 'jdoe'
}

/** One item of each type, a card and an "other" with expiry dates. */
export function typedItems(): Item[] {
  return [
    {
      ...typedBase,
      id: 'c0000000-0000-4000-8000-000000000001',
      title: 'Everyday Visa',
      type: 'card',
      expiresAt: '2029-03-31T00:00:00.000Z',
      fields: [{ name: 'PIN', value: '4321', hidden: true }],
      card: { cardholder: 'Jane Doe', brand: 'Visa', number: '4111111111111111', expMonth: '3', expYear: '2029', cvv: '737' }
    },
    { ...typedBase, id: 'c0000000-0000-4000-8000-000000000002', title: 'Me', type: 'identity', identity },
    {
      ...typedBase,
      id: 'c0000000-0000-4000-8000-000000000003',
      title: 'laptop key',
      type: 'sshKey',
      sshKey: {
        privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n',
        publicKey: PUBLIC_KEY,
        fingerprint: FINGERPRINT
      }
    },
    { ...typedBase, id: 'c0000000-0000-4000-8000-000000000004', title: 'Alarm code', type: 'note', notes: '1 2 3 4, then #' },
    {
      ...typedBase,
      id: 'c0000000-0000-4000-8000-000000000005',
      title: 'Gym locker',
      type: 'other',
      expiresAt: '2026-12-31T00:00:00.000Z',
      fields: [{ name: 'Combination', value: '12-34-56', hidden: true }]
    },
    { ...typedBase, id: 'c0000000-0000-4000-8000-000000000006', title: 'Mail', type: 'login', username: 'jane', password: 'pw' }
  ]
}

/** An item as compared after a round trip: no id or vault, times to the second (KeePass keeps seconds only). */
export type Comparable = Omit<ImportedItem, 'createdAt' | 'updatedAt'> & { createdAt?: string; updatedAt?: string }

const toSecond = (iso: string | undefined): string | undefined =>
  iso === undefined ? undefined : new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z')

/** Normalises vault or imported items for comparison; `sortFields` for KeePassXC, which stores attributes sorted by name; `sortItems` for KeePass trees. */
export function normalise(
  items: ReadonlyArray<ImportedItem | Item>,
  options: { sortFields?: boolean; sortItems?: boolean; times?: boolean } = {}
): Comparable[] {
  const out = items.map(i => {
    const fields = i.fields.map(f => ({ name: f.name, value: f.value, hidden: f.hidden }))
    if (options.sortFields === true) fields.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    const out: Comparable = {
      title: i.title,
      username: i.username,
      password: i.password,
      urls: [...i.urls],
      notes: i.notes,
      totp: i.totp,
      fields,
      tags: [...i.tags],
      folder: i.folder,
      favorite: i.favorite,
      trashed: i.trashed,
      type: i.type,
      expiresAt: i.expiresAt
    }
    if (i.card !== undefined) out.card = i.card
    if (i.identity !== undefined) out.identity = i.identity
    if (i.sshKey !== undefined) out.sshKey = i.sshKey
    if (options.times !== false) {
      out.createdAt = toSecond(i.createdAt)
      out.updatedAt = toSecond(i.updatedAt)
    }
    return out
  })
  // KeePass stores entries in their groups, so the order of a round trip is the tree's, not the vault's.
  if (options.sortItems === true) out.sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0))
  return out
}
