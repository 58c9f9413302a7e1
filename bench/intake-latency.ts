/**
 * `npx tsx bench/intake-latency.ts [--rate 100] [--seconds 10] [--duplicates 0.1]`: the intake's
 * answer latency on the real stack (dev server, sandbox, worker). Signed ZEGO censor REJECT
 * results arrive at a fixed rate, each on a live stream of its own, a share of them redelivered;
 * the time from sending to the intake's 2xx is measured over HTTP on 127.0.0.1, and the takedowns
 * are followed to their first provider call. Prints a summary; writes nothing.
 */
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { Intake } from '../src/intake/intake';
import { silentLogger } from '../src/intake/logging';
import { createMetrics } from '../src/intake/metrics';
import { parsePolicy } from '../src/intake/policy';
import { createIntakeServer } from '../src/intake/server';
import { connectTemporal } from '../src/intake/temporal';
import { zegoCensorResult } from '../test/unit/intake/senders';
import { BENCH_APPS, BENCH_TASK_QUEUE, startBenchStack } from './stack';
import { fmt, summarize } from '../harness/stats';

const { values } = parseArgs({ options: { rate: { type: 'string', default: '100' }, seconds: { type: 'string', default: '10' }, duplicates: { type: 'string', default: '0.1' } } });
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const duplicateShare = Number(values.duplicates);
const SECRET = 'bench-zego-callback-secret';

async function main(): Promise<void> {
  const stack = await startBenchStack({ lifetimeSeconds: seconds + 240 });
  const temporal = connectTemporal({ temporal: { address: stack.server.address, namespace: 'default' } });
  const metrics = createMetrics();
  const intake = new Intake({
    client: temporal.client,
    connection: temporal.connection,
    taskQueue: BENCH_TASK_QUEUE,
    policy: parsePolicy({ rules: [{ source: 'zego-censor', match: { riskLevel: 'REJECT' }, action: 'takedown' }] }),
    logger: silentLogger,
    metrics,
  });
  const app = createIntakeServer({ config: { zegoCallbackSecret: SECRET }, intake, logger: silentLogger, metrics });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const total = Math.round(rate * seconds);
    const appId = BENCH_APPS.open.appId;
    const rooms = Array.from({ length: total }, (_, i) => ({ roomId: `intake-bench-${Date.now()}-${i}`, streamId: `s-${i}`, userId: `host-${i}` }));
    for (let i = 0; i < rooms.length; i += 200) {
      await stack.sandbox.control.seedZego({ appId, rooms: rooms.slice(i, i + 200).map((r) => ({ roomId: r.roomId, users: [r.userId], streams: [{ streamId: r.streamId, userId: r.userId }] })) });
    }

    const answers: { ms: number; status: number; started?: boolean; duplicate: boolean; sentAt: number; roomId: string }[] = [];
    const send = async (i: number, duplicate: boolean) => {
      const room = rooms[i]!;
      const body = JSON.stringify(zegoCensorResult(SECRET, { appId, ...room, resultTaskId: `bench-${room.roomId}` }));
      const sentAt = Date.now();
      const t0 = performance.now();
      const res = await request(`${url}/zego/censor`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      const parsed = (await res.body.json()) as { started?: boolean };
      answers.push({ ms: performance.now() - t0, status: res.statusCode, started: parsed.started, duplicate, sentAt, roomId: room.roomId });
    };

    const startedAt = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = startedAt + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(send(i, false));
      // A redelivery of an earlier verdict, as a sender's retry would make.
      if (i > 10 && Math.random() < duplicateShare) inFlight.push(send(i - 10, true));
    }
    await Promise.all(inFlight);
    const sendSeconds = (performance.now() - startedAt) / 1000;

    // Each takedown's first provider call, for the verdict-to-provider latency.
    await new Promise((r) => setTimeout(r, 5_000));
    const deletes = await stack.sandbox.control.requests({ provider: 'zego', operation: 'DeleteStream' });
    const firstCall = new Map<string, number>();
    for (const d of deletes) if (d.params.roomId && !firstCall.has(d.params.roomId)) firstCall.set(d.params.roomId, d.at);
    const firstSends = answers.filter((a) => !a.duplicate);
    const toProvider = firstSends.flatMap((a) => (firstCall.has(a.roomId) ? [firstCall.get(a.roomId)! - a.sentAt] : []));

    const fresh = summarize(firstSends.map((a) => a.ms));
    const dup = summarize(answers.filter((a) => a.duplicate).map((a) => a.ms));
    const e2e = summarize(toProvider);
    const statuses = answers.reduce<Record<string, number>>((m, a) => ({ ...m, [a.status]: (m[a.status] ?? 0) + 1 }), {});
    const line = (name: string, s: ReturnType<typeof summarize>) => `| ${name} | ${s.n} | ${fmt(s.p50)} | ${fmt(s.p95)} | ${fmt(s.p99)} | ${fmt(s.max)} |`;
    console.log(`
Intake at ${rate} verdicts/s for ${seconds} s (sent over ${fmt(sendSeconds, 2)} s), ${fmt(duplicateShare * 100, 0)} % redelivered; answers ${JSON.stringify(statuses)}
first deliveries started: ${firstSends.filter((a) => a.started).length} / ${firstSends.length}; redeliveries answered started:false: ${answers.filter((a) => a.duplicate && a.started === false).length} / ${answers.filter((a) => a.duplicate).length}

| ms | n | p50 | p95 | p99 | max |
|---|---|---|---|---|---|
${line('answer, first delivery', fresh)}
${line('answer, redelivery', dup)}
${line('verdict sent → DeleteStream at the provider', e2e)}
`);
  } finally {
    await app.close();
    await temporal.close();
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`intake benchmark failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
