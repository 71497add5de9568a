/** Short status messages ("Password copied"), announced politely to screen readers. */
import { useEffect, useState } from 'preact/hooks'

export interface Toast {
  id: number
  text: string
  kind: 'info' | 'error'
}

let toasts: Toast[] = []
let nextId = 1
const listeners = new Set<(t: Toast[]) => void>()
const publish = (): void => {
  for (const l of listeners) l(toasts)
}

export function toast(text: string, kind: Toast['kind'] = 'info', ms = 3500): void {
  const t = { id: nextId++, text, kind }
  toasts = [...toasts.slice(-3), t]
  publish()
  setTimeout(() => {
    toasts = toasts.filter(x => x !== t)
    publish()
  }, ms)
}

export function useToasts(): Toast[] {
  const [list, setList] = useState(toasts)
  useEffect(() => {
    listeners.add(setList)
    return () => {
      listeners.delete(setList)
    }
  }, [])
  return list
}

/** The message of any error, for a toast or an inline error line. */
export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err))
