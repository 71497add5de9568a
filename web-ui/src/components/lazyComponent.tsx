/**
 * A component whose code is a chunk of its own, loaded the first time it is shown (screens most
 * visits never open stay out of the first load; test/web-ui/bundle.test.ts holds that budget).
 */
import type { ComponentType } from 'preact'
import { useEffect, useState } from 'preact/hooks'

export function lazyComponent<P extends object>(load: () => Promise<ComponentType<P>>): (props: P) => preact.JSX.Element | null {
  let loaded: ComponentType<P> | undefined
  return function Lazy(props: P) {
    const [Component, setComponent] = useState<ComponentType<P> | undefined>(() => loaded)
    useEffect(() => {
      if (Component !== undefined) return
      load().then(
        c => {
          loaded = c
          setComponent(() => c)
        },
        () => {}
      )
    }, [Component])
    return Component === undefined ? null : <Component {...props} />
  }
}
