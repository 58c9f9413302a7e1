/**
 * The dev stack's intake: demo secrets (they open nothing but a local dev stack, which is why it
 * prints them) and the copy-paste commands that sign and send the example verdicts.
 */
import path from 'node:path';

/** Demo values for the intake's secrets; a value set in the environment wins. */
export const DEMO_INTAKE_SECRETS = {
  TAKEDOWN_INTAKE_SECRET: 'whsec_ZGVtby1pbnRha2Uta2V5LWZvci1ucG0tcnVuLWRldg==',
  ZEGO_CALLBACK_SECRET: 'demo-zego-callback-secret',
  TAKEDOWN_ACTIVEFENCE_API_KEY: 'demo-activefence-api-key',
  TAKEDOWN_HIVE_TOKEN: 'demo-hive-token-0123456789',
} as const;

export type IntakeSecretName = keyof typeof DEMO_INTAKE_SECRETS;

/** The intake's secrets: the environment's where set, else the demo ones (and which those are). */
export function devIntakeSecrets(env: NodeJS.ProcessEnv): { values: Record<IntakeSecretName, string>; demo: IntakeSecretName[] } {
  const names = Object.keys(DEMO_INTAKE_SECRETS) as IntakeSecretName[];
  const demo = names.filter((n) => !env[n]);
  return { values: Object.fromEntries(names.map((n) => [n, env[n] || DEMO_INTAKE_SECRETS[n]])) as Record<IntakeSecretName, string>, demo };
}

/**
 * Shell lines that sign and send each example verdict (bash, openssl, curl). Secrets are read from
 * the environment variables; the lines export only the demo ones.
 */
export function intakeDemoCommands(options: { url: string; examplesDir: string; cli: string; temporalAddress: string; demoSecrets: IntakeSecretName[] }): string {
  const rel = (file: string) => path.relative(process.cwd(), path.join(options.examplesDir, file)) || file;
  const { url } = options;
  const exports = options.demoSecrets.map((name) => `export ${name}='${DEMO_INTAKE_SECRETS[name]}'`);
  return [
    ...(exports.length ? ['# the dev intake runs with these demo secrets:', ...exports, ''] : ['# the intake uses the secrets from your environment', '']),
    '# send_decision FILE: a takedown request, signed the Standard Webhooks way',
    'send_decision() {',
    '  local f=$1 id=msg_$(date +%s%N) ts=$(date +%s) key sig',
    `  key=$(printf %s "\${TAKEDOWN_INTAKE_SECRET#whsec_}" | base64 -d | od -An -v -tx1 | tr -d ' \\n')`,
    `  sig=$( (printf '%s.%s.' "$id" "$ts"; cat "$f") | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" -binary | base64)`,
    `  curl -sS ${url}/v1/decisions -H "webhook-id: $id" -H "webhook-timestamp: $ts" -H "webhook-signature: v1,$sig" -H 'content-type: application/json' --data-binary @"$f"; echo`,
    '}',
    '# send_zego FILE: a ZEGO censor callback, signed with a fresh Timestamp and Nonce',
    'send_zego() {',
    '  local f=$1 ts=$(date +%s) nonce=$RANDOM$RANDOM sig',
    `  sig=$(printf '%s\\n' "$ZEGO_CALLBACK_SECRET" "$ts" "$nonce" | LC_ALL=C sort | tr -d '\\n' | openssl dgst -sha1 -r | cut -c1-40)`,
    `  sed -e "s/\\"Timestamp\\": 0/\\"Timestamp\\": $ts/" -e "s/\\"Nonce\\": \\"\\"/\\"Nonce\\": \\"$nonce\\"/" -e "s/\\"Signature\\": \\"\\"/\\"Signature\\": \\"$sig\\"/" "$f" | curl -sS ${url}/zego/censor -H 'content-type: application/json' --data-binary @-; echo`,
    '}',
    `send_decision ${rel('zego-takedown.json')}   # send it twice: the same violationId starts one takedown`,
    `send_decision ${rel('agora-takedown.json')}`,
    `send_zego ${rel('verdicts/zego-censor-reject.json')}   # REJECT on the demo stream: a takedown`,
    `send_zego ${rel('verdicts/zego-censor-review.json')}   # REVIEW: starts review/zego-censor/demo-censor-task_s_1_2`,
    '',
    '# ActiveFence and Hive verdicts name Agora RTC users (400 until the RTC target is in the request schema)',
    `curl -sS ${url}/activefence -H "X-Api-Key: $TAKEDOWN_ACTIVEFENCE_API_KEY" -H 'content-type: application/json' --data-binary @${rel('verdicts/activefence.json')}; echo`,
    `curl -sS "${url}/hive/$TAKEDOWN_HIVE_TOKEN" -H 'content-type: application/json' --data-binary @${rel('verdicts/hive.json')}; echo`,
    '',
    '# pending reviews, and a decision on the demo review',
    `${options.cli} workflow list --address ${options.temporalAddress} --query 'WorkflowType="review" AND TakedownOutcome="awaiting-review"'`,
    `${options.cli} workflow update execute --address ${options.temporalAddress} --workflow-id review/zego-censor/demo-censor-task_s_1_2 --name decide --input '{"decision":"approve","by":"'"$USER"'"}'`,
  ].join('\n');
}
