/**
 * The password generator, loaded the first time it is opened: its options (characters or words)
 * stay out of the page's first load (test/web-ui/bundle.test.ts holds that budget).
 */
import { lazyComponent } from './lazyComponent.js'

export const Generator = lazyComponent(async () => (await import('./GeneratorPanel.js')).GeneratorPanel)
