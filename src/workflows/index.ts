/** Workflow entry points registered by the worker. */
export { takedown } from './takedown';
export { providerPacer } from './pacer';
export { review } from './review';
