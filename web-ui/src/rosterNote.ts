/** What the dashboard says about the device roster after `destroy` (from its answer or from the `locked` event). */
export function rosterNote(r: { removedFromRoster?: boolean; hint?: string | null }): string | undefined {
  if (r.removedFromRoster === true) return 'It left your device list; the device that confirmed it made new vault keys.'
  if (typeof r.hint === 'string') return `Note: ${r.hint}.`
  return undefined
}
