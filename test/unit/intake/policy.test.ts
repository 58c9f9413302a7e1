import path from 'node:path';
import { PolicyError, loadPolicy, parsePolicy, ruleFor } from '../../../src/intake/policy';
import type { Verdict } from '../../../src/intake/verdict';

const examplePolicy = path.resolve(__dirname, '../../../examples/policy.json');

function problems(document: unknown): string[] {
  try {
    parsePolicy(document);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return (err as PolicyError).problems;
  }
  throw new Error('expected the policy to be refused');
}

function verdict(fields: Partial<Verdict> & Pick<Verdict, 'source'>): Verdict {
  return { key: 'k', summary: 's', subject: { kind: 'zego-room', appId: 1, roomId: 'r' }, labels: [], categories: [], scores: {}, details: {}, ...fields };
}

test('the example policy and the contract example are valid', () => {
  expect(loadPolicy(examplePolicy).rules).toHaveLength(6);
  const contract = {
    rules: [
      { source: 'zego-censor', match: { riskLevel: 'REJECT' }, action: 'takedown', ban: { duration: '24h' } },
      { source: 'zego-censor', match: { riskLevel: 'REVIEW' }, action: 'review', deadline: '10m', onTimeout: 'reject' },
      { source: 'activefence', match: { category: 'violence' }, action: 'takedown', agoraAppId: 'app', ban: { duration: '7d', scope: 'app' } },
      { source: 'hive', match: { class: 'general_nsfw', minScore: 0.9 }, action: 'takedown', agoraAppId: 'app', shadow: true },
      { source: '*', action: 'ignore' },
    ],
  };
  expect(parsePolicy(contract)).toEqual(contract);
});

test('every problem is one line naming the rule index and the field', () => {
  expect(
    problems({
      rules: [
        { source: 'zego', action: 'takedown' },
        { source: 'hive', match: { minScore: 1.5 }, action: 'takedown', agoraAppId: 'a' },
        { source: 'activefence', action: 'review', deadline: '10 minutes' },
        { source: 'zego-censor', match: { category: 'violence' }, action: 'delete' },
        { source: 'zego-censor', action: 'takedown', ban: { duration: '5s', scope: 'channel' }, shadow: 'yes' },
        { source: '*', action: 'ignore', deadline: '1m', extra: 1 },
      ],
    }),
  ).toEqual([
    'policy rules[0].source: must be one of zego-censor, activefence, hive, *',
    'policy rules[1].match.minScore: must be from 0 to 1',
    'policy rules[1].match.minScore: needs class (the Hive class that must score at least minScore)',
    'policy rules[2].deadline: must be a duration such as 30s, 10m, 4h or 2d',
    'policy rules[2].onTimeout: is required for a review rule ("approve" or "reject")',
    'policy rules[2].agoraAppId: is required for activefence verdicts (the Agora App ID their users are in)',
    'policy rules[3].action: must be takedown, review or ignore',
    'policy rules[4].ban.duration: must be a duration from 10s to 365d (such as 24h or 7d), or "permanent"',
    'policy rules[4].shadow: must be true or false',
    'policy rules[5]: unknown field "extra"',
    'policy rules[5].deadline: does not apply to an ignore rule',
  ]);
  expect(
    problems({
      rules: [
        { source: 'hive', match: { minScore: 0.5 }, action: 'takedown' },
        { source: 'activefence', action: 'review', agoraAppId: 'a' },
        { source: 'zego-censor', match: { category: 'violence' }, action: 'takedown', ban: { duration: '1d', scope: 'channel' } },
        { source: '*', action: 'ignore', deadline: '1m' },
        { source: 'zego-censor', action: 'takedown', onTimeout: 'approve' },
      ],
    }),
  ).toEqual([
    'policy rules[0].match.minScore: needs class (the Hive class that must score at least minScore)',
    'policy rules[0].agoraAppId: is required for hive verdicts (the Agora App ID their users are in)',
    'policy rules[1].deadline: is required for a review rule (a duration such as 10m)',
    'policy rules[1].onTimeout: is required for a review rule ("approve" or "reject")',
    'policy rules[2].match.category: does not apply to zego-censor verdicts (they match on riskLevel, label)',
    'policy rules[2].ban.scope: must be room or app for zego-censor verdicts',
    'policy rules[3].deadline: does not apply to an ignore rule',
    'policy rules[4].onTimeout: applies to review rules only',
  ]);
  expect(problems({ rules: 'none' })).toEqual(['policy rules: must be an array of rules']);
  expect(problems([])).toEqual(['policy policy: must be an object']);
});

test('a file that cannot be read or parsed is one clear line', () => {
  expect(() => loadPolicy('/nonexistent/policy.json')).toThrow('TAKEDOWN_POLICY_FILE: cannot read /nonexistent/policy.json: ENOENT');
  expect(() => loadPolicy(__filename)).toThrow(/TAKEDOWN_POLICY_FILE .*policy\.test\.ts: not JSON/);
});

describe('the first matching rule wins', () => {
  const policy = parsePolicy({
    rules: [
      { source: 'zego-censor', match: { riskLevel: 'REJECT', label: 'porn' }, action: 'takedown' },
      { source: 'zego-censor', match: { riskLevel: 'REJECT' }, action: 'review', deadline: '1m', onTimeout: 'approve' },
      { source: 'activefence', match: { category: 'Violence' }, action: 'takedown', agoraAppId: 'a' },
      { source: 'hive', match: { class: 'general_nsfw', minScore: 0.9 }, action: 'takedown', agoraAppId: 'a' },
      { source: 'hive', action: 'ignore' },
    ],
  });

  test.each([
    ['ZEGO REJECT with porn as its third label', verdict({ source: 'zego-censor', riskLevel: 'REJECT', labels: ['ad', 'x', 'porn'] }), 0],
    ['ZEGO REJECT without it', verdict({ source: 'zego-censor', riskLevel: 'REJECT', labels: ['ad'] }), 1],
    ['ZEGO REVIEW', verdict({ source: 'zego-censor', riskLevel: 'REVIEW', labels: ['porn'] }), undefined],
    ['ActiveFence violence (any case)', verdict({ source: 'activefence', categories: ['hate', 'violence'] }), 2],
    ['ActiveFence without the category', verdict({ source: 'activefence', categories: ['spam'] }), undefined],
    ['Hive at the minimum score', verdict({ source: 'hive', scores: { general_nsfw: 0.9 } }), 3],
    ['Hive below it', verdict({ source: 'hive', scores: { general_nsfw: 0.89 } }), 4],
  ])('%s', (_name, v, index) => {
    expect(ruleFor(policy, v)?.index).toBe(index);
  });

  test('"*" matches any source', () => {
    const any = parsePolicy({ rules: [{ source: '*', match: { riskLevel: 'REVIEW' }, action: 'review', deadline: '5m', onTimeout: 'reject', agoraAppId: 'a' }] });
    expect(ruleFor(any, verdict({ source: 'zego-censor', riskLevel: 'REVIEW' }))?.index).toBe(0);
    expect(ruleFor(any, verdict({ source: 'hive', scores: {} }))).toBeUndefined();
  });
});
