/** Worker environment that points every provider at a sandbox with the demo accounts. */
import { DEMO_AGORA_ACCOUNT, DEMO_ZEGO_APP } from '../sandbox/demo-accounts';

export function sandboxWorkerEnv(sandboxUrl: string, temporalAddress: string): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: temporalAddress,
    ZEGO_APP_ID: String(DEMO_ZEGO_APP.appId),
    ZEGO_SERVER_SECRET: DEMO_ZEGO_APP.serverSecret,
    ZEGO_API_URL: sandboxUrl,
    AGORA_CUSTOMER_ID: DEMO_AGORA_ACCOUNT.customerId,
    AGORA_CUSTOMER_SECRET: DEMO_AGORA_ACCOUNT.customerSecret,
    AGORA_API_URL: sandboxUrl,
  };
}
