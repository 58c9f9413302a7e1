/**
 * Demo credentials the sandbox accepts when none are configured. They open nothing but the
 * sandbox, which is why the CLI may print them.
 */

/** ZEGO app of the dev stack: AppId and its 32-hex-character ServerSecret. */
export const DEMO_ZEGO_APP = { appId: 1234567890, serverSecret: '97249547a82093e66057c8ee6916ee0b' } as const;

/** Agora RESTful API customer id and secret (HTTP Basic). */
export const DEMO_AGORA_ACCOUNT = { customerId: 'demo-customer', customerSecret: 'demo-secret' } as const;

/** An Agora App ID for demos; the sandbox accepts any App ID, this one is simply shaped like a real one. */
export const DEMO_AGORA_APP_ID = '0f3cdd3c66f9cd406a0cfcfa74558ec0';
