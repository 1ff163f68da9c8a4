/**
 * The API under concurrent load on loopback (autocannon, bounded in time):
 * /aging and /open-items?limit=1000 against /health in the same run, each
 * for the same duration and connection count, one after another.
 *
 * Nothing commits during the test, so /aging is computed by the first request
 * and then answered from the route's cache (server/http/aging-cache.ts: the
 * JSON of the report for the ledger's change-feed sequence); each request still
 * authenticates, parses and checks its query and reads the sequence. The
 * computation itself is timed cold by aging.ts. /open-items is never cached.
 */
import autocannon from "autocannon";
import type { BenchService } from "./service.js";

export interface LoadFigures {
  readonly path: string;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly requests: number;
  /** Errors, timeouts and non-2xx answers: any of them spoils the figures. */
  readonly failures: number;
}

export interface LoadResult {
  readonly seconds: number;
  readonly connections: number;
  readonly health: LoadFigures;
  readonly routes: readonly LoadFigures[];
}

export const LOAD_PATHS = ["/api/v1/aging", "/api/v1/open-items?limit=1000"] as const;

async function hammer(service: BenchService, path: string, seconds: number, connections: number): Promise<LoadFigures> {
  const result = await autocannon({
    url: `${service.origin}${path}`,
    connections,
    duration: seconds,
    timeout: 60,
    headers: { authorization: `Bearer ${service.token}` },
  });
  return {
    path,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}

export async function measureLoad(
  service: BenchService,
  options: { seconds: number; connections: number },
): Promise<LoadResult> {
  const health = await hammer(service, "/api/v1/health", options.seconds, options.connections);
  const routes: LoadFigures[] = [];
  for (const path of LOAD_PATHS) routes.push(await hammer(service, path, options.seconds, options.connections));
  return { ...options, health, routes };
}
