import { TAKEDOWNS_QUERY, workflowListUrl } from '../../src/devstack/web-ui';

test('the takedowns link opens the namespace’s workflow list with the query URL-encoded', () => {
  expect(workflowListUrl('http://localhost:8233', 'default', TAKEDOWNS_QUERY)).toBe('http://localhost:8233/namespaces/default/workflows?query=WorkflowType%3D%22takedown%22');
});

test('a query with spaces and quotes survives the round trip through the URL', () => {
  const query = 'WorkflowType="takedown" AND TakedownOutcome = "ProviderUnavailable"';
  const url = new URL(workflowListUrl('http://localhost:8233/', 'trust & safety', query));
  expect(url.pathname).toBe('/namespaces/trust%20%26%20safety/workflows');
  expect(url.searchParams.get('query')).toBe(query);
});
