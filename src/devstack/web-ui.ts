/** Links into the Temporal Web UI. */

/**
 * The namespace's workflow list filtered by a visibility query, e.g. `WorkflowType="takedown"`.
 * The UI reads the list's query from the `query` search parameter of
 * `/namespaces/<namespace>/workflows`, URL-encoded.
 */
export function workflowListUrl(uiUrl: string, namespace: string, query: string): string {
  return `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(query)}`;
}

/** The visibility query that lists takedowns only (not the provider pacers beside them). */
export const TAKEDOWNS_QUERY = 'WorkflowType="takedown"';
