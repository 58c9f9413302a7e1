/** Worker environment that points every provider at a sandbox, with the demo accounts or others. */
import { DEMO_AGORA_ACCOUNT, DEMO_ZEGO_APP } from '../sandbox/demo-accounts';

/** The provider accounts a worker uses against the sandbox; a provider left out gets none. */
export interface SandboxAccounts {
  zego?: { appId: number; serverSecret: string };
  agora?: { customerId: string; customerSecret: string };
}

/** The accounts the sandbox accepts when none are configured. */
export const DEMO_ACCOUNTS: SandboxAccounts = { zego: DEMO_ZEGO_APP, agora: DEMO_AGORA_ACCOUNT };

/**
 * `TEMPORAL_ADDRESS`, both providers' API URLs pointed at the sandbox, and the credentials of
 * `accounts` (none for a provider it leaves out, e.g. when a config file names the apps).
 *
 * @default accounts DEMO_ACCOUNTS
 */
export function sandboxWorkerEnv(sandboxUrl: string, temporalAddress: string, accounts: SandboxAccounts = DEMO_ACCOUNTS): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: temporalAddress,
    ZEGO_API_URL: sandboxUrl,
    AGORA_API_URL: sandboxUrl,
    ...(accounts.zego ? { ZEGO_APP_ID: String(accounts.zego.appId), ZEGO_SERVER_SECRET: accounts.zego.serverSecret } : {}),
    ...(accounts.agora ? { AGORA_CUSTOMER_ID: accounts.agora.customerId, AGORA_CUSTOMER_SECRET: accounts.agora.customerSecret } : {}),
  };
}
