/** Makes sure the takedown search attributes exist in the namespace, registering missing ones. */
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

const { IndexedValueType } = temporal.api.enums.v1;

/** The attribute's type as the server and the CLI name it. */
function typeOf(name: string): { indexed: temporal.api.enums.v1.IndexedValueType; cli: 'Keyword' | 'Datetime' } {
  const key = SEARCH_ATTRIBUTES.find((k) => k.name === name);
  return key?.type === 'DATETIME' ? { indexed: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME, cli: 'Datetime' } : { indexed: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, cli: 'Keyword' };
}

/** The command an operator runs when the worker may not register search attributes itself. */
export function registerCommand(namespace: string, names: string[]): string {
  return names.map((name) => `temporal operator search-attribute create --namespace ${namespace} --name ${name} --type ${typeOf(name).cli}`).join(' && ');
}

export class SearchAttributesMissingError extends Error {
  override readonly name = 'SearchAttributesMissingError';
}

/** Returns the names it registered (empty when all existed). */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTES.map((k) => k.name).filter((name) => !(name in (customAttributes ?? {})));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, typeOf(name).indexed])),
    });
  } catch (err) {
    throw new SearchAttributesMissingError(
      `search attributes ${missing.join(', ')} are missing in namespace ${namespace} and could not be registered ` +
        `(${(err as Error).message}); register them with: ${registerCommand(namespace, missing)}`,
    );
  }
  return missing;
}
