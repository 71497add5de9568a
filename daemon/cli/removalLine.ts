/** The status's sentence about this device's removal from the roster (`kith status`, `kith devices`). */
export function removalLine(removed: unknown): string {
  const message = (removed as { message?: unknown } | null | undefined)?.message
  return typeof message === 'string' ? `\n${message}` : ''
}
