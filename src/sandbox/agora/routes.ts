/** Which Agora API a method and path name (agora.md §4, §7), as a table. */
import { decodePathSegment } from '../http-util';
import type { AgoraOperation } from '../operations';
import type { BucketName } from '../rate-limits';

/** The Media Gateway resources the sandbox serves. */
export type IngressResource = 'streamkeys' | 'online-streams';

interface IngressRouteRule {
  method: string;
  resource: IngressResource;
  /** Whether the path ends with a key or sid. */
  withId: boolean;
  operation: AgoraOperation;
  bucket: BucketName;
}

/** Force disconnect counts as a delete, list and get as queries (agora.md §6, inferred). */
const INGRESS_ROUTES: readonly IngressRouteRule[] = [
  { method: 'DELETE', resource: 'streamkeys', withId: true, operation: 'DeleteStreamKey', bucket: 'agora.delete' },
  { method: 'GET', resource: 'online-streams', withId: false, operation: 'ListOnlineStreams', bucket: 'agora.query' },
  { method: 'GET', resource: 'online-streams', withId: true, operation: 'GetOnlineStream', bucket: 'agora.query' },
  { method: 'DELETE', resource: 'online-streams', withId: true, operation: 'ForceDisconnect', bucket: 'agora.delete' },
];

const KICKING_ROUTES: Readonly<Record<string, AgoraOperation>> = {
  POST: 'CreateKickingRule',
  GET: 'ListKickingRules',
  PUT: 'UpdateKickingRule',
  DELETE: 'DeleteKickingRule',
};

/** Where a request is going, before auth and path checks. */
export type AgoraRoute =
  | {
      api: 'ingress';
      /** As written in the path; validated by the handler so a bad one is logged. */
      region: string;
      appId: string;
      /** Undefined for a path under the ingress base that no served operation matches. */
      rule?: IngressRouteRule;
      /** The key or sid from the path, decoded; `''` for a trailing slash. */
      id?: string;
    }
  | { api: 'kicking-rule'; operation?: AgoraOperation }
  | { api: 'none' };

const INGRESS_PREFIX = ['v1', 'projects', undefined, 'rtls', 'ingress'] as const;

/** `/{region}/v1/projects/{appId}/rtls/ingress/{resource}[/{id}]` or `/dev/v1/kicking-rule`. */
export function matchAgoraRoute(method: string, path: string): AgoraRoute {
  const segments = path.split('/').slice(1);
  if (/^\/dev\/v1\/kicking-rule\/?$/.test(path)) return { api: 'kicking-rule', operation: KICKING_ROUTES[method] };

  const [region, ...rest] = segments;
  const isIngress = region !== undefined && INGRESS_PREFIX.every((part, i) => part === undefined || rest[i] === part);
  if (!isIngress || rest.length < 6 || rest.length > 7) return { api: 'none' };
  const appId = decodePathSegment(rest[2] ?? '');
  const resource = rest[5];
  const rawId = rest[6];
  // `GET online-streams/` is still the list; `DELETE online-streams/` is a disconnect without a sid.
  const id = rawId === undefined || (rawId === '' && method === 'GET') ? undefined : decodePathSegment(rawId);
  const rule = INGRESS_ROUTES.find((r) => r.method === method && r.resource === resource && r.withId === (id !== undefined));
  return { api: 'ingress', region: decodePathSegment(region), appId, rule, ...(id === undefined ? {} : { id }) };
}
