/**
 * Composes the Express app: security middleware, the public routes, the
 * authenticated API, the add-in's static pages, and the one error handler.
 */
import express, { type Express } from "express";
import { existsSync } from "node:fs";
import type { Clock } from "../shared/dates.js";
import { apiRouter, publicApiRouter } from "./http/api.js";
import { authenticate } from "./http/auth.js";
import { bankUploadRouter } from "./http/bank-api.js";
import type { EntraVerifier } from "./http/entra.js";
import { errorMiddleware, notFound } from "./http/errors.js";
import type { Logger } from "./http/logger.js";
import { docsPage, openApiDocument } from "./http/openapi.js";
import { securityMiddleware } from "./http/security.js";
import type { TokenStore } from "./http/tokens.js";
import type { LedgerStore } from "./store/port.js";

export interface AppOptions {
  readonly store: LedgerStore;
  readonly tokens: TokenStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly allowedOrigins: readonly string[];
  readonly bodyLimit: string;
  readonly rateLimit: { readonly windowMs: number; readonly max: number };
  readonly entra?: EntraVerifier | undefined;
  /** Plain-HTTP serving: no HSTS. */
  readonly http?: boolean;
  /** Built task-pane pages (dist/addin), served from the same origin. */
  readonly staticDir?: string | undefined;
}

export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", "loopback");
  const security = securityMiddleware({
    allowedOrigins: options.allowedOrigins,
    bodyLimit: options.bodyLimit,
    rateLimit: options.rateLimit,
    logger: options.logger,
    hsts: options.http !== true,
  });
  app.use(security.beforeAuth);

  let cachedDoc: Record<string, unknown> | null = null;
  const doc = () => (cachedDoc ??= openApiDocument());
  app.use("/api/v1", publicApiRouter({ store: options.store }, doc, () => docsPage(doc())));
  const authenticated = authenticate({ tokens: options.tokens, entra: options.entra });
  // Bank files are streamed, with their own body limit, so this one route comes before the JSON parser.
  app.use("/api/v1", bankUploadRouter({ store: options.store, before: [authenticated, security.rateLimit, security.noStore] }));
  app.use(
    "/api/v1",
    authenticated,
    ...security.afterAuth,
    apiRouter({ store: options.store, tokens: options.tokens, clock: options.clock }),
  );

  if (options.staticDir !== undefined && existsSync(options.staticDir)) {
    app.use(express.static(options.staticDir, { index: ["index.html"], extensions: ["html"] }));
  }
  app.use(notFound(), errorMiddleware({ logger: options.logger }));
  return app;
}
